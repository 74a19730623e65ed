//! The egress policy: what one node may reach, and why a destination is refused.
//!
//! A policy starts empty (nothing is reachable) and grows by the three kinds of rule the
//! crate docs describe. Checking happens in two steps, both in [`crate::client`]: first
//! [`EgressPolicy::admit`] matches the URL's scheme, host and port against the rules
//! (no DNS query is made for a destination no rule can admit); then every address the
//! host resolves to is put to [`Admission::allows`], and only addresses it allows are
//! ever connected to.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::address::{AddressClass, Classification, classify, normalize, normalize_net};
use crate::target::{Host, Scheme, Target, parse_host, parse_port};

/// The destinations one node may reach. Built by the host from the workflow contract.
#[derive(Debug, Clone, Default)]
pub struct EgressPolicy {
    node: Option<String>,
    hosts: Vec<HostRule>,
    cidrs: Vec<CidrRule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct HostRule {
    pattern: HostPattern,
    /// `None`: the scheme's default port (443 for https, 80 for http).
    port: Option<u16>,
    /// Whether plain `http` is allowed (never for an https dependency).
    plain_http: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Name(String),
    /// `*.suffix`: any name with at least one more label in front of `suffix`.
    Subdomains(String),
    Ip(IpAddr),
    Localhost,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CidrRule {
    net: IpNet,
    /// Inclusive TCP port ranges (UDP/SCTP entries never admit an HTTP request).
    tcp_ports: Vec<(u16, u16)>,
}

/// A contract entry that cannot become a rule. Messages quote the entry (contract text,
/// never a secret) and say what form is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A `capabilities.net` entry.
    #[error("capabilities.net entry {entry:?}: {reason}")]
    NetEntry {
        /// The entry as written.
        entry: String,
        /// What is wrong and the expected form.
        reason: String,
    },
    /// The host of an https dependency.
    #[error("https dependency host {host:?}: {reason}")]
    DependencyHost {
        /// The host as written.
        host: String,
        /// What is wrong.
        reason: String,
    },
    /// The `cidr` of a dynamic-target dependency.
    #[error("dynamic-target cidr {cidr:?}: {reason}")]
    Cidr {
        /// The CIDR as written.
        cidr: String,
        /// What is wrong.
        reason: String,
    },
    /// A `dynPorts` entry of a dynamic-target dependency.
    #[error("dynamic-target dynPorts entry {entry:?}: {reason}")]
    DynPort {
        /// The entry as written.
        entry: String,
        /// What is wrong and the expected form.
        reason: String,
    },
}

impl EgressPolicy {
    /// An empty policy (nothing reachable) for the node `node`; the id appears in the
    /// hints of refusal messages (`nodes.<id>.capabilities.net`).
    pub fn new(node: impl Into<String>) -> Self {
        EgressPolicy {
            node: Some(node.into()),
            ..EgressPolicy::default()
        }
    }

    /// True when no rule has been added: every fetch is refused.
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty() && self.cidrs.is_empty()
    }

    /// Allows `https://host:port` for a contract dependency `{protocol: https, host,
    /// port}` (`port` defaults to 443). Plain http to that host stays refused: the contract
    /// promised TLS.
    pub fn allow_https_dependency(
        &mut self,
        host: &str,
        port: Option<u16>,
    ) -> Result<&mut Self, PolicyError> {
        let err = |reason: String| PolicyError::DependencyHost {
            host: host.to_owned(),
            reason,
        };
        if port == Some(0) {
            return Err(err("port 0 is not a valid port".to_owned()));
        }
        let pattern = host_pattern(host.trim()).map_err(err)?;
        self.hosts.push(HostRule {
            pattern,
            port: Some(port.unwrap_or(443)),
            plain_http: false,
        });
        Ok(self)
    }

