//! Pod Security Standards, *restricted* profile, checked on a pod spec the way the
//! `PodSecurity` admission controller checks it (the profile of Kubernetes 1.33: every
//! *baseline* control plus the restricted ones), over every container, init container and
//! ephemeral container.
//!
//! | control | what passes |
//! |---|---|
//! | HostProcess | no `windowsOptions.hostProcess: true` |
//! | Host namespaces | `hostNetwork`, `hostPID`, `hostIPC` unset or false |
//! | Privileged | `privileged` unset or false |
//! | Capabilities | `drop` includes `ALL`; `add` at most `NET_BIND_SERVICE` |
//! | HostPath volumes, volume types | only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret |
//! | Host ports | no `hostPort` (or 0) |
//! | AppArmor | unset, `RuntimeDefault` or `Localhost` |
//! | SELinux | type unset or `container_t`/`container_init_t`/`container_kvm_t`/`container_engine_t`; no user or role |
//! | /proc mount | unset or `Default` |
//! | Seccomp | `RuntimeDefault` or `Localhost`, on the pod or on every container; never `Unconfined` |
//! | Sysctls | only the safe set |
//! | Privilege escalation | `allowPrivilegeEscalation: false` on every container |
//! | Non-root | `runAsNonRoot: true` on the pod or every container, none `false`; `runAsUser` never 0 |
//!
//! Pod annotations (the legacy AppArmor and seccomp ones) are not part of a pod spec and
//! are not checked; tntc sets none.

use std::fmt;

use k8s_openapi::api::core::v1::{
    ContainerPort, PodSpec, SELinuxOptions, SeccompProfile, SecurityContext,
};

/// One way a pod spec breaks the restricted profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PssViolation {
    /// The control, as the admission controller names it: `allowPrivilegeEscalation != false`.
    pub control: &'static str,
    /// Which field of which container, and what it must be.
    pub detail: String,
}

impl fmt::Display for PssViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.control, self.detail)
    }
}

