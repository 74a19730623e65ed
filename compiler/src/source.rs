//! Source files as the user wrote them: workflow-relative path, text, line index.

use std::path::{Component, Path};
use std::sync::Arc;

/// One source file's text with a line index, for positions and snippets.
#[derive(Debug, Clone)]
pub(crate) struct SourceText {
    path: String,
    text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceText {
    /// `path` is workflow-relative with `/` separators; a UTF-8 byte order mark is dropped
    /// (the parser drops it too, and byte offsets must agree).
    pub(crate) fn new(path: impl Into<String>, text: &str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            path: path.into(),
            text: Arc::from(text),
            line_starts,
        }
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn text_arc(&self) -> Arc<str> {
        Arc::clone(&self.text)
    }

    /// 1-based line and character column of byte `offset` (clamped into the text).
    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        let (line, line_start) = self.line_of(offset);
        let column = self
            .text
            .get(line_start..offset.min(self.text.len()))
            .map_or(0, |s| s.chars().count());
        (to_u32(line + 1), to_u32(column + 1))
    }

    /// 0-based line index and the byte offset where that line starts.
    pub(crate) fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        (line, self.line_starts.get(line).copied().unwrap_or(0))
    }
}

pub(crate) fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Normalizes a path relative to the workflow directory to `a/b/c.ts` form, resolving `.`
/// and `..` lexically. `None` when it is absolute or climbs above the directory.
pub(crate) fn normalize_relative(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(part) => parts.push(part.to_str()?.to_owned()),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let source = SourceText::new("a.ts", "ab\n\u{e9}x = 1;\n");
        assert_eq!(source.position(0), (1, 1));
        assert_eq!(source.position(3), (2, 1));
        assert_eq!(source.position(5), (2, 2));
        assert_eq!(source.position(999), (3, 1));
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        let source = SourceText::new("a.ts", "\u{feff}x");
        assert_eq!(source.text(), "x");
    }

    #[test]
    fn relative_paths_normalize_and_must_stay_inside() {
        assert_eq!(
            normalize_relative(Path::new("./nodes/../lib/x.ts")).as_deref(),
            Some("lib/x.ts")
        );
        assert_eq!(normalize_relative(Path::new("../x.ts")), None);
        assert_eq!(normalize_relative(Path::new("/etc/passwd")), None);
        assert_eq!(normalize_relative(Path::new(".")), None);
    }
}
