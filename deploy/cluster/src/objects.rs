//! The objects of one workflow, as the API server sees them: kind, name, JSON, and the labels
//! that tie them to the workflow.

use std::fmt;

use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

/// `app.kubernetes.io/name`: the workflow's name, on every object of it.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";
/// `app.kubernetes.io/managed-by`.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value: `tentacular`, kept from the original so tooling written for it still works.
pub const MANAGED_BY: &str = "tentacular";
/// `app.kubernetes.io/version`.
pub const VERSION_LABEL: &str = "app.kubernetes.io/version";
/// Pod-template annotation that rolls the pods when the workflow's Secret changes.
pub const SECRETS_ANNOTATION: &str = "checksum/secrets";
/// The server-side apply field manager.
pub const FIELD_MANAGER: &str = "tntc";

/// The label selector of a workflow's objects.
pub fn selector(workflow: &str) -> String {
    format!("{NAME_LABEL}={workflow},{MANAGED_BY_LABEL}={MANAGED_BY}")
}

/// The kinds tntc puts on a cluster, in apply order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Kind {
    /// The bundle.
    ConfigMap,
    /// The engine.
    Deployment,
    /// Port 8080 of the engine.
    Service,
    /// One per cron trigger.
    CronJob,
    /// Ingress and egress from the contract.
    NetworkPolicy,
    /// The workflow's secrets.
    Secret,
}

impl Kind {
    /// Every kind, in apply order.
    pub const ALL: [Kind; 6] = [
        Kind::ConfigMap,
        Kind::Deployment,
        Kind::Service,
        Kind::CronJob,
        Kind::NetworkPolicy,
        Kind::Secret,
    ];

    /// The kind from an object's `kind`.
    pub fn from_name(kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == kind)
    }

    /// `Deployment`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::ConfigMap => "ConfigMap",
            Kind::Deployment => "Deployment",
            Kind::Service => "Service",
            Kind::CronJob => "CronJob",
            Kind::NetworkPolicy => "NetworkPolicy",
            Kind::Secret => "Secret",
        }
    }

    /// `(group, version, plural)`.
    fn parts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::ConfigMap => ("", "v1", "configmaps"),
            Kind::Deployment => ("apps", "v1", "deployments"),
            Kind::Service => ("", "v1", "services"),
            Kind::CronJob => ("batch", "v1", "cronjobs"),
            Kind::NetworkPolicy => ("networking.k8s.io", "v1", "networkpolicies"),
            Kind::Secret => ("", "v1", "secrets"),
        }
    }

    /// The API group (`""` for core).
    pub fn group(self) -> &'static str {
        self.parts().0
    }

    /// The plural resource name.
    pub fn plural(self) -> &'static str {
        self.parts().2
    }

    /// `plural[.group]`, as RBAC messages name it.
    pub fn resource(self) -> String {
        match self.group() {
            "" => self.plural().to_owned(),
            group => format!("{}.{group}", self.plural()),
        }
    }

    /// For kube's dynamic API.
    pub fn api_resource(self) -> ApiResource {
        let (group, version, plural) = self.parts();
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(group, version, self.name()),
            plural,
        )
    }

    /// Whether objects of this kind that the new set lacks are deleted on deploy. Not a
    /// Secret: without local secrets, `tntc deploy` leaves an existing one alone (as the
    /// original did), so a missing Secret in the set means "keep", not "remove".
    pub fn pruned(self) -> bool {
        self != Kind::Secret
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One object to apply.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// Its kind.
    pub kind: Kind,
    /// `metadata.name`.
    pub name: String,
    /// The whole object, `apiVersion` and `kind` included.
    pub json: Value,
}

impl Object {
    /// An object from its JSON (`kind` and `metadata.name` must be set, the kind one of
    /// [`Kind::ALL`]).
    pub fn from_json(json: Value) -> Option<Object> {
        let kind = Kind::from_name(json.get("kind")?.as_str()?)?;
        let name = json.pointer("/metadata/name")?.as_str()?.to_owned();
        Some(Object { kind, name, json })
    }

    /// `Kind/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// Everything of one workflow version, in apply order.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectSet {
    /// The workflow's name.
    pub workflow: String,
    /// Its namespace.
    pub namespace: String,
    /// The objects.
    pub objects: Vec<Object>,
}

impl ObjectSet {
    /// The Deployment's name, when the set has one.
    pub fn deployment(&self) -> Option<&str> {
        self.objects
            .iter()
            .find(|o| o.kind == Kind::Deployment)
            .map(|o| o.name.as_str())
    }

    /// Whether the set has `kind/name`.
    pub fn has(&self, kind: Kind, name: &str) -> bool {
        self.objects
            .iter()
            .any(|o| o.kind == kind && o.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_named_as_rbac_names_them() {
        assert_eq!(Kind::Deployment.resource(), "deployments.apps");
        assert_eq!(Kind::ConfigMap.resource(), "configmaps");
        assert_eq!(
            Kind::NetworkPolicy.resource(),
            "networkpolicies.networking.k8s.io"
        );
        assert_eq!(Kind::CronJob.api_resource().api_version, "batch/v1");
    }

    #[test]
    fn an_object_needs_a_known_kind_and_a_name() {
        let ok = serde_json::json!({"kind": "Service", "metadata": {"name": "a"}});
        assert_eq!(
            Object::from_json(ok).map(|o| o.id()),
            Some("Service/a".into())
        );
        let unknown = serde_json::json!({"kind": "Pod", "metadata": {"name": "a"}});
        assert!(Object::from_json(unknown).is_none());
        assert!(Object::from_json(serde_json::json!({"kind": "Service"})).is_none());
    }

    #[test]
    fn secrets_are_never_pruned() {
        assert!(!Kind::Secret.pruned());
        assert!(Kind::CronJob.pruned());
    }
}
