//! Slot routing: which module over the runtime's one compiled code a store instantiates,
//! and so which pool slots it lands on, and why there are several.
//!
//! wasmtime's pool gives a slot back to the module that last used it, and a slot keeps
//! every page ever mapped in it: each teardown scans them all (~30 ns a page) and restores
//! every page ever written, up to the keep-resident budget. So whatever ran in a slot before
//! is paid again by every later run there. Separate modules (the same compiled code, mapped
//! again from the cache entry) keep separate slots:
//! - `light`: node runs. After one run of a node that grew its memory (a trivial node then
//!   cost 42 instead of 26 us on that slot, for good), the node moves to `roomy`, and
//!   `light` is replaced by a fresh copy: dropping the old module purges its slots, and
//!   the new one starts on slots never used.
//! - `roomy`: nodes whose runs grow memory; made when the first such node is seen (its
//!   code pages are then resident twice, ~2 MiB).
//! - `tooling`: `compile_js` (a 60 KB compile left the same 48 us behind).

use crate::cache::Cache;
use crate::error::RuntimeError;
use crate::runtime::Runtime;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};
use wasmtime::{Engine, Module};

pub(crate) struct Routing {
    engine: Engine,
    /// The cache entry the first module is mapped from, if any: copies map it again.
    file: Option<(Cache, PathBuf)>,
    light: RwLock<Arc<Runtime>>,
    roomy: OnceLock<Arc<Runtime>>,
    tooling: OnceLock<Runtime>,
    /// Initial size of the runtime's memory in 64 KiB pages.
    pub(crate) initial_pages: u64,
}

impl Routing {
    pub(crate) fn new(
        engine: &Engine,
        module: &Module,
        file: Option<(Cache, PathBuf)>,
    ) -> Result<Self, RuntimeError> {
        let light = Runtime::new(engine, module)?;
        Ok(Self {
            engine: engine.clone(),
            file,
            initial_pages: light.initial_pages,
            light: RwLock::new(Arc::new(light)),
            roomy: OnceLock::new(),
            tooling: OnceLock::new(),
        })
    }

    /// The runtime a run of a node instantiates (`roomy` once the node has grown its memory;
    /// `light` if no copy can be made, which only costs speed).
    pub(crate) fn for_run(&self, grows: bool) -> Arc<Runtime> {
        if grows {
            if let Some(roomy) = self.roomy.get() {
                return roomy.clone();
            }
            if let Ok(copy) = self.copy() {
                // Two runs racing here both make a copy; one is kept.
                return self.roomy.get_or_init(|| Arc::new(copy)).clone();
            }
        }
        self.light()
    }

    /// After a run on `used` (a `light` runtime) grew its memory: replaces `light` by a
    /// fresh copy, unless another run already did. Runs in progress keep the old one; its
    /// slots are purged when the last of them ends.
    pub(crate) fn retire_light(&self, used: &Arc<Runtime>) -> Result<(), RuntimeError> {
        if !Arc::ptr_eq(&self.light(), used) {
            return Ok(());
        }
        let fresh = Arc::new(self.copy()?);
        let mut light = self
            .light
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if Arc::ptr_eq(&light, used) {
            *light = fresh;
        }
        Ok(())
    }

    /// The runtime `compile_js` instantiates, made on first use.
    pub(crate) fn tooling(&self) -> Result<&Runtime, RuntimeError> {
        if let Some(runtime) = self.tooling.get() {
            return Ok(runtime);
        }
        let copy = self.copy()?;
        Ok(self.tooling.get_or_init(|| copy))
    }

    /// The current `light` runtime's module (for diagnostics and copies).
    pub(crate) fn light(&self) -> Arc<Runtime> {
        self.light
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Another module over the same compiled code: the cache entry checked and mapped again
    /// (about a millisecond), or, without one (or when it is gone or broken since), the
    /// module serialized and deserialized (a copy of its 5 MB).
    fn copy(&self) -> Result<Runtime, RuntimeError> {
        let mapped = self
            .file
            .as_ref()
            .and_then(|(cache, path)| cache.read(&self.engine, path).ok().flatten());
        let module = match mapped {
            Some(module) => module,
            None => {
                let bytes =
                    self.light().module().serialize().map_err(|e| {
                        RuntimeError::Load(format!("cannot copy the runtime: {e:#}"))
                    })?;
                // SAFETY: the bytes were serialized just now by this engine from its own
                // module.
                #[allow(unsafe_code)]
                unsafe { Module::deserialize(&self.engine, &bytes) }
                    .map_err(|e| RuntimeError::Load(format!("cannot copy the runtime: {e:#}")))?
            }
        };
        Runtime::new(&self.engine, &module)
    }
}
