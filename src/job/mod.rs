//! The job against one GitLab: the rotation, then the audit, then the report data.
//! `execute` never fails: what went wrong is recorded in the report (partial failure
//! is data) and the caller writes the report either way.

mod audit;
mod publish;
mod rotate;

use crate::apply::{ActionRecord, Applier, Outcome};
use crate::audit::FixStatus;
use crate::console::Console;
use crate::gitlab::model::{Issue, Scope};
use crate::gitlab::{Client, GitlabError};
use crate::observe;
use crate::report::wording::{outcome_word, token_expiry_warning};
use crate::report::{self, AuditReport, Report, RotationReport, WeekDates};
use crate::rotation::RotationOutcome;
use crate::run_error::{RunError, STOPPED};
use crate::settings::config::Format;
use crate::settings::Settings;
use crate::week::{self, Week};
use chrono::Utc;
use std::collections::{BTreeMap, HashMap};

/// What a network command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Job {
    Run,
    Rotate,
    Audit,
}

impl Job {
    fn rotates(self) -> bool {
        matches!(self, Job::Run | Job::Rotate)
    }
    fn audits(self) -> bool {
        matches!(self, Job::Run | Job::Audit)
    }
    fn name(self) -> &'static str {
        match self {
            Job::Run => "run",
            Job::Rotate => "rotate",
            Job::Audit => "audit",
        }
    }
}

pub(crate) fn unix_now() -> i64 {
    Utc::now().timestamp()
}

fn new_report(settings: &Settings, scope: &Scope, job: Job, week: &Week) -> Report {
    Report {
        tool: report::Tool::default(),
        command: job.name().to_string(),
        now: settings.now.value,
        dry_run: settings.dry_run.value,
        scope: Some(crate::report::wording::describe_scope(scope, &settings.links)),
        week: WeekDates {
            start: week.start_date,
            end: week.end_date,
        },
        rotation: RotationReport::default(),
        audit: AuditReport::default(),
        history: None,
        carried_weeks: Vec::new(),
        publish: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        token_expires_at: None,
        stopped_by: None,
        requests: BTreeMap::new(),
        links: settings.links.clone(),
        exit_code: 0,
        confidential_titles: settings.config.report.confidential_titles,
    }
}

fn rotation_report(o: &RotationOutcome) -> RotationReport {
    RotationReport {
        status: o.status,
        reason: None,
        before: o.before.clone(),
        closed_milestone: o.closed.clone(),
        current_milestone: o.current.clone(),
        next_milestone: o.next.clone(),
        actions: o.actions.clone(),
        carried_over: o.carried_over.clone(),
        weeks_missed: o.weeks_missed,
    }
}

/// Reads the token's record once and warns when it expires within
/// `api.token_expiry_warning` (SPEC "Token expiry"): a weekly job must not die
/// silently on the day its token expires.
async fn check_token(settings: &Settings, gl: &Client, report: &mut Report) {
    match observe::token_record(gl).await {
        Ok(Some(token)) => {
            report.token_expires_at = token.expires_at;
            let today = settings.now.value.date_naive();
            if let (Some(days), Some(date)) = (
                token.expires_within(today, settings.config.api.token_expiry_warning),
                token.expires_at,
            ) {
                let warning = token_expiry_warning(date, days);
                log::warn!("{warning}");
                report.warnings.push(warning);
            }
        }
        Ok(None) => {
            log::debug!("the token has no token record (not an access token): its expiry is not checked")
        }
        // The phases' first read meets the same refusal and reports it once.
        Err(GitlabError::Unauthorized { .. }) => {}
        Err(e) => log::warn!("the token's expiry could not be checked: {e}"),
    }
}

/// Prints each write as GitLab answers it (a job killed with SIGKILL still
/// leaves a true log), unless quiet.
fn progress(log: &Console) -> impl Fn(&ActionRecord) + Sync + '_ {
    move |a: &ActionRecord| {
        if !log.quiet {
            match &a.error {
                Some(e) => crate::say!("  {:<12} {}: {e}", outcome_word(a.outcome), a.description),
                None => crate::say!("  {:<12} {}", outcome_word(a.outcome), a.description),
            }
        }
    }
}

