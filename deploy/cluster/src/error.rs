//! What can go wrong talking to a cluster, in words a person can act on.
//!
//! Every call into the API server names what it was doing ([`Op`]: a verb on a resource in a
//! namespace), so a refusal reads "the cluster refused to patch deployments.apps in namespace
//! team-a", never "ApiError: Forbidden (403)".

use std::fmt;

use crate::objects::Kind;

/// One API operation, for errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    /// The RBAC verb: `get`, `list`, `patch`, `delete`, `create`.
    pub verb: &'static str,
    /// The resource as RBAC names it: `deployments.apps`, `pods/log`, `services/proxy`.
    pub resource: String,
    /// The namespace, for namespaced resources.
    pub namespace: Option<String>,
    /// The object's name, when there is one.
    pub name: Option<String>,
}

impl Op {
    /// `verb` on `resource` (`plural[.group]`) in `namespace`.
    pub fn new(verb: &'static str, resource: impl Into<String>, namespace: &str) -> Op {
        Op {
            verb,
            resource: resource.into(),
            namespace: Some(namespace.to_owned()),
            name: None,
        }
    }

    /// `verb` on objects of `kind` in `namespace`.
    pub fn on(verb: &'static str, kind: Kind, namespace: &str) -> Op {
        Op::new(verb, kind.resource(), namespace)
    }

    /// The same operation on the object `name`.
    pub fn named(mut self, name: &str) -> Op {
        self.name = Some(name.to_owned());
        self
    }

    /// A cluster-scoped operation.
    pub fn cluster(verb: &'static str, resource: impl Into<String>) -> Op {
        Op {
            verb,
            resource: resource.into(),
            namespace: None,
            name: None,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb, self.resource)?;
        if let Some(name) = &self.name {
            write!(f, " {name:?}")?;
        }
        if let Some(ns) = &self.namespace {
            write!(f, " in namespace {ns:?}")?;
        }
        Ok(())
    }
}

/// Errors of this crate. Each `Display` says what went wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No kubeconfig and not inside a pod.
    #[error(
        "no kubeconfig: {looked} does not exist and this is not a pod with a service account\n  help: set KUBECONFIG to your cluster's kubeconfig, or create ~/.kube/config (e.g. `kind create cluster` or your provider's `get-credentials`)"
    )]
    NoKubeconfig {
        /// Where it was looked for.
        looked: String,
    },

    /// The kubeconfig could not be read or used.
    #[error("cannot use the kubeconfig ({source})\n  help: check KUBECONFIG / ~/.kube/config")]
    Kubeconfig {
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// `--context` names no context of the kubeconfig.
    #[error(
        "no context {context:?} in the kubeconfig; it has: {available}\n  help: pick one of those with --context, or omit it for the current context"
    )]
    NoSuchContext {
        /// The context asked for.
        context: String,
        /// The contexts there are, comma-separated.
        available: String,
    },

    /// The API server does not answer.
    #[error(
        "cannot reach the Kubernetes API server at {server} while trying to {op}: {reason}\n  help: is the cluster running and is this the right context? (`kubectl config current-context`, --context)"
    )]
    Unreachable {
        /// Its URL.
        server: String,
        /// What was being done.
        op: Op,
        /// The transport's reason (connection refused, timed out, TLS).
        reason: String,
    },

    /// The credentials were rejected (401).
    #[error(
        "the API server at {server} rejected the credentials (401 Unauthorized) while trying to {op}\n  help: the token or certificate in the kubeconfig has expired or is wrong; log in again"
    )]
    Unauthorized {
        /// Its URL.
        server: String,
        /// What was being done.
        op: Op,
    },

    /// RBAC refused (403).
    #[error("the cluster refused to {op}{as_user} (403 Forbidden)\n  help: ask a cluster admin for a Role that allows `{verb}` on `{resource}`; `tntc cluster check` lists every permission tntc needs", verb = op.verb, resource = op.resource, as_user = user.as_ref().map(|u| format!(" as user {u:?}")).unwrap_or_default())]
    Forbidden {
        /// What was refused.
        op: Op,
        /// The user the server saw, when its message says.
        user: Option<String>,
        /// The server's message.
        message: String,
    },

    /// The namespace does not exist.
    #[error(
        "namespace {namespace:?} does not exist\n  help: create it with `tntc cluster check -n {namespace} --fix` (or `kubectl create namespace {namespace}`), or pick another with -n"
    )]
    NamespaceMissing {
        /// The namespace.
        namespace: String,
    },

    /// No Deployment of that workflow in the namespace.
    #[error("workflow {name:?} is not deployed in namespace {namespace:?}{elsewhere}\n  help: `tntc list -n {namespace}` shows what is deployed there", elsewhere = match elsewhere.as_slice() { [] => String::new(), found => format!("; it is deployed in {}: add -n {}", found.join(", "), found[0]) })]
    WorkflowNotFound {
        /// The workflow.
        name: String,
        /// Where it was looked for.
        namespace: String,
        /// Namespaces where a workflow of that name is deployed (when tntc may list them).
        elsewhere: Vec<String>,
    },

    /// Server-side apply conflict: another field manager owns fields tntc sets (409).
    #[error(
        "{kind}/{name} in namespace {namespace:?}: fields tntc sets are owned by another field manager: {message}\n  help: someone changed this object with another tool (kubectl edit, a controller); deploy with --force-conflicts to take those fields over, or undo their change"
    )]
    Conflict {
        /// The object's kind.
        kind: Kind,
        /// Its name.
        name: String,
        /// Its namespace.
        namespace: String,
        /// The server's message (which manager owns which field).
        message: String,
    },

    /// The API server refused an object or request for another reason.
    #[error("the API server refused to {op}: {message} ({code} {reason})")]
    Api {
        /// What was refused.
        op: Op,
        /// HTTP status code.
        code: u16,
        /// The machine-readable reason (`Invalid`, `BadRequest`, ...).
        reason: String,
        /// The server's message.
        message: String,
    },

    /// Anything else from the client (bad response, TLS setup).
    #[error("talking to the API server at {server} to {op} failed: {source}")]
    Client {
        /// Its URL.
        server: String,
        /// What was being done.
        op: Op,
        /// The client's error.
        #[source]
        source: Box<kube::Error>,
    },

    /// Applying stopped part-way: some objects are on the cluster, one failed.
    #[error("{source}\n  applied before the failure: {applied}; not applied: {pending}", applied = list_or_none(applied), pending = list_or_none(pending))]
    PartlyApplied {
        /// What failed.
        #[source]
        source: Box<ClusterError>,
        /// `Kind/name` of the objects applied before it.
        applied: Vec<String>,
        /// `Kind/name` of the failed object and those after it.
        pending: Vec<String>,
    },

    /// The rollout did not finish.
    #[error("{0}")]
    Rollout(Box<crate::rollout::RolloutFailure>),

    /// A run through the service proxy could not reach the workflow.
    #[error("cannot run {name:?} in namespace {namespace:?}: {message}\n  help: {help}")]
    RunUnavailable {
        /// The workflow.
        name: String,
        /// Its namespace.
        namespace: String,
        /// What the API server said.
        message: String,
        /// What to do.
        help: String,
    },

    /// A run did not answer within its timeout.
    #[error(
        "{name:?} did not answer within {seconds} s\n  help: raise --timeout, or look at `tntc logs {name}`"
    )]
    RunTimedOut {
        /// The workflow.
        name: String,
        /// The timeout.
        seconds: u64,
    },

    /// The workflow has no pods (for logs).
    #[error(
        "workflow {name:?} in namespace {namespace:?} has no pods\n  help: `tntc status {name}` shows why (events, replicas)"
    )]
    NoPods {
        /// The workflow.
        name: String,
        /// Its namespace.
        namespace: String,
    },
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

