//! The weekly report issue (SPEC "Publishing": `publish.issue`): one issue per
//! week holding the report, found again by the marker in its description (after
//! a person renamed it too), created when absent, its description replaced only
//! when what it says changed; last week's, when still open, closed; a newer copy
//! a racing run created, closed. Pure: `observe` searched, `apply` writes.
//!
//! "Changed" means: this run changed the tracker, or what needs a person is not
//! what the issue last said (a digest of it sits in the marker). So a second run in
//! the week that finds the same things writes nothing, though its own report
//! differs (nothing rotated, nothing fixed this time).

use crate::gitlab::model::Issue;
use crate::step::{IssueRef, Step};
use chrono::NaiveDate;

/// The start of the marker for the week starting `start`:
/// `<!-- wowctl:report week=2026-11-25`, followed by ` digest=… -->`.
pub(crate) fn marker(start: NaiveDate) -> String {
    format!("<!-- wowctl:report week={start}")
}

/// What to search a description for to find `marker`: its words as one quoted
/// phrase (GitLab's issue search splits on spaces otherwise), without the comment
/// opener, which is not a word.
pub(crate) fn search_term(marker: &str) -> String {
    format!("\"{}\"", marker.trim_start_matches("<!-- "))
}

/// The title from `publish.issue_title`: `{start}` and `{end}` become the dates.
pub(crate) fn title(template: &str, start: NaiveDate, end: NaiveDate) -> String {
    template
        .replace("{start}", &start.to_string())
        .replace("{end}", &end.to_string())
}

/// A short, stable fingerprint of `text` (FNV-1a, 64 bits): the same on every
/// platform and Rust version, unlike `std`'s hasher. Not for security.
pub(crate) fn digest(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The issue's description: the marker line with `digest`, then the report.
pub(crate) fn description(start: NaiveDate, digest: &str, report: &str) -> String {
    format!("{} digest={digest} -->\n\n{report}", marker(start))
}

/// The digest recorded in a description written by [`description`].
fn recorded_digest(description: &str) -> Option<&str> {
    let rest = &description[description.find(" digest=")? + " digest=".len()..];
    rest.split_whitespace().next()
}

/// What the run knows when it publishes the report issue.
pub(crate) struct Wanted<'a> {
    /// The project's API path (`Scope::api_prefix`).
    pub project: String,
    pub week_start: NaiveDate,
    pub title: String,
    pub labels: &'a [String],
    /// The report, as report.md has it.
    pub report: &'a str,
    /// Digest of what needs a person this week.
    pub digest: String,
    /// This run changed the tracker (a rotation step or a fix was applied).
    pub changed_tracker: bool,
}

