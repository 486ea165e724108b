//! The only writer. Sends planned steps in order, checks every write against the
//! object GitLab returns (GitLab answers 200 and drops milestone and label changes
//! when the token's role is too low, gitlab-api.md §3), and records an outcome per
//! step. In a dry run nothing is sent: every step is recorded as planned.
//!
//! A write overtaken by a concurrent run (a title already taken, a copy already
//! deleted, a label that now exists) re-reads and counts as done when the effect is
//! there: two overlapping runs end as one.

use crate::gitlab::fan_out;
use crate::gitlab::model::{Issue, Label, Milestone, MilestoneState, Note, Scope};
use crate::gitlab::{Client, GitlabError};
use crate::observe;
use crate::publish::report_issue;
use crate::step::{MilestoneTarget, Step};
use serde_json::json;
use std::collections::HashMap;

/// What became of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Sent and confirmed by GitLab's answer.
    Applied,
    /// Dry run: not sent.
    Planned,
    /// Already so (a concurrent run got there first): nothing to do.
    AlreadyDone,
    Failed,
    /// Not attempted because an earlier step failed.
    NotAttempted,
}

/// One step of the rotation (or one fix) and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionRecord {
    pub kind: String,
    pub target: String,
    pub description: String,
    /// True when GitLab now holds the step's effect (applied or already done).
    pub applied: bool,
    pub outcome: Outcome,
    pub error: Option<String>,
}

/// What applying one step produced.
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub record: ActionRecord,
    /// The milestone as GitLab returned it, for the report's "after" view.
    pub milestone: Option<Milestone>,
}

pub(crate) struct Applier<'a> {
    gl: &'a Client,
    scope: &'a Scope,
    dry_run: bool,
    /// Told of each step as its outcome is known (the job log streams it).
    progress: &'a (dyn Fn(&ActionRecord) + Sync),
    /// Ids of milestones created (or found created by a concurrent run), by title,
    /// so later steps can name them (`MilestoneTarget::Created`).
    created: HashMap<String, u64>,
}

const ROLE: &str = "the Planner role (or higher)";

impl<'a> Applier<'a> {
    pub(crate) fn new(
        gl: &'a Client,
        scope: &'a Scope,
        dry_run: bool,
        progress: &'a (dyn Fn(&ActionRecord) + Sync),
    ) -> Self {
        Applier {
            gl,
            scope,
            dry_run,
            progress,
            created: HashMap::new(),
        }
    }

    /// A dry run's step: recorded as planned, nothing sent.
    fn planned(&self, step: &Step) -> Applied {
        let record = ActionRecord::new(step, Outcome::Planned, None);
        (self.progress)(&record);
        Applied {
            record,
            milestone: None,
        }
    }

    /// The id a milestone target has now, if known.
    pub(crate) fn resolve(&self, target: &MilestoneTarget) -> Option<u64> {
        match target {
            MilestoneTarget::Existing { id, .. } => Some(*id),
            MilestoneTarget::Created { title } => self.created.get(title).copied(),
        }
    }

    /// Steps that will not be sent because a step they depend on failed.
    pub(crate) fn not_attempted(steps: &[Step]) -> Vec<Applied> {
        steps
            .iter()
            .map(|s| Applied {
                record: ActionRecord::new(s, Outcome::NotAttempted, None),
                milestone: None,
            })
            .collect()
    }

    /// Applies steps one after another; after a failure the rest are not attempted
    /// (rotation steps depend on each other; a re-run resumes).
    pub(crate) async fn sequential(&mut self, steps: &[Step]) -> Vec<Applied> {
        let mut out = Vec::with_capacity(steps.len());
        let mut failed = false;
        for step in steps {
            if failed {
                out.push(Applied {
                    record: ActionRecord::new(step, Outcome::NotAttempted, None),
                    milestone: None,
                });
                continue;
            }
            let applied = self.one(step).await;
            failed = applied.record.outcome == Outcome::Failed;
            out.push(applied);
        }
        out
    }

    /// Applies independent steps (issue moves, label fixes) with bounded concurrency.
    /// Results come back in the order of `steps`.
    pub(crate) async fn concurrent(&mut self, steps: &[Step]) -> Vec<Applied> {
        if self.dry_run {
            return steps.iter().map(|s| self.planned(s)).collect();
        }
        let this: &Applier<'a> = self;
        fan_out(this.gl.concurrency(), steps.iter(), |step| this.send(step)).await
    }

