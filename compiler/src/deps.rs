//! Which contract dependencies a node uses, read from its code.
//!
//! A context value is: the node function's first parameter (whatever its name), any
//! variable or parameter named `ctx` in any bundled module (the universal convention, which
//! also covers helpers that take `ctx`), and aliases of those (`const c = ctx`). On a
//! context value, `.dependency("name")` and legacy `.fetch("service", ...)` calls with a
//! string literal (or a template without substitutions) are recorded by name; functions
//! destructured from it (`{ dependency }`) count the same. Anything the scan cannot name —
//! a computed argument, `ctx.dependency` taken as a value, `ctx[key]` — is recorded as a
//! dynamic use with its position: the build then keeps the whole contract for that node.
//!
//! Secrets are read the same way: `ctx.secrets.github`, `ctx.secrets["github"]`, through an
//! alias (`const s = ctx.secrets`, `{ secrets }` destructured from a context) or by
//! destructuring (`const { github } = ctx.secrets`) records the service `github`, so a node
//! scoped from its code still sees the secrets it reads, as every node did in the original.
//! `ctx.secrets` taken whole (`Object.keys(ctx.secrets)`, passed to a helper) or read with a
//! computed key is a dynamic use.
//!
//! Not tracked: a context passed to a helper under another parameter name.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::{
    CallExpr, Callee, Expr, ExprOrSpread, Id, Lit, MemberExpr, MemberProp, Module, ObjectPatProp,
    OptCall, OptChainBase, Pat, Prop, PropName, VarDeclarator,
};
use swc_core::ecma::visit::{Visit, VisitWith};

use crate::imports::str_value;
use crate::parse::LoadedFile;

/// A position in a source file (1-based line and character column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Location {
    /// Path relative to the workflow directory, `/` separators.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// The contract dependencies a node's code uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DependencyUse {
    /// Names passed as literals to `ctx.dependency("<name>")`.
    pub literal: BTreeSet<String>,
    /// Where each name of `literal` is first used (the string literal's position, modules in
    /// bundle order): `tntc validate` points there when the contract does not declare it.
    pub literal_locations: BTreeMap<String, Location>,
    /// Services whose secrets the code uses by name: passed as literals to the legacy
    /// `ctx.fetch("<service>", path)`, or read from `ctx.secrets` (`ctx.secrets.<service>`).
    pub legacy_services: BTreeSet<String>,
    /// Uses whose name the compiler cannot know; non-empty means "keep the whole contract".
    pub dynamic: Vec<Location>,
    /// Where the code first imports `jsr:@db/postgres` (tntc's PostgreSQL driver): such a
    /// node needs a postgresql dependency it may reach (`tntc validate` checks).
    pub postgres_driver: Option<Location>,
}

impl DependencyUse {
    /// True when every use was named by a literal.
    pub fn is_static(&self) -> bool {
        self.dynamic.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Dependency,
    Fetch,
}

impl Method {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "dependency" => Some(Self::Dependency),
            "fetch" => Some(Self::Fetch),
            _ => None,
        }
    }
}

/// Context bindings known in one module.
#[derive(Debug, Default)]
struct Bindings {
    contexts: HashSet<Id>,
    functions: Vec<(Id, Method)>,
    /// Variables holding `ctx.secrets`.
    secrets: HashSet<Id>,
    /// Services destructured from a secrets value (`const { github } = ctx.secrets`).
    secret_services: BTreeSet<String>,
    /// Secrets values bound in ways the scan cannot name (a rest element, a computed key).
    secret_escapes: Vec<Span>,
}

