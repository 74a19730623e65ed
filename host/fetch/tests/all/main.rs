//! Integration tests for tntc-fetch: real servers on 127.0.0.1, a stub resolver for
//! addresses that must never be contacted, and a connector that records every attempt.

mod addresses;
mod concurrency;
mod egress;
mod limits;
mod redirects;
mod support;
mod tls;
