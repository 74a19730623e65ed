//! The objects of a workflow: order, names, labels, the pod, the bundle in the ConfigMap.

use serde_json::{Value, json};
use tntc_manifests::{
    CONFIGMAP_LIMIT, ManifestError, PodSpec, Target, pss_restricted_violations, selector,
};

use super::support::{MANUAL, bundle, bundle_sized, names, object, render, target, workflow};

#[test]
fn objects_come_in_apply_order_with_the_original_names() {
    let dir = bundle(&workflow(
        "orders",
        "  - type: manual\n  - type: cron\n    schedule: \"@hourly\"\n",
        "",
    ));
    let manifests = render(dir.path());
    assert_eq!(
        names(&manifests),
        [
            "ConfigMap/orders-code",
            "Deployment/orders",
            "Service/orders",
            "CronJob/orders-cron",
            "NetworkPolicy/orders-netpol"
        ]
    );
    let secrets = std::collections::BTreeMap::from([("api".to_owned(), "k".to_owned())]);
    let with_secret = tntc_manifests::render(&dir.path().join("dist"), &target(), Some(&secrets))
        .expect("render");
    assert_eq!(
        names(&with_secret).last().map(String::as_str),
        Some("Secret/orders-secrets")
    );
    for m in &with_secret.objects {
        assert_eq!(
            m.to_json()["apiVersion"],
            m.api_version(),
            "{}",
            m.display_name()
        );
        assert_eq!(m.to_json()["kind"], m.kind());
    }
}

#[test]
fn every_object_carries_the_labels_and_namespace_the_selector_finds() {
    let dir = bundle(&workflow("labelled", MANUAL, ""));
    let secrets = std::collections::BTreeMap::from([("api".to_owned(), "k".to_owned())]);
    let manifests = tntc_manifests::render(&dir.path().join("dist"), &target(), Some(&secrets))
        .expect("render");
    assert_eq!(
        selector("labelled"),
        "app.kubernetes.io/name=labelled,app.kubernetes.io/managed-by=tentacular"
    );
    for m in &manifests.objects {
        let meta = m.metadata();
        assert_eq!(
            meta.namespace.as_deref(),
            Some("team-a"),
            "{}",
            m.display_name()
        );
        let labels = meta.labels.clone().unwrap_or_default();
        assert_eq!(
            labels,
            tntc_manifests::labels("labelled", "1.2"),
            "{}",
            m.display_name()
        );
    }
}

fn pod(manifests: &tntc_manifests::Manifests, name: &str) -> Value {
    object(manifests, "Deployment", name)["spec"]["template"]["spec"].clone()
}

