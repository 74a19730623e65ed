//! `tntc validate [dir]`.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::{count, invalid, load};
use crate::output::Printer;

/// Validates the workflow at `dir`; exit 1 when invalid.
pub fn run(out: &Printer, dir: &Path) -> anyhow::Result<ExitCode> {
    let loaded = match load(out, dir) {
        Ok(loaded) => loaded,
        // Scripts get the documented shape even when there is no file to read.
        Err(err) if out.json() => {
            out.json_value(&json!({
                "valid": false,
                "errors": [{"severity": "error", "message": format!("{err:#}"), "file": dir.display().to_string(),
                            "line": null, "column": null, "path": ""}],
                "warnings": [],
                "stages": null,
            }));
            return Ok(ExitCode::FAILURE);
        }
        Err(err) => return Err(err),
    };
    match loaded {
        Ok((loaded, checked)) => {
            if out.json() {
                out.json_value(&json!({
                    "valid": true,
                    "name": checked.workflow.name,
                    "version": checked.workflow.version,
                    "errors": [],
                    "warnings": checked.warnings.iter().map(|d| d.report(&loaded.source)).collect::<Vec<_>>(),
                    "stages": checked.dag.stages,
                }));
            } else {
                let wf = &checked.workflow;
                out.line(format!(
                    "{} {} is valid: {} in {}",
                    wf.name,
                    wf.version,
                    count(wf.nodes.len(), "node"),
                    count(checked.dag.stages.len(), "stage")
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(loaded) => {
            if out.json() {
                let diagnostics = loaded
                    .result
                    .as_ref()
                    .err()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let (errors, warnings): (Vec<_>, Vec<_>) =
                    diagnostics.iter().partition(|d| d.is_error());
                out.json_value(&json!({
                    "valid": false,
                    "errors": errors.iter().map(|d| d.report(&loaded.source)).collect::<Vec<_>>(),
                    "warnings": warnings.iter().map(|d| d.report(&loaded.source)).collect::<Vec<_>>(),
                    "stages": null,
                }));
                Ok(ExitCode::FAILURE)
            } else {
                Err(invalid(&loaded))
            }
        }
    }
}
