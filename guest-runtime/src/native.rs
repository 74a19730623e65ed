//! `globalThis.__tntc_native`: the host imports as JavaScript functions, for the prelude.
//!
//! - `log(level: number, message: string)` — level 0 debug, 1 info, 2 warn, 3 error;
//! - `fetch(request: string, body?: Uint8Array | ArrayBuffer) -> number` — a handle;
//! - `pgConnect(request: string) -> number`, `pgQuery(request: string) -> number`,
//!   `pgEnd(session: number) -> number` — handles of PostgreSQL calls;
//! - `timer(ms: number) -> number` — a handle; `ms` is clamped to `0..=2^32-1`;
//! - `cancel(handle: number)`;
//! - `randomFill(bytes: Uint8Array)` — fills the array in place from WASI `random_get`.
//!
//! These are deliberately thin: argument shapes beyond "string" and "bytes" (the request
//! JSON, Web API semantics) are the prelude's business.

use crate::host::{self, Level};
use javy_plugin_api::javy::quickjs::{
    ArrayBuffer, Ctx, Exception, Function, Object, Result, TypedArray, Value,
};
use std::cell::Cell;

thread_local! {
    /// Whether `Math.random` has been seeded in this instance.
    static SEEDED: Cell<bool> = const { Cell::new(false) };
}

/// Replaces Javy's `Math.random` (fastrand) with one that seeds itself from WASI
/// `random_get` on first use in each instance: seeded during pre-initialization, every
/// run would replay the snapshot's sequence, and seeding eagerly would cost every run a
/// host call whether or not the node draws a number.
pub fn install_math_random(ctx: &Ctx<'_>) -> Result<()> {
    let math: Object<'_> = ctx.globals().get("Math")?;
    math.set(
        "random",
        Function::new(ctx.clone(), || {
            if !SEEDED.replace(true) {
                let mut seed = [0u8; 8];
                if host::random_fill(&mut seed) {
                    fastrand::seed(u64::from_le_bytes(seed));
                }
            }
            fastrand::f64()
        })?,
    )
}

/// Forgets any seeding done while pre-initializing, so that the snapshot is unseeded.
pub fn forget_random_seed() {
    SEEDED.set(false);
}

/// Installs `__tntc_native` on the global object.
pub fn install(ctx: &Ctx<'_>) -> Result<()> {
    let native = Object::new(ctx.clone())?;
    native.set(
        "log",
        Function::new(ctx.clone(), |level: i32, message: String| {
            host::log(Level::from_js(level), &message);
        })?,
    )?;
    native.set("fetch", Function::new(ctx.clone(), fetch)?)?;
    native.set(
        "timer",
        Function::new(ctx.clone(), |ms: f64| host::timer(clamp_ms(ms)))?,
    )?;
    native.set(
        "cancel",
        Function::new(ctx.clone(), |handle: f64| {
            if let Some(handle) = as_handle(handle) {
                host::cancel(handle);
            }
        })?,
    )?;
    native.set(
        "pgConnect",
        Function::new(ctx.clone(), |request: String| host::pg_connect(&request))?,
    )?;
    native.set(
        "pgQuery",
        Function::new(ctx.clone(), |request: String| host::pg_query(&request))?,
    )?;
    native.set(
        "pgEnd",
        Function::new(ctx.clone(), |session: f64| {
            host::pg_end(as_handle(session).unwrap_or(0))
        })?,
    )?;
    native.set("randomFill", Function::new(ctx.clone(), random_fill)?)?;
    ctx.globals().set("__tntc_native", native)
}

fn fetch<'js>(ctx: Ctx<'js>, request: String, body: Value<'js>) -> Result<u32> {
    with_bytes(&ctx, &body, "__tntc_native.fetch body", |bytes| {
        host::fetch(&request, bytes)
    })
}

fn random_fill<'js>(ctx: Ctx<'js>, bytes: Value<'js>) -> Result<()> {
    let array = TypedArray::<u8>::from_value(bytes).map_err(|_| {
        Exception::throw_type(&ctx, "__tntc_native.randomFill expects a Uint8Array")
    })?;
    let Some(raw) = array.as_raw() else {
        return Err(Exception::throw_type(
            &ctx,
            "__tntc_native.randomFill: the array's buffer is detached",
        ));
    };
    // SAFETY: QuickJS keeps the array (and so its buffer) alive for this call, and nothing
    // else touches it while this synchronous function runs.
    let buf = unsafe { std::slice::from_raw_parts_mut(raw.ptr.as_ptr(), raw.len) };
    if host::random_fill(buf) {
        Ok(())
    } else {
        Err(Exception::throw_internal(
            &ctx,
            "__tntc_native.randomFill: the host refused random_get",
        ))
    }
}

/// Runs `f` over the bytes of a `Uint8Array`/`ArrayBuffer` (`undefined`/`null`: empty).
fn with_bytes<'js, R>(
    ctx: &Ctx<'js>,
    value: &Value<'js>,
    what: &str,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R> {
    if value.is_undefined() || value.is_null() {
        return Ok(f(&[]));
    }
    if let Ok(array) = TypedArray::<u8>::from_value(value.clone()) {
        return match array.as_bytes() {
            Some(bytes) => Ok(f(bytes)),
            None => Err(Exception::throw_type(
                ctx,
                &format!("{what}: the array's buffer is detached"),
            )),
        };
    }
    if let Some(buffer) = ArrayBuffer::from_value(value.clone()) {
        return match buffer.as_bytes() {
            Some(bytes) => Ok(f(bytes)),
            None => Err(Exception::throw_type(
                ctx,
                &format!("{what}: the buffer is detached"),
            )),
        };
    }
    Err(Exception::throw_type(
        ctx,
        &format!("{what} must be a Uint8Array or an ArrayBuffer"),
    ))
}

fn clamp_ms(ms: f64) -> u32 {
    if ms.is_nan() || ms <= 0.0 {
        0
    } else if ms >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        ms as u32
    }
}

fn as_handle(handle: f64) -> Option<u32> {
    (handle >= 0.0 && handle <= f64::from(u32::MAX) && handle.fract() == 0.0)
        .then_some(handle as u32)
}
