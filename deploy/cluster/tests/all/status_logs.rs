//! Status, logs, list and undeploy, with pods and events written as a kubelet would.

use tntc_cluster::{ApplyOptions, ClusterError, LogOptions};
use tntc_kube_testkit::kubelet::{self, Kubelet, PodState};
use tntc_kube_testkit::{ADMIN_CONTEXT, namespace};

use crate::{connect, server, workflow};

#[tokio::test]
async fn status_shows_replicas_image_runtime_pods_with_restarts_and_events() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "status").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    cluster
        .apply(
            &workflow("word-count", &ns, "sha256:1", &["@daily"], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("apply");
    let _ = Kubelet::shared(server).await;
    kubelet::pod(
        &admin,
        &ns,
        "word-count",
        "word-count-a1",
        PodState::Running {
            ready: true,
            restarts: 2,
        },
    )
    .await;
    kubelet::rollout_complete(&admin, &ns, "word-count").await;
    kubelet::event(
        &admin,
        &ns,
        ("Pod", "word-count-a1"),
        ("Warning", "BackOff", "Back-off restarting failed container"),
    )
    .await;
    kubelet::event(
        &admin,
        &ns,
        ("Pod", "unrelated-b2"),
        ("Normal", "Pulled", "not ours"),
    )
    .await;

    let status = cluster.status(&ns, "word-count").await.expect("status");
    assert!(status.ready);
    assert_eq!((status.replicas, status.available), (1, 1));
    assert_eq!(
        status.image.as_deref(),
        Some("registry.test/tntc-host:0.1.0")
    );
    assert_eq!(status.runtime_class.as_deref(), Some("gvisor"));
    assert_eq!(status.version.as_deref(), Some("1.0"));
    assert_eq!(status.resource_limits["memory"], "256Mi");
    assert_eq!(
        status.service_endpoint.as_deref(),
        Some(format!("word-count.{ns}.svc.cluster.local:8080").as_str())
    );
    assert_eq!(
        status.cron_jobs,
        [("word-count-cron".to_string(), "@daily".to_string())]
    );
    assert_eq!(status.pods.len(), 1);
    assert_eq!(
        (status.pods[0].restarts, status.pods[0].state.as_str()),
        (2, "running")
    );
    let events: Vec<&str> = status.events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(events, ["BackOff"], "only the workflow's events");
    let json = serde_json::to_value(&status).unwrap();
    for key in [
        "name",
        "namespace",
        "ready",
        "replicas",
        "available",
        "image",
        "runtimeClass",
        "resourceLimits",
        "serviceEndpoint",
        "pods",
        "events",
    ] {
        assert!(json.get(key).is_some(), "the original's --detail key {key}");
    }
}

#[tokio::test]
async fn a_workflow_that_is_not_deployed_is_an_error_naming_where_it_is() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let here = namespace(&admin, "nf-here").await;
    let there = namespace(&admin, "nf-there").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    cluster
        .apply(
            &workflow("lost-flow", &there, "sha256:1", &[], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("apply");
    let err = cluster.status(&here, "lost-flow").await.unwrap_err();
    assert!(
        matches!(err, ClusterError::WorkflowNotFound { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains(&format!("add -n {there}")),
        "{err}"
    );
    let err = cluster.undeploy(&here, "lost-flow").await.unwrap_err();
    assert!(
        matches!(err, ClusterError::WorkflowNotFound { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn logs_of_every_pod_come_through_the_api_server_and_follow_to_the_end() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "logs").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    cluster
        .apply(
            &workflow("word-count", &ns, "sha256:1", &[], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("apply");
    let kubelet = Kubelet::shared(server).await;
    let err = cluster
        .logs(
            &ns,
            "word-count",
            LogOptions {
                tail: 100,
                follow: false,
            },
            |_| {},
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ClusterError::NoPods { .. }), "{err}");
    for pod in ["word-count-p1", "word-count-p2"] {
        kubelet::pod(
            &admin,
            &ns,
            "word-count",
            pod,
            PodState::Running {
                ready: true,
                restarts: 0,
            },
        )
        .await;
    }
    let many: Vec<String> = (0..150).map(|i| format!("line {i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    kubelet.set_logs(&ns, "word-count-p1", &many, true);
    kubelet.set_logs(&ns, "word-count-p2", &["listening on 0.0.0.0:8080"], false);
    let follower = {
        let kubelet_book = kubelet;
        let ns = ns.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(800)).await;
            kubelet_book.set_logs(
                &ns,
                "word-count-p2",
                &["listening on 0.0.0.0:8080", "run 1 ok"],
                true,
            );
        })
    };
    let mut pods_seen = Vec::new();
    let mut lines = Vec::new();
    cluster
        .logs(
            &ns,
            "word-count",
            LogOptions {
                tail: 100,
                follow: true,
            },
            |p| pods_seen = p.to_vec(),
            |l| lines.push(l),
        )
        .await
        .expect("logs");
    follower.await.unwrap();
    assert_eq!(pods_seen, ["word-count-p1", "word-count-p2"]);
    let p1: Vec<&str> = lines
        .iter()
        .filter(|l| l.pod == "word-count-p1")
        .map(|l| l.line.as_str())
        .collect();
    assert_eq!(p1.len(), 100, "--tail 100");
    assert_eq!(p1.first(), Some(&"line 50"));
    let p2: Vec<&str> = lines
        .iter()
        .filter(|l| l.pod == "word-count-p2")
        .map(|l| l.line.as_str())
        .collect();
    assert_eq!(
        p2,
        ["listening on 0.0.0.0:8080", "run 1 ok"],
        "-f saw the later line"
    );
}

#[tokio::test]
async fn list_shows_tntc_workflows_and_undeploy_removes_every_object() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "list-undeploy").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    for name in ["word-count", "other-flow"] {
        cluster
            .apply(
                &workflow(name, &ns, "sha256:1", &["@daily"], true),
                ApplyOptions::default(),
                |_| {},
            )
            .await
            .expect("apply");
    }
    let listed = cluster.list(Some(&ns)).await.expect("list");
    let rows: Vec<(String, String, String)> = listed
        .iter()
        .map(|w| (w.name.clone(), w.version.clone(), w.replicas.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("other-flow".into(), "1.0".into(), "0/1".into()),
            ("word-count".into(), "1.0".into(), "0/1".into())
        ]
    );
    let deleted = cluster.undeploy(&ns, "word-count").await.expect("undeploy");
    let ids: Vec<String> = deleted
        .iter()
        .map(|d| format!("{}/{}", d.kind, d.name))
        .collect();
    assert_eq!(
        ids,
        [
            "Service/word-count",
            "Deployment/word-count",
            "CronJob/word-count-cron",
            "NetworkPolicy/word-count-netpol",
            "ConfigMap/word-count-code",
            "Secret/word-count-secrets"
        ]
    );
    let listed = cluster.list(Some(&ns)).await.expect("list");
    let names: Vec<&str> = listed.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["other-flow"], "the other workflow stays");
}
