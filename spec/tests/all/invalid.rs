//! Every kind of invalid spec is reported, all at once, at the right line and column.

use super::{MINIMAL, errors};

/// Asserts the exact `(line, column, message)` list for `yaml`.
#[track_caller]
fn assert_errors(yaml: &str, expected: &[(usize, usize, &str)]) {
    let got = errors(yaml);
    let got: Vec<(usize, usize, &str)> = got.iter().map(|(l, c, m)| (*l, *c, m.as_str())).collect();
    assert_eq!(got, expected, "\n--- yaml ---\n{yaml}");
}

fn with(section: &str) -> String {
    format!("{MINIMAL}{section}")
}

#[test]
fn missing_required_top_level_keys_are_all_reported() {
    assert_errors(
        "description: nothing else\n",
        &[
            (1, 1, "the workflow is missing `name`"),
            (1, 1, "the workflow is missing `version`"),
            (1, 1, "the workflow is missing `triggers`"),
            (1, 1, "the workflow is missing `nodes`"),
        ],
    );
}

#[test]
fn name_and_version_formats_are_enforced() {
    let yaml = MINIMAL
        .replace("name: demo", "name: Demo_Flow")
        .replace("\"1.0\"", "v1");
    assert_errors(
        &yaml,
        &[
            (1, 7, "invalid workflow name \"Demo_Flow\""),
            (2, 10, "invalid version \"v1\""),
        ],
    );
}

#[test]
fn empty_or_non_mapping_documents_are_errors() {
    assert_errors("", &[(1, 1, "workflow.yaml is empty")]);
    assert_errors(
        "- a\n- b\n",
        &[(
            1,
            1,
            "`` must be a mapping with name, version, triggers and nodes",
        )],
    );
}

#[test]
fn malformed_yaml_is_positioned() {
    let got = errors("name: demo\nnodes: [a, b\nversion: x\n");
    assert_eq!(got.len(), 1);
    assert!(got[0].2.starts_with("invalid YAML:"), "{got:?}");
    assert_eq!(got[0].0, 3);
}

#[test]
fn duplicate_keys_are_errors() {
    let yaml = MINIMAL.replace("version: \"1.0\"\n", "version: \"1.0\"\nname: again\n");
    assert_errors(&yaml, &[(3, 1, "duplicate key `name`")]);
}

#[test]
fn trigger_rules() {
    let yaml = MINIMAL.replace(
        "triggers:\n  - type: manual\n",
        "triggers:\n  - type: cron\n  - type: cron\n    schedule: \"61 * * * *\"\n  - type: queue\n  - type: webhook\n    path: hooks\n  - type: manul\n  - name: x\n  - type: manual\n    name: Bad\n  - type: manual\n    name: same\n  - type: manual\n    name: same\n",
    );
    assert_errors(
        &yaml,
        &[
            (4, 5, "`triggers[0]` is missing `schedule`"),
            (6, 15, "invalid cron schedule \"61 * * * *\""),
            (7, 5, "`triggers[2]` is missing `subject`"),
            (9, 11, "webhook path \"hooks\" must start with `/`"),
            (10, 11, "unknown trigger type \"manul\""),
            (11, 5, "`triggers[5]` is missing `type`"),
            (13, 11, "invalid trigger name \"Bad\""),
            (17, 11, "duplicate trigger name \"same\""),
        ],
    );
}

#[test]
fn empty_trigger_and_node_lists_are_errors() {
    let yaml = "name: demo\nversion: \"1.0\"\ntriggers: []\nnodes: {}\n";
    assert_errors(
        yaml,
        &[
            (3, 11, "a workflow needs at least one trigger"),
            (4, 8, "a workflow needs at least one node"),
        ],
    );
}

#[test]
fn node_rules() {
    let yaml = MINIMAL.replace(
        "  hello:\n    path: ./nodes/hello.ts\n",
        "  hello:\n    path: ./nodes/hello.ts\n  Bad:\n    path: ./nodes/hello.ts\n  nopath:\n    memory: 64Mi\n  abs:\n    path: /etc/passwd\n  escape:\n    path: ./nodes/../../x.ts\n  missing:\n    path: ./nodes/missing.ts\n  dir:\n    path: ./nodes\n  limits:\n    path: ./nodes/hello.ts\n    memory: 64MB\n    timeout: soon\n  scalar: ./nodes/hello.ts\n",
    );
    assert_errors(
        &yaml,
        &[
            (8, 3, "invalid node id \"Bad\""),
            (10, 3, "`nodes.nopath` is missing `path`"),
            (13, 11, "node \"abs\" path \"/etc/passwd\" is absolute"),
            (
                15,
                11,
                "node \"escape\" path \"./nodes/../../x.ts\" leaves the workflow directory",
            ),
            (
                17,
                11,
                "node \"missing\" path \"./nodes/missing.ts\" does not exist",
            ),
            (19, 11, "node \"dir\" path \"./nodes\" is a directory"),
            (22, 13, "invalid memory size \"64MB\""),
            (23, 14, "invalid duration \"soon\""),
            (24, 11, "`scalar` must be a mapping with a `path`"),
        ],
    );
}

