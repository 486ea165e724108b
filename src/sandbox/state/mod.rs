//! The sandbox's world: groups, projects, milestones, issues, labels, resource
//! milestone events, notes, users and tokens, plus the clock and the fault settings.
//!
//! The builder methods here set up scenarios directly and do NOT apply GitLab's
//! validation (a test may want two `Next WoW` milestones, as two racing runs leave
//! them); the API's rules live in `writes.rs`. Nothing here does I/O or reads the
//! wall clock: time is the world's own clock (`now`), which every applied API write
//! advances by one second so that timestamps are strictly ordered.

mod issues;

pub(crate) use issues::display_name;

use super::faults::Faults;
use super::records::{
    EventRec, GroupRec, IssueRec, LabelRec, MilestoneRec, NoteRec, ProjectRec, TokenInfo, TokenKind, UserRec,
};
use super::request_log::LoggedRequest;
use super::spec::{MilestoneSpec, Owner};
use crate::gitlab::model::{AccessLevel, Label, Milestone};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap};

/// Global id counters. Each kind starts in its own range so a client that mixes
/// up an issue's `id` and `iid` (gitlab-api.md §1) gets a 404, as on GitLab.
#[derive(Debug, Clone)]
struct Ids {
    group: u64,
    project: u64,
    milestone: u64,
    issue: u64,
    label: u64,
    event: u64,
    note: u64,
    user: u64,
    token: u64,
}

/// The whole simulated GitLab. See the module doc for the builder's contract.
#[derive(Debug)]
pub struct World {
    now: DateTime<Utc>,
    /// Base of every `web_url`; the server sets it to its own address.
    pub(crate) web_base: String,
    pub(crate) groups: BTreeMap<u64, GroupRec>,
    pub(crate) projects: BTreeMap<u64, ProjectRec>,
    pub(crate) milestones: BTreeMap<u64, MilestoneRec>,
    pub(crate) issues: BTreeMap<u64, IssueRec>,
    /// (project id, iid) → issue id.
    pub(crate) issue_index: HashMap<(u64, u64), u64>,
    pub(crate) labels: BTreeMap<u64, LabelRec>,
    /// Issue id → its events, in id order.
    pub(crate) events: HashMap<u64, Vec<EventRec>>,
    /// Issue id → its notes, in id (= creation) order.
    pub(crate) notes: HashMap<u64, Vec<NoteRec>>,
    pub(crate) users: BTreeMap<u64, UserRec>,
    pub(crate) tokens: HashMap<String, TokenInfo>,
    /// Next iid per milestone owner and per project's issues.
    milestone_iids: HashMap<Owner, u64>,
    issue_iids: HashMap<u64, u64>,
    ids: Ids,
    /// The user the builder acts as (seeded issues' author, events' user).
    seed_user: u64,
    /// Reached only through `faults`/`faults_mut` (one way for tests, the control
    /// API and the pipeline alike).
    faults: Faults,
    pub(crate) log: Vec<LoggedRequest>,
}

impl World {
    pub fn new(now: DateTime<Utc>) -> World {
        let mut w = World {
            now,
            web_base: "http://gitlab.example.com".to_string(),
            groups: BTreeMap::new(),
            projects: BTreeMap::new(),
            milestones: BTreeMap::new(),
            issues: BTreeMap::new(),
            issue_index: HashMap::new(),
            labels: BTreeMap::new(),
            events: HashMap::new(),
            notes: HashMap::new(),
            users: BTreeMap::new(),
            tokens: HashMap::new(),
            milestone_iids: HashMap::new(),
            issue_iids: HashMap::new(),
            ids: Ids {
                group: 0,
                project: 0,
                milestone: 500,
                issue: 100_000,
                label: 200,
                event: 9_000,
                note: 5_000_000,
                user: 0,
                token: 0,
            },
            seed_user: 0,
            faults: Faults::default(),
            log: Vec::new(),
        };
        w.seed_user = w.add_user("planner", "Pat Planner");
        w
    }

