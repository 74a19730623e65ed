//! The compiled runtime module, linked once ([`InstancePre`]) with its export handles
//! resolved once, and the store set-up every run and tool call shares.

use crate::imports;
use crate::state::{GuestExports, Realloc, RunState};
use crate::wasi;
use std::time::Instant;
use wasmtime::{
    Engine, Extern, InstancePre, Linker, Module, ModuleExport, Store, TypedFunc, UpdateDeadline,
};

/// The error the epoch callback traps with once a run is past its deadline.
#[derive(Debug)]
pub(crate) struct DeadlineExceeded;

impl std::fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the run's deadline passed")
    }
}

impl std::error::Error for DeadlineExceeded {}

/// The pre-initialized runtime, ready to instantiate.
pub(crate) struct Runtime {
    pre: InstancePre<RunState>,
    memory: ModuleExport,
    realloc: ModuleExport,
    compile: ModuleExport,
    load_node: ModuleExport,
    run: ModuleExport,
    /// Initial size of the runtime's memory in 64 KiB pages (a node module's memory
    /// import may not ask for more).
    pub(crate) initial_pages: u64,
}

/// One instance of the runtime in a store, with typed handles to its exports.
pub(crate) struct RuntimeInstance {
    pub(crate) guest: GuestExports,
    /// The instance, for exports only tooling needs ([`Runtime::compile_export`]).
    instance: wasmtime::Instance,
    /// `load-node(ptr, len) -> retptr`: called by the host, or handed to a node module as
    /// an import.
    pub(crate) load_node: TypedFunc<(i32, i32), i32>,
    /// `run(ptr, len) -> retptr`.
    pub(crate) run: TypedFunc<(i32, i32), i32>,
}

impl Runtime {
    /// Links `module` (the wizened runtime) with the host imports and WASI.
    pub(crate) fn new(engine: &Engine, module: &Module) -> Result<Self, String> {
        let mut linker = Linker::new(engine);
        wasi::add_to_linker(&mut linker).map_err(|e| format!("{e:#}"))?;
        imports::add_to_linker(&mut linker).map_err(|e| format!("{e:#}"))?;
        let pre = linker
            .instantiate_pre(module)
            .map_err(|e| format!("cannot link the runtime's imports: {e:#}"))?;
        let export = |name: &str| {
            module
                .get_export_index(name)
                .ok_or_else(|| format!("the runtime does not export `{name}`"))
        };
        // Checked once here so that each instantiation can skip `Func::typed` (it builds
        // and compares the function type every time: 0.3 us of a 26 us run).
        for (name, params) in [
            ("cabi_realloc", 4),
            ("compile", 4),
            ("load-node", 2),
            ("run", 2),
        ] {
            let fits = matches!(module.get_export(name),
                Some(wasmtime::ExternType::Func(ty)) if crate::node::signature_is(&ty, params, 1));
            if !fits {
                return Err(format!(
                    "the runtime's `{name}` export is not a function of {params} i32s returning an i32"
                ));
            }
        }
        let initial_pages = match module.get_export("memory") {
            Some(wasmtime::ExternType::Memory(memory)) => memory.minimum(),
            _ => return Err("the runtime does not export its memory".into()),
        };
        Ok(Self {
            memory: export("memory")?,
            realloc: export("cabi_realloc")?,
            compile: export("compile")?,
            load_node: export("load-node")?,
            run: export("run")?,
            pre,
            initial_pages,
        })
    }

    /// The runtime module.
    pub(crate) fn module(&self) -> &Module {
        self.pre.module()
    }

    /// Instantiates the runtime in `store` and records its memory and allocator in the
    /// store's state for the host functions.
    pub(crate) async fn instantiate(
        &self,
        store: &mut Store<RunState>,
    ) -> wasmtime::Result<RuntimeInstance> {
        let instance = self.pre.instantiate_async(&mut *store).await?;
        let mut get = |export: &ModuleExport| {
            instance
                .get_module_export(&mut *store, export)
                .ok_or_else(|| wasmtime::Error::msg("a runtime export vanished"))
        };
        let memory = get(&self.memory)?;
        let realloc = get(&self.realloc)?;
        let load_node = get(&self.load_node)?;
        let run = get(&self.run)?;
        let memory = memory
            .into_memory()
            .ok_or_else(|| wasmtime::Error::msg("the runtime's memory export is not a memory"))?;
        fn typed<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
            store: &Store<RunState>,
            export: Extern,
        ) -> wasmtime::Result<TypedFunc<P, R>> {
            let func = export
                .into_func()
                .ok_or_else(|| wasmtime::Error::msg("a runtime export is not a function"))?;
            // SAFETY: `Runtime::new` checked the signature of every export this is called
            // with below (four i32s -> i32 for `cabi_realloc`, two i32s -> i32 for
            // `load-node` and `run`, the types of the fields they fill), and the instance
            // comes from that module.
            #[allow(unsafe_code)]
            Ok(unsafe { TypedFunc::new_unchecked(store, func) })
        }
        let realloc: Realloc = typed(store, realloc)?;
        let guest = GuestExports { memory, realloc };
        store.data_mut().guest = Some(guest.clone());
        Ok(RuntimeInstance {
            guest,
            instance,
            load_node: typed(store, load_node)?,
            run: typed(store, run)?,
        })
    }

    /// `compile(source_ptr, source_len, filename_ptr, filename_len) -> retptr` of `instance`
    /// (looked up only by compiles, not by every node run).
    pub(crate) fn compile_export(
        &self,
        store: &mut Store<RunState>,
        instance: &RuntimeInstance,
    ) -> wasmtime::Result<TypedFunc<(i32, i32, i32, i32), i32>> {
        instance
            .instance
            .get_module_export(&mut *store, &self.compile)
            .and_then(Extern::into_func)
            .ok_or_else(|| wasmtime::Error::msg("the runtime's `compile` export vanished"))?
            .typed(&*store)
    }
}

/// A store for `state`: memory limiter, fuel (when the engine meters it), and the epoch
/// callback that yields each tick and traps past `state.deadline`.
pub(crate) fn new_store(engine: &Engine, state: RunState, fuel: Option<u64>) -> Store<RunState> {
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.limiter);
    if let Some(fuel) = fuel {
        // Only called when the engine meters fuel, where this cannot fail.
        let _ = store.set_fuel(fuel);
    }
    store.epoch_deadline_callback(|context| match context.data().deadline {
        None => Ok(UpdateDeadline::Continue(1)),
        Some(deadline) if Instant::now() >= deadline => Err(wasmtime::Error::new(DeadlineExceeded)),
        Some(_) => Ok(UpdateDeadline::Yield(1)),
    });
    store.set_epoch_deadline(1);
    store
}
