//! `tntc run <name>` for a deployed workflow: one POST to its `/run` through the API server's
//! service proxy. The ExecutionResult is printed as the engine returned it.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;

use super::cluster_target::{ClusterArgs, block_on, cli_error, namespace_of_name};
use crate::errors::CliResult;
use crate::output::Printer;

/// `--timeout` when not given (the original's).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs deployed workflow `name` once with `input`.
pub fn run(
    out: &Printer,
    name: &str,
    input: &Value,
    timeout: Duration,
    target: &ClusterArgs,
) -> CliResult {
    let namespace = target.namespace(namespace_of_name(name).as_ref())?.value;
    let result = block_on(async {
        let cluster = target.connect().await?;
        cluster.invoke(&namespace, name, input, timeout).await
    })?
    .map_err(cli_error)?;
    let success = result.get("success").and_then(Value::as_bool) == Some(true);
    if out.json() {
        out.report(&result);
    } else {
        out.line(serde_json::to_string_pretty(&result)?);
        let ms = result
            .pointer("/timing/durationMs")
            .and_then(Value::as_u64)
            .map(|ms| format!(" in {ms} ms"))
            .unwrap_or_default();
        out.note(if success {
            format!("{name} (namespace {namespace}) succeeded{ms}")
        } else {
            let failed: Vec<&String> = result
                .get("errors")
                .and_then(Value::as_object)
                .map(|e| e.keys().collect())
                .unwrap_or_default();
            let which = if failed.is_empty() {
                String::new()
            } else {
                format!(
                    ": {} failed",
                    failed
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!("{name} (namespace {namespace}) failed{which}{ms}")
        });
    }
    Ok(if success {
        ExitCode::SUCCESS
    } else {
        crate::errors::failed()
    })
}
