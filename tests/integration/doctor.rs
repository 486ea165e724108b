//! `wowctl doctor` through the real binary against the sandbox: each token shape
//! a team meets (admin's personal token, Planner project token, read-only Guest,
//! expired, revoked, expiring soon), the exit status, the advice, and that doctor
//! never writes.

use crate::support::{at, Wow, NOW, TOKEN};
use chrono::Duration;
use wowctl::gitlab::model::AccessLevel;
use wowctl::sandbox::seed;

fn world() -> wowctl::sandbox::World {
    seed::empty(at(NOW))
}

/// Doctor with `token` against a fresh sandbox shaped by `setup`.
fn doctor(setup: impl FnOnce(&mut wowctl::sandbox::World)) -> (Wow, crate::support::Out) {
    let wow = Wow::new(world());
    wow.sandbox.world(setup);
    let out = wow.cmd(&["doctor"]).run();
    assert_eq!(wow.writes(), 0, "doctor never writes");
    (wow, out)
}

#[test]
fn admin_maintainer_with_api_passes_but_warns_more_than_needed() {
    let (_wow, out) = doctor(|w| w.token_mut(TOKEN).unwrap().is_admin = true);
    let out = out.status(0);
    assert!(out.stdout.contains("ADMINISTRATOR"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("warning: more than needed: the token's user wowctl_bot_1 is an administrator"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "warning: more than needed: the Maintainer role in project production/infrastructure (id 1); Planner would do"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("ok: the token has everything"),
        "{}",
        out.stdout
    );
}

#[test]
fn planner_project_token_is_all_green() {
    let wow = Wow::new(world());
    wow.sandbox.world(|w| {
        w.add_token("planner-token", AccessLevel::Planner);
        w.token_mut("planner-token").unwrap().expires_at = Some(at(NOW).date_naive() + Duration::days(90));
    });
    let out = wow
        .cmd(&["doctor"])
        .env("WOW_TOKEN", "planner-token")
        .run()
        .status(0);
    for line in [
        "read milestones, issues, labels  `read_api` + Planner  `api` + Planner  ✓",
        "rotation                         `api` + Planner       `api` + Planner  ✓",
        "audit fixes (audit.fix on)       `api` + Planner       `api` + Planner  ✓",
        "Planner in project production/infrastructure (id 1)",
        "ok: the token has everything this configuration needs",
    ] {
        assert!(out.stdout.contains(line), "{line:?} missing:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("warning"), "{}", out.stdout);
    assert!(!out.stdout.contains('✗'), "{}", out.stdout);
    assert_eq!(wow.writes(), 0);
    // Every request doctor sent was a GET.
    assert!(wow.sandbox.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn read_api_guest_with_fixes_on_fails_and_says_what_to_change() {
    let wow = Wow::new(world());
    wow.sandbox.world(|w| {
        w.add_token("guest-token", AccessLevel::Guest);
        w.token_mut("guest-token").unwrap().scopes = vec!["read_api".into()];
    });
    let out = wow
        .cmd(&["doctor"])
        .env("WOW_TOKEN", "guest-token")
        .run()
        .status(1);
    assert!(
        out.stdout
            .contains("audit fixes (audit.fix on)       `api` + Planner       `read_api` + Guest  ✗"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "to change: the token lacks scope `api` (needed for: rotation, audit fixes (audit.fix on))"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "to change: the token's user wowctl_bot_2 has the Guest role in project production/infrastructure (id 1); it needs at least Planner"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(wow.writes(), 0);
}

/// A read-only run needs Planner too: a Guest does not see confidential issues, so
/// its audit would report a week that is not the team's (docs/security.md; issue 16
/// item 9: docs, doctor and README say one thing).
#[test]
fn a_read_api_guest_is_not_enough_even_for_a_dry_run() {
    let wow = Wow::new(world());
    wow.sandbox.world(|w| {
        w.add_token("guest-token", AccessLevel::Guest);
        w.token_mut("guest-token").unwrap().scopes = vec!["read_api".into()];
    });
    // A merge request pipeline is a dry run.
    let out = wow
        .cmd(&["doctor"])
        .env("WOW_TOKEN", "guest-token")
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .run()
        .status(1);
    assert!(
        out.stdout.contains("dry run: nothing is written"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("read milestones, issues, labels      `read_api` + Planner  `read_api` + Guest  ✗"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("since a Guest cannot see confidential issues"),
        "{}",
        out.stdout
    );
}

#[test]
fn expired_and_revoked_tokens_name_wow_token() {
    for (name, setup) in [
        (
            "expired",
            Box::new(|w: &mut wowctl::sandbox::World| {
                w.token_mut(TOKEN).unwrap().expires_at = Some(at(NOW).date_naive() - Duration::days(1));
            }) as Box<dyn FnOnce(&mut wowctl::sandbox::World)>,
        ),
        (
            "revoked",
            Box::new(|w: &mut wowctl::sandbox::World| {
                w.token_mut(TOKEN).unwrap().revoked = true;
            }),
        ),
    ] {
        let (_wow, out) = doctor(setup);
        let out = out.status(1);
        assert!(
            out.stderr
                .contains("GitLab rejected the token in WOW_TOKEN (401): it is invalid, expired or revoked"),
            "{name}: {}",
            out.stderr
        );
    }
}

#[test]
fn token_expiring_within_two_weeks_warns() {
    let (_wow, out) = doctor(|w| {
        w.token_mut(TOKEN).unwrap().expires_at = Some(at(NOW).date_naive() + Duration::days(5));
    });
    let out = out.status(0);
    assert!(
        out.stdout.contains(
            "warning: the token expires on 2026-11-30, in 5 days: create a new one and update WOW_TOKEN"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn group_mode_reads_the_role_in_the_group() {
    let wow = Wow::new(world());
    wow.sandbox.world(|w| {
        w.add_token("planner-token", AccessLevel::Planner);
    });
    let out = wow
        .cmd(&["doctor"])
        .env("WOW_TOKEN", "planner-token")
        .unset("WOW_PROJECT")
        .env("WOW_GROUP", "production")
        .run()
        .status(0);
    assert!(
        out.stdout.contains("Planner in group production"),
        "{}",
        out.stdout
    );
}

#[test]
fn unreachable_api_names_the_url_and_missing_project_names_it() {
    let wow = Wow::new(world());
    let out = wow
        .cmd(&["doctor"])
        .env("WOW_API_URL", "http://127.0.0.1:1/api/v4")
        .run()
        .status(1);
    assert!(
        out.stderr
            .contains("cannot reach GitLab at http://127.0.0.1:1/api/v4"),
        "{}",
        out.stderr
    );
    let out = wow
        .cmd(&["doctor"])
        .env("WOW_PROJECT", "nope/missing")
        .run()
        .status(1);
    assert!(
        out.stderr.contains("project nope/missing was not found (404)"),
        "{}",
        out.stderr
    );
}

#[test]
fn settings_errors_are_exit_2() {
    let wow = Wow::new(world());
    let out = wow.cmd(&["doctor"]).unset("WOW_TOKEN").run().status(2);
    assert!(out.stderr.contains("WOW_TOKEN"), "{}", out.stderr);
    let out = wow.cmd(&["doctor"]).env("WOW_ACTION", "bogus").run().status(2);
    assert!(out.stderr.contains("WOW_ACTION"), "{}", out.stderr);
}

/// Issue 16, item 10: by hand (no `CI_PIPELINE_SOURCE`) `wowctl run` would be a dry
/// run, but the token is the scheduled pipeline's: doctor judges the applied run,
/// says so, and never advises the `read_api` that would make the schedule fail.
#[test]
fn by_hand_judges_for_the_scheduled_applied_run() {
    let wow = Wow::new(world());
    wow.sandbox.world(|w| {
        w.add_token("planner-token", AccessLevel::Planner);
        w.add_token("guest-token", AccessLevel::Guest);
        w.token_mut("guest-token").unwrap().scopes = vec!["read_api".into()];
    });
    let by_hand = |token: &str, args: &[&str]| {
        wow.cmd(args)
            .env("WOW_TOKEN", token)
            .unset("CI_PIPELINE_SOURCE")
            .run()
    };

    let out = by_hand("planner-token", &["doctor"]).status(0);
    for line in [
        "This configuration: `run` does rotation, then audit with fixes (audit.fix on); changes are applied",
        "Judged for an applied run (what the scheduled pipeline does); pass --dry-run to judge a read-only run",
        "rotation                         `api` + Planner",
    ] {
        assert!(out.stdout.contains(line), "{line:?} missing:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("read_api` would"), "{}", out.stdout);
    assert!(!out.stdout.contains("warning"), "{}", out.stdout);

    // The read-only token would pass a dry run, but not the schedule.
    let out = by_hand("guest-token", &["doctor"]).status(1);
    assert!(
        out.stdout.contains("to change: the token lacks scope `api`"),
        "{}",
        out.stdout
    );

    // Asked for a dry run: judged for it, and the `api` token is kept for the schedule.
    let out = by_hand("planner-token", &["doctor", "--dry-run"]).status(0);
    for line in [
        "dry run: nothing is written",
        "Judged for a dry run as --dry-run=true asks; the scheduled pipeline applies changes, and applied runs need the Planner role (or higher) and scope `api`",
        "keep `api` on the token the scheduled pipeline uses",
    ] {
        assert!(out.stdout.contains(line), "{line:?} missing:\n{}", out.stdout);
    }
    assert_eq!(wow.writes(), 0);
}
