//! Publishing into GitLab (SPEC "Publishing into GitLab", issue 14) through the
//! real binary against the sandbox: the week's summary on its milestone, the
//! weekly report issue, hand-off nudges and explained fixes. Each test checks what
//! the sandbox holds afterwards and what its request log saw.

use crate::support::*;
use serde_json::Value;
use wowctl::sandbox::{IssueSpec, World};

const SUMMARY_START: &str = "<!-- wowctl:summary -->";
const SUMMARY_END: &str = "<!-- /wowctl:summary -->";
const EVERYTHING: &str = "report:\n  publish:\n    issue: true\n    issue_labels: [\"wow-report\"]\n    handoff_comment: true\n    handoff_mentions: [\"@production-oncall\"]\n    explain_fixes: true\n";

/// The standard tracker, plus: an assigned outage silent for two days (#6), an
/// unassigned one that is fresh (#7), and an issue added to `Next WoW` this
/// morning, after the week started (unscheduled once it is `WoW`, #8).
fn world() -> World {
    let (mut w, t) = tracker(at(NOW));
    w.add_issue(
        IssueSpec::new(1, "Database failover flapping")
            .labels(&["outage"])
            .assignee("bob.sre")
            .created(at("2026-11-23T08:00:00Z")),
    );
    w.add_issue(
        IssueSpec::new(1, "Webhook deliveries failing")
            .labels(&["outage"])
            .created(at("2026-11-25T07:00:00Z")),
    );
    let (_, iid) = w.add_issue(IssueSpec::new(1, "Page storm on db-03").created(at("2026-11-25T05:00:00Z")));
    w.set_issue_milestone(1, iid, Some(t.next), at("2026-11-25T05:00:00Z"));
    w.set_now(at(NOW));
    w
}

/// A `.wow.yml` in a directory of its own (kept while the test runs) and its path.
struct Config {
    _dir: tempfile::TempDir,
    path: String,
}

fn config(text: &str) -> Config {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(".wow.yml");
    std::fs::write(&path, text).expect("write .wow.yml");
    let path = path.display().to_string();
    Config { _dir: dir, path }
}

fn run(wow: &Wow, cfg: &Config, now: &str) -> Out {
    wow.cmd(&["run"]).env("WOW_CONFIG", &cfg.path).now(now).run()
}

fn comments(wow: &Wow, iid: u64) -> Vec<String> {
    wow.sandbox
        .world(|w| w.notes(1, iid))
        .into_iter()
        .filter(|n| !n.system)
        .map(|n| n.body)
        .collect()
}

fn report_issues(wow: &Wow) -> Vec<(u64, String, bool, String)> {
    wow.sandbox.world(|w| {
        w.issues(1)
            .into_iter()
            .filter(|i| {
                i.description
                    .as_deref()
                    .is_some_and(|d| d.starts_with("<!-- wowctl:report"))
            })
            .map(|i| {
                let open = i.is_open();
                (i.iid, i.title, open, i.description.unwrap_or_default())
            })
            .collect()
    })
}

fn publish_actions(out: &Out) -> Vec<Value> {
    out.report()["publish"]["actions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn the_closed_week_carries_its_summary_and_a_persons_text_survives() {
    let wow = Wow::new(world());
    // A person's notes on the milestone before the rotation.
    let notes = "Retro: *failover drill* went well.\r\nKeep this line.\t";
    let wow_id = wow.milestone("WoW").expect("WoW").id;
    wow.sandbox.world(|w| {
        w.milestone_mut(wow_id).expect("WoW").description = notes.to_string();
    });
    let out = wow.cmd(&["run"]).run().status(0);
    let closed = wow.milestone("WoW ending 2026-11-24").expect("closed week");
    let description = closed.description.unwrap_or_default();
    assert!(
        description.starts_with(&format!("{notes}\n\n{SUMMARY_START}\n")),
        "{description}"
    );
    assert!(description.ends_with(SUMMARY_END));
    assert!(description.contains("- Done (1):\n  - #2+\n"), "{description}");
    // The new `WoW` by its iid: the link keeps pointing at this week after it is renamed.
    let new_wow = wow.milestone("WoW").expect("WoW").iid;
    assert!(
        description.contains(&format!(
            "- Still open, carried over to %{new_wow} (2):\n  - #1+\n  - #3+\n"
        )),
        "{description}"
    );
    assert!(
        !description.contains("Upgrade Postgres"),
        "references, not titles: {description}"
    );
    // No extra request: the summary rode on step 1's PUT.
    let puts = wow.count("PUT");
    assert_eq!(
        puts,
        2 + 2 + 1,
        "rename/close, rename, two moves, one label fix: {puts}"
    );
    let actions = publish_actions(&out);
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "publish");
    assert_eq!(actions[0]["outcome"], "applied");
    // A second run in the week writes nothing.
    wow.clear_log();
    wow.cmd(&["run"]).run().status(0);
    assert_eq!(wow.writes(), 0);
    assert_eq!(
        wow.milestone("WoW ending 2026-11-24").and_then(|m| m.description),
        Some(description)
    );
}

