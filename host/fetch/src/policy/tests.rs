use super::*;

fn target(url: &str) -> Target {
    Target::parse(url).unwrap_or_else(|e| panic!("{url}: {e:?}"))
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|_| panic!("bad test address {s}"))
}

fn refusal(policy: &EgressPolicy, url: &str) -> String {
    match policy.admit(&target(url)) {
        Ok(_) => panic!("{url} was admitted"),
        Err(r) => r.to_string(),
    }
}

/// Admits the URL and reports which of `addresses` it may connect to.
fn allowed(policy: &EgressPolicy, url: &str, addresses: &[&str]) -> Vec<String> {
    let admission = policy
        .admit(&target(url))
        .unwrap_or_else(|r| panic!("{url} refused: {r}"));
    addresses
        .iter()
        .filter(|a| admission.allows(ip(a)))
        .map(|a| (*a).to_owned())
        .collect()
}

#[test]
fn an_empty_policy_refuses_with_the_declaration_to_add() {
    let policy = EgressPolicy::new("fetch-issues");
    assert_eq!(
        refusal(&policy, "https://api.example.com/secret?token=abc"),
        "fetch to api.example.com:443 refused: not declared in the workflow contract. Add a \
         dependency {protocol: https, host: api.example.com} to contract.dependencies (or list \
         it in nodes.fetch-issues.capabilities.net)"
    );
    assert!(refusal(&policy, "https://api.example.com:8443/").contains("port: 8443}"));
}

#[test]
fn an_https_dependency_allows_https_on_its_port_only() {
    let mut policy = EgressPolicy::new("n");
    policy
        .allow_https_dependency("api.github.com", None)
        .expect("rule");
    assert_eq!(
        allowed(&policy, "https://api.github.com/x", &["140.82.1.1"]),
        ["140.82.1.1"]
    );
    let msg = refusal(&policy, "https://api.github.com:8443/");
    assert!(msg.contains("declared only for port 443"), "{msg}");
    let msg = refusal(&policy, "http://api.github.com:443/");
    assert!(msg.contains("allows https only"), "{msg}");
    let msg = refusal(&policy, "http://api.github.com/");
    assert!(msg.contains("declared only for port 443"), "{msg}");
    assert!(refusal(&policy, "https://github.com/").contains("not declared"));
    assert!(refusal(&policy, "https://x.api.github.com/").contains("not declared"));
}

#[test]
fn a_capability_without_port_allows_the_default_port_of_either_scheme() {
    let mut policy = EgressPolicy::new("n");
    policy.allow_capability_net("Example.COM").expect("rule");
    assert!(policy.admit(&target("https://example.com/")).is_ok());
    assert!(policy.admit(&target("http://example.com/")).is_ok());
    assert!(refusal(&policy, "https://example.com:8443/").contains("declared only for port 443"));
    let mut with_port = EgressPolicy::new("n");
    with_port
        .allow_capability_net("example.com:8080")
        .expect("rule");
    assert!(with_port.admit(&target("http://example.com:8080/")).is_ok());
    assert!(
        with_port
            .admit(&target("https://example.com:8080/"))
            .is_ok()
    );
    assert!(with_port.admit(&target("https://example.com/")).is_err());
}

#[test]
fn a_wildcard_covers_subdomains_but_not_the_domain_itself() {
    let mut policy = EgressPolicy::new("n");
    policy.allow_capability_net("*.example.com").expect("rule");
    assert!(policy.admit(&target("https://a.example.com/")).is_ok());
    assert!(policy.admit(&target("https://a.b.example.com/")).is_ok());
    assert!(policy.admit(&target("https://example.com/")).is_err());
    assert!(policy.admit(&target("https://badexample.com/")).is_err());
    assert!(
        policy
            .admit(&target("https://example.com.evil.io/"))
            .is_err()
    );
    assert!(policy.admit(&target("https://10.0.0.1/")).is_err());
}

