//! The NetworkPolicy for each kind of destination the contract (and the sandbox) allows.

use serde_json::{Value, json};

use super::support::{MANUAL, bundle, object, render, workflow};

fn policy(triggers: &str, extra: &str) -> Value {
    let dir = bundle(&workflow("net", triggers, extra));
    object(&render(dir.path()), "NetworkPolicy", "net-netpol")
}

fn dns() -> Value {
    json!({"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
           "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]})
}

fn public(port: u16) -> Value {
    json!({"ports": [{"port": port, "protocol": "TCP"}],
           "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]}},
                  {"ipBlock": {"cidr": "::/0", "except": ["fc00::/7", "fe80::/10"]}}]})
}

#[test]
fn without_a_contract_ingress_is_the_namespace_on_8080_and_egress_only_dns() {
    let p = policy(MANUAL, "");
    assert_eq!(p["metadata"].get("annotations"), None);
    assert_eq!(
        p["spec"],
        json!({
            "egress": [dns()],
            "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 8080, "protocol": "TCP"}]}],
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "net"}},
            "policyTypes": ["Ingress", "Egress"]
        })
    );
}

#[test]
fn an_https_dependency_is_its_port_to_public_addresses_and_an_intended_host() {
    let p = policy(
        MANUAL,
        "contract:\n  version: \"1\"\n  dependencies:\n    gh:\n      protocol: https\n      host: api.github.com\n    alt:\n      protocol: https\n      host: alt.example.com\n      port: 8443\n    gh-again:\n      protocol: https\n      host: api.github.com\n",
    );
    assert_eq!(
        p["metadata"]["annotations"],
        json!({"tentacular.dev/intended-hosts": "alt.example.com,api.github.com"})
    );
    // Sorted by host; two dependencies on one host and port are one rule.
    assert_eq!(
        p["spec"]["egress"],
        json!([dns(), public(8443), public(443)])
    );
}

#[test]
fn postgresql_and_nats_in_the_cluster_go_to_their_namespace_on_default_ports() {
    let p = policy(
        MANUAL,
        "contract:\n  version: \"1\"\n  dependencies:\n    db:\n      protocol: postgresql\n      host: pg.data.svc.cluster.local\n      database: orders\n      user: app\n    bus:\n      protocol: nats\n      host: nats.messaging.svc\n      subject: orders.new\n    local:\n      protocol: postgresql\n      host: postgres\n      port: 6432\n      database: d\n      user: u\n",
    );
    assert_eq!(p["metadata"].get("annotations"), None, "no external host");
    assert_eq!(
        p["spec"]["egress"],
        json!([
            dns(),
            {"ports": [{"port": 4222, "protocol": "TCP"}],
             "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "messaging"}}}]},
            {"ports": [{"port": 5432, "protocol": "TCP"}],
             "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}}}]},
            {"ports": [{"port": 6432, "protocol": "TCP"}], "to": [{"podSelector": {}}]}
        ])
    );
}

#[test]
fn a_postgresql_dependency_outside_the_cluster_is_egress_on_its_own_port_only() {
    // What a node's jsr:@db/postgres Client reaches through the host: the dependency's own
    // port (30432 here), to the IP literal's /32 or, for a name, public addresses only.
    let p = policy(
        MANUAL,
        "contract:\n  version: \"1\"\n  dependencies:\n    ext:\n      protocol: postgresql\n      host: db.example.com\n      port: 30432\n      database: d\n      user: u\n      sslmode: verify-full\n    lan:\n      protocol: postgresql\n      host: 172.27.18.1\n      port: 30432\n      database: appdb\n      user: postgres\n",
    );
    assert_eq!(
        p["metadata"]["annotations"],
        json!({"tentacular.dev/intended-hosts": "db.example.com"})
    );
    assert_eq!(
        p["spec"]["egress"],
        json!([
            dns(),
            {"ports": [{"port": 30432, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "172.27.18.1/32"}}]},
            public(30432),
        ])
    );
}

#[test]
fn a_dynamic_target_is_its_cidr_on_each_port_and_protocol() {
    let p = policy(
        MANUAL,
        "contract:\n  version: \"1\"\n  dependencies:\n    fleet:\n      type: dynamic-target\n      protocol: https\n      cidr: 10.20.0.0/16\n      dynPorts: [\"443/TCP\", \"8125/UDP\"]\n",
    );
    assert_eq!(
        p["spec"]["egress"],
        json!([dns(), {"ports": [{"port": 443, "protocol": "TCP"}, {"port": 8125, "protocol": "UDP"}],
                       "to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}]}])
    );
}

#[test]
fn additional_egress_is_one_rule_per_port_and_all_ports_without_any() {
    let p = policy(
        MANUAL,
        "contract:\n  version: \"1\"\n  dependencies: {}\n  networkPolicy:\n    additionalEgress:\n      - toCIDR: 192.168.5.0/24\n        ports: [\"5432/TCP\", \"53/UDP\"]\n        reason: legacy db\n      - toCIDR: 172.20.0.0/16\n",
    );
    assert_eq!(
        p["spec"]["egress"],
        json!([
            dns(),
            {"to": [{"ipBlock": {"cidr": "172.20.0.0/16"}}]},
            {"ports": [{"port": 53, "protocol": "UDP"}], "to": [{"ipBlock": {"cidr": "192.168.5.0/24"}}]},
            {"ports": [{"port": 5432, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "192.168.5.0/24"}}]}
        ])
    );
}

#[test]
fn capabilities_net_and_the_queue_triggers_nats_server_are_reachable_too() {
    let yaml = "name: net\nversion: \"1.0\"\ntriggers:\n  - type: queue\n    subject: jobs\nnodes:\n  legacy:\n    path: ./nodes/legacy.ts\n    capabilities:\n      net: \"status.example.org, 10.9.8.7:9000\"\nconfig:\n  nats_url: tls://token@nats.example.net:4443\n";
    let dir = bundle(yaml);
    let p = object(&render(dir.path()), "NetworkPolicy", "net-netpol");
    assert_eq!(
        p["metadata"]["annotations"],
        json!({"tentacular.dev/intended-hosts": "nats.example.net,status.example.org"})
    );
    let mut web = public(443);
    web["ports"] = json!([{"port": 443, "protocol": "TCP"}, {"port": 80, "protocol": "TCP"}]);
    assert_eq!(
        p["spec"]["egress"],
        json!([
            dns(),
            {"ports": [{"port": 9000, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "10.9.8.7/32"}}]},
            public(4443),
            web
        ])
    );
}
