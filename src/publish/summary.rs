//! The closed week's summary in its milestone's description (SPEC "Publishing":
//! `milestone_summary`): written by the PUT of rotation step 1, between markers,
//! keeping a person's text outside them byte for byte. Pure.
//!
//! The references are GitLab's own (`#12+`, `%"WoW"`), so the milestone page shows
//! titles only to people allowed to see them (a confidential issue stays hidden).

use crate::gitlab::model::Issue;
use crate::settings::config::LabelNames;
use crate::step::Step;
use chrono::NaiveDate;
use std::fmt::Write as _;

pub(crate) const START: &str = "<!-- wowctl:summary -->";
pub(crate) const END: &str = "<!-- /wowctl:summary -->";

/// At most this many references per list; the rest is "and N more".
const LISTED: usize = 50;

/// What the summary is made of: the week that ends, and its milestone's issues
/// (open and closed) as read before the rename.
pub(crate) struct ClosedWeek<'a> {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub issues: &'a [Issue],
    /// A reference to the milestone the open issues move to: `%12` (by its iid,
    /// which keeps pointing at that week once it is renamed) or `%"WoW"`.
    pub carried_to: &'a str,
    pub pipeline_url: Option<&'a str>,
}

/// The summary, without markers.
pub(crate) fn summary(week: &ClosedWeek<'_>, labels: &LabelNames) -> String {
    let refs = |keep: &dyn Fn(&Issue) -> bool| -> Vec<&Issue> {
        let mut picked: Vec<&Issue> = week.issues.iter().filter(|i| keep(i)).collect();
        picked.sort_by_key(|i| (i.project_id, i.iid));
        picked
    };
    let closed = refs(&|i| !i.is_open());
    let open = refs(&|i| i.is_open());
    let unscheduled = refs(&|i| i.has_label(&labels.unscheduled));
    let outages = refs(&|i| i.has_label(&labels.outage));
    let data_loss = refs(&|i| i.has_label(&labels.data_loss));

    let mut o = String::new();
    let _ = writeln!(o, "**Week {} – {}**, closed by wowctl", week.start, week.end);
    let _ = writeln!(o);
    list(&mut o, "Done", &closed);
    let carried = format!("Still open, carried over to {}", week.carried_to);
    list(&mut o, &carried, &open);
    let unscheduled_heading = format!("Unscheduled {}", label(&labels.unscheduled));
    list(&mut o, &unscheduled_heading, &unscheduled);
    list(&mut o, &format!("Outages {}", label(&labels.outage)), &outages);
    list(
        &mut o,
        &format!("Data loss {}", label(&labels.data_loss)),
        &data_loss,
    );
    if let Some(url) = week.pipeline_url {
        let _ = writeln!(o);
        let _ = writeln!(o, "[The pipeline that closed the week]({url})");
    }
    o.trim_end().to_string()
}

/// `~name`, or `~"two words"`.
fn label(name: &str) -> String {
    crate::audit::label_ref(name)
}

/// One group: its heading with the count, then an issue per line (GitLab shows
/// each `#12+` as the issue's title, which would run together on one line).
fn list(o: &mut String, heading: &str, issues: &[&Issue]) {
    if issues.is_empty() {
        let _ = writeln!(o, "- {heading}: none");
        return;
    }
    let _ = writeln!(o, "- {heading} ({}):", issues.len());
    for i in issues.iter().take(LISTED) {
        let _ = writeln!(o, "  - {}+", i.full_reference());
    }
    let more = issues.len().saturating_sub(LISTED);
    if more > 0 {
        let _ = writeln!(o, "  - and {more} more");
    }
}

/// The milestone's new description: `existing` with the summary between the
/// markers replaced (or appended after a blank line when there is none), every
/// byte outside the markers kept.
pub(crate) fn merge(existing: Option<&str>, summary: &str) -> String {
    let block = format!("{START}\n{summary}\n{END}");
    let existing = existing.unwrap_or("");
    // The last start marker that an end marker follows is ours: a stray start
    // marker in a person's text before it stays text.
    let mut search = existing.len();
    while let Some(start) = existing[..search].rfind(START) {
        if let Some(end) = existing[start..].find(END).map(|e| start + e + END.len()) {
            return format!("{}{block}{}", &existing[..start], &existing[end..]);
        }
        search = start;
    }
    if existing.trim().is_empty() {
        block
    } else {
        format!("{existing}\n\n{block}")
    }
}

