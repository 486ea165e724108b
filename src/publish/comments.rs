//! Comments wowctl writes on issues (SPEC "Publishing"): a hand-off nudge on an
//! issue with a `handoff` finding (`publish.handoff_comment`), at most once per
//! `audit.handoff_max_silence`, and why an issue got ~unscheduled
//! (`publish.explain_fixes`). wowctl finds its own comments again by their
//! markers. Pure: the notes were read by `observe`, `apply` writes.

use crate::audit::{label_ref, Finding, FixStatus, Subject};
use crate::gitlab::model::Note;
use crate::settings::config::{LabelNames, RuleName};
use crate::settings::duration::{as_setting, for_people};
use crate::step::{IssueRef, Step};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use std::collections::HashMap;
use std::time::Duration;

pub(crate) const HANDOFF_MARKER: &str = "<!-- wowctl:handoff -->";
pub(crate) const EXPLAIN_MARKER: &str = "<!-- wowctl:explain -->";

/// What the notes of one issue tell wowctl.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NotesSeen {
    /// The newest note not written by wowctl's token: the last sign of a person.
    pub last_person: Option<DateTime<Utc>>,
    /// wowctl's newest hand-off nudge.
    pub last_nudge: Option<DateTime<Utc>>,
}

/// Reads the notes of one issue; `token_user` is the id of the token's user.
pub(crate) fn notes_seen(notes: &[Note], token_user: u64) -> NotesSeen {
    let mut seen = NotesSeen::default();
    for note in notes {
        let at = Some(note.created_at);
        if note.author.id != token_user {
            seen.last_person = seen.last_person.max(at);
        } else if note.body.contains(HANDOFF_MARKER) {
            seen.last_nudge = seen.last_nudge.max(at);
        }
    }
    seen
}

/// A nudge on each issue with a `handoff` finding, unless wowctl nudged it less
/// than `window` ago. `nudged` holds wowctl's last nudge by (project id, iid);
/// `mentions` are `publish.handoff_mentions` (assignees are always mentioned).
pub(crate) fn handoff_nudges(
    findings: &[Finding],
    nudged: &HashMap<(u64, u64), DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
    mentions: &[String],
    labels: &LabelNames,
) -> Vec<Step> {
    let span = TimeDelta::from_std(window).unwrap_or(TimeDelta::MAX);
    findings
        .iter()
        .filter(|f| f.rule == RuleName::Handoff)
        .filter_map(|f| match &f.subject {
            Subject::Issue(issue) => Some((f, issue)),
            _ => None,
        })
        .filter(|(_, issue)| {
            nudged
                .get(&(issue.project_id, issue.iid))
                .is_none_or(|at| now - *at >= span)
        })
        .map(|(f, issue)| {
            let silence = f.since.map(|since| now - since).filter(|s| *s > span);
            Step::Comment {
                issue: issue.clone(),
                body: nudge_text(issue, silence, window, mentions, labels),
                why: "hand-off nudge",
            }
        })
        .collect()
}

/// "@dave.db @production-oncall this ~"(perceived) data loss" issue has had no
/// update for 4d 9h (the limit is 24h). Please hand it off here: …"
fn nudge_text(
    issue: &IssueRef,
    silence: Option<TimeDelta>,
    window: Duration,
    mentions: &[String],
    labels: &LabelNames,
) -> String {
    let mut who: Vec<String> = issue.assignees.iter().map(|a| format!("@{a}")).collect();
    for m in mentions {
        if !who.contains(m) {
            who.push(m.clone());
        }
    }
    let greeting = if who.is_empty() {
        String::new()
    } else {
        format!("{} ", who.join(" "))
    };
    let kind = [&labels.outage, &labels.data_loss]
        .into_iter()
        .find(|l| issue.labels.contains(l))
        .map_or_else(String::new, |l| format!("{} ", label_ref(l)));
    let limit = as_setting(window);
    let quiet = silence.map(|s| format!("no update for {} (the limit is {limit})", for_people(s)));
    let (state, ask) = match (issue.assignees.is_empty(), quiet) {
        (true, None) => (
            "has no owner".to_string(),
            "Please write here who takes it, its status, and the next step.",
        ),
        (true, Some(q)) => (
            format!("has no owner and {q}"),
            "Please write here who takes it, its status, and the next step.",
        ),
        (false, q) => (
            format!("has had {}", q.unwrap_or_else(|| "no recent update".into())),
            "Please hand it off here: who owns it now, its status, and the next step.",
        ),
    };
    format!(
        "{greeting}this {kind}issue {state}. {ask}\n\n\
         _wowctl's weekly audit asks at most once every {limit} while the issue stays silent._\n\n\
         {HANDOFF_MARKER}"
    )
}