impl Bindings {
    fn is_context(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Ident(ident) => ident.sym == "ctx" || self.contexts.contains(&ident.to_id()),
            Expr::Paren(paren) => self.is_context(&paren.expr),
            _ => false,
        }
    }

    /// `ctx.secrets` (also `ctx?.secrets`, `ctx["secrets"]`) or a variable holding it.
    fn is_secrets(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Ident(ident) => self.secrets.contains(&ident.to_id()),
            Expr::Member(member) => self.is_context_secrets(member),
            Expr::OptChain(chain) => match &*chain.base {
                OptChainBase::Member(member) => self.is_context_secrets(member),
                OptChainBase::Call(_) => false,
            },
            Expr::Paren(paren) => self.is_secrets(&paren.expr),
            _ => false,
        }
    }

    fn is_context_secrets(&self, member: &MemberExpr) -> bool {
        self.is_context(&member.obj) && literal_prop(&member.prop).as_deref() == Some("secrets")
    }

    /// Records what a pattern bound to a secrets value binds.
    fn bind_secrets(&mut self, pat: &Pat) {
        match pat {
            Pat::Ident(binding) => {
                self.secrets.insert(binding.id.to_id());
            }
            Pat::Assign(assign) => self.bind_secrets(&assign.left),
            Pat::Object(object) => {
                for prop in &object.props {
                    match prop {
                        ObjectPatProp::KeyValue(kv) => match prop_name(&kv.key) {
                            Some(service) => {
                                self.secret_services.insert(service);
                            }
                            None => self.secret_escape(kv.key.span()),
                        },
                        ObjectPatProp::Assign(assign) => {
                            self.secret_services.insert(assign.key.id.sym.to_string());
                        }
                        ObjectPatProp::Rest(rest) => self.secret_escape(rest.span),
                        #[allow(unreachable_patterns)]
                        _ => {}
                    }
                }
            }
            other => self.secret_escape(other.span()),
        }
    }

    fn secret_escape(&mut self, span: Span) {
        // The alias scan runs twice over the module.
        if !self.secret_escapes.contains(&span) {
            self.secret_escapes.push(span);
        }
    }

    fn function(&self, expr: &Expr) -> Option<Method> {
        match expr {
            Expr::Ident(ident) => {
                let id = ident.to_id();
                self.functions
                    .iter()
                    .find(|(f, _)| *f == id)
                    .map(|(_, m)| *m)
            }
            Expr::Paren(paren) => self.function(&paren.expr),
            _ => None,
        }
    }

    /// Records what a pattern bound to a context value binds.
    fn bind_pattern(&mut self, pat: &Pat) {
        match pat {
            Pat::Ident(binding) => {
                self.contexts.insert(binding.id.to_id());
            }
            Pat::Assign(assign) => self.bind_pattern(&assign.left),
            Pat::Object(object) => {
                for prop in &object.props {
                    match prop {
                        ObjectPatProp::KeyValue(kv) => {
                            let key = prop_name(&kv.key);
                            if key.as_deref() == Some("secrets") {
                                self.bind_secrets(&kv.value);
                            }
                            let method = key.as_deref().and_then(Method::from_name);
                            if let (Some(method), Some(id)) = (method, binding_id(&kv.value)) {
                                self.functions.push((id, method));
                            }
                        }
                        ObjectPatProp::Assign(assign) => {
                            if assign.key.id.sym == "secrets" {
                                self.secrets.insert(assign.key.id.to_id());
                            }
                            if let Some(method) = Method::from_name(&assign.key.id.sym) {
                                self.functions.push((assign.key.id.to_id(), method));
                            }
                        }
                        ObjectPatProp::Rest(rest) => self.bind_pattern(&rest.arg),
                        #[allow(unreachable_patterns)]
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// A property name written literally: `github`, `"github"`, `["github"]`.
fn prop_name(name: &PropName) -> Option<String> {
    match name {
        PropName::Ident(name) => Some(name.sym.to_string()),
        PropName::Str(s) => Some(str_value(s)),
        PropName::Computed(computed) => literal_string(&computed.expr),
        _ => None,
    }
}

/// A member property written literally: `.github`, `["github"]`.
fn literal_prop(prop: &MemberProp) -> Option<String> {
    match prop {
        MemberProp::Ident(name) => Some(name.sym.to_string()),
        MemberProp::Computed(computed) => literal_string(&computed.expr),
        _ => None,
    }
}

fn binding_id(pat: &Pat) -> Option<Id> {
    match pat {
        Pat::Ident(binding) => Some(binding.id.to_id()),
        Pat::Assign(assign) => binding_id(&assign.left),
        _ => None,
    }
}

/// Finds `const c = ctx` / `const { dependency } = ctx` / `const s = ctx.secrets`
/// declarations.
struct AliasScan<'b> {
    bindings: &'b mut Bindings,
}

impl Visit for AliasScan<'_> {
    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let Some(init) = &declarator.init {
            if self.bindings.is_context(init) {
                self.bindings.bind_pattern(&declarator.name);
            } else if self.bindings.is_secrets(init) {
                self.bindings.bind_secrets(&declarator.name);
            }
        }
        declarator.visit_children_with(self);
    }
}

/// Scans one module for dependency uses; `context_param` is the node function's first
/// parameter when this is the entry module.
pub(crate) fn scan_module(
    file: &LoadedFile,
    module: &Module,
    context_param: Option<&Pat>,
    found: &mut DependencyUse,
) {
    let mut bindings = Bindings::default();
    if let Some(param) = context_param {
        bindings.bind_pattern(param);
    }
    // Twice, so an alias of an alias declared before its source is found too.
    for _ in 0..2 {
        module.visit_with(&mut AliasScan {
            bindings: &mut bindings,
        });
    }
    found
        .legacy_services
        .extend(bindings.secret_services.iter().cloned());
    let mut scan = UseScan {
        file,
        bindings: &bindings,
        found,
    };
    for span in &bindings.secret_escapes {
        scan.dynamic(*span);
    }
    module.visit_with(&mut scan);
}

struct UseScan<'a> {
    file: &'a LoadedFile,
    bindings: &'a Bindings,
    found: &'a mut DependencyUse,
}

impl UseScan<'_> {
    fn location(&self, span: Span) -> Location {
        let (line, column) = self.file.source.position(self.file.range(span).start);
        Location {
            path: self.file.source.path().to_owned(),
            line,
            column,
        }
    }

    fn dynamic(&mut self, span: Span) {
        let location = self.location(span);
        self.found.dynamic.push(location);
    }

    /// The method a callee calls on a context value, if it does.
    fn called_method(&self, callee: &Expr) -> Option<Method> {
        match callee {
            Expr::Member(member) if self.bindings.is_context(&member.obj) => match &member.prop {
                MemberProp::Ident(name) => Method::from_name(&name.sym),
                MemberProp::Computed(computed) => match &*computed.expr {
                    Expr::Lit(Lit::Str(s)) => Method::from_name(&str_value(s)),
                    _ => None,
                },
                _ => None,
            },
            Expr::OptChain(chain) => match &*chain.base {
                OptChainBase::Member(member) => self.called_method(&Expr::Member(member.clone())),
                OptChainBase::Call(_) => None,
            },
            Expr::Paren(paren) => self.called_method(&paren.expr),
            other => self.bindings.function(other),
        }
    }

    fn record(&mut self, method: Method, call_span: Span, args: &[ExprOrSpread]) {
        let name = match args.first() {
            Some(ExprOrSpread { spread: None, expr }) => literal_string(expr),
            _ => None,
        };
        match (name, method) {
            (Some(name), Method::Dependency) => {
                let span = args.first().map_or(call_span, |a| a.expr.span());
                let location = self.location(span);
                self.found
                    .literal_locations
                    .entry(name.clone())
                    .or_insert(location);
                self.found.literal.insert(name);
            }
            (Some(name), Method::Fetch) => {
                self.found.legacy_services.insert(name);
            }
            (None, _) => {
                let span = args.first().map_or(call_span, |a| a.expr.span());
                self.dynamic(span);
            }
        }
    }

    fn visit_call(&mut self, callee: &Expr, span: Span, args: &[ExprOrSpread]) -> bool {
        match self.called_method(callee) {
            Some(method) => {
                self.record(method, span, args);
                args.visit_with(self);
                true
            }
            None => false,
        }
    }
}

