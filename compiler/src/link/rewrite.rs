//! Rewrites one ES module into the body of a module function for the bundle's registry.
//!
//! ```text
//! import { a as b } from "./x.ts";        function (__tntc_exports) {
//! export const c = b + 1;          =>        __tntc_export(__tntc_exports, { c: () => c });
//! export default function run() {}           const __tntc_m0 = __tntc_import("lib/x.ts");
//!                                            const c = __tntc_m0.a + 1;
//!                                            function run() {}
//!                                        }   (+ `default: () => run` among the exports)
//! ```
//!
//! Exports become getters installed before anything else runs, so they are live bindings
//! and a module caught in an import cycle exposes its (hoisted) functions and, once
//! initialized, its other bindings — like ES modules. Imports are evaluated in source order
//! before the module's own statements (ES modules hoist them the same way); each use of an
//! imported name reads the exporter's getter, so it is live too.

use std::collections::HashMap;

use swc_core::common::{DUMMY_SP, Span};
use swc_core::ecma::ast::{
    CallExpr, Callee, ClassDecl, Decl, DefaultDecl, ExportSpecifier, Expr, FnDecl, FnExpr,
    Function, FunctionBody, Id, ImportSpecifier, KeyValueProp, Lit, Module, ModuleDecl,
    ModuleExportName, ModuleItem, Param, Pat, Prop, PropName, SeqExpr, SimpleAssignTarget, Stmt,
    TaggedTpl,
};
use swc_core::ecma::utils::find_pat_ids;
use swc_core::ecma::visit::{VisitMut, VisitMutWith};

use super::build;
use crate::imports::str_value;

pub(crate) const EXPORTS: &str = "__tntc_exports";
pub(crate) const IMPORT: &str = "__tntc_import";
pub(crate) const EXPORT: &str = "__tntc_export";
pub(crate) const EXPORT_STAR: &str = "__tntc_export_star";
const DEFAULT_LOCAL: &str = "__tntc_default";

fn export_name(name: &ModuleExportName) -> String {
    match name {
        ModuleExportName::Ident(ident) => ident.sym.to_string(),
        ModuleExportName::Str(s) => str_value(s),
    }
}

/// What an imported binding reads.
#[derive(Debug, Clone)]
struct ImportedBinding {
    namespace: String,
    /// `None` for a namespace import (`* as ns`): the namespace object itself.
    name: Option<String>,
}

impl ImportedBinding {
    fn expr(&self, span: Span) -> Box<Expr> {
        let namespace = build::ident_expr(&self.namespace, span);
        match &self.name {
            Some(name) => build::member(namespace, name, span),
            None => namespace,
        }
    }
}

/// The module function for `module`; `resolved` maps each relative specifier to its
/// module key.
pub(crate) fn module_function(module: Module, resolved: &HashMap<String, String>) -> Box<Expr> {
    let mut rewrite = Rewrite::default();
    for item in module.body {
        rewrite.item(item, resolved);
    }
    let stmts = rewrite.finish();
    Box::new(Expr::Fn(FnExpr {
        ident: None,
        function: Box::new(Function {
            params: vec![Param::from(Pat::Ident(
                build::ident(EXPORTS, DUMMY_SP).into(),
            ))],
            body: Some(FunctionBody {
                stmts,
                span: DUMMY_SP,
            }),
            ..Function::default()
        }),
    }))
}

#[derive(Default)]
struct Rewrite {
    /// Imported modules in source order: (key, namespace variable, has `export *`).
    namespaces: Vec<(String, String, bool)>,
    imported: HashMap<Id, ImportedBinding>,
    /// (exported name, getter body)
    exports: Vec<(String, Box<Expr>)>,
    /// Statements that must run before the imports (naming hoisted default functions).
    early: Vec<Stmt>,
    body: Vec<Stmt>,
}

impl Rewrite {
    fn namespace(&mut self, key: &str) -> String {
        if let Some((_, name, _)) = self.namespaces.iter().find(|(k, _, _)| k == key) {
            return name.clone();
        }
        let name = format!("__tntc_m{}", self.namespaces.len());
        self.namespaces.push((key.to_owned(), name.clone(), false));
        name
    }

    fn export_local(&mut self, exported: String, local: &swc_core::ecma::ast::Ident) {
        self.exports
            .push((exported, Box::new(Expr::Ident(local.clone()))));
    }

