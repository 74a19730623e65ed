//! Which contract dependencies a node's code uses.

use std::collections::BTreeSet;

use tntc_compiler::{DependencyUse, Location};

use crate::support::Flow;

fn uses(files: &[(&str, &str)]) -> DependencyUse {
    Flow::new(files).compile("nodes/n.ts").dependency_use
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn at(path: &str, line: u32, column: u32) -> Location {
    Location {
        path: path.to_owned(),
        line,
        column,
    }
}

#[test]
fn literal_dependency_names_and_legacy_fetch_services_are_recorded() {
    let found = uses(&[(
        "nodes/n.ts",
        r#"import type { Context } from "tentacular";
export default async function run(ctx: Context, input: unknown) {
  const gh = ctx.dependency("github");
  const db = ctx.dependency(`postgres`);
  const again = ctx.dependency("github");
  const r = await ctx.fetch("slack", "/api/chat.postMessage");
  const direct = await fetch("https://example.com");
  return [gh, db, again, r, direct];
}
"#,
    )]);
    assert_eq!(found.literal, set(&["github", "postgres"]));
    assert_eq!(found.legacy_services, set(&["slack"]));
    assert!(found.is_static());
}

#[test]
fn the_context_parameter_is_followed_under_any_name_and_through_aliases() {
    let found = uses(&[(
        "nodes/n.ts",
        r#"const run = async (c: any, input: unknown) => {
  const alias = c;
  const { dependency, fetch: legacy } = alias;
  c.dependency("one");
  c?.dependency("two");
  alias.dependency?.("three");
  dependency("four");
  await legacy("svc", "/x");
  return c["dependency"]("five");
};
export default run;
"#,
    )]);
    assert_eq!(found.literal, set(&["one", "two", "three", "four", "five"]));
    assert_eq!(found.legacy_services, set(&["svc"]));
    assert_eq!(found.dynamic, []);
}

#[test]
fn each_literal_name_is_located_at_its_first_use() {
    let found = uses(&[
        (
            "nodes/n.ts",
            "import { post } from \"../lib/post.ts\";\nexport default async (ctx: any) => {\n  await post(ctx);\n  return ctx.dependency('github');\n};\n",
        ),
        (
            "lib/post.ts",
            "export async function post(ctx: any) {\n  ctx.dependency(\"github\");\n  return ctx.dependency(\"webhook\");\n}\n",
        ),
    ]);
    let located: Vec<(&str, String)> = found
        .literal_locations
        .iter()
        .map(|(name, at)| (name.as_str(), at.to_string()))
        .collect();
    assert_eq!(
        located,
        [
            ("github", "nodes/n.ts:4:25".to_owned()),
            ("webhook", "lib/post.ts:3:25".to_owned())
        ]
    );
}

#[test]
fn a_destructured_context_parameter_is_followed() {
    let found = uses(&[(
        "nodes/n.ts",
        "export default async function run({ dependency, log }: any, input: unknown) {\n  log.info(\"x\");\n  return dependency(\"nats\");\n}\n",
    )]);
    assert_eq!(found.literal, set(&["nats"]));
}

#[test]
fn helpers_taking_ctx_in_imported_modules_count_for_the_node() {
    let found = uses(&[
        (
            "nodes/n.ts",
            "import { post } from \"../lib/post.ts\";\nexport default async (ctx: any) => post(ctx);\n",
        ),
        (
            "lib/post.ts",
            "export async function post(ctx: any) {\n  return ctx.dependency(\"webhook\").fetch(\"/hook\");\n}\n",
        ),
    ]);
    assert_eq!(found.literal, set(&["webhook"]));
}

#[test]
fn non_literal_uses_are_flagged_with_their_positions() {
    let found = uses(&[(
        "nodes/n.ts",
        r#"export default async function run(ctx: any, input: { name: string }) {
  const named = ctx.dependency(input.name);
  const templated = ctx.dependency(`db-${input.name}`);
  const legacy = await ctx.fetch(input.name, "/x");
  const method = ctx.dependency;
  const key = "dependency";
  const computed = ctx[key]("x");
  return [named, templated, legacy, method, computed, ctx.dependency("known")];
}
"#,
    )]);
    assert_eq!(found.literal, set(&["known"]));
    assert_eq!(
        found.dynamic,
        [
            at("nodes/n.ts", 2, 32),
            at("nodes/n.ts", 3, 36),
            at("nodes/n.ts", 4, 34),
            at("nodes/n.ts", 5, 18),
            at("nodes/n.ts", 7, 20),
        ]
    );
    assert!(!found.is_static());
    assert_eq!(found.dynamic[0].to_string(), "nodes/n.ts:2:32");
}

#[test]
fn a_destructured_dependency_function_passed_around_is_dynamic() {
    let found = uses(&[(
        "nodes/n.ts",
        "export default async function run({ dependency }: any) {\n  return [\"a\", \"b\"].map(dependency);\n}\n",
    )]);
    assert_eq!(found.dynamic, [at("nodes/n.ts", 2, 25)]);
}

#[test]
fn unrelated_objects_with_dependency_methods_are_ignored() {
    let found = uses(&[(
        "nodes/n.ts",
        "const registry = { dependency(n: string) { return n; } };\nexport default (context: unknown) => registry.dependency(\"not-a-contract-name\");\n",
    )]);
    assert_eq!(found, DependencyUse::default());
}

#[test]
fn secrets_read_by_a_literal_service_name_are_recorded_as_services() {
    let found = uses(&[(
        "nodes/n.ts",
        r#"export default async function run(ctx: any, input: unknown) {
  const token = ctx.secrets.github.token;
  const url = ctx.secrets["slack"]?.url;
  const key = ctx.secrets?.weather?.api_key;
  const s = ctx.secrets;
  const password = s.db.password;
  const { nats, blob: storage } = ctx.secrets;
  const { secrets } = ctx;
  return [token, url, key, password, nats, storage, secrets.queue];
}
"#,
    )]);
    assert_eq!(
        found.legacy_services,
        set(&["blob", "db", "github", "nats", "queue", "slack", "weather"])
    );
    assert_eq!(found.dynamic, []);
}

#[test]
fn secrets_taken_whole_or_by_a_computed_name_keep_the_whole_contract() {
    let found = uses(&[(
        "nodes/n.ts",
        r#"export default async function run(ctx: any, input: { name: string }) {
  const all = Object.keys(ctx.secrets);
  const one = ctx.secrets[input.name];
  const { ...rest } = ctx.secrets;
  const s = ctx.secrets;
  return [all, one, rest, { s }];
}
"#,
    )]);
    assert!(
        found.legacy_services.is_empty(),
        "{:?}",
        found.legacy_services
    );
    assert_eq!(
        found.dynamic,
        [
            at("nodes/n.ts", 2, 27),
            at("nodes/n.ts", 3, 27),
            at("nodes/n.ts", 4, 11),
            at("nodes/n.ts", 6, 29),
        ]
    );
}
