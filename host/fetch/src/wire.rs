//! The JSON the `fetch` host import exchanges with the guest (see `wit/node.wit`):
//! request metadata in, response metadata out. Kept here so the format has one owner.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::client::{FetchRequest, FetchResponse};
use crate::error::FetchError;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RequestMeta {
    url: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    timeout_ms: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResponseMeta<'a> {
    status: u16,
    status_text: &'a str,
    headers: &'a [(String, String)],
    url: &'a str,
    redirected: bool,
}

impl FetchRequest {
    /// Builds a request from the import's arguments: `meta` is
    /// `{"url", "method"?, "headers"?: [[name, value]], "timeoutMs"?}`.
    /// The error never quotes the metadata (it holds header values).
    pub fn from_wire(meta: &str, body: Vec<u8>) -> Result<FetchRequest, FetchError> {
        let parsed: RequestMeta =
            serde_json::from_str(meta).map_err(|e| FetchError::InvalidMetadata {
                reason: format!(
                    "{:?} error at line {}, column {}; expected {{\"url\", \"method\", \
                 \"headers\": [[name, value]], \"timeoutMs\"}}",
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            })?;
        Ok(FetchRequest {
            url: parsed.url,
            method: parsed.method,
            headers: parsed.headers,
            body,
            timeout: parsed
                .timeout_ms
                .map(|ms| Duration::from_millis(u64::from(ms))),
        })
    }
}

impl FetchResponse {
    /// The completion's `meta`: `{"status", "statusText", "headers": [[n, v]], "url",
    /// "redirected"}`.
    pub fn wire_meta(&self) -> String {
        let meta = ResponseMeta {
            status: self.status,
            status_text: &self.status_text,
            headers: &self.headers,
            url: &self.url,
            redirected: self.redirected,
        };
        // Serialising strings, numbers and bools into a String cannot fail.
        serde_json::to_string(&meta).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_metadata_is_read_from_the_wire_format() {
        let req = FetchRequest::from_wire(
            r#"{"url":"https://a.example/x","method":"POST","headers":[["a","1"],["a","2"]],"timeoutMs":1500}"#,
            b"body".to_vec(),
        )
        .expect("valid");
        assert_eq!(req.url, "https://a.example/x");
        assert_eq!(req.method, "POST");
        assert_eq!(req.headers.len(), 2);
        assert_eq!(req.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(req.body, b"body");
        let minimal = FetchRequest::from_wire(r#"{"url":"http://h/"}"#, Vec::new()).expect("valid");
        assert_eq!(minimal.method, "");
        assert!(minimal.headers.is_empty());
    }

    #[test]
    fn bad_request_metadata_errors_do_not_quote_values() {
        let err = FetchRequest::from_wire(
            r#"{"url":"http://h/","headers":[["authorization","Bearer sk-secret"]],"timeoutMs":"sk-secret"}"#,
            Vec::new(),
        )
        .expect_err("bad timeout accepted")
        .to_string();
        assert!(!err.contains("sk-secret"), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn response_metadata_uses_the_wire_names() {
        let resp = FetchResponse {
            status: 201,
            status_text: "Created".into(),
            headers: vec![("x-a".into(), "1".into())],
            url: "https://a.example/".into(),
            redirected: true,
            body: b"ignored".to_vec(),
        };
        assert_eq!(
            resp.wire_meta(),
            r#"{"status":201,"statusText":"Created","headers":[["x-a","1"]],"url":"https://a.example/","redirected":true}"#
        );
    }
}
