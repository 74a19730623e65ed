//! The measurements, one function each. Every figure is the median (or the distribution) of
//! repeated measurements; [`Env::quick`] only lowers the repeat counts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tntc_report::bench::Report as Bench;

use crate::procs::{Conn, Server, copy_tree, free_port, memory_kib, output, round, summary};
use crate::results::{
    Build, DevReload, EngineStart, Latency, Load, PerNode, Section, Throughput, V8, V8Samples,
    WarmRun,
};

/// Where everything is.
pub struct Env {
    /// The repository root.
    pub repo: PathBuf,
    /// Holds `tntc` (release build).
    pub bin: PathBuf,
    /// The `tntc-host` binary (`pod` profile: how pods run it).
    pub host: PathBuf,
    /// The `deno` binary (for the V8 and Deno-engine baselines).
    pub deno: Option<PathBuf>,
    /// Scratch space, removed afterwards.
    pub scratch: PathBuf,
    /// Fewer repetitions (a smoke run of the harness, not a measurement).
    pub quick: bool,
}

/// What the 3-node example's runs get: the word-count fixture's text.
pub const RUN_BODY: &str = r#"{"text": "The cat and the hat. The END!"}"#;

impl Env {
    fn tntc(&self) -> Command {
        let mut command = Command::new(self.bin.join("tntc"));
        command.env("NO_COLOR", "1");
        command
    }

    fn host(&self, workflow: &Path, port: u16, cache: &Path) -> Command {
        let mut command = Command::new(&self.host);
        command
            .arg("--workflow")
            .arg(workflow)
            .args(["--listen", "127.0.0.1", "--port", &port.to_string()])
            .arg("--cache-dir")
            .arg(cache);
        command
    }

    fn repeat(&self, full: usize, quick: usize) -> usize {
        if self.quick { quick } else { full }
    }

    /// A fresh directory under the scratch space.
    fn dir(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = self.scratch.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }

    fn deno(&self) -> anyhow::Result<Command> {
        let Some(deno) = &self.deno else {
            bail!("no deno binary (pass --deno or install it: see bench/README.md)");
        };
        let mut command = Command::new(deno);
        command
            .env("NO_COLOR", "1")
            .env("DENO_DIR", self.scratch.join("deno-cache"));
        Ok(command)
    }

    /// A copy of the word-count example, built (`dist/`), with a warm runtime cache.
    fn word_count(&self) -> anyhow::Result<(PathBuf, PathBuf)> {
        let dir = self.dir("word-count")?;
        copy_tree(&self.repo.join("examples/word-count"), &dir)?;
        let cache = self.scratch.join("cache-warm");
        output(
            self.tntc()
                .arg("build")
                .arg(&dir)
                .env("TNTC_CACHE_DIR", &cache),
        )?;
        Ok((dir, cache))
    }
}

/// `tntc bench -o json` on a workflow.
fn tntc_bench(env: &Env, workflow: &Path, runs: usize, warmup: usize) -> anyhow::Result<Bench> {
    let text = output(
        env.tntc()
            .arg("bench")
            .arg(workflow)
            .args(["-o", "json", "--runs", &runs.to_string()])
            .args(["--warmup", &warmup.to_string()]),
    )?;
    serde_json::from_str(&text)
        .context("`tntc bench -o json` printed something that is not its report")
}

/// `tntc bench` of the CPU-heavy node.
pub fn heavy_node(env: &Env) -> anyhow::Result<Bench> {
    let workflow = env.repo.join("bench/workflows/heavy");
    tntc_bench(env, &workflow, env.repeat(20, 3), env.repeat(3, 1))
}

/// `tntc bench -o json` on the harness's workflows: the trivial node, the word-count
/// example's three nodes, and the CPU-heavy node.
pub fn per_node(env: &Env) -> anyhow::Result<PerNode> {
    let workflows = env.repo.join("bench/workflows");
    Ok(PerNode {
        trivial: tntc_bench(
            env,
            &workflows.join("trivial"),
            env.repeat(5000, 300),
            env.repeat(500, 50),
        )?,
        word_count: tntc_bench(
            env,
            &env.repo.join("examples/word-count"),
            env.repeat(2000, 200),
            env.repeat(200, 20),
        )?,
        heavy: heavy_node(env)?,
    })
}

