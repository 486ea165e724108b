//! The rotation planner (SPEC "Rotation"): from the milestones that exist to the
//! ordered steps still missing. Pure: no I/O, no clock (`now` arrives as a `Week`),
//! no async; `apply` is the only code that acts on the plan, and `outcome` says
//! what it amounted to.
//!
//! Resuming is planning again: every state an interrupted rotation can leave
//! behind plans exactly the steps still missing, and a completed week plans none.
//!
//! Statuses (`MilestonePlan::status`), decided here:
//! * `Rotated`: the plan does step 1 on an open `WoW` of an earlier week.
//! * `Resumed`: step 1 was done before (`closed(D)` exists, or `WoW` is closed but
//!   not renamed) and the plan completes a missing step or closes an open
//!   `closed(D)`. Also used when only `Next WoW` is missing (the plan completes
//!   the rotation's state though step 1 is not involved).
//! * `Created`: no `WoW` existed in any state (and no `closed(D)`): the plan creates
//!   `WoW` for this week, and `Next WoW` when it is missing too.
//! * `NotDue`: no rotation step. The plan may still hold maintenance steps (delete
//!   an empty duplicate, correct dates): they are not a rotation, and the report
//!   lists them anyway. Carry-over is not seen here either: `carry_from` is set
//!   whenever `closed(D)` exists and carry-over is on, and `outcome` turns a
//!   `NotDue` into `Resumed` when issues left behind were moved.
//!
//! `Planned` (dry run) and `Failed` are `outcome`'s.
//!
//! Duplicates (overlapping runs can create a title twice, gitlab-api.md §2): the
//! oldest copy is kept and planned with; a newer empty copy is deleted first; a
//! newer copy holding issues (or not counted) stays, is named in `conflicts`, and
//! keeps its title: no step renames or creates into a title it holds, because
//! GitLab would refuse it (uniqueness spans closed milestones too).

use super::RotationStatus;
use crate::gitlab::model::{Issue, Milestone};
use crate::milestones::{closed_title, titled};
use crate::observe::ObservedMilestones;
use crate::settings::Config;
use crate::step::{IssueRef, MilestoneTarget, Step};
use crate::week::{add_days, Week};
use chrono::NaiveDate;
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MilestonePlan {
    /// What applying the plan amounts to: `Rotated`, `Resumed`, `Created` or `NotDue`.
    pub status: RotationStatus,
    pub steps: Vec<Step>,
    /// `closed(D)` once the plan is applied (None on a new project).
    pub closed: Option<MilestoneTarget>,
    /// `WoW` once the plan is applied.
    pub current: Option<MilestoneTarget>,
    /// `Next WoW` once the plan is applied.
    pub next: Option<MilestoneTarget>,
    /// The milestone whose open issues move to `current` (`closed(D)`), when carry-over is on.
    pub carry_from: Option<u64>,
    /// Weeks `WoW` stayed open past its week.
    pub weeks_missed: u32,
    /// Things a person must sort out (a duplicate that holds issues), for `errors[]`.
    pub conflicts: Vec<String>,
    /// Set when `WoW` starts after this week's start: the clock (or `--now`) is
    /// behind the tracker, so the plan writes nothing (SPEC "Clock behind the tracker").
    pub clock_behind: Option<String>,
}

/// The copies of one title: the one planned with, and newer ones left in place.
struct Slot<'a> {
    title: String,
    kept: Option<&'a Milestone>,
    /// Newer copies that hold issues, with their count (`None`: not counted).
    held: Vec<(&'a Milestone, Option<usize>)>,
}

impl<'a> Slot<'a> {
    /// Finds the copies of `title`; pushes a `DeleteDuplicate` for each newer empty one.
    fn find(seen: &'a ObservedMilestones, title: &str, deletes: &mut Vec<Step>) -> Slot<'a> {
        let mut copies = titled(&seen.milestones, title).into_iter();
        let kept = copies.next();
        let mut held = Vec::new();
        if let Some(k) = kept {
            for copy in copies {
                match seen.issue_counts.get(&copy.id) {
                    Some(0) => deletes.push(Step::DeleteDuplicate {
                        id: copy.id,
                        title: title.to_string(),
                        kept_id: k.id,
                    }),
                    count => held.push((copy, count.copied())),
                }
            }
        }
        Slot {
            title: title.to_string(),
            kept,
            held,
        }
    }

    /// A newer copy that keeps the title once the kept copy has been renamed away.
    fn successor(&self) -> Option<&'a Milestone> {
        self.held.first().map(|(m, _)| *m)
    }

    /// One message per newer copy left in place; `renamed_to` is the kept copy's
    /// title after the plan when the plan renames it.
    fn conflicts(&self, renamed_to: Option<&str>) -> Vec<String> {
        let Some(kept) = self.kept else { return Vec::new() };
        let title = &self.title;
        let k = kept.id;
        self.held
            .iter()
            .map(|(copy, count)| {
                let c = copy.id;
                let holds = match count {
                    Some(1) => "holds 1 issue".to_string(),
                    Some(n) => format!("holds {n} issues"),
                    None => "may hold issues (not counted)".to_string(),
                };
                match renamed_to {
                    None => format!(
                        "two milestones are titled \"{title}\" (ids {k} and {c}); #{c} {holds}: move them to #{k} and delete #{c}"
                    ),
                    Some(new) => format!(
                        "two milestones were titled \"{title}\" (ids {k} and {c}); this rotation renames #{k} to \"{new}\" and #{c}, which {holds}, keeps \"{title}\": check that its issues belong there"
                    ),
                }
            })
            .collect()
    }
}

fn existing(m: &Milestone, title: &str) -> MilestoneTarget {
    MilestoneTarget::Existing {
        id: m.id,
        title: title.to_string(),
    }
}

/// SPEC: `WoW` belongs to an earlier week when its `start_date` is before
/// `week_start` or, without dates, it was created before `week_start`.
fn is_of_earlier_week(wow: &Milestone, week: &Week) -> bool {
    match wow.start_date {
        Some(start) => start < week.start_date,
        None => wow.created_at < week.start,
    }
}

