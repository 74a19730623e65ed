//! `tntc bench [dir]`: how fast a workflow's nodes start and run in fresh sandboxes.
//!
//! Measures, in this order:
//! 1. runtime start: `Sandbox::new` into an empty cache directory (pre-initialization with
//!    wizer and JIT: what the first start of a pod pays), then from that cache (what every
//!    restart pays);
//! 2. each node, compiled like `tntc run` compiles it, in a sandbox of its own (so no node
//!    pays for pages an earlier one left in a pool slot), over `--runs` fresh sandboxes after
//!    `--warmup` runs: the breakdown of [`tntc_sandbox::RunStats`] (instantiate, load,
//!    input, run, output, teardown) with p50/p90/p99/max;
//! 3. the whole DAG through `Deployment::execute`, the same number of times;
//! 4. with `--compare-limits`, each node again under three engines: no limits, epoch
//!    deadlines (production), epoch deadlines plus fuel.
//!
//! A node's input is its fixture's (`tests/fixtures/<node>.json`), else `{}`; its config is
//! workflow.yaml's with the fixture's on top, its secrets the local cascade's (or the
//! fixture's). Node runs answer fetches locally (see [`measure`]); the DAG runs use the
//! real host. Start-up is measured with a private temporary cache directory (removed at the
//! end); `--compare-limits` sandboxes use the usual cache, as `tntc run` does.
//! A node or DAG run that fails is reported with its error and makes the exit code 1.

mod measure;
mod report;
mod stats;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use serde_json::{Map, Value, json};
use tntc_host::access::node_access;
use tntc_host::deployment::{Shared, node_memory, sandbox_needs};
use tntc_host::logs::LogSink;
use tntc_host::secrets::Secrets;
use tntc_report::bench::{DagResult, InputSource, LimitMode, LimitRuns, Report};
use tntc_sandbox::{LogLevel, NodeModule, RunLimits, Sandbox, SandboxConfig, default_cache_dir};
use tntc_spec::{Checked, Workflow};

use super::{invalid, load};
use crate::building::nodes_or_bail;
use crate::errors::{CliError, CliResult, failed, usage};
use crate::local::{self, LocalArgs};
use crate::output::Printer;
use measure::NodeCase;
use tntc_build::CompiledNode;

/// `tntc bench` options.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Workflow directory, or its workflow.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Measured runs per node (and of the whole DAG).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub runs: usize,

    /// Runs before measuring (fills caches and the sandbox pool, like a warm pod).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub warmup: usize,

    /// Also run each node with no limits, with epoch deadlines, and with epoch deadlines
    /// plus fuel, to show what each costs.
    #[arg(long)]
    pub compare_limits: bool,
}

/// Warm starts measured from the cache.
const WARM_STARTS: usize = 5;

impl BenchArgs {
    /// Runs the benchmark of the workflow.
    pub fn execute(self, out: &Printer) -> CliResult {
        run(out, &self)
    }
}

