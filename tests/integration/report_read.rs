//! A report people read (SPEC "A report people read"), through the real binary:
//! golden files of every format for the demo, a 2,000-issue rotation and a failed
//! run (regenerate with `WOW_UPDATE_GOLDEN=1 cargo test --test integration report_read`
//! and review the diff); what needs a person comes first at any scale; the title
//! of a confidential issue reaches no file and not the log.

use crate::support::*;
use std::path::Path;
use wowctl::sandbox::{IssueSpec, MilestoneSpec, Owner, World};

/// Every file a run with every format writes, and its golden extension.
const FORMATS: [(&str, &str); 5] = [
    ("report.md", "md"),
    ("report.html", "html"),
    ("report.json", "json"),
    ("junit.xml", "xml"),
    ("wow.env", "env"),
];

/// Every format on, priorities configured: what the golden runs use.
const CONFIG: &str = "\
labels:
  priorities: [\"priority::1\", \"priority::2\", \"priority::3\"]
report:
  formats: [markdown, json, junit, dotenv, html]
";

fn golden_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden")
}

/// What differs between two runs of the same world: the sandbox's port, the
/// temporary report directory, wowctl's version.
fn normalise(text: &str, base_url: &str, report_dir: &Path) -> String {
    text.replace(base_url, "http://127.0.0.1:PORT")
        .replace(&report_dir.display().to_string(), "REPORT_DIR")
        .replace(&format!("wowctl {}", env!("CARGO_PKG_VERSION")), "wowctl VERSION")
        .replace(
            &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\": \"VERSION\"",
        )
}

/// The job log with each run of streamed write lines (`  applied      move #12 …`)
/// in a fixed order: writes are sent concurrently and logged as GitLab answers
/// them, in an order no two runs share.
fn sorted_writes(log: &str) -> String {
    const OUTCOMES: [&str; 5] = [
        "applied ",
        "planned ",
        "already done ",
        "FAILED ",
        "not attempted ",
    ];
    let is_write = |l: &str| {
        l.strip_prefix("  ")
            .is_some_and(|rest| OUTCOMES.iter().any(|o| rest.starts_with(o)))
    };
    // The line without its issue number, then the number: #2 before #10.
    let key = |l: &str| -> (String, u64) {
        match l.split_once('#') {
            Some((head, rest)) => {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let tail = &rest[digits.len()..];
                (format!("{head}#{tail}"), digits.parse().unwrap_or(0))
            }
            None => (l.to_string(), 0),
        }
    };
    let mut out: Vec<&str> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    for line in log.lines() {
        if is_write(line) {
            run.push(line);
            continue;
        }
        run.sort_by_cached_key(|l| key(l));
        out.append(&mut run);
        out.push(line);
    }
    run.sort_by_cached_key(|l| key(l));
    out.append(&mut run);
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Compares with `tests/golden/<name>`, or writes it when `WOW_UPDATE_GOLDEN=1`.
fn check_golden(name: &str, actual: &str) -> Result<(), String> {
    let path = golden_dir().join(name);
    if std::env::var("WOW_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (WOW_UPDATE_GOLDEN=1 creates it)", path.display()))?;
    if expected == actual {
        return Ok(());
    }
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    Err(format!(
        "{name} differs from the golden file at line {}:\n  golden: {:?}\n  actual: {:?}\n(WOW_UPDATE_GOLDEN=1 regenerates; review the diff)",
        line + 1,
        expected.lines().nth(line).unwrap_or(""),
        actual.lines().nth(line).unwrap_or("")
    ))
}

