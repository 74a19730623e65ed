//! Decoding the YAML tree into a [`Workflow`], collecting every problem on the way.
//!
//! Decoding never stops at the first error: each section is decoded independently, invalid
//! items are skipped, and cross-references (edges, per-node dependencies) are checked against
//! whatever decoded. The result is either a workflow or the full list of diagnostics.

mod contract;
mod fields;
mod nodes;
mod paths;

pub use paths::resolve_node_path;

use std::path::Path;

use crate::cron;
use crate::diagnostic::Diagnostic;
use crate::model::{Config, Deployment, Scheduling, Trigger, TriggerKind, Workflow};
use crate::quantity::{parse_duration, parse_memory};
use crate::source::{SourceFile, Span};
use crate::yaml::{self, Node, ScalarValue};

use fields::{Fields, Sink, index, join, text, unsigned};

pub(crate) use fields::closest;

const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "triggers",
    "nodes",
    "edges",
    "config",
    "deployment",
    "contract",
];

/// Decodes `source` into a workflow; with `base_dir`, node paths are checked on disk. Returns the workflow (when no error was found) and every
/// diagnostic (errors and warnings), in source order.
pub(crate) fn decode(
    source: &SourceFile,
    base_dir: Option<&Path>,
) -> (Option<Workflow>, Vec<Diagnostic>) {
    let mut sink = Sink::default();
    let root = match yaml::parse(source, &mut sink.diagnostics) {
        Ok(root) => root,
        Err(fatal) => {
            sink.push(fatal);
            return (None, sink.diagnostics);
        }
    };
    if root.is_null() {
        sink.push(
            Diagnostic::error("", Span::point(0), "workflow.yaml is empty").with_hint(
                "start from `tntc init <name>`, or add name, version, triggers and nodes",
            ),
        );
        return (None, sink.diagnostics);
    }
    let Some(mut top) = Fields::of(
        &mut sink,
        "",
        &root,
        "a mapping with name, version, triggers and nodes",
    ) else {
        return (None, sink.diagnostics);
    };

    let name = top
        .require(&mut sink, "name", "add `name: my-workflow` (kebab-case)")
        .and_then(|e| decode_name(&mut sink, &e.value));
    let version = top
        .require(&mut sink, "version", "add `version: \"1.0\"`")
        .and_then(|e| decode_version(&mut sink, &e.value));
    let description = top
        .get("description")
        .and_then(|e| text(&mut sink, "description", &e.value));
    let triggers = top
        .require(
            &mut sink,
            "triggers",
            "add `triggers: [{type: manual}]` to run it through POST /run",
        )
        .map(|e| decode_triggers(&mut sink, &e.value))
        .unwrap_or_default();
    let config = top
        .get("config")
        .map(|e| decode_config(&mut sink, &e.value))
        .unwrap_or_default();
    let deployment = top
        .get("deployment")
        .map(|e| decode_deployment(&mut sink, &e.value))
        .unwrap_or_default();
    let contract = top
        .get("contract")
        .and_then(|e| contract::decode(&mut sink, &e.value));
    let nodes = top
        .require(
            &mut sink,
            "nodes",
            "add a `nodes:` mapping, e.g. `hello: {path: ./nodes/hello.ts}`",
        )
        .map(|e| nodes::decode_nodes(&mut sink, &e.value, contract.as_ref(), base_dir))
        .unwrap_or_default();
    let edges = top
        .get("edges")
        .map(|e| nodes::decode_edges(&mut sink, &e.value, &nodes))
        .unwrap_or_default();
    top.finish(&mut sink, TOP_LEVEL_KEYS);
    warn_unserved_queue_triggers(&mut sink, &triggers, &config);

    let mut diagnostics = sink.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.severity));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return (None, diagnostics);
    }
    let (Some(name), Some(version)) = (name, version) else {
        return (None, diagnostics);
    };
    let workflow = Workflow {
        name,
        version,
        description,
        triggers,
        nodes,
        edges,
        config,
        deployment,
        contract,
    };
    (Some(workflow), diagnostics)
}

