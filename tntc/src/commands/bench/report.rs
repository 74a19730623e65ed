//! The benchmark's result as tables for people (`-o json` prints the
//! `tntc_report::bench::Report` itself).

use tntc_report::bench::{Distribution, LimitMode, LimitRuns, NodeResult, Report};

use super::stats::human;

/// The report as lines of text.
pub fn text(report: &Report) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{}: {} runs per node after {} warm-up runs, each in a fresh sandbox",
            report.workflow, report.runs, report.warmup
        ),
        String::new(),
    ];
    let r = &report.runtime;
    lines.push(format!(
            "runtime start   cold {} (pre-initialize {}, compile {})   warm {} (median of {}, from the cache)",
            human(r.cold_ms * 1000.0),
            human(r.preinitialize_ms * 1000.0),
            human(r.compile_ms * 1000.0),
            human(r.warm_ms * 1000.0),
            r.warm_samples_ms.len()
        ));
    lines.push(String::new());

    let width = report
        .nodes
        .iter()
        .map(|n| n.node.len())
        .chain([4])
        .max()
        .unwrap_or(4);
    lines.push(format!(
        "{:<width$}  {:<11} {:>10} {:>10} {:>10} {:>10}",
        "node", "phase", "p50", "p90", "p99", "max"
    ));
    for node in &report.nodes {
        lines.extend(node_rows(node, width));
    }
    lines.push(String::new());

    let dag = &report.dag;
    lines.push(format!(
            "whole DAG ({} nodes, Deployment::execute)  p50 {}  p90 {}  p99 {}  max {}  ({} runs, {} failed)",
            dag.nodes,
            human(dag.total.p50_us),
            human(dag.total.p90_us),
            human(dag.total.p99_us),
            human(dag.total.max_us),
            dag.runs,
            dag.failures
        ));
    if let Some(error) = &dag.error {
        lines.push(format!("  first failure: {error}"));
    }

    if let Some(modes) = &report.limits {
        lines.push(String::new());
        lines.extend(limit_rows(modes, width));
    }
    lines
}

fn row(label: &str, phase: &str, d: &Distribution, width: usize) -> String {
    format!(
        "{label:<width$}  {phase:<11} {:>10} {:>10} {:>10} {:>10}",
        human(d.p50_us),
        human(d.p90_us),
        human(d.p99_us),
        human(d.max_us)
    )
}

fn node_rows(node: &NodeResult, width: usize) -> Vec<String> {
    if node.runs == 0 {
        return vec![format!(
            "{:<width$}  failed: {}",
            node.node,
            node.error.as_deref().unwrap_or("no run finished")
        )];
    }
    let p = &node.phases;
    let mut rows = vec![row(&node.node, "total", &p.total, width)];
    for (phase, d) in [
        ("instantiate", &p.instantiate),
        ("load", &p.load),
        ("input", &p.input),
        ("run", &p.run),
        ("output", &p.output),
        ("teardown", &p.teardown),
    ] {
        rows.push(row("", phase, d, width));
    }
    rows.push(format!(
        "{:<width$}  input: {}; linear memory {} KiB; {} KiB restored per run",
        "",
        node.input.name(),
        node.memory_peak_bytes / 1024,
        node.reset_bytes / 1024
    ));
    if let Some(error) = &node.error {
        rows.push(format!(
            "{:<width$}  stopped after {} runs: {error}",
            "", node.runs
        ));
    }
    rows
}

fn limit_rows(modes: &[LimitRuns], width: usize) -> Vec<String> {
    let mut rows = vec![format!(
        "{:<width$}  {:<11} {:>16} {:>16} {:>16}",
        "limits (p50)",
        "",
        LimitMode::ALL[0].label(),
        LimitMode::ALL[1].label(),
        LimitMode::ALL[2].label()
    )];
    let Some(first) = modes.first() else {
        return rows;
    };
    for (index, node) in first.nodes.iter().enumerate() {
        fn of(mode: &LimitRuns, index: usize) -> Option<&NodeResult> {
            mode.nodes.get(index)
        }
        let baseline = |pick: fn(&NodeResult) -> f64| of(first, index).map_or(0.0, pick);
        for (phase, pick) in [
            (
                "total",
                (|n: &NodeResult| n.phases.total.p50_us) as fn(&NodeResult) -> f64,
            ),
            ("run", |n: &NodeResult| n.phases.run.p50_us),
        ] {
            let cells: Vec<String> = modes
                .iter()
                .map(|mode| match of(mode, index) {
                    Some(n) if n.runs > 0 => {
                        let value = pick(n);
                        let base = baseline(pick);
                        if mode.mode == LimitMode::None || base <= 0.0 {
                            human(value)
                        } else {
                            format!("{} {:+.0}%", human(value), (value / base - 1.0) * 100.0)
                        }
                    }
                    _ => "failed".to_string(),
                })
                .collect();
            let label = if phase == "total" {
                node.node.as_str()
            } else {
                ""
            };
            rows.push(format!(
                "{label:<width$}  {phase:<11} {:>16} {:>16} {:>16}",
                cells[0],
                cells.get(1).map_or("", String::as_str),
                cells.get(2).map_or("", String::as_str)
            ));
        }
    }
    rows
}
