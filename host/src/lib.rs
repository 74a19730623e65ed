//! `tntc-host` is the in-pod engine: **bundle -> host -> sandbox -> result**.
//!
//! The host loads a built workflow bundle, resolves the workflow's secrets, runs the DAG
//! by giving every node run a fresh wasm sandbox (`tntc-sandbox`) whose only way out is
//! the capability-scoped `fetch` of `tntc-fetch`, and serves the engine's HTTP API. It
//! never links the compiler.
//!
//! - [`bundle`]: the bundle format `tntc build` writes, verified on open;
//! - [`secrets`]: the secrets cascade (`--secrets`, `.secrets/`, `.secrets.yaml`,
//!   `/app/secrets`), per-node views and redaction;
//! - [`executor`]: the DAG semantics of the original (stages, retries, fail-fast);
//! - [`result`]: the `ExecutionResult` JSON;
//! - [`server`]: the HTTP API.

pub mod bundle;
pub mod executor;
pub mod result;
pub mod secrets;
pub mod server;
