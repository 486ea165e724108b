//! What a rotation amounts to once the writer has answered: its status, the
//! milestones before and after, the issues carried over, the errors, and the view
//! the audit must take of the week. Pure: computed from the plan, what `observe`
//! read and what `apply` recorded, so every combination is a row in a table test.
//!
//! Only what was observed is reported (SPEC "A report people read"): a milestone
//! shows in the "after" view when GitLab answered a write with it, or when it was
//! read so; a step that failed leaves its milestone out of the view rather than
//! showing the plan as done. A dry run shows the plan, marked as planned.

use super::plan::MilestonePlan;
use super::RotationStatus;
use crate::apply::{ActionRecord, Applied, Outcome};
use crate::gitlab::model::{Issue, Milestone};
use crate::observe::ObservedMilestones;
use crate::run_error::RunError;
use crate::settings::config::MilestoneTitles;
use crate::step::{MilestoneTarget, Step};
use chrono::NaiveDate;
use std::collections::HashMap;

/// A milestone as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MilestoneInfo {
    /// `None` for a milestone that a dry run would create.
    pub id: Option<u64>,
    pub title: String,
    /// `active` or `closed`; `None` when not known.
    pub state: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub web_url: Option<String>,
    /// True for what a dry run would make of it: GitLab does not hold this.
    pub planned: bool,
}

impl MilestoneInfo {
    fn of(m: &Milestone) -> MilestoneInfo {
        MilestoneInfo {
            id: Some(m.id),
            title: m.title.clone(),
            state: Some(if m.is_open() { "active" } else { "closed" }.to_string()),
            start_date: m.start_date,
            due_date: m.due_date,
            web_url: m.web_url.clone(),
            planned: false,
        }
    }
}

/// An issue carried over: its iid, or its full reference in group mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IssueKey {
    Iid(u64),
    Reference(String),
}

/// What the audit looks at after the rotation (or after the rotation a dry run
/// would have done: SPEC "In a dry run on a due day ... `Next WoW` as `WoW`").
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AuditView {
    /// This week's `WoW`, titled as it is once the plan is applied.
    pub current: Option<Milestone>,
    /// The title GitLab holds for `current` now: in a dry run on a due day the
    /// milestone to become `WoW` is still `Next WoW`, and issues are read by title.
    pub current_title_now: Option<String>,
    /// True when `current` is a milestone that a dry run would only create.
    pub current_is_planned: bool,
    /// The milestone of the week that ended (the carry-over source).
    pub closed_id: Option<u64>,
    /// Issues that were, or in a dry run would be, carried over: planned work.
    pub carried: Vec<Issue>,
    /// The title GitLab holds for `Next WoW` now, when it may hold issues; `None`
    /// when it was created just now or a dry run would only create it.
    pub next_title_now: Option<String>,
    /// The open milestones the rotation read (`stray_milestones` needs no second
    /// read: the rotation only touches `WoW`, `Next WoW` and `closed(D)`, none of
    /// which that rule reports).
    pub open_milestones: Vec<Milestone>,
}

/// Everything the rotation part of a run produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RotationOutcome {
    pub status: RotationStatus,
    /// The milestones as found, before this run changed anything; `None` when
    /// they could not be read.
    pub before: Option<Vec<MilestoneInfo>>,
    /// The milestones after the run, as GitLab answered or as read (planned ones
    /// in a dry run); `None` where the run did not get there.
    pub closed: Option<MilestoneInfo>,
    pub current: Option<MilestoneInfo>,
    pub next: Option<MilestoneInfo>,
    pub actions: Vec<ActionRecord>,
    pub carried_over: Vec<IssueKey>,
    pub weeks_missed: u32,
    /// Things a person must sort out, and each failed step, for `errors[]`.
    pub errors: Vec<RunError>,
    /// Worth knowing, not failures (the clock behind the tracker).
    pub warnings: Vec<String>,
    /// The week's summary written into the closed milestone by step 1
    /// (`publish.milestone_summary`), as a publishing record (kind `publish`).
    pub summary: Option<ActionRecord>,
    /// What the audit looks at; `None` when the rotation failed.
    pub audit_view: Option<AuditView>,
}

