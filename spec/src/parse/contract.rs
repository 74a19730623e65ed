//! `contract:` — declared dependencies and extra egress.

use ipnet::IpNet;

use crate::diagnostic::Diagnostic;
use crate::model::{
    Auth, Contract, Dependency, DynamicTarget, EgressRule, PortProtocol, PortSpec, SecretRef,
};
use crate::source::Span;
use crate::yaml::{Node, ScalarValue};

use super::fields::{Fields, Sink, closest, index, text};
use super::is_identifier;
use super::nodes::is_hostname;

const CONTRACT_KEYS: &[&str] = &["version", "dependencies", "networkPolicy"];
const DEPENDENCY_KEYS: &[&str] = &[
    "protocol",
    "host",
    "port",
    "database",
    "user",
    "sslmode",
    "subject",
    "container",
    "auth",
    "type",
    "cidr",
    "dynPorts",
];
const PROTOCOLS: &[&str] = &["https", "postgresql", "nats", "blob"];
/// `sslmode` values of a postgresql dependency (libpq's names; `allow` and `verify-ca` are
/// not offered: the first downgrades silently, the second checks a chain without the name).
pub(crate) const SSL_MODES: &[&str] = &["disable", "prefer", "require", "verify-full"];

pub(super) fn decode(sink: &mut Sink, node: &Node) -> Option<Contract> {
    let mut f = Fields::of(
        sink,
        "contract",
        node,
        "a mapping with `version` and `dependencies`",
    )?;
    let version = f
        .require(sink, "version", "add `version: \"1\"` to the contract")
        .and_then(|e| {
            let v = text(sink, "contract.version", &e.value)?;
            if v == "1" {
                Some(v)
            } else {
                sink.push(
                    Diagnostic::error(
                        "contract.version",
                        e.value.span,
                        format!("unsupported contract version \"{v}\""),
                    )
                    .with_hint("the only contract version is \"1\""),
                );
                None
            }
        });
    let dependencies = f
        .get("dependencies")
        .map(|e| decode_dependencies(sink, &e.value))
        .unwrap_or_default();
    let additional_egress = f
        .get("networkPolicy")
        .map(|e| decode_network_policy(sink, &e.value))
        .unwrap_or_default();
    f.finish(sink, CONTRACT_KEYS);
    Some(Contract {
        version: version.unwrap_or_else(|| "1".into()),
        dependencies,
        additional_egress,
    })
}

