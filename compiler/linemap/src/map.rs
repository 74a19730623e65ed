//! The line map itself: its serialized form, a builder, and lookups.

use serde::{Deserialize, Serialize};

use crate::vlq;

/// Maps positions in a node's emitted JavaScript back to its TypeScript sources.
///
/// `mappings` uses the Source Map v3 encoding (`;` between emitted lines, `,` between
/// segments, each segment four base64 VLQ deltas: emitted column, source index, source
/// line, source column). Segments whose source position follows from the previous one on
/// the same line by the same column offset are left out, which keeps the map a few bytes
/// per emitted line; lookups extrapolate from the nearest segment to the left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineMap {
    /// The file name the JavaScript was compiled under: what QuickJS prints in stack traces.
    pub file: String,
    /// Source paths, relative to the workflow directory, with `/` separators.
    pub sources: Vec<String>,
    /// Source Map v3 `mappings` (see the type's documentation).
    pub mappings: String,
}

/// A position in a TypeScript (or JavaScript) source file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePosition<'a> {
    /// Source path relative to the workflow directory, as listed in [`LineMap::sources`].
    pub source: &'a str,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// The mappings string of a [`LineMap`] is not valid Source Map v3 text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed line map: {reason} on emitted line {line}")]
pub struct LineMapError {
    /// 1-based emitted line where decoding failed.
    pub line: u32,
    /// What was wrong.
    pub reason: &'static str,
}

/// One decoded mapping, all fields 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    js_column: u32,
    source: u32,
    line: u32,
    column: u32,
}

impl LineMap {
    /// Decodes the mappings once, for repeated lookups (rewriting a whole stack trace).
    pub fn decode(&self) -> Result<DecodedLineMap<'_>, LineMapError> {
        let mut lines = Vec::new();
        let (mut source, mut line, mut column) = (0i64, 0i64, 0i64);
        for (index, text) in self.mappings.split(';').enumerate() {
            let emitted_line = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let error = |reason| LineMapError {
                line: emitted_line,
                reason,
            };
            let mut segments = Vec::new();
            let mut js_column = 0i64;
            for segment in text.split(',').filter(|s| !s.is_empty()) {
                let values =
                    vlq::decode_segment(segment.as_bytes()).ok_or(error("invalid VLQ text"))?;
                let [d_js, d_source, d_line, d_column] = values[..] else {
                    return Err(error("segment without four fields"));
                };
                js_column += d_js;
                source += d_source;
                line += d_line;
                column += d_column;
                let field =
                    |value: i64| u32::try_from(value).map_err(|_| error("field out of range"));
                let segment = Segment {
                    js_column: field(js_column)?,
                    source: field(source)?,
                    line: field(line)?,
                    column: field(column)?,
                };
                if segment.source as usize >= self.sources.len() {
                    return Err(error("source index past the source list"));
                }
                segments.push(segment);
            }
            lines.push(segments);
        }
        Ok(DecodedLineMap { map: self, lines })
    }

    /// The TypeScript position of emitted JavaScript `js_line:js_column` (both 1-based,
    /// as QuickJS prints them). `None` for positions in generated glue code, past the end,
    /// or when the map is malformed.
    pub fn lookup(&self, js_line: u32, js_column: u32) -> Option<SourcePosition<'_>> {
        self.decode().ok()?.lookup(js_line, js_column)
    }

    /// A node's stack as its author wants it: rewritten to TypeScript positions
    /// ([`LineMap::rewrite_stack`]) and keeping only the frames in the node's own files — the
    /// runtime's frames (the prelude's `ctx`, the entry that called the node) say nothing to
    /// the author. The whole rewritten stack when no frame is the node's (an error inside the
    /// runtime).
    pub fn node_stack(&self, stack: &str) -> String {
        let rewritten = self.rewrite_stack(stack);
        let own = |frame: &&str| {
            self.sources.iter().chain([&self.file]).any(|file| {
                frame.contains(&format!("({file}:"))
                    || frame.trim_start().starts_with(&format!("at {file}:"))
            })
        };
        let frames: Vec<&str> = rewritten.lines().filter(own).collect();
        if frames.is_empty() {
            rewritten
        } else {
            frames.iter().map(|f| format!("{f}\n")).collect()
        }
    }

    /// Rewrites every `<file>:<line>:<column>` (or `<file>:<line>`) in a QuickJS stack trace
    /// or error message to the TypeScript position, leaving anything it cannot map as is.
    pub fn rewrite_stack(&self, stack: &str) -> String {
        match self.decode() {
            Ok(decoded) => decoded.rewrite_stack(stack),
            Err(_) => stack.to_owned(),
        }
    }
}

