//! The week a run belongs to: `week_start` (00:00 local on the most recent
//! `starts_on` at or before now), its last day, and `D` (the day before
//! `week_start`, the date in `closed(D)`). Pure: `now` is an argument.

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Week {
    /// The instant the week started (local midnight, as UTC).
    pub start: DateTime<Utc>,
    /// The local date of `start`.
    pub start_date: NaiveDate,
    /// The last day of the week, inclusive (`start_date` + 6).
    pub end_date: NaiveDate,
    /// `D`: the day before `start_date`, the last day of the week that ended.
    pub closed_date: NaiveDate,
}

/// Computes the week containing `now`. STUB: implemented by the rotation work.
pub fn week_of(now: DateTime<Utc>, starts_on: Weekday, tz: Tz) -> Week {
    let _ = (now, starts_on, tz);
    unimplemented!("week_of")
}