impl ClusterError {
    /// Maps a client error of `op` against `server`.
    pub fn from_kube(err: kube::Error, op: &Op, server: &str) -> ClusterError {
        match err {
            kube::Error::Api(status) => {
                let message = status.message.clone();
                match status.code {
                    401 => ClusterError::Unauthorized {
                        server: server.to_owned(),
                        op: op.clone(),
                    },
                    403 => ClusterError::Forbidden {
                        op: op.clone(),
                        user: user_of(&message),
                        message,
                    },
                    404 if status
                        .details
                        .as_ref()
                        .is_some_and(|d| d.kind == "namespaces") =>
                    {
                        ClusterError::NamespaceMissing {
                            namespace: status
                                .details
                                .as_ref()
                                .map(|d| d.name.clone())
                                .filter(|n| !n.is_empty())
                                .or_else(|| op.namespace.clone())
                                .unwrap_or_default(),
                        }
                    }
                    code => ClusterError::Api {
                        op: op.clone(),
                        code,
                        reason: status.reason.clone(),
                        message,
                    },
                }
            }
            kube::Error::HyperError(e) => ClusterError::Unreachable {
                server: server.to_owned(),
                op: op.clone(),
                reason: chain(&e),
            },
            kube::Error::Service(e) => ClusterError::Unreachable {
                server: server.to_owned(),
                op: op.clone(),
                reason: chain(e.as_ref()),
            },
            other => ClusterError::Client {
                server: server.to_owned(),
                op: op.clone(),
                source: Box::new(other),
            },
        }
    }

    /// Whether the API server answered 404 (the object is not there).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClusterError::Api { code: 404, .. })
    }

    /// Whether the server could not be reached at all.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ClusterError::Unreachable { .. })
    }
}

/// `User "x" cannot ...` in a Forbidden message.
fn user_of(message: &str) -> Option<String> {
    let rest = message.split("User \"").nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

/// An error and its sources, innermost last, without repeating a source's text.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_is_read_from_a_forbidden_message() {
        let message = r#"deployments.apps "x" is forbidden: User "restricted" cannot patch resource "deployments" in API group "apps" in the namespace "a""#;
        assert_eq!(user_of(message).as_deref(), Some("restricted"));
        assert_eq!(user_of("no user here"), None);
    }

    #[test]
    fn an_operation_reads_as_a_phrase() {
        let op = Op::on("patch", Kind::Deployment, "team-a").named("word-count");
        assert_eq!(
            op.to_string(),
            "patch deployments.apps \"word-count\" in namespace \"team-a\""
        );
        assert_eq!(
            Op::cluster("get", "namespaces").to_string(),
            "get namespaces"
        );
    }
}