/// A [`LineMap`] with its mappings decoded, ready for many lookups.
#[derive(Debug, Clone)]
pub struct DecodedLineMap<'a> {
    map: &'a LineMap,
    lines: Vec<Vec<Segment>>,
}

impl<'a> DecodedLineMap<'a> {
    /// See [`LineMap::lookup`].
    pub fn lookup(&self, js_line: u32, js_column: u32) -> Option<SourcePosition<'a>> {
        let segments = self
            .lines
            .get(usize::try_from(js_line.checked_sub(1)?).ok()?)?;
        let js_column = js_column.saturating_sub(1);
        // The segment covering the column is the last one starting at or before it; a column
        // left of every segment (indentation) belongs to the line's first segment.
        let at = segments.partition_point(|s| s.js_column <= js_column);
        let (segment, offset) = match at.checked_sub(1) {
            Some(index) => {
                let segment = segments.get(index)?;
                (segment, js_column - segment.js_column)
            }
            None => (segments.first()?, 0),
        };
        Some(SourcePosition {
            source: self.map.sources.get(segment.source as usize)?,
            line: segment.line + 1,
            column: segment.column.saturating_add(offset).saturating_add(1),
        })
    }

    /// See [`LineMap::rewrite_stack`].
    pub fn rewrite_stack(&self, stack: &str) -> String {
        crate::stack::rewrite(stack, &self.map.file, |line, column| {
            self.lookup(line, column)
        })
    }
}

/// Collects mappings in emission order and encodes them compactly.
#[derive(Debug, Clone)]
pub struct LineMapBuilder {
    file: String,
    sources: Vec<String>,
    lines: Vec<Vec<Segment>>,
}

impl LineMapBuilder {
    /// Starts a map for JavaScript compiled under the name `file`.
    pub fn new(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            sources: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Registers a source path (workflow-relative, `/` separators) and returns its index;
    /// registering the same path again returns the same index.
    pub fn add_source(&mut self, path: &str) -> u32 {
        if let Some(index) = self.sources.iter().position(|s| s == path) {
            return u32::try_from(index).unwrap_or(u32::MAX);
        }
        self.sources.push(path.to_owned());
        u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX)
    }

    /// Records that emitted `js_line:js_column` comes from `source` at `line:column`
    /// (all 0-based). Mappings may arrive in any order; the first one recorded for an
    /// emitted position wins.
    pub fn add(&mut self, js_line: u32, js_column: u32, source: u32, line: u32, column: u32) {
        let index = js_line as usize;
        if self.lines.len() <= index {
            self.lines.resize_with(index + 1, Vec::new);
        }
        if let Some(segments) = self.lines.get_mut(index) {
            segments.push(Segment {
                js_column,
                source,
                line,
                column,
            });
        }
    }

