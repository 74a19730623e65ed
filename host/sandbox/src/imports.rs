//! The host side of `tentacular:node/host` (`wit/node.wit`), lowered with the canonical
//! ABI exactly as `guest-runtime/src/host.rs` declares it:
//! `log(i32 level, i32 ptr, i32 len)`, `fetch(i32, i32, i32, i32) -> i32`,
//! `pg-connect(i32, i32) -> i32`, `pg-query(i32, i32) -> i32`, `pg-end(i32) -> i32`,
//! `timer(i32) -> i32`, `cancel(i32)`, and `wait(i32 retptr)`, which suspends the run's
//! fiber until a timer, fetch or PostgreSQL call completes and stores `option<completion>`
//! at `retptr`.

use crate::host::{FetchRequest, LogLevel, PgCall};
use crate::memory::{guest_memory, read_bytes, read_string, violation, write_bytes};
use crate::ops::Completion;
use crate::state::RunState;
use std::future::poll_fn;
use tntc_abi::layout::CompletionArea;
use tntc_abi::runtime::HOST_IMPORT_MODULE as MODULE;
use wasmtime::{Caller, Linker};

/// Defines `log`, `fetch`, `pg-connect`, `pg-query`, `pg-end`, `timer`, `cancel` and `wait`
/// in `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<RunState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "log",
        |mut caller: Caller<'_, RunState>,
         level: i32,
         ptr: i32,
         len: i32|
         -> wasmtime::Result<()> {
            let level = LogLevel::from_abi(level)
                .ok_or_else(|| violation(format!("log: unknown level {level}")))?;
            let memory = guest_memory(&mut caller)?;
            let message = read_string(&caller, memory, ptr as u32, len as u32, "log message")?;
            caller.data_mut().log.line(level, &message);
            Ok(())
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fetch",
        |mut caller: Caller<'_, RunState>,
         request_ptr: i32,
         request_len: i32,
         body_ptr: i32,
         body_len: i32|
         -> wasmtime::Result<i32> {
            let memory = guest_memory(&mut caller)?;
            let request = read_bytes(
                &caller,
                memory,
                request_ptr as u32,
                request_len as u32,
                "fetch request",
            )?;
            let body = read_bytes(
                &caller,
                memory,
                body_ptr as u32,
                body_len as u32,
                "fetch body",
            )?;
            let request = FetchRequest::parse(&request, body);
            let state = caller.data_mut();
            let host = state.host.clone();
            let handle = state.ops.start_fetch(host.as_deref(), request)?;
            Ok(handle as i32)
        },
    )?;
    for (name, query) in [("pg-connect", false), ("pg-query", true)] {
        linker.func_wrap(
            MODULE,
            name,
            move |mut caller: Caller<'_, RunState>, ptr: i32, len: i32| -> wasmtime::Result<i32> {
                let memory = guest_memory(&mut caller)?;
                let request = read_string(&caller, memory, ptr as u32, len as u32, name)?;
                let call = if query {
                    PgCall::Query(request)
                } else {
                    PgCall::Connect(request)
                };
                let state = caller.data_mut();
                let host = state.host.clone();
                let handle = state.ops.start_pg(host.as_deref(), Ok(call))?;
                Ok(handle as i32)
            },
        )?;
    }
    linker.func_wrap(
        MODULE,
        "pg-end",
        |mut caller: Caller<'_, RunState>, session: i32| -> wasmtime::Result<i32> {
            let state = caller.data_mut();
            let host = state.host.clone();
            let handle = state
                .ops
                .start_pg(host.as_deref(), Ok(PgCall::End(session as u32)))?;
            Ok(handle as i32)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "timer",
        |mut caller: Caller<'_, RunState>, ms: i32| -> wasmtime::Result<i32> {
            let handle = caller.data_mut().ops.start_timer(ms as u32)?;
            Ok(handle as i32)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "cancel",
        |mut caller: Caller<'_, RunState>, handle: i32| {
            caller.data_mut().ops.cancel(handle as u32);
        },
    )?;
    linker.func_wrap_async(
        MODULE,
        "wait",
        |mut caller: Caller<'_, RunState>, (retptr,): (i32,)| {
            Box::new(async move {
                if caller.data().ops.is_empty() {
                    caller.data_mut().waited_on_nothing = true;
                    let memory = guest_memory(&mut caller)?;
                    return write_bytes(
                        &mut caller,
                        memory,
                        retptr as u32,
                        &CompletionArea::NONE,
                        "wait result",
                    );
                }
                let completion = poll_fn(|cx| caller.data_mut().ops.poll_next(cx)).await;
                deliver(&mut caller, retptr as u32, completion).await
            })
        },
    )?;
    Ok(())
}

/// Stores `some(completion)` at `retptr`, allocating `meta` and `body` in the guest with
/// its `cabi_realloc` (alignment 1); the guest owns them afterwards.
async fn deliver(
    caller: &mut Caller<'_, RunState>,
    retptr: u32,
    completion: Completion,
) -> wasmtime::Result<()> {
    let meta = copy_in(caller, completion.meta.as_bytes()).await?;
    let body = copy_in(caller, &completion.body).await?;
    let area = CompletionArea {
        handle: completion.handle,
        ok: completion.ok,
        meta,
        body,
    }
    .encode();
    let memory = guest_memory(caller)?;
    write_bytes(caller, memory, retptr, &area, "wait result")
}

/// Allocates `bytes.len()` bytes in the guest and copies `bytes` there; `(ptr, len)`.
/// Empty values are `(0, 0)` without an allocation (the guest never dereferences them).
async fn copy_in(caller: &mut Caller<'_, RunState>, bytes: &[u8]) -> wasmtime::Result<(u32, u32)> {
    if bytes.is_empty() {
        return Ok((0, 0));
    }
    let len = u32::try_from(bytes.len())
        .ok()
        .filter(|&len| len <= i32::MAX as u32)
        .ok_or_else(|| violation("wait: a completion is larger than 2 GiB"))?;
    let guest = caller
        .data()
        .guest
        .clone()
        .ok_or_else(|| violation("wait: the runtime's allocator is not known yet"))?;
    let ptr = guest
        .realloc
        .call_async(&mut *caller, (0, 0, 1, len as i32))
        .await? as u32;
    if ptr == 0 {
        return Err(violation("wait: cabi_realloc returned a null pointer"));
    }
    write_bytes(&mut *caller, guest.memory, ptr, bytes, "wait result")?;
    Ok((ptr, len))
}
