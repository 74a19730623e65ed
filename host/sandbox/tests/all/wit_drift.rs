//! `wit/node.wit` against the built runtime: every function's core signature, computed
//! with the canonical ABI by wit-parser, must match the runtime's actual imports and
//! exports. Any drift fails, including an extra import outside WASI.

use std::collections::BTreeMap;
use tntc_abi::runtime::HOST_IMPORT_MODULE;
use tntc_sandbox::{WASI_FUNCTIONS, runtime_plugin_wasm};
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{Resolve, WorldItem};

/// A core signature written as text: `(i32, i32) -> (i32)`.
type Signature = String;

/// Exports the Javy plugin API adds next to the WIT world's.
const JAVY_EXPORTS: &[(&str, &str)] = &[
    ("cabi_realloc", "(i32, i32, i32, i32) -> (i32)"),
    ("initialize-runtime", "() -> ()"),
    ("compile-src", "(i32, i32) -> (i32)"),
    ("invoke", "(i32, i32, i32, i32, i32) -> ()"),
];

fn wit_type(ty: &WasmType) -> &'static str {
    match ty {
        // wasm32: pointers and lengths are i32.
        WasmType::I32 | WasmType::Pointer | WasmType::Length => "i32",
        WasmType::I64 | WasmType::PointerOrI64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
    }
}

fn core_type(ty: &wasmparser::ValType) -> String {
    match ty {
        wasmparser::ValType::I32 => "i32".into(),
        wasmparser::ValType::I64 => "i64".into(),
        wasmparser::ValType::F32 => "f32".into(),
        wasmparser::ValType::F64 => "f64".into(),
        other => format!("{other:?}"),
    }
}

fn render<T>(params: &[T], results: &[T], name: impl Fn(&T) -> String) -> Signature {
    let list = |types: &[T]| types.iter().map(&name).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
}

struct Wit {
    /// (module, name) -> signature, as the runtime must import them.
    imports: BTreeMap<(String, String), Signature>,
    /// name -> signature, as the runtime must export them.
    exports: BTreeMap<String, Signature>,
    /// The `node` world's `load`, as a node module must export it.
    node_load: Signature,
}

fn wit() -> Wit {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/node.wit");
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_path(&path).expect("wit/node.wit parses");
    let signature = |resolve: &Resolve, variant, func| {
        let sig = resolve.wasm_signature(variant, func);
        render(&sig.params, &sig.results, |t| wit_type(t).to_string())
    };

    let runtime = resolve
        .select_world(&[package], Some("node-runtime"))
        .unwrap();
    let mut imports = BTreeMap::new();
    for (key, item) in &resolve.worlds[runtime].imports {
        let WorldItem::Interface { id, .. } = item else {
            continue;
        };
        let module = resolve.name_world_key(key);
        for (name, func) in &resolve.interfaces[*id].functions {
            imports.insert(
                (module.clone(), name.clone()),
                signature(&resolve, AbiVariant::GuestImport, func),
            );
        }
    }
    let mut exports = BTreeMap::new();
    for item in resolve.worlds[runtime].exports.values() {
        if let WorldItem::Function(func) = item {
            exports.insert(
                func.name.clone(),
                signature(&resolve, AbiVariant::GuestExport, func),
            );
        }
    }

    let node = resolve.select_world(&[package], Some("node")).unwrap();
    let node_load = resolve.worlds[node]
        .exports
        .values()
        .find_map(|item| match item {
            WorldItem::Function(func) if func.name == "load" => {
                Some(signature(&resolve, AbiVariant::GuestExport, func))
            }
            _ => None,
        })
        .expect("the node world exports load");
    Wit {
        imports,
        exports,
        node_load,
    }
}

struct Binary {
    imports: BTreeMap<(String, String), Signature>,
    exports: BTreeMap<String, Option<Signature>>,
}

