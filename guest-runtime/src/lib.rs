//! The tntc guest runtime: the one QuickJS runtime every node runs in.
//!
//! This crate is a [Javy] plugin compiled to a `wasm32-wasip1` core module. The host
//! (`host/sandbox`) pre-initializes it once with wizer by calling `initialize-runtime`,
//! which creates the QuickJS runtime, installs `globalThis.__tntc_native` (thin wrappers
//! over the host imports, see [`native`]) and evaluates the JavaScript prelude
//! (`guest-runtime/js/*.js`, embedded by `build.rs`, see [`prelude`]). The snapshot taken
//! after that is instantiated fresh for every node run, so nothing a node does survives it.
//!
//! The boundary with the host is `wit/node.wit`, lowered to core wasm with the canonical
//! ABI by hand (no bindings generator: the surface is five imports and three exports):
//! - [`host`] declares the imports of `tentacular:node/host` (`log`, `fetch`, `timer`,
//!   `cancel`, `wait`);
//! - [`exports`] defines `compile`, `load-node` and `run`, returning their results through
//!   a static return area, next to the exports `javy-plugin-api` adds (`cabi_realloc`,
//!   `compile-src`, `invoke`, `memory`);
//! - [`driver`] is the run loop: call `__tntc_runtime.start`, drain QuickJS's job queue,
//!   and while the node's promise is pending hand control to the host's `wait`, delivering
//!   each completion to `__tntc_runtime.complete`.
//!
//! The runtime reaches nothing but the host imports and WASI clocks and random: no files,
//! no environment, no network. WASI `fd_write` (QuickJS or Javy printing to stdout or
//! stderr) goes to the run's log or nowhere, at the host's choice.
//!
//! [Javy]: https://github.com/bytecodealliance/javy

// The ABI glue below is raw pointers by nature; each unsafe block says why it holds.
#![allow(unsafe_code)]

mod driver;
mod exports;
mod host;
mod native;
mod prelude;

use javy_plugin_api::Config;
use javy_plugin_api::javy::{self, Runtime};
use std::cell::OnceCell;

/// The plugin's import namespace, a custom section `import_namespace` (the section comes
/// from `#[link_section]`, not from the static's visibility).
mod namespace {
    // Dynamically linked modules made by Javy's own tooling would import the plugin under
    // this name; tntc's node modules import `tntc-runtime` instead (see `wit/node.wit`), but
    // the plugin API requires a namespace and Javy tools read it.
    javy_plugin_api::import_namespace!("tntc-runtime");
}

thread_local! {
    /// The QuickJS context shared by every export. `javy-plugin-api` keeps its runtime
    /// private, so `initialize-runtime` keeps a handle to the context (reference-counted,
    /// it also keeps the QuickJS runtime alive). The wizer snapshot captures it.
    static CONTEXT: OnceCell<javy::quickjs::Context> = const { OnceCell::new() };
}

/// Garbage collection threshold: QuickJS frees acyclic garbage by reference counting and
/// runs the cycle collector when allocations grow past this. Javy's default (never) would
/// let cyclic garbage fill a node's memory limit.
const GC_THRESHOLD: usize = 8 * 1024 * 1024;

fn config() -> Config {
    let mut config = Config::default();
    config
        // Javy's `invoke` (kept for Javy tooling) drains jobs only with this on.
        .event_loop(true)
        .text_encoding(true)
        .weak_ref(true)
        .performance(true)
        .javy_stream_io(false)
        // QuickJS ignores its stack limit on WASI; see SHADOW_STACK_BYTES in build.rs.
        .gc_threshold(GC_THRESHOLD);
    config
}

fn modify_runtime(runtime: Runtime) -> Runtime {
    let context = runtime.context().clone();
    let installed = context.with(|ctx| -> Result<(), String> {
        native::install_math_random(&ctx)
            .and_then(|()| native::install(&ctx))
            .map_err(|e| driver::describe_error(&ctx, e).message)?;
        prelude::evaluate(&ctx)
    });
    native::forget_random_seed();
    if let Err(message) = installed {
        // Pre-initialization runs once at host start-up; a prelude that does not evaluate
        // is a build defect, and wizer reports the trap with this message on stderr.
        eprintln!("tntc runtime: initialization failed: {message}");
        std::process::abort();
    }
    CONTEXT.with(|cell| {
        // `initialize-runtime` runs once per snapshot; a second call keeps the first context.
        let _ = cell.set(context);
    });
    runtime
}

/// Creates the QuickJS runtime and evaluates the prelude. Wizer calls this once; the
/// snapshot taken afterwards is what every node run starts from.
#[unsafe(export_name = "initialize-runtime")]
pub extern "C" fn initialize_runtime() {
    if let Err(error) = javy_plugin_api::initialize_runtime(config, modify_runtime) {
        eprintln!("tntc runtime: initialization failed: {error}");
        std::process::abort();
    }
}

/// Runs `f` with the initialized QuickJS context, or reports that the module was not
/// pre-initialized (a host that skipped `initialize-runtime`).
fn with_context<R>(
    f: impl FnOnce(&javy::quickjs::Context) -> Result<R, String>,
) -> Result<R, String> {
    CONTEXT.with(|cell| match cell.get() {
        Some(context) => f(context),
        None => Err(
            "the tntc runtime was not initialized: the host must run `initialize-runtime` \
             (wizer) before any other export"
                .to_string(),
        ),
    })
}
