//! The API's writes and GitLab's rules for them: milestone title uniqueness and
//! date validation, the non-atomic close-then-rename PUT (gitlab-api.md §2),
//! issue creation and edits with silently dropped metadata for roles below
//! Planner, ignored foreign `milestone_id`s, label-creating `labels`/`add_labels`
//! and the system notes of an edit (§3, §10b), duplicate labels (§5).
//!
//! Each write takes its time stamp from `World::tick` (one second per write).
//! Nothing here knows about HTTP beyond `Params` in and `Reply`/`ApiError` out.

use super::notes::{assignees_note, confidential_note, title_note, DESCRIPTION_NOTE};
use super::params::Params;
use super::records::{LabelRec, MilestoneRec};
use super::reply::{ApiError, Reply};
use super::spec::{IssueSpec, MilestoneSpec, Owner};
use super::state::World;
use crate::gitlab::model::{AccessLevel, IssueState, MilestoneState};
use chrono::NaiveDate;

/// GitLab's colour for a label created on the fly by `add_labels`.
const DEFAULT_LABEL_COLOR: &str = "#6699cc";
const TITLE_TAKEN: &str = "already being used for another group or project milestone.";
/// GitLab's limits on an issue's title and description (`Issuable`).
const MAX_TITLE_CHARS: usize = 255;
const MAX_DESCRIPTION_CHARS: usize = 1_048_576;

/// Who is writing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Actor {
    pub role: AccessLevel,
    pub user_id: u64,
}

impl World {
    /// The owners whose milestone titles a milestone of `owner` must not repeat (§2):
    /// a project's own and its ancestor groups'; for a group its ancestors, its
    /// descendants and every project in them. Closed milestones count too.
    fn title_scope(&self, owner: Owner) -> Vec<Owner> {
        match owner {
            Owner::Project(_) => self.visible_owners(owner),
            Owner::Group(g) => {
                let mut out: Vec<Owner> = self.group_chain(g).into_iter().map(Owner::Group).collect();
                out.extend(
                    self.group_tree(g)
                        .into_iter()
                        .filter(|&d| d != g)
                        .map(Owner::Group),
                );
                out.extend(self.projects_under(g).into_iter().map(Owner::Project));
                out
            }
        }
    }

    pub(crate) fn title_taken(&self, owner: Owner, title: &str, except: Option<u64>) -> bool {
        let scope = self.title_scope(owner);
        self.milestones
            .values()
            .any(|m| Some(m.id) != except && m.title == title && scope.contains(&m.owner))
    }

    pub(crate) fn api_create_milestone(
        &mut self,
        owner: Owner,
        p: &Params,
        actor: Actor,
    ) -> Result<Reply, ApiError> {
        let title = p
            .get("title")
            .ok_or_else(|| ApiError::bad_request_error("title is missing"))?
            .trim()
            .to_string();
        let start_date = p.date("start_date")?.flatten();
        let due_date = p.date("due_date")?.flatten();
        if !actor.role.can_plan() {
            return Err(ApiError::forbidden());
        }
        if title.is_empty() {
            return Err(ApiError::milestone_invalid("create", "title", "can't be blank"));
        }
        check_dates("create", start_date, due_date)?;
        if self.title_taken(owner, &title, None) {
            return Err(ApiError::milestone_invalid("create", "title", TITLE_TAKEN));
        }
        let at = self.tick();
        let id = self.add_milestone(MilestoneSpec {
            scope: owner,
            title,
            description: p.get("description").unwrap_or_default().to_string(),
            state: MilestoneState::Active,
            start_date,
            due_date,
            created_at: Some(at),
            updated_at: Some(at),
        });
        Ok(Reply::json(201, self.milestone_json(&self.milestones[&id])))
    }

