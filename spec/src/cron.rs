//! Validation of cron schedules as Kubernetes CronJobs accept them: five fields
//! (minute hour day-of-month month day-of-week) or one of the `@hourly`-style macros.

const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
    ),
    (
        "day of week",
        0,
        7,
        &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    ),
];

const MACROS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Checks a schedule; the error says which field is wrong and why.
pub fn validate(schedule: &str) -> Result<(), String> {
    let schedule = schedule.trim();
    if schedule.starts_with('@') {
        return if MACROS.contains(&schedule) {
            Ok(())
        } else {
            Err(format!(
                "unknown macro `{schedule}` (use one of {})",
                MACROS.join(", ")
            ))
        };
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected 5 fields (minute hour day-of-month month day-of-week), found {}",
            fields.len()
        ));
    }
    for (text, (name, min, max, names)) in fields.iter().zip(FIELDS) {
        for part in text.split(',') {
            validate_part(part, min, max, names)
                .map_err(|why| format!("{name} field `{text}`: {why}"))?;
        }
    }
    Ok(())
}

fn validate_part(part: &str, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    let (range, step) = match part.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (part, None),
    };
    if let Some(step) = step {
        let step: u32 = step
            .parse()
            .map_err(|_| format!("step `{step}` is not a number"))?;
        if step == 0 || step > max {
            return Err(format!("step {step} is out of range 1-{max}"));
        }
    }
    if range == "*" {
        return Ok(());
    }
    let value = |v: &str| -> Result<u32, String> {
        let n = match v.parse::<u32>() {
            Ok(n) => n,
            Err(_) => names
                .iter()
                .position(|name| name.eq_ignore_ascii_case(v))
                .map(|i| i as u32 + min)
                .ok_or_else(|| format!("`{v}` is not a number"))?,
        };
        if n < min || n > max {
            return Err(format!("{n} is out of range {min}-{max}"));
        }
        Ok(n)
    };
    match range.split_once('-') {
        Some((lo, hi)) => {
            let (lo, hi) = (value(lo)?, value(hi)?);
            if lo > hi {
                return Err(format!("range {lo}-{hi} is backwards"));
            }
        }
        None => {
            value(range)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_kubernetes_schedules() {
        for ok in [
            "0 9 * * *",
            "*/15 * * * *",
            "0 0 1,15 * MON-FRI",
            "5 4 * jan sun",
            "0 */2 1-10/3 * 7",
            "@hourly",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_schedules_naming_the_field() {
        assert_eq!(
            validate("0 9 * *").unwrap_err(),
            "expected 5 fields (minute hour day-of-month month day-of-week), found 4"
        );
        assert_eq!(
            validate("60 * * * *").unwrap_err(),
            "minute field `60`: 60 is out of range 0-59"
        );
        assert_eq!(
            validate("0 25 * * *").unwrap_err(),
            "hour field `25`: 25 is out of range 0-23"
        );
        assert_eq!(
            validate("0 0 0 * *").unwrap_err(),
            "day of month field `0`: 0 is out of range 1-31"
        );
        assert_eq!(
            validate("* * * FOO *").unwrap_err(),
            "month field `FOO`: `FOO` is not a number"
        );
        assert_eq!(
            validate("*/0 * * * *").unwrap_err(),
            "minute field `*/0`: step 0 is out of range 1-59"
        );
        assert_eq!(
            validate("0 5-1 * * *").unwrap_err(),
            "hour field `5-1`: range 5-1 is backwards"
        );
        assert!(validate("@every 5m").is_err());
        assert!(validate("0 0 * * * *").is_err());
    }
}
