//! `tntc-build`: the build as a library — a checked workflow's nodes to node modules.
//!
//! ```text
//! Checked workflow ─► swc: each node's TypeScript and its relative imports ─► one ES module
//!   (tntc-compiler, all nodes at once, in parallel)
//! ES module ─► QuickJS bytecode (the runtime's own `compile` export, in the sandbox)
//! bytecode ─► node module: the glue around it plus the `tntc-node` section (tntc-abi)
//! ```
//!
//! [`compile`] does all of it and returns every node's [`CompiledNode`] or every error of
//! every node ([`BuildError`]: positioned TypeScript errors first, since nothing compiles
//! past them, then the nodes QuickJS refused). [`CompiledNode::built`] is what
//! [`tntc_bundle::write`] takes to write `dist/`. `tntc build`, `run`, `dev`, `test` and
//! `bench`, and the host's integration tests all build through here, so a node compiles
//! the same way everywhere.

mod error;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tntc_bundle::{BuiltNode, CodeUses};
use tntc_compiler::{DependencyUse, TranspiledNode, compile_workflow, emit_node_module};
use tntc_sandbox::Sandbox;
use tntc_spec::Checked;

pub use error::{BuildError, NodeError, NodeErrorKind};

/// One compiled node.
#[derive(Clone, Debug)]
pub struct CompiledNode {
    /// Node id.
    pub id: String,
    /// Its `path` in workflow.yaml.
    pub source: String,
    /// The node module.
    pub wasm: Vec<u8>,
    /// Size of the QuickJS bytecode inside it.
    pub bytecode_len: usize,
    /// What its code uses of the contract.
    pub uses: DependencyUse,
    /// Every file bundled into it (for hot reload).
    pub files: Vec<PathBuf>,
    /// Time spent in the runtime's `compile` and module emission (the per-node cost once
    /// the runtime is warm).
    pub compile_time: Duration,
    /// The compiler's warnings (code that always fails at run time).
    pub warnings: Vec<tntc_compiler::CompileError>,
}

impl CompiledNode {
    /// What the host needs to scope the node.
    pub fn code_uses(&self) -> CodeUses {
        CodeUses {
            dependencies: self.uses.is_static().then(|| self.uses.literal.clone()),
            services: self.uses.legacy_services.clone(),
        }
    }

    /// The bundle entry.
    pub fn built(&self) -> BuiltNode {
        let uses = self.code_uses();
        BuiltNode {
            id: self.id.clone(),
            wasm: self.wasm.clone(),
            source: self.source.clone(),
            uses: uses.dependencies.map(|d| d.into_iter().collect()),
            services: uses.services.into_iter().collect(),
        }
    }

    /// Dependency names the node's code uses that `checked`'s contract does not declare.
    pub fn undeclared_uses(&self, checked: &Checked) -> BTreeSet<String> {
        self.uses
            .literal
            .iter()
            .filter(|name| checked.workflow.dependency(name).is_none())
            .cloned()
            .collect()
    }
}

/// Progress events while compiling.
pub enum Progress<'a> {
    /// TypeScript of every node is being transpiled and bundled.
    Transpiling(usize),
    /// A node's bytecode is being compiled.
    Compiling(&'a str),
    /// A node is done.
    Done(&'a CompiledNode),
}

/// Compiles every node of `checked` (a workflow in `dir`).
pub fn compile(
    dir: &Path,
    checked: &Checked,
    sandbox: &Sandbox,
    progress: impl FnMut(Progress<'_>),
) -> Result<Vec<CompiledNode>, BuildError> {
    compile_only(dir, checked, |_| true, sandbox, progress)
}

/// Compiles the nodes of `checked` that `wanted` selects (`tntc test` compiles only the
/// nodes it runs, so a broken node does not block the others' tests).
pub fn compile_only(
    dir: &Path,
    checked: &Checked,
    wanted: impl Fn(&str) -> bool,
    sandbox: &Sandbox,
    progress: impl FnMut(Progress<'_>),
) -> Result<Vec<CompiledNode>, BuildError> {
    let nodes: Vec<(String, PathBuf)> = checked
        .workflow
        .nodes
        .iter()
        .filter(|n| wanted(&n.id))
        .map(|n| (n.id.clone(), PathBuf::from(&n.path)))
        .collect();
    compile_nodes(dir, &nodes, sandbox, progress)
}

/// Compiles the given `(id, path)` nodes (a subset of a workflow, for hot reload).
pub fn compile_nodes(
    dir: &Path,
    nodes: &[(String, PathBuf)],
    sandbox: &Sandbox,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<CompiledNode>, BuildError> {
    progress(Progress::Transpiling(nodes.len()));
    let transpiled = compile_workflow(dir, nodes).map_err(BuildError::Transpile)?;
    let mut compiled = Vec::with_capacity(transpiled.len());
    let mut errors = Vec::new();
    for node in transpiled {
        progress(Progress::Compiling(&node.node_id));
        match compile_one(sandbox, node) {
            Ok(done) => {
                progress(Progress::Done(&done));
                compiled.push(done);
            }
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(compiled)
    } else {
        Err(BuildError::Nodes(errors))
    }
}

fn compile_one(sandbox: &Sandbox, node: TranspiledNode) -> Result<CompiledNode, NodeError> {
    let started = Instant::now();
    let bytecode = sandbox.compile_js(&node.js, &node.filename).map_err(|e| {
        // swc emitted something QuickJS rejects (a syntax it lacks): point at the TypeScript.
        NodeError {
            node: node.node_id.clone(),
            file: node.source.clone(),
            kind: NodeErrorKind::Bytecode(node.line_map.rewrite_stack(&e.to_string())),
        }
    })?;
    let wasm = emit_node_module(&node, &bytecode, Some(sandbox.runtime_digest())).map_err(|e| {
        NodeError {
            node: node.node_id.clone(),
            file: node.source.clone(),
            kind: NodeErrorKind::Emit(e),
        }
    })?;
    Ok(CompiledNode {
        id: node.node_id,
        source: node.source,
        bytecode_len: bytecode.len(),
        wasm,
        uses: node.dependency_use,
        files: node.sources,
        compile_time: started.elapsed(),
        warnings: node.warnings,
    })
}