    /// PUT milestone. Not atomic (§2): a `state_event` is applied and saved first,
    /// then the other attributes; a rejected title leaves the state change in place.
    pub(crate) fn api_update_milestone(
        &mut self,
        owner: Owner,
        id: u64,
        p: &Params,
        actor: Actor,
    ) -> Result<Reply, ApiError> {
        self.owned_milestone(owner, id)?;
        let fields = ["title", "description", "start_date", "due_date", "state_event"];
        if !fields.iter().any(|f| p.has(f)) {
            return Err(ApiError::bad_request_error(
                "title, description, start_date, due_date, state_event are missing, at least one parameter must be provided",
            ));
        }
        let state = match p.get("state_event") {
            None => None,
            Some("close") => Some(MilestoneState::Closed),
            Some("activate") => Some(MilestoneState::Active),
            Some(_) => {
                return Err(ApiError::bad_request_error(
                    "state_event does not have a valid value",
                ))
            }
        };
        let start = p.date("start_date")?;
        let due = p.date("due_date")?;
        if !actor.role.can_plan() {
            return Err(ApiError::forbidden());
        }
        let at = self.tick();
        if let Some(state) = state {
            // Closing a closed milestone (or activating an active one) is a silent no-op.
            if let Some(m) = self.milestones.get_mut(&id).filter(|m| m.state != state) {
                m.state = state;
                m.updated_at = at;
            }
        }
        let Some(current) = self.milestones.get(&id).cloned() else {
            return Err(ApiError::not_found("Milestone"));
        };
        let mut next = current.clone();
        if let Some(title) = p.get("title") {
            next.title = title.trim().to_string();
        }
        if let Some(d) = p.get("description") {
            next.description = d.to_string();
        }
        if let Some(s) = start {
            next.start_date = s;
        }
        if let Some(d) = due {
            next.due_date = d;
        }
        if next.title.is_empty() {
            return Err(ApiError::milestone_invalid("update", "title", "can't be blank"));
        }
        if next.title != current.title && self.title_taken(owner, &next.title, Some(id)) {
            return Err(ApiError::milestone_invalid("update", "title", TITLE_TAKEN));
        }
        check_dates("update", next.start_date, next.due_date)?;
        if !same_attributes(&next, &current) {
            // A rename records no event and leaves the issues alone (§2, §4).
            next.updated_at = at;
            self.milestones.insert(id, next);
        }
        Ok(Reply::ok(self.milestone_json(&self.milestones[&id])))
    }

    /// DELETE milestone: its issues lose it (their `updated_at` moves, as GitLab
    /// runs an issue update for each); events naming it disappear from listings.
    pub(crate) fn api_delete_milestone(
        &mut self,
        owner: Owner,
        id: u64,
        actor: Actor,
    ) -> Result<Reply, ApiError> {
        self.owned_milestone(owner, id)?;
        if !actor.role.can_plan() {
            return Err(ApiError::forbidden());
        }
        let at = self.tick();
        self.milestones.remove(&id);
        for issue in self.issues.values_mut().filter(|i| i.milestone_id == Some(id)) {
            issue.milestone_id = None;
            issue.updated_at = at;
        }
        Ok(Reply::no_content())
    }

    pub(crate) fn owned_milestone(&self, owner: Owner, id: u64) -> Result<&MilestoneRec, ApiError> {
        self.milestones
            .get(&id)
            .filter(|m| m.owner == owner)
            .ok_or_else(|| ApiError::not_found("Milestone"))
    }

    /// POST issue (§3): any member may create one (author = the token's user);
    /// `labels` creates missing project labels; metadata (labels, milestone,
    /// assignees) from a caller below Planner is dropped, a foreign milestone
    /// ignored, as on an edit. A milestone records an `add` event.
    pub(crate) fn api_create_issue(
        &mut self,
        project: u64,
        p: &Params,
        actor: Actor,
    ) -> Result<Reply, ApiError> {
        let title = p
            .get("title")
            .ok_or_else(|| ApiError::bad_request_error("title is missing"))?
            .trim()
            .to_string();
        check_issue_text(Some(&title), p.get("description"))?;
        let milestone = milestone_param(p)?.flatten();
        let assignees = assignees_param(p)?;
        let at = self.tick();
        let may_set_metadata = actor.role.can_plan();
        let labels = if may_set_metadata {
            self.ensure_labels(project, p.list("labels"))
        } else {
            Vec::new()
        };
        let (id, _) = self.add_issue(IssueSpec {
            project_id: project,
            title,
            description: p.get("description").unwrap_or_default().to_string(),
            labels,
            confidential: p.bool("confidential"),
            created_at: Some(at),
            ..IssueSpec::default()
        });
        let known_users: Vec<u64> = self.users.keys().copied().collect();
        if let Some(issue) = self.issues.get_mut(&id) {
            issue.author = actor.user_id;
            if let Some(ids) = assignees.filter(|_| may_set_metadata) {
                issue.assignees = ids.into_iter().filter(|u| known_users.contains(u)).collect();
            }
        }
        if let Some(m) = milestone.filter(|_| may_set_metadata) {
            if self.milestone_visible(project, m) {
                self.change_milestone(id, Some(m), actor.user_id, at);
            }
        }
        Ok(Reply::json(201, self.issue_json(&self.issues[&id])))
    }

