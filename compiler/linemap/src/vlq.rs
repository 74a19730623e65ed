//! Base64 VLQ, the integer encoding of Source Map v3 `mappings`.
//!
//! Each value is signed; its sign sits in the lowest bit, then 5 bits per base64 digit,
//! least significant group first, with bit 6 (`0x20`) meaning "more digits follow".

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the VLQ encoding of `value` to `out`.
pub(crate) fn encode(value: i64, out: &mut String) {
    let mut rest: u64 = if value < 0 {
        (value.unsigned_abs() << 1) | 1
    } else {
        value.unsigned_abs() << 1
    };
    loop {
        let mut digit = (rest & 0x1f) as usize;
        rest >>= 5;
        if rest > 0 {
            digit |= 0x20;
        }
        out.push(char::from(ALPHABET[digit]));
        if rest == 0 {
            break;
        }
    }
}

fn digit_value(byte: u8) -> Option<u64> {
    let value = match byte {
        b'A'..=b'Z' => byte - b'A',
        b'a'..=b'z' => byte - b'a' + 26,
        b'0'..=b'9' => byte - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u64::from(value))
}

/// Decodes every value of one segment (the text between `,`/`;` separators).
///
/// Returns `None` on a character outside the alphabet, a truncated value or a value that
/// does not fit an `i64`.
pub(crate) fn decode_segment(text: &[u8]) -> Option<Vec<i64>> {
    let mut values = Vec::with_capacity(4);
    let mut accumulator: u64 = 0;
    let mut shift = 0u32;
    let mut pending = false;
    for &byte in text {
        let digit = digit_value(byte)?;
        if shift > 60 {
            return None;
        }
        accumulator |= (digit & 0x1f) << shift;
        if digit & 0x20 != 0 {
            shift += 5;
            pending = true;
            continue;
        }
        let magnitude = i64::try_from(accumulator >> 1).ok()?;
        values.push(if accumulator & 1 == 1 {
            -magnitude
        } else {
            magnitude
        });
        accumulator = 0;
        shift = 0;
        pending = false;
    }
    if pending { None } else { Some(values) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_including_negative_and_multi_digit() {
        let values = [
            0,
            1,
            -1,
            15,
            16,
            -16,
            1023,
            -1024,
            123_456_789,
            i64::from(u32::MAX),
        ];
        let mut text = String::new();
        for value in values {
            encode(value, &mut text);
        }
        assert_eq!(decode_segment(text.as_bytes()), Some(values.to_vec()));
    }

    #[test]
    fn known_source_map_encodings_match() {
        let mut text = String::new();
        for value in [0, 0, 16, 1] {
            encode(value, &mut text);
        }
        assert_eq!(text, "AAgBC");
    }

    #[test]
    fn truncated_or_foreign_text_is_rejected() {
        assert_eq!(decode_segment(b"g"), None);
        assert_eq!(decode_segment(b"A*"), None);
        assert_eq!(decode_segment(b"gggggggggggggggA"), None);
    }
}
