//! `tntc-sandbox`: the WebAssembly sandbox every node run gets — the wasmtime engine,
//! the embedded QuickJS guest runtime, and the per-run isolation and limits.
//!
//! # Shape
//! The guest runtime (`guest-runtime/`, a Javy plugin for `wasm32-wasip1`) is built by
//! this crate's `build.rs` and embedded. [`Sandbox::new`] pre-initializes it with wizer
//! (QuickJS plus the JavaScript prelude, evaluated once) and compiles the snapshot, or
//! loads both from the on-disk cache in a few milliseconds ([`Sandbox::runtime_load`]).
//! One compiled runtime serves every node: a node is a tiny core module holding its QuickJS
//! bytecode ([`Sandbox::load_node`] validates it against `wit/node.wit`), and each
//! [`NodeModule::run`] instantiates the runtime in a fresh [`wasmtime::Store`] and loads the
//! node's bytecode into it, so nothing a node does survives its run.
//!
//! ```text
//! run: slot from the pool -> Store::new -> InstancePre::instantiate (runtime)
//!      -> cabi_realloc + memory.write + load-node (the compiler's glue: `tntc_glue`;
//!         any other node module is instantiated and its `load` called)
//!      -> cabi_realloc + memory.write (invocation)
//!      -> runtime.run() [wait/fetch/timer suspend the fiber] -> read output -> drop
//! ```
//!
//! # Performance
//! A fresh-sandbox run of a trivial node costs about 25 us (see `examples/run_bench.rs`,
//! `tntc bench` and `bench/README.md`), because: the pooling allocator reuses instance slots and,
//! with `pagemap_scan`, resets only the pages a run dirtied; input and output go through
//! linear memory (no WASI stdin/stdout); the linker and export handles are resolved once
//! ([`wasmtime::InstancePre`], [`wasmtime::ModuleExport`]); and the WASI surface is a
//! handful of host functions rather than a WASI context built per run. A pool slot keeps
//! what earlier runs mapped and wrote in it, and every teardown pays for that, so work that
//! would leave much behind (pre-initialization, compiling, nodes that grow their memory)
//! never shares slots with ordinary node runs (`runtimes.rs`).
//!
//! # Isolation and limits
//! Fresh store and instances per run; no files, environment, arguments or sockets (the
//! runtime's WASI imports are clocks, random and stdout/stderr into the run's capped
//! log). Per run ([`RunLimits`]): a memory cap (growth past it traps), a wall-clock
//! deadline (epoch ticks make busy code yield to the executor and trap past it; waiting
//! is bounded by the same deadline), an optional CPU budget (fuel, an engine-wide
//! switch), output and log caps. Failures are typed ([`NodeFailure`]).
//!
//! # Host interface
//! The embedding host implements [`NodeHost`] (logging, outbound HTTP); the sandbox
//! itself provides timers, cancellation and the `wait` loop of `wit/node.wit`.

mod blocking;
mod cache;
mod config;
mod engine;
mod error;
mod host;
mod imports;
mod memory;
mod node;
mod ops;
mod prepare;
mod run;
mod runtime;
mod runtimes;
mod state;
mod wasi;

pub use config::{RunLimits, SandboxConfig};
pub use error::{CompileError, LoadError, NodeFailure, SandboxError};
pub use host::{BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeHost};
pub use node::{METADATA_SECTION, NodeInfo, NodeModule, RUNTIME_IMPORT_MODULE};
pub use prepare::{RuntimeLoad, RuntimeSource};
pub use run::{RunOutput, RunRequest, RunStats};

use crate::blocking::block_on;
use crate::memory::{read_bytes, read_result};
use crate::runtime::Runtime;
use crate::runtimes::Runtimes;
use crate::state::RunState;
use std::sync::Arc;
use tokio::sync::Semaphore;
use wasmtime::{Engine, Store};

/// The guest runtime as built, before pre-initialization (a Javy plugin module).
pub fn runtime_plugin_wasm() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/tntc_guest_runtime.wasm"))
}

/// SHA-256 (hex) of [`runtime_plugin_wasm`].
pub const RUNTIME_SHA256: &str = env!("TNTC_RUNTIME_SHA256");

