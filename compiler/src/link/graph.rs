//! Loading the module graph of one node: read, parse, check, strip, resolve, repeat.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;

use swc_core::common::{SourceMap, Span};
use swc_core::ecma::ast::Module;

use crate::error::{CompileError, ErrorKind};
use crate::forbidden::check_sandbox;
use crate::imports::{check_declared_imports, declared_imports, value_imports};
use crate::parse::{LoadedFile, parse};
use crate::resolve::{
    Language, Resolved, Root, is_relative, resolve_relative, shipped_by_key, shipped_module,
};
use crate::source::SourceText;
use crate::strip::strip_types;

/// One module of the node, stripped of types, with its relative imports resolved.
pub(crate) struct GraphModule {
    pub(crate) file: LoadedFile,
    pub(crate) module: Module,
    /// Relative specifier -> module key.
    pub(crate) resolved: HashMap<String, String>,
}

/// Everything reached from a node's entry file.
pub(crate) struct Graph {
    /// In the order they were reached; the entry first (when it could be parsed).
    pub(crate) modules: Vec<GraphModule>,
    /// Every file read, in the order reached, for hot reload.
    pub(crate) files_read: Vec<PathBuf>,
    /// Keys of all files reached, in order, for sorting errors.
    pub(crate) keys: Vec<String>,
    pub(crate) errors: Vec<CompileError>,
    /// What else the load found (boxed: the graph travels by value through the linker).
    pub(crate) notes: Box<Notes>,
}

/// Findings of a graph load besides its errors.
#[derive(Default)]
pub(crate) struct Notes {
    /// Code that compiles but always fails at run time (Deno file and env APIs).
    pub(crate) warnings: Vec<CompileError>,
    /// Where a module first imports a shipped driver (`jsr:@db/postgres`).
    pub(crate) postgres_driver: Option<crate::deps::Location>,
}

impl Graph {
    pub(crate) fn entry_key(&self) -> &str {
        self.keys.first().map_or("", String::as_str)
    }
}

/// Where a module was asked for: the importing file and the specifier's span, for errors.
struct Request {
    key: String,
    file: PathBuf,
    from: Option<(LoadedFile, Span)>,
}

/// Loads the graph from `entry_key` (a normalized workflow-relative path).
pub(crate) fn load(cm: &SourceMap, root: &Root, entry_key: &str) -> Graph {
    let mut graph = Graph {
        modules: Vec::new(),
        files_read: Vec::new(),
        keys: Vec::new(),
        errors: Vec::new(),
        notes: Box::default(),
    };
    let mut seen: HashSet<String> = HashSet::from([entry_key.to_owned()]);
    let mut queue = VecDeque::from([Request {
        key: entry_key.to_owned(),
        file: root.dir.join(entry_key),
        from: None,
    }]);
    while let Some(request) = queue.pop_front() {
        graph.keys.push(request.key.clone());
        let Some(file) = read(cm, &request, &mut graph) else {
            continue;
        };
        let Some(language) = Language::of(&request.key) else {
            graph.errors.push(CompileError::file(
                ErrorKind::UnsupportedImport,
                &request.key,
                format!("{} is not a TypeScript or JavaScript module", request.key),
                Some("node code must be in .ts, .mts, .js or .mjs files".into()),
            ));
            continue;
        };
        let (module, syntax_errors) = parse(&file, language);
        graph.errors.extend(syntax_errors);
        let Some(mut module) = module else {
            continue;
        };
        graph
            .errors
            .extend(check_declared_imports(&file, &mut module));
        // Every relative value import as written is resolved (and reported when it leaves
        // the workflow or matches no file), even one TypeScript elides below because only
        // types are used from it; only imports that survive stripping are bundled.
        let mut resolved = HashMap::new();
        for import in declared_imports(&module) {
            if import.type_only || resolved.contains_key(&import.specifier) {
                continue;
            }
            if let Some(shipped) = shipped_module(&import.specifier) {
                if graph.notes.postgres_driver.is_none() {
                    let (line, column) = file.source.position(file.range(import.span).start);
                    graph.notes.postgres_driver = Some(crate::deps::Location {
                        path: file.source.path().to_owned(),
                        line,
                        column,
                    });
                }
                let target = Resolved {
                    key: shipped.key.to_owned(),
                    file: PathBuf::from(shipped.key),
                };
                resolved.insert(import.specifier, (target, import.span));
                continue;
            }
            if !is_relative(&import.specifier) {
                continue;
            }
            match resolve_relative(root, &request.key, &import.specifier) {
                Ok(target) => {
                    resolved.insert(import.specifier, (target, import.span));
                }
                Err(problem) => graph.errors.push(file.error(
                    problem.kind,
                    import.span,
                    problem.message,
                    problem.label,
                    Some(problem.hint),
                )),
            }
        }
        let (module, globals) = strip_types(module, language);
        // tntc's own modules may name the runtime's reserved globals.
        if shipped_by_key(&request.key).is_none() {
            let (errors, warnings) = check_sandbox(&file, &module, &globals);
            graph.errors.extend(errors);
            graph.notes.warnings.extend(warnings);
        }
        let mut edges = HashMap::new();
        for import in value_imports(&module) {
            let Some((target, span)) = resolved.get(&import.specifier) else {
                continue;
            };
            if seen.insert(target.key.clone()) {
                queue.push_back(Request {
                    key: target.key.clone(),
                    file: target.file.clone(),
                    from: Some((file.clone(), *span)),
                });
            }
            edges.insert(import.specifier, target.key.clone());
        }
        graph.modules.push(GraphModule {
            file,
            module,
            resolved: edges,
        });
    }
    graph
}

/// Reads and registers a requested file, reporting failures at the import that asked for it.
fn read(cm: &SourceMap, request: &Request, graph: &mut Graph) -> Option<LoadedFile> {
    if let Some(shipped) = shipped_by_key(&request.key) {
        // Part of tntc, not of the workflow: nothing to watch.
        return Some(LoadedFile::new(
            cm,
            SourceText::new(shipped.key, shipped.source),
        ));
    }
    graph.files_read.push(request.file.clone());
    let failure = match std::fs::read(&request.file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => return Some(LoadedFile::new(cm, SourceText::new(&request.key, &text))),
            Err(_) => format!("{} is not UTF-8 text", request.key),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            format!("{} does not exist", request.key)
        }
        Err(error) => format!("cannot read {}: {error}", request.key),
    };
    let error = match &request.from {
        Some((importer, span)) => {
            importer.error(ErrorKind::Io, *span, failure, "imported here", None)
        }
        None => CompileError::file(
            ErrorKind::Io,
            &request.key,
            failure,
            Some(
                "check the node's `path` in workflow.yaml (relative to the workflow directory)"
                    .into(),
            ),
        ),
    };
    graph.errors.push(error);
    None
}
