//! The HTML page's chart of the recent closed weeks: an inline SVG, legible on a
//! phone, colours from the page's style (light or dark), the three series told
//! apart by pattern as well as colour. Pure.

use super::super::escape::xml;
use super::super::wording::plural;
use super::CHART_COLOURS;
use crate::observe::HistoryWeek;
use std::fmt::Write as _;

/// The chart of the recent closed weeks: per week (a row, newest last) three
/// horizontal bars, issues closed (solid), how many of them unscheduled
/// (hatched) and outages (dotted), each with its number. Drawn 360 units wide
/// so that on a phone it is shown near its own size and its text stays legible;
/// colours come from the page's (light or dark) style. `None` when every number
/// is zero: an empty chart says nothing.
pub(crate) fn history_chart(history: &[HistoryWeek]) -> Option<String> {
    const WIDTH: f64 = 360.0;
    const LABEL: f64 = 58.0; // the week label column
    const VALUE: f64 = 40.0; // room for the number after the longest bar
    const TOP: f64 = 34.0; // the legend
    const BAR: f64 = 11.0;
    const STEP: f64 = 12.0; // bar + 1 unit
    const GAP: f64 = 14.0; // between weeks
    let max = history
        .iter()
        .flat_map(|h| [h.closed_issues, h.unscheduled, h.outages])
        .max()
        .unwrap_or(0);
    if max == 0 {
        return None;
    }
    let row = 3.0 * STEP + GAP;
    let height = TOP + history.len() as f64 * row;
    let plot = WIDTH - LABEL - VALUE;
    let len = |v: u32| f64::from(v) / f64::from(max) * plot;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"{WIDTH:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {WIDTH:.0} {height:.0}\" aria-labelledby=\"history-title\">"
    );
    let _ = writeln!(
        s,
        "<title id=\"history-title\">Issues closed per week, how many were unscheduled, how many were outages</title>"
    );
    // Patterns, so the series are told apart without their colours.
    let _ = writeln!(
        s,
        "<defs><pattern id=\"p-unscheduled\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect class=\"p-unscheduled\" width=\"2.5\" height=\"5\"/></pattern><pattern id=\"p-outages\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\"><circle class=\"p-outages\" cx=\"2\" cy=\"2\" r=\"1.3\"/></pattern></defs>"
    );
    let series = |j: usize| -> (&'static str, String) {
        match j {
            0 => ("s-closed", String::new()),
            1 => ("s-unscheduled", " fill=\"url(#p-unscheduled)\"".to_string()),
            _ => ("s-outages", " fill=\"url(#p-outages)\"".to_string()),
        }
    };
    // Legend: swatch and name for each series.
    let mut x = 0.0;
    for (j, (name, _, _)) in CHART_COLOURS.iter().enumerate() {
        let (class, fill) = series(j);
        let _ = writeln!(
            s,
            "<rect class=\"{class}\"{fill} x=\"{x:.1}\" y=\"8\" width=\"18\" height=\"12\"/><text x=\"{:.1}\" y=\"18\" font-size=\"13\">{name}</text>",
            x + 24.0
        );
        x += 24.0 + 7.5 * name.len() as f64 + 16.0;
    }
    for (i, h) in history.iter().enumerate() {
        let y0 = TOP + i as f64 * row;
        let _ = writeln!(s, "<g>");
        let _ = writeln!(
            s,
            "<title>{}: {} closed, {} unscheduled, {}</title>",
            xml(&h.title, false),
            h.closed_issues,
            h.unscheduled,
            plural(h.outages as usize, "outage", "outages")
        );
        let _ = writeln!(
            s,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"13\">{}</text>",
            y0 + 1.5 * STEP + 4.5,
            h.end_date.format("%b %-d")
        );
        for (j, v) in [h.closed_issues, h.unscheduled, h.outages]
            .into_iter()
            .enumerate()
        {
            let y = y0 + j as f64 * STEP;
            let w = len(v);
            let (class, fill) = series(j);
            if v > 0 {
                let _ = writeln!(
                    s,
                    "<rect class=\"{class}\"{fill} x=\"{LABEL:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR:.1}\"/>"
                );
            }
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{v}</text>",
                LABEL + w + 4.0,
                y + BAR - 1.0
            );
        }
        let _ = writeln!(s, "</g>");
    }
    s.push_str("</svg>\n");
    Some(s)
}
