//! What cannot run in the sandbox is refused, every instance, with its position and a hint.

use std::path::PathBuf;

use tntc_compiler::{ErrorKind, compile_workflow};

use crate::support::{Flow, render};

#[test]
fn every_forbidden_import_kind_is_reported_at_its_specifier() {
    let flow = Flow::new(&[(
        "nodes/imports.ts",
        r#"import { Context } from "tentacular";
import { serve } from "https://deno.land/std@0.224.0/http/server.ts";
import { parse } from "http://example.com/parse.js";
import { join } from "jsr:@std/path";
import _ from "npm:lodash@4";
import fs from "node:fs";
import { readFileSync } from "fs";
import { exec } from "child_process";
import * as path from "path";
import express from "express";
export { z } from "zod";
export * from "npm:left-pad";
import "side-effect-package";

export default async function run(ctx: Context) {
  return [serve, parse, join, _, fs, readFileSync, exec, path, express];
}
"#,
    )]);
    insta::assert_snapshot!(flow.errors("nodes/imports.ts"));
}

#[test]
fn deno_require_dynamic_import_and_top_level_await_are_reported_where_used() {
    let flow = Flow::new(&[(
        "nodes/runtime.ts",
        r#"import type { Context } from "tentacular";

const config = await fetch("https://example.com/config.json");

export default async function run(ctx: Context) {
  const token = Deno.cwd();
  const text = await Deno.writeTextFile("./data.txt", "x");
  const child = new Deno.Command("ls");
  const deno = globalThis.Deno;
  const lib = await import("./lib.ts");
  const os = require("os");
  return { token, text, child, deno, lib, os, config };
}

for await (const line of []) {}
"#,
    )]);
    insta::assert_snapshot!(flow.errors("nodes/runtime.ts"));
}

#[test]
fn local_bindings_named_like_forbidden_globals_and_typeof_checks_are_allowed() {
    let flow = Flow::new(&[(
        "nodes/ok.ts",
        r#"import type { Context } from "tentacular";
import type { Readable } from "node:stream";
import type * as Zod from "npm:zod";

function require(name: string) { return name; }

export default async function run(ctx: Context, input: unknown) {
  const Deno = { env: { get: (k: string) => k } };
  const isDeno = typeof (globalThis as any).Deno !== "undefined" && typeof Deno !== "undefined";
  const load = async () => { await Promise.resolve(1); };
  await load();
  let stream: Readable | undefined;
  let schema: Zod.ZodType | undefined;
  return [Deno.env.get("x"), require("y"), isDeno, stream, schema];
}
"#,
    )]);
    flow.compile("nodes/ok.ts");
}

#[test]
fn syntax_errors_are_positioned() {
    let flow = Flow::new(&[(
        "nodes/broken.ts",
        "export default async function run(ctx, input) {\n  const x = {\n    a: 1,\n    b 2,\n  };\n  return x;\n}\n",
    )]);
    let errors = flow
        .try_compile("nodes/broken.ts")
        .err()
        .unwrap_or_default();
    assert!(
        errors.iter().all(|e| e.kind == ErrorKind::Syntax),
        "{}",
        render(&errors)
    );
    assert_eq!(errors.first().map(|e| (e.line, e.column)), Some((4, 7)));
    insta::assert_snapshot!(render(&errors));
}

#[test]
fn decorators_are_refused_each_one_with_the_other_errors() {
    let flow = Flow::new(&[(
        "nodes/decorated.ts",
        "@sealed\nclass Service {\n  @logged\n  call() {}\n}\nconst t = Deno.cwd;\nexport default () => new Service();\n",
    )]);
    insta::assert_snapshot!(flow.errors("nodes/decorated.ts"));
}

#[test]
fn a_node_without_a_default_export_is_an_error_naming_its_path() {
    let flow = Flow::new(&[(
        "nodes/nodefault.ts",
        "export async function run() { return 1; }\nexport default interface Shape { x: number }\n",
    )]);
    insta::assert_snapshot!(flow.errors("nodes/nodefault.ts"));
}

#[test]
fn commonjs_typescript_forms_and_reserved_names_are_refused() {
    let flow = Flow::new(&[(
        "nodes/cjs.ts",
        "import fs = require(\"fs\");\nconst __tntc_hidden = 1;\nexport = { run: () => __tntc_hidden };\n",
    )]);
    insta::assert_snapshot!(flow.errors("nodes/cjs.ts"));
}

#[test]
fn errors_of_imported_modules_are_reported_with_the_node_files_first() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { helper } from \"../lib/helper.ts\";\nexport default () => Deno.cwd() + helper();\n",
        ),
        (
            "lib/helper.ts",
            "import { hash } from \"npm:hash\";\nexport const helper = () => hash(Deno.cwd());\n",
        ),
    ]);
    let errors = flow.try_compile("nodes/a.ts").err().unwrap_or_default();
    let positions: Vec<_> = errors.iter().map(|e| e.location()).collect();
    assert_eq!(
        positions,
        [
            "nodes/a.ts:2:22",
            "lib/helper.ts:1:22",
            "lib/helper.ts:2:34"
        ]
    );
}