/// The CPU-heavy node in V8 (Deno) next to its fresh-sandbox run.
pub fn v8(env: &Env, heavy: &Bench) -> anyhow::Result<V8> {
    let node = env.repo.join("bench/workflows/heavy/nodes/heavy.ts");
    let text = output(
        env.deno()?
            .args(["run", "--allow-read"])
            .arg(env.repo.join("bench/deno-baseline/heavy.ts"))
            .arg(&node)
            .args([env.repeat(20, 3).to_string(), "3".to_string()]),
    )?;
    let v8: V8Samples = serde_json::from_str(text.trim())
        .context("heavy.ts printed no {\"cold_ms\", \"samples_ms\"} JSON")?;
    let v8_ms = summary(&v8.samples_ms);
    let phases = heavy.nodes.first().map(|n| &n.phases);
    let run_ms = phases.map_or(0.0, |p| p.run.p50_us) / 1000.0;
    let total_ms = phases.map_or(0.0, |p| p.total.p50_us) / 1000.0;
    let slowdown = |ms: f64| {
        if v8_ms.p50 > 0.0 {
            round(ms / v8_ms.p50)
        } else {
            0.0
        }
    };
    Ok(V8 {
        v8_warm_ms: v8_ms,
        v8_cold_ms: round(v8.cold_ms),
        tntc_run_ms_p50: round(run_ms),
        tntc_total_ms_p50: round(total_ms),
        slowdown_run: slowdown(run_ms),
        slowdown_total: slowdown(total_ms),
    })
}

/// Process spawn -> first 200 from `POST /run` of the 3-node example, with the precompiled
/// runtime in the cache (a pod restart) and with an empty cache (a first start).
pub fn engine_start(env: &Env) -> anyhow::Result<EngineStart> {
    let (dir, warm_cache) = env.word_count()?;
    let workflow = dir.join("dist/workflow.yaml");
    let start = |cache: &Path| -> anyhow::Result<(f64, Server)> {
        let port = free_port()?;
        let started = Instant::now();
        let mut server = Server::spawn(env.host(&workflow, port, cache), port)?;
        let elapsed = server.first_ok(RUN_BODY, started, Duration::from_secs(60))?;
        Ok((elapsed.as_secs_f64() * 1000.0, server))
    };
    start(&warm_cache)?;
    let mut cached = Vec::new();
    for _ in 0..env.repeat(15, 3) {
        cached.push(start(&warm_cache)?.0);
    }
    let mut uncached = Vec::new();
    // What a first start leaves resident: the host compiles in a child process so that the
    // server itself holds no compiler memory (bench/README.md).
    let mut uncached_rss_kib = Vec::new();
    for i in 0..env.repeat(3, 1) {
        let (ms, server) = start(&env.dir(&format!("cache-empty-{i}"))?)?;
        uncached.push(ms);
        let mut conn = Conn::open(server.port)?;
        for _ in 0..200 {
            conn.post("/run", RUN_BODY)?;
        }
        std::thread::sleep(Duration::from_secs(1));
        uncached_rss_kib.push(memory_kib(server.pid())?.0 as f64);
    }
    Ok(EngineStart {
        cached_ms: summary(&cached),
        uncached_ms: summary(&uncached),
        uncached_rss_after_200_kib: summary(&uncached_rss_kib),
    })
}

/// A host of the 3-node example, answering, with `warm` requests served; and its RSS (KiB)
/// half a second after its first answer.
fn warm_host(env: &Env, warm: usize) -> anyhow::Result<(Server, u64)> {
    let (dir, cache) = env.word_count()?;
    let port = free_port()?;
    let mut server = Server::spawn(
        env.host(&dir.join("dist/workflow.yaml"), port, &cache),
        port,
    )?;
    server.first_ok(RUN_BODY, Instant::now(), Duration::from_secs(60))?;
    std::thread::sleep(Duration::from_millis(500));
    let (started_kib, _) = memory_kib(server.pid())?;
    let mut conn = Conn::open(port)?;
    for _ in 0..warm {
        conn.post("/run", RUN_BODY)?;
    }
    Ok((server, started_kib))
}

