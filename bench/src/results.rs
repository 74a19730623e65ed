//! `results.json`: everything one run of the harness measured, as typed data. `--render`
//! reads it back and writes the same file, `results.md` and `latency.svg` again, so the
//! field order here is the file's.

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tntc_report::bench::Report as Bench;

/// One run of the harness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The machine it ran on.
    pub machine: Machine,
    /// `/proc/loadavg` (1, 5, 15 min) before the first section.
    pub load_average_before: String,
    /// `--quick`: few repetitions, not a measurement.
    pub quick: bool,
    /// `git rev-parse --short HEAD` of the measured tree (empty when unknown).
    pub commit: String,
    /// `tntc bench -o json` of the harness's workflows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_node: Option<Section<PerNode>>,
    /// The CPU-heavy node against V8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v8: Option<Section<V8>>,
    /// Host spawn to first `/run` answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_start: Option<Section<EngineStart>>,
    /// Sequential warm `/run` latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_run: Option<Section<WarmRun>>,
    /// `wrk` throughput and memory, tntc-host and the Deno baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<Section<Throughput>>,
    /// `tntc build` of a 5-node workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Section<Build>>,
    /// `tntc dev` edit to served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev_reload: Option<Section<DevReload>>,
    /// `/proc/loadavg` after the last section.
    pub load_average_after: String,
}

impl Results {
    /// Each section that ran, by its key in the file, in the file's order; `Err` with its
    /// error when it failed.
    pub fn sections(&self) -> Vec<(&'static str, Result<(), &str>)> {
        fn state<'a, T>(
            name: &'static str,
            section: &'a Option<Section<T>>,
        ) -> Option<(&'static str, Result<(), &'a str>)> {
            section.as_ref().map(|s| (name, s.measured().map(|_| ())))
        }
        [
            state("per_node", &self.per_node),
            state("v8", &self.v8),
            state("engine_start", &self.engine_start),
            state("warm_run", &self.warm_run),
            state("throughput", &self.throughput),
            state("build", &self.build),
            state("dev_reload", &self.dev_reload),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A section's figures, or why it could not be measured (`{"error": "..."}` in the file).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Section<T> {
    /// It was measured.
    Measured(T),
    /// It failed.
    Failed {
        /// Why, with the causes.
        error: String,
    },
}

impl<T> Section<T> {
    /// The figures, or the error.
    pub fn measured(&self) -> Result<&T, &str> {
        match self {
            Section::Measured(figures) => Ok(figures),
            Section::Failed { error } => Err(error),
        }
    }

    /// The figures, if measured.
    pub fn ok(&self) -> Option<&T> {
        self.measured().ok()
    }
}

/// `{"error": "..."}` and nothing else is a failure; anything else must be the figures,
/// and when it is not, the error says what in them is wrong (an untagged enum would only
/// say that nothing matched).
impl<'de, T: DeserializeOwned> Deserialize<'de> for Section<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if let Some(fields) = value.as_object()
            && fields.len() == 1
            && let Some(Value::String(error)) = fields.get("error")
        {
            return Ok(Section::Failed {
                error: error.clone(),
            });
        }
        T::deserialize(value)
            .map(Section::Measured)
            .map_err(D::Error::custom)
    }
}

/// The machine, for the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// `model name` of /proc/cpuinfo.
    pub cpu: String,
    /// Logical CPUs.
    pub cpus: usize,
    /// The kernel release.
    pub kernel: String,
    /// Memory, GiB.
    pub memory_gib: f64,
}

/// The per-node benchmark of each of the harness's workflows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerNode {
    /// `bench/workflows/trivial`: one node that returns its input.
    pub trivial: Bench,
    /// `examples/word-count`: three nodes.
    pub word_count: Bench,
    /// `bench/workflows/heavy`: a CPU-heavy node.
    pub heavy: Bench,
}

