//! The Secret's data from a workflow directory: the cases deploy.md pins (the original's
//! `deploy_secrets_test.go`).

use std::collections::BTreeMap;
use std::path::Path;

use tntc_manifests::{LocalSecretsError, local_secrets};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn values(dir: &Path) -> Option<BTreeMap<String, String>> {
    local_secrets(dir).expect("secrets").map(|s| s.values)
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_directory_gives_one_trimmed_key_per_visible_file() {
    let dir = tempfile::tempdir().expect("tmp");
    write(&dir.path().join(".secrets/github"), "  ghp_token\n\n");
    write(
        &dir.path().join(".secrets/slack"),
        "{\"token\": \"xoxb\"}\n",
    );
    write(&dir.path().join(".secrets/.hidden"), "skipped");
    write(&dir.path().join(".secrets/nested/deep"), "skipped");
    std::os::unix::fs::symlink("github", dir.path().join(".secrets/linked")).expect("symlink");
    assert_eq!(
        values(dir.path()),
        Some(map(&[
            ("github", "ghp_token"),
            ("linked", "ghp_token"),
            ("slack", "{\"token\": \"xoxb\"}")
        ]))
    );
}

#[test]
fn an_empty_directory_gives_no_secret_and_hides_the_yaml_file() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join(".secrets")).expect("mkdir");
    write(
        &dir.path().join(".secrets.yaml"),
        "github:\n  token: from-yaml\n",
    );
    assert_eq!(values(dir.path()), None);
}

#[test]
fn the_directory_wins_over_the_yaml_file() {
    let dir = tempfile::tempdir().expect("tmp");
    write(&dir.path().join(".secrets/github"), "from-dir");
    write(
        &dir.path().join(".secrets.yaml"),
        "github:\n  token: from-yaml\nother: x\n",
    );
    let secrets = local_secrets(dir.path()).expect("secrets").expect("some");
    assert_eq!(secrets.values, map(&[("github", "from-dir")]));
    assert_eq!(secrets.source, dir.path().join(".secrets"));
}

#[test]
fn yaml_strings_stay_and_everything_else_becomes_compact_json() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        &dir.path().join(".secrets.yaml"),
        "github:\n  token: ghp_abc\n  user: bot\nplain: just-a-string\nport: 5432\nlist: [a, 1]\nquoted: \"5432\"\n",
    );
    assert_eq!(
        values(dir.path()),
        Some(map(&[
            ("github", "{\"token\":\"ghp_abc\",\"user\":\"bot\"}"),
            ("list", "[\"a\",1]"),
            ("plain", "just-a-string"),
            ("port", "5432"),
            ("quoted", "5432"),
        ]))
    );
}

#[test]
fn an_empty_yaml_file_or_empty_mapping_gives_no_secret() {
    for text in ["", "{}\n", "# nothing\n"] {
        let dir = tempfile::tempdir().expect("tmp");
        write(&dir.path().join(".secrets.yaml"), text);
        assert_eq!(values(dir.path()), None, "{text:?}");
    }
    assert_eq!(
        values(tempfile::tempdir().expect("tmp").path()),
        None,
        "no file at all"
    );
}

#[test]
fn invalid_yaml_is_a_positioned_error_without_the_value() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        &dir.path().join(".secrets.yaml"),
        "github:\n  token: sk_live_secret\n  bad: [unclosed, sk_other_secret\n",
    );
    let err = local_secrets(dir.path()).expect_err("invalid").to_string();
    assert!(err.contains(".secrets.yaml:"), "{err}");
    assert!(
        !err.contains("sk_live_secret") && !err.contains("sk_other_secret"),
        "{err}"
    );
    write(&dir.path().join(".secrets.yaml"), "- a\n- b\n");
    let err = local_secrets(dir.path()).expect_err("a list").to_string();
    assert!(err.contains(":1:1: secrets must be a mapping"), "{err}");
}

#[test]
fn shared_values_come_from_the_repository_roots_secrets_directory() {
    let repo = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(repo.path().join(".git")).expect("mkdir .git");
    write(&repo.path().join(".secrets/github"), "ghp_shared\n");
    let wf = repo.path().join("flows/orders");
    write(
        &wf.join(".secrets.yaml"),
        "github: $shared.github\nlocal: mine\n",
    );
    assert_eq!(
        values(&wf),
        Some(map(&[("github", "ghp_shared"), ("local", "mine")]))
    );

    write(&wf.join(".secrets.yaml"), "slack: $shared.slack\n");
    match local_secrets(&wf) {
        Err(LocalSecretsError::SharedMissing { key, shared, .. }) => {
            assert_eq!(key, "slack");
            assert_eq!(shared, repo.path().join(".secrets/slack"));
        }
        other => panic!("expected a missing shared secret, got {other:?}"),
    }
    write(
        &wf.join(".secrets.yaml"),
        "escape: $shared.../../etc/passwd\n",
    );
    let err = local_secrets(&wf).expect_err("traversal").to_string();
    assert!(err.contains("must name a file"), "{err}");
}

#[test]
fn the_secret_object_is_named_after_the_workflow_and_printed_redacted() {
    let dir = super::support::bundle(&super::support::workflow(
        "vault",
        super::support::MANUAL,
        "",
    ));
    let secrets = map(&[
        ("github", "ghp_do_not_print"),
        ("db", "{\"password\":\"hunter2hunter2\"}"),
    ]);
    let manifests = tntc_manifests::render(
        &dir.path().join("dist"),
        &super::support::target(),
        Some(&secrets),
    )
    .expect("render");
    let secret = manifests.get("Secret", "vault-secrets").expect("secret");
    assert_eq!(secret.to_json()["type"], "Opaque");
    let printed = manifests.redacted().to_yaml();
    for value in ["ghp_do_not_print", "hunter2hunter2"] {
        assert!(!printed.contains(value), "{value} printed");
    }
    assert!(
        printed.contains("github: \"<redacted: 16 bytes>\""),
        "{printed}"
    );
    assert!(printed.contains("tentacular.dev/redacted: "), "{printed}");
    let applied = secret.to_json();
    assert!(
        applied["metadata"].get("annotations").is_none(),
        "only the printed copy is marked"
    );
    let debug = format!("{:?}", local_secrets_debug());
    assert!(!debug.contains("top-secret"), "{debug}");
}

fn local_secrets_debug() -> tntc_manifests::LocalSecrets {
    let dir = tempfile::tempdir().expect("tmp");
    write(&dir.path().join(".secrets/api"), "top-secret");
    local_secrets(dir.path()).expect("ok").expect("some")
}
