//! The client: one `fetch` is a loop of hops (the request, then each redirect), every hop
//! checked against the policy, resolved, address-checked, connected and exchanged on a
//! fresh connection, all under one timeout.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderMap, LOCATION};
use http::{Method, Request, StatusCode};
use http_body_util::Full;
use tokio::time::timeout_at;

use crate::address::normalize;
use crate::error::{FetchError, SetupError, TimeoutBound};
use crate::headers::{
    hop_headers, node_headers, parse_method, response_headers, strip_body_headers,
    strip_credentials,
};
use crate::network::{Connector, Resolver, SystemResolver, TcpConnector};
use crate::policy::EgressPolicy;
use crate::target::{Host, Target, UrlError};
use crate::transport::{self, Exchange, PemSource};

/// How a [`FetchClient`] behaves. `Default` gives production settings.
#[derive(Clone)]
pub struct FetchConfig {
    /// An extra trusted CA bundle (tests, private endpoints), added to the system roots.
    pub extra_ca_pem: Option<PemSource>,
    /// Trust the operating system's root certificates (default true).
    pub system_roots: bool,
    /// Largest request body accepted, in bytes (default 10 MiB).
    pub max_request_body: usize,
    /// Largest response body accepted, in bytes (default 32 MiB); larger is an error.
    pub max_response_body: usize,
    /// Redirects followed before failing (default 10).
    pub max_redirects: usize,
    /// Name resolution (default [`SystemResolver`]).
    pub resolver: Arc<dyn Resolver>,
    /// TCP connect (default [`TcpConnector`]).
    pub connector: Arc<dyn Connector>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            extra_ca_pem: None,
            system_roots: true,
            max_request_body: 10 << 20,
            max_response_body: 32 << 20,
            max_redirects: 10,
            resolver: Arc::new(SystemResolver),
            connector: Arc::new(TcpConnector),
        }
    }
}

impl fmt::Debug for FetchConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchConfig")
            .field(
                "extra_ca_pem",
                &self.extra_ca_pem.as_ref().map(|s| match s {
                    PemSource::Path(p) => p.display().to_string(),
                    PemSource::Bytes(b) => format!("{} bytes", b.len()),
                }),
            )
            .field("system_roots", &self.system_roots)
            .field("max_request_body", &self.max_request_body)
            .field("max_response_body", &self.max_response_body)
            .field("max_redirects", &self.max_redirects)
            .finish_non_exhaustive()
    }
}

/// One request from a node.
#[derive(Clone, Default)]
pub struct FetchRequest {
    /// Absolute `http:`/`https:` URL.
    pub url: String,
    /// Method; empty means GET.
    pub method: String,
    /// Headers in order; repeated names are sent repeatedly.
    pub headers: Vec<(String, String)>,
    /// The body (must be empty for GET and HEAD).
    pub body: Vec<u8>,
    /// The request's own timeout (`timeoutMs`); the caller's deadline applies anyway.
    pub timeout: Option<Duration>,
}

impl FetchRequest {
    /// A GET of `url`.
    pub fn get(url: impl Into<String>) -> Self {
        FetchRequest {
            url: url.into(),
            method: "GET".to_owned(),
            ..FetchRequest::default()
        }
    }
}

impl fmt::Debug for FetchRequest {
    /// Shows no query, header value or body: they may hold secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.url.split(['?', '#']).next().unwrap_or("");
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("FetchRequest")
            .field("url", &url)
            .field("method", &self.method)
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A completed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResponse {
    /// Status code.
    pub status: u16,
    /// The server's reason phrase (the canonical one when the server sent the usual).
    pub status_text: String,
    /// Response headers in order, lower-case names, Latin-1 values.
    pub headers: Vec<(String, String)>,
    /// The final URL (after redirects), without fragment.
    pub url: String,
    /// True when at least one redirect was followed.
    pub redirected: bool,
    /// The whole body.
    pub body: Vec<u8>,
}

/// The capability-scoped client. Cheap to clone; one per host process is enough.
#[derive(Clone)]
pub struct FetchClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: FetchConfig,
    tls: transport::Tls,
}

