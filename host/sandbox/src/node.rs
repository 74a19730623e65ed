//! Node modules: loaded once (checked against the node ABI by [`crate::abi`], compiled or
//! mapped from the cache), then run any number of times ([`NodeModule::run`], `run.rs`).

use crate::SandboxInner;
use crate::abi::{self, RuntimeImport};
use crate::error::LoadError;
use std::sync::Arc;
use tntc_abi::NodeSection;
use wasmtime::{Module, ModuleExport};

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
    pub(crate) section: NodeSection,
    /// The bytecode, when the module is exactly the compiler's glue ([`tntc_abi::glue`]):
    /// runs then hand it to `load-node` themselves instead of instantiating `module`.
    pub(crate) bytecode: Option<Arc<[u8]>>,
    /// Set after a run of this node grew its memory: its runs then take slots apart from
    /// other nodes' (see `crate::routing`).
    pub(crate) grows: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for NodeModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeModule")
            .field("node", &self.inner.section.node)
            .field("source", &self.inner.section.source)
            .finish_non_exhaustive()
    }
}

impl NodeModule {
    /// What the compiler recorded about the node (its `tntc-node` section).
    pub fn section(&self) -> &NodeSection {
        &self.inner.section
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
    let section = abi::check_bytes(wasm, crate::RUNTIME_SHA256)?;
    let module = compile(sandbox, wasm)?;
    let imports = abi::check_imports(&module, sandbox.routing.initial_pages)?;
    let load = abi::load_export(&module)?;
    // The compiler's glue: runs hand its bytecode to `load-node` themselves, which saves a
    // second instance per run (instantiate 2.1 -> 1.6 us of a 26 us trivial run).
    let bytecode = tntc_abi::glue::bytecode_of(wasm).map(Arc::from);
    Ok(NodeModule {
        inner: Arc::new(NodeInner {
            sandbox: sandbox.clone(),
            module,
            imports,
            load,
            section,
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
    // The read-only seed first (a cache baked into the image); it is never written.
    if let Some(seed) = &sandbox.seed
        && let Ok(Some(module)) = seed.read(engine, &seed.node_entry(engine, wasm))
    {
        return Ok(module);
    }
    let Some(cache) = &sandbox.cache else {
        return Module::new(engine, wasm).map_err(|e| LoadError::Compile(format!("{e:#}")));
    };
    let path = cache.node_entry(engine, wasm);
    // A missing, corrupt, stale or untrusted entry is only a reason to compile.
    if let Ok(Some(module)) = cache.read(engine, &path) {
        cache.mark_used(&path);
        return Ok(module);
    }
    let module = Module::new(engine, wasm).map_err(|e| LoadError::Compile(format!("{e:#}")))?;
    // Caching is an optimisation: an unwritable directory only costs the next start a compile.
    if let Ok(artifact) = module.serialize() {
        let _ = cache.write(&path, &artifact);
    }
    Ok(module)
}

/// Where the compilation of `wasm` may be cached: in the seed, then in the cache (only
/// trusted ones).
pub(crate) fn cache_paths<'a>(
    sandbox: &'a SandboxInner,
    wasm: &'a [u8],
) -> impl Iterator<Item = std::path::PathBuf> + 'a {
    [&sandbox.seed, &sandbox.cache]
        .into_iter()
        .flatten()
        .map(|cache| cache.node_entry(&sandbox.engine, wasm))
}
