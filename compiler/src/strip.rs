//! Scope resolution and TypeScript type stripping.
//!
//! swc's resolver tags every identifier with the scope it binds to (globals get the
//! "unresolved" mark), which the sandbox checks, the dependency scan and the bundler's
//! import rewriting all rely on. The TypeScript pass then removes types, `import type`,
//! imports only used as types, and lowers `enum`/`namespace` to plain JavaScript. Nothing
//! else is down-leveled: QuickJS-ng runs ES2023 (classes with fields, async/await,
//! optional chaining) natively.

use swc_core::common::Mark;
use swc_core::ecma::ast::{Module, Program};
use swc_core::ecma::transforms::base::resolver;
use swc_core::ecma::transforms::typescript::{Config, typescript};

use crate::resolve::Language;

/// The marks the resolver used for one module.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marks {
    /// Identifiers that resolve to no declaration (globals) carry this mark.
    pub(crate) unresolved: Mark,
}

/// Resolves scopes and, for TypeScript, strips types. Must run inside `GLOBALS.set`.
pub(crate) fn strip_types(module: Module, language: Language) -> (Module, Marks) {
    let unresolved = Mark::new();
    let top_level = Mark::new();
    let is_typescript = language == Language::TypeScript;
    let mut program = Program::Module(module);
    program.mutate(resolver(unresolved, top_level, is_typescript));
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
    (module, Marks { unresolved })
}
