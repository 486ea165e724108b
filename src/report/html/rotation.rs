//! The HTML page's rotation: before → after, the steps (the carry-over as one),
//! and the issues carried over with how long each has been carried. Pure.

use super::super::escape::{safe_href, xml};
use super::super::view::{self, StepRow};
use super::super::wording::{outcome_label, plural, status_word};
use super::super::Report;
use super::{close_collapsed, esc, link, open_collapsed, CHRONIC_WEEKS};
use crate::apply::Outcome;
use crate::rotation::{MilestoneInfo, RotationStatus};
use std::fmt::Write as _;

fn milestone(m: &MilestoneInfo) -> String {
    let mut s = link(&m.title, m.web_url.as_deref());
    match (m.start_date, m.due_date) {
        (Some(a), Some(b)) => s.push_str(&format!(
            " <span class=\"muted\">(<span class=\"nw\">{a}</span> – <span class=\"nw\">{b}</span>)</span>"
        )),
        (None, Some(b)) => s.push_str(&format!(
            " <span class=\"muted\">(due <span class=\"nw\">{b}</span>)</span>"
        )),
        (Some(a), None) => s.push_str(&format!(
            " <span class=\"muted\">(from <span class=\"nw\">{a}</span>)</span>"
        )),
        (None, None) => {}
    }
    if let Some(state) = m.state.as_deref().filter(|s| *s != "active") {
        s.push_str(&format!(" <span class=\"muted\">{}</span>", esc(state)));
    }
    match (m.planned, m.id) {
        (true, None) => s.push_str(" <span class=\"muted\">to be created</span>"),
        (true, Some(_)) => s.push_str(" <span class=\"muted\">planned</span>"),
        _ => {}
    }
    s
}

pub(super) fn write_rotation(o: &mut String, r: &Report) -> std::fmt::Result {
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
    let before = match &rot.before {
        None => "GitLab could not be read, so nothing is known of the milestones".to_string(),
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
    writeln!(o, "<table>")?;
    writeln!(o, "<tr><th>before</th><th>after</th></tr>")?;
    writeln!(o, "<tr><td>{before}</td><td>{}</td></tr>", after.join("<br/>"))?;
    writeln!(o, "</table>")?;

    let rows = view::step_rows(&rot.actions);
    if !rows.is_empty() {
        writeln!(o, "<table>")?;
        writeln!(o, "<tr><th></th><th>step</th><th>outcome</th></tr>")?;
        for row in &rows {
            let (outcome, description, words, error) = match row {
                StepRow::Step(a) => (
                    a.outcome,
                    esc(&a.description),
                    outcome_label(a.outcome).1.to_string(),
                    a.error.as_deref().map(esc),
                ),
                StepRow::Moves(m) => (
                    m.outcome(),
                    m.describe(|t| esc(&format!("\"{t}\""))),
                    m.outcome_words(),
                    (m.count(Outcome::Failed) > 0)
                        .then(|| "each failed move is listed under Errors".to_string()),
                ),
            };
            let (icon, _) = outcome_label(outcome);
            let class = if outcome == Outcome::Failed {
                " class=\"failed\""
            } else {
                ""
            };
            // A short outcome stays on one line; a long one may wrap on a phone.
            let words = if words.len() <= 16 {
                format!("<span class=\"word\">{words}</span>")
            } else {
                words
            };
            let words = match error {
                Some(e) => format!("{words}: {e}"),
                None => words,
            };
            writeln!(
                o,
                "<tr{class}><td class=\"icon\">{icon}</td><td>{description}</td><td>{words}</td></tr>"
            )?;
        }
        writeln!(o, "</table>")?;
    }
    write_carried(o, r)?;
    writeln!(o, "</section>")
}

/// The carried-over issues, each once: with titles and weeks carried when they
/// were read (the longest carried first, then numerically), else their references.
fn write_carried(o: &mut String, r: &Report) -> std::fmt::Result {
    let verb = if r.dry_run {
        "To carry over"
    } else {
        "Carried over"
    };
    let rows = view::carried_rows(r);
    if rows.is_empty() {
        let refs = view::carried_references(r);
        if !refs.is_empty() {
            writeln!(o, "<h3>{verb} ({})</h3>", refs.len())?;
            let list: Vec<String> = refs.iter().map(|k| esc(k)).collect();
            writeln!(o, "<p>{}</p>", list.join(", "))?;
        }
        return Ok(());
    }
    writeln!(o, "<h3>{verb} ({})</h3>", rows.len())?;
    let chronic = rows.iter().filter(|c| c.weeks_carried >= CHRONIC_WEEKS).count();
    if chronic > 0 {
        writeln!(
            o,
            "<p>{} carried {CHRONIC_WEEKS} weeks or more: worth a look at planning.</p>",
            plural(chronic, "issue has been", "issues have been")
        )?;
    }
    open_collapsed(o, rows.len(), &plural(rows.len(), "issue", "issues"))?;
    // Classes on the table, not on each of what can be 2,000 rows.
    writeln!(o, "<table class=\"carried\">")?;
    writeln!(
        o,
        "<tr><th>issue</th><th>title</th><th class=\"num\">weeks</th></tr>"
    )?;
    for c in rows {
        let is_chronic = c.weeks_carried >= CHRONIC_WEEKS;
        let class = if is_chronic { " class=\"chronic\"" } else { "" };
        let tag = if is_chronic {
            " <span class=\"tag\">chronic</span>"
        } else {
            ""
        };
        let title = match view::carried_title(r, c) {
            Some(t) => esc(t),
            None => format!("<span class=\"muted\">{}</span>", view::WITHHELD),
        };
        let link = match safe_href(&c.web_url) {
            true => format!(
                "<a href=\"{}\">{}</a>",
                xml(&c.web_url, true),
                xml(&c.reference, false)
            ),
            false => xml(&c.reference, false),
        };
        writeln!(
            o,
            "<tr{class}><td>{link}</td><td>{title}{tag}</td><td>{}</td></tr>",
            c.weeks_carried
        )?;
    }
    writeln!(o, "</table>")?;
    close_collapsed(o, r.carried_weeks.len())
}
