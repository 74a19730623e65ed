//! Node modules: validation against the node ABI of `wit/node.wit` and the `tntc-node`
//! metadata section.
//!
//! A node module must:
//! - import exactly `tntc-runtime.memory` (a 32-bit, unshared memory with no maximum and
//!   a minimum no larger than the runtime's initial memory; `(memory 0)` is typical),
//!   `tntc-runtime.cabi_realloc: (i32, i32, i32, i32) -> i32` and
//!   `tntc-runtime.load-node: (i32, i32) -> i32`;
//! - export `load: () -> i32`;
//! - define no memory and no table of its own;
//! - carry a `tntc-node` custom section: JSON `{"node": string, "source": string,
//!   "runtime"?: string, "lineMap"?: any}`. `runtime` is the digest of the runtime whose
//!   `compile` made the bytecode ([`Sandbox::runtime_digest`](crate::Sandbox::runtime_digest));
//!   QuickJS bytecode only loads in the QuickJS that wrote it, so a mismatch is refused
//!   up front instead of crashing the runtime at the first run.

use crate::SandboxInner;
use crate::error::LoadError;
use serde::Deserialize;
use std::sync::Arc;
use wasmtime::{ExternType, FuncType, Module, ModuleExport, ValType};

/// The import module name node modules use for the runtime instance.
pub const RUNTIME_IMPORT_MODULE: &str = tntc_glue::RUNTIME_MODULE;
/// The custom section holding [`NodeInfo`].
pub const METADATA_SECTION: &str = "tntc-node";

/// What the compiler recorded about a node (the `tntc-node` section).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NodeInfo {
    /// The node's id in workflow.yaml.
    pub node: String,
    /// Its source file, relative to the workflow directory (`nodes/fetch.ts`).
    pub source: String,
    /// SHA-256 of the runtime that compiled the bytecode, when the compiler recorded it.
    #[serde(default)]
    pub runtime: Option<String>,
    /// The compiler's map from emitted JavaScript lines to source lines (its format is
    /// the compiler's business); `None` when absent.
    #[serde(rename = "lineMap", default)]
    pub line_map: Option<serde_json::Value>,
}

/// Which runtime export fills an import slot of the node module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuntimeImport {
    Memory,
    Realloc,
    LoadNode,
}

/// A validated, compiled node module, ready to [`run`](NodeModule::run) any number of
/// times (concurrently too). Cheap to clone.
#[derive(Clone)]
pub struct NodeModule {
    pub(crate) inner: Arc<NodeInner>,
}

pub(crate) struct NodeInner {
    pub(crate) sandbox: Arc<SandboxInner>,
    pub(crate) module: Module,
    /// The runtime export for each import, in the module's import order.
    pub(crate) imports: Vec<RuntimeImport>,
    pub(crate) load: ModuleExport,
    pub(crate) info: NodeInfo,
    /// The bytecode, when the module is exactly the compiler's glue ([`tntc_glue`]): runs
    /// then hand it to `load-node` themselves instead of instantiating `module`.
    pub(crate) bytecode: Option<Arc<[u8]>>,
    /// Set after a run of this node grew its memory: its runs then take slots apart from
    /// other nodes' (see `crate::runtimes`).
    pub(crate) grows: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for NodeModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeModule")
            .field("info", &self.inner.info)
            .finish_non_exhaustive()
    }
}

impl NodeModule {
    /// The node's metadata.
    pub fn info(&self) -> &NodeInfo {
        &self.inner.info
    }

    /// Whether runs hand this module's bytecode to the runtime directly instead of
    /// instantiating the module: true for the exact glue the compiler emits, false for any
    /// other module that follows the ABI (both run the same way).
    pub fn loads_bytecode_directly(&self) -> bool {
        self.inner.bytecode.is_some()
    }

    /// Whether a run of this node has grown its memory, so that its runs now take pool slots
    /// apart from other nodes' (what such a run leaves in a slot slows every later run there).
    pub fn runs_apart(&self) -> bool {
        self.inner.grows.load(std::sync::atomic::Ordering::Relaxed)
    }
}

pub(crate) fn load(sandbox: &Arc<SandboxInner>, wasm: &[u8]) -> Result<NodeModule, LoadError> {
    let (info, own_definitions) = scan(wasm)?;
    if let Some(runtime) = &info.runtime
        && runtime != crate::RUNTIME_SHA256
    {
        return Err(LoadError::Abi(format!(
            "its bytecode was compiled by runtime {runtime}, but this host runs runtime {}; \
             rebuild the workflow with the tntc matching this host",
            crate::RUNTIME_SHA256
        )));
    }
    if let Some(what) = own_definitions {
        return Err(LoadError::Abi(format!(
            "it defines its own {what}; a node module uses the runtime's (import \
             `{RUNTIME_IMPORT_MODULE}.memory`)"
        )));
    }
    let module = compile(sandbox, wasm)?;
    let imports = check_imports(&module, sandbox.runtimes.initial_pages)?;
    let load = match module.get_export("load") {
        Some(ExternType::Func(ty)) if signature_is(&ty, 0, 1) => module
            .get_export_index("load")
            .ok_or_else(|| LoadError::Abi("its `load` export cannot be resolved".into()))?,
        Some(_) => {
            return Err(LoadError::Abi(
                "its `load` export is not `() -> i32`".into(),
            ));
        }
        None => return Err(LoadError::Abi("it does not export `load`".into())),
    };
    // The compiler's glue (`tntc_glue`): runs hand its bytecode to `load-node` themselves,
    // which saves a second instance per run (instantiate 2.1 -> 1.6 us of a 26 us trivial run).
    let bytecode = tntc_glue::bytecode_of(wasm).map(Arc::from);
    Ok(NodeModule {
        inner: Arc::new(NodeInner {
            sandbox: sandbox.clone(),
            module,
            imports,
            load,
            info,
            bytecode,
            grows: std::sync::atomic::AtomicBool::new(false),
        }),
    })
}

