//! `tntc validate -o json`.

use serde::{Deserialize, Serialize};

/// Whether the workflow is valid, every problem with its position, and its stages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// No errors (warnings allowed).
    pub valid: bool,
    /// The workflow's name; only when workflow.yaml itself is valid (present when only the
    /// nodes' code has errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The workflow's version, when `name` is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What makes it invalid: workflow.yaml's errors, or else the nodes' compile errors and
    /// contract drift.
    pub errors: Vec<Problem>,
    /// What is suspicious but accepted.
    pub warnings: Vec<Problem>,
    /// The node ids of each stage, in order; `null` when invalid.
    pub stages: Option<Vec<Vec<String>>>,
}

/// One problem, in workflow.yaml or in a node's code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The file, as named on the command line (a node's file joined to the workflow dir).
    pub file: String,
    /// 1-based line; `null` when the problem has no position (no workflow.yaml at all, a
    /// compile error of a whole file).
    pub line: Option<usize>,
    /// 1-based column (characters); `null` with `line`.
    pub column: Option<usize>,
    /// Where: the YAML path of the item (`nodes.fetch.path`, `edges[2].to`), or for a
    /// node's code its file relative to the workflow directory.
    pub path: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// How bad a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The workflow is invalid.
    Error,
    /// Suspicious but accepted.
    Warning,
}