    /// A milestone the project may use: its own or an ancestor group's (§3).
    fn milestone_visible(&self, project: u64, milestone: u64) -> bool {
        let visible = self.visible_owners(Owner::Project(project));
        self.milestones
            .get(&milestone)
            .is_some_and(|m| visible.contains(&m.owner))
    }

    /// The names sorted and deduplicated, creating the project labels that do
    /// not exist yet (a typo becomes a label, §3).
    fn ensure_labels(&mut self, project: u64, mut names: Vec<String>) -> Vec<String> {
        names.sort();
        names.dedup();
        for name in &names {
            if !self
                .visible_labels(Owner::Project(project))
                .iter()
                .any(|l| &l.name == name)
            {
                self.add_label(Owner::Project(project), name, DEFAULT_LABEL_COLOR);
            }
        }
        names
    }

    /// PUT issue (§3). Metadata from a caller below Planner is dropped with a 200.
    pub(crate) fn api_update_issue(
        &mut self,
        project: u64,
        iid: u64,
        p: &Params,
        actor: Actor,
    ) -> Result<Reply, ApiError> {
        let id = self
            .issue_id(project, iid)
            .ok_or_else(|| ApiError::not_found("Issue"))?;
        let fields = [
            "title",
            "description",
            "milestone_id",
            "labels",
            "add_labels",
            "remove_labels",
            "state_event",
            "assignee_ids",
            "assignee_id",
            "confidential",
        ];
        if !fields.iter().any(|f| p.has(f)) {
            return Err(ApiError::bad_request_error(
                "assignee_id, assignee_ids, confidential, created_at, description, discussion_locked, due_date, labels, add_labels, remove_labels, milestone_id, state_event, title, issue_type, weight, epic_id, epic_iid, updated_at are missing, at least one parameter must be provided",
            ));
        }
        let state = match p.get("state_event") {
            None => None,
            Some("close") => Some(IssueState::Closed),
            Some("reopen") => Some(IssueState::Opened),
            Some(_) => {
                return Err(ApiError::bad_request_error(
                    "state_event does not have a valid value",
                ))
            }
        };
        check_issue_text(p.get("title").map(str::trim), p.get("description"))?;
        let milestone = milestone_param(p)?;
        let assignees = assignees_param(p)?;
        let at = self.tick();
        let may_set_metadata = actor.role.can_plan();

        // Labels first (they may create project labels, §3).
        let mut new_labels = None;
        if may_set_metadata && (p.has("labels") || p.has("add_labels") || p.has("remove_labels")) {
            let mut set = self.issues[&id].labels.clone();
            if p.has("labels") {
                set = p.list("labels");
            }
            set.extend(p.list("add_labels"));
            let remove = p.list("remove_labels");
            set.retain(|l| !remove.contains(l));
            new_labels = Some(self.ensure_labels(project, set));
        }
        let known_users: Vec<u64> = self.users.keys().copied().collect();
        let usernames = |w: &World, ids: &[u64]| -> Vec<String> {
            ids.iter()
                .filter_map(|u| w.users.get(u))
                .map(|u| u.username.clone())
                .collect()
        };
        let Some(before) = self.issues.get(&id).cloned() else {
            return Err(ApiError::not_found("Issue"));
        };
        let Some(issue) = self.issues.get_mut(&id) else {
            return Err(ApiError::not_found("Issue"));
        };
        let mut changed = false;
        if let Some(t) = p.get("title").map(str::trim).filter(|t| *t != issue.title) {
            issue.title = t.to_string();
            changed = true;
        }
        if let Some(d) = p.get("description").filter(|d| *d != issue.description) {
            issue.description = d.to_string();
            changed = true;
        }
        if let Some(set) = new_labels.filter(|s| *s != issue.labels) {
            issue.labels = set;
            changed = true;
        }
        if let Some(ids) = assignees.filter(|_| may_set_metadata) {
            let ids: Vec<u64> = ids.into_iter().filter(|u| known_users.contains(u)).collect();
            if ids != issue.assignees {
                issue.assignees = ids;
                changed = true;
            }
        }
        if p.has("confidential") && p.bool("confidential") != issue.confidential {
            issue.confidential = p.bool("confidential");
            changed = true;
        }
        match state {
            Some(IssueState::Closed) if issue.state == IssueState::Opened => {
                issue.state = IssueState::Closed;
                issue.closed_at = Some(at);
                changed = true;
            }
            Some(IssueState::Opened) if issue.state == IssueState::Closed => {
                issue.state = IssueState::Opened;
                issue.closed_at = None;
                changed = true;
            }
            _ => {}
        }
        if changed {
            issue.updated_at = at;
        }
        let after = issue.clone();
        // System notes, in GitLab's order: title, description, assignees, confidentiality.
        let mut system = Vec::new();
        if after.title != before.title {
            system.push(title_note(&before.title, &after.title));
        }
        if after.description != before.description {
            system.push(DESCRIPTION_NOTE.to_string());
        }
        let (old, new) = (
            usernames(self, &before.assignees),
            usernames(self, &after.assignees),
        );
        system.extend(assignees_note(&old, &new));
        if after.confidential != before.confidential {
            system.push(confidential_note(after.confidential).to_string());
        }
        for body in system {
            self.push_note(id, actor.user_id, &body, at, true);
        }
        if let Some(target) = milestone.filter(|_| may_set_metadata) {
            // A milestone outside the project and its ancestor groups is ignored (§3).
            let allowed = target.is_none_or(|m| self.milestone_visible(project, m));
            if allowed {
                self.change_milestone(id, target, actor.user_id, at);
            }
        }
        Ok(Reply::ok(self.issue_json(&self.issues[&id])))
    }

