//! Checks that a node module follows the node ABI of `wit/node.wit` (the names are
//! `tntc_abi::node_module`'s), before the JIT sees it.
//!
//! A node module must:
//! - import exactly `tntc-runtime.memory` (a 32-bit, unshared memory with no maximum and
//!   a minimum no larger than the runtime's initial memory; `(memory 0)` is typical),
//!   `tntc-runtime.cabi_realloc: (i32, i32, i32, i32) -> i32` and
//!   `tntc-runtime.load-node: (i32, i32) -> i32`;
//! - export `load: () -> i32`;
//! - define no memory and no table of its own;
//! - carry one `tntc-node` custom section ([`tntc_abi::NodeSection`]). Its `runtime` is the
//!   digest of the runtime whose `compile` made the bytecode; QuickJS bytecode only loads
//!   in the QuickJS that wrote it, so a mismatch is refused up front instead of crashing
//!   the runtime at the first run.

use crate::error::LoadError;
use tntc_abi::NodeSection;
use tntc_abi::node_module::{IMPORT_MODULE, LOAD, LOAD_NODE, MEMORY, REALLOC};
use wasmtime::{ExternType, FuncType, Module, ModuleExport, ValType};

/// Which runtime export fills an import slot of the node module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuntimeImport {
    Memory,
    Realloc,
    LoadNode,
}

/// Whether `ty` is `(i32 x params) -> (i32 x results)`: every type of the node ABI is i32.
pub(crate) fn signature_is(ty: &FuncType, params: usize, results: usize) -> bool {
    fn all_i32(mut types: impl ExactSizeIterator<Item = ValType>, count: usize) -> bool {
        types.len() == count && types.all(|t| matches!(t, ValType::I32))
    }
    all_i32(ty.params(), params) && all_i32(ty.results(), results)
}

/// What the bytes of a node module say before compilation: its section, checked against
/// the runtime this sandbox runs.
pub(crate) fn check_bytes(wasm: &[u8], runtime_sha256: &str) -> Result<NodeSection, LoadError> {
    let mut own = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| LoadError::Invalid(e.to_string()))? {
            wasmparser::Payload::MemorySection(section) if section.count() > 0 => {
                own = Some("memory")
            }
            wasmparser::Payload::TableSection(section) if section.count() > 0 => {
                own = Some("table")
            }
            _ => {}
        }
    }
    let section = NodeSection::from_module(wasm).map_err(|e| match e {
        tntc_abi::SectionError::NotWasm(message) => LoadError::Invalid(message),
        other => LoadError::Metadata(other.to_string()),
    })?;
    if let Some(runtime) = &section.runtime
        && runtime != runtime_sha256
    {
        return Err(LoadError::Abi(format!(
            "its bytecode was compiled by runtime {runtime}, but this host runs runtime \
             {runtime_sha256}; rebuild the workflow with the tntc matching this host"
        )));
    }
    if let Some(what) = own {
        return Err(LoadError::Abi(format!(
            "it defines its own {what}; a node module uses the runtime's (import \
             `{IMPORT_MODULE}.{MEMORY}`)"
        )));
    }
    Ok(section)
}

/// The compiled module's `load` export.
pub(crate) fn load_export(module: &Module) -> Result<ModuleExport, LoadError> {
    match module.get_export(LOAD) {
        Some(ExternType::Func(ty)) if signature_is(&ty, 0, 1) => module
            .get_export_index(LOAD)
            .ok_or_else(|| LoadError::Abi("its `load` export cannot be resolved".into())),
        Some(_) => Err(LoadError::Abi(format!(
            "its `{LOAD}` export is not `() -> i32`"
        ))),
        None => Err(LoadError::Abi(format!("it does not export `{LOAD}`"))),
    }
}

/// The runtime export for each of the compiled module's imports, in import order.
pub(crate) fn check_imports(
    module: &Module,
    runtime_pages: u64,
) -> Result<Vec<RuntimeImport>, LoadError> {
    let expected = format!(
        "`{IMPORT_MODULE}.{MEMORY}`, `{IMPORT_MODULE}.{REALLOC}` and `{IMPORT_MODULE}.{LOAD_NODE}`"
    );
    let mut order = Vec::new();
    for import in module.imports() {
        let (module_name, name) = (import.module(), import.name());
        if module_name != IMPORT_MODULE {
            return Err(LoadError::Abi(format!(
                "it imports `{module_name}.{name}`; a node module imports only {expected}"
            )));
        }
        let which = match (name, import.ty()) {
            (MEMORY, ExternType::Memory(memory)) => {
                if memory.is_64() || memory.is_shared() || memory.maximum().is_some() {
                    return Err(LoadError::Abi(
                        "its memory import must be a 32-bit, unshared memory without a maximum"
                            .into(),
                    ));
                }
                if memory.minimum() > runtime_pages {
                    return Err(LoadError::Abi(format!(
                        "its memory import asks for at least {} pages; the runtime starts with {runtime_pages}",
                        memory.minimum()
                    )));
                }
                RuntimeImport::Memory
            }
            (REALLOC, ExternType::Func(ty)) if signature_is(&ty, 4, 1) => RuntimeImport::Realloc,
            (LOAD_NODE, ExternType::Func(ty)) if signature_is(&ty, 2, 1) => RuntimeImport::LoadNode,
            (MEMORY | REALLOC | LOAD_NODE, _) => {
                return Err(LoadError::Abi(format!(
                    "its import `{IMPORT_MODULE}.{name}` has the wrong type ({MEMORY}; \
                     {REALLOC}: (i32, i32, i32, i32) -> i32; {LOAD_NODE}: (i32, i32) -> i32)"
                )));
            }
            _ => {
                return Err(LoadError::Abi(format!(
                    "it imports `{IMPORT_MODULE}.{name}`; a node module imports only {expected}"
                )));
            }
        };
        if order.contains(&which) {
            return Err(LoadError::Abi(format!(
                "it imports `{IMPORT_MODULE}.{name}` twice"
            )));
        }
        order.push(which);
    }
    if order.len() != 3 {
        return Err(LoadError::Abi(format!("it must import all of {expected}")));
    }
    Ok(order)
}
