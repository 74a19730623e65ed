//! The compiled runtime module every node run instantiates: mapped from the cache
//! (milliseconds), else pre-initialized (`prepare.rs`), JIT-compiled and cached (about a
//! second). A missing, corrupt, incompatible or untrusted entry is rebuilt (and rewritten
//! where the cache can be trusted); it never fails the start.

use crate::blocking::block_on;
use crate::cache::Cache;
use crate::error::{CacheError, RuntimeError};
use crate::prepare::preinitialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wasmtime::{Engine, Module};

/// How this process got its runtime module; see [`Sandbox::runtime_load`](crate::Sandbox::runtime_load).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeLoad {
    /// Where the module came from.
    pub source: RuntimeSource,
    /// Total time to have a usable module.
    pub elapsed: Duration,
    /// The cache entry read or written, when a (trusted) cache directory is configured.
    pub cache_path: Option<PathBuf>,
    /// Why the cache could not be used or written (the start still succeeded).
    pub cache_note: Option<CacheError>,
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

/// The caches the runtime is looked up in: the read-only seed first, then the cache (the
/// only one written).
#[derive(Clone, Copy)]
pub(crate) struct Caches<'a> {
    pub(crate) seed: Option<&'a Cache>,
    pub(crate) cache: Option<&'a Cache>,
}

/// Loads the runtime from the seed or the cache, or builds (and caches) it; `None` only
/// with [`IfMissing::Skip`]. `cache_note` is why a cache directory itself is not used, if so.
pub(crate) fn load_or_build(
    engine: &Engine,
    raw: &[u8],
    runtime_sha256: &str,
    caches: Caches<'_>,
    mut cache_note: Option<CacheError>,
    memory_limit: usize,
    if_missing: IfMissing,
) -> Result<Option<Loaded>, RuntimeError> {
    let started = Instant::now();
    let cache = caches.cache;
    if let Some(seed) = caches.seed {
        let path = seed.runtime_entry(engine, runtime_sha256);
        match seed.read(engine, &path) {
            // Read-only by design: not marked, not swept.
            Ok(Some(module)) => {
                let load = RuntimeLoad {
                    source: RuntimeSource::Cache,
                    elapsed: started.elapsed(),
                    cache_path: Some(path.clone()),
                    cache_note: None,
                };
                return Ok(Some(Loaded {
                    module,
                    load,
                    mapped_from: Some(path),
                }));
            }
            // Missing: this host build is not the one the seed was prepared by.
            Ok(None) => {}
            Err(note) => cache_note = Some(note),
        }
    }
    let cache_path = cache.map(|cache| cache.runtime_entry(engine, runtime_sha256));
    if let (Some(cache), Some(path)) = (cache, &cache_path) {
        match cache.read(engine, path) {
            Ok(Some(module)) => {
                // Marked before the sweep, so an old entry still in use is never deleted.
                cache.mark_used(path);
                cache.sweep();
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
        .map_err(|e| RuntimeError::Compile(format!("{e:#}")))?;
    let written = match (cache, &cache_path) {
        (Some(cache), Some(path)) => match cache.write(path, &artifact) {
            Ok(()) => Some((cache, path)),
            Err(note) => {
                cache_note = Some(note);
                None
            }
        },
        _ => None,
    };
    // Mapped from the entry just written, as a warm start would (see `Loaded::mapped_from`).
    let mapped =
        written.and_then(|(cache, path)| Some((cache.map_written(engine, path).ok()?, path)));
    let mapped_from = mapped.as_ref().map(|(_, path)| path.to_path_buf());
    let module = match mapped {
        Some((module, _)) => module,
        // SAFETY: `artifact` was produced just now by this engine's own compiler.
        #[allow(unsafe_code)]
        None => unsafe { Module::deserialize(engine, &artifact) }
            .map_err(|e| RuntimeError::Load(format!("{e:#}")))?,
    };
    let compile = compile_started.elapsed();
    if let Some(cache) = cache {
        cache.sweep();
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
