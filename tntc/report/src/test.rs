//! `tntc test -o json` and `tntc test --pipeline -o json`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// What one `tntc test` found. `R` is the pipeline run's `ExecutionResult`: the CLI
/// prints `tntc_host::result::ExecutionResult`; a reader that does not link the host keeps
/// the default, the untyped JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report<R = Value> {
    /// The workflow's name.
    pub workflow: String,
    /// Fixtures one node at a time, or the whole DAG (`--pipeline`).
    pub mode: Mode,
    /// One per fixture run (with `--pipeline`: per node with a failure, drift or a leaf
    /// fixture), in DAG order.
    pub results: Vec<TestResult>,
    /// Nodes that were not tested, and why.
    pub skipped: Vec<Skipped>,
    /// Fixture files that name no node.
    pub orphans: Vec<String>,
    /// Contract drift over all results.
    pub drift: DriftSummary,
    /// The counts.
    pub summary: Summary,
    /// With `--pipeline`: the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineRun<R>>,
}

/// How `tntc test` ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Each fixture runs its node once.
    Nodes,
    /// The whole DAG once (`--pipeline`).
    Pipeline,
}

/// One fixture's (or, with `--pipeline`, one node's) result. The keys after `logs` are
/// there only when they say something.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    /// The node.
    pub node: String,
    /// The fixture file, relative to the workflow directory; `null` for a pipeline node
    /// judged without one.
    pub fixture: Option<String>,
    /// Succeeded, matched `expected`, and used no dependency it would not get at run time.
    pub passed: bool,
    /// How long the node ran, in ms.
    pub duration_ms: u64,
    /// Its log lines, `[node] INFO message`.
    pub logs: Vec<String>,
    /// How the output differs from `expected` (at most 20; see `diff_omitted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<Difference>>,
    /// Differences not listed in `diff`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff_omitted: Option<usize>,
    /// Why the node failed, or why the fixture could not be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TestError>,
    /// Dependencies it used that it would not get at run time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
    /// Problems with the fixture that do not fail it (a misspelled key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// What the node touched, when it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Trace>,
}

/// One difference between the output and `expected`, the values in full.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Where, as a JSONPath: `$.top[1].word`.
    pub path: String,
    /// The difference in words, as the text output prints it.
    pub message: String,
    /// The expected value; absent when the output has a value `expected` does not.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub expected: Option<Value>,
    /// The output's value; absent when the output lacks it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub got: Option<Value>,
}

/// A key that is there is `Some`, even when its value is `null`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// A node's error: the message and its TypeScript stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestError {
    /// The message.
    pub message: String,
    /// The stack, mapped to the TypeScript sources; `null` when there is none (the fixture
    /// could not be used, the node did not throw).
    pub stack: Option<String>,
}

/// A dependency a node used that it would not get at run time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// The node.
    pub node: String,
    /// The dependency name it used.
    pub dependency: String,
    /// What is missing.
    pub kind: DriftKind,
    /// The drift in words.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

/// Why a node would not get a dependency at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    /// `contract.dependencies` does not declare it (an error).
    Undeclared,
    /// The contract declares it, but `nodes.<id>.dependencies` does not list it (an error).
    NotListed,
    /// The workflow has no contract (a warning: tests mock every dependency).
    NoContract,
}

/// A node that was not tested, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The node.
    pub node: String,
    /// Why.
    pub reason: String,
}

/// Contract drift over all results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftSummary {
    /// Drift that fails its result.
    pub errors: Vec<Drift>,
    /// Drift that only warns.
    pub warnings: Vec<Drift>,
    /// Declared dependencies no node used (only when every node ran).
    pub unused: Vec<String>,
}

/// The counts of one `tntc test`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Results that passed.
    pub passed: usize,
    /// Results that did not.
    pub failed: usize,
    /// Nodes not tested.
    pub skipped: usize,
    /// Wall-clock time of the whole command, in ms.
    pub duration_ms: u64,
}

/// The run of `--pipeline`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineRun<R = Value> {
    /// The fixture whose `input` fed the root nodes.
    pub input: String,
    /// The `ExecutionResult`, outputs unwrapped from test mode.
    pub result: R,
}

/// What a node touched during a test-mode run: the guest's `trace`, as the runtime
/// reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// Each dependency asked for, with the paths fetched from it.
    pub dependency_accesses: Vec<DependencyAccess>,
    /// Legacy `ctx.fetch(service, path)` calls.
    pub fetch_calls: Vec<FetchCall>,
    /// Services read from `ctx.secrets`.
    pub secrets_accesses: Vec<String>,
}

/// One dependency a node asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyAccess {
    /// Its name.
    pub name: String,
    /// Paths passed to its `fetch`.
    pub fetches: Vec<String>,
}

/// One legacy `ctx.fetch` call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchCall {
    /// The service.
    pub service: String,
    /// The path.
    pub path: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_whose_expected_value_is_null_reads_back_as_present() {
        let text = r#"{"path": "$.a", "message": "m", "expected": null}"#;
        let difference: Difference = serde_json::from_str(text).expect("parses");
        assert_eq!(difference.expected, Some(Value::Null));
        assert_eq!(difference.got, None);
        assert_eq!(
            serde_json::to_string(&difference).expect("serializes"),
            r#"{"path":"$.a","message":"m","expected":null}"#
        );
    }
}
