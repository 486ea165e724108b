//! The rotation phase as a sequence: observe the milestones, plan (pure), apply in
//! order, read and move the issues to carry over, then compute the outcome (pure).
//! No decisions here beyond the order of the calls.

use super::PhaseInputs;
use crate::apply::{Applied, Applier};
use crate::milestones::closed_title;
use crate::observe;
use crate::rotation::{self, Answers, RotationOutcome};
use crate::run_error::RunError;
use crate::step::Step;

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
    let plan = rotation::plan(&seen, week, cfg);

    // Open issues of the week that ends, read before the rename (by its title now).
    let carry_from = plan
        .carry_from
        .and_then(|id| seen.milestones.iter().find(|m| m.id == id));
    let to_carry = match (carry_from, &plan.current) {
        (Some(from), Some(_)) => match observe::milestone_issues(gl, scope, &from.title, "opened").await {
            Ok(issues) => issues,
            Err(e) => {
                let what = format!("the open issues of \"{}\"", from.title);
                let error = RunError::of_read(&what, &e);
                return RotationOutcome::read_failed(Some((&seen, &plan)), titles, &closed_t, error);
            }
        },
        _ => Vec::new(),
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
