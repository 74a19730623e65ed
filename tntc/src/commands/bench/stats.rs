//! Latency distributions: percentiles of a set of samples (the data type is
//! `tntc_report::bench::Distribution`).

use std::time::Duration;

use tntc_report::bench::Distribution;

/// Summarises `samples` (empty: all zero). Percentiles are nearest-rank: p99 of 1000
/// samples is the 990th smallest.
pub fn distribution(samples: &[Duration]) -> Distribution {
    if samples.is_empty() {
        return Distribution::default();
    }
    let mut micros: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
    micros.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let index = (p * micros.len() as f64).ceil() as usize;
        micros[index.clamp(1, micros.len()) - 1]
    };
    Distribution {
        count: micros.len(),
        p50_us: round(rank(0.50)),
        p90_us: round(rank(0.90)),
        p99_us: round(rank(0.99)),
        max_us: round(micros[micros.len() - 1]),
        mean_us: round(micros.iter().sum::<f64>() / micros.len() as f64),
    }
}

/// The samples at every percentile 0, 1, ..., 100 (nearest rank; 0 is the minimum), in
/// microseconds; empty without samples.
pub fn curve(samples: &[Duration]) -> Vec<f64> {
    if samples.is_empty() {
        return Vec::new();
    }
    let mut micros: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
    micros.sort_by(f64::total_cmp);
    (0..=100)
        .map(|p| {
            let index = (p as f64 / 100.0 * micros.len() as f64).ceil() as usize;
            round(micros[index.clamp(1, micros.len()) - 1])
        })
        .collect()
}

/// One decimal: sub-100 ns differences are noise on any machine.
fn round(micros: f64) -> f64 {
    (micros * 10.0).round() / 10.0
}

/// `12.3 us`, `4.56 ms` or `1.23 s`, for tables.
pub fn human(micros: f64) -> String {
    if micros < 1000.0 {
        format!("{micros:.1} us")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{:.2} s", micros / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_micros(v)).collect()
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples = micros(&(1..=100).collect::<Vec<_>>());
        let d = distribution(&samples);
        assert_eq!(d.count, 100);
        assert_eq!(d.p50_us, 50.0);
        assert_eq!(d.p90_us, 90.0);
        assert_eq!(d.p99_us, 99.0);
        assert_eq!(d.max_us, 100.0);
        assert_eq!(d.mean_us, 50.5);
    }

    #[test]
    fn one_sample_is_every_percentile() {
        let d = distribution(&micros(&[7]));
        assert_eq!((d.p50_us, d.p99_us, d.max_us), (7.0, 7.0, 7.0));
    }

    #[test]
    fn no_samples_summarise_to_zero() {
        assert_eq!(distribution(&[]), Distribution::default());
    }

    #[test]
    fn the_curve_runs_from_the_minimum_to_the_maximum_through_the_median() {
        let c = curve(&micros(&(1..=200).collect::<Vec<_>>()));
        assert_eq!(c.len(), 101);
        assert_eq!((c[0], c[50], c[100]), (1.0, 100.0, 200.0));
        assert!(curve(&[]).is_empty());
    }

    #[test]
    fn durations_read_in_the_largest_fitting_unit() {
        assert_eq!(human(12.34), "12.3 us");
        assert_eq!(human(4560.0), "4.56 ms");
        assert_eq!(human(1_230_000.0), "1.23 s");
    }
}
