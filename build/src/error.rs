//! Why nodes did not compile. Every error of every node is kept, so one build reports them
//! all.

use tntc_compiler::{CompileError, EmitError};

/// A build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// TypeScript that does not transpile or bundle (syntax, forbidden imports, ...), each
    /// positioned in its source file. Nothing reaches the runtime's compiler past these.
    #[error("{} in the nodes' TypeScript", count(.0.len()))]
    Transpile(Vec<CompileError>),
    /// Nodes that transpiled but did not become node modules.
    #[error("{} in the nodes", count(.0.len()))]
    Nodes(Vec<NodeError>),
}

impl BuildError {
    /// How many errors.
    pub fn len(&self) -> usize {
        match self {
            BuildError::Transpile(errors) => errors.len(),
            BuildError::Nodes(errors) => errors.len(),
        }
    }

    /// Never true: a build error has at least one error.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each error rendered as a diagnostic, rustc-style (`color` for a terminal).
    pub fn render(&self, color: bool) -> Vec<String> {
        match self {
            BuildError::Transpile(errors) => errors.iter().map(|e| e.render(color)).collect(),
            BuildError::Nodes(errors) => errors.iter().map(NodeError::render).collect(),
        }
    }
}

/// One node that did not become a node module.
#[derive(Debug, thiserror::Error)]
#[error("node \"{node}\" ({file}) {kind}")]
pub struct NodeError {
    /// The node's id.
    pub node: String,
    /// Its entry source file, as in workflow.yaml.
    pub file: String,
    /// What went wrong.
    pub kind: NodeErrorKind,
}

/// What went wrong with one node.
#[derive(Debug, thiserror::Error)]
pub enum NodeErrorKind {
    /// The runtime's QuickJS rejected what swc emitted (a syntax QuickJS lacks); the text
    /// points at the TypeScript where it can.
    #[error("cannot be compiled for the sandbox: {0}")]
    Bytecode(String),
    /// The node module could not be emitted.
    #[error("could not be written as a node module: {0}")]
    Emit(#[source] EmitError),
}

impl NodeError {
    /// The error with a hint, as `tntc` prints it.
    pub fn render(&self) -> String {
        match &self.kind {
            NodeErrorKind::Bytecode(_) => format!(
                "error: {self}\n  = help: QuickJS runs ES2023; rewrite the construct at that position"
            ),
            NodeErrorKind::Emit(e) => format!("error: {e}"),
        }
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 error".to_string()
    } else {
        format!("{n} errors")
    }
}
