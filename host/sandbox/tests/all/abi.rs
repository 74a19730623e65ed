//! Node-module validation and JavaScript compilation errors.

use crate::support::{
    RecordingHost, invocation, node_module, run_with, sandbox, with_load_prologue,
};
use tntc_sandbox::{CompileError, LoadError, NodeFailure, RunLimits};

const METADATA: &str = r#"{"node": "n", "source": "nodes/n.ts"}"#;

#[test]
fn a_syntax_error_names_the_file_and_position() {
    let error = sandbox()
        .compile_js(
            "export default async function run() {\n  return (;\n}\n",
            "nodes/bad.js",
        )
        .unwrap_err();
    match error {
        CompileError::Syntax { message, stack } => {
            assert!(!message.is_empty());
            let stack = stack.expect("a position");
            assert!(stack.contains("nodes/bad.js:2"), "{stack}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn the_metadata_section_is_read() {
    let bytecode = sandbox()
        .compile_js("export default () => 1;", "nodes/n.js")
        .unwrap();
    let node = sandbox()
        .load_node(&node_module(
            &bytecode,
            r#"{"node": "n", "source": "nodes/n.ts", "lineMap": {"file": "nodes/n.js", "sources": ["nodes/n.ts"], "mappings": "AAAA"}}"#,
        ))
        .unwrap();
    assert_eq!(node.section().node, "n");
    assert_eq!(node.section().source, "nodes/n.ts");
    assert_eq!(node.section().line_map.sources, ["nodes/n.ts"]);
    assert_eq!(node.section().line_map.mappings, "AAAA");
}

#[test]
fn bytecode_from_another_runtime_is_refused() {
    let bytecode = sandbox()
        .compile_js("export default () => 1;", "nodes/n.js")
        .unwrap();
    let metadata = r#"{"node": "n", "source": "nodes/n.ts", "runtime": "0000"}"#;
    match sandbox()
        .load_node(&node_module(&bytecode, metadata))
        .unwrap_err()
    {
        LoadError::Abi(reason) => assert!(reason.contains("compiled by runtime 0000"), "{reason}"),
        other => panic!("expected an ABI error, got {other}"),
    }
    let current = format!(
        r#"{{"node": "n", "source": "nodes/n.ts", "runtime": "{}"}}"#,
        sandbox().runtime_digest()
    );
    assert!(
        sandbox()
            .load_node(&node_module(&bytecode, &current))
            .is_ok()
    );
}

#[test]
fn a_node_module_without_metadata_is_rejected() {
    let bytecode = sandbox()
        .compile_js("export default () => 1;", "nodes/n.js")
        .unwrap();
    let mut module = node_module(&bytecode, METADATA);
    // Rename the custom section so it is no longer `tntc-node`.
    let at = module
        .windows(9)
        .rposition(|w| w == b"tntc-node")
        .expect("the section name");
    module[at] = b'x';
    let error = sandbox().load_node(&module).unwrap_err();
    assert!(matches!(error, LoadError::Metadata(_)), "{error}");
}

#[test]
fn a_module_importing_anything_else_is_rejected() {
    let wat_like = wasm_encoder_module_with_extra_import();
    let error = sandbox().load_node(&wat_like).unwrap_err();
    match error {
        LoadError::Abi(reason) => assert!(
            reason.contains("wasi_snapshot_preview1.fd_write"),
            "{reason}"
        ),
        other => panic!("expected an ABI error, got {other}"),
    }
}

#[test]
fn garbage_is_not_a_node_module() {
    let error = sandbox().load_node(b"\0asm\x01\0\0\0garbage").unwrap_err();
    assert!(matches!(error, LoadError::Invalid(_)), "{error}");
}

fn wasm_encoder_module_with_extra_import() -> Vec<u8> {
    use wasm_encoder::{CustomSection, EntityType, ImportSection, Module, TypeSection, ValType};
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32; 4], [ValType::I32]);
    module.section(&types);
    let mut imports = ImportSection::new();
    imports.import(
        "wasi_snapshot_preview1",
        "fd_write",
        EntityType::Function(0),
    );
    module.section(&imports);
    module.section(&CustomSection {
        name: "tntc-node".into(),
        data: METADATA.as_bytes().into(),
    });
    module.finish()
}

#[tokio::test]
async fn a_node_module_other_than_the_compilers_glue_is_instantiated_and_runs() {
    // The host loads the compiler's glue by itself; any other module following the ABI
    // must still work through its own `load`.
    let bytecode = sandbox()
        .compile_js(
            "export default async function run(ctx, input) { return { doubled: input.n * 2 }; }",
            "nodes/n.js",
        )
        .unwrap();
    const NOP: u8 = 0x01;
    const UNREACHABLE: u8 = 0x00;
    let glue = node_module(&bytecode, METADATA);
    let node = sandbox()
        .load_node(&with_load_prologue(&glue, &[NOP]))
        .unwrap();
    assert!(!node.loads_bytecode_directly());
    let output = run_with(
        &node,
        invocation("n", serde_json::json!({"n": 21})),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await
    .unwrap();
    assert_eq!(output.output, r#"{"doubled":42}"#);

    // Its `load` really runs: one that traps before loading fails the run.
    let node = sandbox()
        .load_node(&with_load_prologue(&glue, &[UNREACHABLE]))
        .unwrap();
    let failure = run_with(
        &node,
        invocation("n", serde_json::json!({"n": 21})),
        RunLimits::default(),
        RecordingHost::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(failure, NodeFailure::Trap { .. }), "{failure:?}");
}
