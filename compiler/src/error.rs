//! Compile errors: what went wrong, where (file:line:column and byte span), what to do.

use std::ops::Range;
use std::sync::Arc;

use tntc_spec::{Diagnostic, SourceFile, Span};

use crate::source::SourceText;

/// The class of a [`CompileError`]; also its diagnostic code (`tntc::compile::<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A source file could not be read.
    Io,
    /// TypeScript/JavaScript that does not parse.
    Syntax,
    /// A decorator (`@x`): decorators are not enabled.
    Decorator,
    /// An `http://` or `https://` import.
    RemoteImport,
    /// A `jsr:` or `npm:` import.
    RegistryImport,
    /// A `node:` import or a bare Node built-in (`fs`, `path`, ...).
    NodeBuiltin,
    /// Any other bare specifier (a package name).
    BareImport,
    /// A value import from `"tentacular"` (only `import type` is allowed).
    TentacularValueImport,
    /// A relative import that leaves the workflow directory.
    ImportOutsideWorkflow,
    /// A relative import that matches no file.
    UnresolvedImport,
    /// An import form or file type the bundler does not support.
    UnsupportedImport,
    /// Dynamic `import()`.
    DynamicImport,
    /// CommonJS `require`.
    Require,
    /// Any use of the `Deno` global.
    DenoGlobal,
    /// `await` at the top level of a module.
    TopLevelAwait,
    /// An identifier using the bundler's reserved `__tntc_` prefix.
    ReservedName,
    /// The node file has no `export default`.
    MissingDefaultExport,
    /// The compiler failed on this input (a bug; the message says so).
    Internal,
}

impl ErrorKind {
    /// The diagnostic code, e.g. `tntc::compile::remote-import`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Io => "tntc::compile::io",
            Self::Syntax => "tntc::compile::syntax",
            Self::Decorator => "tntc::compile::decorator",
            Self::RemoteImport => "tntc::compile::remote-import",
            Self::RegistryImport => "tntc::compile::registry-import",
            Self::NodeBuiltin => "tntc::compile::node-builtin",
            Self::BareImport => "tntc::compile::bare-import",
            Self::TentacularValueImport => "tntc::compile::tentacular-value-import",
            Self::ImportOutsideWorkflow => "tntc::compile::import-outside-workflow",
            Self::UnresolvedImport => "tntc::compile::unresolved-import",
            Self::UnsupportedImport => "tntc::compile::unsupported-import",
            Self::DynamicImport => "tntc::compile::dynamic-import",
            Self::Require => "tntc::compile::require",
            Self::DenoGlobal => "tntc::compile::deno-global",
            Self::TopLevelAwait => "tntc::compile::top-level-await",
            Self::ReservedName => "tntc::compile::reserved-name",
            Self::MissingDefaultExport => "tntc::compile::missing-default-export",
            Self::Internal => "tntc::compile::internal",
        }
    }
}

/// One problem in a node's sources, positioned for people and for renderers.
///
/// `path` is relative to the workflow directory with `/` separators. `line`/`column` are
/// 1-based (column in characters); both are 0 when the error concerns a whole file (for
/// example one that cannot be read). `span` is the byte range in the file's text, which
/// [`CompileError::source_text`] returns, so [`CompileError::render`] can show the line with
/// a caret under the spot (the same renderer as workflow.yaml diagnostics).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CompileError {
    /// What kind of problem this is.
    pub kind: ErrorKind,
    /// The file, relative to the workflow directory.
    pub path: String,
    /// 1-based line, 0 without a position.
    pub line: u32,
    /// 1-based column in characters, 0 without a position.
    pub column: u32,
    /// Byte range in the file's text, when positioned.
    pub span: Option<Range<usize>>,
    /// What went wrong (one sentence, no position).
    pub message: String,
    /// A short note shown under the offending code.
    pub label: String,
    /// What to do about it.
    pub hint: Option<String>,
    text: Option<Arc<str>>,
}

impl CompileError {
    /// An error at `span` (byte range) of `source`.
    pub(crate) fn at(
        kind: ErrorKind,
        source: &SourceText,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        let (line, column) = source.position(span.start);
        Self {
            kind,
            path: source.path().to_owned(),
            line,
            column,
            span: Some(span),
            message: message.into(),
            label: label.into(),
            hint,
            text: Some(source.text_arc()),
        }
    }

    /// An error about a whole file, without a position.
    pub(crate) fn file(
        kind: ErrorKind,
        path: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        Self {
            kind,
            path: path.to_owned(),
            line: 0,
            column: 0,
            span: None,
            message: message.into(),
            label: String::new(),
            hint,
            text: None,
        }
    }

    /// The full text of the file the error points into, when it was read.
    pub fn source_text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// `path:line:column`, or just `path` for a file-level error.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.path.clone()
        } else {
            format!("{}:{}:{}", self.path, self.line, self.column)
        }
    }

    /// Renders the error rustc style, like workflow.yaml diagnostics (ANSI colors only when
    /// `color` is set):
    ///
    /// ```text
    /// error: `Deno.env` is not available in the sandbox
    ///  --> nodes/x.ts:3:15
    ///   |
    /// 3 | const token = Deno.env.get("TOKEN");
    ///   |               ^^^^^^^^ Deno API
    ///   |
    ///   = help: read settings from ctx.config ...
    /// ```
    pub fn render(&self, color: bool) -> String {
        self.render_as(false, color)
    }

    /// Renders the same way with `warning:`: for a [`crate::TranspiledNode`]'s warnings.
    pub fn render_warning(&self, color: bool) -> String {
        self.render_as(true, color)
    }

    fn render_as(&self, warning: bool, color: bool) -> String {
        match (self.source_text(), &self.span) {
            (Some(text), Some(span)) => {
                let source = SourceFile::new(&self.path, text);
                let span = Span::new(span.start, span.end);
                let mut d = if warning {
                    Diagnostic::warning("", span, self.message.clone())
                } else {
                    Diagnostic::error("", span, self.message.clone())
                };
                if !self.label.is_empty() {
                    d = d.with_label(self.label.clone());
                }
                if let Some(hint) = &self.hint {
                    d = d.with_hint(hint.clone());
                }
                tntc_spec::diagnostic::render(&source, &d, color)
            }
            _ => {
                let severity = if warning { "warning" } else { "error" };
                let mut out = format!("{severity}: {}\n --> {}\n", self.message, self.location());
                if let Some(hint) = &self.hint {
                    out.push_str(&format!("  = help: {hint}\n"));
                }
                out
            }
        }
    }
}

/// Orders errors by file (in the order the files were reached), then position, and drops
/// exact duplicates (a shared module reached from several nodes reports once).
pub(crate) fn sort_and_dedup(errors: &mut Vec<CompileError>, file_order: &[String]) {
    let rank = |path: &str| {
        file_order
            .iter()
            .position(|p| p == path)
            .unwrap_or(file_order.len())
    };
    // Errors about a whole file (no span) come after the positioned ones of that file.
    let start = |e: &CompileError| e.span.as_ref().map_or(usize::MAX, |s| s.start);
    errors.sort_by(|a, b| {
        (rank(&a.path), &a.path, start(a), a.kind).cmp(&(rank(&b.path), &b.path, start(b), b.kind))
    });
    errors.dedup_by(|a, b| {
        a.path == b.path && a.span == b.span && a.kind == b.kind && a.message == b.message
    });
}
