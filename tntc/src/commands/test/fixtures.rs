//! Fixture files: finding them in `tests/fixtures/` and reading them.
//!
//! `tests/fixtures/<node>.json` is the original's one fixture per node; more cases of the same
//! node are `tests/fixtures/<node>.<case>.json` (node ids cannot contain dots, so the split is
//! unambiguous). Each holds `{"input": any, "config"?: object, "secrets"?: object,
//! "expected"?: any}`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::{Map, Value};

/// Where fixtures live, relative to the workflow directory.
pub const FIXTURES_DIR: &str = "tests/fixtures";

const KEYS: &[&str] = &["input", "config", "secrets", "expected"];

/// One fixture file of a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixtureFile {
    /// The node it tests.
    pub node: String,
    /// `<case>` of `<node>.<case>.json`; `None` for `<node>.json`.
    pub case: Option<String>,
    /// The file on disk.
    pub path: PathBuf,
    /// Its path relative to the workflow directory (`tests/fixtures/report.json`).
    pub rel: String,
}

impl FixtureFile {
    /// How results name it: `report`, `report.empty-input`.
    pub fn name(&self) -> String {
        match &self.case {
            Some(case) => format!("{}.{case}", self.node),
            None => self.node.clone(),
        }
    }
}

/// Every fixture file of a workflow.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Per node: `<node>.json` first, then the cases in name order.
    pub by_node: BTreeMap<String, Vec<FixtureFile>>,
    /// `.json` files in the fixtures directory that name no node (a renamed node, a typo).
    pub orphans: Vec<String>,
}

impl Discovered {
    /// The fixtures of `node` (empty when it has none).
    pub fn of(&self, node: &str) -> &[FixtureFile] {
        self.by_node.get(node).map_or(&[], Vec::as_slice)
    }

    /// `<node>.json`, the fixture `--pipeline` reads.
    pub fn main(&self, node: &str) -> Option<&FixtureFile> {
        self.of(node).iter().find(|f| f.case.is_none())
    }
}

/// Lists the fixtures of the nodes `nodes` in `<workflow_dir>/tests/fixtures/`.
pub fn discover(workflow_dir: &Path, nodes: &[&str]) -> anyhow::Result<Discovered> {
    let dir = workflow_dir.join(FIXTURES_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Discovered::default()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut found = Discovered::default();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = file_name.strip_suffix(".json") else {
            continue;
        };
        if file_name.starts_with('.') || !entry.path().is_file() {
            continue;
        }
        let rel = format!("{FIXTURES_DIR}/{file_name}");
        let (node, case) = match stem.split_once('.') {
            Some((node, case)) => (node, Some(case.to_string())),
            None => (stem, None),
        };
        if !nodes.contains(&node) || case.as_deref() == Some("") {
            found.orphans.push(rel);
            continue;
        }
        found
            .by_node
            .entry(node.to_string())
            .or_default()
            .push(FixtureFile {
                node: node.to_string(),
                case,
                path: entry.path(),
                rel,
            });
    }
    for files in found.by_node.values_mut() {
        files.sort_by(|a, b| a.case.cmp(&b.case));
    }
    found.orphans.sort();
    Ok(found)
}

/// A fixture's contents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fixture {
    /// The node's input; `None` when the file has no `input` (the node gets `undefined`, as
    /// it did in the original).
    pub input: Option<Value>,
    /// `ctx.config` (default `{}`).
    pub config: Map<String, Value>,
    /// `ctx.secrets` (default `{}`).
    pub secrets: Map<String, Value>,
    /// The output the node must return, compared by JSON deep equality.
    pub expected: Option<Value>,
    /// Top-level keys the format does not know (a typo such as `expect` would otherwise
    /// silently turn the comparison off).
    pub unknown_keys: Vec<String>,
}

/// Reads and checks a fixture file; the error says what is wrong, where and what to do.
pub fn load(file: &FixtureFile) -> Result<Fixture, String> {
    let text = std::fs::read_to_string(&file.path)
        .map_err(|e| format!("cannot read {}: {e}", file.rel))?;
    parse(&text).map_err(|e| format!("{}: {e}", file.rel))
}

