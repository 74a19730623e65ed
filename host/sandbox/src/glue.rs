//! Recognises the node module `tntc build` emits (`compiler/src/node_module.rs`): glue
//! whose only work is to copy its passive bytecode segment into a `cabi_realloc`
//! allocation and call `load-node` with it. For such a module the host does the same
//! itself (allocate, write, call `load-node`) and never instantiates the module: a second
//! instance per run cost about a microsecond of instantiation and teardown, 5% of a
//! trivial node's run. Any other module that follows the node ABI is instantiated as
//! before.

use crate::node::RuntimeImport;
use std::sync::Arc;
use wasmparser::{DataKind, Operator, Parser, Payload};

/// The bytecode of `wasm` when it is exactly the compiler's glue; `None` for anything else
/// (including anything malformed: the general path reports that).
///
/// `imports` is the module's import order, already checked by `node::check_imports`.
pub(crate) fn bytecode_of(wasm: &[u8], imports: &[RuntimeImport]) -> Option<Arc<[u8]>> {
    let index_of = |which| {
        imports
            .iter()
            .filter(|import| **import != RuntimeImport::Memory)
            .position(|import| *import == which)
            .map(|i| i as u32)
    };
    let realloc = index_of(RuntimeImport::Realloc)?;
    let load_node = index_of(RuntimeImport::LoadNode)?;
    // The module's one function comes after the two imported ones.
    let load = 2;

    let mut body = None;
    let mut data = None;
    let mut functions = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::Version { .. }
            | Payload::TypeSection(_)
            | Payload::ImportSection(_)
            | Payload::DataCountSection { .. }
            | Payload::CodeSectionStart { .. }
            | Payload::CustomSection(_)
            | Payload::End(_) => {}
            Payload::FunctionSection(section) => functions += section.count(),
            Payload::ExportSection(section) => {
                let exports = section.into_iter().collect::<Result<Vec<_>, _>>().ok()?;
                let only_load = matches!(exports.as_slice(),
                    [export] if export.name == "load"
                        && export.kind == wasmparser::ExternalKind::Func
                        && export.index == load);
                if !only_load {
                    return None;
                }
            }
            Payload::CodeSectionEntry(function) => {
                if body.is_some() {
                    return None;
                }
                body = Some(function);
            }
            Payload::DataSection(section) => {
                let mut segments = section.into_iter();
                let segment = segments.next()?.ok()?;
                if segments.next().is_some() || !matches!(segment.kind, DataKind::Passive) {
                    return None;
                }
                data = Some(segment.data);
            }
            // A start function, globals, tables, elements, own memories or tags: not glue.
            _ => return None,
        }
    }
    if functions != 1 {
        return None;
    }
    let (body, data) = (body?, data?);
    let len = i32::try_from(data.len()).ok()?;

    let mut locals = body.get_locals_reader().ok()?;
    let declared = locals.read().ok()?;
    if locals.get_count() != 1 || declared != (1, wasmparser::ValType::I32) {
        return None;
    }
    let expected = [
        Operator::I32Const { value: 0 },
        Operator::I32Const { value: 0 },
        Operator::I32Const { value: 1 },
        Operator::I32Const { value: len },
        Operator::Call {
            function_index: realloc,
        },
        Operator::LocalSet { local_index: 0 },
        Operator::LocalGet { local_index: 0 },
        Operator::I32Const { value: 0 },
        Operator::I32Const { value: len },
        Operator::MemoryInit {
            data_index: 0,
            mem: 0,
        },
        Operator::DataDrop { data_index: 0 },
        Operator::LocalGet { local_index: 0 },
        Operator::I32Const { value: len },
        Operator::Call {
            function_index: load_node,
        },
        Operator::End,
    ];
    let mut operators = body.get_operators_reader().ok()?;
    for want in &expected {
        if operators.read().ok()? != *want {
            return None;
        }
    }
    if !operators.eof() {
        return None;
    }
    Some(Arc::from(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, DataCountSection, DataSection, EntityType, ExportKind, ExportSection,
        Function, FunctionSection, ImportSection, Instruction, MemoryType, Module, TypeSection,
        ValType,
    };

    const ORDER: [RuntimeImport; 3] = [
        RuntimeImport::Memory,
        RuntimeImport::Realloc,
        RuntimeImport::LoadNode,
    ];

    /// The compiler's glue around `bytecode`, with `edit` applied to the `load` body.
    fn glue(bytecode: &[u8], edit: impl FnOnce(&mut Vec<Instruction<'static>>)) -> Vec<u8> {
        let len = bytecode.len() as i32;
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32; 4], [ValType::I32]);
        types.ty().function([ValType::I32; 2], [ValType::I32]);
        types.ty().function([], [ValType::I32]);
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
        let mut functions = FunctionSection::new();
        functions.function(2);
        let mut exports = ExportSection::new();
        exports.export("load", ExportKind::Func, 2);
        let mut instructions = vec![
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
        ];
        edit(&mut instructions);
        let mut load = Function::new([(1, ValType::I32)]);
        for instruction in &instructions {
            load.instruction(instruction);
        }
        let mut code = CodeSection::new();
        code.function(&load);
        let mut data = DataSection::new();
        data.passive(bytecode.iter().copied());
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&exports)
            .section(&DataCountSection { count: 1 })
            .section(&code)
            .section(&data);
        module.finish()
    }

    #[test]
    fn the_compilers_glue_gives_its_bytecode() {
        let wasm = glue(b"bytecode", |_| {});
        assert_eq!(
            bytecode_of(&wasm, &ORDER).as_deref(),
            Some(&b"bytecode"[..])
        );
    }

    #[test]
    fn glue_that_does_anything_else_is_instantiated() {
        // Loading a different length than the segment holds.
        let wasm = glue(b"bytecode", |body| body[3] = Instruction::I32Const(3));
        assert_eq!(bytecode_of(&wasm, &ORDER), None);
        // Calling `load-node` where `cabi_realloc` belongs.
        let wasm = glue(b"bytecode", |body| body[4] = Instruction::Call(1));
        assert_eq!(bytecode_of(&wasm, &ORDER), None);
        // One more instruction before the end.
        let wasm = glue(b"bytecode", |body| {
            body.insert(14, Instruction::Drop);
            body.insert(15, Instruction::I32Const(0));
        });
        assert_eq!(bytecode_of(&wasm, &ORDER), None);
    }

    #[test]
    fn the_import_order_decides_which_call_is_which() {
        let swapped = [
            RuntimeImport::Memory,
            RuntimeImport::LoadNode,
            RuntimeImport::Realloc,
        ];
        let wasm = glue(b"bytecode", |_| {});
        assert_eq!(bytecode_of(&wasm, &swapped), None);
    }
}
