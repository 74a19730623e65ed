//! `tntc configure`: write defaults to a config file, or show the effective settings and
//! where each comes from (the rules live in `settings`).

use std::path::Path;
use std::process::ExitCode;

use tntc_report::configure::{self as report, ConfigFailure, Report, Written};

use super::problem;
use crate::errors::{CliResult, Usage, exit};
use crate::output::Printer;
use crate::settings::{
    self, ConfigError, ConfigFile, Files, Key, Locations, Origin, Overrides, Scope, Settings,
    WorkflowNamespace,
};

/// `tntc configure`.
#[derive(Debug, clap::Args)]
pub struct ConfigureArgs {
    /// Kubernetes namespace of the workflow pods [default: default].
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Container registry for images (`ghcr.io/acme`, `registry.local:5000`).
    #[arg(short = 'r', long, value_name = "REGISTRY")]
    pub registry: Option<String>,

    /// Kubernetes RuntimeClass of the workflow pods [default: gvisor].
    #[arg(long, value_name = "NAME")]
    pub runtime_class: Option<String>,

    /// Write ./.tentacular/config.yaml (this project) instead of ~/.tentacular/config.yaml.
    #[arg(long, conflicts_with = "show")]
    pub project: bool,

    /// Only print the effective settings; -n/-r/--runtime-class then act as overrides, as
    /// they do for the other commands, and nothing is written.
    #[arg(long)]
    pub show: bool,
}

/// `tntc configure --help` examples.
pub const EXAMPLES: &str = "Examples:
  tntc configure -r ghcr.io/acme -n team-a   # defaults for every project (~/.tentacular)
  tntc configure --project -n team-b         # this project only (./.tentacular)
  tntc configure -n \"\"                       # remove the namespace default
  tntc configure                             # what applies here, and where it comes from
  tntc configure --show -n staging -o json   # what `-n staging` would resolve to";

impl ConfigureArgs {
    /// Writes the given values (or shows the settings when there are none, or with `--show`).
    pub fn execute(self, out: &Printer) -> CliResult {
        run(out, &self)
    }
}

fn run(out: &Printer, args: &ConfigureArgs) -> CliResult {
    let given: Vec<(Key, &str)> = [
        (Key::Namespace, &args.namespace),
        (Key::Registry, &args.registry),
        (Key::RuntimeClass, &args.runtime_class),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.as_deref().map(|v| (key, v)))
    .collect();
    let locations = Locations::standard();
    let files = match Files::read(&locations) {
        Ok(files) => files,
        Err(err) => return config_failure(out, err),
    };
    let workflow = workflow_namespace(out);

    if args.show || given.is_empty() {
        let overrides = Overrides {
            namespace: args.namespace.clone(),
            registry: args.registry.clone(),
            runtime_class: args.runtime_class.clone(),
        };
        let effective = settings::resolve(&overrides, workflow.as_ref(), &files);
        if out.json() {
            out.report(&Report {
                written: None,
                settings: settings_report(&effective),
                files: files_report(&locations, &files),
            });
        } else {
            print_settings(out, &effective, &locations, &files);
        }
        return Ok(ExitCode::SUCCESS);
    }

    for (key, value) in &given {
        if !value.is_empty() {
            key.check(value)
                .map_err(|why| anyhow::Error::new(Usage(format!("{} {why}", key.flag()))))?;
        }
    }
    let scope = if args.project {
        Scope::Project
    } else {
        Scope::User
    };
    let path = locations.path(scope).ok_or_else(|| {
        anyhow::anyhow!(
            "cannot find your home directory for ~/.tentacular/config.yaml\n  help: set HOME, or write the project file with --project"
        )
    })?;
    let file = files
        .get(scope)
        .cloned()
        .unwrap_or_else(|| ConfigFile::empty(path));
    let changes: Vec<(Key, Option<String>)> = given
        .iter()
        .map(|(key, value)| (*key, (!value.is_empty()).then(|| (*value).to_owned())))
        .collect();
    settings::write(path, &file.with_changes(&changes))?;

    let files = match Files::read(&locations) {
        Ok(files) => files,
        Err(err) => return config_failure(out, err),
    };
    let effective = settings::resolve(&Overrides::default(), workflow.as_ref(), &files);
    if out.json() {
        let mut set = report::Values::default();
        for (key, value) in &changes {
            let slot = match key {
                Key::Namespace => &mut set.namespace,
                Key::Registry => &mut set.registry,
                Key::RuntimeClass => &mut set.runtime_class,
            };
            slot.clone_from(value);
        }
        let removed = changes
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| key_report(*k))
            .collect();
        out.report(&Report {
            written: Some(Written {
                file: path.display().to_string(),
                scope: scope_report(scope),
                set,
                removed,
            }),
            settings: settings_report(&effective),
            files: files_report(&locations, &files),
        });
    } else {
        out.line(format!("Wrote {} ({} file):", path.display(), scope.name()));
        for (key, value) in &changes {
            let shown = value.as_deref().unwrap_or("(removed)");
            out.line(format!("  {:<14} {shown}", key.name()));
        }
        out.line("");
        print_settings(out, &effective, &locations, &files);
    }
    Ok(ExitCode::SUCCESS)
}

