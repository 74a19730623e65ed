//! One config file: read with positions, and rewritten without losing what tntc does not
//! own.
//!
//! A rewrite edits the text in place: the line of a changed key is replaced, a removed key's
//! lines are deleted, a new key is appended, and every other byte — unknown keys, comments,
//! blank lines — stays. The result is parsed again and compared with the intended values;
//! when an unusual layout (a flow mapping, several keys on one line) defeats the line edit,
//! the file is written out whole from its values instead (unknown keys kept, comments lost).

use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use tntc_spec::yaml::{self, Kind, Node, Scalar, ScalarValue};
use tntc_spec::{Diagnostic, Severity, SourceFile, Span};

use super::Key;
use crate::yaml_text;

/// A config file that parsed and whose tntc settings are valid.
#[derive(Clone, Debug)]
pub struct ConfigFile {
    source: SourceFile,
    root: Node,
    values: Vec<(Key, String)>,
}

/// Why a config file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file cannot be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The YAML is malformed or a setting has a wrong value; every problem has a position.
    #[error("{} is not a valid tntc config file: fix the {} above", .file.name().display(), plural(.diagnostics.len()))]
    Invalid {
        /// The file and its text.
        file: SourceFile,
        /// The problems.
        diagnostics: Vec<Diagnostic>,
    },
}

fn plural(n: usize) -> String {
    if n == 1 {
        "error".to_owned()
    } else {
        format!("{n} errors")
    }
}

impl ConfigFile {
    /// Reads `path`; `None` when it does not exist.
    pub fn read(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        let read_error = |source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        };
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(read_error(e)),
        };
        let text = String::from_utf8(bytes).map_err(|_| {
            read_error(io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
        })?;
        ConfigFile::parse(path, text).map(Some)
    }

    /// A file that does not exist yet, to write.
    pub fn empty(path: &Path) -> ConfigFile {
        ConfigFile {
            source: SourceFile::new(path, ""),
            root: empty_root(),
            values: Vec::new(),
        }
    }

    /// Parses `text` as the content of `path`.
    pub fn parse(path: &Path, text: String) -> Result<ConfigFile, ConfigError> {
        let source = SourceFile::new(path, text);
        let (root, mut errors) = parse_root(&source);
        let values = match &root.kind {
            Kind::Map(entries) => decode(entries, &mut errors),
            _ if root.is_null() => Vec::new(),
            _ => {
                errors.push(
                    Diagnostic::error(
                        "",
                        root.span,
                        format!("expected a mapping of settings, found {}", root.describe()),
                    )
                    .with_hint("write one `key: value` per line, like `namespace: team-a`"),
                );
                Vec::new()
            }
        };
        if errors.is_empty() {
            Ok(ConfigFile {
                source,
                root,
                values,
            })
        } else {
            Err(ConfigError::Invalid {
                file: source,
                diagnostics: errors,
            })
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        self.source.name()
    }

    /// A setting's value, when set (not empty).
    pub fn get(&self, key: Key) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The text of this file with `changes` applied: `Some(value)` sets a key, `None`
    /// removes it. Everything else is kept (see the module docs).
    pub fn with_changes(&self, changes: &[(Key, Option<String>)]) -> String {
        let mut expected = match self.root.to_json() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        for (key, value) in changes {
            match value {
                Some(v) => {
                    expected.insert(key.name().to_owned(), Value::String(v.clone()));
                }
                None => {
                    expected.shift_remove(key.name());
                }
            }
        }
        match self.edited_in_place(changes) {
            Some(text) if reparsed(self.path(), &text).as_ref() == Some(&expected) => text,
            _ => written_out(&expected),
        }
    }

    fn edited_in_place(&self, changes: &[(Key, Option<String>)]) -> Option<String> {
        let text = self.source.text();
        let entries = self.root.as_map().unwrap_or_default();
        if text[self.root.span.start.min(text.len())..]
            .trim_start()
            .starts_with('{')
        {
            return None;
        }
        let ranges: Vec<Range<usize>> = entries
            .iter()
            .map(|e| line_range(text, e.key_span.start, e.value.span.end.max(e.key_span.end)))
            .collect();
        if ranges.windows(2).any(|w| w[0].end > w[1].start) {
            return None; // several entries share a line
        }
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        let mut appended = String::new();
        for (key, value) in changes {
            let line = value
                .as_ref()
                .map(|v| format!("{}: {}\n", key.name(), yaml_text::scalar(v)));
            let existing = entries
                .iter()
                .zip(&ranges)
                .find(|(e, _)| e.key == key.name());
            match (existing, line) {
                (Some((entry, range)), line) => {
                    if range.start != entry.key_span.start {
                        return None; // the key is not at the start of its line
                    }
                    edits.push((range.clone(), line.unwrap_or_default()));
                }
                (None, Some(line)) => appended.push_str(&line),
                (None, None) => {}
            }
        }
        let mut out = text.to_owned();
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        for (range, replacement) in edits {
            out.replace_range(range, &replacement);
        }
        if !appended.is_empty() {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&appended);
        }
        Some(out)
    }
}

