//! Small constructors for the JavaScript the bundler generates around user code.

use swc_core::common::{DUMMY_SP, Span};
use swc_core::ecma::ast::{
    ArrowExpr, ArrowFunctionBody, BindingIdent, CallExpr, Callee, ComputedPropName, Decl, Expr,
    ExprOrSpread, ExprStmt, Ident, IdentName, KeyValueProp, Lit, MemberExpr, MemberProp, ObjectLit,
    Pat, Prop, PropName, PropOrSpread, Stmt, Str, VarDecl, VarDeclKind, VarDeclarator,
};

/// An identifier without scope information (bundler names are unique by their prefix).
pub(crate) fn ident(name: &str, span: Span) -> Ident {
    Ident::new_no_ctxt(name.into(), span)
}

pub(crate) fn ident_expr(name: &str, span: Span) -> Box<Expr> {
    Box::new(Expr::Ident(ident(name, span)))
}

pub(crate) fn str_lit(value: &str) -> Box<Expr> {
    Box::new(Expr::Lit(Lit::Str(Str::from(value))))
}

/// Is `name` usable after a `.` / as an unquoted property key (ASCII identifier names)?
fn is_identifier_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// `object.name`, or `object["name"]` when `name` is not an identifier name.
pub(crate) fn member(object: Box<Expr>, name: &str, span: Span) -> Box<Expr> {
    let prop = if is_identifier_name(name) {
        MemberProp::Ident(IdentName::new(name.into(), span))
    } else {
        MemberProp::Computed(ComputedPropName {
            span,
            expr: str_lit(name),
        })
    };
    Box::new(Expr::Member(MemberExpr {
        span,
        obj: object,
        prop,
    }))
}

pub(crate) fn call(callee: Box<Expr>, args: impl IntoIterator<Item = Box<Expr>>) -> Box<Expr> {
    Box::new(Expr::Call(CallExpr {
        callee: Callee::Expr(callee),
        args: args
            .into_iter()
            .map(|expr| ExprOrSpread { spread: None, expr })
            .collect(),
        ..CallExpr::default()
    }))
}

pub(crate) fn expr_stmt(expr: Box<Expr>) -> Stmt {
    Stmt::Expr(ExprStmt {
        span: DUMMY_SP,
        expr,
    })
}

/// `const name = init;`
pub(crate) fn const_decl(name: &str, init: Box<Expr>, span: Span) -> Stmt {
    Stmt::Decl(Decl::Var(Box::new(VarDecl {
        span,
        kind: VarDeclKind::Const,
        decls: vec![VarDeclarator {
            span,
            name: Pat::Ident(BindingIdent::from(ident(name, span))),
            init: Some(init),
            definite: false,
        }],
        ..VarDecl::default()
    })))
}

/// A property key: unquoted when it is an identifier name.
pub(crate) fn prop_name(name: &str) -> PropName {
    if is_identifier_name(name) {
        PropName::Ident(IdentName::new(name.into(), DUMMY_SP))
    } else {
        PropName::Str(Str::from(name))
    }
}

/// `{ key: value, ... }`
pub(crate) fn object(props: Vec<(PropName, Box<Expr>)>) -> Box<Expr> {
    Box::new(Expr::Object(ObjectLit {
        span: DUMMY_SP,
        props: props
            .into_iter()
            .map(|(key, value)| {
                PropOrSpread::Prop(Box::new(Prop::KeyValue(KeyValueProp { key, value })))
            })
            .collect(),
    }))
}

/// `() => body`
pub(crate) fn getter(body: Box<Expr>) -> Box<Expr> {
    Box::new(Expr::Arrow(ArrowExpr {
        body: Box::new(ArrowFunctionBody::Expr(body)),
        ..ArrowExpr::default()
    }))
}

/// `__tntc_name_default(target);` — gives an anonymous default export the name `default`
/// it has in an ES module (QuickJS shows it in stack traces). The helper lives in the
/// loader, where `Object` cannot be shadowed by user code.
pub(crate) fn name_default(target: &str) -> Stmt {
    expr_stmt(call(
        ident_expr("__tntc_name_default", DUMMY_SP),
        vec![ident_expr(target, DUMMY_SP)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_names_are_ascii_identifiers() {
        assert!(is_identifier_name("default"));
        assert!(is_identifier_name("$a_1"));
        assert!(!is_identifier_name("a-b"));
        assert!(!is_identifier_name("1a"));
        assert!(!is_identifier_name(""));
    }
}
