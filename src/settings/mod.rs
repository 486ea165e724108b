//! The resolved settings of one run: every value with where it came from.
//!
//! Precedence (SPEC "Settings and their precedence"): flag > `WOW_*` variable >
//! configuration file > GitLab's predefined CI variables > default. `resolve` is
//! pure: it takes the flags, the environment as a map and a file reader, so tests
//! need no real environment. Only this module reads the clock.

pub mod check;
pub mod config;
pub mod duration;
pub mod env;
pub mod error;
pub mod file;
pub mod keys;
pub mod mode;
pub mod values;

pub use config::{Config, Format, RuleName};
pub use error::ConfigError;

use crate::gitlab::model::Scope;
use crate::gitlab::Token;
use chrono::{DateTime, Utc};
use env::Env;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The common flags as typed on the command line (`cli` converts into this).
/// `None` = not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub dry_run: Option<bool>,
    pub config: Option<PathBuf>,
    pub report_dir: Option<PathBuf>,
    pub now: Option<String>,
    pub project: Option<String>,
    pub group: Option<String>,
    pub api_url: Option<String>,
}

/// Where a value came from, for `wowctl config check` and for error messages
/// ("the token in WOW_TOKEN was rejected").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Flag {
        name: String,
    },
    Variable {
        name: String,
    },
    File {
        path: String,
        line: usize,
    },
    /// A GitLab predefined CI variable (`CI_PROJECT_ID`, ...).
    Ci {
        name: String,
    },
    Default,
    /// Computed from other values (dry run from `CI_PIPELINE_SOURCE`).
    Derived {
        reason: String,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag { name } => write!(f, "flag {name}"),
            Source::Variable { name } => write!(f, "variable {name}"),
            Source::File { path, line } => write!(f, "{path}:{line}"),
            Source::Ci { name } => write!(f, "CI variable {name}"),
            Source::Default => write!(f, "default"),
            Source::Derived { reason } => write!(f, "{reason}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub fn new(value: T, source: Source) -> Self {
        Sourced { value, source }
    }
}

/// What `wowctl run` does (`WOW_ACTION`, for manual pipelines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Run,
    Rotate,
    Audit,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Run => "run",
            Action::Rotate => "rotate",
            Action::Audit => "audit",
        }
    }
}

/// Links for the report (`CI_PIPELINE_URL`, ...). Absent outside CI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Links {
    pub pipeline_url: Option<String>,
    pub job_url: Option<String>,
    pub project_url: Option<String>,
    pub pipeline_source: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// API base without a trailing slash, e.g. `https://gitlab.com/api/v4`.
    pub api_url: Option<Sourced<String>>,
    /// The project, or the group in group mode (`--group` wins over a project).
    pub scope: Option<Sourced<Scope>>,
    pub token: Option<Sourced<Token>>,
    pub dry_run: Sourced<bool>,
    pub action: Sourced<Action>,
    pub now: Sourced<DateTime<Utc>>,
    /// The configuration file read, if any.
    pub config_path: Option<PathBuf>,
    /// Where `config_path` came from (`--config`, `WOW_CONFIG`, or found as `.wow.yml`).
    pub config_path_source: Option<Source>,
    pub report_dir: Sourced<PathBuf>,
    pub ca_file: Option<Sourced<PathBuf>>,
    pub links: Links,
    pub config: Config,
    /// Source of each configuration key (`"week.timezone"`), for `config check`.
    pub config_sources: BTreeMap<String, Source>,
    /// True when running inside GitLab CI (`CI=true`, or `GITLAB_CI`): log sections on.
    pub in_ci: bool,
}

/// The file read when neither `--config` nor `WOW_CONFIG` names one.
pub const DEFAULT_CONFIG_FILE: &str = ".wow.yml";
/// The report directory when neither `--report-dir` nor `WOW_REPORT_DIR` names one.
pub const DEFAULT_REPORT_DIR: &str = "wow-report";

