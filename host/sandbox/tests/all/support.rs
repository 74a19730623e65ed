//! Shared fixtures: one sandbox for the whole binary, a node-module builder, and a
//! recording host.

use std::sync::{Arc, Mutex, OnceLock};
use tntc_sandbox::{
    BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeFailure, NodeHost, NodeModule, RunLimits,
    RunOutput, RunRequest, Sandbox, SandboxConfig,
};

/// The sandbox shared by tests that need no special configuration. Its runtime cache
/// lives in cargo's per-target temporary directory, so only the first test run of a
/// build pays for wizer and the JIT.
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let config = SandboxConfig {
            cache_dir: Some(
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime-cache"),
            ),
            max_concurrent_runs: 128,
            ..SandboxConfig::default()
        };
        Sandbox::new(config).expect("the sandbox starts")
    })
}

/// The node module the compiler emits for `bytecode` (`tntc_abi::glue`): imports the runtime's
/// memory, `cabi_realloc` and `load-node`; `load` copies the passive bytecode segment into a
/// fresh allocation and calls `load-node`.
pub fn node_module(bytecode: &[u8], metadata: &str) -> Vec<u8> {
    tntc_abi::glue::emit(bytecode, tntc_abi::NODE_SECTION, metadata.as_bytes())
        .expect("small bytecode")
}

/// `wasm` (a [`node_module`]) with the instructions `opcodes` (one byte each, like `nop` or
/// `unreachable`) at the start of `load`: still a valid node module, but no longer the
/// compiler's exact glue, so the sandbox instantiates it instead of loading its bytecode.
pub fn with_load_prologue(wasm: &[u8], opcodes: &[u8]) -> Vec<u8> {
    let code = wasmparser::Parser::new(0)
        .parse_all(wasm)
        .find_map(|payload| match payload.expect("valid module") {
            wasmparser::Payload::CodeSectionStart { range, .. } => Some(range),
            _ => None,
        })
        .expect("a code section");
    // [section size] [count = 1] [body size] [1 local group: 1 x i32] [instructions...]
    let (section_size, body_size) = (code.start - 1, code.start + 1);
    assert!(
        wasm[section_size] < 0x80 - opcodes.len() as u8
            && wasm[body_size] < 0x80 - opcodes.len() as u8,
        "single-byte sizes"
    );
    let mut patched = wasm.to_vec();
    patched[section_size] += opcodes.len() as u8;
    patched[body_size] += opcodes.len() as u8;
    let first_instruction = body_size + 1 + 3;
    patched.splice(
        first_instruction..first_instruction,
        opcodes.iter().copied(),
    );
    patched
}

/// Compiles `source` (an ES module) as node `id` at `nodes/<id>.js` in `sandbox`.
pub fn node_in(sandbox: &Sandbox, id: &str, source: &str) -> NodeModule {
    let filename = format!("nodes/{id}.js");
    let bytecode = sandbox
        .compile_js(source, &filename)
        .unwrap_or_else(|e| panic!("{id} compiles: {e}"));
    let metadata = serde_json::json!({"node": id, "source": format!("nodes/{id}.ts")}).to_string();
    sandbox
        .load_node(&node_module(&bytecode, &metadata))
        .unwrap_or_else(|e| panic!("{id} loads: {e}"))
}

/// [`node_in`] the shared sandbox.
pub fn node(id: &str, source: &str) -> NodeModule {
    node_in(sandbox(), id, source)
}

/// The invocation JSON for `input` with empty config, secrets and dependencies.
pub fn invocation(node: &str, input: serde_json::Value) -> String {
    serde_json::json!({"node": node, "input": input, "config": {}, "secrets": {}, "dependencies": {}})
        .to_string()
}

/// A host that records log lines and fetch requests and answers fetches with `reply`.
#[derive(Default)]
pub struct RecordingHost {
    pub lines: Mutex<Vec<(LogLevel, String)>>,
    pub requests: Mutex<Vec<FetchRequest>>,
    pub reply: Mutex<Option<Result<FetchResponse, String>>>,
}

impl RecordingHost {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn replying(reply: Result<FetchResponse, String>) -> Arc<Self> {
        let host = Self::default();
        *host.reply.lock().unwrap() = Some(reply);
        Arc::new(host)
    }

    pub fn lines(&self) -> Vec<(LogLevel, String)> {
        self.lines.lock().unwrap().clone()
    }
}

impl NodeHost for RecordingHost {
    fn log(&self, level: LogLevel, message: &str) {
        self.lines
            .lock()
            .unwrap()
            .push((level, message.to_string()));
    }

    fn fetch(&self, request: FetchRequest) -> BoxFuture<'static, Result<FetchResponse, String>> {
        self.requests.lock().unwrap().push(request);
        let reply = self
            .reply
            .lock()
            .unwrap()
            .clone()
            .unwrap_or_else(|| Err("no network in this test".to_string()));
        Box::pin(async move { reply })
    }
}

/// Runs `node` with `invocation_json`, `limits` and `host`.
pub async fn run_with(
    node: &NodeModule,
    invocation_json: String,
    limits: RunLimits,
    host: Arc<dyn NodeHost>,
) -> Result<RunOutput, NodeFailure> {
    node.run(RunRequest {
        invocation_json,
        limits,
        host,
    })
    .await
}

/// Runs `node` on `input` with default limits; the output parsed as JSON.
pub async fn run(
    node: &NodeModule,
    input: serde_json::Value,
) -> Result<serde_json::Value, NodeFailure> {
    let output = run_with(
        node,
        invocation(&node.section().node, input),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await?;
    Ok(serde_json::from_str(&output.output).expect("the sandbox validated the output as JSON"))
}
