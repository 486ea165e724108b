//! The week a run belongs to: `week_start` (00:00 local on the most recent
//! `starts_on` at or before now), its last day, and `D` (the day before
//! `week_start`, the date in `closed(D)`). Pure: `now` is an argument, this file
//! never reads the clock.
//!
//! "00:00 local" is taken literally where it exists. Where a DST jump skips
//! midnight (America/Santiago, America/Havana spring forward at 00:00) the week
//! starts at the first instant of that local day; where midnight happens twice
//! (Havana falls back 01:00 → 00:00) it starts at the earlier one.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Week {
    /// The instant the week started (local midnight, as UTC).
    pub start: DateTime<Utc>,
    /// The local date of `start`.
    pub start_date: NaiveDate,
    /// The last day of the week, inclusive (`start_date` + 6).
    pub end_date: NaiveDate,
    /// `D`: the day before `start_date`, the last day of the week that ended.
    pub closed_date: NaiveDate,
}

impl Week {
    /// The week that starts on `start_date` (a local date in `tz`).
    pub(crate) fn starting(start_date: NaiveDate, tz: Tz) -> Week {
        Week {
            start: day_start(start_date, tz),
            start_date,
            end_date: add_days(start_date, 6),
            closed_date: sub_days(start_date, 1),
        }
    }

    /// `start_date` of the following week (`start_date` + 7).
    pub(crate) fn next_start_date(&self) -> NaiveDate {
        add_days(self.start_date, 7)
    }
}

/// Computes the week containing `now`: it started at the most recent `starts_on`
/// 00:00 in `tz` at or before `now` (exactly at it belongs to the new week).
pub(crate) fn week_of(now: DateTime<Utc>, starts_on: Weekday, tz: Tz) -> Week {
    let local_date = now.with_timezone(&tz).date_naive();
    let back = (7 + local_date.weekday().num_days_from_monday() - starts_on.num_days_from_monday()) % 7;
    let mut week = Week::starting(sub_days(local_date, u64::from(back)), tz);
    // Guards for the rare zones where the local date is not monotonic around a
    // transition (a fall-back across midnight): the rule is about instants.
    if week.start > now {
        week = Week::starting(sub_days(week.start_date, 7), tz);
    }
    let following = Week::starting(week.next_start_date(), tz);
    if following.start <= now {
        week = following;
    }
    week
}

/// The first instant of the local day `date` in `tz`: its 00:00, the earlier one
/// if 00:00 happens twice, or the end of the DST gap if 00:00 is skipped.
pub(crate) fn day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    if let Some(t) = earliest(tz, midnight) {
        return t;
    }
    // Midnight falls in a gap: the day begins where the gap ends. Gaps are whole
    // minutes in practice; walk minutes to the first valid local time, then back
    // second by second in case a historical offset was not a whole minute.
    // A gap never exceeds a day (Pacific/Apia skipped 2011-12-30 whole), so two
    // days of minutes is a safe bound.
    let mut local = midnight;
    for _ in 0..(2 * 24 * 60) {
        local += TimeDelta::minutes(1);
        if earliest(tz, local).is_some() {
            let mut first = local;
            for _ in 0..60 {
                let before = first - TimeDelta::seconds(1);
                if earliest(tz, before).is_none() {
                    break;
                }
                first = before;
            }
            if let Some(t) = earliest(tz, first) {
                return t;
            }
        }
    }
    // Unreachable with real tz data; fall back to midnight read as UTC rather
    // than panic.
    midnight.and_utc()
}

