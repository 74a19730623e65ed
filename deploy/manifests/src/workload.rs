//! The ConfigMap holding the bundle, the Deployment running `tntc-host` on it, and its
//! Service.
//!
//! The pod is the original's, field for field (deploy.md §1), so that it passes the Pod
//! Security Standards *restricted* profile: non-root 65534, seccomp `RuntimeDefault`, no
//! service-account token, a read-only root, no privilege escalation, every capability
//! dropped. It differs where tntc runs differently: no command (the image's ENTRYPOINT runs
//! `tntc-host --workflow /app/workflow/workflow.yaml --port 8080`; the original passed Deno
//! permission flags), readiness on `/ready` (503 until the runtime is compiled), and a
//! `checksum/code` annotation instead of a `restartedAt` patch after every apply.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource,
    HTTPGetAction, KeyToPath, PodSecurityContext, PodTemplateSpec, Probe, ResourceRequirements,
    SeccompProfile, SecretVolumeSource, SecurityContext, ServicePort, ServiceSpec, Volume,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::bundle_files::BundleFiles;
use crate::names::Names;
use crate::{CODE_CHECKSUM_ANNOTATION, ConfigMap, Deployment, NAME_LABEL, PORT, Service, Target};

/// The user and group the pods run as: `nobody`, which the image's `/etc/passwd` has.
pub(crate) const NOBODY: i64 = 65534;

/// Where the bundle is mounted; the image's ENTRYPOINT reads `<this>/workflow.yaml`.
pub(crate) const CODE_DIR: &str = "/app/workflow";

/// Where the Secret is mounted; `tntc-host` merges it over the local secrets.
pub(crate) const SECRETS_DIR: &str = "/app/secrets";

/// The bundle's ConfigMap: text files in `data`, modules in `binaryData`.
pub(crate) fn config_map(meta: ObjectMeta, bundle: &BundleFiles) -> ConfigMap {
    let mut data = BTreeMap::new();
    let mut binary = BTreeMap::new();
    for (part, bytes) in &bundle.files {
        // workflow.yaml and manifest.json stay readable (`kubectl get -o yaml`); a
        // ConfigMap's `data` keeps a UTF-8 string byte for byte, so digests still match.
        let text = (!part.path.ends_with(".wasm"))
            .then(|| std::str::from_utf8(bytes).ok())
            .flatten();
        match text {
            Some(text) => {
                data.insert(part.key.clone(), text.to_owned());
            }
            None => {
                binary.insert(part.key.clone(), ByteString(bytes.clone()));
            }
        }
    }
    ConfigMap {
        metadata: meta,
        data: Some(data),
        binary_data: (!binary.is_empty()).then_some(binary),
        immutable: None,
    }
}

