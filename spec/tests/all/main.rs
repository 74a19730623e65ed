//! Integration tests of the workflow spec: valid specs decode to the right model, every
//! invalid kind is reported with its position, and the rendered output is snapshotted.

mod invalid;
mod render;
mod robustness;
mod valid;

use std::path::Path;

use tntc_spec::{Checked, Diagnostic, SourceFile};

/// A workflow directory in a temp dir, with empty node files for the given paths.
pub struct Workspace {
    /// The directory (removed on drop).
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// Writes `workflow.yaml` and the node files.
    pub fn new(yaml: &str, node_files: &[&str]) -> Workspace {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("workflow.yaml"), yaml).expect("write yaml");
        for file in node_files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "export default async function run() { return {}; }\n")
                .expect("write node");
        }
        Workspace { dir }
    }

    /// The workflow directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Loads and checks the workflow.
    pub fn check(&self) -> (SourceFile, Result<Checked, Vec<Diagnostic>>) {
        let loaded = tntc_spec::load(self.path()).expect("load");
        (loaded.source, loaded.result)
    }
}

/// Checks `yaml` with node files `nodes/*.ts` referenced by it created.
pub fn check(yaml: &str) -> (SourceFile, Result<Checked, Vec<Diagnostic>>) {
    let files: Vec<String> = yaml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("path: ./"))
        .filter(|p| p.ends_with(".ts") && !p.contains("missing") && !p.contains(".."))
        .map(str::to_string)
        .collect();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    Workspace::new(yaml, &refs).check()
}

/// `(line, column, message)` of each diagnostic of an invalid workflow.
pub fn errors(yaml: &str) -> Vec<(usize, usize, String)> {
    let (source, result) = check(yaml);
    let diagnostics = match result {
        Ok(_) => panic!("expected an invalid workflow:\n{yaml}"),
        Err(d) => d,
    };
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let at = source.location(d.span.start);
            (at.line, at.column, d.message.clone())
        })
        .collect()
}

/// A minimal valid workflow to build cases on.
pub const MINIMAL: &str = "name: demo\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  hello:\n    path: ./nodes/hello.ts\n";
