//! `tntc-bundle`: the bundle — what `tntc build` writes and the host runs — its format,
//! writer and verifying reader. Used by the CLI, the host and the deploy tooling; it links
//! neither the compiler nor wasmtime.
//!
//! ```text
//! dist/
//!   workflow.yaml        the spec, byte for byte
//!   nodes/<id>.wasm      one module per node (QuickJS bytecode + glue, a few KB)
//!   manifest.json        digests and build facts, below
//! ```
//!
//! `manifest.json` records the sha256 of `workflow.yaml`, of every node module, and of the
//! runtime the modules were compiled against. The host refuses a bundle when any of them does
//! not match: a module edited after the build, a workflow.yaml edited without rebuilding, or
//! bytecode compiled for another runtime (QuickJS bytecode is not portable across versions).
//! The manifest has no timestamps: the same sources give the same bundle, byte for byte.
//! Secrets are never part of a bundle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tntc_spec::{Checked, Diagnostic, SourceFile, WORKFLOW_FILE};

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The bundle format this host reads and `tntc build` writes.
pub const FORMAT: u32 = 1;

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Bundle format version ([`FORMAT`]).
    pub format: u32,
    /// The workflow.
    pub workflow: WorkflowEntry,
    /// The runtime every module was compiled against.
    pub runtime: RuntimeEntry,
    /// One entry per node, by id.
    pub nodes: BTreeMap<String, NodeEntry>,
    /// The tool that wrote the bundle, e.g. `tntc 0.1.0`.
    pub built_by: String,
}

/// The workflow a bundle was built from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowEntry {
    /// Workflow name.
    pub name: String,
    /// Workflow version.
    pub version: String,
    /// sha256 of `workflow.yaml`, hex.
    pub sha256: String,
}

/// The runtime a bundle's modules need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeEntry {
    /// sha256 of the runtime module, hex.
    pub sha256: String,
}

/// One compiled node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeEntry {
    /// Path of the module inside the bundle (`nodes/<id>.wasm`).
    pub module: String,
    /// sha256 of the module, hex.
    pub sha256: String,
    /// Module size in bytes.
    pub size: u64,
    /// The TypeScript entry file, relative to the workflow directory.
    pub source: String,
    /// Contract dependencies the node's code uses, found at build time; `None` when the code
    /// names a dependency with a non-literal expression (the node then keeps the whole contract).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses: Option<Vec<String>>,
    /// Services whose secrets its code uses by name: legacy `ctx.fetch("<service>", ...)`
    /// calls (their secrets carry the auth headers) and `ctx.secrets.<service>` reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

/// What `tntc build` found in a node's code: recorded in the manifest ([`NodeEntry::uses`],
/// [`NodeEntry::services`]), it scopes the node's access in the host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeUses {
    /// Contract dependencies named with string literals; `None` when some call used a
    /// non-literal name (the node then keeps the whole contract).
    pub dependencies: Option<std::collections::BTreeSet<String>>,
    /// Services whose secrets the code uses by name: legacy `ctx.fetch("<service>", ...)`
    /// calls and `ctx.secrets.<service>` reads.
    pub services: std::collections::BTreeSet<String>,
}

impl NodeEntry {
    /// What the node's code uses, as the host scopes it.
    pub fn code_uses(&self) -> CodeUses {
        CodeUses {
            dependencies: self.uses.as_ref().map(|u| u.iter().cloned().collect()),
            services: self.services.iter().cloned().collect(),
        }
    }
}

/// A node ready to be written into a bundle.
#[derive(Clone, Debug)]
pub struct BuiltNode {
    /// Node id.
    pub id: String,
    /// The node module.
    pub wasm: Vec<u8>,
    /// The TypeScript entry file, as in workflow.yaml.
    pub source: String,
    /// See [`NodeEntry::uses`].
    pub uses: Option<Vec<String>>,
    /// See [`NodeEntry::services`].
    pub services: Vec<String>,
}

/// A bundle that passed every check.
#[derive(Debug)]
pub struct Bundle {
    /// The bundle directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// The workflow.yaml text, for diagnostics.
    pub source: SourceFile,
    /// The checked workflow.
    pub checked: Checked,
    /// Node id -> module bytes, digests verified.
    pub modules: BTreeMap<String, Vec<u8>>,
}

