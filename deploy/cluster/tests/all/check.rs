//! `cluster check` against the real API server: version, namespace (and --fix), RuntimeClass,
//! RBAC through SelfSubjectAccessReview, the Pod Security label.

use tntc_cluster::CheckOptions;
use tntc_kube_testkit::{ADMIN_CONTEXT, RESTRICTED_CONTEXT, grant, namespace};

use crate::{connect, server};

#[tokio::test]
async fn an_admin_passes_every_check_with_warnings_for_gvisor_and_pod_security() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "check-ok").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    let checks = cluster
        .check(&CheckOptions {
            namespace: ns.clone(),
            runtime_class: Some("gvisor".into()),
            ..Default::default()
        })
        .await;
    let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "K8s API reachable",
            "RuntimeClass 'gvisor'",
            &format!("Namespace '{ns}'"),
            "RBAC permissions",
            "Pod Security admission",
            "Secret references"
        ]
    );
    assert!(checks.iter().all(|c| c.passed), "{checks:#?}");
    assert!(
        checks[0]
            .detail
            .as_deref()
            .unwrap()
            .contains(server.version()),
        "{:?}",
        checks[0]
    );
    assert!(
        checks[1]
            .warning
            .as_deref()
            .unwrap()
            .contains("does not exist"),
        "no RuntimeClass on this server"
    );
    assert!(checks[4].warning.is_some(), "no enforce label");
}

#[tokio::test]
async fn a_missing_namespace_fails_and_fix_creates_it() {
    let Some(server) = server() else { return };
    let cluster = connect(server, ADMIN_CONTEXT).await;
    let options = CheckOptions {
        namespace: "check-created".into(),
        ..Default::default()
    };
    let checks = cluster.check(&options).await;
    let ns = checks
        .iter()
        .find(|c| c.name == "Namespace 'check-created'")
        .unwrap();
    assert!(!ns.passed);
    assert!(ns.remediation.as_deref().unwrap().contains("--fix"));
    let fixed = cluster
        .check(&CheckOptions {
            fix: true,
            ..options.clone()
        })
        .await;
    let ns = fixed
        .iter()
        .find(|c| c.name == "Namespace 'check-created'")
        .unwrap();
    assert!(ns.passed, "{ns:?}");
    let again = cluster.check(&options).await;
    assert!(
        again
            .iter()
            .find(|c| c.name == "Namespace 'check-created'")
            .unwrap()
            .passed
    );
}

#[tokio::test]
async fn rbac_lists_every_permission_the_user_lacks() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "check-rbac").await;
    grant(
        &admin,
        &ns,
        "",
        &[
            "configmaps",
            "services",
            "secrets",
            "pods",
            "pods/log",
            "services/proxy",
            "events",
        ],
        &["get", "list", "patch", "delete", "create"],
    )
    .await;
    grant(
        &admin,
        &ns,
        "apps",
        &["deployments"],
        &["get", "list", "patch", "delete", "create"],
    )
    .await;
    grant(
        &admin,
        &ns,
        "networking.k8s.io",
        &["networkpolicies"],
        &["get", "list", "patch", "delete", "create"],
    )
    .await;
    grant(&admin, &ns, "batch", &["cronjobs"], &["get", "list"]).await;
    let user = connect(server, RESTRICTED_CONTEXT).await;
    let checks = user
        .check(&CheckOptions {
            namespace: ns.clone(),
            ..Default::default()
        })
        .await;
    let rbac = checks
        .iter()
        .find(|c| c.name == "RBAC permissions")
        .unwrap();
    assert!(!rbac.passed);
    assert_eq!(
        rbac.detail.as_deref(),
        Some(
            format!("missing in namespace {ns:?}: patch cronjobs.batch, create cronjobs.batch, delete cronjobs.batch")
                .as_str()
        )
    );
}
