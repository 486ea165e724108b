//! The rotation planner (SPEC "Rotation"): from the milestones that exist to the
//! ordered steps still missing. Pure: no I/O, `now` arrives as a `Week`.

use crate::gitlab::model::{Issue, Milestone};
use crate::report::RotationStatus;
use crate::settings::Config;
use crate::step::{MilestoneTarget, Step};
use crate::week::Week;
use std::collections::BTreeMap;

/// What `observe` saw of the milestones.
#[derive(Debug, Clone, Default)]
pub struct ObservedMilestones {
    /// Every milestone titled `current`, `next` or `closed(D)` in any state, and every
    /// open milestone; each once.
    pub milestones: Vec<Milestone>,
    /// Issue counts (all states) of milestones whose title is held twice, by id:
    /// a newer copy with none is deleted.
    pub issue_counts: BTreeMap<u64, usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MilestonePlan {
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
}

/// STUB.
pub fn plan(seen: &ObservedMilestones, week: &Week, cfg: &Config) -> MilestonePlan {
    let _ = (seen, week, cfg);
    unimplemented!()
}

/// Rotation step 4: each open issue of `from_id` moves to `to`. STUB.
pub fn plan_carry_over(open_issues: &[Issue], from_id: u64, to: &MilestoneTarget) -> Vec<Step> {
    let _ = (open_issues, from_id, to);
    unimplemented!()
}
