//! `tntc-host` is the in-pod engine: **bundle -> host -> sandbox -> result**.
//!
//! The host loads a built workflow bundle, resolves the workflow's secrets, runs the DAG
//! by giving every node run a fresh wasm sandbox (`tntc-sandbox`) whose only way out is
//! the capability-scoped `fetch` of `tntc-fetch`, and serves the engine's HTTP API. It
//! never links the compiler.
//!
//! - [`access`]: what each node may reach and see (egress policy, secrets view);
//! - [`deployment`]: a workflow compiled and scoped, whose nodes each run in a fresh sandbox;
//! - [`live`]: what serving runs ([`live::WorkflowRunner`]) and the current deployment,
//!   swapped atomically on reload ([`live::LiveDeployment`]);
//! - [`logs`]: where node log lines go (`[node] INFO message`);
//! - [`secrets`]: the secrets cascade (`--secrets`, `.secrets/`, `.secrets.yaml`,
//!   `/app/secrets`), per-node views and redaction;
//! - [`executor`]: the DAG semantics of the original (stages, retries, fail-fast);
//! - [`json_text`]: JSON from nodes and callers, lone UTF-16 surrogates included;
//! - [`result`]: the `ExecutionResult` JSON;
//! - [`queue`]: queue triggers (NATS subscriptions that run the workflow);
//! - [`server`]: the HTTP API.

pub mod access;
pub mod deployment;
pub mod executor;
pub mod json_text;
pub mod live;
pub mod logs;
pub mod queue;
pub mod result;
mod run_host;
pub mod secrets;
pub mod server;
