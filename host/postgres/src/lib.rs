//! `tntc-postgres`: PostgreSQL for sandboxed nodes, as a host capability.
//!
//! A node has no sockets. Its `jsr:@db/postgres` code (tntc's driver, in the guest runtime)
//! calls the host imports `pg-connect`, `pg-query` and `pg-end` (`wit/node.wit`); this
//! crate is what they do. It takes a [`PgPolicy`] (built by the host from the node's
//! `protocol: postgresql` dependencies; this crate does not read workflow.yaml), a
//! [`PgPools`] shared by the process, and the run's deadline.
//!
//! # Least privilege
//! The node supplies SQL and parameters, never a host, port or credentials of its own:
//! [`PgPolicy::select`] matches the `Client` options against the dependencies in the node's
//! scope and refuses, before any connection, options naming another host, port, database or
//! user, saying what the contract allows. The password is always the dependency's
//! `auth.secret`; whatever password the node passes is ignored. Addresses follow the
//! classes of `tntc-fetch`: metadata, link-local and other special blocks are refused, and
//! loopback only for a declared IP literal or `localhost`.
//!
//! # Sessions and isolation
//! tokio-postgres on the host's tokio; TLS with rustls + ring per the dependency's
//! `sslmode` (default `prefer`: TLS when the server offers it; see [`SslMode`]). A small
//! pool per dependency keeps authenticated connections for later runs, and every
//! connection is reset with `ROLLBACK` + `DISCARD ALL` before it is kept, so nothing of one
//! run's session (temporary tables, settings, prepared statements) is seen by another.
//!
//! # Limits
//! Every call is bounded by the run's deadline; a result larger than
//! [`PgConfig::max_result_bytes`] fails the query (never truncated); at most
//! [`PgConfig::max_sessions_per_run`] sessions per run.
//!
//! # Values
//! Parameters travel as text and the server infers their types (see `values`); results
//! come back typed, as JSON the guest decodes per column kind.

mod connect;
mod error;
mod policy;
mod pool;
mod session;
mod sql;
mod tls;
mod values;

pub use error::CallError;
pub use policy::{PgPolicy, PgTarget, Refused, SslMode};
pub use pool::{PgConfig, PgPools};
pub use session::{BoxFuture, RunSessions};