impl PerNode {
    /// Each workflow with its key in the file, in order.
    pub fn workflows(&self) -> [(&'static str, &Bench); 3] {
        [
            ("trivial", &self.trivial),
            ("word_count", &self.word_count),
            ("heavy", &self.heavy),
        ]
    }
}

/// Repeated samples: median, 90th/99th percentile (nearest rank), min and max, in the
/// samples' unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of samples.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

/// The CPU-heavy node in V8 (Deno) next to its fresh-sandbox run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct V8 {
    /// V8, warm calls, ms.
    pub v8_warm_ms: Summary,
    /// V8, the first call in a fresh process, ms.
    pub v8_cold_ms: f64,
    /// tntc: the run phase, p50, ms.
    pub tntc_run_ms_p50: f64,
    /// tntc: the whole fresh-sandbox run, p50, ms.
    pub tntc_total_ms_p50: f64,
    /// `tntc_run_ms_p50 / v8 p50`.
    pub slowdown_run: f64,
    /// `tntc_total_ms_p50 / v8 p50`.
    pub slowdown_total: f64,
}

/// What `bench/deno-baseline/heavy.ts` prints.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct V8Samples {
    /// Warm calls, ms.
    pub samples_ms: Vec<f64>,
    /// The first call, ms.
    pub cold_ms: f64,
}

/// `tntc-host` spawn -> first 200 from `POST /run`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineStart {
    /// With the precompiled runtime in the cache, ms.
    pub cached_ms: Summary,
    /// With an empty cache, ms.
    pub uncached_ms: Summary,
    /// RSS of a host started on an empty cache after 200 `/run` and 1 s idle, KiB.
    pub uncached_rss_after_200_kib: Summary,
}

/// Sequential warm `/run` on one keep-alive connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarmRun {
    /// Requests measured.
    pub requests: usize,
    /// Their latency, us.
    pub latency_us: Summary,
}

/// `wrk` against tntc-host and against the Deno baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// `wrk -c`.
    pub connections: u32,
    /// tntc-host.
    pub tntc: Load,
    /// The Deno re-creation of the original engine.
    pub deno: Section<Load>,
    /// tntc's requests per second over Deno's; `null` when Deno was not measured.
    pub ratio: Option<f64>,
}

/// One server under `wrk`, and its memory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Load {
    /// Requests per second.
    pub requests_per_second: f64,
    /// Latency percentiles, ms.
    pub latency_ms: Latency,
    /// Non-2xx/3xx answers.
    pub non_2xx: u64,
    /// Socket errors.
    pub errors: u64,
    /// RSS idle after the warm-up, MiB.
    pub rss_idle_mib: f64,
    /// Largest RSS sampled under load, MiB.
    pub rss_load_max_mib: f64,
    /// `VmHWM` after the load, MiB.
    pub rss_hwm_mib: f64,
    /// RSS 1 s after the load, MiB.
    pub rss_after_mib: f64,
    /// tntc-host only: RSS half a second after its first answer, MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rss_started_mib: Option<f64>,
}

/// `wrk --latency` percentiles, ms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// `tntc build` of the 5-node workflow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Build {
    /// Nodes in the workflow.
    pub nodes: usize,
    /// With an empty runtime cache, ms.
    pub cold_ms: Summary,
    /// With a warm one, ms.
    pub warm_ms: Summary,
}

/// `tntc dev`: a one-node edit until `/run` serves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DevReload {
    /// Edit to served, ms.
    pub edit_to_served_ms: Summary,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The results `bench/run.sh` last committed, and their text.
    fn committed() -> (Results, String) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/results/results.json");
        let text = std::fs::read_to_string(path).expect("bench/results/results.json");
        let results = serde_json::from_str(&text).expect("the committed results parse");
        (results, text)
    }

    #[test]
    fn the_committed_results_read_back_and_write_the_same_file() {
        let (results, text) = committed();
        let again = serde_json::to_string_pretty(&results).expect("serializes") + "\n";
        assert_eq!(again, text);
    }

    #[test]
    fn a_failed_section_is_its_error_and_anything_else_must_be_its_figures() {
        let failed: Section<WarmRun> =
            serde_json::from_str(r#"{"error": "wrk: not found"}"#).expect("parses");
        assert_eq!(failed.measured().err(), Some("wrk: not found"));
        assert_eq!(
            serde_json::to_string(&failed).expect("serializes"),
            r#"{"error":"wrk: not found"}"#
        );

        let wrong =
            serde_json::from_str::<Section<WarmRun>>(r#"{"requests": 3}"#).expect_err("no latency");
        assert!(wrong.to_string().contains("latency_us"), "{wrong}");
    }
}
