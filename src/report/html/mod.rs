//! The `report.html` renderer: one self-contained page with what `report.md`
//! says, in the same order (`view`): a banner for a dry run, a failed or a
//! stopped run; errors; what needs a person, hand-offs on top; what was fixed;
//! the rotation in short with the carried-over issues listed once (how long each
//! has been carried, chronic ones marked); a chart of the recent closed weeks;
//! what was published; the rules. Tables longer than `view::COLLAPSE_ROWS` rows
//! are collapsed.
//!
//! Readable on a phone (390 px, no sideways scrolling: long words wrap, dates do
//! not break at their hyphens, the chart is drawn at phone width) and in dark
//! mode (`prefers-color-scheme`); the chart's colours have at least 3:1 contrast
//! against the page in both themes and its bars are told apart by pattern too.
//!
//! Must not load anything: no external scripts, fonts, stylesheets or images
//! (artifact pages are viewed offline and under strict CSP); the only `url(`
//! is a pattern inside the page (`url(#…)`). Well-formed, XHTML-compatible
//! markup, every text escaped, links only to http(s) URLs, so tests can parse it
//! as XML. A confidential issue's title is never written unless
//! `report.confidential_titles`. Pure: no I/O, no clock.

use super::escape::{html_link, safe_href, xml};
use super::view::{self, COLLAPSE_ROWS};
use super::wording::{fix_label, headline, next_step, outcome_label, plural, rule_summary, scope_name};
use super::{Report, SHOWN_ERRORS};
use crate::apply::Outcome;
use crate::audit::{AuditStatus, Finding, FixStatus, Subject};
use crate::observe::HistoryWeek;
use std::fmt::Write as _;

mod chart;
mod rotation;
pub(crate) use chart::history_chart;
use rotation::write_rotation;

/// Weeks carried from which an issue counts as chronic on the page.
pub(crate) const CHRONIC_WEEKS: u32 = 3;

/// The chart's colours, light and dark: each at least 3:1 against its page
/// background (WCAG 1.4.11 for graphics), tested below.
pub(crate) const CHART_COLOURS: [(&str, &str, &str); 3] = [
    // (series, light, dark)
    ("closed", "#0969da", "#58a6ff"),
    ("unscheduled", "#bc4c00", "#f0883e"),
    ("outages", "#cf222e", "#ff7b72"),
];

/// The page's style (light and dark), kept in its own file to be read as CSS.
const STYLE: &str = include_str!("style.css");

fn esc(s: &str) -> String {
    nw(&xml(s, false))
}

/// Escaped text with each date (`2026-12-01`) kept on one line: a phone must
/// not break a date at its hyphens.
fn nw(escaped: &str) -> String {
    let b = escaped.as_bytes();
    let is_date = |i: usize| {
        b.len() >= i + 10
            && b[i..i + 4].iter().all(u8::is_ascii_digit)
            && b[i + 4] == b'-'
            && b[i + 5..i + 7].iter().all(u8::is_ascii_digit)
            && b[i + 7] == b'-'
            && b[i + 8..i + 10].iter().all(u8::is_ascii_digit)
    };
    let mut out = String::with_capacity(escaped.len());
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if is_date(i) && (i == 0 || !b[i - 1].is_ascii_digit()) {
            out.push_str(&escaped[last..i]);
            out.push_str("<span class=\"nw\">");
            out.push_str(&escaped[i..i + 10]);
            out.push_str("</span>");
            i += 10;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&escaped[last..]);
    out
}

/// An issue reference linked to the issue, kept on one line (`#1234` must not
/// wrap on a phone).
fn issue_link(reference: &str, href: &str) -> String {
    if safe_href(href) {
        format!(
            "<a class=\"ref\" href=\"{}\">{}</a>",
            xml(href, true),
            xml(reference, false)
        )
    } else {
        xml(reference, false)
    }
}

