//! `tntc secrets init -o json`: the `.secrets.yaml` template written.

use serde::{Deserialize, Serialize};

/// What `tntc secrets init` wrote. When the workflow references no secret nothing is
/// written: `file` and `gitignore` are `null`, `secrets` is empty, and `mode`, `kept` and
/// `legacy` are left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The file written.
    pub file: Option<String>,
    /// Its mode, `0600`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Each referenced secret and what the file has for it.
    pub secrets: Vec<Secret>,
    /// Services no dependency references whose values were kept from the previous file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<Vec<String>>,
    /// Legacy `ctx.fetch` services written as a commented template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<Vec<String>>,
    /// The `.gitignore` that keeps the secrets out of git.
    pub gitignore: Option<Gitignore>,
}

/// One referenced secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    /// `service.key`.
    pub secret: String,
    /// What the file has for it.
    pub state: State,
    /// The `.secrets/` file that provides it, when `provided`; else `null`.
    pub source: Option<String>,
}

/// What the written file has for a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Written empty.
    ToFillIn,
    /// Its value was kept from the previous file.
    Kept,
    /// Left out: a `.secrets/` file provides the service.
    Provided,
}

/// The workflow's `.gitignore`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gitignore {
    /// The file.
    pub path: String,
    /// The lines added to it (none when it already had them).
    pub added: Vec<String>,
}
