//! Relative imports become one module: resolution, evaluation order, cycles, bindings.

use tntc_compiler::ErrorKind;

use crate::support::{Flow, modules_part, run};

#[test]
fn nested_imports_across_directories_are_bundled_with_workflow_relative_keys() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { shout } from \"../lib/util.ts\";\nexport default async function run(ctx: unknown, input: { s: string }) {\n  return shout(input.s);\n}\n",
        ),
        (
            "lib/util.ts",
            "import { suffix } from \"./deep/suffix\";\nexport function shout(s: string): string {\n  return s.toUpperCase() + suffix;\n}\n",
        ),
        (
            "lib/deep/suffix.ts",
            "export const suffix: string = \"!\";\n",
        ),
    ]);
    let node = flow.compile("nodes/a.ts");
    insta::assert_snapshot!(modules_part(&node.js));
    assert_eq!(run(&node, r#"{"s": "hi"}"#).as_deref(), Ok(r#""HI!""#));
    assert_eq!(
        node.sources,
        vec![
            flow.file("nodes/a.ts"),
            flow.file("lib/util.ts"),
            flow.file("lib/deep/suffix.ts")
        ]
    );
}

#[test]
fn a_module_imported_from_two_places_is_evaluated_once() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { left } from \"./left.ts\";\nimport { right } from \"./right.ts\";\nimport { evaluations } from \"../lib/counter.ts\";\nexport default () => [left, right, evaluations()];\n",
        ),
        (
            "nodes/left.ts",
            "import { id } from \"../lib/counter.ts\";\nexport const left = id;\n",
        ),
        (
            "nodes/right.ts",
            "import { id } from \"../lib/counter.ts\";\nexport const right = id;\n",
        ),
        (
            "lib/counter.ts",
            "const g = globalThis as any;\ng.evaluated = (g.evaluated ?? 0) + 1;\nexport const id = Math.random();\nexport const evaluations = () => g.evaluated;\n",
        ),
    ]);
    let node = flow.compile("nodes/a.ts");
    assert_eq!(
        node.js.matches("\"lib/counter.ts\": function").count(),
        1,
        "{}",
        node.js
    );
    let output = run(&node, "{}").unwrap_or_else(|e| panic!("{e}"));
    let values: Vec<f64> =
        serde_json::from_str(&output).unwrap_or_else(|e| panic!("{e}: {output}"));
    assert_eq!(values[0], values[1], "both importers see one instance");
    assert_eq!(values[2], 1.0, "evaluated once");
}

#[test]
fn import_cycles_resolve_through_hoisted_functions() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { isEven } from \"./even.ts\";\nexport default (ctx: unknown, input: { n: number }) => ({ even: isEven(input.n) });\n",
        ),
        (
            "nodes/even.ts",
            "import { isOdd } from \"./odd.ts\";\nexport function isEven(n: number): boolean { return n === 0 ? true : isOdd(n - 1); }\n",
        ),
        (
            "nodes/odd.ts",
            "import { isEven } from \"./even.ts\";\nexport function isOdd(n: number): boolean { return n === 0 ? false : isEven(n - 1); }\n",
        ),
    ]);
    let node = flow.compile("nodes/a.ts");
    assert_eq!(
        run(&node, r#"{"n": 10}"#).as_deref(),
        Ok(r#"{"even":true}"#)
    );
    assert_eq!(
        run(&node, r#"{"n": 7}"#).as_deref(),
        Ok(r#"{"even":false}"#)
    );
}

#[test]
fn a_cycle_reading_an_uninitialized_binding_fails_like_an_es_module() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { b } from \"./b.ts\";\nexport const a = 1;\nexport default () => b;\n",
        ),
        (
            "nodes/b.ts",
            "import { a } from \"./a.ts\";\nexport const b = a + 1;\n",
        ),
    ]);
    let node = flow.compile("nodes/a.ts");
    let error = run(&node, "{}").err().unwrap_or_default();
    // QuickJS-ng's ReferenceError for a binding in its temporal dead zone.
    assert!(error.starts_with("a is not initialized"), "{error}");
}

