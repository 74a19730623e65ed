//! TypeScript in, JavaScript out: what is stripped, what is lowered, what is kept.

use crate::support::{Flow, modules_part, run};

const TYPESCRIPT_FEATURES: &str = r#"import type { Context } from "tentacular";
import { type Helper } from "./types.ts";
export type { Context };

declare const DEBUG: boolean;
declare function external(x: number): void;

const enum Mode { Fast = "fast", Slow = "slow" }
enum Level { Low = 1, High = Low * 10 }

export namespace Geometry {
  export interface Point { x: number; y: number }
  export const origin: Point = { x: 3, y: 4 };
  export function len(p: Point): number { return Math.hypot(p.x, p.y); }
}

abstract class Base<T> {
  protected abstract value(): T;
  static count = 0;
  #secret = 42;
  constructor(public readonly name: string, private tags: string[] = []) {}
  get secret(): number { return this.#secret; }
}

class Impl extends Base<number> implements Helper {
  declare extra: string;
  field!: number;
  value(): number { return 1; }
}

function over(x: string): string;
function over(x: number): number;
function over(x: any): any { return x; }

export default async function run(ctx: Context, input: { items?: number[] } | null): Promise<unknown> {
  const items = input?.items ?? [];
  const first = items[0]!;
  const check = { mode: Mode.Fast } satisfies { mode: Mode };
  const generic = <T,>(v: T): T => v;
  const impl = new Impl("x");
  const doubled = await Promise.all(items.map(async (i: number) => i * 2));
  return { first, doubled, check, level: Level.High, g: generic<number>(1), o: over(1),
    len: Geometry.len(Geometry.origin), s: impl.secret, name: impl.name, v: impl.value() };
}
"#;

fn typescript_flow() -> Flow {
    Flow::new(&[
        ("nodes/ts.ts", TYPESCRIPT_FEATURES),
        (
            "nodes/types.ts",
            "export interface Helper { value(): number }\n",
        ),
    ])
}

#[test]
fn typescript_syntax_is_stripped_and_enums_and_namespaces_are_lowered() {
    let node = typescript_flow().compile("nodes/ts.ts");
    insta::assert_snapshot!(modules_part(&node.js));
}

#[test]
fn stripped_typescript_runs_in_quickjs_with_the_same_meaning() {
    let node = typescript_flow().compile("nodes/ts.ts");
    let output = run(&node, r#"{"items": [5, 6]}"#);
    assert_eq!(
        output.as_deref(),
        Ok(
            r#"{"first":5,"doubled":[10,12],"check":{"mode":"fast"},"level":10,"g":1,"o":1,"len":5,"s":42,"name":"x","v":1}"#
        )
    );
}

#[test]
fn modules_imported_only_for_types_are_not_bundled_or_read() {
    let flow = typescript_flow();
    let node = flow.compile("nodes/ts.ts");
    assert!(!node.js.contains("nodes/types.ts"), "{}", node.js);
    assert_eq!(node.sources, vec![flow.file("nodes/ts.ts")]);
}

#[test]
fn a_node_without_relative_imports_is_emitted_as_its_own_module_without_the_loader() {
    let flow = Flow::new(&[(
        "nodes/hello.ts",
        "import type { Context } from \"tentacular\";\n\nexport default async function run(ctx: Context, input: { name?: string }) {\n  ctx.log.info(\"hello\");\n  return { greeting: `Hello, ${input.name ?? \"world\"}!` };\n}\n",
    )]);
    let node = flow.compile("nodes/hello.ts");
    assert_eq!(node.filename, "nodes/hello.bundle.js");
    assert_eq!(node.source, "nodes/hello.ts");
    assert_eq!(node.node_id, "node");
    insta::assert_snapshot!(node.js);
    assert!(!node.js.contains("__tntc_import"), "{}", node.js);
    assert_eq!(
        run(&node, "{}").as_deref(),
        Ok(r#"{"greeting":"Hello, world!"}"#)
    );
}

#[test]
fn modern_javascript_is_kept_native_not_down_leveled() {
    let flow = Flow::new(&[(
        "nodes/modern.ts",
        r#"class Counter {
  static #instances = 0;
  count = 0;
  static { Counter.#instances = 1; }
  static made() { return Counter.#instances; }
}
export default async (ctx: unknown, input: { a?: { b?: number } }) => {
  const { a: { b = 1 } = {}, ...rest } = input ?? {};
  let x = null;
  x ??= b;
  const big = 2n ** 64n;
  const at = [1, 2, 3].at(-1);
  return { x, rest, made: Counter.made(), big: String(big), at, c: new Counter().count, has: Object.hasOwn(input, "a") };
};
"#,
    )]);
    let node = flow.compile("nodes/modern.ts");
    let module = modules_part(&node.js);
    for native in [
        "static #instances",
        "??=",
        "2n ** 64n",
        "static{",
        "async (ctx, input)=>",
    ] {
        assert!(
            module.contains(native),
            "`{native}` was rewritten:\n{module}"
        );
    }
    assert_eq!(
        run(&node, r#"{"a": {}, "z": 1}"#).as_deref(),
        Ok(
            r#"{"x":1,"rest":{"z":1},"made":1,"big":"18446744073709551616","at":3,"c":0,"has":true}"#
        )
    );
}

#[test]
fn javascript_modules_are_bundled_without_type_stripping() {
    let flow = Flow::new(&[
        (
            "nodes/plain.js",
            "import { twice } from \"./math.mjs\";\nexport default function run(ctx, input) {\n  return twice(input.n);\n}\n",
        ),
        ("nodes/math.mjs", "export const twice = (n) => n * 2;\n"),
    ]);
    let node = flow.compile("nodes/plain.js");
    assert_eq!(node.filename, "nodes/plain.bundle.js");
    assert_eq!(run(&node, r#"{"n": 21}"#).as_deref(), Ok("42"));
}

#[test]
fn deeply_nested_code_compiles_on_the_compilers_own_large_stack() {
    let depth = 5_000;
    let nested = format!("{}0{}", "[".repeat(depth), "]".repeat(depth));
    let flow = Flow::new(&[(
        "nodes/deep.ts",
        &format!("export default () => {nested};\n"),
    )]);
    let node = flow.compile("nodes/deep.ts");
    assert!(node.js.matches('[').count() >= depth);
}
