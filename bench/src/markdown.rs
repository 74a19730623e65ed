//! `results.md`: the targets side by side with what was measured, then one table per section.

use std::fmt::Write as _;

use crate::results::{Load, Results, Summary};

fn fmt(value: Option<f64>, unit: &str) -> String {
    match value {
        Some(v) if v >= 100.0 => format!("{v:.0} {unit}"),
        Some(v) if v >= 10.0 => format!("{v:.1} {unit}"),
        Some(v) => format!("{v:.2} {unit}"),
        None => "not measured".into(),
    }
}

/// A figure as results.json writes it (`23.5`, `24.0`), where Rust's `{}` would drop `.0`.
fn as_in_json(value: f64) -> String {
    serde_json::Value::from(value).to_string()
}

fn verdict(measured: Option<f64>, ok: impl Fn(f64) -> bool) -> &'static str {
    match measured {
        Some(v) if ok(v) => "met",
        Some(_) => "**missed**",
        None => "-",
    }
}

/// The Markdown report.
pub fn render(r: &Results) -> String {
    let mut md = String::from("# tntc benchmark results\n\n");
    let m = &r.machine;
    let _ = writeln!(
        md,
        "Machine: {} ({} CPUs), Linux {}, {} GiB RAM. Commit `{}`. Load average (1/5/15 min) before: {}, after: {}.{}\n",
        m.cpu,
        m.cpus,
        m.kernel,
        as_in_json(m.memory_gib),
        r.commit,
        r.load_average_before,
        r.load_average_after,
        if r.quick {
            " **Quick mode: few repetitions, not a measurement.**"
        } else {
            ""
        }
    );
    targets(&mut md, r);
    per_node(&mut md, r);
    services(&mut md, r);
    md
}

fn targets(md: &mut String, r: &Results) {
    let per_node = r.per_node.as_ref().and_then(|s| s.ok());
    let trivial = per_node
        .and_then(|p| p.trivial.nodes.first())
        .map(|n| n.phases.total);
    let p50 = trivial.map(|d| d.p50_us);
    let p99 = trivial.map(|d| d.p99_us);
    let start = r
        .engine_start
        .as_ref()
        .and_then(|s| s.ok())
        .map(|e| e.cached_ms.p50);
    let warm = r
        .warm_run
        .as_ref()
        .and_then(|s| s.ok())
        .map(|w| w.latency_us.p50 / 1000.0);
    let t = r.throughput.as_ref().and_then(|s| s.ok());
    let ratio = t.and_then(|t| t.ratio);
    let idle = t.map(|t| t.tntc.rss_idle_mib);
    let started = t.and_then(|t| t.tntc.rss_started_mib);
    let loaded = t.map(|t| t.tntc.rss_load_max_mib);
    let slowdown = r.v8.as_ref().and_then(|s| s.ok()).map(|v| v.slowdown_run);
    md.push_str("## Targets\n\n| figure | target | measured | |\n|---|---|---|---|\n");
    let rows = [
        (
            "fresh-sandbox run of a trivial node, p50",
            "<= 20 us",
            fmt(p50, "us"),
            verdict(p50, |v| v <= 20.0),
        ),
        (
            "fresh-sandbox run of a trivial node, p99",
            "<= 60 us",
            fmt(p99, "us"),
            verdict(p99, |v| v <= 60.0),
        ),
        (
            "engine spawn -> first 200 from /run (cached runtime), p50",
            "<= 10 ms",
            fmt(start, "ms"),
            verdict(start, |v| v <= 10.0),
        ),
        (
            "warm /run of the 3-node example, p50",
            "<= 0.3 ms",
            fmt(warm, "ms"),
            verdict(warm, |v| v <= 0.3),
        ),
        (
            "throughput at 16 connections vs the Deno baseline",
            ">= 2x",
            match (
                t.map(|t| t.tntc.requests_per_second),
                t.and_then(|t| t.deno.ok()).map(|d| d.requests_per_second),
            ) {
                (Some(a), Some(b)) => {
                    format!("{a:.0} vs {b:.0} req/s = {:.2}x", ratio.unwrap_or(0.0))
                }
                _ => "not measured".into(),
            },
            verdict(ratio, |v| v >= 2.0),
        ),
        (
            "host RSS, idle, just started (after its first /run)",
            "<= 15 MiB",
            fmt(started, "MiB"),
            verdict(started, |v| v <= 15.0),
        ),
        (
            "host RSS, idle, after 200 warm-up /run",
            "<= 15 MiB",
            fmt(idle, "MiB"),
            verdict(idle, |v| v <= 15.0),
        ),
        (
            "host RSS under the 16-connection load (max sampled)",
            "<= 40 MiB",
            fmt(loaded, "MiB"),
            verdict(loaded, |v| v <= 40.0),
        ),
        (
            "CPU-heavy node vs V8 (fib(25) + sort 100k), run phase",
            "measured, published",
            slowdown.map_or("not measured".into(), |s| format!("{s:.1}x slower")),
            "-",
        ),
    ];
    for (what, target, measured, verdict) in rows {
        let _ = writeln!(md, "| {what} | {target} | {measured} | {verdict} |");
    }
    md.push('\n');
}

