//! Failure paths tell the truth (SPEC "A report people read", "Failures and
//! signals"; issue 13). A table of bad days — GitLab rejects the token, refuses the
//! first write, goes away mid carry-over, fails the audit after the rotation — each
//! checked against what the sandbox's request log and final state show: the exit
//! status, writes only where GitLab took them, every format claiming only what
//! GitLab holds, and a re-run that ends where an uninterrupted run ends.
//! SIGTERM is in `stop.rs`, an unwritable report dir in `preflight.rs`.

use crate::support::*;
use serde_json::Value;
use wowctl::sandbox::{IssueSpec, World};

/// The standard tracker with `extra` more open issues in last week's `WoW`.
fn world(extra: usize) -> World {
    let (mut w, t) = tracker(at(NOW));
    for i in 0..extra {
        w.add_issue(
            IssueSpec::new(1, &format!("Carried task {i}"))
                .milestone(t.wow)
                .created(at("2026-11-19T10:00:00Z")),
        );
    }
    w.set_now(at(NOW));
    w
}

fn config(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(".wow.yml");
    std::fs::write(&path, text).expect("write .wow.yml");
    let shown = path.display().to_string();
    (dir, shown)
}

/// Writes GitLab took (2xx), from the sandbox's log.
fn applied_in_sandbox(wow: &Wow) -> usize {
    wow.sandbox
        .requests()
        .iter()
        .filter(|r| r.method != "GET" && (200..300).contains(&r.status))
        .count()
}

fn applied_in_report(report: &Value) -> usize {
    let actions = report["rotation"]["actions"]
        .as_array()
        .map_or(0, |a| a.iter().filter(|a| a["applied"] == true).count());
    let fixes = report["audit"]["findings"]
        .as_array()
        .map_or(0, |f| f.iter().filter(|f| f["fixed"] == true).count());
    actions + fixes
}

/// Every claim of the report about milestones and writes holds in the sandbox.
#[track_caller]
fn report_matches_sandbox(case: &str, wow: &Wow, out: &Out) {
    let report = out.report();
    assert_eq!(
        report["exit_code"].as_i64(),
        Some(i64::from(out.status)),
        "{case}: exit_code"
    );
    assert_eq!(
        applied_in_report(&report),
        applied_in_sandbox(wow),
        "{case}: applied writes"
    );
    let held = wow.sandbox.world(|w| w.milestones());
    for role in ["closed_milestone", "current_milestone", "next_milestone"] {
        let m = &report["rotation"][role];
        if m.is_null() || m["planned"] == true {
            continue;
        }
        let found = held
            .iter()
            .find(|h| Some(h.id) == m["id"].as_u64())
            .unwrap_or_else(|| panic!("{case}: {role} names a milestone GitLab does not hold: {m}"));
        assert_eq!(
            Some(found.title.as_str()),
            m["title"].as_str(),
            "{case}: {role} title"
        );
    }
    let env = out.file("wow.env");
    for (var, role) in [
        ("WOW_CURRENT_MILESTONE", "current_milestone"),
        ("WOW_CLOSED_MILESTONE", "closed_milestone"),
    ] {
        let line = |suffix: &str| {
            env.lines()
                .find_map(|l| l.strip_prefix(&format!("{var}_{suffix}=")))
                .unwrap_or_else(|| panic!("{case}: {var}_{suffix} missing"))
                .to_string()
        };
        let (id, title) = (line("ID"), line("TITLE"));
        if id.is_empty() {
            assert!(title.is_empty(), "{case}: {var}: a title without an id");
            continue;
        }
        let found = held
            .iter()
            .find(|h| h.id.to_string() == id)
            .unwrap_or_else(|| panic!("{case}: {var}_ID={id} is not in GitLab"));
        assert_eq!(found.title, title, "{case}: {var}_TITLE (role {role})");
    }
}

/// A run without faults on the same tracker: where the week must end.
fn end_state(extra: usize) -> Vec<String> {
    let wow = Wow::new(world(extra));
    wow.cmd(&["run"]).run().status(0);
    wow.state()
}

