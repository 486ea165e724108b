//! The publishing phase as a sequence (SPEC "Publishing into GitLab"): plan the
//! comments (pure), send them, then search for the week's report issue, plan its
//! writes (pure) and send them. Every write goes through the one writer and is
//! checked; a failure is an error in the report that never undoes the rotation.
//! No decisions here beyond the order of the calls.

use super::PhaseInputs;
use crate::apply::{ActionRecord, Applier, Outcome};
use crate::audit::{AuditStatus, FixStatus};
use crate::gitlab::model::{Issue, Milestone};
use crate::milestones;
use crate::observe;
use crate::publish::{comments, report_issue};
use crate::report::{self, Report};
use crate::run_error::RunError;
use crate::step::Step;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What publishing did: a record per write (kind `publish`), and the errors.
pub(super) struct Published {
    pub records: Vec<ActionRecord>,
    pub errors: Vec<RunError>,
    pub warnings: Vec<String>,
}

/// Comments first (so the report issue lists them), then the report issue.
pub(super) async fn publish(
    ctx: &PhaseInputs<'_>,
    applier: &mut Applier<'_>,
    report: &Report,
    nudged: &HashMap<(u64, u64), DateTime<Utc>>,
    current: Option<&Milestone>,
) -> Published {
    let cfg = &ctx.settings.config;
    let publish = &cfg.report.publish;
    let mut out = Published {
        records: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let findings = &report.audit.findings;
    let mut steps: Vec<Step> = Vec::new();
    if report.audit.status == AuditStatus::Done {
        if publish.handoff_comment {
            steps.extend(comments::handoff_nudges(
                findings,
                nudged,
                ctx.settings.now.value,
                cfg.audit.handoff_max_silence,
                &publish.handoff_mentions,
                &cfg.labels,
            ));
        }
        if publish.explain_fixes {
            let current = current.map_or_else(
                || format!("%\"{}\"", cfg.milestones.current),
                milestones::reference,
            );
            steps.extend(comments::fix_explanations(
                findings,
                &cfg.labels.unscheduled,
                &current,
                ctx.week.start_date,
            ));
        }
    }
    let results = applier.concurrent(&steps).await;
    record(&mut out, results.iter().map(|a| &a.record));

    if publish.issue {
        if ctx.scope.is_group() {
            out.warnings.push(
                "report.publish.issue is skipped in group mode: the report issue needs a project (set WOW_PROJECT to run per project)".into(),
            );
        } else {
            let changed =
                tracker_changed(report) || out.records.iter().any(|r| r.outcome == Outcome::Applied);
            // The issue lists what was published so far (the comments).
            let mut so_far = report.clone();
            so_far.publish.extend(out.records.iter().cloned());
            match report_issue_steps(ctx, &so_far, changed).await {
                Ok(steps) => {
                    for step in &steps {
                        let a = applier.one(step).await;
                        record(&mut out, std::iter::once(&a.record));
                    }
                }
                Err(e) => out.errors.push(e),
            }
        }
    }
    out
}

fn record<'a>(out: &mut Published, records: impl Iterator<Item = &'a ActionRecord>) {
    for r in records {
        if r.outcome == Outcome::Failed {
            let message = r.error.clone().unwrap_or_else(|| "failed".into());
            out.errors
                .push(RunError::new("publish", r.target.clone(), message));
        }
        out.records.push(r.clone());
    }
}

/// This run changed the tracker: a rotation step or a fix GitLab applied.
fn tracker_changed(report: &Report) -> bool {
    report
        .rotation
        .actions
        .iter()
        .any(|a| a.outcome == Outcome::Applied)
        || report
            .audit
            .findings
            .iter()
            .any(|f| f.fix_status == FixStatus::Applied)
}

/// What needs a person, in a form that does not change between two runs that
/// find the same things (no times, no counts of silence).
fn needs_a_person(report: &Report) -> String {
    let mut lines: Vec<String> = report
        .audit
        .findings
        .iter()
        .filter(|f| !matches!(f.fix_status, FixStatus::Applied | FixStatus::Planned))
        .map(|f| match &f.subject {
            crate::audit::Subject::Issue(i) => format!("{} {}", f.rule.as_str(), i.reference),
            other => format!("{} {}", f.rule.as_str(), other.display_name()),
        })
        .collect();
    lines.sort();
    lines.dedup();
    format!("week {}\n{}", report.week.start, lines.join("\n"))
}

/// Searches for this week's report issue (by title, then by its marker, which a
/// renamed issue keeps) and last week's, and plans the writes.
async fn report_issue_steps(
    ctx: &PhaseInputs<'_>,
    report: &Report,
    changed: bool,
) -> Result<Vec<Step>, RunError> {
    let publish = &ctx.settings.config.report.publish;
    let project = ctx.scope.api_prefix();
    let start = ctx.week.start_date;
    let title = report_issue::title(&publish.issue_title, start, ctx.week.end_date);
    let marker = report_issue::marker(start);
    let search = |text: String, within: &'static str, state: &'static str| {
        let project = project.clone();
        async move {
            observe::search_issues(ctx.gl, &project, &text, within, state)
                .await
                .map_err(|e| RunError::of_read("the report issues", &e))
        }
    };
    let marked = |found: &[Issue]| {
        found
            .iter()
            .any(|i| i.description.as_deref().is_some_and(|d| d.starts_with(&marker)))
    };
    let mut this_week = search(title.clone(), "title", "all").await?;
    if !marked(&this_week) {
        this_week.extend(search(report_issue::search_term(&marker), "description", "all").await?);
    }
    let last = report_issue::marker(start - chrono::Days::new(7));
    let last_week = search(report_issue::search_term(&last), "description", "opened").await?;

    let markdown = report::markdown::render_for_issue(report);
    let wanted = report_issue::Wanted {
        project,
        week_start: start,
        title,
        labels: &publish.issue_labels,
        report: &markdown,
        digest: report_issue::digest(&needs_a_person(report)),
        changed_tracker: changed,
    };
    Ok(report_issue::plan(&wanted, &this_week, &last_week))
}
