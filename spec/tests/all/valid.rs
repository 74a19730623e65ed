//! Valid specs decode into the right model.

use std::time::Duration;

use tntc_spec::{PortProtocol, Scheduling, TriggerKind};

use super::{MINIMAL, check};

#[test]
fn minimal_workflow_gets_the_defaults() {
    let (_, result) = check(MINIMAL);
    let checked = result.expect("valid");
    let wf = &checked.workflow;
    assert_eq!((wf.name.as_str(), wf.version.as_str()), ("demo", "1.0"));
    assert_eq!(wf.config.timeout, Duration::from_secs(30));
    assert_eq!(wf.config.retries, 0);
    assert_eq!(wf.config.scheduling, Scheduling::Stages);
    assert!(wf.edges.is_empty() && wf.contract.is_none());
    assert_eq!(checked.dag.stages, vec![vec!["hello".to_string()]]);
    assert!(checked.warnings.is_empty());
}

const FULL: &str = r#"
name: github-digest
version: "2.1"
description: Everything the spec knows
triggers:
  - type: manual
  - type: cron
    name: daily-digest
    schedule: "0 9 * * *"
  - type: cron
    name: hourly_check
    schedule: "@hourly"
  - type: queue
    subject: digests.requested
  - type: webhook
    path: /hooks/github
nodes:
  fetch-repos:
    path: ./nodes/fetch.ts
    capabilities:
      net: "api.github.com, *.githubusercontent.com:443"
    dependencies: [github-api]
    memory: 128Mi
    timeout: 10s
  summarize:
    path: ./nodes/lib/../summarize.ts
  notify:
    path: nodes/notify.ts
edges:
  - from: fetch-repos
    to: summarize
  - from: summarize
    to: notify
  - from: fetch-repos
    to: notify
config:
  timeout: 1m30s
  retries: 2
  nats_url: nats://nats:4222
  endpoints:
    slack: https://hooks.slack.com/x
  memory: 32Mi
  fuel: 500000000
  scheduling: dataflow
deployment:
  namespace: digests
contract:
  version: "1"
  dependencies:
    github-api:
      protocol: https
      host: api.github.com
      auth:
        type: bearer-token
        secret: github.token
    db:
      protocol: postgresql
      host: db.internal
      database: app
      user: reader
    bus:
      protocol: nats
      host: nats.internal
      subject: events
    files:
      protocol: blob
      host: acct.blob.core.windows.net
      container: reports
      port: 8443
    scanner:
      protocol: https
      type: dynamic-target
      cidr: 10.20.0.0/16
      dynPorts: ["443/TCP", "8080"]
  networkPolicy:
    additionalEgress:
      - toCIDR: 192.168.1.0/24
        ports: ["53/UDP"]
        reason: internal DNS
"#;