#[test]
fn summary_off_writes_no_description() {
    let wow = Wow::new(world());
    let cfg = config("report:\n  publish:\n    milestone_summary: false\n");
    run(&wow, &cfg, NOW).status(0);
    let closed = wow.milestone("WoW ending 2026-11-24").expect("closed week");
    assert_eq!(closed.description.unwrap_or_default(), "");
}

#[test]
fn the_report_issue_lives_a_week_and_the_next_one_replaces_it() {
    let wow = Wow::new(world());
    let cfg = config(EVERYTHING);
    let out = run(&wow, &cfg, NOW).status(0);
    let issues = report_issues(&wow);
    assert_eq!(issues.len(), 1, "{issues:?}");
    let (iid, title, open, body) = &issues[0];
    assert_eq!(title, "WoW report: 2026-11-25 – 2026-12-01");
    assert!(open);
    assert!(
        body.starts_with("<!-- wowctl:report week=2026-11-25 digest="),
        "{body}"
    );
    assert!(
        body.contains("**Rotated · "),
        "the report itself, its headline first: {body}"
    );
    // Carried-over issues by count only: a reference in an issue's description makes
    // GitLab note "mentioned in" on the issue, weekly, for every carried issue.
    assert!(body.contains("**Carried over:** 2 issues to %\"WoW\""), "{body}");
    assert!(!body.contains("#1, #3"), "{body}");
    let labels = wow.sandbox.world(|w| w.issue(1, *iid)).map(|i| i.labels);
    assert_eq!(labels, Some(vec!["wow-report".to_string()]));
    assert!(publish_actions(&out).iter().any(|a| a["description"]
        .as_str()
        .is_some_and(|d| d.starts_with("create the report issue"))));

    // A second run in the week: same findings, nothing changed, nothing written.
    wow.clear_log();
    run(&wow, &cfg, "2026-11-25T15:00:00Z").status(0);
    assert_eq!(wow.writes(), 0, "{:?}", wow.sandbox.requests());

    // Renamed by a person: found again by its marker, not duplicated.
    wow.sandbox
        .world(|w| w.issue_mut(1, *iid).expect("issue").title = "Our week".into());
    wow.sandbox.world(|w| {
        // A new finding makes the report worth rewriting.
        let _ = w.add_issue(
            IssueSpec::new(1, "Disk full on db-07")
                .labels(&["outage"])
                .created(at("2026-11-25T14:00:00Z")),
        );
    });
    run(&wow, &cfg, "2026-11-25T16:00:00Z").status(0);
    let issues = report_issues(&wow);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].1, "Our week", "the person's title stays");
    assert!(
        issues[0].3.contains("#10"),
        "the new finding is in: {}",
        issues[0].3
    );

    // Next week: last week's report is closed, a new one opened.
    run(&wow, &cfg, "2026-12-02T09:00:00Z").status(0);
    let issues = report_issues(&wow);
    assert_eq!(issues.len(), 2, "{issues:?}");
    let old = issues.iter().find(|i| i.0 == *iid).expect("last week's");
    assert!(!old.2, "last week's report is closed");
    let new = issues.iter().find(|i| i.0 != *iid).expect("this week's");
    assert!(new.2 && new.1 == "WoW report: 2026-12-02 – 2026-12-08", "{new:?}");
}

#[test]
fn two_runs_at_once_leave_one_report_issue() {
    let wow = Wow::new(world());
    let cfg = config(EVERYTHING);
    // 20 ms per request so the two runs interleave.
    wow.sandbox
        .world(|w| w.faults_mut().latency = std::time::Duration::from_millis(20));
    let a = wow.cmd(&["run"]).env("WOW_CONFIG", &cfg.path).spawn();
    let b = wow.cmd(&["run"]).env("WOW_CONFIG", &cfg.path).spawn();
    let (a, b) = (a.wait(), b.wait());
    assert_eq!((a.status, b.status), (0, 0), "{}\n{}", a.stderr, b.stderr);
    let open: Vec<_> = report_issues(&wow).into_iter().filter(|i| i.2).collect();
    assert_eq!(open.len(), 1, "{open:?}");
}

