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

use serde_json::Value;
use tntc_host::deployment::Deployment;
use tntc_report::bench::{DagResult, InputSource, LimitMode, NodeResult, Phases, RuntimeStart};
use tntc_sandbox::{
    BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeHost, NodeModule, RunLimits, RunRequest,
    RunStats, RuntimeSource, Sandbox, SandboxConfig,
};

use super::stats::{curve, distribution};

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
    /// Where the input came from.
    pub input_source: InputSource,
}

/// The phases of [`RunStats`] over samples of (wall time, stats), each summarised.
fn phases(samples: &[(Duration, RunStats)]) -> Phases {
    let pick = |f: fn(&RunStats) -> Duration| {
        distribution(&samples.iter().map(|(_, s)| f(s)).collect::<Vec<_>>())
    };
    Phases {
        total: distribution(&samples.iter().map(|(t, _)| *t).collect::<Vec<_>>()),
        instantiate: pick(|s| s.instantiate),
        load: pick(|s| s.load),
        input: pick(|s| s.input),
        run: pick(|s| s.run),
        output: pick(|s| s.output),
        teardown: pick(|s| s.teardown),
    }
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
    result.phases = phases(&samples);
    result.memory_peak_bytes = samples
        .iter()
        .map(|(_, s)| s.memory_peak_bytes)
        .max()
        .unwrap_or(0);
    result.reset_bytes = sandbox.idle_resident_bytes();
    result.curve_us = curve(&samples.iter().map(|(t, _)| *t).collect::<Vec<_>>());
    result
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
        total: distribution(&samples),
        failures,
        error,
    }
}

/// The sandbox configuration of a `--compare-limits` mode, from the workflow's.
pub fn limit_config(mode: LimitMode, base: &SandboxConfig) -> SandboxConfig {
    SandboxConfig {
        epoch_interruption: mode != LimitMode::None,
        cpu_fuel: mode == LimitMode::EpochFuel,
        ..base.clone()
    }
}

/// A node's limits in a `--compare-limits` mode (fuel only where the engine meters it).
pub fn limit_run_limits(mode: LimitMode, limits: &RunLimits) -> RunLimits {
    RunLimits {
        fuel: if mode == LimitMode::EpochFuel {
            limits.fuel
        } else {
            None
        },
        ..limits.clone()
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
