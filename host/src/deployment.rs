//! A deployment: one workflow, compiled and scoped, ready to run any number of times.
//!
//! Preparing it compiles every node module once ([`tntc_sandbox::Sandbox::load_node`]),
//! computes each node's access ([`crate::access`]), and pre-serializes the part of each
//! node's invocation that does not change between runs (config, secrets view, dependencies),
//! so a run only appends its input. Running a node ([`NodeRunner::run`]) is then one fresh
//! sandbox: nothing from a previous run, or from another node, is in it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tntc_abi::invocation::InvocationTemplate;
use tntc_abi::{Invocation, NodeSection};
use tntc_fetch::FetchClient;
use tntc_sandbox::{NodeFailure, NodeModule, RunLimits, RunRequest, Sandbox};
use tntc_spec::{Checked, Workflow};

use crate::access::{CodeUses, Scope, node_access};
use crate::executor::{BoxFuture, NodeError, NodeRunner, Plan, execute};
use crate::logs::LogSink;
use crate::result::ExecutionResult;
use crate::run_host::RunHost;
use crate::secrets::Secrets;
use tntc_bundle::Bundle;

/// Default memory cap of a node's sandbox.
pub const DEFAULT_NODE_MEMORY: usize = 64 << 20;

/// What every deployment of a process shares: the sandbox (one wasmtime engine), the
/// outbound HTTP client, and where node logs go.
#[derive(Clone)]
pub struct Shared {
    /// The process's sandbox.
    pub sandbox: Sandbox,
    /// The capability-scoped HTTP client.
    pub fetch: FetchClient,
    /// The PostgreSQL connection pools (one per dependency, reset between runs).
    pub postgres: tntc_postgres::PgPools,
    /// Node log lines.
    pub logs: Arc<dyn LogSink>,
}

/// PostgreSQL pools with the default limits, trusting `extra_ca` (a PEM file, the host's
/// `--extra-ca`) besides the system roots for `sslmode: verify-full`.
pub fn postgres_pools(
    extra_ca: Option<&std::path::Path>,
) -> Result<tntc_postgres::PgPools, String> {
    let extra_ca_pem = extra_ca
        .map(|path| std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display())))
        .transpose()?;
    tntc_postgres::PgPools::new(tntc_postgres::PgConfig {
        extra_ca_pem,
        ..tntc_postgres::PgConfig::default()
    })
}

/// A compiled node handed to [`Deployment::prepare`].
#[derive(Clone, Debug)]
pub struct NodeBuild {
    /// The node module.
    pub wasm: Vec<u8>,
    /// What `tntc build` found in its code, when known.
    pub uses: Option<CodeUses>,
}

/// Why a workflow cannot be deployed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// A node has no module.
    #[error("node \"{0}\" has no compiled module")]
    MissingModule(String),
    /// The sandbox rejected a module.
    #[error("node \"{node}\": {source}")]
    Load {
        /// The node.
        node: String,
        /// Why.
        source: tntc_sandbox::LoadError,
    },
    /// The contract or `capabilities.net` cannot become an egress policy.
    #[error("node \"{node}\": {source}")]
    Policy {
        /// The node.
        node: String,
        /// Why.
        source: tntc_fetch::PolicyError,
    },
    /// The node's invocation cannot be serialized (a config value JSON cannot hold).
    #[error("node \"{node}\": cannot serialize its invocation: {reason}")]
    Invocation {
        /// The node.
        node: String,
        /// serde_json's reason.
        reason: String,
    },
    /// The workflow needs what this process's sandbox was not created with.
    #[error("{0}; restart the host to apply it")]
    Sandbox(String),
}

/// The memory cap and CPU-budget switch a workflow needs from the process's sandbox.
pub fn sandbox_needs(workflow: &Workflow) -> (usize, bool) {
    let memory = workflow
        .nodes
        .iter()
        .map(|n| node_memory(workflow, n.memory))
        .max()
        .unwrap_or(DEFAULT_NODE_MEMORY);
    (memory, workflow.config.fuel.is_some())
}