/// Every way `pod` breaks Pod Security Standards *restricted*; empty when it passes.
pub fn pss_restricted_violations(pod: &PodSpec) -> Vec<PssViolation> {
    let mut found = Vec::new();
    let mut violation = |control: &'static str, detail: String| {
        found.push(PssViolation { control, detail });
    };
    let pod_context = pod.security_context.as_ref();
    let containers = containers(pod);

    // HostProcess.
    let host_process = |w: Option<&k8s_openapi::api::core::v1::WindowsSecurityContextOptions>| {
        w.and_then(|w| w.host_process) == Some(true)
    };
    if host_process(pod_context.and_then(|c| c.windows_options.as_ref())) {
        violation(
            "hostProcess",
            "pod must not set securityContext.windowsOptions.hostProcess=true".into(),
        );
    }
    for c in &containers {
        if host_process(c.context.and_then(|s| s.windows_options.as_ref())) {
            violation(
                "hostProcess",
                format!(
                    "{} must not set securityContext.windowsOptions.hostProcess=true",
                    c.what()
                ),
            );
        }
    }

    // Host namespaces.
    for (field, value) in [
        ("hostNetwork", pod.host_network),
        ("hostPID", pod.host_pid),
        ("hostIPC", pod.host_ipc),
    ] {
        if value == Some(true) {
            violation("host namespaces", format!("{field}=true"));
        }
    }

    // Privileged, capabilities, host ports, /proc mount, privilege escalation.
    for c in &containers {
        let sc = c.context;
        if sc.and_then(|s| s.privileged) == Some(true) {
            violation(
                "privileged",
                format!("{} must not set securityContext.privileged=true", c.what()),
            );
        }
        let caps = sc.and_then(|s| s.capabilities.as_ref());
        let drops_all = caps
            .and_then(|c| c.drop.as_ref())
            .is_some_and(|d| d.iter().any(|d| d == "ALL"));
        if !drops_all {
            violation(
                "unrestricted capabilities",
                format!(
                    "{} must set securityContext.capabilities.drop=[\"ALL\"]",
                    c.what()
                ),
            );
        }
        for added in caps.and_then(|c| c.add.as_ref()).into_iter().flatten() {
            if added != "NET_BIND_SERVICE" {
                violation(
                    "unrestricted capabilities",
                    format!("{} must not add capability {added:?}", c.what()),
                );
            }
        }
        for port in c.ports.iter().flat_map(|p| p.iter()) {
            if port.host_port.is_some_and(|p| p != 0) {
                violation(
                    "hostPort",
                    format!(
                        "{} uses hostPort {}",
                        c.what(),
                        port.host_port.unwrap_or_default()
                    ),
                );
            }
        }
        if let Some(mount) = sc.and_then(|s| s.proc_mount.as_deref())
            && mount != "Default"
        {
            violation(
                "procMount",
                format!("{} sets securityContext.procMount={mount:?}", c.what()),
            );
        }
        if sc.and_then(|s| s.allow_privilege_escalation) != Some(false) {
            violation(
                "allowPrivilegeEscalation != false",
                format!(
                    "{} must set securityContext.allowPrivilegeEscalation=false",
                    c.what()
                ),
            );
        }
    }

    // Volumes.
    for volume in pod.volumes.iter().flatten() {
        if volume.host_path.is_some() {
            violation(
                "hostPath volumes",
                format!("volume {:?} is a hostPath", volume.name),
            );
        }
        let allowed = volume.config_map.is_some()
            || volume.csi.is_some()
            || volume.downward_api.is_some()
            || volume.empty_dir.is_some()
            || volume.ephemeral.is_some()
            || volume.persistent_volume_claim.is_some()
            || volume.projected.is_some()
            || volume.secret.is_some();
        if !allowed {
            violation(
                "restricted volume types",
                format!(
                    "volume {:?} uses a type restricted does not allow",
                    volume.name
                ),
            );
        }
    }

    // AppArmor.
    let apparmor_ok = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    if let Some(p) = pod_context.and_then(|c| c.app_armor_profile.as_ref())
        && !apparmor_ok(&p.type_)
    {
        violation(
            "appArmorProfile",
            format!(
                "pod must not set securityContext.appArmorProfile.type={:?}",
                p.type_
            ),
        );
    }
    for c in &containers {
        if let Some(p) = c.context.and_then(|s| s.app_armor_profile.as_ref())
            && !apparmor_ok(&p.type_)
        {
            violation(
                "appArmorProfile",
                format!(
                    "{} must not set securityContext.appArmorProfile.type={:?}",
                    c.what(),
                    p.type_
                ),
            );
        }
    }

    // SELinux.
    if let Some(options) = pod_context.and_then(|c| c.se_linux_options.as_ref()) {
        selinux(options, "pod", &mut violation);
    }
    for c in &containers {
        if let Some(options) = c.context.and_then(|s| s.se_linux_options.as_ref()) {
            selinux(options, &c.what(), &mut violation);
        }
    }

    // Sysctls.
    for sysctl in pod_context
        .and_then(|c| c.sysctls.as_ref())
        .into_iter()
        .flatten()
    {
        if !SAFE_SYSCTLS.contains(&sysctl.name.as_str()) {
            violation(
                "forbidden sysctls",
                format!("pod sets sysctl {:?}", sysctl.name),
            );
        }
    }

    // Seccomp: the pod's profile is the default of containers that set none.
    let seccomp_ok = |p: &SeccompProfile| p.type_ == "RuntimeDefault" || p.type_ == "Localhost";
    let pod_seccomp = pod_context.and_then(|c| c.seccomp_profile.as_ref());
    if let Some(p) = pod_seccomp
        && !seccomp_ok(p)
    {
        violation(
            "seccompProfile",
            format!(
                "pod must not set securityContext.seccompProfile.type={:?}",
                p.type_
            ),
        );
    }
    for c in &containers {
        match c.context.and_then(|s| s.seccomp_profile.as_ref()) {
            Some(p) if !seccomp_ok(p) => violation(
                "seccompProfile",
                format!(
                    "{} must not set securityContext.seccompProfile.type={:?}",
                    c.what(),
                    p.type_
                ),
            ),
            None if pod_seccomp.is_none() => violation(
                "seccompProfile",
                format!(
                    "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                    c.what()
                ),
            ),
            _ => {}
        }
    }

    // Non-root: the container's runAsNonRoot wins over the pod's.
    let pod_non_root = pod_context.and_then(|c| c.run_as_non_root);
    if pod_non_root == Some(false) {
        violation(
            "runAsNonRoot != true",
            "pod must not set securityContext.runAsNonRoot=false".into(),
        );
    }
    for c in &containers {
        match c.context.and_then(|s| s.run_as_non_root) {
            Some(false) => violation(
                "runAsNonRoot != true",
                format!(
                    "{} must not set securityContext.runAsNonRoot=false",
                    c.what()
                ),
            ),
            None if pod_non_root != Some(true) => violation(
                "runAsNonRoot != true",
                format!(
                    "pod or {} must set securityContext.runAsNonRoot=true",
                    c.what()
                ),
            ),
            _ => {}
        }
    }
    if pod_context.and_then(|c| c.run_as_user) == Some(0) {
        violation("runAsUser=0", "pod must not set runAsUser=0".into());
    }
    for c in &containers {
        if c.context.and_then(|s| s.run_as_user) == Some(0) {
            violation(
                "runAsUser=0",
                format!("{} must not set runAsUser=0", c.what()),
            );
        }
    }
    found
}

