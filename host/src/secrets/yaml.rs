//! `.secrets.yaml` to [`Secrets`], keeping YAML's scalar types and reporting positions.

use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use serde_json::{Map, Number, Value};

use super::Secrets;
use super::error::SecretsError;

/// Parses one secrets YAML document.
pub(super) fn parse(text: &str, path: &Path) -> Result<Secrets, SecretsError> {
    let documents = MarkedYaml::load_from_str(text).map_err(|e| {
        let at = e.marker();
        SecretsError::Yaml {
            path: path.to_path_buf(),
            line: at.line(),
            column: at.col() + 1,
            // The parser quotes one offending character in this message; drop it.
            message: if e.info().starts_with("unexpected character") {
                "unexpected character".to_owned()
            } else {
                e.info().to_owned()
            },
        }
    })?;
    let shape = |node: &MarkedYaml<'_>, message: String| SecretsError::Shape {
        path: path.to_path_buf(),
        line: node.span.start.line(),
        column: node.span.start.col() + 1,
        message,
    };
    let Some(document) = documents.first() else {
        return Ok(Secrets::new());
    };
    if let Some(second) = documents.get(1) {
        return Err(shape(
            second,
            "a secrets file holds one YAML document; found several".to_owned(),
        ));
    }
    let mapping = match &document.data {
        YamlData::Mapping(m) => m,
        YamlData::Value(Scalar::Null) => return Ok(Secrets::new()),
        _ => {
            return Err(shape(
                document,
                "secrets must be a mapping of services, like `github: {token: ...}`".to_owned(),
            ));
        }
    };
    let mut secrets = Secrets::new();
    for (key, value) in mapping {
        let service = key_string(key)
            .ok_or_else(|| shape(key, "a service name must be a plain scalar".to_owned()))?;
        let keys = match &value.data {
            YamlData::Mapping(_) => match to_json(value, &shape)? {
                Value::Object(map) => map,
                _ => Map::new(),
            },
            YamlData::Value(Scalar::Null) => Map::new(),
            _ => {
                return Err(shape(
                    value,
                    format!(
                        "secret service {service:?} must be a mapping of keys, like `{service}: {{token: ...}}`"
                    ),
                ));
            }
        };
        secrets.insert(service, keys);
    }
    Ok(secrets)
}

/// A YAML node as the JSON value JavaScript's YAML parser would have produced.
fn to_json<F>(node: &MarkedYaml<'_>, shape: &F) -> Result<Value, SecretsError>
where
    F: Fn(&MarkedYaml<'_>, String) -> SecretsError,
{
    Ok(match &node.data {
        YamlData::Value(scalar) => scalar_json(scalar),
        YamlData::Representation(text, _, _) => Value::String(text.to_string()),
        YamlData::Sequence(items) => Value::Array(
            items
                .iter()
                .map(|item| to_json(item, shape))
                .collect::<Result<_, _>>()?,
        ),
        YamlData::Mapping(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let key = key_string(k)
                    .ok_or_else(|| shape(k, "a mapping key must be a plain scalar".to_owned()))?;
                map.insert(key, to_json(v, shape)?);
            }
            Value::Object(map)
        }
        YamlData::Tagged(tag, inner) => {
            let value = to_json(inner, shape)?;
            match value {
                Value::Number(_) | Value::Bool(_) | Value::Null
                    if tag.is_yaml_core_schema() && tag.suffix == "str" =>
                {
                    Value::String(key_string(inner).unwrap_or_default())
                }
                other => other,
            }
        }
        YamlData::Alias(_) => return Err(shape(node, "this alias cannot be resolved".to_owned())),
        YamlData::BadValue => {
            return Err(shape(node, "this value does not match its tag".to_owned()));
        }
    })
}

fn scalar_json(scalar: &Scalar<'_>) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Number((*i).into()),
        Scalar::FloatingPoint(f) => match Number::from_f64(f.into_inner()) {
            Some(n) => Value::Number(n),
            None => Value::String(js_float(f.into_inner())),
        },
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

/// A scalar as a JavaScript property key (`String(value)`); `None` for collections.
fn key_string(node: &MarkedYaml<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(scalar) => Some(match scalar {
            Scalar::Null => "null".to_owned(),
            Scalar::Boolean(b) => b.to_string(),
            Scalar::Integer(i) => i.to_string(),
            Scalar::FloatingPoint(f) => js_float(f.into_inner()),
            Scalar::String(s) => s.to_string(),
        }),
        YamlData::Representation(text, _, _) => Some(text.to_string()),
        YamlData::Tagged(_, inner) => key_string(inner),
        _ => None,
    }
}

fn js_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_ok(text: &str) -> Value {
        let secrets = parse(text, Path::new("s.yaml")).unwrap_or_else(|e| panic!("{e}"));
        serde_json::to_value(secrets).expect("json")
    }

    fn parse_err(text: &str) -> String {
        parse(text, Path::new("s.yaml"))
            .expect_err("accepted")
            .to_string()
    }

    #[test]
    fn yaml_scalars_keep_their_types() {
        let v = parse_ok(
            "github:\n  token: ghp_abc123\ndb:\n  port: 5432\n  ratio: 1.5\n  tls: true\n  \
             quoted: \"5432\"\n  none: ~\n  yes_word: yes\n  hex: 0x1F\n  inf: .inf\n  \
             list: [a, 1]\n  map: {x: y}\n  tagged: !!str 42\n",
        );
        assert_eq!(
            v,
            json!({
                "db": {"port": 5432, "ratio": 1.5, "tls": true, "quoted": "5432", "none": null,
                       "yes_word": "yes", "hex": 31, "inf": "Infinity", "list": ["a", 1],
                       "map": {"x": "y"}, "tagged": "42"},
                "github": {"token": "ghp_abc123"}
            })
        );
    }

    #[test]
    fn empty_files_and_empty_services_are_allowed() {
        assert_eq!(parse_ok(""), json!({}));
        assert_eq!(parse_ok("# only a comment\n"), json!({}));
        assert_eq!(parse_ok("~\n"), json!({}));
        assert_eq!(parse_ok("github:\n"), json!({"github": {}}));
        assert_eq!(parse_ok("1: {2: x}\n"), json!({"1": {"2": "x"}}));
    }

    #[test]
    fn bad_yaml_is_reported_with_file_line_and_column_but_no_value() {
        let err = parse_err("github:\n  token: ghp_abc123\n  other: [unclosed, sk_live_secret\n");
        assert!(err.starts_with("s.yaml:"), "{err}");
        assert!(
            !err.contains("sk_live_secret") && !err.contains("ghp_abc123"),
            "{err}"
        );
        let err = parse_err("a: `sk_live_secret\n");
        assert!(err.starts_with("s.yaml:1:"), "{err}");
        assert!(!err.contains('`') && !err.contains("sk_live"), "{err}");
        let dup = parse_err("a:\n  k: 1\na:\n  k: 2\n");
        assert!(dup.contains("s.yaml:3:"), "{dup}");
    }

    #[test]
    fn wrong_shapes_name_the_service_and_position_but_not_the_value() {
        let err = parse_err("github:\n  token: x\napi-token: sk_live_secret\n");
        assert_eq!(
            err,
            "s.yaml:3:12: secret service \"api-token\" must be a mapping of keys, like `api-token: {token: ...}`"
        );
        assert!(parse_err("- a\n- b\n").contains("s.yaml:1:1: secrets must be a mapping"));
        assert!(parse_err("a: {k: 1}\n---\nb: {k: 2}\n").contains("one YAML document"));
        assert!(parse_err("[x]: {k: 1}\n").contains("plain scalar"));
    }
}
