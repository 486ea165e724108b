//! The /api/v4 routes the sandbox serves: milestones, issues, resource milestone
//! events, notes, labels (project and group variants), the token's user and
//! record. Each
//! route resolves its path (numeric id or URL-encoded full path, gitlab-api.md §1),
//! reads or calls a write in `writes.rs`, and paginates lists (§6).
//!
//! Authentication and faults happen before this (`mod.rs`); nothing here logs.

use super::pagination::{page_range, paginate};
use super::params::Params;
use super::records::{IssueRec, MilestoneRec, TokenInfo};
use super::reply::{ApiError, Reply};
use super::spec::Owner;
use super::state::World;
use super::writes::Actor;
use crate::gitlab::model::{IssueState, MilestoneState};
use chrono::Duration;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

/// One authenticated API request.
pub(super) struct ApiRequest<'a> {
    pub method: &'a str,
    /// The path after `/api/v4`, still percent-encoded.
    pub path: &'a str,
    pub query: &'a str,
    pub params: Params,
    pub token: TokenInfo,
}

pub(super) fn dispatch(w: &mut World, req: &ApiRequest) -> Result<Reply, ApiError> {
    // Split before decoding: an encoded `%2F` stays inside its segment, a bare `/` does not.
    let decoded: Vec<String> = req
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let actor = Actor {
        role: req.token.role,
        user_id: req.token.user_id,
    };
    let p = &req.params;
    match (req.method, segs.as_slice()) {
        ("GET", ["user"]) => Ok(current_user(w, &req.token)),
        ("GET", ["personal_access_tokens", "self"]) => Ok(token_self(w, &req.token)),
        ("GET", ["projects", id]) => Ok(Reply::ok(w.project_json(project(w, id)?))),
        ("GET", ["groups", id]) => Ok(Reply::ok(w.group_json(group(w, id)?))),
        ("GET", ["projects", id, "members", "all", user]) => member(w, project(w, id)?, user),
        ("GET", ["groups", id, "members", "all", user]) => member(w, group(w, id)?, user),
        ("GET", [kind, id, "milestones"]) => list_milestones(w, owner(w, kind, id)?, req),
        ("POST", [kind, id, "milestones"]) => w.api_create_milestone(owner(w, kind, id)?, p, actor),
        ("GET", [kind, id, "milestones", mid]) => {
            let o = owner(w, kind, id)?;
            let m = w.owned_milestone(o, milestone_id(mid)?)?;
            Ok(Reply::ok(w.milestone_json(m)))
        }
        ("PUT", [kind, id, "milestones", mid]) => {
            w.api_update_milestone(owner(w, kind, id)?, milestone_id(mid)?, p, actor)
        }
        ("DELETE", [kind, id, "milestones", mid]) => {
            w.api_delete_milestone(owner(w, kind, id)?, milestone_id(mid)?, actor)
        }
        ("GET", [kind, id, "milestones", mid, "issues"]) => {
            milestone_issues(w, owner(w, kind, id)?, milestone_id(mid)?, req)
        }
        ("GET", [kind, id, "issues"]) => list_issues(w, owner(w, kind, id)?, req),
        ("POST", ["projects", id, "issues"]) => w.api_create_issue(project(w, id)?, p, actor),
        ("GET", ["projects", id, "issues", iid, "notes"]) => {
            let issue_id = find_issue(w, project(w, id)?, iid)?.id;
            w.api_list_notes(issue_id, p, &url(w, req), req.query)
        }
        ("GET", ["projects", id, "issues", iid, "notes", note]) => {
            let issue_id = find_issue(w, project(w, id)?, iid)?.id;
            w.api_get_note(issue_id, note)
        }
        ("POST", ["projects", id, "issues", iid, "notes"]) => {
            let issue_id = find_issue(w, project(w, id)?, iid)?.id;
            w.api_create_note(issue_id, p, actor.user_id)
        }
        ("GET", ["projects", id, "issues", iid]) => {
            let pid = project(w, id)?;
            let issue = find_issue(w, pid, iid)?;
            Ok(Reply::ok(w.issue_json(issue)))
        }
        ("PUT", ["projects", id, "issues", iid]) => {
            let pid = project(w, id)?;
            let iid = find_issue(w, pid, iid)?.iid;
            w.api_update_issue(pid, iid, p, actor)
        }
        ("GET", ["projects", id, "issues", iid, "resource_milestone_events"]) => {
            let pid = project(w, id)?;
            let issue_id = find_issue(w, pid, iid)?.id;
            let events = w.visible_events(issue_id);
            let (page, per_page) = p.paging()?;
            let range = page_range(events.len(), page, per_page);
            let items = events[range].iter().map(|e| w.event_json(e)).collect();
            Ok(paginate(
                items,
                events.len(),
                page,
                per_page,
                &url(w, req),
                req.query,
            ))
        }
        ("GET", ["projects", id, "issues", iid, "resource_milestone_events", eid]) => {
            let pid = project(w, id)?;
            let issue_id = find_issue(w, pid, iid)?.id;
            let eid: u64 = eid
                .parse()
                .map_err(|_| ApiError::not_found("Resource Milestone Event"))?;
            w.visible_events(issue_id)
                .into_iter()
                .find(|e| e.id == eid)
                .map(|e| Reply::ok(w.event_json(e)))
                .ok_or_else(|| ApiError::not_found("Resource Milestone Event"))
        }
        ("GET", [kind, id, "labels"]) => list_labels(w, owner(w, kind, id)?, req),
        ("POST", [kind, id, "labels"]) => w.api_create_label(owner(w, kind, id)?, p, actor),
        _ => Err(ApiError::no_route()),
    }
}