/// The writes for the report issue, from the issues the searches found: this
/// week's candidates (by title, then by marker) and last week's open ones.
pub(crate) fn plan(wanted: &Wanted<'_>, this_week: &[Issue], last_week: &[Issue]) -> Vec<Step> {
    let mark = marker(wanted.week_start);
    let marked = |i: &&Issue| i.description.as_deref().is_some_and(|d| d.starts_with(&mark));
    let mut ours: Vec<&Issue> = this_week.iter().filter(marked).collect();
    ours.sort_by_key(|i| i.iid);
    ours.dedup_by_key(|i| i.iid);
    let text = description(wanted.week_start, &wanted.digest, wanted.report);
    let mut steps = Vec::new();
    match ours.split_first() {
        None => steps.push(Step::CreateReportIssue {
            project: wanted.project.clone(),
            title: wanted.title.clone(),
            description: text,
            labels: wanted.labels.to_vec(),
            marker: mark,
        }),
        Some((kept, newer)) => {
            let now = kept.description.as_deref().unwrap_or("");
            let news = recorded_digest(now) != Some(wanted.digest.as_str());
            if (wanted.changed_tracker || news) && now != text {
                steps.push(Step::UpdateReportIssue {
                    issue: IssueRef::from(*kept),
                    description: text,
                });
            }
            for copy in newer.iter().filter(|i| i.is_open()) {
                steps.push(Step::CloseIssue {
                    issue: IssueRef::from(*copy),
                    why: "a second report issue for the same week",
                });
            }
        }
    }
    let last = marker(wanted.week_start - chrono::Days::new(7));
    for old in last_week.iter().filter(|i| i.is_open()) {
        if old.description.as_deref().is_some_and(|d| d.starts_with(&last)) {
            steps.push(Step::CloseIssue {
                issue: IssueRef::from(old),
                why: "last week's report",
            });
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::IssueState;
    use chrono::{DateTime, Utc};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn issue(iid: u64, open: bool, description: &str) -> Issue {
        let at = DateTime::parse_from_rfc3339("2026-11-25T06:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        Issue {
            id: 500 + iid,
            iid,
            project_id: 1,
            title: "WoW report: 2026-11-25 – 2026-12-01".into(),
            state: if open {
                IssueState::Opened
            } else {
                IssueState::Closed
            },
            created_at: at,
            updated_at: at,
            closed_at: None,
            labels: vec![],
            milestone: None,
            assignees: vec![],
            web_url: String::new(),
            references: None,
            confidential: false,
            description: Some(description.to_string()),
        }
    }

    fn wanted(changed: bool, digest: &str) -> Wanted<'static> {
        Wanted {
            project: "/projects/1".into(),
            week_start: day("2026-11-25"),
            title: "WoW report: 2026-11-25 – 2026-12-01".into(),
            labels: &[],
            report: "# WoW report",
            digest: digest.into(),
            changed_tracker: changed,
        }
    }

    fn kinds(steps: &[Step]) -> Vec<String> {
        steps.iter().map(Step::describe).collect()
    }

    #[test]
    fn title_and_marker() {
        assert_eq!(
            title(
                "WoW report: {start} – {end}",
                day("2026-11-25"),
                day("2026-12-01")
            ),
            "WoW report: 2026-11-25 – 2026-12-01"
        );
        let d = description(day("2026-11-25"), "00ff", "body");
        assert_eq!(d, "<!-- wowctl:report week=2026-11-25 digest=00ff -->\n\nbody");
        assert_eq!(recorded_digest(&d), Some("00ff"));
        assert_eq!(recorded_digest("a person's text"), None);
        assert_eq!(digest("abc"), "e71fa2190541574b");
        assert_ne!(digest("abc"), digest("abd"));
    }

    #[test]
    fn the_plan_for_each_state_of_the_tracker() {
        let current = description(day("2026-11-25"), "d1", "# WoW report");
        let older_report = description(day("2026-11-25"), "d1", "# an older report");
        let last_week = description(day("2026-11-18"), "d0", "# last week");
        struct Case {
            name: &'static str,
            wanted: Wanted<'static>,
            this_week: Vec<Issue>,
            last_week: Vec<Issue>,
            want: Vec<&'static str>,
        }
        let cases = [
            Case {
                name: "first run of the week: create",
                wanted: wanted(true, "d1"),
                this_week: vec![],
                last_week: vec![],
                want: vec!["create the report issue \"WoW report: 2026-11-25 – 2026-12-01\""],
            },
            Case {
                name: "a title match without the marker is someone else's: create",
                wanted: wanted(true, "d1"),
                this_week: vec![issue(3, true, "a person's issue")],
                last_week: vec![],
                want: vec!["create the report issue \"WoW report: 2026-11-25 – 2026-12-01\""],
            },
            Case {
                name: "second run, same findings, nothing changed: nothing",
                wanted: wanted(false, "d1"),
                this_week: vec![issue(7, true, &older_report)],
                last_week: vec![],
                want: vec![],
            },
            Case {
                name: "second run, what needs a person changed: update",
                wanted: wanted(false, "d2"),
                this_week: vec![issue(7, true, &older_report)],
                last_week: vec![],
                want: vec!["update the report in #7"],
            },
            Case {
                name: "this run changed the tracker: update",
                wanted: wanted(true, "d1"),
                this_week: vec![issue(7, true, &older_report)],
                last_week: vec![],
                want: vec!["update the report in #7"],
            },
            Case {
                name: "the text is already there: nothing",
                wanted: wanted(true, "d1"),
                this_week: vec![issue(7, true, &current)],
                last_week: vec![],
                want: vec![],
            },
            Case {
                name: "two copies (racing runs): keep the older, close the newer",
                wanted: wanted(false, "d1"),
                this_week: vec![issue(9, true, &current), issue(7, true, &current)],
                last_week: vec![],
                want: vec!["close #9: a second report issue for the same week"],
            },
            Case {
                name: "a closed report of this week is updated, not duplicated",
                wanted: wanted(false, "d2"),
                this_week: vec![issue(7, false, &older_report)],
                last_week: vec![],
                want: vec!["update the report in #7"],
            },
            Case {
                name: "last week's report still open: closed",
                wanted: wanted(true, "d1"),
                this_week: vec![],
                last_week: vec![issue(4, true, &last_week), issue(2, false, &last_week)],
                want: vec![
                    "create the report issue \"WoW report: 2026-11-25 – 2026-12-01\"",
                    "close #4: last week's report",
                ],
            },
        ];
        for c in cases {
            let steps = plan(&c.wanted, &c.this_week, &c.last_week);
            assert_eq!(kinds(&steps), c.want, "{}", c.name);
        }
    }
}
