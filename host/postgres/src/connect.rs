//! Opening one connection to a target: resolve the contract's host, keep only addresses a
//! workflow may reach (the address classes of `tntc-fetch`), connect, TLS per `sslmode`,
//! authenticate with the contract's user and secret.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustls::pki_types::ServerName;
use tntc_fetch::{AddressClass, classify};
use tokio::net::TcpStream;
use tokio_postgres::config::SslMode as PgSslMode;

use crate::error::CallError;
use crate::policy::{PgTarget, SslMode};
use crate::tls::{Connect, TlsConfigs};

/// An open, authenticated connection.
pub(crate) struct Conn {
    pub(crate) client: tokio_postgres::Client,
    pub(crate) target: Arc<PgTarget>,
    /// Whether the connection is encrypted.
    pub(crate) tls: bool,
    /// Where it is connected (to cancel a running statement).
    pub(crate) addr: SocketAddr,
}

/// The addresses of `host` a connection may go to, or why none.
async fn addresses(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let literal = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok();
    let (found, by_name): (Vec<SocketAddr>, bool) = match (literal, host) {
        (Some(ip), _) => (vec![SocketAddr::new(ip, port)], false),
        (None, "localhost") => (
            vec![
                SocketAddr::from(([127, 0, 0, 1], port)),
                SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)),
            ],
            false,
        ),
        (None, _) => (
            tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("cannot resolve {host}: {e}"))?
                .collect(),
            true,
        ),
    };
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    for addr in found {
        let class = classify(addr.ip()).class;
        let ok = match class {
            AddressClass::Ordinary => true,
            // A declared IP literal or localhost may be this pod; a name resolving to it may not
            // (DNS rebinding), as for fetch.
            AddressClass::Loopback => !by_name,
            _ => false,
        };
        if ok {
            allowed.push(addr);
        } else {
            refused.push(format!("{} ({})", addr.ip(), class.describe()));
        }
    }
    if allowed.is_empty() {
        return Err(format!(
            "{host} resolved to {}, which workflows may not reach",
            refused.join(", ")
        ));
    }
    Ok(allowed)
}

/// Connects to `target`. `tls_enforce` upgrades `prefer` to `require`.
pub(crate) async fn open(
    target: &Arc<PgTarget>,
    tls: &TlsConfigs,
    tls_enforce: bool,
) -> Result<Conn, CallError> {
    let where_ = format!(
        "cannot connect to PostgreSQL dependency \"{}\" at {}:{}",
        target.dependency, target.host, target.port
    );
    let fail = |reason: String| CallError::new(format!("{where_}: {reason}"));
    let addrs = addresses(&target.host, target.port).await.map_err(fail)?;
    let mut last = String::new();
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                stream = Some((s, addr));
                break;
            }
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    let (stream, addr) = stream.ok_or_else(|| fail(last))?;

    let mode = match (target.sslmode, tls_enforce) {
        (SslMode::Disable, true) => {
            return Err(fail(
                "the Client asks for TLS (tls.enforce), but the dependency says sslmode: disable"
                    .into(),
            ));
        }
        (SslMode::Disable, false) => PgSslMode::Disable,
        (SslMode::Prefer, false) => PgSslMode::Prefer,
        _ => PgSslMode::Require,
    };
    let config = tls
        .config(target.sslmode == SslMode::VerifyFull)
        .map_err(fail)?;
    let host = target.host.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| fail(format!("{host} is not a valid TLS server name: {e}")))?;
    let used = Arc::new(AtomicBool::new(false));
    let connector = Connect {
        config,
        name,
        used: used.clone(),
    };
    let mut pg = tokio_postgres::Config::new();
    pg.user(&target.user)
        .dbname(&target.database)
        .application_name("tntc")
        .ssl_mode(mode);
    if let Some(password) = &target.password {
        pg.password(password);
    }
    let (client, connection) = pg
        .connect_raw(stream, connector)
        .await
        .map_err(|e| CallError::from_pg(&e, &where_).redact(target.password.as_deref()))?;
    // The connection task ends when the client is dropped (or the server goes away).
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(Conn {
        client,
        target: target.clone(),
        tls: used.load(Ordering::Relaxed),
        addr,
    })
}

/// Asks the server to cancel what `conn` is running (best effort, bounded).
pub(crate) async fn cancel(conn: &Conn, tls: &TlsConfigs) {
    let token = conn.client.cancel_token();
    let Ok(stream) = TcpStream::connect(conn.addr).await else {
        return;
    };
    let host = conn
        .target
        .host
        .trim_start_matches('[')
        .trim_end_matches(']');
    let (Ok(config), Ok(name)) = (
        tls.config(conn.target.sslmode == SslMode::VerifyFull),
        ServerName::try_from(host.to_owned()),
    ) else {
        return;
    };
    let connector = Connect {
        config,
        name,
        used: Arc::new(AtomicBool::new(false)),
    };
    let _ = token.cancel_query_raw(stream, connector).await;
}
