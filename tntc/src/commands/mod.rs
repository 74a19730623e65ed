//! One module per command, each owning its clap arguments and an `execute`, plus the
//! workflow loading they share.

pub mod bench;
pub mod build;
pub mod cluster;
pub mod cluster_target;
pub mod completions;
pub mod configure;
pub mod deploy;
pub mod dev;
pub mod image;
pub mod init;
pub mod list;
pub mod logs;
pub mod run;
pub mod run_deployed;
pub mod secrets;
pub mod status;
pub mod test;
pub mod undeploy;
pub mod validate;
pub mod visualize;

use std::path::Path;

use anyhow::Context as _;
use tntc_report::validate::{Problem, Severity};
use tntc_spec::{Checked, LoadError, Loaded};

use crate::errors::InvalidWorkflow;
use crate::output::{Printer, count};

/// Loads a workflow and, when it is invalid, prints its diagnostics (text mode) and returns
/// `Ok(Err(loaded))` so the caller can decide what else to print.
pub fn load(out: &Printer, dir: &Path) -> anyhow::Result<Result<(Loaded, Checked), Loaded>> {
    let mut loaded = tntc_spec::load(dir).map_err(|e| match e {
        LoadError::NotFound { dir } => anyhow::anyhow!(
            "no workflow.yaml in {}\n  help: pass a workflow directory (or its workflow.yaml), or create one with `tntc init <name>`",
            dir.display()
        ),
        other => anyhow::Error::new(other),
    })?;
    match std::mem::replace(&mut loaded.result, Err(Vec::new())) {
        Ok(checked) => {
            if !out.json() {
                out.diagnostics(&loaded.source, &checked.warnings);
            }
            Ok(Ok((loaded, checked)))
        }
        Err(diagnostics) => {
            if !out.json() {
                out.diagnostics(&loaded.source, &diagnostics);
            }
            loaded.result = Err(diagnostics);
            Ok(Err(loaded))
        }
    }
}

/// The "N errors" line that ends a failed validation (exit 3).
pub fn invalid(loaded: &Loaded) -> anyhow::Error {
    let errors = match &loaded.result {
        Err(d) => d.iter().filter(|d| d.is_error()).count(),
        Ok(_) => 0,
    };
    anyhow::Error::new(InvalidWorkflow(format!(
        "{} is invalid: {}",
        loaded.source.name().display(),
        count(errors, "error")
    )))
}

/// A diagnostic resolved against its file, as `-o json` reports it.
pub fn problem(report: tntc_spec::Report) -> Problem {
    Problem {
        severity: match report.severity {
            tntc_spec::Severity::Error => Severity::Error,
            tntc_spec::Severity::Warning => Severity::Warning,
        },
        message: report.message,
        file: report.file,
        line: Some(report.line),
        column: Some(report.column),
        path: report.path,
        hint: report.hint,
    }
}

/// Writes a file, creating its parent directories.
pub fn write_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}