#[test]
fn the_deployment_runs_the_original_pod_without_a_command() {
    let dir = bundle(&workflow("pod", MANUAL, ""));
    let manifests = render(dir.path());
    let deployment = object(&manifests, "Deployment", "pod");
    assert_eq!(deployment["spec"]["replicas"], 1);
    assert_eq!(deployment["spec"]["strategy"], json!({"type": "Recreate"}));
    assert_eq!(
        deployment["spec"]["selector"],
        json!({"matchLabels": {"app.kubernetes.io/name": "pod"}})
    );
    let pod = pod(&manifests, "pod");
    assert_eq!(pod["automountServiceAccountToken"], false);
    assert_eq!(pod["runtimeClassName"], "gvisor");
    assert_eq!(
        pod["securityContext"],
        json!({"runAsGroup": 65534, "runAsNonRoot": true, "runAsUser": 65534, "seccompProfile": {"type": "RuntimeDefault"}})
    );
    let engine = &pod["containers"][0];
    assert_eq!(engine["name"], "engine");
    assert_eq!(engine["image"], "registry.test/tntc-host:1");
    assert_eq!(engine["imagePullPolicy"], "Always");
    assert!(
        engine.get("command").is_none() && engine.get("args").is_none(),
        "{engine}"
    );
    assert_eq!(
        engine["ports"],
        json!([{"containerPort": 8080, "name": "http", "protocol": "TCP"}])
    );
    assert_eq!(
        engine["securityContext"],
        json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true, "runAsNonRoot": true})
    );
    assert_eq!(
        engine["livenessProbe"],
        json!({"httpGet": {"path": "/health", "port": 8080}, "initialDelaySeconds": 5, "periodSeconds": 10})
    );
    assert_eq!(
        engine["readinessProbe"],
        json!({"httpGet": {"path": "/ready", "port": 8080}, "initialDelaySeconds": 3, "periodSeconds": 5})
    );
    assert_eq!(
        engine["resources"],
        json!({"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}})
    );
    assert_eq!(
        engine["volumeMounts"],
        json!([
            {"mountPath": "/app/workflow", "name": "code", "readOnly": true},
            {"mountPath": "/app/secrets", "name": "secrets", "readOnly": true},
            {"mountPath": "/tmp", "name": "tmp", "readOnly": false}
        ])
    );
    assert_eq!(
        pod["volumes"][1],
        json!({"name": "secrets", "secret": {"optional": true, "secretName": "pod-secrets"}})
    );
    assert_eq!(
        pod["volumes"][2],
        json!({"emptyDir": {"sizeLimit": "512Mi"}, "name": "tmp"})
    );
    let spec: PodSpec = serde_json::from_value(pod).expect("pod spec");
    assert_eq!(pss_restricted_violations(&spec), []);
}

#[test]
fn runtime_class_none_and_a_pull_policy_come_from_the_target() {
    let dir = bundle(&workflow("plain", MANUAL, ""));
    let target = Target {
        runtime_class: None,
        image_pull_policy: Some("IfNotPresent".into()),
        ..target()
    };
    let manifests =
        tntc_manifests::render(&dir.path().join("dist"), &target, None).expect("render");
    let pod = pod(&manifests, "plain");
    assert!(pod.get("runtimeClassName").is_none(), "{pod}");
    assert_eq!(pod["containers"][0]["imagePullPolicy"], "IfNotPresent");
}

#[test]
fn the_config_map_carries_the_bundle_and_the_volume_maps_keys_back_to_paths() {
    let dir = bundle(&workflow("code", MANUAL, ""));
    let manifests = render(dir.path());
    let cm = object(&manifests, "ConfigMap", "code-code");
    let dist = dir.path().join("dist");
    let read = |p: &str| std::fs::read(dist.join(p)).expect("bundle file");
    assert_eq!(
        cm["data"]["workflow.yaml"].as_str().map(str::as_bytes),
        Some(&read("workflow.yaml")[..])
    );
    assert_eq!(
        cm["data"]["manifest.json"].as_str().map(str::as_bytes),
        Some(&read("manifest.json")[..])
    );
    let Some(tntc_manifests::Manifest::ConfigMap(typed)) = manifests.get("ConfigMap", "code-code")
    else {
        panic!("no ConfigMap");
    };
    let binary = typed.binary_data.clone().expect("binaryData");
    assert_eq!(
        binary.keys().collect::<Vec<_>>(),
        ["nodes__fetch.wasm", "nodes__report.wasm"]
    );
    assert_eq!(binary["nodes__fetch.wasm"].0, read("nodes/fetch.wasm"));
    assert_eq!(binary["nodes__report.wasm"].0, read("nodes/report.wasm"));
    let items = &pod(&manifests, "code")["volumes"][0];
    assert_eq!(
        items,
        &json!({"configMap": {"items": [
            {"key": "workflow.yaml", "path": "workflow.yaml"},
            {"key": "manifest.json", "path": "manifest.json"},
            {"key": "nodes__fetch.wasm", "path": "nodes/fetch.wasm"},
            {"key": "nodes__report.wasm", "path": "nodes/report.wasm"}
        ], "name": "code-code"}, "name": "code"})
    );
}

#[test]
fn the_code_checksum_changes_with_the_code_and_only_with_it() {
    let yaml = workflow("rolls", MANUAL, "");
    let checksum = |dir: &tempfile::TempDir, target: &Target| {
        let m = tntc_manifests::render(&dir.path().join("dist"), target, None).expect("render");
        let pod = object(&m, "Deployment", "rolls")["spec"]["template"]["metadata"].clone();
        let sum = pod["annotations"]["checksum/code"]
            .as_str()
            .expect("checksum")
            .to_owned();
        assert_eq!(sum, m.code_checksum);
        sum
    };
    let first = bundle(&yaml);
    let again = bundle(&yaml);
    let base = checksum(&first, &target());
    assert_eq!(base.len(), 64);
    assert_eq!(
        checksum(&again, &target()),
        base,
        "same sources, same checksum"
    );
    let other_target = Target {
        namespace: "elsewhere".into(),
        image: "other/image:2".into(),
        ..target()
    };
    assert_eq!(checksum(&first, &other_target), base, "not the target's");
    let bigger = bundle_sized(&yaml, 200);
    assert_ne!(checksum(&bigger, &target()), base, "a changed module rolls");
    let edited = bundle(&workflow("rolls", MANUAL, "config:\n  top: 4\n"));
    assert_ne!(
        checksum(&edited, &target()),
        base,
        "a changed workflow.yaml rolls"
    );
}

#[test]
fn a_bundle_over_900_kb_is_an_error_listing_each_part_largest_first() {
    let dir = bundle_sized(&workflow("huge", MANUAL, ""), 470_000);
    let err =
        tntc_manifests::render(&dir.path().join("dist"), &target(), None).expect_err("too large");
    let ManifestError::TooLarge { total, parts, .. } = &err else {
        panic!("{err}");
    };
    assert!(*total > CONFIGMAP_LIMIT);
    assert_eq!(parts.iter().map(|p| p.size).sum::<u64>(), *total);
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "the bundle of huge is {total} bytes, over the ConfigMap limit of 921600 bytes (900KB):"
        )),
        "{text}"
    );
    let fetch = text.find("nodes/fetch.wasm").expect("fetch listed");
    let yaml = text.find("workflow.yaml").expect("workflow.yaml listed");
    assert!(fetch < yaml, "largest first: {text}");
    assert!(
        text.contains("470000 bytes") && text.contains("manifest.json"),
        "{text}"
    );
    // Just under the limit is fine.
    let fits = bundle_sized(&workflow("huge", MANUAL, ""), 455_000);
    tntc_manifests::render(&fits.path().join("dist"), &target(), None).expect("fits");
}

