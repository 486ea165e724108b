//! Built-in trackers: `demo` (a realistic production team's tracker, seen at the
//! end of the previous week so that a run at `now` really rotates), `empty` (a
//! project with labels and no milestones) and `scale` (N issues, for benchmarks).
//!
//! Weeks start Wednesday 00:00 UTC. Every time is derived from `now`; nothing here
//! reads the wall clock. Seeds build records directly (no API rules, no clock ticks).

use super::spec::{IssueSpec, MilestoneSpec, Owner};
use super::state::World;
use crate::gitlab::model::AccessLevel;
use chrono::{DateTime, Duration, NaiveDate, Utc, Weekday};

/// The token every seed accepts (Maintainer).
pub const TOKEN: &str = "sandbox-token";

const UNSCHEDULED: &str = "unscheduled";
const OUTAGE: &str = "outage";
const DATA_LOSS: &str = "(perceived) data loss";
const P1: &str = "priority::1";
const P2: &str = "priority::2";
const P3: &str = "priority::3";

/// The Wednesday 00:00 UTC at or before `now`.
pub fn week_start(now: DateTime<Utc>) -> DateTime<Utc> {
    crate::week::week_of(now, Weekday::Wed, chrono_tz::Tz::UTC).start
}

fn date(t: DateTime<Utc>) -> NaiveDate {
    t.date_naive()
}

/// `WoW ending YYYY-MM-DD` for the week starting at `start`.
fn closed_title(start: DateTime<Utc>) -> String {
    format!("WoW ending {}", date(start + Duration::days(6)))
}

/// Group `production`, project `production/infrastructure` (id 1), the token, labels.
fn base(now: DateTime<Utc>) -> World {
    let mut w = World::new(now);
    let group = w.add_group("production");
    let project = w.add_project("infrastructure", Some(group));
    w.add_token(TOKEN, AccessLevel::Maintainer);
    // The hand-off labels are the group's; the rest belong to the project (§5 lists both).
    w.add_label(Owner::Group(group), OUTAGE, "#dc143c");
    w.add_label(Owner::Group(group), DATA_LOSS, "#8b0000");
    w.add_label(Owner::Project(project), UNSCHEDULED, "#f0ad4e");
    // No ~priority::4 yet: the demo's configuration names it, so `label_definitions`
    // has something to find (and create).
    for (name, color) in [(P1, "#ff0000"), (P2, "#ff8c00"), (P3, "#ffd700")] {
        w.add_label(Owner::Project(project), name, color);
    }
    w
}

pub fn empty(now: DateTime<Utc>) -> World {
    base(now)
}

/// A note a seed writes: author, body, time, and whether GitLab wrote it.
struct SeedNote {
    author: &'static str,
    body: &'static str,
    at: DateTime<Utc>,
    system: bool,
}

/// One demo issue's life: created (maybe in a milestone), moved, closed, touched,
/// commented on.
struct Plan {
    title: &'static str,
    labels: Vec<&'static str>,
    assignee: Option<&'static str>,
    created: DateTime<Utc>,
    milestone: Option<u64>,
    moves: Vec<(Option<u64>, DateTime<Utc>)>,
    closed: Option<DateTime<Utc>>,
    touched: Option<DateTime<Utc>>,
    notes: Vec<SeedNote>,
}

fn plan(title: &'static str, labels: &[&'static str], created: DateTime<Utc>) -> Plan {
    Plan {
        title,
        labels: labels.to_vec(),
        assignee: None,
        created,
        milestone: None,
        moves: Vec::new(),
        closed: None,
        touched: None,
        notes: Vec::new(),
    }
}

impl Plan {
    fn to(mut self, who: &'static str) -> Plan {
        self.assignee = Some(who);
        self
    }
    fn in_ms(mut self, milestone: u64) -> Plan {
        self.milestone = Some(milestone);
        self
    }
    fn moved(mut self, milestone: Option<u64>, at: DateTime<Utc>) -> Plan {
        self.moves.push((milestone, at));
        self
    }
    fn closed(mut self, at: DateTime<Utc>) -> Plan {
        self.closed = Some(at);
        self
    }
    fn touched(mut self, at: DateTime<Utc>) -> Plan {
        self.touched = Some(at);
        self
    }
    /// A person's comment. Seeds keep comments at or before the issue's last
    /// update, so they never change what the audit sees in `updated_at`.
    fn comment(mut self, author: &'static str, body: &'static str, at: DateTime<Utc>) -> Plan {
        self.notes.push(SeedNote {
            author,
            body,
            at,
            system: false,
        });
        self
    }
    fn system_note(mut self, author: &'static str, body: &'static str, at: DateTime<Utc>) -> Plan {
        self.notes.push(SeedNote {
            author,
            body,
            at,
            system: true,
        });
        self
    }
}

