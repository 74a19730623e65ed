//! `tntc-fetch`: the only way out of a node's sandbox — a capability-scoped HTTP(S)
//! client.
//!
//! Every node runs in its own wasm sandbox whose single outbound capability is the `fetch`
//! host import. This crate is what that import calls: it takes an [`EgressPolicy`] (built
//! by the host from the workflow contract; this crate does not read workflow.yaml), a
//! [`FetchRequest`] and a deadline, and either performs the request or refuses it with an
//! error whose message (the node's `TypeError`) names the destination and says how to
//! declare it. A compromised node must not reach anything its workflow did not declare,
//! so every design choice below errs toward refusing.
//!
//! # Policy
//! A policy starts empty (everything refused) and holds three kinds of rule:
//!
//! | rule | from | matches | schemes | port |
//! |---|---|---|---|---|
//! | host | https dependency `{protocol: https, host, port?}` | the exact host (name or IP literal) | https only: the contract promised TLS | `port`, default 443 |
//! | host | `capabilities.net` entry `host[:port]`, `*.domain[:port]` | exact host; `*.domain` = any name with at least one more label (not `domain` itself) | http and https (as Deno's `--allow-net`) | the given port, else the scheme's default (443 / 80) |
//! | CIDR | `dynamic-target` `{cidr, dynPorts}` | any URL host whose **resolved** address is in the CIDR | http and https | the `dynPorts` TCP entries (`443/TCP`, `8000-8100/TCP`; UDP entries admit nothing) |
//!
//! Nothing else opens egress: no proxy variables, no "allow all". Plain http is therefore
//! allowed only where a rule that does not promise TLS (a `capabilities.net` entry or a
//! dynamic-target CIDR) names that port. A URL whose host no rule names and whose port no
//! CIDR lists is refused before any DNS query (an undeclared name is never looked up,
//! which also closes DNS as an exfiltration channel in that case; a dynamic-target CIDR
//! necessarily lets any name on its ports be resolved). A redirect is a new request: every
//! hop goes through the same checks.
//!
//! # Addresses
//! Every address a host resolves to is normalised (IPv4-mapped `::ffff:a.b.c.d` is
//! `a.b.c.d`) and checked; the client connects only to allowed addresses, in the resolver's
//! order, to the very `SocketAddr` it checked (nothing resolves twice). A DNS answer
//! mixing allowed and forbidden addresses connects only to the allowed ones. The table
//! (most specific block wins):
//!
//! | block | class | host rule with a DNS name | host rule with an IP literal / `localhost` | CIDR rule |
//! |---|---|---|---|---|
//! | `169.254.169.254/32`, `168.63.129.16/32`, `100.100.100.200/32`, `fd00:ec2::/32`, `fd20:ce::254/128` | cloud metadata | refused | refused (rejected when the rule is built) | only a CIDR inside that block |
//! | `169.254.0.0/16`, `fe80::/10` | link-local | refused | refused (rejected when built) | only a CIDR inside the block |
//! | `0.0.0.0/8`, `::/128` | unspecified (reaches this host) | refused | refused (rejected when built) | only a CIDR inside the block |
//! | `127.0.0.0/8`, `::1/128` | loopback | refused (DNS rebinding to the pod) | allowed (`localhost` = `127.0.0.1`, `::1`, never resolved) | only a CIDR inside the block |
//! | `224.0.0.0/4`, `ff00::/8` | multicast | refused | refused (rejected when built) | only a CIDR inside the block |
//! | `255.255.255.255/32` | broadcast | refused | refused (rejected when built) | only a CIDR inside the block |
//! | `240.0.0.0/4`, `::/96` (IPv4-compatible), `::ffff:0:0:0/96` (SIIT), `64:ff9b:1::/48` | reserved | refused | refused (rejected when built) | only a CIDR inside the block |
//! | `64:ff9b::/96` (NAT64) | the class of the embedded IPv4 address | as that class | as that class | as that class |
//! | everything else (public, `10/8`, `172.16/12`, `192.168/16`, `100.64/10`, `fc00::/7`...) | ordinary | allowed | allowed | allowed when inside the CIDR |
//!
//! "Only a CIDR inside the block" means the dynamic-target CIDR must lie entirely within
//! the special block: `169.254.0.0/16` opens link-local but not `169.254.169.254`, and
//! `0.0.0.0/0` opens none of the special blocks. Private ranges are ordinary because
//! declared internal services (`db.svc.cluster.local`) live there.
//!
//! # Transport
//! One fresh TCP connection per hop (tokio), TLS with rustls (ring provider; system roots
//! via `rustls-native-certs` plus an optional extra CA bundle; SNI and certificate name are
//! the URL's host), HTTP/1.1 with hyper's client connection, `Connection: close`. There is
//! no connection pool, deliberately: a pooled connection would outlive the node run that
//! opened it and could be handed to another node with a different policy, or be
//! kept alive by a hostile server; per-run isolation is the point of the sandbox. The cost
//! is a TCP (+TLS) handshake per request, which is small next to the remote call itself
//! for workflow traffic; TLS session resumption (rustls's in-memory cache, shared by the
//! client) takes most of the TLS cost away on repeat visits.
//!
//! # Limits
//! Request body and response body caps (over the cap is an error, never a truncation);
//! at most 100 request headers / 64 KiB and 100 response headers / 64 KiB of response
//! head; at most [`FetchConfig::max_redirects`] redirects; one timeout,
//! `min(request timeout, caller's deadline)`, covering resolution, connect, TLS, the
//! response head, the body and every redirect. Hop-by-hop headers are stripped, `Host`
//! and `Content-Length` are set by the client, no cookie jar exists, responses arrive
//! uncompressed (`Accept-Encoding: identity`).
//!
//! # Redirects
//! Followed by the client per the Fetch standard: 301/302 turn POST into GET, 303 turns
//! anything but GET/HEAD into GET (dropping the body and its headers), 307/308 keep method
//! and body. `Authorization`, `X-API-Key`, `Cookie` and `Proxy-Authorization` are dropped
//! when a redirect changes origin (and stay dropped). The response reports the final
//! `url` and `redirected`.
//!
//! # Concurrency
//! Everything is async on the caller's tokio runtime: a thousand waiting fetches are a
//! thousand small futures, not threads.
//!
//! # Errors
//! [`FetchError`]'s `Display` is what node code sees. It names `host:port` and never
//! includes the URL's path or query, header values or bodies.

mod address;
mod client;
mod error;
mod headers;
mod network;
mod policy;
mod target;
mod transport;

pub use address::{AddressClass, Classification, classify};
pub use client::{FetchClient, FetchConfig, FetchRequest, FetchResponse};
pub use error::{FetchError, SetupError, TimeoutBound};
pub use headers::{
    MAX_REQUEST_HEADER_BYTES, MAX_REQUEST_HEADERS, MAX_RESPONSE_HEAD_BYTES, MAX_RESPONSE_HEADERS,
};
pub use network::{BoxFuture, Connector, Resolver, SystemResolver, TcpConnector};
pub use policy::{EgressPolicy, PolicyError, Refusal, RefusalReason};
pub use target::{Host, Scheme};
pub use transport::PemSource;
