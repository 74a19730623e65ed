//! Compiling all nodes of a workflow in parallel.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{CompileError, TranspiledNode, compile_node, internal_error};

type NodeResult = Result<TranspiledNode, Vec<CompileError>>;

/// Compiles every `(node id, path)` of a workflow, using all cores.
///
/// Returns the nodes in input order, or every error of every node: sorted by node (input
/// order), then file and position, with errors of a module shared by several nodes
/// reported once.
pub fn compile_workflow(
    workflow_dir: &Path,
    nodes: &[(String, PathBuf)],
) -> Result<Vec<TranspiledNode>, Vec<CompileError>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(nodes.len());
    let results: Vec<Mutex<Option<NodeResult>>> = nodes.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some((id, path)) = nodes.get(index) else {
                break;
            };
            // `compile_node` runs on its own large-stack thread; this worker only waits.
            let result = compile_node(workflow_dir, id, path);
            if let Some(slot) = results.get(index)
                && let Ok(mut slot) = slot.lock()
            {
                *slot = Some(result);
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..workers {
            let spawned = std::thread::Builder::new()
                .name("tntc-compile-worker".into())
                .spawn_scoped(scope, work);
            // A worker that cannot start leaves its share to the others.
            drop(spawned);
        }
        work();
    });

    let mut compiled = Vec::with_capacity(nodes.len());
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for ((id, path), slot) in nodes.iter().zip(results) {
        let result = slot.into_inner().ok().flatten().unwrap_or_else(|| {
            Err(vec![internal_error(
                &path.to_string_lossy(),
                &format!("node `{id}` was not compiled"),
            )])
        });
        match result {
            Ok(node) => compiled.push(node),
            Err(node_errors) => {
                for error in node_errors {
                    let key = (
                        error.path.clone(),
                        error.span.clone(),
                        error.kind,
                        error.message.clone(),
                    );
                    if seen.insert(key) {
                        errors.push(error);
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(compiled)
    } else {
        Err(errors)
    }
}