    pub(crate) async fn one(&mut self, step: &Step) -> Applied {
        if self.dry_run {
            return self.planned(step);
        }
        let applied = self.send(step).await;
        if let (Step::Create { title, .. }, Some(m)) = (step, &applied.milestone) {
            self.created.insert(title.clone(), m.id);
        }
        applied
    }

    /// Sends one step and reports its outcome as soon as GitLab has answered.
    async fn send(&self, step: &Step) -> Applied {
        let applied = match self.write(step).await {
            Ok((outcome, milestone)) => Applied {
                record: ActionRecord::new(step, outcome, None),
                milestone,
            },
            // Stopped before it was sent: not done, and not an error of its own.
            Err(e @ GitlabError::Stopped { in_flight: false, .. }) => Applied {
                record: ActionRecord::new(step, Outcome::NotAttempted, Some(e.to_string())),
                milestone: None,
            },
            Err(e) => Applied {
                record: ActionRecord::new(step, Outcome::Failed, Some(e.to_string())),
                milestone: None,
            },
        };
        (self.progress)(&applied.record);
        applied
    }

    fn milestones_path(&self) -> String {
        format!("{}/milestones", self.scope.api_prefix())
    }

    async fn find_by_title(&self, title: &str) -> Result<Vec<Milestone>, GitlabError> {
        let mut found: Vec<Milestone> = self
            .gl
            .get_all(&self.milestones_path(), &[("title", title.to_string())])
            .await?;
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(found)
    }

    async fn put_milestone(&self, id: u64, body: serde_json::Value) -> Result<Milestone, GitlabError> {
        self.gl
            .put(&format!("{}/{id}", self.milestones_path()), &body)
            .await
    }

