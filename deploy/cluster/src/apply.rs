//! Server-side apply of a workflow's objects, in order, then pruning what the new set lacks.
//!
//! Apply (not create-or-replace as the original did) lets the API server merge: fields other
//! managers own (an HPA's replicas, a mesh's injected annotations) survive a deploy, and a
//! deploy of the same objects changes nothing: no new resourceVersion, no new generation, no
//! restart. A code change still rolls the pods through the pod template's `checksum/code`
//! annotation.

use kube::Api;
use kube::api::{DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use serde::Serialize;

use crate::objects::{FIELD_MANAGER, Kind, Object, ObjectSet, SECRETS_ANNOTATION, selector};
use crate::{Cluster, ClusterError, Op};

/// How to apply.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApplyOptions {
    /// Take over fields another field manager owns instead of failing with a conflict.
    pub force_conflicts: bool,
}

/// What happened to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// It did not exist.
    Created,
    /// It changed.
    Configured,
    /// Applying it changed nothing.
    Unchanged,
    /// The workflow no longer has it; deleted.
    Pruned,
}

impl Action {
    /// `created`, `configured`, `unchanged`, `pruned`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Pruned => "pruned",
        }
    }
}

/// One object applied or pruned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Its kind.
    pub kind: Kind,
    /// Its name.
    pub name: String,
    /// What happened.
    pub action: Action,
}

/// What [`Cluster::apply`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    /// Every object of the set, in apply order, then the pruned ones.
    pub objects: Vec<Applied>,
}

impl ApplyReport {
    /// Whether the Deployment was created or changed (so a rollout follows).
    pub fn deployment_changed(&self) -> bool {
        self.objects.iter().any(|a| {
            a.kind == Kind::Deployment && matches!(a.action, Action::Created | Action::Configured)
        })
    }
}

/// Whether an apply left the object as it was. The same resourceVersion says so at once; a
/// new one can also come from a write that changed nothing we applied: a status written in
/// between, or a server that refreshes its managedFields timestamps on a no-op apply (seen
/// under load, kubernetes#121404). So the object is compared without them.
fn same_content(before: &DynamicObject, after: &DynamicObject) -> bool {
    if before.metadata.resource_version == after.metadata.resource_version {
        return true;
    }
    let strip = |object: &DynamicObject| {
        let mut object = object.clone();
        object.metadata.resource_version = None;
        object.metadata.managed_fields = None;
        if let Some(data) = object.data.as_object_mut() {
            data.remove("status");
        }
        object
    };
    let (before, after) = (strip(before), strip(after));
    before.metadata == after.metadata && before.data == after.data
}

impl Cluster {
    pub(crate) async fn dynamic(&self, kind: Kind, namespace: &str) -> Api<DynamicObject> {
        Api::namespaced_with(
            self.client.clone(),
            namespace,
            &self.api_resource(kind).await,
        )
    }

    /// Applies every object of `set` in order, then prunes. `progress` sees each object as it
    /// is done. When an object fails, the error says which objects were applied before it.
    pub async fn apply(
        &self,
        set: &ObjectSet,
        options: ApplyOptions,
        mut progress: impl FnMut(&Applied),
    ) -> Result<ApplyReport, ClusterError> {
        let mut report = ApplyReport::default();
        let set = &Self::with_secret_checksum(set);
        let keep_secret_checksum = !set.objects.iter().any(|o| o.kind == Kind::Secret);
        for (index, object) in set.objects.iter().enumerate() {
            match self
                .apply_one(&set.namespace, object, options, keep_secret_checksum)
                .await
            {
                Ok(action) => {
                    let applied = Applied {
                        kind: object.kind,
                        name: object.name.clone(),
                        action,
                    };
                    progress(&applied);
                    report.objects.push(applied);
                }
                Err(err) if index == 0 => return Err(err),
                Err(err) => {
                    return Err(ClusterError::PartlyApplied {
                        source: Box::new(err),
                        applied: set.objects[..index].iter().map(Object::id).collect(),
                        pending: set.objects[index..].iter().map(Object::id).collect(),
                    });
                }
            }
        }
        let pruned = self.prune(set, &mut progress, &mut report).await;
        pruned.map_err(|err| ClusterError::PartlyApplied {
            source: Box::new(err),
            applied: set.objects.iter().map(Object::id).collect(),
            pending: vec!["pruning the objects the workflow no longer has".into()],
        })?;
        Ok(report)
    }

    /// `set` with `checksum/secrets` (of the set's Secret) on the Deployment's pod template.
    /// Without a Secret, [`Cluster::apply_one`] keeps the live Deployment's value instead.
    fn with_secret_checksum(set: &ObjectSet) -> ObjectSet {
        let mut set = set.clone();
        let secret = set
            .objects
            .iter()
            .find(|o| o.kind == Kind::Secret)
            .map(|o| secret_checksum(&o.json));
        if let (Some(checksum), Some(deployment)) = (
            secret,
            set.objects.iter_mut().find(|o| o.kind == Kind::Deployment),
        ) {
            set_template_annotation(&mut deployment.json, &checksum);
        }
        set
    }

