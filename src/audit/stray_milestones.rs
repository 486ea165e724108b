//! The `stray_milestones` rule (SPEC "Audit rules"): an open milestone titled like
//! `closed(...)` should have been closed. Fix: close it under its own title. Pure.

use super::{planned, AuditInput, Finding, Subject};
use crate::milestones::parse_closed_title;
use crate::settings::config::{Config, RuleName};
use crate::step::Step;

pub(crate) fn check(input: &AuditInput, cfg: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for m in input.open_milestones.iter().filter(|m| m.is_open()) {
        let Some(date) = parse_closed_title(&cfg.milestones, &m.title) else {
            continue;
        };
        // This week's `closed(D)` left open is the rotation's to close (SPEC
        // "Rotation": it then reports `resumed`); a fix here would be a second
        // close of the same milestone in one run.
        if date == input.week.closed_date {
            continue;
        }
        // A title dated after `D` names a week that has not ended: closing it would make
        // that week's rotation look done already. A person must look at it.
        let future = date > input.week.closed_date;
        let fix = (!future).then(|| Step::Close {
            id: m.id,
            title: m.title.clone(),
        });
        let message = if future {
            format!("open and titled for a week that has not ended ({date}): rename or delete it by hand")
        } else {
            format!("still open, but the week ending {date} is over: it should have been closed")
        };
        findings.push(Finding {
            rule: RuleName::StrayMilestones,
            subject: Subject::Milestone {
                id: m.id,
                title: m.title.clone(),
                web_url: m.web_url.clone(),
            },
            message,
            fix_status: planned(&fix),
            fix,
            since: None,
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::audit::FixStatus;
    use crate::gitlab::model::MilestoneState;

    #[test]
    fn a_future_week_title_is_reported_without_a_fix() {
        let mut input = input();
        input.open_milestones = vec![milestone(301, "WoW ending 2026-12-01")];
        let findings = check(&input, &Config::default());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].fix, None);
        assert_eq!(findings[0].fix_status, FixStatus::None);
        assert!(
            findings[0].message.contains("has not ended"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn table() {
        // (title, open, stray). closed_date of the fixture week is 2026-11-24.
        let cases: &[(&str, bool, bool)] = &[
            ("WoW ending 2026-11-17", true, true),
            ("WoW ending 2025-01-07", true, true),
            ("WoW ending 2026-11-24", true, false), // this week's: the rotation closes it
            ("WoW ending 2026-11-17", false, false),
            ("WoW", true, false),
            ("Next WoW", true, false),
            ("WoW ending soon", true, false),
            ("Release 2026-11-17", true, false),
        ];
        for (title, open, stray) in cases {
            let mut m = milestone(300, title);
            if !open {
                m.state = MilestoneState::Closed;
            }
            let mut input = input();
            input.open_milestones = vec![m.clone()];
            let findings = check(&input, &Config::default());
            assert_eq!(findings.len(), usize::from(*stray), "{title} (open {open})");
            if let Some(f) = findings.first() {
                assert_eq!(f.rule, RuleName::StrayMilestones);
                assert_eq!(
                    f.subject,
                    Subject::Milestone {
                        id: 300,
                        title: title.to_string(),
                        web_url: m.web_url.clone()
                    }
                );
                assert_eq!(
                    f.fix,
                    Some(Step::Close {
                        id: 300,
                        title: title.to_string()
                    })
                );
                assert_eq!(f.fix_status, FixStatus::Planned);
            }
        }
    }

    #[test]
    fn follows_the_configured_closed_title() {
        let mut cfg = Config::default();
        cfg.milestones.closed = "Sprint {date} (done)".into();
        let mut input = input();
        input.open_milestones = vec![
            milestone(1, "Sprint 2026-11-17 (done)"),
            milestone(2, "WoW ending 2026-11-17"),
        ];
        let findings = check(&input, &cfg);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].fix,
            Some(Step::Close {
                id: 1,
                title: "Sprint 2026-11-17 (done)".into()
            })
        );
        assert_eq!(
            findings[0].message,
            "still open, but the week ending 2026-11-17 is over: it should have been closed"
        );
    }
}
