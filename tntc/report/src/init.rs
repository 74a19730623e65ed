//! `tntc init <name> -o json`.

use serde::{Deserialize, Serialize};

/// The scaffolded workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The workflow's name.
    pub name: String,
    /// The directory created, as given (relative to the current directory).
    pub dir: String,
    /// The files written, relative to `dir`.
    pub files: Vec<String>,
}
