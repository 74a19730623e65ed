//! The invocation: the JSON document a node run receives (`run(invocation)` in
//! `wit/node.wit`), which the runtime's prelude turns into the node's `ctx` and `input`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One node run's invocation.
///
/// `{"node", "config", "secrets", "dependencies", "outOfScope", "mode"?, "contract"?,
/// "input"?}`: the fields in this order, `mode` only for test runs, `contract` only when
/// false, `input` absent when the node gets none (`ctx`'s input is then `undefined`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// The node's id (its log lines and error messages name it).
    pub node: String,
    /// `ctx.config`: workflow.yaml's `config`, every key.
    pub config: Map<String, Value>,
    /// `ctx.secrets`: service -> key -> value, only what the node may see.
    pub secrets: Map<String, Value>,
    /// `ctx.dependency(name)` for each dependency the node may reach.
    pub dependencies: BTreeMap<String, DependencyView>,
    /// Contract dependencies the node may not reach, named so that `ctx.dependency` can
    /// say why instead of calling them undeclared.
    #[serde(default)]
    pub out_of_scope: Vec<String>,
    /// Run for real, or under `tntc test`'s mock context.
    #[serde(default, skip_serializing_if = "Mode::is_run")]
    pub mode: Mode,
    /// False when workflow.yaml has no `contract` (test mode then gives every dependency
    /// name the original's default mock instead of refusing it).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub contract: bool,
    /// The node's input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
}

impl Default for Invocation {
    /// A run-mode invocation of a workflow with a contract, for no node yet.
    fn default() -> Self {
        Invocation {
            node: String::new(),
            config: Map::new(),
            secrets: Map::new(),
            dependencies: BTreeMap::new(),
            out_of_scope: Vec::new(),
            mode: Mode::Run,
            contract: true,
            input: None,
        }
    }
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

/// How the prelude builds `ctx`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `ctx.fetch` and `ctx.dependency(..).fetch` reach the network through the host.
    #[default]
    Run,
    /// `tntc test`: no host requests; fetches answer with mocks and what the node touched
    /// comes back with its output (`{"output", "trace"}`) for contract drift detection.
    Test,
}

impl Mode {
    fn is_run(&self) -> bool {
        *self == Mode::Run
    }
}

/// What `ctx.dependency(name)` returns (the prelude adds `fetch` for https).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencyView {
    /// `https`, `postgresql`, `nats`, `blob`, `dynamic-target`, ...
    pub protocol: String,
    /// The declared port, else the protocol's default (postgresql 5432, nats 4222, else 443).
    pub port: u16,
    /// The declared host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `auth.type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// The value of `auth.secret`, resolved from the node's secrets (non-strings as JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// `database` (postgresql).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// `user` (postgresql).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `subject` (nats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// `container` (blob).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

/// An invocation serialized once with a slot for the input, so that each run only writes
/// its input: a host prepares one per node and fills it per run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvocationTemplate {
    /// The invocation's JSON up to `"input":` (the input and the closing brace follow).
    prefix: String,
}

impl InvocationTemplate {
    /// The template of `invocation` (its `input` is ignored).
    pub fn new(invocation: &Invocation) -> Result<Self, serde_json::Error> {
        let without_input = Invocation {
            input: None,
            ..invocation.clone()
        };
        let json = serde_json::to_string(&without_input)?;
        // An object always ends with its brace, and `node` makes it non-empty.
        let open = json.strip_suffix('}').unwrap_or(&json);
        Ok(Self {
            prefix: format!("{open},\"input\":"),
        })
    }

    /// The invocation with `input` (JSON text) in its slot.
    pub fn fill(&self, input_json: &str) -> String {
        let mut text = String::with_capacity(self.prefix.len() + input_json.len() + 1);
        text.push_str(&self.prefix);
        text.push_str(input_json);
        text.push('}');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_run_invocation_has_no_mode_or_contract_fields() {
        let invocation = Invocation {
            node: "n".into(),
            ..Invocation::default()
        };
        let text = serde_json::to_string(&invocation).unwrap();
        assert_eq!(
            text,
            r#"{"node":"n","config":{},"secrets":{},"dependencies":{},"outOfScope":[]}"#
        );
    }

    #[test]
    fn a_test_invocation_without_contract_says_both() {
        let invocation = Invocation {
            node: "n".into(),
            mode: Mode::Test,
            contract: false,
            input: Some(json!({"a": 1})),
            ..Invocation::default()
        };
        let value = serde_json::to_value(&invocation).unwrap();
        assert_eq!(value["mode"], "test");
        assert_eq!(value["contract"], false);
        assert_eq!(value["input"], json!({"a": 1}));
        let back: Invocation = serde_json::from_value(value).unwrap();
        assert_eq!(back, invocation);
    }

    #[test]
    fn a_filled_template_is_the_invocation_with_its_input() {
        let mut invocation = Invocation {
            node: "n".into(),
            ..Invocation::default()
        };
        invocation.dependencies.insert(
            "db".into(),
            DependencyView {
                protocol: "postgresql".into(),
                port: 5432,
                host: Some("db.internal".into()),
                ..DependencyView::default()
            },
        );
        let template = InvocationTemplate::new(&invocation).unwrap();
        let filled: Invocation = serde_json::from_str(&template.fill(r#"{"x":[1,2]}"#)).unwrap();
        invocation.input = Some(json!({"x": [1, 2]}));
        assert_eq!(filled, invocation);
    }

    #[test]
    fn a_dependency_writes_only_the_fields_it_has() {
        let view = DependencyView {
            protocol: "blob".into(),
            port: 443,
            container: Some("c".into()),
            ..DependencyView::default()
        };
        assert_eq!(
            serde_json::to_string(&view).unwrap(),
            r#"{"protocol":"blob","port":443,"container":"c"}"#
        );
    }
}
