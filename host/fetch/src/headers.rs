//! Request methods and headers: validation, the headers the client owns, and what a
//! redirect removes.
//!
//! The node's headers are validated (names are tokens, values have no CR/LF/NUL: no
//! header injection), capped in count and size, and stripped of everything that is the
//! connection's business rather than the node's: hop-by-hop headers (and any header a
//! `Connection` header names), `Host`, `Content-Length`, `Expect` and `Accept-Encoding`.
//! The client then sets `Host` from the parsed URL, computes `Content-Length`, asks for
//! an identity encoding (the body is handed to the node as-is, so it must not arrive
//! compressed) and closes the connection after the response (no pooling, see the crate
//! docs). `User-Agent` and `Accept` get defaults when the node sets none.

use http::Method;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::target::Target;

/// At most this many request headers.
pub const MAX_REQUEST_HEADERS: usize = 100;
/// At most this many bytes of request header names and values together.
pub const MAX_REQUEST_HEADER_BYTES: usize = 64 * 1024;
/// At most this many response headers.
pub const MAX_RESPONSE_HEADERS: usize = 100;
/// At most this many bytes of response head (status line and headers).
pub const MAX_RESPONSE_HEAD_BYTES: usize = 64 * 1024;

const USER_AGENT: &str = concat!("tntc/", env!("CARGO_PKG_VERSION"));

/// Headers the connection owns; the node's values are dropped.
const CONNECTION_OWNED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "host",
    "content-length",
    "expect",
    "accept-encoding",
];

/// Credentials that must not follow a redirect to another origin.
const CREDENTIALS: &[&str] = &[
    "authorization",
    "x-api-key",
    "cookie",
    "proxy-authorization",
];

/// Headers describing a request body, dropped when a redirect turns the request into a GET.
const BODY_HEADERS: &[&str] = &[
    "content-type",
    "content-encoding",
    "content-language",
    "content-location",
    "content-length",
];

/// Parses a method the way `fetch` does: the six standard methods are upper-cased,
/// others kept as written; `CONNECT`, `TRACE` and `TRACK` are refused.
pub fn parse_method(method: &str) -> Result<Method, String> {
    if method.is_empty() {
        return Ok(Method::GET);
    }
    let upper = method.to_ascii_uppercase();
    if matches!(upper.as_str(), "CONNECT" | "TRACE" | "TRACK") {
        return Err(format!("the {upper} method is not allowed"));
    }
    let normalized = match upper.as_str() {
        "DELETE" | "GET" | "HEAD" | "OPTIONS" | "POST" | "PUT" => upper.as_str(),
        _ => method,
    };
    Method::from_bytes(normalized.as_bytes())
        .map_err(|_| "the method is not a valid HTTP token".to_owned())
}

/// Validates the node's headers and keeps those the node may set.
pub fn node_headers(headers: &[(String, String)]) -> Result<HeaderMap, String> {
    if headers.len() > MAX_REQUEST_HEADERS {
        return Err(format!(
            "{} request headers, over the limit of {MAX_REQUEST_HEADERS}",
            headers.len()
        ));
    }
    let bytes: usize = headers.iter().map(|(n, v)| n.len() + v.len()).sum();
    if bytes > MAX_REQUEST_HEADER_BYTES {
        return Err(format!(
            "the request headers total {bytes} bytes, over the limit of {MAX_REQUEST_HEADER_BYTES}"
        ));
    }
    let mut map = HeaderMap::with_capacity(headers.len());
    let mut listed_by_connection: Vec<String> = Vec::new();
    for (name, value) in headers {
        let parsed_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            let shown: String = name.chars().take(64).collect();
            format!("{shown:?} is not a valid header name")
        })?;
        let parsed_value = HeaderValue::from_str(value.trim_matches([' ', '\t'])).map_err(|_| {
            format!("the value of header {parsed_name} contains characters HTTP cannot carry (CR, LF, NUL or non-ASCII controls)")
        })?;
        if parsed_name == header::CONNECTION {
            listed_by_connection.extend(
                value
                    .split(',')
                    .map(|t| t.trim().to_ascii_lowercase())
                    .filter(|t| !t.is_empty()),
            );
        }
        map.append(parsed_name, parsed_value);
    }
    for name in CONNECTION_OWNED {
        map.remove(*name);
    }
    for name in listed_by_connection {
        map.remove(name.as_str());
    }
    Ok(map)
}

