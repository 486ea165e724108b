//! The `report.md` renderer: the report for a person, on the job's artifact page
//! and as the description of the weekly report issue, so it must read well as
//! GitLab renders it. In the order people read it (`view`): the headline and a
//! banner (dry run, failed, stopped), errors, what needs a person (hand-offs on
//! top), what was fixed, the rotation in short (its carry-over as one step, the
//! issues listed once), the trend of recent weeks, what was published, the rules,
//! the links. Lists longer than `view::COLLAPSE_ROWS` are collapsed.
//!
//! Pure: no I/O, no clock. GitLab references (`#12`, `~"priority::1"`, `%"WoW"`)
//! are written unescaped so GitLab renders links and label chips; text from
//! GitLab (titles, its error messages) goes through `escape::markdown`, wowctl's
//! own sentences through `escape::markdown_text`, so a `|` cannot break a table
//! and an `@name` notifies nobody. A confidential issue's title is never written
//! unless `report.confidential_titles`.

use super::escape::{
    markdown as escape, markdown_issue, markdown_label, markdown_milestone, markdown_text as text,
    markdown_url as url,
};
use super::view::{self, StepRow, COLLAPSE_ROWS};
use super::wording::{
    fix_label, headline, need_a_person, next_step, no_findings, outcome_label, plural, rule_summary,
    scope_name, status_word,
};
use super::{Report, SHOWN_ERRORS};
use crate::audit::{AuditStatus, Finding, FixStatus, Subject};
use crate::rotation::{MilestoneInfo, RotationStatus};
use std::fmt::Write as _;

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = write_report(&mut out, report, Flavour::Artifact);
    out
}

/// The same report as the description of the weekly report issue. It names the
/// carried-over issues by count and milestone only: GitLab adds a "mentioned in"
/// note to every issue an issue's description references, and a weekly note on
/// each of hundreds of carried issues would be noise.
pub(crate) fn render_for_issue(report: &Report) -> String {
    let mut out = String::new();
    let _ = write_report(&mut out, report, Flavour::Issue);
    out
}

/// Where the markdown goes: the job's artifact, or the report issue.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Artifact,
    Issue,
}

