//! `tntc cluster check`: can tntc deploy here? Each check passes, passes with a warning, or
//! fails with what to do. Order as in the original, plus the Pod Security label.

use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::api::node::v1::RuntimeClass;
use kube::Api;
use kube::api::PostParams;
use serde::Serialize;
use serde_json::json;

use crate::{Cluster, ClusterError, Op};

/// One check's outcome (the original's `{name, passed, warning?, remediation?}`, plus a
/// `detail` saying what was found).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether it passed (a warning still passes).
    pub passed: bool,
    /// What was found, when there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A concern that does not stop a deploy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// How to fix a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

impl Check {
    fn pass(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            passed: true,
            detail: Some(detail.into()),
            warning: None,
            remediation: None,
        }
    }

    fn warn(name: impl Into<String>, warning: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            passed: true,
            detail: None,
            warning: Some(warning.into()),
            remediation: None,
        }
    }

    fn fail(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            passed: false,
            detail: Some(detail.into()),
            warning: None,
            remediation: Some(fix.into()),
        }
    }
}

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// The namespace to deploy to.
    pub namespace: String,
    /// The RuntimeClass the pods will ask for (`None`: none).
    pub runtime_class: Option<String>,
    /// The workflow's Secret to look for (when its contract references secrets).
    pub secret: Option<String>,
    /// Create the namespace when it is missing.
    pub fix: bool,
}

/// Every permission tntc uses: `(verb, group, resource)`.
pub const PERMISSIONS: &[(&str, &str, &str)] = &[
    ("get", "", "configmaps"),
    ("list", "", "configmaps"),
    ("patch", "", "configmaps"),
    ("create", "", "configmaps"),
    ("delete", "", "configmaps"),
    ("get", "apps", "deployments"),
    ("list", "apps", "deployments"),
    ("patch", "apps", "deployments"),
    ("create", "apps", "deployments"),
    ("delete", "apps", "deployments"),
    ("get", "", "services"),
    ("list", "", "services"),
    ("patch", "", "services"),
    ("create", "", "services"),
    ("delete", "", "services"),
    ("get", "batch", "cronjobs"),
    ("list", "batch", "cronjobs"),
    ("patch", "batch", "cronjobs"),
    ("create", "batch", "cronjobs"),
    ("delete", "batch", "cronjobs"),
    ("get", "networking.k8s.io", "networkpolicies"),
    ("list", "networking.k8s.io", "networkpolicies"),
    ("patch", "networking.k8s.io", "networkpolicies"),
    ("create", "networking.k8s.io", "networkpolicies"),
    ("delete", "networking.k8s.io", "networkpolicies"),
    ("get", "", "secrets"),
    ("list", "", "secrets"),
    ("patch", "", "secrets"),
    ("create", "", "secrets"),
    ("delete", "", "secrets"),
    ("list", "", "pods"),
    ("get", "", "pods/log"),
    ("create", "", "services/proxy"),
    ("list", "", "events"),
];

impl Cluster {
    /// Runs every check; stops after the first when the API server cannot be reached.
    pub async fn check(&self, options: &CheckOptions) -> Vec<Check> {
        let mut checks = Vec::new();
        let version = match self.client.apiserver_version().await {
            Ok(info) => info,
            Err(err) => {
                let err = self.err(err, &Op::cluster("get", "/version"));
                checks.push(Check::fail(
                    "K8s API reachable",
                    err.to_string(),
                    "check the kubeconfig's current context (or --context) and that the cluster is running",
                ));
                return checks;
            }
        };
        checks.push(Check::pass(
            "K8s API reachable",
            format!("Kubernetes {} at {}", version.git_version, self.server),
        ));
        checks.push(
            self.check_runtime_class(options.runtime_class.as_deref())
                .await,
        );
        let (namespace_check, labels) = self.check_namespace(&options.namespace, options.fix).await;
        checks.push(namespace_check);
        checks.push(self.check_rbac(&options.namespace).await);
        checks.push(pod_security(&options.namespace, labels, &version.minor));
        checks.push(
            self.check_secret(&options.namespace, options.secret.as_deref())
                .await,
        );
        checks
    }

    async fn check_runtime_class(&self, runtime_class: Option<&str>) -> Check {
        let Some(name) = runtime_class else {
            return Check::warn(
                "RuntimeClass",
                "no RuntimeClass (--runtime-class none): the pods run without gVisor, in the node's default runtime",
            );
        };
        let title = format!("RuntimeClass '{name}'");
        let api: Api<RuntimeClass> = Api::all(self.client.clone());
        match api.get_opt(name).await {
            Ok(Some(class)) => Check::pass(title, format!("handler {}", class.handler)),
            Ok(None) => Check::warn(
                title,
                format!(
                    "RuntimeClass {name:?} does not exist: pods asking for it will not be admitted; install gVisor (deploy/gvisor/) or deploy with --runtime-class none"
                ),
            ),
            Err(err) => Check::warn(
                title,
                format!(
                    "cannot read RuntimeClasses: {}",
                    self.err(
                        err,
                        &Op::cluster("get", "runtimeclasses.node.k8s.io").named(name)
                    )
                ),
            ),
        }
    }

