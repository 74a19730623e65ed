//! Turning the embedded guest runtime into a loaded [`Module`]: pre-initialization with
//! wizer, JIT compilation, and the on-disk cache that makes a restart skip both.
//!
//! Cold: instrument the plugin, instantiate it with WASI (other imports trap), call
//! `initialize-runtime` (QuickJS and the JavaScript prelude), snapshot, then compile the
//! snapshot. Warm: read `<cache_dir>/runtime-<key>.cwasm`, check its trailing SHA-256,
//! and deserialize it. The key covers everything the artifact depends on: the runtime's
//! digest, the engine's compilation settings (`precompile_compatibility_hash`, which
//! includes wasmtime's version) and wasmtime's version again for the record. A missing,
//! corrupt or incompatible entry is rebuilt and rewritten; it never fails the start.

use crate::blocking::block_on;
use crate::state::RunState;
use crate::{runtime, wasi};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::{Engine, Instance, Linker, Module, Store};
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

const CACHE_FORMAT: &[u8] = b"tntc-runtime-cache-v1\0";
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
    let mut hasher = Sha256Hasher(Sha256::new());
    hasher.write(CACHE_FORMAT);
    runtime_sha256.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    WASMTIME_VERSION.hash(&mut hasher);
    hex(&hasher.0.finalize())
}

/// Loads the runtime from the cache or builds (and caches) it.
pub(crate) fn load_or_build(
    engine: &Engine,
    raw: &[u8],
    runtime_sha256: &str,
    cache_dir: Option<&Path>,
    memory_limit: usize,
    fuel: Option<u64>,
) -> Result<(Module, RuntimeLoad), String> {
    let started = Instant::now();
    let cache_path = cache_dir.map(|dir| {
        dir.join(format!(
            "runtime-{}.cwasm",
            cache_key(engine, runtime_sha256)
        ))
    });
    let mut cache_note = None;
    if let Some(path) = &cache_path {
        match read_cached(engine, path) {
            Ok(Some(module)) => {
                let load = RuntimeLoad {
                    source: RuntimeSource::Cache,
                    elapsed: started.elapsed(),
                    cache_path: cache_path.clone(),
                    cache_note: None,
                };
                return Ok((module, load));
            }
            Ok(None) => {}
            Err(note) => cache_note = Some(note),
        }
    }

    let preinit_started = Instant::now();
    let snapshot = block_on(preinitialize(engine, raw, memory_limit, fuel))?;
    let preinitialize = preinit_started.elapsed();
    let compile_started = Instant::now();
    let artifact = engine
        .precompile_module(&snapshot)
        .map_err(|e| format!("cannot compile the pre-initialized runtime: {e:#}"))?;
    // SAFETY: `artifact` was produced just now by this engine's own compiler.
    #[allow(unsafe_code)]
    let module = unsafe { Module::deserialize(engine, &artifact) }
        .map_err(|e| format!("cannot load the compiled runtime: {e:#}"))?;
    let compile = compile_started.elapsed();
    if let (Some(path), Some(dir)) = (&cache_path, cache_dir)
        && let Err(note) = write_cached(dir, path, &artifact)
    {
        cache_note = Some(note);
    }
    let load = RuntimeLoad {
        source: RuntimeSource::Built {
            preinitialize,
            compile,
        },
        elapsed: started.elapsed(),
        cache_path,
        cache_note,
    };
    Ok((module, load))
}

/// `Ok(None)`: no entry. `Err`: an entry exists but is unusable (it will be replaced).
fn read_cached(engine: &Engine, path: &Path) -> Result<Option<Module>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot read the runtime cache {}: {e}",
                path.display()
            ));
        }
    };
    let corrupt = || {
        format!(
            "the runtime cache {} is corrupt; rebuilt it",
            path.display()
        )
    };
    let Some(split) = bytes.len().checked_sub(32) else {
        return Err(corrupt());
    };
    let (artifact, digest) = bytes.split_at(split);
    if Sha256::digest(artifact).as_slice() != digest {
        return Err(corrupt());
    }
    // SAFETY: the artifact was written by `write_cached` of a process using the same
    // runtime, wasmtime version and engine settings (the key says so), and its checksum
    // matches, so it is the compiler's output byte for byte. `deserialize` still checks
    // its header against this engine.
    #[allow(unsafe_code)]
    let module = unsafe { Module::deserialize(engine, artifact) }.map_err(|e| {
        format!(
            "the runtime cache {} does not fit this engine ({e}); rebuilt it",
            path.display()
        )
    })?;
    Ok(Some(module))
}

/// Writes `artifact` plus its SHA-256 to `path` atomically (temporary file + rename) in
/// `dir`, creating `dir` with mode 0700.
fn write_cached(dir: &Path, path: &Path, artifact: &[u8]) -> Result<(), String> {
    let fail = |what: &str, e: std::io::Error| format!("cannot {what} {}: {e}", dir.display());
    create_private_dir(dir).map_err(|e| fail("create the runtime cache directory", e))?;
    let temporary = dir.join(format!(
        ".runtime-{}-{}.tmp",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(artifact)?;
        file.write_all(&Sha256::digest(artifact))?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail("write the runtime cache in", e));
    }
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Runs `initialize-runtime` under wizer and returns the snapshot module.
async fn preinitialize(
    engine: &Engine,
    raw: &[u8],
    memory_limit: usize,
    fuel: Option<u64>,
) -> Result<Vec<u8>, String> {
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
    let mut store = runtime::new_store(engine, RunState::for_tooling(memory_limit), fuel);
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
