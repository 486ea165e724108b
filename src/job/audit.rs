//! The audit phase: read what the rules need (and nothing more), run the pure rules,
//! apply their fixes through the one writer, record findings in the report.

use super::{AuditView, Ctx};
use crate::apply::{Applied, Applier};
use crate::audit::{self, AuditInput, FixStatus};
use crate::gitlab::model::{Issue, Milestone};
use crate::observe;
use crate::report::{AuditStatus, Outcome, Report};
use crate::settings::config::RuleName;
use crate::settings::Settings;
use crate::step::Step;
use anyhow::Context;
use std::collections::{BTreeSet, HashMap};

pub(super) async fn audit(
    ctx: &Ctx<'_>,
    applier: &mut Applier<'_>,
    view: AuditView,
    report: &mut Report,
) -> anyhow::Result<()> {
    let Ctx {
        settings,
        gl,
        scope,
        week,
        log,
    } = *ctx;
    let cfg = &settings.config;
    let rules = &cfg.audit.rules;
    report.audit.rules = rules.clone();
    let on = |r: RuleName| rules.contains(&r);

    // Open milestones: the strays are among them, and so is `WoW` when only auditing;
    // after a rotation its own list serves (the rotation only touches `WoW`, `Next WoW`
    // and `closed(D)`, which `stray_milestones` never reports). One read at most.
    let from_rotation = view.current.is_some() || view.current_is_planned;
    let open_milestones: Vec<Milestone> = match view.open_milestones {
        Some(open) if from_rotation => open,
        _ if on(RuleName::StrayMilestones) || !from_rotation => {
            let path = format!("{}/milestones", scope.api_prefix());
            gl.get_all(&path, &[("state", "active".to_string())])
                .await
                .context("reading open milestones")?
        }
        _ => Vec::new(),
    };
    let (current, closed_id) = if from_rotation {
        (view.current.clone(), view.closed_id)
    } else {
        let current = open_milestones
            .iter()
            .filter(|m| m.title == cfg.milestones.current && m.is_open())
            .min_by_key(|m| (m.created_at, m.id))
            .cloned();
        (current, None)
    };
    let mut current_issues: Vec<Issue> = Vec::new();
    if let Some(m) = &current {
        if on(RuleName::Unscheduled) || on(RuleName::Priority) {
            // In a dry run on a due day `WoW` still holds last week; read the milestone
            // that will be `WoW` by its present title.
            let title = if settings.dry_run.value {
                title_now(&m.id, report).unwrap_or_else(|| m.title.clone())
            } else {
                m.title.clone()
            };
            current_issues = observe::milestone_issues(gl, scope, &title, "all")
                .await
                .context("reading the issues of WoW")?;
        }
    }
    let carried_ids: BTreeSet<u64> = view.carried.iter().map(|i| i.id).collect();
    for i in &view.carried {
        if !current_issues.iter().any(|c| c.id == i.id) {
            current_issues.push(i.clone());
        }
    }
    let events = if on(RuleName::Unscheduled) && current.is_some() {
        let needing = observe::needing_events(&current_issues, week, &carried_ids, &cfg.labels);
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
            .context("reading milestone events")?
    } else {
        HashMap::new()
    };
    let next_open_issues = if on(RuleName::Priority) && !cfg.labels.priorities.is_empty() {
        let next_title = next_title_now(report).unwrap_or_else(|| cfg.milestones.next.clone());
        if view.next_is_new
            || report
                .rotation
                .next_milestone
                .as_ref()
                .is_some_and(|m| m.id.is_none())
        {
            Vec::new() // created just now, or a dry run would only create it: empty
        } else {
            observe::milestone_issues(gl, scope, &next_title, "opened")
                .await
                .context("reading the issues of Next WoW")?
        }
    } else {
        Vec::new()
    };
    let mut handoff_issues = Vec::new();
    if on(RuleName::Handoff) {
        for label in [&cfg.labels.outage, &cfg.labels.data_loss] {
            for i in observe::open_issues_labelled(gl, scope, label)
                .await
                .with_context(|| format!("reading open ~\"{label}\" issues"))?
            {
                if !handoff_issues.iter().any(|h: &Issue| h.id == i.id) {
                    handoff_issues.push(i);
                }
            }
        }
    }
    let labels = if on(RuleName::LabelDefinitions) {
        observe::labels(gl, scope).await.context("reading labels")?
    } else {
        Vec::new()
    };
    // Only auditing: the closed week's id is not known from a rotation, but events name
    // milestones by their current title (gitlab-api.md §4), so `closed(D)` shows there.
    let closed_title = crate::milestones::closed_title(&cfg.milestones, week.closed_date);
    let closed_id = closed_id.or_else(|| {
        events
            .values()
            .flatten()
            .filter_map(|e| e.milestone.as_ref())
            .find(|m| m.title == closed_title)
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
        labels,
        open_milestones,
    };
    report.audit.issues_checked = input.current_issues.len();
    let mut findings = audit::check(&input, cfg);
    apply_fixes(settings, applier, &mut findings, report).await;
    report.audit.findings = findings;
    report.audit.status = AuditStatus::Done;
    Ok(())
}

fn title_now(id: &u64, report: &Report) -> Option<String> {
    report
        .rotation
        .before
        .iter()
        .find(|m| m.id == Some(*id))
        .map(|m| m.title.clone())
}

fn next_title_now(report: &Report) -> Option<String> {
    let next = report.rotation.next_milestone.as_ref()?;
    let id = next.id?;
    title_now(&id, report).or_else(|| Some(next.title.clone()))
}

/// Applies the findings' fixes (one writer for rotation and audit): label creation
/// first, then the rest with bounded concurrency; each finding learns its outcome.
async fn apply_fixes(
    settings: &Settings,
    applier: &mut Applier<'_>,
    findings: &mut [audit::Finding],
    report: &mut Report,
) {
    if !settings.config.audit.fix {
        for f in findings.iter_mut().filter(|f| f.fix.is_some()) {
            f.fix_status = FixStatus::Disabled;
        }
        return;
    }
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
    for (step, a) in &results {
        if a.record.outcome == Outcome::Failed {
            report.errors.push(format!(
                "audit fix: {}: {}",
                a.record.description,
                a.record.error.clone().unwrap_or_default()
            ));
        }
        let status = match a.record.outcome {
            Outcome::Applied | Outcome::AlreadyDone => FixStatus::Applied,
            Outcome::Planned => FixStatus::Planned,
            Outcome::Failed | Outcome::NotAttempted => FixStatus::Failed,
        };
        audit::set_fix_status(findings, step, status);
    }
}