    /// Allows a legacy `capabilities.net` entry: `host`, `host:port`, `*.domain`,
    /// `*.domain:port`, an IP literal (`10.1.2.3`, `[::1]:8080`) or `localhost`. Without a
    /// port the entry allows the default ports (443 for https, 80 for http). Both http and
    /// https are allowed, as Deno's `--allow-net` did. Lists are split by the caller.
    pub fn allow_capability_net(&mut self, entry: &str) -> Result<&mut Self, PolicyError> {
        let err = |reason: &str| PolicyError::NetEntry {
            entry: entry.to_owned(),
            reason: reason.to_owned(),
        };
        let text = entry.trim();
        if text.contains("://") || text.contains('/') {
            return Err(err("write host or host:port, without a scheme or path"));
        }
        let (host, port) = split_host_port(text).map_err(|r| err(&r))?;
        let pattern = if let Some(suffix) = host.strip_prefix("*.") {
            match parse_host(suffix) {
                Ok(Host::Domain(d)) if d.contains('.') => HostPattern::Subdomains(d),
                Ok(Host::Domain(_)) => {
                    return Err(err(
                        "a wildcard must name a registrable domain, like *.example.com",
                    ));
                }
                Ok(Host::Ip(_)) => return Err(err("a wildcard cannot cover IP addresses")),
                Err(r) => return Err(err(&r)),
            }
        } else {
            host_pattern(host).map_err(|r| err(&r))?
        };
        self.hosts.push(HostRule {
            pattern,
            port,
            plain_http: true,
        });
        Ok(self)
    }

    /// Allows a `dynamic-target` dependency: any destination whose resolved address lies
    /// in `cidr`, on a TCP port of `dyn_ports` (`"443/TCP"`, `"8080"`, `"8000-8100/TCP"`),
    /// over http or https. Special-purpose addresses (see the crate docs) inside the CIDR
    /// stay refused unless the CIDR lies entirely inside their block.
    pub fn allow_dynamic_target<S: AsRef<str>>(
        &mut self,
        cidr: &str,
        dyn_ports: &[S],
    ) -> Result<&mut Self, PolicyError> {
        let net: IpNet = cidr.trim().parse().map_err(|_| PolicyError::Cidr {
            cidr: cidr.to_owned(),
            reason: "not a valid CIDR (expected like 10.0.0.0/8 or fd00::/64)".to_owned(),
        })?;
        if dyn_ports.is_empty() {
            return Err(PolicyError::Cidr {
                cidr: cidr.to_owned(),
                reason: "dynPorts lists no port; add entries like \"443/TCP\"".to_owned(),
            });
        }
        let mut tcp_ports = Vec::new();
        for entry in dyn_ports {
            if let Some(range) = parse_dyn_port(entry.as_ref())? {
                tcp_ports.push(range);
            }
        }
        self.cidrs.push(CidrRule {
            net: normalize_net(net.trunc()),
            tcp_ports,
        });
        Ok(self)
    }

    /// Matches the URL's scheme, host and port against the rules, before any DNS query.
    pub(crate) fn admit(&self, target: &Target) -> Result<Admission<'_>, Refusal> {
        let named: Vec<&HostRule> = self
            .hosts
            .iter()
            .filter(|r| r.pattern.matches(&target.host))
            .collect();
        let on_port: Vec<&HostRule> = named
            .iter()
            .copied()
            .filter(|r| r.port.unwrap_or(target.scheme.default_port()) == target.port)
            .collect();
        let hosts: Vec<&HostRule> = on_port
            .iter()
            .copied()
            .filter(|r| target.scheme == Scheme::Https || r.plain_http)
            .collect();
        let cidrs: Vec<&CidrRule> = self
            .cidrs
            .iter()
            .filter(|r| {
                r.tcp_ports
                    .iter()
                    .any(|(lo, hi)| (*lo..=*hi).contains(&target.port))
            })
            .collect();
        if !hosts.is_empty() || !cidrs.is_empty() {
            return Ok(Admission {
                policy: self,
                hosts,
                cidrs,
            });
        }
        let reason = if !on_port.is_empty() {
            RefusalReason::HttpsOnly
        } else if !named.is_empty() {
            let mut declared: Vec<u16> = named
                .iter()
                .map(|r| r.port.unwrap_or(target.scheme.default_port()))
                .collect();
            declared.sort_unstable();
            declared.dedup();
            RefusalReason::PortNotDeclared { declared }
        } else {
            RefusalReason::NotDeclared
        };
        Err(self.refusal(target, reason))
    }

    fn refusal(&self, target: &Target, reason: RefusalReason) -> Refusal {
        Refusal {
            scheme: target.scheme,
            host: target.host.clone(),
            port: target.port,
            node: self.node.clone(),
            reason,
        }
    }
}

