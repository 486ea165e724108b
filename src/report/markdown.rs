//! The `report.md` renderer: the report for a person on the job's artifact page.
//! It says first what happened (headline, dry-run banner), then the rotation
//! before → after with each step's outcome, the findings grouped by rule with
//! what was fixed, planned, or needs a person, the errors, and the links.
//!
//! Pure: no I/O, no clock. Every text that comes from GitLab (titles, messages,
//! label names) goes through `escape::markdown`, so a `|` in a title cannot break
//! a table. The words shared with the other formats live in `wording`.

use super::escape::{markdown as escape, markdown_url as url};
use super::wording::{
    findings_of, fix_counts, fix_label, headline, next_step, no_findings, outcome_label, plural,
    rule_summary, status_word,
};
use super::{Report, SHOWN_ERRORS};
use crate::apply::ActionRecord;
use crate::audit::{AuditStatus, Finding};
use crate::rotation::{MilestoneInfo, RotationStatus};
use std::fmt::Write as _;

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = write_report(&mut out, report);
    out
}

fn link(text: &str, href: Option<&str>) -> String {
    match href {
        Some(h) if !h.is_empty() => format!("[{}]({})", escape(text), url(h)),
        _ => escape(text),
    }
}

fn dates(m: &MilestoneInfo) -> String {
    match (m.start_date, m.due_date) {
        (Some(s), Some(d)) => format!(" ({s} – {d})"),
        (None, Some(d)) => format!(" (due {d})"),
        (Some(s), None) => format!(" (from {s})"),
        (None, None) => String::new(),
    }
}

fn milestone(m: &MilestoneInfo) -> String {
    let state = match m.state.as_deref() {
        Some(s) if s != "active" => format!(", {}", escape(s)),
        _ => String::new(),
    };
    let new = match (m.planned, m.id) {
        (true, None) => ", to be created",
        (true, Some(_)) => ", planned",
        _ => "",
    };
    format!("{}{}{state}{new}", link(&m.title, m.web_url.as_deref()), dates(m))
}

fn write_report(o: &mut String, r: &Report) -> std::fmt::Result {
    writeln!(o, "# WoW report: {}", escape(&headline(r)))?;
    writeln!(o)?;
    if r.dry_run {
        writeln!(
            o,
            "> **DRY RUN**: nothing was changed in GitLab. Steps and fixes marked 📝 are what a real run would do."
        )?;
        writeln!(o)?;
    }
    let mut facts = vec![
        format!("Week **{}** – **{}**", r.week.start, r.week.end),
        format!("`wowctl {}`", escape(&r.command).replace('`', "")),
    ];
    if let Some(scope) = &r.scope {
        facts.push(escape(scope));
    }
    facts.push(r.now.format("%Y-%m-%d %H:%M UTC").to_string());
    facts.push(format!("exit status {}", r.exit_code));
    writeln!(o, "{}", facts.join(" · "))?;
    writeln!(o)?;

    write_rotation(o, r)?;
    write_audit(o, r)?;
    write_errors(o, r)?;
    write_footer(o, r)
}

