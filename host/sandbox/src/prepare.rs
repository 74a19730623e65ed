//! Turning the embedded guest runtime into a loaded [`Module`]: pre-initialization with
//! wizer, JIT compilation, and the on-disk cache that makes a restart skip both.
//!
//! Cold: instrument the plugin, instantiate it with WASI (other imports trap), call
//! `initialize-runtime` (QuickJS and the JavaScript prelude), snapshot, then compile the
//! snapshot. Warm: map `<cache_dir>/runtime-<key>.cwasm` (see [`crate::cache`]). The key
//! covers everything the artifact depends on: the runtime's digest, the engine's
//! compilation settings (`precompile_compatibility_hash`, which includes wasmtime's
//! version) and wasmtime's version again for the record. A missing, corrupt or
//! incompatible entry is rebuilt and rewritten; it never fails the start.

use crate::blocking::block_on;
use crate::state::RunState;
use crate::{cache, runtime, wasi};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::{Config, Engine, Instance, Linker, Module, Store};
use wasmtime_wizer::{InstanceState, SnapshotVal, Wizer};

/// How this process got its runtime module; see [`Sandbox::runtime_load`](crate::Sandbox::runtime_load).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeLoad {
    /// Where the module came from.
    pub source: RuntimeSource,
    /// Total time to have a usable module.
    pub elapsed: Duration,
    /// The cache entry read or written, when a cache directory is configured.
    pub cache_path: Option<PathBuf>,
    /// Why the cache could not be used or written (the start still succeeded).
    pub cache_note: Option<String>,
}

/// Where the runtime module came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeSource {
    /// Deserialized from the cache: no wizer, no JIT.
    Cache,
    /// Pre-initialized and compiled in this process.
    Built {
        /// Time spent in wizer (including the JIT of the instrumented module).
        preinitialize: Duration,
        /// Time spent compiling the snapshot.
        compile: Duration,
    },
}

const CACHE_FORMAT: &[u8] = b"tntc-runtime-cache-v2\0";

const WASMTIME_VERSION: &str = env!("TNTC_WASMTIME_VERSION");

/// Feeds `Hash` output into SHA-256 (`precompile_compatibility_hash` is only `Hash`).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        // Unused: the digest is read with `finalize`.
        0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cache key for the runtime with digest `runtime_sha256` under `engine`.
pub(crate) fn cache_key(engine: &Engine, runtime_sha256: &str) -> String {
    artifact_key(engine, runtime_sha256.as_bytes())
}

/// The cache key of what `engine` compiles from an input identified by `input` (a digest,
/// or the bytes themselves).
pub(crate) fn artifact_key(engine: &Engine, input: &[u8]) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    hasher.write(CACHE_FORMAT);
    input.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    WASMTIME_VERSION.hash(&mut hasher);
    hex(&hasher.0.finalize())
}

/// The runtime module and how it was obtained.
pub(crate) struct Loaded {
    pub(crate) module: Module,
    pub(crate) load: RuntimeLoad,
    /// The verified cache entry `module` is mapped from, when it is: mapping it again gives
    /// another module over the same code in a fraction of a millisecond.
    pub(crate) mapped_from: Option<PathBuf>,
}

/// What [`load_or_build`] does when the cache has no usable entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IfMissing {
    /// Pre-initialize and compile the runtime (and cache it).
    Build,
    /// Return `None`.
    Skip,
}

/// Loads the runtime from the cache or builds (and caches) it; `None` only with
/// [`IfMissing::Skip`].
pub(crate) fn load_or_build(
    engine: &Engine,
    raw: &[u8],
    runtime_sha256: &str,
    cache_dir: Option<&Path>,
    memory_limit: usize,
    if_missing: IfMissing,
) -> Result<Option<Loaded>, String> {
    let started = Instant::now();
    let cache_path = cache_dir.map(|dir| {
        dir.join(format!(
            "runtime-{}.cwasm",
            cache_key(engine, runtime_sha256)
        ))
    });
    let mut cache_note = None;
    if let Some(path) = &cache_path {
        match cache::read_cached(engine, path) {
            Ok(Some(module)) => {
                // Marked before the sweep, so an old entry still in use is never deleted.
                cache::mark_used(path);
                if let Some(dir) = cache_dir {
                    cache::sweep(dir, cache::STALE_AFTER);
                }
                let load = RuntimeLoad {
                    source: RuntimeSource::Cache,
                    elapsed: started.elapsed(),
                    cache_path: cache_path.clone(),
                    cache_note: None,
                };
                return Ok(Some(Loaded {
                    module,
                    mapped_from: load.cache_path.clone(),
                    load,
                }));
            }
            Ok(None) => {}
            Err(note) => cache_note = Some(note),
        }
    }

    if if_missing == IfMissing::Skip {
        return Ok(None);
    }
    let preinit_started = Instant::now();
    let snapshot = block_on(preinitialize(raw, memory_limit))?;
    let preinitialize = preinit_started.elapsed();
    let compile_started = Instant::now();
    let artifact = engine
        .precompile_module(&snapshot)
        .map_err(|e| format!("cannot compile the pre-initialized runtime: {e:#}"))?;
    let written = match (&cache_path, cache_dir) {
        (Some(path), Some(dir)) => match cache::write_cached(dir, path, &artifact) {
            Ok(()) => Some(path),
            Err(note) => {
                cache_note = Some(note);
                None
            }
        },
        _ => None,
    };
    // Mapped from the entry just written, as a warm start would (see the module docs).
    let mapped = written.and_then(|path| Some((cache::map_cached(engine, path).ok()?, path)));
    let mapped_from = mapped.as_ref().map(|(_, path)| path.to_path_buf());
    let module = match mapped {
        Some((module, _)) => module,
        // SAFETY: `artifact` was produced just now by this engine's own compiler.
        #[allow(unsafe_code)]
        None => unsafe { Module::deserialize(engine, &artifact) }
            .map_err(|e| format!("cannot load the compiled runtime: {e:#}"))?,
    };
    let compile = compile_started.elapsed();
    if let Some(dir) = cache_dir {
        cache::sweep(dir, cache::STALE_AFTER);
    }
    drop(artifact);
    drop(snapshot);
    release_compiler_memory();
    let load = RuntimeLoad {
        source: RuntimeSource::Built {
            preinitialize,
            compile,
        },
        elapsed: started.elapsed(),
        cache_path,
        cache_note,
    };
    Ok(Some(Loaded {
        module,
        load,
        mapped_from,
    }))
}

