//! `tntc visualize [dir]`: the DAG as Mermaid, Graphviz DOT, or JSON.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tntc_report::visualize::{self as report, Report};
use tntc_spec::{Checked, Trigger, TriggerKind};

use super::{invalid, load};
use crate::errors::CliResult;
use crate::output::Printer;

/// `tntc visualize`.
#[derive(Debug, clap::Args)]
pub struct VisualizeArgs {
    /// Workflow directory, or its workflow.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Diagram language.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

/// Diagram languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Mermaid `graph TD`.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

impl VisualizeArgs {
    /// Prints the diagram of the workflow.
    pub fn execute(self, out: &Printer) -> CliResult {
        visualize(out, &self.dir, self.format)
    }
}

fn visualize(out: &Printer, dir: &Path, format: GraphFormat) -> CliResult {
    let (_, checked) = match load(out, dir)? {
        Ok(ok) => ok,
        Err(loaded) => return Err(invalid(&loaded).into()),
    };
    if out.json() {
        out.report(&graph(&checked));
    } else {
        let text = match format {
            GraphFormat::Mermaid => mermaid(&checked),
            GraphFormat::Dot => dot(&checked),
        };
        out.line(text.trim_end());
    }
    Ok(ExitCode::SUCCESS)
}

/// What a trigger says in a diagram: `manual`, `cron: daily-digest` + schedule, ...
fn trigger_label(trigger: &Trigger) -> (String, Option<String>) {
    let kind = trigger.kind.type_name();
    let title = match &trigger.name {
        Some(name) => format!("{kind}: {name}"),
        None => kind.to_string(),
    };
    let detail = match &trigger.kind {
        TriggerKind::Manual => None,
        TriggerKind::Cron { schedule } => Some(schedule.clone()),
        TriggerKind::Queue { subject } => Some(subject.clone()),
        TriggerKind::Webhook { path } => Some(path.clone()),
    };
    (title, detail)
}

fn roots(checked: &Checked) -> Vec<&str> {
    checked.dag.roots().collect()
}

/// Mermaid `graph TD`: one subgraph per stage, triggers as stadium-shaped entry points.
/// Node ids are positional (`n0`, `n1`, ... in topological order) because Mermaid reserves
/// words like `end` that are valid node names here.
pub fn mermaid(checked: &Checked) -> String {
    let wf = &checked.workflow;
    let id_of = |node: &str| {
        let i = checked
            .dag
            .order
            .iter()
            .position(|n| n == node)
            .unwrap_or(0);
        format!("n{i}")
    };
    let escape = |s: &str| s.replace('"', "#quot;");
    let mut s = String::new();
    let _ = writeln!(s, "graph TD");
    let _ = writeln!(s, "    %% {} {}", wf.name, wf.version);
    for (i, trigger) in wf.triggers.iter().enumerate() {
        let (title, detail) = trigger_label(trigger);
        let label = match detail {
            Some(d) => format!("{}<br/>{}", escape(&title), escape(&d)),
            None => escape(&title),
        };
        let _ = writeln!(s, "    t{i}([\"{label}\"])");
    }
    for (i, stage) in checked.dag.stages.iter().enumerate() {
        let _ = writeln!(s, "    subgraph stage{} [\"Stage {}\"]", i + 1, i + 1);
        for node in stage {
            let _ = writeln!(s, "        {}[\"{}\"]", id_of(node), node);
        }
        let _ = writeln!(s, "    end");
    }
    for i in 0..wf.triggers.len() {
        for root in roots(checked) {
            let _ = writeln!(s, "    t{i} --> {}", id_of(root));
        }
    }
    for edge in &wf.edges {
        let _ = writeln!(s, "    {} --> {}", id_of(&edge.from), id_of(&edge.to));
    }
    s
}

/// Graphviz DOT: one cluster per stage.
pub fn dot(checked: &Checked) -> String {
    let wf = &checked.workflow;
    let quote = |s: &str| {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        format!("\"{escaped}\"")
    };
    let mut s = String::new();
    let _ = writeln!(s, "digraph {} {{", quote(&wf.name));
    let _ = writeln!(
        s,
        "    label={};",
        quote(&format!("{} {}", wf.name, wf.version))
    );
    let _ = writeln!(s, "    rankdir=TB;");
    let _ = writeln!(s, "    node [shape=box, style=rounded];");
    for (i, trigger) in wf.triggers.iter().enumerate() {
        let (title, detail) = trigger_label(trigger);
        let label = match detail {
            Some(d) => format!("{title}\n{d}"),
            None => title,
        };
        let _ = writeln!(
            s,
            "    {} [label={}, shape=oval];",
            quote(&format!("trigger {i}")),
            quote(&label)
        );
    }
    for (i, stage) in checked.dag.stages.iter().enumerate() {
        let _ = writeln!(s, "    subgraph cluster_stage{} {{", i + 1);
        let _ = writeln!(s, "        label={};", quote(&format!("Stage {}", i + 1)));
        for node in stage {
            let _ = writeln!(s, "        {};", quote(node));
        }
        let _ = writeln!(s, "    }}");
    }
    for i in 0..wf.triggers.len() {
        for root in roots(checked) {
            let _ = writeln!(
                s,
                "    {} -> {};",
                quote(&format!("trigger {i}")),
                quote(root)
            );
        }
    }
    for edge in &wf.edges {
        let _ = writeln!(s, "    {} -> {};", quote(&edge.from), quote(&edge.to));
    }
    let _ = writeln!(s, "}}");
    s
}

/// The graph as data: triggers, nodes with their stage, edges, stages.
pub fn graph(checked: &Checked) -> Report {
    let wf = &checked.workflow;
    Report {
        name: wf.name.clone(),
        version: wf.version.clone(),
        triggers: wf
            .triggers
            .iter()
            .map(|t| report::Trigger {
                name: t.name.clone(),
                kind: match &t.kind {
                    TriggerKind::Manual => report::TriggerKind::Manual,
                    TriggerKind::Cron { schedule } => report::TriggerKind::Cron {
                        schedule: schedule.clone(),
                    },
                    TriggerKind::Queue { subject } => report::TriggerKind::Queue {
                        subject: subject.clone(),
                    },
                    TriggerKind::Webhook { path } => {
                        report::TriggerKind::Webhook { path: path.clone() }
                    }
                },
            })
            .collect(),
        entry_nodes: roots(checked).into_iter().map(str::to_owned).collect(),
        nodes: checked
            .dag
            .order
            .iter()
            .map(|id| report::Node {
                id: id.clone(),
                // The DAG is compiled from the nodes: every id has a spec and a stage.
                path: wf.node(id).map(|n| n.path.clone()).unwrap_or_default(),
                stage: checked.dag.stage_of(id).unwrap_or_default(),
            })
            .collect(),
        edges: wf
            .edges
            .iter()
            .map(|e| report::Edge {
                from: e.from.clone(),
                to: e.to.clone(),
            })
            .collect(),
        stages: checked.dag.stages.clone(),
    }
}