    async fn write(&self, step: &Step) -> Result<(Outcome, Option<Milestone>), GitlabError> {
        match step {
            Step::CloseAndRename {
                id, to, description, ..
            } => {
                let mut body = json!({ "title": to, "state_event": "close" });
                if let Some(d) = description {
                    body["description"] = json!(d);
                }
                match self.put_milestone(*id, body).await {
                    Ok(m) => {
                        let described = description.is_none() || m.description == *description;
                        confirm(
                            m.title == *to && m.state == MilestoneState::Closed && described,
                            step,
                        )?;
                        Ok((Outcome::Applied, Some(m)))
                    }
                    Err(e) if e.is_title_taken() => self.already_titled(to, *id, e).await,
                    Err(e) => Err(e),
                }
            }
            Step::Close { id, .. } => {
                let m = self.put_milestone(*id, json!({ "state_event": "close" })).await?;
                confirm(m.state == MilestoneState::Closed, step)?;
                Ok((Outcome::Applied, Some(m)))
            }
            Step::Rename {
                id,
                to,
                start_date,
                due_date,
                ..
            } => {
                let mut body = json!({ "title": to });
                if let (Some(s), Some(d)) = (start_date, due_date) {
                    body["start_date"] = json!(s);
                    body["due_date"] = json!(d);
                }
                match self.put_milestone(*id, body).await {
                    Ok(m) => {
                        let dates_ok =
                            start_date.is_none() || (m.start_date == *start_date && m.due_date == *due_date);
                        confirm(m.title == *to && dates_ok, step)?;
                        Ok((Outcome::Applied, Some(m)))
                    }
                    Err(e) if e.is_title_taken() => self.already_titled(to, *id, e).await,
                    Err(e) => Err(e),
                }
            }
            Step::Create {
                title,
                start_date,
                due_date,
            } => {
                let mut body = json!({ "title": title });
                if let (Some(s), Some(d)) = (start_date, due_date) {
                    body["start_date"] = json!(s);
                    body["due_date"] = json!(d);
                }
                match self.gl.post::<Milestone>(&self.milestones_path(), &body).await {
                    Ok(m) => {
                        confirm(m.title == *title, step)?;
                        match self.keep_oldest(m.clone()).await {
                            // GitLab created it; the look for a racing copy was cut short by
                            // a stop. The next run's plan deletes an empty copy.
                            Err(e) if e.is_stopped() => Ok((Outcome::Applied, Some(m))),
                            other => other,
                        }
                    }
                    Err(e) if e.is_title_taken() => {
                        // A concurrent run created it first (or it exists closed): re-read.
                        let found = self.find_by_title(title).await?;
                        match found.into_iter().next() {
                            Some(m) if m.is_open() => Ok((Outcome::AlreadyDone, Some(m))),
                            // A closed milestone keeps its title (titles are unique across
                            // closed ones too, gitlab-api.md §2): a person must decide.
                            Some(m) => Err(GitlabError::TitleTaken {
                                title: title.clone(),
                                message: format!(
                                    "the closed milestone {} (id {}) holds it; reopen or rename it, then run again",
                                    m.web_url.as_deref().unwrap_or(&m.title),
                                    m.id
                                ),
                            }),
                            // Held by a milestone of a parent group, which this project sees
                            // only with include_ancestors: rename one of them.
                            None => Err(e),
                        }
                    }
                    Err(e) => Err(e),
                }
            }
            Step::SetDates {
                id,
                start_date,
                due_date,
                ..
            } => {
                let m = self
                    .put_milestone(*id, json!({ "start_date": start_date, "due_date": due_date }))
                    .await?;
                confirm(
                    m.start_date == Some(*start_date) && m.due_date == Some(*due_date),
                    step,
                )?;
                Ok((Outcome::Applied, Some(m)))
            }
            Step::DeleteDuplicate { id, .. } => {
                match self.gl.delete(&format!("{}/{id}", self.milestones_path())).await {
                    Ok(()) => Ok((Outcome::Applied, None)),
                    Err(e) if e.is_not_found() => Ok((Outcome::AlreadyDone, None)),
                    Err(e) => Err(e),
                }
            }
            Step::MoveIssue { issue, to, .. } => {
                let to_id = match self.resolve(to) {
                    Some(id) => id,
                    None => self
                        .find_by_title(to.title())
                        .await?
                        .first()
                        .map(|m| m.id)
                        .ok_or_else(|| GitlabError::NotFound {
                            what: format!("milestone \"{}\"", to.title()),
                        })?,
                };
                let path = format!("/projects/{}/issues/{}", issue.project_id, issue.iid);
                let got: Issue = self.gl.put(&path, &json!({ "milestone_id": to_id })).await?;
                confirm(got.milestone.as_ref().map(|m| m.id) == Some(to_id), step)?;
                Ok((Outcome::Applied, None))
            }
            Step::AddLabels { issue, labels } => {
                let path = format!("/projects/{}/issues/{}", issue.project_id, issue.iid);
                let got: Issue = self
                    .gl
                    .put(&path, &json!({ "add_labels": labels.join(",") }))
                    .await?;
                confirm(labels.iter().all(|l| got.has_label(l)), step)?;
                Ok((Outcome::Applied, None))
            }
            Step::CreateLabel { name, color } => {
                let path = format!("{}/labels", self.scope.api_prefix());
                match self
                    .gl
                    .post::<Label>(&path, &json!({ "name": name, "color": color }))
                    .await
                {
                    Ok(l) => {
                        confirm(l.name == *name, step)?;
                        Ok((Outcome::Applied, None))
                    }
                    Err(GitlabError::Http { status: 409, .. }) => Ok((Outcome::AlreadyDone, None)),
                    Err(e) => Err(e),
                }
            }
            Step::Comment { issue, body, .. } => {
                let path = format!("/projects/{}/issues/{}/notes", issue.project_id, issue.iid);
                let note: Note = self.gl.post(&path, &json!({ "body": body })).await?;
                confirm(note.body == *body, step)?;
                Ok((Outcome::Applied, None))
            }
            Step::CreateReportIssue {
                project,
                title,
                description,
                labels,
                marker,
            } => {
                let path = format!("{project}/issues");
                let body = json!({ "title": title, "description": description, "labels": labels.join(",") });
                let created: Issue = self.gl.post(&path, &body).await?;
                confirm(created.title == *title, step)?;
                self.keep_oldest_report(&created, marker).await
            }
            Step::UpdateReportIssue { issue, description } => {
                let path = format!("/projects/{}/issues/{}", issue.project_id, issue.iid);
                let got: Issue = self.gl.put(&path, &json!({ "description": description })).await?;
                confirm(got.description.as_deref() == Some(description.as_str()), step)?;
                Ok((Outcome::Applied, None))
            }
            Step::CloseIssue { issue, .. } => {
                let path = format!("/projects/{}/issues/{}", issue.project_id, issue.iid);
                let got: Issue = self.gl.put(&path, &json!({ "state_event": "close" })).await?;
                confirm(!got.is_open(), step)?;
                Ok((Outcome::Applied, None))
            }
        }
    }