impl fmt::Debug for FetchClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// State carried from hop to hop.
struct Hop {
    target: Target,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
}

impl FetchClient {
    /// Builds a client: reads and checks the extra CA bundle now; the system roots are
    /// loaded once, at the first https request.
    pub fn new(config: FetchConfig) -> Result<Self, SetupError> {
        let tls = transport::Tls::new(config.extra_ca_pem.as_ref(), config.system_roots)?;
        Ok(FetchClient {
            inner: Arc::new(Inner { config, tls }),
        })
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.config
    }

    /// Performs `request` if `policy` allows it (and every redirect it leads to), within
    /// `min(request.timeout, deadline)` for the whole exchange including redirects.
    pub async fn fetch(
        &self,
        policy: &EgressPolicy,
        request: FetchRequest,
        deadline: Instant,
    ) -> Result<FetchResponse, FetchError> {
        let config = &self.inner.config;
        let target = Target::parse(&request.url)?;
        let invalid = |reason: String| FetchError::InvalidRequest {
            authority: target.authority(),
            reason,
        };
        let method = parse_method(&request.method).map_err(invalid)?;
        if request.body.len() > config.max_request_body {
            return Err(FetchError::RequestBodyTooLarge {
                authority: target.authority(),
                size: request.body.len(),
                limit: config.max_request_body,
            });
        }
        if !request.body.is_empty() && matches!(method, Method::GET | Method::HEAD) {
            return Err(invalid(format!("a {method} request cannot have a body")));
        }
        let headers = node_headers(&request.headers).map_err(invalid)?;

        let now = Instant::now();
        let left = deadline.saturating_duration_since(now);
        let (allowed, bound) = match request.timeout {
            Some(t) if t < left => (t, TimeoutBound::Request),
            _ => (left, TimeoutBound::Deadline),
        };
        if allowed.is_zero() {
            // Not even the first poll: a spent deadline must not start a connection.
            return Err(FetchError::Timeout {
                authority: target.authority(),
                after: allowed,
                bound,
            });
        }
        let limit_at = tokio::time::Instant::from_std(now + allowed);

        let mut hop = Hop {
            target,
            method,
            headers,
            body: Bytes::from(request.body),
        };
        let timed_out = |target: &Target| FetchError::Timeout {
            authority: target.authority(),
            after: allowed,
            bound,
        };
        let mut redirects = 0;
        loop {
            let exchange = timeout_at(limit_at, self.hop(policy, &hop))
                .await
                .map_err(|_| timed_out(&hop.target))??;
            if let Some(location) = redirect_location(&exchange, &hop.target)? {
                drop(exchange);
                if redirects == config.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        authority: hop.target.authority(),
                        limit: config.max_redirects,
                    });
                }
                redirects += 1;
                follow(&mut hop, &location.0, location.1)?;
                continue;
            }
            let response = &exchange.response;
            let status = response.status();
            let status_text = match response.extensions().get::<hyper::ext::ReasonPhrase>() {
                Some(reason) => reason.as_bytes().iter().map(|&b| char::from(b)).collect(),
                None => status.canonical_reason().unwrap_or("").to_owned(),
            };
            let headers = response_headers(response.headers());
            let body = timeout_at(
                limit_at,
                transport::read_body(exchange, config.max_response_body, &hop.target),
            )
            .await
            .map_err(|_| timed_out(&hop.target))??;
            return Ok(FetchResponse {
                status: status.as_u16(),
                status_text,
                headers,
                url: hop.target.to_string(),
                redirected: redirects > 0,
                body,
            });
        }
    }

    /// Policy check, resolution, address check, connect and exchange for one hop.
    async fn hop(&self, policy: &EgressPolicy, hop: &Hop) -> Result<Exchange, FetchError> {
        let config = &self.inner.config;
        let target = &hop.target;
        let admission = policy.admit(target)?;
        let found = match &target.host {
            Host::Ip(ip) => vec![*ip],
            // RFC 6761: localhost is loopback; no resolver gets a say in it.
            Host::Domain(d) if d == "localhost" => {
                vec![
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(Ipv6Addr::LOCALHOST),
                ]
            }
            Host::Domain(d) => config
                .resolver
                .resolve(d, target.port)
                .await
                .map_err(|source| FetchError::Dns {
                    authority: target.authority(),
                    host: d.clone(),
                    source,
                })?,
        };
        let mut addresses: Vec<IpAddr> = Vec::with_capacity(found.len());
        for ip in found.into_iter().map(normalize) {
            if !addresses.contains(&ip) {
                addresses.push(ip);
            }
        }
        if addresses.is_empty() {
            return Err(FetchError::Dns {
                authority: target.authority(),
                host: target.host.to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no addresses"),
            });
        }
        let allowed: Vec<IpAddr> = addresses
            .iter()
            .copied()
            .filter(|ip| admission.allows(*ip))
            .collect();
        if allowed.is_empty() {
            return Err(admission.refuse(target, &addresses).into());
        }

        let headers =
            hop_headers(&hop.headers, target, &hop.method, hop.body.len()).map_err(|reason| {
                FetchError::InvalidRequest {
                    authority: target.authority(),
                    reason,
                }
            })?;
        let mut request = Request::new(Full::new(hop.body.clone()));
        *request.method_mut() = hop.method.clone();
        *request.uri_mut() = target
            .path_and_query
            .parse()
            .map_err(|_| FetchError::InvalidUrl {
                reason: "the path or query has characters HTTP cannot carry".to_owned(),
            })?;
        *request.headers_mut() = headers;

        let mut failures = Vec::new();
        for ip in allowed {
            match config
                .connector
                .connect(SocketAddr::new(ip, target.port))
                .await
            {
                Ok(stream) => {
                    return transport::exchange(stream, &self.inner.tls, target, request).await;
                }
                Err(e) => failures.push(format!("{ip}: {e}")),
            }
        }
        Err(FetchError::Connect {
            authority: target.authority(),
            detail: failures.join("; "),
        })
    }
}

