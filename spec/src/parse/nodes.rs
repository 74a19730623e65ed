//! `nodes:` and `edges:`.

use std::path::Path;

use crate::dag::{Dag, DagError};
use crate::diagnostic::Diagnostic;
use crate::model::{Contract, Edge, NodeSpec};
use crate::yaml::Node;

use super::fields::{Fields, Sink, closest, index, join, string_list, text};
use super::paths::check_path;
use super::{duration, is_identifier, memory};

const NODE_KEYS: &[&str] = &["path", "capabilities", "dependencies", "memory", "timeout"];

pub(super) fn decode_nodes(
    sink: &mut Sink,
    node: &Node,
    contract: Option<&Contract>,
    base_dir: Option<&Path>,
) -> Vec<NodeSpec> {
    let Some(mut nodes_map) =
        Fields::of(sink, "nodes", node, "a mapping of node id to `{path: ...}`")
    else {
        return Vec::new();
    };
    let entries = nodes_map.all();
    if entries.is_empty() {
        sink.push(
            Diagnostic::error("nodes", node.span, "a workflow needs at least one node")
                .with_hint("add e.g. `hello: {path: ./nodes/hello.ts}` under `nodes:`"),
        );
    }
    let mut out = Vec::new();
    for entry in entries {
        let id = &entry.key;
        let path = join("nodes", id);
        let mut valid = true;
        if !is_identifier(id) {
            sink.push(
                Diagnostic::error(&path, entry.key_span, format!("invalid node id \"{id}\""))
                    .with_hint("node ids match ^[a-z][a-z0-9_-]*$, e.g. \"fetch-repos\""),
            );
            valid = false;
        }
        let Some(mut f) = Fields::of(sink, &path, &entry.value, "a mapping with a `path`") else {
            continue;
        };
        f = f.anchored(entry.key_span);
        let file = f
            .require(sink, "path", &format!("add `path: ./nodes/{id}.ts`"))
            .and_then(|e| text(sink, &f.child("path"), &e.value).map(|t| (t, e.value.span)));
        if let (Some(dir), Some((file, span))) = (base_dir, &file)
            && let Err(d) = check_path(dir, id, file, *span)
        {
            sink.push(d);
        }
        let capabilities = f.get("capabilities").and_then(|e| match e.value.to_json() {
            serde_json::Value::Object(map) => Some((map, e)),
            _ => {
                sink.wrong_type(
                    &f.child("capabilities"),
                    &e.value,
                    "a mapping such as `net: api.example.com`",
                );
                None
            }
        });
        let net = capabilities
            .as_ref()
            .map(|(_, e)| decode_net(sink, &f.child("capabilities"), &e.value))
            .unwrap_or_default();
        let dependencies = f.get("dependencies").and_then(|e| {
            decode_node_dependencies(sink, &f.child("dependencies"), &e.value, contract)
        });
        let memory = f
            .get("memory")
            .and_then(|e| memory(sink, &f.child("memory"), &e.value));
        let timeout = f
            .get("timeout")
            .and_then(|e| duration(sink, &f.child("timeout"), &e.value));
        f.finish(sink, NODE_KEYS);
        if let (true, Some((file, path_span))) = (valid, file) {
            out.push(NodeSpec {
                id: id.clone(),
                path: file,
                capabilities: capabilities.map(|(m, _)| m).unwrap_or_default(),
                net,
                dependencies,
                memory,
                timeout,
                span: entry.key_span,
                path_span,
            });
        }
    }
    out
}

/// `capabilities.net`: a host pattern, a comma-separated list of them, or a YAML list.
fn decode_net(sink: &mut Sink, parent: &str, capabilities: &Node) -> Vec<String> {
    let Some(entries) = capabilities.as_map() else {
        return Vec::new();
    };
    let Some(entry) = entries.iter().find(|e| e.key == "net") else {
        return Vec::new();
    };
    let path = join(parent, "net");
    let items: Vec<(String, crate::source::Span)> = match entry.value.as_seq() {
        Some(_) => string_list(sink, &path, &entry.value).unwrap_or_default(),
        None => match text(sink, &path, &entry.value) {
            Some(t) => t
                .split(',')
                .map(|s| (s.trim().to_string(), entry.value.span))
                .filter(|(s, _)| !s.is_empty())
                .collect(),
            None => Vec::new(),
        },
    };
    let mut out = Vec::new();
    for (pattern, span) in items {
        if let Some(class) = special_address(&pattern) {
            sink.push(
                Diagnostic::error(&path, span, format!("capabilities.net entry \"{pattern}\" names a {class} address"))
                    .with_hint("the sandbox never lets a node reach such addresses through capabilities.net; a dynamic-target dependency whose cidr lies inside that block is the only way to allow them"),
            );
        } else if is_host_pattern(&pattern) {
            out.push(pattern);
        } else {
            sink.push(
                Diagnostic::error(&path, span, format!("invalid host \"{pattern}\" in capabilities.net"))
                    .with_hint("list host names with an optional port and no scheme, e.g. \"api.github.com\", \"*.example.com:8443\""),
            );
        }
    }
    out
}

