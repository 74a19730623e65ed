//! Test support for everything that talks to Kubernetes: a **real** kube-apiserver with its
//! etcd, started on 127.0.0.1 for the tests, and helpers that play the parts a cluster has and
//! this machine cannot run (the kubelet, the controllers).
//!
//! # The API server
//! [`ApiServer::shared`] starts one etcd (temp data dir, `--unsafe-no-fsync`, free ports) and
//! one kube-apiserver per test process: TLS from a CA made here with rcgen, a token file with
//! an `admin` user (`system:masters`) and a `restricted` user that RBAC refuses until a test
//! binds it a Role, service-account keys, admission `NamespaceLifecycle,ServiceAccount`. It waits
//! for `/readyz` and writes a kubeconfig with two contexts, [`ADMIN_CONTEXT`] (current) and
//! [`RESTRICTED_CONTEXT`]. Both processes are stopped by their pid: by [`Drop`] for servers a
//! test owns ([`ApiServer::start`]), and by a watchdog process for the shared one (a static is
//! never dropped), which kills them when the test process is gone.
//!
//! The binary comes from `TNTC_KUBE_APISERVER`, else the cache `scripts/kube-apiserver` fills
//! (`/var/cache/tntc-ci/kube-apiserver-*/`), else `PATH`; etcd from `PATH` (Debian's
//! `etcd-server`). When either is missing, the constructors print why and return `None`, and
//! the test returns early (skipped); with `TNTC_REQUIRE_KUBE_APISERVER=1` (set by `.ci/run`)
//! a missing binary is a failure instead, so CI cannot pass by skipping.
//!
//! # Playing the kubelet and the controllers
//! Without a kubelet no pod ever runs and without the controller manager no Deployment status
//! moves. [`kubelet`] writes what they would write, into the real API server: a Node whose
//! kubelet endpoint is a small HTTPS server in the test (it serves container logs as the
//! kubelet's `/containerLogs` does), Pods with their status (running, or waiting with a reason
//! such as `ImagePullBackOff`), the Deployment's status, and Events.
//!
//! # The service proxy
//! The real API server proxies only to Endpoints addresses and refuses loopback ones, and
//! every test server listens on 127.0.0.1: [`ServiceProxy`] stands in for that one path (the
//! engine's answer passed through unchanged, as the real proxy does).

pub mod kubelet;
mod pki;
mod process;
mod service_proxy;

pub use service_proxy::ServiceProxy;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// The context of the `system:masters` user in [`ApiServer::kubeconfig`] (its current context).
pub const ADMIN_CONTEXT: &str = "tntc-test-admin";

/// The context of the user RBAC refuses everything until a test grants it a Role.
pub const RESTRICTED_CONTEXT: &str = "tntc-test-restricted";

/// The restricted user's name, for RoleBindings.
pub const RESTRICTED_USER: &str = "restricted";

/// A running kube-apiserver and its etcd.
pub struct ApiServer {
    dir: tempfile::TempDir,
    processes: process::Pair,
    url: String,
    ca_pem: String,
    admin_token: String,
    restricted_token: String,
    kubeconfig: PathBuf,
    version: String,
}

