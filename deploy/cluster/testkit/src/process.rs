//! Finding, starting and stopping etcd and kube-apiserver.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::pki::Pki;

/// Where the two binaries are.
pub struct Binaries {
    apiserver: PathBuf,
    etcd: PathBuf,
}

impl Binaries {
    /// Finds both, or says what is missing and how to get it.
    pub fn find() -> Result<Binaries, String> {
        let apiserver = match std::env::var_os("TNTC_KUBE_APISERVER") {
            Some(path) => Some(PathBuf::from(path)),
            None => cached_apiserver().or_else(|| on_path("kube-apiserver")),
        };
        let apiserver = apiserver.filter(|p| p.is_file()).ok_or_else(|| {
            "no kube-apiserver binary (TNTC_KUBE_APISERVER, /var/cache/tntc-ci/kube-apiserver-*/, PATH): \
             build it with scripts/kube-apiserver"
                .to_string()
        })?;
        let etcd = on_path("etcd").ok_or_else(|| {
            "no etcd on PATH: apt-get install etcd-server (scripts/kube-apiserver does)".to_string()
        })?;
        Ok(Binaries { apiserver, etcd })
    }
}

/// The newest binary scripts/kube-apiserver cached.
fn cached_apiserver() -> Option<PathBuf> {
    let root = std::env::var_os("TNTC_CI_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/tntc-ci"));
    let mut found: Vec<PathBuf> = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("kube-apiserver-")
        })
        .map(|e| e.path().join("kube-apiserver"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A free TCP port on 127.0.0.1 (bound, then released for the server to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// etcd and the API server, running.
pub struct Pair {
    etcd: Mutex<Option<Child>>,
    apiserver: Mutex<Option<Child>>,
    pub secure_port: u16,
}

impl Pair {
    pub fn start(binaries: &Binaries, dir: &Path, pki: &Pki) -> anyhow::Result<Pair> {
        let client_port = free_port();
        let peer_port = free_port();
        let etcd_url = format!("http://127.0.0.1:{client_port}");
        let peer_url = format!("http://127.0.0.1:{peer_port}");
        let etcd = Command::new(&binaries.etcd)
            .arg("--name=tntc-test")
            .arg(format!("--data-dir={}", dir.join("etcd").display()))
            .arg(format!("--listen-client-urls={etcd_url}"))
            .arg(format!("--advertise-client-urls={etcd_url}"))
            .arg(format!("--listen-peer-urls={peer_url}"))
            .arg(format!("--initial-advertise-peer-urls={peer_url}"))
            .arg(format!("--initial-cluster=tntc-test={peer_url}"))
            .arg("--unsafe-no-fsync")
            .stdin(Stdio::null())
            .stdout(log_file(dir, "etcd.log")?)
            .stderr(log_file(dir, "etcd.log")?)
            .spawn()
            .with_context(|| format!("start {}", binaries.etcd.display()))?;
        let mut pair = Pair {
            etcd: Mutex::new(Some(etcd)),
            apiserver: Mutex::new(None),
            secure_port: free_port(),
        };
        wait_for_port(client_port, Duration::from_secs(30), &pair, "etcd", dir)?;
        let apiserver = Command::new(&binaries.apiserver)
            .arg(format!("--etcd-servers={etcd_url}"))
            .arg("--bind-address=127.0.0.1")
            .arg("--advertise-address=127.0.0.1")
            .arg(format!("--secure-port={}", pair.secure_port))
            .arg("--insecure-port=0")
            .arg(format!("--cert-dir={}", dir.join("certs").display()))
            .arg(format!("--tls-cert-file={}", pki.cert.display()))
            .arg(format!("--tls-private-key-file={}", pki.key.display()))
            .arg(format!("--token-auth-file={}", pki.tokens.display()))
            .arg("--authorization-mode=RBAC")
            // The kubelet the tests play serves a certificate from the same CA.
            .arg(format!(
                "--kubelet-certificate-authority={}",
                dir.join("ca.crt").display()
            ))
            .arg(format!(
                "--service-account-key-file={}",
                pki.service_account_pub.display()
            ))
            .arg(format!(
                "--service-account-signing-key-file={}",
                pki.service_account_key.display()
            ))
            .arg("--service-account-issuer=https://kubernetes.default.svc")
            .arg("--service-cluster-ip-range=10.96.0.0/24")
            // Exactly these two: no RuntimeClass, quota or webhook admission on this server.
            .arg("--admission-control=NamespaceLifecycle,ServiceAccount")
            .arg("--profiling=false")
            .arg("--v=1")
            .stdin(Stdio::null())
            .stdout(log_file(dir, "kube-apiserver.log")?)
            .stderr(log_file(dir, "kube-apiserver.log")?)
            .spawn()
            .with_context(|| format!("start {}", binaries.apiserver.display()))?;
        pair.apiserver = Mutex::new(Some(apiserver));
        Ok(pair)
    }

    /// How a process ended, when one has.
    pub fn exited(&self) -> Option<String> {
        for (name, slot) in [("etcd", &self.etcd), ("kube-apiserver", &self.apiserver)] {
            let mut slot = slot.lock().expect("process lock");
            if let Some(child) = slot.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Some(format!("{name} exited ({status})"));
            }
        }
        None
    }

    /// Kills the API server, then etcd, by pid, and reaps both.
    pub fn stop(&self) {
        for slot in [&self.apiserver, &self.etcd] {
            if let Some(mut child) = slot.lock().expect("process lock").take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    /// Starts a watchdog that kills both (by pid) once this process is gone: for the shared
    /// server, which no destructor stops.
    pub fn watch_parent(&self) {
        let pids: Vec<String> = [&self.apiserver, &self.etcd]
            .iter()
            .filter_map(|slot| slot.lock().ok()?.as_ref().map(|c| c.id().to_string()))
            .collect();
        let script = format!(
            "while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill -9 {pids} 2>/dev/null",
            parent = std::process::id(),
            pids = pids.join(" ")
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

impl Drop for Pair {
    /// A start that failed half-way stops what it started.
    fn drop(&mut self) {
        self.stop();
    }
}

fn log_file(dir: &Path, name: &str) -> anyhow::Result<File> {
    File::options()
        .create(true)
        .append(true)
        .open(dir.join(name))
        .with_context(|| format!("open {name}"))
}

fn wait_for_port(
    port: u16,
    limit: Duration,
    pair: &Pair,
    name: &str,
    dir: &Path,
) -> anyhow::Result<()> {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(exit) = pair.exited() {
            bail!(
                "{exit}; its log ends with:\n{}",
                tail(&dir.join(format!("{name}.log")), 20)
            );
        }
        if started.elapsed() > limit {
            bail!("{name} is not listening on 127.0.0.1:{port} after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// The last `lines` lines of a log file that are not flag dumps (`FLAG: --x=y`).
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().filter(|l| !l.contains("] FLAG: --")).collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
