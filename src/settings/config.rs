//! The configuration file's content (`.wow.yml`) as typed values, with the SPEC's
//! defaults. Which keys exist and how each is read and shown is `keys.rs`'s table;
//! parsing and validation live in `file.rs` and `values.rs`; this file only holds the shape.

use chrono::Weekday;
use chrono_tz::Tz;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    pub milestones: MilestoneTitles,
    pub week: WeekConfig,
    pub rotation: RotationConfig,
    pub labels: LabelNames,
    pub audit: AuditConfig,
    pub report: ReportConfig,
    pub api: ApiConfig,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MilestoneTitles {
    pub current: String,
    pub next: String,
    /// Contains `{date}` exactly once.
    pub closed: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WeekConfig {
    pub starts_on: Weekday,
    pub timezone: Tz,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RotationConfig {
    pub carry_over_open_issues: bool,
    pub set_dates: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelNames {
    pub unscheduled: String,
    pub outage: String,
    pub data_loss: String,
    pub priorities: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RuleName {
    Unscheduled,
    Priority,
    Handoff,
    LabelDefinitions,
    StrayMilestones,
}

impl RuleName {
    pub(crate) const ALL: [RuleName; 5] = [
        RuleName::Unscheduled,
        RuleName::Priority,
        RuleName::Handoff,
        RuleName::LabelDefinitions,
        RuleName::StrayMilestones,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RuleName::Unscheduled => "unscheduled",
            RuleName::Priority => "priority",
            RuleName::Handoff => "handoff",
            RuleName::LabelDefinitions => "label_definitions",
            RuleName::StrayMilestones => "stray_milestones",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditConfig {
    pub fix: bool,
    pub grace: Duration,
    pub handoff_max_silence: Duration,
    pub rules: Vec<RuleName>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Format {
    Markdown,
    Json,
    Junit,
    Dotenv,
    Html,
}

impl Format {
    pub(crate) const ALL: [Format; 5] = [
        Format::Markdown,
        Format::Json,
        Format::Junit,
        Format::Dotenv,
        Format::Html,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Dotenv => "dotenv",
            Format::Html => "html",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReportConfig {
    pub formats: Vec<Format>,
    pub fail_on_findings: bool,
    /// How many closed weeks the HTML chart shows.
    pub history_weeks: u32,
    /// Whether titles of confidential issues appear in report files and the job log.
    pub confidential_titles: bool,
    pub publish: PublishConfig,
}

/// What a run that applies changes writes into GitLab itself (SPEC "Publishing into GitLab").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublishConfig {
    /// The closed week's summary in its milestone's description.
    pub milestone_summary: bool,
    /// One report issue per week, updated in place.
    pub issue: bool,
    /// The report issue's title; `{start}` and `{end}` become the week's dates. At most
    /// 255 characters once expanded.
    pub issue_title: String,
    pub issue_labels: Vec<String>,
    /// A comment on issues that need a hand-off, at most once per silence window.
    pub handoff_comment: bool,
    /// Who else the hand-off comment mentions, each `@name` (assignees always are).
    pub handoff_mentions: Vec<String>,
    /// A comment on each issue that got ~unscheduled, saying why.
    pub explain_fixes: bool,
}

/// How wowctl talks to GitLab. Not in the SPEC's file; defaults suit GitLab.com.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiConfig {
    /// Requests in flight at once when fanning out (events, carry-over, fixes).
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries of one request after a transient failure (429, 502–504, reset, timeout).
    pub max_retries: u32,
    /// Warn when the token expires sooner than this.
    pub token_expiry_warning: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            milestones: MilestoneTitles {
                current: "WoW".into(),
                next: "Next WoW".into(),
                closed: "WoW ending {date}".into(),
            },
            week: WeekConfig {
                starts_on: Weekday::Wed,
                timezone: Tz::UTC,
            },
            rotation: RotationConfig {
                carry_over_open_issues: true,
                set_dates: true,
            },
            labels: LabelNames {
                unscheduled: "unscheduled".into(),
                outage: "outage".into(),
                data_loss: "(perceived) data loss".into(),
                priorities: Vec::new(),
            },
            audit: AuditConfig {
                fix: true,
                grace: Duration::ZERO,
                handoff_max_silence: Duration::from_secs(24 * 3600),
                rules: RuleName::ALL.to_vec(),
            },
            report: ReportConfig {
                formats: vec![Format::Markdown, Format::Json, Format::Junit, Format::Dotenv],
                fail_on_findings: false,
                history_weeks: 8,
                confidential_titles: false,
                publish: PublishConfig {
                    milestone_summary: true,
                    issue: false,
                    issue_title: "WoW report: {start} – {end}".into(),
                    issue_labels: Vec::new(),
                    handoff_comment: false,
                    handoff_mentions: Vec::new(),
                    explain_fixes: false,
                },
            },
            api: ApiConfig {
                concurrency: 8,
                timeout: Duration::from_secs(30),
                max_retries: 5,
                token_expiry_warning: Duration::from_secs(30 * 86_400),
            },
        }
    }
}

/// Every weekday, Monday first: the one list the file's reader and its messages use.
pub(crate) const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

pub(crate) fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}
