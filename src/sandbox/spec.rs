//! What a test or a seed asks the world to hold: `MilestoneSpec` and `IssueSpec`
//! builders with GitLab-like defaults, and who owns a milestone or label. Plain
//! data; `World::add_milestone` / `add_issue` turn them into records.

use crate::gitlab::model::{IssueState, MilestoneState};
use chrono::{DateTime, NaiveDate, Utc};

/// Who owns a milestone or a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Project(u64),
    Group(u64),
}

/// What `World::add_milestone` creates. `Default` is an active project-1 milestone.
#[derive(Debug, Clone)]
pub struct MilestoneSpec {
    pub scope: Owner,
    pub title: String,
    pub description: String,
    pub state: MilestoneState,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Defaults to the world's clock.
    pub created_at: Option<DateTime<Utc>>,
    /// Defaults to `created_at`.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Default for MilestoneSpec {
    fn default() -> Self {
        MilestoneSpec {
            scope: Owner::Project(1),
            title: String::new(),
            description: String::new(),
            state: MilestoneState::Active,
            start_date: None,
            due_date: None,
            created_at: None,
            updated_at: None,
        }
    }
}

impl MilestoneSpec {
    pub fn new(scope: Owner, title: &str) -> Self {
        MilestoneSpec {
            scope,
            title: title.to_string(),
            ..Default::default()
        }
    }
    pub fn dates(mut self, start: NaiveDate, due: NaiveDate) -> Self {
        self.start_date = Some(start);
        self.due_date = Some(due);
        self
    }
    pub fn closed(mut self) -> Self {
        self.state = MilestoneState::Closed;
        self
    }
    pub fn created(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }
    pub fn updated(mut self, at: DateTime<Utc>) -> Self {
        self.updated_at = Some(at);
        self
    }
}

/// What `World::add_issue` creates. `Default` is an open project-1 issue.
#[derive(Debug, Clone)]
pub struct IssueSpec {
    pub project_id: u64,
    pub title: String,
    pub description: String,
    /// Label names, stored as given (missing labels are not created).
    pub labels: Vec<String>,
    /// Set at creation: records an `add` event at `created_at`.
    pub milestone_id: Option<u64>,
    pub state: IssueState,
    /// Usernames; unknown ones become users.
    pub assignees: Vec<String>,
    /// Username of the author; defaults to the seed user.
    pub author: Option<String>,
    pub confidential: bool,
    /// Defaults to the world's clock.
    pub created_at: Option<DateTime<Utc>>,
    /// Defaults to the latest of `created_at` and `closed_at`.
    pub updated_at: Option<DateTime<Utc>>,
    /// For a closed issue; defaults to `updated_at` (or `created_at`).
    pub closed_at: Option<DateTime<Utc>>,
}

impl Default for IssueSpec {
    fn default() -> Self {
        IssueSpec {
            project_id: 1,
            title: String::new(),
            description: String::new(),
            labels: Vec::new(),
            milestone_id: None,
            state: IssueState::Opened,
            assignees: Vec::new(),
            author: None,
            confidential: false,
            created_at: None,
            updated_at: None,
            closed_at: None,
        }
    }
}

impl IssueSpec {
    pub fn new(project_id: u64, title: &str) -> Self {
        IssueSpec {
            project_id,
            title: title.to_string(),
            ..Default::default()
        }
    }
    pub fn labels(mut self, labels: &[&str]) -> Self {
        self.labels = labels.iter().map(|l| l.to_string()).collect();
        self
    }
    pub fn milestone(mut self, id: u64) -> Self {
        self.milestone_id = Some(id);
        self
    }
    pub fn assignee(mut self, username: &str) -> Self {
        self.assignees.push(username.to_string());
        self
    }
    pub fn created(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }
    pub fn updated(mut self, at: DateTime<Utc>) -> Self {
        self.updated_at = Some(at);
        self
    }
    pub fn closed(mut self, at: DateTime<Utc>) -> Self {
        self.state = IssueState::Closed;
        self.closed_at = Some(at);
        self
    }
    pub fn description(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }
    pub fn author(mut self, username: &str) -> Self {
        self.author = Some(username.to_string());
        self
    }
    pub fn confidential(mut self) -> Self {
        self.confidential = true;
        self
    }
}