impl RotationOutcome {
    /// A rotation stopped by a failed read, before any write: `seen` and `plan` are
    /// what it got to (none when the milestones themselves could not be read).
    pub(crate) fn read_failed(
        seen: Option<(&ObservedMilestones, &MilestonePlan)>,
        titles: &MilestoneTitles,
        closed_title: &str,
        error: RunError,
    ) -> RotationOutcome {
        let (before, weeks_missed, mut errors) = match seen {
            Some((seen, plan)) => (
                Some(before(seen, titles, closed_title)),
                plan.weeks_missed,
                conflicts(plan),
            ),
            None => (None, 0, Vec::new()),
        };
        errors.push(error);
        RotationOutcome {
            status: RotationStatus::Failed,
            before,
            closed: None,
            current: None,
            next: None,
            actions: Vec::new(),
            carried_over: Vec::new(),
            weeks_missed,
            errors,
            warnings: Vec::new(),
            summary: None,
            audit_view: None,
        }
    }
}

/// Step 1's summary, when it carried one, as a publishing record: the same
/// request, so the same outcome.
fn summary_record(plan: &MilestonePlan, applied: &[Applied]) -> Option<ActionRecord> {
    plan.steps
        .iter()
        .zip(applied)
        .find_map(|(step, result)| match step {
            Step::CloseAndRename {
                to,
                description: Some(_),
                ..
            } => Some(ActionRecord {
                kind: "publish".into(),
                target: to.clone(),
                description: format!(
                    "write the week's summary into the description of \"{to}\" (with step 1)"
                ),
                ..result.record.clone()
            }),
            _ => None,
        })
}

/// The milestones the rotation is about (`WoW`, `Next WoW`, `closed(D)`), as read.
fn before(seen: &ObservedMilestones, titles: &MilestoneTitles, closed_title: &str) -> Vec<MilestoneInfo> {
    let wanted = [titles.current.as_str(), titles.next.as_str(), closed_title];
    seen.milestones
        .iter()
        .filter(|m| wanted.contains(&m.title.as_str()))
        .map(MilestoneInfo::of)
        .collect()
}

fn conflicts(plan: &MilestonePlan) -> Vec<RunError> {
    plan.conflicts
        .iter()
        .map(|c| RunError::new("conflict", "milestones", c.clone()))
        .collect()
}

/// Whether carry-over may run after the milestone steps: it needs only the new
/// `WoW`, so a failure to create `Next WoW` must not leave last week's open issues
/// behind in a closed milestone.
pub(crate) fn carry_over_ready(plan: &MilestonePlan, applied: &[Applied], current_title: &str) -> bool {
    plan.steps.iter().zip(applied).all(|(step, a)| {
        let makes_current = match step {
            Step::CloseAndRename { .. } | Step::Rename { .. } => true,
            Step::Create { title, .. } => title == current_title,
            _ => false,
        };
        !makes_current || a.record.applied || a.record.outcome == Outcome::Planned
    })
}

/// What the rotation read and what the writer answered, for [`outcome`].
pub(crate) struct Answers<'a> {
    pub seen: &'a ObservedMilestones,
    pub plan: &'a MilestonePlan,
    /// The results of `plan.steps`, in order.
    pub applied: &'a [Applied],
    /// The open issues of the week that ends, as read before the rename.
    pub to_carry: &'a [Issue],
    /// The carry-over moves and their results, in order (not attempted when the
    /// steps before them failed).
    pub moves: &'a [(Step, Applied)],
    pub dry_run: bool,
    pub group_mode: bool,
}