/// Builds the settings from flags, the environment (a map: tests pass their own), a file
/// reader and the clock. Pure apart from `read_file`. Precedence per setting: flag >
/// `WOW_*` > configuration file > GitLab predefined `CI_*` > default. Empty flag and
/// variable values count as unset. Only the value that wins is checked.
pub fn resolve(
    flags: &Flags,
    env: &BTreeMap<String, String>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
    clock: DateTime<Utc>,
) -> Result<Settings, ConfigError> {
    let env = Env::new(env);
    let flag_path = |value: &Option<PathBuf>| value.as_ref().filter(|p| !p.as_os_str().is_empty()).cloned();

    let (config, config_sources, config_path, config_path_source) =
        read_config(flag_path(&flags.config), env, read_file)?;

    let api_url = if let Some(v) = flag(&flags.api_url) {
        Some(Sourced::new(
            env::parse_api_url("--api-url", v)?,
            flag_source("--api-url"),
        ))
    } else if let Some(v) = env.get("WOW_API_URL") {
        Some(Sourced::new(
            env::parse_api_url("WOW_API_URL", v)?,
            var_source("WOW_API_URL"),
        ))
    } else if let Some(v) = env.get("CI_API_V4_URL") {
        Some(Sourced::new(
            env::parse_api_url("CI_API_V4_URL", v)?,
            ci_source("CI_API_V4_URL"),
        ))
    } else if let Some(v) = env.get("CI_SERVER_URL") {
        let api = format!("{}/api/v4", v.trim_end_matches('/'));
        Some(Sourced::new(
            env::parse_api_url("CI_SERVER_URL", &api)?,
            ci_source("CI_SERVER_URL"),
        ))
    } else {
        None
    };

    // `--group` / `WOW_GROUP` switch to group milestones and win over any project.
    let scope = if let Some(v) = flag(&flags.group) {
        Some(Sourced::new(
            Scope::Group(env::parse_scope_id("--group", v)?),
            flag_source("--group"),
        ))
    } else if let Some(v) = env.get("WOW_GROUP") {
        Some(Sourced::new(
            Scope::Group(env::parse_scope_id("WOW_GROUP", v)?),
            var_source("WOW_GROUP"),
        ))
    } else if let Some(v) = flag(&flags.project) {
        let id = env::parse_scope_id("--project", v)?;
        Some(Sourced::new(Scope::Project(id), flag_source("--project")))
    } else if let Some(v) = env.get("WOW_PROJECT") {
        let id = env::parse_scope_id("WOW_PROJECT", v)?;
        Some(Sourced::new(Scope::Project(id), var_source("WOW_PROJECT")))
    } else if let Some(v) = env.get("CI_PROJECT_ID") {
        let id = env::parse_scope_id("CI_PROJECT_ID", v)?;
        Some(Sourced::new(Scope::Project(id), ci_source("CI_PROJECT_ID")))
    } else {
        None
    };

    let token = match env.first(&["WOW_TOKEN", "GITLAB_TOKEN"]) {
        Some((name, secret)) => {
            env::check_token(name, secret)?;
            Some(Sourced::new(Token::new(secret, name), var_source(name)))
        }
        None => None,
    };

    let dry_run = mode::dry_run(
        flags.dry_run,
        env.get("WOW_DRY_RUN"),
        env.get("CI_PIPELINE_SOURCE"),
    )?;

    let action = match env.get("WOW_ACTION") {
        Some(v) => Sourced::new(env::parse_action("WOW_ACTION", v)?, var_source("WOW_ACTION")),
        None => Sourced::new(Action::Run, Source::Default),
    };

    let now = if let Some(v) = flag(&flags.now) {
        Sourced::new(env::parse_now("--now", v)?, flag_source("--now"))
    } else if let Some(v) = env.get("WOW_NOW") {
        Sourced::new(env::parse_now("WOW_NOW", v)?, var_source("WOW_NOW"))
    } else {
        Sourced::new(
            clock,
            Source::Derived {
                reason: "system clock".into(),
            },
        )
    };

    let report_dir = if let Some(p) = flag_path(&flags.report_dir) {
        Sourced::new(p, flag_source("--report-dir"))
    } else if let Some(v) = env.get("WOW_REPORT_DIR") {
        Sourced::new(PathBuf::from(v), var_source("WOW_REPORT_DIR"))
    } else {
        Sourced::new(PathBuf::from(DEFAULT_REPORT_DIR), Source::Default)
    };

    let ca_file = env
        .get("CI_SERVER_TLS_CA_FILE")
        .map(|v| Sourced::new(PathBuf::from(v), ci_source("CI_SERVER_TLS_CA_FILE")));

    Ok(Settings {
        api_url,
        scope,
        token,
        dry_run,
        action,
        now,
        config_path,
        config_path_source,
        report_dir,
        ca_file,
        links: env.links(),
        config,
        config_sources,
        in_ci: env.in_ci(),
    })
}