/// Puts the summary on rotation step 1, if the plan has one: the same PUT that
/// renames and closes `WoW` writes it, so publishing costs no request. A week
/// closed by other means (by hand, by an older version) has no step 1 and is
/// left alone.
pub(crate) fn attach(steps: &mut [Step], existing: Option<&str>, summary: &str) {
    for step in steps {
        if let Step::CloseAndRename { description, .. } = step {
            *description = Some(merge(existing, summary));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::{IssueState, References};
    use crate::settings::Config;
    use chrono::{DateTime, Utc};

    fn issue(iid: u64, open: bool, labels: &[&str]) -> Issue {
        let at = DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        Issue {
            id: 100 + iid,
            iid,
            project_id: 1,
            title: format!("Secret title {iid}"),
            state: if open {
                IssueState::Opened
            } else {
                IssueState::Closed
            },
            created_at: at,
            updated_at: at,
            closed_at: None,
            labels: labels.iter().map(|l| l.to_string()).collect(),
            milestone: None,
            assignees: vec![],
            web_url: String::new(),
            references: Some(References {
                short: format!("#{iid}"),
                full: format!("#{iid}"),
            }),
            confidential: iid == 9,
            description: None,
        }
    }

    fn week(issues: &[Issue]) -> ClosedWeek<'_> {
        ClosedWeek {
            start: NaiveDate::from_ymd_opt(2026, 11, 18).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
            issues,
            carried_to: "%12",
            pipeline_url: Some("https://gitlab.example/p/-/pipelines/7"),
        }
    }

    #[test]
    fn the_summary_lists_the_week_by_reference_only() {
        let issues = vec![
            issue(12, false, &["unscheduled"]),
            issue(3, false, &[]),
            issue(10, true, &["outage"]),
            issue(9, true, &["(perceived) data loss"]),
        ];
        let text = summary(&week(&issues), &Config::default().labels);
        assert_eq!(
            text,
            "**Week 2026-11-18 – 2026-11-24**, closed by wowctl\n\n\
             - Done (2):\n  - #3+\n  - #12+\n\
             - Still open, carried over to %12 (2):\n  - #9+\n  - #10+\n\
             - Unscheduled ~unscheduled (1):\n  - #12+\n\
             - Outages ~outage (1):\n  - #10+\n\
             - Data loss ~\"(perceived) data loss\" (1):\n  - #9+\n\n\
             [The pipeline that closed the week](https://gitlab.example/p/-/pipelines/7)"
        );
        assert!(
            !text.contains("Secret title"),
            "titles come from GitLab, per viewer"
        );
        let many: Vec<Issue> = (1..=60).map(|i| issue(i, false, &[])).collect();
        let text = summary(&week(&many), &Config::default().labels);
        assert!(text.contains("- Done (60):\n  - #1+\n  - #2+\n"), "{text}");
        assert!(text.contains("  - #50+\n  - and 10 more\n"), "{text}");
        assert!(text.contains("- Outages ~outage: none"), "{text}");
    }

    #[test]
    fn merge_keeps_a_persons_text_byte_for_byte() {
        let s = "the summary";
        let block = format!("{START}\n{s}\n{END}");
        let cases: [(Option<&str>, String); 6] = [
            (None, block.clone()),
            (Some(""), block.clone()),
            (Some("  \n"), block.clone()),
            (
                Some("Retro notes:\r\n* a\t"),
                format!("Retro notes:\r\n* a\t\n\n{block}"),
            ),
            (
                Some(&format!("before\n{START}\nold\n{END}\n  after ")),
                format!("before\n{block}\n  after "),
            ),
            // An unterminated start marker is text: the block goes after it.
            (Some(&format!("x {START} y")), format!("x {START} y\n\n{block}")),
        ];
        for (existing, want) in cases {
            assert_eq!(merge(existing, s), want, "{existing:?}");
            // Writing it again changes nothing.
            assert_eq!(merge(Some(&want), s), want, "{existing:?} twice");
        }
    }

    #[test]
    fn attach_writes_only_on_step_1() {
        let mut steps = vec![
            Step::CloseAndRename {
                id: 1,
                from: "WoW".into(),
                to: "WoW ending 2026-11-24".into(),
                description: None,
            },
            Step::Close {
                id: 2,
                title: "WoW ending 2026-11-17".into(),
            },
        ];
        attach(&mut steps, Some("notes"), "s");
        assert_eq!(
            steps[0],
            Step::CloseAndRename {
                id: 1,
                from: "WoW".into(),
                to: "WoW ending 2026-11-24".into(),
                description: Some(format!("notes\n\n{START}\ns\n{END}")),
            }
        );
        assert_eq!(steps[1].kind(), "close");
        let mut none = vec![Step::Close {
            id: 2,
            title: "x".into(),
        }];
        attach(&mut none, None, "s");
        assert_eq!(none[0].describe(), "close \"x\"");
    }
}
