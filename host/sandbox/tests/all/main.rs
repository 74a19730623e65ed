//! Integration tests of `tntc-sandbox` with the real guest runtime: node modules are
//! compiled with `Sandbox::compile_js` and wrapped by `support::node_module`, a minimal
//! copy of what the compiler emits.

mod abi;
mod async_ops;
mod cache;
mod limits;
mod runs;
mod slots;
mod support;
mod wit_drift;
