//! The label audit: five rules, each a pure `check` over fetched data that returns
//! findings and, where a fix exists, the fix as a planned `Step` (SPEC "Audit rules").
//! Nothing here does I/O; `observe` fetches, `apply` writes.

pub(crate) mod handoff;
pub(crate) mod input;
pub(crate) mod label_definitions;
pub(crate) mod priority;
pub(crate) mod stray_milestones;
pub(crate) mod unscheduled;

use crate::gitlab::model::{Issue, Label, Milestone, MilestoneEvent};
use crate::run_error::RunError;
use crate::settings::config::{Config, RuleName};
use crate::step::{IssueRef, Step};
use crate::week::Week;
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};

/// What became of the audit part of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuditStatus {
    Done,
    Skipped,
    Failed,
}

/// What the audit part of a run produced.
#[derive(Debug, Clone)]
pub(crate) struct AuditOutcome {
    pub status: AuditStatus,
    /// Why the audit failed, when it did.
    pub reason: Option<String>,
    pub rules: Vec<RuleState>,
    /// The issues of `WoW`, open and closed, that the audit looked at.
    pub issues_checked: usize,
    pub findings: Vec<Finding>,
    /// Fixes that failed, and the read that stopped the audit, for `errors[]`.
    pub errors: Vec<RunError>,
    /// wowctl's last hand-off nudge per issue, by (project id, iid), when the
    /// notes were read (`publish.handoff_comment`).
    pub nudged: HashMap<(u64, u64), DateTime<Utc>>,
    /// The `WoW` the audit looked at, when there was one.
    pub current: Option<Milestone>,
}

/// A rule as this configuration has it: on, or off and why (a rule that is off
/// is reported as off, never as "no findings").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleState {
    pub rule: RuleName,
    /// `None` when the rule is on; why it is off otherwise.
    pub off_because: Option<String>,
}

impl RuleState {
    pub(crate) fn is_on(&self) -> bool {
        self.off_because.is_none()
    }
}

/// Every rule's state: the enabled ones in the order they run, then the others.
pub(crate) fn rule_states(cfg: &Config) -> Vec<RuleState> {
    let mut states: Vec<RuleState> = rule_order(cfg)
        .into_iter()
        .map(|rule| RuleState {
            rule,
            off_because: (rule == RuleName::Priority && cfg.labels.priorities.is_empty())
                .then(|| "labels.priorities is empty".to_string()),
        })
        .collect();
    for rule in RuleName::ALL {
        if !cfg.audit.rules.contains(&rule) {
            states.push(RuleState {
                rule,
                off_because: Some("not in audit.rules".to_string()),
            });
        }
    }
    states
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Subject {
    Issue(IssueRef),
    Milestone {
        id: u64,
        title: String,
        web_url: Option<String>,
    },
    Label {
        name: String,
    },
}

impl Subject {
    pub(crate) fn of_issue(issue: &Issue) -> Subject {
        Subject::Issue(IssueRef::from(issue))
    }

    /// The name a person reads: `#123 Fix disk alert`, `milestone "WoW ending …"`, `label ~"x"`.
    pub(crate) fn display_name(&self) -> String {
        match self {
            Subject::Issue(i) => format!("{} {}", i.reference, i.title),
            Subject::Milestone { title, .. } => format!("milestone \"{title}\""),
            Subject::Label { name } => format!("label ~\"{name}\""),
        }
    }

    pub(crate) fn issue_iid(&self) -> Option<u64> {
        match self {
            Subject::Issue(i) => Some(i.iid),
            _ => None,
        }
    }
}

/// What became of a finding's fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FixStatus {
    /// No fix exists for this finding (a person must act).
    None,
    /// A fix exists but `audit.fix` is off.
    Disabled,
    /// Dry run: the fix would be applied.
    Planned,
    Applied,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub rule: RuleName,
    pub subject: Subject,
    /// What is wrong, one sentence.
    pub message: String,
    /// The write that fixes it, if there is one.
    pub fix: Option<Step>,
    /// When what is wrong began, where a rule knows: `unscheduled`, the late
    /// addition to `WoW`; `handoff`, the last sign of a person (a publishing
    /// comment says it in its own words).
    pub since: Option<DateTime<Utc>>,
    pub fix_status: FixStatus,
}

