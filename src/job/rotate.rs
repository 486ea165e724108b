//! The rotation phase as a sequence: observe the milestones, plan (pure), read the
//! week's issues (and put its summary on step 1), apply in order, move the issues
//! to carry over, then compute the outcome (pure). No decisions here beyond the
//! order of the calls.

use super::PhaseInputs;
use crate::apply::{Applied, Applier};
use crate::milestones::{closed_title, reference};
use crate::observe;
use crate::publish::summary;
use crate::rotation::{self, Answers, RotationOutcome};
use crate::run_error::RunError;
use crate::step::{MilestoneTarget, Step};

pub(super) async fn rotate(ctx: &PhaseInputs<'_>, applier: &mut Applier<'_>) -> RotationOutcome {
    let PhaseInputs {
        settings,
        gl,
        scope,
        week,
        ..
    } = *ctx;
    let cfg = &settings.config;
    let titles = &cfg.milestones;
    let closed_t = closed_title(titles, week.closed_date);
    let seen = match observe::milestones(gl, scope, titles, week).await {
        Ok(seen) => seen,
        Err(e) => {
            let error = RunError::of_read("the milestones", &e);
            return RotationOutcome::read_failed(None, titles, &closed_t, error);
        }
    };
    let mut plan = rotation::plan(&seen, week, cfg);

    // The issues of the week that ends, read before the rename (by its title now):
    // all of them when its summary goes on the milestone (`publish.milestone_summary`,
    // written by step 1), else only the open ones to carry over.
    let step_1 = plan.steps.iter().find_map(|s| match s {
        Step::CloseAndRename { id, from, .. } => Some((*id, from.clone())),
        _ => None,
    });
    let summarize = cfg.report.publish.milestone_summary && step_1.is_some();
    let carry_from = plan
        .carry_from
        .and_then(|id| seen.milestones.iter().find(|m| m.id == id));
    let carrying = carry_from.is_some() && plan.current.is_some();
    let (title, state) = match (&step_1, carry_from) {
        (Some((_, from)), _) if summarize => (Some(from.clone()), "all"),
        (_, Some(from)) if carrying => (Some(from.title.clone()), "opened"),
        _ => (None, "opened"),
    };
    let week_issues = match &title {
        Some(title) => match observe::milestone_issues(gl, scope, title, state).await {
            Ok(issues) => issues,
            Err(e) => {
                let what = format!("the issues of \"{title}\"");
                let error = RunError::of_read(&what, &e);
                return RotationOutcome::read_failed(Some((&seen, &plan)), titles, &closed_t, error);
            }
        },
        None => Vec::new(),
    };
    if let (true, Some((id, _))) = (summarize, &step_1) {
        // The new `WoW` by a reference that keeps pointing at this week after the
        // next rotation renames it.
        let carried_to = match &plan.current {
            Some(MilestoneTarget::Existing { id, .. }) => {
                seen.milestones.iter().find(|m| m.id == *id).map(reference)
            }
            _ => None,
        }
        .unwrap_or_else(|| format!("%\"{}\"", titles.current));
        let closed_week = summary::ClosedWeek {
            start: week.start_date - chrono::Days::new(7),
            end: week.closed_date,
            issues: &week_issues,
            carried_to: &carried_to,
            pipeline_url: settings.links.pipeline_url.as_deref(),
        };
        let text = summary::summary(&closed_week, &cfg.labels);
        let existing = seen
            .milestones
            .iter()
            .find(|m| m.id == *id)
            .and_then(|m| m.description.as_deref());
        summary::attach(&mut plan.steps, existing, &text);
    }
    let to_carry: Vec<_> = if carrying {
        week_issues.into_iter().filter(|i| i.is_open()).collect()
    } else {
        Vec::new()
    };

    let applied = applier.sequential(&plan.steps).await;
    let mut moves: Vec<(Step, Applied)> = Vec::new();
    if let (Some(from), Some(to)) = (carry_from, &plan.current) {
        let steps = rotation::plan_carry_over(&to_carry, from.id, to);
        // Listed either way: moves that could not be sent are "not done", not absent.
        let results = if rotation::carry_over_ready(&plan, &applied, &titles.current) {
            applier.concurrent(&steps).await
        } else {
            Applier::not_attempted(&steps)
        };
        moves = steps.into_iter().zip(results).collect();
    }
    rotation::outcome(
        &Answers {
            seen: &seen,
            plan: &plan,
            applied: &applied,
            to_carry: &to_carry,
            moves: &moves,
            dry_run: settings.dry_run.value,
            group_mode: scope.is_group(),
        },
        titles,
        &closed_t,
    )
}
