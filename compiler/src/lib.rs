//! `tntc-compiler` — turns a workflow node's TypeScript into what the sandbox runs.
//!
//! ```text
//! nodes/fetch.ts ─┐ parse (swc, TS, decorators off)   check imports / Deno / require / import()
//! lib/util.ts ────┤ resolve scopes + strip types       record ctx.dependency("...") uses
//!                 └► link: one ES module, `export default <node function>`  + line map
//!                          │  (the runtime's `compile` export turns it into QuickJS bytecode;
//!                          ▼   the caller runs it, this crate never links the runtime)
//!                    emit_node_module: imports tntc-runtime.{memory, cabi_realloc, load-node},
//!                    bytecode in a passive data segment, `load`, custom section `tntc-node`
//! ```
//!
//! **Front end.** [`compile_node`] reads the node's entry file and every module it imports
//! relatively (`./x.ts`, `../shared/x`, `./dir` → `dir/index.ts`), all inside the workflow
//! directory. Each file is parsed with swc, checked as written (forbidden imports: URLs,
//! `jsr:`/`npm:`, Node built-ins, bare packages, value imports from `"tentacular"`), then
//! scope-resolved and stripped of TypeScript (`enum`/`namespace` lowered, nothing else
//! down-leveled: QuickJS-ng runs ES2023), then checked for what cannot run in the sandbox
//! (`Deno.*`, `require`, dynamic `import()`, top-level `await`). Every problem in every file
//! is reported, each a [`CompileError`] with path, line, column, byte span, source text and
//! a hint.
//!
//! **Link.** Modules become functions in a small registry (see the `link` module docs for
//! the exact semantics: evaluated once, cycles allowed, live bindings); the linked module's
//! only export is the entry's default export (JavaScript tools call this bundling; in tntc a
//! *bundle* is only what `tntc build` writes to `dist/`). It is compiled under the name
//! `nodes/<x>.bundle.js`, which stack traces show before they are mapped back to TypeScript. The code generator's positions become a compact
//! [`LineMap`] (crate `tntc-linemap`, serde only, so the host can rewrite stack traces
//! without linking swc).
//!
//! **Dependencies.** The node's use of contract dependencies is read from the code
//! ([`DependencyUse`]): literal `ctx.dependency("x")` names, legacy `ctx.fetch("svc", ...)`
//! services, and the positions of uses no literal names.
//!
//! **Node module.** [`emit_node_module`] wraps bytecode into the Wasm module format of
//! `wit/node.wit` (the glue of `tntc_abi::glue`, which the sandbox recognises). Output is
//! deterministic: no timestamps, no absolute paths, no hash-map order.

mod deps;
mod entry;
mod error;
mod forbidden;
mod imports;
mod link;
mod node_module;
mod parse;
mod resolve;
mod source;
mod strip;
mod workflow;

use std::path::{Path, PathBuf};

use swc_core::common::{GLOBALS, Globals, SourceMap, sync::Lrc};

pub use deps::{DependencyUse, Location};
pub use error::{CompileError, ErrorKind};
pub use node_module::{EmitError, emit_node_module};
pub use tntc_abi::{NODE_SECTION, NodeSection};
pub use tntc_linemap::{LineMap, SourcePosition};
pub use workflow::compile_workflow;

/// A node compiled to one JavaScript ES module, ready for the runtime's `compile` export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranspiledNode {
    /// The node's id in workflow.yaml.
    pub node_id: String,
    /// The entry file, relative to the workflow directory (`nodes/fetch.ts`).
    pub source: String,
    /// The name to compile `js` under (`nodes/fetch.bundle.js`): QuickJS prints it in stack
    /// traces, and [`LineMap::rewrite_stack`] maps it back.
    pub filename: String,
    /// The bundle: one ES module whose only export is `export default <node function>`.
    pub js: String,
    /// Maps positions in `js` back to the TypeScript sources.
    pub line_map: LineMap,
    /// Which contract dependencies the code uses.
    pub dependency_use: DependencyUse,
    /// Every file bundled (the workflow directory joined with the module path), entry first:
    /// what to watch for hot reload.
    pub sources: Vec<PathBuf>,
    /// Code that compiles but always fails at run time (`Deno.readTextFile`, `Deno.env`...),
    /// in source order: `tntc build` and `tntc validate` show them as warnings.
    pub warnings: Vec<CompileError>,
}

/// Stack size for compiler threads: swc's parser, passes and code generator recurse over
/// the syntax tree, so deeply nested input needs room.
const COMPILER_STACK: usize = 64 * 1024 * 1024;

/// Compiles one node: `node_path` is its `path` from workflow.yaml, relative to
/// `workflow_dir` (an absolute path inside it is accepted too).
///
/// Returns every error found in the node's files (sorted by file, then position) when
/// there is any.
pub fn compile_node(
    workflow_dir: &Path,
    node_id: &str,
    node_path: &Path,
) -> Result<TranspiledNode, Vec<CompileError>> {
    let entry = entry_key(workflow_dir, node_id, node_path).map_err(|e| vec![*e])?;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name(format!("tntc-compile-{node_id}"))
            .stack_size(COMPILER_STACK)
            .spawn_scoped(scope, || compile_entry(workflow_dir, node_id, &entry));
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(vec![internal_error(&entry, "the compiler panicked")])),
            Err(error) => Err(vec![internal_error(
                &entry,
                &format!("cannot start a compiler thread: {error}"),
            )]),
        }
    })
}