/// Why each issue this run gave ~unscheduled got it (`publish.explain_fixes`);
/// in a dry run, for each fix it would apply (listed as planned). `current` is a
/// reference to `WoW` (`%12`, or `%"WoW"`).
pub(crate) fn fix_explanations(
    findings: &[Finding],
    unscheduled: &str,
    current: &str,
    week_start: NaiveDate,
) -> Vec<Step> {
    findings
        .iter()
        .filter(|f| {
            f.rule == RuleName::Unscheduled && matches!(f.fix_status, FixStatus::Applied | FixStatus::Planned)
        })
        .filter_map(|f| match (&f.subject, f.since) {
            (Subject::Issue(issue), Some(added)) => Some(Step::Comment {
                issue: issue.clone(),
                body: format!(
                    "wowctl added {}: this issue was added to {current} on {}, after the week \
                     started on {week_start}. Work added during the week is unscheduled unless it is \
                     an outage.\n\n{EXPLAIN_MARKER}",
                    label_ref(unscheduled),
                    added.format("%Y-%m-%d %H:%M UTC"),
                ),
                why: "why it got the unscheduled label",
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::User;
    use crate::settings::Config;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn note(author: u64, body: &str, when: &str) -> Note {
        Note {
            id: 1,
            body: body.into(),
            author: User {
                id: author,
                username: format!("u{author}"),
                name: String::new(),
            },
            created_at: at(when),
            system: false,
        }
    }

    fn issue(iid: u64, assignees: &[&str]) -> IssueRef {
        IssueRef {
            project_id: 1,
            iid,
            title: "Webhook deliveries failing".into(),
            reference: format!("#{iid}"),
            web_url: String::new(),
            confidential: false,
            assignees: assignees.iter().map(|a| a.to_string()).collect(),
            labels: vec!["outage".into()],
        }
    }

    fn handoff(issue: IssueRef, since: &str) -> Finding {
        Finding {
            rule: RuleName::Handoff,
            subject: Subject::Issue(issue),
            message: String::new(),
            fix: None,
            fix_status: FixStatus::None,
            since: Some(at(since)),
        }
    }

    #[test]
    fn notes_tell_a_person_from_wowctl() {
        let notes = [
            note(7, &format!("nudge {HANDOFF_MARKER}"), "2026-11-24T10:00:00Z"),
            note(7, "wowctl's other comment", "2026-11-25T10:00:00Z"),
            note(3, "on it", "2026-11-22T10:00:00Z"),
            note(4, "@bob any news?", "2026-11-23T10:00:00Z"),
        ];
        assert_eq!(
            notes_seen(&notes, 7),
            NotesSeen {
                last_person: Some(at("2026-11-23T10:00:00Z")),
                last_nudge: Some(at("2026-11-24T10:00:00Z")),
            }
        );
        assert_eq!(notes_seen(&[], 7), NotesSeen::default());
    }

    #[test]
    fn a_nudge_at_most_once_per_window_in_words_a_person_reads() {
        let now = at("2026-11-25T12:00:00Z");
        let day = Duration::from_secs(86_400);
        let labels = Config::default().labels;
        let oncall = ["@oncall".to_string()];
        let findings = [
            handoff(issue(5, &["bob"]), "2026-11-21T09:00:00Z"),
            handoff(issue(6, &[]), "2026-11-25T07:00:00Z"),
        ];
        let mut nudged = HashMap::new();
        // #5 nudged six hours ago: not again; #6 never: now.
        nudged.insert((1, 5), at("2026-11-25T06:00:00Z"));
        let steps = handoff_nudges(&findings, &nudged, now, day, &oncall, &labels);
        let bodies: Vec<(u64, String)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Comment { issue, body, .. } => Some((issue.iid, body.clone())),
                _ => None,
            })
            .collect();
        let footer = format!(
            "\n\n_wowctl's weekly audit asks at most once every 24h while the issue stays silent._\n\n{HANDOFF_MARKER}"
        );
        assert_eq!(
            bodies,
            [(
                6,
                format!(
                    "@oncall this ~outage issue has no owner. Please write here who takes it, its status, and the next step.{footer}"
                )
            )]
        );
        // A day after the last nudge: again, the assignee mentioned first.
        nudged.insert((1, 5), at("2026-11-24T12:00:00Z"));
        let steps = handoff_nudges(&findings[..1], &nudged, now, day, &oncall, &labels);
        let Step::Comment { body, .. } = &steps[0] else {
            panic!("{steps:?}")
        };
        assert_eq!(
            body,
            &format!(
                "@bob @oncall this ~outage issue has had no update for 4d 3h (the limit is 24h). \
                 Please hand it off here: who owns it now, its status, and the next step.{footer}"
            )
        );
        // Unassigned and silent; no mentions configured: no greeting.
        let silent = [handoff(issue(6, &[]), "2026-11-23T12:00:00Z")];
        let steps = handoff_nudges(&silent, &HashMap::new(), now, day, &[], &labels);
        let Step::Comment { body, .. } = &steps[0] else {
            panic!("{steps:?}")
        };
        assert!(
            body.starts_with("this ~outage issue has no owner and no update for 2d (the limit is 24h). "),
            "{body}"
        );
    }

    #[test]
    fn explanations_only_for_fixes_this_run_applied_or_plans() {
        let fixed = |status| Finding {
            rule: RuleName::Unscheduled,
            subject: Subject::Issue(issue(8, &[])),
            message: String::new(),
            fix: None,
            fix_status: status,
            since: Some(at("2026-11-28T11:52:00Z")),
        };
        let week = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let steps = fix_explanations(
            &[
                fixed(FixStatus::Applied),
                fixed(FixStatus::Planned),
                fixed(FixStatus::Failed),
            ],
            "unscheduled",
            "%\"WoW\"",
            week,
        );
        assert_eq!(
            steps.len(),
            2,
            "applied, and planned in a dry run; not a failed fix"
        );
        let Step::Comment { body, .. } = &steps[0] else {
            panic!("{steps:?}")
        };
        assert_eq!(
            body,
            &format!(
                "wowctl added ~unscheduled: this issue was added to %\"WoW\" on 2026-11-28 11:52 UTC, \
                 after the week started on 2026-11-25. Work added during the week is unscheduled \
                 unless it is an outage.\n\n{EXPLAIN_MARKER}"
            )
        );
    }
}
