//! The world's issues and their resource milestone events: the builders tests
//! and seeds use, the milestone changes the API makes (each one an event, as
//! GitLab records it, gitlab-api.md §4), and the GitLab objects they render as.

use super::World;
use crate::gitlab::model::{EventAction, Issue, IssueState, MilestoneEvent, References, User};
use crate::sandbox::records::{EventRec, IssueRec, NoteRec};
use crate::sandbox::spec::IssueSpec;
use chrono::{DateTime, Utc};

impl World {
    // ---- issues ----

    /// Creates an issue; returns (global id, iid).
    pub fn add_issue(&mut self, spec: IssueSpec) -> (u64, u64) {
        self.ids.issue += 1;
        let id = self.ids.issue;
        let iid_counter = self.issue_iids.entry(spec.project_id).or_insert(0);
        *iid_counter += 1;
        let iid = *iid_counter;
        let created_at = spec.created_at.unwrap_or(self.now);
        let closed_at = match spec.state {
            IssueState::Closed => Some(spec.closed_at.or(spec.updated_at).unwrap_or(created_at)),
            IssueState::Opened => None,
        };
        let updated_at = spec
            .updated_at
            .unwrap_or_else(|| closed_at.map_or(created_at, |c| c.max(created_at)));
        let assignees = spec
            .assignees
            .iter()
            .map(|u| self.add_user(u, &display_name(u)))
            .collect();
        let author = match &spec.author {
            Some(u) => self.add_user(u, &display_name(u)),
            None => self.seed_user,
        };
        let mut labels = spec.labels;
        labels.sort();
        labels.dedup();
        self.issues.insert(
            id,
            IssueRec {
                id,
                iid,
                project_id: spec.project_id,
                title: spec.title,
                description: spec.description,
                state: spec.state,
                created_at,
                updated_at,
                closed_at,
                labels,
                milestone_id: spec.milestone_id,
                assignees,
                author,
                confidential: spec.confidential,
            },
        );
        self.issue_index.insert((spec.project_id, iid), id);
        if let Some(m) = spec.milestone_id {
            // Issues are created open, whatever state the spec ends in.
            let user = self.seed_user;
            self.push_event(id, m, EventAction::Add, user, created_at, IssueState::Opened);
        }
        (id, iid)
    }

    pub(crate) fn issue_id(&self, project_id: u64, iid: u64) -> Option<u64> {
        self.issue_index.get(&(project_id, iid)).copied()
    }

    /// Direct access for scenario tweaks; changes made here record no events.
    pub fn issue_mut(&mut self, project_id: u64, iid: u64) -> Option<&mut IssueRec> {
        let id = self.issue_id(project_id, iid)?;
        self.issues.get_mut(&id)
    }

    /// Moves an issue to a milestone (or none) at `at`, exactly as GitLab records it
    /// (gitlab-api.md §4): A→B writes one `add B`, clearing writes `remove A`,
    /// and `updated_at` becomes `at`. Returns false when nothing changed.
    pub fn set_issue_milestone(
        &mut self,
        project_id: u64,
        iid: u64,
        milestone: Option<u64>,
        at: DateTime<Utc>,
    ) -> bool {
        let user = self.seed_user;
        match self.issue_id(project_id, iid) {
            Some(id) => self.change_milestone(id, milestone, user, at),
            None => false,
        }
    }

    pub(crate) fn change_milestone(
        &mut self,
        issue_id: u64,
        milestone: Option<u64>,
        user: u64,
        at: DateTime<Utc>,
    ) -> bool {
        let Some(issue) = self.issues.get_mut(&issue_id) else {
            return false;
        };
        let old = issue.milestone_id;
        if old == milestone {
            return false;
        }
        issue.milestone_id = milestone;
        issue.updated_at = at;
        let state = issue.state;
        match (old, milestone) {
            (_, Some(new)) => self.push_event(issue_id, new, EventAction::Add, user, at, state),
            (Some(old), None) => self.push_event(issue_id, old, EventAction::Remove, user, at, state),
            (None, None) => {}
        }
        true
    }