#[test]
fn malformed_or_too_broad_capabilities_are_rejected() {
    let mut policy = EgressPolicy::new("n");
    for entry in [
        "*",
        "*.com",
        "https://example.com",
        "example.com/path",
        "ex ample.com",
        "h:0",
        "h:x",
        "*.10.0.0.1",
        "a.*.example.com",
        "",
    ] {
        assert!(
            policy.allow_capability_net(entry).is_err(),
            "{entry:?} accepted"
        );
    }
    assert!(policy.is_empty());
}

#[test]
fn ip_literal_rules_for_forbidden_addresses_are_rejected_when_built() {
    let mut policy = EgressPolicy::new("n");
    let err = policy
        .allow_capability_net("169.254.169.254")
        .expect_err("metadata literal accepted");
    assert!(err.to_string().contains("169.254.169.254/32"), "{err}");
    assert!(policy.allow_capability_net("[fe80::1]:80").is_err());
    assert!(policy.allow_capability_net("0.0.0.0:8080").is_err());
    assert!(
        policy
            .allow_https_dependency("[::ffff:169.254.169.254]", None)
            .is_err()
    );
    assert!(policy.allow_capability_net("127.0.0.1:8080").is_ok());
    assert!(policy.allow_capability_net("::1").is_ok());
}

#[test]
fn a_declared_host_name_may_not_resolve_to_loopback_or_special_addresses() {
    let mut policy = EgressPolicy::new("n");
    policy
        .allow_https_dependency("api.example.com", None)
        .expect("rule");
    let addresses = [
        "10.1.2.3",
        "127.0.0.1",
        "::1",
        "169.254.169.254",
        "::ffff:169.254.169.254",
        "fd00:ec2::254",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "fe80::1",
        "93.184.216.34",
    ];
    assert_eq!(
        allowed(&policy, "https://api.example.com/", &addresses),
        ["10.1.2.3", "93.184.216.34"]
    );
    let admission = policy
        .admit(&target("https://api.example.com/"))
        .expect("admitted");
    let msg = admission
        .refuse(&target("https://api.example.com/"), &[ip("127.0.0.1")])
        .to_string();
    assert!(msg.contains("may not resolve to this pod itself"), "{msg}");
}

#[test]
fn ip_literal_and_localhost_rules_reach_loopback() {
    let mut policy = EgressPolicy::new("n");
    policy.allow_capability_net("127.0.0.1:8080").expect("rule");
    policy.allow_capability_net("localhost:9090").expect("rule");
    assert_eq!(
        allowed(&policy, "http://127.0.0.1:8080/", &["127.0.0.1"]),
        ["127.0.0.1"]
    );
    assert_eq!(
        allowed(&policy, "http://127.1:8080/", &["127.0.0.1"]),
        ["127.0.0.1"]
    );
    assert_eq!(
        allowed(
            &policy,
            "http://[::ffff:127.0.0.1]:8080/",
            &["::ffff:127.0.0.1"]
        ),
        ["::ffff:127.0.0.1"]
    );
    assert_eq!(
        allowed(
            &policy,
            "http://localhost:9090/",
            &["127.0.0.1", "::1", "10.0.0.1"]
        ),
        ["127.0.0.1", "::1"]
    );
    assert!(policy.admit(&target("http://localhost:8080/")).is_err());
    assert!(policy.admit(&target("http://127.0.0.2:8080/")).is_err());
}

#[test]
fn a_cidr_admits_resolved_addresses_inside_it_on_its_ports() {
    let mut policy = EgressPolicy::new("n");
    policy
        .allow_dynamic_target("10.0.0.0/8", &["443/TCP", "8080/tcp", "53/UDP"])
        .expect("rule");
    assert_eq!(
        allowed(
            &policy,
            "https://svc.internal/",
            &["10.9.9.9", "11.0.0.1", "::ffff:10.1.1.1"]
        ),
        ["10.9.9.9", "::ffff:10.1.1.1"]
    );
    assert!(policy.admit(&target("http://10.0.0.5:8080/")).is_ok());
    assert!(policy.admit(&target("http://10.0.0.5:53/")).is_err());
    assert!(policy.admit(&target("http://10.0.0.5:8081/")).is_err());
    let admission = policy
        .admit(&target("https://8.8.8.8/"))
        .expect("port matches");
    assert!(!admission.allows(ip("8.8.8.8")));
    let msg = admission
        .refuse(&target("https://8.8.8.8/"), &[ip("8.8.8.8")])
        .to_string();
    assert!(msg.contains("outside every dynamic-target cidr"), "{msg}");
}

