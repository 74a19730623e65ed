//! `tntc run [TARGET]`: compile and run a workflow directory once, in-process, in the same
//! sandbox as the pod, and print the ExecutionResult; or, for the name of a deployed workflow,
//! run it on the cluster (`run_deployed`). The local path never creates a kube client.

use std::io::Read;
use std::path::Path;
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

/// Examples under `tntc run --help`.
pub const EXAMPLES: &str = "Examples:
  tntc run examples/word-count --input '{\"text\": \"a b a\"}'   # locally
  tntc run . --input @input.json
  echo '{}' | tntc run . --input -
  tntc run word-count -n team-a --input '{\"text\": \"a b\"}'    # the deployed workflow
  tntc run word-count --cluster      # deployed, even if ./word-count/ exists here";

/// `tntc run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// A workflow directory or its workflow.yaml (run locally), or the name of a deployed
    /// workflow (run on the cluster) [default: .].
    #[arg(default_value = ".", value_name = "DIR|NAME")]
    pub target: String,

    /// The root nodes' input: JSON, `@file.json`, or `-` for stdin [default: {}].
    #[arg(short, long, value_name = "JSON|@FILE|-")]
    pub input: Option<String>,

    /// Run the deployed workflow named TARGET through the cluster's API server, even when a
    /// directory of that name exists here.
    #[arg(long)]
    pub cluster: bool,

    /// How long to wait for a deployed workflow's answer [default: 30s].
    #[arg(long, value_name = "DURATION", value_parser = super::cluster_target::parse_duration)]
    pub timeout: Option<std::time::Duration>,

    #[command(flatten)]
    pub local: LocalArgs,

    #[command(flatten)]
    pub target_cluster: super::cluster_target::ClusterArgs,
}

impl RunArgs {
    /// Runs the workflow once with `--input` (JSON text, `@file`, or `-` for stdin), locally
    /// or on the cluster (see [`RunArgs::deployed`]).
    pub fn execute(self, out: &Printer) -> CliResult {
        let cluster_flags = [
            (self.target_cluster.namespace.is_some(), "-n/--namespace"),
            (self.target_cluster.context.is_some(), "--context"),
            (self.target_cluster.kubeconfig.is_some(), "--kubeconfig"),
            (self.timeout.is_some(), "--timeout"),
        ];
        if !self.deployed() {
            if let Some((_, flag)) = cluster_flags.iter().find(|(given, _)| *given) {
                return crate::errors::usage(format!(
                    "{flag} is for a deployed workflow, but {:?} is a local workflow directory\n  help: add --cluster to run the deployed workflow of that name",
                    self.target
                ));
            }
            return run(
                out,
                Path::new(&self.target),
                self.input.as_deref(),
                &self.local,
            );
        }
        for (given, flag) in [
            (self.local.secrets.is_some(), "--secrets"),
            (self.local.extra_ca.is_some(), "--extra-ca"),
        ] {
            if given {
                return crate::errors::usage(format!(
                    "{flag} is for a local run; the deployed {:?} uses its Secret and the pod's CAs",
                    self.target
                ));
            }
        }
        if !is_workflow_name(&self.target) {
            return crate::errors::usage(format!(
                "{:?} is not a workflow name (lowercase letters, digits and single dashes, like word-count)\n  help: --cluster runs a deployed workflow by its name; without it, TARGET may be a directory",
                self.target
            ));
        }
        let input = parse_input(self.input.as_deref())?;
        super::run_deployed::run(
            out,
            &self.target,
            &input,
            self.timeout.unwrap_or(super::run_deployed::DEFAULT_TIMEOUT),
            &self.target_cluster,
        )
    }

    /// Whether TARGET means a deployed workflow: `--cluster`, or a workflow name (kebab-case)
    /// that is no path here.
    pub fn deployed(&self) -> bool {
        self.cluster || (!Path::new(&self.target).exists() && is_workflow_name(&self.target))
    }
}

/// A workflow name as `tntc validate` accepts it: lowercase letters, digits, single dashes.
fn is_workflow_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
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
pub fn parse_input(input: Option<&str>) -> anyhow::Result<Value> {
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

#[cfg(test)]
mod deployed_tests {
    use super::is_workflow_name;

    #[test]
    fn only_kebab_case_names_can_mean_a_deployed_workflow() {
        assert!(is_workflow_name("word-count"));
        assert!(!is_workflow_name("."));
        assert!(!is_workflow_name("flows/word-count"));
        assert!(!is_workflow_name("workflow.yaml"));
        assert!(!is_workflow_name("Word"));
    }
}
