//! What the job log says in words: the audit's findings at the end of its section
//! (`audit_lines`: what needs a person first, then what was fixed, marked so) and
//! the closing summary (`summary`): the headline, what needs a person, what was
//! fixed, the rotation, what to do next, and, last, where to read the report.
//! Renderers like the others (pure: text from the `Report`); `job` and `app`
//! print them. No exit status jargon, no confidential title.

use super::view::{self, StepRow};
use super::wording::{headline, need_a_person, next_step, plural, status_word};
use super::Report;
use crate::audit::{AuditStatus, Subject};
use crate::console::one_line;
use crate::settings::config::RuleName;

/// References listed per rule in the closing summary before "and N more".
const SHOWN_REFERENCES: usize = 5;

/// The lines that close the audit's section of the job log: a count, then each
/// finding that needs a person (hand-offs first), then each fixed (or, in a dry
/// run, planned) finding, marked as such.
pub(crate) fn audit_lines(r: &Report) -> Vec<String> {
    let a = &r.audit;
    if a.status != AuditStatus::Done {
        // Not "nothing needs a person": nothing is known.
        let why = a.reason.as_deref().unwrap_or("it did not finish");
        return vec![format!(
            "the audit did not finish ({why}): its findings are not known"
        )];
    }
    let fixed = view::fixed(r);
    let person = a.findings.len() - fixed.len();
    let done = if r.dry_run { "fix planned" } else { "fixed" };
    let mut lines = vec![format!(
        "{} checked: {}, {} {done}",
        plural(a.issues_checked, "issue", "issues"),
        if person == 0 {
            "nothing needs a person".to_string()
        } else {
            need_a_person(person)
        },
        fixed.len()
    )];
    for (_, fs) in view::needing_a_person(r) {
        for f in fs {
            lines.push(finding_line("needs a person", f, r));
        }
    }
    for f in fixed {
        lines.push(finding_line(done, f, r));
    }
    lines
}

fn finding_line(mark: &str, f: &crate::audit::Finding, r: &Report) -> String {
    one_line(&format!(
        "{mark:<14} {:<17} {}: {}",
        f.rule.as_str(),
        view::subject_name(r, &f.subject),
        f.message
    ))
}

/// A short name for a finding in a list: `#12`, `~"x"`, `"WoW ending …"`.
fn short_name(s: &Subject) -> String {
    match s {
        Subject::Issue(i) => i.reference.clone(),
        Subject::Milestone { title, .. } => format!("\"{title}\""),
        Subject::Label { name } => format!("~\"{name}\""),
    }
}

