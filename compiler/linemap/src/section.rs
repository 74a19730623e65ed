//! The `tntc-node` custom section of a node module: what it holds and how to find it.

use serde::{Deserialize, Serialize};

use crate::LineMap;

/// Name of the custom section holding a node module's [`NodeSection`].
pub const NODE_SECTION: &str = "tntc-node";

/// The JSON payload of the [`NODE_SECTION`] custom section:
/// `{"node": id, "source": "nodes/x.ts", "runtime": "<sha256>", "lineMap": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSection {
    /// The node's id in workflow.yaml.
    pub node: String,
    /// The node's entry source, relative to the workflow directory.
    pub source: String,
    /// sha256 of the runtime whose `compile` produced the bytecode: a host with another
    /// runtime refuses the module (QuickJS bytecode is not portable across versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// Maps the node's emitted JavaScript back to its sources.
    pub line_map: LineMap,
}

/// A node module's bytes could not yield its [`NodeSection`].
#[derive(Debug, thiserror::Error)]
pub enum SectionError {
    /// The bytes are not a well-formed WebAssembly module (as far as sections go).
    #[error("not a WebAssembly module: {0}")]
    NotWasm(&'static str),
    /// The module has no `tntc-node` section: it was not made by the tntc compiler.
    #[error("the module has no `{NODE_SECTION}` custom section; rebuild it with `tntc build`")]
    Missing,
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
        let payload = find_custom_section(wasm, NODE_SECTION)?.ok_or(SectionError::Missing)?;
        Ok(Self::from_json(payload)?)
    }
}

/// Reads an unsigned LEB128 `u32` at `*at`, advancing it.
fn read_u32(bytes: &[u8], at: &mut usize) -> Result<u32, SectionError> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes
            .get(*at)
            .ok_or(SectionError::NotWasm("truncated LEB128 number"))?;
        *at += 1;
        value |= u32::from(byte & 0x7f)
            .checked_shl(shift)
            .ok_or(SectionError::NotWasm("LEB128 number too large"))?;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(SectionError::NotWasm("LEB128 number too long"))
}

/// Walks the module's sections and returns the payload of the first custom section `name`.
fn find_custom_section<'a>(wasm: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, SectionError> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err(SectionError::NotWasm("missing the core module header"));
    }
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = read_u32(wasm, &mut at)? as usize;
        let body = wasm
            .get(at..at.saturating_add(size))
            .ok_or(SectionError::NotWasm("section runs past the end"))?;
        at += size;
        if id != 0 {
            continue;
        }
        let mut inner = 0;
        let name_length = read_u32(body, &mut inner)? as usize;
        let section_name =
            body.get(inner..inner.saturating_add(name_length))
                .ok_or(SectionError::NotWasm(
                    "custom section name runs past its section",
                ))?;
        if section_name == name.as_bytes() {
            return Ok(body.get(inner + name_length..));
        }
    }
    Ok(None)
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

    #[test]
    fn the_node_section_is_found_after_other_sections() {
        let section = NodeSection {
            node: "fetch".into(),
            source: "nodes/fetch.ts".into(),
            runtime: None,
            line_map: LineMap::default(),
        };
        let json = section.to_json().unwrap_or_default();
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend(custom_section("other", b"xyz"));
        wasm.extend([1, 1, 0]); // an empty type section
        wasm.extend(custom_section(NODE_SECTION, &json));
        assert_eq!(NodeSection::from_module(&wasm).ok(), Some(section));
    }

    #[test]
    fn missing_and_truncated_sections_are_errors_not_panics() {
        let header = b"\0asm\x01\0\0\0".to_vec();
        assert!(matches!(
            NodeSection::from_module(&header),
            Err(SectionError::Missing)
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
}
