//! A YAML document as a tree whose every key and value remembers its span.
//!
//! Built from `saphyr-parser` events rather than a generic YAML value type because validation
//! needs what such types throw away: the position of every key, duplicate keys (an error here,
//! silently "last one wins" elsewhere), and the raw text of scalars (`version: 1.0` must stay
//! `"1.0"`, not become the float `1`). Scalars resolve with the YAML 1.2 core schema, like the
//! original Go CLI's `yaml.v3`.

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YamlSpan};

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// A YAML node with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node is in the source.
    pub span: Span,
    /// What it is.
    pub kind: Kind,
}

/// The shape of a YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A scalar, with its raw text and resolved value.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<Entry>),
}

/// One `key: value` of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key's text.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// A scalar as written and as resolved by the core schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The text as written (after unquoting/unescaping).
    pub text: String,
    /// The resolved value.
    pub value: ScalarValue,
}

/// A resolved scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum ScalarValue {
    /// `~`, `null`, or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in i64.
    Int(i64),
    /// A float (also integers too large for i64).
    Float(f64),
    /// Anything else, and every quoted scalar.
    String(String),
}

impl Node {
    /// The entries if this is a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The scalar if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is an explicit or implicit null.
    pub fn is_null(&self) -> bool {
        matches!(
            &self.kind,
            Kind::Scalar(Scalar {
                value: ScalarValue::Null,
                ..
            })
        )
    }

    /// A word for error messages: "a mapping", "a list", "a string", ...
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Map(_) => "a mapping",
            Kind::Seq(_) => "a list",
            Kind::Scalar(s) => match s.value {
                ScalarValue::Null => "nothing (null)",
                ScalarValue::Bool(_) => "a boolean",
                ScalarValue::Int(_) => "an integer",
                ScalarValue::Float(_) => "a number",
                ScalarValue::String(_) => "a string",
            },
        }
    }

    /// The node as JSON, the way nodes see `ctx.config`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Scalar(s) => match &s.value {
                ScalarValue::Null => Value::Null,
                ScalarValue::Bool(b) => Value::Bool(*b),
                ScalarValue::Int(i) => Value::from(*i),
                ScalarValue::Float(f) => serde_json::Number::from_f64(*f)
                    .map_or_else(|| Value::String(s.text.clone()), Value::Number),
                ScalarValue::String(t) => Value::String(t.clone()),
            },
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Parses the first document of `source`. A syntax error is fatal (returned alone); duplicate
/// keys and similar problems are collected in `diagnostics` and parsing goes on.
pub fn parse(source: &SourceFile, diagnostics: &mut Vec<Diagnostic>) -> Result<Node, Diagnostic> {
    let mut builder = Builder {
        source,
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        documents: 0,
        diagnostics,
    };
    for event in Parser::new_from_str(source.text()) {
        let (event, span) = event.map_err(|e| {
            let at = offset(source, e.marker());
            Diagnostic::error("", Span::point(at), format!("invalid YAML: {}", e.info()))
                .with_hint("check the indentation and quoting around this spot")
        })?;
        if builder.event(event, span)? {
            break;
        }
    }
    Ok(builder.root.unwrap_or(Node {
        span: Span::point(0),
        kind: Kind::Scalar(Scalar {
            text: String::new(),
            value: ScalarValue::Null,
        }),
    }))
}

fn offset(source: &SourceFile, marker: &Marker) -> usize {
    source.offset_of(marker.line(), marker.col())
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        pending_key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    source: &'a SourceFile,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node)>,
    root: Option<Node>,
    documents: usize,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Builder<'_> {
    /// Handles one event; returns true when the first document is complete.
    fn event(&mut self, event: Event<'_>, span: YamlSpan) -> Result<bool, Diagnostic> {
        let start = offset(self.source, &span.start);
        let end = offset(self.source, &span.end);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "",
                            Span::point(start),
                            "only the first YAML document is read",
                        )
                        .with_hint("remove the `---` separator and everything after it"),
                    );
                    return Ok(true);
                }
            }
            Event::DocumentEnd => return Ok(self.root.is_some()),
            Event::Scalar(text, style, anchor, tag) => {
                let is_str_tag = tag
                    .as_ref()
                    .is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
                let value = if style == ScalarStyle::Plain && !is_str_tag {
                    resolve(&text)
                } else {
                    ScalarValue::String(text.to_string())
                };
                let node = Node {
                    span: Span::new(start, end.max(start)),
                    kind: Kind::Scalar(Scalar {
                        text: text.to_string(),
                        value,
                    }),
                };
                self.finish(node, anchor)?;
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                    .ok_or_else(|| {
                        Diagnostic::error("", Span::point(start), "unknown YAML alias")
                    })?;
                self.finish(node, 0)?;
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                start,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                start,
                anchor,
                entries: Vec::new(),
                pending_key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let node_end = end.max(start);
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        items,
                    }) => (
                        Node {
                            span: Span::new(start, node_end),
                            kind: Kind::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        start,
                        anchor,
                        entries,
                        ..
                    }) => (
                        Node {
                            span: Span::new(start, node_end),
                            kind: Kind::Map(merge_keys(entries)),
                        },
                        anchor,
                    ),
                    None => return Ok(false),
                };
                self.finish(node, anchor)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(false)
    }

    /// Places a completed node into its parent (or makes it the root).
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let key = match &node.kind {
                        Kind::Scalar(s) => s.text.clone(),
                        _ => {
                            return Err(Diagnostic::error("", node.span, "a mapping key must be a plain value")
                                .with_hint("keys are names such as `timeout:`; lists and mappings cannot be keys"));
                        }
                    };
                    if let Some(first) = entries.iter().find(|e| e.key == key && key != "<<") {
                        let line = self.source.location(first.key_span.start).line;
                        self.diagnostics.push(
                            Diagnostic::error(key.clone(), node.span, format!("duplicate key `{key}`"))
                                .with_label(format!("already defined on line {line}"))
                                .with_hint("each key may appear once per mapping; remove or rename one of them"),
                        );
                    }
                    *pending_key = Some((key, node.span));
                }
                Some((key, key_span)) => entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// Applies YAML merge keys (`<<: *defaults`): merged entries never override explicit ones.
