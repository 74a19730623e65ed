//! Why secrets could not be loaded.

use std::io;
use std::path::PathBuf;

/// Why secrets could not be loaded. Messages name files and positions, never values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// `--secrets` names a path that does not exist.
    #[error("--secrets {}: no such file or directory", .path.display())]
    ExplicitMissing {
        /// The path given.
        path: PathBuf,
    },
    /// A file or directory could not be read.
    #[error("cannot read secrets from {}: {source}", .path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A directory entry is a symlink to nothing.
    #[error("secret {} is a broken symlink; fix or remove it", .path.display())]
    BrokenLink {
        /// The entry.
        path: PathBuf,
    },
    /// A YAML secrets file is not UTF-8.
    #[error("{}: not UTF-8 text; save the secrets file as UTF-8", .path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// A YAML secrets file does not parse.
    #[error("{}:{line}:{column}: invalid YAML: {message}", .path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// A YAML secrets file parses but is not service -> keys.
    #[error("{}:{line}:{column}: {message}", .path.display())]
    Shape {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong and the expected form.
        message: String,
    },
}