impl Finding {
    pub(crate) fn fixed(&self) -> bool {
        self.fix_status == FixStatus::Applied
    }
}

/// Everything the rules look at, fetched by `observe` (or simulated for a dry run
/// on a due day: `Next WoW` as `WoW`, with the carried-over issues as planned).
#[derive(Debug, Clone)]
pub(crate) struct AuditInput {
    pub now: DateTime<Utc>,
    pub week: Week,
    /// The open `WoW` the audit checks (after rotation), if there is one.
    pub current: Option<Milestone>,
    /// The milestone of the week that ended (`closed(D)`, or the `WoW` about to
    /// become it): an addition whose previous event added it is a carry-over.
    pub closed_id: Option<u64>,
    /// Issues of `WoW`, open and closed.
    pub current_issues: Vec<Issue>,
    /// Issues (global ids) this run carried over, or would in a dry run: planned work.
    pub carried_ids: BTreeSet<u64>,
    /// Milestone events by issue global id, fetched only for issues updated at or
    /// after `week_start` (the others cannot have been added after it).
    pub events: HashMap<u64, Vec<MilestoneEvent>>,
    /// Open issues of `Next WoW` (for `priority`).
    pub next_open_issues: Vec<Issue>,
    /// Open ~outage and ~"(perceived) data loss" issues anywhere in the project/group.
    pub handoff_issues: Vec<Issue>,
    /// By issue id, the last sign of a person on a hand-off issue: the newest note
    /// not written by wowctl's token (read only with `publish.handoff_comment`, so
    /// wowctl's own comments and label fixes never count as activity).
    pub last_human_activity: HashMap<u64, DateTime<Utc>>,
    /// Labels available to the project/group.
    pub labels: Vec<Label>,
    /// Open milestones (for `stray_milestones`).
    pub open_milestones: Vec<Milestone>,
}

/// The rules `check` runs, in the order it runs them: the enabled rules of
/// `audit.rules` in their configured order (a rule listed twice runs once), with
/// `label_definitions` moved first. GitLab's `add_labels` silently creates a label
/// that does not exist (gitlab-api.md §3), so the `CreateLabel` fixes, with the
/// configured colour, must come before any `AddLabels` fix.
pub(crate) fn rule_order(cfg: &Config) -> Vec<RuleName> {
    let mut order = Vec::new();
    if cfg.audit.rules.contains(&RuleName::LabelDefinitions) {
        order.push(RuleName::LabelDefinitions);
    }
    for &rule in &cfg.audit.rules {
        if !order.contains(&rule) {
            order.push(rule);
        }
    }
    order
}

/// Runs the enabled rules (see [`rule_order`]) and returns their findings, each
/// with its fix as `FixStatus::Planned` (or `FixStatus::None` when a person must act).
///
/// Fixes are batched: every finding about one issue whose fix is `AddLabels`
/// carries the *same* merged step, adding all the labels those findings want in one
/// edit. [`fixes`] then lists each distinct step once, and the caller records the
/// outcome of a step on every finding that carries it ([`set_fix_status`]).
pub(crate) fn check(input: &AuditInput, cfg: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rule_order(cfg) {
        findings.extend(match rule {
            RuleName::Unscheduled => unscheduled::check(input, cfg),
            RuleName::Priority => priority::check(input, cfg),
            RuleName::Handoff => handoff::check(input, cfg),
            RuleName::LabelDefinitions => label_definitions::check(input, cfg),
            RuleName::StrayMilestones => stray_milestones::check(input, cfg),
        });
    }
    merge_label_fixes(&mut findings);
    findings
}

