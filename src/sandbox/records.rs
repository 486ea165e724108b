//! The records the world stores: tokens, groups, projects, milestones, issues,
//! labels, resource milestone events, notes and users, as the sandbox keeps them
//! (the API renders them into GitLab's JSON shapes in `json.rs`). Plain data.

use super::spec::Owner;
use crate::gitlab::model::{AccessLevel, EventAction, IssueState, MilestoneState};
use chrono::{DateTime, NaiveDate, Utc};

/// What kind of token it is. GitLab describes project, group and personal access
/// tokens (all stored as personal access tokens) at `/personal_access_tokens/self`
/// and refuses every other kind there (gitlab-api.md §10b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenKind {
    Personal,
    /// A project access token: a bot user (`/user` says `"bot": true`).
    #[default]
    ProjectAccess,
    GroupAccess,
    /// An OAuth token: accepted only as `Authorization: Bearer`, and without a
    /// token record.
    OAuth,
}

impl TokenKind {
    pub fn has_record(self) -> bool {
        self != TokenKind::OAuth
    }
    pub fn is_bot(self) -> bool {
        matches!(self, TokenKind::ProjectAccess | TokenKind::GroupAccess)
    }
}

/// A token and what GitLab says about it (doctor: `/user`, `/personal_access_tokens/self`).
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: u64,
    pub name: String,
    pub role: AccessLevel,
    pub user_id: u64,
    pub scopes: Vec<String>,
    pub expires_at: Option<NaiveDate>,
    pub revoked: bool,
    pub is_admin: bool,
    pub kind: TokenKind,
}

#[derive(Debug, Clone)]
pub struct GroupRec {
    pub id: u64,
    pub full_path: String,
    pub parent: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct ProjectRec {
    pub id: u64,
    pub full_path: String,
    pub group: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct MilestoneRec {
    pub id: u64,
    pub iid: u64,
    pub owner: Owner,
    pub title: String,
    pub description: String,
    pub state: MilestoneState,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct IssueRec {
    pub id: u64,
    pub iid: u64,
    pub project_id: u64,
    pub title: String,
    pub description: String,
    pub state: IssueState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Label names, kept sorted (GitLab lists them by title).
    pub labels: Vec<String>,
    pub milestone_id: Option<u64>,
    pub assignees: Vec<u64>,
    pub author: u64,
    pub confidential: bool,
}

#[derive(Debug, Clone)]
pub struct LabelRec {
    pub id: u64,
    pub owner: Owner,
    pub name: String,
    pub color: String,
    pub description: String,
    pub priority: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct EventRec {
    pub id: u64,
    pub issue_id: u64,
    pub milestone_id: u64,
    pub action: EventAction,
    pub user_id: u64,
    pub created_at: DateTime<Utc>,
    /// The issue's state when the event was written.
    pub state: IssueState,
}

/// A comment on an issue, or a system note GitLab wrote for a change.
#[derive(Debug, Clone)]
pub struct NoteRec {
    pub id: u64,
    pub issue_id: u64,
    pub body: String,
    pub author: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Written by GitLab for an assignment, title, description or confidentiality
    /// change (label, milestone and state changes are resource events instead).
    pub system: bool,
}

#[derive(Debug, Clone)]
pub struct UserRec {
    pub id: u64,
    pub username: String,
    pub name: String,
}
