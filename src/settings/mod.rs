//! The resolved settings of one run: every value with where it came from.
//!
//! Precedence (SPEC "Settings and their precedence"): flag > `WOW_*` variable >
//! configuration file > GitLab's predefined CI variables > default. `resolve` is
//! pure: it takes the flags, the environment as a map and a file reader, so tests
//! need no real environment. Only this module reads the clock.

pub mod config;
pub mod env;
pub mod error;
pub mod file;
pub mod mode;

pub use config::{Config, Format, RuleName};
pub use error::ConfigError;

use crate::gitlab::model::Scope;
use crate::gitlab::Token;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    Flag { name: String },
    Variable { name: String },
    File { path: String, line: usize },
    /// A GitLab predefined CI variable (`CI_PROJECT_ID`, ...).
    Ci { name: String },
    Default,
    /// Computed from other values (dry run from `CI_PIPELINE_SOURCE`).
    Derived { reason: String },
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
    pub report_dir: Sourced<PathBuf>,
    pub ca_file: Option<Sourced<PathBuf>>,
    pub links: Links,
    pub config: Config,
    /// Source of each configuration key (`"week.timezone"`), for `config check`.
    pub config_sources: BTreeMap<String, Source>,
    /// True when running inside GitLab CI (`CI=true`, or `GITLAB_CI`): log sections on.
    pub in_ci: bool,
}

/// Builds the settings from flags, the environment (a map: tests pass their own),
/// a file reader and the clock. Pure apart from `read_file`. STUB.
pub fn resolve(
    flags: &Flags,
    env: &BTreeMap<String, String>,
    read_file: &dyn Fn(&std::path::Path) -> std::io::Result<String>,
    clock: DateTime<Utc>,
) -> Result<Settings, ConfigError> {
    let _ = (flags, env, read_file, clock);
    unimplemented!()
}

impl Settings {
    /// The API URL, token and scope that every network command needs, or an error
    /// that names the variable to set.
    pub fn require_api(&self) -> Result<(&str, &Token, &Scope), ConfigError> {
        unimplemented!()
    }
}
