//! What this configuration needs of the token: for each thing a run does, the least
//! scope and role (gitlab-api.md §8, §9), and which run doctor judges the token for.
//!
//! Pure: no I/O, nothing printed. The words people read about roles and scopes live
//! here once (the `*_NEEDS` constants), so doctor, the docs and the README can say
//! the same thing.
//!
//! Why these minimums:
//! * Writes (rotation, audit fixes) need scope `api` and the Planner role in the
//!   project, or in the group for group milestones (Reporter before GitLab 17.7).
//!   Below Planner, GitLab refuses milestone and label writes (403) and silently
//!   drops issue metadata edits (§3), so the role is checked, not only the scope.
//! * Reads only (dry run, or `audit.fix: false` with `WOW_ACTION=audit`) need
//!   scope `read_api` and the Guest role: a Guest of a private project reads its
//!   milestones, issues, labels and milestone events. Confidential issues are
//!   hidden from Guests, so a Guest's audit silently skips them (doctor warns).
//!   Public and internal projects are readable without any membership.
//! * Run by hand (outside CI) `wowctl run` would be a dry run, but the token is
//!   the one the scheduled pipeline uses, and that run applies changes: so doctor
//!   judges for an applied run unless told otherwise (`--dry-run`, `WOW_DRY_RUN`).

use crate::gitlab::model::AccessLevel;
use crate::settings::{Action, Source, Sourced};

/// What an applied run (the scheduled pipeline) needs, in the words used everywhere.
pub(super) const APPLIED_RUN_NEEDS: &str = "applied runs need the Planner role (or higher) and scope `api`";
/// What a dry run needs, in the words used everywhere.
pub(super) const DRY_RUN_NEEDS: &str =
    "dry runs need scope `read_api` and the Planner role too, since a Guest cannot see confidential issues";
/// Said next to "Planner" wherever a write role is named (gitlab-api.md §9).
pub(super) const BEFORE_PLANNER: &str = "Reporter on GitLab before 17.7";
/// The least role for writes and for reads: reads need Planner too, because
/// GitLab shows confidential issues only from Planner up (docs/security.md), and a
/// read-only run that misses them reports a week that is not the team's.
pub(super) const WRITE_ROLE: AccessLevel = AccessLevel::Planner;
pub(super) const READ_ROLE: AccessLevel = AccessLevel::Planner;

/// What a step does with the tracker, hence the token scope it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Access {
    Read,
    Write,
}

impl Access {
    pub(super) fn scope(self) -> &'static str {
        match self {
            Access::Read => "read_api",
            Access::Write => "api",
        }
    }
}

/// One thing this configuration does, and the least it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Need {
    pub what: String,
    pub access: Access,
    pub role: AccessLevel,
}

/// What `wowctl run` with this action, `audit.fix` and dry run will do, each with
/// its minimum scope and role.
pub(super) fn needs(action: Action, fix: bool, dry_run: bool) -> Vec<Need> {
    let need = |what: &str, access| Need {
        what: what.to_string(),
        access,
        role: match access {
            Access::Read => READ_ROLE,
            Access::Write => WRITE_ROLE,
        },
    };
    let mut out = vec![need("read milestones, issues, labels", Access::Read)];
    let rotates = matches!(action, Action::Run | Action::Rotate);
    let audits = matches!(action, Action::Run | Action::Audit);
    if rotates {
        out.push(if dry_run {
            need("rotation (dry run: planned only)", Access::Read)
        } else {
            need("rotation", Access::Write)
        });
    }
    if audits {
        out.push(match (fix, dry_run) {
            (false, _) => need("audit (audit.fix off)", Access::Read),
            (true, true) => need("audit fixes (dry run: planned only)", Access::Read),
            (true, false) => need("audit fixes (audit.fix on)", Access::Write),
        });
    }
    out
}

/// Which run doctor judges the token for, and the line that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JudgedFor {
    pub dry_run: bool,
    /// One line for people: which run, and why that one.
    pub line: String,
}

