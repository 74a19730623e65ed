//! `tntc configure`, with a scratch HOME and project directory.

use std::fs;
use std::path::{Path, PathBuf};

use super::{json, stderr, stdout, tntc_home};

/// A scratch HOME and a project directory inside it.
struct Sandbox {
    _root: tempfile::TempDir,
    home: PathBuf,
    project: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().expect("tmp");
        let home = root.path().join("home");
        let project = root.path().join("project");
        fs::create_dir_all(&home).expect("mkdir");
        fs::create_dir_all(&project).expect("mkdir");
        Sandbox {
            _root: root,
            home,
            project,
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        tntc_home(&self.project, &self.home, args)
    }

    fn user_file(&self) -> PathBuf {
        self.home.join(".tentacular/config.yaml")
    }

    fn project_file(&self) -> PathBuf {
        self.project.join(".tentacular/config.yaml")
    }

    /// Output with the scratch HOME replaced, for snapshots.
    fn redact(&self, text: &str) -> String {
        text.replace(&self.home.display().to_string(), "[HOME]")
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn values_go_to_the_user_file_by_default_and_to_the_project_file_with_project() {
    let s = Sandbox::new();
    let out = s.run(&["configure", "-r", "ghcr.io/acme", "--runtime-class", "kata"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        read(&s.user_file()),
        "registry: ghcr.io/acme\nruntime_class: kata\n"
    );
    assert!(!s.project_file().exists());
    insta::assert_snapshot!(s.redact(&stdout(&out)));

    let out = s.run(&["configure", "--project", "-n", "team-a"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&s.project_file()), "namespace: team-a\n");
    assert_eq!(
        read(&s.user_file()),
        "registry: ghcr.io/acme\nruntime_class: kata\n"
    );
}

#[test]
fn effective_settings_follow_flag_then_workflow_then_project_then_user_then_default() {
    let s = Sandbox::new();
    fs::create_dir_all(s.home.join(".tentacular")).expect("mkdir");
    fs::write(
        s.user_file(),
        "namespace: from-user\nregistry: user.io/acme\n",
    )
    .expect("write");
    fs::create_dir_all(s.project.join(".tentacular")).expect("mkdir");
    fs::write(s.project_file(), "namespace: from-project\n").expect("write");
    let show = |args: &[&str]| {
        let out = s.run(args);
        assert!(out.status.success(), "{}", stderr(&out));
        let v = json(&out);
        (
            v["settings"]["namespace"]["value"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            v["settings"]["namespace"]["source"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    let pair = |v: &str, s: &str| (v.to_owned(), s.to_owned());

    assert_eq!(
        show(&["configure", "-o", "json"]),
        pair("from-project", "project")
    );
    fs::write(
        s.project.join("workflow.yaml"),
        "name: flow\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  a:\n    path: ./a.ts\ndeployment:\n  namespace: from-workflow\n",
    )
    .expect("write");
    fs::write(s.project.join("a.ts"), "export default async () => ({});").expect("write");
    assert_eq!(
        show(&["configure", "-o", "json"]),
        pair("from-workflow", "workflow")
    );
    assert_eq!(
        show(&["configure", "--show", "-n", "from-flag", "-o", "json"]),
        pair("from-flag", "flag")
    );
    let text = s.run(&["configure"]);
    insta::assert_snapshot!(s.redact(&stdout(&text)));

    fs::remove_file(s.project.join("workflow.yaml")).expect("rm");
    fs::remove_file(s.project_file()).expect("rm");
    assert_eq!(
        show(&["configure", "-o", "json"]),
        pair("from-user", "user")
    );
    fs::remove_file(s.user_file()).expect("rm");
    assert_eq!(
        show(&["configure", "-o", "json"]),
        pair("default", "default")
    );
    assert!(!s.user_file().exists(), "showing never writes");
}

#[test]
fn json_output_names_each_value_its_source_and_file() {
    let s = Sandbox::new();
    let out = s.run(&["-o", "json", "configure", "-r", "ghcr.io/acme"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let user = s.user_file().display().to_string();
    assert_eq!(
        v["written"],
        serde_json::json!({"file": user, "scope": "user", "set": {"registry": "ghcr.io/acme"}, "removed": []})
    );
    assert_eq!(
        v["settings"],
        serde_json::json!({
            "namespace": {"value": "default", "source": "default", "file": null},
            "registry": {"value": "ghcr.io/acme", "source": "user", "file": user},
            "runtime_class": {"value": "gvisor", "source": "default", "file": null},
        })
    );
    assert_eq!(
        v["files"]["user"],
        serde_json::json!({"path": user, "exists": true})
    );
    assert_eq!(v["files"]["project"]["exists"], false);
}

#[test]
fn unknown_keys_and_comments_survive_a_rewrite_and_an_empty_value_removes_a_key() {
    let s = Sandbox::new();
    fs::create_dir_all(s.home.join(".tentacular")).expect("mkdir");
    let before = "# my defaults\nworkspace: ~/tentacles\nregistry: old.io/x  # old\nenvironments:\n  prod:\n    context: k0s-prod\nnamespace: team-a\n";
    fs::write(s.user_file(), before).expect("write");
    let out = s.run(&["configure", "-r", "ghcr.io/acme", "-n", ""]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        read(&s.user_file()),
        "# my defaults\nworkspace: ~/tentacles\nregistry: ghcr.io/acme\nenvironments:\n  prod:\n    context: k0s-prod\n"
    );
    assert!(
        stdout(&out).contains("namespace      (removed)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_malformed_config_file_is_a_positioned_error_and_nothing_is_written() {
    let s = Sandbox::new();
    fs::create_dir_all(s.project.join(".tentacular")).expect("mkdir");
    fs::write(
        s.project_file(),
        "registry: ghcr.io/acme\nnamespace: Team_A\nruntime_class: [gvisor\n",
    )
    .expect("write");
    let out = s.run(&["configure", "--project", "-r", "other.io"]);
    assert_eq!(out.status.code(), Some(4));
    insta::assert_snapshot!(stderr(&out));
    assert!(read(&s.project_file()).starts_with("registry: ghcr.io/acme\n"));

    fs::write(s.project_file(), "namespace: Team_A\n").expect("write");
    let out = s.run(&["configure", "-o", "json"]);
    assert_eq!(out.status.code(), Some(4));
    let v = json(&out);
    assert_eq!(v["errors"][0]["line"], 1);
    assert_eq!(v["errors"][0]["column"], 12);
    assert_eq!(v["errors"][0]["path"], "namespace");
}

#[test]
fn invalid_values_are_refused_before_anything_is_written() {
    let s = Sandbox::new();
    let out = s.run(&["configure", "-n", "Team_A"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("-n/--namespace \"Team_A\" is not a Kubernetes namespace"),
        "{}",
        stderr(&out)
    );
    let out = s.run(&["configure", "-r", "https://ghcr.io/acme"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!s.user_file().exists());
}
