//! `tntc`: the workflow author's command line.
//!
//! Each subcommand lives in `commands/`; this file parses arguments, runs one command and
//! turns its outcome into an exit code: 0 success, 1 the command failed (invalid workflow,
//! I/O error, ...), 2 the command line itself was wrong (clap).

mod cli;
mod commands;
mod drift;
mod local;
mod output;
mod pipeline;
mod settings;
mod yaml_text;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, SecretsCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = output::Printer::new(cli.global.output);
    if cli.global.output == cli::OutputFormat::Yaml && !matches!(cli.command, Command::Deploy(_)) {
        eprintln!(
            "error: -o yaml is only for `tntc deploy --dry-run`, which prints Kubernetes objects\n  help: use -o json (or -o text) with this command"
        );
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Init { name } => commands::init::run(&out, &name),
        Command::Validate { dir } => commands::validate::run(&out, &dir),
        Command::Visualize { dir, format } => commands::visualize::run(&out, &dir, format),
        Command::Build { dir, out: dest } => commands::build::run(&out, &dir, dest),
        Command::Run(args) => args.execute(&out),
        Command::Status(args) => args.execute(&out),
        Command::Logs(args) => args.execute(&out),
        Command::List(args) => args.execute(&out),
        Command::Undeploy(args) => args.execute(&out),
        Command::Cluster(args) => args.execute(&out),
        Command::Dev {
            dir,
            port,
            listen,
            local,
        } => commands::dev::run(
            &out,
            &dir,
            std::net::SocketAddr::new(listen, port),
            &local.options(),
        ),
        Command::Test {
            target,
            pipeline,
            verbose,
        } => commands::test::run(&out, &target, pipeline, verbose),
        Command::Bench(args) => commands::bench::run(&out, &args),
        Command::Completions { shell } => commands::completions::run(shell),
        Command::Secrets { command } => match command {
            SecretsCommand::Check { dir, secrets } => {
                commands::secrets::check::run(&out, &dir, secrets)
            }
            SecretsCommand::Init { dir, force } => commands::secrets::init::run(&out, &dir, force),
        },
        Command::Configure(args) => commands::configure::run(&out, &cli.global, &args),
        Command::Deploy(args) => commands::deploy::run(&out, &args, cli.global.registry.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            out.error(&err);
            ExitCode::FAILURE
        }
    }
}