fn merge_keys(entries: Vec<Entry>) -> Vec<Entry> {
    if !entries.iter().any(|e| e.key == "<<") {
        return entries;
    }
    let (merges, mut own): (Vec<Entry>, Vec<Entry>) =
        entries.into_iter().partition(|e| e.key == "<<");
    for merge in merges {
        let sources: Vec<&Node> = match &merge.value.kind {
            Kind::Seq(items) => items.iter().collect(),
            _ => vec![&merge.value],
        };
        for source in sources {
            if let Some(inherited) = source.as_map() {
                for entry in inherited {
                    if !own.iter().any(|e| e.key == entry.key) {
                        own.push(entry.clone());
                    }
                }
            } else {
                own.push(merge.clone());
            }
        }
    }
    own
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve(text: &str) -> ScalarValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarValue::Null,
        "true" | "True" | "TRUE" => return ScalarValue::Bool(true),
        "false" | "False" | "FALSE" => return ScalarValue::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return ScalarValue::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return ScalarValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return ScalarValue::Float(f64::NAN),
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(i) => ScalarValue::Int(i),
            Err(_) => text
                .parse()
                .map_or_else(|_| ScalarValue::String(text.into()), ScalarValue::Float),
        };
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return ScalarValue::Int(i);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return ScalarValue::Int(i);
    }
    if is_core_float(unsigned)
        && let Ok(f) = text.parse::<f64>()
    {
        return ScalarValue::Float(f);
    }
    ScalarValue::String(text.to_string())
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without a regex engine.
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (!int.is_empty() || !frac.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> (Node, Vec<Diagnostic>) {
        let src = SourceFile::new("t.yaml", text);
        let mut diags = Vec::new();
        let node = parse(&src, &mut diags).expect("valid yaml");
        (node, diags)
    }

    #[test]
    fn scalars_resolve_with_the_core_schema() {
        let (node, _) =
            parse_ok("a: 1.0\nb: 42\nc: yes\nd: ~\ne: \"7\"\nf: true\ng: 0x1f\nh: 1e3\n");
        let json = node.to_json();
        assert_eq!(
            json,
            serde_json::json!({"a": 1.0, "b": 42, "c": "yes", "d": null, "e": "7", "f": true, "g": 31, "h": 1000.0})
        );
        let a = &node.as_map().unwrap()[0].value;
        assert_eq!(a.as_scalar().unwrap().text, "1.0");
    }

    #[test]
    fn keys_and_values_keep_their_spans() {
        let src = SourceFile::new("t.yaml", "name: demo\nnodes:\n  hello:\n    path: ./x.ts\n");
        let node = parse(&src, &mut Vec::new()).unwrap();
        let nodes = &node.as_map().unwrap()[1];
        let hello = &nodes.value.as_map().unwrap()[0];
        assert_eq!(src.location(hello.key_span.start).line, 3);
        let path = &hello.value.as_map().unwrap()[0].value;
        let at = src.location(path.span.start);
        assert_eq!((at.line, at.column), (4, 11));
    }

    #[test]
    fn duplicate_keys_are_reported_with_the_first_definition() {
        let (_, diags) = parse_ok("a: 1\nb: 2\na: 3\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "duplicate key `a`");
        assert_eq!(diags[0].label.as_deref(), Some("already defined on line 1"));
    }

    #[test]
    fn syntax_errors_are_positioned() {
        let src = SourceFile::new("t.yaml", "a: [1, 2\nb: 3\n");
        let err = parse(&src, &mut Vec::new()).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
    }

    #[test]
    fn anchors_aliases_and_merge_keys_work() {
        let (node, diags) = parse_ok("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n");
        assert!(diags.is_empty());
        assert_eq!(node.to_json()["other"], serde_json::json!({"y": 3, "x": 1}));
    }

    #[test]
    fn empty_document_is_null() {
        let (node, _) = parse_ok("");
        assert!(node.is_null());
    }

    #[test]
    fn str_tag_keeps_text() {
        let (node, _) = parse_ok("a: !!str 12\n");
        assert_eq!(node.to_json()["a"], "12");
    }
}