fn parse(text: &str) -> Result<Fixture, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut fields) = value else {
        return Err(format!(
            "a fixture is a JSON object {{\"input\": ..., \"expected\": ...}}, not {}",
            kind(&value)
        ));
    };
    let object = |fields: &mut Map<String, Value>, key: &str| match fields.remove(key) {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(other) => Err(format!("`{key}` must be an object, not {}", kind(&other))),
    };
    let config = object(&mut fields, "config")?;
    let secrets = object(&mut fields, "secrets")?;
    Ok(Fixture {
        input: fields.remove("input"),
        config,
        secrets,
        expected: fields.remove("expected"),
        unknown_keys: fields
            .keys()
            .filter(|k| !KEYS.contains(&k.as_str()))
            .cloned()
            .collect(),
    })
}

/// `a string`, `an array`, ... for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The warning for unknown keys.
pub fn unknown_keys_warning(keys: &[String]) -> Option<String> {
    (!keys.is_empty()).then(|| {
        let list = keys
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "unknown key{} {list} ignored (a fixture has input, config, secrets and expected)",
            if keys.len() == 1 { "" } else { "s" }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_field_but_input_is_optional() {
        let fixture = parse(r#"{"input": {"text": "hi"}}"#).expect("valid");
        assert_eq!(fixture.input, Some(json!({"text": "hi"})));
        assert_eq!(fixture.config, Map::new());
        assert_eq!(fixture.expected, None);
        assert_eq!(parse("{}").expect("valid").input, None);
    }

    #[test]
    fn misspelled_keys_are_reported() {
        let fixture = parse(r#"{"input": 1, "expect": 2}"#).expect("valid");
        assert_eq!(fixture.unknown_keys, ["expect"]);
        assert_eq!(
            unknown_keys_warning(&fixture.unknown_keys).as_deref(),
            Some(
                "unknown key `expect` ignored (a fixture has input, config, secrets and expected)"
            )
        );
    }

    #[test]
    fn malformed_fixtures_say_what_is_wrong() {
        assert_eq!(
            parse("[1]").unwrap_err(),
            "a fixture is a JSON object {\"input\": ..., \"expected\": ...}, not an array"
        );
        assert_eq!(
            parse(r#"{"input": 1, "config": [1]}"#).unwrap_err(),
            "`config` must be an object, not an array"
        );
        assert!(
            parse("{\"input\": }")
                .unwrap_err()
                .contains("line 1 column 11")
        );
    }

    #[test]
    fn cases_follow_the_main_fixture_and_strangers_are_orphans() {
        let dir = tempfile::tempdir().expect("tmp");
        let fixtures = dir.path().join(FIXTURES_DIR);
        std::fs::create_dir_all(&fixtures).expect("mkdir");
        for name in [
            "b.z.json",
            "b.json",
            "b.a.json",
            "a.json",
            "gone.json",
            "b..json",
            "notes.md",
        ] {
            std::fs::write(fixtures.join(name), "{}").expect("write");
        }
        let found = discover(dir.path(), &["a", "b", "c"]).expect("discover");
        let names: Vec<String> = found.of("b").iter().map(FixtureFile::name).collect();
        assert_eq!(names, ["b", "b.a", "b.z"]);
        assert_eq!(
            found.main("a").map(|f| f.rel.as_str()),
            Some("tests/fixtures/a.json")
        );
        assert!(found.of("c").is_empty());
        assert_eq!(
            found.orphans,
            ["tests/fixtures/b..json", "tests/fixtures/gone.json"]
        );
    }

    #[test]
    fn a_workflow_without_fixtures_has_none() {
        let dir = tempfile::tempdir().expect("tmp");
        let found = discover(dir.path(), &["a"]).expect("discover");
        assert!(found.by_node.is_empty() && found.orphans.is_empty());
    }
}
