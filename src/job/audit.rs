//! The audit phase as a sequence: ask `audit::input` which reads the enabled rules
//! need, have `observe` send exactly those, run the pure rules, apply their fixes
//! through the one writer. No decisions here beyond the order of the calls.

use super::PhaseInputs;
use crate::apply::{Applied, Applier, Outcome};
use crate::audit::{self, input, AuditInput, AuditOutcome, AuditStatus, Finding, FixStatus};
use crate::gitlab::model::Issue;
use crate::gitlab::GitlabError;
use crate::milestones::closed_title;
use crate::observe;
use crate::publish::comments;
use crate::rotation::AuditView;
use crate::run_error::{RunError, STOPPED};
use crate::step::Step;
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};

/// wowctl's last hand-off nudge, by (project id, iid).
type Nudged = HashMap<(u64, u64), DateTime<Utc>>;

/// A failed read of the audit, as the report lists it.
fn read_error(what: &str) -> impl FnOnce(GitlabError) -> RunError + '_ {
    move |e| RunError::of_read(what, &e)
}

/// The audit, after the rotation left `view` (`None` when only auditing).
pub(super) async fn audit(
    ctx: &PhaseInputs<'_>,
    applier: &mut Applier<'_>,
    view: Option<&AuditView>,
) -> AuditOutcome {
    let cfg = &ctx.settings.config;
    let mut outcome = AuditOutcome {
        status: AuditStatus::Failed,
        reason: None,
        rules: audit::rule_states(cfg),
        issues_checked: 0,
        findings: Vec::new(),
        errors: Vec::new(),
        nudged: HashMap::new(),
        current: None,
    };
    let input = match gather(ctx, view).await {
        Ok((input, nudged)) => {
            outcome.nudged = nudged;
            input
        }
        Err(e) => {
            outcome.reason = Some(if e.step == STOPPED {
                "the run was stopped before the audit finished".to_string()
            } else {
                format!("reading {} failed", e.target)
            });
            outcome.errors.push(e);
            return outcome;
        }
    };
    outcome.issues_checked = input.current_issues.len();
    outcome.current = input.current.clone();
    outcome.findings = audit::check(&input, cfg);
    if cfg.audit.fix {
        outcome.errors = apply_fixes(applier, &mut outcome.findings).await;
    } else {
        for f in outcome.findings.iter_mut().filter(|f| f.fix.is_some()) {
            f.fix_status = FixStatus::Disabled;
        }
    }
    outcome.status = AuditStatus::Done;
    outcome
}

