//! The command line as typed (clap). `app` turns it into `Settings`; nothing here
//! reads the environment or the file system.

use crate::settings::Flags;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  wowctl demo                                   the whole run on a simulated GitLab, no token needed
  wowctl run --project group/app                rotate if due, audit, write the report (dry run outside CI)
  wowctl run --project 42 --dry-run=false       really apply, e.g. from a laptop
  wowctl rotate --now 2026-11-25T09:00:00Z      rotation only, as if it were that moment
  wowctl audit --group my-team                  audit the group milestones' issues
  wowctl config check --config .wow.yml         validate the file, show each setting's source
  wowctl sandbox --port 8080                    serve the simulated GitLab on 127.0.0.1:8080

In GitLab CI the project, API URL and pipeline source come from CI_* variables;
the token from WOW_TOKEN or GITLAB_TOKEN (a masked, protected CI/CD variable).
Exit status: 0 done, 1 the run failed, 2 usage or configuration error,
3 findings with report.fail_on_findings.";

#[derive(Debug, Parser)]
#[command(
    name = "wowctl",
    version,
    about = "Rotate the weekly WoW milestones, audit labels and write a report, as a GitLab CI job.",
    after_help = EXAMPLES,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rotate if due, then audit, then write the report (what the CI template runs).
    /// In a manual pipeline, WOW_ACTION=rotate or WOW_ACTION=audit makes it do only that.
    #[command(after_help = EXAMPLES)]
    Run(Common),
    /// Only the milestone rotation (plus the report).
    #[command(after_help = EXAMPLES)]
    Rotate(Common),
    /// Only the label audit (plus the report).
    #[command(after_help = EXAMPLES)]
    Audit(Common),
    /// Configuration commands.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The whole `run` against a built-in simulated GitLab with a realistic tracker.
    /// Needs no GitLab, no token, no network.
    Demo(DemoArgs),
    /// Serve the simulated GitLab over HTTP on 127.0.0.1 (for trying and tests).
    Sandbox(SandboxArgs),
    /// Check the API URL, the token, its scopes and role, and what this configuration needs. No writes.
    #[command(after_help = EXAMPLES)]
    Doctor(Common),
}

impl Command {
    /// The common flags of the commands that take them (not `demo`, `sandbox`).
    pub fn common(&self) -> Option<&Common> {
        match self {
            Command::Run(c) | Command::Rotate(c) | Command::Audit(c) | Command::Doctor(c) => Some(c),
            Command::Config(ConfigCommand::Check(c)) => Some(c),
            Command::Demo(_) | Command::Sandbox(_) => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print the effective settings with their sources. No network.
    #[command(after_help = EXAMPLES)]
    Check(Common),
}

#[derive(Debug, Clone, Default, Args)]
pub struct Common {
    /// Send no write request; list every change as planned. `--dry-run=false` forces writes
    /// even where the pipeline source defaults to a dry run.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub dry_run: Option<bool>,
    /// Configuration file [default: .wow.yml if present].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Where the report files go [default: wow-report].
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// The moment to act as of, RFC 3339 (e.g. 2026-11-25T09:00:00Z) [default: the clock].
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Project id or full path (group/sub/project).
    #[arg(long, value_name = "ID|PATH")]
    pub project: Option<String>,
    /// Use the group's milestones (id or full path); issues are found across the group.
    #[arg(long, value_name = "ID|PATH")]
    pub group: Option<String>,
    /// GitLab API base, e.g. https://gitlab.example.com/api/v4.
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// More output (-v, -vv, -vvv). Never shows the token.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors and the closing summary.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl Common {
    pub fn flags(&self) -> Flags {
        Flags {
            dry_run: self.dry_run,
            config: self.config.clone(),
            report_dir: self.report_dir.clone(),
            now: self.now.clone(),
            project: self.project.clone(),
            group: self.group.clone(),
            api_url: self.api_url.clone(),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Where the report files go.
    #[arg(long, value_name = "DIR", default_value = "wow-report")]
    pub report_dir: PathBuf,
    /// The moment to act as of, RFC 3339 [default: this week's first day, 06:00].
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 = any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The tracker to start with: the demo tracker, or an empty project.
    #[arg(long, value_parser = ["demo", "empty"], default_value = "demo")]
    pub seed: String,
    /// Seed a tracker of N issues in WoW instead (for benchmarks).
    #[arg(long, value_name = "N")]
    pub issues: Option<usize>,
    /// Share of the --issues updated since the week start, 0.0–1.0.
    #[arg(long, default_value_t = 0.1, value_name = "SHARE")]
    pub updated_share: f64,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Answer like GitLab's throttle: RateLimit-* headers, 429 past PER_MINUTE requests a minute.
    #[arg(long, value_name = "PER_MINUTE")]
    pub rate_limit: Option<u32>,
    /// The sandbox clock, RFC 3339 [default: the system clock].
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("wowctl").chain(args.iter().copied()))
    }

    fn flags(args: &[&str]) -> Flags {
        let cli = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        cli.command.common().map(Common::flags).unwrap_or_default()
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dry_run_flag_forms() {
        let cases: [(&[&str], Option<bool>); 5] = [
            (&["run"], None),
            (&["run", "--dry-run"], Some(true)),
            (&["run", "--dry-run=true"], Some(true)),
            (&["run", "--dry-run=false"], Some(false)),
            (&["audit", "--dry-run", "--project", "42"], Some(true)),
        ];
        for (args, expected) in cases {
            assert_eq!(flags(args).dry_run, expected, "{args:?}");
        }
        assert!(parse(&["run", "--dry-run=maybe"]).is_err());
    }

    #[test]
    fn common_flags_reach_settings_flags() {
        let got = flags(&[
            "config",
            "check",
            "--config",
            "c.yml",
            "--report-dir",
            "out",
            "--now",
            "2026-11-25T09:00:00Z",
            "--project",
            "g/p",
            "--group",
            "g",
            "--api-url",
            "https://x/api/v4",
        ]);
        assert_eq!(
            got,
            Flags {
                dry_run: None,
                config: Some("c.yml".into()),
                report_dir: Some("out".into()),
                now: Some("2026-11-25T09:00:00Z".into()),
                project: Some("g/p".into()),
                group: Some("g".into()),
                api_url: Some("https://x/api/v4".into()),
            }
        );
    }

    #[test]
    fn verbosity_and_commands_without_common_flags() {
        let cli = parse(&["rotate", "-vv"]).unwrap();
        assert_eq!(cli.command.common().map(|c| c.verbose), Some(2));
        assert!(parse(&["run", "-v", "-q"]).is_err());
        let cli = parse(&["demo", "--now", "2026-11-25T09:00:00Z"]).unwrap();
        assert!(cli.command.common().is_none());
        assert!(matches!(cli.command, Command::Demo(DemoArgs { ref now, .. }) if now.is_some()));
        let cli = parse(&["sandbox", "--port", "0", "--seed", "empty"]).unwrap();
        assert!(
            matches!(cli.command, Command::Sandbox(SandboxArgs { port: 0, ref seed, .. }) if seed == "empty")
        );
        assert!(parse(&["sandbox", "--seed", "huge"]).is_err());
    }

    #[test]
    fn help_shows_examples_on_every_command() {
        for args in [
            &["--help"][..],
            &["run", "--help"],
            &["config", "check", "--help"],
            &["audit", "--help"],
        ] {
            let e = parse(args).unwrap_err();
            assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp, "{args:?}");
            assert!(e.to_string().contains("wowctl demo"), "{args:?}");
        }
    }
}
