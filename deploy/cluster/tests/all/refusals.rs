//! A user the cluster refuses (real RBAC, 403): every verb tntc uses fails with an error that
//! names the verb, the resource and the namespace, and nothing is applied silently.

use tntc_cluster::{ApplyOptions, ClusterError, LogOptions};
use tntc_kube_testkit::{ADMIN_CONTEXT, RESTRICTED_CONTEXT, grant, namespace};

use crate::{connect, server, workflow};

fn refused(err: &ClusterError) -> (String, Option<String>) {
    match err {
        ClusterError::Forbidden { op, user, .. } => (op.to_string(), user.clone()),
        ClusterError::PartlyApplied { source, .. } => refused(source),
        other => panic!("expected 403, got: {other}"),
    }
}

#[tokio::test]
async fn each_refused_verb_is_named_with_its_resource_and_namespace() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "refused").await;
    let owner = connect(server, ADMIN_CONTEXT).await;
    let set = workflow("word-count", &ns, "sha256:1", &[], false);
    owner
        .apply(&set, ApplyOptions::default(), |_| {})
        .await
        .expect("admin deploys");
    let user = connect(server, RESTRICTED_CONTEXT).await;

    // get: status reads the Deployment.
    let err = user.status(&ns, "word-count").await.unwrap_err();
    let (op, who) = refused(&err);
    assert_eq!(
        op,
        format!("get deployments.apps \"word-count\" in namespace \"{ns}\"")
    );
    assert_eq!(who.as_deref(), Some("restricted"));
    assert!(err.to_string().contains("403 Forbidden"), "{err}");
    assert!(err.to_string().contains("tntc cluster check"), "{err}");

    // list: list reads Deployments.
    let err = user.list(Some(&ns)).await.unwrap_err();
    assert_eq!(
        refused(&err).0,
        format!("list deployments.apps in namespace \"{ns}\"")
    );

    // create services/proxy: run.
    let err = user
        .invoke(
            &ns,
            "word-count",
            &serde_json::json!({}),
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err).0,
        format!("create services/proxy \"word-count\" in namespace \"{ns}\"")
    );

    // list pods: logs.
    let err = user
        .logs(
            &ns,
            "word-count",
            LogOptions {
                tail: 10,
                follow: false,
            },
            |_| {},
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(refused(&err).0, format!("list pods in namespace \"{ns}\""));

    // patch: may read ConfigMaps but not write them; nothing is applied.
    grant(&admin, &ns, "", &["configmaps"], &["get", "list"]).await;
    let err = user
        .apply(&set, ApplyOptions::default(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err).0,
        format!("patch configmaps \"word-count-code\" in namespace \"{ns}\"")
    );
    assert!(
        matches!(err, ClusterError::Forbidden { .. }),
        "the first object failed: nothing applied"
    );

    // delete: may list everything, delete nothing.
    for (group, resource) in [
        ("", "services"),
        ("apps", "deployments"),
        ("batch", "cronjobs"),
        ("networking.k8s.io", "networkpolicies"),
        ("", "secrets"),
    ] {
        grant(&admin, &ns, group, &[resource], &["list"]).await;
    }
    let err = user.undeploy(&ns, "word-count").await.unwrap_err();
    assert_eq!(
        refused(&err).0,
        format!("delete services \"word-count\" in namespace \"{ns}\"")
    );
}

#[tokio::test]
async fn a_failure_part_way_through_says_what_was_applied_and_what_was_not() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "partly").await;
    grant(
        &admin,
        &ns,
        "",
        &["configmaps"],
        &["get", "list", "patch", "create"],
    )
    .await;
    let user = connect(server, RESTRICTED_CONTEXT).await;
    let set = workflow("word-count", &ns, "sha256:1", &["@daily"], false);
    let err = user
        .apply(&set, ApplyOptions::default(), |_| {})
        .await
        .unwrap_err();
    let ClusterError::PartlyApplied {
        applied, pending, ..
    } = &err
    else {
        panic!("expected PartlyApplied, got {err} ({err:?})");
    };
    assert_eq!(applied, &["ConfigMap/word-count-code"]);
    assert_eq!(
        pending,
        &[
            "Deployment/word-count",
            "Service/word-count",
            "CronJob/word-count-cron",
            "NetworkPolicy/word-count-netpol"
        ]
    );
    let text = err.to_string();
    assert!(text.contains("get deployments.apps"), "{text}");
    assert!(
        text.contains("applied before the failure: ConfigMap/word-count-code"),
        "{text}"
    );
}
