//! Read-only snapshots of what GitLab holds, for the planners, the rules and
//! publishing. Every read a run plans from lives here, so the request budget is
//! visible in one file (the writer re-reads only to check a write it raced, and
//! `doctor` gathers its own facts):
//!
//! * milestones: the open ones (one page in practice), `closed(D)` by title, and a
//!   closed `WoW` by title (GitLab may close `WoW` and then refuse its new title),
//!   each by-title read only when no open milestone holds the title;
//! * issues of one milestone by title, `per_page=100`;
//! * milestone events only for the issues the `unscheduled` rule needs;
//! * labels once; open ~outage / ~data loss issues for `handoff`, and their newest
//!   notes with the token's user when hand-off comments are on;
//! * the token's own record; searches for the report issues; the closed weeks for
//!   the HTML chart.
//!
//! Nothing here writes.

use crate::gitlab::model::{CurrentUser, Issue, Label, Milestone, MilestoneEvent, Note, Scope, TokenRecord};
use crate::gitlab::{Client, GitlabError};
use crate::milestones;
use crate::settings::config::MilestoneTitles;
use crate::week::Week;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the rotation planner needs to know of the milestones.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObservedMilestones {
    /// Every milestone titled `current`, `next` or `closed(D)` in any state, and every
    /// open milestone; each once.
    pub milestones: Vec<Milestone>,
    /// Issue counts (all states) of milestones whose title is held twice, by id:
    /// a newer copy with none is deleted.
    pub issue_counts: BTreeMap<u64, usize>,
}

/// One closed week for the HTML chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HistoryWeek {
    pub title: String,
    pub end_date: NaiveDate,
    pub closed_issues: u32,
    pub unscheduled: u32,
    pub outages: u32,
}

/// An issue carried over this week and how many weeks in a row it has been carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CarriedIssue {
    pub reference: String,
    pub title: String,
    pub web_url: String,
    pub weeks_carried: u32,
    /// Its title stays out of the report unless `report.confidential_titles`.
    pub confidential: bool,
}