/// A link with `text` (escaped, dates kept whole), or the text alone when the
/// URL is not a web URL.
fn link(text: &str, href: Option<&str>) -> String {
    match href.filter(|h| safe_href(h)) {
        Some(h) => format!("<a href=\"{}\">{}</a>", xml(h, true), esc(text)),
        None => esc(text),
    }
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
    writeln!(o, "<meta name=\"color-scheme\" content=\"light dark\"/>")?;
    writeln!(o, "<title>WoW report: {}</title>", xml(&head, false))?;
    writeln!(o, "<style>\n{STYLE}</style>")?;
    writeln!(o, "</head>")?;
    writeln!(o, "<body>")?;
    writeln!(o, "<header>")?;
    writeln!(o, "<h1>WoW report</h1>")?;
    writeln!(o, "<p class=\"headline\">{}</p>", esc(&head))?;
    write_banner(o, r)?;
    let mut facts = vec![format!(
        "Week <strong class=\"nw\">{}</strong> – <strong class=\"nw\">{}</strong>",
        r.week.start, r.week.end
    )];
    if let Some(scope) = scope_name(r) {
        facts.push(link(&scope, r.links.project_url.as_deref()));
    }
    facts.push(format!("<code>wowctl {}</code>", xml(&r.command, false)));
    facts.push(format!(
        "<span class=\"nw\">{}</span>",
        r.now.format("%Y-%m-%d %H:%M UTC")
    ));
    facts.push(esc(&view::ending(r)));
    writeln!(o, "<p class=\"meta\">{}</p>", facts.join(" · "))?;
    for w in &r.warnings {
        writeln!(o, "<p class=\"warn\">⚠ {}</p>", esc(w))?;
    }
    writeln!(o, "</header>")?;

    write_errors(o, r)?;
    write_needs_a_person(o, r)?;
    write_fixed(o, r)?;
    write_rotation(o, r)?;
    write_history(o, r.history.as_deref())?;
    write_publish(o, r)?;
    write_audit(o, r)?;
    write_footer(o, r)?;
    writeln!(o, "</body>")?;
    writeln!(o, "</html>")
}

fn write_banner(o: &mut String, r: &Report) -> std::fmt::Result {
    let next = next_step(r)
        .map(|n| format!(" Next: {}", esc(n)))
        .unwrap_or_default();
    if let Some(signal) = &r.stopped_by {
        writeln!(
            o,
            "<p class=\"banner failed\" role=\"alert\"><strong>STOPPED</strong> by {} (the job was cancelled or timed out): below is what was done before it stopped.{next}</p>",
            esc(signal)
        )?;
    } else if r.exit_code == 1 || !r.errors.is_empty() {
        writeln!(
            o,
            "<p class=\"banner failed\" role=\"alert\"><strong>FAILED</strong>: this run did not finish its work: {}.{next}</p>",
            plural(r.errors.len(), "error", "errors")
        )?;
    }
    if r.dry_run {
        writeln!(
            o,
            "<p class=\"banner\"><strong>DRY RUN</strong>: nothing was changed in GitLab. Steps and fixes marked 📝 are what a real run would do.</p>"
        )?;
    }
    Ok(())
}

/// Opens a `<details>` around a table of `rows` rows when it has more than
/// `COLLAPSE_ROWS`; `close_collapsed` closes it.
fn open_collapsed(o: &mut String, rows: usize, summary: &str) -> std::fmt::Result {
    if rows > COLLAPSE_ROWS {
        writeln!(o, "<details>")?;
        writeln!(o, "<summary>{summary}</summary>")?;
    }
    Ok(())
}

fn close_collapsed(o: &mut String, rows: usize) -> std::fmt::Result {
    if rows > COLLAPSE_ROWS {
        writeln!(o, "</details>")?;
    }
    Ok(())
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
            "<li>❌ <code>{}</code> {}: {}</li>",
            xml(&e.step, false),
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
    if let Some(next) = next_step(r) {
        writeln!(o, "<p><strong>Next:</strong> {}</p>", esc(next))?;
    }
    writeln!(o, "</section>")
}

/// What a finding is about: the reference linked, then the title (or that it
/// is confidential).
fn subject(r: &Report, s: &Subject) -> String {
    match s {
        Subject::Issue(i) => {
            let title = match view::issue_title(r, i) {
                Some(t) => esc(t),
                None => format!("<span class=\"muted\">{}</span>", view::WITHHELD),
            };
            format!("{} {title}", issue_link(&i.reference, &i.web_url))
        }
        Subject::Milestone { title, web_url, .. } => {
            format!("milestone {}", link(title, web_url.as_deref()))
        }
        Subject::Label { name } => format!("label ~&quot;{}&quot;", esc(name)),
    }
}

