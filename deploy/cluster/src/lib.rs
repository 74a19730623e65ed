//! `tntc-cluster`: puts a workflow on a Kubernetes cluster and reads it back. CLI only: the
//! pod runs `tntc-host`, which never links this crate, `kube` or `k8s-openapi` (`.ci/run`
//! checks it with `cargo tree`).
//!
//! # Connecting
//! [`Cluster::connect`] reads the kubeconfig from `KUBECONFIG` (a list of files is merged) or
//! `~/.kube/config`, with `--context` or the current context; without a kubeconfig, inside a
//! pod, the pod's service account (in-cluster config). The client is kube-rs over hyper with
//! rustls and ring.
//!
//! # What it does
//! | operation | how |
//! |---|---|
//! | [`Cluster::apply`] | server-side apply (field manager `tntc`) of every object in order, then prune: delete the workflow's objects (by its labels) that the new set no longer has, e.g. the CronJob of a removed cron trigger; never a Secret |
//! | [`Cluster::wait_rollout`] | polls the Deployment's status and its pods until every replica is updated and available; fails fast with the pod's reason (`ImagePullBackOff`, `CrashLoopBackOff`, ...) and its last log lines |
//! | [`Cluster::status`] | readiness, replicas, image, runtime class, pods with restarts and last state, recent events |
//! | [`Cluster::invoke`] | `POST /run` through the API server's service proxy (`services/{name}:8080/proxy/run`): no pod is created |
//! | [`Cluster::logs`] | the logs of every pod of the workflow, optionally followed |
//! | [`Cluster::list`] | the Deployments labelled `app.kubernetes.io/managed-by: tentacular` |
//! | [`Cluster::undeploy`] | deletes everything with the workflow's labels (and its `-secrets`/`-code` by name) |
//! | [`Cluster::check`] | reachability and version, namespace, RuntimeClass, RBAC through SelfSubjectAccessReview for every verb tntc uses, the namespace's Pod Security label |
//!
//! # Errors
//! Every failure is a [`ClusterError`] that names the operation (verb, resource, namespace)
//! and says what to do: no kubeconfig, an unreachable server, 401, 403 (which verb on which
//! resource), a missing namespace, a workflow that is not deployed, a 409 conflict with another
//! field manager, a failed rollout, and, when applying stopped part-way, which objects were
//! applied and which were not.

// A ClusterError carries the operation and the server's words (~140 bytes); it is returned
// only after a network round trip, where moving it costs nothing next to the I/O.
#![allow(clippy::result_large_err)]

mod apply;
mod check;
mod connect;
mod error;
mod invoke;
mod list;
mod logs;
mod objects;
pub mod rollout;
mod status;

pub use apply::{Action, Applied, ApplyOptions, ApplyReport};
pub use check::{Check, CheckOptions};
pub use connect::ConnectOptions;
pub use error::{ClusterError, Op};
pub use list::{Deleted, WorkflowSummary};
pub use logs::{LogLine, LogOptions};
pub use objects::{
    FIELD_MANAGER, Kind, MANAGED_BY, MANAGED_BY_LABEL, NAME_LABEL, Object, ObjectSet,
    SECRETS_ANNOTATION, VERSION_LABEL, selector,
};
pub use rollout::{RolloutFailure, RolloutProgress};
pub use status::{EventSummary, PodSummary, WorkflowStatus};

/// A connection to one cluster.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    server: String,
    /// The API version this server serves CronJobs in (asked once).
    cronjob_version: std::sync::Arc<tokio::sync::OnceCell<&'static str>>,
}

impl Cluster {
    /// The API server's URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The kube client, for callers that need an API this crate does not wrap.
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// The API resource of `kind` on this server. CronJobs are `batch/v1` since Kubernetes
    /// 1.21; an older server (1.20 serves only `batch/v1beta1`, with the same fields tntc
    /// sets) gets `batch/v1beta1`. One discovery request, the first time.
    pub async fn api_resource(&self, kind: Kind) -> kube::core::ApiResource {
        let mut resource = kind.api_resource();
        if kind == Kind::CronJob {
            let version = self
                .cronjob_version
                .get_or_init(|| async {
                    match self.client.list_api_group_resources("batch/v1").await {
                        Ok(list) if !list.resources.iter().any(|r| r.name == "cronjobs") => {
                            "v1beta1"
                        }
                        _ => "v1",
                    }
                })
                .await;
            resource.version = (*version).to_owned();
            resource.api_version = format!("batch/{version}");
        }
        resource
    }

    fn err(&self, err: kube::Error, op: &Op) -> ClusterError {
        ClusterError::from_kube(err, op, &self.server)
    }
}
