//! Queue triggers against a real NATS server: `nats-server` (installed by scripts/setup)
//! with TLS from the test CA and token authentication, as the original engine connected.
//! Without `nats-server` these tests are skipped with the reason printed (failed in CI):
//! see [`external_programs`].

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tntc_host::live::LiveDeployment;
use tntc_host::queue::{QueueOptions, QueueTrigger, Subscriptions, subscribe};

use crate::external_programs;
use crate::servers::test_ca;
use crate::support::{Deployed, dag};

const TOKEN: &str = "queue-test-token";

/// A `nats-server` on a free local port, stopped on drop.
struct Nats {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nats {
    /// Starts one, or returns `None` when `nats-server` is not installed (the test is then
    /// skipped, with the reason printed; in CI it fails instead).
    fn start_or_skip() -> Option<Nats> {
        let binary = external_programs::find_or_skip("nats-server", "apt-get install nats-server")?;
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = test_ca();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write NATS file");
            path
        };
        let cert = write("server.pem", &ca.leaf_pem);
        let key = write("server-key.pem", &ca.leaf_key_pem);
        write("ca.pem", &ca.ca_pem);
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let config = write(
            "nats.conf",
            &format!(
                "listen: \"127.0.0.1:{port}\"\nauthorization {{ token: \"{TOKEN}\" }}\n\
                 tls {{ cert_file: \"{}\", key_file: \"{}\", timeout: 5 }}\n",
                cert.display(),
                key.display()
            ),
        );
        let child = Command::new(binary)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Nats { child, port, dir })
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A client of the test itself (TLS with the test CA, the token).
    async fn client(&self) -> async_nats::Client {
        async_nats::ConnectOptions::with_token(TOKEN.into())
            .require_tls(true)
            .add_root_certificates(self.ca_file())
            .connect(self.url())
            .await
            .expect("test client connects")
    }

    async fn subscribe(&self, flow: &Deployed, triggers: &[QueueTrigger]) -> Subscriptions {
        let host = Arc::new(LiveDeployment::new(flow.deployment.clone()));
        subscribe(
            &self.url(),
            TOKEN,
            triggers,
            host,
            QueueOptions {
                extra_ca: Some(self.ca_file()),
                ..QueueOptions::default()
            },
        )
        .await
        .expect("the host subscribes")
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn trigger(subject: &str, label: &str) -> QueueTrigger {
    QueueTrigger {
        subject: subject.into(),
        label: label.into(),
    }
}

/// Sends a request, retrying while the host's subscription is not registered yet (it
/// connects in the background).
async fn request(client: &async_nats::Client, subject: &str, payload: &[u8]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let reply = tokio::time::timeout(
            Duration::from_secs(10),
            client.request(subject.to_string(), payload.to_vec().into()),
        )
        .await;
        match reply {
            Ok(Ok(message)) => {
                return serde_json::from_slice(&message.payload).expect("the reply is JSON");
            }
            Ok(Err(err)) if Instant::now() < deadline => {
                assert_eq!(
                    err.kind(),
                    async_nats::RequestErrorKind::NoResponders,
                    "{err}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => panic!("no reply on {subject}: {other:?}"),
        }
    }
}

/// A deployed workflow of one node.
fn one_node(id: &str, source: &str) -> Deployed {
    dag(&[(id, source)], &[], "").deploy()
}

fn echo_flow() -> Deployed {
    one_node(
        "echo",
        "export default async function run(_ctx: unknown, input: { fail?: boolean }) {\n  if (input.fail) throw new Error(\"asked to fail\");\n  return { input };\n}\n",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_runs_the_workflow_and_the_reply_is_the_execution_result() {
    let Some(nats) = Nats::start_or_skip() else {
        return;
    };
    let flow = echo_flow();
    let subscriptions = nats
        .subscribe(
            &flow,
            &[trigger("orders.new", "orders"), trigger("jobs.*", "jobs.*")],
        )
        .await;
    let client = nats.client().await;

    let result = request(&client, "orders.new", br#"{"id": 7}"#).await;
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(
        result["outputs"]["echo"],
        json!({"input": {"id": 7, "trigger": "orders"}})
    );
    assert!(result["timing"]["nodeTimings"]["echo"]["durationMs"].is_u64());

    let result = request(&client, "jobs.nightly", b"not json").await;
    assert_eq!(
        result["outputs"]["echo"],
        json!({"input": {"data": "not json", "trigger": "jobs.*"}})
    );

    let result = request(&client, "orders.new", br#"{"fail": true}"#).await;
    assert_eq!(result["success"], false);
    assert_eq!(result["errors"]["echo"], "asked to fail");
    assert_eq!(result["outputs"], json!({}));
    subscriptions.drain().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draining_answers_the_messages_already_delivered_then_stops() {
    let Some(nats) = Nats::start_or_skip() else {
        return;
    };
    let flow = one_node(
        "slow",
        "export default async function run() {\n  await new Promise((resolve) => setTimeout(resolve, 400));\n  return \"done\";\n}\n",
    );
    let subscriptions = nats.subscribe(&flow, &[trigger("work", "work")]).await;
    let client = nats.client().await;
    // Subscribed for sure once one round trip is answered.
    assert_eq!(
        request(&client, "work", b"{}").await["outputs"]["slow"],
        "done"
    );

    let pending = {
        let client = client.clone();
        tokio::spawn(async move { request(&client, "work", b"{}").await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    subscriptions.drain().await;
    let result = pending.await.expect("the request task");
    assert_eq!(result["outputs"]["slow"], "done", "{result}");

    let after = client.request("work".to_string(), "{}".into()).await;
    assert!(
        matches!(&after, Err(e) if e.kind() == async_nats::RequestErrorKind::NoResponders),
        "after the drain nobody should answer: {after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_without_a_reply_subject_still_run() {
    let Some(nats) = Nats::start_or_skip() else {
        return;
    };
    let flow = one_node(
        "mark",
        "export default async function run(ctx: { log: { info(m: string): void } }, input: { n: number }) {\n  ctx.log.info(`got ${input.n}`);\n  return input.n;\n}\n",
    );
    let subscriptions = nats.subscribe(&flow, &[trigger("fire", "fire")]).await;
    let client = nats.client().await;
    request(&client, "fire", br#"{"n": 0}"#).await;
    client
        .publish("fire".to_string(), r#"{"n": 1}"#.into())
        .await
        .expect("publish");
    client.flush().await.expect("flush");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !flow
        .logs
        .formatted()
        .iter()
        .any(|l| l == "[mark] INFO got 1")
    {
        assert!(Instant::now() < deadline, "{:?}", flow.logs.formatted());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    subscriptions.drain().await;
}
