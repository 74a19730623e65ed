//! What the commands that talk to a cluster share: `-n/--namespace` and `--context`, the
//! namespace cascade, connecting, and the async runtime they run on.
//!
//! Only these commands create a kube client: `tntc run <dir>`, `dev`, `build` and the rest
//! never reach this module.

use std::path::Path;
use std::time::Duration;

use clap::Args;
use tntc_cluster::{Cluster, ClusterError, ConnectOptions};

use crate::errors::{CliError, Remote, Usage};

use crate::settings::{self, Files, Locations, Overrides, Resolved, WorkflowNamespace};

/// Where on which cluster.
#[derive(Clone, Debug, Default, Args)]
pub struct ClusterArgs {
    /// Kubernetes namespace [default: deployment.namespace of the workflow, then the config
    /// files (`tntc configure -n`), then "default"].
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Kubeconfig context to use instead of the current one (the kubeconfig is $KUBECONFIG,
    /// else ~/.kube/config; inside a pod without one, the pod's service account).
    #[arg(long, value_name = "CONTEXT")]
    pub context: Option<String>,

    /// Kubeconfig file to use instead of $KUBECONFIG / ~/.kube/config.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<std::path::PathBuf>,
}

impl ClusterArgs {
    /// The namespace: `-n` > the workflow's `deployment.namespace` > config files > `default`.
    pub fn namespace(&self, workflow: Option<&WorkflowNamespace>) -> anyhow::Result<Resolved> {
        if let Some(ns) = &self.namespace {
            settings::Key::Namespace
                .check(ns)
                .map_err(|why| anyhow::anyhow!("-n/--namespace {why}"))?;
        }
        let files = Files::read(&Locations::standard())?;
        let overrides = Overrides {
            namespace: self.namespace.clone(),
            ..Overrides::default()
        };
        Ok(settings::resolve(&overrides, workflow, &files).namespace)
    }

    /// A client for the kubeconfig's (or `--context`'s) cluster.
    pub async fn connect(&self) -> Result<Cluster, tntc_cluster::ClusterError> {
        Cluster::connect(&ConnectOptions {
            context: self.context.clone(),
            kubeconfig: self.kubeconfig.clone(),
        })
        .await
    }
}

/// `deployment.namespace` of the workflow at `dir`, when it sets one (an unreadable or
/// invalid workflow sets none: the command reports it elsewhere).
pub fn workflow_namespace(dir: &Path) -> Option<WorkflowNamespace> {
    let loaded = tntc_spec::load(dir).ok()?;
    let checked = loaded.result.as_ref().ok()?;
    let namespace = checked.workflow.deployment.namespace.clone()?;
    Some(WorkflowNamespace {
        namespace,
        file: loaded.source.name().to_path_buf(),
    })
}

/// For commands given a workflow's name: the `deployment.namespace` of `./workflow.yaml`
/// when the current directory is that workflow.
pub fn namespace_of_name(name: &str) -> Option<WorkflowNamespace> {
    let dir = Path::new(".");
    if !dir.join(tntc_spec::WORKFLOW_FILE).is_file() {
        return None;
    }
    let loaded = tntc_spec::load(dir).ok()?;
    let checked = loaded.result.as_ref().ok()?;
    if checked.workflow.name != name {
        return None;
    }
    Some(WorkflowNamespace {
        namespace: checked.workflow.deployment.namespace.clone()?,
        file: loaded.source.name().to_path_buf(),
    })
}

/// A cluster failure as the CLI reports it: a `--context` the kubeconfig lacks is a usage
/// error (2), a missing or unreadable kubeconfig the environment (4), anything the cluster
/// answered or could not (refused, unreachable, not deployed, a failed rollout) remote (5).
pub fn cli_error(err: ClusterError) -> CliError {
    let message = err.to_string();
    match err {
        ClusterError::NoSuchContext { .. } => anyhow::Error::new(Usage(message)).into(),
        ClusterError::NoKubeconfig { .. } | ClusterError::Kubeconfig { .. } => {
            anyhow::Error::new(err).into()
        }
        _ => anyhow::Error::new(Remote(message)).into(),
    }
}

/// Runs a cluster command's future on a runtime of its own.
pub fn block_on<T>(future: impl Future<Output = T>) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))?;
    Ok(runtime.block_on(future))
}

/// `30s`, `2m`, `1m30s`, `500ms`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err("empty duration".into());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let number: u64 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a duration: write e.g. 30s, 2m, 1m30s"))?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        total += match unit {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number * 60),
            "h" => Duration::from_secs(number * 3600),
            _ => {
                return Err(format!(
                    "{text:?} is not a duration: write e.g. 30s, 2m, 1m30s"
                ));
            }
        };
        rest = next;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units_or_bare_seconds() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
    }
}