    /// POST label (§5): 409 when the name exists in the owner or an ancestor group.
    pub(crate) fn api_create_label(
        &mut self,
        owner: Owner,
        p: &Params,
        actor: Actor,
    ) -> Result<Reply, ApiError> {
        let name = p
            .get("name")
            .ok_or_else(|| ApiError::bad_request_error("name is missing"))?
            .trim()
            .to_string();
        let color = p
            .get("color")
            .ok_or_else(|| ApiError::bad_request_error("color is missing"))?
            .trim()
            .to_string();
        let priority = match (owner, p.get("priority")) {
            (Owner::Project(_), Some(v)) if !v.is_empty() => Some(
                v.parse::<u32>()
                    .map_err(|_| ApiError::bad_request_error("priority is invalid"))?,
            ),
            _ => None,
        };
        if !actor.role.can_plan() {
            return Err(ApiError::forbidden());
        }
        if name.is_empty() {
            return Err(ApiError::message(400, "")
                .with_body(serde_json::json!({"message": {"title": ["can't be blank"]}})));
        }
        if !valid_color(&color) {
            return Err(ApiError::message(400, "")
                .with_body(serde_json::json!({"message": {"color": ["must be a valid color code"]}})));
        }
        if self.visible_labels(owner).iter().any(|l| l.name == name) {
            return Err(ApiError::message(409, "Label already exists"));
        }
        self.tick();
        let id = self.add_label(owner, &name, &color);
        if let Some(l) = self.labels.get_mut(&id) {
            l.description = p.get("description").unwrap_or_default().to_string();
            l.priority = priority;
        }
        let label: &LabelRec = &self.labels[&id];
        Ok(Reply::json(201, self.label_json(label)))
    }
}