/// The run to judge for: what `--dry-run` or `WOW_DRY_RUN` asks; in a pipeline, what
/// that pipeline does; by hand (no `CI_PIPELINE_SOURCE`), the applied run of the
/// schedule, never the dry run `wowctl run` would do there (issue 16, item 10).
pub(super) fn judged_for(dry_run: &Sourced<bool>, pipeline_source: Option<&str>) -> JudgedFor {
    let run = |dry: bool| if dry { "a dry run" } else { "an applied run" };
    let explicit = match &dry_run.source {
        Source::Flag { name } => Some(format!("{name}={}", dry_run.value)),
        Source::Variable { name } => Some(format!("{name}={}", dry_run.value)),
        _ => None,
    };
    let (dry, why) = match (explicit, pipeline_source) {
        (Some(asked), _) => (dry_run.value, format!("as {asked} asks")),
        (None, Some(source)) => (
            dry_run.value,
            format!("as this pipeline runs (CI_PIPELINE_SOURCE={source})"),
        ),
        (None, None) => {
            return JudgedFor {
                dry_run: false,
                line: "Judged for an applied run (what the scheduled pipeline does); pass --dry-run to judge a read-only run"
                    .into(),
            }
        }
    };
    let line = if dry {
        format!(
            "Judged for {} {why}; the scheduled pipeline applies changes, and {APPLIED_RUN_NEEDS}",
            run(dry)
        )
    } else {
        format!("Judged for {} {why}", run(dry))
    };
    JudgedFor { dry_run: dry, line }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessLevel::Planner;

    #[test]
    fn needs_table() {
        use Access::*;
        let table = [
            (
                Action::Run,
                true,
                false,
                vec![(Read, Planner), (Write, Planner), (Write, Planner)],
            ),
            (
                Action::Run,
                false,
                false,
                vec![(Read, Planner), (Write, Planner), (Read, Planner)],
            ),
            (
                Action::Run,
                true,
                true,
                vec![(Read, Planner), (Read, Planner), (Read, Planner)],
            ),
            (
                Action::Run,
                false,
                true,
                vec![(Read, Planner), (Read, Planner), (Read, Planner)],
            ),
            (
                Action::Rotate,
                false,
                false,
                vec![(Read, Planner), (Write, Planner)],
            ),
            (Action::Rotate, true, true, vec![(Read, Planner), (Read, Planner)]),
            (
                Action::Audit,
                false,
                false,
                vec![(Read, Planner), (Read, Planner)],
            ),
            (
                Action::Audit,
                true,
                false,
                vec![(Read, Planner), (Write, Planner)],
            ),
            (Action::Audit, true, true, vec![(Read, Planner), (Read, Planner)]),
        ];
        for (action, fix, dry, want) in table {
            let got: Vec<(Access, AccessLevel)> = needs(action, fix, dry)
                .iter()
                .map(|n| (n.access, n.role))
                .collect();
            assert_eq!(got, want, "{action:?} fix={fix} dry={dry}");
        }
    }

    #[test]
    fn judged_for_table() {
        let flag = |v| {
            Sourced::new(
                v,
                Source::Flag {
                    name: "--dry-run".into(),
                },
            )
        };
        let var = |v| {
            Sourced::new(
                v,
                Source::Variable {
                    name: "WOW_DRY_RUN".into(),
                },
            )
        };
        let derived = |v| Sourced::new(v, Source::Derived { reason: "…".into() });
        // (dry run as settings resolved it, CI_PIPELINE_SOURCE) → (judged dry, line fragment)
        let table = [
            // By hand: `run` would be a dry run, the schedule applies: judge the schedule.
            (derived(true), None, false, "Judged for an applied run (what the scheduled pipeline does); pass --dry-run to judge a read-only run"),
            (flag(true), None, true, "Judged for a dry run as --dry-run=true asks; the scheduled pipeline applies changes, and applied runs need the Planner role (or higher) and scope `api`"),
            (flag(false), None, false, "Judged for an applied run as --dry-run=false asks"),
            (var(true), None, true, "as WOW_DRY_RUN=true asks"),
            (var(false), Some("merge_request_event"), false, "as WOW_DRY_RUN=false asks"),
            (derived(false), Some("schedule"), false, "Judged for an applied run as this pipeline runs (CI_PIPELINE_SOURCE=schedule)"),
            (derived(true), Some("merge_request_event"), true, "Judged for a dry run as this pipeline runs (CI_PIPELINE_SOURCE=merge_request_event)"),
            (flag(true), Some("schedule"), true, "as --dry-run=true asks"),
        ];
        for (dry_run, source, want_dry, fragment) in table {
            let j = judged_for(&dry_run, source);
            assert_eq!(j.dry_run, want_dry, "{dry_run:?} {source:?}");
            assert!(j.line.contains(fragment), "{dry_run:?} {source:?}: {}", j.line);
            // Whenever the judgement is a dry run, the line says what the schedule needs.
            assert_eq!(j.line.contains(APPLIED_RUN_NEEDS), j.dry_run, "{}", j.line);
            assert!(!j.line.contains('\n'), "one line: {}", j.line);
        }
    }
}
