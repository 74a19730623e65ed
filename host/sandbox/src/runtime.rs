//! The compiled runtime module, linked once ([`InstancePre`]) with its export handles
//! resolved once.

use crate::abi::signature_is;
use crate::error::RuntimeError;
use crate::imports;
use crate::state::{GuestExports, Realloc, RunState};
use crate::wasi;
use tntc_abi::runtime::{CALLED_EXPORTS, COMPILE, LOAD_NODE, MEMORY, REALLOC, RUN};
use wasmtime::{Engine, Extern, InstancePre, Linker, Module, ModuleExport, Store, TypedFunc};

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
    pub(crate) fn new(engine: &Engine, module: &Module) -> Result<Self, RuntimeError> {
        let mut linker = Linker::new(engine);
        let link = |e: wasmtime::Error| RuntimeError::Link(format!("{e:#}"));
        wasi::add_to_linker(&mut linker).map_err(link)?;
        imports::add_to_linker(&mut linker).map_err(link)?;
        let pre = linker.instantiate_pre(module).map_err(link)?;
        let export = |name: &str| {
            module
                .get_export_index(name)
                .ok_or_else(|| RuntimeError::Abi(format!("it does not export `{name}`")))
        };
        // Checked once here so that each instantiation can skip `Func::typed` (it builds
        // and compares the function type every time: 0.3 us of a 26 us run).
        for (name, params) in CALLED_EXPORTS {
            let fits = matches!(module.get_export(name),
                Some(wasmtime::ExternType::Func(ty)) if signature_is(&ty, params, 1));
            if !fits {
                return Err(RuntimeError::Abi(format!(
                    "its `{name}` export is not a function of {params} i32s returning an i32"
                )));
            }
        }
        let initial_pages = match module.get_export(MEMORY) {
            Some(wasmtime::ExternType::Memory(memory)) => memory.minimum(),
            _ => return Err(RuntimeError::Abi("it does not export its memory".into())),
        };
        Ok(Self {
            memory: export(MEMORY)?,
            realloc: export(REALLOC)?,
            compile: export(COMPILE)?,
            load_node: export(LOAD_NODE)?,
            run: export(RUN)?,
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
