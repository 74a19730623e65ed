//! Forbidden code: what cannot run in a node's sandbox — `Deno`, `require`, `import()`,
//! top-level `await` — and the linker's reserved names.
//!
//! Four Deno APIs are warnings, not errors: `Deno.readTextFile`, `Deno.readFile`,
//! `Deno.stat` and `Deno.env` exist in the sandbox and fail as Deno does without the file or
//! the variable (`Deno.errors.NotFound`, `undefined`), so nodes that read an optional file and
//! fall back (the original's in-cluster token) run their fallback; `Deno.errors` is allowed.
//!
//! Runs on the stripped, scope-resolved module: a local variable called `Deno` or
//! `require` is fine, type positions are gone, and only identifiers that resolve to no
//! declaration (globals) are flagged. `typeof Deno` is allowed: it cannot fail.

use swc_core::common::{BytePos, Span};
use swc_core::ecma::ast::{
    ArrowExpr, AwaitExpr, CallExpr, Callee, Constructor, Expr, ForOfStmt, Function, GetterProp,
    Ident, MemberExpr, MemberProp, Module, SetterProp, UnaryOp,
};
use swc_core::ecma::visit::{Visit, VisitWith};

use crate::error::{CompileError, ErrorKind};
use crate::imports::str_value;
use crate::parse::LoadedFile;
use crate::strip::Globals;

/// Prefix of the names the bundler introduces; user code may not use it.
pub(crate) const RESERVED_PREFIX: &str = "__tntc_";

/// Every sandbox violation in `module`, in source order, and the warnings (Deno APIs that
/// exist but always fail).
pub(crate) fn check_sandbox(
    file: &LoadedFile,
    module: &Module,
    globals: &Globals,
) -> (Vec<CompileError>, Vec<CompileError>) {
    let mut check = SandboxCheck {
        file,
        globals,
        function_depth: 0,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    module.visit_with(&mut check);
    (check.errors, check.warnings)
}

struct SandboxCheck<'a> {
    file: &'a LoadedFile,
    globals: &'a Globals,
    function_depth: usize,
    errors: Vec<CompileError>,
    warnings: Vec<CompileError>,
}

impl SandboxCheck<'_> {
    fn is_global(&self, ident: &Ident, name: &str) -> bool {
        self.globals.is_global(ident, name)
    }

    fn global_ident<'e>(&self, expr: &'e Expr, name: &str) -> Option<&'e Ident> {
        match expr {
            Expr::Ident(ident) if self.is_global(ident, name) => Some(ident),
            Expr::Paren(paren) => self.global_ident(&paren.expr, name),
            _ => None,
        }
    }

    /// `Deno`, `require` or `globalThis.Deno` (also via `self`/`window`): what `typeof`
    /// may probe without failing.
    fn is_feature_test(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Paren(paren) => self.is_feature_test(&paren.expr),
            Expr::Member(member) => {
                Self::member_name(&member.prop).as_deref() == Some("Deno")
                    && ["globalThis", "self", "window"]
                        .into_iter()
                        .any(|g| self.global_ident(&member.obj, g).is_some())
            }
            _ => {
                self.global_ident(expr, "Deno").is_some()
                    || self.global_ident(expr, "require").is_some()
            }
        }
    }

    fn deno(&mut self, span: Span, shown: &str, member: Option<&str>) {
        let failing = match member {
            Some("readTextFile" | "readFile" | "stat") => Some(
                "it rejects with Deno.errors.NotFound at run time, as Deno does without the file: \
                 the sandbox has no files. Keep a fallback (catch the error), or read settings from \
                 ctx.config",
            ),
            Some("env") => Some(
                "Deno.env.get returns undefined at run time, as for an unset variable: the sandbox \
                 has no environment. Read settings from ctx.config and credentials from ctx.secrets",
            ),
            Some("errors") => return,
            _ => None,
        };
        if let Some(hint) = failing {
            self.warnings.push(self.file.error(
                ErrorKind::DenoGlobal,
                span,
                format!("`{shown}` always fails in the sandbox"),
                "Deno API without files or environment",
                Some(hint.into()),
            ));
            return;
        }
        let hint = match member {
            Some(
                "readTextFileSync" | "readFileSync" | "writeTextFile" | "writeTextFileSync"
                | "writeFile" | "writeFileSync" | "open" | "openSync" | "readDir" | "readDirSync"
                | "statSync" | "lstat" | "mkdir" | "remove" | "cwd" | "makeTempFile"
                | "makeTempDir",
            ) => {
                "the sandbox has no file system; put data in workflow.yaml `config` (ctx.config) \
                 or fetch it over HTTP"
            }
            Some("Command" | "run" | "exit" | "kill" | "pid") => {
                "the sandbox cannot start or control processes; return an error from the node instead"
            }
            Some("connect" | "connectTls" | "listen" | "listenTls" | "resolveDns" | "serve") => {
                "the sandbox has no sockets; make HTTP requests with ctx.dependency(\"<name>\").fetch \
                 or fetch()"
            }
            _ => {
                "node code runs without the Deno namespace; use ctx (config, secrets, log, fetch, \
                 dependency) and Web APIs (fetch, URL, TextEncoder, crypto.getRandomValues)"
            }
        };
        self.errors.push(self.file.error(
            ErrorKind::DenoGlobal,
            span,
            format!("`{shown}` is not available in the sandbox"),
            "Deno API",
            Some(hint.into()),
        ));
    }

    fn require(&mut self, span: Span) {
        self.errors.push(self.file.error(
            ErrorKind::Require,
            span,
            "`require` is not available: node code is an ES module",
            "CommonJS require",
            Some("use `import x from \"./x.ts\"` at the top of the file".into()),
        ));
    }

    fn top_level_await(&mut self, start: BytePos) {
        let span = Span::new(start, start + BytePos(5));
        self.errors.push(self.file.error(
            ErrorKind::TopLevelAwait,
            span,
            "top-level `await` is not supported in node code",
            "awaited while the module loads",
            Some(
                "a node module is evaluated once when it is loaded; move the `await` into the node \
                 function or a helper it calls"
                    .into(),
            ),
        ));
    }

    fn member_name(prop: &MemberProp) -> Option<String> {
        match prop {
            MemberProp::Ident(name) => Some(name.sym.to_string()),
            MemberProp::Computed(computed) => match &*computed.expr {
                Expr::Lit(swc_core::ecma::ast::Lit::Str(s)) => Some(str_value(s)),
                _ => None,
            },
            _ => None,
        }
    }

    fn in_function(&mut self, visit: impl FnOnce(&mut Self)) {
        self.function_depth += 1;
        visit(self);
        self.function_depth -= 1;
    }
}

