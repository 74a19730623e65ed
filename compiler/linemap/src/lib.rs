//! `tntc-linemap` — maps a node's emitted JavaScript positions back to its TypeScript.
//!
//! The compiler bundles each node's TypeScript into one JavaScript module and compiles that
//! to QuickJS bytecode. When the node throws, QuickJS reports positions in that emitted
//! JavaScript (`at run (nodes/fetch.bundle.js:12:5)`). This crate owns the small piece of
//! data that turns those back into `nodes/fetch.ts:7:9`, and nothing else: it depends on
//! serde only, so the host (which runs in the pod and must never link swc or the compiler)
//! can use it next to the compiler that produces it.
//!
//! - [`LineMap`] is the serialized map: the emitted file name, the source list and Source
//!   Map v3 `mappings` with redundant segments dropped (a few bytes per emitted line).
//!   [`LineMapBuilder`] produces it; [`LineMap::lookup`] and [`LineMap::rewrite_stack`]
//!   consume it ([`LineMap::decode`] once for many lookups).
//!
//! The `tntc-node` custom section that carries a [`LineMap`] inside every node module is
//! the ABI's (`tntc_abi::NodeSection`).
//!
//! Positions handed in and out are 1-based lines and columns, like QuickJS and editors print
//! them. Emitted columns count UTF-16 units (what the code generator tracks); source columns
//! count characters. For ASCII code, which node code almost always is, they coincide.

mod map;
mod stack;
mod vlq;

pub use map::{DecodedLineMap, LineMap, LineMapBuilder, LineMapError, SourcePosition};
