//! Node paths on disk: relative, inside the workflow directory (also through symlinks), existing.

use std::path::{Component, Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::model::NodeSpec;
use crate::source::Span;

/// The file a node's `path` names, checked to be relative, inside `dir` and existing.
pub fn resolve_node_path(dir: &Path, node: &NodeSpec) -> Result<PathBuf, Diagnostic> {
    check_path(dir, &node.id, &node.path, node.path_span)
}

pub(crate) fn check_path(
    dir: &Path,
    id: &str,
    path: &str,
    span: Span,
) -> Result<PathBuf, Diagnostic> {
    let at = |message: String, hint: &str| {
        Diagnostic::error(format!("nodes.{id}.path"), span, message).with_hint(hint)
    };
    let written = Path::new(path);
    if written.is_absolute() {
        return Err(at(
            format!("node \"{}\" path \"{}\" is absolute", id, path),
            "node paths are relative to the workflow directory, e.g. ./nodes/fetch.ts",
        ));
    }
    let mut depth: i32 = 0;
    for component in written.components() {
        match component {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return Err(at(
                format!(
                    "node \"{}\" path \"{}\" leaves the workflow directory",
                    id, path
                ),
                "keep node files inside the workflow directory, e.g. ./nodes/",
            ));
        }
    }
    let full = dir.join(
        written
            .components()
            .filter(|c| *c != Component::CurDir)
            .collect::<PathBuf>(),
    );
    if !full.is_file() {
        let what = if full.is_dir() {
            "is a directory"
        } else {
            "does not exist"
        };
        return Err(at(
            format!("node \"{}\" path \"{}\" {what}", id, path),
            &format!("create {} or fix the path", full.display()),
        ));
    }
    // A symlink inside the directory may still point outside it.
    if let (Ok(real_dir), Ok(real_file)) = (dir.canonicalize(), full.canonicalize())
        && !real_file.starts_with(&real_dir)
    {
        return Err(at(
            format!(
                "node \"{}\" path \"{}\" resolves outside the workflow directory",
                id, path
            ),
            "node files (and symlinks to them) must stay inside the workflow directory",
        ));
    }
    Ok(full)
}
