//! Diagnostics: what went wrong, where (a span in a [`SourceFile`]), and what to do.
//!
//! Every problem found in a workflow is a [`Diagnostic`]; parsing collects all of them instead
//! of stopping at the first. [`render`] prints one the way rustc does, with the offending line
//! and a caret under the spot; [`Diagnostic::report`] gives the same facts as data for `-o json`.

use std::fmt::Write as _;

use crate::source::{SourceFile, Span};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The workflow is invalid.
    Error,
    /// Suspicious but accepted (unknown keys, duplicate edges, ...).
    Warning,
}

/// One problem in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// Where: the offending key or value.
    pub span: Span,
    /// A short note printed next to the carets.
    pub label: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// The YAML path of the offending item, e.g. `nodes.fetch.path` or `edges[2].to`.
    pub path: String,
}

impl Diagnostic {
    /// An error at `span` for the item at `path`.
    pub fn error(path: impl Into<String>, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            hint: None,
            path: path.into(),
        }
    }

    /// A warning at `span` for the item at `path`.
    pub fn warning(path: impl Into<String>, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, span, message)
        }
    }

    /// Adds the note printed under the carets.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Adds the `help:` line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this diagnostic makes the workflow invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The facts of this diagnostic as data (for `-o json`).
    pub fn report(&self, source: &SourceFile) -> Report {
        let location = source.location(self.span.start);
        Report {
            severity: self.severity,
            message: self.message.clone(),
            file: source.name().display().to_string(),
            line: location.line,
            column: location.column,
            path: self.path.clone(),
            hint: self.hint.clone(),
        }
    }
}

/// A diagnostic resolved against its file, as printed by `tntc validate -o json`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// `error` or `warning`.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The file, as named on the command line.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// YAML path of the offending item.
    pub path: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Renders a diagnostic like rustc: header, `--> file:line:col`, the source line with carets
/// under the span, and the hint. ANSI colors only when `color` is set.
pub fn render(source: &SourceFile, diagnostic: &Diagnostic, color: bool) -> String {
    let paint = |style: &'static str| if color { style } else { "" };
    let reset = paint(RESET);
    let (level, level_style) = match diagnostic.severity {
        Severity::Error => ("error", paint(RED)),
        Severity::Warning => ("warning", paint(YELLOW)),
    };
    let blue = paint(BLUE);
    let bold = paint(BOLD);

    let start = source.location(diagnostic.span.start);
    let line_text = source.line_text(start.line);
    let gutter = " ".repeat(start.line.to_string().len());

    // Underline from the start column to the span's end, or to the end of the line when the
    // span runs past it; at least one caret so an empty span (a missing key) still shows.
    let end = source.location(diagnostic.span.end);
    let line_chars = line_text.chars().count();
    let underline_end = if end.line == start.line {
        end.column
    } else {
        line_chars + 1
    };
    let width = underline_end.saturating_sub(start.column).max(1);
    let indent: String = line_text
        .chars()
        .take(start.column - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "{level_style}{level}{reset}{bold}: {}{reset}",
        diagnostic.message
    );
    let _ = writeln!(
        out,
        "{gutter}{blue}-->{reset} {}:{}:{}",
        source.name().display(),
        start.line,
        start.column
    );
    let _ = writeln!(out, "{gutter} {blue}|{reset}");
    let _ = writeln!(
        out,
        "{blue}{}{reset} {blue}|{reset} {line_text}",
        start.line
    );
    let label = diagnostic
        .label
        .as_deref()
        .map(|l| format!(" {l}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{gutter} {blue}|{reset} {indent}{level_style}{}{label}{reset}",
        "^".repeat(width)
    );
    if let Some(hint) = &diagnostic.hint {
        let _ = writeln!(out, "{gutter} {blue}|{reset}");
        let _ = writeln!(out, "{gutter} {blue}={reset} {bold}help{reset}: {hint}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_points_carets_at_the_span() {
        let src = SourceFile::new("wf/workflow.yaml", "name: My Flow\nversion: \"1.0\"\n");
        let d = Diagnostic::error(
            "name",
            Span::new(6, 13),
            "invalid workflow name \"My Flow\"",
        )
        .with_label("not kebab-case")
        .with_hint("use lowercase letters, digits and dashes, e.g. \"my-flow\"");
        let text = render(&src, &d, false);
        assert_eq!(
            text,
            "error: invalid workflow name \"My Flow\"\n \
             --> wf/workflow.yaml:1:7\n  |\n1 | name: My Flow\n  |       ^^^^^^^ not kebab-case\n  |\n  \
             = help: use lowercase letters, digits and dashes, e.g. \"my-flow\"\n"
        );
    }

    #[test]
    fn empty_span_still_gets_a_caret() {
        let src = SourceFile::new("w.yaml", "nodes:\n");
        let d = Diagnostic::warning("", Span::point(7), "missing");
        assert!(render(&src, &d, false).contains("  | ^\n"));
    }

    #[test]
    fn report_carries_position_and_path() {
        let src = SourceFile::new("w.yaml", "a: 1\nb: 2\n");
        let d = Diagnostic::error("b", Span::new(8, 9), "bad");
        let r = d.report(&src);
        assert_eq!((r.line, r.column, r.path.as_str()), (2, 4, "b"));
    }
}