/// A queue trigger is served only with `config.nats_url` (and the secret `nats.token`,
/// which validation cannot see); without the URL the host warns at start-up and serves HTTP
/// only, so say so here, where it is cheap to fix.
fn warn_unserved_queue_triggers(sink: &mut Sink, triggers: &[Trigger], config: &Config) {
    let has_url = config
        .raw
        .get("nats_url")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|url| !url.trim().is_empty());
    if has_url {
        return;
    }
    for (i, trigger) in triggers.iter().enumerate() {
        if let TriggerKind::Queue { subject } = &trigger.kind {
            sink.push(
                Diagnostic::warning(
                    index("triggers", i),
                    trigger.span,
                    format!("queue trigger `{subject}` will not be served: `config.nats_url` is not set"),
                )
                .with_hint(
                    "add `nats_url: tls://<nats-host>:4222` under `config:` and the secret `nats.token`; without them tntc-host serves HTTP only",
                ),
            );
        }
    }
}

/// `^[a-z][a-z0-9]*(-[a-z0-9]+)*$`
pub fn is_kebab_case(name: &str) -> bool {
    let mut parts = name.split('-');
    let first_ok = parts.next().is_some_and(|p| {
        p.starts_with(|c: char| c.is_ascii_lowercase()) && p.bytes().all(is_lower_alnum)
    });
    first_ok && parts.all(|p| !p.is_empty() && p.bytes().all(is_lower_alnum))
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `^[a-z][a-z0-9_-]*$`: node ids, trigger names, dependency names.
pub(crate) fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| is_lower_alnum(b) || b == b'_' || b == b'-')
}

/// A kebab-case suggestion for a bad name (`My Flow` -> `my-flow`).
pub fn suggest_kebab_case(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    match out.find(|c: char| c.is_ascii_lowercase()) {
        Some(i) => out[i..].to_string(),
        None => format!("workflow-{out}").trim_end_matches('-').to_string(),
    }
}

fn decode_name(sink: &mut Sink, node: &Node) -> Option<String> {
    let name = text(sink, "name", node)?;
    if is_kebab_case(&name) {
        return Some(name);
    }
    sink.push(
        Diagnostic::error(
            "name",
            node.span,
            format!("invalid workflow name \"{name}\""),
        )
        .with_label("not kebab-case")
        .with_hint(format!(
            "use lowercase letters and digits separated by single dashes, e.g. \"{}\"",
            suggest_kebab_case(&name)
        )),
    );
    None
}

fn decode_version(sink: &mut Sink, node: &Node) -> Option<String> {
    let version = text(sink, "version", node)?;
    let valid = version.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty() && !b.is_empty() && (a.to_owned() + b).bytes().all(|c| c.is_ascii_digit())
    });
    if valid {
        return Some(version);
    }
    let hint = if version.bytes().all(|c| c.is_ascii_digit()) && !version.is_empty() {
        format!("write it as MAJOR.MINOR in quotes: `version: \"{version}.0\"`")
    } else {
        "write it as MAJOR.MINOR in quotes, e.g. `version: \"1.0\"`".to_string()
    };
    sink.push(
        Diagnostic::error(
            "version",
            node.span,
            format!("invalid version \"{version}\""),
        )
        .with_label("expected MAJOR.MINOR")
        .with_hint(hint),
    );
    None
}

const TRIGGER_TYPES: &[&str] = &["manual", "cron", "queue", "webhook"];

