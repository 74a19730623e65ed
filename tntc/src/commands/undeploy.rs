//! `tntc undeploy <name>`: delete everything of a deployed workflow.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::cluster_target::{ClusterArgs, block_on, cli_error, namespace_of_name};
use crate::errors::CliResult;
use crate::output::Printer;

/// `tntc undeploy`.
#[derive(Debug, Args)]
pub struct UndeployArgs {
    /// The workflow's name.
    pub name: String,

    /// Do not ask first (required when stdin is not a terminal).
    #[arg(short, long)]
    pub yes: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

impl UndeployArgs {
    /// Asks (on a terminal), deletes, and lists what went.
    pub fn execute(self, out: &Printer) -> CliResult {
        let namespace = self
            .cluster
            .namespace(namespace_of_name(&self.name).as_ref())?
            .value;
        if !self.yes {
            if !std::io::stdin().is_terminal() {
                return crate::errors::usage(format!(
                    "not deleting {:?} in namespace {namespace:?} without confirmation\n  help: pass --yes (stdin is not a terminal, so tntc cannot ask)",
                    self.name
                ));
            }
            eprint!(
                "Delete workflow {:?} and all its objects in namespace {namespace:?}? [y/N] ",
                self.name
            );
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer)?;
            if !matches!(answer.trim(), "y" | "Y" | "yes") {
                out.note("Nothing deleted.");
                return Ok(crate::errors::failed());
            }
        }
        let deleted = block_on(async {
            let cluster = self.cluster.connect().await?;
            cluster.undeploy(&namespace, &self.name).await
        })?
        .map_err(cli_error)?;
        if out.json() {
            out.report(&json!({
                "name": self.name,
                "namespace": namespace,
                "deleted": deleted,
            }));
        } else {
            for d in &deleted {
                out.line(format!("deleted {}/{}", d.kind, d.name));
            }
            out.line(format!(
                "Undeployed {} from namespace {namespace} ({}).",
                self.name,
                super::count(deleted.len(), "object")
            ));
        }
        Ok(ExitCode::SUCCESS)
    }
}