impl fmt::Display for EgressPolicy {
    /// One line per rule, for startup logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no egress");
        }
        let mut first = true;
        let mut sep = |f: &mut fmt::Formatter<'_>| {
            let s = if first { "" } else { "; " };
            first = false;
            f.write_str(s)
        };
        for r in &self.hosts {
            sep(f)?;
            let scheme = if r.plain_http { "http(s)" } else { "https" };
            let port = r
                .port
                .map_or("default port".to_owned(), |p| format!("port {p}"));
            write!(f, "{scheme} {} {port}", r.pattern)?;
        }
        for r in &self.cidrs {
            sep(f)?;
            let ports: Vec<String> = r
                .tcp_ports
                .iter()
                .map(|(lo, hi)| {
                    if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo}-{hi}")
                    }
                })
                .collect();
            write!(f, "cidr {} tcp {}", r.net, ports.join(","))?;
        }
        Ok(())
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostPattern::Name(n) => f.write_str(n),
            HostPattern::Subdomains(s) => write!(f, "*.{s}"),
            HostPattern::Ip(ip) => write!(f, "{}", Host::Ip(*ip)),
            HostPattern::Localhost => f.write_str("localhost"),
        }
    }
}

impl HostPattern {
    fn matches(&self, host: &Host) -> bool {
        match (self, host) {
            (HostPattern::Name(n), Host::Domain(d)) => n == d,
            (HostPattern::Subdomains(s), Host::Domain(d)) => d
                .strip_suffix(s.as_str())
                .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
            (HostPattern::Ip(ip), Host::Ip(h)) => ip == h,
            (HostPattern::Localhost, Host::Domain(d)) => d == "localhost",
            _ => false,
        }
    }
}