#[cfg(unix)]
#[test]
fn symlinked_node_outside_the_directory_is_rejected() {
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(
        outside.path().join("evil.ts"),
        "export default async () => 1",
    )
    .expect("write");
    let ws = super::Workspace::new(&MINIMAL.replace("hello.ts", "link.ts"), &[]);
    std::fs::create_dir_all(ws.path().join("nodes")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.path().join("evil.ts"),
        ws.path().join("nodes/link.ts"),
    )
    .expect("symlink");
    let (source, result) = ws.check();
    let diagnostics = result.expect_err("invalid");
    assert_eq!(
        diagnostics[0].message,
        "node \"hello\" path \"./nodes/link.ts\" resolves outside the workflow directory"
    );
    assert_eq!(source.location(diagnostics[0].span.start).line, 7);
}

#[test]
fn edge_rules() {
    let yaml = MINIMAL.replace(
        "  hello:\n    path: ./nodes/hello.ts\n",
        "  a:\n    path: ./nodes/a.ts\n  b:\n    path: ./nodes/b.ts\n",
    ) + "edges:\n  - from: a\n    to: c\n  - from: b\n    to: b\n  - from: a\n  - {from: x, to: y}\n";
    assert_errors(
        &yaml,
        &[
            (12, 9, "edge refers to unknown node \"c\""),
            (13, 5, "node \"b\" has an edge to itself"),
            (15, 5, "`edges[2]` is missing `to`"),
            (16, 12, "edge refers to unknown node \"x\""),
            (16, 19, "edge refers to unknown node \"y\""),
        ],
    );
}

#[test]
fn cycle_is_reported_at_the_closing_edge_with_its_nodes() {
    let yaml = MINIMAL.replace(
        "  hello:\n    path: ./nodes/hello.ts\n",
        "  a:\n    path: ./nodes/a.ts\n  b:\n    path: ./nodes/b.ts\n  c:\n    path: ./nodes/c.ts\n",
    ) + "edges:\n  - {from: a, to: b}\n  - {from: b, to: c}\n  - {from: c, to: a}\n";
    assert_errors(&yaml, &[(15, 5, "edges form a cycle: a -> b -> c -> a")]);
}

#[test]
fn config_rules() {
    let yaml = with(
        "config:\n  timeout: 30\n  retries: -1\n  memory: 1Ki\n  fuel: 0\n  scheduling: eager\n  custom: kept\n",
    );
    assert_errors(
        &yaml,
        &[
            (9, 12, "invalid duration \"30\""),
            (10, 12, "`retries` must not be negative"),
            (11, 11, "memory size \"1Ki\" is out of range"),
            (12, 9, "`fuel` must be greater than zero"),
            (13, 15, "unknown scheduling \"eager\""),
        ],
    );
    assert_errors(
        &with("config:\n  timeout: 0s\n"),
        &[(9, 12, "a timeout of zero would fail every run")],
    );
    assert_errors(
        &with("config:\n  retries: three\n"),
        &[(9, 12, "`retries` must be a non-negative integer")],
    );
    assert_errors(
        &with("config: [1]\n"),
        &[(8, 9, "`config` must be a mapping")],
    );
}

#[test]
fn deployment_namespace_must_be_a_dns_label() {
    assert_errors(
        &with("deployment:\n  namespace: Prod_NS\n"),
        &[(9, 14, "invalid namespace \"Prod_NS\"")],
    );
}

