//! The rotation phase: observe the milestones, plan (pure), apply in order, then
//! carry the open issues over; record every step in the report.

use super::{AuditView, Ctx};
use crate::apply::Applier;
use crate::gitlab::model::{Issue, Milestone};
use crate::observe;
use crate::report::{IssueKey, MilestoneInfo, Outcome, Report, RotationStatus};
use crate::rotation;
use crate::step::{MilestoneTarget, Step};
use anyhow::Context;
use std::collections::HashMap;

fn info(m: &Milestone) -> MilestoneInfo {
    MilestoneInfo {
        id: Some(m.id),
        title: m.title.clone(),
        state: Some(if m.is_open() {
            "active".into()
        } else {
            "closed".into()
        }),
        start_date: m.start_date,
        due_date: m.due_date,
        web_url: m.web_url.clone(),
    }
}

fn info_of(
    target: &Option<MilestoneTarget>,
    known: &HashMap<u64, Milestone>,
    created: &HashMap<String, Milestone>,
) -> Option<MilestoneInfo> {
    match target.as_ref()? {
        // The title the plan gives it: in a dry run GitLab still holds the old one.
        MilestoneTarget::Existing { id, title } => Some(match known.get(id) {
            Some(m) => MilestoneInfo {
                title: title.clone(),
                ..info(m)
            },
            None => MilestoneInfo {
                id: Some(*id),
                title: title.clone(),
                state: None,
                start_date: None,
                due_date: None,
                web_url: None,
            },
        }),
        MilestoneTarget::Created { title } => Some(match created.get(title) {
            Some(m) => info(m),
            None => MilestoneInfo {
                id: None,
                title: title.clone(),
                state: None,
                start_date: None,
                due_date: None,
                web_url: None,
            },
        }),
    }
}

pub(super) async fn rotate(
    ctx: &Ctx<'_>,
    applier: &mut Applier<'_>,
    report: &mut Report,
) -> anyhow::Result<AuditView> {
    let Ctx {
        settings,
        gl,
        scope,
        week,
        ..
    } = *ctx;
    let cfg = &settings.config;
    let seen = observe::milestones(gl, scope, &cfg.milestones, week)
        .await
        .context("reading the milestones")?;
    let titles = [
        cfg.milestones.current.clone(),
        cfg.milestones.next.clone(),
        crate::milestones::closed_title(&cfg.milestones, week.closed_date),
    ];
    report.rotation.before = seen
        .milestones
        .iter()
        .filter(|m| titles.contains(&m.title))
        .map(info)
        .collect();
    let plan = rotation::plan(&seen, week, cfg);
    report.rotation.weeks_missed = plan.weeks_missed;
    report.errors.extend(plan.conflicts.iter().cloned());

    // Open issues of the week that ends, fetched before the rename (by its title now).
    let carry_from = plan
        .carry_from
        .and_then(|id| seen.milestones.iter().find(|m| m.id == id))
        .cloned();
    let to_carry = match (&carry_from, &plan.current) {
        (Some(from), Some(_)) => observe::milestone_issues(gl, scope, &from.title, "opened")
            .await
            .with_context(|| format!("reading the open issues of \"{}\"", from.title))?,
        _ => Vec::new(),
    };

    let mut known: HashMap<u64, Milestone> = seen.milestones.iter().map(|m| (m.id, m.clone())).collect();
    let mut created: HashMap<String, Milestone> = HashMap::new();
    let applied = applier.sequential(&plan.steps).await;
    let mut failed = false;
    // Carry-over needs only the new `WoW`: a failure to create `Next WoW` must not
    // leave last week's open issues behind in a closed milestone.
    let mut current_ready = true;
    let mut next_is_new = false;
    for (step, a) in plan.steps.iter().zip(&applied) {
        failed |= a.record.outcome == Outcome::Failed;
        let makes_current = match step {
            Step::CloseAndRename { .. } | Step::Rename { .. } => true,
            Step::Create { title, .. } => *title == cfg.milestones.current,
            _ => false,
        };
        current_ready &= !makes_current || a.record.applied || a.record.outcome == Outcome::Planned;
        if let Some(m) = &a.milestone {
            known.insert(m.id, m.clone());
            if let Step::Create { title, .. } = step {
                created.insert(title.clone(), m.clone());
                next_is_new |= *title == cfg.milestones.next && a.record.outcome == Outcome::Applied;
            }
        }
        report.rotation.actions.push(a.record.clone());
    }

    let mut moved: Vec<Issue> = Vec::new();
    if current_ready {
        if let (Some(from), Some(to)) = (&carry_from, &plan.current) {
            let moves = rotation::plan_carry_over(&to_carry, from.id, to);
            let results = applier.concurrent(&moves).await;
            for (step, a) in moves.iter().zip(results) {
                if let Step::MoveIssue { issue, .. } = step {
                    if a.record.applied || a.record.outcome == Outcome::Planned {
                        let key = if scope.is_group() {
                            IssueKey::Reference(issue.reference.clone())
                        } else {
                            IssueKey::Iid(issue.iid)
                        };
                        report.rotation.carried_over.push(key);
                        if let Some(i) = to_carry
                            .iter()
                            .find(|i| i.project_id == issue.project_id && i.iid == issue.iid)
                        {
                            moved.push(i.clone());
                        }
                    }
                }
                failed |= a.record.outcome == Outcome::Failed;
                report.rotation.actions.push(a.record);
            }
        }
    }

    report.rotation.closed_milestone = info_of(&plan.closed, &known, &created).map(|mut m| {
        if settings.dry_run.value {
            // Closed by the plan: GitLab still shows it open.
            m.state = Some("closed".into());
        }
        m
    });
    report.rotation.current_milestone = info_of(&plan.current, &known, &created);
    report.rotation.next_milestone = info_of(&plan.next, &known, &created);
    let wrote = !report.rotation.actions.is_empty();
    report.rotation.status = if failed {
        RotationStatus::Failed
    } else if settings.dry_run.value && wrote {
        RotationStatus::Planned
    } else if plan.status == RotationStatus::NotDue && !moved.is_empty() {
        // Only carry-over was left from an interrupted rotation.
        RotationStatus::Resumed
    } else {
        plan.status
    };
    if failed {
        let failures: Vec<String> = report
            .rotation
            .actions
            .iter()
            .filter(|a| a.outcome == Outcome::Failed)
            .map(|a| format!("{}: {}", a.description, a.error.clone().unwrap_or_default()))
            .collect();
        anyhow::bail!("{}", failures.join("; "));
    }

    let current = match &plan.current {
        Some(MilestoneTarget::Existing { id, .. }) => known.get(id).cloned().map(|mut m| {
            // In a dry run the rename did not happen; the audit looks at the renamed state.
            m.title = cfg.milestones.current.clone();
            m
        }),
        Some(MilestoneTarget::Created { title }) => created.get(title).cloned(),
        None => None,
    };
    let current_is_planned =
        matches!(plan.current, Some(MilestoneTarget::Created { .. })) && current.is_none();
    let carried = if settings.dry_run.value { to_carry } else { moved };
    Ok(AuditView {
        current,
        closed_id: carry_from.map(|m| m.id),
        carried,
        current_is_planned,
        open_milestones: Some(seen.milestones.into_iter().filter(|m| m.is_open()).collect()),
        next_is_new,
    })
}
