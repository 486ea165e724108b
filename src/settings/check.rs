//! What `wowctl config check` prints: every effective setting with its value and where it
//! came from, in aligned columns. Pure; the token's value is never shown, only whether it is set.

use super::keys::KEYS;
use super::{Settings, Source, Sourced};

/// The table of effective settings, one per line, ending in a newline.
pub(crate) fn render(settings: &Settings) -> String {
    let mut rows: Vec<[String; 3]> = vec![["setting".into(), "value".into(), "source".into()]];
    let mut row = |name: &str, value: String, source: String| rows.push([name.into(), value, source]);
    let not_set = |hint: &str| ("(not set)".to_string(), hint.to_string());

    let (value, source) = match &settings.api_url {
        Some(s) => (s.value.clone(), s.source.to_string()),
        None => not_set("required for run, rotate, audit: WOW_API_URL or --api-url"),
    };
    row("api url", value, source);

    let (value, source) = match &settings.scope {
        Some(s) => (s.value.describe(), s.source.to_string()),
        None => not_set("required for run, rotate, audit: WOW_PROJECT, --project or WOW_GROUP"),
    };
    row("scope", value, source);

    let (value, source) = match &settings.token {
        Some(s) => ("(set, redacted)".to_string(), s.source.to_string()),
        None => not_set("required for run, rotate, audit: WOW_TOKEN or GITLAB_TOKEN"),
    };
    row("token", value, source);

    row(
        "dry run",
        settings.dry_run.value.to_string(),
        settings.dry_run.source.to_string(),
    );
    row(
        "action",
        settings.action.value.as_str().into(),
        settings.action.source.to_string(),
    );
    row(
        "now",
        settings.now.value.to_rfc3339(),
        settings.now.source.to_string(),
    );

    let (value, source) = match (&settings.config_path, &settings.config_path_source) {
        (Some(path), Some(source)) => (path.display().to_string(), source.to_string()),
        (Some(path), None) => (path.display().to_string(), String::new()),
        (None, _) => ("(none)".to_string(), "no .wow.yml: built-in defaults".to_string()),
    };
    row("config file", value, source);

    row(
        "report dir",
        sourced_path(&settings.report_dir),
        settings.report_dir.source.to_string(),
    );

    let (value, source) = match &settings.ca_file {
        Some(s) => (sourced_path(s), s.source.to_string()),
        None => not_set("system roots"),
    };
    row("ca file", value, source);

    for key in KEYS {
        let value = (key.show)(&settings.config);
        let source = settings
            .config_sources
            .get(key.name)
            .unwrap_or(&Source::Default)
            .to_string();
        row(key.name, value, source);
    }

    align(&rows)
}

fn sourced_path(p: &Sourced<std::path::PathBuf>) -> String {
    p.value.display().to_string()
}