/// Compiles a node module, or maps its compilation from the cache directory
/// (`node-<key>.cwasm`, keyed by the module's bytes and the engine's settings). A host
/// restart then runs no compiler at all: besides the milliseconds, the JIT's code is the
/// biggest part of the binary, and touching it at every start would keep megabytes of it
/// resident for the life of the process.
fn compile(sandbox: &SandboxInner, wasm: &[u8]) -> Result<Module, LoadError> {
    let engine = &sandbox.engine;
    let (Some(dir), Some(path)) = (
        sandbox.config.cache_dir.as_deref(),
        cache_path(sandbox, wasm),
    ) else {
        return Module::new(engine, wasm).map_err(|e| LoadError::Compile(format!("{e:#}")));
    };
    // A missing, corrupt or stale entry is only a reason to compile.
    if let Ok(Some(module)) = crate::cache::read_cached(engine, &path) {
        crate::cache::mark_used(&path);
        return Ok(module);
    }
    let module = Module::new(engine, wasm).map_err(|e| LoadError::Compile(format!("{e:#}")))?;
    // Caching is an optimisation: an unwritable directory only costs the next start a compile.
    if let Ok(artifact) = module.serialize() {
        let _ = crate::cache::write_cached(dir, &path, &artifact);
    }
    Ok(module)
}

/// Where the compilation of `wasm` is cached (`<cache_dir>/node-<key>.cwasm`, keyed by the
/// module's bytes and the engine's settings); `None` without a cache directory.
pub(crate) fn cache_path(sandbox: &SandboxInner, wasm: &[u8]) -> Option<std::path::PathBuf> {
    let dir = sandbox.config.cache_dir.as_deref()?;
    Some(dir.join(format!(
        "node-{}.cwasm",
        crate::prepare::artifact_key(&sandbox.engine, wasm)
    )))
}

/// Reads the metadata section and notes own memories or tables, with wasmparser (which
/// also rejects malformed binaries before the JIT sees them).
fn scan(wasm: &[u8]) -> Result<(NodeInfo, Option<&'static str>), LoadError> {
    let mut metadata = None;
    let mut own = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| LoadError::Invalid(e.to_string()))?;
        match payload {
            wasmparser::Payload::CustomSection(section) if section.name() == METADATA_SECTION => {
                if metadata.is_some() {
                    return Err(LoadError::Metadata("it appears twice".into()));
                }
                metadata = Some(section.data().to_vec());
            }
            wasmparser::Payload::MemorySection(section) if section.count() > 0 => {
                own = Some("memory")
            }
            wasmparser::Payload::TableSection(section) if section.count() > 0 => {
                own = Some("table")
            }
            _ => {}
        }
    }
    let metadata = metadata.ok_or_else(|| LoadError::Metadata("the section is missing".into()))?;
    let info = serde_json::from_slice::<NodeInfo>(&metadata)
        .map_err(|e| LoadError::Metadata(format!("not the expected JSON: {e}")))?;
    Ok((info, own))
}

/// Whether `ty` is `(i32 x params) -> (i32 x results)`: every type of the node ABI is i32.
pub(crate) fn signature_is(ty: &FuncType, params: usize, results: usize) -> bool {
    fn all_i32(mut types: impl ExactSizeIterator<Item = ValType>, count: usize) -> bool {
        types.len() == count && types.all(|t| matches!(t, ValType::I32))
    }
    all_i32(ty.params(), params) && all_i32(ty.results(), results)
}

fn check_imports(module: &Module, runtime_pages: u64) -> Result<Vec<RuntimeImport>, LoadError> {
    const EXPECTED: &str =
        "`tntc-runtime.memory`, `tntc-runtime.cabi_realloc` and `tntc-runtime.load-node`";
    let mut order = Vec::new();
    for import in module.imports() {
        let (module_name, name) = (import.module(), import.name());
        if module_name != RUNTIME_IMPORT_MODULE {
            return Err(LoadError::Abi(format!(
                "it imports `{module_name}.{name}`; a node module imports only {EXPECTED}"
            )));
        }
        let which = match (name, import.ty()) {
            ("memory", ExternType::Memory(memory)) => {
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
            ("cabi_realloc", ExternType::Func(ty)) if signature_is(&ty, 4, 1) => {
                RuntimeImport::Realloc
            }
            ("load-node", ExternType::Func(ty)) if signature_is(&ty, 2, 1) => {
                RuntimeImport::LoadNode
            }
            ("memory" | "cabi_realloc" | "load-node", _) => {
                return Err(LoadError::Abi(format!(
                    "its import `{RUNTIME_IMPORT_MODULE}.{name}` has the wrong type (memory; \
                     cabi_realloc: (i32, i32, i32, i32) -> i32; load-node: (i32, i32) -> i32)"
                )));
            }
            _ => {
                return Err(LoadError::Abi(format!(
                    "it imports `{RUNTIME_IMPORT_MODULE}.{name}`; a node module imports only {EXPECTED}"
                )));
            }
        };
        if order.contains(&which) {
            return Err(LoadError::Abi(format!(
                "it imports `{RUNTIME_IMPORT_MODULE}.{name}` twice"
            )));
        }
        order.push(which);
    }
    if order.len() != 3 {
        return Err(LoadError::Abi(format!("it must import all of {EXPECTED}")));
    }
    Ok(order)
}