fn write_needs_a_person(o: &mut String, r: &Report) -> std::fmt::Result {
    let groups = view::needing_a_person(r);
    let total: usize = groups.iter().map(|(_, fs)| fs.len()).sum();
    match r.audit.status {
        AuditStatus::Skipped => return Ok(()),
        AuditStatus::Done if total == 0 => {
            writeln!(o, "<section id=\"needs-a-person\">")?;
            writeln!(o, "<h2>Needs a person: nothing</h2>")?;
            writeln!(
                o,
                "<p>The audit found nothing a person must do{}.</p>",
                match (r.audit.findings.is_empty(), r.dry_run) {
                    (true, _) => "",
                    (false, false) => " (its findings were fixed)",
                    (false, true) => " (a fix is planned for each of its findings)",
                }
            )?;
            return writeln!(o, "</section>");
        }
        AuditStatus::Done => {
            writeln!(o, "<section id=\"needs-a-person\">")?;
            writeln!(o, "<h2>Needs a person ({total})</h2>")?;
        }
        AuditStatus::Failed => {
            writeln!(o, "<section id=\"needs-a-person\">")?;
            writeln!(
                o,
                "<h2>Needs a person ({total} found before the audit stopped)</h2>"
            )?;
        }
    }
    for (rule, fs) in groups {
        writeln!(o, "<h3>{} ({})</h3>", esc(rule_summary(rule)), fs.len())?;
        open_collapsed(o, fs.len(), &plural(fs.len(), "finding", "findings"))?;
        writeln!(o, "<table>")?;
        writeln!(o, "<tr><th>about</th><th>what is wrong</th></tr>")?;
        for f in &fs {
            writeln!(
                o,
                "<tr><td>{}</td><td>{}{}</td></tr>",
                subject(r, &f.subject),
                esc(&f.message),
                fix_note(f)
            )?;
        }
        writeln!(o, "</table>")?;
        close_collapsed(o, fs.len())?;
    }
    writeln!(o, "</section>")
}

/// For a finding a person must act on although a fix exists: why it was not applied.
fn fix_note(f: &Finding) -> String {
    match (&f.fix, f.fix_status) {
        (Some(step), FixStatus::Failed | FixStatus::Disabled) => {
            let (icon, word) = fix_label(f.fix_status);
            format!(
                "<br/><span class=\"muted\">{icon} {word}: {}</span>",
                esc(&step.describe())
            )
        }
        _ => String::new(),
    }
}

fn write_fixed(o: &mut String, r: &Report) -> std::fmt::Result {
    let fixed = view::fixed(r);
    if fixed.is_empty() {
        return Ok(());
    }
    let heading = if r.dry_run {
        "Fixes planned (dry run)"
    } else {
        "Fixed"
    };
    writeln!(o, "<section id=\"fixed\">")?;
    writeln!(o, "<h2>{heading} ({})</h2>", fixed.len())?;
    open_collapsed(o, fixed.len(), &plural(fixed.len(), "fix", "fixes"))?;
    writeln!(o, "<table>")?;
    for f in &fixed {
        let (icon, _) = fix_label(f.fix_status);
        let fix = f.fix.as_ref().map(|s| esc(&s.describe())).unwrap_or_default();
        writeln!(
            o,
            "<tr><td class=\"icon\">{icon}</td><td>{}</td><td>{fix}</td></tr>",
            subject(r, &f.subject)
        )?;
    }
    writeln!(o, "</table>")?;
    close_collapsed(o, fixed.len())?;
    writeln!(o, "</section>")
}

fn write_history(o: &mut String, history: Option<&[HistoryWeek]>) -> std::fmt::Result {
    writeln!(o, "<section id=\"history\">")?;
    writeln!(o, "<h2>Recent weeks</h2>")?;
    let Some(history) = history else {
        writeln!(
            o,
            "<p class=\"muted\">Not shown: the closed weeks were not read.</p>"
        )?;
        return writeln!(o, "</section>");
    };
    if history.is_empty() {
        writeln!(o, "<p class=\"muted\">No closed weeks to show.</p>")?;
        return writeln!(o, "</section>");
    }
    match history_chart(history) {
        Some(chart) => o.push_str(&chart),
        None => writeln!(o, "<p class=\"muted\">No issue was closed in these weeks.</p>")?,
    }
    // The numbers behind the chart, for screen readers and copying.
    writeln!(o, "<details>")?;
    writeln!(o, "<summary>The numbers</summary>")?;
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
    writeln!(o, "</details>")?;
    writeln!(o, "</section>")
}

/// What the run wrote into GitLab itself (`report.publish`), planned in a dry run.
fn write_publish(o: &mut String, r: &Report) -> std::fmt::Result {
    if r.publish.is_empty() {
        return Ok(());
    }
    writeln!(o, "<section id=\"publish\">")?;
    writeln!(o, "<h2>Published in GitLab</h2>")?;
    open_collapsed(o, r.publish.len(), &plural(r.publish.len(), "write", "writes"))?;
    writeln!(o, "<table>")?;
    writeln!(o, "<tr><th></th><th>what</th><th>outcome</th></tr>")?;
    for a in &r.publish {
        let (icon, word) = outcome_label(a.outcome);
        let class = if a.outcome == Outcome::Failed {
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
            "<tr{class}><td class=\"icon\">{icon}</td><td>{}</td><td>{outcome}</td></tr>",
            esc(&a.description)
        )?;
    }
    writeln!(o, "</table>")?;
    close_collapsed(o, r.publish.len())?;
    writeln!(o, "</section>")
}

