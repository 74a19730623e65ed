//! `tntc-host` is the in-pod engine: **bundle -> host -> sandbox -> result**.
//!
//! (Being assembled: the executor and the result format land first.)

pub mod bundle;
pub mod executor;
pub mod result;
pub mod server;
