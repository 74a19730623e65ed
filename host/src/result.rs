//! The `ExecutionResult` JSON every caller of `/run` reads, exactly as the original engine
//! writes it.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value};

/// The outcome of one workflow run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ExecutionResult {
    /// True when `errors` is empty.
    pub success: bool,
    /// Each successful node's output, in DAG order. Failed and skipped nodes have none.
    pub outputs: Map<String, Value>,
    /// Each failed node's error message.
    pub errors: Map<String, Value>,
    /// When the run and each node ran.
    pub timing: Timing,
    /// The TypeScript stack of each node that threw (not part of the JSON callers read; tools
    /// such as `tntc run` print it).
    #[serde(skip)]
    pub stacks: std::collections::BTreeMap<String, String>,
}

/// Run and per-node timing, in epoch milliseconds.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    /// Run start.
    pub started_at: u64,
    /// Run end.
    pub completed_at: u64,
    /// `completed_at - started_at`.
    pub duration_ms: u64,
    /// Every node that ran (all attempts included), in DAG order; serialized as an object.
    #[serde(serialize_with = "ordered_map")]
    pub node_timings: Vec<(String, NodeTiming)>,
}

/// One node's timing.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodeTiming {
    /// First attempt's start.
    pub started_at: u64,
    /// Last attempt's end.
    pub completed_at: u64,
    /// `completed_at - started_at`.
    pub duration_ms: u64,
}

impl NodeTiming {
    /// A timing from two epoch-ms instants.
    pub fn new(started_at: u64, completed_at: u64) -> NodeTiming {
        NodeTiming {
            started_at,
            completed_at,
            duration_ms: completed_at.saturating_sub(started_at),
        }
    }
}

/// What a caller receives for a run, as JSON text: the `ExecutionResult`, or
/// `{"error": "<message>"}` when the host itself failed. `/run` and queue-trigger replies
/// answer alike. Serialized straight from the struct: going through a `Value` deep-copied
/// every output once more.
pub fn response_body(outcome: &Result<ExecutionResult, String>) -> Vec<u8> {
    let text = match outcome {
        Ok(result) => serde_json::to_vec(result),
        Err(message) => serde_json::to_vec(&serde_json::json!({ "error": message })),
    };
    text.unwrap_or_else(|_| b"null".to_vec())
}

/// Milliseconds since the Unix epoch, as `Date.now()` gives them.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis().try_into().unwrap_or(u64::MAX))
}

fn ordered_map<S: serde::Serializer>(
    entries: &[(String, NodeTiming)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(entries.len()))?;
    for (node, timing) in entries {
        map.serialize_entry(node, timing)?;
    }
    map.end()
}

impl Timing {
    /// The timing of `node`, if it ran.
    pub fn node(&self, node: &str) -> Option<&NodeTiming> {
        self.node_timings
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, t)| t)
    }
}
