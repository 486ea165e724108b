//! What every format shows, and in which order people read it (SPEC "A report
//! people read"): what needs a person first (hand-offs on top), then what was
//! fixed, then the rotation with its carried-over moves as one step and the issues
//! listed once in numeric order, then details. Also what a confidential issue may
//! show. Decided once here so markdown, HTML, JUnit and the job log agree.
//!
//! Pure: no I/O, no formatting of any one format (that is the renderers' job).

use super::Report;
use crate::apply::{ActionRecord, Outcome};
use crate::audit::{Finding, FixStatus, Subject};
use crate::observe::CarriedIssue;
use crate::rotation::IssueKey;
use crate::settings::config::RuleName;
use crate::step::IssueRef;

/// Tables longer than this are collapsed (`<details>`).
pub(crate) const COLLAPSE_ROWS: usize = 20;

/// What stands for the title of a confidential issue.
pub(crate) const WITHHELD: &str = "(confidential issue)";

/// The kind of the rotation's carry-over steps (`Step::MoveIssue`).
const MOVE_KIND: &str = "move_issue";

/// The title of `issue` as the report may show it: `None` for a confidential
/// issue unless `report.confidential_titles` (job logs and artifacts of public
/// projects are public).
pub(crate) fn issue_title<'a>(r: &Report, issue: &'a IssueRef) -> Option<&'a str> {
    (!issue.confidential || r.confidential_titles).then_some(issue.title.as_str())
}

/// The title of a carried-over issue as the report may show it.
pub(crate) fn carried_title<'a>(r: &Report, c: &'a CarriedIssue) -> Option<&'a str> {
    (!c.confidential || r.confidential_titles).then_some(c.title.as_str())
}

/// The title of what a finding is about, as the report may show it (`None`
/// for a withheld confidential title).
pub(crate) fn subject_title<'a>(r: &Report, s: &'a Subject) -> Option<&'a str> {
    match s {
        Subject::Issue(i) => issue_title(r, i),
        Subject::Milestone { title, .. } => Some(title),
        Subject::Label { name } => Some(name),
    }
}

/// The name a person reads: `#12 Fix disk alert`, `#12 (confidential issue)`,
/// `milestone "WoW ending …"`, `label ~"x"`.
pub(crate) fn subject_name(r: &Report, s: &Subject) -> String {
    match s {
        Subject::Issue(i) => format!("{} {}", i.reference, issue_title(r, i).unwrap_or(WITHHELD)),
        other => other.display_name(),
    }
}

/// A finding a person must act on: no fix, the fix off (`audit.fix`), or the fix
/// failed. A fix applied, or planned in a dry run, is not.
pub(crate) fn needs_a_person(f: &Finding) -> bool {
    !matches!(f.fix_status, FixStatus::Applied | FixStatus::Planned)
}

/// The findings that need a person, hand-offs first, then the other rules in the
/// order they ran; each rule's findings as the rule found them.
pub(crate) fn needing_a_person(r: &Report) -> Vec<(RuleName, Vec<&Finding>)> {
    let mut order: Vec<RuleName> = r.audit.rules.iter().map(|s| s.rule).collect();
    for f in &r.audit.findings {
        if !order.contains(&f.rule) {
            order.push(f.rule);
        }
    }
    order.sort_by_key(|rule| *rule != RuleName::Handoff);
    order
        .into_iter()
        .map(|rule| {
            let fs: Vec<&Finding> = r
                .audit
                .findings
                .iter()
                .filter(|f| f.rule == rule && needs_a_person(f))
                .collect();
            (rule, fs)
        })
        .filter(|(_, fs)| !fs.is_empty())
        .collect()
}

/// The findings whose fix was applied, or (dry run) is planned, in the order
/// they were found.
pub(crate) fn fixed(r: &Report) -> Vec<&Finding> {
    r.audit.findings.iter().filter(|f| !needs_a_person(f)).collect()
}

/// The carry-over moves of the rotation, summed up as one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Moves<'a> {
    /// The milestone the issues go to (`WoW`).
    pub to: String,
    /// Every move step, in the order they were sent.
    pub steps: Vec<&'a ActionRecord>,
}