/// The WASI preview 1 functions the sandbox implements (any other WASI import of the
/// runtime would fail to link).
pub const WASI_FUNCTIONS: &[&str] = wasi::IMPLEMENTED;

/// The core module name of the host interface the runtime imports.
pub const HOST_IMPORT_MODULE: &str = imports::MODULE;

/// The sandbox: one per process (it owns the process's wasmtime engine). Cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<SandboxInner>,
}

pub(crate) struct SandboxInner {
    pub(crate) engine: Engine,
    /// The runtime modules runs and compiles instantiate (kept apart: see `runtimes.rs`).
    pub(crate) runtimes: Runtimes,
    pub(crate) config: SandboxConfig,
    /// One permit per pool slot: runs beyond the pool wait here instead of failing.
    pub(crate) slots: Semaphore,
    load: RuntimeLoad,
    _ticker: Option<engine::EpochTicker>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("config", &self.inner.config)
            .field("runtime_load", &self.inner.load)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Creates the engine and loads the guest runtime: from the cache when
    /// `config.cache_dir` holds a matching entry (milliseconds), else by pre-initializing
    /// and compiling it (about a second) and caching the result.
    pub fn new(config: SandboxConfig) -> Result<Self, SandboxError> {
        Self::start(config, prepare::IfMissing::Build)?.ok_or_else(|| {
            SandboxError::Runtime("the runtime was built but not kept (a bug in tntc)".into())
        })
    }

    /// Like [`new`](Self::new), but only from the cache: `None` when `config.cache_dir`
    /// holds no usable runtime, instead of building it. A server that must never run the
    /// compiler itself (it leaves megabytes of compiler code and arenas resident for the
    /// life of the process) builds the cache in a short-lived process first.
    pub fn from_cache(config: SandboxConfig) -> Result<Option<Self>, SandboxError> {
        Self::start(config, prepare::IfMissing::Skip)
    }

    fn start(
        config: SandboxConfig,
        if_missing: prepare::IfMissing,
    ) -> Result<Option<Self>, SandboxError> {
        config.validate()?;
        let engine = engine::create(&config)?;
        let loaded = prepare::load_or_build(
            &engine,
            runtime_plugin_wasm(),
            RUNTIME_SHA256,
            config.cache_dir.as_deref(),
            config.max_memory_bytes,
            if_missing,
        )
        .map_err(SandboxError::Runtime)?;
        let Some(loaded) = loaded else {
            return Ok(None);
        };
        let runtimes = Runtimes::new(&engine, &loaded.module, loaded.mapped_from)
            .map_err(SandboxError::Runtime)?;
        let ticker = if config.epoch_interruption {
            Some(engine::EpochTicker::start(&engine, config.epoch_tick)?)
        } else {
            None
        };
        Ok(Some(Self {
            inner: Arc::new(SandboxInner {
                slots: Semaphore::new(config.max_concurrent_runs as usize),
                engine,
                runtimes,
                config,
                load: loaded.load,
                _ticker: ticker,
            }),
        }))
    }

    /// Compiles an ES module to QuickJS bytecode; `filename` (like `nodes/fetch.js`) is
    /// what the node's stack traces will name. All imports must already be bundled.
    ///
    /// Blocks the calling thread (about a millisecond per node), waiting for a free slot
    /// if runs fill the pool: call it from build tooling, not from async code.
    pub fn compile_js(&self, source: &str, filename: &str) -> Result<Vec<u8>, CompileError> {
        let inner = &self.inner;
        let runtime = inner.runtimes.tooling().map_err(CompileError::Runtime)?;
        let _slot = block_on(inner.slots.acquire())
            .map_err(|_| CompileError::Runtime("the sandbox is shutting down".into()))?;
        let fuel = inner.config.cpu_fuel.then_some(u64::MAX);
        let state = RunState::for_tooling(inner.config.max_memory_bytes);
        let mut store = runtime::new_store(&inner.engine, state, fuel);
        let result = block_on(compile_in(runtime, &mut store, source, filename));
        result.map_err(|e| match e {
            CompileFailure::Js(json) => syntax_error(&json),
            CompileFailure::Wasm(e) => {
                let output = store.data_mut().log.captured();
                CompileError::Runtime(if output.is_empty() {
                    format!("{e:#}")
                } else {
                    format!("{e:#}\nruntime output:\n{output}")
                })
            }
        })
    }

