//! A deployed workflow's state: its Deployment, pods, Service, CronJobs and recent events.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ContainerState, Event, Pod, Service};
use kube::Api;
use kube::api::ListParams;
use serde::Serialize;

use crate::objects::{NAME_LABEL, VERSION_LABEL, selector};
use crate::{Cluster, ClusterError, Kind, Op};

/// Events shown, newest first.
const EVENTS: usize = 10;

/// What `tntc status` shows. The first five fields are the original's `status` JSON; the
/// rest is its `--detail` (and more: version, pods' last state, CronJobs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowStatus {
    /// The workflow.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Every wanted replica is ready.
    pub ready: bool,
    /// Replicas wanted.
    pub replicas: i32,
    /// Replicas available.
    pub available: i32,
    /// Replicas ready.
    pub ready_replicas: i32,
    /// Replicas of the newest template.
    pub updated_replicas: i32,
    /// `app.kubernetes.io/version`.
    pub version: Option<String>,
    /// The engine's image.
    pub image: Option<String>,
    /// The pods' RuntimeClass.
    pub runtime_class: Option<String>,
    /// The engine's resource limits (`cpu`, `memory`).
    pub resource_limits: BTreeMap<String, String>,
    /// `name.namespace.svc.cluster.local:8080`, when the Service exists.
    pub service_endpoint: Option<String>,
    /// The pods.
    pub pods: Vec<PodSummary>,
    /// The CronJobs of its cron triggers: name and schedule.
    pub cron_jobs: Vec<(String, String)>,
    /// Recent events of the Deployment, its pods and ReplicaSets, newest first.
    pub events: Vec<EventSummary>,
}

/// One pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSummary {
    /// Its name.
    pub name: String,
    /// `Pending`, `Running`, ...
    pub phase: String,
    /// Whether it is ready.
    pub ready: bool,
    /// Container restarts.
    pub restarts: i32,
    /// The engine container's state: `running`, `waiting: ImagePullBackOff`, ...
    pub state: String,
    /// Its previous state after a restart: `terminated: Error (exit 1)`.
    pub last_state: Option<String>,
    /// The node it runs on.
    pub node: Option<String>,
}

/// One event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSummary {
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `Pulled`, `BackOff`, ...
    pub reason: String,
    /// `Pod/word-count-7d9f`.
    pub object: String,
    /// The message.
    pub message: String,
    /// How often it happened.
    pub count: i32,
    /// When it last happened (RFC 3339).
    pub last_seen: Option<String>,
}

