//! Strict parsers for the spec's quantities: durations (`30s`, `1m30s`, `500ms`) and memory
//! sizes (`64Mi`, `1Gi`). An unparsable value is an error with a hint, never a silent default.

use std::time::Duration;

/// Parses a duration written as one or more `<number><unit>` parts, units `ms`, `s`, `m`, `h`
/// (Go's `time.ParseDuration` without the sub-millisecond units): `30s`, `2m`, `1.5s`, `1h30m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!("`{text}` has no unit"));
    }
    let mut rest = text;
    let mut total_ms = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() || number.matches('.').count() > 1 || number == "." {
            return Err(format!("`{text}` is not a duration"));
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let scale = match unit {
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            other => return Err(format!("unknown unit `{other}` in `{text}`")),
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a duration"))?;
        total_ms += value * scale;
        rest = after;
    }
    if !total_ms.is_finite() || total_ms > 365.0 * 24.0 * 3_600_000.0 {
        return Err(format!("`{text}` is too long"));
    }
    Ok(Duration::from_micros((total_ms * 1000.0).round() as u64))
}

/// Parses a memory size: plain bytes, or a number with a Kubernetes suffix (`Ki`, `Mi`, `Gi`
/// binary; `k`, `M`, `G` decimal).
pub fn parse_memory(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(digits);
    if number.is_empty() {
        return Err(format!("`{text}` is not a memory size"));
    }
    let scale: u64 = match suffix {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        other => return Err(format!("unknown unit `{other}` in `{text}`")),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
    }

    #[test]
    fn unparsable_durations_are_errors() {
        for bad in [
            "",
            "30",
            "30x",
            "s",
            "1..5s",
            "thirty seconds",
            "-5s",
            "1.2.3s",
            "9999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(parse_duration("30").unwrap_err(), "`30` has no unit");
    }

    #[test]
    fn memory_sizes_use_kubernetes_suffixes() {
        assert_eq!(parse_memory("64Mi"), Ok(64 << 20));
        assert_eq!(parse_memory("1Gi"), Ok(1 << 30));
        assert_eq!(parse_memory("1000k"), Ok(1_000_000));
        assert_eq!(parse_memory("4096"), Ok(4096));
        assert!(parse_memory("64MB").is_err());
        assert!(parse_memory("Mi").is_err());
        assert!(parse_memory("99999999999999999999Gi").is_err());
    }
}
