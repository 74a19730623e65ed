//! `tntc-abi`: the contract between the tntc host and the guest runtime, as Rust.
//!
//! `wit/node.wit` states the boundary; this crate is its one Rust definition, shared by
//! everyone on either side of it who is not the guest itself: the compiler (which emits
//! node modules), the sandbox (which checks and runs them), the host and `tntc test`
//! (which build invocations and read guest errors). It depends on neither wasmtime nor
//! swc, so the pod's host and the build tools link the same definitions.
//!
//! - [`node_module`]: the names a node module imports and exports (`tntc-runtime.*`,
//!   `load`); [`glue`]: the module the compiler emits around a node's bytecode, and how
//!   the sandbox recognises it;
//! - [`section`]: the `tntc-node` custom section ([`NodeSection`]);
//! - [`runtime`]: the runtime module's host import module and export names;
//! - [`invocation`]: the JSON a node run receives ([`Invocation`], [`DependencyView`]);
//! - [`guest_error`]: the JSON error every runtime export returns ([`GuestError`]);
//! - [`fetch`]: the JSON of the `fetch` import's request and of its completion;
//! - [`postgres`]: the JSON of the `pg-connect`, `pg-query` and `pg-end` imports and
//!   their completions;
//! - [`layout`]: where canonical-ABI results sit in linear memory (return areas).
//!
//! `host/sandbox/tests/all/wit_drift.rs` checks the names and signatures against the built
//! runtime and `wit/node.wit`; this crate's `tests/all` checks the JSON shapes against the
//! shapes `wit/node.wit` documents.

pub mod fetch;
pub mod glue;
pub mod guest_error;
pub mod invocation;
pub mod layout;
pub mod postgres;
pub mod section;

pub use guest_error::GuestError;
pub use invocation::{DependencyView, Invocation, Mode};
pub use section::{NODE_SECTION, NodeSection, SectionError};

/// What a node module imports and exports (the `node` world of `wit/node.wit`, plus the
/// core imports WIT cannot express).
pub mod node_module {
    /// The module name node modules import the runtime instance's exports from.
    pub const IMPORT_MODULE: &str = "tntc-runtime";
    /// `tntc-runtime.memory`: the runtime's linear memory.
    pub const MEMORY: &str = "memory";
    /// `tntc-runtime.cabi_realloc: (i32, i32, i32, i32) -> i32`.
    pub const REALLOC: &str = "cabi_realloc";
    /// `tntc-runtime.load-node: (i32, i32) -> i32`.
    pub const LOAD_NODE: &str = "load-node";
    /// The node module's one export, `load: () -> i32`.
    pub const LOAD: &str = "load";
}

/// The runtime module's side (the `node-runtime` world of `wit/node.wit`).
pub mod runtime {
    /// The core module name of the host interface the runtime imports.
    pub const HOST_IMPORT_MODULE: &str = "tentacular:node/host";
    /// The exported linear memory.
    pub const MEMORY: &str = "memory";
    /// `cabi_realloc: (i32, i32, i32, i32) -> i32` (added by the Javy plugin API).
    pub const REALLOC: &str = "cabi_realloc";
    /// `compile(source, filename) -> result<list<u8>, string>`: `(i32 x 4) -> i32`.
    pub const COMPILE: &str = "compile";
    /// `load-node(bytecode) -> result<_, string>`: `(i32, i32) -> i32`.
    pub const LOAD_NODE: &str = "load-node";
    /// `run(invocation) -> result<string, string>`: `(i32, i32) -> i32`.
    pub const RUN: &str = "run";
    /// The function wizer pre-initializes the runtime with (kept after the snapshot).
    pub const INITIALIZE: &str = "initialize-runtime";
    /// Each function export the host calls, with its number of i32 parameters; every one
    /// returns one i32 (a pointer to its return area, [`crate::layout`]).
    pub const CALLED_EXPORTS: [(&str, usize); 4] =
        [(REALLOC, 4), (COMPILE, 4), (LOAD_NODE, 2), (RUN, 2)];
}
