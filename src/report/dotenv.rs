//! The `wow.env` renderer: a few facts of the run for later jobs of the pipeline
//! (`artifacts:reports:dotenv`).
//!
//! GitLab rejects the whole upload when one line breaks its rules (gitlab-api.md
//! §10, Artifacts): one `KEY=value` per line, names only `A-Za-z0-9_`, no empty
//! lines, no comments, no quotes or escapes (kept literally), no multi-line value,
//! at most 5 KB and 20 variables on self-managed. So every value is made one line
//! and capped in length here; a missing value is written as `KEY=`. Pure.

use super::json::audit_status_str;
use super::Report;
use crate::audit::AuditStatus;
use crate::rotation::{MilestoneInfo, RotationStatus};

/// Longest value written, in bytes: 16 variables × (256 + name) stay below 5 KB.
pub(crate) const MAX_VALUE_BYTES: usize = 256;
/// Self-managed GitLab's default variable limit (gitlab-api.md §10).
pub(crate) const MAX_VARIABLES: usize = 20;

/// The variables in file order. `WOW_ROTATED` is `true` when this run moved the
/// milestones to the new week (`rotated`, or `resumed`: it completed a rotation
/// an earlier run began); `WOW_ROTATION_STATUS` gives the exact status.
///
/// Only what GitLab holds: a milestone a dry run would only create or rename, or
/// one a failed run did not get to, is empty. `WOW_FINDINGS` and `WOW_FIXED` are
/// empty unless the audit was done (`WOW_AUDIT_STATUS`), so a failed audit cannot
/// pass for a clean one.
pub(crate) fn variables(r: &Report) -> Vec<(&'static str, String)> {
    let rot = &r.rotation;
    let rotated = matches!(rot.status, RotationStatus::Rotated | RotationStatus::Resumed);
    fn held(m: &Option<MilestoneInfo>) -> Option<&MilestoneInfo> {
        m.as_ref().filter(|m| !m.planned)
    }
    let title = |m: &Option<MilestoneInfo>| held(m).map(|m| m.title.clone()).unwrap_or_default();
    let id = |m: &Option<MilestoneInfo>| {
        held(m)
            .and_then(|m| m.id)
            .map(|i| i.to_string())
            .unwrap_or_default()
    };
    let done = r.audit.status == AuditStatus::Done;
    let count = |n: usize| if done { n.to_string() } else { String::new() };
    let fixed = r.audit.findings.iter().filter(|f| f.fixed()).count();
    vec![
        ("WOW_ROTATED", rotated.to_string()),
        ("WOW_ROTATION_STATUS", rot.status.as_str().to_string()),
        ("WOW_CURRENT_MILESTONE_ID", id(&rot.current_milestone)),
        ("WOW_CURRENT_MILESTONE_TITLE", title(&rot.current_milestone)),
        ("WOW_CLOSED_MILESTONE_ID", id(&rot.closed_milestone)),
        ("WOW_CLOSED_MILESTONE_TITLE", title(&rot.closed_milestone)),
        ("WOW_NEXT_MILESTONE_ID", id(&rot.next_milestone)),
        ("WOW_NEXT_MILESTONE_TITLE", title(&rot.next_milestone)),
        ("WOW_WEEK_START", r.week.start.to_string()),
        ("WOW_WEEK_END", r.week.end.to_string()),
        ("WOW_AUDIT_STATUS", audit_status_str(r.audit.status).to_string()),
        ("WOW_FINDINGS", count(r.audit.findings.len())),
        ("WOW_FIXED", count(fixed)),
        ("WOW_ERRORS", r.errors.len().to_string()),
        ("WOW_DRY_RUN", r.dry_run.to_string()),
        (
            "WOW_TOKEN_EXPIRES_AT",
            r.token_expires_at.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ]
}

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    for (name, value) in variables(report).into_iter().take(MAX_VARIABLES) {
        out.push_str(name);
        out.push('=');
        out.push_str(&clean_value(&value));
        out.push('\n');
    }
    out
}

/// One line, no surrounding whitespace (GitLab strips it anyway), no control
/// characters, at most `MAX_VALUE_BYTES` bytes cut on a character boundary.
pub(crate) fn clean_value(v: &str) -> String {
    let one_line: String = v
        .chars()
        .map(|c| {
            if c == '\r' || c == '\n' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect();
    let trimmed = one_line.trim();
    let mut end = trimmed.len().min(MAX_VALUE_BYTES);
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    trimmed[..end].trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_value_follows_gitlab_rules() {
        let long = "é".repeat(200); // 400 bytes
        let cases: Vec<(&str, String)> = vec![
            ("WoW", "WoW".into()),
            ("a\nb\r\nc", "a b  c".into()),
            ("  padded  ", "padded".into()),
            ("tab\there", "tab here".into()),
            ("esc\u{1b}[0m", "esc[0m".into()),
            ("", "".into()),
            (long.as_str(), "é".repeat(128)),
        ];
        for (input, want) in cases {
            let got = clean_value(input);
            assert_eq!(got, want, "input {input:?}");
            assert!(got.len() <= MAX_VALUE_BYTES);
        }
    }

    #[test]
    fn names_are_gitlab_variable_names() {
        for (name, _) in variables(&crate::report::tests::fixtures::rotated()) {
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "{name}"
            );
        }
    }
}
