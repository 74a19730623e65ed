//! The Wasm node module of a node: its bytecode in the glue of [`tntc_abi::glue`], with the
//! node's metadata (`tntc-node` section: id, source, runtime digest, line map).

use tntc_abi::{NODE_SECTION, NodeSection};

use crate::TranspiledNode;

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

    tntc_abi::glue::emit(bytecode, NODE_SECTION, &metadata).map_err(|too_large| {
        EmitError::BytecodeTooLarge {
            node: node.node_id.clone(),
            len: too_large.len,
        }
    })
}
