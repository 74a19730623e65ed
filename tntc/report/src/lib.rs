//! The data `tntc -o json` prints: one module per command, each with the `Serialize` +
//! `Deserialize` structs of the document that command writes on stdout. Scripts and
//! `bench/` deserialize these instead of indexing untyped JSON (as `nextest-metadata` is
//! for cargo-nextest's machine-readable output).
//!
//! The CLI builds these structs and prints them with `serde_json::to_string_pretty`, so a
//! field's order here is its order in the document, an `Option` without
//! `skip_serializing_if` is printed as `null`, and one with it is left out. The shapes are
//! pinned byte for byte by the snapshots of `tntc/tests/all/json_output.rs`.
//!
//! | command | document |
//! |---|---|
//! | `tntc validate` | [`validate::Report`] |
//! | `tntc visualize` | [`visualize::Report`] |
//! | `tntc build` | [`build::Report`] |
//! | `tntc run` | `tntc_host::result::ExecutionResult` (the host's own type, as `/run` answers) |
//! | `tntc test`, `tntc test --pipeline` | [`test::Report`] |
//! | `tntc bench` | [`bench::Report`] |
//! | `tntc secrets check` | [`secrets::check::Report`], or [`secrets::check::LoadFailure`] |
//! | `tntc secrets init` | [`secrets::init::Report`] |
//! | `tntc configure` | [`configure::Report`], or [`configure::ConfigFailure`] |
//! | `tntc init` | [`init::Report`] |
//! | `tntc image build` | [`image::Report`] |
//! | any command that fails | [`error::ErrorReport`] |
//!
//! Only `serde` and `serde_json` (for the values a workflow's nodes produce, which have no
//! schema): a script that reads these documents links nothing of tntc itself.

pub mod bench;
pub mod build;
pub mod configure;
pub mod error;
pub mod image;
pub mod init;
pub mod secrets;
pub mod test;
pub mod validate;
pub mod visualize;