impl Moves<'_> {
    pub(crate) fn count(&self, outcome: Outcome) -> usize {
        self.steps.iter().filter(|a| a.outcome == outcome).count()
    }

    /// The outcome that speaks for all: failed if one failed, not attempted if
    /// one was not sent, planned in a dry run, else applied.
    pub(crate) fn outcome(&self) -> Outcome {
        let all = |o: Outcome| self.steps.iter().all(|a| a.outcome == o);
        if self.count(Outcome::Failed) > 0 {
            Outcome::Failed
        } else if self.count(Outcome::NotAttempted) > 0 {
            Outcome::NotAttempted
        } else if all(Outcome::AlreadyDone) {
            Outcome::AlreadyDone
        } else if self.count(Outcome::Planned) > 0 {
            Outcome::Planned
        } else {
            Outcome::Applied
        }
    }

    /// "applied", or "1990 applied, 10 failed" when the outcomes differ.
    pub(crate) fn outcome_words(&self) -> String {
        let kinds = [
            (Outcome::Applied, "applied"),
            (Outcome::AlreadyDone, "already done"),
            (Outcome::Planned, "planned"),
            (Outcome::Failed, "failed"),
            (Outcome::NotAttempted, "not attempted"),
        ];
        let parts: Vec<(usize, &str)> = kinds
            .iter()
            .map(|&(o, word)| (self.count(o), word))
            .filter(|(n, _)| *n > 0)
            .collect();
        match parts.as_slice() {
            [(_, word)] => (*word).to_string(),
            _ => parts
                .iter()
                .map(|(n, word)| format!("{n} {word}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// `move 13 issues to {to}`, the milestone written by `milestone`.
    pub(crate) fn describe(&self, milestone: impl Fn(&str) -> String) -> String {
        format!(
            "move {} to {}",
            super::wording::plural(self.steps.len(), "issue", "issues"),
            milestone(&self.to)
        )
    }
}

/// One row of the rotation's steps: a step as it is, or all the moves as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StepRow<'a> {
    Step(&'a ActionRecord),
    Moves(Moves<'a>),
}

/// The rotation's steps with the carry-over moves as one row, where the first
/// move was.
pub(crate) fn step_rows(actions: &[ActionRecord]) -> Vec<StepRow<'_>> {
    let mut rows = Vec::new();
    let mut moves: Option<usize> = None;
    for a in actions {
        if a.kind != MOVE_KIND {
            rows.push(StepRow::Step(a));
            continue;
        }
        match moves {
            Some(i) => {
                if let Some(StepRow::Moves(m)) = rows.get_mut(i) {
                    m.steps.push(a);
                }
            }
            None => {
                moves = Some(rows.len());
                rows.push(StepRow::Moves(Moves {
                    to: move_destination(&a.description),
                    steps: vec![a],
                }));
            }
        }
    }
    rows
}

/// The milestone a move goes to, from its description `move #12 to "WoW"`.
fn move_destination(description: &str) -> String {
    description
        .rsplit_once(" to \"")
        .map(|(_, t)| t.strip_suffix('"').unwrap_or(t).to_string())
        .unwrap_or_else(|| "WoW".to_string())
}

/// Sorts `#2`, `#10`, `g/a#3` as people count: by project path, then number.
fn reference_key(reference: &str) -> (String, u64, String) {
    match reference.rsplit_once('#') {
        Some((path, n)) => match n.parse::<u64>() {
            Ok(n) => (path.to_string(), n, String::new()),
            Err(_) => (path.to_string(), u64::MAX, n.to_string()),
        },
        None => (reference.to_string(), u64::MAX, String::new()),
    }
}

/// The carried-over issues as references (`#12`, `group/project#12`), each once,
/// sorted numerically.
pub(crate) fn carried_references(r: &Report) -> Vec<String> {
    let mut refs: Vec<String> = r
        .rotation
        .carried_over
        .iter()
        .map(|k| match k {
            IssueKey::Iid(i) => format!("#{i}"),
            IssueKey::Reference(s) => s.clone(),
        })
        .collect();
    refs.sort_by_cached_key(|s| reference_key(s));
    refs.dedup();
    refs
}

/// The carried-over issues with titles (the HTML table): the longest carried
/// first, then numerically.
pub(crate) fn carried_rows(r: &Report) -> Vec<&CarriedIssue> {
    let mut rows: Vec<&CarriedIssue> = r.carried_weeks.iter().collect();
    rows.sort_by_cached_key(|c| (std::cmp::Reverse(c.weeks_carried), reference_key(&c.reference)));
    rows
}

/// How the run ended, in words, for the header: never an exit status.
pub(crate) fn ending(r: &Report) -> String {
    match (&r.stopped_by, r.exit_code) {
        (Some(signal), _) => format!("stopped by {signal}"),
        (None, 0) => "done".to_string(),
        (None, 3) => {
            "done; the job fails because findings need a person (report.fail_on_findings)".to_string()
        }
        (None, _) => "failed".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(kind: &str, description: &str, outcome: Outcome) -> ActionRecord {
        ActionRecord {
            kind: kind.to_string(),
            target: String::new(),
            description: description.to_string(),
            applied: matches!(outcome, Outcome::Applied | Outcome::AlreadyDone),
            outcome,
            error: None,
        }
    }

    #[test]
    fn references_sort_as_numbers() {
        let mut refs = vec!["#100", "#2", "#10", "g/b#1", "g/a#20", "g/a#3", "#1000", "#1"];
        refs.sort_by_cached_key(|s| reference_key(s));
        assert_eq!(
            refs,
            ["#1", "#2", "#10", "#100", "#1000", "g/a#3", "g/a#20", "g/b#1"]
        );
    }

    #[test]
    fn moves_become_one_row_where_the_first_was() {
        let rename = action("rename", "rename \"Next WoW\" to \"WoW\"", Outcome::Applied);
        let create = action("create", "create \"Next WoW\"", Outcome::Applied);
        let m = |n: u32, o| action(MOVE_KIND, &format!("move #{n} to \"WoW\""), o);
        let actions = vec![
            rename.clone(),
            m(3, Outcome::Applied),
            create.clone(),
            m(1, Outcome::Failed),
            m(2, Outcome::AlreadyDone),
        ];
        let rows = step_rows(&actions);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], StepRow::Step(&rename));
        assert_eq!(rows[2], StepRow::Step(&create));
        let StepRow::Moves(moves) = &rows[1] else {
            panic!("{rows:?}")
        };
        assert_eq!(moves.to, "WoW");
        assert_eq!(moves.steps.len(), 3);
        assert_eq!(moves.outcome(), Outcome::Failed);
        assert_eq!(moves.outcome_words(), "1 applied, 1 already done, 1 failed");
        assert_eq!(
            moves.describe(|t| format!("%\"{t}\"")),
            "move 3 issues to %\"WoW\""
        );
    }

    #[test]
    fn the_outcome_of_all_moves() {
        // (outcomes, the one outcome, in words)
        let cases: &[(&[Outcome], Outcome, &str)] = &[
            (&[Outcome::Applied, Outcome::Applied], Outcome::Applied, "applied"),
            (
                &[Outcome::Applied, Outcome::AlreadyDone],
                Outcome::Applied,
                "1 applied, 1 already done",
            ),
            (&[Outcome::AlreadyDone], Outcome::AlreadyDone, "already done"),
            (&[Outcome::Planned, Outcome::Planned], Outcome::Planned, "planned"),
            (
                &[Outcome::NotAttempted, Outcome::NotAttempted],
                Outcome::NotAttempted,
                "not attempted",
            ),
            (
                &[Outcome::Applied, Outcome::NotAttempted],
                Outcome::NotAttempted,
                "1 applied, 1 not attempted",
            ),
            (
                &[Outcome::Failed, Outcome::NotAttempted],
                Outcome::Failed,
                "1 failed, 1 not attempted",
            ),
        ];
        for (outcomes, want, words) in cases {
            let actions: Vec<ActionRecord> = outcomes
                .iter()
                .map(|&o| action(MOVE_KIND, "move #1 to \"WoW\"", o))
                .collect();
            let moves = Moves {
                to: "WoW".into(),
                steps: actions.iter().collect(),
            };
            assert_eq!(moves.outcome(), *want, "{outcomes:?}");
            assert_eq!(moves.outcome_words(), *words, "{outcomes:?}");
        }
    }

    #[test]
    fn a_move_names_its_milestone() {
        assert_eq!(move_destination("move #1 to \"WoW\""), "WoW");
        assert_eq!(move_destination("move g/p#1 to \"Week \"A\"\""), "Week \"A\"");
        assert_eq!(move_destination("something else"), "WoW");
    }
}
