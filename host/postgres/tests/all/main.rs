//! `tntc-postgres` against a real PostgreSQL server (`tntc-pg-testkit`): types, isolation
//! between runs, errors, and refusals before any connection.

mod errors;
mod isolation;
mod support;
mod tls;
mod types;