    async fn check_namespace(
        &self,
        namespace: &str,
        fix: bool,
    ) -> (Check, Option<std::collections::BTreeMap<String, String>>) {
        let title = format!("Namespace '{namespace}'");
        let api: Api<Namespace> = Api::all(self.client.clone());
        let op = Op::cluster("get", "namespaces").named(namespace);
        match api.get_opt(namespace).await {
            Ok(Some(ns)) => (
                Check::pass(title, "exists"),
                Some(ns.metadata.labels.unwrap_or_default()),
            ),
            Ok(None) if fix => {
                let object: Namespace =
                    serde_json::from_value(json!({"metadata": {"name": namespace}}))
                        .expect("a namespace object");
                match api.create(&PostParams::default(), &object).await {
                    Ok(created) => (
                        Check::pass(title, "created (--fix)"),
                        Some(created.metadata.labels.unwrap_or_default()),
                    ),
                    Err(err) => (
                        Check::fail(
                            title,
                            self.err(err, &Op::cluster("create", "namespaces").named(namespace))
                                .to_string(),
                            "ask a cluster admin to create it",
                        ),
                        None,
                    ),
                }
            }
            Ok(None) => (
                Check::fail(
                    title,
                    "does not exist",
                    format!(
                        "run `tntc cluster check -n {namespace} --fix` to create it, or pick another with -n"
                    ),
                ),
                None,
            ),
            Err(err) => match self.err(err, &op) {
                ClusterError::Forbidden { .. } => (
                    Check::warn(
                        title,
                        "tntc may not read namespaces, so cannot tell whether it exists",
                    ),
                    None,
                ),
                other => (Check::fail(title, other.to_string(), "see the error"), None),
            },
        }
    }

    async fn check_rbac(&self, namespace: &str) -> Check {
        let api: Api<SelfSubjectAccessReview> = Api::all(self.client.clone());
        let mut missing = Vec::new();
        for (verb, group, resource) in PERMISSIONS {
            let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
            let review: SelfSubjectAccessReview = serde_json::from_value(json!({
                "spec": {"resourceAttributes": {
                    "namespace": namespace, "verb": verb, "group": group,
                    "resource": resource, "subresource": subresource
                }}
            }))
            .expect("a review");
            let named = match (group.is_empty(), subresource.is_empty()) {
                (true, true) => resource.to_string(),
                (true, false) => format!("{resource}/{subresource}"),
                (false, _) => format!("{resource}.{group}"),
            };
            match api.create(&PostParams::default(), &review).await {
                Ok(answer) if answer.status.as_ref().is_some_and(|s| s.allowed) => {}
                Ok(_) => missing.push(format!("{verb} {named}")),
                Err(err) => {
                    let err = self.err(
                        err,
                        &Op::cluster("create", "selfsubjectaccessreviews.authorization.k8s.io"),
                    );
                    return Check::fail("RBAC permissions", err.to_string(), "see the error");
                }
            }
        }
        if missing.is_empty() {
            Check::pass(
                "RBAC permissions",
                format!(
                    "all {} permissions tntc uses in namespace {namespace:?}",
                    PERMISSIONS.len()
                ),
            )
        } else {
            Check::fail(
                "RBAC permissions",
                format!("missing in namespace {namespace:?}: {}", missing.join(", ")),
                "ask a cluster admin for a Role (and RoleBinding) granting these verbs",
            )
        }
    }

    async fn check_secret(&self, namespace: &str, secret: Option<&str>) -> Check {
        let Some(name) = secret else {
            return Check::pass("Secret references", "no workflow here references secrets");
        };
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        match api.get_opt(name).await {
            Ok(Some(_)) => Check::pass("Secret references", format!("Secret {name:?} exists")),
            Ok(None) => Check::warn(
                "Secret references",
                format!(
                    "Secret {name:?} does not exist yet: `tntc deploy` creates it from .secrets/ or .secrets.yaml"
                ),
            ),
            Err(err) => Check::warn(
                "Secret references",
                self.err(err, &Op::new("get", "secrets", namespace).named(name))
                    .to_string(),
            ),
        }
    }
}

/// The namespace's `pod-security.kubernetes.io/enforce` level. tntc's pods meet `restricted`.
fn pod_security(
    namespace: &str,
    labels: Option<std::collections::BTreeMap<String, String>>,
    minor: &str,
) -> Check {
    const TITLE: &str = "Pod Security admission";
    let minor: u32 = minor.trim_end_matches('+').parse().unwrap_or(0);
    let Some(labels) = labels else {
        return Check::warn(TITLE, "the namespace's labels could not be read");
    };
    let enforce = labels.get("pod-security.kubernetes.io/enforce");
    let unenforced = if minor > 0 && minor < 23 {
        format!(
            " (this Kubernetes 1.{minor} has no Pod Security admission: the label is not enforced)"
        )
    } else {
        String::new()
    };
    match enforce.map(String::as_str) {
        Some(level @ ("restricted" | "baseline" | "privileged")) => Check::pass(
            TITLE,
            format!(
                "namespace {namespace:?} enforces {level}; tntc's pods meet restricted{unenforced}"
            ),
        ),
        Some(other) => Check::warn(
            TITLE,
            format!("unknown enforce level {other:?}{unenforced}"),
        ),
        None => Check::warn(
            TITLE,
            format!(
                "namespace {namespace:?} enforces no Pod Security level; tntc's pods meet restricted, so `kubectl label namespace {namespace} pod-security.kubernetes.io/enforce=restricted` is safe{unenforced}"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_security_levels_pass_and_a_missing_label_warns() {
        let labels = |v: &str| {
            Some(std::collections::BTreeMap::from([(
                "pod-security.kubernetes.io/enforce".to_string(),
                v.to_string(),
            )]))
        };
        let restricted = pod_security("a", labels("restricted"), "30");
        assert!(restricted.passed && restricted.warning.is_none());
        let none = pod_security("a", Some(Default::default()), "30");
        assert!(none.passed && none.warning.is_some());
        let old = pod_security("a", labels("restricted"), "20");
        assert!(old.detail.unwrap().contains("not enforced"));
    }
}
