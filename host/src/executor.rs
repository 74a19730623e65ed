//! The executor: runs a compiled DAG with the original engine's semantics.
//!
//! - **Input resolution**: a root node gets the trigger input (`null` becomes `{}`); a node with
//!   one predecessor gets that output as-is; a node with several gets
//!   `{ "<predecessor>": output, ... }` in the order the edges are listed.
//! - **Stages** (default): stages run in sequence, the nodes of a stage concurrently (each on
//!   its own tokio task, so two CPU-bound nodes use two cores; a stage of one node runs on
//!   the caller's task); every node of a stage settles
//!   before the next stage; after a stage with any error the later stages are skipped.
//! - **Dataflow** (`config.scheduling: dataflow`): a node starts as soon as all its
//!   predecessors succeeded. A successful run gives exactly the outputs of stage scheduling;
//!   after an error no new node starts and the running ones settle.
//! - **Attempts**: each attempt is bounded by the node's timeout; a failed attempt is retried
//!   `config.retries` times with a 100 ms x 2^n backoff; the last error is reported.
//!
//! The executor knows nothing about sandboxes: a [`NodeRunner`] runs one attempt.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tntc_spec::{Dag, Scheduling, Workflow};
use tokio::task::JoinSet;

use crate::result::{ExecutionResult, NodeTiming, Timing, now_ms};

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Runs single attempts of nodes (in production: a fresh sandbox per call).
pub trait NodeRunner: Send + Sync + 'static {
    /// Runs one attempt of `node` on `input`; the attempt must end within `timeout`, with a
    /// [`NodeError`] saying so if it does not.
    fn run(
        &self,
        node: &str,
        input: Value,
        timeout: Duration,
    ) -> BoxFuture<Result<Value, NodeError>>;
}

/// Why one attempt of a node failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeError {
    /// What callers see in `errors[node]`, e.g. `Node "spin" timed out after 500ms`.
    pub message: String,
    /// The JavaScript stack mapped to TypeScript, when the node threw.
    pub stack: Option<String>,
}

impl NodeError {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> NodeError {
        NodeError {
            message: message.into(),
            stack: None,
        }
    }
}

/// What the executor needs from a workflow: the DAG and the per-node attempt policy.
#[derive(Clone, Debug)]
pub struct Plan {
    dag: Arc<Dag>,
    scheduling: Scheduling,
    retries: u32,
    timeouts: BTreeMap<String, Duration>,
    backoff: Duration,
}

impl Plan {
    /// The plan of a checked workflow.
    pub fn new(workflow: &Workflow, dag: Arc<Dag>) -> Plan {
        let timeouts = workflow
            .nodes
            .iter()
            .map(|n| (n.id.clone(), n.timeout.unwrap_or(workflow.config.timeout)))
            .collect();
        Plan {
            dag,
            scheduling: workflow.config.scheduling,
            retries: workflow.config.retries,
            timeouts,
            backoff: Duration::from_millis(100),
        }
    }

    /// Overrides the base of the retry backoff (tests use a short one).
    pub fn with_backoff(mut self, base: Duration) -> Plan {
        self.backoff = base;
        self
    }

    /// The DAG.
    pub fn dag(&self) -> &Dag {
        &self.dag
    }

    fn timeout(&self, node: &str) -> Duration {
        self.timeouts
            .get(node)
            .copied()
            .unwrap_or(tntc_spec::Config::DEFAULT_TIMEOUT)
    }
}

/// The settled outcome of one node (all attempts).
#[derive(Debug)]
struct Settled {
    node: String,
    outcome: Result<Value, NodeError>,
    timing: NodeTiming,
}

/// Runs the whole workflow once on `input`.
pub async fn execute(plan: &Plan, runner: Arc<dyn NodeRunner>, input: Value) -> ExecutionResult {
    let started_at = now_ms();
    let input = if input.is_null() {
        Value::Object(Map::new())
    } else {
        input
    };
    let settled = match plan.scheduling {
        Scheduling::Stages => run_stages(plan, &runner, &input).await,
        Scheduling::Dataflow => run_dataflow(plan, &runner, &input).await,
    };
    let completed_at = now_ms();

    let mut by_node: BTreeMap<&str, &Settled> =
        settled.iter().map(|s| (s.node.as_str(), s)).collect();
    let mut outputs = Map::new();
    let mut errors = Map::new();
    let mut node_timings = Vec::new();
    let mut stacks = BTreeMap::new();
    for node in &plan.dag.order {
        let Some(s) = by_node.remove(node.as_str()) else {
            continue;
        };
        match &s.outcome {
            Ok(value) => {
                outputs.insert(node.clone(), value.clone());
            }
            Err(e) => {
                errors.insert(node.clone(), Value::String(e.message.clone()));
                if let Some(stack) = &e.stack {
                    stacks.insert(node.clone(), stack.clone());
                }
            }
        }
        node_timings.push((node.clone(), s.timing));
    }
    ExecutionResult {
        success: errors.is_empty(),
        outputs,
        errors,
        timing: Timing {
            started_at,
            completed_at,
            duration_ms: completed_at.saturating_sub(started_at),
            node_timings,
        },
        stacks,
    }
}

