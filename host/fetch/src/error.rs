//! Errors. A [`FetchError`]'s `Display` is the `TypeError` message node code sees, so it
//! says what failed, for which `host:port`, and what to do; it never contains the URL's
//! path or query, a header value or a body (any of which may carry a secret).

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::policy::Refusal;
use crate::target::UrlError;

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL cannot be used.
    #[error("fetch failed: invalid URL: {reason}")]
    InvalidUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// The import's request metadata is not the expected JSON.
    #[error("fetch failed: the request metadata is not valid: {reason}")]
    InvalidMetadata {
        /// Error kind and position (never the offending value).
        reason: String,
    },
    /// A scheme other than http or https.
    #[error(
        "fetch failed: the {scheme:?} URL scheme is not supported; use https:// (or http:// where the workflow contract allows it)"
    )]
    UnsupportedScheme {
        /// The scheme (at most 16 characters of it).
        scheme: String,
    },
    /// The egress policy does not allow the destination.
    #[error("{0}")]
    Refused(Box<Refusal>),
    /// The method or a header cannot be sent.
    #[error("fetch to {authority} failed: {reason}")]
    InvalidRequest {
        /// `host:port`.
        authority: String,
        /// What is wrong (names a header, never quotes its value).
        reason: String,
    },
    /// The request body is over the configured cap.
    #[error(
        "fetch to {authority} failed: the request body is {size} bytes, over the limit of {limit} bytes"
    )]
    RequestBodyTooLarge {
        /// `host:port`.
        authority: String,
        /// The body's size.
        size: usize,
        /// The cap.
        limit: usize,
    },
    /// The response body is over the configured cap (the response is not truncated).
    #[error("fetch to {authority} failed: the response body is over the limit of {limit} bytes")]
    ResponseBodyTooLarge {
        /// `host:port`.
        authority: String,
        /// The cap.
        limit: usize,
    },
    /// Name resolution failed.
    #[error("fetch to {authority} failed: DNS lookup of {host} failed: {source}")]
    Dns {
        /// `host:port`.
        authority: String,
        /// The name looked up.
        host: String,
        /// The resolver's error.
        #[source]
        source: io::Error,
    },
    /// No allowed address accepted a TCP connection.
    #[error("fetch to {authority} failed: could not connect ({detail})")]
    Connect {
        /// `host:port`.
        authority: String,
        /// Each address tried and its error.
        detail: String,
    },
    /// The TLS handshake failed (certificate not trusted, wrong name, protocol error).
    #[error("fetch to {authority} failed: TLS handshake: {source}")]
    Tls {
        /// `host:port`.
        authority: String,
        /// The TLS error.
        #[source]
        source: io::Error,
    },
    /// The HTTP exchange failed (connection closed, malformed response, headers too large).
    #[error("fetch to {authority} failed: {source}")]
    Http {
        /// `host:port`.
        authority: String,
        /// hyper's error.
        #[source]
        source: hyper::Error,
    },
    /// The request's timeout or the caller's deadline passed.
    #[error("fetch to {authority} timed out after {} ms ({bound})", .after.as_millis())]
    Timeout {
        /// `host:port` of the hop that was in progress.
        authority: String,
        /// The time allowed.
        after: Duration,
        /// Which bound applied.
        bound: TimeoutBound,
    },
    /// More redirects than the configured maximum.
    #[error("fetch to {authority} failed: more than {limit} redirects")]
    TooManyRedirects {
        /// `host:port` of the last redirect.
        authority: String,
        /// The maximum.
        limit: usize,
    },
    /// A redirect response whose `Location` cannot be followed.
    #[error("fetch to {authority} failed: the redirect's Location cannot be followed: {reason}")]
    InvalidRedirect {
        /// `host:port` that sent the redirect.
        authority: String,
        /// Why.
        reason: String,
    },
}

/// Which limit ended a request that timed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutBound {
    /// The request's own `timeoutMs`.
    Request,
    /// The caller's deadline (the node's timeout).
    Deadline,
}

impl std::fmt::Display for TimeoutBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeoutBound::Request => "the request's timeout",
            TimeoutBound::Deadline => "the node's deadline",
        })
    }
}

impl From<UrlError> for FetchError {
    fn from(e: UrlError) -> Self {
        match e {
            UrlError::Invalid(reason) => FetchError::InvalidUrl { reason },
            UrlError::Scheme(scheme) => FetchError::UnsupportedScheme {
                scheme: scheme.chars().take(16).collect(),
            },
        }
    }
}

impl From<Refusal> for FetchError {
    fn from(r: Refusal) -> Self {
        FetchError::Refused(Box::new(r))
    }
}

impl FetchError {
    /// The policy refusal, when this error is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            FetchError::Refused(r) => Some(r),
            _ => None,
        }
    }
}

/// Why a [`crate::FetchClient`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The extra CA bundle could not be read.
    #[error("cannot read the extra CA bundle {path}: {source}")]
    ReadCa {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The extra CA bundle holds no usable certificate.
    #[error("the extra CA bundle {origin} {reason}")]
    BadCa {
        /// The file, or "(in memory)".
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("cannot configure TLS: {0}")]
    Tls(#[from] rustls::Error),
}
