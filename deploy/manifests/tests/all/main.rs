//! Integration tests of `tntc-manifests`: bundles written by the real bundle writer (with
//! small stand-in modules), rendered, and checked object by object, against the Pod
//! Security Standards checker and against the official schemas (`kubernetes-validate`).

mod cron;
mod gvisor;
mod local_secrets;
mod network;
mod render;
mod schema;
mod support;
