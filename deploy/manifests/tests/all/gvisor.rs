//! `deploy/gvisor/`: the RuntimeClass and the test pod are valid Kubernetes objects, and
//! `install.sh --dry-run` prints its steps and changes nothing.

use std::path::Path;
use std::process::Command;

use super::schema::validate;

fn gvisor_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../gvisor")
}

#[test]
fn the_runtime_class_and_the_test_pod_pass_the_official_schemas() {
    for file in ["runtimeclass.yaml", "test-pod.yaml"] {
        let yaml = std::fs::read_to_string(gvisor_dir().join(file)).expect("read");
        validate(&yaml, file);
    }
    let class = std::fs::read_to_string(gvisor_dir().join("runtimeclass.yaml")).unwrap();
    assert!(class.contains("handler: runsc") && class.contains("name: gvisor"));
    let pod = std::fs::read_to_string(gvisor_dir().join("test-pod.yaml")).unwrap();
    assert!(pod.contains("runtimeClassName: gvisor"));
}

#[test]
fn install_dry_run_prints_every_step_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("containerd/config.toml");
    let out = Command::new("bash")
        .arg(gvisor_dir().join("install.sh"))
        .args(["--dry-run", "--platform", "ptrace", "--config"])
        .arg(&config)
        .output()
        .expect("run install.sh");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("runsc") && text.contains("containerd-shim-runsc-v1"),
        "{text}"
    );
    assert!(
        text.contains(&format!("append the runsc runtime to {}", config.display()))
            && text.contains(r#"runtime_type = "io.containerd.runsc.v1""#)
            && text.contains("platform = ptrace"),
        "{text}"
    );
    assert!(!config.exists() && !dir.path().join("containerd").exists());

    let bad = Command::new("bash")
        .arg(gvisor_dir().join("install.sh"))
        .args(["--dry-run", "--platform", "kvm"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
