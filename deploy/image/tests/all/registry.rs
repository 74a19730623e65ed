//! Pushing to Debian's `docker-registry` on 127.0.0.1, and pulling back with skopeo.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tntc_image::PushError;
use tntc_image::push::{PushOptions, Pushed, push};
use tntc_image::reference::Reference;

use crate::external_programs::find_or_skip;
use crate::support::{inputs, run, skopeo, write};

/// A registry started by the test, stopped (by pid) when dropped.
struct Registry {
    child: Child,
    port: u16,
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
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a registry; with `htpasswd`, user `ci` must log in with that password.
fn start_registry(password: Option<&str>) -> Option<Registry> {
    let program = find_or_skip("docker-registry", "apt-get install docker-registry")?;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut config = format!(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
        dir.path().join("data").display()
    );
    if let Some(password) = password {
        let hash = bcrypt(password);
        let file = dir.path().join("htpasswd");
        std::fs::write(&file, format!("ci:{hash}\n")).unwrap();
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
    let python = PathBuf::from("/usr/bin/python3");
    run(
        &python,
        &[
            "-W",
            "ignore",
            "-c",
            &format!("import crypt; print(crypt.crypt({password:?}, crypt.mksalt(crypt.METHOD_BLOWFISH)))"),
        ],
    )
    .trim()
    .to_owned()
}

fn docker_config(dir: &Path, registry: &str, user: &str, password: &str) -> PathBuf {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let path = dir.join("config.json");
    std::fs::write(
        &path,
        format!(r#"{{"auths": {{"{registry}": {{"auth": "{auth}"}}}}}}"#),
    )
    .unwrap();
    path
}

fn push_now(layout: &Path, reference: &str, docker_config: PathBuf) -> Result<Pushed, PushError> {
    let options = PushOptions {
        insecure: true,
        docker_config: Some(docker_config),
    };
    let reference = Reference::parse(reference).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(push(layout, &reference, &options, &mut |_| {}))
}

#[test]
fn a_pushed_image_pulls_back_with_the_same_digest_and_a_second_push_uploads_nothing() {
    let (Some(inputs), Some(skopeo)) = (inputs(), skopeo()) else {
        return;
    };
    let Some(registry) = start_registry(None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("image");
    let written = write(&layout, &inputs);
    let reference = format!("127.0.0.1:{}/tntc-host:dev", registry.port);
    let no_credentials = dir.path().join("none.json");

    let first = push_now(&layout, &reference, no_credentials.clone()).unwrap();
    assert_eq!(first.digest, written.digest);
    assert_eq!(first.uploaded.len(), 3, "config and two layers: {first:?}");
    assert!(first.present.is_empty());

    let pulled = dir.path().join("pulled");
    run(
        &skopeo,
        &[
            "copy",
            "--src-tls-verify=false",
            &format!("docker://{reference}"),
            &format!("oci:{}:dev", pulled.display()),
        ],
    );
    let back = tntc_image::layout::read(&pulled).unwrap();
    assert_eq!(back.digest, written.digest);
    let ours = tntc_image::layout::read(&layout).unwrap();
    assert_eq!(back.blobs, ours.blobs);
    for (digest, _) in &ours.blobs {
        assert_eq!(
            std::fs::read(tntc_image::layout::blob_path(&pulled, digest)).unwrap(),
            std::fs::read(tntc_image::layout::blob_path(&layout, digest)).unwrap()
        );
    }

    let second = push_now(&layout, &reference, no_credentials).unwrap();
    assert!(second.uploaded.is_empty(), "{second:?}");
    assert_eq!(second.present.len(), 3);
    assert_eq!(second.digest, written.digest);
}

#[test]
fn a_registry_with_a_password_takes_the_right_one_and_names_itself_for_a_wrong_one() {
    let Some(inputs) = inputs() else { return };
    let Some(registry) = start_registry(Some("right-password")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("image");
    write(&layout, &inputs);
    let name = format!("127.0.0.1:{}", registry.port);
    let reference = format!("{name}/team/tntc-host:dev");

    let wrong = docker_config(dir.path(), &name, "ci", "wrong-password");
    let err = push_now(&layout, &reference, wrong.clone()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, PushError::Unauthorized { .. }), "{text}");
    assert!(
        text.contains(&format!(
            "the registry {name} refused the credentials of user \"ci\""
        )) && text.contains(&wrong.display().to_string()),
        "{text}"
    );
    assert!(!text.contains("wrong-password"), "{text}");

    let anonymous = push_now(&layout, &reference, dir.path().join("none.json")).unwrap_err();
    assert!(
        anonymous.to_string().contains("refused an anonymous push"),
        "{anonymous}"
    );

    let right = docker_config(dir.path(), &name, "ci", "right-password");
    let pushed = push_now(&layout, &reference, right).unwrap();
    assert_eq!(pushed.uploaded.len(), 3);
}

#[test]
fn insecure_http_is_refused_for_a_registry_off_loopback() {
    let Some(inputs) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("image");
    write(&layout, &inputs);
    let err = push_now(
        &layout,
        "registry.example.com/tntc-host:dev",
        dir.path().join("x"),
    )
    .unwrap_err();
    assert!(
        matches!(err, PushError::InsecureNotLoopback { .. }),
        "{err}"
    );
}
