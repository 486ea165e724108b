//! Durations, the one place they are read and written: as in `.wow.yml` (`24h`,
//! `30m`, `2d`, `1h30m`, `0m`; `parse_duration` and its inverse `format_duration`),
//! and as a person reads an elapsed time (`for_people`: `2d 3h`). Pure; never
//! panics on any input, the parse error says what is allowed.

use std::time::Duration;

/// What the error messages say is allowed.
pub(crate) const DURATION_HELP: &str =
    "a duration like \"30m\", \"24h\", \"2d\" or \"1h30m\" (units d, h, m, s, largest first)";

/// Parses `<n><unit>` groups, units `d`, `h`, `m`, `s`, each at most once, largest first.
/// The error is a short reason; the caller adds the key and `DURATION_HELP`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    let mut total: u64 = 0;
    // Index into UNITS of the last unit seen: units must strictly decrease.
    let mut last_unit: Option<usize> = None;
    let mut rest = text;
    while !rest.is_empty() {
        let digits_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if rest.starts_with(char::is_whitespace) {
            return Err("no spaces allowed inside a duration".into());
        }
        if digits_len == 0 {
            return Err(format!("expected a number at {rest:?}"));
        }
        let (digits, after) = rest.split_at(digits_len);
        let mut chars = after.chars();
        let Some(unit) = chars.next() else {
            return Err(format!("{digits:?} has no unit"));
        };
        let Some(index) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(format!("unknown unit {unit:?}"));
        };
        if last_unit.is_some_and(|last| index <= last) {
            return Err(format!("unit {unit:?} repeated or out of order"));
        }
        last_unit = Some(index);
        let n: u64 = digits.parse().map_err(|_| "number too large".to_string())?;
        total = n
            .checked_mul(UNITS[index].1)
            .and_then(|secs| total.checked_add(secs))
            .ok_or_else(|| "duration too large".to_string())?;
        rest = chars.as_str();
    }
    Ok(Duration::from_secs(total))
}

const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// `24h`, `30m`, `90s`, `2d`, `1h30m`, `0m`: the form durations take in the file and in reports.
pub(crate) fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0m".into();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

/// A limit as a setting is usually written: whole hours as hours (`24h`, not
/// `1d`), else as `format_duration` writes it.
pub(crate) fn as_setting(d: Duration) -> String {
    let secs = d.as_secs();
    if secs > 0 && secs % 3_600 == 0 {
        format!("{}h", secs / 3_600)
    } else {
        format_duration(d)
    }
}

/// A silence as a person reads it: its two largest non-zero units, `2d 3h`,
/// `5h 12m`, `1d 1s` (so a silence just over `24h` never reads as `1d`).
pub(crate) fn for_people(d: chrono::TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    if secs == 0 {
        return "0s".into();
    }
    let units = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3_600, "h"),
        (secs % 3_600 / 60, "m"),
        (secs % 60, "s"),
    ];
    let parts: Vec<String> = units
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .take(2)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_valid_durations() {
        let cases = [
            ("0m", 0),
            ("0s", 0),
            ("30m", 1_800),
            ("24h", 86_400),
            ("2d", 172_800),
            ("1h30m", 5_400),
            ("1d2h3m4s", 93_784),
            ("90s", 90),
            (" 5m ", 300),
        ];
        for (text, secs) in cases {
            assert_eq!(parse_duration(text), Ok(Duration::from_secs(secs)), "{text}");
        }
    }

    #[test]
    fn rejects_invalid_durations() {
        let cases = [
            ("", "empty duration"),
            ("   ", "empty duration"),
            ("5", "\"5\" has no unit"),
            ("m", "expected a number at \"m\""),
            ("5x", "unknown unit 'x'"),
            ("1.5h", "unknown unit '.'"),
            ("-1h", "expected a number at \"-1h\""),
            ("30m1h", "unit 'h' repeated or out of order"),
            ("1h1h", "unit 'h' repeated or out of order"),
            ("1h 30m", "no spaces allowed inside a duration"),
            ("99999999999999999999s", "number too large"),
            ("999999999999999999d", "duration too large"),
            ("5é", "unknown unit 'é'"),
        ];
        for (text, reason) in cases {
            assert_eq!(parse_duration(text), Err(reason.to_string()), "{text:?}");
        }
    }

    #[test]
    fn format_then_parse_round_trips() {
        for secs in [0, 1, 59, 60, 61, 3_599, 3_600, 86_399, 86_400, 93_784, 1_000_000] {
            let d = Duration::from_secs(secs);
            assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{secs}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(s in ".{0,24}") {
            let _ = parse_duration(&s);
        }

        #[test]
        fn never_panics_on_duration_like_text(s in "[0-9dhms ]{0,24}") {
            let _ = parse_duration(&s);
        }
    }

    #[test]
    fn durations_for_people() {
        for (secs, want) in [
            (0, "0s"),
            (59, "59s"),
            (60, "1m"),
            (3_600, "1h"),
            (3_661, "1h 1m"),
            (183_600, "2d 3h"),
            (184_477, "2d 3h"),
            (86_401, "1d 1s"),
        ] {
            assert_eq!(for_people(chrono::TimeDelta::seconds(secs)), want, "{secs}");
        }
    }
}