fn literal_string(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(Lit::Str(s)) => Some(str_value(s)),
        Expr::Tpl(tpl) if tpl.exprs.is_empty() => tpl
            .quasis
            .first()
            .and_then(|q| q.cooked.as_ref())
            .map(|c| c.to_string_lossy().into_owned()),
        Expr::Paren(paren) => literal_string(&paren.expr),
        _ => None,
    }
}

impl Visit for UseScan<'_> {
    fn visit_call_expr(&mut self, call: &CallExpr) {
        if let Callee::Expr(callee) = &call.callee
            && self.visit_call(callee, call.span, &call.args)
        {
            return;
        }
        call.visit_children_with(self);
    }

    fn visit_opt_call(&mut self, call: &OptCall) {
        if !self.visit_call(&call.callee, call.span, &call.args) {
            call.visit_children_with(self);
        }
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        // `const s = ctx.secrets` / `const { github } = ctx.secrets`: the alias scan has
        // recorded what it binds; the secrets value is not taken whole.
        if declarator
            .init
            .as_deref()
            .is_some_and(|init| self.bindings.is_secrets(init))
        {
            declarator.name.visit_with(self);
            return;
        }
        declarator.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if self.bindings.is_secrets(&member.obj) {
            // `ctx.secrets.<service>`: one service's secrets, by name.
            match literal_prop(&member.prop) {
                Some(service) => {
                    self.found.legacy_services.insert(service);
                }
                None => {
                    let span = match &member.prop {
                        MemberProp::Computed(computed) => computed.expr.span(),
                        other => other.span(),
                    };
                    self.dynamic(span);
                }
            }
            if let MemberProp::Computed(computed) = &member.prop {
                computed.expr.visit_with(self);
            }
            return;
        }
        if self.bindings.is_context_secrets(member) {
            // `ctx.secrets` itself, not read by a literal service name.
            self.dynamic(member.span);
        }
        if self.bindings.is_context(&member.obj) {
            let escapes = match &member.prop {
                MemberProp::Ident(name) => Method::from_name(&name.sym).is_some(),
                MemberProp::Computed(computed) => match &*computed.expr {
                    Expr::Lit(Lit::Str(s)) => Method::from_name(&str_value(s)).is_some(),
                    _ => true,
                },
                _ => false,
            };
            if escapes {
                self.dynamic(member.span);
            }
        }
        member.visit_children_with(self);
    }

    fn visit_prop(&mut self, prop: &Prop) {
        // `{ secrets }` passes a secrets alias on whole.
        if let Prop::Shorthand(ident) = prop
            && self.bindings.is_secrets(&Expr::Ident(ident.clone()))
        {
            self.dynamic(ident.span);
        }
        prop.visit_children_with(self);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        if let Expr::Ident(ident) = expr {
            if self.bindings.function(expr).is_some() || self.bindings.is_secrets(expr) {
                self.dynamic(ident.span);
            }
            return;
        }
        expr.visit_children_with(self);
    }
}
