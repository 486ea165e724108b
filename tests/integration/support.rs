//! The test harness: a sandbox (simulated GitLab on 127.0.0.1) seeded per test, and
//! a builder that runs the real `wowctl` binary against it with a hermetic
//! environment, then hands back status, output, the report and the sandbox.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use wowctl::gitlab::model::{Issue, Milestone};
use wowctl::sandbox::{IssueSpec, MilestoneSpec, Owner, Sandbox, World};

/// A Wednesday morning: the week of 2026-11-25 .. 2026-12-01 has just started.
pub const NOW: &str = "2026-11-25T09:00:00Z";

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test time")
        .with_timezone(&Utc)
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

pub const TOKEN: &str = wowctl::sandbox::seed::TOKEN;

pub struct Wow {
    pub sandbox: Sandbox,
    pub report_dir: tempfile::TempDir,
}

#[must_use]
pub struct Run<'a> {
    wow: &'a Wow,
    args: Vec<String>,
    env: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct Out {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub report_dir: PathBuf,
}

impl Out {
    pub fn report(&self) -> Value {
        let text = std::fs::read_to_string(self.report_dir.join("report.json")).unwrap_or_else(|e| {
            panic!(
                "report.json missing: {e}\nstdout:\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        });
        serde_json::from_str(&text).expect("report.json is JSON")
    }

    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.report_dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[track_caller]
    pub fn status(self, expected: i32) -> Self {
        assert_eq!(
            self.status, expected,
            "exit status\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Wow {
    pub fn new(world: World) -> Wow {
        Wow {
            sandbox: Sandbox::start(world).expect("sandbox starts"),
            report_dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// `wowctl <args>` as a scheduled pipeline at `NOW` would run it.
    pub fn cmd(&self, args: &[&str]) -> Run<'_> {
        let mut env = BTreeMap::new();
        env.insert("WOW_API_URL".to_string(), self.sandbox.api_url());
        env.insert("WOW_TOKEN".to_string(), TOKEN.to_string());
        env.insert("WOW_PROJECT".to_string(), "1".to_string());
        env.insert("CI_PIPELINE_SOURCE".to_string(), "schedule".to_string());
        env.insert("WOW_NOW".to_string(), NOW.to_string());
        env.insert(
            "WOW_REPORT_DIR".to_string(),
            self.report_dir.path().display().to_string(),
        );
        // Retries in tests wait a millisecond, not half a second.
        env.insert("WOW_RETRY_BASE_MS".to_string(), "1".to_string());
        Run {
            wow: self,
            args: args.iter().map(|s| s.to_string()).collect(),
            env,
        }
    }

    pub fn writes(&self) -> usize {
        self.sandbox.write_count()
    }

    pub fn count(&self, method: &str) -> usize {
        self.sandbox
            .requests()
            .iter()
            .filter(|r| r.method == method)
            .count()
    }

    pub fn clear_log(&self) {
        self.sandbox.world(|w| w.clear_requests());
    }

    pub fn milestone(&self, title: &str) -> Option<Milestone> {
        self.sandbox.world(|w| w.milestone_by_title(title))
    }

    pub fn milestones_titled(&self, title: &str) -> Vec<Milestone> {
        self.sandbox
            .world(|w| w.milestones())
            .into_iter()
            .filter(|m| m.title == title)
            .collect()
    }

    pub fn issue(&self, iid: u64) -> Issue {
        self.sandbox.world(|w| w.issue(1, iid)).expect("issue exists")
    }

    /// The tracker as a person sees it, without ids and timestamps: milestones
    /// (title, state, dates) and issues (iid, state, milestone title, labels).
    pub fn state(&self) -> Vec<String> {
        self.sandbox.world(|w| {
            let mut lines: Vec<String> = w
                .milestones()
                .iter()
                .map(|m| {
                    format!(
                        "milestone {:?} {:?} {:?} {:?}",
                        m.title, m.state, m.start_date, m.due_date
                    )
                })
                .collect();
            for i in w.issues(1) {
                let mut labels = i.labels.clone();
                labels.sort();
                lines.push(format!(
                    "issue #{} {:?} in {:?} labels {:?}",
                    i.iid,
                    i.state,
                    i.milestone.as_ref().map(|m| m.title.clone()),
                    labels
                ));
            }
            lines.sort();
            lines
        })
    }
}

impl Run<'_> {
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.insert(key.to_string(), value.to_string());
        self
    }

    /// Group mode: no project.
    pub fn unset_project(self) -> Self {
        self.unset("WOW_PROJECT")
    }

    pub fn unset(mut self, key: &str) -> Self {
        self.env.remove(key);
        self
    }

    pub fn now(self, now: &str) -> Self {
        self.env("WOW_NOW", now)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wowctl"));
        cmd.args(&self.args)
            .env_clear()
            .envs(&self.env)
            .current_dir(self.wow.report_dir.path());
        cmd
    }

    pub fn run(self) -> Out {
        let output = self.command().output().expect("wowctl runs");
        out_of(output, PathBuf::from(&self.env["WOW_REPORT_DIR"]))
    }

    /// Starts wowctl and returns at once, to signal it mid-run.
    pub fn spawn(self) -> Running {
        let child = self
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wowctl starts");
        Running {
            child,
            report_dir: PathBuf::from(&self.env["WOW_REPORT_DIR"]),
        }
    }
}

/// A wowctl started with `Run::spawn`.
pub struct Running {
    child: std::process::Child,
    report_dir: PathBuf,
}

impl Running {
    /// Sends `signal` (`TERM`, `INT`) as GitLab's runner does when a job is
    /// cancelled or times out.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{signal} failed");
    }

    pub fn wait(self) -> Out {
        let output = self.child.wait_with_output().expect("wowctl ends");
        out_of(output, self.report_dir)
    }
}

fn out_of(output: std::process::Output, report_dir: PathBuf) -> Out {
    let out = Out {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        report_dir,
    };
    assert!(
        !out.stderr.contains("panicked") && !out.stdout.contains("panicked"),
        "wowctl panicked:\n{}",
        out.stderr
    );
    out
}

/// Ids of the standard tracker's milestones.
pub struct Tracker {
    pub wow: u64,
    pub next: u64,
}

/// A project at the end of last week (week of 2026-11-18): `WoW` dated last week with
/// open and closed issues, `Next WoW` dated this week with planned issues, one closed
/// `WoW ending 2026-11-17`. Issues: #1 open in WoW, #2 closed in WoW, #3 open in WoW,
/// #4 open in Next WoW (added last week), #5 open in Next WoW.
pub fn tracker(now: DateTime<Utc>) -> (World, Tracker) {
    let mut w = wowctl::sandbox::seed::empty(now);
    let p = Owner::Project(1);
    let last_week = at("2026-11-18T00:00:00Z");
    let wow = w.add_milestone(
        MilestoneSpec::new(p, "WoW")
            .dates(day("2026-11-18"), day("2026-11-24"))
            .created(at("2026-11-11T00:00:00Z")),
    );
    let next = w.add_milestone(
        MilestoneSpec::new(p, "Next WoW")
            .dates(day("2026-11-25"), day("2026-12-01"))
            .created(last_week),
    );
    w.add_milestone(
        MilestoneSpec::new(p, "WoW ending 2026-11-17")
            .dates(day("2026-11-11"), day("2026-11-17"))
            .created(at("2026-11-04T00:00:00Z"))
            .closed(),
    );
    let t0 = at("2026-11-18T10:00:00Z");
    w.add_issue(
        IssueSpec::new(1, "Rotate TLS certificates")
            .milestone(wow)
            .labels(&["priority::2"])
            .assignee("alice")
            .created(t0),
    );
    w.add_issue(
        IssueSpec::new(1, "Upgrade Postgres replicas")
            .milestone(wow)
            .labels(&["priority::1"])
            .created(t0)
            .closed(at("2026-11-20T10:00:00Z")),
    );
    w.add_issue(
        IssueSpec::new(1, "Tune disk alerts")
            .milestone(wow)
            .labels(&["priority::3"])
            .created(t0),
    );
    w.add_issue(
        IssueSpec::new(1, "Plan capacity review")
            .milestone(next)
            .labels(&["priority::2"])
            .created(at("2026-11-19T10:00:00Z")),
    );
    w.add_issue(
        IssueSpec::new(1, "Write runbook for failover")
            .milestone(next)
            .labels(&["priority::3"])
            .created(at("2026-11-20T10:00:00Z")),
    );
    w.set_now(now);
    (w, Tracker { wow, next })
}