fn write_rotation(o: &mut String, r: &Report) -> std::fmt::Result {
    let rot = &r.rotation;
    writeln!(o, "## Rotation: {}", status_word(rot.status))?;
    writeln!(o)?;
    if rot.status == RotationStatus::Skipped {
        let why = rot.reason.as_deref().unwrap_or("this command does not rotate");
        writeln!(o, "Skipped: {}.", escape(why))?;
        writeln!(o)?;
        return Ok(());
    }
    if rot.weeks_missed > 0 {
        writeln!(
            o,
            "⚠ WoW had stayed open {} past its week: rotated once, named for the most recent week.",
            plural(rot.weeks_missed as usize, "week", "weeks")
        )?;
        writeln!(o)?;
    }
    match &rot.before {
        None => writeln!(
            o,
            "**Before:** GitLab could not be read, so nothing is known of the milestones."
        )?,
        Some(before) if before.is_empty() => writeln!(o, "**Before:** no WoW milestones existed.")?,
        Some(before) => {
            let list: Vec<String> = before.iter().map(milestone).collect();
            writeln!(o, "**Before:** {}", list.join(", "))?;
        }
    }
    writeln!(o)?;
    writeln!(o, "**After:**")?;
    writeln!(o)?;
    let after = [
        ("closed", &rot.closed_milestone),
        ("current", &rot.current_milestone),
        ("next", &rot.next_milestone),
    ];
    let missing = if rot.status == RotationStatus::Failed {
        "not done"
    } else {
        "none"
    };
    for (role, m) in after {
        match m {
            Some(m) => writeln!(o, "- {role}: {}", milestone(m))?,
            None => writeln!(o, "- {role}: {missing}")?,
        }
    }
    writeln!(o)?;

    if !rot.actions.is_empty() {
        writeln!(o, "### Steps")?;
        writeln!(o)?;
        writeln!(o, "| | step | outcome |")?;
        writeln!(o, "|---|---|---|")?;
        for a in &rot.actions {
            writeln!(o, "{}", action_row(a))?;
        }
        writeln!(o)?;
    }

    if !rot.carried_over.is_empty() {
        let verb = if r.dry_run {
            "To carry over"
        } else {
            "Carried over"
        };
        writeln!(o, "### {verb} ({})", rot.carried_over.len())?;
        writeln!(o)?;
        let keys: Vec<String> = rot
            .carried_over
            .iter()
            .map(|k| match k {
                super::IssueKey::Iid(i) => format!("#{i}"),
                super::IssueKey::Reference(s) => escape(s),
            })
            .collect();
        writeln!(o, "{}", keys.join(", "))?;
        writeln!(o)?;
    }
    Ok(())
}

fn action_row(a: &ActionRecord) -> String {
    let (icon, word) = outcome_label(a.outcome);
    let outcome = match &a.error {
        Some(e) => format!("{word}: {}", escape(e)),
        None => word.to_string(),
    };
    format!("| {icon} | {} | {outcome} |", escape(&a.description))
}

fn write_audit(o: &mut String, r: &Report) -> std::fmt::Result {
    let a = &r.audit;
    match a.status {
        AuditStatus::Skipped => {
            writeln!(o, "## Audit: skipped")?;
            writeln!(o)?;
            if let Some(why) = &a.reason {
                writeln!(o, "Skipped: {}.", escape(why))?;
                writeln!(o)?;
            }
            return Ok(());
        }
        AuditStatus::Failed => {
            writeln!(o, "## Audit: failed")?;
            writeln!(o)?;
            if let Some(why) = &a.reason {
                writeln!(
                    o,
                    "The audit stopped: {}. Findings below are only what it found before that.",
                    escape(why)
                )?;
            }
        }
        AuditStatus::Done => writeln!(
            o,
            "## Audit: {} in {} checked",
            if a.findings.is_empty() {
                "no findings".to_string()
            } else {
                plural(a.findings.len(), "finding", "findings")
            },
            plural(a.issues_checked, "issue", "issues")
        )?,
    }
    writeln!(o)?;
    if !a.findings.is_empty() {
        let (fixed, planned, failed, person) = fix_counts(r);
        writeln!(
            o,
            "✅ fixed: {fixed} · 📝 planned: {planned} · ❌ fix failed: {failed} · 👤 needs a person: {person}"
        )?;
        writeln!(o)?;
    }
    for state in &a.rules {
        let rule = state.rule;
        if let Some(why) = &state.off_because {
            writeln!(o, "### `{}`: off ({})", rule.as_str(), escape(why))?;
            writeln!(o)?;
            continue;
        }
        let fs = findings_of(r, rule);
        if fs.is_empty() {
            writeln!(o, "### `{}`: {}", rule.as_str(), no_findings(r))?;
            writeln!(o)?;
            continue;
        }
        writeln!(o, "### `{}` ({})", rule.as_str(), fs.len())?;
        writeln!(o)?;
        writeln!(o, "{}.", escape(rule_summary(rule)))?;
        writeln!(o)?;
        writeln!(o, "| about | what is wrong | fix |")?;
        writeln!(o, "|---|---|---|")?;
        for f in fs {
            writeln!(o, "{}", finding_row(f))?;
        }
        writeln!(o)?;
    }
    Ok(())
}