/// The distinct fixes of `findings`, each once, in the order to send them:
/// `CreateLabel` first, then the others in the order of their first finding.
pub(crate) fn fixes(findings: &[Finding]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for step in findings.iter().filter_map(|f| f.fix.as_ref()) {
        if !steps.contains(step) {
            steps.push(step.clone());
        }
    }
    // Stable: keeps the order within each group.
    steps.sort_by_key(|s| !matches!(s, Step::CreateLabel { .. }));
    steps
}

/// Records the outcome of one fix on every finding that carries it (a batched
/// `AddLabels` is shared by all the findings about its issue).
pub(crate) fn set_fix_status(findings: &mut [Finding], step: &Step, status: FixStatus) {
    for f in findings.iter_mut().filter(|f| f.fix.as_ref() == Some(step)) {
        f.fix_status = status;
    }
}

/// Gives every finding about one issue that wants labels one shared `AddLabels`
/// with the union of their labels (first-seen order), so `apply` edits each issue once.
fn merge_label_fixes(findings: &mut [Finding]) {
    // (project_id, iid) → labels wanted, in first-seen order.
    let mut wanted: HashMap<(u64, u64), Vec<String>> = HashMap::new();
    for f in findings.iter() {
        if let Some(Step::AddLabels { issue, labels }) = &f.fix {
            let all = wanted.entry((issue.project_id, issue.iid)).or_default();
            for label in labels {
                if !all.contains(label) {
                    all.push(label.clone());
                }
            }
        }
    }
    for f in findings.iter_mut() {
        if let Some(Step::AddLabels { issue, labels }) = &mut f.fix {
            if let Some(all) = wanted.get(&(issue.project_id, issue.iid)) {
                labels.clone_from(all);
            }
        }
    }
}

/// A label as GitLab writes a reference to it: `~outage`, `~"(perceived) data loss"`.
pub(crate) fn label_ref(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'));
    if plain {
        format!("~{name}")
    } else {
        format!("~\"{name}\"")
    }
}

/// A finding's fix status as a rule produces it: planned when there is a fix.
pub(crate) fn planned(fix: &Option<Step>) -> FixStatus {
    if fix.is_some() {
        FixStatus::Planned
    } else {
        FixStatus::None
    }
}

/// Shared test data for the rules' tables: week 2026-11-25 (a Wednesday) in UTC.
#[cfg(test)]
pub mod fixtures {
    use super::AuditInput;
    use crate::gitlab::model::{Issue, IssueState, Label, Milestone, MilestoneState, User};
    use crate::week::Week;
    use chrono::{DateTime, NaiveDate, Utc};
    use std::collections::{BTreeSet, HashMap};

    pub const CURRENT_ID: u64 = 500;
    pub const CLOSED_ID: u64 = 400;