/// Hands the memory the compiler freed back to the system. Wizer and the JIT allocate
/// tens of megabytes across threads, and glibc keeps freed memory in its arenas: a host
/// whose runtime was built at start-up (empty cache) otherwise held about 50 MiB more
/// RSS for its whole life than one started from the cache (measured: 72 MiB against 16
/// MiB after 200 `/run` of word-count).
fn release_compiler_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of the allocator's own arenas.
    #[allow(unsafe_code)]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Runs `initialize-runtime` under wizer and returns the snapshot module.
///
/// On an engine of its own, not the sandbox's: a pool slot keeps every page ever mapped in
/// it, and the scan that resets a slot after each run visits them all. Wizer reads the
/// whole linear memory to take the snapshot, which mapped the zero page over the 4 MiB
/// shadow stack; the slot that held it then went to the first node run, and every run on
/// it cost twice as much for the life of the process (trivial node: 53 instead of 26 us,
/// measured with `examples/run_bench.rs`-style runs after an empty-cache start). An
/// on-demand engine unmaps the memory when pre-initialization ends.
async fn preinitialize(raw: &[u8], memory_limit: usize) -> Result<Vec<u8>, String> {
    let engine = &Engine::new(&Config::new())
        .map_err(|e| format!("cannot create the pre-initialization engine: {e:#}"))?;
    let mut wizer = Wizer::new();
    wizer.init_func("initialize-runtime").keep_init_func(true);
    let (context, instrumented) = wizer
        .instrument(raw)
        .map_err(|e| format!("wizer cannot instrument the runtime: {e:#}"))?;
    let module = Module::new(engine, &instrumented)
        .map_err(|e| format!("cannot compile the instrumented runtime: {e:#}"))?;
    let mut linker = Linker::new(engine);
    wasi::add_to_linker(&mut linker).map_err(|e| format!("{e:#}"))?;
    // The host interface is for node runs; pre-initialization must not reach it.
    linker
        .define_unknown_imports_as_traps(&module)
        .map_err(|e| format!("{e:#}"))?;
    let mut store = runtime::new_store(engine, RunState::for_tooling(memory_limit), None);
    let instance = linker
        .instantiate_async(&mut store, &module)
        .await
        .map_err(|e| format!("cannot instantiate the runtime for pre-initialization: {e:#}"))?;
    let init = instance
        .get_typed_func::<(), ()>(&mut store, "initialize-runtime")
        .map_err(|e| format!("{e:#}"))?;
    if let Err(e) = init.call_async(&mut store, ()).await {
        let output = store.data_mut().log.captured();
        return Err(format!(
            "`initialize-runtime` failed: {e:#}{}",
            if output.is_empty() {
                String::new()
            } else {
                format!("\nruntime output:\n{output}")
            }
        ));
    }
    let mut state = Snapshotting {
        store: &mut store,
        instance,
        missing: None,
    };
    let snapshot = wizer
        .snapshot(&context, &mut state)
        .await
        .map_err(|e| format!("wizer cannot snapshot the runtime: {e:#}"))?;
    match state.missing {
        Some(name) => Err(format!(
            "wizer asked for `{name}`, which the instrumented runtime does not export"
        )),
        None => Ok(snapshot),
    }
}

/// Gives wizer the initialized instance's globals and memory.
struct Snapshotting<'a> {
    store: &'a mut Store<RunState>,
    instance: Instance,
    /// A global or memory wizer asked for that does not exist (the snapshot is void).
    missing: Option<String>,
}

impl InstanceState for Snapshotting<'_> {
    async fn global_get(&mut self, name: &str, _: wasmtime_wizer::ValType) -> SnapshotVal {
        let value = self
            .instance
            .get_global(&mut *self.store, name)
            .map(|global| global.get(&mut *self.store));
        match value {
            Some(wasmtime::Val::I32(x)) => SnapshotVal::I32(x),
            Some(wasmtime::Val::I64(x)) => SnapshotVal::I64(x),
            Some(wasmtime::Val::F32(x)) => SnapshotVal::F32(x),
            Some(wasmtime::Val::F64(x)) => SnapshotVal::F64(x),
            Some(wasmtime::Val::V128(x)) => SnapshotVal::V128(x.as_u128()),
            _ => {
                self.missing = Some(name.to_string());
                SnapshotVal::I32(0)
            }
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        match self.instance.get_memory(&mut *self.store, name) {
            Some(memory) => contents(memory.data(&*self.store)),
            None => {
                self.missing = Some(name.to_string());
                contents(&[]);
            }
        }
    }
}
