//! No input makes the spec panic: every truncation and every single-character deletion of a
//! full workflow, plus some hostile documents, yield a result (valid or diagnostics).

use tntc_spec::{SourceFile, check, diagnostic::render};

fn check_never_panics(text: &str) {
    let source = SourceFile::new("workflow.yaml", text);
    if let Err(diagnostics) = check(&source, None) {
        assert!(!diagnostics.is_empty() || text.trim().is_empty());
        for d in &diagnostics {
            let _ = render(&source, d, false);
        }
    }
}

const FULL: &str = include_str!("../../../examples/news-digest/workflow.yaml");

#[test]
fn every_truncation_of_a_workflow_is_handled() {
    for (i, _) in FULL.char_indices() {
        check_never_panics(&FULL[..i]);
    }
}

#[test]
fn every_single_character_deletion_is_handled() {
    for (i, c) in FULL.char_indices() {
        let mut text = FULL.to_string();
        text.replace_range(i..i + c.len_utf8(), "");
        check_never_panics(&text);
    }
}

#[test]
fn hostile_documents_are_handled() {
    let deep = "a: ".repeat(200) + "x";
    let nested = "[".repeat(500) + &"]".repeat(500);
    let aliases = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n";
    for text in [
        "\u{feff}name: bom\n",
        "\t\tname: tabs\n",
        "name: \"unterminated\n",
        "---\n---\n",
        "? [complex, key]\n: value\n",
        "name: !!binary aGVsbG8=\n",
        "nodes:\n  x:\n    path: \"\\u0000\"\n",
        "edges: [{from: [a], to: {b: c}}]\n",
        "version: 1.0\nname: ~\n",
        deep.as_str(),
        nested.as_str(),
        aliases,
    ] {
        check_never_panics(text);
    }
}
