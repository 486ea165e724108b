//! The `report.html` renderer: one self-contained page with what `report.md`
//! says, plus two pictures: an inline SVG bar chart of the recent closed weeks
//! (`Report::history`) and bars of how long this week's carried-over issues have
//! been carried (`Report::carried_weeks`, chronic ones marked).
//!
//! Must not load anything: no external scripts, fonts, stylesheets or images
//! (artifact pages are viewed offline and under strict CSP). Well-formed,
//! XHTML-compatible markup, every text escaped, links only to http(s) URLs, so
//! tests can parse it as XML. Pure: no I/O, no clock.

use super::escape::{html_link as link, xml};
use super::wording::{
    findings_of, fix_counts, fix_label, headline, no_findings, outcome_label, plural, rule_summary,
    status_word,
};
use super::{Report, SHOWN_ERRORS};
use crate::audit::AuditStatus;
use crate::audit::{Finding, Subject};
use crate::observe::{CarriedIssue, HistoryWeek};
use crate::rotation::{IssueKey, MilestoneInfo, RotationStatus};
use std::fmt::Write as _;

/// Weeks carried from which an issue counts as chronic on the page.
pub(crate) const CHRONIC_WEEKS: u32 = 3;

const CLOSED_COLOUR: &str = "#4e79a7";
const UNSCHEDULED_COLOUR: &str = "#f28e2b";
const OUTAGE_COLOUR: &str = "#c0504d";

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1f2328;
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; }
.headline { font-size: 1.15rem; font-weight: 600; margin-top: 0; }
.meta, .muted { color: #59636e; }
.banner { background: #fff8c5; border: 1px solid #d4a72c; padding: 0.5rem 0.8rem; border-radius: 6px; }
.warn { background: #fff1e5; border-left: 4px solid #f28e2b; padding: 0.4rem 0.8rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { text-align: left; border-bottom: 1px solid #eaeef2; padding: 0.3rem 0.5rem; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #ffebe9; }
tr.chronic td { background: #fff8e6; }
.tag { font-size: 0.8rem; border: 1px solid #d4a72c; border-radius: 1rem; padding: 0 0.4rem; color: #7d4e00; }
.bar { display: inline-block; height: 0.8rem; background: #9bb7d4; border-radius: 2px; vertical-align: middle; }
tr.chronic .bar { background: #e3a857; }
ul.errors li { color: #b42318; }
svg text { font-family: system-ui, sans-serif; fill: #1f2328; }
a { color: #0969da; }
footer { margin-top: 2.5rem; color: #59636e; font-size: 0.9rem; }
";

fn esc(s: &str) -> String {
    xml(s, false)
}

pub(crate) fn render(report: &Report) -> String {
    let mut o = String::new();
    let _ = write_page(&mut o, report);
    o
}

fn write_page(o: &mut String, r: &Report) -> std::fmt::Result {
    let head = headline(r);
    writeln!(o, "<!DOCTYPE html>")?;
    writeln!(o, "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">")?;
    writeln!(o, "<head>")?;
    writeln!(o, "<meta charset=\"utf-8\"/>")?;
    writeln!(
        o,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
    )?;
    writeln!(o, "<title>WoW report: {}</title>", esc(&head))?;
    writeln!(o, "<style>{STYLE}</style>")?;
    writeln!(o, "</head>")?;
    writeln!(o, "<body>")?;
    writeln!(o, "<header>")?;
    writeln!(o, "<h1>WoW report</h1>")?;
    writeln!(o, "<p class=\"headline\">{}</p>", esc(&head))?;
    if r.dry_run {
        writeln!(
            o,
            "<p class=\"banner\"><strong>DRY RUN</strong>: nothing was changed in GitLab. Steps and fixes marked 📝 are what a real run would do.</p>"
        )?;
    }
    let mut facts = vec![
        format!(
            "Week <strong>{}</strong> – <strong>{}</strong>",
            r.week.start, r.week.end
        ),
        format!("<code>wowctl {}</code>", esc(&r.command)),
    ];
    if let Some(scope) = &r.scope {
        facts.push(esc(scope));
    }
    facts.push(r.now.format("%Y-%m-%d %H:%M UTC").to_string());
    facts.push(format!("exit status {}", r.exit_code));
    writeln!(o, "<p class=\"meta\">{}</p>", facts.join(" · "))?;
    writeln!(o, "</header>")?;

    write_rotation(o, r)?;
    write_history(o, r.history.as_deref())?;
    write_carried_weeks(o, &r.carried_weeks)?;
    write_audit(o, r)?;
    write_errors(o, r)?;
    write_footer(o, r)?;
    writeln!(o, "</body>")?;
    writeln!(o, "</html>")
}

fn milestone(m: &MilestoneInfo) -> String {
    let mut s = link(&m.title, m.web_url.as_deref());
    match (m.start_date, m.due_date) {
        (Some(a), Some(b)) => s.push_str(&format!(" <span class=\"muted\">({a} – {b})</span>")),
        (None, Some(b)) => s.push_str(&format!(" <span class=\"muted\">(due {b})</span>")),
        (Some(a), None) => s.push_str(&format!(" <span class=\"muted\">(from {a})</span>")),
        (None, None) => {}
    }
    if let Some(state) = m.state.as_deref().filter(|s| *s != "active") {
        s.push_str(&format!(" <span class=\"muted\">{}</span>", esc(state)));
    }
    if m.id.is_none() {
        s.push_str(" <span class=\"muted\">to be created</span>");
    }
    s
}

fn write_rotation(o: &mut String, r: &Report) -> std::fmt::Result {
    let rot = &r.rotation;
    writeln!(o, "<section id=\"rotation\">")?;
    writeln!(o, "<h2>Rotation: {}</h2>", esc(status_word(rot.status)))?;
    if rot.status == RotationStatus::Skipped {
        let why = rot.reason.as_deref().unwrap_or("this command does not rotate");
        writeln!(o, "<p>Skipped: {}.</p>", esc(why))?;
        return writeln!(o, "</section>");
    }
    if rot.weeks_missed > 0 {
        writeln!(
            o,
            "<p class=\"warn\">WoW had stayed open {} past its week: rotated once, named for the most recent week.</p>",
            plural(rot.weeks_missed as usize, "week", "weeks")
        )?;
    }
    writeln!(o, "<table>")?;
    writeln!(o, "<tr><th>before</th><th>after</th></tr>")?;
    let before = match &rot.before {
        None => "GitLab could not be read".to_string(),
        Some(b) if b.is_empty() => "no WoW milestones existed".to_string(),
        Some(b) => b.iter().map(milestone).collect::<Vec<_>>().join("<br/>"),
    };
    let missing = if rot.status == RotationStatus::Failed {
        "not done"
    } else {
        "none"
    };
    let after: Vec<String> = [
        ("closed", &rot.closed_milestone),
        ("current", &rot.current_milestone),
        ("next", &rot.next_milestone),
    ]
    .iter()
    .map(|(role, m)| match m {
        Some(m) => format!("{role}: {}", milestone(m)),
        None => format!("{role}: {missing}"),
    })
    .collect();
    writeln!(o, "<tr><td>{before}</td><td>{}</td></tr>", after.join("<br/>"))?;
    writeln!(o, "</table>")?;

    if !rot.actions.is_empty() {
        writeln!(o, "<h3>Steps</h3>")?;
        writeln!(o, "<table>")?;
        writeln!(o, "<tr><th></th><th>step</th><th>outcome</th></tr>")?;
        for a in &rot.actions {
            let (icon, word) = outcome_label(a.outcome);
            let class = if a.error.is_some() {
                " class=\"failed\""
            } else {
                ""
            };
            let outcome = match &a.error {
                Some(e) => format!("{word}: {}", esc(e)),
                None => word.to_string(),
            };
            writeln!(
                o,
                "<tr{class}><td>{icon}</td><td>{}</td><td>{outcome}</td></tr>",
                esc(&a.description)
            )?;
        }
        writeln!(o, "</table>")?;
    }
    if !rot.carried_over.is_empty() {
        let verb = if r.dry_run {
            "To carry over"
        } else {
            "Carried over"
        };
        let keys: Vec<String> = rot
            .carried_over
            .iter()
            .map(|k| match k {
                IssueKey::Iid(i) => format!("#{i}"),
                IssueKey::Reference(s) => esc(s),
            })
            .collect();
        writeln!(
            o,
            "<p><strong>{verb} ({}):</strong> {}</p>",
            rot.carried_over.len(),
            keys.join(", ")
        )?;
    }
    writeln!(o, "</section>")
}

/// A "nice" tick step (1, 2, 5 × 10^k) so that `max` fits in at most 5 ticks.
fn tick_step(max: u32) -> u32 {
    let mut base = 1u32;
    loop {
        for m in [1u32, 2, 5] {
            let step = base.saturating_mul(m);
            if step.saturating_mul(5) >= max || step == u32::MAX {
                return step.max(1);
            }
        }
        base = base.saturating_mul(10);
    }
}

/// The grouped bar chart of the recent closed weeks: per week, issues closed,
/// how many of them unscheduled, how many outages. An inline SVG with a legend
/// and axis labels; each group has a `<title>` tooltip with the milestone title.
pub(crate) fn history_chart(history: &[HistoryWeek]) -> String {
    const LEFT: f64 = 48.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 40.0;
    const PLOT_H: f64 = 180.0;
    const BOTTOM: f64 = 48.0;
    const BAR: f64 = 14.0;
    const GROUP: f64 = 3.0 * BAR + 18.0;
    let n = history.len() as f64;
    let width = (LEFT + n * GROUP + RIGHT).max(360.0);
    let height = TOP + PLOT_H + BOTTOM;
    let max = history
        .iter()
        .flat_map(|h| [h.closed_issues, h.unscheduled, h.outages])
        .max()
        .unwrap_or(0);
    let step = tick_step(max);
    let ticks = max.div_ceil(step).max(1);
    let y_max = f64::from(step) * f64::from(ticks);
    let y = |v: u32| TOP + PLOT_H - f64::from(v) / y_max * PLOT_H;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" style=\"width: 100%; max-width: 48rem; height: auto\" aria-labelledby=\"history-title\">"
    );
    let _ = writeln!(
        s,
        "<title id=\"history-title\">Issues closed per week, how many were unscheduled, how many were outages</title>"
    );
    // Legend.
    let legend = [
        ("closed", CLOSED_COLOUR),
        ("unscheduled", UNSCHEDULED_COLOUR),
        ("outages", OUTAGE_COLOUR),
    ];
    // Each entry starts after the previous label (about 7 px a character at 12 px).
    let mut x = LEFT;
    for (label, colour) in legend {
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"10\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"20\" font-size=\"12\">{label}</text>",
            x + 16.0
        );
        x += 16.0 + 7.0 * label.len() as f64 + 18.0;
    }
    // Y grid and tick labels.
    for t in 0..=ticks {
        let v = step * t;
        let ty = y(v);
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT:.1}\" y1=\"{ty:.1}\" x2=\"{:.1}\" y2=\"{ty:.1}\" stroke=\"{}\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{v}</text>",
            width - RIGHT,
            if t == 0 { "#59636e" } else { "#eaeef2" },
            LEFT - 6.0,
            ty + 4.0
        );
    }
    // Axis titles.
    let _ = writeln!(
        s,
        "<text x=\"14\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1})\">issues</text>",
        TOP + PLOT_H / 2.0,
        TOP + PLOT_H / 2.0
    );
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">week ending</text>",
        LEFT + (width - LEFT - RIGHT) / 2.0,
        height - 8.0
    );
    // Bars.
    for (i, h) in history.iter().enumerate() {
        let gx = LEFT + i as f64 * GROUP + 9.0;
        let _ = writeln!(s, "<g>");
        let _ = writeln!(
            s,
            "<title>{}: {} closed, {} unscheduled, {}</title>",
            esc(&h.title),
            h.closed_issues,
            h.unscheduled,
            plural(h.outages as usize, "outage", "outages")
        );
        for (j, (v, colour)) in [
            (h.closed_issues, CLOSED_COLOUR),
            (h.unscheduled, UNSCHEDULED_COLOUR),
            (h.outages, OUTAGE_COLOUR),
        ]
        .into_iter()
        .enumerate()
        {
            let x = gx + j as f64 * BAR;
            let top = y(v);
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
                BAR - 2.0,
                TOP + PLOT_H - top
            );
            if v > 0 {
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{v}</text>",
                    x + (BAR - 2.0) / 2.0,
                    top - 3.0
                );
            }
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            gx + 1.5 * BAR - 1.0,
            TOP + PLOT_H + 16.0,
            h.end_date.format("%b %-d")
        );
        let _ = writeln!(s, "</g>");
    }
    s.push_str("</svg>\n");
    s
}

fn write_history(o: &mut String, history: Option<&[HistoryWeek]>) -> std::fmt::Result {
    writeln!(o, "<section id=\"history\">")?;
    writeln!(o, "<h2>Recent weeks</h2>")?;
    let Some(history) = history else {
        writeln!(
            o,
            "<p class=\"muted\">Left out: the closed weeks could not be read.</p>"
        )?;
        return writeln!(o, "</section>");
    };
    if history.is_empty() {
        writeln!(o, "<p class=\"muted\">No closed weeks to show.</p>")?;
    } else {
        o.push_str(&history_chart(history));
        // The numbers behind the chart, for screen readers and copying.
        writeln!(o, "<table>")?;
        writeln!(
            o,
            "<tr><th>week</th><th class=\"num\">closed</th><th class=\"num\">unscheduled</th><th class=\"num\">outages</th></tr>"
        )?;
        for h in history {
            writeln!(
                o,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&h.title),
                h.closed_issues,
                h.unscheduled,
                h.outages
            )?;
        }
        writeln!(o, "</table>")?;
    }
    writeln!(o, "</section>")
}

fn write_carried_weeks(o: &mut String, carried: &[CarriedIssue]) -> std::fmt::Result {
    if carried.is_empty() {
        return Ok(());
    }
    let mut rows: Vec<&CarriedIssue> = carried.iter().collect();
    rows.sort_by(|a, b| {
        b.weeks_carried
            .cmp(&a.weeks_carried)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    let chronic = rows.iter().filter(|c| c.weeks_carried >= CHRONIC_WEEKS).count();
    writeln!(o, "<section id=\"carried\">")?;
    writeln!(o, "<h2>Carried over this week ({})</h2>", rows.len())?;
    if chronic > 0 {
        writeln!(
            o,
            "<p>{} carried {CHRONIC_WEEKS} weeks or more: worth a look at planning.</p>",
            plural(chronic, "issue has been", "issues have been")
        )?;
    }
    writeln!(o, "<table>")?;
    writeln!(
        o,
        "<tr><th>issue</th><th>title</th><th class=\"num\">weeks carried</th><th></th></tr>"
    )?;
    for c in rows {
        let is_chronic = c.weeks_carried >= CHRONIC_WEEKS;
        let class = if is_chronic { " class=\"chronic\"" } else { "" };
        let tag = if is_chronic {
            " <span class=\"tag\">chronic</span>"
        } else {
            ""
        };
        let bar = c.weeks_carried.min(20) * 12;
        writeln!(
            o,
            "<tr{class}><td>{}</td><td>{}{tag}</td><td class=\"num\">{}</td><td><span class=\"bar\" style=\"width: {bar}px\"></span></td></tr>",
            link(&c.reference, Some(&c.web_url)),
            esc(&c.title),
            c.weeks_carried
        )?;
    }
    writeln!(o, "</table>")?;
    writeln!(o, "</section>")
}

fn subject_link(f: &Finding) -> String {
    let href = match &f.subject {
        Subject::Issue(i) => Some(i.web_url.as_str()),
        Subject::Milestone { web_url, .. } => web_url.as_deref(),
        Subject::Label { .. } => None,
    };
    link(&f.subject.display_name(), href)
}

fn write_audit(o: &mut String, r: &Report) -> std::fmt::Result {
    let a = &r.audit;
    writeln!(o, "<section id=\"audit\">")?;
    match a.status {
        AuditStatus::Skipped => {
            writeln!(o, "<h2>Audit: skipped</h2>")?;
            return writeln!(o, "</section>");
        }
        AuditStatus::Failed => writeln!(o, "<h2>Audit: failed</h2>")?,
        AuditStatus::Done => writeln!(
            o,
            "<h2>Audit: {} in {} checked</h2>",
            if a.findings.is_empty() {
                "no findings".to_string()
            } else {
                plural(a.findings.len(), "finding", "findings")
            },
            plural(a.issues_checked, "issue", "issues")
        )?,
    }
    if !a.findings.is_empty() {
        let (fixed, planned, failed, person) = fix_counts(r);
        writeln!(
            o,
            "<p>✅ fixed: {fixed} · 📝 planned: {planned} · ❌ fix failed: {failed} · 👤 needs a person: {person}</p>"
        )?;
    }
    for state in &a.rules {
        let rule = state.rule;
        if let Some(why) = &state.off_because {
            writeln!(o, "<h3><code>{}</code>: off ({})</h3>", rule.as_str(), esc(why))?;
            continue;
        }
        let fs = findings_of(r, rule);
        if fs.is_empty() {
            writeln!(o, "<h3><code>{}</code>: {}</h3>", rule.as_str(), no_findings(r))?;
            continue;
        }
        writeln!(o, "<h3><code>{}</code> ({})</h3>", rule.as_str(), fs.len())?;
        writeln!(o, "<p class=\"muted\">{}.</p>", esc(rule_summary(rule)))?;
        writeln!(o, "<table>")?;
        writeln!(o, "<tr><th>about</th><th>what is wrong</th><th>fix</th></tr>")?;
        for f in fs {
            let (icon, word) = fix_label(f.fix_status);
            let fix = match &f.fix {
                Some(step) => format!("{icon} {word}: {}", esc(&step.describe())),
                None => format!("{icon} {word}"),
            };
            writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{fix}</td></tr>",
                subject_link(f),
                esc(&f.message)
            )?;
        }
        writeln!(o, "</table>")?;
    }
    writeln!(o, "</section>")
}

fn write_errors(o: &mut String, r: &Report) -> std::fmt::Result {
    if r.errors.is_empty() {
        return Ok(());
    }
    writeln!(o, "<section id=\"errors\">")?;
    writeln!(o, "<h2>Errors ({})</h2>", r.errors.len())?;
    writeln!(o, "<ul class=\"errors\">")?;
    for e in r.errors.iter().take(SHOWN_ERRORS) {
        writeln!(
            o,
            "<li><code>{}</code> {}: {}</li>",
            esc(&e.step),
            esc(&e.target),
            esc(&e.message)
        )?;
    }
    if r.errors.len() > SHOWN_ERRORS {
        writeln!(
            o,
            "<li>and {} more (all of them are in report.json)</li>",
            r.errors.len() - SHOWN_ERRORS
        )?;
    }
    writeln!(o, "</ul>")?;
    writeln!(o, "</section>")
}

fn write_footer(o: &mut String, r: &Report) -> std::fmt::Result {
    writeln!(o, "<footer>")?;
    let total: u64 = r.requests.values().fold(0u64, |a, b| a.saturating_add(*b));
    if total == 0 {
        writeln!(o, "<p>API requests: none.</p>")?;
    } else {
        let by: Vec<String> = r
            .requests
            .iter()
            .map(|(m, n)| format!("{} {n}", esc(m)))
            .collect();
        writeln!(o, "<p>API requests: {total} ({})</p>", by.join(", "))?;
    }
    let links: Vec<String> = [
        ("pipeline", &r.links.pipeline_url),
        ("job", &r.links.job_url),
        ("project", &r.links.project_url),
    ]
    .iter()
    .filter_map(|(name, u)| u.as_deref().map(|u| link(name, Some(u))))
    .collect();
    if !links.is_empty() {
        writeln!(o, "<p>Links: {}</p>", links.join(" · "))?;
    }
    writeln!(
        o,
        "<p>Written by {} {}.</p>",
        esc(r.tool.name),
        esc(r.tool.version)
    )?;
    writeln!(o, "</footer>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_steps_are_nice() {
        let cases = [
            (0, 1),
            (1, 1),
            (5, 1),
            (6, 2),
            (10, 2),
            (11, 5),
            (25, 5),
            (26, 10),
            (99, 20),
            (1000, 200),
        ];
        for (max, want) in cases {
            assert_eq!(tick_step(max), want, "max {max}");
        }
    }

    #[test]
    fn links_only_to_web_urls() {
        assert_eq!(
            link("x", Some("https://g/a?b=1&c=2")),
            "<a href=\"https://g/a?b=1&amp;c=2\">x</a>"
        );
        assert_eq!(link("x<y", Some("javascript:alert(1)")), "x&lt;y");
        assert_eq!(link("x", None), "x");
    }
}