    async fn apply_one(
        &self,
        namespace: &str,
        object: &Object,
        options: ApplyOptions,
        keep_secret_checksum: bool,
    ) -> Result<Action, ClusterError> {
        let api = self.dynamic(object.kind, namespace).await;
        let get = Op::on("get", object.kind, namespace).named(&object.name);
        let before = api
            .get_opt(&object.name)
            .await
            .map_err(|e| self.err(e, &get))?;
        let mut json = object.json.clone();
        json["metadata"]["namespace"] = namespace.into();
        if object.kind == Kind::Deployment
            && keep_secret_checksum
            && let Some(live) = before.as_ref().and_then(|b| {
                b.data
                    .pointer(&format!(
                        "/spec/template/metadata/annotations/{}",
                        SECRETS_ANNOTATION.replace('/', "~1")
                    ))
                    .and_then(|v| v.as_str())
            })
        {
            set_template_annotation(&mut json, live);
        }
        if object.kind == Kind::CronJob {
            json["apiVersion"] = self.api_resource(Kind::CronJob).await.api_version.into();
        }
        let mut params = PatchParams::apply(FIELD_MANAGER);
        params.force = options.force_conflicts;
        // An apply that creates the object is authorized as `create`, one that changes it as
        // `patch`: name the verb RBAC checks.
        let verb = if before.is_some() { "patch" } else { "create" };
        let patch = Op::on(verb, object.kind, namespace).named(&object.name);
        let after = api
            .patch(&object.name, &params, &Patch::Apply(&json))
            .await
            .map_err(|err| match err {
                kube::Error::Api(status) if status.code == 409 => ClusterError::Conflict {
                    kind: object.kind,
                    name: object.name.clone(),
                    namespace: namespace.to_owned(),
                    message: status.message.clone(),
                },
                other => self.err(other, &patch),
            })?;
        Ok(match before {
            None => Action::Created,
            Some(before) if same_content(&before, &after) => Action::Unchanged,
            Some(_) => Action::Configured,
        })
    }

    /// Deletes the workflow's objects (by its labels) that `set` lacks.
    async fn prune(
        &self,
        set: &ObjectSet,
        progress: &mut impl FnMut(&Applied),
        report: &mut ApplyReport,
    ) -> Result<(), ClusterError> {
        let labels = ListParams::default().labels(&selector(&set.workflow));
        for kind in Kind::ALL.into_iter().filter(|k| k.pruned()) {
            let api = self.dynamic(kind, &set.namespace).await;
            let list = Op::on("list", kind, &set.namespace);
            let live = api.list(&labels).await.map_err(|e| self.err(e, &list))?;
            for item in live.items {
                let Some(name) = item.metadata.name else {
                    continue;
                };
                if set.has(kind, &name) {
                    continue;
                }
                let delete = Op::on("delete", kind, &set.namespace).named(&name);
                match api.delete(&name, &DeleteParams::background()).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(status)) if status.code == 404 => {}
                    Err(err) => return Err(self.err(err, &delete)),
                }
                let pruned = Applied {
                    kind,
                    name,
                    action: Action::Pruned,
                };
                progress(&pruned);
                report.objects.push(pruned);
            }
        }
        Ok(())
    }
}

/// `sha256:<hex>` of a Secret's `data` and `stringData`, as written (tntc-manifests sorts the keys).
fn secret_checksum(secret: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(
        secret
            .get("data")
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    hasher.update(b"\0");
    hasher.update(
        secret
            .get("stringData")
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Sets the `checksum/secrets` annotation of a Deployment's pod template.
fn set_template_annotation(deployment: &mut serde_json::Value, checksum: &str) {
    let template = &mut deployment["spec"]["template"];
    if !template["metadata"].is_object() {
        template["metadata"] = serde_json::json!({});
    }
    if !template["metadata"]["annotations"].is_object() {
        template["metadata"]["annotations"] = serde_json::json!({});
    }
    template["metadata"]["annotations"][SECRETS_ANNOTATION] = checksum.into();
}

#[cfg(test)]
mod tests {
    use super::same_content;
    use kube::api::DynamicObject;
    use serde_json::json;

    fn object(value: serde_json::Value) -> DynamicObject {
        serde_json::from_value(value).expect("an object")
    }

    fn deployment(resource_version: &str, time: &str, replicas: u32, ready: u32) -> DynamicObject {
        object(json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "w",
                "namespace": "n",
                "generation": 1,
                "resourceVersion": resource_version,
                "managedFields": [{"manager": "tntc", "operation": "Apply", "time": time}],
            },
            "spec": {"replicas": replicas},
            "status": {"readyReplicas": ready},
        }))
    }

    #[test]
    fn a_new_resource_version_from_status_or_managed_fields_time_alone_is_unchanged() {
        let before = deployment("1", "2026-12-07T10:00:00Z", 1, 0);
        let after = deployment("7", "2026-12-07T10:00:05Z", 1, 1);
        assert!(same_content(&before, &after));
    }

    #[test]
    fn a_changed_spec_or_label_is_configured_whatever_the_resource_version() {
        let before = deployment("1", "2026-12-07T10:00:00Z", 1, 0);
        assert!(!same_content(
            &before,
            &deployment("2", "2026-12-07T10:00:00Z", 2, 0)
        ));
        let mut labelled = deployment("2", "2026-12-07T10:00:00Z", 1, 0);
        labelled.metadata.labels = Some([("a".to_owned(), "b".to_owned())].into());
        assert!(!same_content(&before, &labelled));
    }
}
