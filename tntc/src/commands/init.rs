//! `tntc init <name>`: scaffold a workflow that validates (and, with the toolchain, runs).

use std::path::Path;
use std::process::ExitCode;

use tntc_spec::{is_kebab_case, suggest_kebab_case};

use super::write_file;
use crate::errors::{CliResult, usage};
use crate::output::Printer;

/// `tntc init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Workflow name, kebab-case (lowercase letters, digits, single dashes): "my-flow".
    pub name: String,
}

impl InitArgs {
    /// Creates `./<name>/` with the scaffold.
    pub fn execute(self, out: &Printer) -> CliResult {
        init(out, &self.name)
    }
}

/// Files of a new workflow: (path inside the directory, template). `{{name}}` is replaced.
const FILES: &[(&str, &str)] = &[
    (
        "workflow.yaml",
        include_str!("../../templates/init/workflow.yaml"),
    ),
    (
        "nodes/hello.ts",
        include_str!("../../templates/init/nodes/hello.ts"),
    ),
    (
        "tests/fixtures/hello.json",
        include_str!("../../templates/init/tests/fixtures/hello.json"),
    ),
    (
        ".secrets.yaml.example",
        include_str!("../../templates/init/secrets.yaml.example"),
    ),
    (".gitignore", include_str!("../../templates/init/gitignore")),
];

fn init(out: &Printer, name: &str) -> CliResult {
    if !is_kebab_case(name) {
        return usage(format!(
            "invalid workflow name \"{name}\": names are kebab-case (lowercase letters and digits, \
             separated by single dashes, starting with a letter)\n  help: try `tntc init {}`",
            suggest_kebab_case(name)
        ));
    }
    let dir = Path::new(name);
    if dir.exists() {
        return usage(format!(
            "{} already exists; tntc init never overwrites\n  help: pick another name, or remove the directory first",
            dir.display()
        ));
    }
    for (path, template) in FILES {
        write_file(&dir.join(path), &template.replace("{{name}}", name))?;
    }
    if out.json() {
        out.report(&tntc_report::init::Report {
            name: name.to_owned(),
            dir: dir.display().to_string(),
            files: FILES.iter().map(|(p, _)| (*p).to_owned()).collect(),
        });
    } else {
        out.line(format!("Created workflow \"{name}\" in ./{name}/"));
        for (path, _) in FILES {
            out.line(format!("  {path}"));
        }
        out.line(format!(
            "\nNext: tntc validate {name} && tntc visualize {name}"
        ));
    }
    Ok(ExitCode::SUCCESS)
}