#[test]
fn imported_bindings_are_live() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { count, increment } from \"../lib/state.ts\";\nimport * as state from \"../lib/state.ts\";\nexport default () => { increment(); increment(); return [count, state.count]; };\n",
        ),
        (
            "lib/state.ts",
            "export let count = 0;\nexport function increment() { count += 1; }\n",
        ),
    ]);
    let node = flow.compile("nodes/a.ts");
    assert_eq!(run(&node, "{}").as_deref(), Ok("[2,2]"));
}

#[test]
fn default_named_namespace_imports_and_re_exports_all_resolve() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            r#"import lib, { one, two, renamed, ns, "with-dash" as dashed } from "../lib";
import * as all from "../lib/index.ts";
export default () => ({
  lib: lib(), one, two, renamed, nsThree: ns.three, dashed,
  keys: Object.keys(all).sort(), tag: Object.prototype.toString.call(all),
});
"#,
        ),
        (
            "lib/index.ts",
            r#"export * from "./numbers.ts";
export { default, three as renamed } from "./defaults.ts";
export * as ns from "./defaults.ts";
const dash = "dash";
export { dash as "with-dash" };
"#,
        ),
        (
            "lib/numbers.ts",
            "export const one = 1;\nexport const two = 2;\nexport default \"not re-exported by export *\";\n",
        ),
        (
            "lib/defaults.ts",
            "export default function make() { return \"made\"; }\nexport const three = 3;\n",
        ),
    ]);
    let node = flow.compile("nodes/a.ts");
    assert_eq!(
        run(&node, "{}").as_deref(),
        Ok(
            r#"{"lib":"made","one":1,"two":2,"renamed":3,"nsThree":3,"dashed":"dash","keys":["default","ns","one","renamed","two","with-dash"],"tag":"[object Module]"}"#
        )
    );
}

#[test]
fn imported_functions_are_called_without_a_receiver_and_anonymous_defaults_are_named_default() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import who from \"./who.ts\";\nimport arrow from \"./arrow.ts\";\nimport { tag } from \"./who.ts\";\nexport default () => [who(), arrow.name, who.name, tag`x`];\n",
        ),
        (
            "nodes/who.ts",
            "export default function () { return this === undefined; }\nexport function tag(this: unknown) { return this === undefined; }\n",
        ),
        ("nodes/arrow.ts", "export default () => 1;\n"),
    ]);
    let node = flow.compile("nodes/a.ts");
    assert_eq!(
        run(&node, "{}").as_deref(),
        Ok(r#"[true,"default","default",true]"#)
    );
}