    /// Encodes the map, dropping segments that lookups can extrapolate exactly.
    pub fn finish(mut self) -> LineMap {
        let mut mappings = String::new();
        let (mut source, mut line, mut column) = (0i64, 0i64, 0i64);
        for (index, segments) in self.lines.iter_mut().enumerate() {
            if index > 0 {
                mappings.push(';');
            }
            // Stable sort keeps the first-recorded mapping first among equal columns.
            segments.sort_by_key(|s| s.js_column);
            let mut kept: Option<Segment> = None;
            let mut js_column = 0i64;
            for segment in segments.iter() {
                if let Some(previous) = kept {
                    let predictable = previous.source == segment.source
                        && previous.line == segment.line
                        && i64::from(segment.column) - i64::from(previous.column)
                            == i64::from(segment.js_column) - i64::from(previous.js_column);
                    if previous.js_column == segment.js_column || predictable {
                        continue;
                    }
                    mappings.push(',');
                }
                vlq::encode(i64::from(segment.js_column) - js_column, &mut mappings);
                vlq::encode(i64::from(segment.source) - source, &mut mappings);
                vlq::encode(i64::from(segment.line) - line, &mut mappings);
                vlq::encode(i64::from(segment.column) - column, &mut mappings);
                js_column = i64::from(segment.js_column);
                source = i64::from(segment.source);
                line = i64::from(segment.line);
                column = i64::from(segment.column);
                kept = Some(*segment);
            }
        }
        LineMap {
            file: self.file,
            sources: self.sources,
            mappings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_stack_keeps_only_the_nodes_own_frames() {
        let map = LineMap {
            file: "nodes/n.bundle.js".into(),
            sources: vec!["nodes/n.ts".into(), "lib/util.ts".into()],
            mappings: String::new(),
        };
        let stack = "    at undeclared (80-context.js:28:9)\n    at helper (lib/util.ts:3:5)\n    at run (nodes/n.ts:9:18)\n    at start (runtime.js:172:5)\n";
        assert_eq!(
            map.node_stack(stack),
            "    at helper (lib/util.ts:3:5)\n    at run (nodes/n.ts:9:18)\n"
        );
        let runtime_only = "    at start (runtime.js:172:5)\n";
        assert_eq!(map.node_stack(runtime_only), runtime_only);
    }

    fn sample() -> LineMap {
        let mut builder = LineMapBuilder::new("nodes/fetch.bundle.js");
        let entry = builder.add_source("nodes/fetch.ts");
        let lib = builder.add_source("lib/util.ts");
        // Line 1: glue (no mappings). Line 2: `export default x` from fetch.ts line 3.
        builder.add(1, 4, entry, 2, 0);
        builder.add(1, 10, entry, 2, 6); // predictable: dropped
        builder.add(1, 20, entry, 2, 30); // type annotation was stripped before this
        builder.add(3, 8, lib, 9, 2);
        builder.finish()
    }

    #[test]
    fn lookup_maps_one_based_positions_and_extrapolates_within_a_segment() {
        let map = sample();
        let at = |line, column| {
            map.lookup(line, column)
                .map(|p| (p.source, p.line, p.column))
        };
        assert_eq!(at(2, 5), Some(("nodes/fetch.ts", 3, 1)));
        assert_eq!(at(2, 11), Some(("nodes/fetch.ts", 3, 7)));
        assert_eq!(at(2, 21), Some(("nodes/fetch.ts", 3, 31)));
        assert_eq!(at(2, 23), Some(("nodes/fetch.ts", 3, 33)));
        assert_eq!(at(2, 1), Some(("nodes/fetch.ts", 3, 1)));
        assert_eq!(at(4, 9), Some(("lib/util.ts", 10, 3)));
    }

    #[test]
    fn lines_without_mappings_and_lines_past_the_end_have_no_position() {
        let map = sample();
        assert_eq!(map.lookup(1, 1), None);
        assert_eq!(map.lookup(3, 1), None);
        assert_eq!(map.lookup(99, 1), None);
        assert_eq!(map.lookup(0, 1), None);
    }

    #[test]
    fn predictable_segments_are_not_encoded() {
        let map = sample();
        assert_eq!(map.mappings.matches(',').count(), 1, "{}", map.mappings);
    }

    #[test]
    fn malformed_mappings_are_reported_with_the_emitted_line() {
        let map = LineMap {
            file: "x.js".into(),
            sources: vec!["x.ts".into()],
            mappings: ";AAAA;AC".into(),
        };
        let error = map.decode().err();
        assert_eq!(
            error,
            Some(LineMapError {
                line: 3,
                reason: "segment without four fields"
            })
        );
        assert_eq!(map.lookup(2, 1), None);
    }

    #[test]
    fn source_index_past_the_list_is_malformed() {
        let map = LineMap {
            file: "x.js".into(),
            sources: vec!["x.ts".into()],
            mappings: "ACAA".into(),
        };
        assert!(map.decode().is_err());
    }

    #[test]
    fn serialized_form_uses_camel_case_and_a_fixed_field_order() {
        let json = serde_json::to_string(&sample()).unwrap_or_default();
        assert!(
            json.starts_with(r#"{"file":"nodes/fetch.bundle.js","sources":["#),
            "{json}"
        );
    }
}
