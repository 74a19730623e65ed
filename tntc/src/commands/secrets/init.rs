//! `tntc secrets init [dir] [--force]`: a `.secrets.yaml` to fill in (mode 0600), and a
//! `.gitignore` that keeps local secrets out of git.
//!
//! `--force` rewrites an existing file but never loses a value: every service and key it
//! has is kept (also services no dependency references: legacy `ctx.secrets` code may read
//! them) and only the missing referenced keys are added, empty. Comments are not kept.
//! Services that `.secrets/` provides are left out: `.secrets.yaml` merges on top a whole
//! service at a time, so an entry there would hide the directory's.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::Value;
use tntc_host::secrets::{Secrets, load_path};
use tntc_report::secrets::init as report;

use super::Needs;
use crate::commands::{invalid, load};
use crate::errors::{CliResult, Usage};
use crate::output::{Printer, count};
use crate::yaml_text;

/// `.gitignore` lines this command makes sure of, each with the spellings that count.
const IGNORED: [(&str, &[&str]); 2] = [
    (".secrets.yaml", &[".secrets.yaml", "/.secrets.yaml"]),
    (
        ".secrets/",
        &[".secrets/", "/.secrets/", ".secrets", "/.secrets"],
    ),
];

/// One key of the file to write.
struct Key {
    /// The value kept from the previous file; `None`: written empty.
    kept: Option<Value>,
    /// The dependencies referencing it, for the comment.
    used_by: Option<String>,
}

/// What became of a referenced secret.
enum State {
    /// Written empty.
    ToFillIn,
    /// Its value was kept from the previous file.
    Kept,
    /// Left out: this `.secrets/` file provides the service.
    Provided(String),
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::ToFillIn => "to-fill-in",
            State::Kept => "kept",
            State::Provided(_) => "provided",
        }
    }
}

/// What goes into the file.
#[derive(Default)]
struct Plan {
    /// Services written, with their keys; `false`: no dependency references the service.
    services: BTreeMap<String, (bool, BTreeMap<String, Key>)>,
    /// Referenced services left out because `.secrets/` provides them.
    provided: BTreeMap<String, PathBuf>,
    /// Legacy `ctx.fetch` services nobody provides, with their nodes (a commented template).
    legacy: BTreeMap<String, Vec<String>>,
}

impl Plan {
    fn new(needs: &Needs, existing: &Secrets, base: &Secrets, base_dir: &Path) -> Plan {
        let mut plan = Plan::default();
        for reference in &needs.references {
            let service = &reference.service;
            if existing.service(service).is_none() && base.service(service).is_some() {
                plan.provided
                    .insert(service.clone(), base_dir.join(service));
                continue;
            }
            let entry = plan.services.entry(service.clone()).or_default();
            entry.0 = true;
            entry.1.insert(
                reference.key.clone(),
                Key {
                    kept: existing.get(service, &reference.key).cloned(),
                    used_by: Some(reference.used_by()),
                },
            );
        }
        for service in existing.services() {
            let entry = plan.services.entry(service.to_owned()).or_default();
            for (key, value) in existing.service(service).into_iter().flatten() {
                entry.1.entry(key.clone()).or_insert(Key {
                    kept: Some(value.clone()),
                    used_by: None,
                });
            }
        }
        for (service, nodes) in &needs.legacy {
            if !plan.services.contains_key(service) && base.service(service).is_none() {
                plan.legacy.insert(service.clone(), nodes.clone());
            }
        }
        plan
    }

    fn is_empty(&self) -> bool {
        self.services.is_empty() && self.legacy.is_empty()
    }

