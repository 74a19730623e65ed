//! The Secret `<wf>-secrets` and its printable copy.
//!
//! Values go in `data` (base64), not the original's `stringData`: `stringData` is
//! write-only (the API server folds it into `data`), so a server-side apply would own fields
//! the live object never shows, and a key removed from the local secrets would never be
//! removed from the cluster. With `data`, what tntc applies is what the cluster stores.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::Secret;
use crate::error::ManifestError;

/// The Secret holding `secrets` (key -> value; one key is one file under `/app/secrets`,
/// which `tntc-host` reads as one service).
pub(crate) fn secret(
    meta: ObjectMeta,
    secrets: &BTreeMap<String, String>,
) -> Result<Secret, ManifestError> {
    if let Some(key) = secrets.keys().find(|k| !is_secret_key(k)) {
        return Err(ManifestError::InvalidSecretKey { key: key.clone() });
    }
    Ok(Secret {
        metadata: meta,
        type_: Some("Opaque".into()),
        data: Some(
            secrets
                .iter()
                .map(|(k, v)| (k.clone(), ByteString(v.as_bytes().to_vec())))
                .collect(),
        ),
        ..Secret::default()
    })
}

/// The text a redacted value is shown as.
pub fn redacted_value(len: usize) -> String {
    format!("<redacted: {len} bytes>")
}

/// Annotation on a printed (redacted) Secret, so that nobody applies the placeholders.
pub const REDACTED_ANNOTATION: &str = "tentacular.dev/redacted";

/// A copy of `secret` with every value replaced by [`redacted_value`], in `stringData` so
/// that the copy reads as text and stays a valid Secret; keys are kept, and
/// [`REDACTED_ANNOTATION`] says what happened.
pub(crate) fn redact(secret: &Secret) -> Secret {
    let mut shown = BTreeMap::new();
    for (key, value) in secret.data.iter().flatten() {
        shown.insert(key.clone(), redacted_value(value.0.len()));
    }
    for (key, value) in secret.string_data.iter().flatten() {
        shown.insert(key.clone(), redacted_value(value.len()));
    }
    let mut metadata = secret.metadata.clone();
    metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(
            REDACTED_ANNOTATION.to_owned(),
            "values replaced for printing; tntc deploy applies the real ones".to_owned(),
        );
    Secret {
        metadata,
        data: None,
        string_data: (!shown.is_empty()).then_some(shown),
        ..secret.clone()
    }
}

/// A Secret data key: letters, digits, `-`, `_`, `.`; at most 253; not `.` or `..`.
fn is_secret_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key != "."
        && key != ".."
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<String, String> {
        BTreeMap::from([
            (
                "github".to_owned(),
                "{\"token\":\"ghp_secret123\"}".to_owned(),
            ),
            ("plain".to_owned(), "hunter22".to_owned()),
        ])
    }

    #[test]
    fn values_are_stored_as_data_and_redaction_keeps_only_keys_and_lengths() {
        let secret = secret(ObjectMeta::default(), &values()).expect("secret");
        let data = secret.data.as_ref().expect("data");
        assert_eq!(data["plain"].0, b"hunter22");
        let shown = serde_json::to_string(&redact(&secret)).expect("json");
        assert!(
            !shown.contains("hunter22") && !shown.contains("ghp_secret123"),
            "{shown}"
        );
        assert!(
            !shown.contains("aHVudGVyMjI"),
            "no base64 of a value: {shown}"
        );
        assert!(
            shown.contains("\"plain\":\"<redacted: 8 bytes>\""),
            "{shown}"
        );
    }

    #[test]
    fn a_key_kubernetes_refuses_is_an_error_naming_it() {
        let mut bad = values();
        bad.insert("my secret".into(), "x".into());
        let err = secret(ObjectMeta::default(), &bad).expect_err("bad key");
        assert!(err.to_string().contains("\"my secret\""), "{err}");
        assert!(!err.to_string().contains("hunter22"));
    }
}
