//! `tntc completions <shell>`: a completion script for the whole command line.

use std::process::ExitCode;

use crate::errors::CliResult;

/// `tntc completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

impl CompletionsArgs {
    /// Prints the script for `command` (the whole grammar: the caller passes it, so that
    /// this module does not depend on the one that lists every command).
    pub fn execute(self, mut command: clap::Command) -> CliResult {
        clap_complete::generate(self.shell, &mut command, "tntc", &mut std::io::stdout());
        Ok(ExitCode::SUCCESS)
    }
}