/// `deployment.namespace` of `./workflow.yaml`, when the current directory is a workflow.
fn workflow_namespace(out: &Printer) -> Option<WorkflowNamespace> {
    if !Path::new(tntc_spec::WORKFLOW_FILE).is_file() {
        return None;
    }
    match tntc_spec::load(Path::new(".")) {
        Ok(loaded) => match loaded.result {
            Ok(checked) => {
                checked
                    .workflow
                    .deployment
                    .namespace
                    .map(|namespace| WorkflowNamespace {
                        namespace,
                        file: loaded.source.name().to_path_buf(),
                    })
            }
            Err(_) => {
                out.note(
                    "warning: ./workflow.yaml is invalid, so its deployment.namespace is left out\n  = help: `tntc validate` shows why",
                );
                None
            }
        },
        Err(err) => {
            out.note(format!(
                "warning: {err}; its deployment.namespace is left out"
            ));
            None
        }
    }
}

/// Reports a config file that cannot be used: every positioned problem, then the error.
fn config_failure(out: &Printer, err: ConfigError) -> CliResult {
    let ConfigError::Invalid { file, diagnostics } = &err else {
        return Err(err.into());
    };
    if out.json() {
        out.report(&ConfigFailure {
            error: err.to_string(),
            errors: diagnostics
                .iter()
                .map(|d| problem(d.report(file)))
                .collect(),
        });
        return Ok(ExitCode::from(exit::IO));
    }
    out.diagnostics(file, diagnostics);
    Err(err.into())
}

fn print_settings(out: &Printer, effective: &Settings, locations: &Locations, files: &Files) {
    out.line("Effective settings:");
    for key in Key::ALL {
        let line = match effective.get(key) {
            Some(resolved) => format!(
                "  {:<14} {:<24} {}",
                key.name(),
                resolved.value,
                origin_text(&resolved.origin, key)
            ),
            None => format!(
                "  {:<14} {:<24} set it with `tntc configure {} <value>`",
                key.name(),
                "(not set)",
                key.long_flag()
            ),
        };
        out.line(line.trim_end());
    }
    out.line("");
    out.line("Config files:");
    for scope in [Scope::Project, Scope::User] {
        let (path, state) = match locations.path(scope) {
            Some(path) => (
                path.display().to_string(),
                if files.get(scope).is_some() {
                    ""
                } else {
                    "(not found)"
                },
            ),
            None => (
                "~/.tentacular/config.yaml".to_owned(),
                "(no home directory)",
            ),
        };
        out.line(format!("  {:<8} {path} {state}", scope.name()).trim_end());
    }
    out.line("");
    out.line(
        "Precedence: flag > workflow.yaml deployment.namespace (namespace only) > project file > user file > default",
    );
}

fn origin_text(origin: &Origin, key: Key) -> String {
    match origin {
        Origin::Flag => format!("flag {}", key.flag()),
        Origin::Workflow(file) => format!("deployment.namespace in {}", file.display()),
        Origin::File(scope, file) => format!("{} file {}", scope.name(), file.display()),
        Origin::Default => "default".to_owned(),
    }
}

fn settings_report(effective: &Settings) -> report::Settings {
    let one = |key: Key| match effective.get(key) {
        Some(r) => report::Setting {
            value: Some(r.value.clone()),
            source: Some(match &r.origin {
                Origin::Flag => report::Source::Flag,
                Origin::Workflow(_) => report::Source::Workflow,
                Origin::File(Scope::Project, _) => report::Source::Project,
                Origin::File(Scope::User, _) => report::Source::User,
                Origin::Default => report::Source::Default,
            }),
            file: r.origin.file().map(|f| f.display().to_string()),
        },
        None => report::Setting {
            value: None,
            source: None,
            file: None,
        },
    };
    report::Settings {
        namespace: one(Key::Namespace),
        registry: one(Key::Registry),
        runtime_class: one(Key::RuntimeClass),
    }
}

fn files_report(locations: &Locations, files: &Files) -> report::Files {
    let one = |scope: Scope| report::File {
        path: locations.path(scope).map(|p| p.display().to_string()),
        exists: files.get(scope).is_some(),
    };
    report::Files {
        project: one(Scope::Project),
        user: one(Scope::User),
    }
}

fn key_report(key: Key) -> report::Key {
    match key {
        Key::Namespace => report::Key::Namespace,
        Key::Registry => report::Key::Registry,
        Key::RuntimeClass => report::Key::RuntimeClass,
    }
}

fn scope_report(scope: Scope) -> report::Scope {
    match scope {
        Scope::Project => report::Scope::Project,
        Scope::User => report::Scope::User,
    }
}
