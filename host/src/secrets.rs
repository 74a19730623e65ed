//! Workflow secrets: where they come from, how they merge, and how they stay out of logs.
//!
//! # Sources (the cascade of the original engine)
//! [`SecretSources::load`] reads, in order, each one merged on top of the previous
//! *shallowly, per service* (a later source's `github` replaces an earlier `github`
//! whole, as JavaScript's `Object.assign` did):
//!
//! 1. with `--secrets <path>` (a YAML file or a directory): that path only (it must exist);
//!    otherwise `<workflow>/.secrets/` (the base), then `<workflow>/.secrets.yaml`;
//! 2. always last: the Kubernetes Secret volume, `/app/secrets` (injectable for tests).
//!
//! A missing source is skipped (except an explicit `--secrets` path, where a missing path
//! is an error rather than the original's silent `{}`).
//!
//! # Formats
//! *Directory*: every non-hidden entry is one service named after the file. Symlinks are
//! followed, which is how Kubernetes mounts Secrets (`github -> ..data/github`,
//! `..data -> ..2024_01_01_...`); hidden entries (`..data`, `.gitkeep`) and
//! subdirectories are skipped. Content that parses as a JSON object is used as-is; anything
//! else becomes `{"value": "<content, trimmed>"}` (a leading BOM is dropped, invalid
//! UTF-8 replaced, as Deno's `readTextFile` did).
//!
//! *YAML file*: a mapping of service name to mapping of keys. Values keep their YAML
//! types, as the original's YAML parser gave them to JavaScript: `port: 5432` is the number
//! 5432, `enabled: true` a boolean, nested maps and lists stay nested (non-finite floats
//! become the strings `Infinity`/`-Infinity`/`NaN`; mapping keys become strings). An empty
//! file is no secrets; a service with no keys (`github:`) is an empty service. Anything
//! else (a top-level list, a service that is a plain string) is an error with file:line.
//!
//! # Secrecy
//! No error message produced here contains a secret value: YAML errors report the
//! position and the parser's description only, shape errors name the service. `Debug`
//! prints service and key names, never values. [`Secrets::redact`] removes every value
//! (of at least 4 characters) from a text before it is logged or returned to a caller.

mod error;
mod load;
mod yaml;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

pub use error::SecretsError;
pub use load::{KUBERNETES_SECRETS_DIR, SecretLayer, SecretSources, load_path};

/// Values shorter than this are not redacted (they would blank out ordinary words).
pub const MIN_REDACTED_LEN: usize = 4;

/// The text a redacted value is replaced with.
pub const REDACTED: &str = "***";

/// Merged secrets: service name -> key -> JSON value. Serialises as that JSON object
/// (the invocation's `"secrets"`).
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Secrets {
    services: BTreeMap<String, Map<String, Value>>,
}

impl Secrets {
    /// No secrets.
    pub fn new() -> Self {
        Secrets::default()
    }

    /// As the invocation's `secrets` object: service -> key -> value.
    pub fn to_map(&self) -> Map<String, Value> {
        self.services
            .iter()
            .map(|(service, keys)| (service.clone(), Value::Object(keys.clone())))
            .collect()
    }

    /// `secrets[service][key]`.
    pub fn get(&self, service: &str, key: &str) -> Option<&Value> {
        self.services.get(service)?.get(key)
    }

    /// A `service.key` reference, as in a dependency's `auth.secret`.
    pub fn lookup(&self, reference: &str) -> Option<&Value> {
        let (service, key) = reference.split_once('.')?;
        self.get(service, key)
    }

    /// One service's keys.
    pub fn service(&self, service: &str) -> Option<&Map<String, Value>> {
        self.services.get(service)
    }

    /// Service names, sorted.
    pub fn services(&self) -> impl Iterator<Item = &str> {
        self.services.keys().map(String::as_str)
    }

    /// True when there is no service.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// Number of services.
    pub fn len(&self) -> usize {
        self.services.len()
    }

    /// Sets (replaces) one service.
    pub fn insert(&mut self, service: impl Into<String>, keys: Map<String, Value>) {
        self.services.insert(service.into(), keys);
    }

    /// Merges `other` on top: each of its services replaces the same-named one here.
    pub fn merge(&mut self, other: Secrets) {
        self.services.extend(other.services);
    }

    /// The view one node gets: only the named services (unknown names are ignored).
    pub fn restrict<I, S>(&self, services: I) -> Secrets
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut view = Secrets::new();
        for name in services {
            if let Some((k, v)) = self.services.get_key_value(name.as_ref()) {
                view.services.insert(k.clone(), v.clone());
            }
        }
        view
    }

    /// Replaces every secret value of at least [`MIN_REDACTED_LEN`] characters that occurs
    /// in `text` with `***`: strings (also in their JSON-escaped form, as they appear in
    /// serialised output) and numbers, anywhere in nested values. Longer values are
    /// replaced first, so a value containing another is removed whole.
    pub fn redact(&self, text: &str) -> String {
        let mut needles: Vec<String> = Vec::new();
        for keys in self.services.values() {
            for value in keys.values() {
                collect_needles(value, &mut needles);
            }
        }
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        let mut out = text.to_owned();
        for needle in &needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), REDACTED);
            }
        }
        out
    }
}

