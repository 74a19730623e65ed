//! Escape suite, secrets: a node whose dependencies are declared (`nodes.<id>.dependencies`)
//! has only those dependencies' secrets in its sandbox, and no secret value leaves the
//! host in an error message, a stack or a log line.

use serde_json::json;

use crate::api::Served;
use crate::support::{error_of, flow, one_node, repo_node};

const ALPHA_TOKEN: &str = "alpha-token-1111";
const BETA_TOKEN: &str = "beta-token-2222";
/// What `ctx.dependency("beta")` throws in a node whose scope leaves beta out.
fn out_of_scope(node: &str) -> String {
    format!(
        "Dependency \"beta\" is declared in the contract but not available to node \"{node}\". Add it to workflow.yaml nodes.{node}.dependencies."
    )
}

fn scoped() -> crate::support::Deployed {
    flow(
        "name: scoped\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  peek:\n    path: ./nodes/peek_at_other_secrets.ts\n    dependencies: [alpha]\n  grab:\n    path: ./nodes/use_undeclared_dependency.ts\n    dependencies: [alpha]\n  owner:\n    path: ./nodes/owner.ts\n    dependencies: [beta]\ncontract:\n  version: \"1\"\n  dependencies:\n    alpha:\n      protocol: https\n      host: alpha.example.com\n      auth:\n        type: bearer-token\n        secret: alpha.token\n    beta:\n      protocol: https\n      host: beta.example.com\n      auth:\n        type: bearer-token\n        secret: beta.token\n",
    )
    .file(
        "nodes/peek_at_other_secrets.ts",
        &repo_node("peek_at_other_secrets"),
    )
    .file(
        "nodes/use_undeclared_dependency.ts",
        &repo_node("use_undeclared_dependency"),
    )
    .file(
        "nodes/owner.ts",
        "import type { Context } from \"tentacular\";\nexport default async (ctx: Context) => ({ services: Object.keys(ctx.secrets), host: ctx.dependency(\"beta\").host });\n",
    )
    .secret("alpha", json!({"token": ALPHA_TOKEN}))
    .secret("beta", json!({"token": BETA_TOKEN}))
    .deploy()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_scoped_to_one_dependency_cannot_see_another_services_secret() {
    let flow = scoped();
    let served = Served::start(flow.deployment.clone()).await;
    let (status, result) = served.run_while_healthy(&json!({})).await;
    assert_eq!(status, 500, "grab fails: {result}");
    assert_eq!(
        result["outputs"]["peek"],
        json!({
            "services": ["alpha"],
            "beta": null,
            "alphaSecret": ALPHA_TOKEN,
            "dependency": out_of_scope("peek"),
        })
    );
    assert_eq!(result["errors"]["grab"], out_of_scope("grab"));
    // The node that declares beta does get it: the scope, not a missing secret, hid it.
    assert_eq!(
        result["outputs"]["owner"],
        json!({"services": ["beta"], "host": "beta.example.com"})
    );
    let peek_and_grab = json!([result["outputs"]["peek"], result["errors"]]).to_string();
    assert!(!peek_and_grab.contains(BETA_TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_in_a_thrown_error_or_a_log_line_is_redacted() {
    const TOKEN: &str = "s3cr3t-value-4242";
    let flow = one_node("leak", "leak_secret", "", "")
        .secret("svc", json!({"token": TOKEN}))
        .deploy();

    let result = flow.run(json!({})).await;
    assert_eq!(error_of(&result, "leak"), "token *** was rejected");
    let stack = &result.stacks["leak"];
    assert!(stack.contains("nodes/leak_secret.ts"), "{stack}");
    assert!(!stack.contains(TOKEN), "{stack}");

    let served = Served::start(flow.deployment.clone()).await;
    let answer = served.post("/run", &json!({})).await;
    assert_eq!(answer.status, 500);
    let body = String::from_utf8_lossy(&answer.body);
    assert!(!body.contains(TOKEN), "{body}");
    assert_eq!(answer.json()["errors"]["leak"], "token *** was rejected");

    let lines = flow.logs.formatted();
    assert!(
        lines.contains(&"[leak] INFO using token ***".to_string()),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[leak] INFO console sees ***")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.contains(TOKEN)), "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_without_a_contract_reads_secrets_directly_as_in_the_original() {
    let flow = crate::support::dag(
        &[
            (
                "reader",
                "import type { Context } from \"tentacular\";\nexport default async (ctx: Context) => ({ url: ctx.secrets.slack.url, token: ctx.secrets[\"github\"]?.token });\n",
            ),
            (
                "lister",
                "import type { Context } from \"tentacular\";\nexport default async (ctx: Context) => Object.keys(ctx.secrets);\n",
            ),
        ],
        &[],
        "",
    )
    .secret("slack", json!({"url": "https://hooks.example/T000"}))
    .secret("github", json!({"token": "gh-0005"}))
    .secret("unused", json!({"key": "zzzz"}))
    .deploy();
    let result = flow.run(json!({})).await;
    assert!(result.success, "{}", crate::support::show(&result));
    assert_eq!(
        result.outputs["reader"],
        json!({"url": "https://hooks.example/T000", "token": "gh-0005"})
    );
    // Secrets taken whole: the node keeps all of them, as every node did in the original.
    assert_eq!(
        result.outputs["lister"],
        json!(["github", "slack", "unused"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_the_contract_does_not_declare_throws_the_originals_message() {
    let flow = flow(
        "name: undeclared\nversion: \"1.0\"\ntriggers:\n  - type: manual\nnodes:\n  grab:\n    path: ./nodes/grab.ts\ncontract:\n  version: \"1\"\n  dependencies:\n    alpha:\n      protocol: https\n      host: alpha.example.com\n",
    )
    .file(
        "nodes/grab.ts",
        "import type { Context } from \"tentacular\";\nexport default async (ctx: Context) => ctx.dependency(\"nowhere\".concat(\"\")).host;\n",
    )
    .deploy();
    let result = flow.run(json!({})).await;
    assert_eq!(
        error_of(&result, "grab"),
        "Dependency \"nowhere\" not declared in contract. Add it to workflow.yaml contract.dependencies."
    );
}
