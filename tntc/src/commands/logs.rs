//! `tntc logs <name>`: the engine's log of every pod of a deployed workflow.

use std::process::ExitCode;

use clap::Args;
use tntc_cluster::LogOptions;

use super::cluster_target::{ClusterArgs, block_on, cli_error, namespace_of_name};
use crate::errors::CliResult;
use crate::output::Printer;

/// `tntc logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The workflow's name.
    pub name: String,

    /// Keep printing new lines until the pods' logs end (Ctrl-C stops).
    #[arg(short, long)]
    pub follow: bool,

    /// Lines from the end of each pod's log.
    #[arg(long, default_value_t = 100, value_name = "LINES")]
    pub tail: i64,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

impl LogsArgs {
    /// Prints the lines, `[pod] line` when the workflow has several pods. With -o json, one
    /// JSON object `{pod, line}` per line (JSON Lines, so -f can stream).
    pub fn execute(self, out: &Printer) -> CliResult {
        let namespace = self
            .cluster
            .namespace(namespace_of_name(&self.name).as_ref())?
            .value;
        let options = LogOptions {
            tail: self.tail.max(0),
            follow: self.follow,
        };
        let prefix = std::cell::Cell::new(false);
        block_on(async {
            let cluster = self.cluster.connect().await?;
            cluster
                .logs(
                    &namespace,
                    &self.name,
                    options,
                    |pods| prefix.set(pods.len() > 1),
                    |line| {
                        if out.json() {
                            out.line(
                                serde_json::json!({"pod": line.pod, "line": line.line}).to_string(),
                            );
                        } else if prefix.get() {
                            out.line(format!("[{}] {}", line.pod, line.line));
                        } else {
                            out.line(line.line);
                        }
                    },
                )
                .await
        })?
        .map_err(cli_error)?;
        Ok(ExitCode::SUCCESS)
    }
}
