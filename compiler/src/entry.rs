//! The node's entry module: its default export and the node function's `ctx` parameter.

use swc_core::ecma::ast::{
    Decl, DefaultDecl, ExportSpecifier, Expr, Module, ModuleDecl, ModuleExportName, ModuleItem,
    Pat, Stmt,
};

/// Does the (stripped) entry module have a default export?
pub(crate) fn has_default_export(module: &Module) -> bool {
    module.body.iter().any(|item| match item {
        ModuleItem::ModuleDecl(
            ModuleDecl::ExportDefaultDecl(_) | ModuleDecl::ExportDefaultExpr(_),
        ) => true,
        ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(export)) => {
            export.specifiers.iter().any(|specifier| match specifier {
                ExportSpecifier::Named(named) => {
                    let exported = named.exported.as_ref().unwrap_or(&named.orig);
                    export_name_is(exported, "default")
                }
                ExportSpecifier::Default(_) => true,
                ExportSpecifier::Namespace(namespace) => export_name_is(&namespace.name, "default"),
            })
        }
        _ => false,
    })
}

pub(crate) fn export_name_is(name: &ModuleExportName, expected: &str) -> bool {
    match name {
        ModuleExportName::Ident(ident) => ident.sym == *expected,
        ModuleExportName::Str(s) => s.value.to_string_lossy() == expected,
    }
}

/// The first parameter pattern of the node function, when the default export is (or names)
/// a function declared in the entry module.
pub(crate) fn node_context_param(module: &Module) -> Option<&Pat> {
    for item in &module.body {
        let ModuleItem::ModuleDecl(decl) = item else {
            continue;
        };
        match decl {
            ModuleDecl::ExportDefaultDecl(export) => {
                if let DefaultDecl::Fn(function) = &export.decl {
                    return function.function.params.first().map(|p| &p.pat);
                }
            }
            ModuleDecl::ExportDefaultExpr(export) => {
                return first_param_of_expr(module, &export.expr);
            }
            ModuleDecl::ExportNamed(export) if export.src.is_none() => {
                for specifier in &export.specifiers {
                    if let ExportSpecifier::Named(named) = specifier {
                        let exported = named.exported.as_ref().unwrap_or(&named.orig);
                        if let (true, ModuleExportName::Ident(local)) =
                            (export_name_is(exported, "default"), &named.orig)
                        {
                            return first_param_of_binding(module, &local.sym);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn first_param_of_expr<'m>(module: &'m Module, expr: &'m Expr) -> Option<&'m Pat> {
    match expr {
        Expr::Fn(function) => function.function.params.first().map(|p| &p.pat),
        Expr::Arrow(arrow) => arrow.params.first(),
        Expr::Paren(paren) => first_param_of_expr(module, &paren.expr),
        Expr::Ident(ident) => first_param_of_binding(module, &ident.sym),
        _ => None,
    }
}

/// The first parameter of the top-level function (declaration or `const f = ...`) `name`.
fn first_param_of_binding<'m>(module: &'m Module, name: &str) -> Option<&'m Pat> {
    for item in &module.body {
        let decl = match item {
            ModuleItem::Stmt(Stmt::Decl(decl)) => decl,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => &export.decl,
            _ => continue,
        };
        match decl {
            Decl::Fn(function) if function.ident.sym == *name => {
                return function.function.params.first().map(|p| &p.pat);
            }
            Decl::Var(var) => {
                for declarator in &var.decls {
                    if let (Pat::Ident(binding), Some(init)) = (&declarator.name, &declarator.init)
                        && binding.id.sym == *name
                    {
                        return match &**init {
                            Expr::Ident(_) => None,
                            other => first_param_of_expr(module, other),
                        };
                    }
                }
            }
            _ => {}
        }
    }
    None
}
