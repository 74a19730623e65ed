//! Integration tests of the node compiler: real files on disk, bundles run in QuickJS-ng,
//! node modules checked with wasmparser.

mod bundling;
mod dependencies;
mod errors;
mod line_map;
mod node_module;
mod support;
mod transpile;