fn decode_dependencies(sink: &mut Sink, node: &Node) -> Vec<Dependency> {
    let Some(mut deps) = Fields::of(
        sink,
        "contract.dependencies",
        node,
        "a mapping of name to dependency",
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in deps.all() {
        let path = deps.child(&entry.key);
        if !is_identifier(&entry.key) {
            sink.push(
                Diagnostic::error(
                    &path,
                    entry.key_span,
                    format!("invalid dependency name \"{}\"", entry.key),
                )
                .with_hint("dependency names match ^[a-z][a-z0-9_-]*$, e.g. \"github-api\""),
            );
        }
        if let Some(dep) = decode_dependency(sink, &path, &entry.key, entry.key_span, &entry.value)
        {
            out.push(dep);
        }
    }
    out
}

fn decode_dependency(
    sink: &mut Sink,
    path: &str,
    name: &str,
    span: Span,
    node: &Node,
) -> Option<Dependency> {
    let mut f = Fields::of(sink, path, node, "a mapping with a `protocol`")?.anchored(span);
    let protocol = f
        .require(
            sink,
            "protocol",
            "add `protocol: https` (or postgresql, nats, blob)",
        )
        .and_then(|e| {
            let p = text(sink, &f.child("protocol"), &e.value)?;
            if !PROTOCOLS.contains(&p.as_str()) {
                let mut d = Diagnostic::warning(
                    f.child("protocol"),
                    e.value.span,
                    format!("unknown protocol \"{p}\""),
                );
                d = match closest(&p, PROTOCOLS) {
                    Some(best) => d.with_hint(format!("did you mean \"{best}\"?")),
                    None => d.with_hint(
                        "known protocols: https, postgresql, nats, blob (only https gets `fetch`)",
                    ),
                };
                sink.push(d);
            }
            Some(p)
        });
    let string_field = |f: &mut Fields, sink: &mut Sink, key: &str| {
        f.get(key)
            .and_then(|e| text(sink, &f.child(key), &e.value).map(|t| (t, e.value.span)))
    };
    let host = string_field(&mut f, sink, "host");
    let database = string_field(&mut f, sink, "database");
    let user = string_field(&mut f, sink, "user");
    let sslmode = string_field(&mut f, sink, "sslmode");
    let subject = string_field(&mut f, sink, "subject");
    let container = string_field(&mut f, sink, "container");
    let kind = string_field(&mut f, sink, "type");
    let port = f
        .get("port")
        .and_then(|e| port(sink, &f.child("port"), &e.value));
    let auth = f
        .get("auth")
        .and_then(|e| decode_auth(sink, &f.child("auth"), &e.value, e.key_span));

    if let Some((h, span)) = &host
        && !is_hostname(h)
    {
        let hint = match h.split_once("://") {
            Some((_, rest)) => format!(
                "write only the host name: `host: {}`",
                rest.trim_end_matches('/')
            ),
            None => {
                "write only the host name, e.g. `host: api.github.com`; put the port in `port:`"
                    .to_string()
            }
        };
        sink.push(
            Diagnostic::error(f.child("host"), *span, format!("invalid host \"{h}\""))
                .with_hint(hint),
        );
    }

    if let Some((mode, span)) = &sslmode {
        if protocol.as_deref() != Some("postgresql") {
            sink.push(
                Diagnostic::warning(
                    f.child("sslmode"),
                    *span,
                    "`sslmode` applies only to postgresql dependencies",
                )
                .with_hint("remove it, or set `protocol: postgresql`"),
            );
        } else if !SSL_MODES.contains(&mode.as_str()) {
            sink.push(
                Diagnostic::error(
                    f.child("sslmode"),
                    *span,
                    format!("unknown sslmode \"{mode}\""),
                )
                .with_hint(format!("use one of {}", SSL_MODES.join(", "))),
            );
        }
    }

    let dynamic = match kind.as_ref().map(|(k, s)| (k.as_str(), *s)) {
        Some(("dynamic-target", _)) => decode_dynamic(sink, &mut f),
        Some((other, span)) => {
            sink.push(
                Diagnostic::error(f.child("type"), span, format!("unknown dependency type \"{other}\""))
                    .with_hint("the only dependency type is \"dynamic-target\" (an address known at run time, bounded by `cidr` and `dynPorts`)"),
            );
            None
        }
        None => {
            let needs: &[(&str, &Option<(String, Span)>)] = match protocol.as_deref() {
                Some("https") => &[("host", &host)],
                Some("postgresql") => &[("host", &host), ("database", &database), ("user", &user)],
                Some("nats") => &[("host", &host), ("subject", &subject)],
                Some("blob") => &[("host", &host), ("container", &container)],
                _ => &[],
            };
            for (key, value) in needs {
                if value.is_none() {
                    let protocol = protocol.as_deref().unwrap_or_default();
                    sink.push(
                        Diagnostic::error(
                            f.child(key),
                            span,
                            format!("{protocol} dependency \"{name}\" is missing `{key}`"),
                        )
                        .with_hint(format!(
                            "{protocol} dependencies need {}",
                            needs
                                .iter()
                                .map(|(k, _)| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
            }
            None
        }
    };
    f.finish(sink, DEPENDENCY_KEYS);
    Some(Dependency {
        name: name.to_string(),
        protocol: protocol?,
        host: host.map(|(h, _)| h),
        port,
        database: database.map(|(t, _)| t),
        user: user.map(|(t, _)| t),
        sslmode: sslmode.map(|(t, _)| t),
        subject: subject.map(|(t, _)| t),
        container: container.map(|(t, _)| t),
        auth,
        dynamic,
        span,
    })
}

fn decode_dynamic(sink: &mut Sink, f: &mut Fields) -> Option<DynamicTarget> {
    let cidr = f
        .require(
            sink,
            "cidr",
            "dynamic targets need the network they may reach, e.g. `cidr: 10.0.0.0/8`",
        )
        .and_then(|e| cidr(sink, &f.child("cidr"), &e.value));
    let ports = f
        .require(
            sink,
            "dynPorts",
            "dynamic targets need their ports, e.g. `dynPorts: [\"443/TCP\"]`",
        )
        .and_then(|e| {
            let ports = port_list(sink, &f.child("dynPorts"), &e.value)?;
            if ports.is_empty() {
                sink.push(
                    Diagnostic::error(f.child("dynPorts"), e.value.span, "`dynPorts` is empty")
                        .with_hint("list at least one port, e.g. [\"443/TCP\"]"),
                );
                return None;
            }
            Some(ports)
        });
    Some(DynamicTarget {
        cidr: cidr?,
        ports: ports?,
    })
}

fn decode_auth(sink: &mut Sink, path: &str, node: &Node, key_span: Span) -> Option<Auth> {
    let mut f =
        Fields::of(sink, path, node, "a mapping with `type` and `secret`")?.anchored(key_span);
    let kind = f
        .require(sink, "type", "add the auth type, e.g. `type: bearer-token`")
        .and_then(|e| text(sink, &f.child("type"), &e.value));
    let secret = f.get("secret").and_then(|e| {
        let s = text(sink, &f.child("secret"), &e.value)?;
        match s.split_once('.') {
            Some((service, key)) if is_identifier(service) && is_identifier(key) => Some(SecretRef {
                service: service.into(),
                key: key.into(),
            }),
            _ => {
                sink.push(
                    Diagnostic::error(f.child("secret"), e.value.span, format!("invalid secret reference \"{s}\""))
                        .with_hint("write it as `service.key`, e.g. `github.token` for `github: {token: ...}` in the secrets"),
                );
                None
            }
        }
    });
    f.finish(sink, &["type", "secret"]);
    Some(Auth {
        kind: kind?,
        secret,
    })
}

fn decode_network_policy(sink: &mut Sink, node: &Node) -> Vec<EgressRule> {
    let Some(mut f) = Fields::of(
        sink,
        "contract.networkPolicy",
        node,
        "a mapping with `additionalEgress`",
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(e) = f.get("additionalEgress") {
        let path = f.child("additionalEgress");
        match e.value.as_seq() {
            None => sink.wrong_type(&path, &e.value, "a list of `{toCIDR, ports, reason}`"),
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = index(&path, i);
                    let Some(mut rule) =
                        Fields::of(sink, &item_path, item, "a mapping with `toCIDR`")
                    else {
                        continue;
                    };
                    let to_cidr = rule
                        .require(
                            sink,
                            "toCIDR",
                            "add the destination network, e.g. `toCIDR: 10.0.0.0/8`",
                        )
                        .and_then(|e| cidr(sink, &rule.child("toCIDR"), &e.value));
                    let ports = rule
                        .get("ports")
                        .and_then(|e| port_list(sink, &rule.child("ports"), &e.value))
                        .unwrap_or_default();
                    let reason = rule
                        .get("reason")
                        .and_then(|e| text(sink, &rule.child("reason"), &e.value));
                    rule.finish(sink, &["toCIDR", "ports", "reason"]);
                    if let Some(to_cidr) = to_cidr {
                        out.push(EgressRule {
                            to_cidr,
                            ports,
                            reason,
                        });
                    }
                }
            }
        }
    }
    f.finish(sink, &["additionalEgress"]);
    out
}

fn cidr(sink: &mut Sink, path: &str, node: &Node) -> Option<IpNet> {
    let t = text(sink, path, node)?;
    match t.parse::<IpNet>() {
        Ok(net) => Some(net),
        Err(_) => {
            let hint = if t.parse::<std::net::IpAddr>().is_ok() {
                format!("add a prefix length, e.g. \"{t}/32\" for this single address")
            } else {
                "write an address and a prefix length, e.g. \"10.0.0.0/8\" or \"fd00::/8\""
                    .to_string()
            };
            sink.push(
                Diagnostic::error(path, node.span, format!("invalid CIDR \"{t}\"")).with_hint(hint),
            );
            None
        }
    }
}

fn port(sink: &mut Sink, path: &str, node: &Node) -> Option<u16> {
    let value = node.as_scalar().map(|s| &s.value);
    match value {
        Some(ScalarValue::Int(p)) if (1..=65535).contains(p) => Some(*p as u16),
        Some(ScalarValue::Int(p)) => {
            sink.push(
                Diagnostic::error(path, node.span, format!("port {p} is out of range"))
                    .with_hint("ports are 1-65535"),
            );
            None
        }
        _ => {
            sink.wrong_type(path, node, "a port number (1-65535)");
            None
        }
    }
}

/// A list of `443/TCP`-style specs (a bare number means TCP).
fn port_list(sink: &mut Sink, path: &str, node: &Node) -> Option<Vec<PortSpec>> {
    let Some(items) = node.as_seq() else {
        sink.wrong_type(path, node, "a list of ports such as [\"443/TCP\"]");
        return None;
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = index(path, i);
        let Some(t) = text(sink, &item_path, item) else {
            continue;
        };
        match parse_port_spec(&t) {
            Some(spec) => out.push(spec),
            None => sink.push(
                Diagnostic::error(item_path, item.span, format!("invalid port \"{t}\""))
                    .with_hint("write PORT/PROTOCOL with a port 1-65535 and TCP, UDP or SCTP, e.g. \"443/TCP\""),
            ),
        }
    }
    Some(out)
}

fn parse_port_spec(text: &str) -> Option<PortSpec> {
    let (port, protocol) = text.split_once('/').unwrap_or((text, "TCP"));
    let port: u16 = port.trim().parse().ok().filter(|p| *p != 0)?;
    let protocol = match protocol.trim() {
        "TCP" => PortProtocol::Tcp,
        "UDP" => PortProtocol::Udp,
        "SCTP" => PortProtocol::Sctp,
        _ => return None,
    };
    Some(PortSpec { port, protocol })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_specs_default_to_tcp() {
        assert_eq!(
            parse_port_spec("443/TCP"),
            Some(PortSpec {
                port: 443,
                protocol: PortProtocol::Tcp
            })
        );
        assert_eq!(
            parse_port_spec("53/UDP").map(|p| p.protocol),
            Some(PortProtocol::Udp)
        );
        assert_eq!(parse_port_spec("8080").map(|p| p.port), Some(8080));
        for bad in ["0/TCP", "70000/TCP", "443/tcp", "x/TCP", "443/ICMP"] {
            assert_eq!(parse_port_spec(bad), None, "{bad}");
        }
    }
}
