//! One function per command: settings → client → observe → plan → apply → report.
//! Errors meet the user here, once; `exit_code` maps them to 0/1/2/3.

use crate::cli::{Cli, Command, Common, ConfigCommand, DemoArgs, SandboxArgs};
use crate::console::{self, Console};
use crate::gitlab::{Client, ClientConfig};
use crate::job::{execute, unix_now, Job};
use crate::report::{self, Report};
use crate::sandbox;
use crate::settings::config::Format;
use crate::settings::{self, ConfigError, Settings};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// Exit statuses (SPEC "Exit status").
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_FINDINGS: u8 = 3;

/// Runs a parsed command line with the given environment; returns the exit status.
pub fn main(cli: Cli, env: BTreeMap<String, String>) -> u8 {
    let (verbose, quiet) = match (&cli.command, cli.command.common()) {
        (_, Some(c)) => (c.verbose, c.quiet),
        (Command::Demo(d), None) => (d.verbose, d.quiet),
        _ => (0, false),
    };
    console::init_logging(verbose, quiet, &env);
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
            console::print(&settings::check::render(&s));
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

fn console_for(settings: &Settings, env: &BTreeMap<String, String>, quiet: bool) -> Console {
    Console::from_env(env, settings.in_ci, quiet, std::io::stdout().is_terminal())
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
    let log = console_for(&settings, env, common.quiet);
    let client = match connect(&settings, env) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let scope = match settings.require_api() {
        Ok((_, _, scope)) => scope.clone(),
        Err(e) => return usage_error(&e),
    };
    let rt = runtime();
    let report = rt.block_on(execute(&settings, &client, &scope, job, &log));
    finish(&settings, report, &log)
}

/// Builds the client, or prints why not (exit 2: the settings are wrong).
/// `WOW_RETRY_BASE_MS` (undocumented) lets tests retry after a millisecond.
fn connect(settings: &Settings, env: &BTreeMap<String, String>) -> Result<Client, u8> {
    let (api_url, token, _) = settings.require_api().map_err(|e| usage_error(&e))?;
    let api = &settings.config.api;
    let backoff_ms = env
        .get("WOW_RETRY_BASE_MS")
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
fn finish(settings: &Settings, mut report: Report, log: &Console) -> u8 {
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
    console::print(&log.section_start("report", "Report", false, unix_now()));
    for line in report::summary::summary(&report, &dir.display().to_string(), &names) {
        crate::say!("{line}");
    }
    console::print(&log.section_end("report", unix_now()));
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

/// `--now` of `demo` and `sandbox` (which have no settings), or the clock.
fn now_flag(value: Option<&str>) -> Result<DateTime<Utc>, u8> {
    match value {
        None => Ok(Utc::now()),
        Some(v) => settings::env::parse_now("--now", v).map_err(|e| usage_error(&e)),
    }
}

fn demo(args: &DemoArgs, env: &BTreeMap<String, String>) -> u8 {
    let now = match now_flag(args.now.as_deref()) {
        Ok(now) => now,
        Err(code) => return code,
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
    let log = console_for(&settings, env, args.quiet);
    crate::say!(
        "wowctl demo: a simulated GitLab at {} holds the tracker of a production team;",
        sandbox.base_url()
    );
    crate::say!("running `wowctl run` against it as a Wednesday schedule would ({now}).");
    let client = match connect(&settings, env) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let scope = match settings.require_api() {
        Ok((_, _, scope)) => scope.clone(),
        Err(e) => return usage_error(&e),
    };
    let rt = runtime();
    let report = rt.block_on(execute(&settings, &client, &scope, Job::Run, &log));
    finish(&settings, report, &log)
}

fn serve_sandbox(args: &SandboxArgs) -> u8 {
    let now = match now_flag(args.now.as_deref()) {
        Ok(now) => now,
        Err(code) => return code,
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
        // Only binding the port can fail this way (serving never does).
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!(
                "error: port {} is in use on 127.0.0.1: pick another with --port (--port 0 picks a free one)",
                args.port
            );
            EXIT_FAILED
        }
        Err(e) => {
            eprintln!("error: the simulated GitLab stopped: {e}");
            EXIT_FAILED
        }
    }
}

fn doctor(common: &Common, env: &BTreeMap<String, String>) -> u8 {
    use crate::doctor::{self, Verdict};
    let settings = match resolve(common, env) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    let client = match connect(&settings, env) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let diagnosis = match runtime().block_on(doctor::diagnose(&settings, &client)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            return EXIT_FAILED;
        }
    };
    console::print(&doctor::render(&diagnosis));
    match diagnosis.verdict() {
        Verdict::Healthy => EXIT_OK,
        Verdict::Problems => EXIT_FAILED,
    }
}
