//! The JSON of the `fetch` host import: the request a node starts and the `meta` of its
//! completion (`wit/node.wit`, `fetch` and `completion`). Bodies travel as bytes beside it.

use serde::{Deserialize, Serialize};

/// `request` of `fetch(request, body)`:
/// `{"url": string, "method": string, "headers": [[name, value], ...], "timeoutMs"?: u32}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchRequestJson {
    /// Absolute URL.
    pub url: String,
    /// HTTP method, as the node wrote it.
    pub method: String,
    /// Header list in order; names may repeat.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// A per-request timeout the node asked for (`AbortSignal.timeout`), in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// `meta` of a successful fetch completion:
/// `{"status": u16, "statusText": string, "headers": [[name, value], ...], "url": string,
/// "redirected": bool}`. A failed fetch's `meta` is the error message as plain text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchResponseMeta {
    /// HTTP status code.
    pub status: u16,
    /// Reason phrase (may be empty).
    pub status_text: String,
    /// Response headers in order.
    pub headers: Vec<(String, String)>,
    /// The final URL after redirects.
    pub url: String,
    /// Whether any redirect was followed.
    pub redirected: bool,
}