/// The sysctls *baseline* allows (Kubernetes 1.33).
const SAFE_SYSCTLS: [&str; 10] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn selinux(options: &SELinuxOptions, what: &str, violation: &mut impl FnMut(&'static str, String)) {
    const TYPES: [&str; 4] = [
        "container_t",
        "container_init_t",
        "container_kvm_t",
        "container_engine_t",
    ];
    if let Some(t) = options.type_.as_deref()
        && !t.is_empty()
        && !TYPES.contains(&t)
    {
        violation(
            "seLinuxOptions",
            format!("{what} sets seLinuxOptions.type={t:?}"),
        );
    }
    if options.user.as_deref().is_some_and(|u| !u.is_empty()) {
        violation(
            "seLinuxOptions",
            format!("{what} must not set seLinuxOptions.user"),
        );
    }
    if options.role.as_deref().is_some_and(|r| !r.is_empty()) {
        violation(
            "seLinuxOptions",
            format!("{what} must not set seLinuxOptions.role"),
        );
    }
}

/// The fields the profile reads of any kind of container.
struct AnyContainer<'a> {
    kind: &'static str,
    name: &'a str,
    context: Option<&'a SecurityContext>,
    ports: Option<&'a Vec<ContainerPort>>,
}

impl AnyContainer<'_> {
    fn what(&self) -> String {
        format!("{} {:?}", self.kind, self.name)
    }
}

fn containers(pod: &PodSpec) -> Vec<AnyContainer<'_>> {
    let mut all = Vec::new();
    for (kind, list) in [
        ("init container", pod.init_containers.as_ref()),
        ("container", Some(&pod.containers)),
    ] {
        for c in list.into_iter().flatten() {
            all.push(AnyContainer {
                kind,
                name: &c.name,
                context: c.security_context.as_ref(),
                ports: c.ports.as_ref(),
            });
        }
    }
    for c in pod.ephemeral_containers.iter().flatten() {
        all.push(AnyContainer {
            kind: "ephemeral container",
            name: &c.name,
            context: c.security_context.as_ref(),
            ports: c.ports.as_ref(),
        });
    }
    all
}

#[cfg(test)]
mod tests;
