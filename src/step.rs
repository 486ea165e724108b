//! A `Step` is one planned write: the rotation planner and the audit rules produce
//! them, `apply` is the only code that sends them. Pure data, no I/O.

use crate::gitlab::model::Issue;
use chrono::NaiveDate;

/// A milestone named by a step: one that exists, or one an earlier step of the
/// same plan creates (its id is known only once that step has been applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MilestoneTarget {
    Existing { id: u64, title: String },
    Created { title: String },
}

impl MilestoneTarget {
    pub(crate) fn title(&self) -> &str {
        match self {
            MilestoneTarget::Existing { title, .. } | MilestoneTarget::Created { title } => title,
        }
    }
}

/// The issue a step touches. `project_id` matters in group mode, where the issues of
/// one milestone live in several projects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IssueRef {
    pub project_id: u64,
    pub iid: u64,
    pub title: String,
    /// `#12`, or `group/project#12` in group mode.
    pub reference: String,
    pub web_url: String,
    /// Its title must not be written where anyone can read it (SPEC "Confidential
    /// issues"); the renderers show `#12 (confidential issue)` instead.
    pub confidential: bool,
    /// Usernames of its assignees (who a hand-off nudge mentions).
    pub assignees: Vec<String>,
    /// Its labels (which configured label put it in a rule's scope).
    pub labels: Vec<String>,
}

