//! Everything wowctl prints for people, and how: stdout that never panics on a
//! closed pipe, GitLab's collapsible log sections and colour (decided from the
//! environment, passed in), and the diagnostic log (`-v`…`-vvv`) on stderr.
//!
//! A closed pipe (`wowctl run | head`) or a full disk ends the output, never the
//! run: the report must still be written and the exit status still reflect the
//! work (Rust's `println!` would panic). Section markers are written only inside
//! GitLab CI (gitlab-api.md §10, Collapsible log sections); elsewhere a section is
//! a plain header line. Never prints the token: only wowctl's own modules log
//! above `warn` (the HTTP stack at debug/trace would print request details), and
//! the token header is also marked sensitive in the client.

use log::LevelFilter;
use std::collections::BTreeMap;
use std::io::Write;

/// Writes `text` to stdout as it is; write errors are dropped on purpose (see above).
pub(crate) fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// `println!` that never panics.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::console::print(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Starts the diagnostic log on stderr: `-v` info, `-vv` debug, `-vvv` trace, for
/// wowctl's own modules only; `-q` errors only.
pub(crate) fn init_logging(verbose: u8, quiet: bool, env: &BTreeMap<String, String>) {
    let level = match (quiet, verbose) {
        (true, _) => LevelFilter::Error,
        (false, 0) => LevelFilter::Warn,
        (false, 1) => LevelFilter::Info,
        (false, 2) => LevelFilter::Debug,
        (false, _) => LevelFilter::Trace,
    };
    let mut builder = env_logger::Builder::new();
    builder
        .filter_level(LevelFilter::Warn)
        .filter_module("wowctl", level)
        .format_timestamp(None)
        .format_target(verbose >= 2);
    if env.contains_key("NO_COLOR") {
        builder.write_style(env_logger::WriteStyle::Never);
    }
    let _ = builder.try_init();
}

/// How the job log is written here: inside GitLab CI or not, colour or not, quiet or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Console {
    /// Inside GitLab CI: section markers on.
    pub in_ci: bool,
    /// ANSI colour on.
    pub color: bool,
    /// `-q`: only errors and the summary.
    pub quiet: bool,
}

fn set(env: &BTreeMap<String, String>, key: &str) -> bool {
    env.get(key).is_some_and(|v| !v.is_empty())
}

impl Console {
    /// Colour when stdout is a terminal, or `FORCE_COLOR` is set (not `0`/`false`),
    /// or `CI=true` (GitLab's log viewer renders ANSI colour); `NO_COLOR` (any
    /// non-empty value, no-color.org) turns it off whatever else is set.
    pub(crate) fn from_env(
        env: &BTreeMap<String, String>,
        in_ci: bool,
        quiet: bool,
        is_terminal: bool,
    ) -> Console {
        let forced = env
            .get("FORCE_COLOR")
            .is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
        let ci = env.get("CI").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let color = !set(env, "NO_COLOR") && (is_terminal || forced || ci);
        Console { in_ci, color, quiet }
    }

    /// `text` in bold when colour is on, else `text` unchanged.
    pub(crate) fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// The start of a section, a whole line with its `\n` (print it with `print!`),
    /// or `""` when quiet outside CI. In CI: GitLab's marker,
    /// `ESC[0Ksection_start:<unix>:<name>[collapsed=true]\rESC[0K<header>`.
    pub(crate) fn section_start(&self, name: &str, header: &str, collapsed: bool, unix_secs: i64) -> String {
        let header = one_line(header);
        if self.in_ci {
            let opts = if collapsed { "[collapsed=true]" } else { "" };
            format!(
                "\x1b[0Ksection_start:{unix_secs}:{}{opts}\r\x1b[0K{}\n",
                section_name(name),
                self.bold(&header)
            )
        } else if self.quiet {
            String::new()
        } else {
            format!("{}\n", self.bold(&format!("== {header}")))
        }
    }

    /// The end of a section (with its `\n`) in CI; `""` elsewhere.
    pub(crate) fn section_end(&self, name: &str, unix_secs: i64) -> String {
        if self.in_ci {
            format!("\x1b[0Ksection_end:{unix_secs}:{}\r\x1b[0K\n", section_name(name))
        } else {
            String::new()
        }
    }
}

/// A section name GitLab accepts: letters, digits, `_`, `.`, `-`; anything else
/// becomes `_` (a name that does not match would print the marker as text).
pub(crate) fn section_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "wowctl".to_string()
    } else {
        s
    }
}

/// `s` on one line: control characters (line breaks, escapes) become spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn colour_decision() {
        // (env, is_terminal, want colour)
        /// (environment, stdout is a terminal, colour wanted)
        type Case<'a> = (&'a [(&'a str, &'a str)], bool, bool);
        let cases: &[Case] = &[
            (&[], false, false),
            (&[], true, true),
            (&[("FORCE_COLOR", "1")], false, true),
            (&[("FORCE_COLOR", "0")], false, false),
            (&[("FORCE_COLOR", "false")], false, false),
            (&[("CI", "true")], false, true),
            (&[("CI", "false")], false, false),
            (&[("NO_COLOR", "1")], true, false),
            (
                &[("NO_COLOR", "1"), ("FORCE_COLOR", "1"), ("CI", "true")],
                true,
                false,
            ),
            (&[("NO_COLOR", "")], true, true),
        ];
        for (pairs, tty, want) in cases {
            let log = Console::from_env(&env(pairs), false, false, *tty);
            assert_eq!(log.color, *want, "env {pairs:?} tty {tty}");
        }
    }

    #[test]
    fn sections_in_ci_use_gitlab_markers() {
        let log = Console {
            in_ci: true,
            color: false,
            quiet: false,
        };
        assert_eq!(
            log.section_start("rotation", "Rotating milestones", true, 1_700_000_000),
            "\x1b[0Ksection_start:1700000000:rotation[collapsed=true]\r\x1b[0KRotating milestones\n"
        );
        assert_eq!(
            log.section_start("audit", "Audit", false, 5),
            "\x1b[0Ksection_start:5:audit\r\x1b[0KAudit\n"
        );
        assert_eq!(
            log.section_end("rotation", 1_700_000_009),
            "\x1b[0Ksection_end:1700000009:rotation\r\x1b[0K\n"
        );
    }

    #[test]
    fn sections_outside_ci_are_plain() {
        let log = Console {
            in_ci: false,
            color: false,
            quiet: false,
        };
        assert_eq!(
            log.section_start("rotation", "Rotating", true, 1),
            "== Rotating\n"
        );
        assert_eq!(log.section_end("rotation", 2), "");
        let quiet = Console { quiet: true, ..log };
        assert_eq!(quiet.section_start("rotation", "Rotating", true, 1), "");
        let coloured = Console { color: true, ..log };
        assert_eq!(coloured.section_start("x", "H", false, 1), "\x1b[1m== H\x1b[0m\n");
    }

    #[test]
    fn section_names_and_headers_are_sanitised() {
        assert_eq!(section_name("audit rules/2"), "audit_rules_2");
        assert_eq!(section_name("ok.name-1_x"), "ok.name-1_x");
        assert_eq!(section_name(""), "wowctl");
        let log = Console {
            in_ci: true,
            color: false,
            quiet: false,
        };
        let s = log.section_start("a", "two\nlines\r", false, 1);
        assert_eq!(s.matches('\n').count(), 1, "{s:?}");
        assert_eq!(s.matches('\r').count(), 1, "{s:?}");
    }
}