/// Checks every report file and the job log of `out` against `<prefix>.*`.
fn check_all_golden(prefix: &str, out: &Out, base_url: &str) {
    let mut failures = Vec::new();
    for (file, ext) in FORMATS {
        let text = normalise(&out.file(file), base_url, &out.report_dir);
        failures.extend(check_golden(&format!("{prefix}.{ext}"), &text).err());
    }
    let log = normalise(&sorted_writes(&out.stdout), base_url, &out.report_dir);
    failures.extend(check_golden(&format!("{prefix}.log"), &log).err());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A project due for rotation at `NOW` whose `WoW` holds `open` open issues to
/// carry over, six closed weeks of history, 100 issues added to `Next WoW` after
/// the week started without ~unscheduled (fixed by the audit), every 500th
/// carried issue without a priority, an unassigned ~outage and a silent
/// ~"(perceived) data loss" issue (hand-offs).
pub fn due_with_issues(open: usize) -> World {
    let now = at(NOW);
    let mut w = wowctl::sandbox::seed::empty(now);
    let p = Owner::Project(1);
    let d = chrono::Duration::days;
    let h = chrono::Duration::hours;
    let week = at("2026-11-25T00:00:00Z");
    let last = week - d(7);
    for k in (1..=6).rev() {
        let start = last - d(7 * k);
        let end = start + d(6);
        let id = w.add_milestone(
            MilestoneSpec::new(p, &format!("WoW ending {}", end.date_naive()))
                .dates(start.date_naive(), end.date_naive())
                .created(start - d(7))
                .closed(),
        );
        // Closed in that week: a few planned, some unscheduled, an outage every other week.
        for i in 0..(5 + k as usize * 2) {
            let labels: &[&str] = match i % 4 {
                0 => &["unscheduled", "priority::1"],
                _ => &["priority::2"],
            };
            w.add_issue(
                IssueSpec::new(1, &format!("Week {k} task {i}"))
                    .labels(labels)
                    .milestone(id)
                    .created(start - d(2))
                    .closed(start + d(2)),
            );
        }
        if k % 2 == 0 {
            w.add_issue(
                IssueSpec::new(1, &format!("Outage in week {k}"))
                    .labels(&["outage", "priority::1"])
                    .milestone(id)
                    .created(start + d(1))
                    .closed(start + d(1) + h(4)),
            );
        }
    }
    let wow = w.add_milestone(
        MilestoneSpec::new(p, "WoW")
            .dates(last.date_naive(), (last + d(6)).date_naive())
            .created(last - d(7)),
    );
    let next = w.add_milestone(
        MilestoneSpec::new(p, "Next WoW")
            .dates(week.date_naive(), (week + d(6)).date_naive())
            .created(last),
    );
    let priorities = ["priority::1", "priority::2", "priority::3"];
    for i in 0..open {
        let labels: &[&str] = if i % 500 == 499 {
            &[]
        } else {
            std::slice::from_ref(&priorities[i % 3])
        };
        w.add_issue(
            IssueSpec::new(1, &format!("Carried task {} | needs review", i + 1))
                .labels(labels)
                .assignee("alice")
                .milestone(wow)
                .created(last - d(3)),
        );
    }
    for i in 0..3 {
        w.add_issue(
            IssueSpec::new(1, &format!("Done last week {i}"))
                .labels(&["priority::2"])
                .milestone(wow)
                .created(last - d(3))
                .closed(last + d(2)),
        );
    }
    for i in 0..100 {
        w.add_issue(
            IssueSpec::new(1, &format!("Added after the start {}", i + 1))
                .labels(&["priority::2"])
                .assignee("bob")
                .milestone(next)
                .created(week + h(2)),
        );
    }
    w.add_issue(
        IssueSpec::new(1, "Outage: webhook delivery delays")
            .labels(&["outage", "priority::1"])
            .created(week - h(30)),
    );
    w.add_issue(
        IssueSpec::new(1, "Missing CI artifacts after storage migration")
            .labels(&["(perceived) data loss", "priority::2"])
            .assignee("dave")
            .created(week - d(4)),
    );
    w.set_now(now);
    w
}

/// Runs `wowctl run` on `world` with `CONFIG` (plus `extra` configuration) as a
/// scheduled pipeline of project `production/infrastructure` would.
fn run_with_config(wow: &Wow, extra: &str, status: i32) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wow.yml");
    std::fs::write(&config, format!("{CONFIG}{extra}")).unwrap();
    let project = format!("{}/production/infrastructure", wow.sandbox.base_url());
    wow.cmd(&["run", "--config", config.to_str().unwrap()])
        .env("CI_PROJECT_ID", "1")
        .env("CI_PROJECT_PATH", "production/infrastructure")
        .env("CI_PROJECT_URL", &project)
        .env("CI_PIPELINE_URL", &format!("{project}/-/pipelines/7001"))
        .run()
        .status(status)
}

#[test]
fn a_2000_issue_rotation_shows_what_needs_a_person_first() {
    let wow = Wow::new(due_with_issues(2_000));
    let out = run_with_config(&wow, "", 0);
    check_all_golden("scale", &out, &wow.sandbox.base_url());

    let md = out.file("report.md");
    assert!(md.len() < 30 * 1024, "report.md is {} bytes", md.len());
    let first = md
        .lines()
        .position(|l| l.starts_with("## Needs a person"))
        .expect("a Needs a person section");
    assert!(first < 40, "Needs a person starts on line {}", first + 1);
    // Hand-offs on top of it, before what was fixed and the rotation.
    let at = |s: &str| md.find(s).unwrap_or_else(|| panic!("no {s:?} in report.md"));
    assert!(at("need a hand-off (2)") < at("no priority label, or more than one (4)"));
    assert!(at("## Needs a person") < at("## Fixed (100)"));
    assert!(at("## Fixed (100)") < at("## Rotation"));
    // The carry-over: one step, the issues listed once, in numeric order.
    assert!(
        md.contains("| ✅ | move 2000 issues to %\"WoW\" | applied |"),
        "{md}"
    );
    assert_eq!(md.matches("#1575").count(), 2, "once carried, once a finding");
    let carried = md
        .lines()
        .find(|l| l.starts_with("#76, "))
        .expect("the carried-over issues on one line");
    let iids: Vec<u64> = carried
        .split(", ")
        .map(|r| r.trim_start_matches('#').parse().unwrap())
        .collect();
    assert_eq!(iids.len(), 2000);
    assert!(iids.windows(2).all(|w| w[0] < w[1]), "numeric order");

    let html = out.file("report.html");
    let html_at = |s: &str| html.find(s).unwrap_or_else(|| panic!("no {s:?} in report.html"));
    assert!(html_at("id=\"needs-a-person\"") < html_at("id=\"fixed\""));
    assert!(html_at("id=\"fixed\"") < html_at("id=\"rotation\""));
    assert_eq!(
        html.matches(">#1575</a>").count(),
        2,
        "once carried, once a finding"
    );

    // JUnit: the carry-over is one case, each finding a failed case.
    let junit = out.file("junit.xml");
    assert_eq!(junit.matches("<testcase").count(), 4 + 106 + 2, "{junit}");
}

