//! The words every renderer shares (markdown, HTML, JUnit, the job log): the
//! headline, what a status or an outcome is called, counts in words. One place,
//! so every format says the same thing. Pure.

use super::Report;
use crate::apply::Outcome;
use crate::audit::{AuditStatus, Finding, FixStatus};
use crate::gitlab::model::Scope;
use crate::rotation::RotationStatus;
use crate::settings::config::RuleName;
use crate::settings::Links;

/// The one line that says what this run did, in words, shared by every format,
/// what needs a person first: "Rotated · 9 need a person · 3 fixed · 13 carried
/// over", "FAILED: 244 of 300 steps not done · …", "STOPPED by SIGTERM: …".
pub(crate) fn headline(r: &Report) -> String {
    let rot = &r.rotation;
    let not_done = rot
        .actions
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Failed | Outcome::NotAttempted))
        .count();
    let mut parts = Vec::new();
    let unfinished = if rot.actions.is_empty() {
        match &rot.before {
            None if rot.status == RotationStatus::Failed => "GitLab could not be read".to_string(),
            _ => "nothing was done".to_string(),
        }
    } else if not_done == 0 {
        // Stopped after the rotation (in the audit, or publishing): say so plainly.
        format!("all {} rotation steps done", rot.actions.len())
    } else {
        format!("{not_done} of {} steps not done", rot.actions.len())
    };
    match (&r.stopped_by, rot.status) {
        (Some(signal), _) => parts.push(format!("STOPPED by {signal}: {unfinished}")),
        (None, RotationStatus::Failed) => parts.push(format!("FAILED: {unfinished}")),
        (None, status) => parts.push(status_phrase(status).to_string()),
    }
    let (fixed, planned, _, person) = fix_counts(r);
    match r.audit.status {
        AuditStatus::Done => {
            if person > 0 {
                parts.push(need_a_person(person));
            }
            if fixed > 0 {
                parts.push(format!("{fixed} fixed"));
            }
            if planned > 0 {
                parts.push(plural(planned, "fix planned", "fixes planned"));
            }
            if r.audit.findings.is_empty() {
                parts.push("no findings".to_string());
            }
        }
        AuditStatus::Failed => parts.push("audit failed".to_string()),
        AuditStatus::Skipped => {}
    }
    if !rot.carried_over.is_empty() {
        let verb = if r.dry_run {
            "to carry over"
        } else {
            "carried over"
        };
        parts.push(format!("{} {verb}", rot.carried_over.len()));
    }
    if !r.errors.is_empty() && rot.status != RotationStatus::Failed && r.stopped_by.is_none() {
        parts.push(plural(r.errors.len(), "error", "errors"));
    }
    let mut line = parts.join(" · ");
    if let Some(first) = line.get(..1) {
        line = first.to_uppercase() + &line[1..];
    }
    line
}

/// What the run was about, as the report records it (`Report::scope`): `project
/// <id or path>` or `group <id or path>`. A project given by id is named by its
/// path when the job runs in that project (`CI_PROJECT_ID`, `CI_PROJECT_PATH`).
pub(crate) fn describe_scope(scope: &Scope, links: &Links) -> String {
    match scope {
        Scope::Project(id) if id.bytes().all(|b| b.is_ascii_digit()) => {
            match (&links.project_id, &links.project_path) {
                (Some(ci_id), Some(path)) if ci_id == id => format!("project {path}"),
                _ => scope.describe(),
            }
        }
        _ => scope.describe(),
    }
}

/// The scope as the header shows it: a project by its path alone
/// (`production/infrastructure`), a group as `group my-group`.
pub(crate) fn scope_name(r: &Report) -> Option<String> {
    r.scope.as_deref().map(|s| match s.strip_prefix("project ") {
        // A bare id says nothing; "project 42" does.
        Some(path) if !path.bytes().all(|b| b.is_ascii_digit()) => path.to_string(),
        _ => s.to_string(),
    })
}

/// What to do after a run that did not finish, where wowctl knows it.
pub(crate) fn next_step(r: &Report) -> Option<&'static str> {
    if r.errors.is_empty() {
        None
    } else if r.stopped_by.is_some() {
        Some("re-run: wowctl resumes where this run stopped.")
    } else {
        Some("fix what the errors say (or wait, if GitLab was down), then re-run: wowctl resumes where this run stopped.")
    }
}

/// "1 needs a person", "9 need a person".
pub(crate) fn need_a_person(n: usize) -> String {
    plural(n, "needs a person", "need a person")
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The rotation status in words.
pub(crate) fn status_phrase(s: RotationStatus) -> &'static str {
    match s {
        RotationStatus::Rotated => "rotated",
        RotationStatus::Resumed => "rotation resumed and completed",
        RotationStatus::Created => "WoW and Next WoW created",
        RotationStatus::NotDue => "rotation not due",
        RotationStatus::Planned => "rotation planned (dry run)",
        RotationStatus::Failed => "rotation failed",
        RotationStatus::Skipped => "rotation skipped",
    }
}

