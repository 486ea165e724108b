//! The `priority` rule (SPEC "Audit rules"): every open issue of `WoW` and `Next WoW`
//! carries exactly one of `labels.priorities`. Off when that list is empty. No fix:
//! a person chooses the priority. Pure.

use super::{label_ref, AuditInput, Finding, FixStatus, Subject};
use crate::settings::config::{Config, RuleName};
use std::collections::BTreeSet;

pub(crate) fn check(input: &AuditInput, cfg: &Config) -> Vec<Finding> {
    // Configured names, each once (a name listed twice must not count twice).
    let mut priorities: Vec<&str> = Vec::new();
    for p in &cfg.labels.priorities {
        if !priorities.contains(&p.as_str()) {
            priorities.push(p);
        }
    }
    if priorities.is_empty() {
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut findings = Vec::new();
    let issues = input.current_issues.iter().chain(&input.next_open_issues);
    // An issue in both lists (moved between the fetches) is reported once.
    for issue in issues.filter(|i| i.is_open()) {
        if !seen.insert(issue.id) {
            continue;
        }
        let held: Vec<String> = priorities
            .iter()
            .filter(|p| issue.has_label(p))
            .map(|p| label_ref(p))
            .collect();
        let message = match held.len() {
            1 => continue,
            0 => {
                let allowed: Vec<String> = priorities.iter().map(|p| label_ref(p)).collect();
                format!("no priority label: needs exactly one of {}", allowed.join(", "))
            }
            n => format!("{n} priority labels ({}): needs exactly one", held.join(", ")),
        };
        findings.push(Finding {
            rule: RuleName::Priority,
            subject: Subject::of_issue(issue),
            message,
            fix: None,
            fix_status: FixStatus::None,
            since: None,
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::gitlab::model::{Issue, IssueState};

    const P: &[&str] = &["priority::1", "priority::2", "priority::3"];

    /// (name, priorities configured, labels, open, found)
    type Row = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        bool,
        bool,
    );

    #[test]
    fn table() {
        let cases: &[Row] = &[
            ("none", P, &["bug"], true, true),
            ("one", P, &["bug", "priority::2"], true, false),
            ("two", P, &["priority::1", "priority::3"], true, true),
            ("closed issue without one", P, &[], false, false),
            ("rule off when empty", &[], &[], true, false),
            (
                "name listed twice counts once",
                &["p1", "p1"],
                &["p1"],
                true,
                false,
            ),
            ("exact names only", P, &["Priority::1"], true, true),
        ];
        for (name, priorities, labels, open, found) in cases {
            let mut cfg = Config::default();
            cfg.labels.priorities = priorities.iter().map(|p| p.to_string()).collect();
            for in_next in [false, true] {
                let mut issue = issue(1, labels);
                if !open {
                    issue.state = IssueState::Closed;
                }
                let mut input = input();
                if in_next {
                    input.next_open_issues = vec![issue.clone()];
                } else {
                    input.current_issues = vec![issue.clone()];
                }
                let findings = check(&input, &cfg);
                assert_eq!(
                    findings.len(),
                    usize::from(*found),
                    "{name} (next: {in_next}): {findings:?}"
                );
                for f in &findings {
                    assert_eq!(f.rule, RuleName::Priority);
                    assert_eq!(f.subject, Subject::of_issue(&issue));
                    assert_eq!((f.fix.clone(), f.fix_status), (None, FixStatus::None), "{name}");
                }
            }
        }
    }

    #[test]
    fn messages() {
        let mut cfg = Config::default();
        cfg.labels.priorities = vec!["priority::1".into(), "priority::2".into()];
        let mut input = input();
        input.current_issues = vec![issue(1, &[]), issue(2, &["priority::2", "priority::1"])];
        let messages: Vec<String> = check(&input, &cfg).into_iter().map(|f| f.message).collect();
        assert_eq!(
            messages,
            vec![
                "no priority label: needs exactly one of ~priority::1, ~priority::2",
                "2 priority labels (~priority::1, ~priority::2): needs exactly one",
            ]
        );
    }

    #[test]
    fn issue_in_both_lists_is_reported_once() {
        let mut cfg = Config::default();
        cfg.labels.priorities = vec!["priority::1".into()];
        let mut input = input();
        let both: Issue = issue(1, &[]);
        input.current_issues = vec![both.clone(), issue(2, &[])];
        input.next_open_issues = vec![both, issue(3, &[])];
        let iids: Vec<Option<u64>> = check(&input, &cfg)
            .iter()
            .map(|f| f.subject.issue_iid())
            .collect();
        assert_eq!(iids, vec![Some(1), Some(2), Some(3)]);
    }
}
