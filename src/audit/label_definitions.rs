//! The `label_definitions` rule (SPEC "Audit rules"): every label named in the
//! configuration exists in the project (group in group mode). Fix: create it, with
//! a colour chosen here. Runs before any label fix because GitLab's `add_labels`
//! would silently create a missing label without that colour (gitlab-api.md §3).
//! Pure: it compares names with the labels `observe` listed.

use super::{label_ref, planned, AuditInput, Finding, Subject};
use crate::settings::config::{Config, RuleName};
use crate::step::Step;

/// Colours of created labels (GitLab wants `#RRGGBB`, gitlab-api.md §5).
pub(crate) const UNSCHEDULED_COLOR: &str = "#F0AD4E";
pub(crate) const OUTAGE_COLOR: &str = "#D9534F";
pub(crate) const DATA_LOSS_COLOR: &str = "#8E44AD";
pub(crate) const PRIORITY_COLOR: &str = "#428BCA";

/// Each configured label with its settings key and colour, each name once (first
/// key wins when two keys name the same label).
pub(crate) fn configured(cfg: &Config) -> Vec<(String, &'static str, &'static str)> {
    let l = &cfg.labels;
    let mut out: Vec<(String, &'static str, &'static str)> = Vec::new();
    let named = [
        (&l.unscheduled, "labels.unscheduled", UNSCHEDULED_COLOR),
        (&l.outage, "labels.outage", OUTAGE_COLOR),
        (&l.data_loss, "labels.data_loss", DATA_LOSS_COLOR),
    ];
    let priorities = l
        .priorities
        .iter()
        .map(|p| (p, "labels.priorities", PRIORITY_COLOR));
    for (name, key, color) in named.into_iter().chain(priorities) {
        if !out.iter().any(|(n, _, _)| n == name) {
            out.push((name.clone(), key, color));
        }
    }
    out
}

pub(crate) fn check(input: &AuditInput, cfg: &Config) -> Vec<Finding> {
    configured(cfg)
        .into_iter()
        // Exact match: GitLab label names are case-sensitive in `add_labels`.
        .filter(|(name, _, _)| !input.labels.iter().any(|l| &l.name == name))
        .map(|(name, key, color)| {
            let fix = Some(Step::CreateLabel {
                name: name.clone(),
                color: color.into(),
            });
            Finding {
                rule: RuleName::LabelDefinitions,
                message: format!("label {} ({key}) does not exist", label_ref(&name)),
                subject: Subject::Label { name },
                fix_status: planned(&fix),
                since: None,
                fix,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::audit::FixStatus;

    /// (name, labels that exist, priorities, missing names with their colours)
    type Row = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        &'static [(&'static str, &'static str)],
    );

    #[test]
    fn table() {
        let cases: &[Row] = &[
            (
                "all defined",
                &["unscheduled", "outage", "(perceived) data loss"],
                &[],
                &[],
            ),
            (
                "unscheduled missing",
                &["outage", "(perceived) data loss", "bug"],
                &[],
                &[("unscheduled", UNSCHEDULED_COLOR)],
            ),
            (
                "nothing defined",
                &[],
                &[],
                &[
                    ("unscheduled", UNSCHEDULED_COLOR),
                    ("outage", OUTAGE_COLOR),
                    ("(perceived) data loss", DATA_LOSS_COLOR),
                ],
            ),
            (
                "priorities checked too",
                &["unscheduled", "outage", "(perceived) data loss", "priority::1"],
                &["priority::1", "priority::2"],
                &[("priority::2", PRIORITY_COLOR)],
            ),
            (
                "exact names only",
                &["Unscheduled", "outage", "(perceived) data loss"],
                &[],
                &[("unscheduled", UNSCHEDULED_COLOR)],
            ),
        ];
        for (name, existing, priorities, want) in cases {
            let mut cfg = Config::default();
            cfg.labels.priorities = priorities.iter().map(|p| p.to_string()).collect();
            let mut input = input();
            input.labels = existing.iter().map(|n| label(n)).collect();
            let findings = check(&input, &cfg);
            let got: Vec<(Subject, Option<Step>, FixStatus)> = findings
                .iter()
                .map(|f| (f.subject.clone(), f.fix.clone(), f.fix_status))
                .collect();
            let want: Vec<(Subject, Option<Step>, FixStatus)> = want
                .iter()
                .map(|(n, c)| {
                    let fix = Step::CreateLabel {
                        name: n.to_string(),
                        color: c.to_string(),
                    };
                    (
                        Subject::Label { name: n.to_string() },
                        Some(fix),
                        FixStatus::Planned,
                    )
                })
                .collect();
            assert_eq!(got, want, "{name}");
            assert!(findings.iter().all(|f| f.rule == RuleName::LabelDefinitions));
        }
    }

    #[test]
    fn message_names_the_setting() {
        let mut input = input();
        input.labels.clear();
        let messages: Vec<String> = check(&input, &Config::default())
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(
            messages,
            vec![
                "label ~unscheduled (labels.unscheduled) does not exist",
                "label ~outage (labels.outage) does not exist",
                "label ~\"(perceived) data loss\" (labels.data_loss) does not exist",
            ]
        );
    }

    #[test]
    fn a_name_configured_twice_is_created_once() {
        let mut cfg = Config::default();
        cfg.labels.outage = "incident".into();
        cfg.labels.priorities = vec!["incident".into(), "p1".into(), "p1".into()];
        let names: Vec<String> = configured(&cfg).into_iter().map(|(n, _, _)| n).collect();
        assert_eq!(
            names,
            vec!["unscheduled", "incident", "(perceived) data loss", "p1"]
        );
        let mut input = input();
        input.labels.clear();
        assert_eq!(check(&input, &cfg).len(), 4);
    }
}
