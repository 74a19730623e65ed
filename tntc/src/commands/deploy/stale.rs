//! Whether `dist/` still matches the sources: `tntc deploy` rebuilds it when not.
//!
//! The bundle is stale when it is missing or unreadable, when its workflow.yaml digest is
//! not the source's, when it was compiled for another runtime than this tntc's, or when a
//! source file (`.ts`, `.js`, `.mts`, `.json` outside `dist/`, `tests/` and hidden
//! directories) changed after its manifest was written. Rebuilding is deterministic, so a
//! needless rebuild changes nothing but time.

use std::path::Path;
use std::time::SystemTime;

use tntc_bundle::{MANIFEST_FILE, Manifest, sha256_hex};
use tntc_spec::Loaded;

/// Why the bundle in `bundle_dir` must be rebuilt, or `None` when it is current.
pub fn reason(loaded: &Loaded, bundle_dir: &Path) -> Option<String> {
    let manifest_path = bundle_dir.join(MANIFEST_FILE);
    let Ok(text) = std::fs::read_to_string(&manifest_path) else {
        return Some("no bundle yet".into());
    };
    let Ok(manifest) = serde_json::from_str::<Manifest>(&text) else {
        return Some("its manifest.json is unreadable".into());
    };
    if manifest.workflow.sha256 != sha256_hex(loaded.source.text().as_bytes()) {
        return Some("workflow.yaml changed".into());
    }
    if manifest.runtime.sha256 != tntc_sandbox::RUNTIME_SHA256 {
        return Some("it was compiled for another runtime".into());
    }
    let built = std::fs::metadata(&manifest_path)
        .and_then(|m| m.modified())
        .ok()?;
    newer_source(&loaded.dir, bundle_dir, built, 0)
        .map(|file| format!("{} changed", file.display()))
}

/// A source file under `dir` modified after `built`.
fn newer_source(
    dir: &Path,
    bundle_dir: &Path,
    built: SystemTime,
    depth: usize,
) -> Option<std::path::PathBuf> {
    // Deep trees are not node sources (and a symlink loop must end).
    if depth > 8 {
        return None;
    }
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || path == bundle_dir || (depth == 0 && name == "tests") {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if name == "node_modules" {
                continue;
            }
            if let Some(found) = newer_source(&path, bundle_dir, built, depth + 1) {
                return Some(found);
            }
        } else if is_source(&name) && meta.modified().is_ok_and(|m| m > built) {
            return Some(path);
        }
    }
    None
}

fn is_source(name: &str) -> bool {
    [".ts", ".mts", ".js", ".mjs", ".json"]
        .iter()
        .any(|ext| name.ends_with(ext))
}
