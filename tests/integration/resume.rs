//! A full `run` (rotation, carry-over, audit fixes) killed after any write, then
//! re-run, ends exactly where an uninterrupted run ends; overlapping runs end as one.

use crate::support::*;
use wowctl::sandbox::{IssueSpec, MilestoneSpec, Owner};

/// The standard tracker plus work for the audit: an issue added to `Next WoW` this
/// morning, after the week started (unscheduled once it is `WoW`), and a stray
/// `WoW ending …` left open months ago.
fn busy_tracker() -> Wow {
    let (mut world, t) = tracker(at(NOW));
    let (_, iid) =
        world.add_issue(IssueSpec::new(1, "Page storm on db-03").created(at("2026-11-25T05:00:00Z")));
    world.set_issue_milestone(1, iid, Some(t.next), at("2026-11-25T05:00:00Z"));
    world.add_milestone(
        MilestoneSpec::new(Owner::Project(1), "WoW ending 2026-06-02").created(at("2026-05-27T00:00:00Z")),
    );
    world.set_now(at(NOW));
    Wow::new(world)
}

fn full_run_state() -> (Vec<String>, usize) {
    let wow = busy_tracker();
    let out = wow.cmd(&["run"]).run().status(0);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "rotated");
    let fixed = report["audit"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fixed"] == true)
        .count();
    assert_eq!(
        fixed, 2,
        "the unscheduled label and the stray are fixed: {:#}",
        report["audit"]
    );
    (wow.state(), wow.writes())
}

#[test]
fn a_full_run_killed_after_any_write_resumes_to_the_same_tracker() {
    let (expected, writes) = full_run_state();
    // 5 rotation writes + 1 label fix + 1 stray close.
    assert_eq!(writes, 7);
    for cap in 0..writes {
        let wow = busy_tracker();
        wow.sandbox.world(|w| w.faults_mut().set_write_cap(cap));
        let killed = wow.cmd(&["run"]).run();
        assert_eq!(killed.status, 1, "cap {cap}: {}", killed.stderr);
        wow.sandbox.world(|w| w.faults_mut().clear_write_cap());
        wow.cmd(&["run"]).run().status(0);
        assert_eq!(wow.state(), expected, "cap {cap}");
        assert_eq!(wow.milestones_titled("WoW").len(), 1, "cap {cap}");
        assert_eq!(wow.milestones_titled("Next WoW").len(), 1, "cap {cap}");
        // And a third run finds nothing left to do.
        wow.clear_log();
        wow.cmd(&["run"]).now("2026-11-25T10:00:00Z").run().status(0);
        assert_eq!(
            wow.writes(),
            0,
            "cap {cap}: {:?}",
            wow.sandbox
                .requests()
                .iter()
                .filter(|r| r.is_write())
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_run_started_while_another_is_mid_rotation_ends_the_same() {
    let (expected, _) = full_run_state();
    let wow = busy_tracker();
    // Slow answers make the two runs interleave request by request.
    wow.sandbox
        .world(|w| w.faults_mut().latency = std::time::Duration::from_millis(15));
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| wow.cmd(&["run"]).env("WOW_REPORT_DIR", "a").run());
        let b = s.spawn(|| wow.cmd(&["run"]).env("WOW_REPORT_DIR", "b").run());
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!((a.status, b.status), (0, 0), "a: {}\nb: {}", a.stderr, b.stderr);
    assert_eq!(wow.state(), expected);
}
