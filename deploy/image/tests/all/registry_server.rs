//! Debian's `docker-registry`, started by a test on 127.0.0.1 (filesystem storage in a
//! temporary directory) and stopped by pid when dropped. Shared with the CLI's image tests
//! (`tntc/tests/all/main.rs` includes this file).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::external_programs::find_or_skip;

/// A running registry.
pub struct Registry {
    child: Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts a registry; with `password`, user `ci` must log in with it (htpasswd). `None`
/// when `docker-registry` is not installed (the test is skipped, or fails in CI).
pub fn start_registry(password: Option<&str>) -> Option<Registry> {
    let program = find_or_skip("docker-registry", "apt-get install docker-registry")?;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut config = format!(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
        dir.path().join("data").display()
    );
    if let Some(password) = password {
        let file = dir.path().join("htpasswd");
        std::fs::write(&file, format!("ci:{}\n", bcrypt(password))).unwrap();
        config.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: tntc-test\n    path: {}\n",
            file.display()
        ));
    }
    let config_path = dir.path().join("config.yml");
    std::fs::write(&config_path, config).unwrap();
    let child = Command::new(program)
        .arg("serve")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start docker-registry");
    let registry = Registry {
        child,
        port,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "docker-registry did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(registry)
}

/// A bcrypt hash for htpasswd (Debian 12's libxcrypt does `$2b$` through Python's crypt).
fn bcrypt(password: &str) -> String {
    let script = format!(
        "import crypt; print(crypt.crypt({password:?}, crypt.mksalt(crypt.METHOD_BLOWFISH)))"
    );
    let output = Command::new("/usr/bin/python3")
        .args(["-W", "ignore", "-c", &script])
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "python3 crypt failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}