#[test]
fn a_broad_cidr_does_not_open_special_blocks_but_an_aimed_one_does() {
    let mut broad = EgressPolicy::new("n");
    broad
        .allow_dynamic_target("0.0.0.0/0", &["80"])
        .expect("rule");
    broad.allow_dynamic_target("::/0", &["80"]).expect("rule");
    let special = [
        "169.254.169.254",
        "127.0.0.1",
        "0.0.0.0",
        "::1",
        "fd00:ec2::254",
        "64:ff9b::a9fe:a9fe",
    ];
    assert!(allowed(&broad, "http://x.test/", &special).is_empty());
    assert_eq!(allowed(&broad, "http://x.test/", &["1.1.1.1"]), ["1.1.1.1"]);

    let mut aimed = EgressPolicy::new("n");
    aimed
        .allow_dynamic_target("127.0.0.0/8", &["80"])
        .expect("rule");
    aimed
        .allow_dynamic_target("169.254.0.0/16", &["80"])
        .expect("rule");
    assert_eq!(
        allowed(
            &aimed,
            "http://x.test/",
            &["127.0.0.1", "169.254.1.1", "169.254.169.254"]
        ),
        ["127.0.0.1", "169.254.1.1"]
    );
    let mut metadata = EgressPolicy::new("n");
    metadata
        .allow_dynamic_target("169.254.169.254/32", &["80"])
        .expect("rule");
    assert_eq!(
        allowed(&metadata, "http://169.254.169.254/", &["169.254.169.254"]),
        ["169.254.169.254"]
    );
}

#[test]
fn dyn_ports_accept_ports_ranges_and_protocols() {
    assert_eq!(parse_dyn_port("443/TCP"), Ok(Some((443, 443))));
    assert_eq!(parse_dyn_port(" 8000-8100/tcp "), Ok(Some((8000, 8100))));
    assert_eq!(parse_dyn_port("9090"), Ok(Some((9090, 9090))));
    assert_eq!(parse_dyn_port("53/UDP"), Ok(None));
    for bad in ["", "0/TCP", "443/ICMP", "x/TCP", "9-1/TCP", "70000"] {
        assert!(parse_dyn_port(bad).is_err(), "{bad:?}");
    }
    let mut policy = EgressPolicy::new("n");
    assert!(
        policy
            .allow_dynamic_target("10.0.0.0/8", &[] as &[&str])
            .is_err()
    );
    assert!(policy.allow_dynamic_target("10.0.0.0/33", &["80"]).is_err());
    assert!(policy.allow_dynamic_target("not-a-cidr", &["80"]).is_err());
}

#[test]
fn plain_http_refusals_point_to_capabilities_net() {
    let policy = EgressPolicy::new("poll");
    assert_eq!(
        refusal(&policy, "http://127.0.0.1:9000/"),
        "fetch to 127.0.0.1:9000 refused: plain http to it is not declared in the workflow \
         contract. List 127.0.0.1:9000 in nodes.poll.capabilities.net (or a dynamic-target \
         dependency whose cidr covers it) (https dependencies allow https only), or use https"
    );
}

#[test]
fn the_policy_lists_its_rules() {
    let mut policy = EgressPolicy::new("n");
    assert_eq!(policy.to_string(), "no egress");
    policy
        .allow_https_dependency("api.github.com", None)
        .expect("rule");
    policy.allow_capability_net("*.example.com").expect("rule");
    policy
        .allow_dynamic_target("10.1.2.3/8", &["443/TCP", "8000-8010"])
        .expect("rule");
    assert_eq!(
        policy.to_string(),
        "https api.github.com port 443; http(s) *.example.com default port; cidr 10.0.0.0/8 tcp 443,8000-8010"
    );
}
