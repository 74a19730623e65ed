//! `tntc list`: the workflows tntc (or the original) deployed in a namespace.

use std::process::ExitCode;

use clap::Args;
use tntc_cluster::WorkflowSummary;

use super::cluster_target::{ClusterArgs, block_on, cli_error};
use crate::errors::CliResult;
use crate::output::Printer;

/// `tntc list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Every namespace (needs permission to list Deployments cluster-wide).
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

impl ListArgs {
    /// Prints the table (or a JSON array, `[]` when there is none).
    pub fn execute(self, out: &Printer) -> CliResult {
        let namespace = if self.all_namespaces {
            None
        } else {
            Some(self.cluster.namespace(None)?.value)
        };
        let workflows = block_on(async {
            let cluster = self.cluster.connect().await?;
            cluster.list(namespace.as_deref()).await
        })?
        .map_err(cli_error)?;
        if out.json() {
            out.report(&workflows);
        } else if workflows.is_empty() {
            let place = match &namespace {
                Some(ns) => format!("in namespace {ns}"),
                None => "in any namespace".into(),
            };
            out.line(format!("No workflows deployed {place}."));
        } else {
            print_table(out, &workflows);
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn print_table(out: &Printer, rows: &[WorkflowSummary]) {
    let header = ["NAME", "VERSION", "NAMESPACE", "STATUS", "REPLICAS", "AGE"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|w| {
            [
                w.name.clone(),
                w.version.clone(),
                w.namespace.clone(),
                w.status.clone(),
                w.replicas.clone(),
                w.age_seconds.map(age).unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: [&str; 6]| {
        row.iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect::<Vec<_>>()
            .join("   ")
            .trim_end()
            .to_owned()
    };
    out.line(line(header));
    for row in &cells {
        out.line(line(row.each_ref().map(String::as_str)));
    }
}

/// `45s`, `12m`, `5h`, `3d`, as kubectl shows ages.
fn age(seconds: i64) -> String {
    match seconds.max(0) {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(super::age(5), "5s");
        assert_eq!(super::age(600), "10m");
        assert_eq!(super::age(3 * 3600), "3h");
        assert_eq!(super::age(4 * 86_400), "4d");
    }
}
