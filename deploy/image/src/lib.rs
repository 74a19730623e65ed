//! `tntc-image`: the container image a workflow's pod runs (`tntc image build`), made
//! without Docker, Buildah or any daemon, as `ko` and `jib` make theirs.
//!
//! - [`elf`]: the host binary must be a static x86-64 Linux executable (no libc in the image).
//! - [`layer`]: reproducible layers: sorted entries, fixed mtimes, uid/gid 0, gzip with fixed
//!   settings, so the same inputs give the same digests.
//! - [`layout`]: the image itself (two layers: the host binary, CA certificates,
//!   `/etc/passwd` with `nobody`, an empty `/tmp`; then the host's compiled runtime cache) as
//!   an OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`).
//! - [`reference`]: `registry/repository:tag` references, Docker Hub's defaults included.
//! - [`auth`]: credentials from `~/.docker/config.json` and the registry's
//!   `WWW-Authenticate` challenge (Basic, or the Bearer token flow).
//! - [`push`]: the OCI distribution client: blobs (HEAD to skip those present, monolithic
//!   upload), then the manifest.
//!
//! The client is written here on hyper (already built for the Kubernetes client, with
//! rustls + ring) rather than taken from `oci-client`, which brings reqwest and its tree
//! (none of it in this workspace's lock file) for the five requests a push needs.

pub mod auth;
pub mod elf;
mod error;
pub mod layer;
pub mod layout;
pub mod push;
pub mod reference;

pub use error::{ImageError, PushError};
