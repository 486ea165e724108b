//! The `unscheduled` rule (SPEC "Audit rules"): an issue of `WoW`, open or closed,
//! whose latest addition to it came strictly after `week_start + grace`, must carry
//! the unscheduled label unless it is an outage. Pure: it reads the events `observe`
//! fetched and must not ask for more; [`needs_events`] says which ones to fetch.

use super::{label_ref, planned, AuditInput, Finding, Subject};
use crate::gitlab::model::{EventAction, Issue, MilestoneEvent};
use crate::settings::config::{Config, LabelNames, RuleName};
use crate::settings::duration::format_duration;
use crate::step::{IssueRef, Step};
use crate::week::Week;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeSet;

/// Whether the milestone events of `issue` must be fetched for this rule: only an
/// issue updated at or after `week_start` can have been added after it (adding an
/// issue to a milestone bumps `updated_at`, gitlab-api.md §3), an issue this run
/// carries over is planned whatever its history says, and an issue carrying
/// ~unscheduled or ~outage passes the rule before its history is looked at.
pub(crate) fn needs_events(
    issue: &Issue,
    week: &Week,
    carried_ids: &BTreeSet<u64>,
    labels: &LabelNames,
) -> bool {
    issue.updated_at >= week.start
        && !carried_ids.contains(&issue.id)
        && !issue.has_label(&labels.unscheduled)
        && !issue.has_label(&labels.outage)
}

pub(crate) fn check(input: &AuditInput, cfg: &Config) -> Vec<Finding> {
    let Some(current) = &input.current else {
        return Vec::new();
    };
    let labels = &cfg.labels;
    let cutoff = cutoff(&input.week, cfg);
    let mut findings = Vec::new();
    for issue in &input.current_issues {
        if issue.has_label(&labels.unscheduled) || issue.has_label(&labels.outage) {
            continue;
        }
        if input.carried_ids.contains(&issue.id) {
            continue;
        }
        // Not fetched: not updated since week_start, so not added after it.
        let Some(events) = input.events.get(&issue.id) else {
            continue;
        };
        let Some(added) = late_addition(events, current.id, input.closed_id, cutoff) else {
            continue;
        };
        let grace = if cfg.audit.grace.is_zero() {
            String::new()
        } else {
            format!(" and its {} grace", format_duration(cfg.audit.grace))
        };
        let message = format!(
            "added to {} on {}, after the week started ({}){grace}, without {}",
            current.title,
            added.format("%Y-%m-%d %H:%M UTC"),
            input.week.start_date,
            label_ref(&labels.unscheduled),
        );
        let fix = Some(Step::AddLabels {
            issue: IssueRef::from(issue),
            labels: vec![labels.unscheduled.clone()],
        });
        findings.push(Finding {
            rule: RuleName::Unscheduled,
            subject: Subject::of_issue(issue),
            message,
            fix_status: planned(&fix),
            since: Some(added),
            fix,
        });
    }
    findings
}

