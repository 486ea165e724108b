//! The GitLab objects wowctl reads, as GitLab's API returns them (gitlab-api.md §2–§5).
//!
//! Only the fields wowctl uses are declared; unknown fields are ignored so newer
//! GitLab versions keep working. Optional fields default so a sparse answer
//! (null dates, missing `web_url` on an issue's embedded milestone) still parses.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MilestoneState {
    Active,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: u64,
    #[serde(default)]
    pub iid: u64,
    #[serde(default)]
    pub project_id: Option<u64>,
    #[serde(default)]
    pub group_id: Option<u64>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub state: MilestoneState,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub web_url: Option<String>,
}

impl Milestone {
    pub fn is_open(&self) -> bool {
        self.state == MilestoneState::Active
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    Opened,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct References {
    #[serde(default)]
    pub short: String,
    #[serde(default)]
    pub full: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Instance-wide id; resource events name the issue by it (`resource_id`).
    pub id: u64,
    /// Per-project id: `#iid`, and the one issue URLs use.
    pub iid: u64,
    pub project_id: u64,
    pub title: String,
    pub state: IssueState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub milestone: Option<Milestone>,
    #[serde(default)]
    pub assignees: Vec<User>,
    #[serde(default)]
    pub web_url: String,
    #[serde(default)]
    pub references: Option<References>,
}

impl Issue {
    pub fn is_open(&self) -> bool {
        self.state == IssueState::Opened
    }

    pub fn has_label(&self, name: &str) -> bool {
        self.labels.iter().any(|l| l == name)
    }

    /// `group/project#iid` when GitLab gave it, else `#iid`.
    pub fn full_reference(&self) -> String {
        match &self.references {
            Some(r) if !r.full.is_empty() => r.full.clone(),
            _ => format!("#{}", self.iid),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventAction {
    Add,
    Remove,
}

/// A resource milestone event (gitlab-api.md §4). `milestone` is the milestone as
/// it is *now* (current title), so events are matched by milestone id, never title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneEvent {
    pub id: u64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub resource_id: u64,
    #[serde(default)]
    pub milestone: Option<Milestone>,
    pub action: EventAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub color: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_project_label: Option<bool>,
}

/// Where the milestones live: a project's own, or a group's (`--group`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Scope {
    /// Numeric id or full path, as given (`group/sub/project`).
    Project(String),
    Group(String),
}

impl Scope {
    /// The API path prefix, id or path URL-encoded as one segment (gitlab-api.md §1).
    pub fn api_prefix(&self) -> String {
        let (kind, id) = match self {
            Scope::Project(id) => ("projects", id),
            Scope::Group(id) => ("groups", id),
        };
        let encoded = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
        format!("/{kind}/{encoded}")
    }

    pub fn is_group(&self) -> bool {
        matches!(self, Scope::Group(_))
    }

    /// "project group/app" / "group 42", for messages.
    pub fn describe(&self) -> String {
        match self {
            Scope::Project(id) => format!("project {id}"),
            Scope::Group(id) => format!("group {id}"),
        }
    }
}