/// Creates the issues in creation order (so iids grow with time), then replays
/// their moves (events), closes, later activity and notes.
fn plant(w: &mut World, project: u64, mut plans: Vec<Plan>) {
    plans.sort_by_key(|p| p.created);
    for p in plans {
        let mut spec = IssueSpec::new(project, p.title)
            .labels(&p.labels)
            .created(p.created);
        spec.milestone_id = p.milestone;
        if let Some(who) = p.assignee {
            spec = spec.assignee(who);
        }
        let (_, iid) = w.add_issue(spec);
        for (milestone, at) in p.moves {
            w.set_issue_milestone(project, iid, milestone, at);
        }
        if let Some(issue) = w.issue_mut(project, iid) {
            if let Some(at) = p.closed {
                issue.state = crate::gitlab::model::IssueState::Closed;
                issue.closed_at = Some(at);
                issue.updated_at = issue.updated_at.max(at);
            }
            if let Some(at) = p.touched {
                issue.updated_at = issue.updated_at.max(at);
            }
        }
        let mut notes = p.notes;
        notes.sort_by_key(|n| n.at);
        for n in notes {
            if n.system {
                w.add_system_note(project, iid, n.author, n.body, n.at);
            } else {
                w.add_note(project, iid, n.author, n.body, n.at);
            }
        }
    }
}

