//! Rewriting `file:line:column` references in stack traces.

use crate::SourcePosition;

/// Characters that may continue a file name: a match of `file` preceded by one of these is
/// part of a longer name and is left alone.
fn continues_name(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '/' | '\\' | '.' | '_' | '-' | ':')
}

/// Parses the decimal number at the start of `text`, returning it and its length.
fn leading_number(text: &str) -> Option<(u32, usize)> {
    let length = text.bytes().take_while(u8::is_ascii_digit).count();
    let number = text.get(..length)?.parse().ok()?;
    Some((number, length))
}

/// Replaces each `<file>:<line>[:<column>]` in `stack` with the position `lookup` returns,
/// keeping the original text where it returns `None`.
pub(crate) fn rewrite<'a>(
    stack: &str,
    file: &str,
    lookup: impl Fn(u32, u32) -> Option<SourcePosition<'a>>,
) -> String {
    if file.is_empty() {
        return stack.to_owned();
    }
    let mut out = String::with_capacity(stack.len());
    let mut rest = stack;
    while let Some(found) = rest.find(file) {
        let (before, after_start) = rest.split_at(found);
        out.push_str(before);
        let standalone = out.chars().next_back().is_none_or(|c| !continues_name(c));
        let after_file = &after_start[file.len()..];
        let position =
            after_file
                .strip_prefix(':')
                .and_then(leading_number)
                .map(|(line, line_length)| {
                    let tail = &after_file[1 + line_length..];
                    match tail.strip_prefix(':').and_then(leading_number) {
                        Some((column, column_length)) => {
                            (line, column, 1 + line_length + 1 + column_length)
                        }
                        None => (line, 1, 1 + line_length),
                    }
                });
        match position.filter(|_| standalone) {
            Some((line, column, consumed)) => match lookup(line, column) {
                Some(p) => {
                    out.push_str(&format!("{}:{}:{}", p.source, p.line, p.column));
                    rest = &after_file[consumed..];
                }
                None => {
                    out.push_str(&after_start[..file.len() + consumed]);
                    rest = &after_file[consumed..];
                }
            },
            None => {
                out.push_str(file);
                rest = after_file;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use crate::LineMapBuilder;

    fn map() -> crate::LineMap {
        let mut builder = LineMapBuilder::new("nodes/fetch.bundle.js");
        let entry = builder.add_source("nodes/fetch.ts");
        let lib = builder.add_source("lib/util.ts");
        builder.add(11, 4, entry, 6, 8);
        builder.add(29, 8, lib, 2, 10);
        builder.finish()
    }

    #[test]
    fn quickjs_frames_are_rewritten_to_typescript_positions() {
        let stack = "Error: boom\n    at helper (nodes/fetch.bundle.js:30:9)\n    at run (nodes/fetch.bundle.js:12:5)\n";
        assert_eq!(
            map().rewrite_stack(stack),
            "Error: boom\n    at helper (lib/util.ts:3:11)\n    at run (nodes/fetch.ts:7:9)\n"
        );
    }

    #[test]
    fn frames_without_a_column_use_the_line_start() {
        assert_eq!(
            map().rewrite_stack("    at run (nodes/fetch.bundle.js:12)"),
            "    at run (nodes/fetch.ts:7:9)"
        );
    }

    #[test]
    fn unmapped_frames_other_files_and_longer_names_are_kept() {
        let stack = "at <anonymous> (nodes/fetch.bundle.js:1:1)\nat x (other.js:12:5)\nat y (old/nodes/fetch.bundle.js:12:5)\nnodes/fetch.bundle.js without position";
        assert_eq!(map().rewrite_stack(stack), stack);
    }

    #[test]
    fn a_frame_at_the_very_start_is_rewritten() {
        assert_eq!(
            map().rewrite_stack("nodes/fetch.bundle.js:12:5"),
            "nodes/fetch.ts:7:9"
        );
    }
}
