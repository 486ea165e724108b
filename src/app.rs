//! One function per command: settings → client → observe → plan → apply → report.
//! Errors meet the user here, once; `exit_code` maps them to 0/1/2/3.

use crate::apply::{Applied, Applier};
use crate::audit::{self, AuditInput, FixStatus};
use crate::cli::{Cli, Command, Common, ConfigCommand, DemoArgs, SandboxArgs};
use crate::gitlab::model::{Issue, Milestone, Scope};
use crate::gitlab::{Client, ClientConfig};
use crate::observe;
use crate::report::log::Log;
use crate::report::{
    self, AuditStatus, IssueKey, MilestoneInfo, Outcome, Report, RotationReport, RotationStatus, WeekDates,
};
use crate::rotation;
use crate::sandbox;
use crate::settings::config::{Format, RuleName};
use crate::settings::{self, ConfigError, Settings};
use crate::step::{MilestoneTarget, Step};
use crate::week::{self, Week};
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// Exit statuses (SPEC "Exit status").
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_FINDINGS: u8 = 3;

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

/// Runs a parsed command line with the given environment; returns the exit status.
pub fn main(cli: Cli, env: BTreeMap<String, String>) -> u8 {
    match cli.command {
        Command::Config(ConfigCommand::Check(common)) => config_check(&common, &env),
        Command::Run(common) => network_job(&common, &env, Job::Run),
        Command::Rotate(common) => network_job(&common, &env, Job::Rotate),
        Command::Audit(common) => network_job(&common, &env, Job::Audit),
        Command::Doctor(common) => doctor(&common, &env),
        Command::Demo(args) => demo(&args, &env),
        Command::Sandbox(args) => serve_sandbox(&args),
    }
}

fn read_file(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

fn resolve(common: &Common, env: &BTreeMap<String, String>) -> Result<Settings, ConfigError> {
    settings::resolve(&common.flags(), env, &read_file, Utc::now())
}

fn usage_error(e: &ConfigError) -> u8 {
    eprintln!("error: {e}");
    EXIT_USAGE
}

fn config_check(common: &Common, env: &BTreeMap<String, String>) -> u8 {
    match resolve(common, env) {
        Ok(s) => {
            print!("{}", settings::check::render(&s));
            EXIT_OK
        }
        Err(e) => usage_error(&e),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the async runtime starts")
}

fn log_for(settings: &Settings, env: &BTreeMap<String, String>, quiet: bool, verbose: u8) -> Log {
    Log::from_env(
        env,
        settings.in_ci,
        quiet,
        verbose,
        std::io::stdout().is_terminal(),
    )
}

fn network_job(common: &Common, env: &BTreeMap<String, String>, job: Job) -> u8 {
    let settings = match resolve(common, env) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    // WOW_ACTION picks what `wowctl run` does in a manual pipeline; other commands ignore it.
    let job = if job == Job::Run {
        match settings.action.value {
            settings::Action::Run => Job::Run,
            settings::Action::Rotate => Job::Rotate,
            settings::Action::Audit => Job::Audit,
        }
    } else {
        job
    };
    let log = log_for(&settings, env, common.quiet, common.verbose);
    let client = match connect(&settings) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rt = runtime();
    let report = rt.block_on(execute(&settings, &client, job, &log));
    finish(&settings, report, &log)
}

/// Builds the client, or prints why not (exit 2: the settings are wrong).
fn connect(settings: &Settings) -> Result<Client, u8> {
    let (api_url, token, _) = settings.require_api().map_err(|e| usage_error(&e))?;
    let api = &settings.config.api;
    let backoff_ms = std::env::var("WOW_RETRY_BASE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    Client::new(ClientConfig {
        api_url: api_url.to_string(),
        token: token.clone(),
        timeout: api.timeout,
        max_retries: api.max_retries,
        max_retry_time: Duration::from_secs(300),
        backoff_base: Duration::from_millis(backoff_ms),
        ca_file: settings.ca_file.as_ref().map(|c| c.value.clone()),
        concurrency: api.concurrency,
    })
    .map_err(|e| {
        eprintln!("error: {e}");
        EXIT_USAGE
    })
}

/// Writes the report files, prints the summary and returns the exit status.
fn finish(settings: &Settings, mut report: Report, log: &Log) -> u8 {
    let code = exit_code(&report, settings.config.report.fail_on_findings);
    report.exit_code = code as i32;
    let dir = &settings.report_dir.value;
    let files = match report::write_all(&report, dir, &settings.config.report.formats) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: cannot write the report to {}: {e}", dir.display());
            return EXIT_FAILED;
        }
    };
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    print!("{}", log.section_start("report", "Report", false, unix_now()));
    for line in report::log::summary(&report, &dir.display().to_string(), &names) {
        println!("{line}");
    }
    print!("{}", log.section_end("report", unix_now()));
    code
}