/// `milestone_id`: absent, cleared (`0` or empty) or an id.
fn milestone_param(p: &Params) -> Result<Option<Option<u64>>, ApiError> {
    match p.get("milestone_id") {
        None => Ok(None),
        Some("") | Some("0") => Ok(Some(None)),
        Some(v) => v
            .parse::<u64>()
            .map(|m| Some(Some(m)))
            .map_err(|_| ApiError::bad_request_error("milestone_id is invalid")),
    }
}

/// `assignee_ids` (a list) or the deprecated single `assignee_id`.
fn assignees_param(p: &Params) -> Result<Option<Vec<u64>>, ApiError> {
    match (p.has("assignee_ids"), p.get("assignee_id")) {
        (true, _) => Ok(Some(p.u64_list("assignee_ids")?)),
        (false, Some(v)) => p
            .u64_list("assignee_id")
            .map(Some)
            .map_err(|_| ApiError::bad_request_error(&format!("assignee_id {v} is invalid"))),
        _ => Ok(None),
    }
}

/// Model validation of an issue's title and description: `{"message":{field:[..]}}`.
fn check_issue_text(title: Option<&str>, description: Option<&str>) -> Result<(), ApiError> {
    let invalid = |field: &str, problem: String| {
        ApiError::message(400, "").with_body(serde_json::json!({"message": {field: [problem]}}))
    };
    if let Some(t) = title {
        if t.is_empty() {
            return Err(invalid("title", "can't be blank".into()));
        }
        if t.chars().count() > MAX_TITLE_CHARS {
            return Err(invalid(
                "title",
                format!("is too long (maximum is {MAX_TITLE_CHARS} characters)"),
            ));
        }
    }
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS) {
        return Err(invalid(
            "description",
            format!("is too long (maximum is {MAX_DESCRIPTION_CHARS} characters)"),
        ));
    }
    Ok(())
}

fn same_attributes(a: &MilestoneRec, b: &MilestoneRec) -> bool {
    a.title == b.title
        && a.description == b.description
        && a.start_date == b.start_date
        && a.due_date == b.due_date
}

/// `due_date` must be strictly after `start_date` (§2).
fn check_dates(verb: &str, start: Option<NaiveDate>, due: Option<NaiveDate>) -> Result<(), ApiError> {
    match (start, due) {
        (Some(s), Some(d)) if d <= s => Err(ApiError::milestone_invalid(
            verb,
            "due_date",
            "must be greater than start date",
        )),
        _ => Ok(()),
    }
}

/// `#RGB`, `#RRGGBB` or a CSS colour name.
fn valid_color(c: &str) -> bool {
    match c.strip_prefix('#') {
        Some(hex) => matches!(hex.len(), 3 | 6) && hex.chars().all(|ch| ch.is_ascii_hexdigit()),
        None => !c.is_empty() && c.chars().all(|ch| ch.is_ascii_alphabetic()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors() {
        for (c, ok) in [
            ("#fff", true),
            ("#A1B2C3", true),
            ("red", true),
            ("#12", false),
            ("1234", false),
            ("", false),
        ] {
            assert_eq!(valid_color(c), ok, "{c}");
        }
    }

    #[test]
    fn title_scope_spans_ancestors_descendants_and_closed() {
        let mut w = World::new("2026-01-07T00:00:00Z".parse().unwrap());
        let g = w.add_group("g");
        let sub = w.add_group("g/sub");
        let p = w.add_project("p", Some(sub));
        let other = w.add_project("other", None);
        w.add_milestone(MilestoneSpec::new(Owner::Group(g), "G").closed());
        w.add_milestone(MilestoneSpec::new(Owner::Project(p), "P"));
        assert!(w.title_taken(Owner::Project(p), "G", None));
        assert!(w.title_taken(Owner::Group(g), "P", None));
        assert!(w.title_taken(Owner::Group(sub), "G", None));
        assert!(!w.title_taken(Owner::Project(other), "G", None));
        assert!(!w.title_taken(Owner::Project(p), "g", None), "case-sensitive");
    }
}
