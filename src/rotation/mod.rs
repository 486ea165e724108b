//! The rotation (SPEC "Rotation"): `plan` turns what `observe` saw into the steps
//! still missing; `outcome` turns the plan and what the writer reported back into
//! what the run amounts to (status, the milestones after, what the audit looks at).
//! Both are pure: no I/O, no clock, no async. `job` sequences them with `observe`
//! and `apply`; nothing here reads or writes GitLab.

mod outcome;
mod plan;

pub(crate) use outcome::{
    carry_over_ready, outcome, Answers, AuditView, IssueKey, MilestoneInfo, RotationOutcome,
};
pub(crate) use plan::{plan, plan_carry_over};

/// What the rotation part of a run amounts to (`rotation.status` in the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RotationStatus {
    /// This run did step 1 on an open `WoW` of an earlier week.
    Rotated,
    /// Step 1 was done before (by an earlier run or by hand); this run completed
    /// what was missing.
    Resumed,
    /// No `WoW` existed: this run created this week's `WoW` (and `Next WoW`).
    Created,
    /// Nothing to do.
    NotDue,
    /// Dry run with changes to make.
    Planned,
    Failed,
    /// `wowctl audit`: no rotation was attempted.
    Skipped,
}

impl RotationStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RotationStatus::Rotated => "rotated",
            RotationStatus::Resumed => "resumed",
            RotationStatus::Created => "created",
            RotationStatus::NotDue => "not_due",
            RotationStatus::Planned => "planned",
            RotationStatus::Failed => "failed",
            RotationStatus::Skipped => "skipped",
        }
    }
}
