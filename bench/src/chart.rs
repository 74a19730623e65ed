//! `latency.svg`, drawn by hand: on the left the distribution (CDF, log-scale latency) of
//! every measured node's fresh-sandbox run; on the right each node's p50 split into the
//! sandbox phases.

use std::fmt::Write as _;

use tntc_report::bench::{Distribution, Phases};

use crate::results::Results;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 460.0;
const COLORS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
];
/// Where a node's figures have one phase.
type Phase = fn(&Phases) -> &Distribution;

/// The sandbox phases: name, color, and where a node's figures have it.
const PHASES: &[(&str, &str, Phase)] = &[
    ("instantiate", "#4e79a7", |p| &p.instantiate),
    ("load", "#f28e2b", |p| &p.load),
    ("input", "#bab0ac", |p| &p.input),
    ("run", "#59a14f", |p| &p.run),
    ("output", "#76b7b2", |p| &p.output),
    ("teardown", "#e15759", |p| &p.teardown),
];

/// One measured node: label, CDF points (percentile 0..=100 -> microseconds), phases.
struct Series {
    label: String,
    curve: Vec<f64>,
    phases: Vec<f64>,
}

fn series(results: &Results) -> Vec<Series> {
    let mut out = Vec::new();
    let per_node = results.per_node.as_ref().and_then(|s| s.ok());
    for (workflow, bench) in per_node.iter().flat_map(|p| p.workflows()) {
        for node in &bench.nodes {
            if node.curve_us.len() != 101 {
                continue;
            }
            out.push(Series {
                label: format!("{workflow}/{}", node.node),
                curve: node.curve_us.clone(),
                phases: PHASES
                    .iter()
                    .map(|(_, _, phase)| phase(&node.phases).p50_us)
                    .collect(),
            });
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The chart, or a short note in its place when the run has no per-node results.
pub fn render(results: &Results) -> String {
    let series = series(results);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    if series.is_empty() {
        svg.push_str("<text x=\"20\" y=\"40\">No per-node results in this run.</text>\n</svg>\n");
        return svg;
    }
    cdf(&mut svg, &series);
    breakdown(&mut svg, &series);
    svg.push_str("</svg>\n");
    svg
}

/// Left panel: percentile (y) against latency on a log scale (x).
fn cdf(svg: &mut String, series: &[Series]) {
    let (x0, y0, w, h) = (60.0, 50.0, 420.0, 330.0);
    let min = series
        .iter()
        .map(|s| s.curve[0])
        .fold(f64::MAX, f64::min)
        .max(1.0);
    let max = series.iter().map(|s| s.curve[100]).fold(1.0, f64::max);
    let (lo, hi) = (
        min.log10().floor(),
        max.log10().ceil().max(min.log10().floor() + 1.0),
    );
    let x = |us: f64| x0 + (us.max(1.0).log10() - lo) / (hi - lo) * w;
    let y = |p: f64| y0 + h - p / 100.0 * h;
    let _ = writeln!(
        svg,
        "<text x=\"{x0}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">Fresh-sandbox run latency, per node (CDF)</text>"
    );
    let _ = writeln!(
        svg,
        "<rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"#888\"/>"
    );
    for decade in (lo as i32)..=(hi as i32) {
        let us = 10f64.powi(decade);
        let gx = x(us);
        let label = if us >= 1e6 {
            format!("{} s", us / 1e6)
        } else if us >= 1e3 {
            format!("{} ms", us / 1e3)
        } else {
            format!("{us} us")
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{gx:.1}\" y1=\"{y0}\" x2=\"{gx:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
            y0 + h,
            y0 + h + 16.0
        );
    }
    for p in [0.0, 50.0, 90.0, 99.0] {
        let gy = y(p);
        let _ = writeln!(
            svg,
            "<line x1=\"{x0}\" y1=\"{gy:.1}\" x2=\"{:.1}\" y2=\"{gy:.1}\" stroke=\"#eee\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">p{p}</text>",
            x0 + w,
            x0 - 6.0,
            gy + 4.0
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">latency of NodeModule::run (log scale)</text>",
        x0 + w / 2.0,
        y0 + h + 34.0
    );
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let points: Vec<String> = s
            .curve
            .iter()
            .enumerate()
            .map(|(p, us)| format!("{:.1},{:.1}", x(*us), y(p as f64)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        );
        // The legend sits low in the middle, where a CDF of fast runs leaves room.
        let ly = y0 + h - 12.0 - (series.len() - i) as f64 * 16.0;
        let lx = x0 + w * 0.4;
        let _ = writeln!(
            svg,
            "<line x1=\"{:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{color}\" stroke-width=\"3\"/><text x=\"{:.1}\" y=\"{:.1}\">{} (p50 {:.1} us)</text>",
            lx,
            lx + 20.0,
            lx + 26.0,
            ly + 4.0,
            escape(&s.label),
            s.curve[50]
        );
    }
}

/// Right panel: p50 of each phase, stacked, for the nodes under a millisecond.
fn breakdown(svg: &mut String, series: &[Series]) {
    let fast: Vec<&Series> = series
        .iter()
        .filter(|s| s.phases.iter().sum::<f64>() < 1000.0)
        .collect();
    let (x0, y0, w) = (660.0, 50.0, 250.0);
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">Where a run's time goes (p50 of each phase)</text>",
        x0 - 130.0
    );
    let max = fast
        .iter()
        .map(|s| s.phases.iter().sum::<f64>())
        .fold(1.0, f64::max);
    let bar = 26.0;
    for (i, s) in fast.iter().enumerate() {
        let y = y0 + i as f64 * (bar + 14.0);
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            x0 - 6.0,
            y + bar / 2.0 + 4.0,
            escape(&s.label)
        );
        let mut x = x0;
        for ((_, color, _), us) in PHASES.iter().zip(&s.phases) {
            let width = us / max * w;
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{bar}\" fill=\"{color}\"/>"
            );
            x += width;
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\">{:.1} us</text>",
            x + 4.0,
            y + bar / 2.0 + 4.0,
            s.phases.iter().sum::<f64>()
        );
    }
    let ly = y0 + fast.len() as f64 * (bar + 14.0) + 10.0;
    for (i, (phase, color, _)) in PHASES.iter().enumerate() {
        let lx = x0 - 130.0 + (i % 3) as f64 * 130.0;
        let lyy = ly + (i / 3) as f64 * 18.0;
        let _ = writeln!(
            svg,
            "<rect x=\"{lx:.1}\" y=\"{lyy:.1}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\">{phase}</text>",
            lx + 16.0,
            lyy + 10.0
        );
    }
    let skipped = series.len() - fast.len();
    if skipped > 0 {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#666\">({skipped} node(s) over 1 ms left out: their run phase dwarfs the rest)</text>",
            x0 - 130.0,
            ly + 48.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_results_draw_the_committed_chart() {
        let json = concat!(env!("CARGO_MANIFEST_DIR"), "/results/results.json");
        let svg = concat!(env!("CARGO_MANIFEST_DIR"), "/results/latency.svg");
        let results: Results =
            serde_json::from_str(&std::fs::read_to_string(json).expect("results.json"))
                .expect("the committed results parse");
        assert_eq!(
            render(&results),
            std::fs::read_to_string(svg).expect("latency.svg")
        );
    }
}
