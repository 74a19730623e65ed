//! tntc-cluster against a real kube-apiserver (and etcd) started by the tests; the kubelet's
//! and controllers' part is written into it by `tntc_kube_testkit::kubelet`. Every test skips,
//! saying why, when the binaries are missing (see `scripts/kube-apiserver`).

mod apply;
mod check;
mod refusals;
mod rollout;
mod run_proxy;
mod status_logs;

use serde_json::{Value, json};
use tntc_cluster::{Cluster, ConnectOptions, Object, ObjectSet};
use tntc_kube_testkit::ApiServer;

/// The shared server, or `None` (the test returns: skipped).
pub fn server() -> Option<&'static ApiServer> {
    ApiServer::shared()
}

/// A cluster client through the server's kubeconfig and `context`, as the CLI connects.
pub async fn connect(server: &ApiServer, context: &str) -> Cluster {
    Cluster::connect(&ConnectOptions {
        context: Some(context.to_owned()),
        kubeconfig: Some(server.kubeconfig().to_path_buf()),
    })
    .await
    .expect("connect")
}

/// The objects of a small workflow `name` in `namespace`, shaped as tntc-manifests makes
/// them: the bundle ConfigMap, the Deployment (with `checksum`), the Service, one CronJob per
/// entry of `crons`, a NetworkPolicy, and a Secret when `secret`.
pub fn workflow(
    name: &str,
    namespace: &str,
    checksum: &str,
    crons: &[&str],
    secret: bool,
) -> ObjectSet {
    let labels = json!({
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/version": "1.0",
        "app.kubernetes.io/managed-by": "tentacular",
    });
    let mut objects: Vec<Value> = vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("{name}-code"), "labels": labels},
            "data": {"workflow.yaml": format!("name: {name}\n")},
            "binaryData": {"nodes__count.wasm": "AGFzbQEAAAA="}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": labels, "annotations": {"checksum/code": checksum}},
                "spec": {
                    "automountServiceAccountToken": false,
                    "runtimeClassName": "gvisor",
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 65534,
                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": "engine", "image": "registry.test/tntc-host:0.1.0",
                        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                        "securityContext": {"readOnlyRootFilesystem": true,
                            "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
                        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}
                    }]
                }
            }
        }}),
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": labels},
            "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": name},
                "ports": [{"port": 8080, "targetPort": 8080, "protocol": "TCP"}]}}),
    ];
    for (i, schedule) in crons.iter().enumerate() {
        let cron_name = if crons.len() == 1 {
            format!("{name}-cron")
        } else {
            format!("{name}-cron-{i}")
        };
        objects.push(json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": cron_name, "labels": labels},
            "spec": {"schedule": schedule, "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 3,
                "jobTemplate": {"spec": {"template": {
                    "metadata": {"labels": {"tentacular.dev/role": "trigger"}},
                    "spec": {"restartPolicy": "OnFailure", "containers": [{
                        "name": "trigger", "image": "curlimages/curl:8.11.1",
                        "args": ["-sf", "-X", "POST", format!("http://{name}.{namespace}.svc.cluster.local:8080/run")]
                    }]}
                }}}}}));
    }
    objects.push(json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": format!("{name}-netpol"), "labels": {
            "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "tentacular"}},
        "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}], "from": [{"podSelector": {}}]}],
            "egress": [{"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}}));
    if secret {
        objects.push(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": format!("{name}-secrets"), "labels": labels},
            "type": "Opaque", "data": {"github": "eyJ0b2tlbiI6InQwa2VuIn0="}}));
    }
    ObjectSet {
        workflow: name.to_owned(),
        namespace: namespace.to_owned(),
        objects: objects
            .into_iter()
            .map(|o| Object::from_json(o).expect("object"))
            .collect(),
    }
}

/// Ids (`Kind/name`) and actions of a report.
pub fn actions(report: &tntc_cluster::ApplyReport) -> Vec<String> {
    report
        .objects
        .iter()
        .map(|a| format!("{} {}/{}", a.action.as_str(), a.kind, a.name))
        .collect()
}
