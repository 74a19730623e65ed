//! `tntc`: the workflow author's command line.
//!
//! [`cli`] is the grammar; each command lives in `commands/` with the arguments it owns and
//! an `execute`; this file parses, runs one command and turns its outcome into an exit
//! status ([`errors`] documents them: 0 success, 1 the answer is no, 2 usage, 3 invalid
//! workflow, 4 I/O or environment).

mod building;
mod cli;
mod commands;
mod drift;
mod errors;
mod local;
mod output;
mod settings;
mod yaml_text;

use std::process::ExitCode;

use clap::Parser;

use cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = output::Printer::new(cli.global.output);
    match cli.command.execute(&out) {
        Ok(code) => code,
        Err(err) => {
            out.error(err.error());
            ExitCode::from(err.exit_code())
        }
    }
}