/// Writes `text` to `path` (creating its directory), replacing the file atomically and
/// keeping an existing file's permissions.
pub fn write(path: &Path, text: &str) -> Result<(), ConfigError> {
    let write_error = |source| ConfigError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(write_error)?;
    }
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".tmp{}", std::process::id()));
    let temp = PathBuf::from(temp);
    fs::write(&temp, text).map_err(write_error)?;
    let finish = || {
        if let Ok(existing) = fs::metadata(path) {
            fs::set_permissions(&temp, existing.permissions())?;
        }
        fs::rename(&temp, path)
    };
    finish().map_err(|e| {
        let _ = fs::remove_file(&temp);
        write_error(e)
    })
}

/// What an empty document parses to.
fn empty_root() -> Node {
    Node {
        span: Span::point(0),
        kind: Kind::Scalar(Scalar {
            text: String::new(),
            value: ScalarValue::Null,
        }),
    }
}

/// The document and every problem, all as errors: a config file has one document and no
/// duplicate keys.
fn parse_root(source: &SourceFile) -> (Node, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let root = match yaml::parse(source, &mut diagnostics) {
        Ok(root) => root,
        Err(fatal) => {
            diagnostics.insert(0, fatal);
            empty_root()
        }
    };
    for d in &mut diagnostics {
        d.severity = Severity::Error;
    }
    (root, diagnostics)
}