#[test]
fn a_rejected_token_says_gitlab_could_not_be_read_and_claims_nothing() {
    let wow = Wow::new(world(0));
    let out = wow
        .cmd(&["run"])
        .env("WOW_TOKEN", "glpat-not-a-real-token")
        .run()
        .status(1);
    assert_eq!(wow.writes(), 0);
    report_matches_sandbox("401", &wow, &out);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "failed");
    assert_eq!(
        report["rotation"]["before"],
        Value::Null,
        "not read: no claim about what exists"
    );
    assert_eq!(report["audit"]["status"], "skipped");
    assert_eq!(report["errors"][0]["step"], "read");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("401") && m.contains("invalid, expired or revoked")),
        "{}",
        report["errors"]
    );
    let md = out.file("report.md");
    assert!(
        md.starts_with("# WoW report: FAILED: GitLab could not be read"),
        "{md}"
    );
    assert!(md.contains("GitLab could not be read, so nothing is known of the milestones"));
    assert!(!md.contains("no WoW milestones"), "{md}");
    assert!(
        out.stdout.contains("Next: fix what the errors say"),
        "{}",
        out.stdout
    );
    // The token is named, never shown.
    assert!(!out.stdout.contains("glpat-not-a-real") && !out.stderr.contains("glpat-not-a-real"));
}

#[test]
fn a_refused_first_write_leaves_the_plan_listed_as_not_done() {
    let wow = Wow::new(world(0));
    wow.sandbox
        .world(|w| w.faults_mut().fail_matching("PUT", "/milestones/", 1, 403));
    let out = wow.cmd(&["run"]).run().status(1);
    assert_eq!(applied_in_sandbox(&wow), 0);
    report_matches_sandbox("403 on step 1", &wow, &out);
    let report = out.report();
    let actions = report["rotation"]["actions"].as_array().expect("actions");
    assert_eq!(actions[0]["outcome"], "failed");
    let moves: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "move_issue").collect();
    assert_eq!(
        moves.len(),
        2,
        "the open issues to carry over are listed: {actions:#?}"
    );
    assert!(moves.iter().all(|m| m["outcome"] == "not_attempted"));
    for role in ["closed_milestone", "current_milestone", "next_milestone"] {
        assert_eq!(
            report["rotation"][role],
            Value::Null,
            "{role}: not reached, not claimed"
        );
    }
    let md = out.file("report.md");
    assert!(
        md.starts_with("# WoW report: FAILED: 5 of 5 steps not done"),
        "{md}"
    );
    assert!(md.contains("- closed: not done"), "{md}");
    assert!(
        !md.contains("WoW ending 2026-11-24](http"),
        "no link to a milestone that does not exist"
    );
    let env = out.file("wow.env");
    assert!(env.contains("WOW_CLOSED_MILESTONE_TITLE=\n"), "{env}");
    assert!(env.contains("WOW_AUDIT_STATUS=skipped\nWOW_FINDINGS=\n"), "{env}");

    wow.sandbox.world(|w| w.faults_mut().clear());
    let again = wow.cmd(&["run"]).run().status(0);
    assert_eq!(again.report()["rotation"]["status"], "rotated");
    assert_eq!(wow.state(), end_state(0));
}

