//! The errors of building and pushing an image: what failed, where, and how to fix it.

use std::path::PathBuf;

/// Building the image layout failed.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The host binary cannot go into the image as it is.
    #[error("{path} cannot run in the image: {reason}\n  help: {help}")]
    UnfitBinary {
        /// The binary.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
        /// How to build the right one.
        help: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The layout could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An existing layout directory is not one this tool wrote.
    #[error(
        "{path} exists and is not an OCI image layout\n  help: choose another --out, or remove it"
    )]
    NotALayout {
        /// The directory.
        path: PathBuf,
    },
    /// A layout to push could not be read back.
    #[error("{path} is not a readable OCI image layout: {reason}")]
    BadLayout {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Pushing the image to a registry failed.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The image reference does not parse.
    #[error("invalid image reference {reference:?}: {reason}")]
    Reference {
        /// The reference as given.
        reference: String,
        /// What is wrong.
        reason: String,
    },
    /// Plain http was asked for a registry that is not on this machine.
    #[error(
        "--insecure-registry sends credentials and the image in clear text; it is allowed only for a registry on loopback, not {registry}\n  help: serve {registry} over https"
    )]
    InsecureNotLoopback {
        /// The registry.
        registry: String,
    },
    /// The Docker config file could not be read.
    #[error("cannot read the registry credentials in {path}: {reason}")]
    Credentials {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The registry could not be reached.
    #[error("cannot reach the registry {registry} ({url}): {reason}")]
    Unreachable {
        /// The registry.
        registry: String,
        /// The request's URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The registry refused the credentials, or there were none.
    #[error("the registry {registry} refused {what}\n  help: {help}")]
    Unauthorized {
        /// The registry.
        registry: String,
        /// "the credentials of <file>" or "an anonymous push".
        what: String,
        /// What to do.
        help: String,
    },
    /// The registry answered something the protocol does not allow here.
    #[error("the registry {registry} answered {status} to {operation}: {body}")]
    Protocol {
        /// The registry.
        registry: String,
        /// What was being done, e.g. "PUT of the manifest".
        operation: String,
        /// The HTTP status.
        status: u16,
        /// The start of the answer's body.
        body: String,
    },
    /// The layout to push could not be read.
    #[error(transparent)]
    Layout(#[from] ImageError),
}
