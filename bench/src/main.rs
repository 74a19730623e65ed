//! `tntc-bench`: the reproducible benchmark of tntc (see `bench/README.md`; `bench/run.sh`
//! builds everything and runs it).
//!
//! It drives the release binaries as a user would, never their internals: `tntc bench -o
//! json` for the per-node breakdown (a trivial node, the word-count example's three nodes, a
//! CPU-heavy node), `tntc-host` processes for engine start-up, `/run` latency, throughput and
//! memory (with `wrk`), `tntc build` and `tntc dev` for the author's loop, and Deno for the
//! V8 comparison and the original engine's model (`bench/deno-baseline/`). Each figure is a
//! median or a distribution of repeated measurements, and the machine's load average is
//! recorded before and after: the machines this runs on are small and shared.
//!
//! Output: `results.json` (everything: [`results::Results`]), `results.md` (the tables,
//! targets side by side) and `latency.svg` (the per-node latency distributions and
//! breakdowns), in `--out`. `tntc bench -o json` is read as the CLI's own report type
//! (`tntc_report::bench::Report`), never by untyped paths.
//!
//! ```text
//! tntc-bench [--out DIR] [--bin DIR] [--host PATH] [--deno PATH] [--quick] [--only SECTION,...] [--render]
//! sections: per-node, v8, engine-start, warm-run, throughput, build, dev-reload
//! --render: rewrite results.md and latency.svg from the results.json in --out
//! ```

mod chart;
mod markdown;
mod procs;
mod results;
mod sections;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use results::{Machine, Results, Section};
use sections::Env;

const SECTIONS: &[&str] = &[
    "per-node",
    "v8",
    "engine-start",
    "warm-run",
    "throughput",
    "build",
    "dev-reload",
];

struct Args {
    out: PathBuf,
    bin: PathBuf,
    host: PathBuf,
    deno: Option<PathBuf>,
    quick: bool,
    only: Option<Vec<String>>,
    render: bool,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn parse_args() -> anyhow::Result<Args> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    let mut args = Args {
        out: repo().join("bench/results"),
        bin: target.join("release"),
        host: target.join("pod").join("tntc-host"),
        deno: std::env::var_os("DENO").map(PathBuf::from),
        quick: false,
        only: None,
        render: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--out" => args.out = PathBuf::from(value("--out")?),
            "--bin" => args.bin = PathBuf::from(value("--bin")?),
            "--host" => args.host = PathBuf::from(value("--host")?),
            "--deno" => args.deno = Some(PathBuf::from(value("--deno")?)),
            "--quick" => args.quick = true,
            "--render" => args.render = true,
            "--only" => {
                let list: Vec<String> = value("--only")?.split(',').map(str::to_string).collect();
                if let Some(unknown) = list.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
                    bail!(
                        "unknown section {unknown}; sections: {}",
                        SECTIONS.join(", ")
                    );
                }
                args.only = Some(list);
            }
            "-h" | "--help" => {
                println!(
                    "tntc-bench [--out DIR] [--bin DIR] [--host PATH] [--deno PATH] [--quick] [--only SECTION,...] [--render]\nsections: {}\n--render: only rewrite results.md and latency.svg from the results.json in --out",
                    SECTIONS.join(", ")
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (see --help)"),
        }
    }
    if !args.render && !args.bin.join("tntc").is_file() {
        bail!(
            "{} is missing: build it with `cargo build --release -p tntc` or pass --bin DIR",
            args.bin.join("tntc").display()
        );
    }
    if !args.render && !args.host.is_file() {
        bail!(
            "{} is missing: build it with `cargo build --profile pod -p tntc-host` or pass --host PATH",
            args.host.display()
        );
    }
    Ok(args)
}

/// The machine, for the record.
fn machine() -> Machine {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or(String::new(), |(_, v)| v.trim().to_string());
    let cpus = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let memory_kib: u64 = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    Machine {
        cpu: model,
        cpus,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
        memory_gib: procs::round(memory_kib as f64 / 1024.0 / 1024.0),
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn run(args: &Args) -> anyhow::Result<Results> {
    let scratch = std::env::temp_dir().join(format!("tntc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let env = Env {
        repo: repo().canonicalize()?,
        bin: args.bin.canonicalize()?,
        host: args.host.canonicalize()?,
        deno: args.deno.clone(),
        scratch: scratch.clone(),
        quick: args.quick,
    };
    let wanted = |s: &str| args.only.as_ref().is_none_or(|o| o.iter().any(|x| x == s));
    let commit = procs::output(
        std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(&env.repo),
    );
    let mut results = Results {
        machine: machine(),
        load_average_before: load_average(),
        quick: args.quick,
        commit: commit.map(|c| c.trim().to_string()).unwrap_or_default(),
        per_node: None,
        v8: None,
        engine_start: None,
        warm_run: None,
        throughput: None,
        build: None,
        dev_reload: None,
        load_average_after: String::new(),
    };

    for section in SECTIONS {
        if !wanted(section) {
            continue;
        }
        eprintln!("{section} (load average {})...", load_average());
        match *section {
            "per-node" => results.per_node = Some(measured(section, sections::per_node(&env))),
            "v8" => {
                // The heavy node's fresh-sandbox figures: this run's when it measured them.
                let heavy = results
                    .per_node
                    .as_ref()
                    .and_then(Section::ok)
                    .map(|p| p.heavy.clone());
                let v8 = match heavy {
                    Some(heavy) => sections::v8(&env, &heavy),
                    None => sections::heavy_node(&env).and_then(|heavy| sections::v8(&env, &heavy)),
                };
                results.v8 = Some(measured(section, v8));
            }
            "engine-start" => {
                results.engine_start = Some(measured(section, sections::engine_start(&env)));
            }
            "warm-run" => results.warm_run = Some(measured(section, sections::warm_run(&env))),
            "throughput" => {
                results.throughput = Some(measured(section, sections::throughput(&env)));
            }
            "build" => results.build = Some(measured(section, sections::build(&env))),
            "dev-reload" => {
                results.dev_reload = Some(measured(section, sections::dev_reload(&env)));
            }
            _ => unreachable!("every section is listed"),
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    results.load_average_after = load_average();
    Ok(results)
}

/// A section's figures, or its error (printed now, recorded in results.json).
fn measured<T>(section: &str, result: anyhow::Result<T>) -> Section<T> {
    match result {
        Ok(figures) => Section::Measured(figures),
        Err(e) => {
            eprintln!("  {section} failed: {e:#}");
            Section::Failed {
                error: format!("{e:#}"),
            }
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("tntc-bench: {e:#}");
            return ExitCode::from(2);
        }
    };
    let results = if args.render {
        std::fs::read_to_string(args.out.join("results.json"))
            .context("cannot read results.json")
            .and_then(|text| {
                serde_json::from_str(&text)
                    .context("results.json is not the results of this version of tntc-bench")
            })
    } else {
        run(&args)
    };
    match results.and_then(|results| write(&args.out, &results)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tntc-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn write(out: &Path, results: &Results) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let files = [
        (
            "results.json",
            serde_json::to_string_pretty(results)? + "\n",
        ),
        ("results.md", markdown::render(results)),
        ("latency.svg", chart::render(results)),
    ];
    for (name, text) in files {
        std::fs::write(out.join(name), text).with_context(|| format!("cannot write {name}"))?;
    }
    eprintln!(
        "wrote {}/results.{{json,md}} and latency.svg",
        out.display()
    );
    Ok(())
}
