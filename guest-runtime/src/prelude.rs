//! The JavaScript prelude (`guest-runtime/js/*.js`, owned by the js side): Web APIs, the
//! node `ctx`, and `globalThis.__tntc_runtime`. Embedded at build time by `build.rs`.

use crate::driver;
use javy_plugin_api::javy::quickjs::{Ctx, Value, context::EvalOptions};

include!(concat!(env!("OUT_DIR"), "/prelude.rs"));

/// Evaluates every prelude file, in order, as a classic (global, strict-by-choice) script
/// whose file name appears in stack traces.
pub fn evaluate(ctx: &Ctx<'_>) -> Result<(), String> {
    for (name, source) in PRELUDE {
        let mut options = EvalOptions::default();
        options.global = true;
        options.strict = false;
        options.filename = Some((*name).to_string());
        ctx.eval_with_options::<Value<'_>, _>(*source, options)
            .map_err(|e| {
                let report = driver::describe_error(ctx, e);
                format!("prelude file {name}: {}", report.to_text())
            })?;
    }
    Ok(())
}