/// A host rule's pattern for an exact host (name, IP literal or `localhost`).
fn host_pattern(host: &str) -> Result<HostPattern, String> {
    if host.contains('*') {
        return Err("wildcards are only allowed as *.domain in capabilities.net".to_owned());
    }
    let parsed = match host.parse::<std::net::Ipv6Addr>() {
        Ok(v6) => Host::Ip(normalize(IpAddr::V6(v6))),
        Err(_) => parse_host(host)?,
    };
    match parsed {
        Host::Domain(d) if d == "localhost" => Ok(HostPattern::Localhost),
        Host::Domain(d) => Ok(HostPattern::Name(d)),
        Host::Ip(ip) => {
            let c = classify(ip);
            match c.class {
                AddressClass::Ordinary | AddressClass::Loopback => Ok(HostPattern::Ip(ip)),
                class => Err(format!(
                    "{ip} is {class}; only a dynamic-target dependency whose cidr lies inside {} can reach it",
                    c.block
                )),
            }
        }
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address.
fn split_host_port(text: &str) -> Result<(&str, Option<u16>), String> {
    if text.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok((text, None));
    }
    if text.starts_with('[') {
        let close = text.find(']').ok_or("unterminated [IPv6] host")?;
        let (host, rest) = text.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(p) => Ok((host, Some(parse_port(p)?))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err("unexpected text after ]".to_owned()),
        };
    }
    match text.split_once(':') {
        Some((host, p)) => Ok((host, Some(parse_port(p)?))),
        None => Ok((text, None)),
    }
}

/// `443/TCP`, `443`, `8000-8100/TCP`; `Ok(None)` for UDP/SCTP entries.
fn parse_dyn_port(entry: &str) -> Result<Option<(u16, u16)>, PolicyError> {
    let err = |reason: &str| PolicyError::DynPort {
        entry: entry.to_owned(),
        reason: reason.to_owned(),
    };
    let (ports, protocol) = match entry.trim().split_once('/') {
        Some((p, proto)) => (p.trim(), proto.trim().to_ascii_uppercase()),
        None => (entry.trim(), "TCP".to_owned()),
    };
    let (lo, hi) = match ports.split_once('-') {
        Some((lo, hi)) => (parse_port(lo.trim()), parse_port(hi.trim())),
        None => (parse_port(ports), parse_port(ports)),
    };
    let expected =
        "expected a port (1-65535) or range with a protocol, like \"443/TCP\" or \"8000-8100/TCP\"";
    let (Ok(lo), Ok(hi)) = (lo, hi) else {
        return Err(err(expected));
    };
    if lo > hi {
        return Err(err("the range's first port is larger than its last"));
    }
    match protocol.as_str() {
        "TCP" => Ok(Some((lo, hi))),
        "UDP" | "SCTP" => Ok(None),
        _ => Err(err(expected)),
    }
}

/// The rules that may admit one target, pending its resolved addresses.
#[derive(Debug)]
pub(crate) struct Admission<'p> {
    policy: &'p EgressPolicy,
    hosts: Vec<&'p HostRule>,
    cidrs: Vec<&'p CidrRule>,
}

impl Admission<'_> {
    /// Whether the connection may go to `ip` (any form; it is normalised here).
    pub(crate) fn allows(&self, ip: IpAddr) -> bool {
        let ip = normalize(ip);
        let c = classify(ip);
        let by_host = self.hosts.iter().any(|r| match &r.pattern {
            HostPattern::Localhost => c.class == AddressClass::Loopback,
            HostPattern::Ip(lit) => {
                *lit == ip && matches!(c.class, AddressClass::Ordinary | AddressClass::Loopback)
            }
            HostPattern::Name(_) | HostPattern::Subdomains(_) => c.class == AddressClass::Ordinary,
        });
        by_host
            || self
                .cidrs
                .iter()
                .any(|r| r.net.contains(&ip) && c.lifted_by(&r.net))
    }

    /// The refusal for a target none of whose addresses [`Admission::allows`].
    pub(crate) fn refuse(&self, target: &Target, addresses: &[IpAddr]) -> Refusal {
        let addresses = addresses
            .iter()
            .map(|ip| (normalize(*ip), classify(*ip)))
            .collect();
        self.policy.refusal(
            target,
            RefusalReason::Addresses {
                addresses,
                host_declared: !self.hosts.is_empty(),
            },
        )
    }
}

/// A destination the policy does not allow. Its `Display` is the message node code sees:
/// the host and port, why, and what to add to workflow.yaml. It never holds the URL's path
/// or query, headers or body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The scheme asked for.
    pub scheme: Scheme,
    /// The host asked for.
    pub host: Host,
    /// The port asked for.
    pub port: u16,
    node: Option<String>,
    /// Why.
    pub reason: RefusalReason,
}