/// Whole weeks `wow` stayed open past its own week: 0 for last week's `WoW`, 1 for
/// the one before, ... Its week is the one holding its `start_date`; without dates,
/// the day it last changed (`updated_at`: for an open `WoW` normally its rename from
/// `Next WoW` at the previous rotation; `created_at` would count the week it spent
/// as `Next WoW`), else the day it was created. Rounded up to whole weeks so a
/// mid-week date counts its own week.
fn weeks_missed(wow: &Milestone, week: &Week, tz: Tz) -> u32 {
    let since = wow.start_date.unwrap_or_else(|| {
        let at = if wow.is_open() {
            wow.updated_at.unwrap_or(wow.created_at)
        } else {
            wow.created_at
        };
        at.with_timezone(&tz).date_naive()
    });
    let days = (week.start_date - since).num_days();
    if days <= 0 {
        return 0;
    }
    u32::try_from((days + 6) / 7 - 1).unwrap_or(u32::MAX)
}

fn has_dates(m: &Milestone, dates: (NaiveDate, NaiveDate)) -> bool {
    m.start_date == Some(dates.0) && m.due_date == Some(dates.1)
}

/// Whether setting `dates` on `m` would move it back to an earlier week: no write
/// ever does (SPEC "Clock behind the tracker"). Correcting a wrong due date within
/// the same start is not a move back.
fn moves_back(m: &Milestone, dates: (NaiveDate, NaiveDate)) -> bool {
    m.start_date.is_some_and(|s| dates.0 < s)
}

/// The open `WoW` starts after this week's start: `now` is behind the tracker (a
/// wrong `--now`, or a clock behind). Rotating or re-dating would move the
/// tracker back in time.
fn clock_behind(seen: &ObservedMilestones, week: &Week, current: &str) -> Option<String> {
    let wow = titled(&seen.milestones, current)
        .into_iter()
        .find(|m| m.is_open())?;
    let start = wow.start_date?;
    (start > week.start_date).then(|| {
        format!(
            "\"{current}\" (id {}) starts on {start}, after this week's start {}: the clock or --now is behind the tracker, so nothing was changed",
            wow.id, week.start_date
        )
    })
}