/// The headers of one hop: the node's (already filtered) plus those the client owns.
pub fn hop_headers(
    node: &HeaderMap,
    target: &Target,
    method: &Method,
    body_len: usize,
) -> Result<HeaderMap, String> {
    let mut map = node.clone();
    let host = HeaderValue::from_str(&target.host_header())
        .map_err(|_| "the host cannot be sent in a Host header".to_owned())?;
    map.insert(header::HOST, host);
    if body_len > 0 || matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        map.insert(header::CONTENT_LENGTH, HeaderValue::from(body_len));
    }
    map.insert(header::CONNECTION, HeaderValue::from_static("close"));
    map.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    if !map.contains_key(header::USER_AGENT) {
        map.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    }
    if !map.contains_key(header::ACCEPT) {
        map.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
    }
    Ok(map)
}

/// Drops credentials before following a redirect to another origin.
pub fn strip_credentials(map: &mut HeaderMap) {
    for name in CREDENTIALS {
        map.remove(*name);
    }
}

/// Drops the body-describing headers when a redirect turns the request into a GET.
pub fn strip_body_headers(map: &mut HeaderMap) {
    for name in BODY_HEADERS {
        map.remove(*name);
    }
}

/// Response headers as `(name, value)` pairs, in order, values decoded as Latin-1 (the
/// Fetch standard's ByteString: every byte maps to one character).
pub fn response_headers(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                v.as_bytes().iter().map(|&b| char::from(b)).collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn standard_methods_are_upper_cased_and_dangerous_ones_refused() {
        assert_eq!(parse_method("get"), Ok(Method::GET));
        assert_eq!(parse_method(""), Ok(Method::GET));
        assert_eq!(parse_method("post"), Ok(Method::POST));
        assert_eq!(parse_method("PATCH"), Ok(Method::PATCH));
        assert_eq!(
            parse_method("patch").map(|m| m.to_string()),
            Ok("patch".to_owned())
        );
        assert!(parse_method("connect").is_err());
        assert!(parse_method("TRACE").is_err());
        assert!(parse_method("GE T").is_err());
    }

    #[test]
    fn connection_owned_headers_and_those_connection_names_are_dropped() {
        let map = node_headers(&pairs(&[
            ("Authorization", "Bearer t"),
            ("Host", "evil.example"),
            ("Content-Length", "5"),
            ("Transfer-Encoding", "chunked"),
            ("Connection", "X-Secret-Hop, keep-alive"),
            ("x-secret-hop", "1"),
            ("Accept-Encoding", "gzip"),
            ("X-Custom", "a"),
            ("x-custom", "b"),
        ]))
        .expect("valid headers");
        let names: Vec<&str> = map.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["authorization", "x-custom"]);
        assert_eq!(map.get_all("x-custom").iter().count(), 2);
    }

    #[test]
    fn header_injection_and_oversize_headers_are_refused_without_quoting_values() {
        let err = node_headers(&pairs(&[("X-A", "ok\r\nHost: evil")])).expect_err("CRLF accepted");
        assert!(err.contains("X-A") || err.contains("x-a"), "{err}");
        assert!(!err.contains("evil"), "{err}");
        assert!(node_headers(&pairs(&[("Bad Name", "v")])).is_err());
        let many: Vec<(String, String)> = (0..=MAX_REQUEST_HEADERS)
            .map(|i| (format!("x-{i}"), "v".into()))
            .collect();
        assert!(node_headers(&many).is_err());
        let big = vec![("x-big".to_owned(), "v".repeat(MAX_REQUEST_HEADER_BYTES))];
        assert!(node_headers(&big).is_err());
    }

    #[test]
    fn hop_headers_set_host_length_and_defaults() {
        let target = Target::parse("http://example.com:8080/x").expect("url");
        let node = node_headers(&pairs(&[("user-agent", "mine")])).expect("valid");
        let map = hop_headers(&node, &target, &Method::POST, 0).expect("headers");
        assert_eq!(map["host"], "example.com:8080");
        assert_eq!(map["content-length"], "0");
        assert_eq!(map["user-agent"], "mine");
        assert_eq!(map["accept"], "*/*");
        assert_eq!(map["connection"], "close");
        assert_eq!(map["accept-encoding"], "identity");
        let get = hop_headers(&HeaderMap::new(), &target, &Method::GET, 0).expect("headers");
        assert!(!get.contains_key("content-length"));
        assert_eq!(get["user-agent"], USER_AGENT);
    }

    #[test]
    fn response_header_values_are_latin1() {
        let mut map = HeaderMap::new();
        map.insert(
            "x-bytes",
            HeaderValue::from_bytes(b"caf\xe9").expect("value"),
        );
        assert_eq!(
            response_headers(&map),
            [("x-bytes".to_owned(), "café".to_owned())]
        );
    }
}