fn url(w: &World, req: &ApiRequest) -> String {
    format!("{}/api/v4{}", w.web_base, req.path)
}

/// A numeric id or a full path (case-insensitive, as GitLab's routes are).
pub(super) fn project(w: &World, seg: &str) -> Result<u64, ApiError> {
    let found = match seg.parse::<u64>() {
        Ok(id) => w.projects.get(&id).map(|p| p.id),
        Err(_) => w
            .projects
            .values()
            .find(|p| p.full_path.eq_ignore_ascii_case(seg))
            .map(|p| p.id),
    };
    found.ok_or_else(|| ApiError::not_found("Project"))
}

pub(super) fn group(w: &World, seg: &str) -> Result<u64, ApiError> {
    let found = match seg.parse::<u64>() {
        Ok(id) => w.groups.get(&id).map(|g| g.id),
        Err(_) => w
            .groups
            .values()
            .find(|g| g.full_path.eq_ignore_ascii_case(seg))
            .map(|g| g.id),
    };
    found.ok_or_else(|| ApiError::not_found("Group"))
}

fn owner(w: &World, kind: &str, seg: &str) -> Result<Owner, ApiError> {
    match kind {
        "projects" => project(w, seg).map(Owner::Project),
        "groups" => group(w, seg).map(Owner::Group),
        _ => Err(ApiError::no_route()),
    }
}

fn milestone_id(seg: &str) -> Result<u64, ApiError> {
    seg.parse().map_err(|_| ApiError::not_found("Milestone"))
}

fn find_issue<'w>(w: &'w World, project: u64, iid: &str) -> Result<&'w IssueRec, ApiError> {
    iid.parse::<u64>()
        .ok()
        .and_then(|iid| w.issue_id(project, iid))
        .and_then(|id| w.issues.get(&id))
        .ok_or_else(|| ApiError::not_found("Issue"))
}

fn current_user(w: &World, token: &TokenInfo) -> Reply {
    let mut v = w
        .users
        .get(&token.user_id)
        .map_or(Value::Null, |u| w.user_json(u));
    v["is_admin"] = json!(token.is_admin);
    v["bot"] = json!(token.kind.is_bot());
    Reply::ok(v)
}

/// The token's own record; a token kind without one is refused as GitLab's
/// `SelfInformation` API does (a 400, although its docs list 404).
fn token_self(w: &World, token: &TokenInfo) -> Reply {
    if !token.kind.has_record() {
        return ApiError::message(
            400,
            "400 Bad request - This endpoint requires token type to be a personal access token",
        )
        .into();
    }
    let expired = token.expires_at.is_some_and(|d| d < w.now().date_naive());
    Reply::ok(json!({
        "id": token.id,
        "name": token.name,
        "revoked": token.revoked,
        "created_at": w.now() - Duration::days(30),
        "scopes": token.scopes,
        "user_id": token.user_id,
        "last_used_at": w.now(),
        "active": !token.revoked && !expired,
        "expires_at": token.expires_at,
    }))
}

fn member(w: &World, _project: u64, user: &str) -> Result<Reply, ApiError> {
    let not_found = || ApiError::message(404, "404 Not found");
    let user_id: u64 = user.parse().map_err(|_| not_found())?;
    let token = w
        .tokens
        .values()
        .find(|t| t.user_id == user_id)
        .ok_or_else(not_found)?;
    let mut v = w.users.get(&user_id).map_or(Value::Null, |u| w.user_json(u));
    v["access_level"] = json!(token.role.level());
    Ok(Reply::ok(v))
}

