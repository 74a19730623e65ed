//! Running nodes in test mode: the real sandbox, the original test runner's mock context.
//!
//! Every run is a fresh sandbox, exactly as in production, with the node's own memory and
//! time limits. Only the invocation differs: `"mode": "test"` makes the guest's `ctx` the
//! mock of the original test runner (`ctx.fetch` and a dependency's `fetch` answer
//! `{"mock": true, ...}` without a request; `"contract": false` for a workflow without a
//! contract, where every name gets a default mock dependency) and makes the output
//! `{"output", "trace"}` so the harness learns which dependencies the node asked for.
//!
//! A node sees the dependencies it would see in production: the contract as scoped by
//! `nodes.<id>.dependencies` or by what its code names (the host's own [`node_access`]),
//! their `secret` resolved from the fixture's `secrets`. Plain `fetch()` gets no network in
//! tests: the harness's host refuses every request, so tests stay hermetic.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Map, Value};
use tntc_abi::{Invocation, Mode, NodeSection};
use tntc_host::access::{CodeUses, node_access};
use tntc_host::deployment::{node_error, node_memory};
use tntc_host::executor::{BoxFuture, NodeError, NodeRunner};
use tntc_host::secrets::Secrets;
use tntc_report::test::Trace;
use tntc_sandbox::{
    FetchRequest, FetchResponse, LogLevel, NodeHost, NodeModule, RunLimits, RunRequest, Sandbox,
};
use tntc_spec::{NodeSpec, Workflow};

use tntc_build::CompiledNode;

#[derive(Deserialize)]
struct TestOutput {
    output: Value,
    trace: Trace,
}

/// One finished test-mode run.
#[derive(Debug)]
pub struct Run {
    /// The node's output and trace, or why it failed (stack mapped to TypeScript).
    pub result: Result<(Value, Trace), NodeError>,
    /// Its log lines, `[node] INFO message`.
    pub logs: Vec<String>,
    /// Wall-clock time of the run.
    pub duration: Duration,
}

struct TestNode {
    module: NodeModule,
    section: Option<NodeSection>,
    uses: CodeUses,
    limits: RunLimits,
    timeout: Duration,
}

/// The compiled nodes of a workflow, ready to run in test mode.
pub struct Harness {
    workflow: Workflow,
    nodes: BTreeMap<String, TestNode>,
}

impl Harness {
    /// Loads the compiled nodes into `sandbox`.
    pub fn new(
        sandbox: &Sandbox,
        workflow: &Workflow,
        compiled: &[CompiledNode],
    ) -> anyhow::Result<Harness> {
        let mut nodes = BTreeMap::new();
        for node in compiled {
            let spec = spec(workflow, &node.id)?;
            let module = sandbox
                .load_node(&node.wasm)
                .map_err(|e| anyhow::anyhow!("node \"{}\": {e}", node.id))?;
            nodes.insert(
                node.id.clone(),
                TestNode {
                    module,
                    section: NodeSection::from_module(&node.wasm).ok(),
                    uses: node.code_uses(),
                    limits: RunLimits {
                        memory_bytes: node_memory(workflow, spec.memory),
                        fuel: workflow.config.fuel,
                        ..RunLimits::default()
                    },
                    timeout: spec.timeout.unwrap_or(workflow.config.timeout),
                },
            );
        }
        Ok(Harness {
            workflow: workflow.clone(),
            nodes,
        })
    }

    /// The workflow under test.
    pub fn workflow(&self) -> &Workflow {
        &self.workflow
    }

    /// The test-mode invocation of `node`. `secrets` is the node's `ctx.secrets`; the
    /// dependencies' `secret` fields are resolved from it as the host resolves them.
    pub fn invocation(
        &self,
        node: &str,
        input: Option<&Value>,
        config: &Map<String, Value>,
        secrets: &Map<String, Value>,
    ) -> Result<String, NodeError> {
        let spec = spec(&self.workflow, node).map_err(|e| NodeError::new(e.to_string()))?;
        let uses = self.nodes.get(node).map(|n| &n.uses);
        let mut resolvable = Secrets::new();
        for (service, keys) in secrets {
            if let Value::Object(keys) = keys {
                resolvable.insert(service.clone(), keys.clone());
            }
        }
        let access = node_access(&self.workflow, spec, uses, &resolvable)
            .map_err(|e| NodeError::new(format!("node \"{node}\": {e}")))?;
        let invocation = Invocation {
            node: node.to_string(),
            config: config.clone(),
            secrets: secrets.clone(),
            dependencies: access.dependencies,
            out_of_scope: access.out_of_scope,
            mode: Mode::Test,
            contract: self.workflow.contract.is_some(),
            input: input.cloned(),
        };
        serde_json::to_string(&invocation).map_err(|e| {
            NodeError::new(format!(
                "node \"{node}\": cannot serialize its invocation: {e}"
            ))
        })
    }