/// The whole job against one GitLab: rotation, audit, report data. Never fails:
/// what went wrong is recorded in the report (partial failure is data).
pub(crate) async fn execute(
    settings: &Settings,
    gl: &Client,
    scope: &Scope,
    job: Job,
    log: &Console,
) -> Report {
    let cfg = &settings.config;
    let week = week::week_of(settings.now.value, cfg.week.starts_on, cfg.week.timezone);
    let mut report = new_report(settings, scope, job, &week);
    let show = progress(log);
    let mut applier = Applier::new(gl, scope, settings.dry_run.value, &show);
    let ctx = PhaseInputs {
        settings,
        gl,
        scope,
        week: &week,
        log,
    };
    let rotation = if job.rotates() {
        crate::console::print(&log.section_start("rotation", "Milestone rotation", false, unix_now()));
        let outcome = rotate::rotate(&ctx, &mut applier).await;
        report.rotation = rotation_report(&outcome);
        report.errors.extend(outcome.errors.iter().cloned());
        for w in &outcome.warnings {
            log::warn!("{w}");
        }
        report.warnings.extend(outcome.warnings.iter().cloned());
        report.publish.extend(outcome.summary.iter().cloned());
        if !log.quiet {
            crate::say!("  rotation: {}", report.rotation.status.as_str());
        }
        crate::console::print(&log.section_end("rotation", unix_now()));
        Some(outcome)
    } else {
        report.rotation.reason = Some(format!("wowctl {} does not rotate", job.name()));
        None
    };
    let view = rotation.as_ref().and_then(|o| o.audit_view.as_ref());
    let mut nudged = HashMap::new();
    let mut audited = None;

    if !job.audits() {
        report.audit.reason = Some(format!("wowctl {} does not audit", job.name()));
        report.audit.rules = crate::audit::rule_states(cfg);
    } else if job.rotates() && view.is_none() {
        report.audit.reason = Some(match gl.stopped_by() {
            Some(signal) => format!("the run was stopped by {signal}"),
            None => "the rotation failed, so the week to audit is not known".into(),
        });
        report.audit.rules = crate::audit::rule_states(cfg);
    } else {
        crate::console::print(&log.section_start("audit", "Label audit", false, unix_now()));
        let outcome = audit::audit(&ctx, &mut applier, view).await;
        report.errors.extend(outcome.errors);
        nudged = outcome.nudged;
        audited = outcome.current;
        report.audit = AuditReport {
            status: outcome.status,
            reason: outcome.reason,
            rules: outcome.rules,
            issues_checked: outcome.issues_checked,
            findings: outcome.findings,
        };
        if !log.quiet {
            // What needs a person first, then what was fixed; no confidential title.
            for line in crate::report::summary::audit_lines(&report) {
                crate::say!("  {line}");
            }
        }
        crate::console::print(&log.section_end("audit", unix_now()));
    }

    // A run that was stopped, or could not read GitLab, sends nothing more.
    if let Some(signal) = gl.stopped_by() {
        record_stop(&mut report, signal);
        report.requests = gl.request_counts();
        return report;
    }
    if report.errors.iter().any(|e| e.step == "read") {
        report.requests = gl.request_counts();
        return report;
    }

    // The trend of recent weeks (the markdown's table, the HTML's chart, the report
    // issue) and the HTML's carried-over table cost extra reads; only what shows
    // them pays for them. Read before publishing, so the report issue has them.
    let publish_cfg = &cfg.report.publish;
    let formats = &cfg.report.formats;
    if formats.contains(&Format::Html) || formats.contains(&Format::Markdown) || publish_cfg.issue {
        let labels = (cfg.labels.unscheduled.as_str(), cfg.labels.outage.as_str());
        match observe::history(gl, scope, &cfg.milestones, labels, cfg.report.history_weeks).await {
            Ok(h) => report.history = Some(h),
            Err(e) => report
                .warnings
                .push(format!("the trend of recent weeks is left out: {e}")),
        }
    }
    if formats.contains(&Format::Html) {
        let carried: Vec<&Issue> = view.map(|v| v.carried.iter().collect()).unwrap_or_default();
        match observe::carried_weeks(gl, &cfg.milestones, &carried).await {
            Ok(c) => report.carried_weeks = c,
            Err(e) => report
                .warnings
                .push(format!("the carried-over table is left out: {e}")),
        }
    }

    // Publishing into GitLab.
    if publish_cfg.issue || publish_cfg.handoff_comment || publish_cfg.explain_fixes {
        crate::console::print(&log.section_start("publish", "Publishing into GitLab", false, unix_now()));
        let published = publish::publish(&ctx, &mut applier, &report, &nudged, audited.as_ref()).await;
        report.publish.extend(published.records);
        report.errors.extend(published.errors);
        for w in &published.warnings {
            log::warn!("{w}");
        }
        report.warnings.extend(published.warnings);
        crate::console::print(&log.section_end("publish", unix_now()));
        if let Some(signal) = gl.stopped_by() {
            record_stop(&mut report, signal);
            report.requests = gl.request_counts();
            return report;
        }
    }

    // Last, so a token problem never stands in the way of the week's work; the
    // warning still reaches the log and every report format.
    check_token(settings, gl, &mut report).await;
    report.requests = gl.request_counts();
    report
}

/// A run stopped by a signal: one error that says so, how much was not sent and
/// what to do, in place of an error per request that was never sent.
fn record_stop(report: &mut Report, signal: &'static str) {
    report.stopped_by = Some(signal.to_string());
    report.errors.retain(|e| e.step != STOPPED);
    let not_sent = report
        .rotation
        .actions
        .iter()
        .chain(&report.publish)
        .filter(|a| a.outcome == Outcome::NotAttempted)
        .count()
        + report
            .audit
            .findings
            .iter()
            .filter(|f| f.fix.is_some() && f.fix_status == FixStatus::Failed)
            .count();
    report.errors.push(RunError::new(
        STOPPED,
        "the run",
        format!(
            "stopped by {signal} (the job was cancelled or timed out): {} not sent; re-run: wowctl resumes where this run stopped",
            crate::report::wording::plural(not_sent, "step", "steps")
        ),
    ));
}

/// What both phases read: the settings, the client, where and when.
#[derive(Clone, Copy)]
pub(super) struct PhaseInputs<'a> {
    pub settings: &'a Settings,
    pub gl: &'a Client,
    pub scope: &'a Scope,
    pub week: &'a Week,
    pub log: &'a Console,
}
