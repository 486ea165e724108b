//! What people see: every report file is written (also when the run fails part-way),
//! the job log has GitLab sections only in CI, exit statuses follow the SPEC.

use crate::support::*;

const FILES: [&str; 4] = ["report.md", "report.json", "junit.xml", "wow.env"];

#[test]
fn a_run_writes_every_file_and_the_dotenv_a_later_job_reads() {
    let (world, t) = tracker(at(NOW));
    let wow = Wow::new(world);
    let out = wow.cmd(&["run"]).run().status(0);
    for f in FILES {
        assert!(out.report_dir.join(f).is_file(), "{f} written");
    }
    let env = out.file("wow.env");
    assert!(env.lines().any(|l| l == "WOW_ROTATED=true"), "{env}");
    assert!(
        env.lines()
            .any(|l| l == format!("WOW_CURRENT_MILESTONE_ID={}", t.next)),
        "{env}"
    );
    assert!(
        env.lines().any(|l| l == "WOW_CURRENT_MILESTONE_TITLE=WoW"),
        "{env}"
    );
    assert!(
        env.lines()
            .any(|l| l == "WOW_CLOSED_MILESTONE_TITLE=WoW ending 2026-11-24"),
        "{env}"
    );
    assert!(env
        .lines()
        .all(|l| !l.is_empty() && !l.starts_with('#') && l.contains('=')));
    let junit = out.file("junit.xml");
    assert!(junit.contains("<testsuite name=\"rotation\""), "{junit}");
    assert!(
        out.stdout.contains("Report:"),
        "the summary says where the report is:\n{}",
        out.stdout
    );
}

#[test]
fn a_run_that_fails_part_way_still_writes_every_file_and_says_what_failed() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    // The job is "killed" after the first write: every later request fails.
    wow.sandbox.world(|w| w.faults_mut().set_write_cap(1));
    let out = wow.cmd(&["run"]).run().status(1);
    for f in FILES {
        assert!(out.report_dir.join(f).is_file(), "{f} written after a failure");
    }
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "failed");
    assert_eq!(report["exit_code"], 1);
    let actions = report["rotation"]["actions"].as_array().unwrap();
    assert_eq!(actions[0]["outcome"], "applied", "the first step was done");
    assert_eq!(actions[1]["outcome"], "failed");
    assert!(!report["errors"].as_array().unwrap().is_empty());
    assert!(
        out.file("report.md").contains("failed"),
        "the markdown says what failed"
    );
    assert!(out.stderr.contains("error:"), "{}", out.stderr);
}

#[test]
fn log_sections_appear_only_in_ci() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let plain = wow.cmd(&["run", "--dry-run"]).run().status(0);
    assert!(!plain.stdout.contains("section_start"), "{}", plain.stdout);
    let ci = wow
        .cmd(&["run", "--dry-run"])
        .env("CI", "true")
        .env("GITLAB_CI", "true")
        .run()
        .status(0);
    for phase in ["rotation", "audit", "report"] {
        assert!(ci.stdout.contains("section_start:"), "{}", ci.stdout);
        assert!(
            ci.stdout.contains(&format!(":{phase}")),
            "section {phase} in\n{}",
            ci.stdout
        );
        assert!(ci.stdout.contains("section_end:"), "{}", ci.stdout);
    }
}

#[test]
fn quiet_prints_only_the_summary() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let out = wow.cmd(&["run", "-q"]).run().status(0);
    let lines = out.stdout.lines().filter(|l| !l.trim().is_empty()).count();
    assert!((3..=6).contains(&lines), "{}", out.stdout);
}

#[test]
fn findings_with_fail_on_findings_exit_3() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wow.yml");
    std::fs::write(
        &config,
        "labels:\n  priorities: [\"priority::1\"]\nreport:\n  fail_on_findings: true\n",
    )
    .unwrap();
    let out = wow
        .cmd(&["run", "--config", config.to_str().unwrap()])
        .run()
        .status(3);
    assert_eq!(out.report()["exit_code"], 3);
}

#[test]
fn the_demo_writes_all_five_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wowctl"))
        .args(["demo", "--now", NOW, "--report-dir"])
        .arg(dir.path())
        .env_clear()
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["report.md", "report.json", "junit.xml", "wow.env", "report.html"] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["rotation"]["status"], "rotated");
    let rules: std::collections::BTreeSet<&str> = report["audit"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "unscheduled",
        "priority",
        "handoff",
        "label_definitions",
        "stray_milestones",
    ] {
        assert!(rules.contains(rule), "the demo shows a {rule} finding: {rules:?}");
    }
    assert!(
        !report["history"].as_array().unwrap().is_empty(),
        "the HTML chart has weeks"
    );
    assert!(
        stdout.contains(&dir.path().display().to_string()),
        "says where the report is"
    );
}

#[test]
fn a_closed_stdout_ends_the_output_not_the_run() {
    // `wowctl run | head -1`: the reader goes away; the run must finish its work.
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wowctl"))
        .args(["run"])
        .env_clear()
        .env("WOW_API_URL", wow.sandbox.api_url())
        .env("WOW_TOKEN", TOKEN)
        .env("WOW_PROJECT", "1")
        .env("CI_PIPELINE_SOURCE", "schedule")
        .env("WOW_NOW", NOW)
        .env("WOW_REPORT_DIR", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(dir.path().join("report.json").is_file());
    assert!(
        wow.milestone("WoW ending 2026-11-24").is_some(),
        "the rotation happened"
    );
}