#[test]
fn contract_rules() {
    let yaml = with(
        r#"contract:
  version: "2"
  dependencies:
    noproto:
      host: a.example.com
    web:
      protocol: https
    pg:
      protocol: postgresql
      host: db
    bus:
      protocol: nats
      host: nats
    store:
      protocol: blob
      host: blob
    porty:
      protocol: https
      host: a.example.com
      port: 70000
    authy:
      protocol: https
      host: a.example.com
      auth:
        secret: github
    dyn:
      protocol: https
      type: dynamic-target
    dyn2:
      protocol: https
      type: dynamic-target
      cidr: 10.0.0.300/8
      dynPorts: []
    odd:
      protocol: https
      type: static
      host: a.example.com
    Bad_Name:
      protocol: https
      host: a.example.com
  networkPolicy:
    additionalEgress:
      - ports: ["443/TCP"]
      - toCIDR: nope
"#,
    );
    assert_errors(
        &yaml,
        &[
            (9, 12, "unsupported contract version \"2\""),
            (
                11,
                5,
                "`contract.dependencies.noproto` is missing `protocol`",
            ),
            (13, 5, "https dependency \"web\" is missing `host`"),
            (15, 5, "postgresql dependency \"pg\" is missing `database`"),
            (15, 5, "postgresql dependency \"pg\" is missing `user`"),
            (18, 5, "nats dependency \"bus\" is missing `subject`"),
            (21, 5, "blob dependency \"store\" is missing `container`"),
            (27, 13, "port 70000 is out of range"),
            (
                31,
                7,
                "`contract.dependencies.authy.auth` is missing `type`",
            ),
            (32, 17, "invalid secret reference \"github\""),
            (33, 5, "`contract.dependencies.dyn` is missing `cidr`"),
            (33, 5, "`contract.dependencies.dyn` is missing `dynPorts`"),
            (39, 13, "invalid CIDR \"10.0.0.300/8\""),
            (40, 17, "`dynPorts` is empty"),
            (43, 13, "unknown dependency type \"static\""),
            (45, 5, "invalid dependency name \"Bad_Name\""),
            (
                50,
                9,
                "`contract.networkPolicy.additionalEgress[0]` is missing `toCIDR`",
            ),
            (51, 17, "invalid CIDR \"nope\""),
        ],
    );
}

#[test]
fn per_node_dependencies_must_be_declared() {
    let yaml = MINIMAL.replace(
        "    path: ./nodes/hello.ts\n",
        "    path: ./nodes/hello.ts\n    dependencies: [github, gihub-api]\n",
    ) + "contract:\n  version: \"1\"\n  dependencies:\n    github-api:\n      protocol: https\n      host: api.github.com\n";
    assert_errors(
        &yaml,
        &[
            (
                8,
                20,
                "dependency \"github\" is not declared in contract.dependencies",
            ),
            (
                8,
                28,
                "dependency \"gihub-api\" is not declared in contract.dependencies",
            ),
        ],
    );
    let no_contract = MINIMAL.replace(
        "    path: ./nodes/hello.ts\n",
        "    path: ./nodes/hello.ts\n    dependencies: [github]\n",
    );
    assert_errors(
        &no_contract,
        &[(
            8,
            20,
            "dependency \"github\" is not declared in contract.dependencies",
        )],
    );
}

#[test]
fn capability_hosts_are_checked() {
    let yaml = MINIMAL.replace(
        "    path: ./nodes/hello.ts\n",
        "    path: ./nodes/hello.ts\n    capabilities:\n      net: [\"https://api.github.com\", \"ok.example.com:443\", \"x.com:0\"]\n",
    );
    assert_errors(
        &yaml,
        &[
            (
                9,
                13,
                "invalid host \"https://api.github.com\" in capabilities.net",
            ),
            (9, 61, "invalid host \"x.com:0\" in capabilities.net"),
        ],
    );
}

#[test]
fn errors_in_every_section_are_reported_together() {
    let yaml = "name: Bad Name\nversion: x\ntriggers:\n  - type: nope\nnodes:\n  a:\n    path: ./nodes/missing.ts\nedges:\n  - {from: a, to: z}\nconfig:\n  timeout: never\n";
    assert_eq!(errors(yaml).len(), 6);
}

#[test]
fn capability_hosts_naming_metadata_or_link_local_addresses_are_refused() {
    let yaml = MINIMAL.replace(
        "    path: ./nodes/hello.ts\n",
        "    path: ./nodes/hello.ts\n    capabilities:\n      net: [\"169.254.169.254\", \"[fd00:ec2::254]:80\", \"10.0.0.1:8080\"]\n",
    );
    assert_errors(
        &yaml,
        &[
            (
                9,
                13,
                "capabilities.net entry \"169.254.169.254\" names a link-local or cloud metadata address",
            ),
            (
                9,
                32,
                "capabilities.net entry \"[fd00:ec2::254]:80\" names a cloud metadata address",
            ),
        ],
    );
}

#[test]
fn an_unknown_postgresql_sslmode_is_an_error_naming_the_modes() {
    let yaml = with(
        "contract:\n  version: \"1\"\n  dependencies:\n    db:\n      protocol: postgresql\n      host: db.internal\n      database: app\n      user: app\n      sslmode: allow\n",
    );
    let got = errors(&yaml);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].2.contains("unknown sslmode \"allow\""), "{got:?}");
    let ok = yaml.replace("sslmode: allow", "sslmode: verify-full");
    let checked = super::check(&ok).1.expect("verify-full is valid");
    let db = checked.workflow.dependency("db").expect("db");
    assert_eq!(db.sslmode.as_deref(), Some("verify-full"));
}
