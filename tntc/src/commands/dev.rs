//! `tntc dev [dir]`: serve a workflow locally and reload it on every change.
//!
//! The workflow directory is polled (every 50 ms: a few `stat`s, cheaper and more portable
//! than inotify for a directory of sources). On a change, only the nodes whose files changed
//! are recompiled (all of them when their `path` changed); a change to workflow.yaml reloads
//! the DAG; secrets files are re-read. The new version is swapped in atomically: runs in
//! flight finish on the old one. A compile or validation error is printed with its position
//! and the previous version keeps serving.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use tntc_build::CompiledNode;
use tntc_host::deployment::Shared;
use tntc_host::live::LiveDeployment;
use tntc_host::logs::StdoutLogs;
use tntc_host::server::{self, ServerConfig};
use tntc_spec::Checked;

use crate::errors::CliResult;
use crate::local::{self, LocalArgs};
use crate::output::{Printer, count};

const POLL: Duration = Duration::from_millis(50);

/// `tntc dev`.
#[derive(Debug, clap::Args)]
pub struct DevArgs {
    /// Workflow directory, or its workflow.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// TCP port to serve on.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub listen: IpAddr,

    #[command(flatten)]
    pub local: LocalArgs,
}

impl DevArgs {
    /// Serves the workflow until Ctrl-C.
    pub fn execute(self, out: &Printer) -> CliResult {
        run(
            out,
            &self.dir,
            SocketAddr::new(self.listen, self.port),
            &self.local,
        )
    }
}

fn run(out: &Printer, dir: &Path, addr: SocketAddr, options: &LocalArgs) -> CliResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(out, dir, addr, options))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(
    out: &Printer,
    dir: &Path,
    addr: SocketAddr,
    options: &LocalArgs,
) -> anyhow::Result<()> {
    let first = tntc_spec::load(dir).map_err(|e| {
        anyhow::anyhow!(
            "{e}\n  help: pass a workflow directory, or create one with `tntc init <name>`"
        )
    })?;
    // One spelling of every path: the compiler's file lists and the directory walk must agree.
    let dir = first
        .dir
        .canonicalize()
        .unwrap_or_else(|_| first.dir.clone());
    // The sandbox is sized for the first valid version (memory cap, fuel); a later version
    // needing more says so and asks for a restart.
    let workflow = first.result.as_ref().ok().map(|c| &c.workflow);
    let shared = local::shared(workflow, options, Arc::new(StdoutLogs))?;
    let host = Arc::new(LiveDeployment::default());
    let mut reloader = Reloader {
        dir: dir.clone(),
        options: options.clone(),
        shared,
        host: host.clone(),
        nodes: BTreeMap::new(),
        failed: BTreeSet::new(),
        snapshot: snapshot(&dir),
    };
    reloader.reload(out, None);

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local_addr = listener.local_addr().unwrap_or(addr);
    out.note(format!(
        "Serving {} on http://{local_addr} (POST /run); watching for changes, Ctrl-C to stop",
        dir.display()
    ));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(
        listener,
        host,
        ServerConfig::default(),
        async move {
            let _ = stop_rx.await;
        },
    ));
    let mut shutdown = std::pin::pin!(server::shutdown_signal());
    loop {
        tokio::select! {
            () = tokio::time::sleep(POLL) => {
                let now = snapshot(&dir);
                let changed = diff(&reloader.snapshot, &now);
                if !changed.is_empty() {
                    reloader.snapshot = now;
                    reloader.reload(out, Some(&changed));
                }
            }
            () = &mut shutdown => break,
        }
    }
    out.note("stopping");
    let _ = stop_tx.send(());
    server.await.context("the server task failed")??;
    Ok(())
}

struct Reloader {
    dir: PathBuf,
    options: LocalArgs,
    shared: Shared,
    host: Arc<LiveDeployment>,
    /// The last good compile of each node, with the node path it was compiled from.
    nodes: BTreeMap<String, (String, CompiledNode)>,
    /// Nodes whose last compile failed (their files are unknown: any change retries them).
    failed: BTreeSet<String>,
    snapshot: Snapshot,
}

