//! How a command fails, and what its exit status tells a script.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success (also `tntc test` with nothing to test) |
//! | 1 | the command ran and the answer is no: a node failed (`run`), a fixture failed or drifted from the contract (`test`), a referenced secret is missing or empty (`secrets check`), a benchmark run failed (`bench`) |
//! | 2 | usage: the command line is wrong (unknown flag, missing argument), or a value in it is (`--input` that is not JSON, `--runs 0`, a node the workflow does not have) |
//! | 3 | the workflow is invalid: workflow.yaml has errors, or a node does not compile |
//! | 4 | I/O or environment: a file or directory cannot be read or written, a port is taken, the sandbox or a runtime cannot start |
//! | 5 | remote: a cluster or registry refused a request or cannot be reached |
//!
//! Commands return [`CliError`]; inside, they use `anyhow` with context and mark the cause
//! where it is known ([`Failed`], [`Usage`], [`InvalidWorkflow`], [`Remote`]); anything
//! unmarked is I/O or environment.

use std::process::ExitCode;

/// Exit statuses (see the module docs).
pub mod exit {
    /// The command ran and the answer is no.
    pub const FAILED: u8 = 1;
    /// The command line, or a value in it, is wrong.
    pub const USAGE: u8 = 2;
    /// The workflow is invalid or does not compile.
    pub const INVALID_WORKFLOW: u8 = 3;
    /// A file, directory, port or runtime is not usable.
    pub const IO: u8 = 4;
    /// A cluster or registry refused or cannot be reached.
    pub const REMOTE: u8 = 5;
}

/// What a command returns.
pub type CliResult = Result<ExitCode, CliError>;

/// The status of a command that ran and said no.
pub fn failed() -> ExitCode {
    ExitCode::from(exit::FAILED)
}

/// A command's failure: the error to print and the exit status it maps to.
#[derive(Debug)]
pub struct CliError {
    error: anyhow::Error,
}

impl CliError {
    /// The error, with its context chain.
    pub fn error(&self) -> &anyhow::Error {
        &self.error
    }

    /// The exit status: from the marker the error carries (as itself, as a context, or as
    /// a source in its chain), else I/O.
    pub fn exit_code(&self) -> u8 {
        fn marked<M: std::error::Error + Send + Sync + 'static>(error: &anyhow::Error) -> bool {
            // `downcast_ref` sees contexts too; the chain sees sources of typed errors.
            error.downcast_ref::<M>().is_some() || error.chain().any(|cause| cause.is::<M>())
        }
        if marked::<Failed>(&self.error) {
            exit::FAILED
        } else if marked::<Usage>(&self.error) {
            exit::USAGE
        } else if marked::<InvalidWorkflow>(&self.error) {
            exit::INVALID_WORKFLOW
        } else if marked::<Remote>(&self.error) {
            exit::REMOTE
        } else {
            exit::IO
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for CliError {
    fn from(error: E) -> Self {
        CliError {
            error: error.into(),
        }
    }
}

/// The command ran and the answer is no, and the error says why (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Failed(pub String);

/// A value on the command line is wrong (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// The workflow is invalid or a node does not compile (exit 3); the diagnostics were
/// printed, this is the summary line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidWorkflow(pub String);

/// A cluster or registry refused a request or cannot be reached (exit 5).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Remote(pub String);

/// `Err` of a [`Usage`] error.
pub fn usage<T>(message: impl Into<String>) -> Result<T, CliError> {
    Err(anyhow::Error::new(Usage(message.into())).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn a_marker_anywhere_in_the_chain_picks_the_exit_code() {
        let marked: anyhow::Result<()> = Err(anyhow::Error::new(InvalidWorkflow("x".into())));
        let error = CliError::from(marked.context("while building").unwrap_err());
        assert_eq!(error.exit_code(), exit::INVALID_WORKFLOW);
        assert_eq!(CliError::from(Usage("y".into())).exit_code(), exit::USAGE);
        assert_eq!(CliError::from(Failed("w".into())).exit_code(), exit::FAILED);
        assert_eq!(CliError::from(Remote("z".into())).exit_code(), exit::REMOTE);
    }

    #[test]
    fn a_marker_given_as_context_picks_the_exit_code() {
        let error = anyhow::Error::new(std::io::Error::other("bad yaml"))
            .context(Failed("cannot load".into()))
            .context("while checking");
        assert_eq!(CliError::from(error).exit_code(), exit::FAILED);
    }

    #[test]
    fn an_unmarked_error_is_io() {
        let error = CliError::from(std::io::Error::other("disk full"));
        assert_eq!(error.exit_code(), exit::IO);
    }
}
