//! Server data as GitLab really holds it: milestones without dates, titles in any
//! script, issues with hundreds of labels, labels with spaces, colons and parentheses.

use crate::support::*;
use wowctl::sandbox::{IssueSpec, MilestoneSpec, Owner};

#[test]
fn null_dates_unicode_many_labels_and_odd_label_names_are_handled() {
    let mut world = wowctl::sandbox::seed::empty(at(NOW));
    let p = Owner::Project(1);
    // No dates at all: rotation is due because WoW was created before the week started.
    let wow_id = world.add_milestone(MilestoneSpec::new(p, "WoW").created(at("2026-11-10T08:00:00Z")));
    let next_id = world.add_milestone(MilestoneSpec::new(p, "Next WoW").created(at("2026-11-17T08:00:00Z")));
    let unplanned = "not planned: ad hoc (this week)";
    world.add_label(p, unplanned, "#F0AD4E");
    let many: Vec<String> = (0..300)
        .map(|n| format!("area::component {n} (legacy)"))
        .collect();
    let many_refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let (_, carried) = world.add_issue(
        IssueSpec::new(1, "Résoudre l’alerte disque — 修复磁盘告警 🚨")
            .milestone(wow_id)
            .labels(&many_refs)
            .created(at("2026-11-18T10:00:00Z")),
    );
    let (_, late) = world.add_issue(
        IssueSpec::new(1, "Ünïcödé hotfix «prod» 🔥")
            .labels(&["priority::1", "(perceived) data loss"])
            .assignee("alice")
            .created(at("2026-11-25T06:00:00Z")),
    );
    world.set_issue_milestone(1, late, Some(next_id), at("2026-11-25T06:00:00Z"));
    world.set_now(at(NOW));
    let wow = Wow::new(world);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wow.yml");
    std::fs::write(&config, format!("labels:\n  unscheduled: \"{unplanned}\"\n")).unwrap();

    let out = wow
        .cmd(&["run", "--config", config.to_str().unwrap()])
        .run()
        .status(0);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "rotated");
    // The undated WoW of last week is closed under last week's name; the new WoW gets dates.
    let current = wow.milestone("WoW").unwrap();
    assert_eq!(current.id, next_id);
    assert_eq!(
        (current.start_date, current.due_date),
        (Some(day("2026-11-25")), Some(day("2026-12-01")))
    );
    // The issue with 300 labels was carried over with all of them.
    let moved = wow.issue(carried);
    assert_eq!(moved.milestone.unwrap().id, next_id);
    assert_eq!(moved.labels.len(), 300);
    // The late issue gets the label whose name has spaces, a colon and parentheses.
    let late_issue = wow.issue(late);
    assert!(
        late_issue.labels.iter().any(|l| l == unplanned),
        "{:?}",
        late_issue.labels
    );
    let findings = report["audit"]["findings"].as_array().unwrap();
    let unscheduled: Vec<_> = findings.iter().filter(|f| f["rule"] == "unscheduled").collect();
    assert_eq!(unscheduled.len(), 1);
    assert_eq!(unscheduled[0]["issue_iid"], late);
    // Titles survive every format.
    assert!(out.file("report.md").contains("Ünïcödé hotfix «prod» 🔥"));
    assert!(out.file("junit.xml").contains("Ünïcödé hotfix «prod» 🔥"));
}