/// The demo tracker as it looked at the end of the previous week: `WoW` still
/// holds last week (so a run at `now` rotates), `Next WoW` holds this week, eight
/// closed weeks of history, one stray open `WoW ending ...` from long ago, ~60
/// issues that trip every audit rule at least once. The outage and data-loss
/// issues carry people's comments (never later than the issue's last update, so
/// the audit's findings do not depend on them): the assigned outage was last
/// commented on two hours ago, the data-loss report days ago, and the unassigned
/// outage only by its reporter.
pub fn demo(now: DateTime<Utc>) -> World {
    let mut w = base(now);
    let project = 1;
    let this_week = week_start(now);
    let p = this_week - Duration::days(7); // the week `WoW` still covers
    let d = Duration::days;
    let h = Duration::hours;
    let m = Duration::minutes;
    let scope = Owner::Project(project);

    // Eight closed weeks; week k started k weeks before `p`. Each was created as
    // `Next WoW` at the rotation a week before it started and closed at the one after.
    let mut history = Vec::new();
    for k in (1..=8).rev() {
        let start = p - d(7 * k);
        let id = w.add_milestone(
            MilestoneSpec::new(scope, &closed_title(start))
                .dates(date(start), date(start + d(6)))
                .created(start - d(7) + m(3))
                .updated(start + d(7) + m(1))
                .closed(),
        );
        history.push((start, id));
    }
    let stray_start = p - d(7 * 30);
    let stray = w.add_milestone(
        MilestoneSpec::new(scope, &closed_title(stray_start))
            .dates(date(stray_start), date(stray_start + d(6)))
            .created(stray_start - d(7))
            .updated(stray_start + d(7)),
    );
    let wow = w.add_milestone(
        MilestoneSpec::new(scope, "WoW")
            .dates(date(p), date(p + d(6)))
            .created(p - d(7) + m(3))
            .updated(p + m(2)),
    );
    let next = w.add_milestone(
        MilestoneSpec::new(scope, "Next WoW")
            .dates(date(this_week), date(this_week + d(6)))
            .created(p + m(3)),
    );

    let mut plans = Vec::new();
    let history_titles: [(&str, &str, &str); 8] = [
        (
            "Resize etcd volumes",
            "Hotfix: stale DNS cache on runners",
            "Outage: container registry 503s",
        ),
        (
            "Upgrade ingress controller",
            "Hotfix: expired token for backups",
            "Rework alert thresholds for disks",
        ),
        (
            "Migrate metrics to long-term storage",
            "Restore accidentally deleted runner",
            "Outage: CI jobs stuck pending",
        ),
        (
            "Automate certificate renewal",
            "Hotfix: broken Terraform state lock",
            "Split logging cluster by tenant",
        ),
        (
            "Patch OpenSSL on load balancers",
            "Unblock release: mirror out of sync",
            "Outage: Git SSH unreachable",
        ),
        (
            "Add read replica for analytics",
            "Hotfix: cron job flooding mail queue",
            "Harden bastion SSH config",
        ),
        (
            "Move backups to new bucket",
            "Revert faulty firewall change",
            "Outage: Pages deploys failing",
        ),
        (
            "Introduce on-call handbook",
            "Hotfix: full disk on Gitaly node",
            "Benchmark new storage class",
        ),
    ];
    for (i, &(start, ms)) in history.iter().enumerate() {
        let (planned, hotfix, third) = history_titles[i];
        let who = ["alice.ops", "bob.sre", "carol.dev", "dave.db", "erin.net"][i % 5];
        plans.push(
            plan(planned, &[P2], start - d(3))
                .to(who)
                .in_ms(ms)
                .closed(start + d(2) + h(5)),
        );
        plans.push(
            plan(hotfix, &[UNSCHEDULED, P1], start + d(1) + h(10))
                .to(who)
                .in_ms(ms)
                .closed(start + d(1) + h(16)),
        );
        if i % 2 == 0 {
            plans.push(
                plan(third, &[OUTAGE, P1], start + d(3) + h(2))
                    .to("bob.sre")
                    .in_ms(ms)
                    .closed(start + d(3) + h(6))
                    .comment(
                        "bob.sre",
                        "Rolled back the change that triggered this; error rate is back to baseline. Closing after the postmortem notes are in.",
                        start + d(3) + h(5),
                    ),
            );
        } else {
            plans.push(
                plan(third, &[P3], start - d(5))
                    .to(who)
                    .moved(Some(ms), start - d(2))
                    .closed(start + d(4)),
            );
        }
    }
    // Carried over at a past rotation: opened in the second-to-last week, finished in the last.
    let (start_2, ms_2) = history[6];
    let (start_1, ms_1) = history[7];
    plans.push(
        plan("Investigate slow Gitaly RPCs", &[P2], start_2 - d(2))
            .to("carol.dev")
            .in_ms(ms_2)
            .moved(Some(ms_1), start_1 + m(4))
            .closed(start_1 + d(2)),
    );

    // `WoW` (last week). Planned: in it (as `Next WoW`) before the week started.
    plans.extend([
        plan("Upgrade PostgreSQL replicas to 16", &[P2], p - d(6))
            .to("dave.db")
            .in_ms(wow)
            .touched(p + d(3)),
        plan("Rotate TLS certificates for edge proxies", &[P1], p - d(5))
            .to("erin.net")
            .in_ms(wow)
            .closed(p + d(1)),
        plan("Runbook: disk pressure on CI runners", &[P3], p - d(5) + h(2))
            .to("alice.ops")
            .in_ms(wow)
            .closed(p + d(2)),
        plan("Decommission legacy monitoring host", &[P3], p - d(4))
            .to("bob.sre")
            .in_ms(wow)
            .touched(p + d(1)),
        plan("Tune Sidekiq concurrency", &[], p - d(3))
            .to("carol.dev")
            .in_ms(wow),
        plan("Capacity review for object storage", &[P2, P3], p - d(2))
            .to("alice.ops")
            .in_ms(wow),
        plan("Patch kernel on bastion hosts", &[P1], p - d(2) + h(3))
            .to("erin.net")
            .in_ms(wow)
            .closed(p + d(3)),
        plan("Alert fatigue: silence flapping disk alerts", &[P3], p - d(10))
            .to("bob.sre")
            .moved(Some(wow), p - d(1)),
        plan("Document failover procedure", &[P3], p - d(3) + h(5))
            .to("alice.ops")
            .in_ms(wow)
            .moved(Some(next), p + d(2))
            .moved(Some(wow), p + d(5)),
    ]);
    // Carried over from the week before at the last rotation.
    plans.extend([
        plan("Migrate DNS zones to new provider", &[P2], p - d(12))
            .to("erin.net")
            .in_ms(ms_1)
            .moved(Some(wow), p + m(4)),
        plan("Flaky backup verification job", &[], p - d(9))
            .to("dave.db")
            .in_ms(ms_1)
            .moved(Some(wow), p + m(4)),
    ]);
    // Added after the week started: with ~unscheduled, without it, and an ~outage.
    plans.extend([
        plan(
            "Hotfix: rate limiter misconfigured",
            &[UNSCHEDULED, P1],
            p + d(1) + h(9),
        )
        .to("carol.dev")
        .in_ms(wow)
        .closed(p + d(1) + h(15)),
        plan(
            "Customer export stuck in queue",
            &[UNSCHEDULED, P2],
            p + d(2) + h(11),
        )
        .to("alice.ops")
        .moved(Some(wow), p + d(2) + h(13)),
        plan(
            "Investigate elevated 502s on API",
            &[UNSCHEDULED, P2],
            p + d(3) + h(10),
        )
        .to("bob.sre")
        .in_ms(wow),
        plan("Bump runner image for security fix", &[P2], p + d(1) + h(14))
            .to("erin.net")
            .in_ms(wow)
            .closed(p + d(2)),
        plan("Refresh staging database from production", &[P3], p - d(20))
            .to("dave.db")
            .moved(Some(wow), p + d(3) + h(16)),
        plan("Quota alert for shared storage", &[], p + d(4) + h(8) + m(30)).in_ms(wow),
        plan(
            "Outage: object storage latency spike",
            &[OUTAGE, P1],
            p + d(4) + h(3) + m(12),
        )
        .to("bob.sre")
        .in_ms(wow)
        .touched(now - h(2))
        .comment(
            "alice.ops",
            "Uploads from the EU runners see p99 latency above 4 s since 03:00 UTC.",
            p + d(4) + h(3) + m(20),
        )
        .system_note("bob.sre", "assigned to @bob.sre", p + d(4) + h(3) + m(31))
        .comment(
            "bob.sre",
            "Taking this. The bucket lifecycle job runs at the same time; moving it off-peak as a first step.",
            p + d(4) + h(3) + m(32),
        )
        .comment(
            "bob.sre",
            "Latency is back under 1 s with the lifecycle job moved. Keeping this open until tonight's peak passes; root cause still unknown.",
            now - h(2),
        ),
    ]);
    // `Next WoW` (this week), planned during last week.
    plans.extend([
        plan("Plan Q3 capacity for the CI fleet", &[P3], p + d(1))
            .to("alice.ops")
            .in_ms(next),
        plan("Replace deprecated Helm charts", &[P2], p + d(2))
            .to("carol.dev")
            .in_ms(next),
        plan("Enable audit logging on Vault", &[P1], p + d(3))
            .to("erin.net")
            .in_ms(next),
        plan("Reduce noisy cron emails", &[], p + d(4)).in_ms(next),
        plan("Upgrade Redis to 7.2", &[P2, P3], p + d(5))
            .to("dave.db")
            .in_ms(next),
        plan("Clean up unused IAM roles", &[P3], p + d(6))
            .to("bob.sre")
            .in_ms(next),
    ]);
    // This week, before the rotation ran: added to `Next WoW` after the week started.
    if now - this_week >= m(10) {
        let mid = this_week + (now - this_week) / 2;
        plans.extend([
            plan("Urgent: certificate expiring on status page", &[P1], mid)
                .to("erin.net")
                .in_ms(next),
            plan("Outage: login failures in EU region", &[OUTAGE, P1], mid + m(1))
                .to("carol.dev")
                .in_ms(next),
        ]);
    }
    // Hand-off cases: an unassigned outage, a data-loss report silent for days.
    plans.extend([
        plan("Outage: webhook delivery delays", &[OUTAGE, P1], p + d(5) + h(22)).comment(
            "erin.net",
            "Webhooks to the external CI are delayed by 20 minutes or more. Not sure who owns the webhook workers now.",
            p + d(5) + h(22),
        ),
        plan(
            "Missing CI artifacts after storage migration",
            &[DATA_LOSS, P2],
            p + d(2),
        )
        .to("dave.db")
        .touched(p + d(3))
        .comment(
            "carol.dev",
            "Artifacts of pipelines from before the migration return 404; the job logs are still there.",
            p + d(2) + h(1),
        )
        .comment(
            "dave.db",
            "Restored most of them from the old bucket. About 200 jobs are still missing; I need the storage team to check the old node before it is wiped.",
            p + d(3),
        ),
    ]);
    // Backlog, in no milestone.
    plans.extend([
        plan("Evaluate a new log shipper", &[P3], p - d(40)),
        plan("Add SLO dashboards for the registry", &[P3], p - d(33)).to("alice.ops"),
        plan("Automate quarterly access review", &[], p - d(26)),
        plan("Retire Ubuntu 20.04 images", &[P2], p - d(19)).to("carol.dev"),
        plan("Write a postmortem template", &[P3], p - d(12)),
        plan("Consolidate alert routing", &[P3], p - d(5)).to("bob.sre"),
    ]);
    plans.push(
        plan("Rebuild the monitoring stack", &[P2], stray_start - d(2))
            .to("bob.sre")
            .in_ms(stray)
            .closed(stray_start + d(4)),
    );
    plant(&mut w, project, plans);
    w
}