fn run(out: &Printer, args: &BenchArgs) -> CliResult {
    if args.runs == 0 {
        return usage("--runs must be at least 1");
    }
    let (loaded, checked) = match load(out, &args.dir)? {
        Ok(ok) => ok,
        Err(loaded) => return Err(invalid(&loaded).into()),
    };
    let workflow = &checked.workflow;
    let (memory, fuel) = sandbox_needs(workflow);
    let base = SandboxConfig {
        max_memory_bytes: memory.max(SandboxConfig::default().max_memory_bytes),
        cpu_fuel: fuel,
        ..SandboxConfig::default()
    };
    let scratch = Scratch::new()?;

    out.note("runtime start: pre-initializing and compiling into an empty cache...");
    let (start, sandbox) = measure::runtime_start(&base, scratch.path(), WARM_STARTS)?;

    let nodes = compile(out, &loaded.dir, &checked, &sandbox)?;
    let secrets = local::secrets(&loaded.dir, &LocalArgs::default())?;
    let cases = nodes
        .iter()
        .map(|node| case(&loaded.dir, workflow, node, &secrets))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let executor = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut node_results = Vec::with_capacity(cases.len());
    for (case, node) in cases.iter().zip(&nodes) {
        out.note(format!("node {}: {} runs...", case.id, args.runs));
        // A sandbox of its own (the runtime from the cache just filled): a pool slot keeps
        // the pages of whatever ran in it before, and every teardown pays for them, so
        // sharing one would charge each node for the nodes measured before it.
        let own = Sandbox::new(sandbox.config().clone())?;
        let module = load_node(&own, node)?;
        node_results.push(executor.block_on(measure::node_runs(
            &own,
            &module,
            case,
            args.warmup,
            args.runs,
        )));
    }

    out.note(format!("whole DAG: {} runs...", args.runs));
    let dag = dag(&sandbox, &checked, &nodes, secrets, &loaded.dir, args)?;

    let limits = if args.compare_limits {
        Some(compare_limits(out, &base, &nodes, &cases, args)?)
    } else {
        None
    };

    let report = Report {
        workflow: workflow.name.clone(),
        runs: args.runs,
        warmup: args.warmup,
        runtime: start,
        nodes: node_results,
        dag,
        limits,
    };
    if out.json() {
        out.report(&report);
    } else {
        for line in report::text(&report) {
            out.line(line);
        }
    }
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        failed()
    })
}

fn compile(
    out: &Printer,
    dir: &Path,
    checked: &Checked,
    sandbox: &Sandbox,
) -> Result<Vec<CompiledNode>, CliError> {
    let compiled = tntc_build::compile(dir, checked, sandbox, |_| {});
    nodes_or_bail(out, "benchmark", checked, compiled)
}

fn load_node(sandbox: &Sandbox, node: &CompiledNode) -> anyhow::Result<NodeModule> {
    sandbox
        .load_node(&node.wasm)
        .map_err(|e| anyhow::anyhow!("node \"{}\": {e}", node.id))
}

/// What `tests/fixtures/<node>.json` gives a benchmark run.
#[derive(Default)]
struct Fixture {
    input: Option<Value>,
    config: Map<String, Value>,
    secrets: Option<Map<String, Value>>,
}

fn fixture(dir: &Path, node: &str) -> anyhow::Result<Fixture> {
    let path = dir.join("tests/fixtures").join(format!("{node}.json"));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Fixture::default()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let value: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let Value::Object(mut fields) = value else {
        anyhow::bail!(
            "{} is not a fixture object {{\"input\", \"config\"?, \"secrets\"?}}",
            path.display()
        );
    };
    let object = |value: Option<Value>| match value {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    };
    Ok(Fixture {
        input: fields.remove("input"),
        config: object(fields.remove("config")).unwrap_or_default(),
        secrets: object(fields.remove("secrets")),
    })
}

/// The invocation and limits the host would give `node`, with its fixture's input.
fn case(
    dir: &Path,
    workflow: &Workflow,
    node: &CompiledNode,
    secrets: &Secrets,
) -> anyhow::Result<NodeCase> {
    let spec = workflow
        .nodes
        .iter()
        .find(|n| n.id == node.id)
        .ok_or_else(|| anyhow::anyhow!("internal error: node \"{}\" vanished", node.id))?;
    let fixture = fixture(dir, &node.id)?;
    let secrets = match &fixture.secrets {
        Some(services) => {
            let mut own = Secrets::new();
            for (service, keys) in services {
                if let Value::Object(keys) = keys {
                    own.insert(service.clone(), keys.clone());
                }
            }
            own
        }
        None => secrets.clone(),
    };
    let access = node_access(workflow, spec, Some(&node.code_uses()), &secrets)
        .map_err(|e| anyhow::anyhow!("node \"{}\": {e}", node.id))?;
    let mut config = workflow.config.raw.clone();
    config.extend(fixture.config);
    let input_source = if fixture.input.is_some() {
        InputSource::Fixture
    } else {
        InputSource::Empty
    };
    // The invocation the host would send this node (tntc-abi's type, as the host builds it).
    let invocation = tntc_abi::Invocation {
        node: node.id.clone(),
        config,
        secrets: access.secrets.to_map(),
        dependencies: access.dependencies,
        out_of_scope: access.out_of_scope,
        input: Some(fixture.input.unwrap_or_else(|| json!({}))),
        ..tntc_abi::Invocation::default()
    };
    Ok(NodeCase {
        id: node.id.clone(),
        invocation: serde_json::to_string(&invocation)?,
        limits: RunLimits {
            memory_bytes: node_memory(workflow, spec.memory),
            timeout: spec.timeout.unwrap_or(workflow.config.timeout),
            fuel: workflow.config.fuel,
            ..RunLimits::default()
        },
        input_source,
    })
}