fn subject_link(f: &Finding) -> String {
    use crate::audit::Subject;
    let href = match &f.subject {
        Subject::Issue(i) => Some(i.web_url.as_str()),
        Subject::Milestone { web_url, .. } => web_url.as_deref(),
        Subject::Label { .. } => None,
    };
    link(&f.subject.display_name(), href)
}

fn finding_row(f: &Finding) -> String {
    let (icon, word) = fix_label(f.fix_status);
    let fix = match &f.fix {
        Some(step) => format!("{icon} {word}: {}", escape(&step.describe())),
        None => format!("{icon} {word}"),
    };
    format!("| {} | {} | {fix} |", subject_link(f), escape(&f.message))
}

fn write_errors(o: &mut String, r: &Report) -> std::fmt::Result {
    if r.errors.is_empty() {
        return Ok(());
    }
    writeln!(o, "## Errors ({})", r.errors.len())?;
    writeln!(o)?;
    for e in r.errors.iter().take(SHOWN_ERRORS) {
        writeln!(
            o,
            "- ❌ `{}` {}: {}",
            escape(&e.step),
            escape(&e.target),
            escape(&e.message)
        )?;
    }
    if r.errors.len() > SHOWN_ERRORS {
        writeln!(
            o,
            "- and {} more (all of them are in report.json)",
            r.errors.len() - SHOWN_ERRORS
        )?;
    }
    writeln!(o)?;
    if let Some(next) = next_step(r) {
        writeln!(o, "**Next:** {next}")?;
        writeln!(o)?;
    }
    Ok(())
}

fn write_footer(o: &mut String, r: &Report) -> std::fmt::Result {
    writeln!(o, "---")?;
    writeln!(o)?;
    let total: u64 = r.requests.values().fold(0u64, |a, b| a.saturating_add(*b));
    if total == 0 {
        writeln!(o, "API requests: none.")?;
    } else {
        let by: Vec<String> = r
            .requests
            .iter()
            .map(|(m, n)| format!("{} {n}", escape(m)))
            .collect();
        writeln!(o, "API requests: {total} ({})", by.join(", "))?;
    }
    let mut links = Vec::new();
    if let Some(u) = &r.links.pipeline_url {
        links.push(link("pipeline", Some(u)));
    }
    if let Some(u) = &r.links.job_url {
        links.push(link("job", Some(u)));
    }
    if let Some(u) = &r.links.project_url {
        links.push(link("project", Some(u)));
    }
    if !links.is_empty() {
        writeln!(o)?;
        writeln!(o, "Links: {}", links.join(" · "))?;
    }
    writeln!(o)?;
    writeln!(o, "Written by {} {}.", r.tool.name, escape(r.tool.version))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markdown_syntax() {
        let cases = [
            ("plain title", "plain title"),
            ("a | b", "a \\| b"),
            ("*bold* _it_", "\\*bold\\* \\_it\\_"),
            ("[x](y)", "\\[x\\](y)"),
            ("<script>", "\\<script\\>"),
            ("~\"label\"", "\\~\"label\""),
            ("# heading", "\\# heading"),
            ("a\nb\r\nc", "a b  c"),
            ("R&D", "R&amp;D"),
            ("back\\slash `code`", "back\\\\slash \\`code\\`"),
        ];
        for (input, want) in cases {
            assert_eq!(escape(input), want, "input {input:?}");
        }
    }

    #[test]
    fn url_encodes_what_breaks_a_link() {
        assert_eq!(url("https://x/a b(1)"), "https://x/a%20b%281%29");
    }
}
