//! The loop that drives a node's promise to settlement, and error reporting.
//!
//! QuickJS only runs promise jobs when asked. `settle` alternates between draining the job
//! queue and the host's `wait`, which suspends this instance (in the host, not a thread)
//! until a fetch or timer completes; the completion is handed to
//! `__tntc_runtime.complete`, which resolves the matching promise or fires the timer. When
//! the promise is still pending and `wait` says nothing is in flight, it can never settle.

use crate::host;
use javy_plugin_api::javy::quickjs::promise::PromiseState;
use javy_plugin_api::javy::quickjs::{
    Ctx, Error, Exception, Function, Object, Promise, TypedArray, Value,
};

/// A JavaScript failure as the host reads it: `{"message": string, "stack"?: string}`.
pub struct ErrorReport {
    pub message: String,
    pub stack: Option<String>,
}

impl ErrorReport {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            stack: None,
        }
    }

    /// The JSON the exports return as their error value.
    pub fn to_json(&self) -> String {
        let mut json = String::with_capacity(self.message.len() + 32);
        json.push_str("{\"message\":");
        push_json_string(&mut json, &self.message);
        if let Some(stack) = &self.stack {
            json.push_str(",\"stack\":");
            push_json_string(&mut json, stack);
        }
        json.push('}');
        json
    }

    /// `message` and, on the following lines, `stack`: for messages read by people.
    pub fn to_text(&self) -> String {
        match &self.stack {
            Some(stack) if !stack.is_empty() => format!("{}\n{}", self.message, stack.trim_end()),
            _ => self.message.clone(),
        }
    }
}

/// The message the host maps to "never settled"; the host also knows it independently
/// (it answered `wait` with `none`).
pub const NEVER_SETTLED: &str = "the node's promise never settled (nothing left to wait for)";

/// Drives `promise` until it settles; `Ok` with its value, `Err` with the rejection reason
/// described by `__tntc_runtime.errorJson` semantics.
pub fn settle<'js>(ctx: &Ctx<'js>, promise: Promise<'js>) -> Result<Value<'js>, ErrorReport> {
    loop {
        drain_jobs(ctx)?;
        match promise.state() {
            PromiseState::Resolved => {
                return match promise.result::<Value<'js>>() {
                    Some(Ok(value)) => Ok(value),
                    Some(Err(e)) => Err(describe_error(ctx, e)),
                    None => Err(ErrorReport::new(
                        "internal error: a settled promise has no result",
                    )),
                };
            }
            PromiseState::Rejected => {
                return match promise.result::<Value<'js>>() {
                    Some(Err(e)) => Err(describe_error(ctx, e)),
                    _ => Err(ErrorReport::new(
                        "internal error: a rejected promise has no reason",
                    )),
                };
            }
            PromiseState::Pending => match host::wait() {
                None => return Err(ErrorReport::new(NEVER_SETTLED)),
                Some(completion) => deliver(ctx, completion)?,
            },
        }
    }
}

/// Runs every queued promise job. A job that throws (QuickJS out of memory, or a bug in
/// promise plumbing: ordinary rejections are captured by their promises) fails the run.
fn drain_jobs(ctx: &Ctx<'_>) -> Result<(), ErrorReport> {
    while ctx.execute_pending_job() {
        if ctx.has_exception() {
            return Err(describe_value(ctx, ctx.catch()));
        }
    }
    Ok(())
}

/// Hands a host completion to `__tntc_runtime.complete(handle, ok, meta, body)`.
fn deliver(ctx: &Ctx<'_>, completion: host::Completion) -> Result<(), ErrorReport> {
    let result = (|| -> Result<(), Error> {
        let complete: Function<'_> = runtime_object(ctx)?.get("complete")?;
        let body = TypedArray::<u8>::new(ctx.clone(), completion.body)?;
        complete.call::<_, ()>((completion.handle, completion.ok, completion.meta, body))
    })();
    result.map_err(|e| describe_error(ctx, e))
}

/// `globalThis.__tntc_runtime`, which the prelude defines.
pub fn runtime_object<'js>(ctx: &Ctx<'js>) -> Result<Object<'js>, Error> {
    let value: Value<'js> = ctx.globals().get("__tntc_runtime")?;
    match value.into_object() {
        Some(object) => Ok(object),
        None => Err(Exception::throw_type(
            ctx,
            "globalThis.__tntc_runtime is missing: the runtime's JavaScript prelude did not \
             define it (guest-runtime/js/)",
        )),
    }
}

/// Describes a failed QuickJS call: the pending exception when there is one, else the
/// Rust-side error (a failed conversion, for instance).
pub fn describe_error(ctx: &Ctx<'_>, error: Error) -> ErrorReport {
    if error.is_exception() {
        describe_value(ctx, ctx.catch())
    } else {
        ErrorReport::new(error.to_string())
    }
}

/// Describes a thrown value. Uses the prelude's `__tntc_runtime.errorJson` when it exists
/// (so the JavaScript side decides how non-`Error` throws read), else reads `message` and
/// `stack` itself.
pub fn describe_value<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> ErrorReport {
    if let Some(report) = describe_with_prelude(ctx, &value) {
        return report;
    }
    if let Some(object) = value.as_object() {
        let message = object.get::<_, Option<String>>("message").ok().flatten();
        let stack = object.get::<_, Option<String>>("stack").ok().flatten();
        if let Some(message) = message {
            return ErrorReport {
                message,
                stack: stack.filter(|s| !s.is_empty()),
            };
        }
    }
    let message = javy_plugin_api::javy::val_to_string(ctx, value)
        .unwrap_or_else(|_| "a value that cannot be converted to a string was thrown".into());
    ErrorReport::new(message)
}

fn describe_with_prelude<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> Option<ErrorReport> {
    let runtime = runtime_object(ctx).ok();
    let Some(runtime) = runtime else {
        // `runtime_object` threw a TypeError; do not let it mask the value being described.
        let _ = ctx.catch();
        return None;
    };
    let error_json: Function<'js> = match runtime.get::<_, Option<Function<'js>>>("errorJson") {
        Ok(Some(function)) => function,
        _ => {
            let _ = ctx.catch();
            return None;
        }
    };
    match error_json.call::<_, String>((value.clone(),)) {
        Ok(json) => parse_error_json(ctx, json),
        Err(_) => {
            let _ = ctx.catch();
            None
        }
    }
}

/// Reads back `{"message": string, "stack"?: string}` as produced by `errorJson`, going
/// through QuickJS's own JSON parser to keep the runtime small.
fn parse_error_json<'js>(ctx: &Ctx<'js>, json: String) -> Option<ErrorReport> {
    let Ok(value) = ctx.json_parse(json) else {
        let _ = ctx.catch();
        return None;
    };
    let object = value.as_object()?;
    let message = object.get::<_, Option<String>>("message").ok().flatten()?;
    let stack = object.get::<_, Option<String>>("stack").ok().flatten();
    Some(ErrorReport {
        message,
        stack: stack.filter(|s| !s.is_empty()),
    })
}

/// Appends `value` as a JSON string literal.
pub fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
