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
//!      -> cabi_realloc + memory.write + load-node (the compiler's glue: `tntc_abi::glue`;
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
//! never shares slots with ordinary node runs (`routing.rs`).
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
//! The embedding host implements [`NodeHost`] (logging, outbound HTTP, PostgreSQL); the sandbox
//! itself provides timers, cancellation and the `wait` loop of `wit/node.wit`.

//!
//! # Modules, in the order a start and a run use them
//! `wasmtime_engine` (the engine and its ticker) -> `cache` (trusted entries, keys) ->
//! `prepare` (wizer) -> `runtime_module` (cache or prepare + JIT) -> `runtime` (linked,
//! exports resolved) -> `routing` (which copy, which slots) -> `abi` + `node` (node
//! modules) -> `store` + `state` + `imports` + `ops` + `wasi` (one run's world) -> `run`.
//! `compile` is the tooling path (`compile_js`).

mod abi;
mod blocking;
mod cache;
mod compile;
mod config;
mod error;
mod host;
mod imports;
mod memory;
mod node;
mod ops;
mod prepare;
mod routing;
mod run;
mod runtime;
mod runtime_module;
mod state;
mod store;
mod wasi;
mod wasmtime_engine;

pub use cache::{check_cache_dir, default_cache_dir};
pub use config::{RunLimits, SandboxConfig};
pub use error::{CacheError, CompileError, LoadError, NodeFailure, RuntimeError, SandboxError};
pub use host::{BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeHost, PgCall};
pub use node::NodeModule;
pub use run::{RunOutput, RunRequest, RunStats};
pub use runtime_module::{RuntimeLoad, RuntimeSource};

use crate::cache::Cache;
use crate::routing::Routing;
use crate::runtime_module::IfMissing;
use std::sync::Arc;
use tokio::sync::Semaphore;
use wasmtime::Engine;

/// The guest runtime as built, before pre-initialization (a Javy plugin module).
pub fn runtime_plugin_wasm() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/tntc_guest_runtime.wasm"))
}

/// SHA-256 (hex) of [`runtime_plugin_wasm`].
pub const RUNTIME_SHA256: &str = env!("TNTC_RUNTIME_SHA256");

/// The WASI preview 1 functions the sandbox implements (any other WASI import of the
/// runtime would fail to link).
pub const WASI_FUNCTIONS: &[&str] = wasi::IMPLEMENTED;

/// The sandbox: one per process (it owns the process's wasmtime engine). Cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<SandboxInner>,
}

pub(crate) struct SandboxInner {
    pub(crate) engine: Engine,
    /// The runtime modules runs and compiles instantiate (kept apart: see `routing.rs`).
    pub(crate) routing: Routing,
    /// The on-disk cache, when configured and trusted.
    pub(crate) cache: Option<Cache>,
    /// The read-only seed cache (`SandboxConfig::seed_cache_dir`), when configured and trusted.
    pub(crate) seed: Option<Cache>,
    pub(crate) config: SandboxConfig,
    /// One permit per pool slot: runs beyond the pool wait here instead of failing.
    pub(crate) slots: Semaphore,
    load: RuntimeLoad,
    _ticker: Option<wasmtime_engine::EpochTicker>,
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
        Self::start(config, IfMissing::Build)?.ok_or_else(|| {
            SandboxError::Runtime(RuntimeError::Load(
                "the runtime was built but not kept (a bug in tntc)".into(),
            ))
        })
    }

    /// Like [`new`](Self::new), but only from the cache: `None` when `config.cache_dir`
    /// holds no usable runtime, instead of building it. A server that must never run the
    /// compiler itself (it leaves megabytes of compiler code and arenas resident for the
    /// life of the process) builds the cache in a short-lived process first.
    pub fn from_cache(config: SandboxConfig) -> Result<Option<Self>, SandboxError> {
        Self::start(config, IfMissing::Skip)
    }

    fn start(config: SandboxConfig, if_missing: IfMissing) -> Result<Option<Self>, SandboxError> {
        config.validate()?;
        let engine = wasmtime_engine::create(&config)?;
        // An untrusted directory is not used at all; why is reported with the runtime load.
        let (cache, cache_note) = match config.cache_dir.as_deref().map(Cache::open) {
            None => (None, None),
            Some(Ok(cache)) => (Some(cache), None),
            Some(Err(note)) => (None, Some(note)),
        };
        let (seed, seed_note) = match config.seed_cache_dir.as_deref().map(Cache::open) {
            None => (None, None),
            Some(Ok(seed)) => (Some(seed), None),
            Some(Err(note)) => (None, Some(note)),
        };
        let loaded = runtime_module::load_or_build(
            &engine,
            runtime_plugin_wasm(),
            RUNTIME_SHA256,
            runtime_module::Caches {
                seed: seed.as_ref(),
                cache: cache.as_ref(),
            },
            cache_note.or(seed_note),
            config.max_memory_bytes,
            if_missing,
        )?;
        let Some(loaded) = loaded else {
            return Ok(None);
        };
        let mapped_from = loaded.mapped_from.and_then(|path| {
            let owner = [&seed, &cache]
                .into_iter()
                .flatten()
                .find(|c| path.starts_with(c.dir()))?;
            Some((owner.clone(), path))
        });
        let routing = Routing::new(&engine, &loaded.module, mapped_from)?;
        let ticker = if config.epoch_interruption {
            Some(wasmtime_engine::EpochTicker::start(
                &engine,
                config.epoch_tick,
            )?)
        } else {
            None
        };
        Ok(Some(Self {
            inner: Arc::new(SandboxInner {
                slots: Semaphore::new(config.max_concurrent_runs as usize),
                engine,
                routing,
                cache,
                seed,
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
        compile::compile_js(&self.inner, source, filename)
    }

    /// Validates and compiles a node module (see [`NodeModule`] for the ABI it must
    /// follow). Compile once at start-up, run many times.
    pub fn load_node(&self, wasm: &[u8]) -> Result<NodeModule, LoadError> {
        node::load(&self.inner, wasm)
    }

    /// Whether [`load_node`](Self::load_node) of `wasm` would map a cached compilation
    /// rather than run the compiler (the entry's presence; it is checked when loaded).
    pub fn node_is_cached(&self, wasm: &[u8]) -> bool {
        node::cache_paths(&self.inner, wasm).any(|path| path.is_file())
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
