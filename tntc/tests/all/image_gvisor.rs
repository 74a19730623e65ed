//! The image under gVisor: what `tntc image build --push` pushed, pulled back and unpacked,
//! run by `runsc` as a pod would run it (see `image.rs` for the build and the registry).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::image::{
    image_build, musl_host, post_run, program, run_ok, skip, start_registry, word_count_bundle,
};
use super::{stderr, stdout};

/// The image listens on 8080 and runsc runs it with host networking: one at a time.
static PORT_8080: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// An unpacked image as an OCI runtime bundle for runsc: read-only root, the image's user
/// (65534) and environment only, no capabilities, `bundle` read-only at /app/workflow, a
/// tmpfs at /tmp (the pod's emptyDir), busybox read-only at /check (the image has no shell;
/// it only looks at the kernel), host networking.
fn runtime_bundle(oci_bundle: &Path, workflow: &Path, extra_mounts: &[Value]) {
    let path = oci_bundle.join("config.json");
    let mut spec: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    spec["root"]["readonly"] = json!(true);
    spec["process"]["terminal"] = json!(false);
    spec["process"]["noNewPrivileges"] = json!(true);
    spec["process"]["capabilities"] = json!({
        "bounding": [], "effective": [], "inheritable": [], "permitted": [], "ambient": []
    });
    spec["process"]["env"] = json!([
        "PATH=/usr/local/bin",
        "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
    ]);
    let busybox = Path::new("/bin/busybox");
    let mut mounts = vec![
        json!({"destination": "/proc", "type": "proc", "source": "proc"}),
        json!({"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}),
        json!({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}),
        json!({"destination": "/app/workflow", "type": "bind", "source": workflow, "options": ["rbind", "ro"]}),
        json!({"destination": "/check/busybox", "type": "bind", "source": busybox, "options": ["bind", "ro"]}),
    ];
    mounts.extend(extra_mounts.iter().cloned());
    spec["mounts"] = json!(mounts);
    if let Some(namespaces) = spec["linux"]["namespaces"].as_array_mut() {
        namespaces.retain(|ns| ns["type"] != "network" && ns["type"] != "user");
    }
    spec["linux"]["uidMappings"] = Value::Null;
    spec["linux"]["gidMappings"] = Value::Null;
    std::fs::write(&path, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();
}

/// A container run by runsc, deleted (by its id) when dropped.
struct Sandboxed {
    runsc: PathBuf,
    root: PathBuf,
    id: String,
    child: Child,
}

impl Sandboxed {
    fn runsc(&self, args: &[&str]) -> Output {
        Command::new(&self.runsc)
            .args(runsc_flags(&self.root))
            .args(args)
            .output()
            .expect("run runsc")
    }

    fn logs(mut self) -> String {
        let _ = self.runsc(&["kill", &self.id, "TERM"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let mut text = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut text);
        }
        if let Some(mut out) = self.child.stdout.take() {
            let _ = out.read_to_string(&mut text);
        }
        text
    }
}

impl Drop for Sandboxed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.runsc(&["delete", "--force", &self.id]);
    }
}

fn runsc_flags(root: &Path) -> Vec<String> {
    vec![
        format!("--root={}", root.display()),
        "--platform=ptrace".into(),
        "--network=host".into(),
        "--ignore-cgroups".into(),
    ]
}

fn run_in_gvisor(runsc: &Path, root: &Path, bundle: &Path, id: &str) -> Sandboxed {
    let child = Command::new(runsc)
        .args(runsc_flags(root))
        .args(["run", "--bundle", bundle.to_str().unwrap(), id])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start runsc");
    Sandboxed {
        runsc: runsc.to_path_buf(),
        root: root.to_path_buf(),
        id: id.to_owned(),
        child,
    }
}

/// Polls `POST /run` until a 200; the time from `started` and the answer.
fn first_200(port: u16, started: Instant, container: &mut Sandboxed) -> (Duration, Value) {
    let deadline = started + Duration::from_secs(60);
    loop {
        if let Some((200, body)) = post_run(port, r#"{"text": "the cat and the hat"}"#) {
            return (started.elapsed(), serde_json::from_slice(&body).unwrap());
        }
        if let Ok(Some(status)) = container.child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = container.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("the container exited ({status}) before serving: {err}");
        }
        assert!(Instant::now() < deadline, "no 200 on /run within 60 s");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether runsc can run anything here; the exact error when not.
fn runsc_works(runsc: &Path, root: &Path) -> Result<(), String> {
    let out = Command::new(runsc)
        .args(runsc_flags(root))
        .args(["--rootless", "do", "/bin/true"])
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

#[test]
fn the_pushed_image_runs_under_gvisor_read_only_as_nobody_from_its_baked_cache() {
    let Some(host) = musl_host() else { return };
    let (Some(skopeo), Some(umoci), Some(runsc)) = (
        program("skopeo", "apt-get install skopeo"),
        program("umoci", "apt-get install umoci"),
        program("runsc", "apt-get install runsc"),
    ) else {
        return;
    };
    if !Path::new("/bin/busybox").is_file() {
        skip::<()>("/bin/busybox not found: run scripts/setup (apt-get install busybox-static)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("runsc");
    std::fs::create_dir_all(&state).unwrap();
    if let Err(error) = runsc_works(&runsc, &state) {
        skip::<()>(&format!(
            "runsc cannot run a sandbox on this machine: {error}"
        ));
        return;
    }
    let Some(registry) = start_registry(None) else {
        return;
    };
    let tag = format!("127.0.0.1:{}/tntc-host:dev", registry.port);

    // Build and push, as the README's "done when" says.
    let built = image_build(
        dir.path(),
        &[
            "--host-binary",
            host.to_str().unwrap(),
            "--tag",
            &tag,
            "--push",
            "--insecure-registry",
        ],
    );
    assert!(
        built.status.success(),
        "{}{}",
        stdout(&built),
        stderr(&built)
    );
    let report: Value = serde_json::from_str(&stdout(&built)).unwrap();
    assert_eq!(report["pushed"]["reference"], tag.as_str());
    assert_eq!(report["pushed"]["uploaded"].as_array().unwrap().len(), 3);

    // Pull back and unpack what the registry has.
    let pulled = dir.path().join("pulled");
    run_ok(
        &skopeo,
        &[
            "copy",
            "--src-tls-verify=false",
            &format!("docker://{tag}"),
            &format!("oci:{}:dev", pulled.display()),
        ],
    );
    let index: Value =
        serde_json::from_slice(&std::fs::read(pulled.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"][0]["digest"], report["digest"]);
    let bundle = dir.path().join("bundle");
    run_ok(
        &umoci,
        &[
            "unpack",
            "--image",
            &format!("{}:dev", pulled.display()),
            bundle.to_str().unwrap(),
        ],
    );

    let workflow = word_count_bundle(dir.path());
    runtime_bundle(&bundle, &workflow, &[]);
    // The image listens on 8080; with host networking that port must be free here.
    let _port = PORT_8080.lock().unwrap_or_else(|e| e.into_inner());
    if std::net::TcpListener::bind("127.0.0.1:8080").is_err() {
        skip::<()>("port 8080 is taken on this machine (the image's port, with host networking)");
        return;
    }
    let started = Instant::now();
    let mut container = run_in_gvisor(&runsc, &state, &bundle, "tntc-e2e");
    let (took, result) = first_200(8080, started, &mut container);
    eprintln!(
        "gVisor: container start to first 200 on /run: {} ms",
        took.as_millis()
    );
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(result["outputs"]["report"]["total"], 5, "{result}");
    assert_eq!(
        result["outputs"]["report"]["top"][0],
        json!({"word": "the", "count": 2}),
        "{result}"
    );

    let kernel = container.runsc(&["exec", "tntc-e2e", "/check/busybox", "dmesg"]);
    let kmsg = String::from_utf8_lossy(&kernel.stdout);
    assert!(
        kmsg.contains("gVisor"),
        "not gVisor's kernel: {kmsg}{}",
        String::from_utf8_lossy(&kernel.stderr)
    );
    // The host is the container's first process: its user and capabilities.
    let status = container.runsc(&[
        "exec",
        "tntc-e2e",
        "/check/busybox",
        "cat",
        "/proc/1/status",
    ]);
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    let field = |name: &str| -> Vec<String> {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.split_whitespace().skip(1).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    assert_eq!(field("Uid:"), ["65534"; 4], "{status}");
    assert_eq!(field("Gid:"), ["65534"; 4], "{status}");
    assert_eq!(field("CapEff:"), ["0000000000000000"], "{status}");
    let write = container.runsc(&[
        "exec",
        "tntc-e2e",
        "/check/busybox",
        "touch",
        "/usr/local/bin/x",
    ]);
    assert!(!write.status.success(), "the root filesystem is writable");
    let logs = container.logs();
    assert!(
        logs.contains("runtime mapped from the baked cache"),
        "{logs}"
    );
    assert!(!logs.contains("baked cache was not used"), "{logs}");
}

#[test]
fn without_its_baked_cache_the_image_says_so_once_compiles_into_tmp_and_serves() {
    let Some(host) = musl_host() else { return };
    let (Some(umoci), Some(runsc)) = (
        program("umoci", "apt-get install umoci"),
        program("runsc", "apt-get install runsc"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("runsc");
    std::fs::create_dir_all(&state).unwrap();
    if let Err(error) = runsc_works(&runsc, &state) {
        skip::<()>(&format!(
            "runsc cannot run a sandbox on this machine: {error}"
        ));
        return;
    }
    let built = image_build(
        dir.path(),
        &[
            "--host-binary",
            host.to_str().unwrap(),
            "--tag",
            "tntc-host:stale",
        ],
    );
    assert!(built.status.success(), "{}", stderr(&built));
    let bundle = dir.path().join("bundle");
    let layout = dir.path().join(".tentacular/image");
    run_ok(
        &umoci,
        &[
            "unpack",
            "--image",
            &format!("{}:stale", layout.display()),
            bundle.to_str().unwrap(),
        ],
    );
    // An empty read-only directory over the baked cache: what a cache from another host
    // build looks like to this one (no entry under this build's key).
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let workflow = word_count_bundle(dir.path());
    runtime_bundle(
        &bundle,
        &workflow,
        &[
            json!({"destination": "/var/lib/tntc/cache", "type": "bind", "source": empty, "options": ["rbind", "ro"]}),
        ],
    );
    let _port = PORT_8080.lock().unwrap_or_else(|e| e.into_inner());
    if std::net::TcpListener::bind("127.0.0.1:8080").is_err() {
        skip::<()>("port 8080 is taken on this machine (the image's port, with host networking)");
        return;
    }
    let started = Instant::now();
    let mut container = run_in_gvisor(&runsc, &state, &bundle, "tntc-stale");
    let (took, result) = first_200(8080, started, &mut container);
    eprintln!(
        "gVisor without the baked cache: first 200 on /run after {} ms",
        took.as_millis()
    );
    assert_eq!(result["success"], true, "{result}");
    let logs = container.logs();
    assert_eq!(
        logs.matches("baked cache was not used").count(),
        1,
        "{logs}"
    );
    assert!(logs.contains("/tmp/tntc-cache"), "{logs}");
}