fn runtime_binary() -> Binary {
    let mut types = Vec::new();
    let mut functions = Vec::new();
    let mut imports = BTreeMap::new();
    let mut exports = BTreeMap::new();
    let mut export_list = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(runtime_plugin_wasm()) {
        match payload.expect("the runtime parses") {
            wasmparser::Payload::TypeSection(section) => {
                for ty in section.into_iter_err_on_gc_types() {
                    let ty = ty.unwrap();
                    types.push(render(ty.params(), ty.results(), core_type));
                }
            }
            wasmparser::Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.unwrap();
                    if let wasmparser::TypeRef::Func(index) = import.ty {
                        functions.push(index);
                        imports.insert(
                            (import.module.to_string(), import.name.to_string()),
                            types[index as usize].clone(),
                        );
                    } else {
                        imports.insert(
                            (import.module.to_string(), import.name.to_string()),
                            format!("{:?}", import.ty),
                        );
                    }
                }
            }
            wasmparser::Payload::FunctionSection(section) => {
                functions.extend(section.into_iter().map(Result::unwrap));
            }
            wasmparser::Payload::ExportSection(section) => {
                for export in section {
                    let export = export.unwrap();
                    export_list.push((export.name.to_string(), export.kind, export.index));
                }
            }
            _ => {}
        }
    }
    for (name, kind, index) in export_list {
        let signature = (kind == wasmparser::ExternalKind::Func)
            .then(|| types[functions[index as usize] as usize].clone());
        exports.insert(name, signature);
    }
    Binary { imports, exports }
}

#[test]
fn the_runtime_imports_exactly_the_wit_host_interface_plus_supported_wasi() {
    let wit = wit();
    let binary = runtime_binary();
    let mut problems = Vec::new();
    for ((module, name), expected) in &wit.imports {
        match binary.imports.get(&(module.clone(), name.clone())) {
            Some(actual) if actual == expected => {}
            Some(actual) => problems.push(format!(
                "import {module}.{name}: WIT says {expected}, runtime has {actual}"
            )),
            None => problems.push(format!(
                "import {module}.{name} ({expected}) is missing from the runtime"
            )),
        }
    }
    for ((module, name), actual) in &binary.imports {
        let known = if module == "wasi_snapshot_preview1" {
            WASI_FUNCTIONS.contains(&name.as_str())
        } else {
            wit.imports.contains_key(&(module.clone(), name.clone()))
        };
        if !known {
            problems.push(format!(
                "the runtime imports {module}.{name} {actual}, which is neither in wit/node.wit nor a WASI function the sandbox implements"
            ));
        }
    }
    assert!(problems.is_empty(), "WIT drift:\n{}", problems.join("\n"));
    assert!(
        wit.imports
            .keys()
            .all(|(module, _)| module == HOST_IMPORT_MODULE)
    );
}

#[test]
fn the_runtime_exports_exactly_the_wit_world_plus_javys_exports() {
    let wit = wit();
    let binary = runtime_binary();
    let mut problems = Vec::new();
    let mut allowed: BTreeMap<String, Signature> = wit.exports.clone();
    allowed.extend(
        JAVY_EXPORTS
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string())),
    );
    for (name, expected) in &allowed {
        match binary.exports.get(name) {
            Some(Some(actual)) if actual == expected => {}
            Some(actual) => problems.push(format!(
                "export {name}: expected {expected}, runtime has {actual:?}"
            )),
            None => problems.push(format!(
                "export {name} ({expected}) is missing from the runtime"
            )),
        }
    }
    for (name, signature) in &binary.exports {
        if name != "memory" && !allowed.contains_key(name) {
            problems.push(format!(
                "the runtime exports {name} {signature:?}, which wit/node.wit does not declare"
            ));
        }
    }
    assert!(
        binary.exports.get("memory").is_some_and(Option::is_none),
        "the runtime exports its memory"
    );
    assert!(problems.is_empty(), "WIT drift:\n{}", problems.join("\n"));
}

#[test]
fn the_node_world_matches_what_the_sandbox_accepts() {
    let wit = wit();
    // `load` as node modules export it, and `load-node` as they import it.
    assert_eq!(wit.node_load, "() -> (i32)");
    assert_eq!(wit.exports["load-node"], "(i32, i32) -> (i32)");
}
