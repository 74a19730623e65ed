//! One HTTP/1.1 exchange over one fresh connection: optional TLS, then hyper's client
//! connection, then the body read under a size cap.
//!
//! The stream comes from the caller already connected to an allowed address; this module
//! never resolves or connects. TLS uses rustls with the ring provider, the system roots
//! (loaded at the first https exchange) plus an optional extra CA bundle, SNI and certificate name = the URL's host, and ALPN
//! `http/1.1`. hyper's connection future runs in a task that is aborted when the exchange
//! is dropped, so a timed-out or abandoned fetch leaves nothing behind.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper_util::rt::TokioIo;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;

use crate::error::{FetchError, SetupError};
use crate::headers::{MAX_RESPONSE_HEAD_BYTES, MAX_RESPONSE_HEADERS};
use crate::target::{Host, Scheme, Target};

/// Where an extra trusted CA bundle (PEM) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PemSource {
    /// A PEM file.
    Path(std::path::PathBuf),
    /// PEM text in memory.
    Bytes(Vec<u8>),
}

/// The TLS client configuration: the extra bundle is read and checked when the client is
/// built (a bad file is a start-up error), the system roots are loaded at the first https
/// exchange. Reading and parsing the system store takes a few milliseconds that every
/// host start would otherwise pay before serving, for workflows that may never fetch.
pub(crate) struct Tls {
    extra: Vec<CertificateDer<'static>>,
    system_roots: bool,
    connector: OnceLock<TlsConnector>,
}

impl Tls {
    /// Reads and checks the extra bundle (building the configuration with it, so that any
    /// setup error surfaces here; without a bundle there is nothing to check).
    pub(crate) fn new(extra: Option<&PemSource>, system_roots: bool) -> Result<Tls, SetupError> {
        let connector = OnceLock::new();
        let extra = match extra {
            Some(source) => {
                let extra = extra_certificates(source)?;
                let extra_only = tls_config(extra.clone(), false)?;
                if !system_roots {
                    let _ = connector.set(extra_only);
                }
                extra
            }
            None => Vec::new(),
        };
        Ok(Tls {
            extra,
            system_roots,
            connector,
        })
    }

    /// The connector, built at the first call (unless `new` built it).
    pub(crate) fn connector(&self) -> Result<&TlsConnector, SetupError> {
        if let Some(connector) = self.connector.get() {
            return Ok(connector);
        }
        let built = tls_config(self.extra.clone(), self.system_roots)?;
        Ok(self.connector.get_or_init(|| built))
    }
}

fn extra_certificates(source: &PemSource) -> Result<Vec<CertificateDer<'static>>, SetupError> {
    let (pem, origin) = match source {
        PemSource::Path(path) => (
            std::fs::read(path).map_err(|source| SetupError::ReadCa {
                path: path.clone(),
                source,
            })?,
            path.display().to_string(),
        ),
        PemSource::Bytes(bytes) => (bytes.clone(), "(in memory)".to_owned()),
    };
    let bad = |reason: String| SetupError::BadCa {
        origin: origin.clone(),
        reason,
    };
    let mut checked = RootCertStore::empty();
    let mut certificates = Vec::new();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| bad(format!("is not valid PEM: {e}")))?;
        checked
            .add(cert.clone())
            .map_err(|e| bad(format!("holds a certificate rustls cannot use: {e}")))?;
        certificates.push(cert);
    }
    if certificates.is_empty() {
        return Err(bad("holds no CERTIFICATE block".to_owned()));
    }
    Ok(certificates)
}

/// Builds a connector trusting `extra` and, when `system_roots`, the system store.
fn tls_config(
    extra: Vec<CertificateDer<'static>>,
    system_roots: bool,
) -> Result<TlsConnector, SetupError> {
    let mut roots = RootCertStore::empty();
    if system_roots {
        // Unreadable entries in the system store are skipped, as every TLS client does;
        // an empty store only makes https fail with "unknown issuer".
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
    }
    roots.add_parsable_certificates(extra);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// A response whose head has arrived; the connection task lives as long as it does.
pub(crate) struct Exchange {
    pub(crate) response: Response<Incoming>,
    _connection: AbortOnDrop,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Sends `request` over `stream` (TLS first for https) and waits for the response head.
pub(crate) async fn exchange(
    stream: TcpStream,
    tls: &Tls,
    target: &Target,
    request: Request<Full<Bytes>>,
) -> Result<Exchange, FetchError> {
    match target.scheme {
        Scheme::Http => send(stream, target, request).await,
        Scheme::Https => {
            let name = match &target.host {
                Host::Domain(d) => {
                    ServerName::try_from(d.clone()).map_err(|_| FetchError::InvalidUrl {
                        reason: "the host is not a valid TLS server name".to_owned(),
                    })?
                }
                Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
            };
            let connector = tls.connector().map_err(|e| FetchError::Tls {
                authority: target.authority(),
                source: std::io::Error::other(format!("cannot set up TLS: {e}")),
            })?;
            let tls_stream =
                connector
                    .connect(name, stream)
                    .await
                    .map_err(|source| FetchError::Tls {
                        authority: target.authority(),
                        source,
                    })?;
            send(tls_stream, target, request).await
        }
    }
}

async fn send<T>(
    io: T,
    target: &Target,
    request: Request<Full<Bytes>>,
) -> Result<Exchange, FetchError>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let http_err = |source| FetchError::Http {
        authority: target.authority(),
        source,
    };
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .max_headers(MAX_RESPONSE_HEADERS)
        .max_header_size(MAX_RESPONSE_HEAD_BYTES)
        .handshake(TokioIo::new(io))
        .await
        .map_err(http_err)?;
    let task = AbortOnDrop(tokio::spawn(async move {
        // The outcome reaches the caller through `send_request` and the body.
        let _ = connection.await;
    }));
    let response = sender.send_request(request).await.map_err(http_err)?;
    Ok(Exchange {
        response,
        _connection: task,
    })
}

/// Reads the whole body, failing (not truncating) once it would exceed `limit` bytes.
pub(crate) async fn read_body(
    exchange: Exchange,
    limit: usize,
    target: &Target,
) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::ResponseBodyTooLarge {
        authority: target.authority(),
        limit,
    };
    let Exchange {
        response,
        _connection,
    } = exchange;
    let mut body = response.into_body();
    let hint = body.size_hint();
    if usize::try_from(hint.lower()).map_or(true, |lower| lower > limit) {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(usize::try_from(hint.lower()).unwrap_or(0).min(1 << 20));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|source| FetchError::Http {
            authority: target.authority(),
            source,
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len().saturating_add(data.len()) > limit {
                return Err(too_large());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}
