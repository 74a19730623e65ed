//! [`Manifest`] (one object of any kind tntc makes), [`Manifests`] (all of a workflow's) and
//! the rendering that puts them in apply order.

use std::collections::BTreeMap;
use std::path::Path;

use k8s_openapi::Resource;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use crate::bundle_files::BundleFiles;
use crate::error::ManifestError;
use crate::limit::BundlePart;
use crate::names::Names;
use crate::{ConfigMap, CronJob, Deployment, NetworkPolicy, Secret, Service, Target};
use crate::{cron, network, secret, workload};

/// One Kubernetes object of a workflow.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "a handful are made per deploy; holding the k8s-openapi types by value keeps matching on them plain"
)]
pub enum Manifest {
    /// `<wf>-code`: the bundle.
    ConfigMap(ConfigMap),
    /// `<wf>`: the pod running `tntc-host`.
    Deployment(Deployment),
    /// `<wf>`: ClusterIP 8080.
    Service(Service),
    /// `<wf>-cron[-<i>]`: one cron trigger.
    CronJob(CronJob),
    /// `<wf>-netpol`: ingress and egress of the workflow's pod.
    NetworkPolicy(NetworkPolicy),
    /// `<wf>-secrets`: the workflow's secrets.
    Secret(Secret),
}

impl Manifest {
    /// `ConfigMap`, `Deployment`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Manifest::ConfigMap(_) => ConfigMap::KIND,
            Manifest::Deployment(_) => Deployment::KIND,
            Manifest::Service(_) => Service::KIND,
            Manifest::CronJob(_) => CronJob::KIND,
            Manifest::NetworkPolicy(_) => NetworkPolicy::KIND,
            Manifest::Secret(_) => Secret::KIND,
        }
    }

    /// `v1`, `apps/v1`, `batch/v1`, `networking.k8s.io/v1`.
    pub fn api_version(&self) -> &'static str {
        match self {
            Manifest::ConfigMap(_) => ConfigMap::API_VERSION,
            Manifest::Deployment(_) => Deployment::API_VERSION,
            Manifest::Service(_) => Service::API_VERSION,
            Manifest::CronJob(_) => CronJob::API_VERSION,
            Manifest::NetworkPolicy(_) => NetworkPolicy::API_VERSION,
            Manifest::Secret(_) => Secret::API_VERSION,
        }
    }

    /// The plural resource name in API paths: `configmaps`, `deployments`, ...
    pub fn plural(&self) -> &'static str {
        match self {
            Manifest::ConfigMap(_) => ConfigMap::URL_PATH_SEGMENT,
            Manifest::Deployment(_) => Deployment::URL_PATH_SEGMENT,
            Manifest::Service(_) => Service::URL_PATH_SEGMENT,
            Manifest::CronJob(_) => CronJob::URL_PATH_SEGMENT,
            Manifest::NetworkPolicy(_) => NetworkPolicy::URL_PATH_SEGMENT,
            Manifest::Secret(_) => Secret::URL_PATH_SEGMENT,
        }
    }

    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Manifest::ConfigMap(o) => &o.metadata,
            Manifest::Deployment(o) => &o.metadata,
            Manifest::Service(o) => &o.metadata,
            Manifest::CronJob(o) => &o.metadata,
            Manifest::NetworkPolicy(o) => &o.metadata,
            Manifest::Secret(o) => &o.metadata,
        }
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or_default()
    }

    /// `Kind/name`, as kubectl prints it.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }

    /// The object as JSON, `apiVersion`, `kind` and `metadata` first: the body of a
    /// server-side apply.
    /// A Secret's values are in it: never print this for a Secret, print [`Self::redacted`].
    pub fn to_json(&self) -> Value {
        let value = match self {
            Manifest::ConfigMap(o) => serde_json::to_value(o),
            Manifest::Deployment(o) => serde_json::to_value(o),
            Manifest::Service(o) => serde_json::to_value(o),
            Manifest::CronJob(o) => serde_json::to_value(o),
            Manifest::NetworkPolicy(o) => serde_json::to_value(o),
            Manifest::Secret(o) => serde_json::to_value(o),
        };
        // k8s-openapi's types serialize infallibly (no maps with non-string keys).
        match value.unwrap_or(Value::Null) {
            // apiVersion, kind, metadata, then the rest (k8s-openapi sorts the fields after
            // kind): the name comes before a ConfigMap's kilobytes of data.
            Value::Object(mut fields) => {
                let mut ordered = serde_json::Map::new();
                for key in ["apiVersion", "kind", "metadata"] {
                    if let Some(v) = fields.shift_remove(key) {
                        ordered.insert(key.to_owned(), v);
                    }
                }
                ordered.extend(fields);
                Value::Object(ordered)
            }
            other => other,
        }
    }

    /// A copy safe to print: a Secret's values are replaced (see [`secret::redact`]); every
    /// other object is returned as it is.
    pub fn redacted(&self) -> Manifest {
        match self {
            Manifest::Secret(s) => Manifest::Secret(secret::redact(s)),
            other => other.clone(),
        }
    }

    /// Whether this is a Secret (whose values must not be printed).
    pub fn is_secret(&self) -> bool {
        matches!(self, Manifest::Secret(_))
    }
}

