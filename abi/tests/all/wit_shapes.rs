//! Every JSON shape `wit/node.wit` documents as `(tntc-abi Name) {...}` must have exactly
//! the keys `Name` serializes: the required ones (present in a minimal value) unmarked, the
//! optional ones (present only when set) marked `?`. A field added to a type without
//! documenting it, or documented without the type writing it, fails here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::json;
use tntc_abi::fetch::{FetchRequestJson, FetchResponseMeta};
use tntc_abi::postgres::{
    PgConnectRequest, PgConnected, PgErrorFields, PgFailure, PgQueryRequest, PgQueryResult,
};
use tntc_abi::{DependencyView, GuestError, Invocation, Mode};

/// Documented shapes: type name -> (required keys, optional keys).
fn documented() -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit/node.wit");
    let wit = std::fs::read_to_string(path).expect("wit/node.wit");
    // Doc comments joined into one text, so a shape may span lines.
    let text: String = wit
        .lines()
        .map(|line| line.trim_start().trim_start_matches("///").trim())
        .collect::<Vec<_>>()
        .join(" ");
    let mut shapes = BTreeMap::new();
    let marker = "(tntc-abi ";
    let mut rest = text.as_str();
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let name_end = rest
            .find(')')
            .expect("a closing parenthesis after the type name");
        let name = rest[..name_end].to_string();
        let open = rest
            .find("`{")
            .expect("a backticked shape after the type name")
            + 1;
        let shape = &rest[open..];
        let keys = top_level_keys(shape);
        let previous = shapes.insert(name.clone(), keys);
        assert!(previous.is_none(), "{name} is documented twice");
        rest = &rest[open..];
    }
    shapes
}

/// The keys at depth 1 of the object that starts `text`, split by the `?` marker.
fn top_level_keys(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut required, mut optional) = (BTreeSet::new(), BTreeSet::new());
    let mut depth = 0;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            '"' => {
                let end = i
                    + 1
                    + chars[i + 1..]
                        .iter()
                        .position(|&c| c == '"')
                        .expect("closed");
                let word: String = chars[i + 1..end].iter().collect();
                let after: String = chars[end + 1..].iter().take(2).collect();
                if depth == 1 && after.starts_with("?:") {
                    optional.insert(word);
                } else if depth == 1 && after.starts_with(':') {
                    required.insert(word);
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    (required, optional)
}

fn keys(value: &impl Serialize) -> BTreeSet<String> {
    match serde_json::to_value(value).expect("serializes") {
        serde_json::Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

/// (keys of a minimal value, keys of a value with every field set).
fn actual() -> BTreeMap<&'static str, (BTreeSet<String>, BTreeSet<String>)> {
    let full_dependency = DependencyView {
        protocol: "postgresql".into(),
        port: 5432,
        host: Some("h".into()),
        auth_type: Some("password".into()),
        secret: Some("s".into()),
        database: Some("d".into()),
        user: Some("u".into()),
        subject: Some("s".into()),
        container: Some("c".into()),
    };
    let full_invocation = Invocation {
        node: "n".into(),
        mode: Mode::Test,
        contract: false,
        input: Some(json!({})),
        ..Invocation::default()
    };
    let pair = |min: BTreeSet<String>, full: BTreeSet<String>| (min, full);
    BTreeMap::from([
        (
            "Invocation",
            pair(keys(&Invocation::default()), keys(&full_invocation)),
        ),
        (
            "DependencyView",
            pair(keys(&DependencyView::default()), keys(&full_dependency)),
        ),
        (
            "GuestError",
            pair(
                keys(&GuestError::default()),
                keys(&GuestError {
                    message: "m".into(),
                    stack: Some("s".into()),
                }),
            ),
        ),
        (
            "FetchRequestJson",
            pair(
                keys(&FetchRequestJson::default()),
                keys(&FetchRequestJson {
                    timeout_ms: Some(1),
                    ..FetchRequestJson::default()
                }),
            ),
        ),
        (
            "FetchResponseMeta",
            pair(
                keys(&FetchResponseMeta::default()),
                keys(&FetchResponseMeta::default()),
            ),
        ),
        (
            "PgConnectRequest",
            pair(
                keys(&PgConnectRequest::default()),
                keys(&PgConnectRequest {
                    hostname: Some("h".into()),
                    port: Some(5432),
                    database: Some("d".into()),
                    user: Some("u".into()),
                    tls_enforce: true,
                }),
            ),
        ),
        (
            "PgConnected",
            pair(keys(&PgConnected::default()), keys(&PgConnected::default())),
        ),
        (
            "PgQueryRequest",
            pair(
                keys(&PgQueryRequest::default()),
                keys(&PgQueryRequest::default()),
            ),
        ),
        (
            "PgQueryResult",
            pair(
                keys(&PgQueryResult::default()),
                keys(&PgQueryResult {
                    row_count: Some(1),
                    ..PgQueryResult::default()
                }),
            ),
        ),
        (
            "PgFailure",
            pair(
                keys(&PgFailure::default()),
                keys(&PgFailure {
                    message: "m".into(),
                    fields: Some(PgErrorFields::default()),
                }),
            ),
        ),
    ])
}

#[test]
fn every_json_shape_in_the_wit_file_has_the_keys_its_type_writes() {
    let documented = documented();
    let actual = actual();
    let mut problems = Vec::new();
    for (name, (minimal, full)) in &actual {
        let Some((required, optional)) = documented.get(*name) else {
            problems.push(format!("{name} is not documented in wit/node.wit"));
            continue;
        };
        let optional_actual: BTreeSet<String> = full.difference(minimal).cloned().collect();
        if required != minimal {
            problems.push(format!(
                "{name}: wit/node.wit requires {required:?}, the type always writes {minimal:?}"
            ));
        }
        if optional != &optional_actual {
            problems.push(format!(
                "{name}: wit/node.wit marks {optional:?} optional, the type writes {optional_actual:?} only when set"
            ));
        }
    }
    for name in documented.keys() {
        if !actual.contains_key(name.as_str()) {
            problems.push(format!(
                "wit/node.wit documents {name}, which this test does not check"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "JSON shape drift:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_shape_parser_reads_nested_objects_and_optional_keys() {
    let (required, optional) =
        top_level_keys(r#"{"a": string, "b": {"inner": u8}, "c"?: [[x, y]], "d": u16 | null}"#);
    assert_eq!(
        required,
        BTreeSet::from(["a".to_string(), "b".to_string(), "d".to_string()])
    );
    assert_eq!(optional, BTreeSet::from(["c".to_string()]));
}
