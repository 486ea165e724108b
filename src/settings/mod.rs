//! The resolved settings of one run: every value with where it came from.
//!
//! Precedence (SPEC "Settings and their precedence"): flag > `WOW_*` variable >
//! configuration file > GitLab's predefined CI variables > default, applied by
//! `precedence::pick`. `resolve` is pure: it takes the flags, the environment as a map,
//! a file reader and the clock's reading, so tests need no real environment; the clock
//! itself is read by the caller (`app`). Network commands take their non-optional
//! `Target` from `Settings::target`; `preflight` checks the surroundings before the first
//! request.

pub(crate) mod check;
pub(crate) mod config;
pub(crate) mod duration;
pub(crate) mod env;
pub(crate) mod error;
pub(crate) mod file;
pub(crate) mod keys;
pub(crate) mod mode;
pub(crate) mod precedence;
pub(crate) mod preflight;
pub(crate) mod values;

pub(crate) use config::Config;
pub(crate) use error::ConfigError;

use crate::gitlab::model::Scope;
use crate::gitlab::Token;
use chrono::{DateTime, Utc};
use env::Env;
use precedence::{pick, Candidate};
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
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
pub(crate) struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub(crate) fn new(value: T, source: Source) -> Self {
        Sourced { value, source }
    }
}

/// What `wowctl run` does (`WOW_ACTION`, for manual pipelines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Run,
    Rotate,
    Audit,
}

impl Action {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Action::Run => "run",
            Action::Rotate => "rotate",
            Action::Audit => "audit",
        }
    }
}

/// Links for the report (`CI_PIPELINE_URL`, ...). Absent outside CI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Links {
    pub pipeline_url: Option<String>,
    pub job_url: Option<String>,
    pub project_url: Option<String>,
    pub pipeline_source: Option<String>,
    /// `CI_PROJECT_ID` and `CI_PROJECT_PATH`: the report names the project by its
    /// path when the scope is this project given by id.
    pub project_id: Option<String>,
    pub project_path: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Settings {
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
pub(crate) const DEFAULT_CONFIG_FILE: &str = ".wow.yml";
/// The report directory when neither `--report-dir` nor `WOW_REPORT_DIR` names one.
pub(crate) const DEFAULT_REPORT_DIR: &str = "wow-report";

/// Builds the settings from flags, the environment (a map: tests pass their own), a file
/// reader and the clock. Pure apart from `read_file`. Precedence per setting: flag >
/// `WOW_*` > configuration file > GitLab predefined `CI_*` > default. Empty flag and
/// variable values count as unset. Only the value that wins is checked.
pub(crate) fn resolve(
    flags: &Flags,
    env: &BTreeMap<String, String>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
    clock: DateTime<Utc>,
) -> Result<Settings, ConfigError> {
    let config = read_config(flags, Env::new(env), read_file)?;
    build(flags, env, config, clock)
}

/// The name the demo's built-in configuration goes by in sources ("demo configuration:2").
pub(crate) const DEMO_CONFIG_NAME: &str = "demo configuration";

/// `wowctl demo`'s configuration: every rule on (the priority rule needs its labels) and
/// every report format, so the demo shows all wowctl does.
pub(crate) const DEMO_CONFIG: &str = "\
labels:
  priorities: [\"priority::1\", \"priority::2\", \"priority::3\", \"priority::4\"]
report:
  formats: [markdown, json, junit, dotenv, html]
";

/// The settings of `wowctl demo`: `resolve` with `DEMO_CONFIG` as the configuration file,
/// so every value keeps the record of where it came from. Flags and `WOW_CONFIG` play no part.
pub(crate) fn resolve_demo(
    env: &BTreeMap<String, String>,
    clock: DateTime<Utc>,
) -> Result<Settings, ConfigError> {
    let source = Source::Derived {
        reason: "built into wowctl demo".into(),
    };
    let config = parsed(DEMO_CONFIG, PathBuf::from(DEMO_CONFIG_NAME), source)?;
    build(&Flags::default(), env, config, clock)
}

/// Reads a configuration file for `resolve`, never more than `file::MAX_FILE_BYTES` + 1
/// bytes: a bigger file is an error of kind `FileTooLarge`, which `resolve` reports naming
/// the file and the limit.
pub(crate) fn read_config_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(file::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > file::MAX_FILE_BYTES {
        return Err(std::io::ErrorKind::FileTooLarge.into());
    }
    String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text; save it as UTF-8",
        )
    })
}