/// Log lines of DAG runs go nowhere: thousands of runs would flood the terminal.
struct NoLogs;

impl LogSink for NoLogs {
    fn node_log(&self, _node: &str, _level: LogLevel, _message: &str) {}
}

fn dag(
    sandbox: &Sandbox,
    checked: &Checked,
    nodes: &[CompiledNode],
    secrets: Secrets,
    dir: &Path,
    args: &BenchArgs,
) -> anyhow::Result<DagResult> {
    let shared = Shared {
        sandbox: sandbox.clone(),
        fetch: tntc_fetch::FetchClient::new(tntc_fetch::FetchConfig::default())?,
        postgres: tntc_host::deployment::postgres_pools(None).map_err(anyhow::Error::msg)?,
        logs: Arc::new(NoLogs),
    };
    let deployment = Arc::new(local::deploy(&shared, checked.clone(), nodes, secrets)?);
    // The root's fixture input, as `tntc test --pipeline` feeds the DAG.
    let mut input = json!({});
    for root in checked.dag.roots() {
        if let Some(root_input) = fixture(dir, root)?.input {
            input = root_input;
            break;
        }
    }
    let executor = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // On a worker thread, as the server's request handlers run: the executor's node tasks
    // then start on the same worker instead of waking one up for every stage.
    let (warmup, runs) = (args.warmup, args.runs);
    let task =
        executor.spawn(async move { measure::dag_runs(&deployment, &input, warmup, runs).await });
    executor
        .block_on(task)
        .context("the DAG benchmark task failed")
}

fn compare_limits(
    out: &Printer,
    base: &SandboxConfig,
    nodes: &[CompiledNode],
    cases: &[NodeCase],
    args: &BenchArgs,
) -> anyhow::Result<Vec<LimitRuns>> {
    let executor = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut all = Vec::with_capacity(LimitMode::ALL.len());
    for mode in LimitMode::ALL {
        out.note(format!(
            "limits {}: {} runs per node...",
            mode.label(),
            args.runs
        ));
        let mut results = Vec::with_capacity(cases.len());
        for (case, node) in cases.iter().zip(nodes) {
            // The usual cache, like `tntc run`: only the start-up measurement needs an empty
            // one. One sandbox per node, as above.
            let sandbox = Sandbox::new(SandboxConfig {
                cache_dir: Some(default_cache_dir()),
                ..measure::limit_config(mode, base)
            })?;
            let module = load_node(&sandbox, node)?;
            let case = NodeCase {
                limits: measure::limit_run_limits(mode, &case.limits),
                ..case.clone()
            };
            results.push(executor.block_on(measure::node_runs(
                &sandbox,
                &module,
                &case,
                args.warmup,
                args.runs,
            )));
        }
        all.push(LimitRuns {
            mode,
            nodes: results,
        });
    }
    Ok(all)
}

/// A private temporary directory for the runtime cache, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("tntc-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Scratch(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