/// The rotation status as a short heading word: "rotated", "not due".
pub(crate) fn status_word(s: RotationStatus) -> &'static str {
    match s {
        RotationStatus::Rotated => "rotated",
        RotationStatus::Resumed => "resumed and completed",
        RotationStatus::Created => "WoW and Next WoW created",
        RotationStatus::NotDue => "not due",
        RotationStatus::Planned => "planned (dry run)",
        RotationStatus::Failed => "failed",
        RotationStatus::Skipped => "skipped",
    }
}

/// Icon and word for a step's outcome.
pub(crate) fn outcome_label(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Applied => ("✅", "applied"),
        Outcome::Planned => ("📝", "planned"),
        Outcome::AlreadyDone => ("⏭", "already done"),
        Outcome::Failed => ("❌", "failed"),
        Outcome::NotAttempted => ("⏸", "not attempted (an earlier step failed)"),
    }
}

/// Icon and word for what became of a finding's fix.
pub(crate) fn fix_label(s: FixStatus) -> (&'static str, &'static str) {
    match s {
        FixStatus::Applied => ("✅", "fixed"),
        FixStatus::Planned => ("📝", "planned"),
        FixStatus::Failed => ("❌", "fix failed"),
        FixStatus::Disabled => ("🔧", "fix off (audit.fix)"),
        FixStatus::None => ("👤", "needs a person"),
    }
}

/// What each rule checks, one line, for the heading of its group.
pub(crate) fn rule_summary(rule: RuleName) -> &'static str {
    match rule {
        RuleName::Unscheduled => "Issues added to WoW after its week started, without ~unscheduled",
        RuleName::Priority => "Open issues with no priority label, or more than one",
        RuleName::Handoff => "Open outages and data-loss issues that need a hand-off",
        RuleName::LabelDefinitions => "Configured labels that do not exist",
        RuleName::StrayMilestones => "Milestones of closed weeks left open",
    }
}

/// What a rule without findings shows: a failed audit may not have reached it.
pub(crate) fn no_findings(r: &Report) -> &'static str {
    if r.audit.status == AuditStatus::Failed {
        "not checked: the audit stopped before the rules ran"
    } else {
        "no findings"
    }
}

pub(crate) fn findings_of(r: &Report, rule: RuleName) -> Vec<&Finding> {
    r.audit.findings.iter().filter(|f| f.rule == rule).collect()
}

/// `(fixed, planned, fix failed, needs a person)`; a finding whose fix failed
/// counts as needing a person too (`Report::needing_a_person`).
pub(crate) fn fix_counts(r: &Report) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for f in &r.audit.findings {
        match f.fix_status {
            FixStatus::Applied => c.0 += 1,
            FixStatus::Planned => c.1 += 1,
            // A fix that failed leaves the finding to a person too.
            FixStatus::Failed => {
                c.2 += 1;
                c.3 += 1;
            }
            FixStatus::Disabled | FixStatus::None => c.3 += 1,
        }
    }
    c
}

/// A step's outcome as one word for the job log.
pub(crate) fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Applied => "applied",
        Outcome::Planned => "planned",
        Outcome::AlreadyDone => "already done",
        Outcome::Failed => "FAILED",
        Outcome::NotAttempted => "not attempted",
    }
}

/// The warning for a token that expires within `api.token_expiry_warning`.
pub(crate) fn token_expiry_warning(expires_at: chrono::NaiveDate, days_left: i64) -> String {
    let when = match days_left {
        ..=0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        n => format!("in {n} days"),
    };
    format!(
        "the token expires on {expires_at} ({when}): create a new one and update WOW_TOKEN before then, or the scheduled job fails from that day"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_given_by_id_is_named_by_its_path_when_known() {
        let links = |id: Option<&str>, path: Option<&str>| Links {
            project_id: id.map(str::to_string),
            project_path: path.map(str::to_string),
            ..Links::default()
        };
        let p = |s: &str| Scope::Project(s.to_string());
        // (scope, CI_PROJECT_ID, CI_PROJECT_PATH, described)
        let cases = [
            (p("42"), Some("42"), Some("team/ops"), "project team/ops"),
            (p("42"), None, Some("team/ops"), "project 42"),
            (p("42"), Some("7"), Some("other/project"), "project 42"),
            (p("42"), Some("42"), None, "project 42"),
            (
                p("team/ops"),
                Some("7"),
                Some("other/project"),
                "project team/ops",
            ),
            (
                Scope::Group("my-group".into()),
                Some("7"),
                Some("my-group/tools"),
                "group my-group",
            ),
        ];
        for (scope, id, path, want) in cases {
            assert_eq!(
                describe_scope(&scope, &links(id, path)),
                want,
                "{scope:?} {id:?} {path:?}"
            );
        }
    }
}