/// The `Location` of a redirect response (301, 302, 303, 307, 308) and its status; `None`
/// for any other response, including a redirect status without `Location` (returned to
/// the node as-is, as `fetch` does).
fn redirect_location(
    exchange: &Exchange,
    target: &Target,
) -> Result<Option<(String, StatusCode)>, FetchError> {
    let status = exchange.response.status();
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let mut values = exchange.response.headers().get_all(LOCATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = |reason: &str| FetchError::InvalidRedirect {
        authority: target.authority(),
        reason: reason.to_owned(),
    };
    if values.next().is_some() {
        return Err(invalid("the response has several Location headers"));
    }
    // Servers send UTF-8 Locations in practice; the URL parser percent-encodes them.
    let text =
        std::str::from_utf8(value.as_bytes()).map_err(|_| invalid("Location is not UTF-8 text"))?;
    Ok(Some((text.to_owned(), status)))
}

/// Applies the Fetch standard's redirect rules to the next hop.
fn follow(hop: &mut Hop, location: &str, status: StatusCode) -> Result<(), FetchError> {
    let next = hop
        .target
        .join(location)
        .map_err(|e| FetchError::InvalidRedirect {
            authority: hop.target.authority(),
            reason: match e {
                UrlError::Invalid(reason) => reason,
                UrlError::Scheme(s) => {
                    format!(
                        "its scheme {:?} is not http or https",
                        s.chars().take(16).collect::<String>()
                    )
                }
            },
        })?;
    let to_get = match status.as_u16() {
        301 | 302 => hop.method == Method::POST,
        303 => !matches!(hop.method, Method::GET | Method::HEAD),
        _ => false,
    };
    if to_get {
        hop.method = Method::GET;
        hop.body = Bytes::new();
        strip_body_headers(&mut hop.headers);
    }
    if !hop.target.same_origin(&next) {
        strip_credentials(&mut hop.headers);
    }
    hop.target = next;
    Ok(())
}
