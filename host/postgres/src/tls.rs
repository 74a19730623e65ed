//! TLS for PostgreSQL sessions: rustls (ring) behind tokio-postgres's `TlsConnect`.
//!
//! `verify-full` checks the certificate chain against the system roots plus the host's
//! extra CAs, and the name against the dependency's host. `prefer` and `require` encrypt
//! without checking the certificate, as libpq does for those modes (the signatures of the
//! handshake are still verified); a contract that wants an authenticated server says
//! `sslmode: verify-full`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_postgres::tls::{ChannelBinding, TlsConnect};

/// The two client configurations, built on first use (loading the system roots costs a few
/// milliseconds a host that never reaches PostgreSQL should not pay).
pub(crate) struct TlsConfigs {
    extra_ca: Vec<CertificateDer<'static>>,
    verified: OnceLock<Arc<ClientConfig>>,
    unverified: OnceLock<Arc<ClientConfig>>,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TlsConfigs {
    /// `extra_ca_pem`: PEM certificates trusted besides the system roots for `verify-full`.
    pub(crate) fn new(extra_ca_pem: Option<&[u8]>) -> Result<Self, String> {
        let mut extra_ca = Vec::new();
        if let Some(pem) = extra_ca_pem {
            for cert in CertificateDer::pem_slice_iter(pem) {
                extra_ca.push(cert.map_err(|e| format!("extra CA is not valid PEM: {e}"))?);
            }
        }
        Ok(TlsConfigs {
            extra_ca,
            verified: OnceLock::new(),
            unverified: OnceLock::new(),
        })
    }

    pub(crate) fn config(&self, verify: bool) -> Result<Arc<ClientConfig>, String> {
        let slot = if verify {
            &self.verified
        } else {
            &self.unverified
        };
        if let Some(config) = slot.get() {
            return Ok(config.clone());
        }
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let config = if verify {
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            roots.add_parsable_certificates(self.extra_ca.clone());
            builder.with_root_certificates(roots).with_no_client_auth()
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Unverified(provider())))
                .with_no_client_auth()
        };
        Ok(slot.get_or_init(|| Arc::new(config)).clone())
    }
}

/// Accepts any certificate (libpq's `prefer`/`require`), still checking handshake
/// signatures so the session keys belong to whoever holds the certificate's key.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// One connection's TLS handshake, for tokio-postgres. `used` records whether the server
/// accepted TLS (tokio-postgres falls back to plain text under `prefer`).
pub(crate) struct Connect {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) name: ServerName<'static>,
    pub(crate) used: Arc<AtomicBool>,
}

impl TlsConnect<TcpStream> for Connect {
    type Stream = Stream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream>> + Send>>;

    fn connect(self, stream: TcpStream) -> Self::Future {
        Box::pin(async move {
            let connector = tokio_rustls::TlsConnector::from(self.config);
            let tls = connector.connect(self.name, stream).await?;
            self.used.store(true, Ordering::Relaxed);
            Ok(Stream(Box::new(tls)))
        })
    }
}

/// An encrypted session stream.
pub(crate) struct Stream(Box<tokio_rustls::client::TlsStream<TcpStream>>);

impl tokio_postgres::tls::TlsStream for Stream {
    fn channel_binding(&self) -> ChannelBinding {
        // SCRAM without channel binding (tokio-postgres's default `prefer` then skips it).
        ChannelBinding::none()
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}