async fn run_stages(plan: &Plan, runner: &Arc<dyn NodeRunner>, input: &Value) -> Vec<Settled> {
    let mut settled: Vec<Settled> = Vec::new();
    for stage in &plan.dag.stages {
        if let [node] = stage.as_slice() {
            // A stage of one node runs on the caller's task: a task of its own would buy no
            // parallelism, and handing it to another worker and back costs two thread
            // wake-ups per stage (about 15% of a small node's run, measured with `bench/`).
            let node_input = resolve_input(&plan.dag, node, input, &settled);
            let s = inline(plan, runner, node, node_input).await;
            let failed = s.outcome.is_err();
            settled.push(s);
            if failed {
                break;
            }
            continue;
        }
        let mut tasks = Tasks::default();
        for node in stage {
            let node_input = resolve_input(&plan.dag, node, input, &settled);
            tasks.spawn(plan, runner, node, node_input);
        }
        let mut failed = false;
        while let Some(s) = tasks.next().await {
            failed |= s.outcome.is_err();
            settled.push(s);
        }
        if failed {
            break;
        }
    }
    settled
}

async fn run_dataflow(plan: &Plan, runner: &Arc<dyn NodeRunner>, input: &Value) -> Vec<Settled> {
    let dag = &plan.dag;
    let mut settled: Vec<Settled> = Vec::new();
    let mut started: Vec<&str> = Vec::new();
    let mut tasks = Tasks::default();
    let mut failed = false;
    loop {
        if !failed {
            // Start every node whose predecessors all succeeded, in topological order.
            for node in &dag.order {
                let ready = !started.contains(&node.as_str())
                    && dag.predecessors[node]
                        .iter()
                        .all(|p| settled.iter().any(|s| &s.node == p && s.outcome.is_ok()));
                if ready {
                    started.push(node);
                    let node_input = resolve_input(dag, node, input, &settled);
                    tasks.spawn(plan, runner, node, node_input);
                }
            }
        }
        let Some(s) = tasks.next().await else { break };
        failed |= s.outcome.is_err();
        settled.push(s);
    }
    settled
}

/// Node runs on their own tokio tasks (so concurrent nodes use every core).
#[derive(Default)]
struct Tasks {
    set: JoinSet<Settled>,
    nodes: BTreeMap<tokio::task::Id, (String, u64)>,
}

impl Tasks {
    fn spawn(&mut self, plan: &Plan, runner: &Arc<dyn NodeRunner>, node: &str, input: Value) {
        let handle = self.set.spawn(attempts(
            plan.clone(),
            runner.clone(),
            node.to_string(),
            input,
        ));
        self.nodes.insert(handle.id(), (node.to_string(), now_ms()));
    }

    /// The next node to settle; a runner that panicked is a failed node, not a crashed host.
    async fn next(&mut self) -> Option<Settled> {
        match self.set.join_next_with_id().await? {
            Ok((_, settled)) => Some(settled),
            Err(err) => {
                let (node, started_at) = self.nodes.remove(&err.id()).unwrap_or_default();
                Some(Settled {
                    node,
                    outcome: Err(NodeError::new("internal error: the node's task failed")),
                    timing: NodeTiming::new(started_at, now_ms()),
                })
            }
        }
    }
}

/// Runs `node`'s attempts on the current task; a runner that panics fails the node, as
/// on a task of its own.
async fn inline(plan: &Plan, runner: &Arc<dyn NodeRunner>, node: &str, input: Value) -> Settled {
    let started_at = now_ms();
    let attempts = CatchUnwind(Box::pin(attempts(
        plan.clone(),
        runner.clone(),
        node.to_string(),
        input,
    )));
    attempts.await.unwrap_or_else(|| Settled {
        node: node.to_string(),
        outcome: Err(NodeError::new("internal error: the node's task failed")),
        timing: NodeTiming::new(started_at, now_ms()),
    })
}

/// A future's output, or `None` if polling it panicked.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Option<F::Output>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(std::task::Poll::Ready(output)) => std::task::Poll::Ready(Some(output)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(_) => std::task::Poll::Ready(None),
        }
    }
}

/// The input of `node`: the trigger input for roots, the single predecessor's output, or an
/// object of all predecessors' outputs in edge order.
fn resolve_input(dag: &Dag, node: &str, trigger_input: &Value, settled: &[Settled]) -> Value {
    let output_of = |p: &str| {
        settled
            .iter()
            .find(|s| s.node == p)
            .and_then(|s| s.outcome.as_ref().ok())
            .cloned()
            .unwrap_or(Value::Null)
    };
    match dag.predecessors[node].as_slice() {
        [] => trigger_input.clone(),
        [only] => output_of(only),
        many => Value::Object(many.iter().map(|p| (p.clone(), output_of(p))).collect()),
    }
}

/// Runs `node` with retries and backoff; the timing spans every attempt.
async fn attempts(plan: Plan, runner: Arc<dyn NodeRunner>, node: String, input: Value) -> Settled {
    let started_at = now_ms();
    let timeout = plan.timeout(&node);
    let mut attempt = 0u32;
    let outcome = loop {
        match runner.run(&node, input.clone(), timeout).await {
            Ok(value) => break Ok(value),
            Err(err) if attempt < plan.retries => {
                let wait = plan.backoff.saturating_mul(1u32 << attempt.min(20));
                tracing::warn!(node = %node, attempt = attempt + 1, error = %err.message, retry_in_ms = wait.as_millis() as u64, "node attempt failed; retrying");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(err) => break Err(err),
        }
    };
    Settled {
        node,
        outcome,
        timing: NodeTiming::new(started_at, now_ms()),
    }
}

#[cfg(test)]
mod tests;
