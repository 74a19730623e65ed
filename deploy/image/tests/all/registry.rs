//! Pushing to Debian's `docker-registry` on 127.0.0.1, and pulling back with skopeo.

use std::path::{Path, PathBuf};

use tntc_image::PushError;
use tntc_image::push::{PushOptions, Pushed, push};
use tntc_image::reference::Reference;

use crate::registry_server::start_registry;
use crate::support::{inputs, run, skopeo, write};

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
