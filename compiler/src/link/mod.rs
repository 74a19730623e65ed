//! Linking: every module a node reaches, in one ES module whose only export is the node
//! function (what JavaScript tools call bundling; in tntc "bundle" means only the `dist/`
//! that `tntc build` writes).
//!
//! Each source module becomes a function in a registry keyed by its workflow-relative path
//! (see [`rewrite`] for the ESM-to-function rewrite). A tiny loader evaluates a module the
//! first time it is imported and caches its namespace object, so a module imported from
//! several places is evaluated once, and an import cycle gets the partly-initialized
//! namespace (functions hoisted, `let`/`const`/classes in their temporal dead zone until
//! they run), as with ES modules. The bundle ends with
//! `export default __tntc_import("<entry>").default;`.
//!
//! A node that imports nothing relative (the common case) is emitted as the module it is,
//! without the loader: it is native ES module semantics exactly, and the loader costs every
//! run (evaluating it took about 8 of the 11 us a small node needed to load, measured with
//! `tntc bench`).
//!
//! Differences from native ES modules, none of which node code relies on in practice:
//! `export *` copies the names the source module has when the re-exporting module runs
//! (in a cycle, names defined later are missed; of two `export *` providing the same name
//! the first wins instead of the name being ambiguous); namespace objects are not frozen;
//! an anonymous default export is named `default` by assigning its `name` property.

mod build;
pub(crate) mod graph;
mod rewrite;
mod seeds;

use swc_core::common::{BytePos, DUMMY_SP, SourceMap, sync::Lrc};
use swc_core::ecma::ast::{
    EsVersion, ExportDefaultExpr, ExportSpecifier, Module, ModuleDecl, ModuleItem, NamedExport,
    Pass, Program,
};
use swc_core::ecma::codegen::{Config, Emitter, text_writer::JsWriter};
use swc_core::ecma::transforms::base::fixer::fixer;
use swc_core::ecma::utils::DropSpan;
use tntc_linemap::{LineMap, LineMapBuilder};

use crate::error::{CompileError, ErrorKind};
use crate::parse::LoadedFile;
use graph::Graph;

/// The loader every bundle starts with. `__tntc_modules` is defined after it.
const LOADER: &str = r#"
const __tntc_cache = new Map();
function __tntc_import(id) {
    let namespace = __tntc_cache.get(id);
    if (namespace === undefined) {
        namespace = Object.create(null);
        Object.defineProperty(namespace, Symbol.toStringTag, { value: "Module" });
        __tntc_cache.set(id, namespace);
        const define = __tntc_modules[id];
        define(namespace);
    }
    return namespace;
}
function __tntc_export(namespace, getters) {
    for (const name of Object.keys(getters)) {
        Object.defineProperty(namespace, name, { enumerable: true, get: getters[name] });
    }
}
function __tntc_name_default(value) {
    Object.defineProperty(value, "name", { value: "default" });
}
function __tntc_export_star(namespace, from) {
    for (const name of Object.keys(from)) {
        if (name !== "default" && !Object.prototype.hasOwnProperty.call(namespace, name)) {
            Object.defineProperty(namespace, name, { enumerable: true, get: () => from[name] });
        }
    }
}
"#;

/// A node's emitted JavaScript and its map back to the sources.
pub(crate) struct Bundle {
    pub(crate) js: String,
    pub(crate) line_map: LineMap,
}

fn internal(entry: &str, what: impl std::fmt::Display) -> Box<CompileError> {
    Box::new(CompileError::file(
        ErrorKind::Internal,
        entry,
        format!("internal compiler error while bundling: {what}"),
        Some("this is a tntc bug; please report it with the node's source".into()),
    ))
}

/// Parses JavaScript the bundler generates (the loader, the seed statement), without spans.
fn generated_items(entry: &str, source: &str) -> Result<Vec<ModuleItem>, Box<CompileError>> {
    let cm = SourceMap::default();
    let file = cm.new_source_file(
        Lrc::new(swc_core::common::FileName::Anon),
        source.to_owned(),
    );
    let mut errors = Vec::new();
    let module = swc_core::ecma::parser::parse_file_as_module(
        &file,
        Default::default(),
        EsVersion::Es2022,
        None,
        &mut errors,
    )
    .map_err(|e| internal(entry, e.kind().msg()))?;
    let mut program = Program::Module(module);
    DropSpan.process(&mut program);
    match program {
        Program::Module(module) => Ok(module.body),
        Program::Script(_) => Err(internal(entry, "generated code parsed as a script")),
    }
}

