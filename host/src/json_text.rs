//! JSON text from nodes and callers into [`serde_json::Value`], lone surrogates included.
//!
//! JavaScript strings are UTF-16 and may hold a lone surrogate (`"👍".slice(0, 1)`, a
//! non-Unicode regex splitting an emoji); `JSON.stringify` writes it as an escape such as
//! `"\ud83d"`, which is valid JSON text but has no UTF-8 form, so serde_json refuses it.
//! The original engine passed such strings between nodes as they were and wrote the escape
//! into its response. Here a lone surrogate becomes U+FFFD (the replacement character), as
//! Go's `encoding/json` and most UTF-8 systems do, instead of failing the run: the only
//! loss is that one unpaired code unit.

use serde_json::Value;
use std::borrow::Cow;

/// Parses `text`; when it holds lone surrogate escapes, they are read as U+FFFD.
pub fn to_value(text: &[u8]) -> serde_json::Result<Value> {
    match serde_json::from_slice(text) {
        Ok(value) => Ok(value),
        Err(error) => match replace_lone_surrogates(text) {
            // The replacement is as long as the escape it replaces: an error in the repaired
            // text has the position it has in `text`.
            Cow::Owned(repaired) => serde_json::from_slice(&repaired),
            Cow::Borrowed(_) => Err(error),
        },
    }
}

const REPLACEMENT: &[u8] = b"\\ufffd";

fn hex4(bytes: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(bytes.get(..4)?).ok()?;
    u16::from_str_radix(text, 16).ok()
}

/// `text` with every `\uXXXX` escape of an unpaired surrogate replaced by `\ufffd`.
/// Backslashes only occur inside JSON strings, so escapes can be found without tracking
/// where strings begin and end.
fn replace_lone_surrogates(text: &[u8]) -> Cow<'_, [u8]> {
    let is_low = |unit: u16| (0xDC00..0xE000).contains(&unit);
    let mut out = Vec::new();
    let mut copied = 0;
    let mut replaced = false;
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'\\' {
            i += 1;
            continue;
        }
        // Every escape but `\uXXXX` is two bytes (`\\` included: its second backslash
        // does not start another escape).
        let Some(unit) = (text.get(i + 1) == Some(&b'u'))
            .then(|| hex4(&text[i + 2..]))
            .flatten()
        else {
            i += 2;
            continue;
        };
        let high = (0xD800..0xDC00).contains(&unit);
        let paired = high
            && text.get(i + 6..i + 8) == Some(b"\\u")
            && hex4(&text[i + 8..]).is_some_and(is_low);
        if paired {
            i += 12;
        } else if high || is_low(unit) {
            out.extend_from_slice(&text[copied..i]);
            out.extend_from_slice(REPLACEMENT);
            i += 6;
            copied = i;
            replaced = true;
        } else {
            i += 6;
        }
    }
    if !replaced {
        return Cow::Borrowed(text);
    }
    out.extend_from_slice(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let text = br#"{"high":"a\ud83d","low":"\udc4db","both":"\udc4d\ud83d"}"#;
        assert_eq!(
            to_value(text).unwrap(),
            json!({"high": "a\u{FFFD}", "low": "\u{FFFD}b", "both": "\u{FFFD}\u{FFFD}"})
        );
    }

    #[test]
    fn pairs_escaped_backslashes_and_other_escapes_are_kept() {
        let text = br#"["\ud83d\udc4d", "\\ud83d", "\\\ud83d", "\n\"\u00e9", "\uD83D\uDC4D"]"#;
        assert_eq!(
            to_value(text).unwrap(),
            json!(["👍", "\\ud83d", "\\\u{FFFD}", "\n\"é", "👍"])
        );
    }

    #[test]
    fn valid_text_is_parsed_as_is_and_invalid_text_keeps_its_error() {
        assert_eq!(
            to_value(br#"{"a":[1,"x"]}"#).unwrap(),
            json!({"a": [1, "x"]})
        );
        let error = to_value(br#"{"a": "\ud83d" "#).unwrap_err();
        assert!(error.to_string().contains("EOF"), "{error}");
        assert!(to_value(br#"{"a": "\ud83"}"#).is_err());
    }
}
