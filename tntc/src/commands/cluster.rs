//! `tntc cluster check`: can tntc deploy to this cluster and namespace?

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use tntc_cluster::CheckOptions;

use super::cluster_target::{ClusterArgs, block_on, cli_error, workflow_namespace};
use crate::errors::CliResult;
use crate::output::Printer;
use crate::settings::{self, Files, Locations, Overrides};

/// `tntc cluster ...`.
#[derive(Debug, Args)]
pub struct ClusterCommandArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ClusterCommand,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Check that tntc can deploy here: API reachable (and its version), RuntimeClass,
    /// namespace, RBAC (a SelfSubjectAccessReview for every verb tntc uses), the namespace's
    /// Pod Security level, and the Secret of ./workflow.yaml.
    ///
    /// Prints one line per check; a missing RuntimeClass or Pod Security label is a warning.
    /// Exits 1 when any check fails. `-o json` prints [{name, passed, detail?, warning?,
    /// remediation?}].
    Check(CheckArgs),
}

/// `tntc cluster check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Create the namespace when it is missing.
    #[arg(long)]
    pub fix: bool,

    /// The RuntimeClass the pods will use ("none": none) [default: the config files, then gvisor].
    #[arg(long, value_name = "NAME")]
    pub runtime_class: Option<String>,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

impl ClusterCommandArgs {
    /// Runs the subcommand.
    pub fn execute(self, out: &Printer) -> CliResult {
        match self.command {
            ClusterCommand::Check(args) => args.execute(out),
        }
    }
}

impl CheckArgs {
    /// Runs every check and prints them.
    pub fn execute(self, out: &Printer) -> CliResult {
        let here = Path::new(".");
        let workflow = here
            .join(tntc_spec::WORKFLOW_FILE)
            .is_file()
            .then(|| workflow_namespace(here))
            .flatten();
        let namespace = self.cluster.namespace(workflow.as_ref())?.value;
        let files = Files::read(&Locations::standard())?;
        let overrides = Overrides {
            runtime_class: self.runtime_class.clone(),
            ..Overrides::default()
        };
        let runtime_class = settings::resolve(&overrides, None, &files)
            .runtime_class
            .value;
        let options = CheckOptions {
            namespace,
            runtime_class: (runtime_class != "none").then_some(runtime_class),
            secret: secret_of_current_workflow(),
            fix: self.fix,
        };
        let checks = block_on(async {
            let cluster = self.cluster.connect().await?;
            Ok::<_, tntc_cluster::ClusterError>(cluster.check(&options).await)
        })?
        .map_err(cli_error)?;
        if out.json() {
            out.report(&checks);
        } else {
            for check in &checks {
                let mark = match (check.passed, check.warning.is_some()) {
                    (false, _) => "✗",
                    (true, true) => "!",
                    (true, false) => "✓",
                };
                let detail = check
                    .detail
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default();
                out.line(format!("{mark} {}{detail}", check.name));
                if let Some(warning) = &check.warning {
                    out.line(format!("    warning: {warning}"));
                }
                if let Some(fix) = &check.remediation {
                    out.line(format!("    fix: {fix}"));
                }
            }
        }
        let failed = checks.iter().filter(|c| !c.passed).count();
        if !out.json() {
            out.line(if failed == 0 {
                "Ready to deploy.".to_string()
            } else {
                format!("{} failed.", super::count(failed, "check"))
            });
        }
        Ok(if failed == 0 {
            ExitCode::SUCCESS
        } else {
            crate::errors::failed()
        })
    }
}

/// `<name>-secrets` when ./workflow.yaml's contract references secrets.
fn secret_of_current_workflow() -> Option<String> {
    let loaded = tntc_spec::load(Path::new(".")).ok()?;
    let checked = loaded.result.as_ref().ok()?;
    let workflow = &checked.workflow;
    let references = workflow
        .contract
        .as_ref()
        .is_some_and(|c| c.dependencies.iter().any(|d| d.auth.is_some()));
    references.then(|| format!("{}-secrets", workflow.name))
}