fn list_milestones(w: &World, owner: Owner, req: &ApiRequest) -> Result<Reply, ApiError> {
    let p = &req.params;
    let state = match p.get("state") {
        None | Some("") | Some("all") => None,
        Some("active") => Some(MilestoneState::Active),
        Some("closed") => Some(MilestoneState::Closed),
        Some(_) => return Err(ApiError::bad_request_error("state does not have a valid value")),
    };
    let mut owners = if p.bool("include_ancestors") || p.bool("include_parent_milestones") {
        w.visible_owners(owner)
    } else {
        vec![owner]
    };
    if let (Owner::Group(g), true) = (owner, p.bool("include_descendants")) {
        owners.extend(w.group_tree(g).into_iter().map(Owner::Group));
        owners.extend(w.projects_under(g).into_iter().map(Owner::Project));
    }
    let iids = p.u64_list("iids")?;
    let search = p.get("search").map(str::to_lowercase);
    let updated_after = p.time("updated_after")?;
    let updated_before = p.time("updated_before")?;
    let mut found: Vec<&MilestoneRec> = w
        .milestones
        .values()
        .filter(|m| owners.contains(&m.owner))
        .filter(|m| state.is_none_or(|s| m.state == s))
        .filter(|m| p.get("title").is_none_or(|t| m.title == t))
        .filter(|m| {
            search.as_ref().is_none_or(|s| {
                m.title.to_lowercase().contains(s) || m.description.to_lowercase().contains(s)
            })
        })
        .filter(|m| iids.is_empty() || iids.contains(&m.iid))
        .filter(|m| updated_after.is_none_or(|t| m.updated_at >= t))
        .filter(|m| updated_before.is_none_or(|t| m.updated_at <= t))
        .collect();
    // GitLab's default: due_date ascending, nulls last, then id descending (§2).
    found.sort_by(|a, b| match (a.due_date, b.due_date) {
        (Some(x), Some(y)) => x.cmp(&y).then(b.id.cmp(&a.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.id.cmp(&a.id),
    });
    let (page, per_page) = p.paging()?;
    let range = page_range(found.len(), page, per_page);
    let items = found[range].iter().map(|m| w.milestone_json(m)).collect();
    Ok(paginate(
        items,
        found.len(),
        page,
        per_page,
        &url(w, req),
        req.query,
    ))
}

/// Issues of one milestone; a group milestone lists its group's own projects'
/// issues only, not subgroups' (§2).
fn milestone_issues(w: &World, owner: Owner, mid: u64, req: &ApiRequest) -> Result<Reply, ApiError> {
    w.owned_milestone(owner, mid)?;
    let projects: Vec<u64> = match owner {
        Owner::Project(p) => vec![p],
        Owner::Group(g) => w
            .projects
            .values()
            .filter(|p| p.group == Some(g))
            .map(|p| p.id)
            .collect(),
    };
    let found: Vec<&IssueRec> = w
        .issues
        .values()
        .filter(|i| i.milestone_id == Some(mid) && projects.contains(&i.project_id))
        .collect();
    let (page, per_page) = req.params.paging()?;
    let range = page_range(found.len(), page, per_page);
    let items = found[range].iter().map(|i| w.issue_json(i)).collect();
    Ok(paginate(
        items,
        found.len(),
        page,
        per_page,
        &url(w, req),
        req.query,
    ))
}

enum MilestoneFilter {
    None,
    Any,
    Title(String),
    Started,
    Upcoming,
}

fn milestone_filter(p: &Params) -> Result<Option<MilestoneFilter>, ApiError> {
    match (p.get("milestone"), p.get("milestone_id")) {
        (Some(_), Some(_)) => Err(ApiError::bad_request_error(
            "milestone, milestone_id are mutually exclusive",
        )),
        // `None`/`Any` are wildcards in any case, so a milestone titled `none` cannot be selected (§3).
        (Some(t), None) => Ok(Some(match t.to_lowercase().as_str() {
            "none" | "no milestone" => MilestoneFilter::None,
            "any" | "any milestone" => MilestoneFilter::Any,
            "#started" => MilestoneFilter::Started,
            "#upcoming" => MilestoneFilter::Upcoming,
            _ => MilestoneFilter::Title(t.to_string()),
        })),
        (None, Some(id)) => match id.to_lowercase().as_str() {
            "none" => Ok(Some(MilestoneFilter::None)),
            "any" => Ok(Some(MilestoneFilter::Any)),
            "started" => Ok(Some(MilestoneFilter::Started)),
            "upcoming" => Ok(Some(MilestoneFilter::Upcoming)),
            _ => Err(ApiError::bad_request_error(
                "milestone_id does not have a valid value",
            )),
        },
        (None, None) => Ok(None),
    }
}

fn list_issues(w: &World, owner: Owner, req: &ApiRequest) -> Result<Reply, ApiError> {
    let p = &req.params;
    let projects: Vec<u64> = match owner {
        Owner::Project(id) => vec![id],
        Owner::Group(g) => w.projects_under(g),
    };
    let state = match p.get("state") {
        None | Some("") | Some("all") => None,
        Some("opened") => Some(IssueState::Opened),
        Some("closed") => Some(IssueState::Closed),
        Some(_) => return Err(ApiError::bad_request_error("state does not have a valid value")),
    };
    let milestone = milestone_filter(p)?;
    let today = w.now().date_naive();
    let labels = p.list("labels");
    let label_wildcard = match labels.as_slice() {
        [one] => match one.to_lowercase().as_str() {
            "none" | "no label" => Some(false),
            "any" => Some(true),
            _ => None,
        },
        _ => None,
    };
    let iids = p.u64_list("iids")?;
    let assignee = p.get("assignee_id").map(str::to_lowercase);
    let author: Option<u64> = match p.get("author_id") {
        None | Some("") => None,
        Some(v) => Some(
            v.parse()
                .map_err(|_| ApiError::bad_request_error("author_id is invalid"))?,
        ),
    };
    let search = p.get("search").filter(|s| !s.trim().is_empty());
    let (in_title, in_description) = search_columns(p.get("in"));
    let (updated_after, updated_before) = (p.time("updated_after")?, p.time("updated_before")?);
    let (created_after, created_before) = (p.time("created_after")?, p.time("created_before")?);
    let order_by = p.get("order_by").unwrap_or("created_at");
    if !matches!(order_by, "created_at" | "updated_at" | "title" | "id") {
        return Err(ApiError::bad_request_error(
            "order_by does not have a valid value",
        ));
    }
    let descending = match p.get("sort").unwrap_or("desc") {
        "desc" => true,
        "asc" => false,
        _ => return Err(ApiError::bad_request_error("sort does not have a valid value")),
    };
    // `Upcoming`: per project, the open milestone due soonest after today (§3).
    let upcoming: Vec<u64> = match milestone {
        Some(MilestoneFilter::Upcoming) => projects
            .iter()
            .filter_map(|&pid| {
                let owners = w.visible_owners(Owner::Project(pid));
                w.milestones
                    .values()
                    .filter(|m| owners.contains(&m.owner) && m.state == MilestoneState::Active)
                    .filter(|m| m.due_date.is_some_and(|d| d > today))
                    .min_by_key(|m| m.due_date)
                    .map(|m| m.id)
            })
            .collect(),
        _ => Vec::new(),
    };
    let milestone_of = |i: &IssueRec| i.milestone_id.and_then(|m| w.milestones.get(&m));
    let mut found: Vec<&IssueRec> = w
        .issues
        .values()
        .filter(|i| projects.contains(&i.project_id))
        .filter(|i| state.is_none_or(|s| i.state == s))
        .filter(|i| match &milestone {
            None => true,
            Some(MilestoneFilter::None) => i.milestone_id.is_none(),
            Some(MilestoneFilter::Any) => i.milestone_id.is_some(),
            Some(MilestoneFilter::Title(t)) => milestone_of(i).is_some_and(|m| &m.title == t),
            Some(MilestoneFilter::Started) => milestone_of(i).is_some_and(|m| {
                m.state == MilestoneState::Active && m.start_date.is_some_and(|d| d <= today)
            }),
            Some(MilestoneFilter::Upcoming) => i.milestone_id.is_some_and(|m| upcoming.contains(&m)),
        })
        .filter(|i| match label_wildcard {
            Some(any) => i.labels.is_empty() != any,
            None => labels.iter().all(|l| i.labels.contains(l)),
        })
        .filter(|i| iids.is_empty() || iids.contains(&i.iid))
        .filter(|i| match assignee.as_deref() {
            None | Some("") => true,
            Some("none") => i.assignees.is_empty(),
            Some("any") => !i.assignees.is_empty(),
            Some(id) => id.parse::<u64>().is_ok_and(|id| i.assignees.contains(&id)),
        })
        .filter(|i| author.is_none_or(|a| i.author == a))
        .filter(|i| {
            search.is_none_or(|s| {
                (in_title && search_matches(s, &i.title))
                    || (in_description && search_matches(s, &i.description))
            })
        })
        // All four time filters are inclusive (§3).
        .filter(|i| updated_after.is_none_or(|t| i.updated_at >= t))
        .filter(|i| updated_before.is_none_or(|t| i.updated_at <= t))
        .filter(|i| created_after.is_none_or(|t| i.created_at >= t))
        .filter(|i| created_before.is_none_or(|t| i.created_at <= t))
        .collect();
    found.sort_by(|a, b| {
        let ord = match order_by {
            "updated_at" => a.updated_at.cmp(&b.updated_at),
            "title" => a.title.cmp(&b.title),
            "id" => std::cmp::Ordering::Equal,
            _ => a.created_at.cmp(&b.created_at),
        }
        .then(a.id.cmp(&b.id));
        if descending {
            ord.reverse()
        } else {
            ord
        }
    });
    let (page, per_page) = p.paging()?;
    let range = page_range(found.len(), page, per_page);
    let items = found[range].iter().map(|i| w.issue_json(i)).collect();
    Ok(paginate(
        items,
        found.len(),
        page,
        per_page,
        &url(w, req),
        req.query,
    ))
}

/// `in`: `title`, `description` or both joined by a comma; anything else (or
/// nothing) means both (`Issuable.full_search`). Returns (title, description).
fn search_columns(param: Option<&str>) -> (bool, bool) {
    let parts: Vec<&str> = param.unwrap_or("").split(',').map(str::trim).collect();
    let (title, description) = (parts.contains(&"title"), parts.contains(&"description"));
    if title || description {
        (title, description)
    } else {
        (true, true)
    }
}

/// GitLab's issue search on one column (`Gitlab::SQL::Pattern`): every word of 3
/// or more characters (a `"quoted phrase"` counts as one word) must occur in it,
/// case-insensitively; a query without such a word must equal it as a whole.
fn search_matches(query: &str, column: &str) -> bool {
    let query = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut words = Vec::new();
    let mut rest = String::new();
    for (i, part) in query.split('"').enumerate() {
        // Odd parts sit between quotes (an unclosed quote is taken literally).
        if i % 2 == 1 && query.matches('"').count() > i {
            words.push(part.to_string());
        } else {
            rest.push_str(part);
            rest.push(' ');
        }
    }
    words.extend(rest.split_whitespace().map(str::to_string));
    words.retain(|w| w.chars().count() >= 3);
    let column = column.to_lowercase();
    if words.is_empty() {
        return column == query.to_lowercase();
    }
    words.iter().all(|w| column.contains(&w.to_lowercase()))
}

/// Project labels include the ancestor groups' unless `include_ancestor_groups=false` (§5).
fn list_labels(w: &World, owner: Owner, req: &ApiRequest) -> Result<Reply, ApiError> {
    let p = &req.params;
    let ancestors = p.get("include_ancestor_groups").is_none_or(|v| v != "false");
    let search = p.get("search").map(str::to_lowercase);
    let found: Vec<_> = w
        .visible_labels(owner)
        .into_iter()
        .filter(|l| ancestors || l.owner == owner)
        .filter(|l| search.as_ref().is_none_or(|s| l.name.to_lowercase().contains(s)))
        .collect();
    let (page, per_page) = p.paging()?;
    let range = page_range(found.len(), page, per_page);
    let items = found[range].iter().map(|l| w.label_json(l)).collect();
    Ok(paginate(
        items,
        found.len(),
        page,
        per_page,
        &url(w, req),
        req.query,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_search_follows_gitlab_patterns() {
        let cases = [
            ("report", "WoW report 2026-11-25", true),
            ("REPORT 2026-11-25", "WoW report 2026-11-25", true),
            ("report 2026-12-02", "WoW report 2026-11-25", false),
            // Words are matched anywhere, in any order.
            ("2026-11-25 wow", "WoW report 2026-11-25", true),
            // A quoted phrase is one word.
            ("\"wow report\"", "WoW report", true),
            ("\"report wow\"", "WoW report", false),
            // Short words are dropped; only short words: the whole must match.
            ("wo report", "WoW report", true),
            ("wo", "WoW", false),
            ("wow ok", "WOW OK", true),
            ("  report  ", "report", true),
        ];
        for (query, column, want) in cases {
            assert_eq!(search_matches(query, column), want, "{query:?} in {column:?}");
        }
        assert_eq!(search_columns(None), (true, true));
        assert_eq!(search_columns(Some("title")), (true, false));
        assert_eq!(search_columns(Some("description")), (false, true));
        assert_eq!(search_columns(Some("title,description")), (true, true));
        assert_eq!(search_columns(Some("body")), (true, true));
    }
}