/// Plans what is still missing of this week's rotation (SPEC "Rotation"). Steps
/// come in the order they must be applied: duplicate deletions, step 1 (or closing
/// an open `closed(D)`), step 2 (or creating `WoW`), step 3, then date corrections.
/// Carry-over (step 4) is `plan_carry_over`, once the caller has read the issues of
/// `carry_from`.
pub(crate) fn plan(seen: &ObservedMilestones, week: &Week, cfg: &Config) -> MilestonePlan {
    let titles = &cfg.milestones;
    let closed_t = closed_title(titles, week.closed_date);
    let this_week = (week.start_date, week.end_date);
    let next_week = (week.next_start_date(), add_days(week.start_date, 13));
    let set_dates = cfg.rotation.set_dates;
    let dates = |d: (NaiveDate, NaiveDate)| {
        if set_dates {
            (Some(d.0), Some(d.1))
        } else {
            (None, None)
        }
    };

    if let Some(warning) = clock_behind(seen, week, &titles.current) {
        let kept = |title: &str| {
            titled(&seen.milestones, title)
                .first()
                .map(|m| existing(m, title))
        };
        return MilestonePlan {
            status: RotationStatus::NotDue,
            steps: Vec::new(),
            closed: kept(&closed_t),
            current: kept(&titles.current),
            next: kept(&titles.next),
            carry_from: None,
            weeks_missed: 0,
            conflicts: Vec::new(),
            clock_behind: Some(warning),
        };
    }

    let mut deletes = Vec::new();
    let wow = Slot::find(seen, &titles.current, &mut deletes);
    let next = Slot::find(seen, &titles.next, &mut deletes);
    let closed = Slot::find(seen, &closed_t, &mut deletes);

    let mut steps = Vec::new();
    let mut date_fixes = Vec::new();
    let mut conflicts = Vec::new();
    let mut status = RotationStatus::NotDue;
    let mut weeks = 0;

    // Step 1, or what an earlier run or a person left of it.
    let mut closed_target = None;
    let mut wow_renamed = false;
    match (closed.kept, wow.kept) {
        (Some(c), _) => {
            closed_target = Some(existing(c, &closed_t));
            if c.is_open() {
                steps.push(Step::Close {
                    id: c.id,
                    title: closed_t.clone(),
                });
                status = RotationStatus::Resumed;
            }
        }
        // An open `WoW` of an earlier week is due; a closed one is a step 1 whose
        // title GitLab refused after closing (gitlab-api.md §2, PUT not atomic):
        // resume it. Closing a closed milestone again is a no-op, so one PUT does.
        (None, Some(w)) if !w.is_open() || is_of_earlier_week(w, week) => {
            steps.push(Step::CloseAndRename {
                id: w.id,
                from: w.title.clone(),
                to: closed_t.clone(),
                // `publish::summarize` adds the week's summary once its issues are read.
                description: None,
            });
            status = if w.is_open() {
                RotationStatus::Rotated
            } else {
                RotationStatus::Resumed
            };
            weeks = weeks_missed(w, week, cfg.week.timezone);
            closed_target = Some(existing(w, &closed_t));
            wow_renamed = true;
        }
        _ => {}
    }

    // Step 2: this week's `WoW`.
    let mut next_renamed = false;
    let current_target = match wow.kept.filter(|_| !wow_renamed) {
        Some(w) if w.is_open() => {
            if set_dates && !has_dates(w, this_week) && !moves_back(w, this_week) {
                date_fixes.push(Step::SetDates {
                    id: w.id,
                    title: w.title.clone(),
                    start_date: this_week.0,
                    due_date: this_week.1,
                });
            }
            Some(existing(w, &titles.current))
        }
        Some(w) => {
            // Closed but still titled `WoW` while `closed(D)` exists (else step 1
            // above would have renamed it): it holds the title, so nothing can be
            // renamed to `WoW` until a person sorts it out.
            let c = closed.kept.map(|c| c.id).unwrap_or_default();
            conflicts.push(format!(
                "milestone #{} is closed but still titled \"{}\" while \"{closed_t}\" (#{c}) exists: rename or delete #{}, then run again",
                w.id, titles.current, w.id
            ));
            None
        }
        None => {
            if let Some(w) = wow.successor() {
                // The kept `WoW` was renamed away; a newer copy holding issues keeps the title.
                Some(existing(w, &titles.current))
            } else if closed_target.is_some() {
                if status == RotationStatus::NotDue {
                    status = RotationStatus::Resumed;
                }
                if let Some(n) = next.kept {
                    let (start_date, due_date) = dates(this_week);
                    steps.push(Step::Rename {
                        id: n.id,
                        from: n.title.clone(),
                        to: titles.current.clone(),
                        start_date,
                        due_date,
                    });
                    next_renamed = true;
                    Some(existing(n, &titles.current))
                } else {
                    let (start_date, due_date) = dates(this_week);
                    steps.push(Step::Create {
                        title: titles.current.clone(),
                        start_date,
                        due_date,
                    });
                    Some(MilestoneTarget::Created {
                        title: titles.current.clone(),
                    })
                }
            } else {
                // No `WoW` in any state and no `closed(D)`: a new project, or `WoW`
                // deleted. Create this week's `WoW`; an existing `Next WoW` stays next
                // week's (renaming it would pull next week's plan into this week).
                status = RotationStatus::Created;
                let (start_date, due_date) = dates(this_week);
                steps.push(Step::Create {
                    title: titles.current.clone(),
                    start_date,
                    due_date,
                });
                Some(MilestoneTarget::Created {
                    title: titles.current.clone(),
                })
            }
        }
    };

    // Step 3: next week's `Next WoW`.
    let next_target = match next.kept.filter(|_| !next_renamed) {
        Some(n) => {
            // A closed `Next WoW` is left as it is: there is no step to reopen it.
            // While no `WoW` can be had (conflict above), `Next WoW` may still be
            // the one to become `WoW`: leave its dates alone too.
            if set_dates
                && n.is_open()
                && current_target.is_some()
                && !has_dates(n, next_week)
                && !moves_back(n, next_week)
            {
                date_fixes.push(Step::SetDates {
                    id: n.id,
                    title: n.title.clone(),
                    start_date: next_week.0,
                    due_date: next_week.1,
                });
            }
            Some(existing(n, &titles.next))
        }
        None => match next.successor() {
            Some(n) => Some(existing(n, &titles.next)),
            None => {
                if status == RotationStatus::NotDue {
                    status = RotationStatus::Resumed;
                }
                let (start_date, due_date) = dates(next_week);
                steps.push(Step::Create {
                    title: titles.next.clone(),
                    start_date,
                    due_date,
                });
                Some(MilestoneTarget::Created {
                    title: titles.next.clone(),
                })
            }
        },
    };

    conflicts.extend(wow.conflicts(wow_renamed.then_some(closed_t.as_str())));
    conflicts.extend(next.conflicts(next_renamed.then_some(titles.current.as_str())));
    conflicts.extend(closed.conflicts(None));

    let carry_from = match &closed_target {
        Some(MilestoneTarget::Existing { id, .. }) if cfg.rotation.carry_over_open_issues => Some(*id),
        _ => None,
    };

    let mut all = deletes;
    all.extend(steps);
    all.extend(date_fixes);
    MilestonePlan {
        status,
        steps: all,
        closed: closed_target,
        current: current_target,
        next: next_target,
        carry_from,
        weeks_missed: weeks,
        conflicts,
        clock_behind: None,
    }
}