/// Every object of one workflow in one namespace.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifests {
    /// The workflow's name.
    pub workflow: String,
    /// Its version.
    pub version: String,
    /// The target namespace.
    pub namespace: String,
    /// The objects, in apply order: ConfigMap, Deployment, Service, CronJobs, NetworkPolicy,
    /// Secret (when there are secrets).
    pub objects: Vec<Manifest>,
    /// The pod template's `checksum/code`: sha256 of the bundle.
    pub code_checksum: String,
    /// The bundle's files and their sizes, as stored in the ConfigMap.
    pub bundle_parts: Vec<BundlePart>,
}

impl Manifests {
    /// Total size of the bundle's files in the ConfigMap.
    pub fn bundle_size(&self) -> u64 {
        self.bundle_parts.iter().map(|p| p.size).sum()
    }

    /// The object of `kind` named `name`.
    pub fn get(&self, kind: &str, name: &str) -> Option<&Manifest> {
        self.objects
            .iter()
            .find(|m| m.kind() == kind && m.name() == name)
    }

    /// A copy with every Secret value replaced, safe to print.
    pub fn redacted(&self) -> Manifests {
        Manifests {
            objects: self.objects.iter().map(Manifest::redacted).collect(),
            ..self.clone()
        }
    }

    /// The objects as a JSON list, in apply order (values as they are: redact first to print).
    pub fn to_json(&self) -> Value {
        Value::Array(self.objects.iter().map(Manifest::to_json).collect())
    }

    /// The objects as one multi-document YAML stream (`---` between objects), in apply
    /// order (values as they are: redact first to print).
    pub fn to_yaml(&self) -> String {
        let docs: Vec<Value> = self.objects.iter().map(Manifest::to_json).collect();
        crate::yaml::to_yaml(&docs)
    }
}

pub(crate) fn render(
    bundle_dir: &Path,
    target: &Target,
    secrets: Option<&BTreeMap<String, String>>,
) -> Result<Manifests, ManifestError> {
    check_target(target)?;
    let bundle = BundleFiles::read(bundle_dir)?;
    bundle.check_size()?;
    let wf = &bundle.workflow;
    let names = Names::of(&wf.name)?;
    let labels = crate::labels(&wf.name, &wf.version);
    let meta = |name: &str| ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(target.namespace.clone()),
        labels: Some(labels.clone()),
        ..ObjectMeta::default()
    };

    let mut objects = vec![
        Manifest::ConfigMap(workload::config_map(meta(&names.code), &bundle)),
        Manifest::Deployment(workload::deployment(
            meta(&wf.name),
            &bundle,
            target,
            &names,
        )),
        Manifest::Service(workload::service(meta(&wf.name), &wf.name)),
    ];
    for trigger in cron::cron_triggers(wf) {
        names.check(CronJob::KIND, &trigger.job_name, cron::NAME_LIMIT)?;
        objects.push(Manifest::CronJob(cron::cron_job(
            meta(&trigger.job_name),
            wf,
            &trigger,
            &target.namespace,
        )));
    }
    objects.push(Manifest::NetworkPolicy(network::network_policy(
        meta(&names.netpol),
        wf,
    )));
    if let Some(secrets) = secrets.filter(|s| !s.is_empty()) {
        objects.push(Manifest::Secret(secret::secret(
            meta(&names.secrets),
            secrets,
        )?));
    }
    Ok(Manifests {
        workflow: wf.name.clone(),
        version: wf.version.clone(),
        namespace: target.namespace.clone(),
        objects,
        code_checksum: bundle.checksum(),
        bundle_parts: bundle.files.iter().map(|(p, _)| p.clone()).collect(),
    })
}

fn check_target(target: &Target) -> Result<(), ManifestError> {
    let invalid = |field, value: &str, reason: &str| ManifestError::InvalidTarget {
        field,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    if !is_dns_label(&target.namespace) {
        return Err(invalid(
            "namespace",
            &target.namespace,
            "a namespace is at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
        ));
    }
    if target.image.is_empty() || target.image.chars().any(|c| c.is_whitespace()) {
        return Err(invalid(
            "image",
            &target.image,
            "an image reference has no spaces, like ghcr.io/acme/tntc-host:0.1.0",
        ));
    }
    if let Some(class) = &target.runtime_class
        && (class.len() > 253 || !class.split('.').all(is_dns_label))
    {
        return Err(invalid(
            "runtime class",
            class,
            "a RuntimeClass name is lowercase letters, digits, '-' and '.'",
        ));
    }
    if let Some(policy) = &target.image_pull_policy
        && !["Always", "IfNotPresent", "Never"].contains(&policy.as_str())
    {
        return Err(invalid(
            "image pull policy",
            policy,
            "use Always, IfNotPresent or Never",
        ));
    }
    Ok(())
}

/// An RFC 1123 label.
pub(crate) fn is_dns_label(text: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=63).contains(&text.len())
        && text.chars().all(|c| alnum(c) || c == '-')
        && text.starts_with(alnum)
        && text.ends_with(alnum)
}
