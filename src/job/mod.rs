//! The job against one GitLab: the rotation, then the audit, then the report data.
//! `execute` never fails: what went wrong is recorded in the report (partial failure
//! is data) and the caller writes the report either way.

mod audit;
mod rotate;

use crate::apply::Applier;
use crate::gitlab::model::{Issue, Milestone, Scope};
use crate::gitlab::Client;
use crate::observe;
use crate::report::log::Log;
use crate::report::{self, AuditStatus, Outcome, Report, RotationReport, RotationStatus, WeekDates};
use crate::settings::config::Format;
use crate::settings::Settings;
use crate::week::{self, Week};
use chrono::Utc;
use std::collections::BTreeMap;

/// What a network command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
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

pub fn unix_now() -> i64 {
    Utc::now().timestamp()
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Applied => "applied",
        Outcome::Planned => "planned",
        Outcome::AlreadyDone => "already done",
        Outcome::Failed => "FAILED",
        Outcome::NotAttempted => "not attempted",
    }
}

fn new_report(settings: &Settings, job: Job, week: &Week) -> Report {
    Report {
        schema_version: report::SCHEMA_VERSION,
        tool: report::Tool::default(),
        command: job.name().to_string(),
        now: settings.now.value,
        dry_run: settings.dry_run.value,
        scope: settings.scope.as_ref().map(|s| s.value.describe()),
        week: WeekDates {
            start: week.start_date,
            end: week.end_date,
        },
        rotation: RotationReport::default(),
        audit: report::AuditReport::default(),
        history: Vec::new(),
        carried_weeks: Vec::new(),
        errors: Vec::new(),
        requests: BTreeMap::new(),
        links: settings.links.clone(),
        exit_code: 0,
    }
}

/// The whole job against one GitLab: rotation, audit, report data. Never fails:
/// what went wrong is recorded in the report (partial failure is data).
pub async fn execute(settings: &Settings, gl: &Client, job: Job, log: &Log) -> Report {
    let cfg = &settings.config;
    let week = week::week_of(settings.now.value, cfg.week.starts_on, cfg.week.timezone);
    let mut report = new_report(settings, job, &week);
    let Some(scope) = settings.scope.as_ref().map(|s| s.value.clone()) else {
        report.errors.push("no project or group is set".into());
        return report;
    };
    let mut applier = Applier::new(gl, &scope, settings.dry_run.value);
    let ctx = Ctx {
        settings,
        gl,
        scope: &scope,
        week: &week,
        log,
    };

    let rotated = if job.rotates() {
        crate::output::print(&log.section_start("rotation", "Milestone rotation", false, unix_now()));
        let result = match rotate::rotate(&ctx, &mut applier, &mut report).await {
            Ok(r) => Some(r),
            Err(e) => {
                report.rotation.status = RotationStatus::Failed;
                report.errors.push(format!("rotation: {e:#}"));
                None
            }
        };
        if !log.quiet {
            for a in &report.rotation.actions {
                crate::say!("  {:<12} {}", outcome_word(a.outcome), a.description);
            }
            crate::say!("  rotation: {}", report.rotation.status.as_str());
        }
        crate::output::print(&log.section_end("rotation", unix_now()));
        result
    } else {
        None
    };

    let html = cfg.report.formats.contains(&Format::Html);
    let carried: Vec<Issue> = match (&rotated, html) {
        (Some(view), true) => view.carried.clone(),
        _ => Vec::new(),
    };

    if job.audits() {
        if job.rotates() && rotated.is_none() {
            report.audit.status = AuditStatus::Skipped;
        } else {
            let view = rotated.unwrap_or_default();
            crate::output::print(&log.section_start("audit", "Label audit", false, unix_now()));
            if let Err(e) = audit::audit(&ctx, &mut applier, view, &mut report).await {
                report.audit.status = AuditStatus::Failed;
                report.errors.push(format!("audit: {e:#}"));
            }
            if !log.quiet {
                let a = &report.audit;
                let fixed = a.findings.iter().filter(|f| f.fixed()).count();
                crate::say!(
                    "  {} issues checked, {} findings, {} fixed",
                    a.issues_checked,
                    a.findings.len(),
                    fixed
                );
                for f in &a.findings {
                    crate::say!(
                        "  {:<18} {}: {}",
                        f.rule.as_str(),
                        f.subject.display_name(),
                        f.message
                    );
                }
            }
            crate::output::print(&log.section_end("audit", unix_now()));
        }
    }

    // The HTML page's pictures cost extra reads; only that format pays for them.
    if html {
        let labels = (cfg.labels.unscheduled.as_str(), cfg.labels.outage.as_str());
        match observe::history(gl, &scope, &cfg.milestones, labels, cfg.report.history_weeks).await {
            Ok(h) => report.history = h,
            Err(e) => log::warn!("the history chart is left out: {e}"),
        }
        let carried: Vec<&Issue> = carried.iter().collect();
        match observe::carried_weeks(gl, &cfg.milestones, &carried).await {
            Ok(c) => report.carried_weeks = c,
            Err(e) => log::warn!("the carried-over table is left out: {e}"),
        }
    }
    report.requests = gl.request_counts();
    report
}

/// What both phases read: the settings, the client, where and when.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub settings: &'a Settings,
    pub gl: &'a Client,
    pub scope: &'a Scope,
    pub week: &'a Week,
    pub log: &'a Log,
}

/// What the audit should look at after the rotation (or after the rotation a dry
/// run would have done).
#[derive(Debug, Default)]
struct AuditView {
    current: Option<Milestone>,
    closed_id: Option<u64>,
    /// Issues that were, or in a dry run would be, carried over: planned work.
    carried: Vec<Issue>,
    /// True when `current` is a milestone that a dry run would only create.
    current_is_planned: bool,
    /// The open milestones the rotation read (`stray_milestones` needs no second
    /// read: the rotation only touches `WoW`, `Next WoW` and `closed(D)`, none of
    /// which that rule reports).
    open_milestones: Option<Vec<Milestone>>,
    /// `Next WoW` was created by this run just now: it holds no issues to read.
    next_is_new: bool,
}
