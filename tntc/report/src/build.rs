//! `tntc build -o json`: the bundle written.

use serde::{Deserialize, Serialize};

/// What `tntc build` wrote, and how long it took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The workflow's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The bundle directory, as given (or `<dir>/dist`).
    pub out: String,
    /// The runtime module the nodes need.
    pub runtime: Runtime,
    /// Each node's module, in workflow order.
    pub nodes: Vec<Node>,
    /// Bytes of all node modules.
    pub total_size: u64,
    /// Wall-clock time of the whole build, in ms.
    pub duration_ms: u64,
}

/// The runtime module the bundle needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Runtime {
    /// Its sha256, as in the manifest.
    pub sha256: String,
    /// How this build got it.
    pub load: RuntimeLoad,
}

/// How the build's sandbox got the runtime module (its compiled form is what the nodes'
/// type checks and `tntc-host` share).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeLoad {
    /// `cache` (deserialized, nothing compiled) or `built` (pre-initialized and compiled
    /// in this process).
    pub from: RuntimeSource,
    /// Time until the module was usable, in ms.
    pub elapsed_ms: f64,
    /// Of which wizer's pre-initialization, in ms (`built` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preinitialize_ms: Option<f64>,
    /// Of which compiling the snapshot, in ms (`built` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compile_ms: Option<f64>,
    /// The cache entry read or written; `null` without a usable cache directory.
    pub cache_path: Option<String>,
    /// Why the cache was not used or not written, when it was not.
    pub cache_note: Option<String>,
}

/// Where the runtime module came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuntimeSource {
    /// The compiled-code cache.
    Cache,
    /// Pre-initialized and compiled by this build.
    Built,
}

/// One node's module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// The node id.
    pub id: String,
    /// Its TypeScript file, relative to the workflow directory.
    pub source: String,
    /// The module, relative to the bundle directory.
    pub module: String,
    /// The module's size in bytes.
    pub size: u64,
    /// Of which QuickJS bytecode.
    pub bytecode_size: u64,
    /// The module's sha256.
    pub sha256: String,
    /// The contract dependencies its code names; `null` when it names one with a
    /// non-literal expression (it then keeps the whole contract).
    pub uses: Option<Vec<String>>,
    /// The secrets services its code reads.
    pub services: Vec<String>,
    /// Time to compile it, in ms.
    pub compile_ms: f64,
}