/// `week_start + grace`: an addition at or before it is planned.
fn cutoff(week: &Week, cfg: &Config) -> DateTime<Utc> {
    TimeDelta::from_std(cfg.audit.grace)
        .ok()
        .and_then(|grace| week.start.checked_add_signed(grace))
        // A grace too long to represent: nothing is late.
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The time of the latest addition to milestone `current_id` when it is
/// unscheduled: after `cutoff` and not a carry-over. `None` when planned.
fn late_addition(
    events: &[MilestoneEvent],
    current_id: u64,
    closed_id: Option<u64>,
    cutoff: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut events: Vec<&MilestoneEvent> = events.iter().collect();
    // GitLab sets no order (gitlab-api.md §4): sort by time, then id.
    events.sort_by_key(|e| (e.created_at, e.id));
    let is_add_of = |e: &MilestoneEvent, id: u64| {
        e.action == EventAction::Add && e.milestone.as_ref().is_some_and(|m| m.id == id)
    };
    // Events name a milestone by its current title, and a rename writes no event
    // (gitlab-api.md §4), so an addition to `Next WoW` before the rotation shows up
    // here as an addition to this id: matching by id covers every title it had.
    // No addition to this id at all (its event omitted because the milestone is not
    // readable, or history GitLab did not keep): we cannot tell, so planned.
    let latest = events.iter().rposition(|e| is_add_of(e, current_id))?;
    let added = events[latest].created_at;
    if added <= cutoff {
        return None;
    }
    // A move A → B is recorded as one "add B" with no "remove A" (gitlab-api.md §4):
    // an addition right after one to the closed week's milestone is the rotation's
    // carry-over, done by an earlier run.
    if let (Some(closed_id), Some(prev)) = (closed_id, latest.checked_sub(1)) {
        if is_add_of(events[prev], closed_id) {
            return None;
        }
    }
    Some(added)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::gitlab::model::IssueState;
    use std::time::Duration;

    const OTHER_ID: u64 = 600;

    /// (action, milestone id, time): one event, ids in list order.
    type Ev = (EventAction, Option<u64>, &'static str);
    const ADD: EventAction = EventAction::Add;
    const REMOVE: EventAction = EventAction::Remove;

    fn events(issue: &Issue, evs: &[Ev]) -> Vec<MilestoneEvent> {
        evs.iter()
            .enumerate()
            .map(|(i, (action, mid, time))| MilestoneEvent {
                id: 10 + i as u64,
                created_at: at(time),
                resource_id: issue.id,
                milestone: mid.map(|id| milestone(id, "WoW")),
                action: *action,
            })
            .collect()
    }

    struct Case {
        name: &'static str,
        labels: &'static [&'static str],
        closed: bool,
        carried: bool,
        grace_secs: u64,
        /// `None`: no events fetched for the issue.
        events: Option<&'static [Ev]>,
        unscheduled: bool,
    }

    const BASE: Case = Case {
        name: "",
        labels: &[],
        closed: false,
        carried: false,
        grace_secs: 0,
        events: None,
        unscheduled: false,
    };

    const CASES: &[Case] = &[
        Case {
            name: "added mid-week",
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-26T14:02:00Z")]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "closed issue counts too",
            closed: true,
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-26T14:02:00Z")]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "outage is unscheduled by definition",
            labels: &["outage"],
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-26T14:02:00Z")]),
            ..BASE
        },
        Case {
            name: "already labelled",
            labels: &["bug", "unscheduled"],
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-26T14:02:00Z")]),
            ..BASE
        },
        Case {
            name: "data loss alone is not exempt",
            labels: &["(perceived) data loss"],
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-26T14:02:00Z")]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "label match is exact",
            labels: &["Unscheduled"],
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-26T14:02:00Z")]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "exactly at week start is planned",
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-25T00:00:00Z")]),
            ..BASE
        },
        Case {
            name: "1 s after week start",
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-25T00:00:01Z")]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "exactly at start + grace is planned",
            grace_secs: 3600,
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-25T01:00:00Z")]),
            ..BASE
        },
        Case {
            name: "1 s after start + grace",
            grace_secs: 3600,
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-25T01:00:01Z")]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "carried over by this run",
            carried: true,
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-25T09:00:00Z")]),
            ..BASE
        },
        Case {
            name: "carried over by an earlier run (A -> B is one add B)",
            events: Some(&[
                (ADD, Some(CLOSED_ID), "2026-11-20T10:00:00Z"),
                (ADD, Some(CURRENT_ID), "2026-11-25T09:00:00Z"),
            ]),
            ..BASE
        },
        Case {
            name: "moved from another milestone mid-week",
            events: Some(&[
                (ADD, Some(OTHER_ID), "2026-11-20T10:00:00Z"),
                (ADD, Some(CURRENT_ID), "2026-11-25T09:00:00Z"),
            ]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "removed from the closed week, then added: not a carry-over",
            events: Some(&[
                (ADD, Some(CLOSED_ID), "2026-11-20T10:00:00Z"),
                (REMOVE, Some(CLOSED_ID), "2026-11-25T08:00:00Z"),
                (ADD, Some(CURRENT_ID), "2026-11-25T09:00:00Z"),
            ]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "added to Next WoW before the rename (same id)",
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-19T10:00:00Z")]),
            ..BASE
        },
        // Added to `Next WoW` after week_start, before a late rotation renamed it: the
        // same id, and a late rotation changes nothing.
        Case {
            name: "added to Next WoW after week start (late rotation)",
            events: Some(&[(ADD, Some(CURRENT_ID), "2026-11-25T05:00:00Z")]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "re-added after removal: latest add counts",
            events: Some(&[
                (ADD, Some(CURRENT_ID), "2026-11-19T10:00:00Z"),
                (REMOVE, Some(CURRENT_ID), "2026-11-26T10:00:00Z"),
                (ADD, Some(CURRENT_ID), "2026-11-26T11:00:00Z"),
            ]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "moved away mid-week and back: latest add counts",
            events: Some(&[
                (ADD, Some(CURRENT_ID), "2026-11-19T10:00:00Z"),
                (ADD, Some(OTHER_ID), "2026-11-26T10:00:00Z"),
                (ADD, Some(CURRENT_ID), "2026-11-26T11:00:00Z"),
            ]),
            unscheduled: true,
            ..BASE
        },
        Case {
            name: "events listed out of time order",
            events: Some(&[
                (ADD, Some(CURRENT_ID), "2026-11-24T23:59:59Z"),
                (ADD, Some(OTHER_ID), "2026-11-10T10:00:00Z"),
            ]),
            ..BASE
        },
        Case {
            name: "not fetched: not updated since week start",
            events: None,
            ..BASE
        },
        Case {
            name: "events but no add to WoW: cannot tell",
            events: Some(&[(ADD, Some(OTHER_ID), "2026-11-26T10:00:00Z")]),
            ..BASE
        },
        Case {
            name: "no events at all",
            events: Some(&[]),
            ..BASE
        },
        Case {
            name: "add of a deleted milestone",
            events: Some(&[(ADD, None, "2026-11-26T10:00:00Z")]),
            ..BASE
        },
    ];

    #[test]
    fn table() {
        for case in CASES {
            let mut cfg = Config::default();
            cfg.audit.grace = Duration::from_secs(case.grace_secs);
            let mut input = input();
            let mut issue = issue(1, case.labels);
            if case.closed {
                issue.state = IssueState::Closed;
            }
            if case.carried {
                input.carried_ids.insert(issue.id);
            }
            if let Some(evs) = case.events {
                input.events.insert(issue.id, events(&issue, evs));
            }
            input.current_issues = vec![issue.clone()];
            let findings = check(&input, &cfg);
            assert_eq!(
                findings.len(),
                usize::from(case.unscheduled),
                "{}: {findings:?}",
                case.name
            );
            if let Some(f) = findings.first() {
                assert_eq!(f.rule, RuleName::Unscheduled, "{}", case.name);
                assert_eq!(f.subject, Subject::of_issue(&issue), "{}", case.name);
                assert_eq!(f.fix_status, crate::audit::FixStatus::Planned, "{}", case.name);
                assert_eq!(
                    f.fix,
                    Some(Step::AddLabels {
                        issue: IssueRef::from(&issue),
                        labels: vec!["unscheduled".into()]
                    }),
                    "{}",
                    case.name
                );
            }
        }
    }

    #[test]
    fn events_are_sorted_by_time_then_id() {
        let issue = issue(1, &[]);
        // Listed out of order: the carry-over (add closed, then add current at the same
        // instant, lower id first) must still be recognised.
        let mut evs = events(
            &issue,
            &[
                (ADD, Some(CURRENT_ID), "2026-11-25T09:00:00Z"),
                (ADD, Some(CLOSED_ID), "2026-11-25T09:00:00Z"),
            ],
        );
        evs[0].id = 20;
        evs[1].id = 19;
        evs.reverse();
        assert_eq!(
            late_addition(&evs, CURRENT_ID, Some(CLOSED_ID), week().start),
            None
        );
        evs[0].id = 21; // now the closed add comes after: not a carry-over
        assert_eq!(
            late_addition(&evs, CURRENT_ID, Some(CLOSED_ID), week().start),
            Some(at("2026-11-25T09:00:00Z"))
        );
    }

    #[test]
    fn no_closed_week_means_no_carry_over_exception() {
        let issue = issue(1, &[]);
        let evs = events(
            &issue,
            &[
                (ADD, Some(CLOSED_ID), "2026-11-20T10:00:00Z"),
                (ADD, Some(CURRENT_ID), "2026-11-25T09:00:00Z"),
            ],
        );
        assert!(late_addition(&evs, CURRENT_ID, None, week().start).is_some());
    }

    #[test]
    fn no_current_milestone_no_findings() {
        let mut input = input();
        let issue = issue(1, &[]);
        input.events.insert(
            issue.id,
            events(&issue, &[(ADD, Some(CURRENT_ID), "2026-11-26T14:02:00Z")]),
        );
        input.current_issues = vec![issue];
        input.current = None;
        assert!(check(&input, &Config::default()).is_empty());
    }

    #[test]
    fn message_says_when_and_what_is_missing() {
        let mut input = input();
        let issue = issue(1, &[]);
        input.events.insert(
            issue.id,
            events(&issue, &[(ADD, Some(CURRENT_ID), "2026-11-26T14:02:00Z")]),
        );
        input.current_issues = vec![issue];
        let mut cfg = Config::default();
        let findings = check(&input, &cfg);
        assert_eq!(
            findings[0].message,
            "added to WoW on 2026-11-26 14:02 UTC, after the week started (2026-11-25), without ~unscheduled"
        );
        cfg.audit.grace = Duration::from_secs(2 * 3600);
        cfg.labels.unscheduled = "not planned".into();
        let findings = check(&input, &cfg);
        assert_eq!(
            findings[0].message,
            "added to WoW on 2026-11-26 14:02 UTC, after the week started (2026-11-25) and its 2h grace, without ~\"not planned\""
        );
        assert_eq!(
            findings[0].fix,
            Some(Step::AddLabels {
                issue: IssueRef::from(&input.current_issues[0]),
                labels: vec!["not planned".into()]
            })
        );
    }

    #[test]
    fn huge_grace_means_nothing_is_late() {
        let mut cfg = Config::default();
        cfg.audit.grace = Duration::from_secs(u64::MAX);
        assert_eq!(cutoff(&week(), &cfg), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn needs_events_only_for_issues_updated_since_week_start_and_not_carried() {
        let week = week();
        let labels = Config::default().labels;
        for (updated, carried, issue_labels, want) in [
            ("2026-11-24T23:59:59Z", false, &[][..], false),
            ("2026-11-25T00:00:00Z", false, &[], true),
            ("2026-11-26T10:00:00Z", false, &[], true),
            ("2026-11-26T10:00:00Z", true, &[], false),
            ("2026-11-20T10:00:00Z", true, &[], false),
            ("2026-11-26T10:00:00Z", false, &["unscheduled"], false),
            ("2026-11-26T10:00:00Z", false, &["outage"], false),
            ("2026-11-26T10:00:00Z", false, &["priority::1"], true),
        ] {
            let mut issue = issue(1, issue_labels);
            issue.updated_at = at(updated);
            let carried_ids: BTreeSet<u64> = if carried {
                [issue.id].into()
            } else {
                BTreeSet::new()
            };
            assert_eq!(
                needs_events(&issue, &week, &carried_ids, &labels),
                want,
                "updated {updated}, carried {carried}, labels {issue_labels:?}"
            );
        }
    }
}
