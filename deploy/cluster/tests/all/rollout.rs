//! Waiting for rollouts. The test plays the controller and the kubelet by writing the
//! Deployment's status and the pods into the real API server while `wait_rollout` polls it.

use std::time::Duration;

use tntc_cluster::rollout::Cause;
use tntc_cluster::{ApplyOptions, ClusterError};
use tntc_kube_testkit::kubelet::{self, Kubelet, PodState};
use tntc_kube_testkit::{ADMIN_CONTEXT, ApiServer, namespace};

use crate::{connect, server, workflow};

#[tokio::test]
async fn the_wait_ends_when_every_replica_is_available_reporting_progress() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "rollout-ok").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    cluster
        .apply(
            &workflow("word-count", &ns, "sha256:1", &[], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("apply");
    let _ = Kubelet::shared(server).await;
    let controller = {
        let admin = admin.clone();
        let ns = ns.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(700)).await;
            kubelet::pod(
                &admin,
                &ns,
                "word-count",
                "word-count-abc12",
                PodState::Waiting {
                    reason: "ContainerCreating".into(),
                    message: String::new(),
                    restarts: 0,
                },
            )
            .await;
            kubelet::rollout_status(&admin, &ns, "word-count", 0).await;
            tokio::time::sleep(Duration::from_millis(1200)).await;
            kubelet::rollout_complete(&admin, &ns, "word-count").await;
        })
    };
    let mut seen = Vec::new();
    let done = cluster
        .wait_rollout(&ns, "word-count", Duration::from_secs(30), |p| {
            seen.push(p.to_string())
        })
        .await
        .expect("rolled out");
    controller.await.unwrap();
    assert_eq!((done.available, done.replicas), (1, 1));
    assert!(
        seen.iter()
            .any(|s| s.contains("word-count-abc12: ContainerCreating")),
        "progress named what the pod waits for: {seen:?}"
    );
    assert_eq!(
        seen.last().map(String::as_str),
        Some("1/1 updated, 1/1 available")
    );
}

#[tokio::test]
async fn an_image_that_cannot_be_pulled_fails_the_rollout_with_the_reason_and_last_logs() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "rollout-pull").await;
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
    kubelet::pod(
        &admin,
        &ns,
        "word-count",
        "word-count-xyz",
        PodState::Waiting {
            reason: "ImagePullBackOff".into(),
            message: "Back-off pulling image \"registry.test/tntc-host:0.1.0\"".into(),
            restarts: 0,
        },
    )
    .await;
    kubelet.set_logs(
        &ns,
        "word-count-xyz",
        &["pulling registry.test/tntc-host:0.1.0"],
        true,
    );
    kubelet::rollout_status(&admin, &ns, "word-count", 0).await;
    let err = cluster
        .wait_rollout(&ns, "word-count", Duration::from_secs(30), |_| {})
        .await
        .unwrap_err();
    let ClusterError::Rollout(failure) = &err else {
        panic!("expected a rollout failure: {err}")
    };
    let Cause::Pod {
        pod, reason, logs, ..
    } = &failure.cause
    else {
        panic!("{err}")
    };
    assert_eq!(
        (pod.as_str(), reason.as_str()),
        ("word-count-xyz", "ImagePullBackOff")
    );
    assert_eq!(
        logs,
        &["pulling registry.test/tntc-host:0.1.0"],
        "the logs came through the API server"
    );
    let text = err.to_string();
    assert!(text.contains("Back-off pulling image"), "{text}");
    assert!(
        text.contains("--image"),
        "the help says what to check: {text}"
    );
}

#[tokio::test]
async fn a_rollout_that_does_not_finish_in_time_says_where_it_stood() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "rollout-slow").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    cluster
        .apply(
            &workflow("word-count", &ns, "sha256:1", &[], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("apply");
    kubelet::rollout_status(&admin, &ns, "word-count", 0).await;
    let err = cluster
        .wait_rollout(&ns, "word-count", Duration::from_secs(1), |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("did not finish within 1 s: 1/1 updated, 0/1 available"),
        "{text}"
    );
}

#[tokio::test]
async fn an_api_server_that_goes_away_mid_rollout_is_reported_with_what_is_known() {
    // A server of this test's own, stopped while the rollout is awaited.
    let Some(mut own) = ApiServer::start() else {
        return;
    };
    let admin = own.admin().await;
    let ns = namespace(&admin, "rollout-lost").await;
    let cluster = connect(&own, ADMIN_CONTEXT).await;
    cluster
        .apply(
            &workflow("word-count", &ns, "sha256:1", &[], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("apply");
    let waiting = tokio::spawn(async move {
        cluster
            .wait_rollout(&ns, "word-count", Duration::from_secs(60), |_| {})
            .await
    });
    tokio::time::sleep(Duration::from_millis(1200)).await;
    own.stop();
    let err = tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("the wait gives up")
        .unwrap()
        .unwrap_err();
    let ClusterError::Rollout(failure) = &err else {
        panic!("expected a rollout failure: {err}")
    };
    assert!(matches!(failure.cause, Cause::Lost { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("lost the API server"), "{text}");
    assert!(text.contains("the objects were applied"), "{text}");
    assert!(text.contains("tntc status word-count"), "{text}");
}