/// The outcome of the rotation: computed, never read back from GitLab.
pub(crate) fn outcome(a: &Answers<'_>, titles: &MilestoneTitles, closed_title: &str) -> RotationOutcome {
    let Answers {
        seen,
        plan,
        applied,
        to_carry,
        moves,
        dry_run,
        group_mode,
    } = *a;

    // The milestones as last seen: read, or returned by GitLab for a write.
    let mut known: HashMap<u64, Milestone> = seen.milestones.iter().map(|m| (m.id, m.clone())).collect();
    let mut created: HashMap<String, Milestone> = HashMap::new();
    let mut next_is_new = false;
    for (step, result) in plan.steps.iter().zip(applied) {
        if let Some(m) = &result.milestone {
            known.insert(m.id, m.clone());
            if let Step::Create { title, .. } = step {
                created.insert(title.clone(), m.clone());
                next_is_new |= *title == titles.next && result.record.outcome == Outcome::Applied;
            }
        }
    }
    let records = applied
        .iter()
        .chain(moves.iter().map(|(_, a)| a))
        .map(|a| &a.record);
    let actions: Vec<ActionRecord> = records.cloned().collect();
    // A step that failed, or was never sent (after a failure, or once the run was
    // stopped), leaves the rotation unfinished.
    let failed = actions
        .iter()
        .any(|a| matches!(a.outcome, Outcome::Failed | Outcome::NotAttempted));

    let mut carried_over = Vec::new();
    let mut moved: Vec<Issue> = Vec::new();
    for (step, result) in moves {
        let Step::MoveIssue { issue, .. } = step else {
            continue;
        };
        if result.record.applied || result.record.outcome == Outcome::Planned {
            carried_over.push(if group_mode {
                IssueKey::Reference(issue.reference.clone())
            } else {
                IssueKey::Iid(issue.iid)
            });
            if let Some(i) = to_carry
                .iter()
                .find(|i| i.project_id == issue.project_id && i.iid == issue.iid)
            {
                moved.push(i.clone());
            }
        }
    }

    // The "after" view: a target shows when GitLab holds it under its planned
    // title (answered or read); in a dry run, as planned.
    let after = |target: &Option<MilestoneTarget>, closes: bool| -> Option<MilestoneInfo> {
        let (now, title) = match target.as_ref()? {
            MilestoneTarget::Existing { id, title } => (known.get(id), title),
            MilestoneTarget::Created { title } => (created.get(title), title),
        };
        if let Some(m) = now.filter(|m| m.title == *title) {
            return Some(MilestoneInfo::of(m));
        }
        if !dry_run {
            return None;
        }
        let mut planned = now.map(MilestoneInfo::of).unwrap_or(MilestoneInfo {
            id: None,
            title: String::new(),
            state: None,
            start_date: None,
            due_date: None,
            web_url: None,
            planned: true,
        });
        planned.title = title.clone();
        planned.planned = true;
        if closes {
            planned.state = Some("closed".into());
        }
        Some(planned)
    };
    let closed = after(&plan.closed, true).map(|mut m| {
        if dry_run && m.state.as_deref() == Some("active") {
            // Closed by the plan: GitLab still shows it open.
            m.state = Some("closed".into());
            m.planned = true;
        }
        m
    });
    let current = after(&plan.current, false);
    let next = after(&plan.next, false);

    let status = if failed {
        RotationStatus::Failed
    } else if dry_run && !actions.is_empty() {
        RotationStatus::Planned
    } else if plan.status == RotationStatus::NotDue && !moved.is_empty() {
        // Only carry-over was left from an interrupted rotation.
        RotationStatus::Resumed
    } else {
        plan.status
    };

    let mut errors = conflicts(plan);
    errors.extend(actions.iter().filter(|a| a.outcome == Outcome::Failed).map(|a| {
        RunError::new(
            a.kind.clone(),
            a.target.clone(),
            a.error.clone().unwrap_or_else(|| "failed".into()),
        )
    }));

    let audit_view = (!failed).then(|| {
        let title_before = |id: u64| {
            seen.milestones
                .iter()
                .find(|m| m.id == id)
                .map(|m| m.title.clone())
        };
        let (current_milestone, current_title_now) = match &plan.current {
            Some(MilestoneTarget::Existing { id, .. }) => {
                let m = known.get(id).cloned().map(|mut m| {
                    // In a dry run the rename did not happen; the audit looks at the renamed state.
                    m.title = titles.current.clone();
                    m
                });
                let now = if dry_run {
                    title_before(*id).or_else(|| m.as_ref().map(|m| m.title.clone()))
                } else {
                    m.as_ref().map(|m| m.title.clone())
                };
                (m, now)
            }
            Some(MilestoneTarget::Created { title }) => {
                let m = created.get(title).cloned();
                let now = m.as_ref().map(|m| m.title.clone());
                (m, now)
            }
            None => (None, None),
        };
        let next_title_now = match &plan.next {
            _ if next_is_new => None,
            Some(MilestoneTarget::Existing { id, title }) => {
                Some(title_before(*id).unwrap_or_else(|| title.clone()))
            }
            Some(MilestoneTarget::Created { title }) => created.get(title).map(|m| m.title.clone()),
            None => None,
        };
        AuditView {
            current_is_planned: matches!(plan.current, Some(MilestoneTarget::Created { .. }))
                && current_milestone.is_none(),
            current: current_milestone,
            current_title_now,
            closed_id: plan.carry_from,
            carried: if dry_run { to_carry.to_vec() } else { moved },
            next_title_now,
            open_milestones: seen.milestones.iter().filter(|m| m.is_open()).cloned().collect(),
        }
    });

    RotationOutcome {
        status,
        before: Some(before(seen, titles, closed_title)),
        closed,
        current,
        next,
        actions,
        carried_over,
        weeks_missed: plan.weeks_missed,
        errors,
        warnings: plan.clock_behind.iter().cloned().collect(),
        summary: summary_record(plan, applied),
        audit_view,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::{IssueState, MilestoneState, References};
    use crate::settings::Config;
    use crate::week::week_of;
    use chrono::{DateTime, Utc, Weekday};
    use chrono_tz::Tz;

    const NOW: &str = "2026-11-18T09:00:00Z"; // D = 2026-11-17
    const CLOSED: &str = "WoW ending 2026-11-17";

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ms(id: u64, title: &str, open: bool) -> Milestone {
        Milestone {
            id,
            iid: id,
            project_id: Some(1),
            group_id: None,
            title: title.into(),
            description: None,
            state: if open {
                MilestoneState::Active
            } else {
                MilestoneState::Closed
            },
            created_at: utc(if id == 1 {
                "2026-11-04T00:00:01Z"
            } else {
                "2026-11-11T00:00:01Z"
            }),
            updated_at: None,
            start_date: None,
            due_date: None,
            web_url: Some(format!("https://gitlab.example/m/{id}")),
        }
    }

    fn issue(iid: u64) -> Issue {
        Issue {
            id: 100 + iid,
            iid,
            project_id: 42,
            title: format!("issue {iid}"),
            state: IssueState::Opened,
            created_at: utc("2026-11-10T00:00:00Z"),
            updated_at: utc("2026-11-10T00:00:00Z"),
            closed_at: None,
            labels: vec![],
            milestone: Some(ms(1, "WoW", true)),
            assignees: vec![],
            web_url: format!("https://gitlab.example/i/{iid}"),
            references: Some(References {
                short: format!("#{iid}"),
                full: format!("g/p#{iid}"),
            }),
            confidential: false,
            description: None,
        }
    }

    /// The world of a due Wednesday: last week's `WoW` (1) and `Next WoW` (2).
    fn due() -> ObservedMilestones {
        ObservedMilestones {
            milestones: vec![ms(1, "WoW", true), ms(2, "Next WoW", true)],
            issue_counts: Default::default(),
        }
    }

    fn plan_of(seen: &ObservedMilestones) -> MilestonePlan {
        let week = week_of(utc(NOW), Weekday::Wed, Tz::UTC);
        super::super::plan(seen, &week, &Config::default())
    }

    /// GitLab's answer to `step` when it is applied: the milestone as it would return it.
    fn answer(step: &Step, outcome: Outcome) -> Applied {
        let milestone = match (step, outcome) {
            (Step::CloseAndRename { id, to, .. }, Outcome::Applied) => Some(ms(*id, to, false)),
            (Step::Rename { id, to, .. }, Outcome::Applied) => Some(ms(*id, to, true)),
            (Step::Create { title, .. }, Outcome::Applied) => Some(ms(3, title, true)),
            _ => None,
        };
        let error = (outcome == Outcome::Failed).then(|| "403 Forbidden".to_string());
        Applied {
            record: ActionRecord::new(step, outcome, error),
            milestone,
        }
    }

    fn moves(issues: &[Issue], outcome: Outcome) -> Vec<(Step, Applied)> {
        let to = MilestoneTarget::Existing {
            id: 2,
            title: "WoW".into(),
        };
        super::super::plan_carry_over(issues, 1, &to)
            .into_iter()
            .map(|s| {
                let a = Applied {
                    record: ActionRecord::new(&s, outcome, None),
                    milestone: None,
                };
                (s, a)
            })
            .collect()
    }

    struct Case {
        name: &'static str,
        seen: ObservedMilestones,
        /// The outcome of each planned step, in order.
        steps: Vec<Outcome>,
        /// Whether carry-over may run after the milestone steps.
        ready: bool,
        /// The outcome of the moves, when there were issues to move.
        carry: Option<Outcome>,
        dry_run: bool,
        status: RotationStatus,
        closed: Option<(&'static str, &'static str)>,
        current: Option<&'static str>,
        next: Option<&'static str>,
        carried: Vec<u64>,
        /// The audit's view: (WoW's title now, Next WoW's title now); `None`: no audit.
        view: Option<(Option<&'static str>, Option<&'static str>)>,
        errors: usize,
    }

    #[test]
    fn outcome_table() {
        use Outcome::*;
        let with_wow_issues = || {
            let mut s = due();
            s.milestones[0].title = CLOSED.into();
            s.milestones[0].state = MilestoneState::Closed;
            s.milestones[1].title = "WoW".into();
            let date = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
            s.milestones[1].start_date = date("2026-11-18");
            s.milestones[1].due_date = date("2026-11-24");
            let mut next = ms(3, "Next WoW", true);
            next.start_date = date("2026-11-25");
            next.due_date = date("2026-12-01");
            s.milestones.push(next);
            s
        };
        let cases = vec![
            Case {
                name: "a Wednesday rotation, applied",
                seen: due(),
                steps: vec![Applied, Applied, Applied],
                ready: true,
                carry: Some(Applied),
                dry_run: false,
                status: RotationStatus::Rotated,
                closed: Some((CLOSED, "closed")),
                current: Some("WoW"),
                next: Some("Next WoW"),
                carried: vec![1, 2],
                view: Some((Some("WoW"), None)),
                errors: 0,
            },
            Case {
                name: "the same as a dry run: planned; WoW is read under its title now",
                seen: due(),
                steps: vec![Planned, Planned, Planned],
                ready: true,
                carry: Some(Planned),
                dry_run: true,
                status: RotationStatus::Planned,
                closed: Some((CLOSED, "closed")),
                current: Some("WoW"),
                next: Some("Next WoW"),
                carried: vec![1, 2],
                view: Some((Some("Next WoW"), None)),
                errors: 0,
            },
            Case {
                name: "step 1 refused: failed, nothing to audit",
                seen: due(),
                steps: vec![Failed, NotAttempted, NotAttempted],
                ready: false,
                carry: Some(NotAttempted),
                dry_run: false,
                status: RotationStatus::Failed,
                closed: None,
                current: None,
                next: None,
                carried: vec![],
                view: None,
                errors: 1,
            },
            Case {
                name: "creating Next WoW failed: carry-over still ran, the run failed",
                seen: due(),
                steps: vec![Applied, Applied, Failed],
                ready: true,
                carry: Some(Applied),
                dry_run: false,
                status: RotationStatus::Failed,
                closed: Some((CLOSED, "closed")),
                current: Some("WoW"),
                next: None,
                carried: vec![1, 2],
                view: None,
                errors: 1,
            },
            Case {
                name: "the moves failed: the rotation failed, one error per move",
                seen: due(),
                steps: vec![Applied, Applied, Applied],
                ready: true,
                carry: Some(Failed),
                dry_run: false,
                status: RotationStatus::Failed,
                closed: Some((CLOSED, "closed")),
                current: Some("WoW"),
                next: Some("Next WoW"),
                carried: vec![],
                view: None,
                errors: 2,
            },
            Case {
                name: "only carry-over was left: resumed",
                seen: with_wow_issues(),
                steps: vec![],
                ready: true,
                carry: Some(Applied),
                dry_run: false,
                status: RotationStatus::Resumed,
                closed: Some((CLOSED, "closed")),
                current: Some("WoW"),
                next: Some("Next WoW"),
                carried: vec![1, 2],
                view: Some((Some("WoW"), Some("Next WoW"))),
                errors: 0,
            },
            Case {
                name: "nothing left: not due, Next WoW read by its title",
                seen: with_wow_issues(),
                steps: vec![],
                ready: true,
                carry: None,
                dry_run: false,
                status: RotationStatus::NotDue,
                closed: Some((CLOSED, "closed")),
                current: Some("WoW"),
                next: Some("Next WoW"),
                carried: vec![],
                view: Some((Some("WoW"), Some("Next WoW"))),
                errors: 0,
            },
            Case {
                name: "a new project as a dry run: WoW would only be created",
                seen: ObservedMilestones::default(),
                steps: vec![Planned, Planned],
                ready: true,
                carry: None,
                dry_run: true,
                status: RotationStatus::Planned,
                closed: None,
                current: Some("WoW"),
                next: Some("Next WoW"),
                carried: vec![],
                view: Some((None, None)),
                errors: 0,
            },
        ];
        let to_carry = vec![issue(1), issue(2)];
        for c in cases {
            let plan = plan_of(&c.seen);
            assert_eq!(plan.steps.len(), c.steps.len(), "{}: {:?}", c.name, plan.steps);
            let applied: Vec<super::Applied> = plan
                .steps
                .iter()
                .zip(&c.steps)
                .map(|(s, o)| answer(s, *o))
                .collect();
            let ready = carry_over_ready(&plan, &applied, "WoW");
            assert_eq!(ready, c.ready, "{}: carry-over ready", c.name);
            let moved = c.carry.map(|o| moves(&to_carry, o)).unwrap_or_default();
            let got = outcome(
                &Answers {
                    seen: &c.seen,
                    plan: &plan,
                    applied: &applied,
                    to_carry: &to_carry,
                    moves: &moved,
                    dry_run: c.dry_run,
                    group_mode: false,
                },
                &Config::default().milestones,
                CLOSED,
            );
            assert_eq!(got.status, c.status, "{}", c.name);
            assert_eq!(
                got.closed
                    .as_ref()
                    .map(|m| (m.title.as_str(), m.state.as_deref().unwrap_or("?"))),
                c.closed,
                "{}: closed",
                c.name
            );
            assert_eq!(
                got.current.as_ref().map(|m| m.title.as_str()),
                c.current,
                "{}",
                c.name
            );
            assert_eq!(
                got.next.as_ref().map(|m| m.title.as_str()),
                c.next,
                "{}: next",
                c.name
            );
            let planned = [&got.closed, &got.current, &got.next]
                .iter()
                .any(|m| m.as_ref().is_some_and(|m| m.planned));
            assert_eq!(
                planned,
                c.dry_run && c.status == RotationStatus::Planned,
                "{}: planned marks",
                c.name
            );
            let carried: Vec<IssueKey> = c.carried.iter().map(|i| IssueKey::Iid(*i)).collect();
            assert_eq!(got.carried_over, carried, "{}: carried", c.name);
            let view = got
                .audit_view
                .as_ref()
                .map(|v| (v.current_title_now.as_deref(), v.next_title_now.as_deref()));
            assert_eq!(view, c.view, "{}: audit view", c.name);
            assert_eq!(got.errors.len(), c.errors, "{}: {:?}", c.name, got.errors);
            assert_eq!(got.actions.len(), c.steps.len() + moved.len(), "{}", c.name);
        }
    }

    #[test]
    fn a_dry_run_audits_the_issues_it_would_carry_over() {
        let seen = due();
        let plan = plan_of(&seen);
        let applied: Vec<super::Applied> = plan.steps.iter().map(|s| answer(s, Outcome::Planned)).collect();
        let to_carry = vec![issue(7)];
        let moved = moves(&to_carry, Outcome::Planned);
        let a = Answers {
            seen: &seen,
            plan: &plan,
            applied: &applied,
            to_carry: &to_carry,
            moves: &moved,
            dry_run: true,
            group_mode: true,
        };
        let got = outcome(&a, &Config::default().milestones, CLOSED);
        let view = got.audit_view.expect("a dry run audits");
        assert_eq!(view.carried, to_carry);
        assert_eq!(view.closed_id, Some(1));
        assert_eq!(
            view.current.map(|m| (m.id, m.title)),
            Some((2, "WoW".to_string()))
        );
        assert!(!view.current_is_planned);
        assert_eq!(view.open_milestones.len(), 2);
        assert_eq!(got.carried_over, vec![IssueKey::Reference("g/p#7".into())]);
        assert_eq!(got.before.map(|b| b.len()), Some(2));
    }

    #[test]
    fn a_failed_read_reports_what_was_seen_and_the_error() {
        let seen = due();
        let plan = plan_of(&seen);
        let titles = Config::default().milestones;
        let boom = RunError::new("read", "the open issues of \"WoW\"", "boom");
        let got = RotationOutcome::read_failed(Some((&seen, &plan)), &titles, CLOSED, boom.clone());
        assert_eq!(got.status, RotationStatus::Failed);
        assert_eq!(got.before.map(|b| b.len()), Some(2));
        assert_eq!(got.errors, vec![boom]);
        assert!(got.audit_view.is_none() && got.actions.is_empty());
        assert_eq!((got.closed, got.current, got.next), (None, None, None));
        let down = RunError::new("read", "the milestones", "down");
        let unread = RotationOutcome::read_failed(None, &titles, CLOSED, down);
        assert_eq!(
            unread.before, None,
            "not read: nothing is claimed about what exists"
        );
    }
}
