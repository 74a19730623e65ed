//! `tntc-spec` owns the first two steps of the data path: **workflow.yaml -> spec -> DAG**.
//!
//! Both the CLI (`tntc validate`, `tntc build`, ...) and the in-pod host read workflows through
//! this crate, so a workflow means the same thing everywhere. It has no dependency on
//! wasmtime, swc or the network: the host links it without pulling the compiler in.
//!
//! # Reading a workflow
//!
//! [`load`] reads `workflow.yaml` from a directory (or a path to the file itself) and runs
//! [`check`], which:
//!
//! 1. parses the YAML into a tree where every key and value keeps its position
//!    ([`yaml`]; duplicate keys are errors, scalars resolve with the YAML 1.2 core schema);
//! 2. decodes it into a [`Workflow`], collecting **every** problem as a [`Diagnostic`] with a
//!    span, the YAML path of the offending item, and a hint — never stopping at the first;
//! 3. checks what needs the filesystem: node paths must be relative, stay inside the workflow
//!    directory (also through symlinks) and exist;
//! 4. compiles the [`Dag`]: stages, topological order, predecessors in edge order.
//!
//! Diagnostics render like rustc with [`diagnostic::render`], or as data with
//! [`Diagnostic::report`].
//!
//! # Beyond the original
//!
//! The original Go CLI accepted some inputs silently; here they are errors with a position:
//! malformed cron schedules, unparsable timeouts, node paths that escape the workflow
//! directory or do not exist, duplicate keys. Unknown keys are warnings with a "did you
//! mean" suggestion. tntc adds a few optional fields, documented on [`NodeSpec`] and
//! [`Config`]: per-node `dependencies` (least privilege), `memory` and `timeout`, and
//! `config.memory`, `config.fuel`, `config.scheduling`.

pub mod cron;
pub mod dag;
pub mod diagnostic;
mod model;
mod parse;
pub mod quantity;
pub mod source;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use dag::{Dag, DagError};
pub use diagnostic::{Diagnostic, Report, Severity};
pub use model::*;
pub use parse::{is_kebab_case, resolve_node_path, suggest_kebab_case};
pub use source::{Location, SourceFile, Span};

/// The file name of a workflow spec inside its directory.
pub const WORKFLOW_FILE: &str = "workflow.yaml";

/// A workflow that passed every check.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The typed spec.
    pub workflow: Workflow,
    /// Its compiled DAG.
    pub dag: Dag,
    /// Warnings (unknown keys, duplicate edges, ...); the workflow is valid anyway.
    pub warnings: Vec<Diagnostic>,
}

/// A workflow read from disk, valid or not.
#[derive(Debug)]
pub struct Loaded {
    /// The workflow directory.
    pub dir: PathBuf,
    /// The text of `workflow.yaml`, for rendering diagnostics.
    pub source: SourceFile,
    /// The checked workflow, or every diagnostic (errors and warnings) in source order.
    pub result: Result<Checked, Vec<Diagnostic>>,
}

/// Reading the workflow file failed before any YAML was seen.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No workflow.yaml where one was expected.
    #[error("no {WORKFLOW_FILE} in {dir}")]
    NotFound {
        /// Where we looked.
        dir: PathBuf,
    },
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Reads and checks the workflow at `path`: a workflow directory or its `workflow.yaml`.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let (dir, file) = if path.is_dir() {
        (path.to_path_buf(), path.join(WORKFLOW_FILE))
    } else if path.file_name().is_some_and(|n| n == WORKFLOW_FILE) || path.is_file() {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        (dir, path.to_path_buf())
    } else {
        return Err(LoadError::NotFound {
            dir: path.to_path_buf(),
        });
    };
    let text = match std::fs::read(&file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::NotFound { dir });
        }
        Err(source) => return Err(LoadError::Read { path: file, source }),
    };
    let source = SourceFile::new(file, text);
    let result = check(&source, Some(&dir));
    Ok(Loaded {
        dir,
        source,
        result,
    })
}

/// Checks a workflow spec. With `base_dir`, node paths are also checked on disk.
pub fn check(source: &SourceFile, base_dir: Option<&Path>) -> Result<Checked, Vec<Diagnostic>> {
    let (workflow, diagnostics) = parse::decode(source, base_dir);
    let workflow = match workflow {
        Some(w) if !diagnostics.iter().any(Diagnostic::is_error) => w,
        _ => return Err(diagnostics),
    };
    let dag = Dag::compile(
        workflow.nodes.iter().map(|n| n.id.as_str()),
        workflow
            .edges
            .iter()
            .map(|e| (e.from.as_str(), e.to.as_str())),
    )
    .map_err(|e| {
        // decode() already reported edge problems with positions; this is a backstop.
        vec![Diagnostic::error("edges", Span::point(0), e.to_string())]
    })?;
    Ok(Checked {
        workflow,
        dag,
        warnings: diagnostics,
    })
}
