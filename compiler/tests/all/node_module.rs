//! The Wasm node module: exact shape, validity, size, determinism.

use rquickjs::{Context, Module, Runtime, WriteOptions};
use tntc_compiler::{NODE_SECTION, NodeSection, TranspiledNode, emit_node_module};
use wasmparser::{
    DataKind, ExternalKind, Operator, Parser, Payload, TypeRef, Validator, WasmFeatures,
};

use crate::support::Flow;

const SMALL_NODE: &str = r#"import type { Context } from "tentacular";

export default async function run(ctx: Context, input: { name?: string }) {
  const api = ctx.dependency("api");
  const response = await api.fetch!(`/hello/${input.name ?? "world"}`);
  ctx.log.info("status", response.status);
  return { ok: response.ok, body: await response.json() };
}
"#;

fn small_node() -> TranspiledNode {
    Flow::new(&[("nodes/hello.ts", SMALL_NODE)]).compile("nodes/hello.ts")
}

/// Real QuickJS-ng bytecode for the node's bundle (the runtime's `compile` does the same).
fn quickjs_bytecode(node: &TranspiledNode) -> Vec<u8> {
    let runtime = Runtime::new().expect("runtime");
    let context = Context::full(&runtime).expect("context");
    context.with(|ctx| {
        let module =
            Module::declare(ctx, node.filename.as_str(), node.js.as_str()).expect("compiles");
        module.write(WriteOptions::default()).expect("bytecode")
    })
}

#[test]
fn the_node_module_validates_and_has_exactly_the_runtime_imports_and_load_export() {
    let node = small_node();
    let bytecode: Vec<u8> = (0..=255u8).cycle().take(2048).collect();
    let wasm = emit_node_module(&node, &bytecode, None).expect("emits");

    let features = WasmFeatures::default();
    Validator::new_with_features(features)
        .validate_all(&wasm)
        .expect("valid module");

    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut types = Vec::new();
    let mut data = Vec::new();
    let mut load_body = Vec::new();
    let mut custom = Vec::new();
    for payload in Parser::new(0).parse_all(&wasm) {
        match payload.expect("parses") {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group.expect("type").into_types() {
                        let func = ty.unwrap_func().clone();
                        types.push((func.params().to_vec(), func.results().to_vec()));
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.expect("import");
                    let ty = match import.ty {
                        TypeRef::Func(index) => format!("func {index}"),
                        TypeRef::Memory(memory) => {
                            format!("memory min {} max {:?}", memory.initial, memory.maximum)
                        }
                        other => format!("{other:?}"),
                    };
                    imports.push(format!("{}.{}: {ty}", import.module, import.name));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.expect("export");
                    assert_eq!(export.kind, ExternalKind::Func);
                    exports.push((export.name.to_owned(), export.index));
                }
            }
            Payload::DataSection(reader) => {
                for segment in reader {
                    let segment = segment.expect("data");
                    assert!(
                        matches!(segment.kind, DataKind::Passive),
                        "the bytecode segment is passive"
                    );
                    data.push(segment.data.to_vec());
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut reader = body.get_operators_reader().expect("operators");
                while !reader.eof() {
                    load_body.push(format!("{:?}", reader.read().expect("operator")));
                }
            }
            Payload::CustomSection(section) => {
                custom.push((section.name().to_owned(), section.data().to_vec()))
            }
            _ => {}
        }
    }
    use wasmparser::ValType::I32;
    assert_eq!(
        types,
        [
            (vec![I32; 4], vec![I32]),
            (vec![I32; 2], vec![I32]),
            (vec![], vec![I32])
        ]
    );
    assert_eq!(
        imports,
        [
            "tntc-runtime.memory: memory min 0 max None",
            "tntc-runtime.cabi_realloc: func 0",
            "tntc-runtime.load-node: func 1",
        ]
    );
    assert_eq!(exports, [("load".to_owned(), 2)]);
    assert_eq!(data, [bytecode]);
    let expected_body = [
        Operator::I32Const { value: 0 },
        Operator::I32Const { value: 0 },
        Operator::I32Const { value: 1 },
        Operator::I32Const { value: 2048 },
        Operator::Call { function_index: 0 },
        Operator::LocalSet { local_index: 0 },
        Operator::LocalGet { local_index: 0 },
        Operator::I32Const { value: 0 },
        Operator::I32Const { value: 2048 },
        Operator::MemoryInit {
            data_index: 0,
            mem: 0,
        },
        Operator::DataDrop { data_index: 0 },
        Operator::LocalGet { local_index: 0 },
        Operator::I32Const { value: 2048 },
        Operator::Call { function_index: 1 },
        Operator::End,
    ]
    .map(|op| format!("{op:?}"));
    assert_eq!(load_body, expected_body);

    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0].0, NODE_SECTION);
    let section = NodeSection::from_module(&wasm).expect("section");
    assert_eq!(section.node, "node");
    assert_eq!(section.source, "nodes/hello.ts");
    assert_eq!(section.line_map, node.line_map);
    let json = String::from_utf8(custom[0].1.clone()).expect("utf-8");
    assert!(
        json.starts_with(
            r#"{"node":"node","source":"nodes/hello.ts","lineMap":{"file":"nodes/hello.bundle.js""#
        ),
        "{json}"
    );
}

#[test]
fn a_small_node_module_stays_under_16_kib_with_2_kib_of_bytecode() {
    let node = small_node();
    let wasm = emit_node_module(&node, &[0x2a; 2048], None).expect("emits");
    assert!(wasm.len() <= 16 * 1024, "{} bytes", wasm.len());
    let glue = wasm.len() - 2048;
    assert!(glue < 1024, "glue and metadata take {glue} bytes");
}

#[test]
fn a_small_node_module_with_real_quickjs_bytecode_stays_under_16_kib() {
    let node = small_node();
    let bytecode = quickjs_bytecode(&node);
    let wasm = emit_node_module(&node, &bytecode, None).expect("emits");
    Validator::new().validate_all(&wasm).expect("valid module");
    assert!(
        wasm.len() <= 16 * 1024,
        "{} bytes ({} of bytecode)",
        wasm.len(),
        bytecode.len()
    );
}

#[test]
fn compiling_the_same_sources_twice_gives_identical_bytes_even_from_another_directory() {
    let first = Flow::new(&[
        ("nodes/hello.ts", SMALL_NODE),
        ("lib/x.ts", "export const x = 1;\n"),
    ]);
    let second = Flow::new(&[
        ("nodes/hello.ts", SMALL_NODE),
        ("lib/x.ts", "export const x = 1;\n"),
    ]);
    assert_ne!(first.path(), second.path());
    let a = first.compile("nodes/hello.ts");
    let b = first.compile("nodes/hello.ts");
    let c = second.compile("nodes/hello.ts");
    assert_eq!(a.js, b.js);
    assert_eq!(a.js, c.js);
    assert_eq!(a.line_map, c.line_map);
    let bytecode = [1u8, 2, 3];
    let module_a = emit_node_module(&a, &bytecode, None).expect("emits");
    assert_eq!(
        module_a,
        emit_node_module(&b, &bytecode, None).expect("emits")
    );
    assert_eq!(
        module_a,
        emit_node_module(&c, &bytecode, None).expect("emits")
    );
    let text = String::from_utf8_lossy(&module_a);
    assert!(
        !text.contains(&*first.path().to_string_lossy()),
        "no absolute paths in the module"
    );
}