/// Each name once, in the order first seen (two findings can be about one issue).
fn unique(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// `#1, #2, #3, #4, #5 and 7 more`
fn list(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(SHOWN_REFERENCES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN_REFERENCES {
        format!("{shown} and {} more", names.len() - SHOWN_REFERENCES)
    } else {
        shown
    }
}

/// What a rule's findings are, for a person, in a few words.
fn rule_words(rule: RuleName, n: usize) -> String {
    match rule {
        RuleName::Handoff => plural(n, "hand-off", "hand-offs"),
        RuleName::Priority => plural(n, "priority label", "priority labels"),
        RuleName::Unscheduled => plural(n, "issue without ~unscheduled", "issues without ~unscheduled"),
        RuleName::LabelDefinitions => plural(n, "missing label", "missing labels"),
        RuleName::StrayMilestones => plural(n, "milestone left open", "milestones left open"),
    }
}

/// The closing lines of the job log (3 to 6, plain text, no newline at the end
/// of each): what happened and, last, where to read the report. `files` are the
/// written files (paths or names); `report_dir` as configured.
pub(crate) fn summary(report: &Report, report_dir: &str, files: &[String]) -> Vec<String> {
    let r = report;
    let prefix = if r.dry_run {
        "wowctl (dry run, nothing changed): "
    } else {
        "wowctl: "
    };
    let first = format!("{prefix}{}", one_line(&headline(r)));

    // Middle lines in the order shown; when there are too many, the least
    // important go first (fixed, then the rotation).
    let mut middle: Vec<(u8, String)> = Vec::new();
    if let Some(next) = next_step(r) {
        middle.push((0, format!("Next: {next}")));
    }
    if let Some(e) = r.errors.first() {
        let more = if r.errors.len() > 1 {
            format!(" (and {} more)", r.errors.len() - 1)
        } else {
            String::new()
        };
        middle.push((0, format!("Error: {}{more}", one_line(&e.to_string()))));
    }
    let groups = view::needing_a_person(r);
    if !groups.is_empty() {
        let parts: Vec<String> = groups
            .iter()
            .map(|(rule, fs)| {
                // Two findings can be about one issue: count what a person visits.
                let names = unique(fs.iter().map(|f| short_name(&f.subject)));
                format!("{} ({})", rule_words(*rule, names.len()), list(&names))
            })
            .collect();
        middle.push((1, one_line(&format!("Needs a person: {}.", parts.join("; ")))));
    } else if r.audit.status == AuditStatus::Done {
        middle.push((3, "Needs a person: nothing.".to_string()));
    }
    let fixed = view::fixed(r);
    if !fixed.is_empty() {
        let names = unique(fixed.iter().map(|f| short_name(&f.subject)));
        let word = if r.dry_run { "Fixes planned" } else { "Fixed" };
        middle.push((3, one_line(&format!("{word}: {}.", list(&names)))));
    }
    middle.push((2, rotation_line(r)));
    while middle.len() > 4 {
        let Some(worst) = middle.iter().map(|(p, _)| *p).max() else {
            break;
        };
        if let Some(i) = middle.iter().rposition(|(p, _)| *p == worst) {
            middle.remove(i);
        }
    }

    let mut lines = vec![first];
    lines.extend(middle.into_iter().map(|(_, l)| l));
    lines.push(report_line(r, report_dir, files));
    lines
}

fn rotation_line(r: &Report) -> String {
    let rot = &r.rotation;
    let mut line = format!("Rotation: {}", status_word(rot.status));
    let titles: Vec<String> = [
        ("closed", &rot.closed_milestone),
        ("current", &rot.current_milestone),
        ("next", &rot.next_milestone),
    ]
    .iter()
    .filter_map(|(role, m)| m.as_ref().map(|m| format!("{role} \"{}\"", m.title)))
    .collect();
    if !titles.is_empty() {
        line.push_str(&format!("; {}", titles.join(", ")));
    }
    let moves = view::step_rows(&rot.actions)
        .into_iter()
        .find_map(|row| match row {
            StepRow::Moves(m) => Some(m),
            StepRow::Step(_) => None,
        });
    if !rot.carried_over.is_empty() {
        let verb = if r.dry_run {
            "to carry over"
        } else {
            "carried over"
        };
        line.push_str(&format!(
            "; {} {verb}",
            plural(rot.carried_over.len(), "issue", "issues")
        ));
    }
    if let Some(m) = moves {
        let failed = m.count(crate::apply::Outcome::Failed);
        if failed > 0 {
            line.push_str(&format!("; {} not moved", plural(failed, "issue", "issues")));
        }
    }
    if rot.weeks_missed > 0 {
        line.push_str(&format!(
            "; WoW was {} late",
            plural(rot.weeks_missed as usize, "week", "weeks")
        ));
    }
    one_line(&line)
}

/// The last line: where to read the report (report.html when written, as the
/// job's artifact URL inside CI), and why the job fails when findings fail it.
fn report_line(r: &Report, report_dir: &str, files: &[String]) -> String {
    let dir = report_dir.trim_end_matches('/');
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.rsplit('/').next().unwrap_or(f.as_str()))
        .collect();
    let mut line = match ["report.html", "report.md"]
        .iter()
        .find(|main| names.contains(main))
    {
        None if names.is_empty() => format!("Report: no files written to {dir}/."),
        None => format!("Report: {dir}/ ({})", names.join(", ")),
        Some(main) => {
            let others: Vec<&str> = names.iter().copied().filter(|n| n != main).collect();
            let mut s = format!("Report: {}", where_to_read(r, dir, main));
            if !others.is_empty() {
                s.push_str(&format!(" (also {})", others.join(", ")));
            }
            s
        }
    };
    if r.exit_code == 3 {
        line = format!(
            "The job fails (exit 3): {} and report.fail_on_findings is on. {line}",
            plural(
                r.needing_a_person(),
                "finding needs a person",
                "findings need a person"
            )
        );
    }
    one_line(&line)
}

/// `main` in the job's artifacts (`<job URL>/artifacts/file/<dir>/<main>`) when
/// the job URL is known and the directory is inside the project; else its path.
fn where_to_read(r: &Report, dir: &str, main: &str) -> String {
    let relative = dir.trim_start_matches("./");
    let inside = !dir.starts_with('/') && !relative.split('/').any(|p| p == "..");
    match &r.links.job_url {
        Some(job) if inside && !relative.is_empty() && relative != "." => {
            format!("{}/artifacts/file/{relative}/{main}", job.trim_end_matches('/'))
        }
        _ => format!("{dir}/{main}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Links;

    #[test]
    fn the_report_is_read_in_the_jobs_artifacts_when_the_job_is_known() {
        let mut r = crate::report::tests::fixtures::rotated();
        r.links = Links {
            job_url: Some("https://g/p/-/jobs/7".into()),
            ..Links::default()
        };
        // (report dir, where to read)
        let cases = [
            (
                "wow-report",
                "https://g/p/-/jobs/7/artifacts/file/wow-report/report.html",
            ),
            (
                "./out/wow/",
                "https://g/p/-/jobs/7/artifacts/file/out/wow/report.html",
            ),
            ("/tmp/wow", "/tmp/wow/report.html"),
            ("../wow", "../wow/report.html"),
            (".", "./report.html"),
        ];
        for (dir, want) in cases {
            assert_eq!(
                where_to_read(&r, dir.trim_end_matches('/'), "report.html"),
                want,
                "{dir}"
            );
        }
        r.links.job_url = None;
        assert_eq!(
            where_to_read(&r, "wow-report", "report.md"),
            "wow-report/report.md"
        );
    }

    #[test]
    fn lists_stop_after_five() {
        let names: Vec<String> = (1..=7).map(|i| format!("#{i}")).collect();
        assert_eq!(list(&names), "#1, #2, #3, #4, #5 and 2 more");
        assert_eq!(list(&names[..2]), "#1, #2");
    }
}
