//! Integration tests of the host with real compiled nodes: TypeScript compiled by
//! tntc-compiler, run in the real sandbox, fetching from real local servers, served by the
//! real HTTP API.

mod api;
mod api_server;
mod conformance;
mod escape_host;
mod escape_limits;
mod escape_network;
mod escape_secrets;
mod escape_state;
mod examples;
mod executor;
mod external_programs;
mod postgres;
mod postgres_examples;
mod queue;
mod servers;
mod support;
mod waiters;