#[test]
fn a_tampered_bundle_and_a_bad_target_are_errors() {
    let dir = bundle(&workflow("tamper", MANUAL, ""));
    std::fs::write(dir.path().join("dist/nodes/fetch.wasm"), b"changed").expect("tamper");
    let err =
        tntc_manifests::render(&dir.path().join("dist"), &target(), None).expect_err("tampered");
    assert!(
        err.to_string()
            .contains("does not match the bundle manifest"),
        "{err}"
    );

    let ok = bundle(&workflow("target", MANUAL, ""));
    let bad = |t: Target| {
        tntc_manifests::render(&ok.path().join("dist"), &t, None)
            .expect_err("bad target")
            .to_string()
    };
    assert!(
        bad(Target {
            namespace: "Team_A".into(),
            ..target()
        })
        .starts_with("invalid namespace \"Team_A\"")
    );
    assert!(
        bad(Target {
            image: "a b".into(),
            ..target()
        })
        .starts_with("invalid image")
    );
    assert!(
        bad(Target {
            image_pull_policy: Some("Sometimes".into()),
            ..target()
        })
        .contains("Always, IfNotPresent or Never")
    );
}

#[test]
fn a_workflow_name_too_long_for_a_cron_job_is_an_error() {
    let name = format!("w{}", "-x".repeat(24)); // 49 characters: "-cron-0" makes 56
    let dir = bundle(&workflow(
        &name,
        "  - type: cron\n    schedule: \"@daily\"\n  - type: cron\n    schedule: \"@hourly\"\n",
        "",
    ));
    let err =
        tntc_manifests::render(&dir.path().join("dist"), &target(), None).expect_err("too long");
    assert!(err.to_string().contains("CronJob name"), "{err}");
    assert!(err.to_string().contains("limit of 52"), "{err}");
}

#[test]
fn the_service_is_cluster_ip_8080_on_the_name_label() {
    let dir = bundle(&workflow("svc", MANUAL, ""));
    let manifests = render(dir.path());
    assert_eq!(
        object(&manifests, "Service", "svc")["spec"],
        json!({"ports": [{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": 8080}],
               "selector": {"app.kubernetes.io/name": "svc"}, "type": "ClusterIP"})
    );
}
