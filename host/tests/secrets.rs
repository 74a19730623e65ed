//! The secrets cascade against real directories and files, including the exact layout
//! Kubernetes uses to mount a Secret volume.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use serde_json::json;
use tntc_host::secrets::{SecretSources, Secrets, SecretsError, load_path};

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, text).expect("write");
}

fn sources(workflow: &Path, mounted: &Path) -> SecretSources {
    SecretSources {
        mounted: mounted.to_path_buf(),
        ..SecretSources::new(workflow)
    }
}

fn as_json(secrets: &Secrets) -> serde_json::Value {
    serde_json::to_value(secrets).expect("json")
}

/// `/app/secrets` as the kubelet lays it out: a timestamped directory with the files,
/// `..data` pointing at it, and one symlink per key through `..data`.
fn kubernetes_mount(root: &Path, files: &[(&str, &str)]) {
    let stamp = root.join("..2024_01_01_00_00_00.123456789");
    for (name, content) in files {
        write(&stamp.join(name), content);
    }
    symlink("..2024_01_01_00_00_00.123456789", root.join("..data")).expect("..data link");
    for (name, _) in files {
        symlink(format!("..data/{name}"), root.join(name)).expect("key link");
    }
}

#[test]
fn a_kubernetes_secret_volume_is_read_through_its_symlinks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mount = dir.path().join("app-secrets");
    kubernetes_mount(
        &mount,
        &[
            ("github", "{\"token\": \"ghp_k8s\"}"),
            ("api-token", "plain-token\n"),
        ],
    );
    let secrets = load_path(&mount).expect("load");
    assert_eq!(
        as_json(&secrets),
        json!({"api-token": {"value": "plain-token"}, "github": {"token": "ghp_k8s"}})
    );
}

#[test]
fn the_local_cascade_merges_yaml_over_the_directory_and_the_mount_over_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflow = dir.path().join("wf");
    write(
        &workflow.join(".secrets/github"),
        "{\"token\": \"from-dir\", \"user\": \"dir-user\"}",
    );
    write(&workflow.join(".secrets/slack"), "xoxb-from-dir");
    write(&workflow.join(".secrets/.hidden"), "ignored");
    write(
        &workflow.join(".secrets.yaml"),
        "github:\n  token: from-yaml\nstripe:\n  api_key: sk_yaml\n",
    );
    let mount = dir.path().join("mount");
    kubernetes_mount(&mount, &[("stripe", "{\"api_key\": \"sk_mount\"}")]);

    let secrets = sources(&workflow, &mount).load().expect("load");
    assert_eq!(
        as_json(&secrets),
        json!({
            "github": {"token": "from-yaml"},
            "slack": {"value": "xoxb-from-dir"},
            "stripe": {"api_key": "sk_mount"}
        })
    );
}

#[test]
fn local_layers_come_in_merge_order_and_name_the_file_of_each_service() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflow = dir.path().join("wf");
    write(
        &workflow.join(".secrets/github"),
        "{\"token\": \"from-dir\"}",
    );
    write(&workflow.join(".secrets.yaml"), "stripe:\n  api_key: sk\n");
    let mount = dir.path().join("mount");
    kubernetes_mount(&mount, &[("nats", "{\"token\": \"n\"}")]);

    let layers = sources(&workflow, &mount).local_layers().expect("layers");
    let seen: Vec<(&Path, bool, Vec<&str>)> = layers
        .iter()
        .map(|l| (l.path.as_path(), l.is_dir, l.secrets.services().collect()))
        .collect();
    assert_eq!(
        seen,
        [
            (workflow.join(".secrets").as_path(), true, vec!["github"]),
            (
                workflow.join(".secrets.yaml").as_path(),
                false,
                vec!["stripe"]
            ),
        ]
    );
    assert_eq!(layers[0].origin("github"), workflow.join(".secrets/github"));
    assert_eq!(layers[1].origin("stripe"), workflow.join(".secrets.yaml"));

    std::fs::remove_dir_all(workflow.join(".secrets")).expect("rm");
    let only_yaml = sources(&workflow, &mount).local_layers().expect("layers");
    assert_eq!(only_yaml.len(), 1, "an absent source is left out");
}

#[test]
fn an_explicit_path_replaces_the_local_sources_but_not_the_mount() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflow = dir.path().join("wf");
    write(&workflow.join(".secrets.yaml"), "local:\n  k: v\n");
    let explicit = dir.path().join("prod.yaml");
    write(&explicit, "github:\n  token: explicit\n");
    let mount = dir.path().join("mount");
    kubernetes_mount(&mount, &[("nats", "{\"token\": \"n\"}")]);

    let with_explicit = SecretSources {
        explicit: Some(explicit),
        ..sources(&workflow, &mount)
    };
    assert_eq!(
        as_json(&with_explicit.load().expect("load")),
        json!({"github": {"token": "explicit"}, "nats": {"token": "n"}})
    );

    let explicit_dir = dir.path().join("secrets-dir");
    write(&explicit_dir.join("github"), "{\"token\": \"dir\"}");
    let with_dir = SecretSources {
        explicit: Some(explicit_dir),
        ..sources(&workflow, &mount)
    };
    assert_eq!(
        with_dir.load().expect("load").get("github", "token"),
        Some(&json!("dir"))
    );
}

#[test]
fn a_missing_explicit_path_is_an_error_and_missing_local_sources_are_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nowhere = dir.path().join("nowhere");
    assert!(
        sources(dir.path(), &nowhere)
            .load()
            .expect("load")
            .is_empty()
    );
    let explicit = SecretSources {
        explicit: Some(dir.path().join("missing.yaml")),
        ..sources(dir.path(), &nowhere)
    };
    let err = explicit.load().expect_err("missing explicit path");
    assert!(matches!(err, SecretsError::ExplicitMissing { .. }), "{err}");
    assert!(err.to_string().contains("missing.yaml"), "{err}");
}

#[test]
fn bad_yaml_reports_the_file_and_line_without_the_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        &dir.path().join(".secrets.yaml"),
        "github:\n  token: ghp_leak_me\n stripe: sk_leak_me\n",
    );
    let err = sources(dir.path(), &dir.path().join("none"))
        .load()
        .expect_err("bad yaml");
    let msg = err.to_string();
    assert!(msg.contains(".secrets.yaml:3:"), "{msg}");
    assert!(!msg.contains("leak_me"), "{msg}");
}

#[test]
fn a_broken_symlink_in_a_secrets_directory_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets_dir = dir.path().join(".secrets");
    fs::create_dir_all(&secrets_dir).expect("mkdir");
    symlink("..data/gone", secrets_dir.join("github")).expect("link");
    let err = load_path(&secrets_dir).expect_err("broken link");
    assert!(matches!(err, SecretsError::BrokenLink { .. }), "{err}");
}

#[test]
fn subdirectories_of_a_secrets_directory_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir.path().join("github"), "{\"token\": \"t\"}");
    fs::create_dir_all(dir.path().join("nested")).expect("mkdir");
    let secrets = load_path(dir.path()).expect("load");
    assert_eq!(secrets.services().collect::<Vec<_>>(), ["github"]);
}
