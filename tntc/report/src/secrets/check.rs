//! `tntc secrets check -o json`: every secret the workflow needs and where the local
//! cascade has it; never a value, only its length.

use serde::{Deserialize, Serialize};

/// What the check found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The workflow's name.
    pub workflow: String,
    /// Every referenced secret is present and not empty.
    pub ok: bool,
    /// The layers of the cascade that exist, lowest first (a later one replaces an earlier
    /// one's service whole).
    pub sources: Vec<Source>,
    /// Each secret a contract dependency references (`auth.secret`).
    pub references: Vec<Reference>,
    /// `nats.token`, when the workflow has queue triggers; else `null`.
    pub queue: Option<Queue>,
    /// Services of legacy `ctx.fetch(service, ...)` calls.
    pub legacy: Vec<Legacy>,
    /// Services nothing references.
    pub unreferenced: Vec<Unreferenced>,
    /// Services a later source replaces.
    pub shadowed: Vec<Shadowed>,
    /// Nodes whose secrets use is unknown, and why (their code does not compile).
    pub unknown: Vec<Unknown>,
    /// `.secrets/` files that start like JSON but do not parse (read as plain text).
    pub warnings: Vec<Lookalike>,
}

/// One layer of the local cascade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// `.secrets`, `.secrets.yaml` or the `--secrets` path.
    pub path: String,
    /// A directory (one service per file) or a YAML file.
    pub kind: SourceKind,
    /// The services it has.
    pub services: Vec<String>,
}

/// What a [`Source`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// One file per service.
    Directory,
    /// A YAML file of services.
    File,
}

/// One referenced secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// `service.key`.
    pub secret: String,
    /// The service.
    pub service: String,
    /// The key.
    pub key: String,
    /// Whether the cascade has it.
    pub status: Status,
    /// Its length in characters, when `ok`; else `null`.
    pub length: Option<usize>,
    /// The file its service comes from; `null` when no source has the service.
    pub source: Option<String>,
    /// The dependencies that reference it.
    pub dependencies: Vec<Dependency>,
    /// Why a present service lacks the key, and what to do; else `null`.
    pub hint: Option<String>,
}

/// A dependency referencing a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    /// Its name under `contract.dependencies`.
    pub name: String,
    /// Its `auth.type`.
    #[serde(rename = "authType")]
    pub auth_type: String,
}

/// The state of one secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Present and not empty.
    Ok,
    /// Present but empty (or null): as good as missing.
    Empty,
    /// Not there.
    Missing,
}

/// The secret queue triggers need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// Always `nats.token`.
    pub secret: String,
    /// Whether the cascade has it.
    pub status: Status,
}

/// A legacy `ctx.fetch` service and the auth headers it would send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Legacy {
    /// The service.
    pub service: String,
    /// The nodes calling it.
    pub nodes: Vec<String>,
    /// `Authorization` (from `token`), `X-API-Key` (from `api_key`).
    pub headers: Vec<String>,
    /// The file its secrets come from; `null` when none has them.
    pub source: Option<String>,
}

/// A service nothing references.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreferenced {
    /// The service.
    pub service: String,
    /// Its file.
    pub source: String,
}

/// A service a later source replaces whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shadowed {
    /// The service.
    pub service: String,
    /// The file whose entry is ignored.
    pub ignored: String,
    /// The later file that replaces it.
    pub winner: String,
}

/// A node whose secrets use is unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    /// The node.
    pub node: String,
    /// Why.
    pub reason: String,
}

/// A `.secrets/` file that starts like JSON but does not parse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookalike {
    /// The file.
    pub file: String,
    /// 1-based line of the syntax error.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The syntax problem (never the content).
    pub message: String,
}

/// What the check prints when a secrets file cannot be read (exit 1): what tntc-host
/// would refuse to start with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadFailure {
    /// Always `false`.
    pub ok: bool,
    /// What is wrong (never a value).
    pub error: String,
    /// Where, when the file parsed far enough to say; else `null`.
    pub position: Option<Position>,
}

/// A position in a secrets file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}
