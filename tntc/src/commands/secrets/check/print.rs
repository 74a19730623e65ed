//! The check's report for people and for scripts.

use std::path::Path;

use tntc_report::secrets::check as report;

use super::{Report, Status};
use crate::output::Printer;
use crate::output::count;

/// The state `-o json` names.
fn status(status: Status) -> report::Status {
    match status {
        Status::Ok(_) => report::Status::Ok,
        Status::Empty => report::Status::Empty,
        Status::Missing => report::Status::Missing,
    }
}

/// The report as one JSON document.
pub(super) fn json(report: &Report<'_>, workflow: &str) -> report::Report {
    let path = |p: &Path| p.display().to_string();
    report::Report {
        workflow: workflow.to_owned(),
        ok: report.failing().is_empty(),
        sources: report
            .layers
            .iter()
            .map(|l| report::Source {
                path: path(&l.path),
                kind: if l.is_dir {
                    report::SourceKind::Directory
                } else {
                    report::SourceKind::File
                },
                services: l.secrets.services().map(str::to_owned).collect(),
            })
            .collect(),
        references: report
            .rows
            .iter()
            .map(|r| report::Reference {
                secret: r.reference.name(),
                service: r.reference.service.clone(),
                key: r.reference.key.clone(),
                status: status(r.status),
                length: match r.status {
                    Status::Ok(n) => Some(n),
                    _ => None,
                },
                source: r.file.as_deref().map(path),
                dependencies: r
                    .reference
                    .dependencies
                    .iter()
                    .map(|(name, kind)| report::Dependency {
                        name: name.clone(),
                        auth_type: kind.clone(),
                    })
                    .collect(),
                hint: r.hint.clone(),
            })
            .collect(),
        queue: report.queue.map(|s| report::Queue {
            secret: "nats.token".to_owned(),
            status: status(s),
        }),
        legacy: report
            .legacy
            .iter()
            .map(|l| report::Legacy {
                service: l.service.to_owned(),
                nodes: l.nodes.to_vec(),
                headers: l.headers.iter().map(|h| (*h).to_owned()).collect(),
                source: l.file.as_deref().map(path),
            })
            .collect(),
        unreferenced: report
            .unreferenced
            .iter()
            .map(|(service, file)| report::Unreferenced {
                service: (*service).to_owned(),
                source: path(file),
            })
            .collect(),
        shadowed: report
            .shadowed
            .iter()
            .map(|(service, lost, won)| report::Shadowed {
                service: (*service).to_owned(),
                ignored: path(lost),
                winner: path(won),
            })
            .collect(),
        unknown: report
            .unknown
            .iter()
            .map(|(node, why)| report::Unknown {
                node: node.clone(),
                reason: why.clone(),
            })
            .collect(),
        warnings: report
            .lookalikes
            .iter()
            .map(|l| report::Lookalike {
                file: path(&l.file),
                line: l.line,
                column: l.column,
                message: l.message.clone(),
            })
            .collect(),
    }
}

/// The report as text: paths relative to the workflow directory.
pub(super) fn text(out: &Printer, report: &Report<'_>, workflow: &str, dir: &Path) {
    let shown = |path: &Path| -> String {
        match path.strip_prefix(dir) {
            Ok(relative) if !relative.as_os_str().is_empty() => relative.display().to_string(),
            _ => path.display().to_string(),
        }
    };
    for l in &report.lookalikes {
        out.note(format!(
            "warning: {}:{}:{}: starts like JSON but is not valid JSON ({}); the host reads the whole file as the plain value {{\"value\": ...}}",
            l.file.display(),
            l.line,
            l.column,
            l.message
        ));
    }

    out.line(format!(
        "Secrets of {workflow} (workflow directory {}):",
        dir.display()
    ));
    if report.layers.is_empty() {
        out.line("  no local secrets: neither .secrets/ nor .secrets.yaml exists");
    }
    let layer_names: Vec<String> = report
        .layers
        .iter()
        .map(|l| format!("{}{}", shown(&l.path), if l.is_dir { "/" } else { "" }))
        .collect();
    let width = layer_names.iter().map(String::len).max().unwrap_or(0);
    for (layer, name) in report.layers.iter().zip(&layer_names) {
        out.line(format!(
            "  {name:<width$}  {}",
            count(layer.secrets.len(), "service")
        ));
    }
    if report.layers.len() > 1 {
        out.line("  (a later source replaces an earlier one's service whole)");
    }
    out.line("  (in the pod, /app/secrets is merged on top; it is not read here)");

    out.line("");
    if report.rows.is_empty() {
        out.line("No contract dependency references a secret (auth.secret).");
    } else {
        out.line("Referenced by contract dependencies (auth.secret):");
        let sources: Vec<String> = report
            .rows
            .iter()
            .map(|r| r.file.as_deref().map_or_else(|| "-".to_owned(), shown))
            .collect();
        let name_width = report
            .rows
            .iter()
            .map(|r| r.reference.name().len())
            .max()
            .unwrap_or(0);
        let source_width = sources.iter().map(String::len).max().unwrap_or(0);
        for (r, source) in report.rows.iter().zip(&sources) {
            let length = match r.status {
                Status::Ok(n) => count(n, "char"),
                _ => String::new(),
            };
            out.line(format!(
                "  {:<7}  {:<name_width$}  {length:<9}  {source:<source_width$}  {}",
                r.status.name(),
                r.reference.name(),
                r.reference.used_by()
            ));
            if let Some(hint) = &r.hint {
                out.line(format!("           = {hint}"));
            }
        }
    }
    if let Some(status) = report.queue {
        out.line("");
        let consequence = if matches!(status, Status::Ok(_)) {
            ""
        } else {
            " (the host then skips the queue triggers)"
        };
        out.line(format!(
            "Queue triggers need nats.token: {}{consequence}",
            status.name()
        ));
    }
    if !report.legacy.is_empty() {
        out.line("");
        out.line("Legacy ctx.fetch(service, ...) sends token as Authorization: Bearer, api_key as X-API-Key:");
        for l in &report.legacy {
            let sent = match &l.file {
                Some(file) if !l.headers.is_empty() => {
                    format!("sends {} ({})", l.headers.join(" and "), shown(file))
                }
                Some(file) => format!(
                    "no token or api_key in {}: requests go without auth",
                    shown(file)
                ),
                None => "no secrets for it: requests go without auth".to_owned(),
            };
            out.line(format!(
                "  {} (node {}): {sent}",
                l.service,
                l.nodes.join(", ")
            ));
        }
    }

    if !report.unreferenced.is_empty() || !report.unknown.is_empty() || !report.shadowed.is_empty()
    {
        out.line("");
    }
    for (service, lost, won) in &report.shadowed {
        out.line(format!(
            "note: {} replaces service \"{service}\" of {} whole: none of the keys there are used",
            shown(won),
            shown(lost)
        ));
    }
    for (service, file) in &report.unreferenced {
        out.line(format!(
            "note: service \"{service}\" ({}) is referenced by no dependency; legacy ctx.secrets may still read it",
            shown(file)
        ));
    }
    for (node, why) in report.unknown {
        out.line(format!("note: node \"{node}\": {why}"));
    }
}