/// The class of an IP literal the sandbox refuses for `capabilities.net` (cloud metadata,
/// link-local, unspecified, multicast, broadcast), if the entry is one.
fn special_address(pattern: &str) -> Option<&'static str> {
    let host = match pattern.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() && (!h.contains(':') || h.ends_with(']')) => h,
        _ => pattern,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(ip) if ip.octets()[..2] == [169, 254] => {
            Some("link-local or cloud metadata")
        }
        std::net::IpAddr::V4(ip) if ip.is_unspecified() || ip.octets()[0] == 0 => {
            Some("unspecified")
        }
        std::net::IpAddr::V4(ip) if ip.is_multicast() => Some("multicast"),
        std::net::IpAddr::V4(ip) if ip.is_broadcast() => Some("broadcast"),
        std::net::IpAddr::V6(ip) if ip.segments()[0] == 0xfd00 && ip.segments()[1] == 0x0ec2 => {
            Some("cloud metadata")
        }
        std::net::IpAddr::V6(ip) if (ip.segments()[0] & 0xffc0) == 0xfe80 => Some("link-local"),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => Some("unspecified"),
        std::net::IpAddr::V6(ip) if ip.is_multicast() => Some("multicast"),
        _ => None,
    }
}

/// `host`, `host:port`, `*.domain[:port]`, an IPv4 address, or `[v6]:port`.
pub(crate) fn is_host_pattern(pattern: &str) -> bool {
    let (host, port) = match pattern.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => (h, Some(p)),
        _ => (pattern, None),
    };
    if port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
        return false;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    let host = host.strip_prefix("*.").unwrap_or(host);
    is_hostname(host)
}

/// A DNS name (or IPv4 literal): dot-separated labels of letters, digits and dashes.
pub(crate) fn is_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn decode_node_dependencies(
    sink: &mut Sink,
    path: &str,
    node: &Node,
    contract: Option<&Contract>,
) -> Option<Vec<String>> {
    let names = string_list(sink, path, node)?;
    let declared: Vec<&str> = contract
        .map(|c| c.dependencies.iter().map(|d| d.name.as_str()).collect())
        .unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for (i, (name, span)) in names.into_iter().enumerate() {
        if declared.contains(&name.as_str()) {
            if !out.contains(&name) {
                out.push(name);
            }
            continue;
        }
        let mut d = Diagnostic::error(
            index(path, i),
            span,
            format!("dependency \"{name}\" is not declared in contract.dependencies"),
        );
        d = match (contract, closest(&name, &declared)) {
            (None, _) => d.with_hint(format!(
                "add a `contract:` with `dependencies: {{{name}: {{protocol: https, host: ...}}}}`"
            )),
            (Some(_), Some(best)) => d.with_hint(format!("did you mean \"{best}\"?")),
            (Some(_), None) if declared.is_empty() => {
                d.with_hint("declare it under contract.dependencies first")
            }
            (Some(_), None) => {
                d.with_hint(format!("declared dependencies: {}", declared.join(", ")))
            }
        };
        sink.push(d);
    }
    Some(out)
}

pub(super) fn decode_edges(sink: &mut Sink, node: &Node, nodes: &[NodeSpec]) -> Vec<Edge> {
    let Some(items) = node.as_seq() else {
        if !node.is_null() {
            sink.wrong_type("edges", node, "a list of `{from, to}`");
        }
        return Vec::new();
    };
    let ids: Vec<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let mut edges: Vec<Edge> = Vec::new();
    let mut item_index: Vec<usize> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = index("edges", i);
        let Some(mut f) = Fields::of(sink, &path, item, "a mapping `{from: a, to: b}`") else {
            continue;
        };
        let end = |f: &mut Fields, sink: &mut Sink, key: &str| -> Option<String> {
            let e = f.require(
                sink,
                key,
                &format!("every edge needs `from` and `to`; add `{key}: <node id>`"),
            )?;
            let id = text(sink, &f.child(key), &e.value)?;
            if ids.contains(&id.as_str()) {
                return Some(id);
            }
            let mut d = Diagnostic::error(
                f.child(key),
                e.value.span,
                format!("edge refers to unknown node \"{id}\""),
            );
            d = match closest(&id, &ids) {
                Some(best) => d.with_hint(format!("did you mean \"{best}\"?")),
                None => d.with_hint(format!("defined nodes: {}", ids.join(", "))),
            };
            sink.push(d);
            None
        };
        let from = end(&mut f, sink, "from");
        let to = end(&mut f, sink, "to");
        f.finish(sink, &["from", "to"]);
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        if from == to {
            sink.push(
                Diagnostic::error(
                    &path,
                    item.span,
                    format!("node \"{from}\" has an edge to itself"),
                )
                .with_hint("a node cannot feed its own input; remove this edge"),
            );
            continue;
        }
        if edges.iter().any(|e| e.from == from && e.to == to) {
            sink.push(
                Diagnostic::warning(&path, item.span, format!("duplicate edge {from} -> {to}"))
                    .with_hint("it is counted once; remove the repetition"),
            );
            continue;
        }
        edges.push(Edge {
            from,
            to,
            span: item.span,
        });
        item_index.push(i);
    }
    if let Err(DagError::Cycle(cycle)) = Dag::compile(
        ids.iter().copied(),
        edges.iter().map(|e| (e.from.as_str(), e.to.as_str())),
    ) {
        // Point at the edge that closes the cycle back to its first node.
        let closing = cycle
            .windows(2)
            .filter_map(|w| edges.iter().position(|e| e.from == w[0] && e.to == w[1]))
            .max()
            .unwrap_or(0);
        if let Some(edge) = edges.get(closing) {
            sink.push(
                Diagnostic::error(
                    index("edges", item_index[closing]),
                    edge.span,
                    format!("edges form a cycle: {}", cycle.join(" -> ")),
                )
                .with_label("this edge closes the cycle")
                .with_hint("a workflow is a DAG: remove one of the edges on the cycle"),
            );
        }
    }
    edges
}