fn collect_needles(value: &Value, needles: &mut Vec<String>) {
    let mut push = |s: String| {
        if s.chars().count() >= MIN_REDACTED_LEN {
            needles.push(s);
        }
    };
    match value {
        Value::String(s) => {
            push(s.clone());
            let escaped = Value::String(s.clone()).to_string();
            let inner = &escaped[1..escaped.len() - 1];
            if inner != s {
                push(inner.to_owned());
            }
        }
        Value::Number(n) => push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect_needles(v, needles)),
        Value::Object(map) => map.values().for_each(|v| collect_needles(v, needles)),
        Value::Null | Value::Bool(_) => {}
    }
}

impl fmt::Debug for Secrets {
    /// Service and key names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (service, keys) in &self.services {
            let names: Vec<&str> = keys.keys().map(String::as_str).collect();
            map.entry(service, &names);
        }
        map.finish()
    }
}

impl<'de> Deserialize<'de> for Secrets {
    /// From a JSON-like object of objects (fixtures' `"secrets"`). The error for a service
    /// that is not an object names the service, never its value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Map::<String, Value>::deserialize(deserializer)?;
        let mut secrets = Secrets::new();
        for (service, value) in raw {
            match value {
                Value::Object(keys) => secrets.insert(service, keys),
                _ => {
                    return Err(serde::de::Error::custom(format!(
                        "secret service {service:?} must be an object of keys"
                    )));
                }
            }
        }
        Ok(secrets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Secrets {
        serde_json::from_value(json!({
            "github": {"token": "ghp_abcdef123", "user": "bot"},
            "db": {"password": "pa\"ss\nword", "port": 5432, "enabled": true,
                   "nested": {"key": "nested-secret", "list": ["listed-secret"]}},
            "stripe": {"api_key": "sk_test_xyz"}
        }))
        .expect("sample secrets")
    }

    #[test]
    fn values_are_found_by_service_and_key_or_reference() {
        let s = sample();
        assert_eq!(s.get("github", "token"), Some(&json!("ghp_abcdef123")));
        assert_eq!(s.lookup("db.port"), Some(&json!(5432)));
        assert_eq!(s.lookup("github"), None);
        assert_eq!(s.get("nope", "token"), None);
        assert_eq!(s.services().collect::<Vec<_>>(), ["db", "github", "stripe"]);
    }

    #[test]
    fn redaction_removes_every_value_of_four_or_more_characters() {
        let s = sample();
        let text = "token ghp_abcdef123 user bot port 5432 true \
                    json {\"password\":\"pa\\\"ss\\nword\"} raw pa\"ss\nword \
                    nested-secret listed-secret sk_test_xyz";
        let red = s.redact(text);
        for secret in [
            "ghp_abcdef123",
            "5432",
            "pa\"ss\nword",
            "pa\\\"ss\\nword",
            "nested-secret",
            "listed-secret",
            "sk_test_xyz",
        ] {
            assert!(!red.contains(secret), "{secret} left in {red}");
        }
        assert!(red.contains("user bot"), "short values are kept: {red}");
        assert!(red.contains("true"), "booleans are not secrets: {red}");
    }

    #[test]
    fn a_value_containing_another_is_redacted_whole() {
        let s: Secrets =
            serde_json::from_value(json!({"a": {"short": "abcd", "long": "xxabcdxx"}}))
                .expect("secrets");
        assert_eq!(s.redact("v=xxabcdxx w=abcd"), "v=*** w=***");
    }

    #[test]
    fn restrict_keeps_only_the_named_services() {
        let view = sample().restrict(["github", "missing"]);
        assert_eq!(view.services().collect::<Vec<_>>(), ["github"]);
        assert_eq!(view.get("github", "user"), Some(&json!("bot")));
        assert!(sample().restrict(Vec::<String>::new()).is_empty());
    }

    #[test]
    fn merging_replaces_whole_services() {
        let mut base = sample();
        let top: Secrets =
            serde_json::from_value(json!({"github": {"token": "new"}})).expect("top");
        base.merge(top);
        assert_eq!(base.get("github", "token"), Some(&json!("new")));
        assert_eq!(base.get("github", "user"), None);
        assert!(base.get("stripe", "api_key").is_some());
    }

    #[test]
    fn debug_output_shows_names_but_no_values() {
        let shown = format!("{:?}", sample());
        assert!(
            shown.contains("github") && shown.contains("token"),
            "{shown}"
        );
        assert!(
            !shown.contains("ghp_abcdef123") && !shown.contains("sk_test_xyz"),
            "{shown}"
        );
    }

    #[test]
    fn serialisation_round_trips_and_bad_shapes_do_not_echo_values() {
        let s = sample();
        let text = serde_json::to_string(&s).expect("serialise");
        assert_eq!(serde_json::from_str::<Secrets>(&text).expect("parse"), s);
        let err = serde_json::from_value::<Secrets>(json!({"api": "sk-top-secret"}))
            .expect_err("scalar service");
        assert!(err.to_string().contains("\"api\""), "{err}");
        assert!(!err.to_string().contains("sk-top-secret"), "{err}");
    }
}
