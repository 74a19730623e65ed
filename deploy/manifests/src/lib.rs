//! `tntc-manifests`: the Kubernetes objects that run one workflow, built from its bundle.
//!
//! This crate owns *what* a deployed workflow is on a cluster; it never talks to one (the
//! CLI's cluster client applies, prunes and waits). It is linked by the `tntc` CLI only:
//! the pod runs `tntc-host`, which must not carry k8s-openapi (`.ci/run` checks that).
//!
//! # The objects, in apply order
//! [`render`] reads a bundle (`tntc build`'s `dist/`) and returns [`Manifests`]:
//!
//! | object | name | what it holds |
//! |---|---|---|
//! | ConfigMap | `<wf>-code` | the bundle itself: `workflow.yaml`, `manifest.json` (`data`), `nodes__<id>.wasm` (`binaryData`) |
//! | Deployment | `<wf>` | one `tntc-host` pod: gVisor, Pod Security Standards *restricted*, probes, the bundle at `/app/workflow` |
//! | Service | `<wf>` | ClusterIP, port 8080 |
//! | CronJob | `<wf>-cron`, `<wf>-cron-<i>` | one per cron trigger: POSTs `{"trigger": "<name>"}` to `/run` |
//! | NetworkPolicy | `<wf>-netpol` | ingress 8080 from the namespace; egress DNS plus what the contract declares |
//! | Secret | `<wf>-secrets` | the local secrets (`.secrets/` or `.secrets.yaml`), when there are any |
//!
//! Every object carries [`labels`]: `app.kubernetes.io/name`, `app.kubernetes.io/version`
//! and `app.kubernetes.io/managed-by: tentacular` (the original's value, kept for tooling
//! written for it), so [`selector`] finds all of a workflow's objects for pruning and
//! undeploying. The CronJobs' pods are the exception on purpose: they carry
//! `tentacular.dev/role: trigger` and [`WORKFLOW_LABEL`] but not the name label, which the
//! Deployment's and the Service's selectors use.
//!
//! # Determinism
//! The same bundle, target and secrets give the same objects, byte for byte: no timestamps,
//! sorted keys. The pod template's `checksum/code` annotation is the sha256 of the bundle's
//! files, so a code change rolls the pods and an unchanged redeploy does not.
//!
//! # Secrets
//! [`local_secrets`] reads the workflow's Secret data as the original CLI built it; a
//! [`Manifest::redacted`] copy replaces every value, for printing.
//!
//! # Checks
//! [`pss_restricted_violations`] checks a pod spec against the Pod Security Standards
//! *restricted* profile, field by field, as the admission controller does.

mod bundle_files;
mod cron;
mod error;
mod limit;
mod local_secrets;
mod names;
mod network;
mod objects;
mod pss;
mod secret;
mod workload;
mod yaml;

use std::collections::BTreeMap;
use std::path::Path;

pub use k8s_openapi::api::apps::v1::Deployment;
pub use k8s_openapi::api::batch::v1::CronJob;
pub use k8s_openapi::api::core::v1::{ConfigMap, PodSpec, Secret, Service};
pub use k8s_openapi::api::networking::v1::NetworkPolicy;

pub use error::ManifestError;
pub use limit::{BundlePart, CONFIGMAP_LIMIT};
pub use local_secrets::{LocalSecrets, LocalSecretsError, local_secrets};
pub use objects::{Manifest, Manifests};
pub use pss::{PssViolation, pss_restricted_violations};
pub use secret::{REDACTED_ANNOTATION, redacted_value};
pub use yaml::to_yaml;

/// The field manager of every server-side apply tntc makes.
pub const FIELD_MANAGER: &str = "tntc";

/// The value of [`MANAGED_BY_LABEL`] on every object (the original's, for compatibility).
pub const MANAGED_BY: &str = "tentacular";

/// `app.kubernetes.io/name`: the workflow's name.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";

/// `app.kubernetes.io/version`: the workflow's version.
pub const VERSION_LABEL: &str = "app.kubernetes.io/version";

/// `app.kubernetes.io/managed-by`: [`MANAGED_BY`].
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// `tentacular.dev/role` on the pods cron triggers start (value [`TRIGGER_ROLE`]).
pub const ROLE_LABEL: &str = "tentacular.dev/role";

/// The value of [`ROLE_LABEL`] on trigger pods.
pub const TRIGGER_ROLE: &str = "trigger";

/// `tentacular.dev/workflow`: the workflow a trigger pod belongs to (trigger pods cannot
/// carry [`NAME_LABEL`], which the Service selects on).
pub const WORKFLOW_LABEL: &str = "tentacular.dev/workflow";

/// Pod-template annotation: sha256 of the bundle (see the crate docs).
pub const CODE_CHECKSUM_ANNOTATION: &str = "checksum/code";

/// NetworkPolicy annotation listing the external hosts the contract names (the original's).
pub const INTENDED_HOSTS_ANNOTATION: &str = "tentacular.dev/intended-hosts";

/// RuntimeClass when the target does not say otherwise.
pub const DEFAULT_RUNTIME_CLASS: &str = "gvisor";

/// The container port `tntc-host` serves on (the image's ENTRYPOINT passes `--port 8080`).
pub const PORT: i32 = 8080;

/// The image of the cron trigger pods: curl, as in the original, pinned to a release
/// instead of `latest`; it runs as 65534 with a read-only root like the workflow's pod.
pub const TRIGGER_IMAGE: &str = "curlimages/curl:8.11.1";

/// Where a deployed workflow's objects go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The namespace (a DNS label).
    pub namespace: String,
    /// The `tntc-host` image, e.g. `ghcr.io/acme/tntc-host:0.1.0`.
    pub image: String,
    /// The pods' RuntimeClass; `None` for clusters without gVisor (no `runtimeClassName`).
    pub runtime_class: Option<String>,
    /// `Always`, `IfNotPresent` or `Never`; `None` is the original's default, `Always`.
    pub image_pull_policy: Option<String>,
}

/// The labels every object of `workflow` carries (see the crate docs).
pub fn labels(workflow: &str, version: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (NAME_LABEL.to_owned(), workflow.to_owned()),
        (VERSION_LABEL.to_owned(), version.to_owned()),
        (MANAGED_BY_LABEL.to_owned(), MANAGED_BY.to_owned()),
    ])
}

/// A label selector for every object of `workflow` that tntc made, whatever its version:
/// `app.kubernetes.io/name=<workflow>,app.kubernetes.io/managed-by=tentacular`.
pub fn selector(workflow: &str) -> String {
    format!("{NAME_LABEL}={workflow},{MANAGED_BY_LABEL}={MANAGED_BY}")
}

/// A label selector for every workflow tntc deployed (`tntc list`).
pub fn managed_selector() -> String {
    format!("{MANAGED_BY_LABEL}={MANAGED_BY}")
}

/// The objects that run the bundle at `bundle_dir` (a `dist/` directory, or its
/// `workflow.yaml`) in `target`, in apply order. `secrets` (key -> value, as
/// [`local_secrets`] reads them) adds the Secret; `None` leaves any existing Secret alone.
///
/// The bundle's digests are verified first: a bundle edited after `tntc build` is an error.
pub fn render(
    bundle_dir: &Path,
    target: &Target,
    secrets: Option<&BTreeMap<String, String>>,
) -> Result<Manifests, ManifestError> {
    objects::render(bundle_dir, target, secrets)
}
