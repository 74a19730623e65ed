//! Real local servers (plain and TLS, on 127.0.0.1 only), a stub resolver and a
//! recording connector for the integration tests.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tntc_fetch::{
    BoxFuture, Connector, EgressPolicy, FetchClient, FetchConfig, FetchError, FetchRequest,
    FetchResponse, PemSource, Resolver,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// What a test server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a test server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Send the body chunked (no Content-Length).
    pub chunked: bool,
    /// Answer only once the server has received this many requests (0: at once).
    pub held_until_seen: usize,
}

impl Reply {
    pub fn ok(body: &str) -> Reply {
        Reply {
            status: 200,
            reason: "OK".into(),
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
            chunked: false,
            held_until_seen: 0,
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply {
            status,
            reason: "Redirect".into(),
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
            ..Reply::ok("")
        }
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// Held until the server has received `requests` requests: clients that all get an
    /// answer were all waiting at once, whatever the machine's speed.
    pub fn once_seen(mut self, requests: usize) -> Reply {
        self.held_until_seen = requests;
        self
    }
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1 that records what it sees.
pub struct Server {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn http(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        Server::start(Arc::new(handler), None).await
    }

    pub async fn https(
        tls: &TestCa,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::start(Arc::new(handler), Some(tls.acceptor())).await
    }

    async fn start(handler: Handler, tls: Option<TlsAcceptor>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (seen2, conns2) = (seen.clone(), connections.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                conns2.fetch_add(1, Ordering::SeqCst);
                let (handler, seen, tls) = (handler.clone(), seen2.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(s) = acceptor.accept(stream).await {
                                serve(s, handler, seen).await;
                            }
                        }
                        None => serve(stream, handler, seen).await,
                    }
                });
            }
        });
        Server {
            addr,
            seen,
            connections,
            task,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port())
    }

    /// Complete requests received.
    pub fn hits(&self) -> usize {
        self.seen.lock().expect("lock").len()
    }

    /// TCP connections accepted (a refused fetch must leave this at 0).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    handler: Handler,
    seen: Arc<Mutex<Vec<Seen>>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        // A TLS ClientHello on a plain server: hang up instead of waiting for a head.
        if buf.first() == Some(&0x16) || buf.len() > 1 << 20 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let request = Seen {
        method,
        target,
        headers,
        body,
    };
    let reply = handler(&request);
    seen.lock().expect("lock").push(request);
    while seen.lock().expect("lock").len() < reply.held_until_seen {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(reply.delay).await;
    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reply.reason);
    for (n, v) in &reply.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    if reply.chunked {
        out.push_str("transfer-encoding: chunked\r\n");
    } else {
        out.push_str(&format!("content-length: {}\r\n", reply.body.len()));
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    if reply.chunked {
        for piece in reply.body.chunks(4096) {
            bytes.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            bytes.extend_from_slice(piece);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
    } else {
        bytes.extend_from_slice(&reply.body);
    }
    let _ = stream.write_all(&bytes).await;
    let _ = stream.shutdown().await;
}

/// A resolver answering from a fixed table and counting lookups.
#[derive(Default)]
pub struct StubResolver {
    answers: HashMap<String, Vec<IpAddr>>,
    pub lookups: AtomicUsize,
}

impl StubResolver {
    pub fn with(entries: &[(&str, &[&str])]) -> Arc<StubResolver> {
        let answers = entries
            .iter()
            .map(|(name, ips)| {
                let ips = ips
                    .iter()
                    .map(|ip| ip.parse().expect("stub address"))
                    .collect();
                ((*name).to_owned(), ips)
            })
            .collect();
        Arc::new(StubResolver {
            answers,
            lookups: AtomicUsize::new(0),
        })
    }

    pub fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }
}

impl Resolver for StubResolver {
    fn resolve<'a>(&'a self, host: &'a str, _port: u16) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        let answer = self
            .answers
            .get(host)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host (stub)"));
        Box::pin(async move { answer })
    }
}

