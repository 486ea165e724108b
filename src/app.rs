//! One function per command: settings → client → observe → plan → apply → report.
//! Each returns how it ended (`Exit`) or the one error that stopped it (`Failure`);
//! `main` alone turns that into the exit status and prints the final error once.

use crate::cli::{Cli, Command, Common, ConfigCommand, DemoArgs, SandboxArgs};
use crate::console::{self, Console};
use crate::gitlab::{Client, ClientConfig, Stop};
use crate::job::{execute, unix_now, Job};
use crate::report::{self, Report};
use crate::sandbox;
use crate::settings::{self, ConfigError, Settings, Target};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

/// How a command ended (SPEC "Exit status").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done (findings alone do not fail the job).
    Done,
    /// The run failed: GitLab unreachable, a permission missing, a step failed.
    Failed,
    /// Findings still need a person and `report.fail_on_findings` is on.
    Findings,
    /// Stopped by SIGINT (130) or SIGTERM (143); the report was written.
    Signal(i32),
}

/// The one error that stopped a command before it could do its work.
#[derive(Debug)]
enum Failure {
    /// Usage or configuration: exit 2.
    Usage(String),
    /// Anything else: exit 1.
    Failed(String),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        Failure::Usage(e.to_string())
    }
}

/// The exit status of every outcome: the only place that decides it.
fn exit_status(result: &Result<Exit, Failure>) -> u8 {
    match result {
        Ok(Exit::Done) => 0,
        Ok(Exit::Failed) | Err(Failure::Failed(_)) => 1,
        Err(Failure::Usage(_)) => 2,
        Ok(Exit::Findings) => 3,
        Ok(Exit::Signal(n)) => u8::try_from(128 + n).unwrap_or(1),
    }
}

/// Runs a parsed command line with the given environment; returns the exit status.
pub fn main(cli: Cli, env: BTreeMap<String, String>) -> u8 {
    let (verbose, quiet) = match (&cli.command, cli.command.common()) {
        (_, Some(c)) => (c.verbose, c.quiet),
        (Command::Demo(d), None) => (d.verbose, d.quiet),
        _ => (0, false),
    };
    console::init_logging(verbose, quiet, &env);
    let result = match cli.command {
        Command::Config(ConfigCommand::Check(common)) => config_check(&common, &env),
        Command::Run(common) => network_job(&common, &env, Job::Run),
        Command::Rotate(common) => network_job(&common, &env, Job::Rotate),
        Command::Audit(common) => network_job(&common, &env, Job::Audit),
        Command::Doctor(common) => doctor(&common, &env),
        Command::Demo(args) => demo(&args, &env),
        Command::Sandbox(args) => serve_sandbox(&args),
    };
    if let Err(Failure::Usage(e) | Failure::Failed(e)) = &result {
        eprintln!("error: {e}");
    }
    exit_status(&result)
}

fn resolve(common: &Common, env: &BTreeMap<String, String>) -> Result<Settings, ConfigError> {
    settings::resolve(&common.flags(), env, &settings::read_config_file, Utc::now())
}

fn config_check(common: &Common, env: &BTreeMap<String, String>) -> Result<Exit, Failure> {
    let settings = resolve(common, env)?;
    // The same checks a run makes before its first request: a report dir or CA file that
    // would stop the run is a configuration error here too.
    settings::preflight::check(&settings)?;
    console::print(&settings::check::render(&settings));
    Ok(Exit::Done)
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))
}

fn console_for(settings: &Settings, env: &BTreeMap<String, String>, quiet: bool) -> Console {
    Console::from_env(env, settings.in_ci, quiet, std::io::stdout().is_terminal())
}

fn network_job(common: &Common, env: &BTreeMap<String, String>, job: Job) -> Result<Exit, Failure> {
    let settings = resolve(common, env)?;
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
    run_job(&settings, env, job, common.quiet)
}

/// Connects, runs the job, writes the report and says how it ended. SIGTERM
/// (GitLab's runner cancelling the job or timing it out) and SIGINT stop it: no
/// new request is sent, requests in flight get a few seconds, and the report is
/// written from what GitLab answered (SPEC "Cancel and timeout").
fn run_job(
    settings: &Settings,
    env: &BTreeMap<String, String>,
    job: Job,
    quiet: bool,
) -> Result<Exit, Failure> {
    let stop = Stop::default();
    let (client, target) = connect(settings, env, &stop)?;
    let log = console_for(settings, env, quiet);
    let rt = runtime()?;
    rt.spawn(stop_on_signals(stop));
    let report = rt.block_on(execute(settings, &client, &target.scope, job, &log));
    finish(settings, report, &log)
}

