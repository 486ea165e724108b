//! The `handoff` rule (SPEC "Audit rules"): an open outage or (perceived) data loss
//! issue, in any milestone or none, needs an owner and must not go quiet for longer
//! than `audit.handoff_max_silence`. No fix: a person takes it over. Pure: `now` is
//! the input's, never the clock.

use super::{label_ref, AuditInput, Finding, FixStatus, Subject};
use crate::settings::config::{Config, RuleName};
use crate::settings::duration::{as_setting, for_people};
use chrono::TimeDelta;
use std::collections::BTreeSet;

pub(crate) fn check(input: &AuditInput, cfg: &Config) -> Vec<Finding> {
    let labels = &cfg.labels;
    let limit = cfg.audit.handoff_max_silence;
    let mut seen = BTreeSet::new();
    let mut findings = Vec::new();
    for issue in input.handoff_issues.iter().filter(|i| i.is_open()) {
        // `observe` may list an issue under each of its two labels: report it once.
        if !seen.insert(issue.id) {
            continue;
        }
        let kind = if issue.has_label(&labels.outage) {
            label_ref(&labels.outage)
        } else if issue.has_label(&labels.data_loss) {
            label_ref(&labels.data_loss)
        } else {
            continue;
        };
        let unassigned = issue.assignees.is_empty();
        // Silence since the last sign of a person: the newest comment not written
        // by wowctl when those were read (publish.handoff_comment), else the last
        // update. A future time (clock skew) is not silence.
        let since = input
            .last_human_activity
            .get(&issue.id)
            .copied()
            .unwrap_or(issue.updated_at);
        let silence = (input.now - since).max(TimeDelta::zero());
        let silent = silence.to_std().is_ok_and(|s| s > limit);
        let quiet = format!(
            "no update for {} (limit {})",
            for_people(silence),
            as_setting(limit)
        );
        // One finding per issue, so a report (and JUnit) names each issue once.
        let owners: Vec<String> = issue
            .assignees
            .iter()
            .map(|u| format!("@{}", u.username))
            .collect();
        let message = match (unassigned, silent) {
            (false, false) => continue,
            (true, false) => format!("unassigned {kind}: needs an owner"),
            (false, true) => format!(
                "{kind}, assigned to {}, {quiet}: needs a hand-off",
                owners.join(" ")
            ),
            (true, true) => format!("unassigned {kind}, {quiet}: needs an owner"),
        };
        findings.push(Finding {
            rule: RuleName::Handoff,
            subject: Subject::of_issue(issue),
            message,
            fix: None,
            fix_status: FixStatus::None,
            since: Some(since),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::gitlab::model::IssueState;
    use std::time::Duration;

    /// (name, labels, assigned, open, updated_at, message or None)
    type Row = (
        &'static str,
        &'static [&'static str],
        bool,
        bool,
        &'static str,
        Option<&'static str>,
    );

    /// With hand-off comments on, silence runs from the last person's note: a label
    /// fix by wowctl (which bumps `updated_at`) is not a sign of life.
    #[test]
    fn silence_runs_from_the_last_human_note_when_notes_were_read() {
        let mut issue = issue(9, &["outage"]);
        issue.updated_at = at("2026-11-27T11:00:00Z"); // wowctl added a label an hour ago
        let mut input = input();
        input.handoff_issues = vec![issue.clone()];
        assert!(
            check(&input, &Config::default()).is_empty(),
            "by updated_at: active"
        );
        input
            .last_human_activity
            .insert(issue.id, at("2026-11-24T08:00:00Z"));
        let findings = check(&input, &Config::default());
        assert_eq!(
            findings.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(),
            ["~outage, assigned to @ada, no update for 3d 4h (limit 24h): needs a hand-off"]
        );
    }

    #[test]
    fn table() {
        // now is 2026-11-27T12:00Z; the limit is the default 24h.
        let cases: &[Row] = &[
            (
                "unassigned outage",
                &["outage"],
                false,
                true,
                "2026-11-27T11:00:00Z",
                Some("unassigned ~outage: needs an owner"),
            ),
            (
                "silent data-loss issue",
                &["(perceived) data loss"],
                true,
                true,
                "2026-11-25T09:00:00Z",
                Some("~\"(perceived) data loss\", assigned to @ada, no update for 2d 3h (limit 24h): needs a hand-off"),
            ),
            (
                "unassigned and silent",
                &["(perceived) data loss"],
                false,
                true,
                "2026-11-26T11:59:00Z",
                Some(
                    "unassigned ~\"(perceived) data loss\", no update for 1d 1m (limit 24h): needs an owner",
                ),
            ),
            (
                "updated recently, assigned outage",
                &["outage"],
                true,
                true,
                "2026-11-27T11:00:00Z",
                None,
            ),
            (
                "silent exactly the limit is fine",
                &["outage"],
                true,
                true,
                "2026-11-26T12:00:00Z",
                None,
            ),
            (
                "1 s over the limit",
                &["outage"],
                true,
                true,
                "2026-11-26T11:59:59Z",
                Some("~outage, assigned to @ada, no update for 1d 1s (limit 24h): needs a hand-off"),
            ),
            (
                "updated in the future (skew)",
                &["outage"],
                true,
                true,
                "2026-11-28T11:00:00Z",
                None,
            ),
            (
                "closed outage",
                &["outage"],
                false,
                false,
                "2026-11-01T11:00:00Z",
                None,
            ),
            (
                "neither label",
                &["bug"],
                false,
                true,
                "2026-11-01T11:00:00Z",
                None,
            ),
        ];
        for (name, labels, assigned, open, updated, want) in cases {
            let mut issue = issue(9, labels);
            if !assigned {
                issue.assignees.clear();
            }
            if !open {
                issue.state = IssueState::Closed;
            }
            issue.updated_at = at(updated);
            let mut input = input();
            input.handoff_issues = vec![issue.clone()];
            let findings = check(&input, &Config::default());
            let got: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
            assert_eq!(got, want.iter().copied().collect::<Vec<_>>(), "{name}");
            for f in &findings {
                assert_eq!(f.rule, RuleName::Handoff);
                assert_eq!(f.subject, Subject::of_issue(&issue));
                assert_eq!((f.fix.clone(), f.fix_status), (None, FixStatus::None), "{name}");
            }
        }
    }

    #[test]
    fn issue_listed_under_both_labels_is_reported_once() {
        let mut issue = issue(9, &["outage", "(perceived) data loss"]);
        issue.assignees.clear();
        let mut input = input();
        input.handoff_issues = vec![issue.clone(), issue];
        let findings = check(&input, &Config::default());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "unassigned ~outage: needs an owner");
    }

    #[test]
    fn limit_comes_from_the_config() {
        let mut cfg = Config::default();
        cfg.audit.handoff_max_silence = Duration::from_secs(90 * 60);
        let mut issue = issue(9, &["outage"]);
        issue.updated_at = at("2026-11-27T10:00:00Z");
        let mut input = input();
        input.handoff_issues = vec![issue];
        let findings = check(&input, &cfg);
        assert_eq!(
            findings[0].message,
            "~outage, assigned to @ada, no update for 2h (limit 1h30m): needs a hand-off"
        );
    }
}
