//! Reading typed fields out of the YAML tree while collecting diagnostics.

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::yaml::{Entry, Kind, Node, ScalarValue};

/// Collects diagnostics during decoding.
#[derive(Default)]
pub(crate) struct Sink {
    pub diagnostics: Vec<Diagnostic>,
}

impl Sink {
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// Reports a value of the wrong shape.
    pub fn wrong_type(&mut self, path: &str, node: &Node, expected: &str) {
        self.push(
            Diagnostic::error(
                path,
                node.span,
                format!("`{}` must be {expected}", leaf(path)),
            )
            .with_label(format!("found {}", node.describe())),
        );
    }
}

/// `parent.key`, or `key` at the top.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// A mapping being decoded: tracks which keys were read so the rest can be reported.
pub(crate) struct Fields<'n> {
    path: String,
    span: Span,
    anchor: Option<Span>,
    entries: &'n [Entry],
    used: Vec<bool>,
}

impl<'n> Fields<'n> {
    /// Starts reading `node` as a mapping; reports an error and returns `None` otherwise.
    pub fn of(sink: &mut Sink, path: &str, node: &'n Node, expected: &str) -> Option<Fields<'n>> {
        match &node.kind {
            Kind::Map(entries) => Some(Fields {
                path: path.to_string(),
                span: node.span,
                anchor: None,
                entries,
                used: vec![false; entries.len()],
            }),
            _ => {
                sink.wrong_type(path, node, expected);
                None
            }
        }
    }

    /// Points "missing key" errors at `span` (the mapping's own key) instead of its first key.
    pub fn anchored(mut self, span: Span) -> Fields<'n> {
        self.anchor = Some(span);
        self
    }

    /// The YAML path of one of its keys.
    pub fn child(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The entry for `key`, marked as read.
    pub fn get(&mut self, key: &str) -> Option<&'n Entry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        self.used[i] = true;
        Some(&self.entries[i])
    }

    /// The entry for `key`; a "missing" error pointing at the mapping when absent.
    pub fn require(&mut self, sink: &mut Sink, key: &str, hint: &str) -> Option<&'n Entry> {
        let entry = self.get(key);
        if entry.is_none() {
            let what = if self.path.is_empty() {
                "the workflow".to_string()
            } else {
                format!("`{}`", self.path)
            };
            sink.push(
                Diagnostic::error(
                    self.child(key),
                    self.missing_span(),
                    format!("{what} is missing `{key}`"),
                )
                .with_hint(hint),
            );
        }
        entry
    }

    /// Where to point for a missing key: the mapping's first key (its "header").
    fn missing_span(&self) -> Span {
        if let Some(anchor) = self.anchor {
            return anchor;
        }
        self.entries
            .first()
            .map_or(Span::point(self.span.start), |e| e.key_span)
    }

    /// All entries (marks them read), for open mappings.
    pub fn all(&mut self) -> &'n [Entry] {
        self.used.iter_mut().for_each(|u| *u = true);
        self.entries
    }

    /// Warns about every key not read, suggesting the closest known one.
    pub fn finish(self, sink: &mut Sink, known: &[&str]) {
        for (entry, used) in self.entries.iter().zip(&self.used) {
            if *used {
                continue;
            }
            let mut d = Diagnostic::warning(
                join(&self.path, &entry.key),
                entry.key_span,
                format!("unknown key `{}` is ignored", entry.key),
            );
            d = match closest(&entry.key, known) {
                Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                None => d.with_hint(format!("known keys here: {}", known.join(", "))),
            };
            sink.push(d);
        }
    }
}

/// A scalar's text; errors for mappings, lists and nulls.
pub(crate) fn text(sink: &mut Sink, path: &str, node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Scalar(s) if s.value != ScalarValue::Null => Some(s.text.clone()),
        _ => {
            sink.wrong_type(path, node, "a string");
            None
        }
    }
}

/// A non-negative integer.
pub(crate) fn unsigned(sink: &mut Sink, path: &str, node: &Node) -> Option<u64> {
    match node.as_scalar().map(|s| &s.value) {
        Some(ScalarValue::Int(i)) if *i >= 0 => Some(*i as u64),
        Some(ScalarValue::Int(i)) => {
            sink.push(
                Diagnostic::error(
                    path,
                    node.span,
                    format!("`{}` must not be negative", leaf(path)),
                )
                .with_label(format!("found {i}")),
            );
            None
        }
        _ => {
            sink.wrong_type(path, node, "a non-negative integer");
            None
        }
    }
}

/// A list of scalar strings (a single string is accepted as a one-item list when `lenient`).
pub(crate) fn string_list(sink: &mut Sink, path: &str, node: &Node) -> Option<Vec<(String, Span)>> {
    let items = match node.as_seq() {
        Some(items) => items,
        None => {
            sink.wrong_type(path, node, "a list");
            return None;
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(t) = text(sink, &index(path, i), item) {
            out.push((t, item.span));
        }
    }
    Some(out)
}

/// The candidate within edit distance 2 of `word` (case-insensitive), if any.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (levenshtein(&word.to_lowercase(), &c.to_lowercase()), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_typos_only() {
        assert_eq!(closest("tiggers", &["triggers", "nodes"]), Some("triggers"));
        assert_eq!(closest("Nodes", &["triggers", "nodes"]), Some("nodes"));
        assert_eq!(closest("banana", &["triggers", "nodes"]), None);
        assert_eq!(closest("ab", &["xy"]), None);
    }
}
