//! The tooling path: an ES module compiled to QuickJS bytecode by the runtime's own
//! `compile` export, in a store of its own on the `tooling` copy of the runtime (so a
//! compile never leaves pages in a slot node runs reuse; see `routing.rs`).

use crate::SandboxInner;
use crate::blocking::block_on;
use crate::error::CompileError;
use crate::memory::{read_bytes, read_result};
use crate::runtime::Runtime;
use crate::state::RunState;
use crate::store::new_store;
use tntc_abi::GuestError;
use wasmtime::Store;

pub(crate) fn compile_js(
    inner: &SandboxInner,
    source: &str,
    filename: &str,
) -> Result<Vec<u8>, CompileError> {
    let runtime = inner
        .routing
        .tooling()
        .map_err(|e| CompileError::Runtime(e.to_string()))?;
    let _slot = block_on(inner.slots.acquire())
        .map_err(|_| CompileError::Runtime("the sandbox is shutting down".into()))?;
    let fuel = inner.config.cpu_fuel.then_some(u64::MAX);
    let state = RunState::for_tooling(inner.config.max_memory_bytes);
    let mut store = new_store(&inner.engine, state, fuel);
    let result = block_on(compile_in(runtime, &mut store, source, filename));
    result.map_err(|e| match e {
        CompileFailure::Js(json) => GuestError::parse(&json).into(),
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
