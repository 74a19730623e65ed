//! `tntc-host`: everything the pod runs besides the sandbox itself.
//!
//! The host loads a built workflow bundle, resolves the workflow's secrets, runs the DAG
//! by giving every node run a fresh wasm sandbox (`tntc-sandbox`) whose only way out is
//! the capability-scoped `fetch` of `tntc-fetch`, and serves the engine's HTTP API. It
//! never links the compiler.
//!
//! Modules so far:
//! - [`secrets`]: the secrets cascade (`--secrets`, `.secrets/`, `.secrets.yaml`,
//!   `/app/secrets`), the merged [`secrets::Secrets`] map, per-node views and redaction
//!   of secret values from anything that is logged or returned.

pub mod secrets;