pub(crate) fn internal_error(path: &str, what: &str) -> CompileError {
    CompileError::file(
        ErrorKind::Internal,
        path,
        format!("internal compiler error: {what}"),
        Some("this is a tntc bug; please report it with the node's source".into()),
    )
}

/// The workflow-relative key of the node's entry file.
fn entry_key(
    workflow_dir: &Path,
    node_id: &str,
    node_path: &Path,
) -> Result<String, Box<CompileError>> {
    let relative = if node_path.is_absolute() {
        node_path.strip_prefix(workflow_dir).ok()
    } else {
        Some(node_path)
    };
    relative
        .and_then(source::normalize_relative)
        .ok_or_else(|| {
            Box::new(CompileError::file(
                ErrorKind::ImportOutsideWorkflow,
                &node_path.to_string_lossy(),
                format!(
                    "node `{node_id}`: path {} is not inside the workflow directory",
                    node_path.display()
                ),
                Some(
                    "node paths are relative to workflow.yaml's directory, e.g. `./nodes/fetch.ts`"
                        .into(),
                ),
            ))
        })
}

/// Compiles a node from its entry key on the current thread, turning a panic into an
/// internal error.
pub(crate) fn compile_entry(
    workflow_dir: &Path,
    node_id: &str,
    entry: &str,
) -> Result<TranspiledNode, Vec<CompileError>> {
    let run = || {
        GLOBALS.set(&Globals::new(), || {
            compile_in_globals(workflow_dir, node_id, entry)
        })
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(vec![internal_error(entry, "the compiler panicked")]))
}

fn compile_in_globals(
    workflow_dir: &Path,
    node_id: &str,
    entry: &str,
) -> Result<TranspiledNode, Vec<CompileError>> {
    let cm: Lrc<SourceMap> = Lrc::default();
    let root = resolve::Root::new(workflow_dir);
    let mut graph = link::graph::load(&cm, &root, entry);
    let mut errors = std::mem::take(&mut graph.errors);
    if let Some(first) = graph.modules.first()
        && first.file.source.path() == entry
        && !entry::has_default_export(&first.module)
    {
        errors.push(CompileError::file(
            ErrorKind::MissingDefaultExport,
            entry,
            format!("{entry} has no default export"),
            Some(
                "export the node function: `export default async function run(ctx: Context, input: unknown) { ... }`"
                    .into(),
            ),
        ));
    }
    if !errors.is_empty() {
        error::sort_and_dedup(&mut errors, &graph.keys);
        return Err(errors);
    }

    let mut dependency_use = DependencyUse::default();
    for (index, module) in graph.modules.iter().enumerate() {
        let context = if index == 0 {
            entry::node_context_param(&module.module)
        } else {
            None
        };
        deps::scan_module(&module.file, &module.module, context, &mut dependency_use);
    }
    dependency_use.dynamic.sort_by(|a, b| {
        let rank = |l: &Location| graph.keys.iter().position(|k| *k == l.path);
        (rank(a), a.line, a.column).cmp(&(rank(b), b.line, b.column))
    });
    dependency_use.dynamic.dedup();
    dependency_use.postgres_driver = graph.notes.postgres_driver.take();

    let mut warnings = std::mem::take(&mut graph.notes.warnings);
    error::sort_and_dedup(&mut warnings, &graph.keys);
    let filename = bundle_filename(entry);
    let sources = std::mem::take(&mut graph.files_read);
    let bundle = link::emit(&cm, graph, &filename).map_err(|e| vec![*e])?;
    Ok(TranspiledNode {
        node_id: node_id.to_owned(),
        source: entry.to_owned(),
        filename,
        js: bundle.js,
        line_map: bundle.line_map,
        dependency_use,
        sources,
        warnings,
    })
}

/// `nodes/fetch.ts` -> `nodes/fetch.bundle.js`: stable, clearly not a source file.
fn bundle_filename(entry: &str) -> String {
    let (dir, name) = entry.rsplit_once('/').unwrap_or(("", entry));
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    if dir.is_empty() {
        format!("{stem}.bundle.js")
    } else {
        format!("{dir}/{stem}.bundle.js")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_names_replace_the_extension() {
        assert_eq!(bundle_filename("nodes/fetch.ts"), "nodes/fetch.bundle.js");
        assert_eq!(bundle_filename("a.b/x.mjs"), "a.b/x.bundle.js");
        assert_eq!(bundle_filename("a.b/x"), "a.b/x.bundle.js");
        assert_eq!(bundle_filename(".hidden"), ".hidden.bundle.js");
    }

    #[test]
    fn node_paths_outside_the_workflow_are_refused() {
        let dir = Path::new("/work/flow");
        assert_eq!(
            entry_key(dir, "n", Path::new("./nodes/x.ts"))
                .ok()
                .as_deref(),
            Some("nodes/x.ts")
        );
        assert_eq!(
            entry_key(dir, "n", Path::new("/work/flow/nodes/x.ts"))
                .ok()
                .as_deref(),
            Some("nodes/x.ts")
        );
        let outside = entry_key(dir, "n", Path::new("../x.ts"))
            .err()
            .map(|e| e.kind);
        assert_eq!(outside, Some(ErrorKind::ImportOutsideWorkflow));
        assert!(entry_key(dir, "n", Path::new("/etc/x.ts")).is_err());
    }
}
