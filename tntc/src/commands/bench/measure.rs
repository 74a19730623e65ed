//! The measurements: runtime start-up, node runs in fresh sandboxes, whole DAG runs.
//!
//! Node runs are sequential on a single-threaded executor, so that each sample is one run
//! with nothing else competing for the thread; the breakdown comes from the sandbox's own
//! [`RunStats`]. Nodes run in run mode (the production `ctx`), with a host that keeps no
//! logs and answers every fetch locally (`200`, `{}`), so that the figures are the
//! sandbox's and not the network's. DAG runs go through [`Deployment::execute`] on a
//! multi-threaded executor, exactly as `tntc run` and the pod run them (real egress).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use tntc_host::deployment::Deployment;
use tntc_sandbox::{
    BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeHost, NodeModule, RunLimits, RunRequest,
    RunStats, RuntimeSource, Sandbox, SandboxConfig,
};

use super::stats::{Distribution, curve};

/// How long the runtime took to become usable.
#[derive(Clone, Debug, Serialize)]
pub struct RuntimeStart {
    /// `Sandbox::new` with an empty cache: pre-initialization (wizer) and JIT, in ms.
    pub cold_ms: f64,
    /// Of which wizer (with the JIT of the instrumented module).
    pub preinitialize_ms: f64,
    /// Of which compiling the snapshot.
    pub compile_ms: f64,
    /// `Sandbox::new` loading the cached precompiled runtime: median, in ms.
    pub warm_ms: f64,
    /// Fastest warm start, in ms.
    pub warm_min_ms: f64,
    /// Every warm start, in ms.
    pub warm_samples_ms: Vec<f64>,
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// Starts a sandbox with `config` into the empty cache `cache_dir` (cold), then `warm`
/// more times from that cache; returns the last one.
pub fn runtime_start(
    config: &SandboxConfig,
    cache_dir: &Path,
    warm: usize,
) -> anyhow::Result<(RuntimeStart, Sandbox)> {
    let config = SandboxConfig {
        cache_dir: Some(cache_dir.to_path_buf()),
        ..config.clone()
    };
    let started = Instant::now();
    let cold = Sandbox::new(config.clone())?;
    let cold_elapsed = started.elapsed();
    let (preinitialize, compile) = match cold.runtime_load().source {
        RuntimeSource::Built {
            preinitialize,
            compile,
        } => (preinitialize, compile),
        RuntimeSource::Cache => anyhow::bail!(
            "internal error: the runtime came from the cache in {} although it was empty",
            cache_dir.display()
        ),
    };
    drop(cold);
    let mut samples = Vec::with_capacity(warm);
    let mut sandbox = None;
    for _ in 0..warm.max(1) {
        // The previous engine is dropped first, as a restarted process would have none.
        drop(sandbox.take());
        let started = Instant::now();
        let warm = Sandbox::new(config.clone())?;
        samples.push(started.elapsed());
        if let Some(note) = &warm.runtime_load().cache_note {
            anyhow::bail!("the runtime cache was not used: {note}");
        }
        sandbox = Some(warm);
    }
    let Some(sandbox) = sandbox else {
        anyhow::bail!("internal error: no warm start was measured");
    };
    let mut sorted = samples.clone();
    sorted.sort();
    Ok((
        RuntimeStart {
            cold_ms: millis(cold_elapsed),
            preinitialize_ms: millis(preinitialize),
            compile_ms: millis(compile),
            warm_ms: millis(sorted[sorted.len() / 2]),
            warm_min_ms: millis(sorted[0]),
            warm_samples_ms: samples.into_iter().map(millis).collect(),
        },
        sandbox,
    ))
}

/// One node, ready to run.
#[derive(Clone)]
pub struct NodeCase {
    /// Node id.
    pub id: String,
    /// The invocation JSON every run gets.
    pub invocation: String,
    /// The node's limits, as the host sets them.
    pub limits: RunLimits,
    /// Where the input came from: `fixture` or `empty`.
    pub input_source: &'static str,
}

/// The phases of [`RunStats`], each summarised.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Phases {
    /// `NodeModule::run` as its caller sees it (includes the slot wait and the phases).
    pub total: Distribution,
    /// New store and runtime instance (and the node module's, when it is not the compiler's
    /// glue).
    pub instantiate: Distribution,
    /// Evaluating the node's bytecode.
    pub load: Distribution,
    /// Writing the invocation into linear memory.
    pub input: Distribution,
    /// The node itself.
    pub run: Distribution,
    /// Reading and validating the output.
    pub output: Distribution,
    /// Dropping the store (restoring the pages the run dirtied).
    pub teardown: Distribution,
}

impl Phases {
    /// Summarises samples of (wall time, stats).
    pub fn of(samples: &[(Duration, RunStats)]) -> Phases {
        let pick = |f: fn(&RunStats) -> Duration| -> Distribution {
            Distribution::of(&samples.iter().map(|(_, s)| f(s)).collect::<Vec<_>>())
        };
        Phases {
            total: Distribution::of(&samples.iter().map(|(t, _)| *t).collect::<Vec<_>>()),
            instantiate: pick(|s| s.instantiate),
            load: pick(|s| s.load),
            input: pick(|s| s.input),
            run: pick(|s| s.run),
            output: pick(|s| s.output),
            teardown: pick(|s| s.teardown),
        }
    }
}