/// Sequential `POST /run` of the 3-node example on one keep-alive connection.
pub fn warm_run(env: &Env) -> anyhow::Result<WarmRun> {
    let (server, _) = warm_host(env, 200)?;
    let mut conn = Conn::open(server.port)?;
    let requests = env.repeat(2000, 200);
    let mut samples = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        let (status, body) = conn.post("/run", RUN_BODY)?;
        samples.push(started.elapsed().as_secs_f64() * 1e6);
        if status != 200 {
            bail!(
                "POST /run answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    Ok(WarmRun {
        requests,
        latency_us: summary(&samples),
    })
}

/// `wrk` with 16 connections for 10 s against a server, and its memory before, during and
/// after.
fn load(env: &Env, server: &Server, label: &str) -> anyhow::Result<Load> {
    std::thread::sleep(Duration::from_secs(1));
    let (idle_kib, _) = memory_kib(server.pid())?;
    let script = env.scratch.join("post.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = '{RUN_BODY}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        ),
    )?;
    let peak = Arc::new(AtomicU64::new(idle_kib));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done, pid) = (peak.clone(), done.clone(), server.pid());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Ok((rss, _)) = memory_kib(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let seconds = env.repeat(10, 3);
    let text = output(
        Command::new("wrk")
            .args(["-t2", "-c16", &format!("-d{seconds}s"), "--latency", "-s"])
            .arg(&script)
            .arg(format!("http://127.0.0.1:{}/run", server.port)),
    );
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let text = text.with_context(|| format!("wrk against {label}"))?;
    let (_, hwm_kib) = memory_kib(server.pid())?;
    std::thread::sleep(Duration::from_secs(1));
    let (after_kib, _) = memory_kib(server.pid())?;
    let wrk = parse_wrk(&text).with_context(|| format!("wrk output:\n{text}"))?;
    let mib = |kib: u64| round(kib as f64 / 1024.0);
    Ok(Load {
        requests_per_second: wrk.rps,
        latency_ms: Latency {
            p50: wrk.p50_ms,
            p90: wrk.p90_ms,
            p99: wrk.p99_ms,
        },
        non_2xx: wrk.non_2xx,
        errors: wrk.errors,
        rss_idle_mib: mib(idle_kib),
        rss_load_max_mib: mib(peak.load(Ordering::Relaxed)),
        rss_hwm_mib: mib(hwm_kib),
        rss_after_mib: mib(after_kib),
        rss_started_mib: None,
    })
}

struct Wrk {
    rps: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
    errors: u64,
}

fn parse_wrk(text: &str) -> anyhow::Result<Wrk> {
    let after = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .map(str::trim)
    };
    let millis = |value: &str| -> Option<f64> {
        let (number, unit) = value.split_at(value.find(|c: char| c.is_ascii_alphabetic())?);
        let number: f64 = number.parse().ok()?;
        Some(match unit {
            "us" => number / 1000.0,
            "ms" => number,
            "s" => number * 1000.0,
            "m" => number * 60_000.0,
            _ => return None,
        })
    };
    let percentile = |p: &str| after(p).and_then(millis).unwrap_or(0.0);
    let errors = after("Socket errors:").map_or(0, |l| {
        l.split(',')
            .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
            .sum()
    });
    Ok(Wrk {
        rps: after("Requests/sec:")
            .and_then(|v| v.parse().ok())
            .context("no Requests/sec in wrk's output")?,
        p50_ms: percentile("50%"),
        p90_ms: percentile("90%"),
        p99_ms: percentile("99%"),
        non_2xx: after("Non-2xx or 3xx responses:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        errors,
    })
}