type ConfigRead = (Config, BTreeMap<String, Source>, Option<PathBuf>, Option<Source>);

/// The configuration file named by `--config` or `WOW_CONFIG` (must exist), else `.wow.yml`
/// if there is one, else the built-in defaults.
fn read_config(
    flag: Option<PathBuf>,
    env: Env<'_>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<ConfigRead, ConfigError> {
    let named = match flag {
        Some(path) => Some((path, "--config")),
        None => env.get("WOW_CONFIG").map(|v| (PathBuf::from(v), "WOW_CONFIG")),
    };
    let (path, source) = match named {
        Some((path, origin)) => {
            let source = if origin == "--config" {
                flag_source(origin)
            } else {
                var_source(origin)
            };
            (path, source)
        }
        None => {
            let path = PathBuf::from(DEFAULT_CONFIG_FILE);
            match read_file(&path) {
                Ok(text) => {
                    let found = Source::Derived {
                        reason: "found in the working directory".into(),
                    };
                    return parsed(&text, path, found);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let sources = keys::KEYS.iter().map(|k| (k.name.to_string(), Source::Default));
                    return Ok((Config::default(), sources.collect(), None, None));
                }
                Err(e) => {
                    return Err(ConfigError::new(
                        "configuration file",
                        Some(DEFAULT_CONFIG_FILE),
                        format!(
                            "cannot be read ({e}); fix it, or name another file with --config or WOW_CONFIG"
                        ),
                    ))
                }
            }
        }
    };
    let origin = match &source {
        Source::Flag { name } | Source::Variable { name } => name.clone(),
        other => other.to_string(),
    };
    let shown = path.display().to_string();
    match read_file(&path) {
        Ok(text) => parsed(&text, path, source),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ConfigError::new(
            origin,
            Some(&shown),
            "configuration file not found (paths are relative to the working directory)",
        )),
        Err(e) => Err(ConfigError::new(
            origin,
            Some(&shown),
            format!("cannot read the configuration file ({e})"),
        )),
    }
}

fn parsed(text: &str, path: PathBuf, source: Source) -> Result<ConfigRead, ConfigError> {
    let (config, sources) = file::parse(text, &path.display().to_string())?;
    Ok((config, sources, Some(path), Some(source)))
}

