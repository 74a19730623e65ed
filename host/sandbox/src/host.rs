//! What the embedding host provides to a run: [`NodeHost`] (logging, outbound HTTP and
//! PostgreSQL).
//! Timers, cancellation, `wait` and the ABI are the sandbox's own business.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tntc_abi::fetch::{FetchRequestJson, FetchResponseMeta};

/// A boxed, sendable future (the shape `NodeHost::fetch` returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Severity of a log line (the WIT `level` enum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogLevel {
    /// `ctx.log.debug`.
    Debug,
    /// `ctx.log.info`, `console.log`, the guest's stdout.
    Info,
    /// `ctx.log.warn`, and the sandbox's own notices (log limit reached).
    Warn,
    /// `ctx.log.error`, `console.error`, the guest's stderr.
    Error,
}

impl LogLevel {
    pub(crate) fn from_abi(level: i32) -> Option<Self> {
        match level {
            0 => Some(Self::Debug),
            1 => Some(Self::Info),
            2 => Some(Self::Warn),
            3 => Some(Self::Error),
            _ => None,
        }
    }

    /// `DEBUG`, `INFO`, `WARN`, `ERROR`, as the original engine prints them.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warn => "WARN",
            Self::Error => "ERROR",
        }
    }
}

/// An outbound HTTP request a node started with `fetch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequest {
    /// Absolute URL.
    pub url: String,
    /// HTTP method, as the node wrote it (`GET`, `post`, ...).
    pub method: String,
    /// Header list in order; names may repeat.
    pub headers: Vec<(String, String)>,
    /// Per-request timeout the node asked for (`AbortSignal.timeout`), if any.
    pub timeout: Option<Duration>,
    /// Request body (empty when none).
    pub body: Vec<u8>,
}

impl FetchRequest {
    /// Parses the request JSON of the `fetch` import ([`tntc_abi::fetch::FetchRequestJson`]).
    pub(crate) fn parse(json: &[u8], body: Vec<u8>) -> Result<Self, String> {
        let request: FetchRequestJson =
            serde_json::from_slice(json).map_err(|e| format!("malformed fetch request: {e}"))?;
        Ok(FetchRequest {
            url: request.url,
            method: request.method,
            headers: request.headers,
            timeout: request.timeout_ms.map(Duration::from_millis),
            body,
        })
    }
}

/// A response to deliver to the node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchResponse {
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
    /// The body (the host caps its size).
    pub body: Vec<u8>,
}

impl FetchResponse {
    /// The `meta` JSON of a successful completion:
    /// `{"status","statusText","headers":[[n,v]],"url","redirected"}`.
    pub(crate) fn meta_json(&self) -> String {
        let meta = FetchResponseMeta {
            status: self.status,
            status_text: self.status_text.clone(),
            headers: self.headers.clone(),
            url: self.url.clone(),
            redirected: self.redirected,
        };
        // A struct of strings, numbers and booleans always serializes.
        serde_json::to_string(&meta).unwrap_or_default()
    }
}

/// The embedding host's side of a run. One value per run (it knows which node it serves),
/// shared with the run as `Arc<dyn NodeHost>`.
pub trait NodeHost: Send + Sync {
    /// One log line of the node. The sandbox has already applied the run's log limit.
    fn log(&self, level: LogLevel, message: &str);

    /// Performs an HTTP request for the node: check the egress policy, send, and return
    /// the response or a message saying why not (shown to the node as a `TypeError`, like
    /// a network error in a browser). The future is dropped if the node cancels the
    /// request or the run ends first.
    fn fetch(&self, request: FetchRequest) -> BoxFuture<'static, Result<FetchResponse, String>>;

    /// Performs one PostgreSQL call for the node (`pg-connect`, `pg-query` or `pg-end` of
    /// `wit/node.wit`): `Ok` is the completion's `meta` JSON, `Err` the failure's (tntc-abi
    /// PgFailure). The future is dropped if the node cancels or the run ends first. A host
    /// without PostgreSQL (the default) refuses every call.
    fn postgres(&self, call: PgCall) -> BoxFuture<'static, Result<String, String>> {
        let _ = call;
        Box::pin(async {
            Err(serde_json::json!({
                "message": "PostgreSQL is not available here: this host runs nodes without database access"
            })
            .to_string())
        })
    }
}

/// One PostgreSQL call of a node, as the guest made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PgCall {
    /// `pg-connect(request)`: the JSON request (tntc-abi PgConnectRequest).
    Connect(String),
    /// `pg-query(request)`: the JSON request (tntc-abi PgQueryRequest).
    Query(String),
    /// `pg-end(session)`.
    End(u32),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_request_json_is_read_with_headers_and_timeout() {
        let json = br#"{"url":"https://x.test/a","method":"POST","headers":[["a","1"],["a","2"]],"timeoutMs":1500}"#;
        let request = FetchRequest::parse(json, b"body".to_vec()).unwrap();
        assert_eq!(request.url, "https://x.test/a");
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.headers,
            vec![("a".into(), "1".into()), ("a".into(), "2".into())]
        );
        assert_eq!(request.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(request.body, b"body");
    }

    #[test]
    fn fetch_request_without_url_is_rejected() {
        let error = FetchRequest::parse(br#"{"method":"GET"}"#, Vec::new()).unwrap_err();
        assert!(error.contains("url"), "{error}");
    }

    #[test]
    fn response_meta_uses_the_wit_field_names() {
        let response = FetchResponse {
            status: 201,
            status_text: "Created".into(),
            headers: vec![("content-type".into(), "text/plain".into())],
            url: "https://x.test/".into(),
            redirected: true,
            body: Vec::new(),
        };
        let meta: serde_json::Value = serde_json::from_str(&response.meta_json()).unwrap();
        assert_eq!(
            meta,
            serde_json::json!({"status": 201, "statusText": "Created",
                "headers": [["content-type", "text/plain"]], "url": "https://x.test/", "redirected": true})
        );
    }
}