fn write_audit(o: &mut String, r: &Report) -> std::fmt::Result {
    let a = &r.audit;
    writeln!(o, "<section id=\"audit\">")?;
    match a.status {
        AuditStatus::Skipped => {
            writeln!(o, "<h2>Audit: skipped</h2>")?;
            if let Some(why) = &a.reason {
                writeln!(o, "<p>Skipped: {}.</p>", esc(why))?;
            }
            return writeln!(o, "</section>");
        }
        AuditStatus::Failed => {
            writeln!(o, "<h2>Audit: failed</h2>")?;
            if let Some(why) = &a.reason {
                writeln!(
                    o,
                    "<p>The audit stopped: {}. What it found before that is above.</p>",
                    esc(why)
                )?;
            }
        }
        AuditStatus::Done => writeln!(
            o,
            "<h2>Audit: {} checked</h2>",
            plural(a.issues_checked, "issue", "issues")
        )?,
    }
    writeln!(o, "<table>")?;
    writeln!(o, "<tr><th>rule</th><th>result</th></tr>")?;
    for state in &a.rules {
        writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            state.rule.as_str(),
            esc(&super::markdown::rule_result(r, state))
        )?;
    }
    writeln!(o, "</table>")?;
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
            .map(|(m, n)| format!("{} {n}", xml(m, false)))
            .collect();
        writeln!(o, "<p>API requests: {total} ({})</p>", by.join(", "))?;
    }
    let links: Vec<String> = [
        ("pipeline", &r.links.pipeline_url),
        ("job", &r.links.job_url),
        ("project", &r.links.project_url),
    ]
    .iter()
    .filter_map(|(name, u)| u.as_deref().map(|u| html_link(name, Some(u))))
    .collect();
    if !links.is_empty() {
        writeln!(o, "<p>Links: {}</p>", links.join(" · "))?;
    }
    writeln!(
        o,
        "<p>Written by {} {}.</p>",
        xml(r.tool.name, false),
        xml(r.tool.version, false)
    )?;
    writeln!(o, "</footer>")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page backgrounds the chart is drawn on, light and dark.
    const BACKGROUNDS: (&str, &str) = ("#ffffff", "#0d1117");

    /// WCAG's contrast ratio of two `#rrggbb` colours.
    fn contrast(a: &str, b: &str) -> f64 {
        let luminance = |hex: &str| {
            let c = |i: usize| {
                let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
        };
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn chart_colours_stand_out_in_both_themes() {
        for (series, light, dark) in CHART_COLOURS {
            let l = contrast(light, BACKGROUNDS.0);
            let d = contrast(dark, BACKGROUNDS.1);
            assert!(l >= 3.0, "{series} on light: {l:.2}");
            assert!(d >= 3.0, "{series} on dark: {d:.2}");
            // The page's style uses the same colours.
            assert!(STYLE.contains(&format!("--{series}: {light};")), "{series} light");
            assert!(STYLE.contains(&format!("--{series}: {dark};")), "{series} dark");
        }
        assert!(STYLE.contains(&format!("--bg: {};", BACKGROUNDS.0)));
        assert!(STYLE.contains(&format!("--bg: {};", BACKGROUNDS.1)));
    }

    #[test]
    fn dates_do_not_break() {
        let cases = [
            (
                "week ending 2026-12-01.",
                "week ending <span class=\"nw\">2026-12-01</span>.",
            ),
            (
                "2026-11-25 – 2026-12-01",
                "<span class=\"nw\">2026-11-25</span> – <span class=\"nw\">2026-12-01</span>",
            ),
            ("id 12026-12-01x", "id 12026-12-01x"),
            ("no date 2026-1-01", "no date 2026-1-01"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(nw(input), want, "{input}");
        }
    }

    #[test]
    fn an_all_zero_history_draws_no_chart() {
        let week = |v: u32| HistoryWeek {
            title: "WoW ending 2026-12-01".into(),
            end_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
            closed_issues: v,
            unscheduled: 0,
            outages: 0,
        };
        assert_eq!(history_chart(&[week(0)]), None);
        let chart = history_chart(&[week(0), week(3)]).unwrap_or_default();
        // One bar (the 3), three legend swatches, the hatch pattern's stripe.
        assert_eq!(chart.matches("<rect").count(), 1 + 3 + 1, "{chart}");
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
