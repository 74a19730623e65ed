//! `tntc configure -o json`: the effective settings, where each comes from, and what a
//! write changed.

use serde::{Deserialize, Serialize};

use crate::validate::Problem;

/// The settings (and, after a write, what was written).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// What a write changed; absent when only showing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<Written>,
    /// The effective settings.
    pub settings: Settings,
    /// The config files.
    pub files: Files,
}

/// What a write changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// The file written.
    pub file: String,
    /// Which one.
    pub scope: Scope,
    /// The values set (only the keys given).
    pub set: Values,
    /// The keys removed (given as `""`).
    pub removed: Vec<Key>,
}

/// Values by key; a key not given is left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Values {
    /// `namespace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `registry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// `runtime_class`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_class: Option<String>,
}

/// A setting's key, as in the config files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// `namespace`.
    Namespace,
    /// `registry`.
    Registry,
    /// `runtime_class`.
    RuntimeClass,
}

/// Which config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `./.tentacular/config.yaml`.
    Project,
    /// `~/.tentacular/config.yaml`.
    User,
}

/// The effective settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Target namespace.
    pub namespace: Setting,
    /// Image registry (all `null` when nothing sets one).
    pub registry: Setting,
    /// RuntimeClass of the pods.
    pub runtime_class: Setting,
}

/// One effective value and where it comes from; all `null` when nothing sets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The value.
    pub value: Option<String>,
    /// Where it comes from.
    pub source: Option<Source>,
    /// The file it was read from (for `workflow`, `project`, `user`).
    pub file: Option<String>,
}

/// Where an effective value comes from, highest precedence first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// `deployment.namespace` of `./workflow.yaml`.
    Workflow,
    /// The project file.
    Project,
    /// The user file.
    User,
    /// The built-in default.
    Default,
}

/// The two config files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Files {
    /// `./.tentacular/config.yaml`.
    pub project: File,
    /// `~/.tentacular/config.yaml`.
    pub user: File,
}

/// A config file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    /// Where it is; `null` for the user file when there is no home directory.
    pub path: Option<String>,
    /// Whether it exists.
    pub exists: bool,
}

/// What `tntc configure` prints when a config file cannot be used (exit 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFailure {
    /// What is wrong.
    pub error: String,
    /// Every positioned problem in the file.
    pub errors: Vec<Problem>,
}
