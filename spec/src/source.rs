//! Source text and positions: byte spans, and their 1-based line/column form.

use std::path::{Path, PathBuf};

/// A half-open byte range `[start, end)` in a [`SourceFile`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (swapped if given in the wrong order).
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start.min(end),
            end: start.max(end),
        }
    }

    /// An empty span at `offset`, for "something is missing here" diagnostics.
    pub fn point(offset: usize) -> Span {
        Span {
            start: offset,
            end: offset,
        }
    }
}

/// A 1-based line and column (columns count characters, not bytes), as editors show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A named text that diagnostics point into.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: PathBuf,
    text: String,
    /// Byte offset where each line starts; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps `text`, shown to users as `name` (typically the path given on the command line).
    pub fn new(name: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The name diagnostics print for this file.
    pub fn name(&self) -> &Path {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The 1-based line/column of a byte offset (clamped to the text).
    pub fn location(&self, offset: usize) -> Location {
        let offset = self.clamp(offset);
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..offset].chars().count() + 1;
        Location {
            line: line_index + 1,
            column,
        }
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// The byte offset of a 1-based line and 0-based character column, as YAML parsers
    /// report positions (clamped to the text).
    pub fn offset_of(&self, line: usize, char_column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let within = rest
            .char_indices()
            .nth(char_column)
            .map_or(rest.len(), |(i, _)| i);
        start + within
    }

    /// Byte offset of the end of the text.
    pub fn end(&self) -> usize {
        self.text.len()
    }

    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_and_count_characters() {
        let src = SourceFile::new("w.yaml", "a: 1\nnäme: x\n");
        assert_eq!(src.location(0), Location { line: 1, column: 1 });
        let x = src.text().find('x').unwrap();
        assert_eq!(src.location(x), Location { line: 2, column: 7 });
        assert_eq!(src.line_text(2), "näme: x");
        assert_eq!(src.line_text(9), "");
    }

    #[test]
    fn offset_of_inverts_parser_positions() {
        let src = SourceFile::new("w.yaml", "a: 1\nnäme: x\n");
        let x = src.offset_of(2, 6);
        assert_eq!(&src.text()[x..x + 1], "x");
        assert_eq!(src.offset_of(40, 0), src.end());
    }

    #[test]
    fn location_clamps_inside_multibyte_characters() {
        let src = SourceFile::new("w.yaml", "ä");
        assert_eq!(src.location(1), Location { line: 1, column: 1 });
    }
}
