//! `tntc status <name>`: a deployed workflow's readiness, replicas, image, runtime class, pods
//! and recent events.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use tntc_cluster::WorkflowStatus;

use super::cluster_target::{ClusterArgs, block_on, cli_error, namespace_of_name};
use crate::errors::CliResult;
use crate::output::Printer;

/// Events shown without `--detail`.
const BRIEF_EVENTS: usize = 3;

/// `tntc status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The workflow's name (as deployed: workflow.yaml's `name`).
    pub name: String,

    /// Also the resource limits, the Service endpoint, the CronJobs and the last 10 events;
    /// with -o json, every field (the original's --detail keys and more).
    #[arg(long)]
    pub detail: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

impl StatusArgs {
    /// Prints the status; exits 0 whether or not the workflow is ready (scripts read `ready`).
    pub fn execute(self, out: &Printer) -> CliResult {
        let namespace = self
            .cluster
            .namespace(namespace_of_name(&self.name).as_ref())?;
        let status = block_on(async {
            let cluster = self.cluster.connect().await?;
            cluster.status(&namespace.value, &self.name).await
        })?
        .map_err(cli_error)?;
        if out.json() {
            if self.detail {
                out.report(&status);
            } else {
                out.report(&json!({
                    "name": status.name,
                    "namespace": status.namespace,
                    "ready": status.ready,
                    "replicas": status.replicas,
                    "available": status.available,
                }));
            }
        } else {
            print(out, &status, self.detail);
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn print(out: &Printer, s: &WorkflowStatus, detail: bool) {
    let version = s
        .version
        .as_deref()
        .map(|v| format!(", version {v}"))
        .unwrap_or_default();
    out.line(format!("{} (namespace {}{version})", s.name, s.namespace));
    out.line(format!(
        "  ready     {} ({}/{} ready, {} available, {} updated)",
        if s.ready { "yes" } else { "no" },
        s.ready_replicas,
        s.replicas,
        s.available,
        s.updated_replicas
    ));
    out.line(format!("  image     {}", s.image.as_deref().unwrap_or("-")));
    out.line(format!(
        "  runtime   {}",
        s.runtime_class
            .as_deref()
            .unwrap_or("(none: the node's default)")
    ));
    if detail {
        out.line(format!(
            "  service   {}",
            s.service_endpoint.as_deref().unwrap_or("(no Service)")
        ));
        let limits: Vec<String> = s
            .resource_limits
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out.line(format!(
            "  limits    {}",
            if limits.is_empty() {
                "-".into()
            } else {
                limits.join(", ")
            }
        ));
        for (name, schedule) in &s.cron_jobs {
            out.line(format!("  cron      {name} ({schedule})"));
        }
    }
    if s.pods.is_empty() {
        out.line("pods: none");
    } else {
        out.line("pods:");
        let width = s
            .pods
            .iter()
            .map(|p| p.name.len())
            .max()
            .unwrap_or(0)
            .max(4);
        out.line(format!("  {:<width$}  READY  RESTARTS  STATE", "NAME"));
        for pod in &s.pods {
            let last = pod
                .last_state
                .as_deref()
                .map(|l| format!(" (last: {l})"))
                .unwrap_or_default();
            out.line(format!(
                "  {:<width$}  {:<5}  {:<8}  {}{last}",
                pod.name,
                if pod.ready { "yes" } else { "no" },
                pod.restarts,
                pod.state
            ));
        }
    }
    let shown = if detail {
        s.events.len()
    } else {
        BRIEF_EVENTS.min(s.events.len())
    };
    if shown > 0 {
        out.line("events (newest first):");
        for e in &s.events[..shown] {
            let times = if e.count > 1 {
                format!(" (x{})", e.count)
            } else {
                String::new()
            };
            out.line(format!(
                "  {:<7}  {:<18}  {}: {}{times}",
                e.type_, e.reason, e.object, e.message
            ));
        }
    }
}