    fn item(&mut self, item: ModuleItem, resolved: &HashMap<String, String>) {
        let decl = match item {
            ModuleItem::Stmt(stmt) => {
                self.body.push(stmt);
                return;
            }
            ModuleItem::ModuleDecl(decl) => decl,
        };
        match decl {
            ModuleDecl::Import(import) => {
                let Some(key) = resolved.get(&str_value(&import.src)) else {
                    return;
                };
                let namespace = self.namespace(key);
                for specifier in import.specifiers {
                    let (local, name) = match specifier {
                        ImportSpecifier::Named(named) if named.is_type_only => continue,
                        ImportSpecifier::Named(named) => {
                            let name = named
                                .imported
                                .as_ref()
                                .map_or_else(|| named.local.sym.to_string(), export_name);
                            (named.local, Some(name))
                        }
                        ImportSpecifier::Default(default) => {
                            (default.local, Some("default".into()))
                        }
                        ImportSpecifier::Namespace(namespace) => (namespace.local, None),
                    };
                    self.imported.insert(
                        local.to_id(),
                        ImportedBinding {
                            namespace: namespace.clone(),
                            name,
                        },
                    );
                }
            }
            ModuleDecl::ExportDecl(export) => {
                match &export.decl {
                    Decl::Fn(function) => {
                        self.export_local(function.ident.sym.to_string(), &function.ident)
                    }
                    Decl::Class(class) => {
                        self.export_local(class.ident.sym.to_string(), &class.ident)
                    }
                    Decl::Var(var) => {
                        for ident in find_pat_ids::<_, swc_core::ecma::ast::Ident>(&var.decls) {
                            self.export_local(ident.sym.to_string(), &ident);
                        }
                    }
                    _ => {}
                }
                self.body.push(Stmt::Decl(export.decl));
            }
            ModuleDecl::ExportNamed(export) => {
                let source_namespace = match &export.src {
                    Some(src) => match resolved.get(&str_value(src)) {
                        Some(key) => Some(self.namespace(key)),
                        None => return,
                    },
                    None => None,
                };
                for specifier in export.specifiers {
                    match (specifier, &source_namespace) {
                        (ExportSpecifier::Named(named), _) if named.is_type_only => {}
                        (ExportSpecifier::Named(named), None) => {
                            let exported = named
                                .exported
                                .as_ref()
                                .map_or_else(|| export_name(&named.orig), export_name);
                            if let ModuleExportName::Ident(local) = &named.orig {
                                self.export_local(exported, local);
                            }
                        }
                        (ExportSpecifier::Named(named), Some(namespace)) => {
                            let orig = export_name(&named.orig);
                            let exported = named
                                .exported
                                .as_ref()
                                .map_or_else(|| orig.clone(), export_name);
                            let span = named.span;
                            self.exports.push((
                                exported,
                                build::member(build::ident_expr(namespace, span), &orig, span),
                            ));
                        }
                        (ExportSpecifier::Namespace(star), Some(namespace)) => {
                            self.exports.push((
                                export_name(&star.name),
                                build::ident_expr(namespace, star.span),
                            ));
                        }
                        (ExportSpecifier::Default(default), Some(namespace)) => {
                            let span = default.exported.span;
                            self.exports.push((
                                default.exported.sym.to_string(),
                                build::member(build::ident_expr(namespace, span), "default", span),
                            ));
                        }
                        _ => {}
                    }
                }
            }
            ModuleDecl::ExportAll(export) => {
                if let Some(key) = resolved.get(&str_value(&export.src)) {
                    self.namespace(key);
                    if let Some(entry) = self.namespaces.iter_mut().find(|(k, _, _)| k == key) {
                        entry.2 = true;
                    }
                }
            }
            ModuleDecl::ExportDefaultDecl(export) => match export.decl {
                DefaultDecl::Fn(function) => {
                    let (ident, anonymous) = match function.ident {
                        Some(ident) => (ident, false),
                        None => (build::ident(DEFAULT_LOCAL, export.span), true),
                    };
                    self.export_local("default".into(), &ident);
                    if anonymous {
                        self.early.push(build::name_default(DEFAULT_LOCAL));
                    }
                    self.body.push(Stmt::Decl(Decl::Fn(FnDecl {
                        ident,
                        declare: false,
                        function: function.function,
                    })));
                }
                DefaultDecl::Class(class) => {
                    let (ident, anonymous) = match class.ident {
                        Some(ident) => (ident, false),
                        None => (build::ident(DEFAULT_LOCAL, export.span), true),
                    };
                    self.export_local("default".into(), &ident);
                    self.body.push(Stmt::Decl(Decl::Class(ClassDecl {
                        ident,
                        declare: false,
                        class: class.class,
                    })));
                    if anonymous {
                        self.body.push(build::name_default(DEFAULT_LOCAL));
                    }
                }
                DefaultDecl::TsInterfaceDecl(_) => {}
                #[allow(unreachable_patterns)]
                _ => {}
            },
            ModuleDecl::ExportDefaultExpr(export) => {
                let anonymous = is_anonymous_function_or_class(&export.expr);
                let local = build::ident(DEFAULT_LOCAL, export.span);
                self.export_local("default".into(), &local);
                self.body
                    .push(build::const_decl(DEFAULT_LOCAL, export.expr, export.span));
                if anonymous {
                    self.body.push(build::name_default(DEFAULT_LOCAL));
                }
            }
            // CommonJS-style TypeScript forms were reported and removed before; a namespace
            // alias (`import x = N.y`) was lowered by the TypeScript pass.
            _ => {}
        }
    }

