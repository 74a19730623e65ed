//! The two seams between the client and the operating system's network: name
//! resolution ([`Resolver`]) and TCP connect ([`Connector`]).
//!
//! The client asks the resolver once per hop, checks every address it returns, and hands
//! the connector one already-allowed `SocketAddr` at a time; the connector never sees a
//! name, so nothing downstream can resolve again. Tests replace the resolver with a stub
//! that returns chosen addresses (metadata, link-local...) and the connector with one
//! that counts calls, proving that a refused destination never gets a connection attempt.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;

use tokio::net::TcpStream;

/// A boxed `Send` future (the traits below are object-safe without extra crates).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Resolves a DNS name to addresses. Implementations return every address they found;
/// the client filters them.
pub trait Resolver: Send + Sync {
    /// Looks up `host` (a lower-case DNS name, never an IP literal). `port` is passed for
    /// resolvers that need it (getaddrinfo); it does not affect the answer.
    fn resolve<'a>(&'a self, host: &'a str, port: u16) -> BoxFuture<'a, io::Result<Vec<IpAddr>>>;
}

/// The system resolver: tokio's `lookup_host` (getaddrinfo on a blocking thread,
/// honouring `/etc/hosts` and `/etc/resolv.conf`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve<'a>(&'a self, host: &'a str, port: u16) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host, port)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// Opens a TCP connection to one address the policy has allowed.
pub trait Connector: Send + Sync {
    /// Connects to `addr`.
    fn connect<'a>(&'a self, addr: SocketAddr) -> BoxFuture<'a, io::Result<TcpStream>>;
}

/// Plain `TcpStream::connect`, with Nagle disabled (requests are written whole).
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpConnector;

impl Connector for TcpConnector {
    fn connect<'a>(&'a self, addr: SocketAddr) -> BoxFuture<'a, io::Result<TcpStream>> {
        Box::pin(async move {
            let stream = TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            Ok(stream)
        })
    }
}
