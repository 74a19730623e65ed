//! The NetworkPolicy `<wf>-netpol`: what may reach the workflow's pod, and what it may reach.
//!
//! **Ingress**: port 8080/TCP from any pod of the namespace (the cron trigger pods among
//! them); everything else is denied. **Egress**: DNS (UDP and TCP 53 to kube-dns in
//! `kube-system`), then one rule per destination, sorted by host, port and protocol:
//!
//! - a contract dependency with a host, on its port (https 443, postgresql 5432, nats 4222
//!   unless written): a `<svc>.<ns>.svc[.cluster.local]` host goes to a namespaceSelector on
//!   `<ns>`, a single-label host (a Service of this namespace) to the namespace's pods, any
//!   other host to every public address (below);
//! - a `dynamic-target` dependency: its `cidr` on each `dynPorts` entry;
//! - `networkPolicy.additionalEgress`: `toCIDR` on each port (all ports when none);
//! - a node's `capabilities.net` entry, which the sandbox allows too: its host on its port,
//!   or on 443 and 80 when it names none;
//! - with queue triggers, the NATS server of `config.nats_url` (the host's own connection).
//!
//! A NetworkPolicy cannot name a host, only addresses. A hostname destination is therefore
//! port-scoped egress to every public address — `0.0.0.0/0` except the private (RFC 1918)
//! and link-local ranges (cloud metadata lives at 169.254.169.254), and `::/0` except
//! unique-local and link-local — and the sandbox's host allow-list (checked on every fetch,
//! redirect and DNS answer) narrows it to the declared host. The hosts are listed in the
//! `tentacular.dev/intended-hosts` annotation, as the original did.
//!
//! Unlike the original, every workflow gets the policy, with a contract or without: the
//! sandbox already refuses whatever the contract does not declare, and the pod should not be
//! able to do more than its nodes.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use tntc_spec::{PortProtocol, TriggerKind, Workflow};

use crate::{INTENDED_HOSTS_ANNOTATION, NAME_LABEL, NetworkPolicy, PORT};

/// The label Kubernetes puts on every namespace with its name.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Addresses a public hostname can never resolve to on the way out of the pod.
const PRIVATE_V4: [&str; 4] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
];
const PRIVATE_V6: [&str; 2] = ["fc00::/7", "fe80::/10"];

/// Where a destination is, as NetworkPolicy peers can say it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// A public hostname: every public address.
    Public,
    /// A Service in another (or this) namespace, by namespace name.
    Namespace(String),
    /// A Service of this namespace.
    ThisNamespace,
    /// An address range.
    Cidr(String),
}

/// One egress rule before it becomes a k8s-openapi value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Egress {
    /// What the rules sort by: host (or CIDR), then the ports.
    host: String,
    ports: Vec<(u16, &'static str)>,
    place: Place,
}

/// The egress rules and external hosts found so far.
#[derive(Default)]
struct Destinations {
    rules: BTreeSet<Egress>,
    hosts: BTreeSet<String>,
}

impl Destinations {
    fn host(&mut self, host: &str, ports: Vec<(u16, &'static str)>) {
        let Some(place) = place_of(host) else {
            return;
        };
        if place == Place::Public {
            self.hosts.insert(host.to_owned());
        }
        self.rules.insert(Egress {
            host: host.to_owned(),
            ports,
            place,
        });
    }

    fn cidr(&mut self, cidr: String, ports: Vec<(u16, &'static str)>) {
        self.rules.insert(Egress {
            host: cidr.clone(),
            ports,
            place: Place::Cidr(cidr),
        });
    }
}

/// The NetworkPolicy of `wf`.
pub(crate) fn network_policy(mut meta: ObjectMeta, wf: &Workflow) -> NetworkPolicy {
    let mut found = Destinations::default();
    for dep in wf.contract.iter().flat_map(|c| &c.dependencies) {
        if let Some(dynamic) = &dep.dynamic {
            let ports = dynamic
                .ports
                .iter()
                .map(|p| (p.port, protocol(p.protocol)))
                .collect();
            found.cidr(dynamic.cidr.to_string(), ports);
        } else if let Some(host) = &dep.host {
            found.host(host, vec![(dep.port(), "TCP")]);
        }
    }
    for node in &wf.nodes {
        for entry in &node.net {
            if let Some((host, port)) = split_host_port(entry) {
                let ports = match port {
                    Some(port) => vec![(port, "TCP")],
                    None => vec![(443, "TCP"), (80, "TCP")],
                };
                found.host(host, ports);
            }
        }
    }
    if let Some((host, port)) = nats_server(wf) {
        found.host(&host, vec![(port, "TCP")]);
    }
    for extra in wf.contract.iter().flat_map(|c| &c.additional_egress) {
        let cidr = extra.to_cidr.to_string();
        if extra.ports.is_empty() {
            found.cidr(cidr.clone(), Vec::new());
        }
        for p in &extra.ports {
            found.cidr(cidr.clone(), vec![(p.port, protocol(p.protocol))]);
        }
    }
    let Destinations { rules, hosts } = found;

    let mut egress = vec![dns_rule()];
    let mut seen = BTreeSet::new();
    for rule in rules {
        let built = egress_rule(&rule);
        // Two dependencies on one host and port are one rule.
        if seen.insert(serde_json::to_string(&built).unwrap_or_default()) {
            egress.push(built);
        }
    }
    if !hosts.is_empty() {
        meta.annotations = Some(BTreeMap::from([(
            INTENDED_HOSTS_ANNOTATION.to_owned(),
            hosts.into_iter().collect::<Vec<_>>().join(","),
        )]));
    }
    NetworkPolicy {
        metadata: meta,
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(NAME_LABEL.to_owned(), wf.name.clone())])),
                match_expressions: None,
            }),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    pod_selector: Some(LabelSelector::default()),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: Some(vec![port(PORT, "TCP")]),
            }]),
            egress: Some(egress),
        }),
    }
}