    /// Validates and compiles a node module (see [`NodeModule`] for the ABI it must
    /// follow). Compile once at start-up, run many times.
    pub fn load_node(&self, wasm: &[u8]) -> Result<NodeModule, LoadError> {
        node::load(&self.inner, wasm)
    }

    /// Whether [`load_node`](Self::load_node) of `wasm` would map a cached compilation
    /// rather than run the compiler (the entry's presence; it is checked when loaded).
    pub fn node_is_cached(&self, wasm: &[u8]) -> bool {
        node::cache_path(&self.inner, wasm).is_some_and(|path| path.is_file())
    }

    /// SHA-256 (hex) of the embedded runtime, as built (before pre-initialization).
    pub fn runtime_digest(&self) -> &'static str {
        RUNTIME_SHA256
    }

    /// How the runtime module was obtained at start-up (cache hit or built, timings).
    pub fn runtime_load(&self) -> &RuntimeLoad {
        &self.inner.load
    }

    /// The configuration this sandbox was created with.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// Bytes of linear memory the pool keeps resident in idle slots: after sequential runs
    /// of one node, the pages a run dirtied and that the next teardown must restore (see
    /// the crate's performance notes). A benchmark diagnostic.
    pub fn idle_resident_bytes(&self) -> usize {
        self.inner
            .engine
            .pooling_allocator_metrics()
            .map_or(0, |metrics| metrics.unused_memory_bytes_resident())
    }

    /// How many idle linear-memory slots the pool keeps warm (used before, kept mapped for
    /// reuse). A diagnostic: each slot is reused by the module that last used it.
    pub fn idle_warm_slots(&self) -> u32 {
        self.inner
            .engine
            .pooling_allocator_metrics()
            .map_or(0, |metrics| metrics.unused_warm_memories())
    }
}

enum CompileFailure {
    Js(String),
    Wasm(wasmtime::Error),
}

impl From<wasmtime::Error> for CompileFailure {
    fn from(error: wasmtime::Error) -> Self {
        Self::Wasm(error)
    }
}

async fn compile_in(
    runtime: &Runtime,
    store: &mut Store<RunState>,
    source: &str,
    filename: &str,
) -> Result<Vec<u8>, CompileFailure> {
    let instance = runtime.instantiate(store).await?;
    let mut args = [0i32; 4];
    for (i, text) in [source, filename].into_iter().enumerate() {
        let len = i32::try_from(text.len())
            .map_err(|_| wasmtime::Error::msg("the source is larger than 2 GiB"))?;
        let ptr = instance
            .guest
            .realloc
            .call_async(&mut *store, (0, 0, 1, len))
            .await?;
        instance
            .guest
            .memory
            .write(&mut *store, ptr as u32 as usize, text.as_bytes())
            .map_err(|_| wasmtime::Error::msg("cabi_realloc returned memory out of bounds"))?;
        args[i * 2] = ptr;
        args[i * 2 + 1] = len;
    }
    let retptr = runtime
        .compile_export(store, &instance)?
        .call_async(&mut *store, (args[0], args[1], args[2], args[3]))
        .await?;
    let result = read_result(&*store, instance.guest.memory, retptr, "compile result")?;
    let bytes = read_bytes(
        &*store,
        instance.guest.memory,
        result.ptr,
        result.len,
        "compile result",
    )?;
    if result.ok {
        Ok(bytes)
    } else {
        Err(CompileFailure::Js(
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    }
}

fn syntax_error(json: &str) -> CompileError {
    #[derive(serde::Deserialize)]
    struct Reported {
        message: String,
        #[serde(default)]
        stack: Option<String>,
    }
    match serde_json::from_str::<Reported>(json) {
        Ok(reported) => CompileError::Syntax {
            message: reported.message,
            stack: reported.stack.filter(|s| !s.trim().is_empty()),
        },
        Err(_) => CompileError::Syntax {
            message: json.to_string(),
            stack: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_embedded_runtime_matches_its_digest() {
        let digest: String = Sha256::digest(runtime_plugin_wasm())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, RUNTIME_SHA256);
    }
}