/// A flag's value, trimmed; empty counts as not given.
fn flag(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn flag_source(name: &str) -> Source {
    Source::Flag { name: name.into() }
}

fn var_source(name: &str) -> Source {
    Source::Variable { name: name.into() }
}

fn ci_source(name: &str) -> Source {
    Source::Ci { name: name.into() }
}

impl Settings {
    /// The API URL, token and scope that every network command needs, or an error
    /// that names the variable to set.
    pub fn require_api(&self) -> Result<(&str, &Token, &Scope), ConfigError> {
        let api_url = self.api_url.as_ref().ok_or_else(|| {
            ConfigError::new(
                "WOW_API_URL",
                None,
                "no GitLab API URL; set WOW_API_URL or --api-url, e.g. \
                 https://gitlab.example.com/api/v4 (or run inside GitLab CI, which sets CI_API_V4_URL)",
            )
        })?;
        let token = self.token.as_ref().ok_or_else(|| {
            ConfigError::new(
                "WOW_TOKEN",
                None,
                "no token; set WOW_TOKEN or GITLAB_TOKEN to a project access token with the \
                 Planner role (or above) and the api scope, as a masked CI/CD variable",
            )
        })?;
        let scope = self.scope.as_ref().ok_or_else(|| {
            ConfigError::new(
                "WOW_PROJECT",
                None,
                "no project; set WOW_PROJECT or --project to its id or full path (CI sets \
                 CI_PROJECT_ID), or WOW_GROUP or --group for group milestones",
            )
        })?;
        Ok((&api_url.value, &token.value, &scope.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::io;

    fn clock() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
    }

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A file system holding only `files`.
    fn files(files: &[(&str, &str)]) -> impl Fn(&Path) -> io::Result<String> {
        let files: BTreeMap<PathBuf, String> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        move |p: &Path| {
            files
                .get(p)
                .cloned()
                .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
        }
    }

    fn resolve_with(
        flags: &Flags,
        env: &[(&str, &str)],
        fs: &[(&str, &str)],
    ) -> Result<Settings, ConfigError> {
        resolve(flags, &vars(env), &files(fs), clock())
    }

    fn ok(flags: &Flags, env: &[(&str, &str)], fs: &[(&str, &str)]) -> Settings {
        resolve_with(flags, env, fs).unwrap_or_else(|e| panic!("unexpected error: {e}"))
    }

    fn err(flags: &Flags, env: &[(&str, &str)], fs: &[(&str, &str)]) -> String {
        match resolve_with(flags, env, fs) {
            Ok(s) => panic!("expected an error, got {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn flag(name: &str) -> Source {
        Source::Flag { name: name.into() }
    }
    fn var(name: &str) -> Source {
        Source::Variable { name: name.into() }
    }
    fn ci(name: &str) -> Source {
        Source::Ci { name: name.into() }
    }

    #[test]
    fn defaults_outside_ci() {
        let s = ok(&Flags::default(), &[], &[]);
        assert_eq!(s.api_url, None);
        assert_eq!(s.scope, None);
        assert!(s.token.is_none());
        assert!(s.dry_run.value);
        assert_eq!(s.action, Sourced::new(Action::Run, Source::Default));
        assert_eq!(
            s.now,
            Sourced::new(
                clock(),
                Source::Derived {
                    reason: "system clock".into()
                }
            )
        );
        assert_eq!(s.config_path, None);
        assert_eq!(
            s.report_dir,
            Sourced::new(PathBuf::from("wow-report"), Source::Default)
        );
        assert_eq!(s.ca_file, None);
        assert_eq!(s.links, Links::default());
        assert_eq!(s.config, Config::default());
        assert_eq!(s.config_sources.len(), keys::KEYS.len());
        assert!(!s.in_ci);
    }

    #[test]
    fn api_url_precedence() {
        let all = [
            ("WOW_API_URL", "https://wow.example/api/v4/"),
            ("CI_API_V4_URL", "https://ci.example/api/v4"),
            ("CI_SERVER_URL", "https://server.example/"),
        ];
        let with_flag = Flags {
            api_url: Some("http://flag.example/api/v4".into()),
            ..Flags::default()
        };
        let cases = [
            (
                &with_flag,
                &all[..],
                "http://flag.example/api/v4",
                flag("--api-url"),
            ),
            (
                &Flags::default(),
                &all[..],
                "https://wow.example/api/v4",
                var("WOW_API_URL"),
            ),
            (
                &Flags::default(),
                &all[1..],
                "https://ci.example/api/v4",
                ci("CI_API_V4_URL"),
            ),
            (
                &Flags::default(),
                &all[2..],
                "https://server.example/api/v4",
                ci("CI_SERVER_URL"),
            ),
        ];
        for (flags, env, url, source) in cases {
            let s = ok(flags, env, &[]);
            assert_eq!(s.api_url, Some(Sourced::new(url.to_string(), source)), "{env:?}");
        }
        // Empty values count as unset.
        let s = ok(
            &Flags {
                api_url: Some("".into()),
                ..Flags::default()
            },
            &[("WOW_API_URL", ""), all[1]],
            &[],
        );
        assert_eq!(s.api_url.map(|u| u.source), Some(ci("CI_API_V4_URL")));
    }

    #[test]
    fn scope_precedence_and_group_mode() {
        let all = [
            ("WOW_GROUP", "team"),
            ("WOW_PROJECT", "team/app"),
            ("CI_PROJECT_ID", "42"),
        ];
        let project_flag = Flags {
            project: Some("other/app".into()),
            ..Flags::default()
        };
        let group_flag = Flags {
            group: Some("7".into()),
            ..Flags::default()
        };
        let cases = [
            (&group_flag, &all[..], Scope::Group("7".into()), flag("--group")),
            (
                &project_flag,
                &all[..],
                Scope::Group("team".into()),
                var("WOW_GROUP"),
            ),
            (
                &project_flag,
                &all[1..],
                Scope::Project("other/app".into()),
                flag("--project"),
            ),
            (
                &Flags::default(),
                &all[1..],
                Scope::Project("team/app".into()),
                var("WOW_PROJECT"),
            ),
            (
                &Flags::default(),
                &all[2..],
                Scope::Project("42".into()),
                ci("CI_PROJECT_ID"),
            ),
        ];
        for (flags, env, scope, source) in cases {
            assert_eq!(
                ok(flags, env, &[]).scope,
                Some(Sourced::new(scope, source)),
                "{flags:?} {env:?}"
            );
        }
    }

    #[test]
    fn token_from_wow_token_else_gitlab_token() {
        let s = ok(
            &Flags::default(),
            &[("WOW_TOKEN", "aaa"), ("GITLAB_TOKEN", "bbb")],
            &[],
        );
        let token = s.token.unwrap();
        assert_eq!(
            (token.value.expose(), token.value.origin.as_str()),
            ("aaa", "WOW_TOKEN")
        );
        assert_eq!(token.source, var("WOW_TOKEN"));
        let s = ok(
            &Flags::default(),
            &[("WOW_TOKEN", ""), ("GITLAB_TOKEN", " bbb\n")],
            &[],
        );
        let token = s.token.unwrap();
        assert_eq!(
            (token.value.expose(), token.value.origin.as_str()),
            ("bbb", "GITLAB_TOKEN")
        );
        let message = err(&Flags::default(), &[("WOW_TOKEN", "two words")], &[]);
        assert!(
            message.starts_with("WOW_TOKEN: the token contains spaces"),
            "{message}"
        );
        assert!(!message.contains("two words"));
    }

    #[test]
    fn now_report_dir_action_ca_file_and_links() {
        let flags = Flags {
            now: Some("2026-01-01T00:00:00Z".into()),
            report_dir: Some("out".into()),
            ..Flags::default()
        };
        let env = [
            ("WOW_NOW", "2025-06-01T12:00:00+02:00"),
            ("WOW_REPORT_DIR", "var-out"),
            ("WOW_ACTION", "rotate"),
            ("CI_SERVER_TLS_CA_FILE", "/builds/ca.pem"),
            ("CI_PIPELINE_URL", "https://g/p/-/pipelines/1"),
            ("CI_JOB_URL", "https://g/p/-/jobs/2"),
            ("CI_PROJECT_URL", "https://g/p"),
            ("CI_PIPELINE_SOURCE", "web"),
            ("GITLAB_CI", "true"),
        ];
        let s = ok(&flags, &env, &[]);
        assert_eq!(
            s.now,
            Sourced::new(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), flag("--now"))
        );
        assert_eq!(
            s.report_dir,
            Sourced::new(PathBuf::from("out"), flag("--report-dir"))
        );
        assert_eq!(s.action, Sourced::new(Action::Rotate, var("WOW_ACTION")));
        assert_eq!(
            s.ca_file,
            Some(Sourced::new(
                PathBuf::from("/builds/ca.pem"),
                ci("CI_SERVER_TLS_CA_FILE")
            ))
        );
        assert_eq!(s.links.pipeline_source.as_deref(), Some("web"));
        assert_eq!(s.links.project_url.as_deref(), Some("https://g/p"));
        assert!(s.in_ci);
        assert!(!s.dry_run.value);

        let s = ok(&Flags::default(), &env, &[]);
        assert_eq!(
            s.now,
            Sourced::new(
                Utc.with_ymd_and_hms(2025, 6, 1, 10, 0, 0).unwrap(),
                var("WOW_NOW")
            )
        );
        assert_eq!(
            s.report_dir,
            Sourced::new(PathBuf::from("var-out"), var("WOW_REPORT_DIR"))
        );
    }

    #[test]
    fn dry_run_from_pipeline_source_variable_and_flag() {
        let sources = [
            (Some("schedule"), false),
            (Some("web"), false),
            (Some("api"), false),
            (Some("trigger"), false),
            (Some("pipeline"), false),
            (Some("push"), true),
            (Some("merge_request_event"), true),
            (Some("external"), true),
            (None, true),
        ];
        for (source, default_dry) in sources {
            let mut env: Vec<(&str, &str)> = source.map(|s| ("CI_PIPELINE_SOURCE", s)).into_iter().collect();
            assert_eq!(
                ok(&Flags::default(), &env, &[]).dry_run.value,
                default_dry,
                "{source:?}"
            );
            for (text, value) in [("false", false), ("true", true)] {
                env.push(("WOW_DRY_RUN", text));
                let s = ok(&Flags::default(), &env, &[]);
                assert_eq!(s.dry_run, Sourced::new(value, var("WOW_DRY_RUN")), "{source:?}");
                for flag_value in [true, false] {
                    let flags = Flags {
                        dry_run: Some(flag_value),
                        ..Flags::default()
                    };
                    assert_eq!(
                        ok(&flags, &env, &[]).dry_run,
                        Sourced::new(flag_value, flag("--dry-run"))
                    );
                }
                env.pop();
            }
        }
        assert_eq!(
            err(&Flags::default(), &[("WOW_DRY_RUN", "perhaps")], &[]),
            "WOW_DRY_RUN = \"perhaps\": expected true or false"
        );
    }

    #[test]
    fn config_file_precedence_and_sources() {
        let fs = [
            (".wow.yml", "week:\n  starts_on: monday\n"),
            ("var.yml", "week:\n  starts_on: tuesday\n"),
            ("flag.yml", "\n\nweek: {starts_on: friday}\n"),
        ];
        let flags = Flags {
            config: Some("flag.yml".into()),
            ..Flags::default()
        };
        let env = [("WOW_CONFIG", "var.yml")];
        let cases = [
            (
                &flags,
                &env[..],
                chrono::Weekday::Fri,
                "flag.yml",
                3,
                Some(flag("--config")),
            ),
            (
                &Flags::default(),
                &env[..],
                chrono::Weekday::Tue,
                "var.yml",
                2,
                Some(var("WOW_CONFIG")),
            ),
            (
                &Flags::default(),
                &[][..],
                chrono::Weekday::Mon,
                ".wow.yml",
                2,
                Some(Source::Derived {
                    reason: "found in the working directory".into(),
                }),
            ),
        ];
        for (flags, env, day, path, line, path_source) in cases {
            let s = ok(flags, env, &fs);
            assert_eq!(s.config.week.starts_on, day);
            assert_eq!(s.config_path, Some(PathBuf::from(path)));
            assert_eq!(s.config_path_source, path_source);
            assert_eq!(
                s.config_sources["week.starts_on"],
                Source::File {
                    path: path.into(),
                    line
                }
            );
            assert_eq!(s.config_sources["week.timezone"], Source::Default);
        }
    }

    #[test]
    fn config_file_errors() {
        let flags = Flags {
            config: Some("missing.yml".into()),
            ..Flags::default()
        };
        assert_eq!(
            err(&flags, &[], &[]),
            "--config = \"missing.yml\": configuration file not found (paths are relative to the working directory)"
        );
        assert_eq!(
            err(&Flags::default(), &[("WOW_CONFIG", "ci/wow.yml")], &[(".wow.yml", "")]),
            "WOW_CONFIG = \"ci/wow.yml\": configuration file not found (paths are relative to the working directory)"
        );
        assert_eq!(
            err(
                &Flags::default(),
                &[],
                &[(".wow.yml", "week:\n  timezone: Nowhere\n")]
            ),
            ".wow.yml:2: week.timezone = \"Nowhere\": unknown timezone; use an IANA name like \
             \"Europe/Berlin\", \"America/New_York\" or \"UTC\" (case matters)"
        );
        let denied =
            |_: &Path| -> io::Result<String> { Err(io::Error::from(io::ErrorKind::PermissionDenied)) };
        let e = resolve(&Flags::default(), &BTreeMap::new(), &denied, clock()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "configuration file = \".wow.yml\": cannot be read (permission denied); fix it, or name \
             another file with --config or WOW_CONFIG"
        );
    }

    #[test]
    fn variable_errors_name_the_variable_and_what_is_allowed() {
        let url_help = "expected the API base, e.g. https://gitlab.example.com/api/v4";
        let id_help = "expected a numeric id like 42 or a full path like group/subgroup/project \
                       (letters, digits, _ - . and / between the parts)";
        type Case<'a> = (Flags, Vec<(&'a str, &'a str)>, String);
        let cases: Vec<Case> = vec![
            (
                Flags::default(),
                vec![("WOW_API_URL", "gitlab.example.com")],
                format!("WOW_API_URL = \"gitlab.example.com\": not a URL (relative URL without a base); {url_help}"),
            ),
            (
                Flags { api_url: Some("htp:/x".into()), ..Flags::default() },
                vec![],
                format!("--api-url = \"htp:/x\": the scheme must be http or https; {url_help}"),
            ),
            (
                Flags::default(),
                vec![("CI_SERVER_URL", "not a url")],
                format!("CI_SERVER_URL = \"not a url/api/v4\": not a URL (relative URL without a base); {url_help}"),
            ),
            (
                Flags::default(),
                vec![("WOW_PROJECT", "/group/app")],
                format!("WOW_PROJECT = \"/group/app\": empty, \".\" or \"..\" part (leading, trailing or double slash?); {id_help}"),
            ),
            (
                Flags { group: Some("my group".into()), ..Flags::default() },
                vec![],
                format!("--group = \"my group\": ' ' is not allowed; {id_help}"),
            ),
            (
                Flags::default(),
                vec![("WOW_NOW", "next wednesday")],
                "WOW_NOW = \"next wednesday\": not an RFC 3339 time; expected e.g. \
                 2026-11-25T09:00:00Z or 2026-11-25T10:00:00+01:00"
                    .to_string(),
            ),
            (
                Flags { now: Some("2026-11-25".into()), ..Flags::default() },
                vec![],
                "--now = \"2026-11-25\": not an RFC 3339 time; expected e.g. \
                 2026-11-25T09:00:00Z or 2026-11-25T10:00:00+01:00"
                    .to_string(),
            ),
            (
                Flags::default(),
                vec![("WOW_ACTION", "fix")],
                "WOW_ACTION = \"fix\": unknown action; allowed: run, rotate, audit".to_string(),
            ),
        ];
        for (flags, env, expected) in cases {
            assert_eq!(err(&flags, &env, &[]), expected);
        }
    }

    #[test]
    fn only_the_winning_value_is_checked() {
        // A broken lower-precedence value is never read.
        let flags = Flags {
            now: Some("2026-01-01T00:00:00Z".into()),
            ..Flags::default()
        };
        assert!(resolve_with(&flags, &[("WOW_NOW", "garbage")], &[]).is_ok());
        assert!(resolve_with(
            &Flags::default(),
            &[
                ("WOW_API_URL", "https://a.example/api/v4"),
                ("CI_SERVER_URL", "%%")
            ],
            &[]
        )
        .is_ok());
    }

    #[test]
    fn require_api_names_what_to_set() {
        let complete = [
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
            ("GITLAB_TOKEN", "secret-token"),
            ("CI_PROJECT_ID", "42"),
        ];
        let s = ok(&Flags::default(), &complete, &[]);
        let (url, token, scope) = s.require_api().unwrap();
        assert_eq!(url, "https://gitlab.example.com/api/v4");
        assert_eq!(token.expose(), "secret-token");
        assert_eq!(scope, &Scope::Project("42".into()));

        let cases = [
            (
                0,
                "WOW_API_URL: no GitLab API URL; set WOW_API_URL or --api-url, e.g. \
                 https://gitlab.example.com/api/v4 (or run inside GitLab CI, which sets CI_API_V4_URL)",
            ),
            (
                1,
                "WOW_TOKEN: no token; set WOW_TOKEN or GITLAB_TOKEN to a project access token with the \
                 Planner role (or above) and the api scope, as a masked CI/CD variable",
            ),
            (
                2,
                "WOW_PROJECT: no project; set WOW_PROJECT or --project to its id or full path (CI sets \
                 CI_PROJECT_ID), or WOW_GROUP or --group for group milestones",
            ),
        ];
        for (missing, expected) in cases {
            let mut env = complete.to_vec();
            env.remove(missing);
            let s = ok(&Flags::default(), &env, &[]);
            assert_eq!(s.require_api().unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let s = ok(&Flags::default(), &[("WOW_TOKEN", "glpat-TopSecret123")], &[]);
        let debug = format!("{s:?}");
        assert!(!debug.contains("TopSecret"), "{debug}");
        assert!(debug.contains("redacted"));
    }
}
