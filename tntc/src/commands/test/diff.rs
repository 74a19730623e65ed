//! JSON deep equality, and the differences people read when it fails.
//!
//! Equality is JSON's, not JavaScript's object identity: object key order does not matter,
//! numbers compare by value (`1` equals `1.0`, as `JSON.stringify` would print both), arrays
//! compare item by item. Each difference names its place with a JSONPath-like path:
//! `$.top[1].word`, `$["fetch-stories"].stories`.

use std::fmt;

use serde_json::{Map, Value};

use super::fixtures::kind;

/// Longest value shown in a difference line, in characters.
const VALUE_WIDTH: usize = 60;

/// One place where the output differs from `expected`.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// Where, e.g. `$.top[1].word`.
    pub path: String,
    /// What differs there.
    pub change: Change,
}

/// How a place differs.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Both have a value, and they differ (in value or in type).
    Changed {
        /// The fixture's value.
        expected: Value,
        /// The node's value.
        got: Value,
    },
    /// `expected` has a key or item the output lacks.
    Missing {
        /// The fixture's value.
        expected: Value,
    },
    /// The output has a key or item `expected` lacks.
    Unexpected {
        /// The node's value.
        got: Value,
    },
}

/// Whether two JSON values are equal (key order ignored, numbers by value).
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

fn numbers_equal(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if x.is_f64() || y.is_f64() {
        x.as_f64() == y.as_f64()
    } else {
        x == y
    }
}

/// Every difference between `expected` and `got`, in document order (expected's keys first,
/// then keys only the output has).
pub fn diff(expected: &Value, got: &Value) -> Vec<Difference> {
    let mut found = Vec::new();
    walk("$".to_string(), expected, got, &mut found);
    found
}

fn walk(path: String, expected: &Value, got: &Value, found: &mut Vec<Difference>) {
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => objects(&path, e, g, found),
        (Value::Array(e), Value::Array(g)) => {
            for (i, (e, g)) in e.iter().zip(g).enumerate() {
                walk(format!("{path}[{i}]"), e, g, found);
            }
            for (i, e) in e.iter().enumerate().skip(g.len()) {
                found.push(Difference {
                    path: format!("{path}[{i}]"),
                    change: Change::Missing {
                        expected: e.clone(),
                    },
                });
            }
            for (i, g) in g.iter().enumerate().skip(e.len()) {
                found.push(Difference {
                    path: format!("{path}[{i}]"),
                    change: Change::Unexpected { got: g.clone() },
                });
            }
        }
        _ if equal(expected, got) => {}
        _ => found.push(Difference {
            path,
            change: Change::Changed {
                expected: expected.clone(),
                got: got.clone(),
            },
        }),
    }
}

fn objects(
    path: &str,
    expected: &Map<String, Value>,
    got: &Map<String, Value>,
    found: &mut Vec<Difference>,
) {
    for (key, e) in expected {
        let at = member(path, key);
        match got.get(key) {
            Some(g) => walk(at, e, g, found),
            None => found.push(Difference {
                path: at,
                change: Change::Missing {
                    expected: e.clone(),
                },
            }),
        }
    }
    for (key, g) in got {
        if !expected.contains_key(key) {
            found.push(Difference {
                path: member(path, key),
                change: Change::Unexpected { got: g.clone() },
            });
        }
    }
}

/// `$.key` for identifier-like keys, `$["odd key"]` otherwise.
fn member(path: &str, key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

/// Compact JSON, cut to [`VALUE_WIDTH`] characters.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= VALUE_WIDTH {
        return text;
    }
    let cut: String = text.chars().take(VALUE_WIDTH - 1).collect();
    format!("{cut}…")
}

/// `a string "7"`; just `null` for null.
fn typed(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        other => format!("{} {}", kind(other), short(other)),
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        match &self.change {
            Change::Changed { expected, got } if kind(expected) == kind(got) => {
                write!(
                    f,
                    "{path}: expected {}, got {}",
                    short(expected),
                    short(got)
                )
            }
            Change::Changed { expected, got } => write!(
                f,
                "{path}: expected {}, got {}",
                typed(expected),
                typed(got)
            ),
            Change::Missing { expected } => {
                write!(f, "{path}: missing, expected {}", short(expected))
            }
            Change::Unexpected { got } => write!(f, "{path}: not expected, got {}", short(got)),
        }
    }
}

impl Difference {
    /// `{path, message, expected?, got?}` for `-o json` (values in full).
    pub fn report(&self) -> tntc_report::test::Difference {
        let (expected, got) = match &self.change {
            Change::Changed { expected, got } => (Some(expected), Some(got)),
            Change::Missing { expected } => (Some(expected), None),
            Change::Unexpected { got } => (None, Some(got)),
        };
        tntc_report::test::Difference {
            path: self.path.clone(),
            message: self.to_string(),
            expected: expected.cloned(),
            got: got.cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn lines(expected: Value, got: Value) -> Vec<String> {
        diff(&expected, &got)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn equal_values_ignore_key_order_and_number_spelling() {
        assert!(equal(
            &json!({"a": 1, "b": [1.0, "x"]}),
            &json!({"b": [1, "x"], "a": 1.0})
        ));
        assert!(!equal(&json!({"a": 1}), &json!({"a": 1, "b": null})));
        assert!(!equal(&json!([1, 2]), &json!([2, 1])));
        assert!(diff(&json!({"a": [1]}), &json!({"a": [1.0]})).is_empty());
    }

    #[test]
    fn changed_values_are_named_by_their_path() {
        assert_eq!(
            lines(
                json!({"top": [{"word": "the"}, {"word": "and"}]}),
                json!({"top": [{"word": "the"}, {"word": "brown"}]})
            ),
            [r#"$.top[1].word: expected "and", got "brown""#]
        );
    }

    #[test]
    fn missing_and_extra_keys_and_items_are_listed() {
        assert_eq!(
            lines(
                json!({"a": 1, "b": [1, 2]}),
                json!({"b": [1, 2, 3], "c": true})
            ),
            [
                "$.a: missing, expected 1",
                "$.b[2]: not expected, got 3",
                "$.c: not expected, got true"
            ]
        );
        assert_eq!(
            lines(json!([1, 2]), json!([1])),
            ["$[1]: missing, expected 2"]
        );
    }

    #[test]
    fn type_changes_name_both_types() {
        assert_eq!(
            lines(json!({"total": 7}), json!({"total": "7"})),
            [r#"$.total: expected a number 7, got a string "7""#]
        );
        assert_eq!(
            lines(json!(null), json!([])),
            ["$: expected null, got an array []"]
        );
    }

    #[test]
    fn keys_that_are_not_identifiers_are_quoted() {
        assert_eq!(
            lines(
                json!({"fetch-stories": {"n": 1}}),
                json!({"fetch-stories": {"n": 2}})
            ),
            [r#"$["fetch-stories"].n: expected 1, got 2"#]
        );
    }

    #[test]
    fn long_values_are_cut() {
        let long = "x".repeat(100);
        let line = lines(json!(long), json!("y")).remove(0);
        assert!(line.starts_with("$: expected \"xxx"), "{line}");
        assert!(line.contains("x…, got \"y\""), "{line}");
    }

    #[test]
    fn json_form_keeps_full_values() {
        let d = diff(&json!({"a": 1}), &json!({}));
        assert_eq!(
            serde_json::to_value(d[0].report()).expect("serializes"),
            json!({"path": "$.a", "message": "$.a: missing, expected 1", "expected": 1})
        );
    }
}
