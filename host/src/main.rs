//! `tntc-host`: the only binary in a workflow's pod.
//!
//! Loads a bundle written by `tntc build`, verifies it, prepares every node's sandbox and
//! serves the original engine's HTTP API. Command line compatible with the original engine
//! (`--workflow`, `--port`, `--secrets`, `--watch`). A start-up failure prints its reason on
//! stderr and exits 1; SIGTERM/SIGINT finish in-flight runs and exit 0.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use tntc_bundle as bundle;
use tntc_host::deployment::{Deployment, Shared, sandbox_needs};
use tntc_host::live::LiveDeployment;
use tntc_host::logs::StdoutLogs;
use tntc_host::queue::{self, QueueOptions, QueuePlan};
use tntc_host::secrets::{SecretSources, Secrets};
use tntc_host::server::{self, ServerConfig};
use tntc_sandbox::{RuntimeSource, Sandbox, SandboxConfig};

/// Serve a tntc workflow bundle: every node run in a fresh WebAssembly sandbox.
#[derive(Debug, Parser)]
#[command(name = "tntc-host", version, max_term_width = 100)]
struct Args {
    /// The bundle's workflow.yaml (or the bundle directory, or a workflow directory whose
    /// dist/ holds a bundle). Only --prepare may go without: it then compiles the runtime
    /// alone, as an image build bakes it.
    #[arg(long, value_name = "PATH", required_unless_present = "prepare")]
    workflow: Option<PathBuf>,

    /// TCP port to listen on.
    #[arg(long, default_value_t = 8080)]
    port: u16,

    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0", value_name = "ADDR")]
    listen: std::net::IpAddr,

    /// Secrets file (YAML) or directory; replaces the local cascade (.secrets/, .secrets.yaml).
    /// /app/secrets is merged on top either way.
    #[arg(long, value_name = "PATH")]
    secrets: Option<PathBuf>,

    /// Reload the bundle when it changes (in-flight runs finish on the old version).
    #[arg(long)]
    watch: bool,

    /// Where the compiled runtime and node modules are cached between restarts; entries
    /// unused for 14 days are deleted at start-up
    /// [default: $TNTC_CACHE_DIR, $XDG_CACHE_HOME/tntc, ~/.cache/tntc, else
    /// $TMPDIR/tntc-cache-<uid>]. Used only when it and its entries belong to this user or
    /// root and are not writable by others (it holds native code).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// A read-only compiled-code cache looked in before --cache-dir and never written: the
    /// one `tntc image build` bakes into the image. What it lacks (another host build's
    /// runtime, the workflow's nodes) is compiled into --cache-dir, and said once.
    #[arg(long, value_name = "DIR")]
    baked_cache: Option<PathBuf>,

    /// Extra CA certificates (PEM) to trust for node fetches and the NATS server of queue
    /// triggers, besides the system roots.
    #[arg(long, value_name = "PEM")]
    extra_ca: Option<PathBuf>,

    /// Node runs that may hold a sandbox at once; more wait for a free one.
    #[arg(long, default_value_t = tntc_sandbox::SandboxConfig::default().max_concurrent_runs, value_name = "N")]
    max_concurrent_runs: u32,

    /// Largest accepted /run request body, in bytes.
    #[arg(long, default_value_t = 10 << 20, value_name = "BYTES")]
    max_body_bytes: usize,

    /// Compile the runtime and the bundle's nodes into the cache directory, then exit
    /// without serving: bakes the cache into a container image, so that pods start in
    /// milliseconds. (With a cold cache, tntc-host runs itself this way before serving, so
    /// that the serving process never holds the compiler's memory.)
    #[arg(long)]
    prepare: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("tntc-host: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tntc-host: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TNTC_LOG")
        // A plain level: a per-target directive here kept ~270 KiB more of the binary's code
        // resident (measured with the idle RSS of `bench/`).
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a person at a terminal: in a pod the escapes are noise for the log
    // collector, and formatting them took a measurable share of a /run (the host logs one
    // line per run).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

async fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let cache_dir = args
        .cache_dir
        .clone()
        .unwrap_or_else(tntc_sandbox::default_cache_dir);
    let Some(workflow) = args.workflow.clone() else {
        // `--prepare` without a workflow: the runtime alone (clap requires one otherwise).
        let config = SandboxConfig {
            cache_dir: Some(cache_dir.clone()),
            max_concurrent_runs: args.max_concurrent_runs,
            ..SandboxConfig::default()
        };
        let sandbox = tokio::task::spawn_blocking(move || prepare(config, &[]))
            .await
            .context("the preparation task failed")??;
        println!(
            "Prepared {} in {} ms: runtime {}",
            cache_dir.display(),
            started.elapsed().as_millis(),
            prepared_how(&sandbox),
        );
        return Ok(());
    };
    let opened = bundle::open(&workflow, tntc_sandbox::RUNTIME_SHA256)?;
    let secrets_dir = secrets_dir(&opened.dir);