#[test]
fn a_hand_off_nudge_once_per_window_and_wowctl_is_not_a_sign_of_life() {
    let wow = Wow::new(world());
    let cfg = config(EVERYTHING);
    run(&wow, &cfg, NOW).status(0);
    // #6: assigned to bob, silent two days: nudged, bob mentioned.
    let on_6 = comments(&wow, 6);
    assert_eq!(on_6.len(), 1, "{on_6:?}");
    assert!(
        on_6[0].starts_with(
            "@bob.sre @production-oncall this ~outage issue has had no update for 2d 1h (the limit is 24h). \
             Please hand it off here: who owns it now, its status, and the next step."
        ),
        "{}",
        on_6[0]
    );
    assert!(on_6[0].ends_with("<!-- wowctl:handoff -->"));
    // #7: unassigned (fresh): the configured mentions only.
    let on_7 = comments(&wow, 7);
    assert_eq!(on_7.len(), 1, "{on_7:?}");
    assert!(
        on_7[0].starts_with(
            "@production-oncall this ~outage issue has no owner. \
             Please write here who takes it, its status, and the next step."
        ),
        "{}",
        on_7[0]
    );
    // #8 got ~unscheduled, and a comment that says why, naming `WoW` by its iid.
    let on_8 = comments(&wow, 8);
    assert_eq!(on_8.len(), 1, "{on_8:?}");
    let wow_iid = wow.milestone("WoW").expect("WoW").iid;
    assert!(
        on_8[0].starts_with(&format!(
            "wowctl added ~unscheduled: this issue was added to %{wow_iid} on 2026-11-25 05:00 UTC"
        )),
        "{}",
        on_8[0]
    );

    // Six hours later: still silent (wowctl's own comment is no sign of life), not nudged again.
    let later = run(&wow, &cfg, "2026-11-25T15:00:00Z").status(0);
    assert_eq!(comments(&wow, 6).len(), 1);
    let handoff: Vec<Value> = later.report()["audit"]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["rule"] == "handoff" && f["issue_iid"] == 6)
        .collect();
    assert_eq!(
        handoff.len(),
        1,
        "#6 still needs a hand-off after wowctl's comment"
    );
    // After the window: nudged again.
    run(&wow, &cfg, "2026-11-26T10:00:00Z").status(0);
    assert_eq!(comments(&wow, 6).len(), 2);
    // A person answers: the silence ends, no more nudges.
    wow.sandbox.world(|w| {
        w.add_note(
            1,
            6,
            "bob.sre",
            "Handing over to dave: failover fixed, watching.",
            at("2026-11-26T11:00:00Z"),
        )
    });
    run(&wow, &cfg, "2026-11-26T20:00:00Z").status(0);
    assert_eq!(comments(&wow, 6).len(), 3, "bob's note, no new nudge");
}

#[test]
fn a_dry_run_with_everything_on_writes_nothing_and_lists_every_publish_step() {
    let wow = Wow::new(world());
    let cfg = config(EVERYTHING);
    let out = wow
        .cmd(&["run", "--dry-run"])
        .env("WOW_CONFIG", &cfg.path)
        .run()
        .status(0);
    assert_eq!(wow.writes(), 0);
    let descriptions: Vec<String> = publish_actions(&out)
        .iter()
        .map(|a| format!("{} {}", a["outcome"], a["description"]))
        .collect();
    let want = [
        "\"planned\" \"write the week's summary into the description of \\\"WoW ending 2026-11-24\\\" (with step 1)\"",
        "\"planned\" \"comment on #6: hand-off nudge\"",
        "\"planned\" \"comment on #7: hand-off nudge\"",
        "\"planned\" \"comment on #8: why it got the unscheduled label\"",
        "\"planned\" \"create the report issue \\\"WoW report: 2026-11-25 – 2026-12-01\\\"\"",
    ];
    for w in want {
        assert!(
            descriptions.iter().any(|d| d == w),
            "{w} not in {descriptions:#?}"
        );
    }
}

#[test]
fn a_refused_publish_is_an_error_and_the_rotation_stands() {
    let wow = Wow::new(world());
    let cfg = config(EVERYTHING);
    wow.sandbox.world(|w| {
        w.faults_mut().fail_matching("POST", "/notes", 3, 403);
        w.faults_mut().fail_matching("POST", "/issues$", 1, 403);
    });
    let out = run(&wow, &cfg, NOW).status(1);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "rotated");
    assert!(wow.milestone("WoW ending 2026-11-24").is_some());
    let errors = report["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(errors.iter().all(|e| e["step"] == "publish"));
    assert!(report_issues(&wow).is_empty());
}

/// What publishing costs per run, pinned (the note of issue 14 quotes it): off,
/// the milestone summary alone (the default), and everything on.
#[test]
fn the_request_cost_of_publishing() {
    let cost = |cfg: &str| {
        let wow = Wow::new(world());
        let cfg = config(cfg);
        run(&wow, &cfg, NOW).status(0);
        (wow.count("GET"), wow.writes())
    };
    let off = cost("report:\n  publish:\n    milestone_summary: false\n");
    let summary = cost("");
    let all = cost(EVERYTHING);
    assert_eq!(summary, off, "the summary costs no request");
    // Everything on: /user, the notes of the 2 hand-off issues, 3 searches
    // (title, marker, last week's); 3 comments, 1 issue created + its race check.
    assert_eq!(all.0 - off.0, 1 + 2 + 3 + 1, "GETs");
    assert_eq!(all.1 - off.1, 3 + 1, "writes");
}