/// `issues` issues in `WoW` (this week), all added before the week started; a
/// `updated_share` of them updated since, half of those re-added to `WoW` after
/// the week start (via `Next WoW`, so with events). Rotation is not due.
/// Builds 10,000 issues in well under a second.
pub fn scale(issues: usize, updated_share: f64, now: DateTime<Utc>) -> World {
    let mut w = base(now);
    let project = 1;
    let scope = Owner::Project(project);
    let start = week_start(now);
    let d = Duration::days;
    let m = Duration::minutes;
    let last = start - d(7);
    w.add_milestone(
        MilestoneSpec::new(scope, &closed_title(last))
            .dates(date(last), date(last + d(6)))
            .created(last - d(7) + m(3))
            .updated(start + m(1))
            .closed(),
    );
    let wow = w.add_milestone(
        MilestoneSpec::new(scope, "WoW")
            .dates(date(start), date(start + d(6)))
            .created(last + m(3))
            .updated(start + m(2)),
    );
    let next = w.add_milestone(
        MilestoneSpec::new(scope, "Next WoW")
            .dates(date(start + d(7)), date(start + d(13)))
            .created(start + m(3)),
    );
    let share = updated_share.clamp(0.0, 1.0);
    let since = (now - start).max(Duration::zero());
    let n = issues.max(1) as i32;
    let priorities = [P1, P2, P3];
    let mut updated = 0usize;
    for i in 0..issues {
        // Spread over the six days before the week start.
        let created = last + d(1) + (d(6) * i as i32) / n;
        let spec = IssueSpec::new(project, "")
            .labels(&[priorities[i % 3]])
            .milestone(wow)
            .created(created);
        let (_, iid) = w.add_issue(IssueSpec {
            title: format!("Scale issue {}", i + 1),
            ..spec
        });
        // Evenly spread: the count is floor(issues * share).
        let is_updated = ((i + 1) as f64 * share).floor() > (i as f64 * share).floor();
        if !is_updated {
            continue;
        }
        updated += 1;
        let at = (start + (since * i as i32) / n).max(start + Duration::seconds(1));
        if updated % 2 == 0 {
            w.set_issue_milestone(project, iid, Some(next), at);
            w.set_issue_milestone(project, iid, Some(wow), at + Duration::seconds(1));
        } else if let Some(issue) = w.issue_mut(project, iid) {
            issue.updated_at = at;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::{EventAction, MilestoneState};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn week_starts_on_wednesday_midnight_utc() {
        for (now, want) in [
            ("2026-01-07T00:00:00Z", "2026-01-07T00:00:00Z"),
            ("2026-01-07T09:00:00Z", "2026-01-07T00:00:00Z"),
            ("2026-01-06T23:59:59Z", "2025-12-31T00:00:00Z"),
            ("2026-01-11T12:00:00Z", "2026-01-07T00:00:00Z"),
        ] {
            assert_eq!(week_start(t(now)), t(want), "{now}");
        }
    }

    #[test]
    fn demo_is_due_for_rotation_and_rich() {
        let now = t("2026-01-07T09:00:00Z");
        let w = demo(now);
        let wow = w.milestone_by_title("WoW").unwrap();
        assert_eq!(wow.start_date, NaiveDate::from_ymd_opt(2025, 12, 31));
        assert_eq!(wow.due_date, NaiveDate::from_ymd_opt(2026, 1, 6));
        assert!(w.milestone_by_title("WoW ending 2026-01-06").is_none());
        let next = w.milestone_by_title("Next WoW").unwrap();
        assert_eq!(next.start_date, NaiveDate::from_ymd_opt(2026, 1, 7));
        let closed: Vec<_> = w
            .milestones()
            .into_iter()
            .filter(|m| m.state == MilestoneState::Closed)
            .collect();
        assert_eq!(closed.len(), 8);
        assert!(closed.iter().any(|m| m.title == "WoW ending 2025-12-30"));
        let stray: Vec<_> = w
            .milestones()
            .into_iter()
            .filter(|m| m.is_open() && m.title.starts_with("WoW ending"))
            .collect();
        assert_eq!(stray.len(), 1);
        let issues = w.issues(1);
        assert!((55..=65).contains(&issues.len()), "{}", issues.len());
        assert!(issues.iter().all(|i| i.created_at <= now && i.updated_at <= now));
        // iids grow with creation time.
        assert!(issues.windows(2).all(|p| p[0].created_at <= p[1].created_at));
        // Events never come after `now`, and a re-added issue has add, add, add.
        for i in &issues {
            for e in w.events(i.id) {
                assert!(e.created_at <= now);
            }
        }
        let readded = issues
            .iter()
            .find(|i| i.title == "Document failover procedure")
            .unwrap();
        let actions: Vec<_> = w.events(readded.id).iter().map(|e| e.action).collect();
        assert_eq!(actions, vec![EventAction::Add; 3]);
        assert!(issues
            .iter()
            .any(|i| i.has_label("outage") && i.assignees.is_empty() && i.is_open()));
    }

    #[test]
    fn demo_comments_are_realistic_and_never_move_updated_at() {
        let now = t("2026-01-07T09:00:00Z");
        let w = demo(now);
        let issues = w.issues(1);
        for i in &issues {
            for n in w.notes(1, i.iid) {
                assert!(n.created_at <= i.updated_at, "{}: {}", i.title, n.body);
            }
        }
        let last_comment = |title: &str| {
            let issue = issues.iter().find(|i| i.title == title).unwrap();
            let notes = w.notes(1, issue.iid);
            let last = notes.iter().filter(|n| !n.system).map(|n| n.created_at).max();
            (issue.updated_at, last, notes)
        };
        let (updated, last, notes) = last_comment("Outage: object storage latency spike");
        assert_eq!(last, Some(updated));
        assert!(notes.iter().any(|n| n.system && n.body == "assigned to @bob.sre"));
        let (updated, last, _) = last_comment("Missing CI artifacts after storage migration");
        assert_eq!(last, Some(updated));
        assert!(now - updated > Duration::days(3));
        let (_, last, notes) = last_comment("Outage: webhook delivery delays");
        assert!(last.is_some() && notes.len() == 1);
        // Commenters are people, never the token's bot user.
        let bot = w.token_user(TOKEN).unwrap();
        assert!(issues
            .iter()
            .flat_map(|i| w.notes(1, i.iid))
            .all(|n| n.author != bot));
    }

    #[test]
    fn scale_builds_fast_with_the_requested_share() {
        let now = t("2026-01-08T12:00:00Z");
        let started = std::time::Instant::now();
        let w = scale(10_000, 0.1, now);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let start = week_start(now);
        let issues = w.issues(1);
        assert_eq!(issues.len(), 10_000);
        assert!(issues.iter().all(|i| i.created_at < start));
        assert_eq!(issues.iter().filter(|i| i.updated_at > start).count(), 1_000);
        let readded = issues.iter().filter(|i| w.events(i.id).len() == 3).count();
        assert_eq!(readded, 500);
        assert!(issues
            .iter()
            .all(|i| i.milestone.as_ref().is_some_and(|m| m.title == "WoW")));
    }
}
