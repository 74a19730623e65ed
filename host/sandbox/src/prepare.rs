//! Pre-initialization: the embedded guest runtime (a Javy plugin) run once under wizer —
//! QuickJS and the JavaScript prelude evaluated — and snapshotted into the module every
//! node run instantiates. About a second; `runtime_module.rs` caches what comes out.
//!
//! Cold path: instrument the plugin, instantiate it with WASI (other imports trap), call
//! `initialize-runtime`, snapshot.

use crate::error::RuntimeError;
use crate::state::RunState;
use crate::store::new_store;
use crate::wasi;
use tntc_abi::runtime::INITIALIZE;
use wasmtime::{Config, Engine, Instance, Linker, Module, Store};
use wasmtime_wizer::{InstanceState, SnapshotVal, Wizer};

/// Runs `initialize-runtime` under wizer and returns the snapshot module.
///
/// On an engine of its own, not the sandbox's: a pool slot keeps every page ever mapped in
/// it, and the scan that resets a slot after each run visits them all. Wizer reads the
/// whole linear memory to take the snapshot, which mapped the zero page over the 4 MiB
/// shadow stack; the slot that held it then went to the first node run, and every run on
/// it cost twice as much for the life of the process (trivial node: 53 instead of 26 us,
/// measured with `examples/run_bench.rs`-style runs after an empty-cache start). An
/// on-demand engine unmaps the memory when pre-initialization ends.
pub(crate) async fn preinitialize(
    raw: &[u8],
    memory_limit: usize,
) -> Result<Vec<u8>, RuntimeError> {
    let fail =
        |what: &str, e: wasmtime::Error| RuntimeError::Preinitialize(format!("{what}: {e:#}"));
    let engine = &Engine::new(&Config::new())
        .map_err(|e| fail("cannot create the pre-initialization engine", e))?;
    let mut wizer = Wizer::new();
    wizer.init_func(INITIALIZE).keep_init_func(true);
    let (context, instrumented) = wizer
        .instrument(raw)
        .map_err(|e| fail("wizer cannot instrument the runtime", e))?;
    let module = Module::new(engine, &instrumented)
        .map_err(|e| fail("cannot compile the instrumented runtime", e))?;
    let mut linker = Linker::new(engine);
    wasi::add_to_linker(&mut linker).map_err(|e| fail("cannot link WASI", e))?;
    // The host interface is for node runs; pre-initialization must not reach it.
    linker
        .define_unknown_imports_as_traps(&module)
        .map_err(|e| fail("cannot link the host interface", e))?;
    let mut store = new_store(engine, RunState::for_tooling(memory_limit), None);
    let instance = linker
        .instantiate_async(&mut store, &module)
        .await
        .map_err(|e| fail("cannot instantiate the runtime", e))?;
    let init = instance
        .get_typed_func::<(), ()>(&mut store, INITIALIZE)
        .map_err(|e| fail("no usable `initialize-runtime` export", e))?;
    if let Err(e) = init.call_async(&mut store, ()).await {
        let output = store.data_mut().log.captured();
        return Err(RuntimeError::Preinitialize(format!(
            "`initialize-runtime` failed: {e:#}{}",
            if output.is_empty() {
                String::new()
            } else {
                format!("\nruntime output:\n{output}")
            }
        )));
    }
    let mut state = Snapshotting {
        store: &mut store,
        instance,
        missing: None,
    };
    let snapshot = wizer
        .snapshot(&context, &mut state)
        .await
        .map_err(|e| fail("wizer cannot snapshot the runtime", e))?;
    match state.missing {
        Some(name) => Err(RuntimeError::Preinitialize(format!(
            "wizer asked for `{name}`, which the instrumented runtime does not export"
        ))),
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