    fn finish(self) -> Vec<Stmt> {
        let Rewrite {
            namespaces,
            imported,
            exports,
            early,
            body,
        } = self;
        let mut stmts = Vec::with_capacity(body.len() + namespaces.len() * 2 + 2);
        if !exports.is_empty() {
            stmts.push(build::expr_stmt(build::call(
                build::ident_expr(EXPORT, DUMMY_SP),
                vec![
                    build::ident_expr(EXPORTS, DUMMY_SP),
                    build::object(
                        exports
                            .into_iter()
                            .map(|(name, value)| (build::prop_name(&name), build::getter(value)))
                            .collect(),
                    ),
                ],
            )));
        }
        stmts.extend(early);
        for (key, namespace, star) in namespaces {
            stmts.push(build::const_decl(
                &namespace,
                build::call(
                    build::ident_expr(IMPORT, DUMMY_SP),
                    vec![build::str_lit(&key)],
                ),
                DUMMY_SP,
            ));
            if star {
                stmts.push(build::expr_stmt(build::call(
                    build::ident_expr(EXPORT_STAR, DUMMY_SP),
                    vec![
                        build::ident_expr(EXPORTS, DUMMY_SP),
                        build::ident_expr(&namespace, DUMMY_SP),
                    ],
                )));
            }
        }
        stmts.extend(body);
        stmts.visit_mut_with(&mut ReplaceImported {
            imported: &imported,
        });
        stmts
    }
}

fn is_anonymous_function_or_class(expr: &Expr) -> bool {
    match expr {
        Expr::Fn(function) => function.ident.is_none(),
        Expr::Class(class) => class.ident.is_none(),
        Expr::Arrow(_) => true,
        Expr::Paren(paren) => is_anonymous_function_or_class(&paren.expr),
        _ => false,
    }
}

/// Replaces every reference to an imported binding with a read of the exporter's namespace.
struct ReplaceImported<'a> {
    imported: &'a HashMap<Id, ImportedBinding>,
}

impl ReplaceImported<'_> {
    fn lookup(&self, expr: &Expr) -> Option<(&ImportedBinding, Span)> {
        match expr {
            Expr::Ident(ident) => self.imported.get(&ident.to_id()).map(|b| (b, ident.span)),
            _ => None,
        }
    }

    /// A callee or tag reading an import: `(0, ns.f)` so `this` is undefined, as when
    /// calling the imported function directly.
    fn unbound(&self, expr: &mut Box<Expr>) -> bool {
        let Some((binding, span)) = self.lookup(expr) else {
            return false;
        };
        let target = binding.expr(span);
        *expr = match binding.name {
            Some(_) => Box::new(Expr::Paren(swc_core::ecma::ast::ParenExpr {
                span,
                expr: Box::new(Expr::Seq(SeqExpr {
                    span,
                    exprs: vec![Box::new(Expr::Lit(Lit::Num(0.0.into()))), target],
                })),
            })),
            None => target,
        };
        true
    }
}

impl VisitMut for ReplaceImported<'_> {
    fn visit_mut_expr(&mut self, expr: &mut Expr) {
        if let Some((binding, span)) = self.lookup(expr) {
            *expr = *binding.expr(span);
            return;
        }
        expr.visit_mut_children_with(self);
    }

    fn visit_mut_call_expr(&mut self, call: &mut CallExpr) {
        if let Callee::Expr(callee) = &mut call.callee
            && self.unbound(callee)
        {
            call.args.visit_mut_with(self);
            return;
        }
        call.visit_mut_children_with(self);
    }

    fn visit_mut_tagged_tpl(&mut self, tagged: &mut TaggedTpl) {
        if self.unbound(&mut tagged.tag) {
            tagged.tpl.visit_mut_with(self);
            return;
        }
        tagged.visit_mut_children_with(self);
    }

    fn visit_mut_prop(&mut self, prop: &mut Prop) {
        if let Prop::Shorthand(ident) = prop
            && let Some(binding) = self.imported.get(&ident.to_id())
        {
            let value = binding.expr(ident.span);
            *prop = Prop::KeyValue(KeyValueProp {
                key: PropName::Ident(ident.clone().into()),
                value,
            });
            return;
        }
        prop.visit_mut_children_with(self);
    }

    fn visit_mut_simple_assign_target(&mut self, target: &mut SimpleAssignTarget) {
        if let SimpleAssignTarget::Ident(binding) = target
            && let Some(imported) = self.imported.get(&binding.id.to_id())
        {
            // Writing an import is a TypeError in an ES module; writing the getter-only
            // namespace property is one here too.
            let span = binding.id.span;
            if let Expr::Member(member) = *imported.expr(span) {
                *target = SimpleAssignTarget::Member(member);
            }
            return;
        }
        target.visit_mut_children_with(self);
    }
}
