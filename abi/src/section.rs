//! The `tntc-node` custom section of a node module: what the compiler records about a node
//! and how host and tools read it back.

use serde::{Deserialize, Serialize};
use tntc_linemap::LineMap;

/// Name of the custom section holding a node module's [`NodeSection`].
pub const NODE_SECTION: &str = "tntc-node";

/// The JSON payload of the [`NODE_SECTION`] custom section:
/// `{"node": id, "source": "nodes/x.ts", "runtime"?: "<sha256>", "lineMap": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSection {
    /// The node's id in workflow.yaml.
    pub node: String,
    /// The node's entry source, relative to the workflow directory (`nodes/fetch.ts`).
    pub source: String,
    /// sha256 of the runtime whose `compile` produced the bytecode: a host with another
    /// runtime refuses the module (QuickJS bytecode is not portable across versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// Maps the node's emitted JavaScript back to its sources (empty when a module made by
    /// another tool has none).
    #[serde(default)]
    pub line_map: LineMap,
}

/// A node module's bytes could not yield its [`NodeSection`].
#[derive(Debug, thiserror::Error)]
pub enum SectionError {
    /// The bytes are not a well-formed WebAssembly module.
    #[error("not a WebAssembly module: {0}")]
    NotWasm(String),
    /// The module has no `tntc-node` section: it was not made by the tntc compiler.
    #[error("the module has no `{NODE_SECTION}` custom section; rebuild it with `tntc build`")]
    Missing,
    /// The module has two `tntc-node` sections (which one would be true?).
    #[error("the module has two `{NODE_SECTION}` custom sections")]
    Duplicate,
    /// The section exists but its JSON does not match [`NodeSection`].
    #[error("the `{NODE_SECTION}` custom section is not valid: {0}")]
    Json(#[from] serde_json::Error),
}

impl NodeSection {
    /// Serializes the section payload (compact JSON, fields in a fixed order).
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Parses a section payload.
    pub fn from_json(payload: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(payload)
    }

    /// Finds and parses the section in a node module's bytes.
    pub fn from_module(wasm: &[u8]) -> Result<Self, SectionError> {
        Ok(Self::from_json(section_payload(wasm)?)?)
    }
}

/// The payload of the module's one `tntc-node` section. Parses the whole module, so a
/// malformed binary is refused here rather than by whoever compiles it next.
pub fn section_payload(wasm: &[u8]) -> Result<&[u8], SectionError> {
    let mut found = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| SectionError::NotWasm(e.message().to_string()))?;
        if let wasmparser::Payload::CustomSection(section) = payload
            && section.name() == NODE_SECTION
        {
            if found.is_some() {
                return Err(SectionError::Duplicate);
            }
            found = Some(section.data());
        }
    }
    found.ok_or(SectionError::Missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom_section(name: &str, payload: &[u8]) -> Vec<u8> {
        let mut body = vec![u8::try_from(name.len()).unwrap_or(0)];
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(payload);
        let mut section = vec![0, u8::try_from(body.len()).unwrap_or(0)];
        section.extend(body);
        section
    }

    fn section() -> NodeSection {
        NodeSection {
            node: "fetch".into(),
            source: "nodes/fetch.ts".into(),
            runtime: None,
            line_map: LineMap::default(),
        }
    }

    #[test]
    fn the_node_section_is_found_after_other_sections() {
        let json = section().to_json().unwrap_or_default();
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend(custom_section("other", b"xyz"));
        wasm.extend([1, 1, 0]); // an empty type section
        wasm.extend(custom_section(NODE_SECTION, &json));
        assert_eq!(NodeSection::from_module(&wasm).ok(), Some(section()));
    }

    #[test]
    fn missing_duplicate_and_truncated_sections_are_errors_not_panics() {
        let header = b"\0asm\x01\0\0\0".to_vec();
        assert!(matches!(
            NodeSection::from_module(&header),
            Err(SectionError::Missing)
        ));
        let json = section().to_json().unwrap_or_default();
        let mut twice = header.clone();
        twice.extend(custom_section(NODE_SECTION, &json));
        twice.extend(custom_section(NODE_SECTION, &json));
        assert!(matches!(
            NodeSection::from_module(&twice),
            Err(SectionError::Duplicate)
        ));
        let mut truncated = header.clone();
        truncated.extend([0, 50, 3]);
        assert!(matches!(
            NodeSection::from_module(&truncated),
            Err(SectionError::NotWasm(_))
        ));
        assert!(matches!(
            NodeSection::from_module(b"nope"),
            Err(SectionError::NotWasm(_))
        ));
    }

    #[test]
    fn a_section_without_a_line_map_still_reads() {
        let payload = br#"{"node":"n","source":"nodes/n.ts"}"#;
        let read = NodeSection::from_json(payload).expect("lenient");
        assert_eq!(read.line_map, LineMap::default());
    }
}