#[test]
fn gitlab_gone_mid_carry_over_lists_each_failure_and_the_rerun_finishes() {
    const EXTRA: usize = 60;
    let wow = Wow::new(world(EXTRA));
    let (_dir, cfg) = config("api:\n  max_retries: 0\n  concurrency: 1\n");
    // Three milestone writes and 20 moves land, then every request answers 500.
    wow.sandbox.world(|w| w.faults_mut().set_write_cap(23));
    let out = wow.cmd(&["run"]).env("WOW_CONFIG", &cfg).run().status(1);
    assert_eq!(applied_in_sandbox(&wow), 23);
    report_matches_sandbox("write cap", &wow, &out);
    let report = out.report();
    let total = 3 + 2 + EXTRA;
    let not_done = total - 23;
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), not_done, "one error per failed move");
    assert!(errors
        .iter()
        .all(|e| e["step"] == "move_issue" && e["target"].is_string()));
    assert!(
        errors
            .iter()
            .all(|e| e["message"].as_str().is_some_and(|m| m.len() < 500)),
        "each error is its own, short"
    );
    assert_eq!(
        report["rotation"]["carried_over"].as_array().map(Vec::len),
        Some(20)
    );
    let md = out.file("report.md");
    let headline = format!("# WoW report: FAILED: {not_done} of {total} steps not done");
    assert!(md.starts_with(&headline), "{}", md.lines().next().unwrap_or(""));
    assert_eq!(md.matches("- ❌ `move_issue`").count(), 10, "ten errors shown");
    assert!(md.contains(&format!(
        "- and {} more (all of them are in report.json)",
        not_done - 10
    )));
    assert!(md.contains("re-run: wowctl resumes where this run stopped"));
    // The closed week and the new WoW exist: they are reported; so is what failed.
    assert_eq!(
        report["rotation"]["closed_milestone"]["title"],
        "WoW ending 2026-11-24"
    );
    assert_eq!(
        out.stderr.lines().filter(|l| l.starts_with("error: ")).count(),
        11,
        "{}",
        out.stderr
    );

    wow.sandbox.world(|w| w.faults_mut().clear_write_cap());
    let again = wow.cmd(&["run"]).run().status(0);
    assert_eq!(again.report()["rotation"]["status"], "resumed");
    assert_eq!(wow.state(), end_state(EXTRA));
}

#[test]
fn an_audit_that_fails_after_the_rotation_is_not_a_clean_audit() {
    let wow = Wow::new(world(0));
    wow.sandbox
        .world(|w| w.faults_mut().fail_matching("GET", "/labels", 1, 500));
    let (_dir, cfg) = config("api:\n  max_retries: 0\n");
    let out = wow.cmd(&["run"]).env("WOW_CONFIG", &cfg).run().status(1);
    report_matches_sandbox("audit read", &wow, &out);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "rotated");
    assert_eq!(report["audit"]["status"], "failed");
    assert_eq!(report["audit"]["reason"], "reading the labels failed");
    let env = out.file("wow.env");
    assert!(env.contains("WOW_ROTATED=true\n"), "{env}");
    assert!(
        env.contains("WOW_AUDIT_STATUS=failed\nWOW_FINDINGS=\nWOW_FIXED=\n"),
        "{env}"
    );
    let md = out.file("report.md");
    assert!(
        md.contains("not checked: the audit stopped before the rules ran"),
        "{md}"
    );
    assert!(!md.contains("no findings"), "a failed audit is not clean: {md}");
    let junit = out.file("junit.xml");
    assert!(junit.contains("not checked"), "{junit}");
    // The job log does not say "nothing needs a person" for an audit that did not finish.
    assert!(
        out.stdout
            .contains("the audit did not finish (reading the labels failed): its findings are not known"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("nothing needs a person"), "{}", out.stdout);

    wow.sandbox.world(|w| w.faults_mut().clear());
    let again = wow.cmd(&["run"]).run().status(0);
    assert_eq!(again.report()["audit"]["status"], "done");
    assert_eq!(wow.state(), end_state(0));
}