impl From<&Issue> for IssueRef {
    fn from(issue: &Issue) -> IssueRef {
        IssueRef {
            project_id: issue.project_id,
            iid: issue.iid,
            title: issue.title.clone(),
            reference: issue.full_reference(),
            web_url: issue.web_url.clone(),
            confidential: issue.confidential,
            assignees: issue.assignees.iter().map(|u| u.username.clone()).collect(),
            labels: issue.labels.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Rotation step 1: `WoW` → `closed(D)`, closed, in one PUT; with
    /// `publish.milestone_summary`, the same PUT writes the week's summary into
    /// the milestone's description (the whole new description).
    CloseAndRename {
        id: u64,
        from: String,
        to: String,
        description: Option<String>,
    },
    /// Close an open milestone under its own title (`closed(D)` left open, a stray).
    Close { id: u64, title: String },
    /// Rotation step 2: `Next WoW` → `WoW`, with this week's dates when `set_dates`.
    Rename {
        id: u64,
        from: String,
        to: String,
        start_date: Option<NaiveDate>,
        due_date: Option<NaiveDate>,
    },
    /// Rotation step 3 (and a new project): create a milestone.
    Create {
        title: String,
        start_date: Option<NaiveDate>,
        due_date: Option<NaiveDate>,
    },
    /// Correct the dates of an open `WoW` / `Next WoW` (`rotation.set_dates`).
    SetDates {
        id: u64,
        title: String,
        start_date: NaiveDate,
        due_date: NaiveDate,
    },
    /// A newer copy of a title created by an overlapping run, holding no issues.
    DeleteDuplicate { id: u64, title: String, kept_id: u64 },
    /// Rotation step 4: an open issue of `closed(D)` moves to the new `WoW`.
    MoveIssue {
        issue: IssueRef,
        from_id: u64,
        to: MilestoneTarget,
    },
    /// Audit fix: add the missing configured labels to one issue, in one edit.
    AddLabels { issue: IssueRef, labels: Vec<String> },
    /// Audit fix (`label_definitions`): create a configured label that does not exist.
    CreateLabel { name: String, color: String },
    /// Publishing: a comment on an issue (a hand-off nudge, or why it got
    /// ~unscheduled); `why` says which, for people.
    Comment {
        issue: IssueRef,
        body: String,
        why: &'static str,
    },
    /// Publishing: this week's report issue, created. `marker` (in `description`)
    /// finds it again, and finds a copy a racing run created.
    CreateReportIssue {
        /// The project's API path, `/projects/42` or `/projects/group%2Fapp`.
        project: String,
        title: String,
        description: String,
        labels: Vec<String>,
        marker: String,
    },
    /// Publishing: the report issue's description, replaced.
    UpdateReportIssue { issue: IssueRef, description: String },
    /// Publishing: close a report issue (last week's, or a newer duplicate).
    CloseIssue { issue: IssueRef, why: &'static str },
}

impl Step {
    /// The `kind` written in the report (`rotation.actions[].kind`).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Step::CloseAndRename { .. } => "close_and_rename",
            Step::Close { .. } => "close",
            Step::Rename { .. } => "rename",
            Step::Create { .. } => "create",
            Step::SetDates { .. } => "set_dates",
            Step::DeleteDuplicate { .. } => "delete_duplicate",
            Step::MoveIssue { .. } => "move_issue",
            Step::AddLabels { .. } => "add_labels",
            Step::CreateLabel { .. } => "create_label",
            Step::Comment { .. }
            | Step::CreateReportIssue { .. }
            | Step::UpdateReportIssue { .. }
            | Step::CloseIssue { .. } => "publish",
        }
    }

    /// What the step is about, for people: a milestone title, an issue, a label.
    pub(crate) fn target(&self) -> String {
        match self {
            Step::CloseAndRename { from, .. } => from.clone(),
            Step::Close { title, .. }
            | Step::Create { title, .. }
            | Step::SetDates { title, .. }
            | Step::DeleteDuplicate { title, .. } => title.clone(),
            Step::Rename { from, .. } => from.clone(),
            Step::MoveIssue { issue, .. }
            | Step::AddLabels { issue, .. }
            | Step::Comment { issue, .. }
            | Step::UpdateReportIssue { issue, .. }
            | Step::CloseIssue { issue, .. } => issue.reference.clone(),
            Step::CreateReportIssue { title, .. } => title.clone(),
            Step::CreateLabel { name, .. } => name.clone(),
        }
    }

    /// One line that says what the step does: "rename “Next WoW” to “WoW”".
    pub(crate) fn describe(&self) -> String {
        match self {
            Step::CloseAndRename {
                from,
                to,
                description,
                ..
            } => match description {
                Some(_) => {
                    format!("rename \"{from}\" to \"{to}\", close it, and write the week's summary into it")
                }
                None => format!("rename \"{from}\" to \"{to}\" and close it"),
            },
            Step::Close { title, .. } => format!("close \"{title}\""),
            Step::Rename {
                from,
                to,
                start_date,
                due_date,
                ..
            } => match (start_date, due_date) {
                (Some(s), Some(d)) => format!("rename \"{from}\" to \"{to}\" ({s} – {d})"),
                _ => format!("rename \"{from}\" to \"{to}\""),
            },
            Step::Create {
                title,
                start_date,
                due_date,
            } => match (start_date, due_date) {
                (Some(s), Some(d)) => format!("create \"{title}\" ({s} – {d})"),
                _ => format!("create \"{title}\""),
            },
            Step::SetDates {
                title,
                start_date,
                due_date,
                ..
            } => {
                format!("set the dates of \"{title}\" to {start_date} – {due_date}")
            }
            Step::DeleteDuplicate { id, title, kept_id } => {
                format!("delete duplicate \"{title}\" (id {id}, keeping id {kept_id})")
            }
            Step::MoveIssue { issue, to, .. } => {
                format!("move {} to \"{}\"", issue.reference, to.title())
            }
            Step::AddLabels { issue, labels } => {
                let list: Vec<String> = labels.iter().map(|l| format!("~\"{l}\"")).collect();
                format!("add {} to {}", list.join(" "), issue.reference)
            }
            Step::CreateLabel { name, .. } => format!("create label ~\"{name}\""),
            Step::Comment { issue, why, .. } => format!("comment on {}: {why}", issue.reference),
            Step::CreateReportIssue { title, .. } => format!("create the report issue \"{title}\""),
            Step::UpdateReportIssue { issue, .. } => {
                format!("update the report in {}", issue.reference)
            }
            Step::CloseIssue { issue, why } => format!("close {}: {why}", issue.reference),
        }
    }
}