/// Sends the reads `input::reads` lists and assembles what the rules look at.
/// Also returns wowctl's last hand-off nudge per issue, by (project id, iid).
async fn gather(ctx: &PhaseInputs<'_>, view: Option<&AuditView>) -> Result<(AuditInput, Nudged), RunError> {
    let PhaseInputs {
        settings,
        gl,
        scope,
        week,
        log,
    } = *ctx;
    let cfg = &settings.config;
    let reads = input::reads(cfg, view);
    let rotated = input::rotation_view(view);

    let open_milestones = if reads.open_milestones {
        observe::open_milestones(gl, scope)
            .await
            .map_err(read_error("the open milestones"))?
    } else {
        view.map(|v| v.open_milestones.clone()).unwrap_or_default()
    };
    let (current, title_now) = match rotated {
        Some(v) => (v.current.clone(), v.current_title_now.clone()),
        None => {
            let found = input::find_current(&open_milestones, &cfg.milestones.current).cloned();
            let title = found.as_ref().map(|m| m.title.clone());
            (found, title)
        }
    };

    let mut current_issues: Vec<Issue> = Vec::new();
    if let (Some(_), Some(title), true) = (&current, &title_now, reads.current_issues) {
        current_issues = observe::milestone_issues(gl, scope, title, "all")
            .await
            .map_err(read_error("the issues of WoW"))?;
    }
    let carried: &[Issue] = view.map(|v| v.carried.as_slice()).unwrap_or_default();
    let carried_ids: BTreeSet<u64> = carried.iter().map(|i| i.id).collect();
    for i in carried {
        if !current_issues.iter().any(|c| c.id == i.id) {
            current_issues.push(i.clone());
        }
    }

    let events = if reads.events && current.is_some() {
        let needing: Vec<&Issue> = current_issues
            .iter()
            .filter(|i| audit::unscheduled::needs_events(i, week, &carried_ids, &cfg.labels))
            .collect();
        // Progress for long runs: counts, not a line per issue.
        if !log.quiet {
            crate::say!(
                "  {} issues in WoW; reading the milestone history of the {} changed since the week started",
                current_issues.len(),
                needing.len()
            );
        }
        observe::events(gl, &needing)
            .await
            .map_err(read_error("the milestone events of WoW's issues"))?
    } else {
        HashMap::new()
    };

    let next_open_issues = match &reads.next_issues {
        Some(title) => observe::milestone_issues(gl, scope, title, "opened")
            .await
            .map_err(read_error("the issues of Next WoW"))?,
        None => Vec::new(),
    };

    let mut handoff_issues: Vec<Issue> = Vec::new();
    for label in &reads.labelled_issues {
        let what = format!("the open ~\"{label}\" issues");
        for i in observe::open_issues_labelled(gl, scope, label)
            .await
            .map_err(read_error(&what))?
        {
            if !handoff_issues.iter().any(|h| h.id == i.id) {
                handoff_issues.push(i);
            }
        }
    }

    let labels = if reads.labels {
        observe::labels(gl, scope)
            .await
            .map_err(read_error("the labels"))?
    } else {
        Vec::new()
    };

    // With hand-off comments, silence runs from the last person's note, and
    // wowctl's own last nudge is found by its marker.
    let mut last_human_activity = HashMap::new();
    let mut nudged = HashMap::new();
    if reads.notes && !handoff_issues.is_empty() {
        let me = observe::current_user(gl)
            .await
            .map_err(read_error("the token's user"))?;
        let issues: Vec<&Issue> = handoff_issues.iter().collect();
        let notes = observe::recent_notes(gl, &issues)
            .await
            .map_err(read_error("the notes of the hand-off issues"))?;
        for issue in &handoff_issues {
            let seen = comments::notes_seen(notes.get(&issue.id).map_or(&[][..], Vec::as_slice), me.id);
            let person = seen
                .last_person
                .map_or(issue.created_at, |at| at.max(issue.created_at));
            last_human_activity.insert(issue.id, person);
            if let Some(at) = seen.last_nudge {
                nudged.insert((issue.project_id, issue.iid), at);
            }
        }
    }

    // Only auditing: the closed week's id is not known from a rotation, but events name
    // milestones by their current title (gitlab-api.md §4), so `closed(D)` shows there.
    let closed_t = closed_title(&cfg.milestones, week.closed_date);
    let closed_id = rotated.and_then(|v| v.closed_id).or_else(|| {
        events
            .values()
            .flatten()
            .filter_map(|e| e.milestone.as_ref())
            .find(|m| m.title == closed_t)
            .map(|m| m.id)
    });
    let input = AuditInput {
        now: settings.now.value,
        week: *week,
        current,
        closed_id,
        current_issues,
        carried_ids,
        events,
        next_open_issues,
        handoff_issues,
        last_human_activity,
        labels,
        open_milestones,
    };
    Ok((input, nudged))
}

/// Applies the findings' fixes (one writer for rotation and audit): label creation
/// first, then the rest with bounded concurrency; each finding learns its outcome.
/// Returns one error per failed fix.
async fn apply_fixes(applier: &mut Applier<'_>, findings: &mut [Finding]) -> Vec<RunError> {
    let steps = audit::fixes(findings);
    let (labels, rest): (Vec<Step>, Vec<Step>) = steps
        .into_iter()
        .partition(|s| matches!(s, Step::CreateLabel { .. }));
    let mut results: Vec<(Step, Applied)> = Vec::new();
    for s in labels {
        let a = applier.one(&s).await;
        results.push((s, a));
    }
    let applied = applier.concurrent(&rest).await;
    results.extend(rest.into_iter().zip(applied));
    let mut errors = Vec::new();
    for (step, a) in &results {
        if a.record.outcome == Outcome::Failed {
            let message = a.record.error.clone().unwrap_or_else(|| "failed".into());
            errors.push(RunError::new(
                a.record.kind.clone(),
                a.record.target.clone(),
                message,
            ));
        }
        let status = match a.record.outcome {
            Outcome::Applied | Outcome::AlreadyDone => FixStatus::Applied,
            Outcome::Planned => FixStatus::Planned,
            Outcome::Failed | Outcome::NotAttempted => FixStatus::Failed,
        };
        audit::set_fix_status(findings, step, status);
    }
    errors
}
