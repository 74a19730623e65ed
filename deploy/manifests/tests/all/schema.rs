//! Every kind of object this crate makes, validated against the official Kubernetes
//! OpenAPI schemas by `kubernetes-validate --strict` (PyPI; `scripts/setup` installs it).
//! Without the tool the test says why and passes as skipped.

use std::path::PathBuf;
use std::process::Command;

use super::support::{MANUAL, bundle, target, workflow};

/// The Kubernetes releases validated against: the k8s-openapi feature's and the newest the
/// pinned kubernetes-validate bundles.
const VERSIONS: [&str; 2] = ["1.33.0", "1.37.0"];

/// `kubernetes-validate`: `$TNTC_KUBERNETES_VALIDATE`, the venv `scripts/setup` makes, or
/// `PATH`.
pub fn kubernetes_validate() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TNTC_KUBERNETES_VALIDATE") {
        return Some(PathBuf::from(path));
    }
    let tools = std::env::var_os("TNTC_TOOLS_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::home_dir().map(|h| h.join(".cache")))?;
            Some(cache.join("tntc/tools"))
        });
    let venv = tools.map(|t| t.join("kubernetes-validate-1.37.0/bin/kubernetes-validate"));
    if let Some(path) = venv.filter(|p| p.is_file()) {
        return Some(path);
    }
    Command::new("kubernetes-validate")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("kubernetes-validate"))
}

/// Validates a YAML stream; panics with the tool's report when a document is invalid.
pub fn validate(yaml: &str, what: &str) -> bool {
    let Some(tool) = kubernetes_validate() else {
        eprintln!(
            "SKIPPED schema validation of {what}: kubernetes-validate not found (run scripts/setup, or set TNTC_KUBERNETES_VALIDATE)"
        );
        return false;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("objects.yaml");
    std::fs::write(&file, yaml).expect("write");
    for version in VERSIONS {
        let out = Command::new(&tool)
            .args(["--strict", "--quiet", "-k", version])
            .arg(&file)
            .output()
            .expect("run kubernetes-validate");
        assert!(
            out.status.success(),
            "{what} fails Kubernetes {version}'s schemas:\n{}{}\n{yaml}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    true
}

#[test]
fn every_kind_of_object_passes_the_official_schemas_strictly() {
    let yaml = workflow(
        "schemas",
        "  - type: manual\n  - type: cron\n    name: a\n    schedule: \"@hourly\"\n  - type: cron\n    schedule: \"0 9 * * *\"\n  - type: queue\n    subject: jobs\n",
        "config:\n  nats_url: nats://nats.msg.svc:4222\ncontract:\n  version: \"1\"\n  dependencies:\n    gh:\n      protocol: https\n      host: api.github.com\n    db:\n      protocol: postgresql\n      host: pg.data.svc.cluster.local\n      database: d\n      user: u\n    fleet:\n      type: dynamic-target\n      protocol: https\n      cidr: 10.20.0.0/16\n      dynPorts: [\"443/TCP\", \"8125/UDP\"]\n  networkPolicy:\n    additionalEgress:\n      - toCIDR: 172.20.0.0/16\n",
    );
    let dir = bundle(&yaml);
    let secrets =
        std::collections::BTreeMap::from([("github".to_owned(), "{\"token\":\"t\"}".to_owned())]);
    let manifests = tntc_manifests::render(&dir.path().join("dist"), &target(), Some(&secrets))
        .expect("render");
    let kinds: Vec<&str> = manifests.objects.iter().map(|m| m.kind()).collect();
    assert_eq!(
        kinds,
        [
            "ConfigMap",
            "Deployment",
            "Service",
            "CronJob",
            "CronJob",
            "NetworkPolicy",
            "Secret"
        ]
    );
    // Both what is applied (the Secret's data) and what is printed (redacted).
    if validate(&manifests.to_yaml(), "the applied objects") {
        validate(&manifests.redacted().to_yaml(), "the printed objects");
    }
}

#[test]
fn the_validator_rejects_an_unknown_field_so_the_check_can_fail() {
    let dir = bundle(&workflow("strict", MANUAL, ""));
    let manifests = super::support::render(dir.path());
    let mut service = manifests
        .get("Service", "strict")
        .expect("service")
        .to_json();
    service["spec"]["portz"] = serde_json::json!([]);
    let Some(tool) = kubernetes_validate() else {
        eprintln!("SKIPPED: kubernetes-validate not found (run scripts/setup)");
        return;
    };
    let file = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(file.path(), tntc_manifests::to_yaml(&[service])).expect("write");
    let out = Command::new(tool)
        .args(["--strict", "--quiet", "-k", "1.33.0"])
        .arg(file.path())
        .output()
        .expect("run");
    assert!(
        !out.status.success(),
        "an unknown field passed strict validation"
    );
}
