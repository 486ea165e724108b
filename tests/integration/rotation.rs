//! Rotation end to end (SPEC "Rotation"): the real binary against the sandbox.

use crate::support::*;
use wowctl::gitlab::model::{IssueState, MilestoneState};

#[test]
fn wednesday_rotation_renames_closes_creates_and_carries_over() {
    let (world, t) = tracker(at(NOW));
    let wow = Wow::new(world);
    let out = wow.cmd(&["rotate"]).run().status(0);

    let closed = wow
        .milestone("WoW ending 2026-11-24")
        .expect("closed week exists");
    assert_eq!(closed.id, t.wow, "the closed week keeps WoW's id");
    assert_eq!(closed.state, MilestoneState::Closed);
    let current = wow.milestone("WoW").expect("WoW exists");
    assert_eq!(current.id, t.next, "the new WoW is the old Next WoW");
    assert_eq!(
        (current.start_date, current.due_date),
        (Some(day("2026-11-25")), Some(day("2026-12-01")))
    );
    let next = wow.milestone("Next WoW").expect("a new Next WoW exists");
    assert!(next.id != t.next && next.id != t.wow);
    assert_eq!(
        (next.start_date, next.due_date),
        (Some(day("2026-12-02")), Some(day("2026-12-08")))
    );
    assert_eq!(next.state, MilestoneState::Active);

    // Open issues of last week moved; the closed one stays in the closed week.
    assert_eq!(wow.issue(1).milestone.unwrap().id, t.next);
    assert_eq!(wow.issue(3).milestone.unwrap().id, t.next);
    let closed_issue = wow.issue(2);
    assert_eq!(closed_issue.state, IssueState::Closed);
    assert_eq!(closed_issue.milestone.unwrap().id, t.wow);
    assert_eq!(wow.issue(4).milestone.unwrap().id, t.next);

    let report = out.report();
    assert_eq!(report["rotation"]["status"], "rotated");
    assert_eq!(
        report["rotation"]["closed_milestone"]["title"],
        "WoW ending 2026-11-24"
    );
    assert_eq!(report["rotation"]["current_milestone"]["title"], "WoW");
    assert_eq!(report["rotation"]["weeks_missed"], 0);
    let mut carried: Vec<u64> = report["rotation"]["carried_over"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    carried.sort();
    assert_eq!(carried, vec![1, 3]);
    // One PUT close+rename, one PUT rename, one POST create, two PUT moves.
    assert_eq!(
        (wow.count("PUT"), wow.count("POST"), wow.count("DELETE")),
        (4, 1, 0)
    );
    assert_eq!(report["audit"]["status"], "skipped");
}

#[test]
fn second_run_in_the_same_week_writes_nothing() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    wow.cmd(&["rotate"]).run().status(0);
    let before = wow.state();
    wow.clear_log();
    let out = wow.cmd(&["rotate"]).now("2026-11-27T15:00:00Z").run().status(0);
    assert_eq!(
        wow.writes(),
        0,
        "no POST/PUT/DELETE: {:?}",
        wow.sandbox.requests()
    );
    assert_eq!(out.report()["rotation"]["status"], "not_due");
    assert_eq!(wow.state(), before);
}

#[test]
fn dry_run_sends_no_write_and_lists_every_step() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let before = wow.state();
    let out = wow.cmd(&["run", "--dry-run"]).run().status(0);
    assert_eq!(wow.writes(), 0);
    assert_eq!(wow.state(), before);
    let report = out.report();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["rotation"]["status"], "planned");
    let kinds: Vec<&str> = report["rotation"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["close_and_rename", "rename", "create", "move_issue", "move_issue"]
    );
    assert!(report["rotation"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["outcome"] == "planned"));
}

#[test]
fn merge_request_pipelines_are_dry_runs() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let out = wow
        .cmd(&["run"])
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .run()
        .status(0);
    assert_eq!(wow.writes(), 0);
    assert_eq!(out.report()["dry_run"], true);
    // Only an explicit WOW_DRY_RUN=false writes from such a pipeline.
    wow.cmd(&["rotate"])
        .env("CI_PIPELINE_SOURCE", "push")
        .env("WOW_DRY_RUN", "false")
        .run()
        .status(0);
    assert!(wow.milestone("WoW ending 2026-11-24").is_some());
}