    fn render(&self, workflow: &str) -> String {
        let mut out = format!(
            "# Local secrets of workflow \"{workflow}\", for tntc-host, `tntc run` and `tntc dev`.\n\
             # Never commit this file: it is listed in .gitignore.\n\
             #\n\
             # How secrets resolve (a later source replaces an earlier one's service whole):\n\
             #   1. .secrets/<service>  one file per service: a JSON object, or plain text (= {{value: ...}})\n\
             #   2. .secrets.yaml       this file: service -> key -> value\n\
             #   3. /app/secrets        in the pod only: the Kubernetes Secret, merged on top\n\
             # `--secrets <file|dir>` replaces 1 and 2.\n\
             #\n\
             # Fill in the values, then run `tntc secrets check`. Written by `tntc secrets init`.\n"
        );
        for (service, (referenced, keys)) in &self.services {
            out.push('\n');
            if !referenced {
                out.push_str("# referenced by no dependency; kept from the previous file\n");
            }
            out.push_str(&format!("{}:\n", yaml_text::scalar(service)));
            for (key, plan) in keys {
                let value = plan
                    .kept
                    .as_ref()
                    .map_or_else(|| "\"\"".to_owned(), yaml_text::value);
                let comment = plan
                    .used_by
                    .as_ref()
                    .map(|u| format!("  # {u}"))
                    .unwrap_or_default();
                out.push_str(&format!("  {}: {value}{comment}\n", yaml_text::scalar(key)));
            }
        }
        for (service, file) in &self.provided {
            out.push_str(&format!(
                "\n# {service}: provided by {} (an entry here would replace that whole service)\n",
                file.display()
            ));
        }
        for (service, nodes) in &self.legacy {
            out.push_str(&format!(
                "\n# Legacy ctx.fetch(\"{service}\", ...) in {} sends {service}.token as\n\
                 # \"Authorization: Bearer ...\" and {service}.api_key as \"X-API-Key\" when set:\n\
                 # {service}:\n#   token: \"\"\n",
                nodes.join(", ")
            ));
        }
        out
    }
}

/// Writes `<dir>/.secrets.yaml` and updates `<dir>/.gitignore`.
pub fn run(out: &Printer, dir: &Path, force: bool) -> CliResult {
    let (loaded, checked) = match load(out, dir)? {
        Ok(ok) => ok,
        Err(loaded) => return Err(invalid(&loaded).into()),
    };
    let target = loaded.dir.join(".secrets.yaml");
    let exists = fs::symlink_metadata(&target).is_ok();
    if exists && !force {
        return Err(anyhow::Error::new(Usage(format!(
            "{} already exists; tntc secrets init does not overwrite it\n  help: `tntc secrets check {}` shows what is missing; --force rewrites it, keeping every value it has (comments are lost)",
            target.display(),
            loaded.dir.display()
        )))
        .into());
    }
    let existing = if exists {
        load_path(&target).with_context(|| {
            format!(
                "cannot keep the values of {}: fix it or move it away first",
                target.display()
            )
        })?
    } else {
        Secrets::new()
    };
    let base_dir = loaded.dir.join(".secrets");
    let base = if base_dir.is_dir() {
        load_path(&base_dir)?
    } else {
        Secrets::new()
    };

    let needs = Needs::of(&loaded.dir, &checked);
    let plan = Plan::new(&needs, &existing, &base, &base_dir);
    if plan.is_empty() {
        if out.json() {
            out.report(&report::Report {
                file: None,
                mode: None,
                secrets: Vec::new(),
                kept: None,
                legacy: None,
                gitignore: None,
            });
        } else {
            out.line(format!(
                "{} references no secret (no auth.secret, no ctx.fetch service): nothing to write",
                checked.workflow.name
            ));
        }
        return Ok(ExitCode::SUCCESS);
    }
    write_private(&target, &plan.render(&checked.workflow.name))?;
    let gitignore = loaded.dir.join(".gitignore");
    let added = ensure_ignored(&gitignore)?;

    let states: Vec<(String, State, String)> = needs
        .references
        .iter()
        .map(|r| {
            let state = match plan.provided.get(&r.service) {
                Some(file) => State::Provided(file.display().to_string()),
                None => match plan
                    .services
                    .get(&r.service)
                    .and_then(|(_, keys)| keys.get(&r.key))
                {
                    Some(Key { kept: Some(v), .. }) if has_value(v) => State::Kept,
                    _ => State::ToFillIn,
                },
            };
            (r.name(), state, r.used_by())
        })
        .collect();
    if out.json() {
        out.report(&report::Report {
            file: Some(target.display().to_string()),
            mode: Some("0600".to_owned()),
            secrets: states
                .iter()
                .map(|(name, state, _)| report::Secret {
                    secret: name.clone(),
                    state: match state {
                        State::ToFillIn => report::State::ToFillIn,
                        State::Kept => report::State::Kept,
                        State::Provided(_) => report::State::Provided,
                    },
                    source: match state {
                        State::Provided(file) => Some(file.clone()),
                        _ => None,
                    },
                })
                .collect(),
            kept: Some(
                plan.services
                    .iter()
                    .filter(|(_, (referenced, _))| !referenced)
                    .map(|(service, _)| service.clone())
                    .collect(),
            ),
            legacy: Some(plan.legacy.keys().cloned().collect()),
            gitignore: Some(report::Gitignore {
                path: gitignore.display().to_string(),
                added: added.iter().map(|line| (*line).to_owned()).collect(),
            }),
        });
        return Ok(ExitCode::SUCCESS);
    }
    out.line(format!("Wrote {} (mode 0600):", target.display()));
    let width = states
        .iter()
        .map(|(name, ..)| name.len())
        .max()
        .unwrap_or(0);
    for (name, state, used_by) in &states {
        let state = match state {
            State::Provided(file) => format!("provided by {file}"),
            other => other.name().replace('-', " "),
        };
        out.line(format!("  {name:<width$}  {state:<10}  {used_by}"));
    }
    for (service, (referenced, keys)) in &plan.services {
        if !referenced {
            out.line(format!(
                "  {service}: kept ({}), referenced by no dependency",
                count(keys.len(), "key")
            ));
        }
    }
    for service in plan.legacy.keys() {
        out.line(format!(
            "  {service}: commented template for legacy ctx.fetch(\"{service}\", ...)"
        ));
    }
    if !added.is_empty() {
        out.line(format!(
            "Added {} to {}",
            added.join(" and "),
            gitignore.display()
        ));
    }
    out.line(format!(
        "Next: fill in the values, then run `tntc secrets check {}`",
        loaded.dir.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Whether a kept value is worth calling kept (not empty or null).
fn has_value(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        _ => true,
    }
}

/// Replaces `path` with `text`, readable by its owner only (0600), atomically.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tntc-tmp");
    let temp = PathBuf::from(temp);
    let write = || -> io::Result<()> {
        let _ = fs::remove_file(&temp);
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        #[cfg(unix)]
        fs::set_permissions(&temp, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&temp);
        anyhow::anyhow!("cannot write {}: {e}", path.display())
    })
}

