//! `tntc run [dir]`: compile and run a workflow once, in-process, in the same sandbox as the
//! pod; print the ExecutionResult.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use serde_json::Value;
use tntc_host::logs::StderrLogs;
use tntc_host::result::ExecutionResult;

use super::{invalid, load};
use crate::building::nodes_or_bail;
use crate::errors::{CliResult, Usage, failed};
use crate::local::{self, LocalArgs};
use crate::output::{Printer, count};

/// `tntc run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Workflow directory, or its workflow.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// The root nodes' input: JSON, `@file.json`, or `-` for stdin [default: {}].
    #[arg(short, long, value_name = "JSON|@FILE|-")]
    pub input: Option<String>,

    #[command(flatten)]
    pub local: LocalArgs,
}

impl RunArgs {
    /// Runs the workflow once with `--input` (JSON text, `@file`, or `-` for stdin).
    pub fn execute(self, out: &Printer) -> CliResult {
        run(out, &self.dir, self.input.as_deref(), &self.local)
    }
}

fn run(out: &Printer, dir: &Path, input: Option<&str>, options: &LocalArgs) -> CliResult {
    let input = parse_input(input)?;
    let (loaded, checked) = match load(out, dir)? {
        Ok(ok) => ok,
        Err(loaded) => return Err(invalid(&loaded).into()),
    };
    let shared = local::shared(Some(&checked.workflow), options, Arc::new(StderrLogs))?;
    let compiled = tntc_build::compile(&loaded.dir, &checked, &shared.sandbox, |_| {});
    let nodes = nodes_or_bail(out, "run", &checked, compiled)?;
    let secrets = local::secrets(&loaded.dir, options)?;
    let deployment = Arc::new(local::deploy(&shared, checked, &nodes, secrets)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let started = Instant::now();
    let result = runtime.block_on(deployment.execute(input));
    let elapsed = started.elapsed();

    if out.json() {
        out.report(&result);
    } else {
        print_result(out, &deployment, &result, elapsed);
    }
    Ok(if result.success {
        ExitCode::SUCCESS
    } else {
        failed()
    })
}

/// `--input`: inline JSON, `@path` to a file, or `-` for stdin; none means `{}`.
fn parse_input(input: Option<&str>) -> anyhow::Result<Value> {
    let (text, from) = match input {
        None => return Ok(Value::Object(Default::default())),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the input from stdin")?;
            (text, "stdin".to_string())
        }
        Some(arg) => match arg.strip_prefix('@') {
            Some(path) => (
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the input file {path}"))?,
                path.to_string(),
            ),
            None => (arg.to_string(), "--input".to_string()),
        },
    };
    if text.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(&text).map_err(|e| {
        anyhow::Error::new(Usage(format!(
            "the input from {from} is not valid JSON: {e}\n  help: pass JSON, e.g. --input '{{\"name\": \"x\"}}', or --input @input.json"
        )))
    })
}

fn print_result(
    out: &Printer,
    deployment: &tntc_host::deployment::Deployment,
    result: &ExecutionResult,
    elapsed: std::time::Duration,
) {
    let dag = &deployment.checked().dag;
    let width = dag.order.iter().map(String::len).max().unwrap_or(0);
    for node in &dag.order {
        let timing = result
            .timing
            .node(node)
            .map(|t| format!("{} ms", t.duration_ms))
            .unwrap_or_default();
        if result.outputs.contains_key(node) {
            out.line(format!("✓ {node:<width$}  {timing}"));
        } else if let Some(error) = result.errors.get(node) {
            out.line(format!(
                "✗ {node:<width$}  {timing}  {}",
                error.as_str().unwrap_or_default()
            ));
            if let Some(stack) = result.stacks.get(node) {
                for line in stack.lines().filter(|l| !l.trim().is_empty()) {
                    out.line(format!("    {}", line.trim()));
                }
            }
        } else {
            out.line(format!("- {node:<width$}  skipped"));
        }
    }
    out.line("");
    if result.success {
        for leaf in dag.leaves() {
            if let Some(value) = result.outputs.get(leaf) {
                out.line(format!("{leaf}:"));
                out.line(serde_json::to_string_pretty(value).unwrap_or_default());
            }
        }
        out.line(format!("succeeded in {} ms", elapsed.as_millis()));
    } else {
        out.line(format!(
            "failed: {} of {} failed ({} ms)",
            result.errors.len(),
            count(dag.order.len(), "node"),
            elapsed.as_millis()
        ));
    }
}