#[test]
fn compile_workflow_reports_every_nodes_errors_and_a_shared_modules_once() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { shared } from \"../lib/shared.ts\";\nexport default () => shared;\n",
        ),
        (
            "nodes/b.ts",
            "import { shared } from \"../lib/shared.ts\";\nexport default () => Deno.pid + shared;\n",
        ),
        ("nodes/c.ts", "export default () => 1;\n"),
        ("lib/shared.ts", "export const shared = require(\"x\");\n"),
    ]);
    let nodes: Vec<(String, PathBuf)> = ["a", "b", "c"]
        .iter()
        .map(|id| ((*id).to_owned(), PathBuf::from(format!("nodes/{id}.ts"))))
        .collect();
    let errors = compile_workflow(flow.path(), &nodes)
        .err()
        .unwrap_or_default();
    let found: Vec<_> = errors.iter().map(|e| (e.kind, e.location())).collect();
    assert_eq!(
        found,
        [
            (ErrorKind::Require, "lib/shared.ts:1:23".to_owned()),
            (ErrorKind::DenoGlobal, "nodes/b.ts:2:22".to_owned()),
        ]
    );
}

#[test]
fn compile_workflow_returns_the_nodes_in_input_order() {
    let flow = Flow::new(&[
        ("nodes/a.ts", "export default () => \"a\";\n"),
        ("nodes/b.ts", "export default () => \"b\";\n"),
        ("nodes/c.ts", "export default () => \"c\";\n"),
    ]);
    let nodes: Vec<(String, PathBuf)> = ["c", "a", "b"]
        .iter()
        .map(|id| ((*id).to_owned(), PathBuf::from(format!("nodes/{id}.ts"))))
        .collect();
    let compiled =
        compile_workflow(flow.path(), &nodes).unwrap_or_else(|e| panic!("{}", render(&e)));
    let ids: Vec<_> = compiled.iter().map(|n| n.node_id.as_str()).collect();
    assert_eq!(ids, ["c", "a", "b"]);
}

#[test]
fn errors_carry_byte_spans_into_the_kept_source_text_for_renderers() {
    let flow = Flow::new(&[("nodes/a.ts", "// é\nexport default () => Deno.cwd;\n")]);
    let errors = flow.try_compile("nodes/a.ts").err().unwrap_or_default();
    let error = errors.first().expect("an error");
    let span = error.span.clone().expect("span");
    assert_eq!(
        error.source_text().and_then(|t| t.get(span)),
        Some("Deno.cwd")
    );
    assert_eq!((error.line, error.column), (2, 22));
    assert_eq!(error.kind.code(), "tntc::compile::deno-global");
    assert!(error.hint.is_some() && !error.label.is_empty());
}

#[test]
fn declaring_deno_or_require_for_the_type_checker_does_not_make_them_exist() {
    let flow = Flow::new(&[(
        "nodes/ambient.ts",
        "declare const Deno: any;\ndeclare function require(name: string): any;\nexport default () => [Deno.pid, require(\"y\")];\n",
    )]);
    let errors = flow
        .try_compile("nodes/ambient.ts")
        .err()
        .unwrap_or_default();
    let found: Vec<_> = errors.iter().map(|e| (e.kind, e.location())).collect();
    assert_eq!(
        found,
        [
            (ErrorKind::DenoGlobal, "nodes/ambient.ts:3:23".to_owned()),
            (ErrorKind::Require, "nodes/ambient.ts:3:33".to_owned()),
        ]
    );
}

#[test]
fn deno_file_and_env_reads_are_warnings_that_say_they_fail_at_run_time() {
    let flow = Flow::new(&[(
        "nodes/token.ts",
        r#"export default async function run() {
  let token = "";
  try {
    token = await Deno.readTextFile("/var/run/secrets/kubernetes.io/serviceaccount/token");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const stat = await Deno.stat("/tmp").catch(() => null);
  const bytes = await Deno.readFile("/x").catch(() => null);
  return { token, stat, bytes, host: Deno.env.get("HOST") ?? "none" };
}
"#,
    )]);
    let node = flow.compile("nodes/token.ts");
    let warnings: Vec<(u32, &str)> = node
        .warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [
            (4, "`Deno.readTextFile` always fails in the sandbox"),
            (8, "`Deno.stat` always fails in the sandbox"),
            (9, "`Deno.readFile` always fails in the sandbox"),
            (10, "`Deno.env` always fails in the sandbox"),
        ]
    );
    let rendered = node.warnings[0].render_warning(false);
    assert!(
        rendered.starts_with("warning: ") && rendered.contains("Deno.errors.NotFound"),
        "{rendered}"
    );
}