fn decode_triggers(sink: &mut Sink, node: &Node) -> Vec<Trigger> {
    let Some(items) = node.as_seq() else {
        sink.wrong_type("triggers", node, "a list of triggers");
        return Vec::new();
    };
    if items.is_empty() {
        sink.push(
            Diagnostic::error(
                "triggers",
                node.span,
                "a workflow needs at least one trigger",
            )
            .with_hint("add `- type: manual` to run it through POST /run"),
        );
    }
    let mut triggers: Vec<Trigger> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = index("triggers", i);
        let Some(mut f) = Fields::of(sink, &path, item, "a mapping with a `type`") else {
            continue;
        };
        let name = f.get("name").and_then(|e| {
            let name = text(sink, &f.child("name"), &e.value)?;
            if !is_identifier(&name) {
                sink.push(
                    Diagnostic::error(
                        f.child("name"),
                        e.value.span,
                        format!("invalid trigger name \"{name}\""),
                    )
                    .with_hint("trigger names match ^[a-z][a-z0-9_-]*$, e.g. \"daily-digest\""),
                );
                return None;
            }
            if triggers
                .iter()
                .any(|t| t.name.as_deref() == Some(name.as_str()))
            {
                sink.push(
                    Diagnostic::error(
                        f.child("name"),
                        e.value.span,
                        format!("duplicate trigger name \"{name}\""),
                    )
                    .with_hint("trigger names must be unique: cron jobs send the name to /run"),
                );
                return None;
            }
            Some(name)
        });
        let Some(type_entry) =
            f.require(sink, "type", "add `type: manual` (or cron, queue, webhook)")
        else {
            f.finish(sink, &["type", "name"]);
            continue;
        };
        let Some(kind_name) = text(sink, &f.child("type"), &type_entry.value) else {
            continue;
        };
        let field =
            |f: &mut Fields, sink: &mut Sink, key: &str, hint: &str| -> Option<(String, Span)> {
                let entry = f.require(sink, key, hint)?;
                text(sink, &f.child(key), &entry.value).map(|t| (t, entry.value.span))
            };
        let kind = match kind_name.as_str() {
            "manual" => Some(TriggerKind::Manual),
            "cron" => field(
                &mut f,
                sink,
                "schedule",
                "add a 5-field schedule, e.g. `schedule: \"0 9 * * *\"`",
            )
            .and_then(|(schedule, span)| match cron::validate(&schedule) {
                Ok(()) => Some(TriggerKind::Cron { schedule }),
                Err(why) => {
                    sink.push(
                        Diagnostic::error(
                            f.child("schedule"),
                            span,
                            format!("invalid cron schedule \"{schedule}\""),
                        )
                        .with_label(why)
                        .with_hint(
                            "minute hour day-of-month month day-of-week, e.g. \"*/15 * * * *\"",
                        ),
                    );
                    None
                }
            }),
            "queue" => field(
                &mut f,
                sink,
                "subject",
                "add the NATS subject, e.g. `subject: orders.created`",
            )
            .map(|(subject, _)| TriggerKind::Queue { subject }),
            "webhook" => field(
                &mut f,
                sink,
                "path",
                "add the webhook path, e.g. `path: /hooks/github`",
            )
            .and_then(|(path, span)| {
                if path.starts_with('/') {
                    Some(TriggerKind::Webhook { path })
                } else {
                    sink.push(
                        Diagnostic::error(
                            f.child("path"),
                            span,
                            format!("webhook path \"{path}\" must start with `/`"),
                        )
                        .with_hint(format!("write `path: /{path}`")),
                    );
                    None
                }
            }),
            other => {
                let mut d = Diagnostic::error(
                    f.child("type"),
                    type_entry.value.span,
                    format!("unknown trigger type \"{other}\""),
                );
                d = match closest(other, TRIGGER_TYPES) {
                    Some(best) => d.with_hint(format!(
                        "did you mean \"{best}\"? (manual, cron, queue, webhook)"
                    )),
                    None => d.with_hint("use one of manual, cron, queue, webhook"),
                };
                sink.push(d);
                None
            }
        };
        let own_key = match kind_name.as_str() {
            "cron" => "schedule",
            "queue" => "subject",
            "webhook" => "path",
            _ => "type",
        };
        f.finish(sink, &["type", "name", own_key]);
        if let Some(kind) = kind {
            triggers.push(Trigger {
                name,
                kind,
                span: item.span,
            });
        }
    }
    triggers
}

fn decode_config(sink: &mut Sink, node: &Node) -> Config {
    let mut config = Config::default();
    let Some(mut f) = Fields::of(sink, "config", node, "a mapping") else {
        return config;
    };
    for entry in f.all() {
        let path = join("config", &entry.key);
        let value = &entry.value;
        match entry.key.as_str() {
            "timeout" => {
                if let Some(d) = duration(sink, &path, value) {
                    config.timeout = d;
                }
            }
            "retries" => match unsigned(sink, &path, value) {
                Some(n) if n <= 20 => config.retries = n as u32,
                Some(n) => sink.push(
                    Diagnostic::error(path, value.span, format!("{n} retries is too many"))
                        .with_hint("retries back off 100ms x 2^n; use at most 20"),
                ),
                None => {}
            },
            "memory" => config.memory = memory(sink, &path, value),
            "fuel" => match unsigned(sink, &path, value) {
                Some(0) => sink.push(
                    Diagnostic::error(path, value.span, "`fuel` must be greater than zero")
                        .with_hint("remove `fuel` for no CPU budget; the timeout still applies"),
                ),
                other => config.fuel = other,
            },
            "scheduling" => match text(sink, &path, value).as_deref() {
                Some("stages") => config.scheduling = Scheduling::Stages,
                Some("dataflow") => config.scheduling = Scheduling::Dataflow,
                Some(other) => sink.push(
                    Diagnostic::error(path, value.span, format!("unknown scheduling \"{other}\""))
                        .with_hint("use \"stages\" (the original's) or \"dataflow\" (start nodes as soon as their inputs are ready)"),
                ),
                None => {}
            },
            _ => {}
        }
    }
    if let serde_json::Value::Object(raw) = node.to_json() {
        config.raw = raw;
    }
    config
}