/// Throughput and memory of `tntc-host` and of the Deno baseline under the same load.
pub fn throughput(env: &Env) -> anyhow::Result<Throughput> {
    let tntc = {
        let (server, started_kib) = warm_host(env, 200)?;
        let figures = load(env, &server, "tntc-host")?;
        Load {
            rss_started_mib: Some(round(started_kib as f64 / 1024.0)),
            ..figures
        }
    };
    let deno = match deno_server(env) {
        Ok(server) => Section::Measured(load(env, &server, "the Deno baseline")?),
        Err(e) => Section::Failed {
            error: format!("{e:#}"),
        },
    };
    let ratio = match deno.ok() {
        Some(d) if d.requests_per_second > 0.0 => {
            Some(round(tntc.requests_per_second / d.requests_per_second))
        }
        _ => None,
    };
    Ok(Throughput {
        connections: 16,
        tntc,
        deno,
        ratio,
    })
}

/// The Deno re-creation of the original engine serving the 3-node example, warmed up.
fn deno_server(env: &Env) -> anyhow::Result<Server> {
    let port = free_port()?;
    let mut command = env.deno()?;
    command
        .args(["run", "--allow-read", "--allow-net", "--allow-env"])
        .arg(env.repo.join("bench/deno-baseline/server.ts"))
        .arg("--workflow")
        .arg(env.repo.join("examples/word-count"))
        .args(["--port", &port.to_string()]);
    let mut server = Server::spawn(command, port)?;
    server.first_ok(RUN_BODY, Instant::now(), Duration::from_secs(120))?;
    let mut conn = Conn::open(port)?;
    for _ in 0..200 {
        conn.post("/run", RUN_BODY)?;
    }
    Ok(server)
}

/// `tntc build` of the 5-node workflow: with an empty runtime cache and with a warm one.
pub fn build(env: &Env) -> anyhow::Result<Build> {
    let dir = env.dir("five")?;
    copy_tree(&env.repo.join("bench/workflows/five"), &dir)?;
    let time = |cache: &Path| -> anyhow::Result<f64> {
        let _ = std::fs::remove_dir_all(dir.join("dist"));
        let started = Instant::now();
        output(
            env.tntc()
                .arg("build")
                .arg(&dir)
                .env("TNTC_CACHE_DIR", cache),
        )?;
        Ok(started.elapsed().as_secs_f64() * 1000.0)
    };
    let mut cold = Vec::new();
    for i in 0..env.repeat(3, 1) {
        cold.push(time(&env.dir(&format!("build-cache-{i}"))?)?);
    }
    let warm_cache = env.scratch.join("build-cache-0");
    let mut warm = Vec::new();
    for _ in 0..env.repeat(7, 2) {
        warm.push(time(&warm_cache)?);
    }
    Ok(Build {
        nodes: 5,
        cold_ms: summary(&cold),
        warm_ms: summary(&warm),
    })
}

/// `tntc dev`: from writing a one-node change to `POST /run` answering with it.
pub fn dev_reload(env: &Env) -> anyhow::Result<DevReload> {
    let (dir, cache) = env.word_count()?;
    let port = free_port()?;
    let mut command = env.tntc();
    command
        .arg("dev")
        .arg(&dir)
        .args(["--port", &port.to_string()])
        .env("TNTC_CACHE_DIR", &cache);
    let mut server = Server::spawn(command, port)?;
    server.first_ok(RUN_BODY, Instant::now(), Duration::from_secs(60))?;
    let node = dir.join("nodes/report.ts");
    let original = std::fs::read_to_string(&node)?;
    let mut samples = Vec::new();
    for i in 0..env.repeat(7, 2) {
        let marker = format!("edit {i}");
        let edited = original.replace("words, ", &format!("words ({marker}), "));
        if edited == original {
            bail!(
                "{} no longer has the text the edit replaces",
                node.display()
            );
        }
        // Let the previous version's mtime age, as an editor save would.
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        std::fs::write(&node, edited)?;
        let mut conn = Conn::open(port)?;
        loop {
            let (_, body) = conn.post("/run", RUN_BODY)?;
            if String::from_utf8_lossy(&body).contains(&marker) {
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("tntc dev did not serve the edit within 30 s");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(DevReload {
        edit_to_served_ms: summary(&samples),
    })
}