fn per_node(md: &mut String, r: &Results) {
    let Some(per_node) = r.per_node.as_ref().and_then(|s| s.ok()) else {
        return;
    };
    md.push_str(
        "## Per-node runs (`tntc bench`): a fresh sandbox for every run, p50 of each phase\n\n",
    );
    md.push_str("| workflow | node | runs | total p50 | p90 | p99 | max | instantiate | load | input | run | output | teardown | restored/run |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (workflow, bench) in per_node.workflows() {
        for node in &bench.nodes {
            let p = &node.phases;
            let us = |value: f64| fmt(Some(value), "us");
            let _ = writeln!(
                md,
                "| {workflow} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} KiB |",
                node.node,
                node.runs,
                us(p.total.p50_us),
                us(p.total.p90_us),
                us(p.total.p99_us),
                us(p.total.max_us),
                us(p.instantiate.p50_us),
                us(p.load.p50_us),
                us(p.input.p50_us),
                us(p.run.p50_us),
                us(p.output.p50_us),
                us(p.teardown.p50_us),
                node.reset_bytes / 1024,
            );
        }
        let dag = &bench.dag;
        let _ = writeln!(
            md,
            "| {workflow} | whole DAG | {} | {} | {} | {} | {} | | | | | | | |",
            dag.runs,
            fmt(Some(dag.total.p50_us), "us"),
            fmt(Some(dag.total.p90_us), "us"),
            fmt(Some(dag.total.p99_us), "us"),
            fmt(Some(dag.total.max_us), "us"),
        );
    }
    let rt = &per_node.trivial.runtime;
    let _ = writeln!(
        md,
        "\nRuntime start inside `tntc bench`: cold (wizer + JIT into an empty cache) {}, warm (from the cache) {}.\n",
        fmt(Some(rt.cold_ms), "ms"),
        fmt(Some(rt.warm_ms), "ms")
    );
}

/// `p50 .., min .., max .. (N runs)`.
fn spread(v: &Summary, unit: &str) -> String {
    format!(
        "p50 {}, min {}, max {} ({} runs)",
        fmt(Some(v.p50), unit),
        fmt(Some(v.min), unit),
        fmt(Some(v.max), unit),
        v.count
    )
}