    /// Two runs at once can both create the week's report issue: after creating,
    /// look again by its marker; when an older one exists, ours is closed and the
    /// older one stays (SPEC "Publishing": two runs end with one report issue).
    async fn keep_oldest_report(
        &self,
        ours: &Issue,
        marker: &str,
    ) -> Result<(Outcome, Option<Milestone>), GitlabError> {
        let project = format!("/projects/{}", ours.project_id);
        let term = report_issue::search_term(marker);
        let found = match observe::search_issues(self.gl, &project, &term, "description", "opened").await {
            Ok(found) => found,
            // Created; the look for a racing copy was cut short. The next run closes it.
            Err(e) if e.is_stopped() => return Ok((Outcome::Applied, None)),
            Err(e) => return Err(e),
        };
        let oldest = found
            .iter()
            .filter(|i| i.description.as_deref().is_some_and(|d| d.contains(marker)))
            .min_by_key(|i| i.iid);
        match oldest {
            Some(older) if older.iid < ours.iid => {
                log::warn!(
                    "the report issue was created twice (#{} and #{}); closing the newer",
                    older.iid,
                    ours.iid
                );
                let path = format!("/projects/{}/issues/{}", ours.project_id, ours.iid);
                let _: Issue = self.gl.put(&path, &json!({ "state_event": "close" })).await?;
                Ok((Outcome::AlreadyDone, None))
            }
            _ => Ok((Outcome::Applied, None)),
        }
    }

    /// A rename refused because the title is taken: done if the milestone we renamed
    /// already holds it (a concurrent run did it), otherwise the refusal stands.
    async fn already_titled(
        &self,
        title: &str,
        id: u64,
        refusal: GitlabError,
    ) -> Result<(Outcome, Option<Milestone>), GitlabError> {
        let found = self.find_by_title(title).await?;
        match found.into_iter().find(|m| m.id == id) {
            Some(m) => Ok((Outcome::AlreadyDone, Some(m))),
            None => Err(refusal),
        }
    }

    /// GitLab checks title uniqueness without a lock (gitlab-api.md §2): after a
    /// create, look again; if an older copy exists, ours goes and the older one stays.
    async fn keep_oldest(&self, ours: Milestone) -> Result<(Outcome, Option<Milestone>), GitlabError> {
        let found = self.find_by_title(&ours.title).await?;
        match found.into_iter().next() {
            Some(oldest) if oldest.id != ours.id => {
                log::warn!(
                    "\"{}\" was created twice (ids {} and {}); keeping the older",
                    ours.title,
                    oldest.id,
                    ours.id
                );
                match self
                    .gl
                    .delete(&format!("{}/{}", self.milestones_path(), ours.id))
                    .await
                {
                    Ok(()) => {}
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e),
                }
                Ok((Outcome::AlreadyDone, Some(oldest)))
            }
            _ => Ok((Outcome::Applied, Some(ours))),
        }
    }
}

/// Checks GitLab's answer to a write: `held` says whether the returned object shows
/// the change. GitLab answers 200 and drops the change for a too-low role
/// (gitlab-api.md §3), so an answer without it is `DroppedWrite`, naming the role.
fn confirm(held: bool, step: &Step) -> Result<(), GitlabError> {
    if held {
        Ok(())
    } else {
        Err(GitlabError::DroppedWrite {
            what: step.describe(),
            role: ROLE.to_string(),
        })
    }
}

impl ActionRecord {
    pub(crate) fn new(step: &Step, outcome: Outcome, error: Option<String>) -> ActionRecord {
        ActionRecord {
            kind: step.kind().to_string(),
            target: step.target(),
            description: step.describe(),
            applied: matches!(outcome, Outcome::Applied | Outcome::AlreadyDone),
            outcome,
            error,
        }
    }
}
