//! Which reads the audit needs, decided before any is sent: the enabled rules and
//! what the rotation already knows (its view of the week) decide them, so a rule
//! that is off costs no request and nothing is read twice. Pure: `job` asks
//! `observe` for exactly what [`reads`] lists.

use crate::gitlab::model::Milestone;
use crate::milestones::titled;
use crate::rotation::AuditView;
use crate::settings::config::{Config, RuleName};

/// The reads one audit sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reads {
    /// Read the open milestones. After a rotation its own list serves (it only
    /// touches `WoW`, `Next WoW` and `closed(D)`, none of which `stray_milestones`
    /// reports); when only auditing, `WoW` is found among them.
    pub open_milestones: bool,
    /// Read the issues of `WoW` (all states), when there is a `WoW`.
    pub current_issues: bool,
    /// Read the milestone events of the issues `unscheduled` needs.
    pub events: bool,
    /// Read the open issues of the milestone with this title (`Next WoW`).
    pub next_issues: Option<String>,
    /// Read the open issues carrying each of these labels (for `handoff`).
    pub labelled_issues: Vec<String>,
    /// Read the labels of the project or group.
    pub labels: bool,
    /// Read the newest notes of each hand-off issue (and the token's user), so
    /// silence is measured from the last person's note and wowctl finds its own
    /// last nudge (`publish.handoff_comment`).
    pub notes: bool,
}

/// The view the audit takes when the rotation left one that names `WoW` (or the
/// `WoW` a dry run would create); `None` when only auditing, or when the rotation
/// could not name `WoW` (a conflict a person must sort out).
pub(crate) fn rotation_view(view: Option<&AuditView>) -> Option<&AuditView> {
    view.filter(|v| v.current.is_some() || v.current_is_planned)
}

/// The reads for `cfg`'s rules, given what the rotation left (`view`).
pub(crate) fn reads(cfg: &Config, view: Option<&AuditView>) -> Reads {
    let on = |r: RuleName| cfg.audit.rules.contains(&r);
    let next_issues = if on(RuleName::Priority) && !cfg.labels.priorities.is_empty() {
        match view {
            Some(v) => v.next_title_now.clone(),
            None => Some(cfg.milestones.next.clone()),
        }
    } else {
        None
    };
    let labelled_issues = if on(RuleName::Handoff) {
        vec![cfg.labels.outage.clone(), cfg.labels.data_loss.clone()]
    } else {
        Vec::new()
    };
    Reads {
        open_milestones: rotation_view(view).is_none(),
        current_issues: on(RuleName::Unscheduled) || on(RuleName::Priority),
        events: on(RuleName::Unscheduled),
        next_issues,
        labelled_issues,
        labels: on(RuleName::LabelDefinitions),
        notes: on(RuleName::Handoff) && cfg.report.publish.handoff_comment,
    }
}