    pub fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test timestamp")
            .with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date")
    }

    pub fn week() -> Week {
        Week {
            start: at("2026-11-25T00:00:00Z"),
            start_date: day(2026, 11, 25),
            end_date: day(2026, 12, 1),
            closed_date: day(2026, 11, 24),
        }
    }

    pub fn milestone(id: u64, title: &str) -> Milestone {
        Milestone {
            id,
            iid: id,
            project_id: Some(7),
            group_id: None,
            title: title.into(),
            description: None,
            state: MilestoneState::Active,
            created_at: at("2026-11-01T00:00:00Z"),
            updated_at: None,
            start_date: None,
            due_date: None,
            web_url: Some(format!("https://gitlab.example/m/{id}")),
        }
    }

    /// Issue `iid` with global id `1000 + iid`, open, assigned, updated on `now`'s day.
    pub fn issue(iid: u64, labels: &[&str]) -> Issue {
        Issue {
            id: 1000 + iid,
            iid,
            project_id: 7,
            title: format!("Issue {iid}"),
            state: IssueState::Opened,
            created_at: at("2026-11-01T00:00:00Z"),
            updated_at: at("2026-11-27T09:00:00Z"),
            closed_at: None,
            labels: labels.iter().map(|l| l.to_string()).collect(),
            milestone: None,
            assignees: vec![User {
                id: 1,
                username: "ada".into(),
                name: "Ada".into(),
            }],
            web_url: format!("https://gitlab.example/g/p/-/issues/{iid}"),
            references: None,
            confidential: false,
            description: None,
        }
    }

    pub fn label(name: &str) -> Label {
        Label {
            id: 0,
            name: name.into(),
            color: "#000000".into(),
            description: None,
            is_project_label: Some(true),
        }
    }

    /// An input with a current `WoW`, no issues, and every default label defined.
    pub fn input() -> AuditInput {
        AuditInput {
            now: at("2026-11-27T12:00:00Z"),
            week: week(),
            current: Some(milestone(CURRENT_ID, "WoW")),
            closed_id: Some(CLOSED_ID),
            current_issues: Vec::new(),
            carried_ids: BTreeSet::new(),
            events: HashMap::new(),
            next_open_issues: Vec::new(),
            handoff_issues: Vec::new(),
            last_human_activity: HashMap::new(),
            labels: ["unscheduled", "outage", "(perceived) data loss"]
                .map(label)
                .to_vec(),
            open_milestones: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::gitlab::model::{EventAction, MilestoneEvent};

    fn add_event(issue: &Issue, id: u64, milestone_id: u64, time: &str) -> MilestoneEvent {
        MilestoneEvent {
            id,
            created_at: at(time),
            resource_id: issue.id,
            milestone: Some(milestone(milestone_id, "WoW")),
            action: EventAction::Add,
        }
    }

    fn finding(rule: RuleName, issue: &Issue, labels: &[&str]) -> Finding {
        let fix = Step::AddLabels {
            issue: IssueRef::from(issue),
            labels: labels.iter().map(|l| l.to_string()).collect(),
        };
        Finding {
            rule,
            subject: Subject::of_issue(issue),
            message: "m".into(),
            fix: Some(fix),
            fix_status: FixStatus::Planned,
            since: None,
        }
    }

    #[test]
    fn rule_order_puts_label_definitions_first_and_skips_disabled() {
        let cases: &[(&[RuleName], &[RuleName])] = &[
            (
                &RuleName::ALL,
                &[
                    RuleName::LabelDefinitions,
                    RuleName::Unscheduled,
                    RuleName::Priority,
                    RuleName::Handoff,
                    RuleName::StrayMilestones,
                ],
            ),
            (
                &[RuleName::StrayMilestones, RuleName::Unscheduled],
                &[RuleName::StrayMilestones, RuleName::Unscheduled],
            ),
            (
                &[RuleName::Handoff, RuleName::LabelDefinitions, RuleName::Handoff],
                &[RuleName::LabelDefinitions, RuleName::Handoff],
            ),
            (&[], &[]),
        ];
        for (rules, want) in cases {
            let mut cfg = Config::default();
            cfg.audit.rules = rules.to_vec();
            assert_eq!(rule_order(&cfg), want.to_vec(), "rules {rules:?}");
        }
    }

    /// A tracker where every rule has something to say.
    fn busy_input() -> (AuditInput, Config) {
        let mut cfg = Config::default();
        cfg.labels.priorities = vec!["priority::1".into(), "priority::2".into()];
        let mut input = input();
        input.labels.retain(|l| l.name != "unscheduled");
        let late = issue(1, &["priority::1"]);
        input.events.insert(
            late.id,
            vec![add_event(&late, 1, CURRENT_ID, "2026-11-26T14:02:00Z")],
        );
        input.current_issues = vec![late];
        input.next_open_issues = vec![issue(2, &[])];
        let mut outage = issue(3, &["outage"]);
        outage.assignees.clear();
        input.handoff_issues = vec![outage];
        input.open_milestones = vec![milestone(300, "WoW ending 2026-11-17")];
        (input, cfg)
    }

    #[test]
    fn check_runs_label_definitions_first_then_the_configured_order() {
        let (input, mut cfg) = busy_input();
        cfg.audit.rules = vec![
            RuleName::StrayMilestones,
            RuleName::Handoff,
            RuleName::Priority,
            RuleName::Unscheduled,
            RuleName::LabelDefinitions,
        ];
        let rules: Vec<RuleName> = check(&input, &cfg).iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            vec![
                RuleName::LabelDefinitions,
                RuleName::LabelDefinitions, // priority::1
                RuleName::LabelDefinitions, // priority::2
                RuleName::StrayMilestones,
                RuleName::Handoff,
                RuleName::Priority,
                RuleName::Unscheduled,
            ]
        );
    }

    #[test]
    fn disabled_rules_produce_nothing() {
        let (input, mut cfg) = busy_input();
        cfg.audit.rules = Vec::new();
        assert!(check(&input, &cfg).is_empty());
        for rule in RuleName::ALL {
            cfg.audit.rules = vec![rule];
            let findings = check(&input, &cfg);
            assert!(!findings.is_empty(), "{rule:?} alone should find something here");
            assert!(
                findings.iter().all(|f| f.rule == rule),
                "{rule:?} alone: {findings:?}"
            );
        }
    }

    #[test]
    fn fixes_put_create_label_first_and_add_labels_after() {
        let (input, cfg) = busy_input();
        let findings = check(&input, &cfg);
        let kinds: Vec<&str> = fixes(&findings).iter().map(Step::kind).collect();
        assert_eq!(
            kinds,
            vec![
                "create_label",
                "create_label",
                "create_label",
                "add_labels",
                "close"
            ]
        );
        let statuses: Vec<FixStatus> = findings.iter().map(|f| f.fix_status).collect();
        assert!(statuses
            .iter()
            .all(|s| matches!(s, FixStatus::Planned | FixStatus::None)));
        for f in &findings {
            assert_eq!(f.fix.is_some(), f.fix_status == FixStatus::Planned, "{f:?}");
        }
    }

    #[test]
    fn fixes_are_batched_one_add_labels_per_issue() {
        let a = issue(1, &[]);
        let b = issue(2, &[]);
        let mut findings = vec![
            finding(RuleName::Unscheduled, &a, &["unscheduled"]),
            finding(RuleName::Priority, &b, &["x"]),
            finding(RuleName::Priority, &a, &["x", "unscheduled"]),
        ];
        merge_label_fixes(&mut findings);
        let steps = fixes(&findings);
        assert_eq!(steps.len(), 2, "{steps:?}");
        let want_a = Step::AddLabels {
            issue: IssueRef::from(&a),
            labels: vec!["unscheduled".into(), "x".into()],
        };
        assert_eq!(steps[0], want_a);
        assert_eq!(findings[0].fix.as_ref(), Some(&want_a));
        assert_eq!(findings[2].fix.as_ref(), Some(&want_a));
        assert_eq!(
            steps[1],
            Step::AddLabels {
                issue: IssueRef::from(&b),
                labels: vec!["x".into()]
            }
        );

        // One outcome lands on every finding that shares the step.
        set_fix_status(&mut findings, &want_a, FixStatus::Applied);
        let statuses: Vec<FixStatus> = findings.iter().map(|f| f.fix_status).collect();
        assert_eq!(
            statuses,
            vec![FixStatus::Applied, FixStatus::Planned, FixStatus::Applied]
        );
    }

    #[test]
    fn same_iid_in_two_projects_is_two_issues() {
        let a = issue(1, &[]);
        let mut other = issue(1, &[]);
        other.project_id = 8;
        let mut findings = vec![
            finding(RuleName::Unscheduled, &a, &["unscheduled"]),
            finding(RuleName::Unscheduled, &other, &["unscheduled"]),
        ];
        merge_label_fixes(&mut findings);
        assert_eq!(fixes(&findings).len(), 2);
    }

    #[test]
    fn label_refs_quote_when_needed() {
        for (name, want) in [
            ("outage", "~outage"),
            ("priority::1", "~priority::1"),
            ("(perceived) data loss", "~\"(perceived) data loss\""),
            ("", "~\"\""),
        ] {
            assert_eq!(label_ref(name), want);
        }
    }
}
