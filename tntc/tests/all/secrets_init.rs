//! `tntc secrets init`.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use super::secrets::{VALUES, put, vault};
use super::{json, stderr, stdout, tntc};

fn read(dir: &std::path::Path, path: &str) -> String {
    fs::read_to_string(dir.join("vault").join(path)).expect("read")
}

#[test]
fn init_writes_every_referenced_key_empty_mode_0600_and_git_ignores_it() {
    let dir = vault();
    let out = tntc(dir.path(), &["secrets", "init", "vault"]);
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!("init_stdout", stdout(&out));
    insta::assert_snapshot!("init_file", read(dir.path(), ".secrets.yaml"));
    let mode = fs::metadata(dir.path().join("vault/.secrets.yaml"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let ignore = read(dir.path(), ".gitignore");
    assert!(ignore.lines().any(|l| l == ".secrets.yaml"), "{ignore}");
    assert!(ignore.lines().any(|l| l == ".secrets/"), "{ignore}");

    // The template parses, and every referenced secret in it is (still) empty.
    let check = tntc(dir.path(), &["-o", "json", "secrets", "check", "vault"]);
    assert_eq!(check.status.code(), Some(1));
    let statuses: Vec<String> = json(&check)["references"]
        .as_array()
        .expect("references")
        .iter()
        .map(|r| format!("{} {}", r["secret"], r["status"]))
        .collect();
    assert_eq!(
        statuses,
        ["\"github.token\" \"empty\"", "\"stripe.api_key\" \"empty\""]
    );
}

#[test]
fn init_refuses_to_overwrite_an_existing_file_without_force() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets.yaml",
        "github:\n  token: ghp_s3cr3t_t0ken\n",
    );
    let out = tntc(dir.path(), &["secrets", "init", "vault"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&out).replace(&dir.path().display().to_string(), "[TMP]"));
    assert_eq!(
        read(dir.path(), ".secrets.yaml"),
        "github:\n  token: ghp_s3cr3t_t0ken\n"
    );
    assert!(
        !dir.path().join("vault/.gitignore").exists(),
        "nothing else is touched"
    );
}

#[test]
fn force_keeps_every_existing_value_and_adds_the_missing_keys() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets.yaml",
        "# my notes\ngithub:\n  token: ghp_s3cr3t_t0ken\n  user: bot\nlegacy-db:\n  password: \"xoxb-s3cr3t\"\n  port: 5432\n",
    );
    fs::set_permissions(
        dir.path().join("vault/.secrets.yaml"),
        fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let out = tntc(dir.path(), &["secrets", "init", "vault", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for value in VALUES {
        assert!(!stdout(&out).contains(value), "{}", stdout(&out));
    }
    assert!(
        stdout(&out).contains("github.token    kept"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("stripe.api_key  to fill in"),
        "{}",
        stdout(&out)
    );
    let file = read(dir.path(), ".secrets.yaml");
    let written =
        tntc_host::secrets::load_path(&dir.path().join("vault/.secrets.yaml")).expect("parses");
    assert_eq!(
        serde_json::to_value(written).expect("json"),
        serde_json::json!({
            "github": {"token": "ghp_s3cr3t_t0ken", "user": "bot"},
            "legacy-db": {"password": "xoxb-s3cr3t", "port": 5432},
            "stripe": {"api_key": ""},
        })
    );
    assert!(
        file.contains("# referenced by no dependency; kept from the previous file\nlegacy-db:"),
        "{file}"
    );
    let mode = fs::metadata(dir.path().join("vault/.secrets.yaml"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "--force also narrows the permissions");
}

#[test]
fn force_refuses_a_file_it_cannot_read_rather_than_losing_it() {
    let dir = vault();
    put(dir.path(), ".secrets.yaml", "github: [\n");
    let out = tntc(dir.path(), &["secrets", "init", "vault", "--force"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("cannot keep the values of"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(dir.path(), ".secrets.yaml"), "github: [\n");
}

#[test]
fn services_the_directory_provides_are_left_out() {
    let dir = vault();
    put(
        dir.path(),
        ".secrets/stripe",
        "{\"api_key\": \"sk_live_s3cr3t\"}",
    );
    let out = tntc(dir.path(), &["-o", "json", "secrets", "init", "vault"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let value = json(&out);
    assert_eq!(value["secrets"][1]["state"], "provided");
    let file = read(dir.path(), ".secrets.yaml");
    assert!(!file.contains("\nstripe:"), "{file}");
    assert!(file.contains("# stripe: provided by"), "{file}");
    let check = tntc(dir.path(), &["secrets", "check", "vault"]);
    assert!(
        stdout(&check).contains("ok       stripe.api_key"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn gitignore_entries_are_appended_only_when_missing() {
    let dir = vault();
    put(dir.path(), ".gitignore", "node_modules\n/.secrets/");
    let out = tntc(dir.path(), &["-o", "json", "secrets", "init", "vault"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        json(&out)["gitignore"]["added"],
        serde_json::json!([".secrets.yaml"])
    );
    assert_eq!(
        read(dir.path(), ".gitignore"),
        "node_modules\n/.secrets/\n# Local secrets never leave this machine (tntc secrets init).\n.secrets.yaml\n"
    );
    let again = tntc(
        dir.path(),
        &["-o", "json", "secrets", "init", "vault", "--force"],
    );
    assert_eq!(json(&again)["gitignore"]["added"], serde_json::json!([]));
    assert_eq!(
        json(&again)["secrets"][0]["state"],
        "to-fill-in",
        "an empty value is not kept"
    );
}
