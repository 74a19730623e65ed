//! Real workflows for the tests: a temporary workflow directory written from inline YAML and
//! TypeScript, compiled by `tntc-build` exactly as `tntc build` compiles it, and deployed
//! with [`CapturedLogs`] and a fetch client that trusts the test CA.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde_json::Value;
use tntc_fetch::{FetchClient, FetchConfig, PemSource};
use tntc_host::deployment::{Deployment, NodeBuild, Shared};
use tntc_host::logs::CapturedLogs;
use tntc_host::result::ExecutionResult;
use tntc_host::secrets::Secrets;
use tntc_sandbox::{Sandbox, SandboxConfig};
use tntc_spec::Checked;

use crate::servers::test_ca;

/// The runtime cache of this test binary, under cargo's per-target temporary directory:
/// only the first run after a runtime change pays for wizer and the JIT.
fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("host-tests-runtime-cache")
}

/// The process's sandbox (as `tntc-host` creates it: default limits, no fuel).
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        Sandbox::new(SandboxConfig::with_cache_dir(cache_dir())).expect("the sandbox starts")
    })
}

/// A second sandbox with fuel metering, for workflows with `config.fuel`.
pub fn fuel_sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let config = SandboxConfig {
            cpu_fuel: true,
            ..SandboxConfig::with_cache_dir(cache_dir())
        };
        Sandbox::new(config).expect("the fuel sandbox starts")
    })
}

/// A fetch client that trusts only the test CA (no system roots: nothing here may leave
/// the machine).
pub fn fetch_client() -> FetchClient {
    FetchClient::new(FetchConfig {
        system_roots: false,
        extra_ca_pem: Some(PemSource::Bytes(test_ca().ca_pem.clone().into_bytes())),
        ..FetchConfig::default()
    })
    .expect("the fetch client starts")
}

/// A workflow to write, compile and deploy.
pub struct Flow {
    yaml: String,
    files: Vec<(String, String)>,
    secrets: Secrets,
}

/// Starts a workflow from its `workflow.yaml` text.
pub fn flow(yaml: &str) -> Flow {
    Flow {
        yaml: yaml.to_string(),
        files: Vec::new(),
        secrets: Secrets::new(),
    }
}

/// A workflow named `test` with a manual trigger, one node per `(id, TypeScript)` at
/// `nodes/<id>.ts`, the given edges, and `extra` YAML appended (a `config:` block,
/// `contract:`, ...).
pub fn dag(nodes: &[(&str, &str)], edges: &[(&str, &str)], extra: &str) -> Flow {
    dag_with(nodes, &[], edges, extra)
}

/// [`dag`] with extra YAML lines under some nodes: `(id, lines)`, the lines indented as
/// node fields (`"    timeout: 300ms\n"`).
pub fn dag_with(
    nodes: &[(&str, &str)],
    node_yaml: &[(&str, &str)],
    edges: &[(&str, &str)],
    extra: &str,
) -> Flow {
    let mut yaml =
        String::from("name: test\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n");
    for (id, _) in nodes {
        yaml.push_str(&format!("  {id}:\n    path: ./nodes/{id}.ts\n"));
        for (_, lines) in node_yaml.iter().filter(|(n, _)| n == id) {
            yaml.push_str(lines);
        }
    }
    if !edges.is_empty() {
        yaml.push_str("edges:\n");
        for (from, to) in edges {
            yaml.push_str(&format!("  - from: {from}\n    to: {to}\n"));
        }
    }
    yaml.push_str(extra);
    let mut flow = flow(&yaml);
    for (id, source) in nodes {
        flow = flow.file(&format!("nodes/{id}.ts"), source);
    }
    flow
}