#[test]
fn full_workflow_decodes_every_section() {
    let ws = super::Workspace::new(
        FULL,
        &[
            "nodes/fetch.ts",
            "nodes/summarize.ts",
            "nodes/notify.ts",
            "nodes/lib/.keep",
        ],
    );
    let (_, result) = ws.check();
    let checked = result.unwrap_or_else(|d| panic!("{d:#?}"));
    let wf = &checked.workflow;

    let kinds: Vec<&str> = wf.triggers.iter().map(|t| t.kind.type_name()).collect();
    assert_eq!(kinds, ["manual", "cron", "cron", "queue", "webhook"]);
    assert_eq!(wf.triggers[1].name.as_deref(), Some("daily-digest"));
    assert_eq!(
        wf.triggers[3].kind,
        TriggerKind::Queue {
            subject: "digests.requested".into()
        }
    );

    let fetch = wf.node("fetch-repos").expect("node");
    assert_eq!(fetch.net, ["api.github.com", "*.githubusercontent.com:443"]);
    assert_eq!(
        fetch.dependencies.as_deref(),
        Some(&["github-api".to_string()][..])
    );
    assert_eq!(fetch.memory, Some(128 << 20));
    assert_eq!(fetch.timeout, Some(Duration::from_secs(10)));
    assert_eq!(wf.node("summarize").expect("node").dependencies, None);

    assert_eq!(wf.config.timeout, Duration::from_secs(90));
    assert_eq!(wf.config.retries, 2);
    assert_eq!(wf.config.memory, Some(32 << 20));
    assert_eq!(wf.config.fuel, Some(500_000_000));
    assert_eq!(wf.config.scheduling, Scheduling::Dataflow);
    // ctx.config is the block as written, typed keys included, order kept.
    let keys: Vec<&str> = wf.config.raw.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "timeout",
            "retries",
            "nats_url",
            "endpoints",
            "memory",
            "fuel",
            "scheduling"
        ]
    );
    assert_eq!(wf.config.raw["timeout"], "1m30s");
    assert_eq!(
        wf.config.raw["endpoints"]["slack"],
        "https://hooks.slack.com/x"
    );
    assert_eq!(wf.deployment.namespace.as_deref(), Some("digests"));

    let github = wf.dependency("github-api").expect("dep");
    assert_eq!(github.port(), 443);
    let secret = github
        .auth
        .as_ref()
        .and_then(|a| a.secret.as_ref())
        .expect("secret");
    assert_eq!(
        (secret.service.as_str(), secret.key.as_str()),
        ("github", "token")
    );
    assert_eq!(wf.dependency("db").expect("dep").port(), 5432);
    assert_eq!(wf.dependency("bus").expect("dep").port(), 4222);
    assert_eq!(wf.dependency("files").expect("dep").port(), 8443);
    let scanner = wf
        .dependency("scanner")
        .expect("dep")
        .dynamic
        .as_ref()
        .expect("dynamic");
    assert_eq!(scanner.cidr.to_string(), "10.20.0.0/16");
    assert_eq!(
        scanner.ports.iter().map(|p| p.port).collect::<Vec<_>>(),
        [443, 8080]
    );
    let egress = &wf.contract.as_ref().expect("contract").additional_egress[0];
    assert_eq!(egress.to_cidr.to_string(), "192.168.1.0/24");
    assert_eq!(egress.ports[0].protocol, PortProtocol::Udp);

    assert_eq!(
        checked.dag.stages,
        vec![
            vec!["fetch-repos".to_string()],
            vec!["summarize".to_string()],
            vec!["notify".to_string()]
        ]
    );
    assert_eq!(
        checked.dag.predecessors["notify"],
        ["summarize", "fetch-repos"]
    );
    assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
}

#[test]
fn contract_version_may_be_an_unquoted_integer() {
    let yaml = format!("{MINIMAL}contract:\n  version: 1\n  dependencies: {{}}\n");
    assert!(check(&yaml).1.is_ok());
}

#[test]
fn workflow_file_path_is_accepted_instead_of_the_directory() {
    let ws = super::Workspace::new(MINIMAL, &["nodes/hello.ts"]);
    let loaded = tntc_spec::load(&ws.path().join("workflow.yaml")).expect("load");
    assert!(loaded.result.is_ok());
    assert_eq!(loaded.dir, ws.path());
}

#[test]
fn unknown_keys_are_warnings_with_suggestions() {
    let yaml = MINIMAL.replace("nodes:\n", "descripton: typo\nnodes:\n");
    let (_, result) = check(&yaml);
    let warnings = result.expect("still valid").warnings;
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].message, "unknown key `descripton` is ignored");
    assert_eq!(
        warnings[0].hint.as_deref(),
        Some("did you mean `description`?")
    );
}

#[test]
fn a_queue_trigger_without_nats_url_is_valid_with_a_warning_at_the_trigger() {
    let yaml = MINIMAL.replace(
        "  - type: manual\n",
        "  - type: manual\n  - type: queue\n    subject: orders.new\n",
    );
    let (source, result) = check(&yaml);
    let warnings = result.expect("still valid").warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0].message,
        "queue trigger `orders.new` will not be served: `config.nats_url` is not set"
    );
    assert_eq!(warnings[0].path, "triggers[1]");
    assert_eq!(source.location(warnings[0].span.start).line, 5);
    assert!(
        warnings[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("nats.token"))
    );

    let with_url = format!("{yaml}config:\n  nats_url: tls://nats:4222\n");
    let (_, result) = check(&with_url);
    assert!(result.expect("valid").warnings.is_empty());
}
