//! `tntc-pg-testkit`: a real PostgreSQL server for tests, started in a temporary directory
//! and stopped (by its process id) when the [`PgServer`] is dropped.
//!
//! It uses Debian's `postgresql` package (`/usr/lib/postgresql/<version>/bin`, installed by
//! `scripts/setup`): `initdb -A scram-sha-256 --pwfile` (every connection needs a password),
//! then `pg_ctl start` with `listen_addresses=127.0.0.1` on a free port and the socket in
//! the temp dir. `initdb` refuses to run as root, so as root both run as the `postgres`
//! user (`runuser -u postgres --`), which owns the directory. The server gets a role
//! [`APP_USER`] (password [`APP_PASSWORD`]) owning the database [`APP_DB`].
//!
//! Without the binaries, [`PgServer::start_or_skip`] prints why the calling test is skipped
//! and returns `None`; with `CI` set (as `.ci/run` does) it panics instead, since
//! `scripts/setup` installs them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The role the tests' workflows connect as.
pub const APP_USER: &str = "app";
/// Its password (what a workflow's secret holds).
pub const APP_PASSWORD: &str = "app-pw-7c1f";
/// The database it owns.
pub const APP_DB: &str = "appdb";
const SUPERUSER_PASSWORD: &str = "super-pw-91d2";

/// A running server. Dropping it stops the server and removes its directory.
pub struct PgServer {
    /// The TCP port on 127.0.0.1.
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
    pid: Option<u32>,
}

fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.as_str(), "" | "0" | "false"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn check(output: std::io::Result<Output>, what: &str) -> Output {
    let output = output.unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

impl PgServer {
    /// Starts a server, or returns `None` (after printing why) when PostgreSQL is not
    /// installed; panics in CI, or when an installed server fails to start.
    pub fn start_or_skip() -> Option<PgServer> {
        Self::start_with(false)
    }

    /// Like [`start_or_skip`](Self::start_or_skip), with TLS on: a certificate for
    /// `127.0.0.1` signed by a test CA (made with `openssl`), whose PEM [`PgServer::ca_pem`]
    /// returns.
    pub fn start_with_tls_or_skip() -> Option<PgServer> {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> Option<PgServer> {
        let Some(bin) = bin_dir() else {
            let test = std::thread::current()
                .name()
                .unwrap_or("a test")
                .to_string();
            let reason = "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: run \
                          scripts/setup (apt-get install postgresql)";
            if in_ci() {
                panic!("{test} cannot run: {reason} (in CI a missing program fails its tests)");
            }
            let _ = writeln!(std::io::stderr(), "skipped {test}: {reason}");
            return None;
        };
        Some(PgServer::start(bin, tls))
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn start(bin: PathBuf, tls: bool) -> PgServer {
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("tntc-pg-")
            .tempdir()
            .expect("a temp dir");
        let mut server = PgServer {
            port: free_port(),
            dir,
            bin,
            as_postgres,
            pid: None,
        };
        let root = server.dir.path().to_path_buf();
        std::fs::create_dir(root.join("sock")).expect("socket dir");
        std::fs::write(root.join("pw"), SUPERUSER_PASSWORD).expect("password file");
        if tls {
            // A test CA and a server certificate it signs (webpki refuses a self-signed CA
            // certificate as the server's own).
            let path = |name: &str| root.join(name);
            std::fs::write(
                path("server.ext"),
                "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
            )
            .expect("extensions file");
            check(
                Command::new("openssl")
                    .args([
                        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    ])
                    .args(["-subj", "/CN=tntc-test-ca", "-keyout"])
                    .arg(path("ca.key"))
                    .arg("-out")
                    .arg(path("ca.crt"))
                    .output(),
                "openssl req (the test CA)",
            );
            check(
                Command::new("openssl")
                    .args([
                        "req",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-subj",
                        "/CN=127.0.0.1",
                    ])
                    .arg("-keyout")
                    .arg(path("server.key"))
                    .arg("-out")
                    .arg(path("server.csr"))
                    .output(),
                "openssl req (the server's key)",
            );
            check(
                Command::new("openssl")
                    .args(["x509", "-req", "-days", "1", "-in"])
                    .arg(path("server.csr"))
                    .arg("-CA")
                    .arg(path("ca.crt"))
                    .arg("-CAkey")
                    .arg(path("ca.key"))
                    .args(["-set_serial", "1", "-extfile"])
                    .arg(path("server.ext"))
                    .arg("-out")
                    .arg(path("server.crt"))
                    .output(),
                "openssl x509 (the server's certificate)",
            );
            // PostgreSQL refuses a key others can read.
            check(
                Command::new("chmod")
                    .arg("600")
                    .arg(root.join("server.key"))
                    .output(),
                "chmod the key",
            );
        }
        if as_postgres {
            check(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&root)
                    .output(),
                "chown the server's directory to postgres",
            );
        }
        let data = root.join("data");
        check(
            server
                .command("initdb")
                .arg("-D")
                .arg(&data)
                .args(["-A", "scram-sha-256", "-U", "postgres", "--no-sync"])
                .arg(format!("--pwfile={}", root.join("pw").display()))
                .output(),
            "initdb",
        );
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 -c timezone=UTC",
            server.port,
            root.join("sock").display()
        );
        if tls {
            options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                root.join("server.crt").display(),
                root.join("server.key").display()
            ));
        }
        check(
            server
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(root.join("log"))
                .args(["-o", &options, "-w", "-t", "30", "start"])
                .output(),
            "pg_ctl start",
        );
        let pid_file =
            std::fs::read_to_string(data.join("postmaster.pid")).expect("postmaster.pid");
        server.pid = pid_file.lines().next().and_then(|l| l.trim().parse().ok());
        server.psql(
            "postgres",
            &format!("CREATE ROLE {APP_USER} LOGIN PASSWORD '{APP_PASSWORD}'"),
        );
        // Its own statement: CREATE DATABASE cannot run in psql's implicit transaction.
        server.psql(
            "postgres",
            &format!("CREATE DATABASE {APP_DB} OWNER {APP_USER}"),
        );
        server
    }

    /// Runs `sql` as the superuser in `database` (psql, unaligned tuples only) and returns
    /// its output.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let psql = self.bin.join("psql");
        let psql = if psql.is_file() {
            psql
        } else {
            PathBuf::from("psql")
        };
        let output = check(
            Command::new(psql)
                .args([
                    "-X",
                    "-q",
                    "-At",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                    "127.0.0.1",
                ])
                .args([
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    "postgres",
                    "-d",
                    database,
                ])
                .args(["-c", sql])
                .env("PGPASSWORD", SUPERUSER_PASSWORD)
                .output(),
            "psql",
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// The PEM of the CA that signed the server's certificate (servers started with TLS).
    pub fn ca_pem(&self) -> Option<Vec<u8>> {
        std::fs::read(self.dir.path().join("ca.crt")).ok()
    }

    /// The server's directory (data, log, socket).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let Some(pid) = self.pid else {
            return;
        };
        // SIGQUIT: immediate shutdown (the data is thrown away anyway).
        let _ = Command::new("kill")
            .args(["-QUIT", &pid.to_string()])
            .status();
        let started = Instant::now();
        while Path::new(&format!("/proc/{pid}")).exists()
            && started.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