/// Why a destination was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// No rule names this host (and no dynamic-target covers this port).
    NotDeclared,
    /// The host is declared, but only on other ports.
    PortNotDeclared {
        /// The ports it is declared on.
        declared: Vec<u16>,
    },
    /// The host is declared as an https dependency and plain http was used.
    HttpsOnly,
    /// Every address the host resolved to (or the IP literal) is off-limits.
    Addresses {
        /// Each address with its class.
        addresses: Vec<(IpAddr, Classification)>,
        /// True when a host rule named the host (the addresses were the problem);
        /// false when only dynamic-target CIDRs could have admitted it.
        host_declared: bool,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = &self.host;
        let port = self.port;
        let node = self.node.as_deref().unwrap_or("<id>");
        let default_port = port == self.scheme.default_port();
        let net_entry = if default_port {
            host.to_string()
        } else {
            format!("{host}:{port}")
        };
        let dependency = if default_port && self.scheme == Scheme::Https {
            format!("{{protocol: https, host: {host}}}")
        } else {
            format!("{{protocol: https, host: {host}, port: {port}}}")
        };
        let cidr_hint = match host {
            Host::Ip(_) => " (or a dynamic-target dependency whose cidr covers it)",
            Host::Domain(_) => "",
        };
        write!(f, "fetch to {host}:{port} refused: ")?;
        match &self.reason {
            RefusalReason::NotDeclared if self.scheme == Scheme::Http => write!(
                f,
                "plain http to it is not declared in the workflow contract. List {net_entry} in \
                 nodes.{node}.capabilities.net{cidr_hint} (https dependencies allow https only), \
                 or use https"
            ),
            RefusalReason::NotDeclared => write!(
                f,
                "not declared in the workflow contract. Add a dependency {dependency} to \
                 contract.dependencies (or list it in nodes.{node}.capabilities.net){cidr_hint}"
            ),
            RefusalReason::PortNotDeclared { declared } => {
                let list: Vec<String> = declared.iter().map(u16::to_string).collect();
                write!(
                    f,
                    "{host} is declared only for port {}. Add port: {port} to its dependency \
                     (or list {host}:{port} in nodes.{node}.capabilities.net)",
                    list.join(", ")
                )
            }
            RefusalReason::HttpsOnly => write!(
                f,
                "{host} is declared as an https dependency, which allows https only. Use \
                 https://, or list {net_entry} in nodes.{node}.capabilities.net"
            ),
            RefusalReason::Addresses {
                addresses,
                host_declared,
            } => {
                let all_ordinary = addresses
                    .iter()
                    .all(|(_, c)| c.class == AddressClass::Ordinary);
                let list: Vec<String> = addresses
                    .iter()
                    .map(|(ip, c)| match c.class {
                        AddressClass::Ordinary => ip.to_string(),
                        class => format!("{ip} ({class})"),
                    })
                    .collect();
                let what = match host {
                    Host::Ip(_) => "it lies".to_owned(),
                    Host::Domain(_) => format!("{host} resolved to {},", list.join(", ")),
                };
                if !host_declared && all_ordinary {
                    return write!(
                        f,
                        "not declared in the workflow contract ({what}, outside every \
                         dynamic-target cidr for port {port}). Add a dependency {dependency} to \
                         contract.dependencies (or list it in nodes.{node}.capabilities.net)"
                    );
                }
                match host {
                    Host::Ip(_) => write!(f, "{}", list.join(", "))?,
                    Host::Domain(_) => write!(f, "{host} resolved to {}", list.join(", "))?,
                }
                f.write_str(", which workflows may not reach")?;
                let loopback_by_name = matches!(host, Host::Domain(_))
                    && addresses
                        .iter()
                        .any(|(_, c)| c.class == AddressClass::Loopback);
                if loopback_by_name {
                    f.write_str(
                        ". A declared host name may not resolve to this pod itself; declare the \
                         IP literal (127.0.0.1) or localhost to reach a local service",
                    )?;
                }
                if let Some((_, c)) = addresses.iter().find(|(_, c)| {
                    !matches!(c.class, AddressClass::Ordinary | AddressClass::Loopback)
                }) {
                    write!(
                        f,
                        ". Only a dynamic-target dependency whose cidr lies inside {} can reach {}",
                        c.block, c.class
                    )?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
