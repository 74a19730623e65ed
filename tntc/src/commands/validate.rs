//! `tntc validate [dir]`: the workflow.yaml, then its nodes' code.
//!
//! Once the spec is valid, every node's TypeScript goes through the compiler's front end
//! (parse, import and sandbox checks; no bytecode, no sandbox): its compile errors are
//! validation errors, and so is contract drift in its code, a `ctx.dependency("<name>")`
//! whose name the node would not get at run time ([`crate::drift`]), and a node importing
//! `jsr:@db/postgres` whose scope holds no postgresql dependency.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tntc_compiler::{CompileError, Location, compile_workflow};
use tntc_report::validate::{Problem, Report, Severity};
use tntc_spec::{Checked, Diagnostic, Loaded, SourceFile, Span, diagnostic};

use super::{invalid, load, problem};
use crate::drift::{self, Drift};
use crate::errors::{CliResult, InvalidWorkflow, exit};
use crate::output::{Printer, count};

/// `tntc validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Workflow directory, or its workflow.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

impl ValidateArgs {
    /// Validates the workflow; exit 3 when invalid.
    pub fn execute(self, out: &Printer) -> CliResult {
        validate(out, &self.dir)
    }
}

fn validate(out: &Printer, dir: &Path) -> CliResult {
    let loaded = match load(out, dir) {
        Ok(loaded) => loaded,
        // Scripts get the documented shape even when there is no file to read.
        Err(err) if out.json() => {
            out.report(&Report {
                valid: false,
                name: None,
                version: None,
                errors: vec![Problem {
                    severity: Severity::Error,
                    message: format!("{err:#}"),
                    file: dir.display().to_string(),
                    line: None,
                    column: None,
                    path: String::new(),
                    hint: None,
                }],
                warnings: Vec::new(),
                stages: None,
            });
            return Ok(ExitCode::from(exit::IO));
        }
        Err(err) => return Err(err.into()),
    };
    match loaded {
        Ok((loaded, checked)) => {
            let problems = code_problems(&loaded, &checked, out.color());
            let errors = problems.iter().filter(|p| p.error).count();
            if out.json() {
                let (code_errors, code_warnings): (Vec<_>, Vec<_>) =
                    problems.iter().partition(|p| p.error);
                let mut warnings: Vec<Problem> = checked
                    .warnings
                    .iter()
                    .map(|d| problem(d.report(&loaded.source)))
                    .collect();
                warnings.extend(code_warnings.iter().map(|p| p.report.clone()));
                out.report(&Report {
                    valid: errors == 0,
                    name: Some(checked.workflow.name.clone()),
                    version: Some(checked.workflow.version.clone()),
                    errors: code_errors.iter().map(|p| p.report.clone()).collect(),
                    warnings,
                    stages: (errors == 0).then(|| checked.dag.stages.clone()),
                });
                return Ok(if errors == 0 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(exit::INVALID_WORKFLOW)
                });
            }
            for problem in &problems {
                out.note(&problem.text);
            }
            if errors > 0 {
                return Err(anyhow::Error::new(InvalidWorkflow(format!(
                    "{} is invalid: {} in its nodes' code",
                    loaded.source.name().display(),
                    count(errors, "error")
                )))
                .into());
            }
            let wf = &checked.workflow;
            out.line(format!(
                "{} {} is valid: {} in {}",
                wf.name,
                wf.version,
                count(wf.nodes.len(), "node"),
                count(checked.dag.stages.len(), "stage")
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(loaded) => {
            if out.json() {
                let diagnostics = loaded
                    .result
                    .as_ref()
                    .err()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let (errors, warnings): (Vec<_>, Vec<_>) =
                    diagnostics.iter().partition(|d| d.is_error());
                let problems = |diagnostics: Vec<&Diagnostic>| -> Vec<Problem> {
                    diagnostics
                        .into_iter()
                        .map(|d| problem(d.report(&loaded.source)))
                        .collect()
                };
                out.report(&Report {
                    valid: false,
                    name: None,
                    version: None,
                    errors: problems(errors),
                    warnings: problems(warnings),
                    stages: None,
                });
                Ok(ExitCode::from(exit::INVALID_WORKFLOW))
            } else {
                Err(invalid(&loaded).into())
            }
        }
    }
}

/// A problem in a node's code: rendered for people, and as a `-o json` report.
struct CodeProblem {
    error: bool,
    text: String,
    report: Problem,
}

/// Compile errors and contract drift in the nodes' code.
fn code_problems(loaded: &Loaded, checked: &Checked, color: bool) -> Vec<CodeProblem> {
    let nodes: Vec<(String, PathBuf)> = checked
        .workflow
        .nodes
        .iter()
        .map(|n| (n.id.clone(), PathBuf::from(&n.path)))
        .collect();
    match compile_workflow(&loaded.dir, &nodes) {
        Err(errors) => errors
            .iter()
            .map(|e| compile_problem(loaded, e, color))
            .collect(),
        Ok(transpiled) => {
            let mut problems: Vec<CodeProblem> = drift::in_code(&checked.workflow, &transpiled)
                .into_iter()
                .map(|(d, at)| drift_problem(loaded, &d, at, color))
                .collect();
            let mut warned = std::collections::HashSet::new();
            for node in &transpiled {
                // A module shared by several nodes warns once.
                for warning in node
                    .warnings
                    .iter()
                    .filter(|w| warned.insert((w.path.clone(), w.line, w.column)))
                {
                    let mut problem = compile_problem(loaded, warning, color);
                    problem.error = false;
                    problem.text = warning.render_warning(color);
                    problem.report.severity = Severity::Warning;
                    problems.push(problem);
                }
                if let Some(problem) = unreachable_database(loaded, checked, node, color) {
                    problems.push(problem);
                }
            }
            problems
        }
    }
}

/// A node importing `jsr:@db/postgres` whose scope holds no postgresql dependency: every
/// `connect()` it makes would be refused at run time.
fn unreachable_database(
    loaded: &Loaded,
    checked: &Checked,
    node: &tntc_compiler::TranspiledNode,
    color: bool,
) -> Option<CodeProblem> {
    let at = node.dependency_use.postgres_driver.as_ref()?;
    let workflow = &checked.workflow;
    let spec = workflow.nodes.iter().find(|n| n.id == node.node_id)?;
    let uses = tntc_host::access::CodeUses {
        dependencies: node
            .dependency_use
            .is_static()
            .then(|| node.dependency_use.literal.clone()),
        services: node.dependency_use.legacy_services.clone(),
    };
    let access = tntc_host::access::node_access(
        workflow,
        spec,
        Some(&uses),
        &tntc_host::secrets::Secrets::new(),
    )
    .ok()?;
    if !access.postgres.is_empty() {
        return None;
    }
    let id = &node.node_id;
    let declared: Vec<&str> = workflow
        .contract
        .iter()
        .flat_map(|c| c.dependencies.iter())
        .filter(|d| d.protocol == "postgresql")
        .map(|d| d.name.as_str())
        .collect();
    let message =
        format!("node `{id}` uses jsr:@db/postgres but may reach no postgresql dependency");
    let hint = match declared.first() {
        Some(name) => format!(
            "list it for the node (`nodes.{id}.dependencies: [{name}]`), or name it in the code \
             (`ctx.dependency(\"{name}\")` gives the Client its host, port, database and user): \
             at run time connect() is refused"
        ),
        None => "declare the database under contract.dependencies: `{protocol: postgresql, host, \
                 port, database, user, auth: {type: password, secret: <service>.<key>}}`; at run \
                 time connect() is refused"
            .to_owned(),
    };
    let text = std::fs::read_to_string(loaded.dir.join(&at.path)).unwrap_or_default();
    let source = SourceFile::new(&at.path, text);
    let start = source.offset_of(at.line as usize, at.column.saturating_sub(1) as usize);
    // The specifier's string literal, quotes included.
    let line_end = source.text()[start..]
        .find(['\n', ';'])
        .map_or(source.end(), |n| start + n);
    let span = Span::new(start, line_end.max(start + 1).min(source.end()));
    let diagnostic = Diagnostic::error(at.path.clone(), span, message.clone())
        .with_label("no postgresql dependency in the node's scope")
        .with_hint(hint.clone());
    Some(CodeProblem {
        error: true,
        text: diagnostic::render(&source, &diagnostic, color),
        report: Problem {
            severity: Severity::Error,
            message,
            file: loaded.dir.join(&at.path).display().to_string(),
            line: Some(at.line as usize),
            column: Some(at.column as usize),
            path: at.path.clone(),
            hint: Some(hint),
        },
    })
}

fn compile_problem(loaded: &Loaded, error: &CompileError, color: bool) -> CodeProblem {
    // 0: the error has no position (the compiler's convention).
    let position = |n: u32| (n != 0).then_some(n as usize);
    CodeProblem {
        error: true,
        text: error.render(color),
        report: Problem {
            severity: Severity::Error,
            message: error.message.clone(),
            file: loaded.dir.join(&error.path).display().to_string(),
            line: position(error.line),
            column: position(error.column),
            path: error.path.clone(),
            hint: error.hint.clone(),
        },
    }
}

fn drift_problem(loaded: &Loaded, drift: &Drift, at: &Location, color: bool) -> CodeProblem {
    let text = std::fs::read_to_string(loaded.dir.join(&at.path)).unwrap_or_default();
    let source = SourceFile::new(&at.path, text);
    let start = source.offset_of(at.line as usize, at.column.saturating_sub(1) as usize);
    // The string literal: the name and its quotes.
    let end = (start + drift.dependency.len() + 2).min(source.end());
    let span = Span::new(start, end);
    let diagnostic = if drift.is_error() {
        Diagnostic::error(at.path.clone(), span, drift.message())
    } else {
        Diagnostic::warning(at.path.clone(), span, drift.message())
    }
    .with_label(drift.label())
    .with_hint(drift.hint());
    CodeProblem {
        error: drift.is_error(),
        text: diagnostic::render(&source, &diagnostic, color),
        report: Problem {
            severity: if drift.is_error() {
                Severity::Error
            } else {
                Severity::Warning
            },
            message: drift.message(),
            file: loaded.dir.join(&at.path).display().to_string(),
            line: Some(at.line as usize),
            column: Some(at.column as usize),
            path: at.path.clone(),
            hint: Some(drift.hint()),
        },
    }
}
