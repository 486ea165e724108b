//! SIGTERM and SIGINT mid-run (SPEC "Cancel and timeout"), as GitLab's runner
//! sends them when a job is cancelled or times out. The sandbox holds one request
//! unanswered after N applied writes (`silent_after_writes`), the test waits for
//! it to arrive (no sleep), then signals wowctl. Each case checks that no request
//! follows the signal, that the report and the job log state exactly what the
//! sandbox applied, and that a re-run ends where an uninterrupted run ends.
//! Regression: issue 13 item 2 (a cancelled job left no report and a silent log).

use crate::support::*;
use serde_json::Value;
use std::time::Duration;
use wowctl::sandbox::seed;

/// Writes one at a time (concurrency 1), so the held request is the only one in
/// flight when the signal comes.
fn sequential() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(".wow.yml"), "api:\n  concurrency: 1\n").expect("write .wow.yml");
    dir
}

fn demo() -> Wow {
    Wow::new(seed::demo(at(NOW)))
}

/// Actions of every kind in report.json (rotation steps, then audit fixes).
fn applied_in_report(report: &Value) -> usize {
    let rotation = report["rotation"]["actions"]
        .as_array()
        .map_or(0, |a| a.iter().filter(|a| a["applied"] == true).count());
    let fixes = report["audit"]["findings"]
        .as_array()
        .map_or(0, |f| f.iter().filter(|f| f["fixed"] == true).count());
    rotation + fixes
}

/// What GitLab applied: writes answered 2xx.
fn applied_in_sandbox(wow: &Wow) -> usize {
    wow.sandbox
        .requests()
        .iter()
        .filter(|r| r.method != "GET" && (200..300).contains(&r.status))
        .count()
}

/// One uninterrupted run of the demo: its end state and how many writes it takes.
fn uninterrupted() -> (Vec<String>, usize) {
    let wow = demo();
    let cfg = sequential();
    wow.cmd(&["run"])
        .env("WOW_CONFIG", &cfg.path().join(".wow.yml").display().to_string())
        .run()
        .status(0);
    (wow.state(), wow.writes())
}

/// Runs until the request after `writes` applied writes is in flight, then sends `signal`.
fn stopped_after(writes: usize, signal: &str) -> (Wow, Out, usize) {
    let wow = demo();
    let cfg = sequential();
    wow.sandbox.world(|w| w.faults_mut().silent_after_writes(writes));
    let running = wow
        .cmd(&["run"])
        .env("WOW_CONFIG", &cfg.path().join(".wow.yml").display().to_string())
        .env("WOW_STOP_GRACE_MS", "300")
        .spawn();
    let held = wow.sandbox.wait_for(Duration::from_secs(20), |w| {
        w.requests().iter().any(|r| r.status == 0)
    });
    assert!(held, "the run never reached write {}", writes + 1);
    let seen_at_signal = wow.sandbox.requests().len();
    running.signal(signal);
    let out = running.wait();
    (wow, out, seen_at_signal)
}

#[test]
fn sigterm_at_any_point_leaves_a_true_report_and_the_rerun_finishes_the_week() {
    let (end_state, total_writes) = uninterrupted();
    assert!(
        total_writes > 10,
        "the demo has work for every phase: {total_writes}"
    );
    // After step 1; after the three milestone steps (a move in flight); mid
    // carry-over; and on the last write (an audit fix).
    let mut held_writes = 0;
    for writes in [1, 3, 8, total_writes - 1] {
        let (wow, out, seen_at_signal) = stopped_after(writes, "TERM");
        let out = out.status(143);
        let case = format!("stopped after {writes} writes");
        assert_eq!(
            wow.sandbox.requests().len(),
            seen_at_signal,
            "{case}: no request after the signal"
        );
        assert_eq!(applied_in_sandbox(&wow), writes, "{case}");
        let report = out.report();
        assert_eq!(report["stopped_by"], "SIGTERM", "{case}");
        assert_eq!(report["exit_code"], 143, "{case}");
        assert_eq!(
            applied_in_report(&report),
            writes,
            "{case}: the report claims what GitLab applied"
        );
        // A held write was sent and never answered: the report says its outcome is
        // unknown. (A held read is just not used.)
        let errors = report["errors"].as_array().expect("errors");
        let held_write = wow
            .sandbox
            .requests()
            .iter()
            .any(|r| r.status == 0 && r.method != "GET");
        let unknown = errors.iter().any(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("stopped by SIGTERM before GitLab answered"))
        });
        assert_eq!(unknown, held_write, "{case}: {errors:#?}");
        held_writes += usize::from(held_write);
        let stopped = errors
            .iter()
            .find(|e| e["step"] == "stopped")
            .unwrap_or_else(|| panic!("{case}: one 'stopped' error: {errors:#?}"));
        assert!(
            stopped["message"]
                .as_str()
                .is_some_and(|m| m.contains("re-run: wowctl resumes where this run stopped")),
            "{case}: {stopped}"
        );
        // The job log streamed every applied write.
        let streamed = out
            .stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("applied"))
            .count();
        assert_eq!(
            streamed, writes,
            "{case}: the log shows each applied write\n{}",
            out.stdout
        );
        // Every format was written, and says it was stopped.
        for file in ["report.md", "junit.xml", "wow.env"] {
            assert!(!out.file(file).is_empty(), "{case}: {file}");
        }
        let md = out.file("report.md");
        assert!(md.contains("SIGTERM"), "{case}: report.md says why");
        // Stopped after the rotation finished: the headline says the rotation was done.
        let first = md.lines().next().unwrap_or_default();
        if writes == total_writes - 1 {
            assert!(
                first.starts_with("# WoW report: STOPPED by SIGTERM: all "),
                "{case}: {first}"
            );
        } else {
            assert!(
                first.starts_with("# WoW report: STOPPED by SIGTERM: "),
                "{case}: {first}"
            );
            assert!(first.contains("steps not done"), "{case}: {first}");
        }

        // The next run finishes the week exactly as an uninterrupted run does.
        wow.sandbox.world(|w| w.faults_mut().clear());
        let again = wow.cmd(&["run"]).run().status(0);
        assert_eq!(
            wow.state(),
            end_state,
            "{case}: the re-run ends where one run ends"
        );
        // Stopped mid-rotation, the re-run completes it; after it, nothing is left.
        let expected = if writes <= 8 { "resumed" } else { "not_due" };
        assert_eq!(again.report()["rotation"]["status"], expected, "{case}");
    }
    assert!(
        held_writes >= 2,
        "most cases stop with a write in flight: {held_writes}"
    );
}

#[test]
fn sigint_exits_130_with_the_report() {
    let (wow, out, seen_at_signal) = stopped_after(2, "INT");
    let out = out.status(130);
    assert_eq!(wow.sandbox.requests().len(), seen_at_signal);
    let report = out.report();
    assert_eq!(report["stopped_by"], "SIGINT");
    assert_eq!(report["rotation"]["status"], "failed");
    assert_eq!(report["audit"]["status"], "skipped");
    assert_eq!(report["audit"]["reason"], "the run was stopped by SIGINT");
    let not_sent = report["rotation"]["actions"].as_array().map_or(0, |a| {
        a.iter().filter(|a| a["outcome"] == "not_attempted").count()
    });
    assert!(not_sent > 10, "the moves left are listed as not sent: {not_sent}");
}
