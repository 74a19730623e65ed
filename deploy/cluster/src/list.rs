//! What tntc has deployed (its Deployments), and taking a workflow off the cluster.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{DeleteParams, DynamicObject, ListParams};
use serde::Serialize;

use crate::objects::{MANAGED_BY, MANAGED_BY_LABEL, NAME_LABEL, VERSION_LABEL, selector};
use crate::{Cluster, ClusterError, Kind, Op};

/// One deployed workflow (a row of `tntc list`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkflowSummary {
    /// The workflow.
    pub name: String,
    /// `app.kubernetes.io/version`.
    pub version: String,
    /// Its namespace.
    pub namespace: String,
    /// `ready`, `progressing` or `not ready`.
    pub status: String,
    /// `ready/wanted`.
    pub replicas: String,
    /// When the Deployment was created (RFC 3339).
    pub created: Option<String>,
    /// Seconds since then.
    #[serde(rename = "ageSeconds")]
    pub age_seconds: Option<i64>,
}

/// One object `undeploy` deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deleted {
    /// Its kind.
    pub kind: Kind,
    /// Its name.
    pub name: String,
}

impl Cluster {
    /// The workflows in `namespace` (all namespaces with `None`), by name.
    pub async fn list(
        &self,
        namespace: Option<&str>,
    ) -> Result<Vec<WorkflowSummary>, ClusterError> {
        let (api, op): (Api<Deployment>, Op) = match namespace {
            Some(ns) => (
                Api::namespaced(self.client.clone(), ns),
                Op::on("list", Kind::Deployment, ns),
            ),
            None => (
                Api::all(self.client.clone()),
                Op::cluster("list", Kind::Deployment.resource()),
            ),
        };
        let labels = ListParams::default().labels(&format!("{MANAGED_BY_LABEL}={MANAGED_BY}"));
        let live = api.list(&labels).await.map_err(|e| self.err(e, &op))?;
        let now = Timestamp::now();
        let mut out: Vec<WorkflowSummary> = live
            .items
            .into_iter()
            .map(|d| {
                let labels = d.metadata.labels.clone().unwrap_or_default();
                let wanted = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                let status = d.status.clone().unwrap_or_default();
                let ready = status.ready_replicas.unwrap_or(0);
                let created = d.metadata.creation_timestamp.as_ref().map(|t| t.0);
                WorkflowSummary {
                    name: labels
                        .get(NAME_LABEL)
                        .cloned()
                        .or(d.metadata.name.clone())
                        .unwrap_or_default(),
                    version: labels.get(VERSION_LABEL).cloned().unwrap_or_default(),
                    namespace: d.metadata.namespace.clone().unwrap_or_default(),
                    status: if wanted > 0 && ready >= wanted {
                        "ready"
                    } else if status.updated_replicas.unwrap_or(0) < wanted
                        || status.observed_generation < d.metadata.generation
                    {
                        "progressing"
                    } else {
                        "not ready"
                    }
                    .into(),
                    replicas: format!("{ready}/{wanted}"),
                    created: created.map(|t| t.to_string()),
                    age_seconds: created.map(|t| now.duration_since(t).as_secs()),
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        Ok(out)
    }

    /// Deletes every object of workflow `name` in `namespace`: those with its labels, and its
    /// `<name>-secrets` and `<name>-code` by name (the original put no labels on the Secret).
    /// Errors when nothing of it was there.
    pub async fn undeploy(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Vec<Deleted>, ClusterError> {
        let labels = ListParams::default().labels(&selector(name));
        let mut deleted = Vec::new();
        // The Service first, so nothing is routed to pods that are going away.
        let order = [
            Kind::Service,
            Kind::Deployment,
            Kind::CronJob,
            Kind::NetworkPolicy,
            Kind::ConfigMap,
            Kind::Secret,
        ];
        for kind in order {
            let api: Api<DynamicObject> = self.dynamic(kind, namespace).await;
            let list = Op::on("list", kind, namespace);
            let mut names: Vec<String> = api
                .list(&labels)
                .await
                .map_err(|e| self.err(e, &list))?
                .items
                .into_iter()
                .filter_map(|o| o.metadata.name)
                .collect();
            let by_name = match kind {
                Kind::Secret => Some(format!("{name}-secrets")),
                Kind::ConfigMap => Some(format!("{name}-code")),
                _ => None,
            };
            if let Some(extra) = by_name
                && !names.contains(&extra)
            {
                names.push(extra);
            }
            for object in names {
                let delete = Op::on("delete", kind, namespace).named(&object);
                // Background, as kubectl: the object goes now, the garbage collector then
                // removes what it owns (ReplicaSets and pods, Jobs).
                match api.delete(&object, &DeleteParams::background()).await {
                    Ok(_) => deleted.push(Deleted { kind, name: object }),
                    Err(kube::Error::Api(status)) if status.code == 404 => {}
                    Err(err) => {
                        let err = self.err(err, &delete);
                        return Err(if deleted.is_empty() {
                            err
                        } else {
                            ClusterError::PartlyApplied {
                                source: Box::new(err),
                                applied: deleted
                                    .iter()
                                    .map(|d| format!("deleted {}/{}", d.kind, d.name))
                                    .collect(),
                                pending: vec![format!("{kind}/{object} and what follows it")],
                            }
                        });
                    }
                }
            }
        }
        if deleted.is_empty() {
            return Err(self.not_found(namespace, name).await);
        }
        Ok(deleted)
    }
}
