//! Server-side apply, re-apply, roll, prune, conflicts and missing namespaces, on the real
//! API server.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::Api;
use kube::api::{DynamicObject, Patch, PatchParams};
use tntc_cluster::{ApplyOptions, ClusterError, Kind};
use tntc_kube_testkit::{ADMIN_CONTEXT, namespace};

use crate::{actions, connect, server, workflow};

#[tokio::test]
async fn a_first_deploy_creates_every_object_as_given_owned_by_tntc() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "apply-create").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    let set = workflow("word-count", &ns, "sha256:1", &["0 * * * *"], true);
    let mut seen = Vec::new();
    let report = cluster
        .apply(&set, ApplyOptions::default(), |a| seen.push(a.name.clone()))
        .await
        .expect("apply");
    assert_eq!(
        actions(&report),
        [
            "created ConfigMap/word-count-code",
            "created Deployment/word-count",
            "created Service/word-count",
            "created CronJob/word-count-cron",
            "created NetworkPolicy/word-count-netpol",
            "created Secret/word-count-secrets",
        ]
    );
    assert_eq!(seen.len(), 6, "progress saw every object");

    // Read back every object.
    let code: ConfigMap = Api::namespaced(admin.clone(), &ns)
        .get("word-count-code")
        .await
        .unwrap();
    assert_eq!(code.data.unwrap()["workflow.yaml"], "name: word-count\n");
    assert_eq!(
        code.binary_data.unwrap()["nodes__count.wasm"].0,
        b"\0asm\x01\0\0\0"
    );
    let deployment: Deployment = Api::namespaced(admin.clone(), &ns)
        .get("word-count")
        .await
        .unwrap();
    let pod = deployment
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap();
    assert_eq!(pod.runtime_class_name.as_deref(), Some("gvisor"));
    assert_eq!(
        pod.containers[0].image.as_deref(),
        Some("registry.test/tntc-host:0.1.0")
    );
    let managers: Vec<String> = deployment
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| Some(format!("{}:{}", m.manager?, m.operation?)))
        .collect();
    assert_eq!(managers, ["tntc:Apply"]);
    let labels = deployment.metadata.labels.unwrap();
    assert_eq!(labels["app.kubernetes.io/managed-by"], "tentacular");
    let service: Service = Api::namespaced(admin.clone(), &ns)
        .get("word-count")
        .await
        .unwrap();
    assert_eq!(service.spec.unwrap().ports.unwrap()[0].port, 8080);
    let crons: Api<DynamicObject> = Api::namespaced_with(
        admin.clone(),
        &ns,
        &cluster.api_resource(Kind::CronJob).await,
    );
    let cron = crons.get("word-count-cron").await.unwrap();
    assert_eq!(cron.data["spec"]["schedule"], "0 * * * *");
    let policy: NetworkPolicy = Api::namespaced(admin.clone(), &ns)
        .get("word-count-netpol")
        .await
        .unwrap();
    assert_eq!(
        policy.spec.unwrap().policy_types.unwrap(),
        ["Ingress", "Egress"]
    );
    let secret: Secret = Api::namespaced(admin.clone(), &ns)
        .get("word-count-secrets")
        .await
        .unwrap();
    assert_eq!(secret.data.unwrap()["github"].0, br#"{"token":"t0ken"}"#);
}

#[tokio::test]
async fn deploying_the_same_objects_again_changes_nothing_and_does_not_restart() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "apply-again").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    let set = workflow("word-count", &ns, "sha256:1", &["0 * * * *"], false);
    cluster
        .apply(&set, ApplyOptions::default(), |_| {})
        .await
        .expect("first");
    let deployments: Api<Deployment> = Api::namespaced(admin.clone(), &ns);
    let before = deployments.get("word-count").await.unwrap().metadata;
    let report = cluster
        .apply(&set, ApplyOptions::default(), |_| {})
        .await
        .expect("again");
    assert!(
        actions(&report).iter().all(|a| a.starts_with("unchanged ")),
        "{:?}",
        actions(&report)
    );
    assert!(!report.deployment_changed());
    let after = deployments.get("word-count").await.unwrap().metadata;
    assert_eq!(
        after.generation, before.generation,
        "no new generation: no rollout"
    );
    assert_eq!(after.resource_version, before.resource_version);
}

#[tokio::test]
async fn a_code_change_rolls_the_deployment_through_its_template() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "apply-roll").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    cluster
        .apply(
            &workflow("word-count", &ns, "sha256:1", &[], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("first");
    let deployments: Api<Deployment> = Api::namespaced(admin.clone(), &ns);
    let before = deployments.get("word-count").await.unwrap();
    let report = cluster
        .apply(
            &workflow("word-count", &ns, "sha256:2", &[], false),
            ApplyOptions::default(),
            |_| {},
        )
        .await
        .expect("second");
    assert!(report.deployment_changed());
    assert!(actions(&report).contains(&"configured Deployment/word-count".to_string()));
    assert!(actions(&report).contains(&"unchanged Service/word-count".to_string()));
    let after = deployments.get("word-count").await.unwrap();
    assert_eq!(
        after.metadata.generation,
        before.metadata.generation.map(|g| g + 1)
    );
    let annotations = after
        .spec
        .unwrap()
        .template
        .metadata
        .unwrap()
        .annotations
        .unwrap();
    assert_eq!(annotations["checksum/code"], "sha256:2");
}

#[tokio::test]
async fn a_removed_cron_trigger_is_pruned_and_a_secret_left_out_is_kept() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "apply-prune").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    let two = workflow(
        "word-count",
        &ns,
        "sha256:1",
        &["0 * * * *", "@daily"],
        true,
    );
    cluster
        .apply(&two, ApplyOptions::default(), |_| {})
        .await
        .expect("first");
    // Another workflow's CronJob in the same namespace must survive the prune.
    let other = workflow("other-flow", &ns, "sha256:1", &["@hourly"], false);
    cluster
        .apply(&other, ApplyOptions::default(), |_| {})
        .await
        .expect("other");

    let none = workflow("word-count", &ns, "sha256:1", &[], false);
    let report = cluster
        .apply(&none, ApplyOptions::default(), |_| {})
        .await
        .expect("prune");
    let pruned: Vec<String> = actions(&report)
        .into_iter()
        .filter(|a| a.starts_with("pruned"))
        .collect();
    assert_eq!(
        pruned,
        [
            "pruned CronJob/word-count-cron-0",
            "pruned CronJob/word-count-cron-1"
        ]
    );
    let crons: Api<DynamicObject> = Api::namespaced_with(
        admin.clone(),
        &ns,
        &cluster.api_resource(Kind::CronJob).await,
    );
    let left: Vec<String> = crons
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|c| c.metadata.deletion_timestamp.is_none())
        .filter_map(|c| c.metadata.name)
        .collect();
    assert_eq!(left, ["other-flow-cron"]);
    let secrets: Api<Secret> = Api::namespaced(admin.clone(), &ns);
    assert!(
        secrets
            .get_opt("word-count-secrets")
            .await
            .unwrap()
            .is_some(),
        "no local secrets: the Secret stays"
    );
}

