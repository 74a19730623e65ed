//! `tntc secrets check|init`: what a workflow needs from its secrets.
//!
//! A workflow needs a secret in two ways. A contract dependency names one with
//! `auth.secret: <service>.<key>` (the host hands its value to the node as
//! `ctx.dependency(name).secret`); those are *references*, and a missing one is an error.
//! Legacy `ctx.fetch("<service>", ...)` calls send `secrets[service].token` and
//! `.api_key` as auth headers when present; the services they name are read from the node
//! code (as `tntc build` does) and reported, but nothing requires them.

pub mod check;
pub mod init;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tntc_spec::Checked;

use crate::errors::CliResult;
use crate::output::Printer;

/// `tntc secrets`.
#[derive(Debug, clap::Args)]
pub struct SecretsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SecretsCommand,
}

/// `tntc secrets ...`.
#[derive(Debug, clap::Subcommand)]
pub enum SecretsCommand {
    /// Report every secret the contract references: present, empty or missing, and from
    /// which file. Never prints a value (only its length).
    ///
    /// A referenced secret is a dependency's `auth.secret: <service>.<key>`. Also lists the
    /// services legacy `ctx.fetch("<service>", ...)` calls use (their token/api_key become
    /// auth headers) and services no dependency references. Exits 1 when a referenced secret
    /// is missing or empty, or a secrets file is broken (reported with file:line:column).
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check {
        /// Workflow directory, or its workflow.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,

        /// Check this YAML file or directory instead of .secrets/ and .secrets.yaml, as
        /// `tntc-host --secrets` would read it.
        #[arg(long, value_name = "PATH")]
        secrets: Option<PathBuf>,
    },

    /// Write .secrets.yaml with an empty value for every referenced secret, mode 0600, and
    /// make sure .gitignore lists .secrets.yaml and .secrets/.
    ///
    /// Services already provided by .secrets/ are left out (an entry in .secrets.yaml would
    /// replace the whole service). Refuses to touch an existing .secrets.yaml unless --force.
    #[command(after_long_help = INIT_EXAMPLES)]
    Init {
        /// Workflow directory, or its workflow.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,

        /// Rewrite an existing .secrets.yaml: every value it has is kept (also of services no
        /// dependency references), missing keys are added empty; comments are not kept.
        #[arg(long)]
        force: bool,
    },
}

impl SecretsArgs {
    /// Runs `check` or `init`.
    pub fn execute(self, out: &Printer) -> CliResult {
        match self.command {
            SecretsCommand::Check { dir, secrets } => check::run(out, &dir, secrets),
            SecretsCommand::Init { dir, force } => init::run(out, &dir, force),
        }
    }
}

const CHECK_EXAMPLES: &str = "Examples:
  tntc secrets check                          # the workflow in the current directory
  tntc secrets check my-flow --secrets prod/  # what tntc-host --secrets prod/ would see
  tntc secrets check -o json | jq '.references[] | select(.status != \"ok\")'";

const INIT_EXAMPLES: &str = "Examples:
  tntc secrets init my-flow          # then fill in my-flow/.secrets.yaml
  tntc secrets init my-flow --force  # after adding a dependency: adds its key, keeps the rest";

/// A secret the contract references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The service (`github` in `github.token`).
    pub service: String,
    /// The key (`token`).
    pub key: String,
    /// The dependencies that reference it, with their `auth.type`.
    pub dependencies: Vec<(String, String)>,
}

impl Reference {
    /// `service.key`.
    pub fn name(&self) -> String {
        format!("{}.{}", self.service, self.key)
    }

    /// `github-api (bearer-token), ...` for people.
    pub fn used_by(&self) -> String {
        self.dependencies
            .iter()
            .map(|(name, kind)| format!("{name} ({kind})"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a workflow needs from its secrets.
#[derive(Clone, Debug, Default)]
pub struct Needs {
    /// Referenced secrets, sorted by service, then key.
    pub references: Vec<Reference>,
    /// Services of legacy `ctx.fetch("<service>", ...)` calls, with the nodes making them.
    pub legacy: BTreeMap<String, Vec<String>>,
    /// Nodes whose use of secrets is not fully known, and why.
    pub unknown: Vec<(String, String)>,
}

impl Needs {
    /// Reads the contract and every node's code.
    pub fn of(dir: &Path, checked: &Checked) -> Needs {
        let mut references: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
        let dependencies = checked
            .workflow
            .contract
            .iter()
            .flat_map(|c| c.dependencies.iter());
        for dep in dependencies {
            if let Some(auth) = &dep.auth
                && let Some(secret) = &auth.secret
            {
                references
                    .entry((secret.service.clone(), secret.key.clone()))
                    .or_default()
                    .push((dep.name.clone(), auth.kind.clone()));
            }
        }
        let mut needs = Needs {
            references: references
                .into_iter()
                .map(|((service, key), dependencies)| Reference {
                    service,
                    key,
                    dependencies,
                })
                .collect(),
            ..Needs::default()
        };
        for node in &checked.workflow.nodes {
            match tntc_compiler::compile_node(dir, &node.id, Path::new(&node.path)) {
                Ok(compiled) => {
                    for service in &compiled.dependency_use.legacy_services {
                        needs
                            .legacy
                            .entry(service.clone())
                            .or_default()
                            .push(node.id.clone());
                    }
                    if let Some(at) = compiled.dependency_use.dynamic.first() {
                        needs.unknown.push((
                            node.id.clone(),
                            format!("it names a dependency or ctx.fetch service with a non-literal expression ({at})"),
                        ));
                    }
                }
                Err(_) => needs.unknown.push((
                    node.id.clone(),
                    "its code does not compile, so its ctx.fetch calls are unknown (`tntc build` shows why)".to_owned(),
                )),
            }
        }
        needs
    }
}
