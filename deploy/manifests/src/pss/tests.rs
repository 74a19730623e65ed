use k8s_openapi::api::core::v1::{
    AppArmorProfile, Capabilities, Container, ContainerPort, EphemeralContainer,
    HostPathVolumeSource, PodSecurityContext, SELinuxOptions, Sysctl, Volume,
    WindowsSecurityContextOptions,
};

use super::*;
use crate::workload::{restricted_container_context, runtime_default_seccomp};

/// A pod that passes: the securityContext tntc gives its pods.
fn good_pod() -> PodSpec {
    PodSpec {
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(65534),
            seccomp_profile: Some(runtime_default_seccomp()),
            ..PodSecurityContext::default()
        }),
        containers: vec![Container {
            name: "engine".into(),
            security_context: Some(restricted_container_context()),
            ..Container::default()
        }],
        volumes: Some(vec![Volume {
            name: "tmp".into(),
            empty_dir: Some(Default::default()),
            ..Volume::default()
        }]),
        ..PodSpec::default()
    }
}

fn container_context(pod: &mut PodSpec) -> &mut SecurityContext {
    pod.containers[0]
        .security_context
        .get_or_insert_with(Default::default)
}

fn pod_context(pod: &mut PodSpec) -> &mut PodSecurityContext {
    pod.security_context.get_or_insert_with(Default::default)
}

fn controls(pod: &PodSpec) -> Vec<&'static str> {
    pss_restricted_violations(pod)
        .into_iter()
        .map(|v| v.control)
        .collect()
}

#[test]
fn the_pod_tntc_makes_passes() {
    assert_eq!(pss_restricted_violations(&good_pod()), []);
}

#[test]
fn each_restricted_control_catches_its_violation() {
    type Break = fn(&mut PodSpec);
    let cases: Vec<(&str, Break)> = vec![
        ("hostProcess", |p| {
            container_context(p).windows_options = Some(WindowsSecurityContextOptions {
                host_process: Some(true),
                ..Default::default()
            })
        }),
        ("host namespaces", |p| p.host_network = Some(true)),
        ("host namespaces", |p| p.host_pid = Some(true)),
        ("host namespaces", |p| p.host_ipc = Some(true)),
        ("privileged", |p| {
            container_context(p).privileged = Some(true)
        }),
        ("unrestricted capabilities", |p| {
            container_context(p).capabilities = Some(Capabilities {
                add: None,
                drop: Some(vec!["NET_RAW".into()]),
            })
        }),
        ("unrestricted capabilities", |p| {
            container_context(p).capabilities = Some(Capabilities {
                add: Some(vec!["SYS_ADMIN".into()]),
                drop: Some(vec!["ALL".into()]),
            })
        }),
        ("hostPath volumes", |p| {
            p.volumes.get_or_insert_with(Vec::new).push(Volume {
                name: "host".into(),
                host_path: Some(HostPathVolumeSource {
                    path: "/".into(),
                    type_: None,
                }),
                ..Volume::default()
            })
        }),
        ("restricted volume types", |p| {
            p.volumes.get_or_insert_with(Vec::new).push(Volume {
                name: "nfs".into(),
                nfs: Some(Default::default()),
                ..Volume::default()
            })
        }),
        ("hostPort", |p| {
            p.containers[0].ports = Some(vec![ContainerPort {
                container_port: 8080,
                host_port: Some(8080),
                ..ContainerPort::default()
            }])
        }),
        ("appArmorProfile", |p| {
            container_context(p).app_armor_profile = Some(AppArmorProfile {
                type_: "Unconfined".into(),
                localhost_profile: None,
            })
        }),
        ("seLinuxOptions", |p| {
            pod_context(p).se_linux_options = Some(SELinuxOptions {
                type_: Some("spc_t".into()),
                ..Default::default()
            })
        }),
        ("seLinuxOptions", |p| {
            container_context(p).se_linux_options = Some(SELinuxOptions {
                user: Some("system_u".into()),
                ..Default::default()
            })
        }),
        ("procMount", |p| {
            container_context(p).proc_mount = Some("Unmasked".into())
        }),
        ("seccompProfile", |p| pod_context(p).seccomp_profile = None),
        ("seccompProfile", |p| {
            container_context(p).seccomp_profile = Some(SeccompProfile {
                type_: "Unconfined".into(),
                localhost_profile: None,
            })
        }),
        ("forbidden sysctls", |p| {
            pod_context(p).sysctls = Some(vec![Sysctl {
                name: "kernel.msgmax".into(),
                value: "1".into(),
            }])
        }),
        ("allowPrivilegeEscalation != false", |p| {
            container_context(p).allow_privilege_escalation = None
        }),
        ("runAsNonRoot != true", |p| {
            pod_context(p).run_as_non_root = None;
            container_context(p).run_as_non_root = None;
        }),
        ("runAsNonRoot != true", |p| {
            container_context(p).run_as_non_root = Some(false)
        }),
        ("runAsUser=0", |p| pod_context(p).run_as_user = Some(0)),
        ("runAsUser=0", |p| {
            container_context(p).run_as_user = Some(0)
        }),
    ];
    for (control, break_it) in cases {
        let mut pod = good_pod();
        break_it(&mut pod);
        // A hostPath volume breaks two controls, as the admission controller reports it:
        // baseline's hostPath check and restricted's allowed volume types.
        let expected = if control == "hostPath volumes" {
            vec![control, "restricted volume types"]
        } else {
            vec![control]
        };
        assert_eq!(controls(&pod), expected, "breaking {control}");
    }
}

#[test]
fn a_safe_sysctl_net_bind_service_and_container_level_settings_pass() {
    let mut pod = good_pod();
    pod_context(&mut pod).sysctls = Some(vec![Sysctl {
        name: "net.ipv4.ping_group_range".into(),
        value: "0 1".into(),
    }]);
    pod_context(&mut pod).seccomp_profile = None;
    pod_context(&mut pod).run_as_non_root = None;
    let c = container_context(&mut pod);
    c.seccomp_profile = Some(runtime_default_seccomp());
    c.capabilities = Some(Capabilities {
        add: Some(vec!["NET_BIND_SERVICE".into()]),
        drop: Some(vec!["ALL".into()]),
    });
    c.se_linux_options = Some(SELinuxOptions {
        type_: Some("container_t".into()),
        ..Default::default()
    });
    assert_eq!(pss_restricted_violations(&pod), []);
}

#[test]
fn init_and_ephemeral_containers_are_checked_too() {
    let mut pod = good_pod();
    pod.init_containers = Some(vec![Container {
        name: "setup".into(),
        ..Container::default()
    }]);
    pod.ephemeral_containers = Some(vec![EphemeralContainer {
        name: "debug".into(),
        ..EphemeralContainer::default()
    }]);
    let details: Vec<String> = pss_restricted_violations(&pod)
        .iter()
        .map(ToString::to_string)
        .collect();
    for who in ["init container \"setup\"", "ephemeral container \"debug\""] {
        assert!(
            details
                .iter()
                .any(|d| d.starts_with("allowPrivilegeEscalation") && d.contains(who)),
            "{who}: {details:#?}"
        );
        assert!(
            details
                .iter()
                .any(|d| d.starts_with("unrestricted capabilities") && d.contains(who)),
            "{who}: {details:#?}"
        );
    }
}