#[tokio::test]
async fn a_field_another_manager_owns_is_a_conflict_naming_the_object_unless_forced() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "apply-conflict").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    let set = workflow("word-count", &ns, "sha256:1", &[], false);
    cluster
        .apply(&set, ApplyOptions::default(), |_| {})
        .await
        .expect("first");
    // Someone takes the image over with another field manager (as `kubectl set image` with SSA would).
    let deployments: Api<Deployment> = Api::namespaced(admin.clone(), &ns);
    let theirs = serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "word-count"},
        "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "word-count"}},
            "template": {"spec": {"containers": [{"name": "engine", "image": "someone/else:1"}]}}}
    });
    deployments
        .patch(
            "word-count",
            &PatchParams::apply("kubectl-edit").force(),
            &Patch::Apply(&theirs),
        )
        .await
        .expect("the other manager's apply");

    let err = cluster
        .apply(&set, ApplyOptions::default(), |_| {})
        .await
        .unwrap_err();
    let ClusterError::PartlyApplied {
        source,
        applied,
        pending,
    } = &err
    else {
        panic!("expected a partly applied conflict, got {err}");
    };
    assert!(
        matches!(**source, ClusterError::Conflict { .. }),
        "{source}"
    );
    assert_eq!(applied, &["ConfigMap/word-count-code"]);
    assert_eq!(pending[0], "Deployment/word-count");
    let text = err.to_string();
    assert!(text.contains("Deployment/word-count"), "{text}");
    assert!(
        text.contains("kubectl-edit"),
        "the message names the other manager: {text}"
    );
    assert!(text.contains("--force-conflicts"), "{text}");

    let forced = ApplyOptions {
        force_conflicts: true,
    };
    cluster.apply(&set, forced, |_| {}).await.expect("forced");
    let image = deployments
        .get("word-count")
        .await
        .unwrap()
        .spec
        .unwrap()
        .template
        .spec
        .unwrap()
        .containers[0]
        .image
        .clone();
    assert_eq!(image.as_deref(), Some("registry.test/tntc-host:0.1.0"));
}

#[tokio::test]
async fn a_namespace_that_does_not_exist_is_named_with_how_to_create_it() {
    let Some(server) = server() else { return };
    let cluster = connect(server, ADMIN_CONTEXT).await;
    let set = workflow("word-count", "no-such-namespace", "sha256:1", &[], false);
    let err = cluster
        .apply(&set, ApplyOptions::default(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClusterError::NamespaceMissing { namespace } if namespace == "no-such-namespace"),
        "{err:?}"
    );
    assert!(err.to_string().contains("--fix"), "{err}");
}

#[tokio::test]
async fn a_changed_secret_rolls_the_pods_and_a_deploy_without_secrets_does_not() {
    let Some(server) = server() else { return };
    let admin = server.admin().await;
    let ns = namespace(&admin, "apply-secret").await;
    let cluster = connect(server, ADMIN_CONTEXT).await;
    let deployments: Api<Deployment> = Api::namespaced(admin.clone(), &ns);
    let generation = async || {
        deployments
            .get("word-count")
            .await
            .unwrap()
            .metadata
            .generation
            .unwrap()
    };
    let with_secret = workflow("word-count", &ns, "sha256:1", &[], true);
    cluster
        .apply(&with_secret, ApplyOptions::default(), |_| {})
        .await
        .expect("first");
    let first = generation().await;

    let mut changed = with_secret.clone();
    let secret = changed
        .objects
        .iter_mut()
        .find(|o| o.kind == Kind::Secret)
        .unwrap();
    secret.json["data"]["github"] = "bmV3".into();
    let report = cluster
        .apply(&changed, ApplyOptions::default(), |_| {})
        .await
        .expect("changed secret");
    assert!(
        actions(&report).contains(&"configured Deployment/word-count".to_string()),
        "{:?}",
        actions(&report)
    );
    assert_eq!(generation().await, first + 1, "the pods roll");

    let without = workflow("word-count", &ns, "sha256:1", &[], false);
    let report = cluster
        .apply(&without, ApplyOptions::default(), |_| {})
        .await
        .expect("no secrets");
    assert!(
        actions(&report).contains(&"unchanged Deployment/word-count".to_string()),
        "{:?}",
        actions(&report)
    );
    assert_eq!(generation().await, first + 1, "no local secrets: no roll");
}
