//! `tntc deploy --dry-run`: the objects of every example (snapshots, official schemas, Pod
//! Security Standards), the namespace/image/runtime-class cascades, rebuilding a stale
//! bundle, and the real `tntc-host` serving a bundle laid out as the kubelet mounts the
//! ConfigMap.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use tntc_manifests::{PodSpec, pss_restricted_violations};

use super::host_e2e::{json_of, request, start_host};
use super::{stderr, stdout, tntc_home};

const EXAMPLES: [&str; 6] = [
    "cluster-health",
    "cron-report",
    "news-digest",
    "secrets-cascade",
    "visit-log",
    "word-count",
];

/// A scratch copy of `examples/<name>` (sources only) at `<tmp>/<name>`, and an empty home.
struct Scratch {
    root: tempfile::TempDir,
    home: tempfile::TempDir,
    name: String,
}

impl Scratch {
    fn of(name: &str) -> Scratch {
        let root = tempfile::tempdir().expect("tmp");
        let example = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(name);
        copy_sources(&example, &root.path().join(name));
        Scratch {
            root,
            home: tempfile::tempdir().expect("home"),
            name: name.to_owned(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.root.path().join(&self.name)
    }

    /// `tntc deploy <name> <args>` from the scratch root, with the scratch home.
    fn deploy(&self, args: &[&str]) -> Output {
        let mut all = vec!["deploy", self.name.as_str()];
        all.extend_from_slice(args);
        tntc_home(self.root.path(), self.home.path(), &all)
    }

    /// `-o json` output of a successful dry run.
    fn objects(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["--dry-run", "-o", "json"];
        all.extend_from_slice(args);
        let out = self.deploy(&all);
        assert!(out.status.success(), "deploy failed: {}", stderr(&out));
        match serde_json::from_slice(&out.stdout) {
            Ok(Value::Array(items)) => items,
            other => panic!("not a JSON list: {other:?}"),
        }
    }
}

fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read example") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "dist" || name == ".secrets" || name == ".secrets.yaml" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("type").is_dir() {
            copy_sources(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

/// The output with what changes whenever the compiler or the runtime does (module bytes,
/// digests, sizes) or the version, replaced: the snapshot pins the objects' shape.
fn normalized(yaml: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut out = String::new();
    for line in yaml.lines() {
        let line = match line.split_once(".wasm: ") {
            Some((key, _)) if key.trim_start().starts_with("nodes__") => {
                format!("{key}.wasm: <module>")
            }
            _ => line.to_owned(),
        };
        let line = match line.split_once("\"size\": ") {
            Some((head, _)) => format!("{head}\"size\": <size>,"),
            None => line,
        };
        let line = without_digests(&line);
        // YAML quotes a digest that reads as a number (all digits, or digits with one `e`):
        // a value that is only a digest is shown quoted either way.
        let line = match line.strip_suffix(": <sha256>") {
            Some(key) => format!("{key}: \"<sha256>\""),
            None => line,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.replace(&format!("tntc-host:{version}"), "tntc-host:<version>")
        .replace(&format!("tntc {version}"), "tntc <version>")
}

fn without_digests(line: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in line.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            run.push(c);
            continue;
        }
        if run.len() == 64 {
            out.push_str("<sha256>");
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// The secrets-cascade example with `.secrets.yaml` filled in (as its README says).
fn secrets_cascade() -> Scratch {
    let s = Scratch::of("secrets-cascade");
    let example = std::fs::read_to_string(s.dir().join(".secrets.yaml.example")).expect("example");
    std::fs::write(s.dir().join(".secrets.yaml"), example).expect("write .secrets.yaml");
    s
}

fn scratch(name: &str) -> Scratch {
    if name == "secrets-cascade" {
        secrets_cascade()
    } else {
        Scratch::of(name)
    }
}

#[test]
fn dry_run_yaml_of_every_example_is_stable_valid_and_redacted() {
    for name in EXAMPLES {
        let s = scratch(name);
        let out = s.deploy(&["--dry-run", "-o", "yaml", "-n", "examples"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let yaml = stdout(&out);
        assert!(
            !yaml.contains("github_pat_your_token_here") && !yaml.contains("your_newsapi_key_here"),
            "{name}: a secret value was printed"
        );
        let again = s.deploy(&["--dry-run", "-o", "yaml", "-n", "examples"]);
        assert_eq!(stdout(&again), yaml, "{name}: a second dry run differs");
        validate_schemas(&yaml, name);
        insta::assert_snapshot!(
            format!("dry_run_{}", name.replace('-', "_")),
            normalized(&yaml)
        );
    }
}

/// Every document of `yaml` against the official schemas (`kubernetes-validate --strict`,
/// installed by `scripts/setup`); skipped with the reason when the tool is missing.
fn validate_schemas(yaml: &str, what: &str) {
    let Some(tool) = kubernetes_validate() else {
        eprintln!(
            "SKIPPED schema validation of {what}: kubernetes-validate not found (run scripts/setup, or set TNTC_KUBERNETES_VALIDATE)"
        );
        return;
    };
    let file = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(file.path(), yaml).expect("write");
    for version in ["1.33.0", "1.37.0"] {
        let out = Command::new(&tool)
            .args(["--strict", "--quiet", "-k", version])
            .arg(file.path())
            .output()
            .expect("run kubernetes-validate");
        assert!(
            out.status.success(),
            "{what} fails Kubernetes {version}'s schemas:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
    }
}

fn kubernetes_validate() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TNTC_KUBERNETES_VALIDATE") {
        return Some(PathBuf::from(path));
    }
    let cache = std::env::var_os("TNTC_TOOLS_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::home_dir().map(|h| h.join(".cache")))
                .map(|c| c.join("tntc/tools"))
        })?;
    Some(cache.join("kubernetes-validate-1.37.0/bin/kubernetes-validate")).filter(|p| p.is_file())
}

#[test]
fn every_examples_pods_pass_pod_security_standards_restricted() {
    for name in EXAMPLES {
        let objects = scratch(name).objects(&[]);
        let mut pods = 0;
        for object in &objects {
            let spec = match object["kind"].as_str() {
                Some("Deployment") => &object["spec"]["template"]["spec"],
                Some("CronJob") => &object["spec"]["jobTemplate"]["spec"]["template"]["spec"],
                _ => continue,
            };
            let pod: PodSpec = serde_json::from_value(spec.clone()).expect("a pod spec");
            let violations = pss_restricted_violations(&pod);
            assert!(
                violations.is_empty(),
                "{name} {}: {violations:#?}",
                object["metadata"]["name"]
            );
            pods += 1;
        }
        let crons = objects.iter().filter(|o| o["kind"] == "CronJob").count();
        assert_eq!(pods, 1 + crons, "{name}");
    }
}

#[test]
fn namespace_comes_from_the_flag_then_the_workflow_then_config_then_default() {
    let s = Scratch::of("word-count");
    let namespace = |args: &[&str]| s.objects(args)[0]["metadata"]["namespace"].clone();
    assert_eq!(namespace(&[]), "default");
    let config = s.home.path().join(".tentacular/config.yaml");
    std::fs::create_dir_all(config.parent().expect("dir")).expect("mkdir");
    std::fs::write(&config, "namespace: from-config\n").expect("config");
    assert_eq!(namespace(&[]), "from-config");
    let yaml = s.dir().join("workflow.yaml");
    let text = std::fs::read_to_string(&yaml).expect("read");
    std::fs::write(
        &yaml,
        format!("{text}\ndeployment:\n  namespace: from-workflow\n"),
    )
    .expect("write");
    assert_eq!(namespace(&[]), "from-workflow");
    assert_eq!(namespace(&["-n", "from-flag"]), "from-flag");
    let bad = s.deploy(&["--dry-run", "-n", "Not_A_Namespace"]);
    assert_eq!(bad.status.code(), Some(2), "a bad flag is a usage error");
    assert!(
        stderr(&bad).contains("is not a Kubernetes namespace"),
        "{}",
        stderr(&bad)
    );
}

fn image(objects: &[Value]) -> Value {
    find(objects, "Deployment", "word-count")["spec"]["template"]["spec"]["containers"][0]["image"]
        .clone()
}

#[test]
fn image_comes_from_the_flag_then_base_image_files_then_the_registry_then_the_default() {
    let s = Scratch::of("word-count");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(image(&s.objects(&[])), format!("tntc-host:{version}"));
    assert_eq!(
        image(&s.objects(&["-r", "ghcr.io/acme/"])),
        format!("ghcr.io/acme/tntc-host:{version}")
    );
    let write = |dir: &Path, text: &str| {
        std::fs::create_dir_all(dir.join(".tentacular")).expect("mkdir");
        std::fs::write(dir.join(".tentacular/base-image.txt"), text).expect("write");
    };
    write(s.root.path(), "cwd.test/tntc-host:cwd\n");
    assert_eq!(image(&s.objects(&[])), "cwd.test/tntc-host:cwd");
    write(&s.dir(), "  dir.test/tntc-host:dir\n");
    assert_eq!(image(&s.objects(&[])), "dir.test/tntc-host:dir");
    assert_eq!(
        image(&s.objects(&["--image", "flag.test/x:1"])),
        "flag.test/x:1"
    );
    write(&s.dir(), "two words\n");
    let bad = s.deploy(&["--dry-run"]);
    assert_eq!(
        bad.status.code(),
        Some(4),
        "a bad file is the environment's"
    );
    assert!(
        stderr(&bad).contains("should hold one image reference"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn runtime_class_none_warns_and_leaves_the_pods_without_one() {
    let s = Scratch::of("word-count");
    let pod = |objects: &[Value]| {
        find(objects, "Deployment", "word-count")["spec"]["template"]["spec"].clone()
    };
    assert_eq!(pod(&s.objects(&[]))["runtimeClassName"], "gvisor");
    assert_eq!(
        pod(&s.objects(&["--runtime-class", "kata"]))["runtimeClassName"],
        "kata"
    );
    let out = s.deploy(&["--dry-run", "-o", "yaml", "--runtime-class", "none"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: --runtime-class none: the pods run without gVisor"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stdout(&out).contains("runtimeClassName"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_missing_or_stale_bundle_is_built_first_and_a_fresh_one_is_reused() {
    let s = Scratch::of("word-count");
    let first = s.deploy(&["--dry-run"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("(no bundle yet)"),
        "{}",
        stderr(&first)
    );
    assert!(s.dir().join("dist/manifest.json").is_file());
    let text = stdout(&first);
    assert!(
        text.starts_with("Dry run: word-count 1.0 would be applied as 4 objects"),
        "{text}"
    );
    assert!(text.contains("  ConfigMap/word-count-code\n"), "{text}");
    let checksum = |objects: &[Value]| {
        find(objects, "Deployment", "word-count")["spec"]["template"]["metadata"]["annotations"]["checksum/code"].clone()
    };
    let before = checksum(&s.objects(&[]));

    let again = s.deploy(&["--dry-run"]);
    assert!(!stderr(&again).contains("building"), "{}", stderr(&again));

    std::thread::sleep(std::time::Duration::from_millis(20));
    let node = s.dir().join("nodes/report.ts");
    let code = std::fs::read_to_string(&node).expect("read node");
    std::fs::write(
        &node,
        format!("{code}\n// edited\nexport const edited = 1;\n"),
    )
    .expect("edit");
    let rebuilt = s.deploy(&["--dry-run"]);
    assert!(
        stderr(&rebuilt).contains("report.ts changed)"),
        "{}",
        stderr(&rebuilt)
    );
    let after = s.objects(&[]);
    assert_ne!(checksum(&after), before, "an edited node rolls the pods");
}

#[test]
fn yaml_without_dry_run_is_refused_before_anything_is_built_and_elsewhere_means_nothing() {
    let s = Scratch::of("word-count");
    let out = s.deploy(&["-o", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("add --dry-run"), "{}", stderr(&out));
    assert!(!s.dir().join("dist").exists(), "nothing was built");
    let yaml = tntc_home(
        s.root.path(),
        s.home.path(),
        &["validate", "word-count", "-o", "yaml"],
    );
    assert_eq!(yaml.status.code(), Some(2));
    assert!(
        stderr(&yaml).contains("-o yaml is only for `tntc deploy --dry-run`"),
        "{}",
        stderr(&yaml)
    );
}

/// Lays out `config_map` in `dir` as the kubelet mounts a ConfigMap volume with `items`:
/// the files in a timestamped directory, `..data` pointing at it, and one symlink per
/// top-level name (`nodes -> ..data/nodes`).
fn kubelet_layout(dir: &Path, config_map: &Value, items: &Value) {
    let stamp = dir.join("..2026_12_03_13_00_00.123456789");
    let mut top = std::collections::BTreeSet::new();
    for item in items.as_array().expect("items") {
        let key = item["key"].as_str().expect("key");
        let path = item["path"].as_str().expect("path");
        let bytes = match config_map["data"].get(key) {
            Some(text) => text.as_str().expect("text").as_bytes().to_vec(),
            None => {
                serde_json::from_value::<k8s_openapi::ByteString>(
                    config_map["binaryData"][key].clone(),
                )
                .expect("base64 binaryData")
                .0
            }
        };
        let file = stamp.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(&file, bytes).expect("write");
        top.insert(path.split('/').next().expect("first").to_owned());
    }
    std::os::unix::fs::symlink(stamp.file_name().expect("name"), dir.join("..data"))
        .expect("..data");
    for name in top {
        std::os::unix::fs::symlink(Path::new("..data").join(&name), dir.join(&name)).expect("link");
    }
}

#[test]
fn the_host_serves_the_bundle_mounted_the_way_the_kubelet_mounts_the_config_map() {
    let s = Scratch::of("word-count");
    let objects = s.objects(&[]);
    let config_map = find(&objects, "ConfigMap", "word-count-code");
    let pod = &find(&objects, "Deployment", "word-count")["spec"]["template"]["spec"];
    let volume = &pod["volumes"][0];
    assert_eq!(volume["configMap"]["name"], "word-count-code");
    let mount = tempfile::tempdir().expect("mount");
    kubelet_layout(mount.path(), config_map, &volume["configMap"]["items"]);
    assert!(
        mount.path().join("nodes").is_symlink(),
        "nodes is a link into ..data"
    );

    let host = start_host(mount.path());
    let (status, body) =
        request(host.port, "POST", "/run", br#"{"text": "b a b"}"#).expect("POST /run");
    let result = json_of(&body);
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        result["outputs"]["report"],
        json!({"total": 3, "unique": 2, "top": [{"word": "b", "count": 2}, {"word": "a", "count": 1}], "summary": "3 words, 2 distinct"})
    );
}