/// The text of the escape-suite node `tests/all/nodes/<name>.ts`.
pub fn repo_node(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/all/nodes")
        .join(format!("{name}.ts"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A workflow with one node `id` running `tests/all/nodes/<name>.ts` (at
/// `nodes/<name>.ts`), `node_yaml` lines under the node and `extra` YAML at the end.
pub fn one_node(id: &str, name: &str, node_yaml: &str, extra: &str) -> Flow {
    let yaml = format!(
        "name: escape\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  {id}:\n    path: ./nodes/{name}.ts\n{node_yaml}{extra}"
    );
    flow(&yaml).file(&format!("nodes/{name}.ts"), &repo_node(name))
}

/// A workflow of escape-suite nodes: each `(id, name)` runs `tests/all/nodes/<name>.ts`
/// (at `nodes/<name>.ts`, so relative imports between them work), with `edges`.
pub fn repo_nodes(nodes: &[(&str, &str)], edges: &[(&str, &str)]) -> Flow {
    let mut yaml =
        String::from("name: escape\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n");
    for (id, name) in nodes {
        yaml.push_str(&format!("  {id}:\n    path: ./nodes/{name}.ts\n"));
    }
    if !edges.is_empty() {
        yaml.push_str("edges:\n");
        for (from, to) in edges {
            yaml.push_str(&format!("  - from: {from}\n    to: {to}\n"));
        }
    }
    let mut flow = flow(&yaml);
    for (_, name) in nodes {
        flow = flow.file(&format!("nodes/{name}.ts"), &repo_node(name));
    }
    flow
}

/// A compiled workflow, not yet deployed.
pub struct Compiled {
    /// The workflow directory (deleted on drop).
    pub dir: tempfile::TempDir,
    /// The checked spec.
    pub checked: Checked,
    /// Each node's module and code uses.
    pub modules: BTreeMap<String, NodeBuild>,
}

impl Flow {
    /// Adds a file (a node or a module it imports) at `path`, relative to the workflow.
    pub fn file(mut self, path: &str, source: &str) -> Flow {
        self.files.push((path.to_string(), source.to_string()));
        self
    }

    /// Adds a secrets service (a JSON object of keys).
    pub fn secret(mut self, service: &str, keys: Value) -> Flow {
        let Value::Object(keys) = keys else {
            panic!("secret {service}: keys must be a JSON object");
        };
        self.secrets.insert(service, keys);
        self
    }

    /// Writes and compiles the workflow; `Err` holds every compile error, rendered.
    pub fn compile(&self) -> Result<Compiled, String> {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("workflow.yaml"), &self.yaml).expect("write workflow");
        for (path, source) in &self.files {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().expect("a file in a directory"))
                .expect("create node directory");
            std::fs::write(file, source).expect("write node");
        }
        let loaded = tntc_spec::load(dir.path()).expect("workflow.yaml is readable");
        let checked = loaded.result.map_err(|diagnostics| {
            diagnostics
                .iter()
                .map(|d| tntc_spec::diagnostic::render(&loaded.source, d, false))
                .collect::<String>()
        })?;
        let sandbox = if checked.workflow.config.fuel.is_some() {
            fuel_sandbox()
        } else {
            sandbox()
        };
        let compiled = tntc_build::compile(dir.path(), &checked, sandbox, |_| {})
            .map_err(|error| error.render(false).join("\n"))?;
        let modules: BTreeMap<String, NodeBuild> = compiled
            .into_iter()
            .map(|node| {
                let uses = Some(node.code_uses());
                (
                    node.id,
                    NodeBuild {
                        wasm: node.wasm,
                        uses,
                    },
                )
            })
            .collect();
        Ok(Compiled {
            dir,
            checked,
            modules,
        })
    }

    /// Compiles and deploys the workflow; panics with the compile errors if it does not
    /// compile.
    pub fn deploy(self) -> Deployed {
        let compiled = self
            .compile()
            .unwrap_or_else(|errors| panic!("the workflow compiles:\n{errors}"));
        let sandbox = if compiled.checked.workflow.config.fuel.is_some() {
            fuel_sandbox()
        } else {
            sandbox()
        };
        let logs = Arc::new(CapturedLogs::default());
        let shared = Shared {
            sandbox: sandbox.clone(),
            fetch: fetch_client(),
            postgres: tntc_host::deployment::postgres_pools(None).expect("postgres pools"),
            logs: logs.clone(),
        };
        let deployment =
            Deployment::prepare(&shared, compiled.checked, compiled.modules, self.secrets)
                .unwrap_or_else(|e| panic!("the workflow deploys: {e}"));
        Deployed {
            deployment: Arc::new(deployment),
            logs,
            _dir: compiled.dir,
        }
    }
}

/// A deployed workflow and its captured node logs.
pub struct Deployed {
    /// The deployment.
    pub deployment: Arc<Deployment>,
    /// Every node log line.
    pub logs: Arc<CapturedLogs>,
    _dir: tempfile::TempDir,
}

impl Deployed {
    /// Runs the workflow once.
    pub async fn run(&self, input: Value) -> ExecutionResult {
        self.deployment.execute(input).await
    }
}

/// The error of `node` in `result`, or a panic showing the whole result.
pub fn error_of<'a>(result: &'a ExecutionResult, node: &str) -> &'a str {
    result
        .errors
        .get(node)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("node {node} has no error in {}", show(result)))
}

/// The output of `node` in `result`, or a panic showing the whole result.
pub fn output_of<'a>(result: &'a ExecutionResult, node: &str) -> &'a Value {
    result
        .outputs
        .get(node)
        .unwrap_or_else(|| panic!("node {node} has no output in {}", show(result)))
}

/// The result as callers read it (the JSON of `/run`).
pub fn show(result: &ExecutionResult) -> String {
    serde_json::to_string_pretty(result).unwrap_or_default()
}
