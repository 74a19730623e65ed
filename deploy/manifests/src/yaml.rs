//! JSON values as a YAML stream, the way `kubectl get -o yaml` reads: block mappings and
//! sequences, plain scalars where no parser could read them as anything else, multi-line
//! text as literal blocks (`|`), and every other string double-quoted with JSON escapes
//! (JSON's string syntax is a subset of YAML's double-quoted style). Keys keep their order.

use serde_json::Value;

/// `docs` as one YAML stream: each document starts with `---`.
pub fn to_yaml(docs: &[Value]) -> String {
    let mut out = String::new();
    for doc in docs {
        out.push_str("---\n");
        match doc {
            Value::Object(map) if !map.is_empty() => mapping(&mut out, map, 0),
            Value::Array(items) if !items.is_empty() => sequence(&mut out, items, 0),
            other => {
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
    out
}

fn mapping(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (key, value) in map {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar(key));
        out.push(':');
        value_after_key(out, value, indent);
    }
}

fn sequence(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key goes on the dash's line; the rest align under it.
                let mut first = true;
                for (key, value) in map {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    out.push_str(&scalar(key));
                    out.push(':');
                    value_after_key(out, value, indent + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                sequence(out, inner, indent + 2);
            }
            Value::String(s) if literal_ok(s) => {
                out.push(' ');
                literal(out, s, indent + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

/// A mapping value, after `key:`, for a key at `indent`.
fn value_after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            mapping(out, map, indent + 2);
        }
        // Sequences in mappings are not indented further, as kubectl writes them.
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            sequence(out, items, indent);
        }
        Value::String(s) if literal_ok(s) => {
            out.push(' ');
            literal(out, s, indent + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

/// A literal block scalar: `|` keeps exactly one final newline, `|-` none, `|+` all.
fn literal(out: &mut String, text: &str, indent: usize) {
    let body = text.trim_end_matches('\n');
    let trailing = text.len() - body.len();
    out.push_str(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

/// Whether `text` reads back exactly from a literal block: several lines, no carriage
/// returns or other control characters, no leading space or blank first line (which would
/// need an indentation indicator), no trailing spaces on any line (kept by the spec, but
/// lost by editors and easy to misread).
fn literal_ok(text: &str) -> bool {
    text.contains('\n')
        && !text.starts_with([' ', '\n', '\t'])
        && text
            .chars()
            .all(|c| c == '\n' || c == '\t' || !c.is_control())
        && !text.contains(['\u{feff}', '\u{2028}', '\u{2029}'])
        && text.split('\n').all(|l| !l.ends_with([' ', '\t']))
}

fn inline(value: &Value) -> String {
    match value {
        Value::String(s) => scalar(s),
        Value::Object(m) if m.is_empty() => "{}".to_owned(),
        Value::Array(a) if a.is_empty() => "[]".to_owned(),
        other => other.to_string(),
    }
}

/// A string as a scalar that reads back as that string: plain when unambiguous, else
/// double-quoted.
fn scalar(text: &str) -> String {
    if plain_ok(text) {
        return text.to_owned();
    }
    // JSON leaves these raw, but a YAML 1.1 parser (PyYAML) folds them as line breaks.
    let mut quoted = String::with_capacity(text.len() + 2);
    for c in Value::String(text.to_owned()).to_string().chars() {
        match c {
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                quoted.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => quoted.push(c),
        }
    }
    quoted
}

/// Conservative: starts with a letter or `/`, has only characters that never start a
/// comment, a flow collection, an alias or a mapping value (`: `), does not end with `:`,
/// and is no word a YAML 1.1 or 1.2 parser reads as a boolean or null.
fn plain_ok(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    const WORDS: [&str; 9] = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"];
    (first.is_ascii_alphabetic() || first == '/')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@+=".contains(c))
        && !text.ends_with(':')
        && !WORDS.contains(&text.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Parses `text` back with the spec's YAML parser (core schema, like kubectl's).
    fn parse_back(text: &str) -> Vec<Value> {
        text.split("---\n")
            .filter(|d| !d.is_empty())
            .map(|doc| {
                let source = tntc_spec::SourceFile::new("t.yaml", doc);
                let mut diagnostics = Vec::new();
                let node = tntc_spec::yaml::parse(&source, &mut diagnostics)
                    .unwrap_or_else(|d| panic!("{}: {doc}", d.message));
                assert!(diagnostics.is_empty(), "{diagnostics:?}");
                node.to_json()
            })
            .collect()
    }

    #[test]
    fn every_shape_reads_back_as_the_same_value() {
        let doc = json!({
            "apiVersion": "v1",
            "version": "1.0",
            "count": 3, "ratio": 0.5, "on": true, "none": null, "yes": "yes",
            "empty": {}, "list": [], "blank": "",
            "schedule": "0 9 * * *",
            "args": ["-sSf", "Content-Type: application/json", "{\"trigger\":\"x\"}", "#x", "a: b"],
            "checksum/code": "3f2a",
            "nested": {"items": [{"key": "a", "path": "b"}, {"key": "c"}], "deep": [[1, 2], []]},
            "text": "name: x\nversion: \"1.0\"\n\n  indented: yes\n",
            "no_final_newline": "a\nb",
            "many_newlines": "a\n\n\n",
            "leading_space": " a\nb\n",
            "trailing_space": "a \nb\n",
            "crlf": "a\r\nb\n",
            "unicode": "héllo \u{1f419}\u{0007}\u{2028}\u{85}x",
            "multiline_in_list": ["x\ny\n"],
        });
        let text = to_yaml(&[doc.clone(), json!({"second": 1})]);
        assert_eq!(parse_back(&text), [doc, json!({"second": 1})], "{text}");
    }

    #[test]
    fn multi_line_text_is_a_literal_block_and_lists_sit_under_their_key() {
        let text = to_yaml(&[
            json!({"data": {"workflow.yaml": "name: x\ntriggers:\n  - type: manual\n"}, "items": [{"key": "a", "path": "b"}]}),
        ]);
        assert_eq!(
            text,
            "---\ndata:\n  workflow.yaml: |\n    name: x\n    triggers:\n      - type: manual\nitems:\n- key: a\n  path: b\n"
        );
    }
}
