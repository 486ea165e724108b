//! The label audit end to end (SPEC "Audit rules"): fixes really land, a dry run
//! writes nothing, and the requests sent are exactly the ones the answer needs.

use crate::support::*;
use wowctl::sandbox::{IssueSpec, MilestoneSpec, Owner};

/// The tracker after this week's rotation, with issues added to WoW on Thursday.
fn audited_week() -> (Wow, u64) {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    wow.cmd(&["rotate"]).run().status(0);
    let current = wow.milestone("WoW").unwrap().id;
    wow.sandbox.world(|w| {
        let thursday = at("2026-11-26T10:00:00Z");
        // #6 unscheduled work without the label; #7 an outage (exempt); #8 labelled already.
        let (_, a) = w.add_issue(
            IssueSpec::new(1, "Disk full on git-01")
                .labels(&["priority::1"])
                .created(thursday),
        );
        let (_, b) = w.add_issue(
            IssueSpec::new(1, "Outage: API 500s")
                .labels(&["outage"])
                .created(thursday),
        );
        let (_, c) = w.add_issue(
            IssueSpec::new(1, "Hotfix DNS")
                .labels(&["unscheduled"])
                .created(thursday),
        );
        for iid in [a, b, c] {
            w.set_issue_milestone(1, iid, Some(current), thursday + chrono::Duration::hours(1));
        }
        w.add_milestone(MilestoneSpec::new(Owner::Project(1), "WoW ending 2026-03-03").closed());
        w.add_milestone(MilestoneSpec::new(Owner::Project(1), "WoW ending 2026-03-10"));
        w.set_now(at("2026-11-27T09:00:00Z"));
    });
    wow.clear_log();
    (wow, current)
}

fn findings(report: &serde_json::Value, rule: &str) -> Vec<serde_json::Value> {
    report["audit"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

#[test]
fn unscheduled_issues_get_the_label_and_a_second_audit_writes_nothing() {
    let (wow, _) = audited_week();
    let out = wow.cmd(&["audit"]).now("2026-11-27T09:00:00Z").run().status(0);
    let report = out.report();
    let unscheduled = findings(&report, "unscheduled");
    assert_eq!(unscheduled.len(), 1, "{unscheduled:#?}");
    assert_eq!(unscheduled[0]["issue_iid"], 6);
    assert_eq!(unscheduled[0]["fixed"], true);
    assert!(
        wow.issue(6).labels.contains(&"unscheduled".to_string()),
        "the label is really on the issue"
    );
    assert!(
        !wow.issue(7).labels.contains(&"unscheduled".to_string()),
        "outages are exempt"
    );
    // Carried-over #1 and #3 and planned #4/#5 are not findings.
    let strays = findings(&report, "stray_milestones");
    assert_eq!(strays.len(), 1);
    assert_eq!(strays[0]["fixed"], true);
    assert_eq!(
        wow.milestone("WoW ending 2026-03-10").unwrap().state,
        wowctl::gitlab::model::MilestoneState::Closed
    );
    assert_eq!(report["audit"]["issues_checked"], 7);

    wow.clear_log();
    let again = wow.cmd(&["audit"]).now("2026-11-27T10:00:00Z").run().status(0);
    assert_eq!(
        wow.writes(),
        0,
        "{:?}",
        wow.sandbox
            .requests()
            .iter()
            .filter(|r| r.is_write())
            .collect::<Vec<_>>()
    );
    assert!(findings(&again.report(), "unscheduled").is_empty());
}

#[test]
fn a_dry_run_audit_writes_nothing_and_plans_the_fixes() {
    let (wow, _) = audited_week();
    let out = wow
        .cmd(&["audit", "--dry-run"])
        .now("2026-11-27T09:00:00Z")
        .run()
        .status(0);
    assert_eq!(wow.writes(), 0);
    let report = out.report();
    let unscheduled = findings(&report, "unscheduled");
    assert_eq!(unscheduled[0]["fixed"], false);
    assert_eq!(unscheduled[0]["fix_status"], "planned");
    assert!(!wow.issue(6).labels.contains(&"unscheduled".to_string()));
}

#[test]
fn audit_fix_off_reports_without_fixing() {
    let (wow, _) = audited_week();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wow.yml");
    std::fs::write(&config, "audit:\n  fix: false\n").unwrap();
    let out = wow
        .cmd(&["audit", "--config", config.to_str().unwrap()])
        .now("2026-11-27T09:00:00Z")
        .run()
        .status(0);
    assert_eq!(wow.writes(), 0);
    assert_eq!(
        findings(&out.report(), "unscheduled")[0]["fix_status"],
        "disabled"
    );
}

#[test]
fn missing_labels_are_created_before_any_label_fix() {
    let (wow, _) = audited_week();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wow.yml");
    std::fs::write(&config, "labels:\n  unscheduled: \"unplanned work\"\n").unwrap();
    let out = wow
        .cmd(&["audit", "--config", config.to_str().unwrap()])
        .now("2026-11-27T09:00:00Z")
        .run()
        .status(0);
    let report = out.report();
    let defs = findings(&report, "label_definitions");
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0]["fixed"], true);
    let writes: Vec<String> = wow
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.is_write())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        writes.first().map(String::as_str),
        Some("POST /api/v4/projects/1/labels"),
        "{writes:?}"
    );
    assert!(wow.issue(6).labels.contains(&"unplanned work".to_string()));
    // #8 carries ~unscheduled, not ~"unplanned work": with the renamed label it is unscheduled too.
    assert_eq!(findings(&report, "unscheduled").len(), 2);
}

