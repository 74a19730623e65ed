//! `results.md`: the targets side by side with what was measured, then one table per section.

use std::fmt::Write as _;

use serde_json::Value;

/// A number at `path` in `value`.
pub fn num(value: &Value, path: &[&str]) -> Option<f64> {
    path.iter().try_fold(value, |v, key| v.get(*key))?.as_f64()
}

fn fmt(value: Option<f64>, unit: &str) -> String {
    match value {
        Some(v) if v >= 100.0 => format!("{v:.0} {unit}"),
        Some(v) if v >= 10.0 => format!("{v:.1} {unit}"),
        Some(v) => format!("{v:.2} {unit}"),
        None => "not measured".into(),
    }
}

fn verdict(measured: Option<f64>, ok: impl Fn(f64) -> bool) -> &'static str {
    match measured {
        Some(v) if ok(v) => "met",
        Some(_) => "**missed**",
        None => "-",
    }
}

/// The Markdown report.
pub fn render(r: &Value) -> String {
    let mut md = String::from("# tntc benchmark results\n\n");
    let m = &r["machine"];
    let _ = writeln!(
        md,
        "Machine: {} ({} CPUs), Linux {}, {} GiB RAM. Commit `{}`. Load average (1/5/15 min) before: {}, after: {}.{}\n",
        m["cpu"].as_str().unwrap_or("?"),
        m["cpus"],
        m["kernel"].as_str().unwrap_or("?"),
        m["memory_gib"],
        r["commit"].as_str().unwrap_or("?"),
        r["load_average_before"].as_str().unwrap_or("?"),
        r["load_average_after"].as_str().unwrap_or("?"),
        if r["quick"].as_bool() == Some(true) {
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

fn targets(md: &mut String, r: &Value) {
    let trivial = &r["per_node"]["trivial"]["nodes"][0]["phases"]["total"];
    let p50 = num(trivial, &["p50_us"]);
    let p99 = num(trivial, &["p99_us"]);
    let start = num(r, &["engine_start", "cached_ms", "p50"]);
    let warm = num(r, &["warm_run", "latency_us", "p50"]).map(|us| us / 1000.0);
    let t = &r["throughput"];
    let ratio = num(t, &["ratio"]);
    let idle = num(t, &["tntc", "rss_idle_mib"]);
    let started = num(t, &["tntc", "rss_started_mib"]);
    let loaded = num(t, &["tntc", "rss_load_max_mib"]);
    let slowdown = num(r, &["v8", "slowdown_run"]);
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
                num(t, &["tntc", "requests_per_second"]),
                num(t, &["deno", "requests_per_second"]),
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

fn per_node(md: &mut String, r: &Value) {
    let Some(per_node) = r["per_node"].as_object() else {
        return;
    };
    md.push_str(
        "## Per-node runs (`tntc bench`): a fresh sandbox for every run, p50 of each phase\n\n",
    );
    md.push_str("| workflow | node | runs | total p50 | p90 | p99 | max | instantiate | load | input | run | output | teardown | restored/run |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (workflow, bench) in per_node {
        for node in bench["nodes"].as_array().into_iter().flatten() {
            let p = &node["phases"];
            let us = |phase: &str, key: &str| fmt(num(p, &[phase, key]), "us");
            let _ = writeln!(
                md,
                "| {workflow} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} KiB |",
                node["node"].as_str().unwrap_or("?"),
                node["runs"],
                us("total", "p50_us"),
                us("total", "p90_us"),
                us("total", "p99_us"),
                us("total", "max_us"),
                us("instantiate", "p50_us"),
                us("load", "p50_us"),
                us("input", "p50_us"),
                us("run", "p50_us"),
                us("output", "p50_us"),
                us("teardown", "p50_us"),
                node["reset_bytes"].as_u64().unwrap_or(0) / 1024,
            );
        }
        if let Some(dag) = bench.get("dag") {
            let _ = writeln!(
                md,
                "| {workflow} | whole DAG | {} | {} | {} | {} | {} | | | | | | | |",
                dag["runs"],
                fmt(num(dag, &["total", "p50_us"]), "us"),
                fmt(num(dag, &["total", "p90_us"]), "us"),
                fmt(num(dag, &["total", "p99_us"]), "us"),
                fmt(num(dag, &["total", "max_us"]), "us"),
            );
        }
    }
    if let Some(rt) = r["per_node"]["trivial"].get("runtime") {
        let _ = writeln!(
            md,
            "\nRuntime start inside `tntc bench`: cold (wizer + JIT into an empty cache) {}, warm (from the cache) {}.\n",
            fmt(num(rt, &["cold_ms"]), "ms"),
            fmt(num(rt, &["warm_ms"]), "ms")
        );
    }
}

fn services(md: &mut String, r: &Value) {
    let s = |v: &Value, unit: &str| {
        format!(
            "p50 {}, min {}, max {} ({} runs)",
            fmt(num(v, &["p50"]), unit),
            fmt(num(v, &["min"]), unit),
            fmt(num(v, &["max"]), unit),
            v["count"]
        )
    };
    let e = &r["engine_start"];
    if e.is_object() {
        let _ = writeln!(
            md,
            "## Engine start: `tntc-host` spawn -> first 200 from `POST /run` (word-count, 3 nodes)\n\n- cached precompiled runtime: {}\n- empty cache (wizer + JIT, in a child process): {}\n",
            s(&e["cached_ms"], "ms"),
            s(&e["uncached_ms"], "ms")
        );
        let rss = &e["uncached_rss_after_200_kib"];
        if rss.is_object() {
            let mib = |key: &str| fmt(num(rss, &[key]).map(|k| k / 1024.0), "MiB");
            let _ = writeln!(
                md,
                "RSS of a host started on an empty cache, after 200 `/run` and 1 s idle: p50 {}, max {}.\n",
                mib("p50"),
                mib("max")
            );
        }
    }
    let w = &r["warm_run"]["latency_us"];
    if w.is_object() {
        let _ = writeln!(
            md,
            "## Warm `/run` (word-count, one keep-alive connection, {} sequential requests)\n\np50 {}, p90 {}, p99 {}, max {}.\n",
            r["warm_run"]["requests"],
            fmt(num(w, &["p50"]), "us"),
            fmt(num(w, &["p90"]), "us"),
            fmt(num(w, &["p99"]), "us"),
            fmt(num(w, &["max"]), "us")
        );
    }
    let t = &r["throughput"];
    if t.is_object() {
        md.push_str(
            "## Throughput and memory (`wrk -t2 -c16`, 10 s, `POST /run` of word-count)\n\n",
        );
        md.push_str("| engine | req/s | latency p50 | p99 | RSS idle after warm-up | RSS max under load | VmHWM | RSS after |\n|---|---|---|---|---|---|---|---|\n");
        for (label, key) in [
            ("tntc-host", "tntc"),
            ("Deno baseline (original model)", "deno"),
        ] {
            let v = &t[key];
            if let Some(error) = v["error"].as_str() {
                let _ = writeln!(md, "| {label} | failed: {error} | | | | | | |");
                continue;
            }
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {} | {} | {} | {} |",
                fmt(num(v, &["requests_per_second"]), ""),
                fmt(num(v, &["latency_ms", "p50"]), "ms"),
                fmt(num(v, &["latency_ms", "p99"]), "ms"),
                fmt(num(v, &["rss_idle_mib"]), "MiB"),
                fmt(num(v, &["rss_load_max_mib"]), "MiB"),
                fmt(num(v, &["rss_hwm_mib"]), "MiB"),
                fmt(num(v, &["rss_after_mib"]), "MiB"),
            );
        }
        md.push('\n');
    }
    let v = &r["v8"];
    if v.is_object() && v.get("error").is_none() {
        let _ = writeln!(
            md,
            "## CPU-heavy node: QuickJS in a fresh sandbox vs V8 (Deno)\n\nV8, warm: p50 {} (first call in a fresh process {}). tntc: run phase p50 {}, whole fresh-sandbox run p50 {}. Slowdown: {:.1}x (run), {:.1}x (whole run).\n",
            fmt(num(v, &["v8_warm_ms", "p50"]), "ms"),
            fmt(num(v, &["v8_cold_ms"]), "ms"),
            fmt(num(v, &["tntc_run_ms_p50"]), "ms"),
            fmt(num(v, &["tntc_total_ms_p50"]), "ms"),
            num(v, &["slowdown_run"]).unwrap_or(0.0),
            num(v, &["slowdown_total"]).unwrap_or(0.0),
        );
    }
    let b = &r["build"];
    if b.is_object() && b.get("error").is_none() {
        let _ = writeln!(
            md,
            "## `tntc build` of a 5-node workflow (bench/workflows/five)\n\n- empty runtime cache: {}\n- warm cache: {}\n",
            s(&b["cold_ms"], "ms"),
            s(&b["warm_ms"], "ms")
        );
    }
    let d = &r["dev_reload"]["edit_to_served_ms"];
    if d.is_object() {
        let _ = writeln!(
            md,
            "## `tntc dev`: one-node edit -> `/run` serves it\n\n{}\n",
            s(d, "ms")
        );
    }
    for (name, value) in r.as_object().into_iter().flatten() {
        if let Some(error) = value.get("error").and_then(Value::as_str) {
            let _ = writeln!(md, "- `{name}` failed: {error}");
        }
    }
}
