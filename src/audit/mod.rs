//! The label audit: five rules, each a pure `check` over fetched data that returns
//! findings and, where a fix exists, the fix as a planned `Step` (SPEC "Audit rules").
//! Nothing here does I/O; `observe` fetches, `apply` writes.

pub mod handoff;
pub mod label_definitions;
pub mod priority;
pub mod stray_milestones;
pub mod unscheduled;

use crate::gitlab::model::{Issue, Label, Milestone, MilestoneEvent};
use crate::settings::config::{Config, RuleName};
use crate::step::Step;
use crate::week::Week;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    Issue {
        project_id: u64,
        iid: u64,
        title: String,
        /// `#12`, or `group/project#12` in group mode.
        reference: String,
        web_url: String,
    },
    Milestone { id: u64, title: String, web_url: Option<String> },
    Label { name: String },
}

impl Subject {
    pub fn of_issue(issue: &Issue) -> Subject {
        Subject::Issue {
            project_id: issue.project_id,
            iid: issue.iid,
            title: issue.title.clone(),
            reference: issue.full_reference(),
            web_url: issue.web_url.clone(),
        }
    }

    /// The name a person reads: `#123 Fix disk alert`, `milestone "WoW ending …"`, `label ~"x"`.
    pub fn display_name(&self) -> String {
        match self {
            Subject::Issue { reference, title, .. } => format!("{reference} {title}"),
            Subject::Milestone { title, .. } => format!("milestone \"{title}\""),
            Subject::Label { name } => format!("label ~\"{name}\""),
        }
    }

    pub fn issue_iid(&self) -> Option<u64> {
        match self {
            Subject::Issue { iid, .. } => Some(*iid),
            _ => None,
        }
    }
}

/// What became of a finding's fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixStatus {
    /// No fix exists for this finding (a person must act).
    None,
    /// A fix exists but `audit.fix` is off.
    Disabled,
    /// Dry run: the fix would be applied.
    Planned,
    Applied,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: RuleName,
    pub subject: Subject,
    /// What is wrong, one sentence.
    pub message: String,
    /// The write that fixes it, if there is one.
    pub fix: Option<Step>,
    pub fix_status: FixStatus,
}

impl Finding {
    pub fn fixed(&self) -> bool {
        self.fix_status == FixStatus::Applied
    }
}

/// Everything the rules look at, fetched by `observe` (or simulated for a dry run
/// on a due day: `Next WoW` as `WoW`, with the carried-over issues as planned).
#[derive(Debug, Clone)]
pub struct AuditInput {
    pub now: DateTime<Utc>,
    pub week: Week,
    /// The open `WoW` the audit checks (after rotation), if there is one.
    pub current: Option<Milestone>,
    /// The milestone of the week that ended (`closed(D)`, or the `WoW` about to
    /// become it): an addition whose previous event added it is a carry-over.
    pub closed_id: Option<u64>,
    /// Issues of `WoW`, open and closed.
    pub current_issues: Vec<Issue>,
    /// Issues (global ids) this run carried over, or would in a dry run: planned work.
    pub carried_ids: BTreeSet<u64>,
    /// Milestone events by issue global id, fetched only for issues updated at or
    /// after `week_start` (the others cannot have been added after it).
    pub events: HashMap<u64, Vec<MilestoneEvent>>,
    /// Open issues of `Next WoW` (for `priority`).
    pub next_open_issues: Vec<Issue>,
    /// Open ~outage and ~"(perceived) data loss" issues anywhere in the project/group.
    pub handoff_issues: Vec<Issue>,
    /// Labels available to the project/group.
    pub labels: Vec<Label>,
    /// Open milestones (for `stray_milestones`).
    pub open_milestones: Vec<Milestone>,
}

/// Runs the enabled rules in the order of `audit.rules`, `label_definitions` first
/// (GitLab's `add_labels` would silently create a missing label). STUB.
pub fn check(input: &AuditInput, cfg: &Config) -> Vec<Finding> {
    let _ = (input, cfg);
    Vec::new()
}
