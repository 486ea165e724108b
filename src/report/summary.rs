//! The closing summary of the job log: a few plain lines that say what happened
//! and where the report is. A renderer like the others (pure: text from the
//! `Report`), printed last by `app`.

use super::wording::{fix_counts, headline, next_step, plural, status_word};
use super::Report;
use crate::audit::AuditStatus;
use crate::console::one_line;

/// The closing lines of the job log (3 to 6, plain text, no newline at the end of
/// each): what happened and where the report is. `files` are the written file names.
pub(crate) fn summary(report: &Report, report_dir: &str, files: &[String]) -> Vec<String> {
    let r = report;
    let mut lines = Vec::new();
    let prefix = if r.dry_run {
        "wowctl (dry run, nothing changed): "
    } else {
        "wowctl: "
    };
    lines.push(format!("{prefix}{}", one_line(&headline(r))));

    let rot = &r.rotation;
    let mut rotation = format!("Rotation: {}", status_word(rot.status));
    let titles: Vec<String> = [
        ("closed", &rot.closed_milestone),
        ("current", &rot.current_milestone),
        ("next", &rot.next_milestone),
    ]
    .iter()
    .filter_map(|(role, m)| m.as_ref().map(|m| format!("{role} \"{}\"", one_line(&m.title))))
    .collect();
    if !titles.is_empty() {
        rotation.push_str(&format!("; {}", titles.join(", ")));
    }
    if !rot.carried_over.is_empty() {
        let verb = if r.dry_run {
            "to carry over"
        } else {
            "carried over"
        };
        rotation.push_str(&format!(
            "; {} {verb}",
            plural(rot.carried_over.len(), "issue", "issues")
        ));
    }
    if rot.weeks_missed > 0 {
        rotation.push_str(&format!(
            "; WoW was {} late",
            plural(rot.weeks_missed as usize, "week", "weeks")
        ));
    }
    lines.push(rotation);

    match r.audit.status {
        AuditStatus::Skipped => lines.push("Audit: skipped.".to_string()),
        AuditStatus::Failed => lines.push(format!(
            "Audit: failed after {} ({} checked).",
            plural(r.audit.findings.len(), "finding", "findings"),
            plural(r.audit.issues_checked, "issue", "issues")
        )),
        AuditStatus::Done => {
            let (fixed, planned, failed, person) = fix_counts(r);
            let n = r.audit.findings.len();
            let mut s = format!(
                "Audit: {} in {} checked",
                if n == 0 {
                    "no findings".to_string()
                } else {
                    plural(n, "finding", "findings")
                },
                plural(r.audit.issues_checked, "issue", "issues")
            );
            if n > 0 {
                s.push_str(&format!(
                    " ({fixed} fixed, {planned} planned, {failed} fix failed, {person} need a person)"
                ));
            }
            s.push('.');
            lines.push(s);
        }
    }

    if let Some(next) = next_step(r) {
        lines.push(format!("Next: {next}"));
    }
    if let Some(first) = r.errors.first() {
        let more = if r.errors.len() > 1 {
            format!(" (and {} more)", r.errors.len() - 1)
        } else {
            String::new()
        };
        lines.push(format!("Error: {}{more}", one_line(&first.to_string())));
    }

    let dir = report_dir.trim_end_matches('/');
    if files.is_empty() {
        lines.push(format!("Report: no files written to {dir}/."));
    } else {
        lines.push(format!("Report: {dir}/ ({})", files.join(", ")));
    }
    lines.truncate(6);
    lines
}