fn decode(entries: &[yaml::Entry], errors: &mut Vec<Diagnostic>) -> Vec<(Key, String)> {
    let mut values = Vec::new();
    for entry in entries {
        let Some(key) = Key::ALL.into_iter().find(|k| k.name() == entry.key) else {
            continue; // not tntc's: kept as written
        };
        let text = match &entry.value.kind {
            Kind::Scalar(scalar) if !entry.value.is_null() => scalar.text.clone(),
            Kind::Scalar(_) => continue,
            Kind::Map(_) | Kind::Seq(_) => {
                errors.push(Diagnostic::error(
                    key.name(),
                    entry.value.span,
                    format!(
                        "`{}` must be a single value, found {}",
                        key.name(),
                        entry.value.describe()
                    ),
                ));
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match key.check(&text) {
            Ok(()) => values.push((key, text)),
            Err(why) => errors.push(
                Diagnostic::error(key.name(), entry.value.span, why).with_hint(format!(
                    "fix it here, or rewrite it with `tntc configure {} <value>`",
                    key.long_flag()
                )),
            ),
        }
    }
    values
}

/// Byte range of the whole lines from the one holding `start` to the one holding the last
/// byte before `end`, with the final newline.
fn line_range(text: &str, start: usize, end: usize) -> Range<usize> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let last = end
        .max(start + 1)
        .min(text.len())
        .saturating_sub(1)
        .max(start);
    let line_end = text[last..].find('\n').map_or(text.len(), |i| last + i + 1);
    line_start..line_end
}

fn reparsed(path: &Path, text: &str) -> Option<Map<String, Value>> {
    let source = SourceFile::new(path, text);
    let (root, errors) = parse_root(&source);
    if !errors.is_empty() {
        return None;
    }
    match root.to_json() {
        Value::Object(map) => Some(map),
        Value::Null => Some(Map::new()),
        _ => None,
    }
}

fn written_out(values: &Map<String, Value>) -> String {
    let mut out = String::from("# tntc configuration (rewritten by `tntc configure`).\n");
    for (key, value) in values {
        out.push_str(&format!(
            "{}: {}\n",
            yaml_text::scalar(key),
            yaml_text::value(value)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ConfigFile {
        ConfigFile::parse(Path::new("config.yaml"), text.to_owned()).expect("valid")
    }

    fn set(key: Key, value: &str) -> (Key, Option<String>) {
        (key, Some(value.to_owned()))
    }

    #[test]
    fn a_changed_key_is_edited_in_place_and_everything_else_stays() {
        let text = "# my defaults\nregistry: old.io/x   # the old one\n\nenvironments:\n  prod: {context: k0s}\nnamespace: team-a\n";
        let out = parse(text).with_changes(&[
            set(Key::Registry, "ghcr.io/acme"),
            set(Key::RuntimeClass, "kata"),
        ]);
        assert_eq!(
            out,
            "# my defaults\nregistry: ghcr.io/acme\n\nenvironments:\n  prod: {context: k0s}\nnamespace: team-a\nruntime_class: kata\n"
        );
    }

    #[test]
    fn a_removed_key_loses_its_lines_only() {
        let text = "namespace: team-a\nregistry: |-\n  ghcr.io/acme\nmcp:\n  endpoint: http://x\n";
        let out = parse(text).with_changes(&[(Key::Registry, None), (Key::Namespace, None)]);
        assert_eq!(out, "mcp:\n  endpoint: http://x\n");
    }

    #[test]
    fn a_flow_mapping_is_written_out_whole_with_its_unknown_keys() {
        let out = parse("{namespace: a, catalog: {url: \"http://c\"}}")
            .with_changes(&[set(Key::Namespace, "b")]);
        assert_eq!(
            out,
            "# tntc configuration (rewritten by `tntc configure`).\nnamespace: b\ncatalog: {\"url\":\"http://c\"}\n"
        );
        let again = parse(&out);
        assert_eq!(again.get(Key::Namespace), Some("b"));
    }

    #[test]
    fn values_that_look_like_other_types_are_quoted() {
        let out =
            ConfigFile::empty(Path::new("c.yaml")).with_changes(&[set(Key::Namespace, "1234")]);
        assert_eq!(out, "namespace: \"1234\"\n");
        assert_eq!(parse(&out).get(Key::Namespace), Some("1234"));
    }

    #[test]
    fn a_file_without_a_final_newline_or_with_only_comments_gets_a_new_line() {
        assert_eq!(
            parse("namespace: a").with_changes(&[set(Key::Registry, "r.io")]),
            "namespace: a\nregistry: r.io\n"
        );
        assert_eq!(
            parse("# nothing yet\n").with_changes(&[set(Key::Registry, "r.io")]),
            "# nothing yet\nregistry: r.io\n"
        );
    }

    fn errors(text: &str) -> Vec<(usize, usize, String)> {
        match ConfigFile::parse(Path::new("c.yaml"), text.to_owned()) {
            Err(ConfigError::Invalid { file, diagnostics }) => diagnostics
                .iter()
                .map(|d| {
                    let at = file.location(d.span.start);
                    (at.line, at.column, d.message.clone())
                })
                .collect(),
            other => panic!("expected an invalid file, got {other:?}"),
        }
    }

    #[test]
    fn malformed_files_and_wrong_values_are_positioned_errors() {
        let syntax = errors("namespace: a\nregistry: [unclosed\n");
        assert_eq!(syntax.len(), 1, "{syntax:?}");
        assert!(syntax[0].2.starts_with("invalid YAML"), "{syntax:?}");
        assert_eq!(errors("namespace: Team_A\n")[0].0, 1);
        assert_eq!(errors("namespace: Team_A\n")[0].1, 12);
        assert_eq!(errors("a: 1\nregistry: {x: 1}\n")[0].0, 2);
        assert_eq!(
            errors("namespace: a\nnamespace: b\n")[0].2,
            "duplicate key `namespace`"
        );
        assert!(errors("- a\n")[0].2.contains("expected a mapping"));
    }

    #[test]
    fn unknown_keys_and_nulls_are_accepted() {
        let file = parse("namespace:\nworkspace: ~/tentacles\nregistry: \"\"\n");
        assert_eq!(file.get(Key::Namespace), None);
        assert_eq!(file.get(Key::Registry), None);
    }
}
