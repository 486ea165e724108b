//! The GitLab objects wowctl reads, as GitLab's API returns them (gitlab-api.md §2–§5),
//! and the token, user and member records `doctor` reads (§8, §9).
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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    pub id: u64,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct References {
    #[serde(default)]
    pub short: String,
    #[serde(default)]
    pub full: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
    /// Only project members with Planner or above see it: its title must not be
    /// written where anyone else reads (public job logs and artifacts).
    #[serde(default)]
    pub confidential: bool,
    /// Markdown; read where wowctl looks for its own markers (the report issue).
    #[serde(default)]
    pub description: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MilestoneEvent {
    pub id: u64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub resource_id: u64,
    #[serde(default)]
    pub milestone: Option<Milestone>,
    pub action: EventAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A member's role, with the `access_level` number GitLab uses for it (gitlab-api.md §9),
/// ordered like GitLab orders them. The sandbox gives its tokens these roles; doctor
/// compares a member's role with what a run needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    Guest = 10,
    /// Since GitLab 17.7: edits milestones, labels and issue metadata (gitlab-api.md §9).
    Planner = 15,
    Reporter = 20,
    Developer = 30,
    Maintainer = 40,
    Owner = 50,
}

impl AccessLevel {
    pub const ALL: [AccessLevel; 6] = [
        AccessLevel::Guest,
        AccessLevel::Planner,
        AccessLevel::Reporter,
        AccessLevel::Developer,
        AccessLevel::Maintainer,
        AccessLevel::Owner,
    ];

    /// The members API's `access_level`.
    pub fn level(self) -> u64 {
        self as u64
    }

    /// `None` for levels that are not one of these roles: no access (0), Minimal
    /// Access (5), and levels newer GitLab versions may add.
    pub fn from_level(level: u64) -> Option<AccessLevel> {
        AccessLevel::ALL.into_iter().find(|a| a.level() == level)
    }

    pub fn name(self) -> &'static str {
        match self {
            AccessLevel::Guest => "Guest",
            AccessLevel::Planner => "Planner",
            AccessLevel::Reporter => "Reporter",
            AccessLevel::Developer => "Developer",
            AccessLevel::Maintainer => "Maintainer",
            AccessLevel::Owner => "Owner",
        }
    }

    /// `admin_milestone`, `admin_label`, `set_issue_metadata` (gitlab-api.md §9).
    pub fn can_plan(self) -> bool {
        self >= AccessLevel::Planner
    }
}

impl std::fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The token's own record, `GET /personal_access_tokens/self` (GitLab 15.5+; project and
/// group access tokens have one too, OAuth and job tokens do not).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenRecord {
    pub id: u64,
    pub name: String,
    pub scopes: Vec<String>,
    pub active: bool,
    pub revoked: bool,
    /// `null` for a token that never expires (allowed on some self-managed instances).
    #[serde(default)]
    pub expires_at: Option<NaiveDate>,
}

impl TokenRecord {
    /// Where a token reads its own record: `gl.get::<TokenRecord>(TokenRecord::PATH, &[])`.
    pub const PATH: &'static str = "/personal_access_tokens/self";

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Days from `today` to the expiry date when that is within `within` (rounded
    /// up to whole days); `None` for a token that never expires or expires later.
    pub fn expires_within(&self, today: NaiveDate, within: std::time::Duration) -> Option<i64> {
        let limit = i64::try_from(within.as_secs().div_ceil(86_400)).unwrap_or(i64::MAX);
        let left = (self.expires_at? - today).num_days();
        (left <= limit).then_some(left)
    }
}

/// A comment (or a system note) on an issue, `GET /projects/:id/issues/:iid/notes`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Note {
    pub id: u64,
    #[serde(default)]
    pub body: String,
    pub author: User,
    pub created_at: DateTime<Utc>,
    /// GitLab's own notes (assignment, title changes), written as the acting user.
    #[serde(default)]
    pub system: bool,
}

/// The token's user, `GET /user`. `is_admin` is only sent for administrators; `bot` is
/// true for the users behind project and group access tokens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CurrentUser {
    pub id: u64,
    pub username: String,
    #[serde(default)]
    pub is_admin: bool,
    #[serde(default)]
    pub bot: Option<bool>,
}

/// A member of a project or group with inherited memberships,
/// `GET /{projects|groups}/:id/members/all/:user_id`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Member {
    pub id: u64,
    /// Kept as GitLab's number: levels that are not a role wowctl knows (0, 5, and
    /// any a newer GitLab adds) must not make the answer unreadable.
    pub access_level: u64,
}

impl Member {
    pub fn role(&self) -> Option<AccessLevel> {
        AccessLevel::from_level(self.access_level)
    }
}

/// `GET /projects/:id`: only what doctor names it by.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Project {
    pub id: u64,
    pub path_with_namespace: String,
    /// `private`, `internal` or `public`.
    #[serde(default)]
    pub visibility: Option<String>,
}

/// `GET /groups/:id`: only what doctor names it by.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Group {
    pub id: u64,
    pub full_path: String,
    #[serde(default)]
    pub visibility: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_levels() {
        let table = [
            (10, Some(AccessLevel::Guest)),
            (15, Some(AccessLevel::Planner)),
            (20, Some(AccessLevel::Reporter)),
            (30, Some(AccessLevel::Developer)),
            (40, Some(AccessLevel::Maintainer)),
            (50, Some(AccessLevel::Owner)),
            (5, None),
            (0, None),
            (25, None),
            (60, None),
        ];
        for (level, want) in table {
            assert_eq!(AccessLevel::from_level(level), want, "{level}");
            if let Some(a) = want {
                assert_eq!(a.level(), level);
            }
        }
        // Declaration order is GitLab's order, so `>=` compares roles.
        assert!(AccessLevel::ALL
            .windows(2)
            .all(|w| w[0] < w[1] && w[0].level() < w[1].level()));
        assert!(!AccessLevel::Guest.can_plan() && AccessLevel::Planner.can_plan());
    }

    #[test]
    fn doctor_reads_parse() {
        let token: TokenRecord = serde_json::from_str(
            r#"{"id":4,"name":"wowctl","revoked":false,"created_at":"2026-01-01T00:00:00Z",
                "scopes":["api"],"user_id":7,"last_used_at":null,"active":true,"expires_at":null}"#,
        )
        .unwrap();
        assert_eq!(token.expires_at, None);
        assert!(token.has_scope("api") && !token.has_scope("read_api"));
        let token: TokenRecord = serde_json::from_str(
            r#"{"id":4,"name":"w","revoked":true,"scopes":[],"active":false,"expires_at":"2026-12-01"}"#,
        )
        .unwrap();
        assert_eq!(token.expires_at, "2026-12-01".parse().ok());

        let user: CurrentUser = serde_json::from_str(r#"{"id":7,"username":"bot","name":"B"}"#).unwrap();
        assert_eq!((user.is_admin, user.bot), (false, None));

        let member: Member = serde_json::from_str(r#"{"id":7,"username":"bot","access_level":5}"#).unwrap();
        assert_eq!(member.role(), None, "Minimal Access is readable, not a role");
        let member: Member = serde_json::from_str(r#"{"id":7,"access_level":15}"#).unwrap();
        assert_eq!(member.role(), Some(AccessLevel::Planner));
    }
}