    let (max_memory, fuel) = sandbox_needs(&opened.checked.workflow);
    let sandbox_config = SandboxConfig {
        cache_dir: Some(cache_dir.clone()),
        seed_cache_dir: args.baked_cache.clone(),
        max_concurrent_runs: args.max_concurrent_runs,
        max_memory_bytes: max_memory.max(SandboxConfig::default().max_memory_bytes),
        cpu_fuel: fuel,
        ..SandboxConfig::default()
    };
    let modules: Vec<Vec<u8>> = opened.modules.values().cloned().collect();
    if args.prepare {
        let sandbox = tokio::task::spawn_blocking(move || prepare(sandbox_config, &modules))
            .await
            .context("the preparation task failed")??;
        println!(
            "Prepared {} for {} in {} ms: runtime {}, {} node module(s)",
            cache_dir.display(),
            opened.checked.workflow.name,
            started.elapsed().as_millis(),
            prepared_how(&sandbox),
            opened.modules.len(),
        );
        return Ok(());
    }
    let preparer = Preparer {
        workflow: workflow.clone(),
        cache_dir,
        baked_cache: args.baked_cache.clone(),
        max_concurrent_runs: args.max_concurrent_runs,
    };
    let starter = preparer.clone();
    let sandbox = tokio::task::spawn_blocking(move || starter.sandbox(sandbox_config, &modules))
        .await
        .context("the sandbox start-up task failed")??;
    if let Some(baked) = &args.baked_cache {
        baked_cache_note(baked, &sandbox, &preparer.cache_dir);
    }
    let fetch = tntc_fetch::FetchClient::new(tntc_fetch::FetchConfig {
        extra_ca_pem: args.extra_ca.clone().map(tntc_fetch::PemSource::Path),
        ..tntc_fetch::FetchConfig::default()
    })?;
    let postgres = tntc_host::deployment::postgres_pools(args.extra_ca.as_deref())
        .map_err(anyhow::Error::msg)?;
    let shared = Shared {
        sandbox,
        fetch,
        postgres,
        logs: Arc::new(StdoutLogs),
    };
    let secrets = load_secrets(args.secrets.as_deref(), &secrets_dir)?;
    let queue_plan = queue::plan(&opened.checked.workflow, &secrets);
    let deployment = Arc::new(Deployment::from_bundle(&shared, opened, secrets)?);
    announce(&deployment, &shared, started);

