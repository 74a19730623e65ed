//! Waiting for a Deployment's rollout, as `kubectl rollout status` judges it, and failing
//! fast when a pod cannot start.
//!
//! Every [`POLL`] the Deployment and its pods are read. Done: the controller has seen the
//! newest generation and every replica is updated and available, with no old replica left.
//! Failed: a container waits for a reason that does not fix itself ([`FATAL_REASONS`], e.g.
//! `ImagePullBackOff`), the Deployment reports `ProgressDeadlineExceeded`, the timeout passes,
//! or the API server stops answering ([`LOST_AFTER`] polls in a row). The failure carries
//! the pod's reason and message and its last log lines.

use std::fmt;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, LogParams};
use serde::Serialize;

use crate::{Cluster, ClusterError, Kind, Op};

/// How often the state is read.
pub const POLL: Duration = Duration::from_millis(500);

/// Consecutive failed reads after which the API server counts as gone.
pub const LOST_AFTER: u32 = 3;

/// Container waiting reasons that end a rollout at once.
pub const FATAL_REASONS: &[&str] = &[
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

/// Lines of a failing pod's log shown with the failure.
const LOG_LINES: i64 = 20;

/// Where a rollout stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RolloutProgress {
    /// Replicas wanted.
    pub replicas: i32,
    /// Replicas of the newest template.
    pub updated: i32,
    /// Replicas ready.
    pub ready: i32,
    /// Replicas available.
    pub available: i32,
    /// What the first pod not ready is waiting for (`ContainerCreating`), if anything.
    pub waiting: Option<String>,
}

impl fmt::Display for RolloutProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} updated, {}/{} available",
            self.updated, self.replicas, self.available, self.replicas
        )?;
        if let Some(waiting) = &self.waiting {
            write!(f, " ({waiting})")?;
        }
        Ok(())
    }
}

/// Why a rollout failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "camelCase")]
pub enum Cause {
    /// A pod's container cannot start.
    Pod {
        /// The pod.
        pod: String,
        /// The kubelet's reason (`ImagePullBackOff`).
        reason: String,
        /// Its message.
        message: String,
        /// The container's last log lines (of the previous run after a restart).
        logs: Vec<String>,
    },
    /// The Deployment reports `ProgressDeadlineExceeded`.
    Deadline {
        /// The condition's message.
        message: String,
    },
    /// `--timeout` passed.
    TimedOut {
        /// The timeout in seconds.
        seconds: u64,
    },
    /// The API server stopped answering.
    Lost {
        /// The client's error.
        reason: String,
    },
}

/// A rollout that did not finish, with where it stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolloutFailure {
    /// The Deployment.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The last progress seen.
    pub progress: RolloutProgress,
    /// Why.
    pub cause: Cause,
}

impl fmt::Display for RolloutFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        match &self.cause {
            Cause::Pod {
                pod,
                reason,
                message,
                logs,
            } => {
                write!(f, "rollout of {name} failed: pod {pod} is in {reason}")?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                if !logs.is_empty() {
                    write!(f, "\n  last log lines of {pod}:")?;
                    for line in logs {
                        write!(f, "\n    {line}")?;
                    }
                }
                write!(f, "\n  help: {}", help_for(reason, name))
            }
            Cause::Deadline { message } => write!(
                f,
                "rollout of {name} failed: {message} ({})\n  help: `tntc status {name} --detail` shows the pods and events",
                self.progress
            ),
            Cause::TimedOut { seconds } => write!(
                f,
                "rollout of {name} did not finish within {seconds} s: {}\n  help: `tntc status {name}` shows the pods and events; wait longer with --timeout",
                self.progress
            ),
            Cause::Lost { reason } => write!(
                f,
                "lost the API server while waiting for the rollout of {name} ({reason}): the objects were applied, but whether the rollout finished is unknown ({} when last seen)\n  help: `tntc status {name} -n {}` once the cluster answers again",
                self.progress, self.namespace
            ),
        }
    }
}

fn help_for(reason: &str, name: &str) -> String {
    match reason {
        "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull" => {
            "check the image name (--image, .tentacular/base-image.txt) and that the cluster may pull it (imagePullSecrets, registry reachable from the nodes)".into()
        }
        "CrashLoopBackOff" | "RunContainerError" => {
            format!("the engine exits at start: see the log above and `tntc logs {name}`")
        }
        _ => format!("`tntc status {name} --detail` shows the pod's events"),
    }
}