fn link(label: &str, href: Option<&str>) -> String {
    match href {
        Some(h) if !h.is_empty() => format!("[{}]({})", escape(label), url(h)),
        _ => escape(label),
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

/// A milestone as it was before this run: linked by its URL, since its title
/// may have changed since (a `%"WoW"` reference would find the new `WoW`).
fn milestone_before(m: &MilestoneInfo) -> String {
    let state = match m.state.as_deref() {
        Some(s) if s != "active" => format!(", {}", escape(s)),
        _ => String::new(),
    };
    format!("{}{}{state}", link(&m.title, m.web_url.as_deref()), dates(m))
}

/// A milestone as the run left it (or would, in a dry run): a `%"title"` reference.
fn milestone_after(m: &MilestoneInfo) -> String {
    let state = match m.state.as_deref() {
        Some(s) if s != "active" => format!(", {}", escape(s)),
        _ => String::new(),
    };
    let new = match (m.planned, m.id) {
        (true, None) => ", to be created",
        (true, Some(_)) => ", planned",
        _ => "",
    };
    format!("{}{}{state}{new}", markdown_milestone(&m.title), dates(m))
}

/// What a finding is about: `#12 Title`, `#12 (confidential issue)`, a label or
/// a milestone, as GitLab references.
fn subject(r: &Report, s: &Subject) -> String {
    match s {
        Subject::Issue(i) => match view::issue_title(r, i) {
            Some(title) => format!("{} {}", markdown_issue(&i.reference), escape(title)),
            None => format!("{} {}", markdown_issue(&i.reference), view::WITHHELD),
        },
        Subject::Milestone { title, .. } => format!("milestone {}", markdown_milestone(title)),
        Subject::Label { name } => format!("label {}", markdown_label(name)),
    }
}

/// Opens a collapsed block for `rows` rows when there are more than
/// `COLLAPSE_ROWS`; `close_collapsed` closes it.
fn open_collapsed(o: &mut String, rows: usize, summary: &str) -> std::fmt::Result {
    if rows > COLLAPSE_ROWS {
        // GitLab renders Markdown inside <details> only after a blank line.
        writeln!(o, "<details>")?;
        writeln!(o, "<summary>{summary}</summary>")?;
        writeln!(o)?;
    }
    Ok(())
}

fn close_collapsed(o: &mut String, rows: usize) -> std::fmt::Result {
    if rows > COLLAPSE_ROWS {
        writeln!(o, "</details>")?;
        writeln!(o)?;
    }
    Ok(())
}

fn write_report(o: &mut String, r: &Report, flavour: Flavour) -> std::fmt::Result {
    match flavour {
        Flavour::Artifact => writeln!(o, "# WoW report: {}", text(&headline(r)))?,
        // The issue's own title says "WoW report": the headline is its first line.
        Flavour::Issue => writeln!(o, "**{}**", text(&headline(r)))?,
    }
    writeln!(o)?;
    write_banner(o, r)?;
    let mut facts = vec![format!("Week **{}** – **{}**", r.week.start, r.week.end)];
    if let Some(scope) = scope_name(r) {
        facts.push(link(&scope, r.links.project_url.as_deref()));
    }
    facts.push(format!("`wowctl {}`", escape(&r.command).replace('`', "")));
    facts.push(r.now.format("%Y-%m-%d %H:%M UTC").to_string());
    facts.push(view::ending(r));
    writeln!(o, "{}", facts.join(" · "))?;
    writeln!(o)?;
    for w in &r.warnings {
        writeln!(o, "> ⚠ {}", escape(w))?;
        writeln!(o)?;
    }

    write_errors(o, r)?;
    write_needs_a_person(o, r)?;
    write_fixed(o, r)?;
    write_rotation(o, r, flavour)?;
    write_history(o, r)?;
    write_publish(o, r)?;
    write_audit(o, r)?;
    write_footer(o, r, flavour)
}

fn write_banner(o: &mut String, r: &Report) -> std::fmt::Result {
    if let Some(signal) = &r.stopped_by {
        writeln!(
            o,
            "> **STOPPED** by {} (the job was cancelled or timed out): the report says what was done before it stopped.",
            escape(signal)
        )?;
        writeln!(o)?;
    } else if r.exit_code == 1 || !r.errors.is_empty() {
        writeln!(
            o,
            "> **FAILED**: this run did not finish its work: {} below.",
            plural(r.errors.len(), "error", "errors")
        )?;
        writeln!(o)?;
    }
    if r.dry_run {
        writeln!(
            o,
            "> **DRY RUN**: nothing was changed in GitLab. Steps and fixes marked 📝 are what a real run would do."
        )?;
        writeln!(o)?;
    }
    Ok(())
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
            // A code span shows backslashes as they are: no escaping inside it.
            e.step.replace(['`', '\n', '\r'], ""),
            // An issue reference renders as a link; anything else is escaped.
            markdown_issue(&e.target),
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

fn write_needs_a_person(o: &mut String, r: &Report) -> std::fmt::Result {
    let groups = view::needing_a_person(r);
    let total: usize = groups.iter().map(|(_, fs)| fs.len()).sum();
    match r.audit.status {
        AuditStatus::Skipped => return Ok(()),
        AuditStatus::Done if total == 0 => {
            writeln!(o, "## Needs a person: nothing")?;
            writeln!(o)?;
            writeln!(
                o,
                "The audit found nothing a person must do{}.",
                match (r.audit.findings.is_empty(), r.dry_run) {
                    (true, _) => "",
                    (false, false) => " (its findings were fixed)",
                    (false, true) => " (a fix is planned for each of its findings)",
                }
            )?;
            writeln!(o)?;
            return Ok(());
        }
        AuditStatus::Done => writeln!(o, "## Needs a person ({total})")?,
        AuditStatus::Failed => writeln!(o, "## Needs a person ({total} found before the audit stopped)")?,
    }
    writeln!(o)?;
    for (rule, fs) in groups {
        writeln!(o, "### {} ({})", text(rule_summary(rule)), fs.len())?;
        writeln!(o)?;
        open_collapsed(o, fs.len(), &plural(fs.len(), "finding", "findings"))?;
        writeln!(o, "| about | what is wrong |")?;
        writeln!(o, "|---|---|")?;
        for f in &fs {
            writeln!(
                o,
                "| {} | {}{} |",
                subject(r, &f.subject),
                text(&f.message),
                fix_note(f)
            )?;
        }
        writeln!(o)?;
        close_collapsed(o, fs.len())?;
    }
    Ok(())
}

/// For a finding a person must act on although a fix exists: why it was not applied.
fn fix_note(f: &Finding) -> String {
    match (&f.fix, f.fix_status) {
        (Some(step), FixStatus::Failed | FixStatus::Disabled) => {
            let (icon, word) = fix_label(f.fix_status);
            format!(" · {icon} {word}: {}", text(&step.describe()))
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
    writeln!(o, "## {heading} ({})", fixed.len())?;
    writeln!(o)?;
    open_collapsed(o, fixed.len(), &plural(fixed.len(), "fix", "fixes"))?;
    for f in &fixed {
        let (icon, _) = fix_label(f.fix_status);
        let fix = f.fix.as_ref().map(|s| text(&s.describe())).unwrap_or_default();
        writeln!(o, "- {icon} {} — {fix}", subject(r, &f.subject))?;
    }
    writeln!(o)?;
    close_collapsed(o, fixed.len())
}

fn write_rotation(o: &mut String, r: &Report, flavour: Flavour) -> std::fmt::Result {
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
            let list: Vec<String> = before.iter().map(milestone_before).collect();
            writeln!(o, "**Before:** {}", list.join(", "))?;
        }
    }
    writeln!(o)?;
    writeln!(o, "**After:**")?;
    writeln!(o)?;
    let missing = if rot.status == RotationStatus::Failed {
        "not done"
    } else {
        "none"
    };
    for (role, m) in [
        ("closed", &rot.closed_milestone),
        ("current", &rot.current_milestone),
        ("next", &rot.next_milestone),
    ] {
        match m {
            Some(m) => writeln!(o, "- {role}: {}", milestone_after(m))?,
            None => writeln!(o, "- {role}: {missing}")?,
        }
    }
    writeln!(o)?;

    let rows = view::step_rows(&rot.actions);
    if !rows.is_empty() {
        writeln!(o, "| | step | outcome |")?;
        writeln!(o, "|---|---|---|")?;
        for row in &rows {
            let (outcome, description, words, error) = match row {
                StepRow::Step(a) => (
                    a.outcome,
                    text(&a.description),
                    outcome_label(a.outcome).1.to_string(),
                    a.error.as_deref().map(escape),
                ),
                StepRow::Moves(m) => {
                    let failed = m.count(crate::apply::Outcome::Failed);
                    (
                        m.outcome(),
                        m.describe(markdown_milestone),
                        m.outcome_words(),
                        (failed > 0).then(|| "each failed move is listed under Errors".to_string()),
                    )
                }
            };
            let (icon, _) = outcome_label(outcome);
            match error {
                Some(e) => writeln!(o, "| {icon} | {description} | {words}: {e} |")?,
                None => writeln!(o, "| {icon} | {description} | {words} |")?,
            }
        }
        writeln!(o)?;
    }

    let carried = view::carried_references(r);
    if !carried.is_empty() {
        let verb = if r.dry_run {
            "To carry over"
        } else {
            "Carried over"
        };
        if flavour == Flavour::Issue {
            let to = r
                .rotation
                .current_milestone
                .as_ref()
                .map_or_else(|| "WoW".to_string(), |m| m.title.clone());
            writeln!(
                o,
                "**{verb}:** {} to %\"{}\" (its milestone page lists them).",
                plural(carried.len(), "issue", "issues"),
                escape_quotes(&to)
            )?;
            writeln!(o)?;
            return Ok(());
        }
        writeln!(o, "**{verb} ({}):**", carried.len())?;
        writeln!(o)?;
        open_collapsed(o, carried.len(), &plural(carried.len(), "issue", "issues"))?;
        let refs: Vec<String> = carried.iter().map(|k| markdown_issue(k)).collect();
        writeln!(o, "{}", refs.join(", "))?;
        writeln!(o)?;
        close_collapsed(o, carried.len())?;
    }
    Ok(())
}

/// A milestone title inside `%"…"`: a quote would end the reference.
fn escape_quotes(title: &str) -> String {
    title.replace('"', "'")
}

/// The trend of the recent closed weeks, a small table (the HTML page has the chart).
fn write_history(o: &mut String, r: &Report) -> std::fmt::Result {
    writeln!(o, "## Recent weeks")?;
    writeln!(o)?;
    match r.history.as_deref() {
        None => writeln!(o, "Not shown: the closed weeks were not read.")?,
        Some([]) => writeln!(o, "No closed weeks yet.")?,
        Some(history) => {
            writeln!(o, "| week | closed | unscheduled | outages |")?;
            writeln!(o, "|---|--:|--:|--:|")?;
            for h in history {
                writeln!(
                    o,
                    "| {} | {} | {} | {} |",
                    markdown_milestone(&h.title),
                    h.closed_issues,
                    h.unscheduled,
                    h.outages
                )?;
            }
        }
    }
    writeln!(o)
}

/// What the run wrote into GitLab itself (`report.publish`), planned in a dry run.
fn write_publish(o: &mut String, r: &Report) -> std::fmt::Result {
    if r.publish.is_empty() {
        return Ok(());
    }
    writeln!(o, "## Published in GitLab")?;
    writeln!(o)?;
    open_collapsed(o, r.publish.len(), &plural(r.publish.len(), "write", "writes"))?;
    writeln!(o, "| | what | outcome |")?;
    writeln!(o, "|---|---|---|")?;
    for a in &r.publish {
        let (icon, word) = outcome_label(a.outcome);
        match &a.error {
            Some(e) => writeln!(o, "| {icon} | {} | {word}: {} |", text(&a.description), escape(e))?,
            None => writeln!(o, "| {icon} | {} | {word} |", text(&a.description))?,
        }
    }
    writeln!(o)?;
    close_collapsed(o, r.publish.len())
}

/// The audit in detail: its status, and each rule, on (with what it found) or off
/// (with why).
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
                    "The audit stopped: {}. What it found before that is above.",
                    escape(why)
                )?;
                writeln!(o)?;
            }
        }
        AuditStatus::Done => {
            writeln!(
                o,
                "## Audit: {} checked",
                plural(a.issues_checked, "issue", "issues")
            )?;
            writeln!(o)?;
        }
    }
    writeln!(o, "| rule | result |")?;
    writeln!(o, "|---|---|")?;
    for state in &a.rules {
        writeln!(
            o,
            "| `{}` | {} |",
            state.rule.as_str(),
            text(&rule_result(r, state))
        )?;
    }
    writeln!(o)
}

/// A rule's line in the audit details: off (why), or what it found.
pub(crate) fn rule_result(r: &Report, state: &crate::audit::RuleState) -> String {
    if let Some(why) = &state.off_because {
        return format!("off ({why})");
    }
    let fs: Vec<&Finding> = r.audit.findings.iter().filter(|f| f.rule == state.rule).collect();
    if fs.is_empty() {
        return no_findings(r).to_string();
    }
    let person = fs.iter().filter(|f| view::needs_a_person(f)).count();
    let done = fs.len() - person;
    let mut parts = Vec::new();
    if person > 0 {
        parts.push(need_a_person(person));
    }
    if done > 0 {
        parts.push(if r.dry_run {
            plural(done, "fix planned", "fixes planned")
        } else {
            format!("{done} fixed")
        });
    }
    parts.join(", ")
}

fn write_footer(o: &mut String, r: &Report, flavour: Flavour) -> std::fmt::Result {
    writeln!(o, "---")?;
    writeln!(o)?;
    let total: u64 = r.requests.values().fold(0u64, |a, b| a.saturating_add(*b));
    if flavour == Flavour::Issue {
        // The run's request count is not known yet when the issue is written, and
        // it is about the run, not the week.
    } else if total == 0 {
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
