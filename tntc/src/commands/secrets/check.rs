//! `tntc secrets check [dir]`: every secret the workflow needs, whether the local cascade
//! has it, and from which file — never a value, only its length.
//!
//! The cascade is read with the host's own code ([`SecretSources::local_layers`]), one
//! layer at a time so that each service can be traced to its file; the Kubernetes mount
//! (`/app/secrets`) only exists in the pod and is left out.

mod print;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Map, Value};
use tntc_host::secrets::{SecretLayer, SecretSources, SecretsError};
use tntc_report::secrets::check::{LoadFailure, Position};

use super::{Needs, Reference};
use crate::commands::{invalid, load};
use crate::errors::{CliResult, Failed, failed};
use crate::output::{Printer, count};

/// Runs the check; exit 1 when a referenced secret is missing or empty, or a secrets file
/// cannot be read.
pub fn run(out: &Printer, dir: &Path, explicit: Option<PathBuf>) -> CliResult {
    let (loaded, checked) = match load(out, dir)? {
        Ok(ok) => ok,
        Err(loaded) => return Err(invalid(&loaded).into()),
    };
    let sources = SecretSources {
        explicit,
        ..SecretSources::new(&loaded.dir)
    };
    let layers = match sources.local_layers() {
        Ok(layers) => layers,
        Err(err) => return load_failure(out, err),
    };
    let needs = Needs::of(&loaded.dir, &checked);
    let has_queue = checked
        .workflow
        .triggers
        .iter()
        .any(|t| t.kind.type_name() == "queue");
    let report = Report::new(&layers, &needs, has_queue);
    if out.json() {
        out.report(&print::json(&report, &checked.workflow.name));
    } else {
        print::text(out, &report, &checked.workflow.name, &loaded.dir);
    }
    let failing = report.failing();
    if failing.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if out.json() {
        return Ok(failed());
    }
    let local = loaded.dir.join(".secrets.yaml");
    let help = if sources.explicit.is_some() {
        "add them to the file or directory given with --secrets".to_owned()
    } else if local.exists() {
        format!("fill in the values in {}", local.display())
    } else {
        format!(
            "`tntc secrets init {}` writes {} with every referenced key to fill in",
            loaded.dir.display(),
            local.display()
        )
    };
    Err(anyhow::Error::new(Failed(format!(
        "{} of {} {} missing or empty: {}\n  help: {help}",
        failing.len(),
        count(report.rows.len(), "referenced secret"),
        if failing.len() == 1 { "is" } else { "are" },
        failing.join(", "),
    )))
    .into())
}

/// A service as the cascade resolves it: its keys and the file they come from.
struct Found<'a> {
    keys: &'a Map<String, Value>,
    file: PathBuf,
    /// Read from a file of a directory (one service per file) rather than a YAML file.
    from_dir: bool,
}

/// The state of one secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Present, with this many characters.
    Ok(usize),
    /// Present but empty (or null): as good as missing.
    Empty,
    /// Not there.
    Missing,
}

impl Status {
    fn of(value: Option<&Value>) -> Status {
        match value {
            None => Status::Missing,
            Some(Value::Null) => Status::Empty,
            Some(Value::String(s)) if s.trim().is_empty() => Status::Empty,
            Some(Value::String(s)) => Status::Ok(s.chars().count()),
            Some(other) => Status::Ok(other.to_string().chars().count()),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Status::Ok(_) => "ok",
            Status::Empty => "empty",
            Status::Missing => "missing",
        }
    }
}

/// One referenced secret, checked.
struct Row<'a> {
    reference: &'a Reference,
    status: Status,
    /// The file its service comes from.
    file: Option<PathBuf>,
    /// Why a present service lacks the key, and what to do.
    hint: Option<String>,
}

/// A legacy `ctx.fetch` service and the auth headers it would send.
struct Legacy<'a> {
    service: &'a str,
    nodes: &'a [String],
    headers: Vec<&'static str>,
    file: Option<PathBuf>,
}

/// A `.secrets/` file that starts like JSON but does not parse.
struct Lookalike {
    file: PathBuf,
    line: usize,
    column: usize,
    message: String,
}