impl Cluster {
    /// The state of workflow `name` in `namespace`.
    pub async fn status(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<WorkflowStatus, ClusterError> {
        let deployments: Api<Deployment> = Api::namespaced(self.client.clone(), namespace);
        let get = Op::on("get", Kind::Deployment, namespace).named(name);
        let Some(deployment) = deployments
            .get_opt(name)
            .await
            .map_err(|e| self.err(e, &get))?
        else {
            return Err(self.not_found(namespace, name).await);
        };
        let spec = deployment.spec.clone().unwrap_or_default();
        let status = deployment.status.clone().unwrap_or_default();
        let pod_spec = spec.template.spec.clone().unwrap_or_default();
        let engine = pod_spec.containers.first();
        let replicas = spec.replicas.unwrap_or(1);
        let ready_replicas = status.ready_replicas.unwrap_or(0);
        let service: Api<Service> = Api::namespaced(self.client.clone(), namespace);
        let service_get = Op::on("get", Kind::Service, namespace).named(name);
        let service_endpoint = service
            .get_opt(name)
            .await
            .map_err(|e| self.err(e, &service_get))?
            .map(|_| format!("{name}.{namespace}.svc.cluster.local:8080"));
        let pods = self.pods(namespace, name).await?;
        let cron_jobs = self.cron_jobs(namespace, name).await?;
        let mut involved: Vec<String> = vec![name.to_owned()];
        involved.extend(pods.iter().map(|p| p.name.clone()));
        let events = self.events(namespace, name, &involved).await?;
        Ok(WorkflowStatus {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            ready: replicas > 0 && ready_replicas >= replicas,
            replicas,
            available: status.available_replicas.unwrap_or(0),
            ready_replicas,
            updated_replicas: status.updated_replicas.unwrap_or(0),
            version: deployment
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(VERSION_LABEL).cloned()),
            image: engine.and_then(|c| c.image.clone()),
            runtime_class: pod_spec.runtime_class_name.clone(),
            resource_limits: engine
                .and_then(|c| c.resources.as_ref())
                .and_then(|r| r.limits.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.0))
                .collect(),
            service_endpoint,
            pods,
            cron_jobs,
            events,
        })
    }

    /// The pods of workflow `name`, running ones first.
    pub(crate) async fn pods(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Vec<PodSummary>, ClusterError> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let list = Op::new("list", "pods", namespace);
        let live = pods
            .list(&ListParams::default().labels(&format!("{NAME_LABEL}={name}")))
            .await
            .map_err(|e| self.err(e, &list))?;
        let mut out: Vec<PodSummary> = live.items.into_iter().map(summarize_pod).collect();
        out.sort_by_key(|p| (p.phase != "Running", p.name.clone()));
        Ok(out)
    }

    async fn cron_jobs(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Vec<(String, String)>, ClusterError> {
        let api = self.dynamic(Kind::CronJob, namespace).await;
        let list = Op::on("list", Kind::CronJob, namespace);
        let live = api
            .list(&ListParams::default().labels(&selector(name)))
            .await
            .map_err(|e| self.err(e, &list))?;
        Ok(live
            .items
            .into_iter()
            .map(|c| {
                let schedule = c.data.pointer("/spec/schedule").and_then(|s| s.as_str());
                (
                    c.metadata.name.unwrap_or_default(),
                    schedule.unwrap_or_default().to_owned(),
                )
            })
            .collect())
    }

    async fn events(
        &self,
        namespace: &str,
        name: &str,
        involved: &[String],
    ) -> Result<Vec<EventSummary>, ClusterError> {
        let api: Api<Event> = Api::namespaced(self.client.clone(), namespace);
        let list = Op::new("list", "events", namespace);
        let live = api
            .list(&ListParams::default())
            .await
            .map_err(|e| self.err(e, &list))?;
        // ReplicaSets are named `<deployment>-<hash>`, pods `<deployment>-<hash>-<id>`.
        let prefix = format!("{name}-");
        let mut events: Vec<(String, EventSummary)> = live
            .items
            .into_iter()
            .filter(|e| {
                let object = e.involved_object.name.as_deref().unwrap_or("");
                involved.iter().any(|n| n == object)
                    || (object.starts_with(&prefix)
                        && matches!(
                            e.involved_object.kind.as_deref(),
                            Some("ReplicaSet" | "Pod")
                        ))
            })
            .map(|e| {
                let last = e
                    .last_timestamp
                    .as_ref()
                    .map(|t| t.0.to_string())
                    .or_else(|| e.event_time.as_ref().map(|t| t.0.to_string()));
                (
                    last.clone().unwrap_or_default(),
                    EventSummary {
                        type_: e.type_.unwrap_or_default(),
                        reason: e.reason.unwrap_or_default(),
                        object: format!(
                            "{}/{}",
                            e.involved_object.kind.unwrap_or_default(),
                            e.involved_object.name.unwrap_or_default()
                        ),
                        message: e.message.unwrap_or_default(),
                        count: e.count.unwrap_or(1),
                        last_seen: last,
                    },
                )
            })
            .collect();
        events.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(events.into_iter().map(|(_, e)| e).take(EVENTS).collect())
    }

    /// "Not deployed here", and where else it is, when tntc may look.
    pub(crate) async fn not_found(&self, namespace: &str, name: &str) -> ClusterError {
        let all: Api<Deployment> = Api::all(self.client.clone());
        let elsewhere = match all
            .list(&ListParams::default().labels(&selector(name)))
            .await
        {
            Ok(list) => list
                .items
                .into_iter()
                .filter(|d| d.metadata.name.as_deref() == Some(name))
                .filter_map(|d| d.metadata.namespace)
                .filter(|ns| ns != namespace)
                .collect(),
            Err(_) => Vec::new(),
        };
        ClusterError::WorkflowNotFound {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            elsewhere,
        }
    }
}

fn summarize_pod(pod: Pod) -> PodSummary {
    let status = pod.status.unwrap_or_default();
    let container = status
        .container_statuses
        .as_ref()
        .and_then(|c| c.first().cloned());
    PodSummary {
        name: pod.metadata.name.unwrap_or_default(),
        phase: status.phase.clone().unwrap_or_else(|| "Unknown".into()),
        ready: container.as_ref().is_some_and(|c| c.ready),
        restarts: container.as_ref().map_or(0, |c| c.restart_count),
        state: container
            .as_ref()
            .and_then(|c| c.state.as_ref())
            .map(describe)
            .unwrap_or_else(|| "not started".into()),
        last_state: container
            .as_ref()
            .and_then(|c| c.last_state.as_ref())
            .map(describe)
            .filter(|s| !s.is_empty()),
        node: pod.spec.and_then(|s| s.node_name),
    }
}

/// `running`, `waiting: ImagePullBackOff`, `terminated: Error (exit 1)`; empty when unset.
fn describe(state: &ContainerState) -> String {
    if state.running.is_some() {
        "running".into()
    } else if let Some(w) = &state.waiting {
        format!("waiting: {}", w.reason.as_deref().unwrap_or("unknown"))
    } else if let Some(t) = &state.terminated {
        format!(
            "terminated: {} (exit {})",
            t.reason.as_deref().unwrap_or("unknown"),
            t.exit_code
        )
    } else {
        String::new()
    }
}