impl Reloader {
    /// Reloads after `changed` files (`None`: the first load).
    fn reload(&mut self, out: &Printer, changed: Option<&BTreeSet<PathBuf>>) {
        let started = Instant::now();
        let loaded = match tntc_spec::load(&self.dir) {
            Ok(loaded) => loaded,
            Err(err) => {
                out.note(format!("error: {err}; still serving the previous version"));
                return;
            }
        };
        let checked: Checked = match loaded.result {
            Ok(checked) => {
                out.diagnostics(&loaded.source, &checked.warnings);
                checked
            }
            Err(diagnostics) => {
                out.diagnostics(&loaded.source, &diagnostics);
                out.note(keep_note(self.host.current().is_some()));
                return;
            }
        };
        let stale: Vec<(String, PathBuf)> = checked
            .workflow
            .nodes
            .iter()
            .filter(|n| self.needs_compile(&n.id, &n.path, changed))
            .map(|n| (n.id.clone(), PathBuf::from(&n.path)))
            .collect();
        let compiled = tntc_build::compile_nodes(&self.dir, &stale, &self.shared.sandbox, |_| {});
        match compiled {
            Ok(nodes) => {
                for node in nodes {
                    self.failed.remove(&node.id);
                    let path = stale
                        .iter()
                        .find(|(id, _)| *id == node.id)
                        .map(|(_, p)| p.display().to_string())
                        .unwrap_or_default();
                    self.nodes.insert(node.id.clone(), (path, node));
                }
            }
            Err(errors) => {
                for error in errors.render(out.color()) {
                    out.note(error);
                }
                self.failed.extend(stale.iter().map(|(id, _)| id.clone()));
                out.note(keep_note(self.host.current().is_some()));
                return;
            }
        }
        self.nodes
            .retain(|id, _| checked.workflow.node(id).is_some());
        let nodes: Vec<CompiledNode> = self.nodes.values().map(|(_, n)| n.clone()).collect();
        let deployed = local::secrets(&self.dir, &self.options)
            .and_then(|secrets| local::deploy(&self.shared, checked, &nodes, secrets));
        match deployed {
            Ok(deployment) => {
                let name = format!(
                    "{} {}",
                    deployment.checked().workflow.name,
                    deployment.checked().workflow.version
                );
                self.host.swap(Arc::new(deployment));
                let what = if changed.is_none() {
                    format!("loaded {name} ({})", count(nodes.len(), "node"))
                } else if stale.is_empty() {
                    format!("reloaded {name}")
                } else {
                    let ids: Vec<&str> = stale.iter().map(|(id, _)| id.as_str()).collect();
                    format!("reloaded {}", ids.join(", "))
                };
                out.note(format!("{what} in {} ms", started.elapsed().as_millis()));
            }
            Err(err) => {
                out.note(format!("error: {err:#}"));
                out.note(keep_note(self.host.current().is_some()));
            }
        }
    }

    fn needs_compile(&self, id: &str, path: &str, changed: Option<&BTreeSet<PathBuf>>) -> bool {
        let Some((compiled_from, node)) = self.nodes.get(id) else {
            return true;
        };
        if compiled_from != path || self.failed.contains(id) {
            return true;
        }
        changed.is_some_and(|changed| node.files.iter().any(|f| changed.contains(f)))
    }
}

fn keep_note(serving: bool) -> &'static str {
    if serving {
        "still serving the previous version"
    } else {
        "nothing to serve yet: fix the errors above (POST /run answers 500 until then)"
    }
}

/// Path -> (modified, size) of every file that can affect the workflow.
type Snapshot = BTreeMap<PathBuf, (SystemTime, u64)>;

fn snapshot(dir: &Path) -> Snapshot {
    let mut files = Snapshot::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let hidden = name.starts_with('.') && name != ".secrets" && name != ".secrets.yaml";
            if hidden
                || matches!(name.as_ref(), "dist" | "node_modules" | "target")
                || files.len() > 10_000
            {
                continue;
            }
            let Ok(meta) = std::fs::metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                files.insert(entry.path(), (modified, meta.len()));
            }
        }
    }
    files
}

fn diff(before: &Snapshot, after: &Snapshot) -> BTreeSet<PathBuf> {
    let mut changed: BTreeSet<PathBuf> = after
        .iter()
        .filter(|(path, stamp)| before.get(*path) != Some(stamp))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(before.keys().filter(|p| !after.contains_key(*p)).cloned());
    changed
}
