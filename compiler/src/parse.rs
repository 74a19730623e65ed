//! Parsing one file with swc: TypeScript (decorators off) or JavaScript, as an ES module.

use swc_core::common::{BytePos, FileName, SourceFile, SourceMap, Span, Spanned, sync::Lrc};
use swc_core::ecma::ast::{Decorator, EsVersion, Module};
use swc_core::ecma::parser::{EsSyntax, Syntax, TsSyntax, parse_file_as_module};
use swc_core::ecma::visit::{Visit, VisitWith};

use crate::error::{CompileError, ErrorKind};
use crate::resolve::Language;
use crate::source::SourceText;

/// A file registered in the compilation's swc `SourceMap`, with the user's text.
#[derive(Debug, Clone)]
pub(crate) struct LoadedFile {
    pub(crate) source: SourceText,
    pub(crate) swc: Lrc<SourceFile>,
}

impl LoadedFile {
    pub(crate) fn new(cm: &SourceMap, source: SourceText) -> Self {
        let swc = cm.new_source_file(
            Lrc::new(FileName::Custom(source.path().to_owned())),
            source.text().to_owned(),
        );
        Self { source, swc }
    }

    /// Byte range of `span` within this file's text (clamped, so any span is safe).
    pub(crate) fn range(&self, span: Span) -> std::ops::Range<usize> {
        let offset = |pos: BytePos| {
            (pos.0.saturating_sub(self.swc.start_pos.0) as usize).min(self.source.text().len())
        };
        let start = offset(span.lo);
        start..offset(span.hi).max(start)
    }

    /// Does this file contain `pos`?
    pub(crate) fn contains(&self, pos: BytePos) -> bool {
        self.swc.start_pos <= pos && pos <= self.swc.end_pos
    }

    /// An error at `span` of this file.
    pub(crate) fn error(
        &self,
        kind: ErrorKind,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        hint: Option<String>,
    ) -> CompileError {
        CompileError::at(kind, &self.source, self.range(span), message, label, hint)
    }
}

/// Parses `file` as an ES module. Returns the module when the parser could build one (it
/// recovers from some errors) and every syntax error found.
pub(crate) fn parse(file: &LoadedFile, language: Language) -> (Option<Module>, Vec<CompileError>) {
    let syntax = match language {
        // Decorators are parsed so that each one is reported where it is, together with
        // the file's other errors, instead of stopping the parse at the first `@`.
        Language::TypeScript => Syntax::Typescript(TsSyntax {
            decorators: true,
            ..TsSyntax::default()
        }),
        Language::JavaScript => Syntax::Es(EsSyntax {
            decorators: true,
            ..EsSyntax::default()
        }),
    };
    let mut recovered = Vec::new();
    let result = parse_file_as_module(&file.swc, syntax, EsVersion::EsNext, None, &mut recovered);
    let (module, fatal) = match result {
        Ok(module) => (Some(module), None),
        Err(error) => (None, Some(error)),
    };
    let mut errors: Vec<CompileError> = recovered
        .into_iter()
        .chain(fatal)
        .map(|error| syntax_error(file, error.span(), &error.kind().msg()))
        .collect();
    if let Some(module) = &module {
        let mut decorators = DecoratorScan {
            file,
            errors: Vec::new(),
        };
        module.visit_with(&mut decorators);
        errors.extend(decorators.errors);
    }
    (module, errors)
}

/// Reports every decorator: node code is compiled without decorator support.
struct DecoratorScan<'a> {
    file: &'a LoadedFile,
    errors: Vec<CompileError>,
}

impl Visit for DecoratorScan<'_> {
    fn visit_decorator(&mut self, decorator: &Decorator) {
        self.errors.push(
            self.file.error(
                ErrorKind::Decorator,
                decorator.span,
                "decorators are not supported in node code",
                "decorator",
                Some(
                    "tntc compiles TypeScript without decorators; call the decorating function \
                 directly instead (for example `const C = withRetry(class { ... })`)"
                        .into(),
                ),
            ),
        );
    }
}

fn syntax_error(file: &LoadedFile, span: Span, message: &str) -> CompileError {
    // swc appends the list of every token it would have accepted ("Expected ... , *, (,
    // [, :, ..."), which reads as noise; the position and the token found say enough.
    let message = match message.split_once(". Expected ...") {
        Some((head, _)) => head,
        None => message,
    };
    let mut message = message.trim_end_matches('.').to_owned();
    if let Some(first) = message.get(..1) {
        let lower = first.to_lowercase();
        message.replace_range(..1, &lower);
    }
    file.error(ErrorKind::Syntax, span, message, "here", None)
}
