//! The Wasm node module: a few hundred bytes of glue around a node's QuickJS bytecode.
//!
//! ```wat
//! (module
//!   (import "tntc-runtime" "memory" (memory 0))
//!   (import "tntc-runtime" "cabi_realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
//!   (import "tntc-runtime" "load-node" (func $load_node (param i32 i32) (result i32)))
//!   (func (export "load") (result i32) (local $ptr i32)
//!     (local.set $ptr (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.const LEN)))
//!     (memory.init $bytecode (local.get $ptr) (i32.const 0) (i32.const LEN))
//!     (data.drop $bytecode)
//!     (call $load_node (local.get $ptr) (i32.const LEN)))  ;; the runtime's return area
//!   (data $bytecode "...")                                  ;; passive
//!   (@custom "tntc-node" "{\"node\":...,\"source\":...,\"lineMap\":...}"))
//! ```
//!
//! Everything in it derives from the inputs, so the same node and bytecode give the same
//! bytes.

use tntc_linemap::{NODE_SECTION, NodeSection};
use wasm_encoder::{
    CodeSection, CustomSection, DataCountSection, DataSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, ImportSection, MemoryType, Module, TypeSection,
    ValType,
};

use crate::TranspiledNode;

/// The module name the node module imports the runtime instance's exports from.
pub const RUNTIME_MODULE: &str = "tntc-runtime";

/// A node module could not be emitted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The bytecode does not fit a 32-bit linear memory.
    #[error("node `{node}`: its bytecode is {len} bytes, more than a 32-bit memory can hold")]
    BytecodeTooLarge {
        /// The node's id.
        node: String,
        /// The bytecode's length.
        len: usize,
    },
    /// The metadata could not be serialized.
    #[error("node `{node}`: cannot serialize its metadata: {source}")]
    Metadata {
        /// The node's id.
        node: String,
        /// The serializer's error.
        source: serde_json::Error,
    },
}

/// Wraps `bytecode` (from the runtime's `compile` export, given the node's
/// [`TranspiledNode::js`] and [`TranspiledNode::filename`]) into the node's Wasm module.
/// `runtime` is the sha256 of the runtime that compiled the bytecode, recorded in the
/// module so a host with another runtime refuses it.
pub fn emit_node_module(
    node: &TranspiledNode,
    bytecode: &[u8],
    runtime: Option<&str>,
) -> Result<Vec<u8>, EmitError> {
    let length = i32::try_from(bytecode.len()).map_err(|_| EmitError::BytecodeTooLarge {
        node: node.node_id.clone(),
        len: bytecode.len(),
    })?;
    let metadata = NodeSection {
        node: node.node_id.clone(),
        source: node.source.clone(),
        runtime: runtime.map(str::to_string),
        line_map: node.line_map.clone(),
    }
    .to_json()
    .map_err(|source| EmitError::Metadata {
        node: node.node_id.clone(),
        source,
    })?;

    const REALLOC_TYPE: u32 = 0;
    const LOAD_NODE_TYPE: u32 = 1;
    const LOAD_TYPE: u32 = 2;
    const REALLOC: u32 = 0;
    const LOAD_NODE: u32 = 1;
    const LOAD: u32 = 2;
    const BYTECODE: u32 = 0;
    const MEMORY: u32 = 0;

    let mut types = TypeSection::new();
    types.ty().function([ValType::I32; 4], [ValType::I32]);
    types.ty().function([ValType::I32; 2], [ValType::I32]);
    types.ty().function([], [ValType::I32]);

    let mut imports = ImportSection::new();
    imports.import(
        RUNTIME_MODULE,
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 0,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        }),
    );
    imports.import(
        RUNTIME_MODULE,
        "cabi_realloc",
        EntityType::Function(REALLOC_TYPE),
    );
    imports.import(
        RUNTIME_MODULE,
        "load-node",
        EntityType::Function(LOAD_NODE_TYPE),
    );

    let mut functions = FunctionSection::new();
    functions.function(LOAD_TYPE);

    let mut exports = ExportSection::new();
    exports.export("load", ExportKind::Func, LOAD);

    let pointer = 0;
    let mut load = Function::new([(1, ValType::I32)]);
    load.instructions()
        .i32_const(0)
        .i32_const(0)
        .i32_const(1)
        .i32_const(length)
        .call(REALLOC)
        .local_set(pointer)
        .local_get(pointer)
        .i32_const(0)
        .i32_const(length)
        .memory_init(MEMORY, BYTECODE)
        .data_drop(BYTECODE)
        .local_get(pointer)
        .i32_const(length)
        .call(LOAD_NODE)
        .end();
    let mut code = CodeSection::new();
    code.function(&load);

    let mut data = DataSection::new();
    data.passive(bytecode.iter().copied());

    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&exports)
        .section(&DataCountSection { count: 1 })
        .section(&code)
        .section(&data)
        .section(&CustomSection {
            name: NODE_SECTION.into(),
            data: metadata.into(),
        });
    Ok(module.finish())
}
