//! GitLab's JSON shapes for the sandbox's records (gitlab-api.md §2–§5, §8):
//! milestone, issue, user, label, resource milestone event, note, project, group.
//!
//! Pure views over `World`; they never change it.

use super::records::{EventRec, IssueRec, LabelRec, MilestoneRec, NoteRec, UserRec};
use super::spec::Owner;
use super::state::World;
use serde_json::{json, Value};

impl World {
    pub(crate) fn milestone_json(&self, m: &MilestoneRec) -> Value {
        let mut v = json!({
            "id": m.id,
            "iid": m.iid,
            "title": m.title,
            "description": m.description,
            "state": m.state,
            "created_at": m.created_at,
            "updated_at": m.updated_at,
            "due_date": m.due_date,
            "start_date": m.start_date,
            "expired": m.due_date.is_some_and(|d| d < self.now().date_naive()),
            "web_url": self.milestone_web_url(m),
        });
        // Exactly one of project_id / group_id is present (§2).
        match m.owner {
            Owner::Project(p) => v["project_id"] = json!(p),
            Owner::Group(g) => v["group_id"] = json!(g),
        }
        v
    }

    pub(crate) fn user_json(&self, u: &UserRec) -> Value {
        json!({
            "id": u.id,
            "username": u.username,
            "name": u.name,
            "state": "active",
            "avatar_url": format!("{}/uploads/-/system/user/avatar/{}/avatar.png", self.web_base, u.id),
            "web_url": format!("{}/{}", self.web_base, u.username),
        })
    }

    fn user_json_by_id(&self, id: u64) -> Value {
        self.users.get(&id).map_or(Value::Null, |u| self.user_json(u))
    }

    pub(crate) fn issue_json(&self, i: &IssueRec) -> Value {
        let assignees: Vec<Value> = i.assignees.iter().map(|&u| self.user_json_by_id(u)).collect();
        let path = self.project_path(i.project_id);
        json!({
            "id": i.id,
            "iid": i.iid,
            "project_id": i.project_id,
            "title": i.title,
            "description": i.description,
            "state": i.state,
            "created_at": i.created_at,
            "updated_at": i.updated_at,
            "closed_at": i.closed_at,
            "closed_by": Value::Null,
            "labels": i.labels,
            "milestone": i.milestone_id
                .and_then(|m| self.milestones.get(&m))
                .map_or(Value::Null, |m| self.milestone_json(m)),
            "assignee": assignees.first().cloned().unwrap_or(Value::Null),
            "assignees": assignees,
            "author": self.user_json_by_id(i.author),
            "type": "ISSUE",
            "issue_type": "issue",
            "user_notes_count": self.notes.get(&i.id).map_or(0, |n| n.iter().filter(|n| !n.system).count()),
            "due_date": Value::Null,
            "confidential": i.confidential,
            "web_url": self.issue_web_url(i),
            "references": {
                "short": format!("#{}", i.iid),
                "relative": format!("#{}", i.iid),
                "full": format!("{path}#{}", i.iid),
            },
        })
    }

    pub(crate) fn event_json(&self, e: &EventRec) -> Value {
        json!({
            "id": e.id,
            "user": self.user_json_by_id(e.user_id),
            "created_at": e.created_at,
            "resource_type": "Issue",
            "resource_id": e.issue_id,
            // The milestone as it is now, not a snapshot (§4).
            "milestone": self.milestones.get(&e.milestone_id).map_or(Value::Null, |m| self.milestone_json(m)),
            "action": e.action,
            "state": e.state,
        })
    }

    /// A note on an issue (GitLab's `Entities::Note`).
    pub(crate) fn note_json(&self, n: &NoteRec) -> Value {
        let issue = self.issues.get(&n.issue_id);
        json!({
            "id": n.id,
            "type": Value::Null,
            "body": n.body,
            "author": self.user_json_by_id(n.author),
            "created_at": n.created_at,
            "updated_at": n.updated_at,
            "system": n.system,
            "noteable_id": n.issue_id,
            "noteable_type": "Issue",
            "noteable_iid": issue.map(|i| i.iid),
            "project_id": issue.map(|i| i.project_id),
            "resolvable": false,
            "confidential": false,
            "internal": false,
            "imported": false,
            "imported_from": "none",
            "commands_changes": {},
        })
    }

