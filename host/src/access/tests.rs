use serde_json::json;
use tntc_spec::SourceFile;

use super::*;

const YAML: &str = r#"
name: scoped
version: "1.0"
triggers: [{type: manual}]
nodes:
  declared:
    path: ./a.ts
    dependencies: [github]
  inferred:
    path: ./b.ts
  open:
    path: ./c.ts
    capabilities:
      net: "status.example.com, *.cdn.example.com:8443"
contract:
  version: "1"
  dependencies:
    github:
      protocol: https
      host: api.github.com
      auth: {type: bearer-token, secret: github.token}
    slack:
      protocol: https
      host: hooks.slack.com
      port: 8443
      auth: {type: webhook, secret: slack.url}
    db:
      protocol: postgresql
      host: db.internal
      database: app
      user: reader
    lan:
      protocol: https
      type: dynamic-target
      cidr: 10.0.0.0/8
      dynPorts: ["443/TCP"]
"#;

fn workflow() -> Workflow {
    tntc_spec::check(&SourceFile::new("workflow.yaml", YAML), None)
        .expect("valid")
        .workflow
}

fn secrets() -> Secrets {
    let mut s = Secrets::new();
    for (service, key, value) in [
        ("github", "token", "ghp_secret"),
        ("slack", "url", "https://hooks/x"),
        ("other", "key", "zzz"),
    ] {
        let mut map = serde_json::Map::new();
        map.insert(key.into(), json!(value));
        s.insert(service, map);
    }
    s
}

fn access(node: &str, uses: Option<&CodeUses>) -> NodeAccess {
    let wf = workflow();
    let spec = wf.node(node).expect("node").clone();
    node_access(&wf, &spec, uses, &secrets()).expect("access")
}

#[test]
fn declared_dependencies_scope_hosts_and_secrets() {
    let a = access("declared", None);
    assert_eq!(a.scope, Scope::Declared);
    assert_eq!(a.in_scope, ["github"]);
    assert_eq!(a.secrets.services().collect::<Vec<_>>(), ["github"]);
    assert_eq!(
        serde_json::to_value(&a.dependencies).unwrap(),
        json!({"github": {"protocol": "https", "port": 443, "host": "api.github.com", "authType": "bearer-token", "secret": "ghp_secret"}})
    );
    let policy = a.policy.to_string();
    assert!(policy.contains("api.github.com"), "{policy}");
    assert!(!policy.contains("hooks.slack.com"), "{policy}");
}

#[test]
fn services_named_in_code_do_not_widen_a_declared_scope() {
    let uses = CodeUses {
        dependencies: Some(["github".to_string()].into()),
        services: ["slack".to_string(), "other".to_string()].into(),
    };
    let a = access("declared", Some(&uses));
    assert_eq!(a.scope, Scope::Declared);
    assert_eq!(a.secrets.services().collect::<Vec<_>>(), ["github"]);
}

#[test]
fn literal_uses_found_at_build_time_scope_the_node() {
    let uses = CodeUses {
        dependencies: Some(["slack".to_string(), "undeclared".to_string()].into()),
        services: ["other".to_string()].into(),
    };
    let a = access("inferred", Some(&uses));
    assert_eq!(a.scope, Scope::Inferred);
    assert_eq!(a.in_scope, ["slack"]);
    assert_eq!(a.secrets.services().collect::<Vec<_>>(), ["other", "slack"]);
    assert_eq!(a.dependencies["slack"].port, 8443);
}

#[test]
fn dynamic_uses_keep_the_whole_contract() {
    let uses = CodeUses {
        dependencies: None,
        services: Default::default(),
    };
    let a = access("inferred", Some(&uses));
    assert_eq!(a.scope, Scope::WholeContract);
    assert_eq!(a.in_scope, ["github", "slack", "db", "lan"]);
    assert_eq!(a.secrets.len(), 3);
    assert_eq!(
        serde_json::to_value(&a.dependencies["db"]).unwrap(),
        json!({"protocol": "postgresql", "port": 5432, "host": "db.internal", "database": "app", "user": "reader"})
    );
    assert_eq!(
        serde_json::to_value(&a.dependencies["lan"]).unwrap(),
        json!({"protocol": "https", "port": 443})
    );
}

#[test]
fn capability_net_entries_join_the_policy() {
    let a = access("open", None);
    let policy = a.policy.to_string();
    assert!(policy.contains("status.example.com"), "{policy}");
    assert!(policy.contains("cdn.example.com"), "{policy}");
    assert!(policy.contains("10.0.0.0/8"), "{policy}");
}
