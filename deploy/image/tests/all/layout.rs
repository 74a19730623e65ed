//! The layout as skopeo and umoci read it.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde_json::Value;
use tntc_image::layout;

use crate::external_programs::find_or_skip;
use crate::support::{inputs, run, skopeo, write};

#[test]
fn skopeo_inspects_the_layout_with_the_documented_config() {
    let (Some(inputs), Some(skopeo)) = (inputs(), skopeo()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("image");
    let written = write(&out, &inputs);
    let target = format!("oci:{}:dev", out.display());

    let inspect: Value = serde_json::from_str(&run(&skopeo, &["inspect", &target])).unwrap();
    assert_eq!(inspect["Digest"], written.digest.as_str());
    assert_eq!(inspect["Architecture"], "amd64");
    assert_eq!(inspect["Os"], "linux");
    assert_eq!(inspect["Layers"].as_array().unwrap().len(), 2);

    let config: Value =
        serde_json::from_str(&run(&skopeo, &["inspect", "--config", &target])).unwrap();
    assert_eq!(config["config"]["User"], "65534:65534");
    assert_eq!(
        config["config"]["Entrypoint"],
        serde_json::json!([
            "/usr/local/bin/tntc-host",
            "--workflow",
            "/app/workflow/workflow.yaml",
            "--port",
            "8080",
            "--baked-cache",
            "/var/lib/tntc/cache",
            "--cache-dir",
            "/tmp/tntc-cache"
        ])
    );
    assert_eq!(
        config["config"]["Env"],
        serde_json::json!([
            "PATH=/usr/local/bin",
            "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
        ])
    );
    assert_eq!(
        config["config"]["Labels"]["org.opencontainers.image.version"],
        "0.1.0"
    );
    assert_eq!(written.config_digest, inspect_config_digest(&out));
}

fn inspect_config_digest(layout_dir: &Path) -> String {
    let image = layout::read(layout_dir).unwrap();
    image.blobs[0].0.clone()
}

#[test]
fn two_builds_of_the_same_inputs_have_the_same_digests_and_bytes() {
    let Some(inputs) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    let first = write(&dir.path().join("a"), &inputs);
    let second = write(&dir.path().join("b"), &inputs);
    assert_eq!(first.digest, second.digest);
    assert_eq!(first.blobs, second.blobs);
    for name in ["index.json", "oci-layout"] {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(name)).unwrap(),
            std::fs::read(dir.path().join("b").join(name)).unwrap(),
            "{name}"
        );
    }
    // Rebuilt in place with other inputs: the old blobs are gone, the layout holds one image.
    let mut changed = inputs.clone();
    changed.version = "0.2.0".into();
    let third = write(&dir.path().join("a"), &changed);
    assert_ne!(third.digest, first.digest);
    let blobs = std::fs::read_dir(dir.path().join("a/blobs/sha256"))
        .unwrap()
        .count();
    assert_eq!(blobs, 4, "config, two layers, manifest");
}

#[test]
fn a_directory_that_is_not_a_layout_is_not_overwritten() {
    let Some(inputs) = inputs() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let err = layout::write(dir.path(), &inputs, "dev")
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not an OCI image layout"), "{err}");
    assert!(dir.path().join("notes.txt").exists());
}

#[test]
fn umoci_unpacks_the_layout_into_the_documented_filesystem() {
    let (Some(inputs), Some(umoci)) = (inputs(), find_or_skip("umoci", "apt-get install umoci"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("image");
    write(&out, &inputs);
    let bundle = dir.path().join("bundle");
    run(
        &umoci,
        &[
            "unpack",
            "--image",
            &format!("{}:dev", out.display()),
            bundle.to_str().unwrap(),
        ],
    );
    let rootfs = bundle.join("rootfs");
    let host = std::fs::metadata(rootfs.join("usr/local/bin/tntc-host")).unwrap();
    assert_eq!(
        (host.uid(), host.gid(), host.mode() & 0o7777),
        (0, 0, 0o755)
    );
    assert_eq!(
        std::fs::read(rootfs.join("usr/local/bin/tntc-host")).unwrap(),
        inputs.host_binary
    );
    let tmp = std::fs::metadata(rootfs.join("tmp")).unwrap();
    assert_eq!(tmp.mode() & 0o7777, 0o1777);
    assert_eq!(std::fs::read_dir(rootfs.join("tmp")).unwrap().count(), 0);
    let passwd = std::fs::read_to_string(rootfs.join("etc/passwd")).unwrap();
    assert!(passwd.contains("nobody:x:65534:65534:"), "{passwd}");
    let cached = std::fs::metadata(rootfs.join("var/lib/tntc/cache/runtime-abc.cwasm")).unwrap();
    assert_eq!((cached.uid(), cached.mode() & 0o7777), (0, 0o444));
    let cache_dir = std::fs::metadata(rootfs.join("var/lib/tntc/cache")).unwrap();
    assert_eq!((cache_dir.uid(), cache_dir.mode() & 0o7777), (0, 0o755));
    // No shell, no package manager: the only programs are the host.
    assert!(!rootfs.join("bin").exists() && !rootfs.join("usr/bin").exists());

    let spec: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("config.json")).unwrap()).unwrap();
    assert_eq!(spec["process"]["user"]["uid"], 65534);
    assert_eq!(spec["process"]["user"]["gid"], 65534);
    assert_eq!(spec["process"]["args"][0], "/usr/local/bin/tntc-host");
}