/// The state an uninterrupted rotation ends in.
fn uninterrupted() -> Vec<String> {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    wow.cmd(&["rotate"]).run().status(0);
    wow.state()
}

#[test]
fn a_run_killed_after_any_write_resumes_to_the_same_state() {
    let expected = uninterrupted();
    // The rotation sends 5 writes (close+rename, rename, create, 2 moves).
    for cap in 0..5 {
        let (world, _) = tracker(at(NOW));
        let wow = Wow::new(world);
        wow.sandbox.world(|w| w.faults_mut().set_write_cap(cap));
        let out = wow.cmd(&["rotate"]).run();
        assert_eq!(out.status, 1, "cap {cap}: the killed run fails\n{}", out.stderr);
        assert!(
            !out.report()["errors"].as_array().unwrap().is_empty(),
            "cap {cap}: the report says what failed"
        );
        wow.sandbox.world(|w| w.faults_mut().clear_write_cap());
        let resumed = wow.cmd(&["rotate"]).run().status(0);
        let status = resumed.report()["rotation"]["status"].clone();
        let expected_status = if cap == 0 { "rotated" } else { "resumed" };
        assert_eq!(status, expected_status, "cap {cap}");
        assert_eq!(
            wow.state(),
            expected,
            "cap {cap}: same end state as an uninterrupted run"
        );
        assert_eq!(
            wow.milestones_titled("Next WoW").len(),
            1,
            "cap {cap}: no duplicate"
        );
    }
}

#[test]
fn closed_but_not_renamed_wow_is_resumed() {
    let (world, t) = tracker(at(NOW));
    let wow = Wow::new(world);
    // GitLab closed WoW and then refused the title (gitlab-api.md §2).
    wow.sandbox
        .world(|w| w.milestone_mut(t.wow).unwrap().state = MilestoneState::Closed);
    let out = wow.cmd(&["rotate"]).run().status(0);
    assert_eq!(out.report()["rotation"]["status"], "resumed");
    assert_eq!(wow.state(), uninterrupted());
}

#[test]
fn two_runs_at_once_end_as_one() {
    let expected = uninterrupted();
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| wow.cmd(&["rotate"]).env("WOW_REPORT_DIR", "a").run());
        let b = s.spawn(|| wow.cmd(&["rotate"]).env("WOW_REPORT_DIR", "b").run());
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!((a.status, b.status), (0, 0), "a: {}\nb: {}", a.stderr, b.stderr);
    assert_eq!(wow.state(), expected);
    assert_eq!(wow.milestones_titled("Next WoW").len(), 1);
}

#[test]
fn missed_weeks_rotate_once_named_for_the_latest_week() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let out = wow.cmd(&["rotate"]).now("2026-12-10T08:00:00Z").run().status(0);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "rotated");
    assert_eq!(
        report["rotation"]["closed_milestone"]["title"],
        "WoW ending 2026-12-08"
    );
    assert_eq!(report["rotation"]["weeks_missed"], 2);
    assert!(wow.milestone("WoW ending 2026-11-24").is_none());
    let current = wow.milestone("WoW").unwrap();
    assert_eq!(current.start_date, Some(day("2026-12-09")));
}

#[test]
fn a_new_project_gets_both_milestones() {
    let wow = Wow::new(wowctl::sandbox::seed::empty(at(NOW)));
    let out = wow.cmd(&["rotate"]).run().status(0);
    assert_eq!(out.report()["rotation"]["status"], "created");
    let current = wow.milestone("WoW").unwrap();
    assert_eq!(
        (current.start_date, current.due_date),
        (Some(day("2026-11-25")), Some(day("2026-12-01")))
    );
    assert!(wow.milestone("Next WoW").is_some());
    wow.clear_log();
    wow.cmd(&["rotate"]).run().status(0);
    assert_eq!(wow.writes(), 0, "the WoW created this week is not rotated again");
}