impl Cluster {
    /// Waits until Deployment `name` has rolled out, calling `progress` whenever the state
    /// changes.
    pub async fn wait_rollout(
        &self,
        namespace: &str,
        name: &str,
        timeout: Duration,
        mut progress: impl FnMut(&RolloutProgress),
    ) -> Result<RolloutProgress, ClusterError> {
        let started = Instant::now();
        let mut last = RolloutProgress::default();
        let mut failures = 0;
        let mut first = true;
        loop {
            let failure = |cause| {
                ClusterError::Rollout(Box::new(RolloutFailure {
                    name: name.to_owned(),
                    namespace: namespace.to_owned(),
                    progress: last.clone(),
                    cause,
                }))
            };
            match self.rollout_state(namespace, name).await {
                Ok(State::Done(now)) => {
                    progress(&now);
                    return Ok(now);
                }
                Ok(State::Failed(cause)) => return Err(failure(cause)),
                Ok(State::Progressing(now)) => {
                    failures = 0;
                    if first || now != last {
                        progress(&now);
                        first = false;
                    }
                    last = now;
                }
                Err(err) if err.is_unreachable() => {
                    failures += 1;
                    if failures >= LOST_AFTER {
                        let reason = match &err {
                            ClusterError::Unreachable { reason, .. } => reason.clone(),
                            other => other.to_string(),
                        };
                        return Err(failure(Cause::Lost { reason }));
                    }
                }
                Err(err) => return Err(err),
            }
            if started.elapsed() >= timeout {
                return Err(ClusterError::Rollout(Box::new(RolloutFailure {
                    name: name.to_owned(),
                    namespace: namespace.to_owned(),
                    progress: last,
                    cause: Cause::TimedOut {
                        seconds: timeout.as_secs(),
                    },
                })));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn rollout_state(&self, namespace: &str, name: &str) -> Result<State, ClusterError> {
        let deployments: Api<Deployment> = Api::namespaced(self.client.clone(), namespace);
        let get = Op::on("get", Kind::Deployment, namespace).named(name);
        let deployment = deployments.get(name).await.map_err(|e| self.err(e, &get))?;
        let spec = deployment.spec.clone().unwrap_or_default();
        let status = deployment.status.clone().unwrap_or_default();
        let replicas = spec.replicas.unwrap_or(1);
        let mut now = RolloutProgress {
            replicas,
            updated: status.updated_replicas.unwrap_or(0),
            ready: status.ready_replicas.unwrap_or(0),
            available: status.available_replicas.unwrap_or(0),
            waiting: None,
        };
        let observed =
            status.observed_generation.unwrap_or(0) >= deployment.metadata.generation.unwrap_or(0);
        if observed {
            let deadline = status.conditions.iter().flatten().find(|c| {
                c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
            });
            if let Some(condition) = deadline {
                return Ok(State::Failed(Cause::Deadline {
                    message: condition.message.clone().unwrap_or_default(),
                }));
            }
            if now.updated >= replicas
                && status.replicas.unwrap_or(0) <= now.updated
                && now.available >= now.updated
            {
                return Ok(State::Done(now));
            }
        }
        let selector = spec
            .selector
            .match_labels
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let list = Op::new("list", "pods", namespace);
        let live = pods
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| self.err(e, &list))?;
        for pod in &live.items {
            let pod_name = pod.metadata.name.clone().unwrap_or_default();
            let statuses = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.clone())
                .unwrap_or_default();
            for container in statuses {
                let Some(waiting) = container.state.and_then(|s| s.waiting) else {
                    continue;
                };
                let reason = waiting.reason.unwrap_or_default();
                if FATAL_REASONS.contains(&reason.as_str()) {
                    let logs = self
                        .last_lines(namespace, &pod_name, container.restart_count > 0)
                        .await;
                    return Ok(State::Failed(Cause::Pod {
                        pod: pod_name,
                        reason,
                        message: waiting.message.unwrap_or_default(),
                        logs,
                    }));
                }
                if now.waiting.is_none() && !reason.is_empty() {
                    now.waiting = Some(format!("{pod_name}: {reason}"));
                }
            }
        }
        Ok(State::Progressing(now))
    }

    /// The last lines of a pod's log; none when the server has none to give (a container
    /// that never started).
    async fn last_lines(&self, namespace: &str, pod: &str, previous: bool) -> Vec<String> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let params = LogParams {
            tail_lines: Some(LOG_LINES),
            previous,
            ..LogParams::default()
        };
        match pods.logs(pod, &params).await {
            Ok(text) => text.lines().map(str::to_owned).collect(),
            Err(_) => Vec::new(),
        }
    }
}

enum State {
    Done(RolloutProgress),
    Progressing(RolloutProgress),
    Failed(Cause),
}
