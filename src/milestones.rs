//! Milestone titles: `current`, `next`, `closed(D)`; recognising `closed(...)`
//! titles (for strays and history); finding duplicates. Pure: no I/O, titles are
//! compared exactly and case-sensitively, as GitLab's `title=` filter and its
//! uniqueness check do (gitlab-api.md §2).

use crate::gitlab::model::Milestone;
use crate::settings::config::MilestoneTitles;
use chrono::NaiveDate;
use std::cmp::Ordering;

/// A GitLab reference to `m` that keeps pointing at it after a rename: `%12` by
/// its iid for a project milestone; a group milestone has no iid reference, so
/// `%"title"`.
pub(crate) fn reference(m: &Milestone) -> String {
    if m.project_id.is_some() && m.iid > 0 {
        format!("%{}", m.iid)
    } else {
        format!("%\"{}\"", m.title)
    }
}

/// `closed` with `{date}` replaced by `YYYY-MM-DD`.
pub(crate) fn closed_title(titles: &MilestoneTitles, d: NaiveDate) -> String {
    titles.closed.replace("{date}", &d.format("%Y-%m-%d").to_string())
}

/// The date in a title shaped like `closed(...)`, e.g. `WoW ending 2026-11-17` → 2026-11-17.
pub(crate) fn parse_closed_title(titles: &MilestoneTitles, title: &str) -> Option<NaiveDate> {
    let (prefix, suffix) = titles.closed.split_once("{date}")?;
    let date = title.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if date.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// Older first: by `created_at`, then by lower id (ids grow with creation, so they
/// break a tie between two runs that created copies in the same second).
pub(crate) fn oldest_first(a: &Milestone, b: &Milestone) -> Ordering {
    a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id))
}

/// Every milestone titled exactly `title`, in any state, oldest first: the first is
/// the one to keep when overlapping runs created copies (SPEC "Rotation").
pub(crate) fn titled<'a>(milestones: &'a [Milestone], title: &str) -> Vec<&'a Milestone> {
    let mut found: Vec<&Milestone> = milestones.iter().filter(|m| m.title == title).collect();
    found.sort_by(|a, b| oldest_first(a, b));
    found.dedup_by_key(|m| m.id);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::MilestoneState;
    use crate::settings::Config;
    use chrono::{DateTime, Utc};

    fn ms(id: u64, title: &str, created_at: &str) -> Milestone {
        Milestone {
            id,
            iid: id,
            project_id: Some(1),
            group_id: None,
            title: title.into(),
            description: None,
            state: MilestoneState::Active,
            created_at: DateTime::parse_from_rfc3339(created_at)
                .unwrap()
                .with_timezone(&Utc),
            updated_at: None,
            start_date: None,
            due_date: None,
            web_url: None,
        }
    }

    #[test]
    fn titled_is_exact_and_oldest_first() {
        let all = vec![
            ms(9, "Next WoW", "2026-11-18T00:00:05Z"),
            ms(7, "Next WoW", "2026-11-18T00:00:05Z"),
            ms(5, "Next WoW", "2026-11-18T00:00:09Z"),
            ms(3, "next wow", "2026-11-01T00:00:00Z"),
            ms(2, "Next WoW ", "2026-11-01T00:00:00Z"),
            ms(1, "WoW", "2026-11-11T00:00:00Z"),
        ];
        let ids: Vec<u64> = titled(&all, "Next WoW").iter().map(|m| m.id).collect();
        assert_eq!(
            ids,
            vec![7, 9, 5],
            "same second: lower id first; then later created_at"
        );
        assert_eq!(titled(&all, "WoW").first().map(|m| m.id), Some(1));
        assert!(titled(&all, "Sprint").is_empty());
    }

    #[test]
    fn closed_title_shapes() {
        let t = Config::default().milestones;
        let custom = MilestoneTitles {
            current: "Sprint".into(),
            next: "Next Sprint".into(),
            closed: "Sprint {date} done".into(),
        };
        let cases = [
            (&t, "WoW ending 2026-11-17", true),
            (&t, "WoW ending 2026-02-30", false),
            (&t, "WoW", false),
            (&t, "WoW ending 2026-11-17 (2)", false),
            (&custom, "Sprint 2026-11-15 done", true),
            (&custom, "Sprint 2026-11-15", false),
            (&custom, "Sprint done", false),
        ];
        for (titles, title, want) in cases {
            assert_eq!(parse_closed_title(titles, title).is_some(), want, "{title}");
        }
        let d = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        assert_eq!(closed_title(&custom, d), "Sprint 2026-11-15 done");
    }

    #[test]
    fn closed_titles_round_trip() {
        let t = Config::default().milestones;
        let d = NaiveDate::from_ymd_opt(2026, 11, 17).unwrap();
        assert_eq!(closed_title(&t, d), "WoW ending 2026-11-17");
        assert_eq!(parse_closed_title(&t, "WoW ending 2026-11-17"), Some(d));
        assert_eq!(parse_closed_title(&t, "WoW ending 2026-11-7"), None);
        assert_eq!(parse_closed_title(&t, "WoW ending soon"), None);
        assert_eq!(parse_closed_title(&t, "Next WoW"), None);
    }
}