    /// `project_label` is true when listed from a project that owns it.
    pub(crate) fn label_json(&self, l: &LabelRec) -> Value {
        let is_project_label = matches!(l.owner, Owner::Project(_));
        json!({
            "id": l.id,
            "name": l.name,
            "color": l.color,
            "text_color": text_color(&l.color),
            "description": if l.description.is_empty() { Value::Null } else { json!(l.description) },
            "description_html": "",
            "open_issues_count": 0,
            "closed_issues_count": 0,
            "open_merge_requests_count": 0,
            "subscribed": false,
            // Prioritisation is per project: group labels carry none (§5).
            "priority": if is_project_label { json!(l.priority) } else { Value::Null },
            "is_project_label": is_project_label,
        })
    }

    pub(crate) fn project_json(&self, id: u64) -> Value {
        let path = self.project_path(id);
        let name = path.rsplit('/').next().unwrap_or(path);
        let ns = self
            .projects
            .get(&id)
            .and_then(|p| p.group)
            .and_then(|g| self.groups.get(&g));
        json!({
            "id": id,
            "name": name,
            "path": name,
            "path_with_namespace": path,
            "name_with_namespace": path.replace('/', " / "),
            "web_url": format!("{}/{path}", self.web_base),
            "namespace": ns.map_or(Value::Null, |g| json!({
                "id": g.id,
                "kind": "group",
                "full_path": g.full_path,
                "path": g.full_path.rsplit('/').next().unwrap_or(&g.full_path),
            })),
        })
    }

    pub(crate) fn group_json(&self, id: u64) -> Value {
        let Some(g) = self.groups.get(&id) else {
            return Value::Null;
        };
        let name = g.full_path.rsplit('/').next().unwrap_or(&g.full_path);
        json!({
            "id": g.id,
            "name": name,
            "path": name,
            "full_path": g.full_path,
            "full_name": g.full_path.replace('/', " / "),
            "parent_id": g.parent,
            "web_url": format!("{}/groups/{}", self.web_base, g.full_path),
        })
    }
}

/// Dark text on light colours, white on dark ones, as GitLab picks it.
fn text_color(color: &str) -> &'static str {
    let hex = color.trim_start_matches('#');
    let full: String = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        _ => hex.to_string(),
    };
    let channel = |i: usize| {
        full.get(i..i + 2)
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .map_or(0.0, f64::from)
    };
    let luma = 0.299 * channel(0) + 0.587 * channel(2) + 0.114 * channel(4);
    if full.len() == 6 && luma > 160.0 {
        "#1F1E24"
    } else {
        "#FFFFFF"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::spec::{IssueSpec, MilestoneSpec};
    use chrono::{DateTime, Utc};

    #[test]
    fn shapes_carry_gitlab_fields() {
        let now: DateTime<Utc> = "2026-01-07T00:00:00Z".parse().unwrap();
        let mut w = World::new(now);
        let g = w.add_group("production");
        let p = w.add_project("infrastructure", Some(g));
        let gm = w.add_milestone(MilestoneSpec::new(Owner::Group(g), "G"));
        let (_, iid) = w.add_issue(IssueSpec::new(p, "x").milestone(gm).assignee("jane.doe"));
        let id = w.issue_id(p, iid).unwrap();
        let v = w.issue_json(&w.issues[&id]);
        assert_eq!(v["references"]["full"], "production/infrastructure#1");
        assert_eq!(v["milestone"]["group_id"], g);
        assert!(v["milestone"].get("project_id").is_none());
        assert_eq!(v["assignee"]["username"], "jane.doe");
        assert_eq!(v["labels"], json!([]));
        assert_eq!(text_color("#FFFFFF"), "#1F1E24");
        assert_eq!(text_color("#dc143c"), "#FFFFFF");
    }
}