/// A strict duration; YAML numbers are rejected with a hint to add a unit.
pub(crate) fn duration(sink: &mut Sink, path: &str, node: &Node) -> Option<std::time::Duration> {
    let scalar = match node.as_scalar() {
        Some(s) if s.value != ScalarValue::Null => s,
        _ => {
            sink.wrong_type(path, node, "a duration such as \"30s\"");
            return None;
        }
    };
    match parse_duration(&scalar.text) {
        Ok(d) if d.is_zero() => {
            sink.push(
                Diagnostic::error(path, node.span, "a timeout of zero would fail every run")
                    .with_hint("use a positive duration such as \"30s\""),
            );
            None
        }
        Ok(d) => Some(d),
        Err(why) => {
            let hint = if matches!(scalar.value, ScalarValue::Int(_) | ScalarValue::Float(_)) {
                format!("add a unit, e.g. \"{}s\" for seconds", scalar.text)
            } else {
                "use a number and a unit (ms, s, m, h), e.g. \"30s\", \"2m\", \"1m30s\"".to_string()
            };
            sink.push(
                Diagnostic::error(
                    path,
                    node.span,
                    format!("invalid duration \"{}\"", scalar.text),
                )
                .with_label(why)
                .with_hint(hint),
            );
            None
        }
    }
}

/// A memory size between 1 MiB and 4 GiB (the wasm32 address space).
pub(crate) fn memory(sink: &mut Sink, path: &str, node: &Node) -> Option<u64> {
    let Some(scalar) = node.as_scalar().filter(|s| s.value != ScalarValue::Null) else {
        sink.wrong_type(path, node, "a memory size such as \"64Mi\"");
        return None;
    };
    let hint = "use a size such as \"64Mi\" or \"1Gi\" (between 1Mi and 4Gi)";
    match parse_memory(&scalar.text) {
        Ok(bytes) if (1 << 20..=4 << 30).contains(&bytes) => Some(bytes),
        Ok(_) => {
            sink.push(
                Diagnostic::error(
                    path,
                    node.span,
                    format!("memory size \"{}\" is out of range", scalar.text),
                )
                .with_hint(hint),
            );
            None
        }
        Err(why) => {
            sink.push(
                Diagnostic::error(
                    path,
                    node.span,
                    format!("invalid memory size \"{}\"", scalar.text),
                )
                .with_label(why)
                .with_hint(hint),
            );
            None
        }
    }
}

fn decode_deployment(sink: &mut Sink, node: &Node) -> Deployment {
    let mut deployment = Deployment::default();
    let Some(mut f) = Fields::of(sink, "deployment", node, "a mapping") else {
        return deployment;
    };
    if let Some(e) = f.get("namespace")
        && let Some(ns) = text(sink, "deployment.namespace", &e.value)
    {
        if is_dns_label(&ns) {
            deployment.namespace = Some(ns);
        } else {
            sink.push(
                Diagnostic::error("deployment.namespace", e.value.span, format!("invalid namespace \"{ns}\""))
                    .with_hint("Kubernetes namespaces are lowercase letters, digits and dashes, at most 63 characters"),
            );
        }
    }
    f.finish(sink, &["namespace"]);
    deployment
}

/// An RFC 1123 label, as Kubernetes namespaces are.
pub(crate) fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| is_lower_alnum(b) || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_follows_the_original_regex() {
        for ok in ["a", "hello", "my-flow", "a1-b2", "x9"] {
            assert!(is_kebab_case(ok), "{ok}");
        }
        for bad in ["", "My-flow", "1abc", "a--b", "a-", "-a", "a_b", "a b"] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }

    #[test]
    fn kebab_case_suggestions_are_valid_names() {
        assert_eq!(suggest_kebab_case("My Flow"), "my-flow");
        assert_eq!(suggest_kebab_case("data_pipeline_v2"), "data-pipeline-v2");
        assert_eq!(suggest_kebab_case("42"), "workflow-42");
        for s in ["My Flow", "__x__", "ÄÖ", "9lives"] {
            assert!(is_kebab_case(&suggest_kebab_case(s)), "{s}");
        }
    }
}
