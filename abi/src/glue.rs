//! The node module: a few hundred bytes of Wasm glue around a node's QuickJS bytecode.
//! `tntc build` emits it ([`emit`]); the sandbox recognises it ([`bytecode_of`]) and then
//! loads the bytecode itself instead of instantiating the module.
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
//!   (@custom "tntc-node" "<metadata>"))
//! ```
//!
//! Everything in it derives from the inputs, so the same bytecode and metadata give the same
//! bytes. Any other module that follows the node ABI (`wit/node.wit`, [`crate::node_module`])
//! is valid too; the sandbox instantiates those and calls their `load`.

use wasm_encoder::{
    CodeSection, CustomSection, DataCountSection, DataSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, ImportSection, MemoryType, Module, TypeSection,
    ValType,
};
use wasmparser::{Parser, Payload};

use crate::node_module::{IMPORT_MODULE, LOAD, LOAD_NODE, MEMORY, REALLOC};

/// The bytecode does not fit a 32-bit linear memory.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the bytecode is {len} bytes, more than a 32-bit memory can hold")]
pub struct BytecodeTooLarge {
    /// Its length in bytes.
    pub len: usize,
}

/// The node module around `bytecode`, with a custom section `section` holding `metadata`
/// (the compiler passes [`crate::NODE_SECTION`] and a [`crate::NodeSection`]).
pub fn emit(bytecode: &[u8], section: &str, metadata: &[u8]) -> Result<Vec<u8>, BytecodeTooLarge> {
    let length = i32::try_from(bytecode.len()).map_err(|_| BytecodeTooLarge {
        len: bytecode.len(),
    })?;
    const REALLOC_TYPE: u32 = 0;
    const LOAD_NODE_TYPE: u32 = 1;
    const LOAD_TYPE: u32 = 2;
    const REALLOC_FUNC: u32 = 0;
    const LOAD_NODE_FUNC: u32 = 1;
    const LOAD_FUNC: u32 = 2;
    const BYTECODE: u32 = 0;
    const MEMORY_INDEX: u32 = 0;

    let mut types = TypeSection::new();
    types.ty().function([ValType::I32; 4], [ValType::I32]);
    types.ty().function([ValType::I32; 2], [ValType::I32]);
    types.ty().function([], [ValType::I32]);

    let mut imports = ImportSection::new();
    imports.import(
        IMPORT_MODULE,
        MEMORY,
        EntityType::Memory(MemoryType {
            minimum: 0,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        }),
    );
    imports.import(IMPORT_MODULE, REALLOC, EntityType::Function(REALLOC_TYPE));
    imports.import(
        IMPORT_MODULE,
        LOAD_NODE,
        EntityType::Function(LOAD_NODE_TYPE),
    );

    let mut functions = FunctionSection::new();
    functions.function(LOAD_TYPE);

    let mut exports = ExportSection::new();
    exports.export(LOAD, ExportKind::Func, LOAD_FUNC);

    let pointer = 0;
    let mut load = Function::new([(1, ValType::I32)]);
    load.instructions()
        .i32_const(0)
        .i32_const(0)
        .i32_const(1)
        .i32_const(length)
        .call(REALLOC_FUNC)
        .local_set(pointer)
        .local_get(pointer)
        .i32_const(0)
        .i32_const(length)
        .memory_init(MEMORY_INDEX, BYTECODE)
        .data_drop(BYTECODE)
        .local_get(pointer)
        .i32_const(length)
        .call(LOAD_NODE_FUNC)
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
            name: section.into(),
            data: metadata.into(),
        });
    Ok(module.finish())
}

/// The bytecode inside `wasm` when `wasm` is exactly what [`emit`] writes for it (custom
/// sections aside); `None` for any other module, including malformed ones.
pub fn bytecode_of(wasm: &[u8]) -> Option<&[u8]> {
    let (found, data) = sections(wasm)?;
    let data = data?;
    // Emitting the glue for this bytecode must give the very same sections, byte for byte.
    let canonical = emit(data, "", &[]).ok()?;
    let (expected, _) = sections(&canonical)?;
    let same = found.len() == expected.len()
        && found
            .iter()
            .zip(&expected)
            .all(|((id, bytes), (want_id, want))| id == want_id && bytes == want);
    same.then_some(data)
}

/// Each non-custom section as (id, bytes) in order, and the first data segment's bytes when
/// it is passive and the only one.
type Sections<'a> = (Vec<(u8, &'a [u8])>, Option<&'a [u8]>);

fn sections(wasm: &[u8]) -> Option<Sections<'_>> {
    let mut sections = Vec::new();
    let mut data = None;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.ok()?;
        if let Payload::DataSection(reader) = &payload {
            let mut segments = reader.clone().into_iter();
            let segment = segments.next()?.ok()?;
            if segments.next().is_none() && matches!(segment.kind, wasmparser::DataKind::Passive) {
                data = Some(segment.data);
            }
        }
        match payload.as_section() {
            Some((0, _)) | None => {}
            Some((id, range)) => sections.push((id, wasm.get(range)?)),
        }
    }
    Some((sections, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section_bytes(wasm: &[u8], wanted: u8) -> Vec<u8> {
        let (sections, _) = sections(wasm).expect("valid");
        sections
            .iter()
            .find(|(id, _)| *id == wanted)
            .map(|(_, bytes)| bytes.to_vec())
            .expect("section present")
    }

    #[test]
    fn emitted_glue_gives_back_its_bytecode_whatever_the_metadata() {
        let wasm = emit(b"bytecode", "tntc-node", br#"{"node":"n"}"#).unwrap();
        assert_eq!(bytecode_of(&wasm), Some(&b"bytecode"[..]));
        let empty = emit(b"", "tntc-node", b"").unwrap();
        assert_eq!(bytecode_of(&empty), Some(&b""[..]));
    }

    #[test]
    fn the_same_inputs_give_the_same_bytes() {
        assert_eq!(
            emit(b"abc", "s", b"m").unwrap(),
            emit(b"abc", "s", b"m").unwrap()
        );
    }

    #[test]
    fn glue_whose_code_loads_another_length_than_its_data_is_not_recognised() {
        // The code of `emit("abc")` with the data of `emit("abcdef")`: `load` would copy
        // three bytes of a six-byte segment.
        let short = emit(b"abc", "s", b"").unwrap();
        let long = emit(b"abcdef", "s", b"").unwrap();
        let data_id = 11;
        let (short_data, long_data) = (
            section_bytes(&short, data_id),
            section_bytes(&long, data_id),
        );
        let mut spliced = short.clone();
        let at = spliced
            .windows(short_data.len())
            .position(|w| w == short_data.as_slice())
            .expect("the data section");
        // Section payload lengths differ by 3; the section size byte sits just before it.
        assert_eq!(spliced[at - 1] as usize, short_data.len());
        spliced.splice(at - 1..at + short_data.len(), {
            let mut replacement = vec![long_data.len() as u8];
            replacement.extend_from_slice(&long_data);
            replacement
        });
        assert!(sections(&spliced).is_some(), "still a well-formed module");
        assert_eq!(bytecode_of(&spliced), None);
    }

    #[test]
    fn anything_else_is_not_recognised() {
        assert_eq!(bytecode_of(b"not wasm"), None);
        // A module with no data segment at all.
        assert_eq!(bytecode_of(&wasm_encoder::Module::new().finish()), None);
    }
}