/// Pads the first two columns to their widest cell, two spaces apart; no trailing spaces.
/// A value longer than `MAX_VALUE_WIDTH` (a long rule list) overflows rather than pushing
/// every source far to the right.
fn align(rows: &[[String; 3]]) -> String {
    const MAX_VALUE_WIDTH: usize = 40;
    let width = |col: usize, max: usize| {
        rows.iter()
            .map(|r| r[col].chars().count())
            .filter(|w| *w <= max)
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0, usize::MAX), width(1, MAX_VALUE_WIDTH));
    let mut out = String::new();
    for [a, b, c] in rows {
        let line = format!("{a:<w0$}  {b:<w1$}  {c}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{resolve, Flags};
    use chrono::{TimeZone, Utc};
    use std::collections::BTreeMap;
    use std::io;
    use std::path::Path;

    const SECRET: &str = "glpat-Sup3rS3cretValue";

    fn settings(vars: &[(&str, &str)], file: Option<&str>) -> Settings {
        let env: BTreeMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let file = file.map(str::to_string);
        let read = move |p: &Path| -> io::Result<String> {
            match (&file, p == Path::new(".wow.yml")) {
                (Some(text), true) => Ok(text.clone()),
                _ => Err(io::Error::from(io::ErrorKind::NotFound)),
            }
        };
        let clock = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
        resolve(&Flags::default(), &env, &read, clock).unwrap()
    }

    #[test]
    fn renders_every_setting_with_its_source_aligned() {
        let s = settings(
            &[
                ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
                ("CI_PROJECT_ID", "42"),
                ("WOW_TOKEN", SECRET),
                ("CI_PIPELINE_SOURCE", "schedule"),
            ],
            Some("week:\n  timezone: Europe/Berlin\n"),
        );
        let out = render(&s);
        let expected = "\
setting                           value                              source
api url                           https://gitlab.example.com/api/v4  CI variable CI_API_V4_URL
scope                             project 42                         CI variable CI_PROJECT_ID
token                             (set, redacted)                    variable WOW_TOKEN
dry run                           false                              CI_PIPELINE_SOURCE=schedule: changes are applied
action                            run                                default
now                               2026-11-25T09:00:00+00:00          system clock
config file                       .wow.yml                           found in the working directory
report dir                        wow-report                         default
ca file                           (not set)                          system roots
milestones.current                \"WoW\"                              default
milestones.next                   \"Next WoW\"                         default
milestones.closed                 \"WoW ending {date}\"                default
week.starts_on                    wednesday                          default
week.timezone                     Europe/Berlin                      .wow.yml:2
rotation.carry_over_open_issues   true                               default
rotation.set_dates                true                               default
labels.unscheduled                \"unscheduled\"                      default
labels.outage                     \"outage\"                           default
labels.data_loss                  \"(perceived) data loss\"            default
labels.priorities                 []                                 default
audit.fix                         true                               default
audit.grace                       0m                                 default
audit.handoff_max_silence         1d                                 default
audit.rules                       [unscheduled, priority, handoff, label_definitions, stray_milestones]  default
report.formats                    [markdown, json, junit, dotenv]    default
report.fail_on_findings           false                              default
report.history_weeks              8                                  default
report.confidential_titles        false                              default
report.publish.milestone_summary  true                               default
report.publish.issue              false                              default
report.publish.issue_title        \"WoW report: {start} – {end}\"      default
report.publish.issue_labels       []                                 default
report.publish.handoff_comment    false                              default
report.publish.handoff_mentions   []                                 default
report.publish.explain_fixes      false                              default
api.concurrency                   8                                  default
api.timeout                       30s                                default
api.max_retries                   5                                  default
api.token_expiry_warning          30d                                default
";
        assert_eq!(out, expected);
    }

    #[test]
    fn unset_values_say_what_to_set() {
        let out = render(&settings(&[], None));
        for line in [
            "api url                           (not set)",
            "token                             (not set)",
            "config file                       (none)",
            "CI_PIPELINE_SOURCE not set (outside CI): dry run unless WOW_DRY_RUN=false or --dry-run=false",
        ] {
            assert!(out.contains(line), "{line:?} missing in\n{out}");
        }
        assert!(out.contains("WOW_TOKEN or GITLAB_TOKEN"));
    }

    #[test]
    fn the_token_never_appears() {
        for name in ["WOW_TOKEN", "GITLAB_TOKEN"] {
            let s = settings(
                &[(name, SECRET), ("WOW_API_URL", "https://g.example/api/v4")],
                None,
            );
            assert_eq!(s.token.as_ref().map(|t| t.value.expose()), Some(SECRET));
            let rendered = render(&s);
            let debug = format!("{s:?}");
            let pretty = format!("{s:#?}");
            for text in [&rendered, &debug, &pretty] {
                assert!(!text.contains(SECRET), "token leaked: {text}");
                assert!(!text.contains("Sup3r"), "token leaked: {text}");
            }
            let token_line = rendered
                .lines()
                .find(|l| l.starts_with("token "))
                .unwrap_or_default();
            assert!(token_line.contains("(set, redacted)"), "{token_line}");
            assert!(token_line.ends_with(&format!("variable {name}")), "{token_line}");
        }
    }
}