fn query(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// The milestones the rotation planner needs (see `ObservedMilestones`).
pub(crate) async fn milestones(
    gl: &Client,
    scope: &Scope,
    titles: &MilestoneTitles,
    week: &Week,
) -> Result<ObservedMilestones, GitlabError> {
    let path = format!("{}/milestones", scope.api_prefix());
    let closed_title = milestones::closed_title(titles, week.closed_date);
    let mut all: Vec<Milestone> = gl.get_all(&path, &query(&[("state", "active")])).await?;
    // Titles are unique across open and closed milestones (gitlab-api.md §2): a
    // title already held by an open milestone has no closed copy to look up.
    let held = |title: &str| all.iter().any(|m| m.title == title);
    let closed: Vec<Milestone> = if held(&closed_title) {
        Vec::new()
    } else {
        gl.get_all(&path, &query(&[("title", &closed_title)])).await?
    };
    let closed_current: Vec<Milestone> = if held(&titles.current) {
        Vec::new()
    } else {
        gl.get_all(&path, &query(&[("title", &titles.current), ("state", "closed")]))
            .await?
    };
    let mut seen_ids: BTreeSet<u64> = all.iter().map(|m| m.id).collect();
    for m in closed.into_iter().chain(closed_current) {
        if seen_ids.insert(m.id) {
            all.push(m);
        }
    }
    // A title held twice (overlapping runs): the planner deletes a newer copy only
    // when it holds no issues, so ask for one issue of each copy.
    let mut by_title: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for m in &all {
        if [
            titles.current.as_str(),
            titles.next.as_str(),
            closed_title.as_str(),
        ]
        .contains(&m.title.as_str())
        {
            by_title.entry(m.title.as_str()).or_default().push(m.id);
        }
    }
    let mut issue_counts = BTreeMap::new();
    for ids in by_title.values().filter(|ids| ids.len() > 1) {
        for &id in ids {
            let issues: Vec<serde_json::Value> = gl
                .get(&format!("{path}/{id}/issues"), &query(&[("per_page", "1")]))
                .await?;
            issue_counts.insert(id, issues.len());
        }
    }
    Ok(ObservedMilestones {
        milestones: all,
        issue_counts,
    })
}

/// The token's own record (`GET /personal_access_tokens/self`); `None` for a
/// token GitLab keeps no such record of (a job or OAuth token: 400/404), or that
/// may not read it (403) — unknown, not wrong (gitlab-api.md §10b).
pub(crate) async fn token_record(gl: &Client) -> Result<Option<TokenRecord>, GitlabError> {
    match gl.get::<TokenRecord>(TokenRecord::PATH, &[]).await {
        Ok(t) => Ok(Some(t)),
        Err(
            GitlabError::NotFound { .. }
            | GitlabError::Forbidden { .. }
            | GitlabError::Http { status: 400, .. },
        ) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The token's user: whose notes are wowctl's own.
pub(crate) async fn current_user(gl: &Client) -> Result<CurrentUser, GitlabError> {
    gl.get("/user", &[]).await
}

/// The newest notes of each issue (one page of 100, newest first), by issue id:
/// enough to find the last sign of a person and wowctl's last nudge.
pub(crate) async fn recent_notes(
    gl: &Client,
    issues: &[&Issue],
) -> Result<HashMap<u64, Vec<Note>>, GitlabError> {
    let results = crate::gitlab::fan_out(gl.concurrency(), issues.iter(), |issue| {
        let path = format!("/projects/{}/issues/{}/notes", issue.project_id, issue.iid);
        let id = issue.id;
        async move {
            let q = query(&[("sort", "desc"), ("order_by", "created_at"), ("per_page", "100")]);
            gl.get::<Vec<Note>>(&path, &q).await.map(|n| (id, n))
        }
    })
    .await;
    results.into_iter().collect()
}

/// Issues of the project matching a search (`search` + `in`), in any state.
pub(crate) async fn search_issues(
    gl: &Client,
    project: &str,
    text: &str,
    within: &str,
    state: &str,
) -> Result<Vec<Issue>, GitlabError> {
    let q = query(&[("search", text), ("in", within), ("state", state)]);
    gl.get_all(&format!("{project}/issues"), &q).await
}

/// The open milestones of the project or group.
pub(crate) async fn open_milestones(gl: &Client, scope: &Scope) -> Result<Vec<Milestone>, GitlabError> {
    let path = format!("{}/milestones", scope.api_prefix());
    gl.get_all(&path, &query(&[("state", "active")])).await
}

/// Issues of the milestone titled `title` (`state`: `opened`, `closed` or `all`).
pub(crate) async fn milestone_issues(
    gl: &Client,
    scope: &Scope,
    title: &str,
    state: &str,
) -> Result<Vec<Issue>, GitlabError> {
    issues(gl, scope, &query(&[("milestone", title), ("state", state)])).await
}

/// Issues of the project or group matching `query`. In project mode every issue is
/// the project's own, so reports name it `#12` (GitLab's short reference) rather
/// than `group/project#12`; in group mode the full reference tells projects apart.
async fn issues(
    gl: &Client,
    scope: &Scope,
    query: &[(&'static str, String)],
) -> Result<Vec<Issue>, GitlabError> {
    let mut issues: Vec<Issue> = gl
        .get_all(&format!("{}/issues", scope.api_prefix()), query)
        .await?;
    if !scope.is_group() {
        for issue in &mut issues {
            if let Some(r) = issue.references.as_mut() {
                r.full = format!("#{}", issue.iid);
            }
        }
    }
    Ok(issues)
}

/// Milestone events of each issue that needs them, fetched with bounded concurrency.
pub(crate) async fn events(
    gl: &Client,
    issues: &[&Issue],
) -> Result<HashMap<u64, Vec<MilestoneEvent>>, GitlabError> {
    let results = crate::gitlab::fan_out(gl.concurrency(), issues.iter(), |issue| {
        let path = format!(
            "/projects/{}/issues/{}/resource_milestone_events",
            issue.project_id, issue.iid
        );
        let id = issue.id;
        async move { gl.get_all::<MilestoneEvent>(&path, &[]).await.map(|e| (id, e)) }
    })
    .await;
    results.into_iter().collect()
}

pub(crate) async fn labels(gl: &Client, scope: &Scope) -> Result<Vec<Label>, GitlabError> {
    gl.get_all(&format!("{}/labels", scope.api_prefix()), &[]).await
}

/// Open issues carrying `label`, anywhere in the project or group.
pub(crate) async fn open_issues_labelled(
    gl: &Client,
    scope: &Scope,
    label: &str,
) -> Result<Vec<Issue>, GitlabError> {
    issues(gl, scope, &query(&[("labels", label), ("state", "opened")])).await
}

/// The last `weeks` closed weeks, for the HTML chart: issues closed in each, how many
/// of them were ~unscheduled and how many ~outage. One request per week.
pub(crate) async fn history(
    gl: &Client,
    scope: &Scope,
    titles: &MilestoneTitles,
    labels: (&str, &str),
    weeks: u32,
) -> Result<Vec<HistoryWeek>, GitlabError> {
    let path = format!("{}/milestones", scope.api_prefix());
    let prefix = titles.closed.split("{date}").next().unwrap_or_default().trim();
    let mut query = query(&[("state", "closed")]);
    if !prefix.is_empty() {
        query.push(("search", prefix.to_string()));
    }
    let closed: Vec<Milestone> = gl.get_all(&path, &query).await?;
    let mut dated: Vec<(chrono::NaiveDate, Milestone)> = closed
        .into_iter()
        .filter_map(|m| milestones::parse_closed_title(titles, &m.title).map(|d| (d, m)))
        .collect();
    dated.sort_by_key(|d| std::cmp::Reverse(d.0));
    dated.truncate(weeks as usize);
    dated.reverse();
    let mut out = Vec::with_capacity(dated.len());
    for (end_date, m) in dated {
        let issues = milestone_issues(gl, scope, &m.title, "closed").await?;
        let count = |label: &str| issues.iter().filter(|i| i.has_label(label)).count() as u32;
        out.push(HistoryWeek {
            title: m.title.clone(),
            end_date,
            closed_issues: issues.len() as u32,
            unscheduled: count(labels.0),
            outages: count(labels.1),
        });
    }
    Ok(out)
}

/// How many weeks in a row each carried-over issue has been carried: the number of
/// closed-week milestones in its event history (events name milestones by their
/// current title, gitlab-api.md §4, so a closed week shows as `WoW ending …`).
pub(crate) async fn carried_weeks(
    gl: &Client,
    titles: &MilestoneTitles,
    issues: &[&Issue],
) -> Result<Vec<CarriedIssue>, GitlabError> {
    let events = events(gl, issues).await?;
    let mut out: Vec<CarriedIssue> = issues
        .iter()
        .map(|issue| {
            let weeks: BTreeSet<u64> = events
                .get(&issue.id)
                .into_iter()
                .flatten()
                .filter_map(|e| e.milestone.as_ref())
                .filter(|m| milestones::parse_closed_title(titles, &m.title).is_some())
                .map(|m| m.id)
                .collect();
            CarriedIssue {
                reference: issue.full_reference(),
                title: issue.title.clone(),
                web_url: issue.web_url.clone(),
                weeks_carried: weeks.len() as u32,
                confidential: issue.confidential,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.weeks_carried
            .cmp(&a.weeks_carried)
            .then(a.reference.cmp(&b.reference))
    });
    Ok(out)
}
