//! The in-process host `tntc run` and `tntc dev` use: the same sandbox, executor, egress
//! policy and secrets cascade as the pod, fed with freshly compiled nodes instead of a bundle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tntc_host::deployment::{DEFAULT_NODE_MEMORY, Deployment, NodeBuild, Shared, sandbox_needs};
use tntc_host::logs::LogSink;
use tntc_host::secrets::{SecretSources, Secrets};
use tntc_sandbox::Sandbox;
use tntc_spec::{Checked, Workflow};

use tntc_build::CompiledNode;

use crate::building::tool_sandbox;

/// Options of the commands that run workflows locally (`run`, `dev`).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct LocalArgs {
    /// Secrets file (YAML) or directory; replaces the local cascade (.secrets/, .secrets.yaml).
    #[arg(long, value_name = "PATH")]
    pub secrets: Option<PathBuf>,

    /// Extra CA certificates (PEM) to trust for node fetches, besides the system roots.
    #[arg(long, value_name = "PEM")]
    pub extra_ca: Option<PathBuf>,
}

/// The process-wide parts of a local host, sized for `workflow` (defaults without one).
pub fn shared(
    workflow: Option<&Workflow>,
    options: &LocalArgs,
    logs: Arc<dyn LogSink>,
) -> anyhow::Result<Shared> {
    let (memory, fuel) = workflow.map_or((DEFAULT_NODE_MEMORY, false), sandbox_needs);
    let sandbox: Sandbox = tool_sandbox(memory, fuel)?;
    let fetch = tntc_fetch::FetchClient::new(tntc_fetch::FetchConfig {
        extra_ca_pem: options.extra_ca.clone().map(tntc_fetch::PemSource::Path),
        ..tntc_fetch::FetchConfig::default()
    })?;
    let postgres = tntc_host::deployment::postgres_pools(options.extra_ca.as_deref())
        .map_err(anyhow::Error::msg)?;
    Ok(Shared {
        sandbox,
        fetch,
        postgres,
        logs,
    })
}

/// The secrets cascade of a workflow directory, as the host resolves it.
pub fn secrets(dir: &Path, options: &LocalArgs) -> anyhow::Result<Secrets> {
    let mut sources = SecretSources::new(dir);
    sources.explicit = options.secrets.clone();
    Ok(sources.load()?)
}

/// A deployment of freshly compiled nodes.
pub fn deploy(
    shared: &Shared,
    checked: Checked,
    nodes: &[CompiledNode],
    secrets: Secrets,
) -> anyhow::Result<Deployment> {
    let builds: BTreeMap<String, NodeBuild> = nodes
        .iter()
        .map(|n| {
            (
                n.id.clone(),
                NodeBuild {
                    wasm: n.wasm.clone(),
                    uses: Some(n.code_uses()),
                },
            )
        })
        .collect();
    Ok(Deployment::prepare(shared, checked, builds, secrets)?)
}
