//! `tntc deploy` without `--dry-run`: server-side apply of the rendered objects, pruning what
//! the workflow no longer has, then (on a terminal, or with `--wait`) waiting for the rollout.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use clap::Args;
use serde_json::{Value, json};
use tntc_cluster::{Action, ApplyOptions, ApplyReport, ClusterError, Object, ObjectSet};
use tntc_manifests::Manifests;

use crate::commands::cluster_target::{ClusterArgs, block_on, cli_error, parse_duration};
use crate::errors::CliResult;
use crate::output::Printer;

/// How long `--wait` waits when `--timeout` is not given.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The flags of the apply path.
#[derive(Debug, Default, Args)]
pub struct ApplyArgs {
    /// Wait for the rollout to finish (the default on a terminal).
    #[arg(long, overrides_with = "no_wait")]
    pub wait: bool,

    /// Do not wait for the rollout (the default when stderr is not a terminal).
    #[arg(long)]
    pub no_wait: bool,

    /// How long --wait waits for the rollout [default: 120s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Take over fields another field manager (kubectl edit, a controller) owns instead of
    /// failing with a conflict.
    #[arg(long)]
    pub force_conflicts: bool,

    #[command(flatten)]
    pub cluster: ClusterArgs,
}

impl ApplyArgs {
    fn wait(&self) -> bool {
        if self.wait {
            true
        } else if self.no_wait {
            false
        } else {
            std::io::stderr().is_terminal()
        }
    }
}

/// The objects as the cluster client takes them.
pub fn object_set(manifests: &Manifests) -> ObjectSet {
    ObjectSet {
        workflow: manifests.workflow.clone(),
        namespace: manifests.namespace.clone(),
        objects: manifests
            .objects
            .iter()
            .map(|m| {
                Object::from_json(m.to_json())
                    .expect("tntc-manifests makes only kinds tntc-cluster knows")
            })
            .collect(),
    }
}

/// Applies `manifests` (with real Secret values: never printed) and waits when asked.
pub fn apply(out: &Printer, manifests: &Manifests, args: &ApplyArgs) -> CliResult {
    let set = object_set(manifests);
    let started = Instant::now();
    let started_at = humantime_rfc3339(SystemTime::now());
    let wait = args.wait();
    let timeout = args.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let mut report = ApplyReport::default();
    let outcome: Result<Option<tntc_cluster::RolloutProgress>, ClusterError> = block_on(async {
        let cluster = args.cluster.connect().await?;
        out.note(format!(
            "Deploying {} {} to namespace {} on {}",
            set.workflow,
            manifests.version,
            set.namespace,
            cluster.server()
        ));
        report = cluster
            .apply(
                &set,
                ApplyOptions {
                    force_conflicts: args.force_conflicts,
                },
                |applied| {
                    if !out.json() {
                        out.line(format!(
                            "{} {}/{}",
                            applied.action.as_str(),
                            applied.kind,
                            applied.name
                        ));
                    }
                },
            )
            .await?;
        let Some(deployment) = set.deployment() else {
            return Ok(None);
        };
        if !wait {
            return Ok(None);
        }
        out.note(format!(
            "Waiting for the rollout of {deployment} (up to {} s)...",
            timeout.as_secs()
        ));
        let done = cluster
            .wait_rollout(&set.namespace, deployment, timeout, |progress| {
                out.note(format!("  {progress}"));
            })
            .await?;
        Ok(Some(done))
    })?;
    let duration_ms = started.elapsed().as_millis() as u64;
    let changed = report
        .objects
        .iter()
        .filter(|a| a.action != Action::Unchanged)
        .count();
    match outcome {
        Ok(rollout) => {
            let summary = match (&rollout, changed) {
                (Some(p), _) => format!(
                    "deployed {} to {}: {} of {} replicas available",
                    set.workflow, set.namespace, p.available, p.replicas
                ),
                (None, 0) => format!(
                    "{} in {} is up to date: nothing changed",
                    set.workflow, set.namespace
                ),
                (None, _) => format!("applied {} to {}", set.workflow, set.namespace),
            };
            let mut hints = Vec::new();
            if rollout.is_none() {
                hints.push(format!(
                    "not waiting for the rollout: `tntc status {} -n {}` shows it (or deploy with --wait)",
                    set.workflow, set.namespace
                ));
            }
            if out.json() {
                out.report(&envelope(
                    "pass",
                    &summary,
                    &hints,
                    &started_at,
                    duration_ms,
                    &report,
                    rollout.as_ref(),
                ));
            } else {
                out.line(summary);
                for hint in hints {
                    out.note(format!("note: {hint}"));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            let hints = vec![
                format!(
                    "`tntc status {} -n {}` shows the pods and events",
                    set.workflow, set.namespace
                ),
                format!(
                    "`tntc logs {} -n {}` shows the engine's log",
                    set.workflow, set.namespace
                ),
            ];
            if out.json() {
                let mut value = envelope(
                    "fail",
                    &err.to_string(),
                    &hints,
                    &started_at,
                    duration_ms,
                    &report,
                    None,
                );
                if let ClusterError::Rollout(failure) = &err {
                    value["rollout"] = serde_json::to_value(failure.as_ref())?;
                }
                out.report(&value);
                Ok(ExitCode::from(cli_error(err).exit_code()))
            } else {
                Err(cli_error(err))
            }
        }
    }
}

/// The original's `-o json` envelope, plus the objects applied and the rollout.
fn envelope(
    status: &str,
    summary: &str,
    hints: &[String],
    started_at: &str,
    duration_ms: u64,
    report: &ApplyReport,
    rollout: Option<&tntc_cluster::RolloutProgress>,
) -> Value {
    json!({
        "version": "1",
        "command": "deploy",
        "status": status,
        "summary": summary,
        "hints": hints,
        "timing": {"startedAt": started_at, "durationMs": duration_ms},
        "objects": report.objects,
        "rollout": rollout,
    })
}

/// RFC 3339 in UTC, seconds precision.
fn humantime_rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    k8s_openapi::jiff::Timestamp::from_second(secs)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