/// A connector that records every address it is asked for. It only ever opens
/// connections on this machine: a loopback address is connected to as asked; any other
/// address is either routed to `route` (a local test server standing in for a remote
/// one) or fails without sending a packet.
#[derive(Default)]
pub struct RecordingConnector {
    pub route: Option<SocketAddr>,
    calls: Mutex<Vec<SocketAddr>>,
}

impl RecordingConnector {
    pub fn new() -> Arc<RecordingConnector> {
        Arc::new(RecordingConnector::default())
    }

    pub fn routing_to(server: &Server) -> Arc<RecordingConnector> {
        Arc::new(RecordingConnector {
            route: Some(server.addr),
            calls: Mutex::default(),
        })
    }

    pub fn calls(&self) -> Vec<SocketAddr> {
        self.calls.lock().expect("lock").clone()
    }
}

impl Connector for RecordingConnector {
    fn connect<'a>(&'a self, addr: SocketAddr) -> BoxFuture<'a, io::Result<TcpStream>> {
        self.calls.lock().expect("lock").push(addr);
        let destination = if addr.ip().is_loopback() {
            Some(addr)
        } else {
            self.route
        };
        Box::pin(async move {
            match destination {
                Some(d) => TcpStream::connect(d).await,
                None => Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "test connector: no route",
                )),
            }
        })
    }
}

/// A throwaway CA and a server certificate for `localhost`, `api.test` and 127.0.0.1.
pub struct TestCa {
    pub ca_pem: String,
    leaf_der: CertificateDer<'static>,
    leaf_key: Vec<u8>,
}

impl TestCa {
    pub fn new() -> TestCa {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "tntc test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("ca key"))
            .expect("ca cert");
        let leaf_key = KeyPair::generate().expect("leaf key");
        let leaf = CertificateParams::new(vec![
            "localhost".to_owned(),
            "api.test".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .expect("leaf params")
        .signed_by(&leaf_key, &ca)
        .expect("leaf cert");
        TestCa {
            ca_pem: ca.pem(),
            leaf_der: leaf.der().clone(),
            leaf_key: leaf_key.serialize_der(),
        }
    }

    fn acceptor(&self) -> TlsAcceptor {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.leaf_key.clone()));
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_no_client_auth()
            .with_single_cert(vec![self.leaf_der.clone()], key)
            .expect("server cert");
        TlsAcceptor::from(Arc::new(config))
    }
}

/// A client with no system roots and the given seams.
pub fn client(resolver: Arc<dyn Resolver>, connector: Arc<dyn Connector>) -> FetchClient {
    client_with(FetchConfig {
        system_roots: false,
        resolver,
        connector,
        ..FetchConfig::default()
    })
}

pub fn client_with(config: FetchConfig) -> FetchClient {
    FetchClient::new(config).expect("client")
}

/// A client that trusts `ca` only.
pub fn tls_client(
    ca: &TestCa,
    resolver: Arc<dyn Resolver>,
    connector: Arc<dyn Connector>,
) -> FetchClient {
    client_with(FetchConfig {
        system_roots: false,
        extra_ca_pem: Some(PemSource::Bytes(ca.ca_pem.clone().into_bytes())),
        resolver,
        connector,
        ..FetchConfig::default()
    })
}

/// A policy from `capabilities.net` entries and `(cidr, ports)` dynamic targets.
pub fn policy(net: &[&str], cidrs: &[(&str, &[&str])]) -> EgressPolicy {
    let mut p = EgressPolicy::new("test-node");
    for entry in net {
        p.allow_capability_net(entry).expect("net entry");
    }
    for (cidr, ports) in cidrs {
        p.allow_dynamic_target(cidr, ports).expect("dynamic target");
    }
    p
}

pub fn in_secs(s: u64) -> Instant {
    Instant::now() + Duration::from_secs(s)
}

pub async fn get(
    client: &FetchClient,
    policy: &EgressPolicy,
    url: &str,
) -> Result<FetchResponse, FetchError> {
    client
        .fetch(policy, FetchRequest::get(url), in_secs(10))
        .await
}

pub fn text(response: &FetchResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}
