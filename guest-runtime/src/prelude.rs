//! The JavaScript prelude (`guest-runtime/js/*.js`, owned by the js side): Web APIs, the
//! node `ctx`, and `globalThis.__tntc_runtime`. Embedded at build time by `build.rs`.
//!
//! The prelude is evaluated from bytecode stripped of its source text. QuickJS otherwise keeps
//! the source of every function (for `Function.prototype.toString`). Prelude functions now
//! print as `[native code]`-style stubs, as Deno's built-ins do; line numbers are kept.
//!
//! The bytecode is compiled in a separate, short-lived QuickJS runtime: the compiler's
//! allocations (its parser state, the source copies, atoms of names the prelude never keeps)
//! are then freed in one block before the prelude's own objects are created, which therefore
//! lie together instead of among the compiler's leftovers. That matters per run: every page
//! of the snapshot's heap a run touches stays mapped and is visited by the host's dirty-page
//! scan at teardown, and every page it writes is copied back. Measured with
//! `host/sandbox/examples/run_bench.rs`: pages mapped after a trivial run 241 -> 193, pages
//! restored 46 -> 38, teardown about 1.5 us shorter.

use crate::driver;
use javy_plugin_api::javy::quickjs::{Context, Ctx, Error, Runtime, Value, qjs};
use std::ffi::CString;

include!(concat!(env!("OUT_DIR"), "/prelude.rs"));

/// Evaluates every prelude file, in order, as a classic (global, strict-by-choice) script
/// whose file name appears in stack traces.
pub fn evaluate(ctx: &Ctx<'_>) -> Result<(), String> {
    // One buffer for all the bytecode, reserved before the compiler allocates anything, so
    // that freeing the compiler's memory leaves one free region for the prelude's objects.
    let source_bytes: usize = PRELUDE.iter().map(|(_, source)| source.len()).sum();
    let mut bytecode = Vec::with_capacity(source_bytes * 2);
    let mut spans = Vec::with_capacity(PRELUDE.len());
    {
        let compiler =
            Runtime::new().map_err(|e| format!("cannot create the prelude compiler: {e}"))?;
        let context = Context::full(&compiler)
            .map_err(|e| format!("cannot create the prelude compiler: {e}"))?;
        context.with(|cx| {
            for (name, source) in PRELUDE {
                let start = bytecode.len();
                compile_stripped(&cx, name, source, &mut bytecode).map_err(|e| {
                    let report = driver::describe_error(&cx, e);
                    format!("prelude file {name}: {}", report.to_text())
                })?;
                spans.push((*name, start..bytecode.len()));
            }
            Ok::<(), String>(())
        })?;
    }
    for (name, span) in spans {
        run_bytecode(ctx, &bytecode[span]).map_err(|e| {
            let report = driver::describe_error(ctx, e);
            format!("prelude file {name}: {}", report.to_text())
        })?;
    }
    Ok(())
}

/// Compiles `source` as a global script named `name` and returns its bytecode without the
/// source text (line numbers are kept for stack traces).
fn compile_stripped(
    ctx: &Ctx<'_>,
    name: &str,
    source: &str,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let file_name = CString::new(name)?;
    let text = CString::new(source)?;
    let flags = (qjs::JS_EVAL_TYPE_GLOBAL | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32;
    // SAFETY: `text` is NUL-terminated with `source.len()` bytes before the NUL, as JS_Eval
    // requires; the returned value is owned by `Value` (freed on drop).
    let function = unsafe {
        let raw = qjs::JS_Eval(
            ctx.as_raw().as_ptr(),
            text.as_ptr(),
            source.len() as _,
            file_name.as_ptr(),
            flags,
        );
        owned(ctx, raw)?
    };
    let mut len = 0;
    let write_flags = (qjs::JS_WRITE_OBJ_BYTECODE | qjs::JS_WRITE_OBJ_STRIP_SOURCE) as i32;
    // SAFETY: `function` is a live compiled script; the buffer QuickJS returns is
    // `len` bytes long, copied out, then freed with QuickJS's own allocator.
    unsafe {
        let buffer = qjs::JS_WriteObject(
            ctx.as_raw().as_ptr(),
            &mut len,
            function.as_raw(),
            write_flags,
        );
        if buffer.is_null() {
            return Err(Error::Exception);
        }
        out.extend_from_slice(std::slice::from_raw_parts(buffer, len as usize));
        qjs::js_free(ctx.as_raw().as_ptr(), buffer.cast());
        Ok(())
    }
}

/// Reads back bytecode written by [`compile_stripped`] and runs it.
fn run_bytecode(ctx: &Ctx<'_>, bytecode: &[u8]) -> Result<(), Error> {
    // SAFETY: the bytecode was written by this same QuickJS just before; JS_EvalFunction
    // takes ownership of the function value it is given.
    unsafe {
        let function = qjs::JS_ReadObject(
            ctx.as_raw().as_ptr(),
            bytecode.as_ptr(),
            bytecode.len() as _,
            qjs::JS_READ_OBJ_BYTECODE as i32,
        );
        if qjs::JS_VALUE_GET_NORM_TAG(function) == qjs::JS_TAG_EXCEPTION {
            return Err(Error::Exception);
        }
        let result = qjs::JS_EvalFunction(ctx.as_raw().as_ptr(), function);
        owned(ctx, result).map(drop)
    }
}

/// Takes ownership of a value QuickJS returned, or reports its pending exception.
///
/// # Safety
/// `raw` must be a value the caller owns (one reference), from `ctx`'s runtime.
unsafe fn owned<'js>(ctx: &Ctx<'js>, raw: qjs::JSValue) -> Result<Value<'js>, Error> {
    // SAFETY: reading a value's tag only inspects its bits.
    if unsafe { qjs::JS_VALUE_GET_NORM_TAG(raw) } == qjs::JS_TAG_EXCEPTION {
        return Err(Error::Exception);
    }
    // SAFETY: per this function's contract.
    Ok(unsafe { Value::from_raw(ctx.clone(), raw) })
}