    fn push_event(
        &mut self,
        issue_id: u64,
        milestone_id: u64,
        action: EventAction,
        user_id: u64,
        at: DateTime<Utc>,
        state: IssueState,
    ) {
        self.ids.event += 1;
        let id = self.ids.event;
        self.events.entry(issue_id).or_default().push(EventRec {
            id,
            issue_id,
            milestone_id,
            action,
            user_id,
            created_at: at,
            state,
        });
    }

    /// A project's issues by iid.
    pub fn issues(&self, project_id: u64) -> Vec<Issue> {
        let mut out: Vec<&IssueRec> = self
            .issues
            .values()
            .filter(|i| i.project_id == project_id)
            .collect();
        out.sort_by_key(|i| i.iid);
        out.into_iter().map(|i| self.issue_model(i)).collect()
    }

    pub fn issue(&self, project_id: u64, iid: u64) -> Option<Issue> {
        let id = self.issue_id(project_id, iid)?;
        self.issues.get(&id).map(|i| self.issue_model(i))
    }

    pub(crate) fn project_path(&self, project_id: u64) -> &str {
        self.projects
            .get(&project_id)
            .map_or("", |p| p.full_path.as_str())
    }

    pub(crate) fn issue_web_url(&self, i: &IssueRec) -> String {
        format!(
            "{}/{}/-/issues/{}",
            self.web_base,
            self.project_path(i.project_id),
            i.iid
        )
    }

    fn issue_model(&self, i: &IssueRec) -> Issue {
        Issue {
            id: i.id,
            iid: i.iid,
            project_id: i.project_id,
            title: i.title.clone(),
            state: i.state,
            created_at: i.created_at,
            updated_at: i.updated_at,
            closed_at: i.closed_at,
            labels: i.labels.clone(),
            milestone: i.milestone_id.and_then(|m| self.milestone(m)),
            assignees: i
                .assignees
                .iter()
                .filter_map(|u| self.users.get(u))
                .map(|u| User {
                    id: u.id,
                    username: u.username.clone(),
                    name: u.name.clone(),
                })
                .collect(),
            web_url: self.issue_web_url(i),
            references: Some(References {
                short: format!("#{}", i.iid),
                full: format!("{}#{}", self.project_path(i.project_id), i.iid),
            }),
            confidential: i.confidential,
            description: Some(i.description.clone()),
        }
    }

    // ---- notes (their API and builders are in notes.rs) ----

    /// Stores a note with the next note id; returns the id.
    pub(crate) fn push_note(
        &mut self,
        issue_id: u64,
        author: u64,
        body: &str,
        at: DateTime<Utc>,
        system: bool,
    ) -> u64 {
        self.ids.note += 1;
        let id = self.ids.note;
        self.notes.entry(issue_id).or_default().push(NoteRec {
            id,
            issue_id,
            body: body.to_string(),
            author,
            created_at: at,
            updated_at: at,
            system,
        });
        id
    }

    // ---- events ----

    /// The issue's milestone events as the API lists them: by id, omitting
    /// events whose milestone was deleted (gitlab-api.md §4).
    pub fn events(&self, issue_id: u64) -> Vec<MilestoneEvent> {
        self.visible_events(issue_id)
            .into_iter()
            .map(|e| MilestoneEvent {
                id: e.id,
                created_at: e.created_at,
                resource_id: e.issue_id,
                milestone: self.milestone(e.milestone_id),
                action: e.action,
            })
            .collect()
    }

    pub(crate) fn visible_events(&self, issue_id: u64) -> Vec<&EventRec> {
        self.events
            .get(&issue_id)
            .map(|evs| {
                evs.iter()
                    .filter(|e| self.milestones.contains_key(&e.milestone_id))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// "jane.doe" → "Jane Doe", for users the builder invents.
pub(crate) fn display_name(username: &str) -> String {
    username
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