pub fn exit_code(report: &Report, fail_on_findings: bool) -> u8 {
    if !report.errors.is_empty() {
        EXIT_FAILED
    } else if fail_on_findings && report.findings_count() > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn unix_now() -> i64 {
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

    let rotated = if job.rotates() {
        print!(
            "{}",
            log.section_start("rotation", "Milestone rotation", false, unix_now())
        );
        let result = match rotate(settings, gl, &scope, &week, &mut applier, &mut report).await {
            Ok(r) => Some(r),
            Err(e) => {
                report.rotation.status = RotationStatus::Failed;
                report.errors.push(format!("rotation: {e:#}"));
                None
            }
        };
        if !log.quiet {
            for a in &report.rotation.actions {
                println!("  {:<12} {}", outcome_word(a.outcome), a.description);
            }
            println!("  rotation: {}", report.rotation.status.as_str());
        }
        print!("{}", log.section_end("rotation", unix_now()));
        result
    } else {
        None
    };

    if job.audits() {
        if job.rotates() && rotated.is_none() {
            report.audit.status = AuditStatus::Skipped;
        } else {
            let view = match rotated {
                Some(r) => r.view,
                None => AuditView::default(),
            };
            print!("{}", log.section_start("audit", "Label audit", false, unix_now()));
            if let Err(e) = audit(settings, gl, &scope, &week, &mut applier, view, &mut report).await {
                report.audit.status = AuditStatus::Failed;
                report.errors.push(format!("audit: {e:#}"));
            }
            if !log.quiet {
                let a = &report.audit;
                let fixed = a.findings.iter().filter(|f| f.fixed()).count();
                println!(
                    "  {} issues checked, {} findings, {} fixed",
                    a.issues_checked,
                    a.findings.len(),
                    fixed
                );
                for f in &a.findings {
                    println!(
                        "  {:<18} {}: {}",
                        f.rule.as_str(),
                        f.subject.display_name(),
                        f.message
                    );
                }
            }
            print!("{}", log.section_end("audit", unix_now()));
        }
    }

    if cfg.report.formats.contains(&Format::Html) {
        let labels = (cfg.labels.unscheduled.as_str(), cfg.labels.outage.as_str());
        match observe::history(gl, &scope, &cfg.milestones, labels, cfg.report.history_weeks).await {
            Ok(h) => report.history = h,
            Err(e) => log::warn!("the history chart is left out: {e}"),
        }
    }
    report.requests = gl.request_counts();
    report
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

struct Rotated {
    view: AuditView,
}

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

async fn rotate(
    settings: &Settings,
    gl: &Client,
    scope: &Scope,
    week: &Week,
    applier: &mut Applier<'_>,
    report: &mut Report,
) -> anyhow::Result<Rotated> {
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
    let mut next_is_new = false;
    for (step, a) in plan.steps.iter().zip(&applied) {
        failed |= a.record.outcome == Outcome::Failed;
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
    if !failed {
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

    report.rotation.closed_milestone = info_of(&plan.closed, &known, &created);
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
    Ok(Rotated {
        view: AuditView {
            current,
            closed_id: carry_from.map(|m| m.id),
            carried,
            current_is_planned,
            open_milestones: Some(seen.milestones.into_iter().filter(|m| m.is_open()).collect()),
            next_is_new,
        },
    })
}

async fn audit(
    settings: &Settings,
    gl: &Client,
    scope: &Scope,
    week: &Week,
    applier: &mut Applier<'_>,
    view: AuditView,
    report: &mut Report,
) -> anyhow::Result<()> {
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
        // The rule skips labelled issues before it looks at history: don't fetch it.
        let labelled = |i: &Issue| i.has_label(&cfg.labels.unscheduled) || i.has_label(&cfg.labels.outage);
        let mut needing = observe::needing_events(&current_issues, week, &carried_ids);
        needing.retain(|i| !labelled(i));
        log::info!(
            "reading the milestone history of {} of {} issues",
            needing.len(),
            current_issues.len()
        );
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

fn demo(args: &DemoArgs, env: &BTreeMap<String, String>) -> u8 {
    let now = match args.now.as_deref().map(DateTime::parse_from_rfc3339) {
        None => Utc::now(),
        Some(Ok(t)) => t.with_timezone(&Utc),
        Some(Err(e)) => {
            eprintln!(
                "error: --now {:?}: not an RFC 3339 time ({e}); e.g. 2026-11-25T09:00:00Z",
                args.now.as_deref().unwrap_or_default()
            );
            return EXIT_USAGE;
        }
    };
    let sandbox = match sandbox::Sandbox::start(sandbox::seed::demo(now)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the simulated GitLab on 127.0.0.1: {e}");
            return EXIT_FAILED;
        }
    };
    // The demo is a real `run`, configured as a scheduled pipeline would be.
    let mut demo_env: BTreeMap<String, String> = BTreeMap::new();
    demo_env.insert("WOW_API_URL".into(), sandbox.api_url());
    demo_env.insert("WOW_TOKEN".into(), sandbox::seed::TOKEN.into());
    demo_env.insert("WOW_PROJECT".into(), "production/infrastructure".into());
    demo_env.insert("CI_PIPELINE_SOURCE".into(), "schedule".into());
    demo_env.insert("WOW_NOW".into(), now.to_rfc3339());
    demo_env.insert("WOW_REPORT_DIR".into(), args.report_dir.display().to_string());
    for key in ["NO_COLOR", "FORCE_COLOR", "TERM"] {
        if let Some(v) = env.get(key) {
            demo_env.insert(key.into(), v.clone());
        }
    }
    let mut settings = match settings::resolve(
        &Default::default(),
        &demo_env,
        &|_| Err(std::io::ErrorKind::NotFound.into()),
        now,
    ) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    settings.config.labels.priorities = (1..=4).map(|n| format!("priority::{n}")).collect();
    settings.config.report.formats = Format::ALL.to_vec();
    let log = log_for(&settings, env, args.quiet, args.verbose);
    println!(
        "wowctl demo: a simulated GitLab at {} holds the tracker of a production team;",
        sandbox.base_url()
    );
    println!("running `wowctl run` against it as a Wednesday schedule would ({now}).");
    let client = match connect(&settings) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rt = runtime();
    let report = rt.block_on(execute(&settings, &client, Job::Run, &log));
    finish(&settings, report, &log)
}

fn serve_sandbox(args: &SandboxArgs) -> u8 {
    let now = match args.now.as_deref().map(DateTime::parse_from_rfc3339) {
        None => Utc::now(),
        Some(Ok(t)) => t.with_timezone(&Utc),
        Some(Err(e)) => {
            eprintln!("error: --now: not an RFC 3339 time ({e}); e.g. 2026-11-25T09:00:00Z");
            return EXIT_USAGE;
        }
    };
    let mut world = match (args.issues, args.seed.as_str()) {
        (Some(n), _) => sandbox::seed::scale(n, args.updated_share, now),
        (None, "empty") => sandbox::seed::empty(now),
        (None, _) => sandbox::seed::demo(now),
    };
    world.faults_mut().latency = Duration::from_millis(args.latency_ms);
    world.faults_mut().rate_limit = args.rate_limit;
    let rt = runtime();
    let result = rt.block_on(sandbox::serve(world, args.port, |addr| {
        // Whoever started us may stop reading stdout: that must not stop the server.
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(
            out,
            "simulated GitLab listening on http://{addr}/api/v4 (token: {})",
            sandbox::seed::TOKEN
        );
        let _ = writeln!(
            out,
            "request log: http://{addr}/_sandbox/requests — stop with Ctrl-C"
        );
        let _ = out.flush();
    }));
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: the simulated GitLab stopped: {e}");
            EXIT_FAILED
        }
    }
}

fn doctor(common: &Common, env: &BTreeMap<String, String>) -> u8 {
    let settings = match resolve(common, env) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let client = match connect(&settings) {
        Ok(c) => c,
        Err(code) => return code,
    };
    runtime().block_on(crate::doctor::run(&settings, &client))
}
