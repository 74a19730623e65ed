//! The document of a command that failed.

use serde::{Deserialize, Serialize};

/// What every command prints on stdout with `-o json` when it fails with an error (its exit
/// status says which kind): `{"error": "<message with its context chain>"}`. Commands with
/// a document of their own for a failure print that instead (`validate` an invalid
/// [`crate::validate::Report`], `secrets check` a [`crate::secrets::check::LoadFailure`],
/// `configure` a [`crate::configure::ConfigFailure`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// The error and its causes, `: `-separated, with any `help:` lines.
    pub error: String,
}
