//! `tntc bench -o json`: runtime start-up, each node's fresh-sandbox runs, the whole DAG.
//!
//! `bench/` (the benchmark harness) reads these documents back. Durations are floats
//! rounded to 0.1 us (distributions) or 0.01 ms (start-up).

use serde::{Deserialize, Serialize};

/// Everything `tntc bench` measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The workflow's name.
    pub workflow: String,
    /// Measured runs per node and of the DAG.
    pub runs: usize,
    /// Warm-up runs before each measurement.
    pub warmup: usize,
    /// Runtime start-up.
    pub runtime: RuntimeStart,
    /// Each node, in DAG order.
    pub nodes: Vec<NodeResult>,
    /// The whole workflow.
    pub dag: DagResult,
    /// `--compare-limits`: each node under each limit mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Vec<LimitRuns>>,
}

impl Report {
    /// Whether every node and every DAG run succeeded (what makes `tntc bench` exit 0).
    pub fn complete(&self) -> bool {
        let nodes_ok = |nodes: &[NodeResult]| nodes.iter().all(|n| n.error.is_none());
        nodes_ok(&self.nodes)
            && self.dag.failures == 0
            && self
                .limits
                .iter()
                .flatten()
                .all(|mode| nodes_ok(&mode.nodes))
    }
}

/// How long the runtime took to become usable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// The summary of one set of durations, in microseconds (nearest-rank percentiles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Number of samples.
    pub count: usize,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// Largest sample.
    pub max_us: f64,
    /// Arithmetic mean.
    pub mean_us: f64,
}

/// The phases of one node's runs (the sandbox's `RunStats`), each summarised.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

/// Where a node's benchmark input came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputSource {
    /// `tests/fixtures/<node>.json`.
    Fixture,
    /// None: `{}`.
    Empty,
}

impl InputSource {
    /// `fixture` or `empty`.
    pub fn name(self) -> &'static str {
        match self {
            InputSource::Fixture => "fixture",
            InputSource::Empty => "empty",
        }
    }
}

/// The runs of one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeResult {
    /// Node id.
    pub node: String,
    /// Where its input came from.
    pub input: InputSource,
    /// Measured runs (after the warm-up); fewer than asked when a run failed.
    pub runs: usize,
    /// The breakdown.
    pub phases: Phases,
    /// Largest linear memory a run reached, in bytes.
    pub memory_peak_bytes: usize,
    /// Linear memory the sandbox restores after each run (pages the runs dirtied), in bytes.
    pub reset_bytes: usize,
    /// Why the node could not be measured (its first failure).
    pub error: Option<String>,
    /// The total's distribution at every percentile 0..=100, in microseconds (for charts);
    /// empty without runs.
    pub curve_us: Vec<f64>,
}

/// Runs of the whole workflow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DagResult {
    /// Nodes in the DAG.
    pub nodes: usize,
    /// Measured runs (after the warm-up).
    pub runs: usize,
    /// `Deployment::execute` wall time.
    pub total: Distribution,
    /// Runs that did not succeed.
    pub failures: usize,
    /// The first failed run's errors (its `errors` object as JSON text).
    pub error: Option<String>,
}

/// The node runs of one limit mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitRuns {
    /// The mode.
    pub mode: LimitMode,
    /// Each node's runs.
    pub nodes: Vec<NodeResult>,
}

/// Which limits a `--compare-limits` sandbox enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

    /// How tables name the mode.
    pub fn label(self) -> &'static str {
        match self {
            LimitMode::None => "none",
            LimitMode::Epoch => "epoch",
            LimitMode::EpochFuel => "epoch+fuel",
        }
    }
}
