//! What the kubelet and the controllers would write, written by the test into the real API
//! server, and the one kubelet endpoint the API server calls: container logs.
//!
//! [`Kubelet::shared`] registers a Node (`tntc-test-node`, InternalIP 127.0.0.1) whose kubelet
//! port is an HTTPS server here, with a certificate from the test CA the API server was told
//! to trust (`--kubelet-certificate-authority`). `GET /api/v1/namespaces/N/pods/P/log` then
//! reaches [`Kubelet::set_logs`]'s lines through the API server, as on a cluster.
//! [`pod`] creates a Pod from a Deployment's template on that node with the status a kubelet
//! would report; [`rollout_complete`] writes the Deployment status the controller would;
//! [`event`] records an Event.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::ApiServer;

/// The Node the test pods are on.
pub const NODE: &str = "tntc-test-node";

type LogKey = (String, String);

#[derive(Default)]
struct LogBook {
    lines: BTreeMap<LogKey, Vec<String>>,
    finished: BTreeMap<LogKey, bool>,
}

/// The test's kubelet: a registered Node and its log endpoint.
pub struct Kubelet {
    book: Arc<Mutex<LogBook>>,
    /// The port of the HTTPS log endpoint on 127.0.0.1.
    pub port: u16,
}

impl Kubelet {
    /// The process's kubelet for the shared server, its Node registered.
    pub async fn shared(server: &'static ApiServer) -> &'static Kubelet {
        static SHARED: OnceLock<Kubelet> = OnceLock::new();
        let kubelet = SHARED.get_or_init(|| Kubelet::serve(server));
        kubelet.register(&server.admin().await).await;
        kubelet
    }

    fn serve(server: &ApiServer) -> Kubelet {
        let (cert, key) = server.tls_files();
        let certs = rustls_pki_types::pem::PemObject::pem_file_iter(&cert)
            .expect("cert pem")
            .collect::<Result<Vec<rustls_pki_types::CertificateDer<'static>>, _>>()
            .expect("certs");
        let key =
            <rustls_pki_types::PrivateKeyDer as rustls_pki_types::pem::PemObject>::from_pem_file(
                &key,
            )
            .expect("key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("tls versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server certificate");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("kubelet port");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let book = Arc::new(Mutex::new(LogBook::default()));
        let served = book.clone();
        // Its own thread and runtime: it outlives each test's runtime.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let acceptor = acceptor.clone();
                    let book = served.clone();
                    tokio::spawn(async move {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            let _ = answer_logs(stream, book).await;
                        }
                    });
                }
            });
        });
        Kubelet { book, port }
    }

    async fn register(&self, client: &kube::Client) {
        let nodes: Api<Node> = Api::all(client.clone());
        let node: Node = serde_json::from_value(json!({
            "metadata": {"name": NODE},
            "status": {
                "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": self.port}},
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]
            }
        }))
        .expect("node");
        match nodes.create(&PostParams::default(), &node).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(err) => panic!("register the test node: {err}"),
        }
        // Node status set on create is kept by 1.20, but patch it to be sure it is there.
        nodes
            .patch_status(
                NODE,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": node.status})),
            )
            .await
            .expect("node status");
    }

    /// What `kubectl logs` of this pod and container shows; `finished` ends a follow.
    pub fn set_logs(&self, namespace: &str, pod: &str, lines: &[&str], finished: bool) {
        let mut book = self.book.lock().expect("log book");
        let key = (namespace.to_owned(), pod.to_owned());
        book.lines
            .insert(key.clone(), lines.iter().map(|l| l.to_string()).collect());
        book.finished.insert(key, finished);
    }
}