fn earliest(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// `date` + `n` days; saturates at chrono's maximum date instead of panicking.
pub(crate) fn add_days(date: NaiveDate, n: u64) -> NaiveDate {
    date.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

/// `date` − `n` days; saturates at chrono's minimum date instead of panicking.
pub(crate) fn sub_days(date: NaiveDate, n: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday::*;
    use chrono_tz::Tz;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    /// (case, now, starts_on, timezone, expected start instant, expected start date)
    #[rustfmt::skip]
    const CASES: &[(&str, &str, Weekday, &str, &str, &str)] = &[
        // Every start weekday, now = Wednesday 2026-11-18 09:00 UTC.
        ("monday", "2026-11-18T09:00:00Z", Mon, "UTC", "2026-11-16T00:00:00Z", "2026-11-16"),
        ("tuesday", "2026-11-18T09:00:00Z", Tue, "UTC", "2026-11-17T00:00:00Z", "2026-11-17"),
        ("wednesday", "2026-11-18T09:00:00Z", Wed, "UTC", "2026-11-18T00:00:00Z", "2026-11-18"),
        ("thursday", "2026-11-18T09:00:00Z", Thu, "UTC", "2026-11-12T00:00:00Z", "2026-11-12"),
        ("friday", "2026-11-18T09:00:00Z", Fri, "UTC", "2026-11-13T00:00:00Z", "2026-11-13"),
        ("saturday", "2026-11-18T09:00:00Z", Sat, "UTC", "2026-11-14T00:00:00Z", "2026-11-14"),
        ("sunday", "2026-11-18T09:00:00Z", Sun, "UTC", "2026-11-15T00:00:00Z", "2026-11-15"),
        // Exactly at the week start belongs to the new week; just before, to the old one.
        ("exactly at start", "2026-11-18T00:00:00Z", Wed, "UTC", "2026-11-18T00:00:00Z", "2026-11-18"),
        ("1 s before", "2026-11-17T23:59:59Z", Wed, "UTC", "2026-11-11T00:00:00Z", "2026-11-11"),
        ("1 ns before", "2026-11-17T23:59:59.999999999Z", Wed, "UTC", "2026-11-11T00:00:00Z", "2026-11-11"),
        ("last instant of week", "2026-11-24T23:59:59.999999999Z", Wed, "UTC", "2026-11-18T00:00:00Z", "2026-11-18"),
        // Year ends.
        ("new year, week began in old year", "2026-01-01T10:00:00Z", Wed, "UTC", "2025-12-31T00:00:00Z", "2025-12-31"),
        ("new year, friday week", "2026-01-01T10:00:00Z", Fri, "UTC", "2025-12-26T00:00:00Z", "2025-12-26"),
        ("week starting on new year's day", "2027-01-03T12:00:00Z", Fri, "UTC", "2027-01-01T00:00:00Z", "2027-01-01"),
        ("leap day", "2028-03-01T12:00:00Z", Tue, "UTC", "2028-02-29T00:00:00Z", "2028-02-29"),
        // East of UTC: Auckland (NZDT, +13) is already Wednesday while UTC is Tuesday.
        ("auckland ahead", "2026-11-17T12:00:00Z", Wed, "Pacific/Auckland", "2026-11-17T11:00:00Z", "2026-11-18"),
        ("auckland 1 s before", "2026-11-17T10:59:59Z", Wed, "Pacific/Auckland", "2026-11-10T11:00:00Z", "2026-11-11"),
        // West of UTC: Los Angeles (PST, -8) is still Tuesday while UTC is Wednesday.
        ("los angeles behind", "2026-11-18T05:00:00Z", Wed, "America/Los_Angeles", "2026-11-11T08:00:00Z", "2026-11-11"),
        ("los angeles at start", "2026-11-18T08:00:00Z", Wed, "America/Los_Angeles", "2026-11-18T08:00:00Z", "2026-11-18"),
        // Europe/Berlin: DST starts 2026-03-29 02:00 → 03:00, ends 2026-10-25 03:00 → 02:00.
        ("berlin week spans spring change", "2026-03-31T12:00:00Z", Wed, "Europe/Berlin", "2026-03-24T23:00:00Z", "2026-03-25"),
        ("berlin first week in summer time", "2026-03-31T22:00:00Z", Wed, "Europe/Berlin", "2026-03-31T22:00:00Z", "2026-04-01"),
        ("berlin 1 s before summer week", "2026-03-31T21:59:59Z", Wed, "Europe/Berlin", "2026-03-24T23:00:00Z", "2026-03-25"),
        ("berlin sunday of the change", "2026-03-29T10:00:00Z", Sun, "Europe/Berlin", "2026-03-28T23:00:00Z", "2026-03-29"),
        ("berlin monday after the change", "2026-03-30T10:00:00Z", Mon, "Europe/Berlin", "2026-03-29T22:00:00Z", "2026-03-30"),
        ("berlin sunday of autumn change", "2026-10-25T10:00:00Z", Sun, "Europe/Berlin", "2026-10-24T22:00:00Z", "2026-10-25"),
        ("berlin wednesday after autumn", "2026-10-28T00:00:00Z", Wed, "Europe/Berlin", "2026-10-27T23:00:00Z", "2026-10-28"),
        // America/New_York: DST starts 2026-03-08, ends 2026-11-01 (02:00 local).
        ("new york spring sunday", "2026-03-08T12:00:00Z", Sun, "America/New_York", "2026-03-08T05:00:00Z", "2026-03-08"),
        ("new york autumn sunday", "2026-11-01T17:00:00Z", Sun, "America/New_York", "2026-11-01T04:00:00Z", "2026-11-01"),
        ("new york wednesday after autumn", "2026-11-04T05:00:00Z", Wed, "America/New_York", "2026-11-04T05:00:00Z", "2026-11-04"),
        ("new york 1 s before", "2026-11-04T04:59:59Z", Wed, "America/New_York", "2026-10-28T04:00:00Z", "2026-10-28"),
        // Australia/Sydney (southern hemisphere): DST starts 2026-10-04 02:00, ends 2026-04-05 03:00.
        ("sydney spring sunday", "2026-10-04T00:00:00Z", Sun, "Australia/Sydney", "2026-10-03T14:00:00Z", "2026-10-04"),
        ("sydney wednesday after spring", "2026-10-06T13:00:00Z", Wed, "Australia/Sydney", "2026-10-06T13:00:00Z", "2026-10-07"),
        ("sydney autumn sunday", "2026-04-05T06:00:00Z", Sun, "Australia/Sydney", "2026-04-04T13:00:00Z", "2026-04-05"),
        ("sydney wednesday after autumn", "2026-04-07T14:00:00Z", Wed, "Australia/Sydney", "2026-04-07T14:00:00Z", "2026-04-08"),
        // America/Havana: DST starts 2026-03-08 00:00 → 01:00 (midnight skipped),
        // ends 2026-11-01 01:00 → 00:00 (midnight happens twice).
        ("havana midnight skipped", "2026-03-08T05:00:00Z", Sun, "America/Havana", "2026-03-08T05:00:00Z", "2026-03-08"),
        ("havana 1 s before gap end", "2026-03-08T04:59:59Z", Sun, "America/Havana", "2026-03-01T05:00:00Z", "2026-03-01"),
        ("havana midnight twice, first", "2026-11-01T04:30:00Z", Sun, "America/Havana", "2026-11-01T04:00:00Z", "2026-11-01"),
        ("havana midnight twice, second", "2026-11-01T05:30:00Z", Sun, "America/Havana", "2026-11-01T04:00:00Z", "2026-11-01"),
        ("havana 1 s before ambiguous", "2026-11-01T03:59:59Z", Sun, "America/Havana", "2026-10-25T04:00:00Z", "2026-10-25"),
        // America/Santiago: DST starts 2026-09-06 00:00 → 01:00 (midnight skipped),
        // ends 2026-04-05 00:00 → Saturday 23:00.
        ("santiago midnight skipped", "2026-09-06T12:00:00Z", Sun, "America/Santiago", "2026-09-06T04:00:00Z", "2026-09-06"),
        ("santiago gap end exactly", "2026-09-06T04:00:00Z", Sun, "America/Santiago", "2026-09-06T04:00:00Z", "2026-09-06"),
        ("santiago 1 s before gap end", "2026-09-06T03:59:59Z", Sun, "America/Santiago", "2026-08-30T04:00:00Z", "2026-08-30"),
        ("santiago autumn sunday", "2026-04-05T12:00:00Z", Sun, "America/Santiago", "2026-04-05T04:00:00Z", "2026-04-05"),
        ("santiago saturday repeated hour", "2026-04-05T03:30:00Z", Sun, "America/Santiago", "2026-03-29T03:00:00Z", "2026-03-29"),
    ];

    #[test]
    fn week_of_table() {
        let mut failures = Vec::new();
        for &(case, now, starts_on, zone, start, start_date) in CASES {
            let w = week_of(utc(now), starts_on, tz(zone));
            let sd = date(start_date);
            let expected = Week {
                start: utc(start),
                start_date: sd,
                end_date: sd + Days::new(6),
                closed_date: sd - Days::new(1),
            };
            if w != expected {
                failures.push(format!("{case}: got {w:?}, want {expected:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn wednesday_week_ends_tuesday_and_d_is_tuesday_before() {
        let w = week_of(utc("2026-11-18T09:00:00Z"), Wed, Tz::UTC);
        assert_eq!(w.start_date.weekday(), Wed);
        assert_eq!(w.end_date, date("2026-11-24"));
        assert_eq!(w.end_date.weekday(), Tue);
        assert_eq!(w.closed_date, date("2026-11-17"));
        assert_eq!(w.next_start_date(), date("2026-11-25"));
    }

    #[test]
    fn day_start_handles_gaps_and_repeats() {
        let cases = [
            ("2026-03-08", "America/Havana", "2026-03-08T05:00:00Z"),
            ("2026-11-01", "America/Havana", "2026-11-01T04:00:00Z"),
            ("2026-09-06", "America/Santiago", "2026-09-06T04:00:00Z"),
            ("2026-03-29", "Europe/Berlin", "2026-03-28T23:00:00Z"),
            // Samoa skipped 2011-12-30 entirely: that "day" begins when 2011-12-31 does.
            ("2011-12-30", "Pacific/Apia", "2011-12-30T10:00:00Z"),
        ];
        for (d, zone, want) in cases {
            assert_eq!(day_start(date(d), tz(zone)), utc(want), "{d} in {zone}");
        }
    }

    /// Invariants over many instants and zones: the week contains `now`, starts on
    /// `starts_on` in local time, and the next week starts after `now`.
    #[test]
    fn week_contains_now_everywhere() {
        let zones = [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Australia/Sydney",
            "America/Santiago",
            "America/Havana",
            "Pacific/Auckland",
            "America/Los_Angeles",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
        ];
        let days = [Mon, Tue, Wed, Thu, Fri, Sat, Sun];
        let mut t = utc("2025-12-20T00:00:00Z");
        let end = utc("2027-01-10T00:00:00Z");
        while t < end {
            for zone in zones {
                for d in days {
                    let w = week_of(t, d, tz(zone));
                    let next = Week::starting(w.next_start_date(), tz(zone));
                    assert!(w.start <= t && t < next.start, "{t} {zone} {d}: {w:?}");
                    assert_eq!(w.start_date.weekday(), d);
                    assert_eq!(w.start.with_timezone(&tz(zone)).date_naive(), w.start_date);
                }
            }
            t += TimeDelta::minutes(397);
        }
    }
}
