//! Shared fixtures: one sandbox for the whole binary, a node-module builder, and a
//! recording host.

use std::sync::{Arc, Mutex, OnceLock};
use tntc_sandbox::{
    BoxFuture, FetchRequest, FetchResponse, LogLevel, NodeFailure, NodeHost, NodeModule, RunLimits,
    RunOutput, RunRequest, Sandbox, SandboxConfig,
};
use wasm_encoder::{
    CodeSection, CustomSection, DataCountSection, DataSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, ImportSection, Instruction, MemoryType, Module,
    TypeSection, ValType,
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

/// The node module the compiler would emit for `bytecode`: imports the runtime's memory,
/// `cabi_realloc` and `load-node`; `load` copies the passive bytecode segment into a
/// fresh allocation and calls `load-node`.
pub fn node_module(bytecode: &[u8], metadata: &str) -> Vec<u8> {
    node_module_after(&[], bytecode, metadata)
}

/// [`node_module`] with `prologue` at the start of `load`: no longer the compiler's exact
/// glue, so the sandbox instantiates it instead of loading its bytecode itself.
pub fn node_module_after(prologue: &[Instruction<'_>], bytecode: &[u8], metadata: &str) -> Vec<u8> {
    let len = i32::try_from(bytecode.len()).expect("small bytecode");
    let mut module = Module::new();

    let mut types = TypeSection::new();
    types.ty().function([ValType::I32; 4], [ValType::I32]);
    types.ty().function([ValType::I32; 2], [ValType::I32]);
    types.ty().function([], [ValType::I32]);
    module.section(&types);

    let mut imports = ImportSection::new();
    let memory = MemoryType {
        minimum: 0,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    };
    imports.import("tntc-runtime", "memory", EntityType::Memory(memory));
    imports.import("tntc-runtime", "cabi_realloc", EntityType::Function(0));
    imports.import("tntc-runtime", "load-node", EntityType::Function(1));
    module.section(&imports);

    let mut functions = FunctionSection::new();
    functions.function(2);
    module.section(&functions);

    let mut exports = ExportSection::new();
    exports.export("load", ExportKind::Func, 2);
    module.section(&exports);

    module.section(&DataCountSection { count: 1 });

    let mut load = Function::new([(1, ValType::I32)]);
    for instruction in prologue {
        load.instruction(instruction);
    }
    for instruction in [
        Instruction::I32Const(0),
        Instruction::I32Const(0),
        Instruction::I32Const(1),
        Instruction::I32Const(len),
        Instruction::Call(0),
        Instruction::LocalSet(0),
        Instruction::LocalGet(0),
        Instruction::I32Const(0),
        Instruction::I32Const(len),
        Instruction::MemoryInit {
            mem: 0,
            data_index: 0,
        },
        Instruction::DataDrop(0),
        Instruction::LocalGet(0),
        Instruction::I32Const(len),
        Instruction::Call(1),
        Instruction::End,
    ] {
        load.instruction(&instruction);
    }
    let mut code = CodeSection::new();
    code.function(&load);
    module.section(&code);

    let mut data = DataSection::new();
    data.passive(bytecode.iter().copied());
    module.section(&data);

    module.section(&CustomSection {
        name: "tntc-node".into(),
        data: metadata.as_bytes().into(),
    });
    module.finish()
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
        invocation(&node.info().node, input),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await?;
    Ok(serde_json::from_str(&output.output).expect("the sandbox validated the output as JSON"))
}