/// The Deployment: one replica of `tntc-host` serving the bundle.
pub(crate) fn deployment(
    meta: ObjectMeta,
    bundle: &BundleFiles,
    target: &Target,
    names: &Names,
) -> Deployment {
    let wf = &bundle.workflow;
    let selector = BTreeMap::from([(NAME_LABEL.to_owned(), wf.name.clone())]);
    let template_meta = ObjectMeta {
        labels: meta.labels.clone(),
        annotations: Some(BTreeMap::from([(
            CODE_CHECKSUM_ANNOTATION.to_owned(),
            bundle.checksum(),
        )])),
        ..ObjectMeta::default()
    };
    let items = bundle
        .files
        .iter()
        .map(|(part, _)| KeyToPath {
            key: part.key.clone(),
            path: part.path.clone(),
            mode: None,
        })
        .collect();
    let pod = k8s_openapi::api::core::v1::PodSpec {
        automount_service_account_token: Some(false),
        runtime_class_name: target.runtime_class.clone(),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(NOBODY),
            run_as_group: Some(NOBODY),
            seccomp_profile: Some(runtime_default_seccomp()),
            ..PodSecurityContext::default()
        }),
        containers: vec![engine_container(target)],
        volumes: Some(vec![
            Volume {
                name: "code".into(),
                config_map: Some(ConfigMapVolumeSource {
                    name: names.code.clone(),
                    items: Some(items),
                    ..ConfigMapVolumeSource::default()
                }),
                ..Volume::default()
            },
            Volume {
                name: "secrets".into(),
                secret: Some(SecretVolumeSource {
                    secret_name: Some(names.secrets.clone()),
                    optional: Some(true),
                    ..SecretVolumeSource::default()
                }),
                ..Volume::default()
            },
            Volume {
                name: "tmp".into(),
                empty_dir: Some(EmptyDirVolumeSource {
                    medium: None,
                    size_limit: Some(Quantity("512Mi".into())),
                }),
                ..Volume::default()
            },
        ]),
        ..k8s_openapi::api::core::v1::PodSpec::default()
    };
    Deployment {
        metadata: meta,
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            selector: LabelSelector {
                match_labels: Some(selector),
                match_expressions: None,
            },
            strategy: Some(DeploymentStrategy {
                type_: Some("Recreate".into()),
                rolling_update: None,
            }),
            template: PodTemplateSpec {
                metadata: Some(template_meta),
                spec: Some(pod),
            },
            ..DeploymentSpec::default()
        }),
        status: None,
    }
}

fn engine_container(target: &Target) -> Container {
    let probe = |path: &str, delay: i32, period: i32| Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::Int(PORT),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(delay),
        period_seconds: Some(period),
        ..Probe::default()
    };
    let mount = |name: &str, path: &str, read_only: bool| VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: Some(read_only),
        ..VolumeMount::default()
    };
    Container {
        name: "engine".into(),
        image: Some(target.image.clone()),
        image_pull_policy: Some(
            target
                .image_pull_policy
                .clone()
                .unwrap_or_else(|| "Always".into()),
        ),
        ports: Some(vec![ContainerPort {
            name: Some("http".into()),
            container_port: PORT,
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]),
        security_context: Some(restricted_container_context()),
        liveness_probe: Some(probe("/health", 5, 10)),
        readiness_probe: Some(probe("/ready", 3, 5)),
        resources: Some(resources(("64Mi", "100m"), ("256Mi", "500m"))),
        volume_mounts: Some(vec![
            mount("code", CODE_DIR, true),
            mount("secrets", SECRETS_DIR, true),
            mount("tmp", "/tmp", false),
        ]),
        ..Container::default()
    }
}

/// The container securityContext of every tntc pod: what *restricted* demands of a
/// container, plus a read-only root.
pub(crate) fn restricted_container_context() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities {
            add: None,
            drop: Some(vec!["ALL".into()]),
        }),
        ..SecurityContext::default()
    }
}

/// `seccompProfile: {type: RuntimeDefault}`.
pub(crate) fn runtime_default_seccomp() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".into(),
        localhost_profile: None,
    }
}

/// Requests and limits of memory and CPU.
pub(crate) fn resources(requests: (&str, &str), limits: (&str, &str)) -> ResourceRequirements {
    let pair = |(memory, cpu): (&str, &str)| {
        BTreeMap::from([
            ("cpu".to_owned(), Quantity(cpu.into())),
            ("memory".to_owned(), Quantity(memory.into())),
        ])
    };
    ResourceRequirements {
        requests: Some(pair(requests)),
        limits: Some(pair(limits)),
        ..ResourceRequirements::default()
    }
}

/// The Service: ClusterIP, 8080 -> 8080, selecting the workflow's pod by name.
pub(crate) fn service(meta: ObjectMeta, workflow: &str) -> Service {
    Service {
        metadata: meta,
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(BTreeMap::from([(
                NAME_LABEL.to_owned(),
                workflow.to_owned(),
            )])),
            ports: Some(vec![ServicePort {
                name: Some("http".into()),
                port: PORT,
                target_port: Some(IntOrString::Int(PORT)),
                protocol: Some("TCP".into()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        status: None,
    }
}