/// SPEC "Token expiry": warned within `api.token_expiry_warning` (30 days by
/// default), in the log and every report; not when further; a token GitLab keeps
/// no record of is skipped quietly.
#[test]
fn the_token_expiry_is_warned_about_in_time() {
    for (days, warned) in [(29, true), (30, true), (31, false)] {
        let wow = Wow::new(world(0));
        let expires = at(NOW).date_naive() + chrono::Days::new(days);
        wow.sandbox
            .world(|w| w.token_mut(TOKEN).expect("token").expires_at = Some(expires));
        let out = wow.cmd(&["audit"]).run().status(0);
        let report = out.report();
        assert_eq!(report["token"]["expires_at"], expires.to_string(), "{days}");
        let warning = format!("the token expires on {expires} (in {days} days)");
        let said = report["warnings"].as_array().is_some_and(|w| {
            w.iter()
                .any(|w| w.as_str().is_some_and(|w| w.starts_with(&warning)))
        });
        assert_eq!(said, warned, "{days} days: {}", report["warnings"]);
        assert_eq!(
            out.stderr.contains(&warning),
            warned,
            "{days} days: the log\n{}",
            out.stderr
        );
        assert!(out
            .file("wow.env")
            .contains(&format!("WOW_TOKEN_EXPIRES_AT={expires}\n")));
    }
    for status in [400, 404] {
        let wow = Wow::new(world(0));
        wow.sandbox.world(|w| {
            w.faults_mut()
                .fail_matching("GET", "/personal_access_tokens/self", 1, status)
        });
        let out = wow.cmd(&["audit"]).run().status(0);
        let report = out.report();
        assert_eq!(report["token"]["expires_at"], Value::Null, "{status}");
        assert_eq!(report["warnings"], serde_json::json!([]), "{status}");
        assert!(!out.stderr.contains("token"), "{status}: quiet\n{}", out.stderr);
    }
}

/// SPEC "Exit status": 3 only for findings still needing a person, said on the
/// log's last line; a dry run's fixes are planned, so they do not count.
/// Regression: issue 13 item 5 (a dry run failed on findings a real run would fix).
#[test]
fn exit_3_only_for_what_still_needs_a_person_and_the_log_says_why() {
    let (_dir, cfg) = config("report:\n  fail_on_findings: true\naudit:\n  rules: [unscheduled]\n");
    // An issue added to `Next WoW` after the week started: unscheduled, with a fix.
    let fixable = || {
        let (mut w, t) = tracker(at(NOW));
        let (_, iid) = w.add_issue(IssueSpec::new(1, "Page storm").created(at("2026-11-25T05:00:00Z")));
        w.set_issue_milestone(1, iid, Some(t.next), at("2026-11-25T05:00:00Z"));
        w.set_now(at(NOW));
        Wow::new(w)
    };
    // A dry run plans the fix: nothing needs a person, exit 0.
    let wow = fixable();
    let dry = wow
        .cmd(&["run", "--dry-run"])
        .env("WOW_CONFIG", &cfg)
        .run()
        .status(0);
    assert!(!dry.stdout.contains("Exit 3"), "{}", dry.stdout);
    // With fixes off, the same finding needs a person: exit 3, and the last line says why.
    let (_dir2, off) =
        config("report:\n  fail_on_findings: true\naudit:\n  fix: false\n  rules: [unscheduled]\n");
    let wow = fixable();
    let out = wow.cmd(&["run"]).env("WOW_CONFIG", &off).run().status(3);
    let last = out.stdout.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with(
            "The job fails (exit 3): 1 finding needs a person and report.fail_on_findings is on."
        ),
        "{}",
        out.stdout
    );
    assert_eq!(out.report()["exit_code"], 3);
}

/// SPEC "Clock behind the tracker", end to end: after this week's rotation, a run
/// told it is last week writes nothing, says `not_due`, warns, and names no
/// `WoW ending …` that does not exist. Regression: issue 13 item 7.
#[test]
fn a_clock_behind_the_tracker_writes_nothing_and_says_so() {
    let wow = Wow::new(world(0));
    wow.cmd(&["run"]).run().status(0);
    let before = wow.state();
    wow.clear_log();
    let out = wow
        .cmd(&["rotate", "--dry-run=false"])
        .now("2026-11-18T09:00:00Z")
        .run()
        .status(0);
    assert_eq!(wow.writes(), 0);
    assert_eq!(wow.state(), before);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "not_due");
    // Last week's `closed(D)` exists, and is named; this week's is not claimed.
    assert_eq!(
        report["rotation"]["closed_milestone"]["title"],
        "WoW ending 2026-11-17"
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("the clock or --now is behind the tracker"),
        "{warnings}"
    );
    assert!(
        out.stderr.contains("the clock or --now is behind the tracker"),
        "{}",
        out.stderr
    );
}