/// Everything but the configuration file, which `config` already holds.
fn build(
    flags: &Flags,
    env: &BTreeMap<String, String>,
    (config, config_sources, config_path, config_path_source): ConfigRead,
    clock: DateTime<Utc>,
) -> Result<Settings, ConfigError> {
    let env = Env::new(env);

    let server_api = env
        .get("CI_SERVER_URL")
        .map(|v| format!("{}/api/v4", v.trim_end_matches('/')));
    let api_url = pick(
        [
            Candidate::flag("--api-url", flag(&flags.api_url)),
            Candidate::var("WOW_API_URL", env.get("WOW_API_URL")),
            Candidate::ci("CI_API_V4_URL", env.get("CI_API_V4_URL")),
            Candidate::ci("CI_SERVER_URL", server_api.as_deref()),
        ],
        env::parse_api_url,
    )?;

    // `--group` / `WOW_GROUP` switch to group milestones and win over any project, which
    // is then not read at all.
    let group = pick(
        [
            Candidate::flag("--group", flag(&flags.group)),
            Candidate::var("WOW_GROUP", env.get("WOW_GROUP")),
        ],
        |name, v| env::parse_scope_id(name, v).map(Scope::Group),
    )?;
    let scope = match group {
        Some(group) => Some(group),
        None => pick(
            [
                Candidate::flag("--project", flag(&flags.project)),
                Candidate::var("WOW_PROJECT", env.get("WOW_PROJECT")),
                Candidate::ci("CI_PROJECT_ID", env.get("CI_PROJECT_ID")),
            ],
            |name, v| env::parse_scope_id(name, v).map(Scope::Project),
        )?,
    };

    let token = pick(
        [
            Candidate::var("WOW_TOKEN", env.get("WOW_TOKEN")),
            Candidate::var("GITLAB_TOKEN", env.get("GITLAB_TOKEN")),
        ],
        |name, secret| {
            env::check_token(name, secret)?;
            Ok(Token::new(secret, name))
        },
    )?;

    let dry_run = mode::dry_run(
        flags.dry_run,
        env.get("WOW_DRY_RUN"),
        env.get("CI_PIPELINE_SOURCE"),
    )?;

    let action = pick(
        [Candidate::var("WOW_ACTION", env.get("WOW_ACTION"))],
        env::parse_action,
    )?
    .unwrap_or(Sourced::new(Action::Run, Source::Default));

    let now = pick(
        [
            Candidate::flag("--now", flag(&flags.now)),
            Candidate::var("WOW_NOW", env.get("WOW_NOW")),
        ],
        env::parse_now,
    )?
    .unwrap_or_else(|| {
        Sourced::new(
            clock,
            Source::Derived {
                reason: "system clock".into(),
            },
        )
    });

    let report_dir = pick(
        [
            Candidate::flag("--report-dir", flag_path(&flags.report_dir)),
            Candidate::var("WOW_REPORT_DIR", env.get("WOW_REPORT_DIR").map(PathBuf::from)),
        ],
        |_, path| Ok(path),
    )?
    .unwrap_or_else(|| Sourced::new(PathBuf::from(DEFAULT_REPORT_DIR), Source::Default));

    let ca_file = pick(
        [Candidate::ci(
            "CI_SERVER_TLS_CA_FILE",
            env.get("CI_SERVER_TLS_CA_FILE").map(PathBuf::from),
        )],
        |_, path| Ok(path),
    )?;

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
    flags: &Flags,
    env: Env<'_>,
    read_file: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<ConfigRead, ConfigError> {
    let named = pick(
        [
            Candidate::flag("--config", flag_path(&flags.config)),
            Candidate::var("WOW_CONFIG", env.get("WOW_CONFIG").map(PathBuf::from)),
        ],
        |_, path| Ok(path),
    )?;
    let Some(Sourced { value: path, source }) = named else {
        let path = PathBuf::from(DEFAULT_CONFIG_FILE);
        return match read_file(&path) {
            Ok(text) => {
                let found = Source::Derived {
                    reason: "found in the working directory".into(),
                };
                parsed(&text, path, found)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let sources = keys::KEYS.iter().map(|k| (k.name.to_string(), Source::Default));
                Ok((Config::default(), sources.collect(), None, None))
            }
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                Err(file::too_large(DEFAULT_CONFIG_FILE))
            }
            Err(e) => Err(ConfigError::new(
                "configuration file",
                Some(DEFAULT_CONFIG_FILE),
                format!("cannot be read ({e}); fix it, or name another file with --config or WOW_CONFIG"),
            )),
        };
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
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => Err(file::too_large(&shown)),
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

/// A path flag; empty counts as not given.
fn flag_path(value: &Option<PathBuf>) -> Option<PathBuf> {
    value.as_ref().filter(|p| !p.as_os_str().is_empty()).cloned()
}

/// What every network command needs, all present: taken once from `Settings::target`,
/// so later code never checks for a missing URL, token or project again.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// API base without a trailing slash, e.g. `https://gitlab.com/api/v4`.
    pub api_url: String,
    pub token: Token,
    /// The project, or the group in group mode.
    pub scope: Scope,
}

impl Settings {
    /// The API URL, token and scope that every network command needs, or an error
    /// that names the variable to set.
    pub(crate) fn target(&self) -> Result<Target, ConfigError> {
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
        Ok(Target {
            api_url: api_url.value.clone(),
            token: token.value.clone(),
            scope: scope.value.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::config::Format;
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
    fn target_names_what_to_set() {
        let complete = [
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
            ("GITLAB_TOKEN", "secret-token"),
            ("CI_PROJECT_ID", "42"),
        ];
        let s = ok(&Flags::default(), &complete, &[]);
        let target = s.target().unwrap();
        assert_eq!(target.api_url, "https://gitlab.example.com/api/v4");
        assert_eq!(target.token.expose(), "secret-token");
        assert_eq!(target.scope, Scope::Project("42".into()));

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
            assert_eq!(s.target().unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn the_demo_configuration_goes_through_resolve_with_its_sources() {
        let env = vars(&[
            ("WOW_API_URL", "http://127.0.0.1:1/api/v4"),
            ("WOW_CONFIG", "ignored.yml"),
        ]);
        let s = resolve_demo(&env, clock()).unwrap();
        let mut expected = Config::default();
        expected.labels.priorities = (1..=4).map(|n| format!("priority::{n}")).collect();
        expected.report.formats = Format::ALL.to_vec();
        assert_eq!(s.config, expected);
        assert_eq!(s.config_path, Some(PathBuf::from("demo configuration")));
        let demo = |line| Source::File {
            path: "demo configuration".into(),
            line,
        };
        assert_eq!(s.config_sources["labels.priorities"], demo(2));
        assert_eq!(s.config_sources["report.formats"], demo(4));
        assert_eq!(s.config_sources["audit.rules"], Source::Default);
        assert_eq!(
            s.config_sources["labels.priorities"].to_string(),
            "demo configuration:2"
        );
    }

    #[test]
    fn a_configuration_file_over_one_mib_is_refused() {
        let too_large = |_: &Path| -> io::Result<String> { Err(io::ErrorKind::FileTooLarge.into()) };
        let message = "the configuration file is larger than 1 MiB (1048576 bytes), the limit; \
                       a .wow.yml needs a few hundred bytes: is this the right file?";
        let flags = Flags {
            config: Some("ci/big.yml".into()),
            ..Flags::default()
        };
        for (flags, shown) in [(&flags, "ci/big.yml"), (&Flags::default(), ".wow.yml")] {
            let e = resolve(flags, &BTreeMap::new(), &too_large, clock()).unwrap_err();
            assert_eq!(e.to_string(), format!("{shown}: {message}"));
        }
    }

    #[test]
    fn read_config_file_reads_at_most_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "small.yml",
                b"week:\n  starts_on: monday\n".to_vec(),
                Ok("week:\n  starts_on: monday\n"),
            ),
            ("limit.yml", vec![b'#'; file::MAX_FILE_BYTES], Ok("")),
            (
                "big.yml",
                vec![b'#'; file::MAX_FILE_BYTES + 1],
                Err(io::ErrorKind::FileTooLarge),
            ),
            (
                "binary.yml",
                vec![0xff, 0xfe, 0x00],
                Err(io::ErrorKind::InvalidData),
            ),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let got = read_config_file(&path);
            match expected {
                Ok("") => assert_eq!(got.unwrap().len(), file::MAX_FILE_BYTES),
                Ok(text) => assert_eq!(got.unwrap(), text),
                Err(kind) => assert_eq!(got.unwrap_err().kind(), kind, "{name}"),
            }
        }
        let missing = read_config_file(&dir.path().join("missing.yml")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let s = ok(&Flags::default(), &[("WOW_TOKEN", "glpat-TopSecret123")], &[]);
        let debug = format!("{s:?}");
        assert!(!debug.contains("TopSecret"), "{debug}");
        assert!(debug.contains("redacted"));
    }
}