#[test]
fn handoff_and_priority_findings() {
    let (wow, _) = audited_week();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wow.yml");
    std::fs::write(
        &config,
        "labels:\n  priorities: [\"priority::1\", \"priority::2\", \"priority::3\"]\n",
    )
    .unwrap();
    let out = wow
        .cmd(&["audit", "--config", config.to_str().unwrap()])
        .now("2026-11-27T09:00:00Z")
        .run()
        .status(0);
    let report = out.report();
    // #7 and #8 have no priority label; all others have exactly one.
    let mut prio: Vec<u64> = findings(&report, "priority")
        .iter()
        .map(|f| f["issue_iid"].as_u64().unwrap())
        .collect();
    prio.sort();
    assert_eq!(prio, vec![7, 8]);
    // The outage #7 has no assignee.
    let handoff = findings(&report, "handoff");
    assert_eq!(handoff.len(), 1);
    assert_eq!(handoff[0]["issue_iid"], 7);
}

/// For N issues of which K were updated since the week start, `wowctl audit` sends
/// ceil(N/100) issue-list pages + K event requests + the fixed reads below.
#[test]
fn audit_request_counts_are_exact_at_1000_issues() {
    let world = wowctl::sandbox::seed::scale(1000, 0.1, at(NOW));
    let wow = Wow::new(world);
    let week_start = at("2026-11-25T00:00:00Z");
    let updated = wow
        .sandbox
        .world(|w| w.issues(1).iter().filter(|i| i.updated_at >= week_start).count());
    assert_eq!(updated, 100);
    let out = wow.cmd(&["audit"]).run().status(0);
    let report = out.report();
    assert_eq!(report["audit"]["issues_checked"], 1000);
    // Fixed reads: open milestones (WoW and strays, one list), labels, open ~outage,
    // open ~data loss, the token's own record (its expiry, SPEC "Token expiry"), and
    // the trend of recent weeks for report.md (the closed weeks, the one week's issues).
    let fixed_reads = 5 + 2;
    let gets: Vec<String> = wow
        .sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && !r.path.contains("resource_milestone_events"))
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    assert_eq!(
        wow.count("GET"),
        1000usize.div_ceil(100) + updated + fixed_reads,
        "{gets:#?}"
    );
    // Half of the updated issues were moved out and back in after the week start: unscheduled.
    assert_eq!(findings(&report, "unscheduled").len(), 50);
    assert_eq!(wow.count("PUT"), 50, "one edit per issue");
    assert_eq!(
        report["requests"]["GET"].as_u64().unwrap() as usize,
        wow.count("GET")
    );
    wow.clear_log();
    wow.cmd(&["audit"]).run().status(0);
    assert_eq!(wow.writes(), 0);
}

/// `wowctl run` on a week already rotated: the benchmark's minimum (BENCHMARKS.md):
/// 7 fixed reads (open milestones, `closed(D)` by title, its open issues left to carry,
/// labels, open ~outage, open ~data loss, the token's record) + ceil(N/100) pages + K
/// event lists, and one PUT per unscheduled issue; plus, for report.md's trend of
/// recent weeks, the closed weeks and each one's issues (one closed week here).
#[test]
fn run_request_counts_are_the_minimum_at_1000_issues() {
    let wow = Wow::new(wowctl::sandbox::seed::scale(1000, 0.1, at(NOW)));
    let out = wow.cmd(&["run"]).run().status(0);
    assert_eq!(out.report()["rotation"]["status"], "not_due");
    assert_eq!(wow.count("GET"), 7 + 10 + 100 + 2);
    assert_eq!(
        (wow.count("PUT"), wow.count("POST"), wow.count("DELETE")),
        (50, 0, 0)
    );
}
