//! Writing YAML that people read and edit: scalars stay plain when that is unambiguous,
//! everything else is written as JSON (a subset of YAML), so any value round-trips.

use serde_json::Value;

/// A string as a YAML scalar (key or value) that reads back as that exact string: plain
/// (`ghcr.io/acme`) when no YAML parser could take it for anything else, otherwise
/// double-quoted with JSON escapes (`"1.0"`, `"true"`, `"a b"`, `""`).
pub fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else {
        Value::String(text.to_owned()).to_string()
    }
}

/// Any JSON value as a YAML value: strings through [`scalar`], the rest as JSON flow text.
pub fn value(value: &Value) -> String {
    match value {
        Value::String(s) => scalar(s),
        other => other.to_string(),
    }
}

/// Conservative: starts with a letter, `_` or `/` (no indicator, digit or sign), uses only
/// characters that never start a comment, flow collection or mapping value, does not end
/// with `:`, and is no word a YAML 1.1 or 1.2 parser reads as a boolean or null.
fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let words = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"];
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@+".contains(c))
        && !text.ends_with(':')
        && !words.contains(&text.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unambiguous_strings_stay_plain() {
        for s in [
            "gvisor",
            "ghcr.io/acme",
            "localhost:5000/team",
            "ghp_abc123",
            "sk-live-1",
        ] {
            assert_eq!(scalar(s), s);
        }
    }

    #[test]
    fn strings_a_parser_could_misread_are_quoted() {
        for (s, quoted) in [
            ("", "\"\""),
            ("1.0", "\"1.0\""),
            ("42", "\"42\""),
            ("true", "\"true\""),
            ("No", "\"No\""),
            ("null", "\"null\""),
            (".inf", "\".inf\""),
            ("a b", "\"a b\""),
            ("key:", "\"key:\""),
            ("#x", "\"#x\""),
            ("-x", "\"-x\""),
            ("tab\there", "\"tab\\there\""),
        ] {
            assert_eq!(scalar(s), quoted, "{s:?}");
        }
    }

    #[test]
    fn other_values_are_json_flow_text() {
        assert_eq!(value(&json!(5432)), "5432");
        assert_eq!(value(&json!({"a": [1, "b"]})), "{\"a\":[1,\"b\"]}");
        assert_eq!(value(&json!(null)), "null");
    }
}