    /// The timeout of one attempt of `node` (its `timeout`, else `config.timeout`).
    pub fn timeout(&self, node: &str) -> Duration {
        self.nodes
            .get(node)
            .map_or(self.workflow.config.timeout, |n| n.timeout)
    }

    /// Runs `node` once in a fresh sandbox.
    pub async fn run(&self, node: &str, invocation: String, timeout: Duration) -> Run {
        let started = Instant::now();
        let host = Arc::new(TestHost::new(node));
        let Some(test_node) = self.nodes.get(node) else {
            return Run {
                result: Err(NodeError::new(format!("node \"{node}\" was not compiled"))),
                logs: Vec::new(),
                duration: started.elapsed(),
            };
        };
        let request = RunRequest {
            invocation_json: invocation,
            limits: RunLimits {
                timeout,
                ..test_node.limits.clone()
            },
            host: host.clone(),
        };
        let result = match test_node.module.run(request).await {
            Ok(out) => serde_json::from_str::<TestOutput>(&out.output)
                .map(|o| (o.output, o.trace))
                .map_err(|e| {
                    NodeError::new(format!(
                        "internal error: the test-mode output of node \"{node}\" is not {{\"output\", \"trace\"}}: {e}"
                    ))
                }),
            Err(failure) => Err(node_error(node, test_node.section.as_ref(), failure)),
        };
        Run {
            result,
            logs: host.take_lines(),
            duration: started.elapsed(),
        }
    }
}

fn spec<'a>(workflow: &'a Workflow, node: &str) -> anyhow::Result<&'a NodeSpec> {
    workflow
        .nodes
        .iter()
        .find(|n| n.id == node)
        .ok_or_else(|| anyhow::anyhow!("internal error: node \"{node}\" is not in the workflow"))
}

/// The host of one test run: keeps the log lines, refuses network access.
struct TestHost {
    node: String,
    lines: Mutex<Vec<String>>,
}

impl TestHost {
    fn new(node: &str) -> TestHost {
        TestHost {
            node: node.to_string(),
            lines: Mutex::new(Vec::new()),
        }
    }

    fn take_lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

impl NodeHost for TestHost {
    fn log(&self, level: LogLevel, message: &str) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push(format!("[{}] {} {message}", self.node, level.as_str()));
        }
    }

    fn fetch(
        &self,
        request: FetchRequest,
    ) -> tntc_sandbox::BoxFuture<'static, Result<FetchResponse, String>> {
        let message = format!(
            "fetch {} refused: `tntc test` runs nodes without network access; ctx.fetch(...) and ctx.dependency(...).fetch(...) answer mock responses in tests",
            request.url
        );
        Box::pin(async move { Err(message) })
    }
}

/// Runs a whole DAG in test mode (`--pipeline`): each node with the workflow's `config`, no
/// secrets; remembers each node's input, trace and logs for the report.
#[derive(Clone)]
pub struct PipelineRunner {
    harness: Arc<Harness>,
    config: Arc<Map<String, Value>>,
    runs: Arc<Mutex<BTreeMap<String, PipelineRun>>>,
}

/// What the pipeline did with one node (its last attempt).
#[derive(Clone, Debug, Default)]
pub struct PipelineRun {
    /// The input the node received.
    pub input: Value,
    /// What it touched, when it finished.
    pub trace: Option<Trace>,
    /// Log lines of every attempt.
    pub logs: Vec<String>,
}

impl PipelineRunner {
    /// A runner over `harness`.
    pub fn new(harness: Arc<Harness>) -> PipelineRunner {
        let config = Arc::new(harness.workflow.config.raw.clone());
        PipelineRunner {
            harness,
            config,
            runs: Arc::default(),
        }
    }

    /// What happened to each node that ran.
    pub fn runs(&self) -> BTreeMap<String, PipelineRun> {
        self.runs.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl NodeRunner for PipelineRunner {
    fn run(
        &self,
        node: &str,
        input: Value,
        timeout: Duration,
    ) -> BoxFuture<Result<Value, NodeError>> {
        let this = self.clone();
        let node = node.to_string();
        Box::pin(async move {
            let invocation =
                this.harness
                    .invocation(&node, Some(&input), &this.config, &Map::new())?;
            let run = this.harness.run(&node, invocation, timeout).await;
            let (result, trace) = match run.result {
                Ok((output, trace)) => (Ok(output), Some(trace)),
                Err(e) => (Err(e), None),
            };
            if let Ok(mut runs) = this.runs.lock() {
                let entry = runs.entry(node).or_default();
                entry.input = input;
                entry.trace = trace;
                entry.logs.extend(run.logs);
            }
            result
        })
    }
}