impl ApiServer {
    /// The server shared by every test of this process (started on first use), or `None`
    /// (reason printed) when the binaries are missing.
    pub fn shared() -> Option<&'static ApiServer> {
        static SHARED: OnceLock<Option<ApiServer>> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                let server = ApiServer::start()?;
                server.processes.watch_parent();
                Some(server)
            })
            .as_ref()
    }

    /// A server of the caller's own, stopped when dropped (for tests that stop it on purpose).
    pub fn start() -> Option<ApiServer> {
        let binaries = match process::Binaries::find() {
            Ok(found) => found,
            Err(why) => {
                if std::env::var_os("TNTC_REQUIRE_KUBE_APISERVER").is_some_and(|v| v == "1") {
                    panic!("TNTC_REQUIRE_KUBE_APISERVER=1 but {why}");
                }
                // Straight to the stderr handle: libtest captures `eprintln!` of passing tests,
                // and a skip must be seen.
                use std::io::Write as _;
                let _ = writeln!(std::io::stderr(), "skipped (kube-apiserver tests): {why}");
                return None;
            }
        };
        // Ports are picked free and then bound by the servers: another process can take one
        // in between, so a start that fails is tried again on new ports.
        let mut last = None;
        for _ in 0..3 {
            match ApiServer::launch(&binaries) {
                Ok(server) => return Some(server),
                Err(err) => last = Some(err),
            }
        }
        panic!(
            "the test kube-apiserver did not start: {:#}",
            last.expect("an error")
        )
    }

    fn launch(binaries: &process::Binaries) -> anyhow::Result<ApiServer> {
        let dir = tempfile::Builder::new()
            .prefix("tntc-apiserver-")
            .tempdir()
            .context("temp dir")?;
        let pki = pki::Pki::write(dir.path())?;
        let processes = process::Pair::start(binaries, dir.path(), &pki)?;
        let url = format!("https://127.0.0.1:{}", processes.secure_port);
        let mut server = ApiServer {
            kubeconfig: dir.path().join("kubeconfig"),
            dir,
            processes,
            url,
            ca_pem: pki.ca_pem.clone(),
            admin_token: pki.admin_token.clone(),
            restricted_token: pki.restricted_token.clone(),
            version: String::new(),
        };
        std::fs::write(&server.kubeconfig, server.kubeconfig_text(None))?;
        server.version = server.wait_ready(Duration::from_secs(120))?;
        Ok(server)
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server's `gitVersion` (`v1.20.2`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The kubeconfig with both contexts, [`ADMIN_CONTEXT`] current.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// The CA certificate (PEM) the server's certificate is signed by.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The kubeconfig text, with `server` in place of the real URL when given (to point a
    /// client at something else with the same credentials).
    pub fn kubeconfig_text(&self, server: Option<&str>) -> String {
        let server = server.unwrap_or(&self.url);
        let ca = base64(self.ca_pem.as_bytes());
        format!(
            "apiVersion: v1
kind: Config
clusters:
- name: tntc-test
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: admin
  user:
    token: {admin}
- name: {RESTRICTED_USER}
  user:
    token: {restricted}
contexts:
- name: {ADMIN_CONTEXT}
  context:
    cluster: tntc-test
    user: admin
    namespace: default
- name: {RESTRICTED_CONTEXT}
  context:
    cluster: tntc-test
    user: {RESTRICTED_USER}
    namespace: default
current-context: {ADMIN_CONTEXT}
",
            admin = self.admin_token,
            restricted = self.restricted_token,
        )
    }

    /// A client as the admin user (for setting up and reading back).
    pub async fn admin(&self) -> kube::Client {
        self.client(ADMIN_CONTEXT).await
    }

    /// A client for one of the kubeconfig's contexts.
    pub async fn client(&self, context: &str) -> kube::Client {
        let kubeconfig = kube::config::Kubeconfig::read_from(&self.kubeconfig).expect("kubeconfig");
        let options = kube::config::KubeConfigOptions {
            context: Some(context.to_owned()),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .expect("client config");
        kube::Client::try_from(config).expect("client")
    }

    /// Stops both processes now (by pid) and waits for them.
    pub fn stop(&mut self) {
        self.processes.stop()
    }

    /// Its certificate chain and key (PEM files), for the kubelet the tests play.
    pub(crate) fn tls_files(&self) -> (PathBuf, PathBuf) {
        (
            self.dir.path().join("apiserver.crt"),
            self.dir.path().join("apiserver.key"),
        )
    }

    /// The server's log (for a failing test's message).
    pub fn log_tail(&self, lines: usize) -> String {
        process::tail(&self.dir.path().join("kube-apiserver.log"), lines)
    }

    /// Waits on a thread of its own: callers are often inside a test's async runtime, which
    /// must not be blocked on.
    fn wait_ready(&self, limit: Duration) -> anyhow::Result<String> {
        std::thread::scope(|scope| {
            scope
                .spawn(|| self.wait_ready_here(limit))
                .join()
                .unwrap_or_else(|_| bail!("waiting for /readyz panicked"))
        })
    }

    fn wait_ready_here(&self, limit: Duration) -> anyhow::Result<String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let started = Instant::now();
        runtime.block_on(async {
            let client = self.admin().await;
            loop {
                let ready = client
                    .request_text(http_get("/readyz"))
                    .await
                    .map(|body| body.trim() == "ok");
                if let Ok(true) = ready {
                    let version = client.apiserver_version().await?;
                    return Ok(version.git_version);
                }
                if let Some(exit) = self.processes.exited() {
                    bail!("{exit}; its log ends with:\n{}", self.log_tail(30));
                }
                if started.elapsed() > limit {
                    bail!(
                        "/readyz not ok after {limit:?} ({ready:?}); its log ends with:\n{}",
                        self.log_tail(30)
                    );
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.processes.stop();
    }
}

/// A namespace of the test's own on the server, named `<prefix>-<n>` (unique in the process).
pub async fn namespace(client: &kube::Client, prefix: &str) -> String {
    use k8s_openapi::api::core::v1::Namespace;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let namespaces: kube::Api<Namespace> = kube::Api::all(client.clone());
    let object: Namespace = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name}
    }))
    .expect("namespace");
    namespaces
        .create(&Default::default(), &object)
        .await
        .expect("create the test namespace");
    name
}

/// Binds the restricted user, in `namespace`, a Role allowing `verbs` on `resources` of
/// `api_group` (`""` for the core group).
pub async fn grant(
    client: &kube::Client,
    namespace: &str,
    api_group: &str,
    resources: &[&str],
    verbs: &[&str],
) {
    use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
    let name = format!(
        "tntc-test-{}-{}",
        resources.join("-").replace('/', "-"),
        verbs.join("-")
    );
    let role: Role = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "rules": [{"apiGroups": [api_group], "resources": resources, "verbs": verbs}]
    }))
    .expect("role");
    let binding: RoleBinding = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": RESTRICTED_USER}]
    }))
    .expect("role binding");
    kube::Api::<Role>::namespaced(client.clone(), namespace)
        .create(&Default::default(), &role)
        .await
        .expect("create role");
    kube::Api::<RoleBinding>::namespaced(client.clone(), namespace)
        .create(&Default::default(), &binding)
        .await
        .expect("create role binding");
}

fn http_get(path: &str) -> http::Request<Vec<u8>> {
    http::Request::get(path).body(Vec::new()).expect("request")
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_pads_like_the_standard_alphabet() {
        assert_eq!(super::base64(b"a"), "YQ==");
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b"abc"), "YWJj");
    }
}
