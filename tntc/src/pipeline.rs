//! Sources -> node modules, shared by `tntc build`, `run`, `dev` and `test`:
//! TypeScript -> one JavaScript module per node (swc, in parallel) -> QuickJS bytecode (the
//! runtime's `compile` export, in the sandbox) -> a node module (a few KB of Wasm).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tntc_bundle::BuiltNode;
use tntc_compiler::{DependencyUse, TranspiledNode, compile_workflow, emit_node_module};
use tntc_host::access::CodeUses;
use tntc_sandbox::{Sandbox, SandboxConfig, default_cache_dir};
use tntc_spec::Checked;

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
}

/// Creates the sandbox tools compile and run with, its runtime cached like the host's.
pub fn sandbox(max_memory_bytes: usize, cpu_fuel: bool) -> anyhow::Result<Sandbox> {
    let config = SandboxConfig {
        cache_dir: Some(default_cache_dir()),
        max_memory_bytes: max_memory_bytes.max(SandboxConfig::default().max_memory_bytes),
        cpu_fuel,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::new(config)?;
    // The cache holds native code: when it was refused (someone else could have written
    // it), say so; slower compiles are the only other sign.
    if let Some(note @ tntc_sandbox::CacheError::Untrusted { .. }) =
        &sandbox.runtime_load().cache_note
    {
        eprintln!("warning: {note}");
    }
    Ok(sandbox)
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

/// Compiles every node of `checked`, or returns every error of every node, rendered.
pub fn compile(
    dir: &Path,
    checked: &Checked,
    sandbox: &Sandbox,
    color: bool,
    progress: impl FnMut(Progress<'_>),
) -> Result<Vec<CompiledNode>, Vec<String>> {
    compile_only(dir, checked, |_| true, sandbox, color, progress)
}

/// The compiled nodes, or every compile error printed and the command stopped with
/// `cannot <verb> <workflow>: N errors in its nodes`.
pub fn nodes_or_bail(
    out: &crate::output::Printer,
    verb: &str,
    checked: &Checked,
    compiled: Result<Vec<CompiledNode>, Vec<String>>,
) -> anyhow::Result<Vec<CompiledNode>> {
    compiled.or_else(|errors| {
        for error in &errors {
            out.note(error);
        }
        anyhow::bail!(
            "cannot {verb} {}: {} in its nodes",
            checked.workflow.name,
            crate::commands::count(errors.len(), "error")
        )
    })
}

/// Compiles the nodes of `checked` that `wanted` selects (`tntc test` compiles only the
/// nodes it runs, so a broken node does not block the others' tests).
pub fn compile_only(
    dir: &Path,
    checked: &Checked,
    wanted: impl Fn(&str) -> bool,
    sandbox: &Sandbox,
    color: bool,
    progress: impl FnMut(Progress<'_>),
) -> Result<Vec<CompiledNode>, Vec<String>> {
    let nodes: Vec<(String, PathBuf)> = checked
        .workflow
        .nodes
        .iter()
        .filter(|n| wanted(&n.id))
        .map(|n| (n.id.clone(), PathBuf::from(&n.path)))
        .collect();
    compile_nodes(dir, &nodes, sandbox, color, progress)
}

/// Compiles the given `(id, path)` nodes (a subset of a workflow, for hot reload).
pub fn compile_nodes(
    dir: &Path,
    nodes: &[(String, PathBuf)],
    sandbox: &Sandbox,
    color: bool,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<CompiledNode>, Vec<String>> {
    progress(Progress::Transpiling(nodes.len()));
    let transpiled = compile_workflow(dir, nodes)
        .map_err(|errors| errors.iter().map(|e| e.render(color)).collect::<Vec<_>>())?;
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
        Err(errors)
    }
}

fn compile_one(sandbox: &Sandbox, node: TranspiledNode) -> Result<CompiledNode, String> {
    let started = Instant::now();
    let bytecode = sandbox.compile_js(&node.js, &node.filename).map_err(|e| {
        // swc emitted something QuickJS rejects (a syntax it lacks): point at the TypeScript.
        let text = node.line_map.rewrite_stack(&e.to_string());
        format!(
            "error: node \"{}\" ({}) cannot be compiled for the sandbox: {text}\n  = help: QuickJS runs ES2023; rewrite the construct at that position",
            node.node_id, node.source
        )
    })?;
    let wasm = emit_node_module(&node, &bytecode, Some(sandbox.runtime_digest()))
        .map_err(|e| format!("error: {e}"))?;
    Ok(CompiledNode {
        id: node.node_id,
        source: node.source,
        bytecode_len: bytecode.len(),
        wasm,
        uses: node.dependency_use,
        files: node.sources,
        compile_time: started.elapsed(),
    })
}

/// Dependency names the node's code uses that the contract does not declare.
pub fn undeclared_uses(checked: &Checked, node: &CompiledNode) -> BTreeSet<String> {
    node.uses
        .literal
        .iter()
        .filter(|name| checked.workflow.dependency(name).is_none())
        .cloned()
        .collect()
}