/// Emits the bundle for `graph` (all modules loaded without errors), compiled by QuickJS
/// under `filename`.
pub(crate) fn emit(
    cm: &Lrc<SourceMap>,
    graph: Graph,
    filename: &str,
) -> Result<Bundle, Box<CompileError>> {
    let entry = graph.entry_key().to_owned();
    let files: Vec<LoadedFile> = graph.modules.iter().map(|m| m.file.clone()).collect();
    let mut body = match standalone(graph) {
        Ok(items) => items,
        Err(graph) => bundled(graph, &entry)?,
    };
    let seeds = seeds::statement(&Module {
        span: DUMMY_SP,
        body: body.clone(),
        shebang: None,
    });
    if let Some(statement) = seeds {
        body.splice(0..0, generated_items(&entry, &statement)?);
    }
    // Transforms build trees without the parentheses precedence needs (an IIFE callee, an
    // assignment inside `||`); the fixer adds exactly those before printing.
    let mut program = Program::Module(Module {
        span: DUMMY_SP,
        body,
        shebang: None,
    });
    fixer(None).process(&mut program);
    let Program::Module(bundle) = program else {
        return Err(internal(&entry, "the bundle became a script"));
    };

    let mut output = Vec::new();
    let mut mappings: Vec<(BytePos, swc_core::common::source_map::LineCol)> = Vec::new();
    {
        let writer = JsWriter::new(cm.clone(), "\n", &mut output, Some(&mut mappings));
        let mut emitter = Emitter {
            cfg: Config::default().with_target(EsVersion::Es2022),
            cm: cm.clone(),
            comments: None,
            wr: writer,
        };
        emitter
            .emit_module(&bundle)
            .map_err(|e| internal(&entry, e))?;
    }
    let js = String::from_utf8(output).map_err(|e| internal(&entry, e))?;
    Ok(Bundle {
        js,
        line_map: line_map(filename, &files, &mappings),
    })
}

/// The loader, the registry of module functions, and the entry's default export.
fn bundled(graph: Graph, entry: &str) -> Result<Vec<ModuleItem>, Box<CompileError>> {
    let mut body = generated_items(entry, LOADER)?;
    let definitions = graph
        .modules
        .into_iter()
        .map(|module| {
            let key = module.file.source.path().to_owned();
            (
                build::prop_name(&key),
                rewrite::module_function(module.module, &module.resolved),
            )
        })
        .collect();
    body.push(ModuleItem::Stmt(build::const_decl(
        "__tntc_modules",
        build::object(definitions),
        DUMMY_SP,
    )));
    let node_function = build::member(
        build::call(
            build::ident_expr(rewrite::IMPORT, DUMMY_SP),
            vec![build::str_lit(entry)],
        ),
        "default",
        DUMMY_SP,
    );
    body.push(ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(
        ExportDefaultExpr {
            span: DUMMY_SP,
            expr: node_function,
        },
    )));
    Ok(body)
}

/// The entry's own items when it is the only module and imports nothing relative; the
/// graph back otherwise. Imports left after type stripping name no module (type-only
/// imports, `"tentacular"`) and are dropped, as the loader path drops them.
fn standalone(mut graph: Graph) -> Result<Vec<ModuleItem>, Graph> {
    let single = graph.modules.len() == 1 && graph.modules[0].resolved.is_empty();
    let reexports = |item: &ModuleItem| {
        matches!(
            item,
            ModuleItem::ModuleDecl(ModuleDecl::ExportAll(_))
                | ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(NamedExport { src: Some(_), .. }))
        )
    };
    if !single || graph.modules[0].module.body.iter().any(reexports) {
        return Err(graph);
    }
    let module = graph.modules.remove(0).module;
    Ok(module
        .body
        .into_iter()
        .filter_map(|item| match item {
            ModuleItem::ModuleDecl(ModuleDecl::Import(_)) => None,
            ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(mut export)) => {
                export
                    .specifiers
                    .retain(|s| !matches!(s, ExportSpecifier::Named(named) if named.is_type_only));
                (!export.type_only && !export.specifiers.is_empty())
                    .then_some(ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(export)))
            }
            other => Some(other),
        })
        .collect())
}

/// Turns the code generator's (source position, emitted line/column) pairs into a line map.
fn line_map(
    filename: &str,
    files: &[LoadedFile],
    mappings: &[(BytePos, swc_core::common::source_map::LineCol)],
) -> LineMap {
    let mut builder = LineMapBuilder::new(filename);
    let sources: Vec<u32> = files
        .iter()
        .map(|f| builder.add_source(f.source.path()))
        .collect();
    for (pos, emitted) in mappings {
        if pos.is_dummy() || pos.is_reserved_for_comments() {
            continue;
        }
        let Some((index, file)) = files.iter().enumerate().find(|(_, f)| f.contains(*pos)) else {
            continue;
        };
        let offset = file.range(swc_core::common::Span::new(*pos, *pos)).start;
        let (line, column) = file.source.position(offset);
        if let Some(&source) = sources.get(index) {
            builder.add(emitted.line, emitted.col, source, line - 1, column - 1);
        }
    }
    builder.finish()
}