/// The runs of one node.
#[derive(Clone, Debug, Serialize)]
pub struct NodeResult {
    /// Node id.
    pub node: String,
    /// `fixture` (tests/fixtures/<node>.json) or `empty` (`{}`).
    pub input: &'static str,
    /// Measured runs (after the warm-up).
    pub runs: usize,
    /// The breakdown.
    pub phases: Phases,
    /// Largest linear memory a run reached, in bytes.
    pub memory_peak_bytes: usize,
    /// Linear memory the sandbox restores after each run (pages the runs dirtied), in bytes.
    pub reset_bytes: usize,
    /// Why the node could not be measured (its first failure).
    pub error: Option<String>,
    /// The total's distribution at every percentile 0..=100, in microseconds (for charts).
    pub curve_us: Vec<f64>,
}

/// Runs `module` `warmup` times, then `runs` times, each in a fresh sandbox.
pub async fn node_runs(
    sandbox: &Sandbox,
    module: &NodeModule,
    case: &NodeCase,
    warmup: usize,
    runs: usize,
) -> NodeResult {
    let request = || RunRequest {
        invocation_json: case.invocation.clone(),
        limits: case.limits.clone(),
        host: Arc::new(QuietHost),
    };
    let mut result = NodeResult {
        node: case.id.clone(),
        input: case.input_source,
        runs: 0,
        phases: Phases::default(),
        memory_peak_bytes: 0,
        reset_bytes: 0,
        error: None,
        curve_us: Vec::new(),
    };
    for _ in 0..warmup {
        if let Err(failure) = module.run(request()).await {
            result.error = Some(failure.to_string());
            return result;
        }
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let ran = module.run(request()).await;
        let elapsed = started.elapsed();
        match ran {
            Ok(output) => samples.push((elapsed, output.stats)),
            Err(failure) => {
                result.error = Some(failure.to_string());
                break;
            }
        }
    }
    result.runs = samples.len();
    result.phases = Phases::of(&samples);
    result.memory_peak_bytes = samples
        .iter()
        .map(|(_, s)| s.memory_peak_bytes)
        .max()
        .unwrap_or(0);
    result.reset_bytes = sandbox.idle_resident_bytes();
    result.curve_us = curve(&samples.iter().map(|(t, _)| *t).collect::<Vec<_>>());
    result
}

/// Runs of the whole workflow.
#[derive(Clone, Debug, Serialize)]
pub struct DagResult {
    /// Nodes in the DAG.
    pub nodes: usize,
    /// Measured runs (after the warm-up).
    pub runs: usize,
    /// `Deployment::execute` wall time.
    pub total: Distribution,
    /// Runs that did not succeed.
    pub failures: usize,
    /// The first failed run's errors.
    pub error: Option<String>,
}

/// Runs the deployment `warmup` times, then `runs` times, with `input`.
pub async fn dag_runs(
    deployment: &Arc<Deployment>,
    input: &Value,
    warmup: usize,
    runs: usize,
) -> DagResult {
    for _ in 0..warmup {
        deployment.execute(input.clone()).await;
    }
    let mut failures = 0;
    let mut error = None;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let result = deployment.execute(input.clone()).await;
        samples.push(started.elapsed());
        if !result.success {
            failures += 1;
            if error.is_none() {
                error = Some(Value::Object(result.errors.clone()).to_string());
            }
        }
    }
    DagResult {
        nodes: deployment.checked().dag.order.len(),
        runs,
        total: Distribution::of(&samples),
        failures,
        error,
    }
}

/// Which limits a `--compare-limits` sandbox enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitMode {
    /// No epoch checks, no fuel: nothing stops a busy node (a benchmark-only sandbox).
    None,
    /// Epoch deadlines: what every host runs with.
    Epoch,
    /// Epoch deadlines plus fuel metering (what `config.fuel` turns on).
    EpochFuel,
}

impl LimitMode {
    /// Every mode, cheapest first.
    pub const ALL: [LimitMode; 3] = [LimitMode::None, LimitMode::Epoch, LimitMode::EpochFuel];

    /// The sandbox configuration of this mode, from the workflow's.
    pub fn config(self, base: &SandboxConfig) -> SandboxConfig {
        SandboxConfig {
            epoch_interruption: self != LimitMode::None,
            cpu_fuel: self == LimitMode::EpochFuel,
            ..base.clone()
        }
    }

    /// The limits of a node in this mode (fuel only where the engine meters it).
    pub fn limits(self, limits: &RunLimits) -> RunLimits {
        RunLimits {
            fuel: if self == LimitMode::EpochFuel {
                limits.fuel
            } else {
                None
            },
            ..limits.clone()
        }
    }

    /// How tables name the mode.
    pub fn label(self) -> &'static str {
        match self {
            LimitMode::None => "none",
            LimitMode::Epoch => "epoch",
            LimitMode::EpochFuel => "epoch+fuel",
        }
    }
}

/// A run host for benchmarks: drops log lines, answers fetches locally.
struct QuietHost;

impl NodeHost for QuietHost {
    fn log(&self, _level: LogLevel, _message: &str) {}

    fn fetch(&self, request: FetchRequest) -> BoxFuture<'static, Result<FetchResponse, String>> {
        let response = FetchResponse {
            status: 200,
            status_text: "OK".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            url: request.url,
            redirected: false,
            body: b"{}".to_vec(),
        };
        Box::pin(async move { Ok(response) })
    }
}