/// Waits for SIGTERM or SIGINT and stops the run.
async fn stop_on_signals(stop: Stop) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
    else {
        log::warn!("signal handlers could not be installed: a cancelled job would leave no report");
        return;
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    log::warn!("{name}: stopping; no new request is sent, and the report says what was done");
    stop.trigger(name);
}

/// Builds the client for the target, after the checks that must pass before the
/// first request (report dir, CA file): a failing one sends nothing (exit 2).
/// `WOW_RETRY_BASE_MS` and `WOW_STOP_GRACE_MS` (undocumented) let tests retry
/// after a millisecond and stop without waiting the whole grace.
fn connect(
    settings: &Settings,
    env: &BTreeMap<String, String>,
    stop: &Stop,
) -> Result<(Client, Target), Failure> {
    let target = settings.target()?;
    settings::preflight::check(settings)?;
    let api = &settings.config.api;
    let millis = |name: &str, default: u64| env.get(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    let client = Client::new(ClientConfig {
        api_url: target.api_url.clone(),
        token: target.token.clone(),
        timeout: api.timeout,
        max_retries: api.max_retries,
        max_retry_time: Duration::from_secs(300),
        backoff_base: Duration::from_millis(millis("WOW_RETRY_BASE_MS", 500)),
        ca_file: settings.ca_file.as_ref().map(|c| c.value.clone()),
        concurrency: api.concurrency,
        stop: stop.clone(),
        // SPEC "Cancel and timeout": at most 5 s for requests in flight.
        stop_grace: Duration::from_millis(millis("WOW_STOP_GRACE_MS", 5_000)),
    })
    .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok((client, target))
}

/// How a finished run ends: failed, findings that need a person (with
/// `fail_on_findings`), or done.
fn outcome_of(report: &Report, fail_on_findings: bool) -> Exit {
    if let Some(signal) = &report.stopped_by {
        Exit::Signal(if signal == "SIGINT" { 2 } else { 15 })
    } else if !report.errors.is_empty() {
        Exit::Failed
    } else if fail_on_findings && report.needing_a_person() > 0 {
        Exit::Findings
    } else {
        Exit::Done
    }
}

/// Writes the report files, prints the summary, and says how the run ended.
fn finish(settings: &Settings, mut report: Report, log: &Console) -> Result<Exit, Failure> {
    let exit = outcome_of(&report, settings.config.report.fail_on_findings);
    report.exit_code = i32::from(exit_status(&Ok(exit)));
    let dir = &settings.report_dir.value;
    let files = report::write_all(&report, dir, &settings.config.report.formats)
        .map_err(|e| Failure::Failed(format!("cannot write the report to {}: {e}", dir.display())))?;
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    for e in report.errors.iter().take(report::SHOWN_ERRORS) {
        eprintln!("error: {e}");
    }
    if report.errors.len() > report::SHOWN_ERRORS {
        eprintln!(
            "error: … and {} more (all of them are in report.json)",
            report.errors.len() - report::SHOWN_ERRORS
        );
    }
    console::print(&log.section_start("report", "Report", false, unix_now()));
    // Its last line says where to read the report and, with exit 3, why a job
    // with no error is red (SPEC "Exit status").
    for line in report::summary::summary(&report, &dir.display().to_string(), &names) {
        crate::say!("{line}");
    }
    console::print(&log.section_end("report", unix_now()));
    Ok(exit)
}

/// `--now` of `demo` and `sandbox` (which have no settings), or the clock.
fn now_flag(value: Option<&str>) -> Result<DateTime<Utc>, Failure> {
    match value {
        None => Ok(Utc::now()),
        Some(v) => Ok(settings::env::parse_now("--now", v)?),
    }
}

/// `wowctl demo`'s moment when `--now` is not given: this week's first day (the
/// most recent week start at or before `clock`) at 06:00 in `week.timezone`
/// (SPEC "`wowctl demo`"), so the demo shows a real rotation and the same
/// findings whatever day it runs.
fn demo_now(clock: DateTime<Utc>, starts_on: chrono::Weekday, tz: chrono_tz::Tz) -> DateTime<Utc> {
    use chrono::TimeZone as _;
    let week = crate::week::week_of(clock, starts_on, tz);
    let six = week.start_date.and_hms_opt(6, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&six)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // 06:00 does not exist that day (a clock change): six hours after midnight.
        .unwrap_or(week.start + chrono::Duration::hours(6))
}

fn demo(args: &DemoArgs, env: &BTreeMap<String, String>) -> Result<Exit, Failure> {
    let now = match args.now.as_deref() {
        Some(v) => settings::env::parse_now("--now", v)?,
        None => {
            // The demo's own configuration says when its week starts, and where.
            let week = settings::resolve_demo(&BTreeMap::new(), Utc::now())?.config.week;
            demo_now(Utc::now(), week.starts_on, week.timezone)
        }
    };
    let sandbox = sandbox::Sandbox::start(sandbox::seed::demo(now))
        .map_err(|e| Failure::Failed(format!("cannot start the simulated GitLab on 127.0.0.1: {e}")))?;
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
    // Its configuration is built in (every rule on, every format), resolved like a file's.
    let settings = settings::resolve_demo(&demo_env, now)?;
    if !args.quiet {
        let week = &settings.config.week;
        crate::say!(
            "wowctl demo: a simulated GitLab at {} holds the tracker of a production team;",
            sandbox.base_url()
        );
        crate::say!(
            "running `wowctl run` against it as a {} schedule would, at {}.",
            weekday_name(week.starts_on),
            now.with_timezone(&week.timezone).format("%Y-%m-%d %H:%M %Z")
        );
    }
    run_job(&settings, env, Job::Run, args.quiet)
}

fn weekday_name(day: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match day {
        Mon => "Monday",
        Tue => "Tuesday",
        Wed => "Wednesday",
        Thu => "Thursday",
        Fri => "Friday",
        Sat => "Saturday",
        Sun => "Sunday",
    }
}

fn serve_sandbox(args: &SandboxArgs) -> Result<Exit, Failure> {
    let now = now_flag(args.now.as_deref())?;
    let mut world = match (args.issues, args.seed.as_str()) {
        (Some(n), _) => sandbox::seed::scale(n, args.updated_share, now),
        (None, "empty") => sandbox::seed::empty(now),
        (None, _) => sandbox::seed::demo(now),
    };
    world.faults_mut().latency = Duration::from_millis(args.latency_ms);
    world.faults_mut().rate_limit = args.rate_limit;
    runtime()?
        .block_on(sandbox::serve(world, args.port, |addr| {
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
        }))
        .map_err(|e| {
            // Only binding the port can fail this way (serving never does).
            Failure::Failed(if e.kind() == std::io::ErrorKind::AddrInUse {
                format!(
                    "port {} is in use on 127.0.0.1: pick another with --port (--port 0 picks a free one)",
                    args.port
                )
            } else {
                format!("the simulated GitLab stopped: {e}")
            })
        })?;
    Ok(Exit::Done)
}

fn doctor(common: &Common, env: &BTreeMap<String, String>) -> Result<Exit, Failure> {
    use crate::doctor::{self, Verdict};
    let settings = resolve(common, env)?;
    let (client, _) = connect(&settings, env, &Stop::default())?;
    let diagnosis = runtime()?
        .block_on(doctor::diagnose(&settings, &client))
        .map_err(|e| Failure::Failed(format!("{e:#}")))?;
    console::print(&doctor::render(&diagnosis));
    Ok(match diagnosis.verdict() {
        Verdict::Healthy => Exit::Done,
        Verdict::Problems => Exit::Failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_runs_on_this_weeks_first_morning() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap_or_default();
        let tz = |s: &str| s.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
        use chrono::Weekday::{Mon, Wed};
        // (clock, starts_on, timezone, the demo's now)
        let cases = [
            ("2026-12-02T01:57:06.812Z", Wed, "UTC", "2026-12-02T06:00:00Z"),
            ("2026-12-01T23:59:26.802Z", Wed, "UTC", "2026-11-25T06:00:00Z"),
            ("2026-12-06T12:00:00Z", Wed, "UTC", "2026-12-02T06:00:00Z"),
            ("2026-12-02T00:00:00Z", Wed, "UTC", "2026-12-02T06:00:00Z"),
            (
                "2026-12-02T01:00:00Z",
                Wed,
                "Europe/Berlin",
                "2026-12-02T05:00:00Z",
            ),
            (
                "2026-12-01T23:30:00Z",
                Wed,
                "Europe/Berlin",
                "2026-12-02T05:00:00Z",
            ),
            (
                "2026-12-02T03:00:00Z",
                Wed,
                "America/New_York",
                "2026-11-25T11:00:00Z",
            ),
            (
                "2026-03-30T12:00:00Z",
                Mon,
                "Europe/Berlin",
                "2026-03-30T04:00:00Z",
            ),
        ];
        for (clock, starts_on, zone, want) in cases {
            assert_eq!(demo_now(t(clock), starts_on, tz(zone)), t(want), "{clock} {zone}");
        }
    }

    #[test]
    fn every_outcome_has_one_exit_status() {
        let cases: [(Result<Exit, Failure>, u8); 7] = [
            (Ok(Exit::Done), 0),
            (Ok(Exit::Failed), 1),
            (Err(Failure::Failed("x".into())), 1),
            (Err(Failure::Usage("x".into())), 2),
            (Ok(Exit::Findings), 3),
            (Ok(Exit::Signal(2)), 130),
            (Ok(Exit::Signal(15)), 143),
        ];
        for (result, want) in cases {
            assert_eq!(exit_status(&result), want, "{result:?}");
        }
    }
}