    let host = Arc::new(LiveDeployment::new(deployment));
    let addr = SocketAddr::new(args.listen, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!(
        "Listening on http://{}",
        listener.local_addr().unwrap_or(addr)
    );

    if args.watch {
        tokio::spawn(watch(
            workflow.clone(),
            args.secrets.clone(),
            shared.clone(),
            host.clone(),
            preparer,
        ));
    }
    let subscriptions = match queue_plan {
        QueuePlan::Nothing => None,
        QueuePlan::Skip { reason } => {
            tracing::warn!("queue triggers are not served: {reason}; HTTP is");
            None
        }
        QueuePlan::Connect {
            url,
            token,
            triggers,
        } => {
            let options = QueueOptions {
                extra_ca: args.extra_ca.clone(),
                ..QueueOptions::default()
            };
            // Like a missing URL or token: the queue triggers are off, HTTP is still served.
            // (An unreachable server is not an error here: the client keeps retrying.)
            match queue::subscribe(&url, &token, &triggers, host.clone(), options).await {
                Ok(subscriptions) => Some(subscriptions),
                Err(err) => {
                    tracing::error!("queue triggers are not served: {err}; HTTP is");
                    None
                }
            }
        }
    };
    let config = ServerConfig {
        max_body_bytes: args.max_body_bytes,
        ..ServerConfig::default()
    };
    // On SIGTERM the queue subscriptions are drained first (as the original did), then the
    // HTTP server stops accepting and finishes its in-flight runs.
    let shutdown = async move {
        server::shutdown_signal().await;
        if let Some(subscriptions) = subscriptions {
            subscriptions.drain().await;
        }
    };
    server::serve(listener, host, config, shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The directory whose `.secrets/` and `.secrets.yaml` form the local cascade: the workflow
/// sources when the bundle is their `dist/`, else the bundle itself.
fn secrets_dir(bundle_dir: &Path) -> PathBuf {
    match bundle_dir.parent() {
        Some(parent)
            if bundle_dir.file_name().is_some_and(|n| n == "dist")
                && parent.join("workflow.yaml").is_file() =>
        {
            parent.to_path_buf()
        }
        _ => bundle_dir.to_path_buf(),
    }
}

fn load_secrets(explicit: Option<&Path>, workflow_dir: &Path) -> anyhow::Result<Secrets> {
    let mut sources = SecretSources::new(workflow_dir);
    sources.explicit = explicit.map(Path::to_path_buf);
    Ok(sources.load()?)
}

/// `--prepare`: the sandbox, with the runtime and every module's compilation in the cache;
/// an error when something could not be cached (an image build must not bake a cold cache).
fn prepare(config: SandboxConfig, modules: &[Vec<u8>]) -> anyhow::Result<Sandbox> {
    let dir = config.cache_dir.clone().unwrap_or_default();
    let sandbox = Sandbox::new(config)?;
    if let Some(note) = &sandbox.runtime_load().cache_note
        && sandbox.runtime_load().source != RuntimeSource::Cache
    {
        anyhow::bail!("the runtime could not be cached: {note}");
    }
    for wasm in modules {
        sandbox.load_node(wasm)?;
        if !sandbox.node_is_cached(wasm) {
            anyhow::bail!(
                "a node module could not be cached in {}: check that the directory is writable",
                dir.display()
            );
        }
    }
    Ok(sandbox)
}

/// How `--prepare` got the runtime.
fn prepared_how(sandbox: &Sandbox) -> &'static str {
    match sandbox.runtime_load().source {
        RuntimeSource::Cache => "already cached",
        RuntimeSource::Built { .. } => "built",
    }
}

/// Says once, at start-up, when the baked cache did not give the runtime (missing, or
/// prepared by another host build) and where it was compiled instead.
fn baked_cache_note(baked: &Path, sandbox: &Sandbox, cache_dir: &Path) {
    let load = sandbox.runtime_load();
    if load
        .cache_path
        .as_deref()
        .is_some_and(|p| p.starts_with(baked))
        && load.source == RuntimeSource::Cache
    {
        tracing::info!(baked = %baked.display(), "runtime mapped from the baked cache");
        return;
    }
    let why = match (std::fs::metadata(baked), &load.cache_note) {
        (Err(e), _) => format!("it cannot be read ({e})"),
        (Ok(_), Some(note)) => note.to_string(),
        (Ok(_), None) => "it has no runtime for this tntc-host build".to_owned(),
    };
    tracing::warn!(
        baked = %baked.display(),
        cache = %cache_dir.display(),
        "the baked cache was not used: {why}; the runtime was compiled into the cache directory instead"
    );
}

/// Runs this binary with `--prepare` when the cache lacks something the bundle needs.
///
/// Compiling in the serving process would leave the compiler's code and memory resident
/// for its whole life: a host started on an empty cache held 44 MiB after 200 `/run`
/// instead of 14 (5 MiB of it from compiling just the node modules), measured with the
/// `pod` build on word-count. A short-lived child takes that; the server then maps
/// everything from the cache, as after a restart.
#[derive(Clone)]
struct Preparer {
    workflow: PathBuf,
    cache_dir: PathBuf,
    baked_cache: Option<PathBuf>,
    max_concurrent_runs: u32,
}

impl Preparer {
    /// The sandbox for `config`, with every one of `modules` compiled in the cache.
    fn sandbox(&self, config: SandboxConfig, modules: &[Vec<u8>]) -> anyhow::Result<Sandbox> {
        // A cache that cannot be used cannot be filled by a child either.
        if tntc_sandbox::check_cache_dir(&self.cache_dir).is_err() {
            return Ok(Sandbox::new(config)?);
        }
        let cached = Sandbox::from_cache(config.clone())?;
        if let Some(sandbox) = &cached
            && self.ready(sandbox, modules)
        {
            return Ok(sandbox.clone());
        }
        self.run_child();
        match cached {
            Some(sandbox) => Ok(sandbox),
            // From the cache the child filled; when it could not, built here after all.
            None => Ok(Sandbox::new(config)?),
        }
    }

    /// Before a `--watch` reload: compiles what the new bundle's modules need in a child.
    fn modules(&self, sandbox: &Sandbox, modules: &[Vec<u8>]) {
        if !self.ready(sandbox, modules) {
            self.run_child();
        }
    }

    fn ready(&self, sandbox: &Sandbox, modules: &[Vec<u8>]) -> bool {
        modules.iter().all(|wasm| sandbox.node_is_cached(wasm))
    }

    /// Runs `tntc-host --prepare` for the same bundle and cache; a failure only means the
    /// compiling happens in this process (logged).
    fn run_child(&self) {
        let started = Instant::now();
        let status = std::env::current_exe().and_then(|exe| {
            let mut command = std::process::Command::new(exe);
            if let Some(baked) = &self.baked_cache {
                command.arg("--baked-cache").arg(baked);
            }
            command
                .arg("--workflow")
                .arg(&self.workflow)
                .arg("--cache-dir")
                .arg(&self.cache_dir)
                .arg("--max-concurrent-runs")
                .arg(self.max_concurrent_runs.to_string())
                .arg("--prepare")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .status()
        });
        match status {
            Ok(status) if status.success() => tracing::info!(
                took_ms = started.elapsed().as_millis() as u64,
                cache = %self.cache_dir.display(),
                "compiled the runtime and node modules into the cache in a child process"
            ),
            Ok(status) => tracing::warn!(
                %status,
                "preparing the cache in a child process failed; compiling in this process"
            ),
            Err(err) => tracing::warn!(
                error = %err,
                "cannot run tntc-host to prepare the cache; compiling in this process"
            ),
        }
    }
}

/// The start-up banner: workflow, stages, each node's reach, how the runtime was loaded.
fn announce(deployment: &Deployment, shared: &Shared, started: Instant) {
    let wf = &deployment.checked().workflow;
    println!("Workflow: {} v{}", wf.name, wf.version);
    for (i, stage) in deployment.checked().dag.stages.iter().enumerate() {
        println!("Stage {}: {}", i + 1, stage.join(", "));
    }
    for (node, scope, deps) in deployment.scopes() {
        tracing::info!(node, ?scope, dependencies = ?deps, "node scope");
    }
    let load = shared.sandbox.runtime_load();
    if let Some(note) = &load.cache_note {
        tracing::warn!(%note, "compiled-code cache");
    }
    tracing::info!(runtime = ?load, ready_ms = started.elapsed().as_millis() as u64, "ready");
}

/// Polls the bundle's manifest; on a change, prepares the new version and swaps it in.
async fn watch(
    workflow: PathBuf,
    secrets: Option<PathBuf>,
    shared: Shared,
    host: Arc<LiveDeployment>,
    preparer: Preparer,
) {
    let fingerprint = |path: &Path| -> Option<Vec<u8>> {
        let dir = bundle::locate(path).ok()?;
        std::fs::read(dir.join(bundle::MANIFEST_FILE)).ok()
    };
    let mut last = fingerprint(&workflow);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = fingerprint(&workflow);
        if now.is_none() || now == last {
            continue;
        }
        last = now;
        let started = Instant::now();
        let opened = match bundle::open(&workflow, tntc_sandbox::RUNTIME_SHA256) {
            Ok(opened) => opened,
            Err(err) => {
                tracing::error!(error = %format!("{err:#}"), "reload failed; still serving the previous version");
                continue;
            }
        };
        let modules: Vec<Vec<u8>> = opened.modules.values().cloned().collect();
        let (sandbox, child) = (shared.sandbox.clone(), preparer.clone());
        let _ = tokio::task::spawn_blocking(move || child.modules(&sandbox, &modules)).await;
        let reloaded = load_secrets(secrets.as_deref(), &secrets_dir(&opened.dir))
            .and_then(|secrets| Ok(Deployment::from_bundle(&shared, opened, secrets)?));
        match reloaded {
            Ok(deployment) => {
                let name = deployment.checked().workflow.name.clone();
                host.swap(Arc::new(deployment));
                tracing::info!(workflow = %name, took_ms = started.elapsed().as_millis() as u64, "reloaded");
            }
            Err(err) => {
                tracing::error!(error = %format!("{err:#}"), "reload failed; still serving the previous version")
            }
        }
    }
}
