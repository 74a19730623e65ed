//! Emitted JavaScript positions map back to TypeScript, including real QuickJS stacks.

use crate::support::{Flow, run};

const NODE: &str = r#"import type { Context } from "tentacular";
import { check } from "../lib/check.ts";

interface Input { value: number }

export default async function run(ctx: Context, input: Input): Promise<number> {
  const doubled: number = input.value * 2;
  return check(doubled);
}
"#;

const CHECK: &str = r#"type Limit = number;
const LIMIT: Limit = 10;

export function check(value: number): number {
  if (value > LIMIT) {
    throw new Error(`too big: ${value}`);
  }
  return value;
}
"#;

fn flow() -> Flow {
    Flow::new(&[("nodes/fail.ts", NODE), ("lib/check.ts", CHECK)])
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (u32, u32) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line as u32, column as u32)
}

#[test]
fn emitted_statements_look_up_to_their_typescript_lines_and_columns() {
    let node = flow().compile("nodes/fail.ts");
    for (emitted, source, typescript) in [
        (
            "const doubled = input.value * 2",
            "nodes/fail.ts",
            "const doubled: number",
        ),
        (
            "return (0, __tntc_m0.check)(doubled)",
            "nodes/fail.ts",
            "return check(doubled)",
        ),
        ("throw new Error", "lib/check.ts", "throw new Error"),
        ("const LIMIT = 10", "lib/check.ts", "const LIMIT: Limit"),
    ] {
        let (line, column) = position_of(&node.js, emitted);
        let text = if source == "lib/check.ts" {
            CHECK
        } else {
            NODE
        };
        let expected = position_of(text, typescript);
        let found = node
            .line_map
            .lookup(line, column)
            .map(|p| (p.source, p.line, p.column));
        assert_eq!(
            found,
            Some((source, expected.0, expected.1)),
            "for `{emitted}`"
        );
    }
}

#[test]
fn columns_inside_a_statement_are_mapped_past_stripped_types() {
    let node = flow().compile("nodes/fail.ts");
    let (line, column) = position_of(&node.js, "input.value * 2");
    let found = node
        .line_map
        .lookup(line, column)
        .map(|p| (p.line, p.column));
    assert_eq!(found, Some(position_of(NODE, "input.value * 2")));
}

#[test]
fn the_loader_has_no_source_position() {
    let node = flow().compile("nodes/fail.ts");
    let (line, column) = position_of(&node.js, "function __tntc_import");
    assert_eq!(node.line_map.lookup(line, column), None);
}

#[test]
fn a_quickjs_stack_trace_is_rewritten_to_typescript_positions() {
    let node = flow().compile("nodes/fail.ts");
    let error = run(&node, r#"{"value": 6}"#).err().unwrap_or_default();
    assert!(
        error.contains("nodes/fail.bundle.js:"),
        "QuickJS names the bundle:\n{error}"
    );
    let rewritten = node.line_map.rewrite_stack(&error);
    // QuickJS-ng positions a call at its last evaluated operand (here `value` in the
    // template and the argument `doubled`); the rewrite lands on the same tokens in the
    // TypeScript.
    let throw = position_of(CHECK, "value}");
    let call = position_of(NODE, "doubled);");
    assert!(
        rewritten.contains(&format!("at check (lib/check.ts:{}:{})", throw.0, throw.1)),
        "{rewritten}"
    );
    assert!(
        rewritten.contains(&format!("at run (nodes/fail.ts:{}:{})", call.0, call.1)),
        "{rewritten}"
    );
    assert!(rewritten.starts_with("too big: 12\n"), "{rewritten}");
}

#[test]
fn the_line_map_stays_a_few_bytes_per_emitted_line() {
    let node = flow().compile("nodes/fail.ts");
    let lines = node.js.lines().count();
    let mappings = node.line_map.mappings.len();
    assert!(
        mappings < lines * 12,
        "{mappings} bytes of mappings for {lines} lines"
    );
}
