//! End to end against a real kube-apiserver started by the test (tntc-kube-testkit): the real
//! `tntc` binary deploys `examples/word-count`, lists, shows, runs, reads logs and undeploys it.
//!
//! What a kubelet and the controllers would do is written into the API server by the test
//! (a pod with its status, the Deployment's status): `tntc status` and `tntc logs` (through
//! the API server to the test's kubelet log endpoint) see it. `tntc run` goes to a real
//! `tntc-host` serving the deployed bundle through `ServiceProxy`, the stand-in for the API
//! server's service proxy (the real one refuses loopback endpoints). Skips, saying why,
//! when the kube-apiserver binary is missing (`scripts/kube-apiserver` builds it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kube::api::{DynamicObject, ListParams};
use serde_json::Value;
use tntc_cluster::Kind;
use tntc_kube_testkit::kubelet::{self, Kubelet, PodState};
use tntc_kube_testkit::{ApiServer, ServiceProxy, namespace};

use super::host_e2e::start_host;
use super::{cache_dir, stderr, stdout};

/// `tntc` with the test server's kubeconfig and a clean HOME.
fn tntc(server: &ApiServer, cwd: &Path, args: &[&str]) -> Output {
    let home = cwd.join(".home");
    std::fs::create_dir_all(&home).expect("home");
    Command::new(env!("CARGO_BIN_EXE_tntc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("TNTC_CACHE_DIR", cache_dir())
        .env("HOME", &home)
        .env("KUBECONFIG", server.kubeconfig())
        .output()
        .expect("run tntc")
}

/// A copy of examples/word-count in a temp dir (deploy builds its dist/ there).
fn word_count_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/word-count");
    let dir = tmp.path().join("word-count");
    copy_dir(&example, &dir);
    (tmp, dir)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() != "dist" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// `Kind/name` of every object of `workflow` left in `ns` (not being deleted).
async fn objects_left(server: &ApiServer, ns: &str, workflow: &str) -> Vec<String> {
    let cluster = tntc_cluster::Cluster::connect(&tntc_cluster::ConnectOptions {
        context: None,
        kubeconfig: Some(server.kubeconfig().to_path_buf()),
    })
    .await
    .expect("connect");
    let mut left = Vec::new();
    for kind in Kind::ALL {
        let api: Api<DynamicObject> = Api::namespaced_with(
            cluster.client().clone(),
            ns,
            &cluster.api_resource(kind).await,
        );
        for item in api.list(&ListParams::default()).await.expect("list").items {
            let name = item.metadata.name.unwrap_or_default();
            if name.starts_with(workflow) && item.metadata.deletion_timestamp.is_none() {
                left.push(format!("{kind}/{name}"));
            }
        }
    }
    left
}

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

#[tokio::test]
async fn deploy_list_run_logs_and_undeploy_word_count_on_a_real_api_server() {
    let Some(server) = ApiServer::shared() else {
        return;
    };
    let admin = server.admin().await;
    let ns = namespace(&admin, "e2e").await;
    let (tmp, dir) = word_count_copy();
    let cwd = tmp.path();
    let dir_arg = dir.to_string_lossy().into_owned();
    let image = "registry.test/tntc-host:0.1.0";

    // Deploy: every object created, no waiting (not a terminal).
    let out = tntc(
        server,
        cwd,
        &["deploy", &dir_arg, "-n", &ns, "--image", image],
    );
    let text = ok(&out, "tntc deploy");
    for object in [
        "created ConfigMap/word-count-code",
        "created Deployment/word-count",
        "created Service/word-count",
        "created NetworkPolicy/word-count-netpol",
    ] {
        assert!(text.contains(object), "{object} in:\n{text}");
    }
    assert!(
        stderr(&out).contains("tntc status word-count"),
        "{}",
        stderr(&out)
    );
    let deployments: Api<Deployment> = Api::namespaced(admin.clone(), &ns);
    let deployment = deployments
        .get("word-count")
        .await
        .expect("the Deployment exists");
    let generation = deployment.metadata.generation;
    let pod = deployment.spec.unwrap().template.spec.unwrap();
    assert_eq!(pod.containers[0].image.as_deref(), Some(image));
    assert_eq!(pod.runtime_class_name.as_deref(), Some("gvisor"));

    // Again: nothing changes, nothing restarts.
    let out = tntc(
        server,
        cwd,
        &[
            "deploy", &dir_arg, "-n", &ns, "--image", image, "-o", "json",
        ],
    );
    let envelope: Value = serde_json::from_str(&ok(&out, "second deploy")).expect("json");
    assert_eq!(envelope["status"], "pass");
    assert!(
        envelope["objects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["action"] == "unchanged"),
        "{envelope:#}"
    );
    assert_eq!(
        deployments
            .get("word-count")
            .await
            .unwrap()
            .metadata
            .generation,
        generation
    );

    // List.
    let out = tntc(server, cwd, &["list", "-n", &ns]);
    let table = ok(&out, "tntc list");
    assert!(table.starts_with("NAME"), "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("word-count"))
        .expect("a row");
    assert!(
        row.contains("1.0") && row.contains(&ns) && row.contains("0/1"),
        "{row}"
    );

    // The kubelet's part: a running pod, the Deployment available, the Service's Endpoints
    // at a real tntc-host serving the bundle deploy built.
    let kubelet = Kubelet::shared(server).await;
    kubelet::pod(
        &admin,
        &ns,
        "word-count",
        "word-count-6d8f-x1",
        PodState::Running {
            ready: true,
            restarts: 0,
        },
    )
    .await;
    kubelet::rollout_complete(&admin, &ns, "word-count").await;
    let host = start_host(&dir.join("dist"));
    let proxy = ServiceProxy::start(host.port);
    let through_proxy = cwd.join("proxy.kubeconfig");
    std::fs::write(&through_proxy, server.kubeconfig_text(Some(&proxy.url))).unwrap();
    let through_proxy = through_proxy.to_string_lossy().into_owned();
    kubelet.set_logs(
        &ns,
        "word-count-6d8f-x1",
        &["word-count listening on 0.0.0.0:8080"],
        true,
    );

    let out = tntc(
        server,
        cwd,
        &["status", "word-count", "-n", &ns, "-o", "json"],
    );
    let status: Value = serde_json::from_str(&ok(&out, "tntc status")).expect("json");
    assert_eq!(status["ready"], true, "{status}");

    // Run through the service proxy (from a directory without ./word-count), to the real
    // tntc-host serving the bundle deploy built.
    let elsewhere = tempfile::tempdir().expect("tmp");
    let out = tntc(
        server,
        elsewhere.path(),
        &[
            "run",
            "word-count",
            "-n",
            &ns,
            "--kubeconfig",
            &through_proxy,
            "--input",
            r#"{"text": "b a b c b"}"#,
            "-o",
            "json",
        ],
    );
    let result: Value = serde_json::from_str(&ok(&out, "tntc run word-count")).expect("json");
    assert_eq!(result["success"], true, "{result:#}");
    assert!(
        result["outputs"]["report"].to_string().contains('b'),
        "{result:#}"
    );

    let out = tntc(server, cwd, &["logs", "word-count", "-n", &ns]);
    assert_eq!(
        ok(&out, "tntc logs"),
        "word-count listening on 0.0.0.0:8080\n"
    );

    // Undeploy: everything goes.
    let out = tntc(server, cwd, &["undeploy", "word-count", "-n", &ns, "--yes"]);
    let text = ok(&out, "tntc undeploy");
    assert!(text.contains("deleted Deployment/word-count"), "{text}");
    assert_eq!(
        objects_left(server, &ns, "word-count").await,
        Vec::<String>::new()
    );
    let out = tntc(server, cwd, &["list", "-n", &ns, "-o", "json"]);
    assert_eq!(ok(&out, "list after undeploy").trim(), "[]");
}

#[tokio::test]
async fn a_changed_node_rolls_and_a_removed_cron_trigger_is_pruned() {
    let Some(server) = ApiServer::shared() else {
        return;
    };
    let admin = server.admin().await;
    let ns = namespace(&admin, "e2e-change").await;
    let (tmp, dir) = word_count_copy();
    let cwd = tmp.path();
    let dir_arg = dir.to_string_lossy().into_owned();
    let yaml_path = dir.join("workflow.yaml");
    let original = std::fs::read_to_string(&yaml_path).unwrap();
    let with_cron = original.replace(
        "  - type: manual\n",
        "  - type: manual\n  - type: cron\n    name: hourly\n    schedule: \"0 * * * *\"\n",
    );
    assert_ne!(with_cron, original);
    std::fs::write(&yaml_path, &with_cron).unwrap();
    let out = tntc(
        server,
        cwd,
        &["deploy", &dir_arg, "-n", &ns, "--runtime-class", "none"],
    );
    assert!(ok(&out, "deploy with cron").contains("created CronJob/word-count-cron"));
    let deployments: Api<Deployment> = Api::namespaced(admin.clone(), &ns);
    let before = deployments.get("word-count").await.unwrap();

    // A changed node: the bundle's checksum moves, the pod template rolls.
    let node = dir.join("nodes/report.ts");
    let code = std::fs::read_to_string(&node).unwrap();
    std::fs::write(&node, format!("{code}\n// changed\n")).unwrap();
    // And the cron trigger is removed.
    std::fs::write(&yaml_path, &original).unwrap();
    let out = tntc(
        server,
        cwd,
        &["deploy", &dir_arg, "-n", &ns, "--runtime-class", "none"],
    );
    let text = ok(&out, "deploy after the change");
    assert!(text.contains("configured Deployment/word-count"), "{text}");
    assert!(text.contains("pruned CronJob/word-count-cron"), "{text}");
    let after = deployments.get("word-count").await.unwrap();
    assert_eq!(
        after.metadata.generation,
        before.metadata.generation.map(|g| g + 1)
    );
    let checksum = |d: &Deployment| {
        d.spec
            .as_ref()
            .unwrap()
            .template
            .metadata
            .as_ref()
            .unwrap()
            .annotations
            .as_ref()
            .unwrap()["checksum/code"]
            .clone()
    };
    assert_ne!(checksum(&before), checksum(&after));
    assert!(
        after
            .spec
            .unwrap()
            .template
            .spec
            .unwrap()
            .runtime_class_name
            .is_none()
    );
}

#[tokio::test]
async fn cluster_errors_exit_with_the_status_of_their_cause_and_what_to_do() {
    let Some(server) = ApiServer::shared() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();

    let out = tntc(server, cwd, &["status", "not-deployed", "-n", "default"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("workflow \"not-deployed\" is not deployed in namespace \"default\""),
        "{}",
        stderr(&out)
    );

    let out = tntc(server, cwd, &["list", "--context", "tntc-test-restricted"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("refused to list deployments.apps"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("as user \"restricted\""),
        "{}",
        stderr(&out)
    );

    let out = tntc(server, cwd, &["list", "--context", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no context \"nope\""),
        "{}",
        stderr(&out)
    );

    let out = tntc(server, cwd, &["undeploy", "word-count", "-n", "default"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));

    // No kubeconfig at all (and not in a pod).
    let out = Command::new(env!("CARGO_BIN_EXE_tntc"))
        .args(["list"])
        .current_dir(cwd)
        .env("HOME", cwd)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("no kubeconfig"), "{}", stderr(&out));

    // An API server that is not there.
    let gone = cwd.join("gone.kubeconfig");
    std::fs::write(&gone, server.kubeconfig_text(Some("https://127.0.0.1:9"))).unwrap();
    let gone = gone.to_string_lossy().into_owned();
    let out = tntc(server, cwd, &["list", "--kubeconfig", &gone]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("cannot reach the Kubernetes API server at https://127.0.0.1:9"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn cluster_check_reports_each_check_and_fix_creates_the_namespace() {
    let Some(server) = ApiServer::shared() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let out = tntc(
        server,
        cwd,
        &["cluster", "check", "-n", "e2e-fixed", "-o", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "the namespace is missing");
    let checks: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let failed: Vec<&str> = checks
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["Namespace 'e2e-fixed'"]);
    let out = tntc(
        server,
        cwd,
        &["cluster", "check", "-n", "e2e-fixed", "--fix"],
    );
    let text = ok(&out, "cluster check --fix");
    assert!(
        text.contains("✓ Namespace 'e2e-fixed': created (--fix)"),
        "{text}"
    );
    assert!(text.contains("! RuntimeClass 'gvisor'"), "{text}");
    assert!(text.ends_with("Ready to deploy.\n"), "{text}");
}

#[tokio::test]
async fn deploy_wait_reports_a_finished_rollout_and_fails_with_the_pods_reason() {
    let Some(server) = ApiServer::shared() else {
        return;
    };
    let admin = server.admin().await;
    let ns = namespace(&admin, "e2e-wait").await;
    let (tmp, dir) = word_count_copy();
    let cwd = tmp.path();
    let dir_arg = dir.to_string_lossy().into_owned();
    ok(
        &tntc(server, cwd, &["deploy", &dir_arg, "-n", &ns, "--no-wait"]),
        "first deploy",
    );
    let _ = Kubelet::shared(server).await;

    // The rollout finished: --wait says so.
    kubelet::rollout_complete(&admin, &ns, "word-count").await;
    let out = tntc(
        server,
        cwd,
        &["deploy", &dir_arg, "-n", &ns, "--wait", "--timeout", "20s"],
    );
    let text = ok(&out, "deploy --wait");
    assert!(text.contains("1 of 1 replicas available"), "{text}");

    // A pod that cannot pull its image: the deploy fails with the kubelet's reason.
    kubelet::pod(
        &admin,
        &ns,
        "word-count",
        "word-count-7c9-pull",
        PodState::Waiting {
            reason: "ImagePullBackOff".into(),
            message: "Back-off pulling image \"tntc-host:0.1.0\"".into(),
            restarts: 0,
        },
    )
    .await;
    kubelet::rollout_status(&admin, &ns, "word-count", 0).await;
    let out = tntc(
        server,
        cwd,
        &["deploy", &dir_arg, "-n", &ns, "--wait", "--timeout", "20s"],
    );
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("pod word-count-7c9-pull is in ImagePullBackOff"),
        "{err}"
    );
    assert!(err.contains("--image"), "{err}");
    let out = tntc(
        server,
        cwd,
        &[
            "deploy",
            &dir_arg,
            "-n",
            &ns,
            "--wait",
            "--timeout",
            "20s",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(5));
    let envelope: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(envelope["status"], "fail");
    assert_eq!(envelope["rollout"]["cause"]["cause"], "pod");
    assert_eq!(envelope["rollout"]["cause"]["reason"], "ImagePullBackOff");
}