/// Appends the [`IGNORED`] entries `.gitignore` lacks; returns those added.
fn ensure_ignored(gitignore: &Path) -> anyhow::Result<Vec<&'static str>> {
    let text = match fs::read_to_string(gitignore) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", gitignore.display())),
    };
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let missing: Vec<&'static str> = IGNORED
        .iter()
        .filter(|(_, spellings)| !lines.iter().any(|l| spellings.contains(l)))
        .map(|(entry, _)| *entry)
        .collect();
    if missing.is_empty() {
        return Ok(missing);
    }
    let mut updated = text.clone();
    if !updated.is_empty() && !updated.ends_with('\n') {
        updated.push('\n');
    }
    updated.push_str("# Local secrets never leave this machine (tntc secrets init).\n");
    for entry in &missing {
        updated.push_str(entry);
        updated.push('\n');
    }
    fs::write(gitignore, updated)
        .with_context(|| format!("cannot write {}", gitignore.display()))?;
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::commands::secrets::Reference;

    fn needs() -> Needs {
        let reference = |service: &str, key: &str, dep: &str| Reference {
            service: service.into(),
            key: key.into(),
            dependencies: vec![(dep.into(), "bearer-token".into())],
        };
        Needs {
            references: vec![
                reference("github", "token", "github-api"),
                reference("news", "api_key", "news-api"),
            ],
            legacy: BTreeMap::from([("slack".to_owned(), vec!["notify".to_owned()])]),
            unknown: Vec::new(),
        }
    }

    fn secrets(value: serde_json::Value) -> Secrets {
        serde_json::from_value(value).expect("secrets")
    }

    #[test]
    fn the_written_file_reads_back_with_kept_values_and_empty_new_keys() {
        let existing =
            secrets(json!({"github": {"token": "ghp 1: #x", "user": 5}, "old": {"k": "v"}}));
        let plan = Plan::new(&needs(), &existing, &Secrets::new(), Path::new(".secrets"));
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("s.yaml");
        fs::write(&file, plan.render("demo")).expect("write");
        let back = serde_json::to_value(load_path(&file).expect("parses")).expect("json");
        assert_eq!(
            back,
            json!({"github": {"token": "ghp 1: #x", "user": 5}, "news": {"api_key": ""}, "old": {"k": "v"}})
        );
    }

    #[test]
    fn services_from_the_directory_are_left_out_and_legacy_ones_commented() {
        let base = secrets(json!({"news": {"api_key": "from-dir"}}));
        let plan = Plan::new(&needs(), &Secrets::new(), &base, Path::new("wf/.secrets"));
        let text = plan.render("demo");
        assert!(
            text.contains("# news: provided by wf/.secrets/news"),
            "{text}"
        );
        assert!(text.contains("# slack:\n#   token: \"\"\n"), "{text}");
        assert!(
            text.contains("github:\n  token: \"\"  # github-api (bearer-token)\n"),
            "{text}"
        );
        assert!(!text.contains("from-dir"), "{text}");
    }
}