#[test]
fn a_timezone_east_of_utc_is_already_on_wednesday() {
    // 2026-11-24T12:00Z is Tuesday in UTC and Wednesday 01:00 in Auckland.
    let (world, _) = tracker(at("2026-11-24T12:00:00Z"));
    let wow = Wow::new(world);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wow.yml");
    std::fs::write(&config, "week:\n  timezone: Pacific/Auckland\n").unwrap();
    let out = wow
        .cmd(&["rotate", "--config", config.to_str().unwrap()])
        .now("2026-11-24T12:00:00Z")
        .run()
        .status(0);
    assert_eq!(out.report()["rotation"]["status"], "rotated");
    assert_eq!(out.report()["week"]["start"], "2026-11-25");
    assert!(wow.milestone("WoW ending 2026-11-24").is_some());
    // In UTC the same moment is still last week: nothing to do.
    let (world, _) = tracker(at("2026-11-24T12:00:00Z"));
    let utc = Wow::new(world);
    let out = utc.cmd(&["rotate"]).now("2026-11-24T12:00:00Z").run().status(0);
    assert_eq!(out.report()["rotation"]["status"], "not_due");
}

#[test]
fn a_duplicate_next_wow_without_issues_is_deleted() {
    let (mut world, t) = tracker(at(NOW));
    let copy = world.add_milestone(
        wowctl::sandbox::MilestoneSpec::new(wowctl::sandbox::Owner::Project(1), "Next WoW")
            .created(at("2026-11-19T00:00:00Z")),
    );
    let wow = Wow::new(world);
    wow.cmd(&["rotate"]).run().status(0);
    assert!(
        wow.sandbox.world(|w| w.milestone(copy)).is_none(),
        "the newer empty copy is gone"
    );
    assert_eq!(wow.milestone("WoW").unwrap().id, t.next);
}

#[test]
fn group_milestones_rotate_with_issues_across_the_group() {
    let mut world = wowctl::sandbox::seed::empty(at(NOW));
    let g = wowctl::sandbox::Owner::Group(1);
    let second = world.add_project("api", Some(1));
    let wow_id = world.add_milestone(
        wowctl::sandbox::MilestoneSpec::new(g, "WoW")
            .dates(day("2026-11-18"), day("2026-11-24"))
            .created(at("2026-11-11T00:00:00Z")),
    );
    let next_id = world.add_milestone(
        wowctl::sandbox::MilestoneSpec::new(g, "Next WoW")
            .dates(day("2026-11-25"), day("2026-12-01"))
            .created(at("2026-11-18T00:00:00Z")),
    );
    let t0 = at("2026-11-18T10:00:00Z");
    world.add_issue(
        wowctl::sandbox::IssueSpec::new(1, "Infra work")
            .milestone(wow_id)
            .created(t0),
    );
    world.add_issue(
        wowctl::sandbox::IssueSpec::new(second, "API work")
            .milestone(wow_id)
            .created(t0),
    );
    let wow = Wow::new(world);
    let out = wow
        .cmd(&["rotate"])
        .unset_project()
        .env("WOW_GROUP", "production")
        .run()
        .status(0);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "rotated");
    let mut carried: Vec<String> = report["rotation"]["carried_over"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().expect("full references in group mode").to_string())
        .collect();
    carried.sort();
    assert_eq!(carried, ["production/api#1", "production/infrastructure#1"]);
    let closed = wow.milestone("WoW ending 2026-11-24").unwrap();
    assert_eq!((closed.id, closed.group_id), (wow_id, Some(1)));
    assert_eq!(wow.milestone("WoW").unwrap().id, next_id);
    let moved = wow.sandbox.world(|w| w.issue(second, 1)).unwrap();
    assert_eq!(
        moved.milestone.unwrap().id,
        next_id,
        "an issue of another project of the group moved too"
    );
    assert_eq!(wow.milestone("Next WoW").unwrap().group_id, Some(1));
}

#[test]
fn a_closed_next_wow_blocking_the_title_is_explained() {
    let (mut world, _) = tracker(at(NOW));
    // Someone closed "Next WoW" by hand last week; its title still blocks a new one.
    let next = world.milestone_by_title("Next WoW").unwrap().id;
    world.milestone_mut(next).unwrap().state = MilestoneState::Closed;
    let wow = Wow::new(world);
    let out = wow.cmd(&["rotate"]).run().status(1);
    assert!(
        out.stderr.contains("Next WoW") && out.stderr.contains("reopen or rename it"),
        "{}",
        out.stderr
    );
    assert_eq!(out.report()["rotation"]["status"], "failed");
    // The week still rotated and its open issues still moved to the new WoW.
    let current = wow.milestone("WoW").expect("a WoW for this week");
    assert!(current.is_open());
    assert_eq!(wow.issue(1).milestone.unwrap().id, current.id);
    assert_eq!(wow.issue(3).milestone.unwrap().id, current.id);
}