/// The memory cap of one node's sandbox: its `memory`, else `config.memory`, else
/// [`DEFAULT_NODE_MEMORY`]; never below 16 MiB (the runtime's own needs).
pub fn node_memory(workflow: &Workflow, node: Option<u64>) -> usize {
    let bytes = node
        .or(workflow.config.memory)
        .map_or(DEFAULT_NODE_MEMORY, |b| b as usize);
    bytes.max(16 << 20)
}

struct PreparedNode {
    module: NodeModule,
    /// The node's invocation, serialized once; each run fills in its input.
    invocation: InvocationTemplate,
    limits: RunLimits,
    policy: Arc<tntc_fetch::EgressPolicy>,
    postgres: Arc<tntc_postgres::PgPolicy>,
    section: Option<NodeSection>,
    scope: Scope,
    in_scope: Vec<String>,
}

/// A workflow ready to run.
pub struct Deployment {
    checked: Checked,
    plan: Plan,
    nodes: BTreeMap<String, Arc<PreparedNode>>,
    shared: Shared,
    redact: Arc<Secrets>,
}

impl std::fmt::Debug for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deployment")
            .field("workflow", &self.checked.workflow.name)
            .field("nodes", &self.nodes.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Deployment {
    /// Prepares a checked workflow whose nodes are compiled.
    pub fn prepare(
        shared: &Shared,
        checked: Checked,
        mut modules: BTreeMap<String, NodeBuild>,
        secrets: Secrets,
    ) -> Result<Deployment, DeployError> {
        let workflow = &checked.workflow;
        let (needed_memory, needs_fuel) = sandbox_needs(workflow);
        let sandbox_config = shared.sandbox.config();
        if needed_memory > sandbox_config.max_memory_bytes {
            return Err(DeployError::Sandbox(format!(
                "the workflow needs {} MiB of memory per node, but the sandbox allows at most {} MiB",
                needed_memory >> 20,
                sandbox_config.max_memory_bytes >> 20
            )));
        }
        if needs_fuel && !sandbox_config.cpu_fuel {
            return Err(DeployError::Sandbox(
                "config.fuel needs fuel metering, which this sandbox was started without".into(),
            ));
        }

        let mut nodes = BTreeMap::new();
        for spec in &workflow.nodes {
            let build = modules
                .remove(&spec.id)
                .ok_or_else(|| DeployError::MissingModule(spec.id.clone()))?;
            let module =
                shared
                    .sandbox
                    .load_node(&build.wasm)
                    .map_err(|source| DeployError::Load {
                        node: spec.id.clone(),
                        source,
                    })?;
            let access =
                node_access(workflow, spec, build.uses.as_ref(), &secrets).map_err(|source| {
                    DeployError::Policy {
                        node: spec.id.clone(),
                        source,
                    }
                })?;
            let invocation = InvocationTemplate::new(&Invocation {
                node: spec.id.clone(),
                config: workflow.config.raw.clone(),
                secrets: access.secrets.to_map(),
                dependencies: access.dependencies,
                out_of_scope: access.out_of_scope,
                ..Invocation::default()
            })
            .map_err(|e| DeployError::Invocation {
                node: spec.id.clone(),
                reason: e.to_string(),
            })?;
            let limits = RunLimits {
                memory_bytes: node_memory(workflow, spec.memory),
                fuel: workflow.config.fuel,
                ..RunLimits::default()
            };
            let section = Some(module.section().clone());
            nodes.insert(
                spec.id.clone(),
                Arc::new(PreparedNode {
                    module,
                    invocation,
                    limits,
                    policy: Arc::new(access.policy),
                    postgres: Arc::new(access.postgres),
                    section,
                    scope: access.scope,
                    in_scope: access.in_scope,
                }),
            );
        }
        let plan = Plan::new(workflow, Arc::new(checked.dag.clone()));
        Ok(Deployment {
            checked,
            plan,
            nodes,
            shared: shared.clone(),
            redact: Arc::new(secrets),
        })
    }

    /// Prepares a verified bundle.
    pub fn from_bundle(
        shared: &Shared,
        bundle: Bundle,
        secrets: Secrets,
    ) -> Result<Deployment, DeployError> {
        let Bundle {
            manifest,
            checked,
            mut modules,
            ..
        } = bundle;
        let builds = manifest
            .nodes
            .iter()
            .filter_map(|(id, entry)| {
                let wasm = modules.remove(id)?;
                let uses = entry.code_uses();
                Some((
                    id.clone(),
                    NodeBuild {
                        wasm,
                        uses: Some(uses),
                    },
                ))
            })
            .collect();
        Deployment::prepare(shared, checked, builds, secrets)
    }

    /// The checked workflow.
    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    /// The execution plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Each node's scope and the dependencies in it, for start-up logs and `tntc build`.
    pub fn scopes(&self) -> impl Iterator<Item = (&str, Scope, &[String])> {
        self.nodes
            .iter()
            .map(|(id, n)| (id.as_str(), n.scope, n.in_scope.as_slice()))
    }

    /// The egress policy of a node, for start-up logs.
    pub fn policy(&self, node: &str) -> Option<&tntc_fetch::EgressPolicy> {
        self.nodes.get(node).map(|n| n.policy.as_ref())
    }

    /// Runs the whole workflow once.
    pub async fn execute(self: &Arc<Self>, input: Value) -> ExecutionResult {
        let runner: Arc<dyn NodeRunner> = self.clone();
        execute(&self.plan, runner, input).await
    }
}

/// A sandbox failure as callers read it: the original's message shapes (`Node "x" timed out
/// after 500ms`; a thrown error's own message), the stack mapped to the node's TypeScript.
pub fn node_error(node: &str, section: Option<&NodeSection>, failure: NodeFailure) -> NodeError {
    let map = |stack: Option<String>| {
        stack.map(|s| match section {
            Some(section) => section.line_map.node_stack(&s),
            None => s,
        })
    };
    match failure {
        // The original reported a thrown error's message as is.
        NodeFailure::Threw { message, stack } => NodeError {
            message,
            stack: map(stack),
        },
        NodeFailure::LoadFailed { message, stack } => {
            let source = section.map_or("", |s| s.source.as_str());
            NodeError {
                message: format!("Node \"{node}\" ({source}) failed to load: {message}"),
                stack: map(stack),
            }
        }
        other => NodeError::new(format!("Node \"{node}\" {other}")),
    }
}

impl NodeRunner for Deployment {
    fn run(
        &self,
        node: &str,
        input: Value,
        timeout: Duration,
    ) -> BoxFuture<Result<Value, NodeError>> {
        let Some(prepared) = self.nodes.get(node).cloned() else {
            let message = format!("internal error: node \"{node}\" is not part of this deployment");
            return Box::pin(async move { Err(NodeError::new(message)) });
        };
        let invocation = prepared.invocation.fill(&input.to_string());
        let deadline = Instant::now() + timeout;
        let host = Arc::new(RunHost {
            node: Arc::from(node),
            policy: prepared.policy.clone(),
            client: self.shared.fetch.clone(),
            postgres: tntc_postgres::RunSessions::new(
                self.shared.postgres.clone(),
                prepared.postgres.clone(),
                deadline,
            ),
            deadline,
            logs: self.shared.logs.clone(),
            redact: self.redact.clone(),
        });
        let request = RunRequest {
            invocation_json: invocation,
            limits: RunLimits {
                timeout,
                ..prepared.limits.clone()
            },
            host,
        };
        let node = node.to_string();
        let redact = self.redact.clone();
        Box::pin(async move {
            match prepared.module.run(request).await {
                Ok(out) => crate::json_text::to_value(out.output.as_bytes()).map_err(|e| {
                    NodeError::new(format!(
                        "Node \"{node}\" returned output that is not valid JSON: {e}"
                    ))
                }),
                Err(failure) => {
                    let error = node_error(&node, prepared.section.as_ref(), failure);
                    Err(NodeError {
                        message: redact.redact(&error.message),
                        stack: error.stack.map(|s| redact.redact(&s)),
                    })
                }
            }
        })
    }
}