    // ---- clock ----

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now = now;
    }
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }
    /// The time stamp of an applied API write; moves the clock on by one second
    /// so consecutive writes are strictly ordered.
    pub(crate) fn tick(&mut self) -> DateTime<Utc> {
        let at = self.now;
        self.now += Duration::seconds(1);
        at
    }

    /// The fault settings: `world.faults_mut().fail_next(1, 503)`.
    pub fn faults_mut(&mut self) -> &mut Faults {
        &mut self.faults
    }
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The request log (also reachable as `Sandbox::requests`).
    pub fn requests(&self) -> &[LoggedRequest] {
        &self.log
    }
    pub fn clear_requests(&mut self) {
        self.log.clear();
    }

    // ---- users and tokens ----

    pub fn add_user(&mut self, username: &str, name: &str) -> u64 {
        if let Some(u) = self.user_by_username(username) {
            return u.id;
        }
        self.ids.user += 1;
        let id = self.ids.user;
        self.users.insert(
            id,
            UserRec {
                id,
                username: username.to_string(),
                name: name.to_string(),
            },
        );
        id
    }

    pub(crate) fn user_by_username(&self, username: &str) -> Option<&UserRec> {
        self.users.values().find(|u| u.username == username)
    }

    /// A token with scope `api`, no expiry, for a new bot user; returns its user id.
    pub fn add_token(&mut self, token: &str, role: AccessLevel) -> u64 {
        self.ids.token += 1;
        let n = self.ids.token;
        let user_id = self.add_user(&format!("wowctl_bot_{n}"), "wowctl bot");
        self.tokens.insert(
            token.to_string(),
            TokenInfo {
                id: n,
                name: format!("wowctl {n}"),
                role,
                user_id,
                scopes: vec!["api".to_string()],
                expires_at: None,
                revoked: false,
                is_admin: false,
                kind: TokenKind::default(),
            },
        );
        user_id
    }

    /// Token metadata for doctor and publishing scenarios (scopes, `expires_at`,
    /// revoked, admin, role, kind).
    pub fn token_mut(&mut self, token: &str) -> Option<&mut TokenInfo> {
        self.tokens.get_mut(token)
    }

    /// The token's user id, to tell wowctl's own notes from people's.
    pub fn token_user(&self, token: &str) -> Option<u64> {
        self.tokens.get(token).map(|t| t.user_id)
    }

    pub fn user(&self, id: u64) -> Option<&UserRec> {
        self.users.get(&id)
    }

    // ---- groups and projects ----

    /// A group; a path `a/b` becomes a subgroup of an existing group `a`.
    pub fn add_group(&mut self, path: &str) -> u64 {
        self.ids.group += 1;
        let id = self.ids.group;
        let parent = self
            .groups
            .values()
            .filter(|g| path.starts_with(&format!("{}/", g.full_path)))
            .max_by_key(|g| g.full_path.len())
            .map(|g| g.id);
        self.groups.insert(
            id,
            GroupRec {
                id,
                full_path: path.to_string(),
                parent,
            },
        );
        id
    }

    /// A project. A path without `/` is placed under the group's path.
    pub fn add_project(&mut self, path: &str, group: Option<u64>) -> u64 {
        self.ids.project += 1;
        let id = self.ids.project;
        let full_path = match group.and_then(|g| self.groups.get(&g)) {
            Some(g) if !path.contains('/') => format!("{}/{path}", g.full_path),
            _ => path.to_string(),
        };
        self.projects.insert(id, ProjectRec { id, full_path, group });
        id
    }

    /// The group and its ancestors, nearest first.
    pub(crate) fn group_chain(&self, group: u64) -> Vec<u64> {
        let mut chain = Vec::new();
        let mut next = Some(group);
        while let Some(g) = next {
            if chain.contains(&g) {
                break;
            }
            chain.push(g);
            next = self.groups.get(&g).and_then(|r| r.parent);
        }
        chain
    }

    /// The owners whose milestones and labels a project can use: itself and its ancestor groups.
    pub(crate) fn visible_owners(&self, owner: Owner) -> Vec<Owner> {
        let (mut out, group) = match owner {
            Owner::Project(p) => (
                vec![Owner::Project(p)],
                self.projects.get(&p).and_then(|r| r.group),
            ),
            Owner::Group(g) => (Vec::new(), Some(g)),
        };
        if let Some(g) = group {
            out.extend(self.group_chain(g).into_iter().map(Owner::Group));
        }
        out
    }

    /// The group and all its descendants.
    pub(crate) fn group_tree(&self, group: u64) -> Vec<u64> {
        self.groups
            .keys()
            .copied()
            .filter(|&g| self.group_chain(g).contains(&group))
            .collect()
    }

    /// Projects in the group or its subgroups.
    pub(crate) fn projects_under(&self, group: u64) -> Vec<u64> {
        let tree = self.group_tree(group);
        self.projects
            .values()
            .filter(|p| p.group.is_some_and(|g| tree.contains(&g)))
            .map(|p| p.id)
            .collect()
    }

    // ---- milestones ----

    /// Creates a milestone as given (no title or date validation; see the module doc).
    pub fn add_milestone(&mut self, spec: MilestoneSpec) -> u64 {
        self.ids.milestone += 1;
        let id = self.ids.milestone;
        let iid = self.milestone_iids.entry(spec.scope).or_insert(0);
        *iid += 1;
        let created_at = spec.created_at.unwrap_or(self.now);
        self.milestones.insert(
            id,
            MilestoneRec {
                id,
                iid: *iid,
                owner: spec.scope,
                title: spec.title,
                description: spec.description,
                state: spec.state,
                start_date: spec.start_date,
                due_date: spec.due_date,
                created_at,
                updated_at: spec.updated_at.unwrap_or(created_at),
            },
        );
        id
    }

    pub fn milestone_mut(&mut self, id: u64) -> Option<&mut MilestoneRec> {
        self.milestones.get_mut(&id)
    }

    /// Every milestone (project and group), by id.
    pub fn milestones(&self) -> Vec<Milestone> {
        self.milestones
            .values()
            .map(|m| self.milestone_model(m))
            .collect()
    }

    pub fn milestone(&self, id: u64) -> Option<Milestone> {
        self.milestones.get(&id).map(|m| self.milestone_model(m))
    }

    /// The oldest milestone with exactly this title.
    pub fn milestone_by_title(&self, title: &str) -> Option<Milestone> {
        self.milestones
            .values()
            .find(|m| m.title == title)
            .map(|m| self.milestone_model(m))
    }

    pub(crate) fn milestone_web_url(&self, m: &MilestoneRec) -> String {
        match m.owner {
            Owner::Project(p) => format!(
                "{}/{}/-/milestones/{}",
                self.web_base,
                self.projects.get(&p).map_or("", |r| r.full_path.as_str()),
                m.iid
            ),
            Owner::Group(g) => format!(
                "{}/groups/{}/-/milestones/{}",
                self.web_base,
                self.groups.get(&g).map_or("", |r| r.full_path.as_str()),
                m.iid
            ),
        }
    }

    fn milestone_model(&self, m: &MilestoneRec) -> Milestone {
        let (project_id, group_id) = match m.owner {
            Owner::Project(p) => (Some(p), None),
            Owner::Group(g) => (None, Some(g)),
        };
        Milestone {
            id: m.id,
            iid: m.iid,
            project_id,
            group_id,
            title: m.title.clone(),
            description: Some(m.description.clone()),
            state: m.state,
            created_at: m.created_at,
            updated_at: Some(m.updated_at),
            start_date: m.start_date,
            due_date: m.due_date,
            web_url: Some(self.milestone_web_url(m)),
        }
    }

    // ---- labels ----

    pub fn add_label(&mut self, owner: Owner, name: &str, color: &str) -> u64 {
        self.ids.label += 1;
        let id = self.ids.label;
        self.labels.insert(
            id,
            LabelRec {
                id,
                owner,
                name: name.to_string(),
                color: color.to_string(),
                description: String::new(),
                priority: None,
            },
        );
        id
    }

    /// The labels available to `owner` (its own and its ancestor groups'), by name.
    pub fn labels(&self, owner: Owner) -> Vec<Label> {
        self.visible_labels(owner)
            .into_iter()
            .map(|l| Label {
                id: l.id,
                name: l.name.clone(),
                color: l.color.clone(),
                description: Some(l.description.clone()),
                is_project_label: Some(matches!(l.owner, Owner::Project(_))),
            })
            .collect()
    }

    pub(crate) fn visible_labels(&self, owner: Owner) -> Vec<&LabelRec> {
        let owners = self.visible_owners(owner);
        let mut out: Vec<&LabelRec> = self
            .labels
            .values()
            .filter(|l| owners.contains(&l.owner))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::EventAction;
    use crate::sandbox::spec::IssueSpec;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn milestone_changes_record_events_like_gitlab() {
        let mut w = World::new(t("2026-01-07T00:00:00Z"));
        let a = w.add_milestone(MilestoneSpec::new(Owner::Project(1), "A"));
        let b = w.add_milestone(MilestoneSpec::new(Owner::Project(1), "B"));
        w.add_project("g/p", None);
        let (id, iid) = w.add_issue(IssueSpec::new(1, "x").milestone(a));
        assert!(w.set_issue_milestone(1, iid, Some(b), t("2026-01-08T00:00:00Z")));
        assert!(!w.set_issue_milestone(1, iid, Some(b), t("2026-01-08T01:00:00Z")));
        assert!(w.set_issue_milestone(1, iid, None, t("2026-01-09T00:00:00Z")));
        let evs: Vec<_> = w
            .events(id)
            .into_iter()
            .map(|e| (e.action, e.milestone.map(|m| m.id)))
            .collect();
        assert_eq!(
            evs,
            vec![
                (EventAction::Add, Some(a)),
                (EventAction::Add, Some(b)),
                (EventAction::Remove, Some(b)),
            ]
        );
        assert_eq!(w.issue(1, iid).unwrap().updated_at, t("2026-01-09T00:00:00Z"));
    }

    #[test]
    fn subgroups_and_visibility() {
        let mut w = World::new(t("2026-01-07T00:00:00Z"));
        let a = w.add_group("a");
        let b = w.add_group("a/b");
        let p = w.add_project("app", Some(b));
        assert_eq!(w.project_path(p), "a/b/app");
        assert_eq!(
            w.visible_owners(Owner::Project(p)),
            vec![Owner::Project(p), Owner::Group(b), Owner::Group(a)]
        );
        assert_eq!(w.projects_under(a), vec![p]);
        assert_eq!(display_name("jane.doe"), "Jane Doe");
    }
}