/// Rotation step 4: each open issue whose milestone is `from_id` moves to `to`.
/// Closed issues stay in the closed week (they are its history); an issue already
/// in another milestone (moved by a person, or by an earlier run) is left alone.
pub(crate) fn plan_carry_over(open_issues: &[Issue], from_id: u64, to: &MilestoneTarget) -> Vec<Step> {
    if matches!(to, MilestoneTarget::Existing { id, .. } if *id == from_id) {
        return Vec::new();
    }
    open_issues
        .iter()
        .filter(|i| i.is_open() && i.milestone.as_ref().is_some_and(|m| m.id == from_id))
        .map(|i| Step::MoveIssue {
            issue: IssueRef::from(i),
            from_id,
            to: to.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::model::{IssueState, MilestoneState, References};
    use crate::settings::config::{MilestoneTitles, WeekConfig};
    use crate::week::week_of;
    use chrono::{DateTime, Utc, Weekday};
    use std::collections::BTreeMap;
    use RotationStatus::*;

    const NOW: &str = "2026-11-18T09:00:00Z"; // a Wednesday: week 2026-11-18..24, D = 2026-11-17
    const CLOSED: &str = "WoW ending 2026-11-17";

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn week() -> Week {
        week_of(utc(NOW), Weekday::Wed, Tz::UTC)
    }

    /// A milestone: `dates` as ("start", "due") or None.
    fn m(id: u64, title: &str, open: bool, created: &str, dates: Option<(&str, &str)>) -> Milestone {
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
            created_at: utc(created),
            updated_at: Some(utc(created)),
            start_date: dates.map(|(s, _)| d(s)),
            due_date: dates.map(|(_, e)| d(e)),
            web_url: None,
        }
    }

    /// Last week's `WoW` and `Next WoW`, as the previous rotation left them.
    fn last_wow() -> Milestone {
        m(
            1,
            "WoW",
            true,
            "2026-11-04T00:00:01Z",
            Some(("2026-11-11", "2026-11-17")),
        )
    }
    fn last_next() -> Milestone {
        m(
            2,
            "Next WoW",
            true,
            "2026-11-11T00:00:01Z",
            Some(("2026-11-18", "2026-11-24")),
        )
    }

    fn seen(milestones: Vec<Milestone>) -> ObservedMilestones {
        ObservedMilestones {
            milestones,
            issue_counts: BTreeMap::new(),
        }
    }

    fn ex(id: u64, title: &str) -> Option<MilestoneTarget> {
        Some(MilestoneTarget::Existing {
            id,
            title: title.into(),
        })
    }

    fn created(title: &str) -> Option<MilestoneTarget> {
        Some(MilestoneTarget::Created { title: title.into() })
    }

    fn close_and_rename(id: u64, from: &str, to: &str) -> Step {
        Step::CloseAndRename {
            id,
            from: from.into(),
            to: to.into(),
            description: None,
        }
    }

    fn rename(id: u64, from: &str, to: &str, dates: Option<(&str, &str)>) -> Step {
        Step::Rename {
            id,
            from: from.into(),
            to: to.into(),
            start_date: dates.map(|(s, _)| d(s)),
            due_date: dates.map(|(_, e)| d(e)),
        }
    }

    fn create(title: &str, dates: Option<(&str, &str)>) -> Step {
        Step::Create {
            title: title.into(),
            start_date: dates.map(|(s, _)| d(s)),
            due_date: dates.map(|(_, e)| d(e)),
        }
    }

    fn set_dates(id: u64, title: &str, start: &str, due: &str) -> Step {
        Step::SetDates {
            id,
            title: title.into(),
            start_date: d(start),
            due_date: d(due),
        }
    }

    const THIS: Option<(&str, &str)> = Some(("2026-11-18", "2026-11-24"));
    const NEXT: Option<(&str, &str)> = Some(("2026-11-25", "2026-12-01"));

    /// What GitLab would hold after `steps` (a minimal model of gitlab-api.md §2:
    /// a rename without dates leaves the dates alone; a create gets the next id).
    fn apply(state: &mut Vec<Milestone>, steps: &[Step]) {
        let now = utc(NOW);
        for step in steps {
            let find =
                |state: &mut Vec<Milestone>, id: u64| state.iter_mut().position(|m| m.id == id).unwrap();
            match step {
                Step::CloseAndRename { id, to, .. } => {
                    let i = find(state, *id);
                    state[i].title = to.clone();
                    state[i].state = MilestoneState::Closed;
                    state[i].updated_at = Some(now);
                }
                Step::Close { id, .. } => {
                    let i = find(state, *id);
                    state[i].state = MilestoneState::Closed;
                }
                Step::Rename {
                    id,
                    to,
                    start_date,
                    due_date,
                    ..
                } => {
                    let i = find(state, *id);
                    state[i].title = to.clone();
                    state[i].updated_at = Some(now);
                    if start_date.is_some() {
                        state[i].start_date = *start_date;
                        state[i].due_date = *due_date;
                    }
                }
                Step::Create {
                    title,
                    start_date,
                    due_date,
                } => {
                    let id = state.iter().map(|m| m.id).max().unwrap_or(0) + 1;
                    let mut new = m(id, title, true, NOW, None);
                    new.start_date = *start_date;
                    new.due_date = *due_date;
                    state.push(new);
                }
                Step::SetDates {
                    id,
                    start_date,
                    due_date,
                    ..
                } => {
                    let i = find(state, *id);
                    state[i].start_date = Some(*start_date);
                    state[i].due_date = Some(*due_date);
                }
                Step::DeleteDuplicate { id, .. } => state.retain(|m| m.id != *id),
                other => panic!("not a milestone step: {other:?}"),
            }
        }
    }

    fn plan_for(milestones: Vec<Milestone>) -> MilestonePlan {
        plan(&seen(milestones), &week(), &Config::default())
    }

    #[test]
    fn normal_wednesday_rotation() {
        let p = plan_for(vec![last_wow(), last_next()]);
        assert_eq!(
            p,
            MilestonePlan {
                status: Rotated,
                steps: vec![
                    close_and_rename(1, "WoW", CLOSED),
                    rename(2, "Next WoW", "WoW", THIS),
                    create("Next WoW", NEXT),
                ],
                closed: ex(1, CLOSED),
                current: ex(2, "WoW"),
                next: created("Next WoW"),
                carry_from: Some(1),
                weeks_missed: 0,
                conflicts: vec![],
                clock_behind: None,
            }
        );
    }

    #[test]
    fn second_run_in_the_same_week_plans_nothing() {
        let mut state = vec![last_wow(), last_next()];
        let first = plan_for(state.clone());
        apply(&mut state, &first.steps);
        let second = plan_for(state.clone());
        assert_eq!(second.status, NotDue);
        assert_eq!(second.steps, vec![]);
        assert_eq!(second.closed, ex(1, CLOSED));
        assert_eq!(second.current, ex(2, "WoW"));
        assert_eq!(second.next, ex(3, "Next WoW"));
        // Carry-over is still looked at: the caller moves any issue left behind.
        assert_eq!(second.carry_from, Some(1));
    }

    /// SPEC "Clock behind the tracker": after this week's rotation, a run with last
    /// week's `now` writes nothing (no rotation, no dates moved back) and says why.
    /// Regression: issue 13 item 7 (`rotate --now <last week>` moved live dates back).
    #[test]
    fn a_clock_behind_the_tracker_plans_nothing_and_warns() {
        let mut state = vec![last_wow(), last_next()];
        let first = plan_for(state.clone());
        apply(&mut state, &first.steps);
        let last_week = week_of(utc("2026-11-11T09:00:00Z"), Weekday::Wed, Tz::UTC);
        let p = plan(&seen(state.clone()), &last_week, &Config::default());
        assert_eq!((p.status, p.steps.clone()), (NotDue, vec![]));
        assert_eq!(p.carry_from, None);
        let warning = p.clock_behind.expect("a warning");
        assert!(
            warning.contains("starts on 2026-11-18, after this week's start 2026-11-11"),
            "{warning}"
        );
        // `closed(D)` for last week's D does not exist: the plan names none.
        assert_eq!(p.closed, None);
        assert_eq!(p.current, ex(2, "WoW"));
        // On time, the same tracker plans nothing and warns of nothing.
        let now = plan_for(state);
        assert_eq!((now.steps, now.clock_behind), (vec![], None));
    }

    #[test]
    fn dates_are_never_moved_to_an_earlier_week() {
        // `Next WoW` already dated for the week after next (set by hand): left alone.
        let later = m(3, "Next WoW", true, NOW, Some(("2026-12-02", "2026-12-08")));
        let wow = m(
            2,
            "WoW",
            true,
            "2026-11-11T00:00:01Z",
            Some(("2026-11-18", "2026-11-24")),
        );
        let closed = m(
            1,
            CLOSED,
            false,
            "2026-11-04T00:00:01Z",
            Some(("2026-11-11", "2026-11-17")),
        );
        let p = plan_for(vec![closed, wow, later]);
        assert_eq!(p.steps, vec![], "{:?}", p.steps);
        assert_eq!(p.clock_behind, None);
    }

    /// A run killed after any request, re-run, ends in the same state as an
    /// uninterrupted run, and the re-run's status says it resumed.
    #[test]
    fn every_interrupted_prefix_resumes_to_the_same_end_state() {
        let start = vec![last_wow(), last_next()];
        let full = plan_for(start.clone());
        let mut expected = start.clone();
        apply(&mut expected, &full.steps);
        for k in 0..=full.steps.len() {
            let mut state = start.clone();
            apply(&mut state, &full.steps[..k]);
            let resumed = plan_for(state.clone());
            let want_status = match k {
                0 => Rotated,
                k if k == full.steps.len() => NotDue,
                _ => Resumed,
            };
            assert_eq!(resumed.status, want_status, "after {k} steps");
            assert_eq!(resumed.steps, full.steps[k..].to_vec(), "after {k} steps");
            assert_eq!(resumed.carry_from, Some(1), "after {k} steps");
            apply(&mut state, &resumed.steps);
            assert_eq!(state, expected, "after {k} steps");
        }
    }

    #[test]
    fn intermediate_states() {
        let closed_d = m(
            1,
            CLOSED,
            false,
            "2026-11-04T00:00:01Z",
            Some(("2026-11-11", "2026-11-17")),
        );
        let mut refused = last_wow();
        refused.state = MilestoneState::Closed;
        let renamed_next = m(2, "WoW", true, "2026-11-11T00:00:01Z", THIS);
        let new_next = m(3, "Next WoW", true, NOW, NEXT);
        // (case, milestones, status, steps, closed, current, next)
        #[allow(clippy::type_complexity)]
        let cases: Vec<(
            &str,
            Vec<Milestone>,
            RotationStatus,
            Vec<Step>,
            Option<MilestoneTarget>,
            Option<MilestoneTarget>,
            Option<MilestoneTarget>,
        )> = vec![
            (
                "after step 1",
                vec![closed_d.clone(), last_next()],
                Resumed,
                vec![rename(2, "Next WoW", "WoW", THIS), create("Next WoW", NEXT)],
                ex(1, CLOSED),
                ex(2, "WoW"),
                created("Next WoW"),
            ),
            (
                "GitLab closed WoW but refused the title",
                vec![refused, last_next()],
                Resumed,
                vec![
                    close_and_rename(1, "WoW", CLOSED),
                    rename(2, "Next WoW", "WoW", THIS),
                    create("Next WoW", NEXT),
                ],
                ex(1, CLOSED),
                ex(2, "WoW"),
                created("Next WoW"),
            ),
            (
                "after steps 1 and 2",
                vec![closed_d.clone(), renamed_next.clone()],
                Resumed,
                vec![create("Next WoW", NEXT)],
                ex(1, CLOSED),
                ex(2, "WoW"),
                created("Next WoW"),
            ),
            (
                "after steps 1, 2 and 3",
                vec![closed_d.clone(), renamed_next.clone(), new_next.clone()],
                NotDue,
                vec![],
                ex(1, CLOSED),
                ex(2, "WoW"),
                ex(3, "Next WoW"),
            ),
            (
                "closed(D) exists but open",
                vec![
                    m(1, CLOSED, true, "2026-11-04T00:00:01Z", None),
                    renamed_next.clone(),
                    new_next.clone(),
                ],
                Resumed,
                vec![Step::Close {
                    id: 1,
                    title: CLOSED.into(),
                }],
                ex(1, CLOSED),
                ex(2, "WoW"),
                ex(3, "Next WoW"),
            ),
            (
                "closed(D) exists, no WoW, no Next WoW",
                vec![closed_d.clone()],
                Resumed,
                vec![create("WoW", THIS), create("Next WoW", NEXT)],
                ex(1, CLOSED),
                created("WoW"),
                created("Next WoW"),
            ),
            (
                "new project",
                vec![],
                Created,
                vec![create("WoW", THIS), create("Next WoW", NEXT)],
                None,
                created("WoW"),
                created("Next WoW"),
            ),
            (
                // Decision: `Next WoW` stays next week's; `WoW` is created for this one.
                "only Next WoW exists",
                vec![new_next.clone()],
                Created,
                vec![create("WoW", THIS)],
                None,
                created("WoW"),
                ex(3, "Next WoW"),
            ),
            (
                "Next WoW missing, WoW of this week",
                vec![m(5, "WoW", true, "2026-11-18T08:00:00Z", THIS)],
                Resumed,
                vec![create("Next WoW", NEXT)],
                None,
                ex(5, "WoW"),
                created("Next WoW"),
            ),
            (
                "WoW due, Next WoW missing",
                vec![last_wow()],
                Rotated,
                vec![
                    close_and_rename(1, "WoW", CLOSED),
                    create("WoW", THIS),
                    create("Next WoW", NEXT),
                ],
                ex(1, CLOSED),
                created("WoW"),
                created("Next WoW"),
            ),
            (
                "WoW created this week without dates: not due, dates set",
                vec![
                    m(5, "WoW", true, "2026-11-18T08:00:00Z", None),
                    m(6, "Next WoW", true, "2026-11-18T08:00:01Z", None),
                ],
                NotDue,
                vec![
                    set_dates(5, "WoW", "2026-11-18", "2026-11-24"),
                    set_dates(6, "Next WoW", "2026-11-25", "2026-12-01"),
                ],
                None,
                ex(5, "WoW"),
                ex(6, "Next WoW"),
            ),
            (
                "dates wrong on WoW and Next WoW",
                vec![
                    closed_d.clone(),
                    m(
                        2,
                        "WoW",
                        true,
                        "2026-11-11T00:00:01Z",
                        Some(("2026-11-18", "2026-11-25")),
                    ),
                    m(3, "Next WoW", true, NOW, Some(("2026-11-18", "2026-11-24"))),
                ],
                NotDue,
                vec![
                    set_dates(2, "WoW", "2026-11-18", "2026-11-24"),
                    set_dates(3, "Next WoW", "2026-11-25", "2026-12-01"),
                ],
                ex(1, CLOSED),
                ex(2, "WoW"),
                ex(3, "Next WoW"),
            ),
            (
                "WoW starting exactly at week_start is this week's",
                vec![m(5, "WoW", true, "2026-11-10T00:00:00Z", THIS), new_next.clone()],
                NotDue,
                vec![],
                None,
                ex(5, "WoW"),
                ex(3, "Next WoW"),
            ),
            (
                "undated WoW created exactly at week_start is this week's",
                vec![m(5, "WoW", true, "2026-11-18T00:00:00Z", None)],
                Resumed,
                vec![
                    create("Next WoW", NEXT),
                    set_dates(5, "WoW", "2026-11-18", "2026-11-24"),
                ],
                None,
                ex(5, "WoW"),
                created("Next WoW"),
            ),
            (
                "undated WoW created 1 s before week_start is due",
                vec![m(5, "WoW", true, "2026-11-17T23:59:59Z", None), new_next.clone()],
                Rotated,
                vec![
                    close_and_rename(5, "WoW", CLOSED),
                    rename(3, "Next WoW", "WoW", THIS),
                    create("Next WoW", NEXT),
                ],
                ex(5, CLOSED),
                ex(3, "WoW"),
                created("Next WoW"),
            ),
        ];
        for (case, milestones, status, steps, closed, current, next) in cases {
            let p = plan_for(milestones.clone());
            assert_eq!(p.status, status, "{case}");
            assert_eq!(p.steps, steps, "{case}");
            assert_eq!(p.closed, closed, "{case}");
            assert_eq!(p.current, current, "{case}");
            assert_eq!(p.next, next, "{case}");
            assert_eq!(p.conflicts, Vec::<String>::new(), "{case}");
            let want_carry = match closed {
                Some(MilestoneTarget::Existing { id, .. }) => Some(id),
                _ => None,
            };
            assert_eq!(p.carry_from, want_carry, "{case}");
            // Applying the plan reaches a state where nothing is left to do.
            let mut state = milestones;
            apply(&mut state, &p.steps);
            let again = plan_for(state);
            assert_eq!(
                (again.status, again.steps),
                (NotDue, vec![]),
                "{case}: second run"
            );
        }
    }

    #[test]
    fn missed_weeks_rotate_once_for_the_latest_d() {
        let old_wow = m(
            1,
            "WoW",
            true,
            "2026-10-21T00:00:01Z",
            Some(("2026-10-28", "2026-11-03")),
        );
        let old_next = m(
            2,
            "Next WoW",
            true,
            "2026-10-28T00:00:01Z",
            Some(("2026-11-04", "2026-11-10")),
        );
        let p = plan_for(vec![old_wow, old_next]);
        assert_eq!(p.status, Rotated);
        assert_eq!(p.weeks_missed, 2);
        assert_eq!(
            p.steps,
            vec![
                close_and_rename(1, "WoW", CLOSED),
                rename(2, "Next WoW", "WoW", THIS),
                create("Next WoW", NEXT)
            ]
        );
    }

    #[test]
    fn weeks_missed_table() {
        let w = week();
        let cases = [
            // (start_date, created_at, updated_at, open, weeks missed)
            (
                Some("2026-11-11"),
                "2026-11-04T00:00:00Z",
                "2026-11-11T00:00:00Z",
                true,
                0,
            ),
            (
                Some("2026-11-04"),
                "2026-10-28T00:00:00Z",
                "2026-11-04T00:00:00Z",
                true,
                1,
            ),
            (
                Some("2026-10-28"),
                "2026-10-21T00:00:00Z",
                "2026-10-28T00:00:00Z",
                true,
                2,
            ),
            (
                Some("2026-10-30"),
                "2026-10-21T00:00:00Z",
                "2026-10-28T00:00:00Z",
                true,
                2,
            ), // mid-week start
            (
                Some("2026-11-18"),
                "2026-11-11T00:00:00Z",
                "2026-11-11T00:00:00Z",
                true,
                0,
            ),
            // Undated: the rename from `Next WoW` (updated_at) marks when it became `WoW`.
            (None, "2026-11-04T00:00:05Z", "2026-11-11T00:00:05Z", true, 0),
            (None, "2026-10-21T00:00:05Z", "2026-10-28T00:00:05Z", true, 2),
            // Closed but not renamed: updated_at is the close; created_at counts.
            (None, "2026-11-12T10:00:00Z", "2026-11-18T00:00:05Z", false, 0),
            (None, "2026-10-29T10:00:00Z", "2026-11-18T00:00:05Z", false, 2),
        ];
        for (start, created_at, updated_at, open, want) in cases {
            let mut ms = m(1, "WoW", open, created_at, None);
            ms.start_date = start.map(d);
            ms.due_date = start.map(|s| d(s) + chrono::Days::new(6));
            ms.updated_at = Some(utc(updated_at));
            assert_eq!(
                weeks_missed(&ms, &w, Tz::UTC),
                want,
                "{start:?} {created_at} {updated_at}"
            );
        }
    }

    #[test]
    fn set_dates_off_plans_no_dates() {
        let mut cfg = Config::default();
        cfg.rotation.set_dates = false;
        // Without dates, due-ness comes from created_at.
        let wow = m(1, "WoW", true, "2026-11-04T00:00:01Z", None);
        let next = m(2, "Next WoW", true, "2026-11-11T00:00:01Z", None);
        let p = plan(&seen(vec![wow, next]), &week(), &cfg);
        assert_eq!(p.status, Rotated);
        assert_eq!(
            p.steps,
            vec![
                close_and_rename(1, "WoW", CLOSED),
                rename(2, "Next WoW", "WoW", None),
                create("Next WoW", None)
            ]
        );
        // Wrong or missing dates are left alone.
        let this_week = vec![
            m(5, "WoW", true, "2026-11-18T08:00:00Z", None),
            m(
                6,
                "Next WoW",
                true,
                "2026-11-18T08:00:00Z",
                Some(("2026-01-01", "2026-01-07")),
            ),
        ];
        let p = plan(&seen(this_week), &week(), &cfg);
        assert_eq!((p.status, p.steps), (NotDue, vec![]));
        assert_eq!(
            plan(&seen(vec![]), &week(), &cfg).steps,
            vec![create("WoW", None), create("Next WoW", None)]
        );
    }

    #[test]
    fn carry_over_off_sets_no_carry_from() {
        let mut cfg = Config::default();
        cfg.rotation.carry_over_open_issues = false;
        let p = plan(&seen(vec![last_wow(), last_next()]), &week(), &cfg);
        assert_eq!(p.status, Rotated);
        assert_eq!(p.carry_from, None);
        assert_eq!(p.closed, ex(1, CLOSED));
    }

    #[test]
    fn empty_duplicate_is_deleted_first() {
        let mut s = seen(vec![
            m(1, CLOSED, false, "2026-11-04T00:00:01Z", None),
            m(2, "WoW", true, "2026-11-11T00:00:01Z", THIS),
            m(9, "Next WoW", true, "2026-11-18T00:00:02Z", NEXT),
            m(7, "Next WoW", true, "2026-11-18T00:00:02Z", NEXT),
        ]);
        s.issue_counts.insert(9, 0);
        let p = plan(&s, &week(), &Config::default());
        assert_eq!(p.status, NotDue);
        assert_eq!(
            p.steps,
            vec![Step::DeleteDuplicate {
                id: 9,
                title: "Next WoW".into(),
                kept_id: 7
            }]
        );
        assert_eq!(p.next, ex(7, "Next WoW"));
        assert!(p.conflicts.is_empty());
    }

    #[test]
    fn duplicates_during_a_rotation_are_deleted_before_it() {
        // Two overlapping runs on a new project last week created everything twice.
        let mut s = seen(vec![
            m(
                1,
                "WoW",
                true,
                "2026-11-11T09:00:00Z",
                Some(("2026-11-11", "2026-11-17")),
            ),
            m(2, "Next WoW", true, "2026-11-11T09:00:01Z", THIS),
            m(
                3,
                "WoW",
                true,
                "2026-11-11T09:00:01Z",
                Some(("2026-11-11", "2026-11-17")),
            ),
            m(4, "Next WoW", true, "2026-11-11T09:00:02Z", THIS),
        ]);
        s.issue_counts.insert(3, 0);
        s.issue_counts.insert(4, 0);
        let p = plan(&s, &week(), &Config::default());
        assert_eq!(p.status, Rotated);
        assert_eq!(
            p.steps,
            vec![
                Step::DeleteDuplicate {
                    id: 3,
                    title: "WoW".into(),
                    kept_id: 1
                },
                Step::DeleteDuplicate {
                    id: 4,
                    title: "Next WoW".into(),
                    kept_id: 2
                },
                close_and_rename(1, "WoW", CLOSED),
                rename(2, "Next WoW", "WoW", THIS),
                create("Next WoW", NEXT),
            ]
        );
    }

    #[test]
    fn duplicate_holding_issues_is_a_conflict() {
        let this_week = || {
            vec![
                m(1, CLOSED, false, "2026-11-04T00:00:01Z", None),
                m(2, "WoW", true, "2026-11-11T00:00:01Z", THIS),
                m(7, "Next WoW", true, "2026-11-18T00:00:02Z", NEXT),
                m(9, "Next WoW", true, "2026-11-18T00:00:03Z", NEXT),
            ]
        };
        let cases = [
            (Some(3), "two milestones are titled \"Next WoW\" (ids 7 and 9); #9 holds 3 issues: move them to #7 and delete #9"),
            (Some(1), "two milestones are titled \"Next WoW\" (ids 7 and 9); #9 holds 1 issue: move them to #7 and delete #9"),
            (None, "two milestones are titled \"Next WoW\" (ids 7 and 9); #9 may hold issues (not counted): move them to #7 and delete #9"),
        ];
        for (count, message) in cases {
            let mut s = seen(this_week());
            if let Some(n) = count {
                s.issue_counts.insert(9, n);
            }
            let p = plan(&s, &week(), &Config::default());
            assert_eq!((p.status, p.steps), (NotDue, vec![]), "{count:?}");
            assert_eq!(p.next, ex(7, "Next WoW"));
            assert_eq!(p.conflicts, vec![message.to_string()]);
        }
    }

    #[test]
    fn duplicate_next_holding_issues_during_a_rotation_keeps_its_title() {
        let mut s = seen(vec![
            last_wow(),
            m(7, "Next WoW", true, "2026-11-11T00:00:02Z", THIS),
            m(9, "Next WoW", true, "2026-11-11T00:00:03Z", THIS),
        ]);
        s.issue_counts.insert(9, 2);
        let p = plan(&s, &week(), &Config::default());
        assert_eq!(p.status, Rotated);
        // No `Create Next WoW`: #9 holds the title, and GitLab would refuse a second one.
        assert_eq!(
            p.steps,
            vec![
                close_and_rename(1, "WoW", CLOSED),
                rename(7, "Next WoW", "WoW", THIS)
            ]
        );
        assert_eq!(p.current, ex(7, "WoW"));
        assert_eq!(p.next, ex(9, "Next WoW"));
        assert_eq!(
            p.conflicts,
            vec!["two milestones were titled \"Next WoW\" (ids 7 and 9); this rotation renames #7 to \"WoW\" and #9, which holds 2 issues, keeps \"Next WoW\": check that its issues belong there".to_string()]
        );
    }

    #[test]
    fn closed_wow_next_to_closed_d_is_a_conflict() {
        let p = plan_for(vec![
            m(1, CLOSED, false, "2026-11-04T00:00:01Z", None),
            m(4, "WoW", false, "2026-11-10T00:00:01Z", None),
            last_next(),
        ]);
        // Nothing can become `WoW` while #4 holds the title.
        assert_eq!(p.steps, vec![]);
        assert_eq!(p.current, None);
        assert_eq!(p.next, ex(2, "Next WoW"));
        assert_eq!(
            p.conflicts,
            vec![format!(
                "milestone #4 is closed but still titled \"WoW\" while \"{CLOSED}\" (#1) exists: rename or delete #4, then run again"
            )]
        );
    }

    #[test]
    fn custom_titles_monday_auckland() {
        let cfg = Config {
            milestones: MilestoneTitles {
                current: "Sprint".into(),
                next: "Next Sprint".into(),
                closed: "Sprint {date} done".into(),
            },
            week: WeekConfig {
                starts_on: Weekday::Mon,
                timezone: "Pacific/Auckland".parse().unwrap(),
            },
            ..Config::default()
        };
        // Sunday 12:00 UTC is Monday 01:00 in Auckland (NZDT, +13): a new week.
        let week = week_of(utc("2026-11-15T12:00:00Z"), cfg.week.starts_on, cfg.week.timezone);
        assert_eq!(
            (week.start_date, week.closed_date),
            (d("2026-11-16"), d("2026-11-15"))
        );
        let s = seen(vec![
            m(
                1,
                "Sprint",
                true,
                "2026-11-01T00:00:00Z",
                Some(("2026-11-09", "2026-11-15")),
            ),
            m(
                2,
                "Next Sprint",
                true,
                "2026-11-08T00:00:00Z",
                Some(("2026-11-16", "2026-11-22")),
            ),
            // Default titles mean nothing here.
            m(3, "WoW", true, "2026-11-01T00:00:00Z", None),
        ]);
        let p = plan(&s, &week, &cfg);
        assert_eq!(p.status, Rotated);
        assert_eq!(
            p.steps,
            vec![
                close_and_rename(1, "Sprint", "Sprint 2026-11-15 done"),
                rename(2, "Next Sprint", "Sprint", Some(("2026-11-16", "2026-11-22"))),
                create("Next Sprint", Some(("2026-11-23", "2026-11-29"))),
            ]
        );
        assert_eq!(p.closed, ex(1, "Sprint 2026-11-15 done"));
        // One hour earlier it is still Sunday in Auckland: not due.
        let before = week_of(utc("2026-11-15T10:59:59Z"), cfg.week.starts_on, cfg.week.timezone);
        let p = plan(&s, &before, &cfg);
        assert_eq!((p.status, p.steps), (NotDue, vec![]));
    }

    fn issue(iid: u64, milestone: Option<u64>, open: bool, full: &str) -> Issue {
        Issue {
            id: 1000 + iid,
            iid,
            project_id: 42,
            title: format!("issue {iid}"),
            state: if open {
                IssueState::Opened
            } else {
                IssueState::Closed
            },
            created_at: utc("2026-11-10T00:00:00Z"),
            updated_at: utc("2026-11-10T00:00:00Z"),
            closed_at: None,
            labels: vec![],
            milestone: milestone.map(|id| m(id, "x", true, "2026-11-01T00:00:00Z", None)),
            assignees: vec![],
            web_url: format!("https://gitlab.example/g/p/-/issues/{iid}"),
            references: (!full.is_empty()).then(|| References {
                short: format!("#{iid}"),
                full: full.into(),
            }),
            confidential: false,
            description: None,
        }
    }

    #[test]
    fn carry_over_moves_open_issues_of_the_closed_week_only() {
        let issues = vec![
            issue(1, Some(1), true, "g/p#1"),
            issue(2, Some(1), false, "g/p#2"),
            issue(3, Some(2), true, "g/p#3"),
            issue(4, None, true, "g/p#4"),
            issue(5, Some(1), true, ""),
        ];
        let to = MilestoneTarget::Existing {
            id: 2,
            title: "WoW".into(),
        };
        let steps = plan_carry_over(&issues, 1, &to);
        let refs: Vec<(String, u64)> = steps
            .iter()
            .map(|s| match s {
                Step::MoveIssue {
                    issue,
                    from_id,
                    to: t,
                } => {
                    assert_eq!(t, &to);
                    (issue.reference.clone(), *from_id)
                }
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(refs, vec![("g/p#1".to_string(), 1), ("#5".to_string(), 1)]);
        assert_eq!(
            steps[0],
            Step::MoveIssue {
                issue: IssueRef {
                    project_id: 42,
                    iid: 1,
                    title: "issue 1".into(),
                    reference: "g/p#1".into(),
                    web_url: "https://gitlab.example/g/p/-/issues/1".into(),
                    confidential: false,
                    assignees: vec![],
                    labels: vec![],
                },
                from_id: 1,
                to: to.clone(),
            }
        );
        // To a milestone this plan creates; nothing to move into itself.
        let new = MilestoneTarget::Created { title: "WoW".into() };
        assert_eq!(plan_carry_over(&issues, 1, &new).len(), 2);
        assert_eq!(plan_carry_over(&issues, 2, &to), vec![]);
        assert_eq!(plan_carry_over(&[], 1, &to), vec![]);
    }
}