async fn answer_logs<S>(mut stream: S, book: Arc<Mutex<LogBook>>) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        if stream.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    };
    let ["containerLogs", namespace, pod, _container] = parts.as_slice() else {
        stream
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await?;
        return Ok(());
    };
    let key = (namespace.to_string(), pod.to_string());
    let follow = param("follow").as_deref() == Some("true");
    let tail: Option<usize> = param("tailLines").and_then(|n| n.parse().ok());
    stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n")
        .await?;
    let mut sent = {
        let book = book.lock().expect("log book");
        let lines = book.lines.get(&key).cloned().unwrap_or_default();
        lines.len().saturating_sub(tail.unwrap_or(usize::MAX))
    };
    loop {
        let (fresh, finished) = {
            let book = book.lock().expect("log book");
            let lines = book.lines.get(&key).cloned().unwrap_or_default();
            let fresh: Vec<String> = lines.get(sent..).unwrap_or_default().to_vec();
            (fresh, book.finished.get(&key).copied().unwrap_or(true))
        };
        for line in &fresh {
            stream.write_all(format!("{line}\n").as_bytes()).await?;
        }
        stream.flush().await?;
        sent += fresh.len();
        if !follow || finished {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stream.shutdown().await
}

/// What the kubelet reports for the pod's one container.
#[derive(Clone, Debug)]
pub enum PodState {
    /// Running; ready or not; restarted `restarts` times.
    Running {
        /// Whether its readiness probe passes.
        ready: bool,
        /// Restart count.
        restarts: i32,
    },
    /// Waiting, e.g. `ImagePullBackOff` with the kubelet's message.
    Waiting {
        /// The reason.
        reason: String,
        /// The message.
        message: String,
        /// Restart count (with a last state `Error` when > 0).
        restarts: i32,
    },
}

/// Creates pod `name` from Deployment `workflow`'s template on the test node, with `state`
/// and IP 127.0.0.1, as the ReplicaSet controller, scheduler and kubelet would.
pub async fn pod(
    client: &kube::Client,
    namespace: &str,
    workflow: &str,
    name: &str,
    state: PodState,
) -> Pod {
    ensure_service_account(client, namespace).await;
    let deployment: Deployment = Api::namespaced(client.clone(), namespace)
        .get(workflow)
        .await
        .expect("the deployment to make a pod of");
    let template = deployment.spec.expect("spec").template;
    let mut pod: Value = serde_json::to_value(&template).expect("template");
    pod["metadata"]["name"] = json!(name);
    pod["metadata"]["labels"]["pod-template-hash"] = json!("test");
    pod["spec"]["nodeName"] = json!(NODE);
    let pod: Pod = serde_json::from_value(pod).expect("pod");
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    pods.create(&PostParams::default(), &pod)
        .await
        .expect("create the test pod");
    let container = pod.spec.as_ref().expect("spec").containers[0].name.clone();
    let image = pod.spec.as_ref().expect("spec").containers[0].image.clone();
    let (ready, restarts, container_state, last) = match state {
        PodState::Running { ready, restarts } => (
            ready,
            restarts,
            json!({"running": {"startedAt": "2026-01-01T00:00:00Z"}}),
            json!({}),
        ),
        PodState::Waiting {
            reason,
            message,
            restarts,
        } => (
            false,
            restarts,
            json!({"waiting": {"reason": reason, "message": message}}),
            if restarts > 0 {
                json!({"terminated": {"exitCode": 1, "reason": "Error",
                    "startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:00:01Z"}})
            } else {
                json!({})
            },
        ),
    };
    let ready_text = if ready { "True" } else { "False" };
    let status = json!({"status": {
        "phase": if ready { "Running" } else { "Pending" },
        "hostIP": "127.0.0.1",
        "podIP": "127.0.0.1",
        "podIPs": [{"ip": "127.0.0.1"}],
        "startTime": "2026-01-01T00:00:00Z",
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Ready", "status": ready_text},
            {"type": "ContainersReady", "status": ready_text}
        ],
        "containerStatuses": [{
            "name": container, "image": image, "imageID": "",
            "ready": ready, "restartCount": restarts, "started": ready,
            "state": container_state, "lastState": last
        }]
    }});
    pods.patch_status(name, &PatchParams::default(), &Patch::Merge(status))
        .await
        .expect("pod status")
}

/// Writes the Deployment status the controller writes once `ready` of its replicas are.
pub async fn rollout_status(client: &kube::Client, namespace: &str, name: &str, ready: i32) {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let live = deployments.get(name).await.expect("deployment");
    let replicas = live.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let generation = live.metadata.generation.unwrap_or(1);
    let available = if ready >= replicas { "True" } else { "False" };
    let status = json!({"status": {
        "observedGeneration": generation,
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "unavailableReplicas": replicas - ready,
        "conditions": [
            {"type": "Available", "status": available, "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason":
                if ready >= replicas { "NewReplicaSetAvailable" } else { "ReplicaSetUpdated" }}
        ]
    }});
    deployments
        .patch_status(name, &PatchParams::default(), &Patch::Merge(status))
        .await
        .expect("deployment status");
}

/// [`rollout_status`] with every replica ready.
pub async fn rollout_complete(client: &kube::Client, namespace: &str, name: &str) {
    rollout_status(client, namespace, name, 1).await;
}

/// Records an Event about `kind/name`.
pub async fn event(
    client: &kube::Client,
    namespace: &str,
    (kind, name): (&str, &str),
    (type_, reason, message): (&str, &str, &str),
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let event: Event = serde_json::from_value(json!({
        "metadata": {"name": format!("{name}.{}", NEXT.fetch_add(1, Ordering::Relaxed))},
        "involvedObject": {"kind": kind, "name": name, "namespace": namespace},
        "type": type_, "reason": reason, "message": message, "count": 1,
        "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z",
        "source": {"component": "kubelet", "host": NODE}
    }))
    .expect("event");
    Api::<Event>::namespaced(client.clone(), namespace)
        .create(&PostParams::default(), &event)
        .await
        .expect("create event");
}

/// The `default` ServiceAccount the ServiceAccount admission plugin wants for a pod (the
/// controller manager would create it).
async fn ensure_service_account(client: &kube::Client, namespace: &str) {
    use k8s_openapi::api::core::v1::ServiceAccount;
    let account: ServiceAccount =
        serde_json::from_value(json!({"metadata": {"name": "default"}})).expect("sa");
    match Api::<ServiceAccount>::namespaced(client.clone(), namespace)
        .create(&PostParams::default(), &account)
        .await
    {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 409 => {}
        Err(err) => panic!("create the default service account: {err}"),
    }
}