fn services(md: &mut String, r: &Results) {
    if let Some(e) = r.engine_start.as_ref().and_then(|s| s.ok()) {
        let _ = writeln!(
            md,
            "## Engine start: `tntc-host` spawn -> first 200 from `POST /run` (word-count, 3 nodes)\n\n- cached precompiled runtime: {}\n- empty cache (wizer + JIT, in a child process): {}\n",
            spread(&e.cached_ms, "ms"),
            spread(&e.uncached_ms, "ms")
        );
        let rss = &e.uncached_rss_after_200_kib;
        let mib = |kib: f64| fmt(Some(kib / 1024.0), "MiB");
        let _ = writeln!(
            md,
            "RSS of a host started on an empty cache, after 200 `/run` and 1 s idle: p50 {}, max {}.\n",
            mib(rss.p50),
            mib(rss.max)
        );
    }
    if let Some(warm) = r.warm_run.as_ref().and_then(|s| s.ok()) {
        let w = &warm.latency_us;
        let _ = writeln!(
            md,
            "## Warm `/run` (word-count, one keep-alive connection, {} sequential requests)\n\np50 {}, p90 {}, p99 {}, max {}.\n",
            warm.requests,
            fmt(Some(w.p50), "us"),
            fmt(Some(w.p90), "us"),
            fmt(Some(w.p99), "us"),
            fmt(Some(w.max), "us")
        );
    }
    if let Some(t) = r.throughput.as_ref().and_then(|s| s.ok()) {
        md.push_str(
            "## Throughput and memory (`wrk -t2 -c16`, 10 s, `POST /run` of word-count)\n\n",
        );
        md.push_str("| engine | req/s | latency p50 | p99 | RSS idle after warm-up | RSS max under load | VmHWM | RSS after |\n|---|---|---|---|---|---|---|---|\n");
        let rows: [(&str, Result<&Load, &str>); 2] = [
            ("tntc-host", Ok(&t.tntc)),
            ("Deno baseline (original model)", t.deno.measured()),
        ];
        for (label, figures) in rows {
            let v = match figures {
                Ok(v) => v,
                Err(error) => {
                    let _ = writeln!(md, "| {label} | failed: {error} | | | | | | |");
                    continue;
                }
            };
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {} | {} | {} | {} |",
                fmt(Some(v.requests_per_second), ""),
                fmt(Some(v.latency_ms.p50), "ms"),
                fmt(Some(v.latency_ms.p99), "ms"),
                fmt(Some(v.rss_idle_mib), "MiB"),
                fmt(Some(v.rss_load_max_mib), "MiB"),
                fmt(Some(v.rss_hwm_mib), "MiB"),
                fmt(Some(v.rss_after_mib), "MiB"),
            );
        }
        md.push('\n');
    }
    if let Some(v) = r.v8.as_ref().and_then(|s| s.ok()) {
        let _ = writeln!(
            md,
            "## CPU-heavy node: QuickJS in a fresh sandbox vs V8 (Deno)\n\nV8, warm: p50 {} (first call in a fresh process {}). tntc: run phase p50 {}, whole fresh-sandbox run p50 {}. Slowdown: {:.1}x (run), {:.1}x (whole run).\n",
            fmt(Some(v.v8_warm_ms.p50), "ms"),
            fmt(Some(v.v8_cold_ms), "ms"),
            fmt(Some(v.tntc_run_ms_p50), "ms"),
            fmt(Some(v.tntc_total_ms_p50), "ms"),
            v.slowdown_run,
            v.slowdown_total,
        );
    }
    if let Some(b) = r.build.as_ref().and_then(|s| s.ok()) {
        let _ = writeln!(
            md,
            "## `tntc build` of a 5-node workflow (bench/workflows/five)\n\n- empty runtime cache: {}\n- warm cache: {}\n",
            spread(&b.cold_ms, "ms"),
            spread(&b.warm_ms, "ms")
        );
    }
    if let Some(d) = r.dev_reload.as_ref().and_then(|s| s.ok()) {
        let _ = writeln!(
            md,
            "## `tntc dev`: one-node edit -> `/run` serves it\n\n{}\n",
            spread(&d.edit_to_served_ms, "ms")
        );
    }
    for (name, state) in r.sections() {
        if let Err(error) = state {
            let _ = writeln!(md, "- `{name}` failed: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Section;

    fn committed() -> Results {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/results/results.json");
        let text = std::fs::read_to_string(path).expect("bench/results/results.json");
        serde_json::from_str(&text).expect("the committed results parse")
    }

    #[test]
    fn the_committed_results_render_to_the_committed_tables() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/results/results.md");
        let committed_md = std::fs::read_to_string(path).expect("bench/results/results.md");
        assert_eq!(render(&committed()), committed_md);
    }

    #[test]
    fn a_failed_section_is_listed_with_its_error_and_has_no_table() {
        let mut results = committed();
        results.warm_run = Some(Section::Failed {
            error: "wrk: not found".into(),
        });
        let md = render(&results);
        assert!(
            md.contains("\n- `warm_run` failed: wrk: not found\n"),
            "{md}"
        );
        assert!(!md.contains("## Warm `/run`"), "{md}");
        assert!(
            md.contains("| warm /run of the 3-node example, p50 | <= 0.3 ms | not measured | - |"),
            "{md}"
        );
    }

    #[test]
    fn a_figure_prints_as_results_json_writes_it() {
        assert_eq!(as_in_json(24.0), "24.0");
        assert_eq!(as_in_json(23.541), "23.541");
    }
}