/// Where `host` is; `None` for loopback, which no policy governs.
fn place_of(host: &str) -> Option<Place> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host == "localhost" {
        return None;
    }
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        if ip.is_loopback() {
            return None;
        }
        let bits = if ip.is_ipv4() { 32 } else { 128 };
        return Some(Place::Cidr(format!("{ip}/{bits}")));
    }
    let labels: Vec<&str> = host.split('.').collect();
    let in_cluster = host.ends_with(".svc.cluster.local") || host.ends_with(".svc");
    match labels.as_slice() {
        [_single] => Some(Place::ThisNamespace),
        [_service, namespace, "svc", ..] if in_cluster => {
            Some(Place::Namespace((*namespace).to_owned()))
        }
        _ => Some(Place::Public),
    }
}

/// `host`, `host:port`, `[v6]:port`; `None` when the port is not a number.
fn split_host_port(entry: &str) -> Option<(&str, Option<u16>)> {
    let entry = entry.trim();
    if let Some(rest) = entry.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((ip, Some(port.parse().ok()?))),
            None => Some((ip, None)),
        };
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host, Some(port.parse().ok()?))),
        Some(_) => Some((entry, None)), // a bare IPv6 address
        None => Some((entry, None)),
    }
}

/// The NATS server the host connects to for queue triggers: `config.nats_url`'s host and
/// port (4222 by default).
fn nats_server(wf: &Workflow) -> Option<(String, u16)> {
    if !wf
        .triggers
        .iter()
        .any(|t| matches!(t.kind, TriggerKind::Queue { .. }))
    {
        return None;
    }
    let url = wf.config.raw.get("nats_url")?.as_str()?;
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = authority.split('/').next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = split_host_port(authority)?;
    Some((host.to_owned(), port.unwrap_or(4222)))
}

fn protocol(p: PortProtocol) -> &'static str {
    match p {
        PortProtocol::Tcp => "TCP",
        PortProtocol::Udp => "UDP",
        PortProtocol::Sctp => "SCTP",
    }
}

fn port(number: i32, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(number)),
        protocol: Some(protocol.to_owned()),
        end_port: None,
    }
}

fn dns_rule() -> NetworkPolicyEgressRule {
    let selector = |key: &str, value: &str| LabelSelector {
        match_labels: Some(BTreeMap::from([(key.to_owned(), value.to_owned())])),
        match_expressions: None,
    };
    NetworkPolicyEgressRule {
        to: Some(vec![NetworkPolicyPeer {
            namespace_selector: Some(selector(NAMESPACE_NAME_LABEL, "kube-system")),
            pod_selector: Some(selector("k8s-app", "kube-dns")),
            ip_block: None,
        }]),
        ports: Some(vec![port(53, "UDP"), port(53, "TCP")]),
    }
}

fn egress_rule(rule: &Egress) -> NetworkPolicyEgressRule {
    let block = |cidr: &str, except: &[&str]| NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.to_owned(),
            except: (!except.is_empty()).then(|| except.iter().map(|e| (*e).to_owned()).collect()),
        }),
        ..NetworkPolicyPeer::default()
    };
    let to = match &rule.place {
        Place::Public => vec![block("0.0.0.0/0", &PRIVATE_V4), block("::/0", &PRIVATE_V6)],
        Place::Cidr(cidr) => vec![block(cidr, &[])],
        Place::ThisNamespace => vec![NetworkPolicyPeer {
            pod_selector: Some(LabelSelector::default()),
            ..NetworkPolicyPeer::default()
        }],
        Place::Namespace(ns) => vec![NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    NAMESPACE_NAME_LABEL.to_owned(),
                    ns.clone(),
                )])),
                match_expressions: None,
            }),
            ..NetworkPolicyPeer::default()
        }],
    };
    NetworkPolicyEgressRule {
        to: Some(to),
        ports: (!rule.ports.is_empty()).then(|| {
            rule.ports
                .iter()
                .map(|(n, p)| port(i32::from(*n), p))
                .collect()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_placed_by_their_form() {
        assert_eq!(
            place_of("pg.db.svc.cluster.local"),
            Some(Place::Namespace("db".into()))
        );
        assert_eq!(
            place_of("nats.msg.svc"),
            Some(Place::Namespace("msg".into()))
        );
        assert_eq!(place_of("postgres"), Some(Place::ThisNamespace));
        assert_eq!(place_of("api.github.com"), Some(Place::Public));
        assert_eq!(place_of("svc.cluster.local"), Some(Place::Public));
        assert_eq!(
            place_of("10.1.2.3"),
            Some(Place::Cidr("10.1.2.3/32".into()))
        );
        assert_eq!(
            place_of("[2001:db8::1]"),
            Some(Place::Cidr("2001:db8::1/128".into()))
        );
        assert_eq!(place_of("localhost"), None);
        assert_eq!(place_of("127.0.0.1"), None);
    }

    #[test]
    fn host_port_entries_split_like_the_sandbox_reads_them() {
        assert_eq!(split_host_port("a.com"), Some(("a.com", None)));
        assert_eq!(split_host_port("a.com:8443"), Some(("a.com", Some(8443))));
        assert_eq!(split_host_port("[::1]:80"), Some(("::1", Some(80))));
        assert_eq!(split_host_port("2001:db8::1"), Some(("2001:db8::1", None)));
        assert_eq!(split_host_port("a.com:http"), None);
    }
}