#[test]
fn extensionless_js_and_index_specifiers_resolve_to_typescript_files() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { a } from \"../lib/a\";\nimport { b } from \"../lib/b.js\";\nimport { c } from \"../lib/c\";\nimport { d } from \"../lib/d.mjs\";\nexport default () => a + b + c + d;\n",
        ),
        ("lib/a.ts", "export const a = \"a\";\n"),
        ("lib/b.ts", "export const b = \"b\";\n"),
        ("lib/c/index.ts", "export const c = \"c\";\n"),
        ("lib/d.mjs", "export const d = \"d\";\n"),
    ]);
    let node = flow.compile("nodes/a.ts");
    assert_eq!(run(&node, "{}").as_deref(), Ok(r#""abcd""#));
    for key in [
        "\"lib/a.ts\"",
        "\"lib/b.ts\"",
        "\"lib/c/index.ts\"",
        "\"lib/d.mjs\"",
    ] {
        assert!(node.js.contains(key), "{key} missing");
    }
}

#[test]
fn imports_leaving_the_workflow_directory_are_refused() {
    let flow = Flow::new(&[(
        "nodes/a.ts",
        "import { secret } from \"../../etc/secret.ts\";\nexport default () => secret;\n",
    )]);
    insta::assert_snapshot!(flow.errors("nodes/a.ts"));
}

#[cfg(unix)]
#[test]
fn a_symlink_pointing_outside_the_workflow_directory_is_refused() {
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(outside.path().join("x.ts"), "export const x = 1;\n").expect("write");
    let flow = Flow::new(&[(
        "nodes/a.ts",
        "import { x } from \"./link.ts\";\nexport default () => x;\n",
    )]);
    std::os::unix::fs::symlink(outside.path().join("x.ts"), flow.file("nodes/link.ts"))
        .expect("symlink");
    let errors = flow.try_compile("nodes/a.ts").err().unwrap_or_default();
    let kinds: Vec<_> = errors.iter().map(|e| (e.kind, e.line, e.column)).collect();
    assert_eq!(kinds, vec![(ErrorKind::ImportOutsideWorkflow, 1, 19)]);
}

#[test]
fn unresolvable_and_unsupported_imports_say_what_was_tried() {
    let flow = Flow::new(&[
        (
            "nodes/a.ts",
            "import { x } from \"./missing\";\nimport data from \"./data.json\";\nexport default () => [x, data];\n",
        ),
        ("nodes/data.json", "{}"),
    ]);
    insta::assert_snapshot!(flow.errors("nodes/a.ts"));
}

#[test]
fn a_node_path_outside_the_workflow_or_missing_is_an_error_naming_it() {
    let flow = Flow::new(&[("nodes/a.ts", "export default () => 1;\n")]);
    let outside = flow.try_compile("../a.ts").err().unwrap_or_default();
    assert_eq!(
        outside.iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![ErrorKind::ImportOutsideWorkflow]
    );
    let missing = flow.errors("nodes/nope.ts");
    assert_eq!(
        missing,
        "error: nodes/nope.ts does not exist\n --> nodes/nope.ts\n  = help: check the node's `path` in workflow.yaml (relative to the workflow directory)\n"
    );
}

#[test]
fn split_regex_literals_get_sticky_seeds_before_any_node_code() {
    // A bundle with and one without the loader: the seeds come first in both (only for
    // literals given to `split`), and a bundle runs where the runtime's
    // `__tntc_regexp_seeds` does not exist (`?.`).
    let flow = Flow::new(&[
        (
            "nodes/alone.ts",
            "export default async (_ctx: unknown, input: { s: string }) => input.s.split(/[,;]\\s*/u);\n",
        ),
        (
            "nodes/with_lib.ts",
            "import { words } from \"../lib/words.ts\";\nexport default async (_ctx: unknown, input: { s: string }) => words(input.s).concat(input.s.split(/,/));\n",
        ),
        (
            "lib/words.ts",
            "export const words = (s: string): string[] => s.split(/\\s+/).filter((w) => /^\\w+$/i.test(w));\n",
        ),
    ]);
    // The bundle's first statement, without the code generator's line breaks.
    let first = |js: &str| -> String {
        let end = js.find(";\n").map_or(js.len(), |i| i + 1);
        js[..end].split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let alone = flow.compile("nodes/alone.ts");
    assert_eq!(
        first(&alone.js),
        r"globalThis.__tntc_regexp_seeds?.([ /[,;]\s*/uy ]);"
    );
    assert_eq!(
        run(&alone, r#"{"s": "a, b;c"}"#).as_deref(),
        Ok(r#"["a","b","c"]"#)
    );
    let with_lib = flow.compile("nodes/with_lib.ts");
    assert_eq!(
        first(&with_lib.js),
        r"globalThis.__tntc_regexp_seeds?.([ /,/y, /\s+/y ]);"
    );
    assert_eq!(
        run(&with_lib, r#"{"s": "x y,z"}"#).as_deref(),
        Ok(r#"["x","x y","z"]"#)
    );
}