/// Everything the check found.
struct Report<'a> {
    layers: &'a [SecretLayer],
    rows: Vec<Row<'a>>,
    /// `nats.token`, when the workflow has queue triggers.
    queue: Option<Status>,
    legacy: Vec<Legacy<'a>>,
    /// Services nothing references, with their files.
    unreferenced: Vec<(&'a str, PathBuf)>,
    /// (service, the file whose entry is ignored, the later file that replaces it).
    shadowed: Vec<(&'a str, PathBuf, PathBuf)>,
    unknown: &'a [(String, String)],
    lookalikes: Vec<Lookalike>,
}

impl<'a> Report<'a> {
    fn new(layers: &'a [SecretLayer], needs: &'a Needs, has_queue: bool) -> Report<'a> {
        let mut found: BTreeMap<&str, Found<'_>> = BTreeMap::new();
        let mut shadowed = Vec::new();
        for layer in layers {
            for service in layer.secrets.services() {
                let Some(keys) = layer.secrets.service(service) else {
                    continue;
                };
                let file = layer.origin(service);
                let entry = Found {
                    keys,
                    file: file.clone(),
                    from_dir: layer.is_dir,
                };
                if let Some(earlier) = found.insert(service, entry) {
                    shadowed.push((service, earlier.file, file));
                }
            }
        }
        let queue =
            has_queue.then(|| Status::of(found.get("nats").and_then(|f| f.keys.get("token"))));
        let unreferenced = found
            .iter()
            .filter(|(service, _)| {
                let referenced = needs.references.iter().any(|r| r.service == **service);
                let legacy = needs.legacy.contains_key(**service);
                let queue = has_queue && **service == "nats";
                !(referenced || legacy || queue)
            })
            .map(|(service, f)| (*service, f.file.clone()))
            .collect();
        let legacy = needs
            .legacy
            .iter()
            .map(|(service, nodes)| {
                let f = found.get(service.as_str());
                Legacy {
                    service,
                    nodes,
                    headers: f.map(|f| auth_headers(f.keys)).unwrap_or_default(),
                    file: f.map(|f| f.file.clone()),
                }
            })
            .collect();
        Report {
            layers,
            rows: needs.references.iter().map(|r| row(r, &found)).collect(),
            queue,
            legacy,
            unreferenced,
            shadowed,
            unknown: &needs.unknown,
            lookalikes: lookalikes(layers),
        }
    }

    /// Referenced secrets that are missing or empty.
    fn failing(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| !matches!(r.status, Status::Ok(_)))
            .map(|r| r.reference.name())
            .collect()
    }
}

fn row<'a>(reference: &'a Reference, found: &BTreeMap<&str, Found<'_>>) -> Row<'a> {
    let Some(service) = found.get(reference.service.as_str()) else {
        return Row {
            reference,
            status: Status::Missing,
            file: None,
            hint: None,
        };
    };
    let status = Status::of(service.keys.get(&reference.key));
    let plain_text =
        service.from_dir && service.keys.len() == 1 && service.keys.contains_key("value");
    let hint = match status {
        Status::Missing if plain_text => Some(format!(
            "that file is plain text, read as {{\"value\": ...}}; write a JSON object there, like {{\"{}\": \"...\"}}",
            reference.key
        )),
        Status::Missing => Some(format!(
            "service \"{}\" has no key \"{}\" (its keys: {})",
            reference.service,
            reference.key,
            service
                .keys
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        )),
        _ => None,
    };
    Row {
        reference,
        status,
        file: Some(service.file.clone()),
        hint,
    }
}

/// The headers a legacy `ctx.fetch` adds from a service's keys.
fn auth_headers(keys: &Map<String, Value>) -> Vec<&'static str> {
    let present = |key: &str| matches!(Status::of(keys.get(key)), Status::Ok(_));
    let mut headers = Vec::new();
    if present("token") {
        headers.push("Authorization");
    }
    if present("api_key") {
        headers.push("X-API-Key");
    }
    headers
}

fn lookalikes(layers: &[SecretLayer]) -> Vec<Lookalike> {
    let mut found = Vec::new();
    for layer in layers.iter().filter(|l| l.is_dir) {
        for service in layer.secrets.services() {
            let file = layer.origin(service);
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if !text.trim_start().starts_with('{') {
                continue;
            }
            if let Err(e) = serde_json::from_str::<Map<String, Value>>(text) {
                // serde_json's messages name the syntax problem, never the content.
                let message = e.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                found.push(Lookalike {
                    file,
                    line: e.line(),
                    column: e.column().max(1),
                    message,
                });
            }
        }
    }
    found
}

/// A secrets file that cannot be read: its position, never its content.
fn load_failure(out: &Printer, err: SecretsError) -> CliResult {
    if out.json() {
        let position = match &err {
            SecretsError::Yaml {
                path, line, column, ..
            }
            | SecretsError::Shape {
                path, line, column, ..
            } => Some(Position {
                file: path.display().to_string(),
                line: *line,
                column: *column,
            }),
            _ => None,
        };
        out.report(&LoadFailure {
            ok: false,
            error: err.to_string(),
            position,
        });
        return Ok(failed());
    }
    Err(anyhow::Error::new(err)
        .context(Failed(
            "the secrets cannot be loaded (tntc-host would refuse to start)".into(),
        ))
        .into())
}
