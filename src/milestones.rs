//! Milestone titles: `current`, `next`, `closed(D)`; recognising `closed(...)`
//! titles (for strays and history); finding duplicates. Pure.

use crate::settings::config::MilestoneTitles;
use chrono::NaiveDate;

/// `closed` with `{date}` replaced by `YYYY-MM-DD`.
pub fn closed_title(titles: &MilestoneTitles, d: NaiveDate) -> String {
    titles.closed.replace("{date}", &d.format("%Y-%m-%d").to_string())
}

/// The date in a title shaped like `closed(...)`, e.g. `WoW ending 2026-11-17` → 2026-11-17.
pub fn parse_closed_title(titles: &MilestoneTitles, title: &str) -> Option<NaiveDate> {
    let (prefix, suffix) = titles.closed.split_once("{date}")?;
    let date = title.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if date.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Config;

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
