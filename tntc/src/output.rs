//! Printing: text for people (colors only on a terminal, never with NO_COLOR), JSON for
//! scripts (a `tntc-report` document, pretty-printed). Results go to stdout; diagnostics and
//! errors to stderr.

use std::io::{IsTerminal, Write};

use serde::Serialize;
use tntc_report::error::ErrorReport;
use tntc_spec::{Diagnostic, SourceFile, diagnostic};

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// For people.
    Text,
    /// One JSON document on stdout, for scripts.
    Json,
    /// A YAML stream on stdout (only `tntc deploy --dry-run`, which prints Kubernetes objects).
    Yaml,
}

/// Where and how a command prints.
pub struct Printer {
    format: OutputFormat,
    color: bool,
}

impl Printer {
    /// A printer for the chosen format.
    pub fn new(format: OutputFormat) -> Printer {
        let color = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Printer { format, color }
    }

    /// Whether diagnostics on stderr get ANSI colors.
    pub fn color(&self) -> bool {
        self.color
    }

    /// A note, warning or rendered diagnostic on stderr (text mode only).
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.json() {
            let _ = writeln!(std::io::stderr().lock(), "{}", text.as_ref().trim_end());
        }
    }

    /// The output format asked for.
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Text on stdout exactly as given (a YAML stream ends with its own newline).
    pub fn text(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    /// Whether `-o json` was asked for.
    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// A line of result text on stdout.
    pub fn line(&self, text: impl AsRef<str>) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", text.as_ref());
    }

    /// A JSON document on stdout: a `tntc-report` type (`tntc run`: the host's
    /// `ExecutionResult`; `tntc deploy`: the Kubernetes objects).
    pub fn report(&self, report: &impl Serialize) {
        // Cannot fail: the reports have string keys only.
        let text = serde_json::to_string_pretty(report).unwrap_or_else(|_| "null".into());
        self.line(text);
    }

    /// Diagnostics, rendered like rustc, on stderr.
    pub fn diagnostics(&self, source: &SourceFile, diagnostics: &[Diagnostic]) {
        let mut stderr = std::io::stderr().lock();
        for d in diagnostics {
            let _ = writeln!(stderr, "{}", diagnostic::render(source, d, self.color));
        }
    }

    /// A command failure on stderr (or as `{"error": ...}` on stdout with `-o json`).
    pub fn error(&self, err: &anyhow::Error) {
        if self.json() {
            self.report(&ErrorReport {
                error: format!("{err:#}"),
            });
        } else {
            let (red, reset) = if self.color {
                ("\x1b[1;31m", "\x1b[0m")
            } else {
                ("", "")
            };
            let _ = writeln!(std::io::stderr().lock(), "{red}error{reset}: {err:#}");
        }
    }
}

/// Pluralizes `word` for `n`: `1 node`, `2 nodes`.
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
