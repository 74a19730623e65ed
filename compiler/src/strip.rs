//! Scope resolution and TypeScript type stripping.
//!
//! swc's resolver tags every identifier with the scope it binds to (globals get the
//! "unresolved" mark), which the sandbox checks, the dependency scan and the bundler's
//! import rewriting all rely on. The TypeScript pass then removes types, `import type`,
//! imports only used as types, and lowers `enum`/`namespace` to plain JavaScript. Nothing
//! else is down-leveled: QuickJS-ng runs ES2023 (classes with fields, async/await,
//! optional chaining) natively.

use std::collections::HashSet;

use swc_core::common::Mark;
use swc_core::ecma::ast::{Decl, Id, Ident, Module, Program, TsModuleName};
use swc_core::ecma::transforms::base::resolver;
use swc_core::ecma::transforms::typescript::{Config, typescript};
use swc_core::ecma::utils::find_pat_ids;
use swc_core::ecma::visit::{Visit, VisitWith};

use crate::resolve::Language;

/// What scope resolution found out about one module's globals.
#[derive(Debug, Clone)]
pub(crate) struct Globals {
    /// Identifiers that resolve to no declaration (globals) carry this mark.
    pub(crate) unresolved: Mark,
    /// Bindings made only by `declare` (`declare const Deno: any;`): they describe a
    /// global, they do not create one, so references to them are references to globals.
    pub(crate) ambient: HashSet<Id>,
}

impl Globals {
    /// Does `ident` refer to the global `name`?
    pub(crate) fn is_global(&self, ident: &Ident, name: &str) -> bool {
        ident.sym == *name
            && (ident.ctxt.outer() == self.unresolved || self.ambient.contains(&ident.to_id()))
    }
}

/// Collects the bindings of `declare` declarations.
#[derive(Default)]
struct AmbientScan {
    found: HashSet<Id>,
}

impl Visit for AmbientScan {
    fn visit_decl(&mut self, decl: &Decl) {
        match decl {
            Decl::Var(var) if var.declare => {
                self.found.extend(find_pat_ids::<_, Id>(&var.decls));
            }
            Decl::Fn(function) if function.declare => {
                self.found.insert(function.ident.to_id());
            }
            Decl::Class(class) if class.declare => {
                self.found.insert(class.ident.to_id());
            }
            Decl::TsModule(module) if module.declare => {
                if let TsModuleName::Ident(ident) = &module.id {
                    self.found.insert(ident.to_id());
                }
            }
            _ => decl.visit_children_with(self),
        }
    }
}

/// Resolves scopes and, for TypeScript, strips types. Must run inside `GLOBALS.set`.
pub(crate) fn strip_types(module: Module, language: Language) -> (Module, Globals) {
    let unresolved = Mark::new();
    let top_level = Mark::new();
    let is_typescript = language == Language::TypeScript;
    let mut program = Program::Module(module);
    program.mutate(resolver(unresolved, top_level, is_typescript));
    let mut ambient = AmbientScan::default();
    program.visit_with(&mut ambient);
    if is_typescript {
        let config = Config {
            // Class fields keep their JavaScript (define) semantics, as with
            // `useDefineForClassFields` for modern targets.
            native_class_properties: true,
            // The bundler rewrites module syntax itself; no `export {}` marker is needed.
            no_empty_export: true,
            ..Config::default()
        };
        program.mutate(typescript(config, unresolved, top_level));
    }
    let module = match program {
        Program::Module(module) => module,
        Program::Script(script) => Module {
            span: script.span,
            body: script.body.into_iter().map(Into::into).collect(),
            shebang: script.shebang,
        },
    };
    let globals = Globals {
        unresolved,
        ambient: ambient.found,
    };
    (module, globals)
}