/// `WoW` among the open milestones: the oldest copy when overlapping runs made two.
pub(crate) fn find_current<'a>(open: &'a [Milestone], title: &str) -> Option<&'a Milestone> {
    titled(open, title).into_iter().find(|m| m.is_open())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::MilestoneState;
    use chrono::{DateTime, Utc};

    fn ms(id: u64, title: &str, open: bool, created: &str) -> Milestone {
        Milestone {
            id,
            iid: id,
            project_id: Some(1),
            group_id: None,
            title: title.into(),
            description: None,
            state: if open {
                MilestoneState::Active
            } else {
                MilestoneState::Closed
            },
            created_at: DateTime::parse_from_rfc3339(created).unwrap().with_timezone(&Utc),
            updated_at: None,
            start_date: None,
            due_date: None,
            web_url: None,
        }
    }

    fn cfg(rules: &[RuleName], priorities: bool) -> Config {
        let mut c = Config::default();
        c.audit.rules = rules.to_vec();
        if priorities {
            c.labels.priorities = vec!["priority::1".into(), "priority::2".into()];
        }
        c
    }

    fn view(current: bool, planned: bool, next: Option<&str>) -> AuditView {
        AuditView {
            current: current.then(|| ms(2, "WoW", true, "2026-11-11T00:00:00Z")),
            current_is_planned: planned,
            next_title_now: next.map(str::to_string),
            ..AuditView::default()
        }
    }

    #[test]
    fn reads_follow_the_rules_and_the_rotation_view() {
        use RuleName::*;
        const ALL: &[RuleName] = &RuleName::ALL;
        let outage = || vec!["outage".to_string(), "(perceived) data loss".to_string()];
        let next = || Some("Next WoW".to_string());
        struct Case {
            name: &'static str,
            rules: &'static [RuleName],
            priorities: bool,
            view: Option<AuditView>,
            want: Reads,
        }
        let cases = [
            Case {
                name: "audit only, every rule, priorities set",
                rules: ALL,
                priorities: true,
                view: None,
                want: Reads {
                    open_milestones: true,
                    current_issues: true,
                    events: true,
                    next_issues: next(),
                    labelled_issues: outage(),
                    labels: true,
                    notes: false,
                },
            },
            Case {
                name: "after a rotation its open milestones serve; Next WoW by its title now",
                rules: ALL,
                priorities: true,
                view: Some(view(true, false, Some("Next WoW"))),
                want: Reads {
                    open_milestones: false,
                    current_issues: true,
                    events: true,
                    next_issues: next(),
                    labelled_issues: outage(),
                    labels: true,
                    notes: false,
                },
            },
            Case {
                name: "Next WoW created just now (or only planned) holds no issues",
                rules: ALL,
                priorities: true,
                view: Some(view(true, false, None)),
                want: Reads {
                    open_milestones: false,
                    current_issues: true,
                    events: true,
                    next_issues: None,
                    labelled_issues: outage(),
                    labels: true,
                    notes: false,
                },
            },
            Case {
                name: "a dry run that would create WoW still uses the rotation's view",
                rules: ALL,
                priorities: true,
                view: Some(view(false, true, None)),
                want: Reads {
                    open_milestones: false,
                    current_issues: true,
                    events: true,
                    next_issues: None,
                    labelled_issues: outage(),
                    labels: true,
                    notes: false,
                },
            },
            Case {
                name: "a rotation that could not name WoW: find it among the open milestones",
                rules: ALL,
                priorities: false,
                view: Some(view(false, false, Some("Next WoW"))),
                want: Reads {
                    open_milestones: true,
                    current_issues: true,
                    events: true,
                    next_issues: None,
                    labelled_issues: outage(),
                    labels: true,
                    notes: false,
                },
            },
            Case {
                name: "priority without priorities is off: no Next WoW read",
                rules: &[Priority],
                priorities: false,
                view: None,
                want: Reads {
                    open_milestones: true,
                    current_issues: true,
                    events: false,
                    next_issues: None,
                    labelled_issues: vec![],
                    labels: false,
                    notes: false,
                },
            },
            Case {
                name: "only handoff: no WoW issues, no events, no labels",
                rules: &[Handoff],
                priorities: true,
                view: Some(view(true, false, Some("Next WoW"))),
                want: Reads {
                    open_milestones: false,
                    current_issues: false,
                    events: false,
                    next_issues: None,
                    labelled_issues: outage(),
                    labels: false,
                    notes: false,
                },
            },
            Case {
                name: "only label definitions and strays",
                rules: &[LabelDefinitions, StrayMilestones],
                priorities: true,
                view: None,
                want: Reads {
                    open_milestones: true,
                    current_issues: false,
                    events: false,
                    next_issues: None,
                    labelled_issues: vec![],
                    labels: true,
                    notes: false,
                },
            },
        ];
        for c in cases {
            let got = reads(&cfg(c.rules, c.priorities), c.view.as_ref());
            assert_eq!(got, c.want, "{}", c.name);
        }
    }

    #[test]
    fn notes_only_for_hand_off_comments() {
        let mut c = cfg(&[RuleName::Handoff], false);
        assert!(!reads(&c, None).notes);
        c.report.publish.handoff_comment = true;
        assert!(reads(&c, None).notes);
        c.audit.rules = vec![RuleName::Priority];
        assert!(
            !reads(&c, None).notes,
            "no hand-off rule, no hand-off issues to read"
        );
    }

    #[test]
    fn current_is_the_oldest_open_copy() {
        let open = vec![
            ms(5, "WoW", true, "2026-11-18T00:00:02Z"),
            ms(4, "WoW", true, "2026-11-18T00:00:02Z"),
            ms(3, "WoW", false, "2026-11-01T00:00:00Z"),
            ms(6, "Next WoW", true, "2026-11-01T00:00:00Z"),
        ];
        assert_eq!(find_current(&open, "WoW").map(|m| m.id), Some(4));
        assert_eq!(find_current(&open, "Nope"), None);
        assert_eq!(find_current(&[], "WoW"), None);
    }
}