#[test]
fn the_demo_runs_on_a_fixed_wednesday_morning_and_matches_its_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wowctl"))
        .args(["demo", "--now", "2026-12-02T06:00:00Z", "--report-dir"])
        .arg(dir.path())
        .env_clear()
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("as a Wednesday schedule would, at 2026-12-02 06:00 UTC."),
        "{stdout}"
    );
    // The demo starts its own simulated GitLab on a free port: the log names it.
    let start = stdout.find("http://127.0.0.1:").expect("the sandbox's URL");
    let port_len = stdout[start + 17..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(0);
    let base_url = &stdout[start..start + 17 + port_len];
    let out = Out {
        status: 0,
        stdout: stdout.clone(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        report_dir: dir.path().to_path_buf(),
    };
    check_all_golden("demo", &out, base_url);
    let last = stdout.lines().last().unwrap_or("");
    assert!(
        last.starts_with("Report: ") && last.contains("report.html"),
        "{last}"
    );
}

#[test]
fn a_failed_run_matches_its_golden_files() {
    let wow = Wow::new(due_with_issues(30));
    // GitLab goes away after the three milestone writes and five moves.
    wow.sandbox.world(|w| w.faults_mut().set_write_cap(8));
    let out = run_with_config(&wow, "api:\n  max_retries: 0\n  concurrency: 1\n", 1);
    check_all_golden("failed_run", &out, &wow.sandbox.base_url());
    let md = out.file("report.md");
    assert!(md.contains("> **FAILED**"), "{md}");
    assert!(md.contains("## Errors (25)"), "{md}");
    assert!(
        md.contains("- and 15 more (all of them are in report.json)"),
        "{md}"
    );
    assert!(out.file("report.html").contains("class=\"banner failed\""));
    assert!(!out.stdout.contains("exit status"), "{}", out.stdout);
}

/// A project whose confidential issues have findings and are carried over.
fn with_confidential_issues() -> World {
    let mut w = due_with_issues(3);
    let wow = w.milestone_by_title("WoW").map(|m| m.id).unwrap();
    let week = at("2026-11-25T00:00:00Z");
    w.add_issue(
        IssueSpec::new(1, "Outage: payroll export leaks salaries")
            .labels(&["outage", "priority::1"])
            .created(week - chrono::Duration::days(2))
            .confidential(),
    );
    w.add_issue(
        IssueSpec::new(1, "Rotate the HSM master key")
            .milestone(wow)
            .assignee("alice")
            .created(week - chrono::Duration::days(5))
            .confidential(),
    );
    w.set_now(at(NOW));
    w
}

const SECRET_TITLES: [&str; 2] = [
    "Outage: payroll export leaks salaries",
    "Rotate the HSM master key",
];

#[test]
fn a_confidential_title_is_in_no_file_and_not_in_the_log() {
    let wow = Wow::new(with_confidential_issues());
    let out = run_with_config(&wow, "", 0);
    let report = out.report();
    let confidential: Vec<&serde_json::Value> = report["audit"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"]["confidential"] == true)
        .collect();
    assert!(confidential.len() >= 2, "both have findings: {confidential:?}");
    assert!(confidential.iter().all(|f| f["subject"]["title"].is_null()));
    for (file, _) in FORMATS {
        let text = out.file(file);
        for title in SECRET_TITLES {
            assert!(!text.contains(title), "{file} holds {title:?}");
        }
    }
    for title in SECRET_TITLES {
        assert!(
            !out.stdout.contains(title),
            "the log holds {title:?}:\n{}",
            out.stdout
        );
        assert!(!out.stderr.contains(title), "stderr holds {title:?}");
    }
    assert!(out.file("report.md").contains("(confidential issue)"));
    assert!(out.stdout.contains("(confidential issue)"), "{}", out.stdout);

    // Asked for: the titles are shown.
    let wow = Wow::new(with_confidential_issues());
    let out = run_with_config(&wow, "  confidential_titles: true\n", 0);
    for title in SECRET_TITLES {
        assert!(out.file("report.md").contains(title), "{title}");
        assert!(out.stdout.contains(title), "{title}");
    }
}
