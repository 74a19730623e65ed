//! `tntc build [dir]`: validate, compile every node to a Wasm module, write the bundle.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use tntc_build::{CompiledNode, Progress};
use tntc_bundle as bundle;
use tntc_host::deployment::sandbox_needs;
use tntc_report::build as report;
use tntc_spec::{Checked, Loaded};

use super::{invalid, load};
use crate::building::{nodes_or_bail, tool_sandbox};
use crate::errors::{CliError, CliResult};
use crate::output::{Printer, count};

/// `tntc build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Workflow directory, or its workflow.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Where to write the bundle [default: <DIR>/dist].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

impl BuildArgs {
    /// Builds the bundle of the workflow into `--out` (default `<dir>/dist`).
    pub fn execute(self, out: &Printer) -> CliResult {
        build(out, &self.dir, self.out)
    }
}

fn build(out_printer: &Printer, dir: &Path, out: Option<PathBuf>) -> CliResult {
    let started = Instant::now();
    let (loaded, checked) = match load(out_printer, dir)? {
        Ok(ok) => ok,
        Err(loaded) => return Err(invalid(&loaded).into()),
    };
    let out = out.unwrap_or_else(|| loaded.dir.join("dist"));
    let wf = &checked.workflow;
    let Built {
        manifest,
        nodes,
        runtime_load,
    } = write_bundle(out_printer, &loaded, &checked, &out)?;
    let elapsed = started.elapsed();
    let total: u64 = manifest.nodes.values().map(|n| n.size).sum();
    if out_printer.json() {
        out_printer.report(&report::Report {
            name: wf.name.clone(),
            version: wf.version.clone(),
            out: out.display().to_string(),
            runtime: report::Runtime {
                sha256: manifest.runtime.sha256.clone(),
                load: runtime_load,
            },
            nodes: nodes
                .iter()
                .map(|n| {
                    let entry = &manifest.nodes[&n.id];
                    report::Node {
                        id: n.id.clone(),
                        source: n.source.clone(),
                        module: entry.module.clone(),
                        size: entry.size,
                        bytecode_size: n.bytecode_len as u64,
                        sha256: entry.sha256.clone(),
                        uses: entry.uses.clone(),
                        services: entry.services.clone(),
                        compile_ms: n.compile_time.as_secs_f64() * 1000.0,
                    }
                })
                .collect(),
            total_size: total,
            duration_ms: elapsed.as_millis() as u64,
        });
    } else {
        out_printer.line(format!(
            "Built {} {} into {} ({}, {}) in {:.2}s",
            wf.name,
            wf.version,
            out.display(),
            count(nodes.len(), "node"),
            human_bytes(total),
            elapsed.as_secs_f64()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// What [`write_bundle`] wrote.
pub struct Built {
    /// The bundle's manifest.
    pub manifest: bundle::Manifest,
    /// The compiled nodes.
    pub nodes: Vec<CompiledNode>,
    /// How the runtime was loaded (from the cache or compiled), for `-o json`.
    pub runtime_load: report::RuntimeLoad,
}

/// Compiles every node of a valid workflow and writes its bundle to `out`. Progress and
/// warnings go to stderr, nothing to stdout (`tntc deploy` prints manifests there).
pub fn write_bundle(
    out_printer: &Printer,
    loaded: &Loaded,
    checked: &Checked,
    out: &Path,
) -> Result<Built, CliError> {
    let wf = &checked.workflow;
    let (memory, fuel) = sandbox_needs(wf);
    let sandbox = tool_sandbox(memory, fuel)?;

    let bar = progress_bar(out_printer, wf.nodes.len());
    let nodes = tntc_build::compile(&loaded.dir, checked, &sandbox, |event| match event {
        Progress::Transpiling(n) => bar.set_message(format!("transpiling {}", count(n, "node"))),
        Progress::Compiling(node) => bar.set_message(format!("compiling {node}")),
        Progress::Done(node) => {
            bar.inc(1);
            if !out_printer.json() {
                bar.suspend(|| out_printer.note(node_line(node)));
            }
        }
    });
    bar.finish_and_clear();
    let nodes = nodes_or_bail(out_printer, "build", checked, nodes)?;

    for node in &nodes {
        for warning in &node.warnings {
            out_printer.note(warning.render_warning(out_printer.color()));
        }
        for name in node.undeclared_uses(checked) {
            out_printer.note(format!(
                "warning: node \"{}\" uses dependency \"{name}\", which contract.dependencies does not declare: ctx.dependency(\"{name}\") will throw",
                node.id
            ));
        }
        if let Some(at) = node.uses.dynamic.first() {
            out_printer.note(format!(
                "note: node \"{}\" names a dependency or a secrets service with a non-literal expression ({at}): it keeps access to the whole contract and every secret\n  = help: use string literals (ctx.dependency(\"x\"), ctx.secrets.x), or list its dependencies in nodes.{}.dependencies",
                node.id, node.id
            ));
        }
    }

    let yaml = loaded.source.text();
    let built: Vec<_> = nodes.iter().map(CompiledNode::built).collect();
    let manifest = bundle::write(
        out,
        yaml,
        checked,
        sandbox.runtime_digest(),
        &built,
        concat!("tntc ", env!("CARGO_PKG_VERSION")),
    )?;
    Ok(Built {
        manifest,
        nodes,
        runtime_load: load_report(sandbox.runtime_load()),
    })
}

fn load_report(load: &tntc_sandbox::RuntimeLoad) -> report::RuntimeLoad {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let (from, preinitialize_ms, compile_ms) = match load.source {
        tntc_sandbox::RuntimeSource::Cache => (report::RuntimeSource::Cache, None, None),
        tntc_sandbox::RuntimeSource::Built {
            preinitialize,
            compile,
        } => (
            report::RuntimeSource::Built,
            Some(ms(preinitialize)),
            Some(ms(compile)),
        ),
    };
    report::RuntimeLoad {
        from,
        elapsed_ms: ms(load.elapsed),
        preinitialize_ms,
        compile_ms,
        cache_path: load.cache_path.as_ref().map(|p| p.display().to_string()),
        cache_note: load.cache_note.as_ref().map(ToString::to_string),
    }
}

fn node_line(node: &CompiledNode) -> String {
    format!(
        "  compiled {:<20} {:>9}  {:>6.1} ms",
        node.id,
        human_bytes(node.wasm.len() as u64),
        node.compile_time.as_secs_f64() * 1000.0
    )
}

/// `12.3 KiB`.
pub fn human_bytes(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn progress_bar(out: &Printer, nodes: usize) -> indicatif::ProgressBar {
    if out.json() || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(nodes as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(80));
    bar
}
