//! The report of one run: what was seen, planned, done and what failed. `job`
//! fills it from what the phases produced; one pure renderer per format turns it
//! into text; `write_all` puts the files in the report directory (written even
//! when the run failed part-way). This module only imports: the types it shows
//! belong to the code that produces them.

pub(crate) mod dotenv;
mod escape;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod markdown;
pub(crate) mod summary;
#[cfg(test)]
mod tests;
pub(crate) mod view;
pub(crate) mod wording;

use crate::apply::ActionRecord;
use crate::audit::{AuditStatus, Finding, FixStatus, RuleState};
use crate::observe::{CarriedIssue, HistoryWeek};
use crate::rotation::{IssueKey, MilestoneInfo, RotationStatus};
use crate::run_error::RunError;
use crate::settings::config::Format;
use crate::settings::Links;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(crate) const SCHEMA_VERSION: u32 = 2;

/// At most this many errors are listed in the markdown and the job log (then
/// "and N more"); report.json has them all.
pub(crate) const SHOWN_ERRORS: usize = 10;

#[derive(Debug, Clone)]
pub(crate) struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "wowctl",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RotationReport {
    pub status: RotationStatus,
    /// Why the rotation was skipped (`wowctl audit`), when it was.
    pub reason: Option<String>,
    /// The milestones as found, before this run changed anything; `None` when
    /// GitLab could not be read.
    pub before: Option<Vec<MilestoneInfo>>,
    pub closed_milestone: Option<MilestoneInfo>,
    pub current_milestone: Option<MilestoneInfo>,
    pub next_milestone: Option<MilestoneInfo>,
    pub actions: Vec<ActionRecord>,
    pub carried_over: Vec<IssueKey>,
    /// Weeks `WoW` stayed open past its week (0 when rotated on time).
    pub weeks_missed: u32,
}

impl Default for RotationReport {
    fn default() -> Self {
        RotationReport {
            status: RotationStatus::Skipped,
            reason: None,
            before: None,
            closed_milestone: None,
            current_milestone: None,
            next_milestone: None,
            actions: Vec::new(),
            carried_over: Vec::new(),
            weeks_missed: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AuditReport {
    pub status: AuditStatus,
    /// Why the audit was skipped or failed.
    pub reason: Option<String>,
    /// Every rule, on or off (with why).
    pub rules: Vec<RuleState>,
    /// The issues of `WoW`, open and closed, that the audit looked at.
    pub issues_checked: usize,
    pub findings: Vec<Finding>,
}

impl Default for AuditReport {
    fn default() -> Self {
        AuditReport {
            status: AuditStatus::Skipped,
            reason: None,
            rules: Vec::new(),
            issues_checked: 0,
            findings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub tool: Tool,
    pub command: String,
    pub now: DateTime<Utc>,
    pub dry_run: bool,
    /// `project 42` / `group my-group`.
    pub scope: Option<String>,
    pub week: WeekDates,
    pub rotation: RotationReport,
    pub audit: AuditReport,
    /// For the HTML chart and the markdown trend; `None` when not read (the
    /// read failed, or the run stopped before it).
    pub history: Option<Vec<HistoryWeek>>,
    /// For the HTML page; empty unless the HTML format is on.
    pub carried_weeks: Vec<CarriedIssue>,
    /// Each publishing write (`report.publish`), planned in a dry run.
    pub publish: Vec<ActionRecord>,
    /// Each error separately: what failed, on what, and why.
    pub errors: Vec<RunError>,
    /// Worth a person's attention, not failures: the token expires soon, the clock
    /// is behind the tracker, a picture was left out.
    pub warnings: Vec<String>,
    /// The token's expiry date, when GitLab has a record of the token.
    pub token_expires_at: Option<NaiveDate>,
    /// The signal that stopped the run (`SIGTERM`, `SIGINT`), if one did.
    pub stopped_by: Option<String>,
    /// API requests sent, by method (`GET`, `POST`, `PUT`, `DELETE`), retries counted.
    pub requests: BTreeMap<String, u64>,
    pub links: Links,
    /// The exit status this run ends with (0, 1, 3, 130, 143).
    pub exit_code: i32,
    /// `report.confidential_titles`: when false (the default) the title of a
    /// confidential issue is written nowhere (SPEC "Confidential issues").
    pub confidential_titles: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WeekDates {
    pub start: NaiveDate,
    /// Inclusive: a Wednesday week ends on Tuesday.
    pub end: NaiveDate,
}

impl Report {
    /// Findings that still need a person: neither fixed nor, in a dry run,
    /// planned to be fixed (SPEC "Exit status": what exit 3 counts).
    pub(crate) fn needing_a_person(&self) -> usize {
        self.audit
            .findings
            .iter()
            .filter(|f| !matches!(f.fix_status, FixStatus::Applied | FixStatus::Planned))
            .count()
    }
}

/// The file each format is written to.
pub(crate) fn file_name(format: Format) -> &'static str {
    match format {
        Format::Markdown => "report.md",
        Format::Json => "report.json",
        Format::Junit => "junit.xml",
        Format::Dotenv => "wow.env",
        Format::Html => "report.html",
    }
}

/// Renders one format. Pure.
pub(crate) fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Markdown => markdown::render(report),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Dotenv => dotenv::render(report),
        Format::Html => html::render(report),
    }
}

/// Writes every requested format into `dir` (created if missing); each file is
/// written to a temporary name and renamed, so a reader never sees half a file.
pub(crate) fn write_all(report: &Report, dir: &Path, formats: &[Format]) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for &format in formats {
        let path = dir.join(file_name(format));
        let tmp = dir.join(format!(".{}.tmp", file_name(format)));
        std::fs::write(&tmp, render(report, format))?;
        std::fs::rename(&tmp, &path)?;
        written.push(path);
    }
    Ok(written)
}
