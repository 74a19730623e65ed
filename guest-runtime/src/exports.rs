//! The exports of the `node-runtime` world (`wit/node.wit`), lowered by hand with the
//! canonical ABI:
//! - `compile(source: string, filename: string) -> result<list<u8>, string>`
//!   -> `(i32, i32, i32, i32) -> i32`;
//! - `load-node(bytecode: list<u8>) -> result<_, string>` -> `(i32, i32) -> i32`;
//! - `run(invocation: string) -> result<string, string>` -> `(i32, i32) -> i32`.
//!
//! Arguments arrive in buffers the host allocated with `cabi_realloc(0, 0, 1, len)`; the
//! callee owns and frees them. Each result is returned as a pointer to a static return
//! area `{ discriminant: u8, ptr: u32, len: u32 }` (12 bytes, alignment 4), valid until
//! the next export call. Every error value is JSON `{"message": string, "stack"?: string}`.

use crate::driver::{self, ErrorReport};
use crate::host::take_allocation;
use javy_plugin_api::javy::quickjs::{Ctx, Function, Module, Value, WriteOptions};
use std::cell::RefCell;

/// The return area of every export: `result<T, string>` with `T` a string, a list or
/// nothing.
#[repr(C, align(4))]
pub struct ReturnArea {
    discriminant: u32,
    ptr: *const u8,
    len: usize,
}

thread_local! {
    /// The return area the host reads after each export call.
    static RETURN_AREA: RefCell<ReturnArea> = const {
        RefCell::new(ReturnArea { discriminant: 0, ptr: std::ptr::null(), len: 0 })
    };
    /// Keeps the bytes the return area points at alive until the next export call.
    static RETURNED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Publishes `result` in the return area and returns the area's address.
fn return_result(result: Result<Vec<u8>, Vec<u8>>) -> *const ReturnArea {
    let (discriminant, bytes) = match result {
        Ok(bytes) => (0, bytes),
        Err(bytes) => (1, bytes),
    };
    RETURNED.with(|returned| {
        let mut returned = returned.borrow_mut();
        *returned = bytes;
        RETURN_AREA.with(|area| {
            let mut area = area.borrow_mut();
            area.discriminant = discriminant;
            area.ptr = returned.as_ptr();
            area.len = returned.len();
            &*area as *const ReturnArea
        })
    })
}

/// Takes a `string` argument; the canonical ABI guarantees UTF-8, checked anyway.
///
/// # Safety
/// As [`take_allocation`].
unsafe fn take_string(ptr: *mut u8, len: usize) -> String {
    // SAFETY: forwarded to the caller.
    let bytes = unsafe { take_allocation(ptr, len) };
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `compile`: source text to QuickJS module bytecode. The module is named `filename`, so
/// stack traces of the node name it. The bytecode keeps line and column information and
/// each function's source text: `Function.prototype.toString` must return the source, as in
/// V8 (libraries tell native functions from their own by looking for `[native code]`, which
/// QuickJS prints for every function whose source was stripped). It costs the size of the
/// bundled JavaScript, a few KB for a typical node.
///
/// # Safety
/// The arguments are canonical-ABI `string`s allocated with `cabi_realloc`.
#[unsafe(export_name = "compile")]
pub unsafe extern "C" fn compile(
    source_ptr: *mut u8,
    source_len: usize,
    filename_ptr: *mut u8,
    filename_len: usize,
) -> *const ReturnArea {
    // SAFETY: per this function's contract.
    let (source, filename) = unsafe {
        (
            take_string(source_ptr, source_len),
            take_string(filename_ptr, filename_len),
        )
    };
    let result = crate::with_context(|context| {
        context.with(|ctx| {
            Module::declare(ctx.clone(), filename.as_str(), source)
                .and_then(|module| module.write(WriteOptions::default()))
                .map_err(|e| driver::describe_error(&ctx, e).to_json())
        })
    });
    return_result(result.map_err(String::into_bytes))
}

/// `load-node`: evaluates a node's module bytecode (driving any top-level `await` through
/// the host) and passes its default export to `__tntc_runtime.setNode`.
///
/// # Safety
/// The argument is a canonical-ABI `list<u8>` allocated with `cabi_realloc`.
#[unsafe(export_name = "load-node")]
pub unsafe extern "C" fn load_node(
    bytecode_ptr: *mut u8,
    bytecode_len: usize,
) -> *const ReturnArea {
    // SAFETY: per this function's contract.
    let bytecode = unsafe { take_allocation(bytecode_ptr, bytecode_len) };
    let result = crate::with_context(|context| {
        context.with(|ctx| load(&ctx, &bytecode).map_err(|report| report.to_json()))
    });
    return_result(result.map(|()| Vec::new()).map_err(String::into_bytes))
}

fn load(ctx: &Ctx<'_>, bytecode: &[u8]) -> Result<(), ErrorReport> {
    let fail = |e| driver::describe_error(ctx, e);
    // SAFETY: QuickJS trusts bytecode; malformed bytecode can corrupt this instance's
    // memory but nothing outside it (the wasm sandbox), and every run is a fresh instance.
    let module = unsafe { Module::load(ctx.clone(), bytecode) }.map_err(fail)?;
    let (module, evaluation) = module.eval().map_err(fail)?;
    driver::settle(ctx, evaluation)?;
    let default: Value<'_> = module.get("default").map_err(fail)?;
    let set_node: Function<'_> = driver::runtime_object(ctx)
        .and_then(|runtime| runtime.get("setNode"))
        .map_err(fail)?;
    set_node.call::<_, ()>((default,)).map_err(fail)
}

/// `run`: runs the loaded node with `invocation` and returns its output JSON.
///
/// # Safety
/// The argument is a canonical-ABI `string` allocated with `cabi_realloc`.
#[unsafe(export_name = "run")]
pub unsafe extern "C" fn run(invocation_ptr: *mut u8, invocation_len: usize) -> *const ReturnArea {
    // SAFETY: per this function's contract.
    let invocation = unsafe { take_string(invocation_ptr, invocation_len) };
    let result = crate::with_context(|context| {
        context.with(|ctx| start(&ctx, invocation).map_err(|report| report.to_json()))
    });
    return_result(result.map(String::into_bytes).map_err(String::into_bytes))
}

fn start(ctx: &Ctx<'_>, invocation: String) -> Result<String, ErrorReport> {
    let fail = |e| driver::describe_error(ctx, e);
    let start: Function<'_> = driver::runtime_object(ctx)
        .and_then(|runtime| runtime.get("start"))
        .map_err(fail)?;
    let returned: Value<'_> = start.call((invocation,)).map_err(fail)?;
    let output = match returned.into_promise() {
        Some(promise) => driver::settle(ctx, promise)?,
        None => {
            return Err(ErrorReport::new(
                "__tntc_runtime.start did not return a promise (a bug in the runtime's \
                 JavaScript prelude)",
            ));
        }
    };
    match output.as_string() {
        Some(text) => text.to_string().map_err(fail),
        None => Err(ErrorReport::new(format!(
            "__tntc_runtime.start resolved to {} instead of the output's JSON text (a bug in \
             the runtime's JavaScript prelude)",
            output.type_name()
        ))),
    }
}