impl Visit for SandboxCheck<'_> {
    fn visit_call_expr(&mut self, call: &CallExpr) {
        match &call.callee {
            Callee::Import(_) => self.errors.push(self.file.error(
                ErrorKind::DynamicImport,
                call.span,
                "dynamic `import()` is not supported",
                "loaded at run time",
                Some(
                    "modules are bundled at build time; use a static `import { x } from \"./x.ts\"` \
                     at the top of the file"
                        .into(),
                ),
            )),
            Callee::Expr(callee) if self.global_ident(callee, "require").is_some() => {
                self.require(call.span);
            }
            callee => callee.visit_with(self),
        }
        call.args.visit_with(self);
        call.type_args.visit_with(self);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Unary(unary)
                if unary.op == UnaryOp::TypeOf && self.is_feature_test(&unary.arg) => {}
            Expr::Member(member) => self.visit_member_expr(member),
            _ => expr.visit_children_with(self),
        }
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        let name = Self::member_name(&member.prop);
        if self.global_ident(&member.obj, "Deno").is_some() {
            let shown = format!("Deno.{}", name.as_deref().unwrap_or("[...]"));
            self.deno(member.span, &shown, name.as_deref());
            member.prop.visit_with(self);
            return;
        }
        let via_global_object = ["globalThis", "self", "window"]
            .into_iter()
            .find(|g| self.global_ident(&member.obj, g).is_some());
        if let (Some(global), Some("Deno")) = (via_global_object, name.as_deref()) {
            self.deno(member.span, &format!("{global}.Deno"), None);
            return;
        }
        member.visit_children_with(self);
    }

    fn visit_ident(&mut self, ident: &Ident) {
        if ident.sym.starts_with(RESERVED_PREFIX) {
            self.errors.push(self.file.error(
                ErrorKind::ReservedName,
                ident.span,
                format!(
                    "`{}` uses the reserved prefix `{RESERVED_PREFIX}`",
                    ident.sym
                ),
                "reserved name",
                Some(format!(
                    "rename it: names starting with `{RESERVED_PREFIX}` belong to the bundler"
                )),
            ));
        } else if self.is_global(ident, "Deno") {
            self.deno(ident.span, "Deno", None);
        } else if self.is_global(ident, "require") {
            self.require(ident.span);
        }
    }

    fn visit_await_expr(&mut self, expr: &AwaitExpr) {
        if self.function_depth == 0 {
            self.top_level_await(expr.span.lo);
        }
        expr.visit_children_with(self);
    }

    fn visit_for_of_stmt(&mut self, stmt: &ForOfStmt) {
        if stmt.is_await && self.function_depth == 0 {
            // `for await (` : the keyword `await` follows `for` and whitespace.
            let text = self.file.source.text();
            let start = self.file.range(stmt.span).start;
            let offset = text
                .get(start..)
                .and_then(|rest| rest.find("await"))
                .unwrap_or(0);
            self.top_level_await(stmt.span.lo + BytePos(crate::source::to_u32(offset)));
        }
        stmt.visit_children_with(self);
    }

    fn visit_function(&mut self, function: &Function) {
        self.in_function(|this| function.visit_children_with(this));
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
        self.in_function(|this| arrow.visit_children_with(this));
    }

    fn visit_constructor(&mut self, constructor: &Constructor) {
        self.in_function(|this| constructor.visit_children_with(this));
    }

    fn visit_getter_prop(&mut self, getter: &GetterProp) {
        self.in_function(|this| getter.visit_children_with(this));
    }

    fn visit_setter_prop(&mut self, setter: &SetterProp) {
        self.in_function(|this| setter.visit_children_with(this));
    }
}