/// Why a bundle cannot be written or run.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Filesystem trouble.
    #[error("{action} {path}: {source}")]
    Io {
        /// What we were doing.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A directory with a workflow.yaml but no manifest: sources, not a bundle.
    #[error(
        "{dir} holds workflow sources, not a bundle (no {MANIFEST_FILE}); build one with `tntc build {dir}` and run {dir}/dist/{WORKFLOW_FILE}"
    )]
    NotABundle {
        /// The directory.
        dir: PathBuf,
    },
    /// manifest.json is not what this host understands.
    #[error("{path} is not a valid bundle manifest: {reason}")]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The bundle's workflow.yaml does not validate.
    #[error("{path} is invalid:\n{rendered}")]
    InvalidWorkflow {
        /// The workflow file.
        path: PathBuf,
        /// The rendered diagnostics.
        rendered: String,
    },
    /// A digest does not match the manifest.
    #[error(
        "{what} does not match the bundle manifest (expected sha256 {expected}, found {found}): the bundle was modified after `tntc build`; rebuild it"
    )]
    DigestMismatch {
        /// Which file.
        what: String,
        /// Manifest digest.
        expected: String,
        /// Actual digest.
        found: String,
    },
    /// Modules compiled for another runtime.
    #[error(
        "the bundle was compiled for runtime {bundle}, but this host runs runtime {host}; rebuild it with the tntc that matches this host"
    )]
    RuntimeMismatch {
        /// The bundle's runtime digest.
        bundle: String,
        /// The host's.
        host: String,
    },
    /// The manifest and workflow.yaml disagree on the nodes.
    #[error("the bundle manifest and workflow.yaml disagree: {0}; rebuild the bundle")]
    NodeMismatch(String),
}

/// Hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BundleError {
    let path = path.to_path_buf();
    move |source| BundleError::Io {
        action,
        path,
        source,
    }
}

/// Writes a bundle into `out` (replacing what was there) and returns its manifest. The new
/// bundle is assembled next to `out` and swapped in, so a reader never sees half of one.
pub fn write(
    out: &Path,
    workflow_yaml: &str,
    checked: &Checked,
    runtime_sha256: &str,
    nodes: &[BuiltNode],
    built_by: &str,
) -> Result<Manifest, BundleError> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io("cannot create", parent))?;
    let name = out
        .file_name()
        .map_or_else(|| "dist".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(staging.join("nodes")).map_err(io("cannot create", &staging))?;

    let mut entries = BTreeMap::new();
    for node in nodes {
        let module = format!("nodes/{}.wasm", node.id);
        let path = staging.join(&module);
        std::fs::write(&path, &node.wasm).map_err(io("cannot write", &path))?;
        entries.insert(
            node.id.clone(),
            NodeEntry {
                module,
                sha256: sha256_hex(&node.wasm),
                size: node.wasm.len() as u64,
                source: node.source.clone(),
                uses: node.uses.clone(),
                services: node.services.clone(),
            },
        );
    }
    let yaml_path = staging.join(WORKFLOW_FILE);
    std::fs::write(&yaml_path, workflow_yaml).map_err(io("cannot write", &yaml_path))?;
    let manifest = Manifest {
        format: FORMAT,
        workflow: WorkflowEntry {
            name: checked.workflow.name.clone(),
            version: checked.workflow.version.clone(),
            sha256: sha256_hex(workflow_yaml.as_bytes()),
        },
        runtime: RuntimeEntry {
            sha256: runtime_sha256.to_string(),
        },
        nodes: entries,
        built_by: built_by.to_string(),
    };
    let manifest_path = staging.join(MANIFEST_FILE);
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| BundleError::BadManifest {
        path: manifest_path.clone(),
        reason: e.to_string(),
    })?;
    std::fs::write(&manifest_path, text + "\n").map_err(io("cannot write", &manifest_path))?;

    if out.exists() {
        std::fs::remove_dir_all(out).map_err(io("cannot replace", out))?;
    }
    std::fs::rename(&staging, out).map_err(io("cannot move the new bundle to", out))?;
    Ok(manifest)
}

