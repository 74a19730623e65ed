//! `tntc completions <shell>`.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;

/// Prints the completion script for `shell` on stdout.
pub fn run(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    clap_complete::generate(shell, &mut Cli::command(), "tntc", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