/// Finds the bundle for `path`: a bundle directory, its `workflow.yaml`, or a workflow source
/// directory whose `dist/` holds a bundle.
pub fn locate(path: &Path) -> Result<PathBuf, BundleError> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    if dir.join(MANIFEST_FILE).is_file() {
        return Ok(dir);
    }
    if dir.join("dist").join(MANIFEST_FILE).is_file() {
        return Ok(dir.join("dist"));
    }
    if dir.join(WORKFLOW_FILE).is_file() {
        return Err(BundleError::NotABundle { dir });
    }
    Err(BundleError::Io {
        action: "cannot find a bundle at",
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no manifest.json or workflow.yaml",
        ),
    })
}

/// Opens and verifies the bundle at `path` (see [`locate`]) for a host whose runtime has
/// digest `runtime_sha256`.
pub fn open(path: &Path, runtime_sha256: &str) -> Result<Bundle, BundleError> {
    let dir = locate(path)?;
    let manifest_path = dir.join(MANIFEST_FILE);
    let text =
        std::fs::read_to_string(&manifest_path).map_err(io("cannot read", &manifest_path))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| BundleError::BadManifest {
        path: manifest_path.clone(),
        reason: e.to_string(),
    })?;
    if manifest.format != FORMAT {
        return Err(BundleError::BadManifest {
            path: manifest_path,
            reason: format!(
                "format {} (this host reads format {FORMAT})",
                manifest.format
            ),
        });
    }
    if manifest.runtime.sha256 != runtime_sha256 {
        return Err(BundleError::RuntimeMismatch {
            bundle: short(&manifest.runtime.sha256),
            host: short(runtime_sha256),
        });
    }

    let yaml_path = dir.join(WORKFLOW_FILE);
    let yaml = std::fs::read(&yaml_path).map_err(io("cannot read", &yaml_path))?;
    verify(WORKFLOW_FILE, &manifest.workflow.sha256, &yaml)?;
    let source = SourceFile::new(
        yaml_path.clone(),
        String::from_utf8_lossy(&yaml).into_owned(),
    );
    // Node paths point at TypeScript sources that a bundle does not carry: check without a dir.
    let checked =
        tntc_spec::check(&source, None).map_err(|diagnostics| BundleError::InvalidWorkflow {
            path: yaml_path,
            rendered: render_all(&source, &diagnostics),
        })?;

    let spec_ids: Vec<&str> = checked
        .workflow
        .nodes
        .iter()
        .map(|n| n.id.as_str())
        .collect();
    let manifest_ids: Vec<&str> = manifest.nodes.keys().map(String::as_str).collect();
    if let Some(missing) = spec_ids
        .iter()
        .find(|id| !manifest.nodes.contains_key(**id))
    {
        return Err(BundleError::NodeMismatch(format!(
            "node \"{missing}\" has no module"
        )));
    }
    if let Some(extra) = manifest_ids.iter().find(|id| !spec_ids.contains(id)) {
        return Err(BundleError::NodeMismatch(format!(
            "module for unknown node \"{extra}\""
        )));
    }

    let mut modules = BTreeMap::new();
    for (id, entry) in &manifest.nodes {
        let relative = Path::new(&entry.module);
        if relative.is_absolute()
            || relative
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(BundleError::BadManifest {
                path: dir.join(MANIFEST_FILE),
                reason: format!("module path \"{}\" leaves the bundle", entry.module),
            });
        }
        let path = dir.join(relative);
        let bytes = std::fs::read(&path).map_err(io("cannot read", &path))?;
        verify(&entry.module, &entry.sha256, &bytes)?;
        modules.insert(id.clone(), bytes);
    }
    Ok(Bundle {
        dir,
        manifest,
        source,
        checked,
        modules,
    })
}

fn verify(what: &str, expected: &str, bytes: &[u8]) -> Result<(), BundleError> {
    let found = sha256_hex(bytes);
    if found == expected {
        Ok(())
    } else {
        Err(BundleError::DigestMismatch {
            what: what.to_string(),
            expected: short(expected),
            found: short(&found),
        })
    }
}

fn short(digest: &str) -> String {
    digest.chars().take(12).collect()
}

/// Renders diagnostics the way `tntc validate` does (no colors).
pub fn render_all(source: &SourceFile, diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| tntc_spec::diagnostic::render(source, d, false))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests;
