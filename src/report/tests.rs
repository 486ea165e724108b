//! Tests of the report renderers against fixed reports: golden files in
//! `tests/golden/` (regenerate with `WOW_UPDATE_GOLDEN=1 cargo test --lib report`
//! and review the diff), and checks that each format keeps its consumer's rules:
//! JUnit and HTML parse as XML with the right counts, `wow.env` follows GitLab's
//! dotenv rules, `report.json` validates against `docs/report-schema.json`.

use super::*;
use crate::apply::Outcome;
use crate::audit::AuditStatus;
use crate::rotation::RotationStatus;
use quick_xml::events::Event;

/// GitLab's dotenv file limit (gitlab-api.md §10): `wow.env` must stay below it.
const DOTENV_MAX_FILE_BYTES: usize = 5 * 1024;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

pub(crate) mod fixtures {
    use crate::apply::{ActionRecord, Outcome};
    use crate::audit::{AuditStatus, Finding, FixStatus, RuleState, Subject};
    use crate::observe::{CarriedIssue, HistoryWeek};
    use crate::report::*;
    use crate::rotation::{IssueKey, MilestoneInfo, RotationStatus};
    use crate::run_error::RunError;
    use crate::settings::config::RuleName;
    use crate::settings::Links;
    use crate::step::{IssueRef, MilestoneTarget, Step};
    use chrono::{NaiveDate, TimeZone, Utc};
    use std::collections::BTreeMap;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    const WEB: &str = "https://gitlab.example.com/team/ops";

    fn ms(id: Option<u64>, title: &str, state: &str, dates: Option<(NaiveDate, NaiveDate)>) -> MilestoneInfo {
        MilestoneInfo {
            id,
            title: title.to_string(),
            state: Some(state.to_string()),
            start_date: dates.map(|x| x.0),
            due_date: dates.map(|x| x.1),
            web_url: id.map(|i| format!("{WEB}/-/milestones/{i}")),
            planned: false,
        }
    }

    fn issue(iid: u64, title: &str) -> (Subject, IssueRef) {
        let web_url = format!("{WEB}/-/issues/{iid}");
        let issue = IssueRef {
            project_id: 42,
            iid,
            title: title.to_string(),
            reference: format!("#{iid}"),
            web_url,
            confidential: false,
            assignees: vec![],
            labels: vec![],
        };
        (Subject::Issue(issue.clone()), issue)
    }

    fn confidential_issue(iid: u64, title: &str, assignees: &[&str]) -> (Subject, IssueRef) {
        let (_, mut issue) = issue(iid, title);
        issue.confidential = true;
        issue.assignees = assignees.iter().map(|a| a.to_string()).collect();
        (Subject::Issue(issue.clone()), issue)
    }

    /// The title of the confidential issue in `rotated`, and of its carried one.
    pub const CONFIDENTIAL_TITLES: [&str; 2] = [
        "Database outage on eu-1 (customer data)",
        "Document the on-call hand-off (security)",
    ];

    fn act(step: &Step, outcome: Outcome, error: Option<&str>) -> ActionRecord {
        ActionRecord {
            kind: step.kind().to_string(),
            target: step.target(),
            description: step.describe(),
            applied: matches!(outcome, Outcome::Applied | Outcome::AlreadyDone),
            outcome,
            error: error.map(str::to_string),
        }
    }

    fn finding(
        rule: RuleName,
        subject: Subject,
        message: &str,
        fix: Option<Step>,
        fix_status: FixStatus,
    ) -> Finding {
        Finding {
            rule,
            subject,
            message: message.to_string(),
            fix,
            fix_status,
            since: None,
        }
    }

    fn planned(m: MilestoneInfo) -> MilestoneInfo {
        MilestoneInfo { planned: true, ..m }
    }

    /// `rules` on, every other rule off as a configuration without them has it.
    fn rules_on(rules: &[RuleName]) -> Vec<RuleState> {
        let mut states: Vec<RuleState> = rules
            .iter()
            .map(|&rule| RuleState {
                rule,
                off_because: None,
            })
            .collect();
        for rule in RuleName::ALL {
            if !rules.contains(&rule) {
                states.push(RuleState {
                    rule,
                    off_because: Some("not in audit.rules".into()),
                });
            }
        }
        states
    }

    fn requests(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn base() -> Report {
        Report {
            tool: Tool {
                name: "wowctl",
                version: "0.0.0-test",
            },
            command: "run".to_string(),
            now: Utc
                .with_ymd_and_hms(2026, 11, 18, 9, 0, 0)
                .single()
                .unwrap_or_default(),
            dry_run: false,
            scope: Some("project 42".to_string()),
            week: WeekDates {
                start: d(2026, 11, 18),
                end: d(2026, 11, 24),
            },
            rotation: RotationReport::default(),
            audit: AuditReport::default(),
            history: Some(Vec::new()),
            carried_weeks: Vec::new(),
            publish: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            token_expires_at: None,
            stopped_by: None,
            requests: BTreeMap::new(),
            links: Links::default(),
            exit_code: 0,
            confidential_titles: false,
        }
    }

    /// A scheduled Wednesday run: rotated, findings of all five rules, fixes
    /// applied, failed, off and impossible; chart data for the HTML page.
    pub fn rotated() -> Report {
        let mut r = base();
        let last = (d(2026, 11, 11), d(2026, 11, 17));
        let this = (d(2026, 11, 18), d(2026, 11, 24));
        let next = (d(2026, 11, 25), d(2026, 12, 1));
        let (_, i7) = issue(7, "Rotate the TLS certificates");
        let (_, i9) = issue(9, "Upgrade Postgres to 17");
        let steps = [
            (
                Step::CloseAndRename {
                    id: 10,
                    from: "WoW".into(),
                    to: "WoW ending 2026-11-17".into(),
                    description: None,
                },
                Outcome::Applied,
            ),
            (
                Step::Rename {
                    id: 11,
                    from: "Next WoW".into(),
                    to: "WoW".into(),
                    start_date: Some(this.0),
                    due_date: Some(this.1),
                },
                Outcome::Applied,
            ),
            (
                Step::Create {
                    title: "Next WoW".into(),
                    start_date: Some(next.0),
                    due_date: Some(next.1),
                },
                Outcome::Applied,
            ),
            (
                Step::MoveIssue {
                    issue: i7,
                    from_id: 10,
                    to: MilestoneTarget::Existing {
                        id: 11,
                        title: "WoW".into(),
                    },
                },
                Outcome::Applied,
            ),
            (
                Step::MoveIssue {
                    issue: i9,
                    from_id: 10,
                    to: MilestoneTarget::Existing {
                        id: 11,
                        title: "WoW".into(),
                    },
                },
                Outcome::AlreadyDone,
            ),
        ];
        r.rotation = RotationReport {
            reason: None,
            status: RotationStatus::Rotated,
            before: Some(vec![
                ms(Some(10), "WoW", "active", Some(last)),
                ms(Some(11), "Next WoW", "active", Some(this)),
            ]),
            closed_milestone: Some(ms(Some(10), "WoW ending 2026-11-17", "closed", Some(last))),
            current_milestone: Some(ms(Some(11), "WoW", "active", Some(this))),
            next_milestone: Some(ms(Some(12), "Next WoW", "active", Some(next))),
            actions: steps.iter().map(|(s, o)| act(s, *o, None)).collect(),
            carried_over: vec![IssueKey::Iid(7), IssueKey::Iid(9)],
            weeks_missed: 0,
        };

        let (s21, r21) = issue(21, "Disk alert | pager <b>noisy</b> & *loud*");
        let (s22, r22) = issue(22, "Renew \"wildcard\" cert");
        let (s23, _) = issue(23, "Clean up dashboards");
        let (s24, _) = issue(24, "Migrate [runner] fleet");
        // A confidential issue: its title must not appear in any format.
        let (s30, _) = confidential_issue(30, "Database outage on eu-1 (customer data)", &["ops-lead"]);
        let unscheduled = || vec!["unscheduled".to_string()];
        r.audit = AuditReport {
            status: AuditStatus::Done,
            reason: None,
            rules: rules_on(&RuleName::ALL),
            issues_checked: 14,
            findings: vec![
                finding(
                    RuleName::Unscheduled,
                    s21,
                    "added to WoW on 2026-11-19, after the week started, without ~unscheduled",
                    Some(Step::AddLabels {
                        issue: r21,
                        labels: unscheduled(),
                    }),
                    FixStatus::Applied,
                ),
                finding(
                    RuleName::Unscheduled,
                    s22,
                    "added to WoW on 2026-11-20, after the week started, without ~unscheduled",
                    Some(Step::AddLabels {
                        issue: r22,
                        labels: unscheduled(),
                    }),
                    FixStatus::Failed,
                ),
                finding(
                    RuleName::Priority,
                    s23,
                    "has no priority label (one of ~P1 ~P2 ~P3)",
                    None,
                    FixStatus::None,
                ),
                finding(
                    RuleName::Priority,
                    s24,
                    "has 2 priority labels: ~P1 ~P3",
                    None,
                    FixStatus::None,
                ),
                finding(
                    RuleName::Handoff,
                    s30.clone(),
                    "open ~outage with no assignee",
                    None,
                    FixStatus::None,
                ),
                finding(
                    RuleName::Handoff,
                    s30,
                    "open ~outage not updated for 3 days",
                    None,
                    FixStatus::None,
                ),
                finding(
                    RuleName::LabelDefinitions,
                    Subject::Label {
                        name: "(perceived) data loss".into(),
                    },
                    "the configured label does not exist",
                    Some(Step::CreateLabel {
                        name: "(perceived) data loss".into(),
                        color: "#cc0000".into(),
                    }),
                    FixStatus::Applied,
                ),
                finding(
                    RuleName::StrayMilestones,
                    Subject::Milestone {
                        id: 8,
                        title: "WoW ending 2026-11-10".into(),
                        web_url: Some(format!("{WEB}/-/milestones/8")),
                    },
                    "a closed week's milestone is still open",
                    Some(Step::Close {
                        id: 8,
                        title: "WoW ending 2026-11-10".into(),
                    }),
                    FixStatus::Disabled,
                ),
            ],
        };
        r.history = Some(
            (0..6u32)
                .map(|i| {
                    let end = d(2026, 10, 13) + chrono::Duration::days(7 * i64::from(i));
                    HistoryWeek {
                        title: format!("WoW ending {end}"),
                        end_date: end,
                        closed_issues: [12, 9, 15, 7, 11, 13][i as usize],
                        unscheduled: [3, 1, 6, 2, 0, 4][i as usize],
                        outages: [1, 0, 2, 0, 0, 1][i as usize],
                    }
                })
                .collect(),
        );
        r.carried_weeks = vec![
            CarriedIssue {
                reference: "#7".into(),
                title: "Rotate the TLS certificates".into(),
                web_url: format!("{WEB}/-/issues/7"),
                weeks_carried: 1,
                confidential: false,
            },
            CarriedIssue {
                reference: "#9".into(),
                title: "Upgrade Postgres to 17 <major>".into(),
                web_url: format!("{WEB}/-/issues/9"),
                weeks_carried: 4,
                confidential: false,
            },
            CarriedIssue {
                reference: "#5".into(),
                title: "Document the on-call hand-off (security)".into(),
                web_url: format!("{WEB}/-/issues/5"),
                weeks_carried: 3,
                confidential: true,
            },
        ];
        r.requests = requests(&[("GET", 31), ("POST", 4), ("PUT", 5)]);
        r.links = Links {
            pipeline_url: Some(format!("{WEB}/-/pipelines/9001")),
            job_url: Some(format!("{WEB}/-/jobs/77001")),
            project_url: Some(WEB.to_string()),
            pipeline_source: Some("schedule".into()),
            ..Links::default()
        };
        r
    }

    /// A push pipeline in group mode, two weeks late: everything planned, nothing sent.
    pub fn dry_run() -> Report {
        let mut r = base();
        r.dry_run = true;
        r.scope = Some("group my-group".into());
        let old = (d(2026, 10, 28), d(2026, 11, 3));
        let this = (d(2026, 11, 18), d(2026, 11, 24));
        let next = (d(2026, 11, 25), d(2026, 12, 1));
        let moved = IssueRef {
            project_id: 43,
            iid: 7,
            title: "Pin the base image".into(),
            reference: "my-group/api#7".into(),
            web_url: "https://gitlab.example.com/my-group/api/-/issues/7".into(),
            confidential: false,
            assignees: vec![],
            labels: vec![],
        };
        let steps = [
            Step::CloseAndRename {
                id: 20,
                from: "WoW".into(),
                to: "WoW ending 2026-11-17".into(),
                description: None,
            },
            Step::Rename {
                id: 21,
                from: "Next WoW".into(),
                to: "WoW".into(),
                start_date: Some(this.0),
                due_date: Some(this.1),
            },
            Step::Create {
                title: "Next WoW".into(),
                start_date: Some(next.0),
                due_date: Some(next.1),
            },
            Step::MoveIssue {
                issue: moved.clone(),
                from_id: 20,
                to: MilestoneTarget::Existing {
                    id: 21,
                    title: "WoW".into(),
                },
            },
        ];
        r.rotation = RotationReport {
            reason: None,
            status: RotationStatus::Planned,
            before: Some(vec![
                ms(Some(20), "WoW", "active", Some(old)),
                ms(Some(21), "Next WoW", "active", None),
            ]),
            // A dry run: all three are what the run would make of them.
            closed_milestone: Some(planned(ms(
                Some(20),
                "WoW ending 2026-11-17",
                "closed",
                Some(old),
            ))),
            current_milestone: Some(planned(ms(Some(21), "WoW", "active", Some(this)))),
            next_milestone: Some(planned(ms(None, "Next WoW", "active", Some(next)))),
            actions: steps.iter().map(|s| act(s, Outcome::Planned, None)).collect(),
            carried_over: vec![IssueKey::Reference("my-group/api#7".into())],
            weeks_missed: 2,
        };
        let unsched_ref = IssueRef {
            project_id: 44,
            iid: 3,
            title: "Hotfix: login loop".into(),
            reference: "my-group/web#3".into(),
            web_url: "https://gitlab.example.com/my-group/web/-/issues/3".into(),
            confidential: false,
            assignees: vec![],
            labels: vec![],
        };
        let unsched = Subject::Issue(unsched_ref.clone());
        r.audit =
            AuditReport {
                status: AuditStatus::Done,
                reason: None,
                rules: rules_on(&[
                    RuleName::Unscheduled,
                    RuleName::Priority,
                    RuleName::LabelDefinitions,
                ]),
                issues_checked: 6,
                findings: vec![
                finding(
                    RuleName::Unscheduled,
                    unsched,
                    "added to Next WoW on 2026-11-18 at 10:00, after the week started, without ~unscheduled",
                    Some(Step::AddLabels { issue: unsched_ref, labels: vec!["unscheduled".into()] }),
                    FixStatus::Planned,
                ),
                finding(
                    RuleName::LabelDefinitions,
                    Subject::Label { name: "outage".into() },
                    "the configured label does not exist",
                    Some(Step::CreateLabel { name: "outage".into(), color: "#d9534f".into() }),
                    FixStatus::Planned,
                ),
            ],
            };
        r.requests = requests(&[("GET", 17)]);
        r.links = Links {
            pipeline_source: Some("push".into()),
            ..Links::default()
        };
        r
    }

    /// A run that failed part-way: GitLab refused the first step, the audit failed.
    pub fn failed() -> Report {
        let mut r = base();
        r.exit_code = 1;
        let last = (d(2026, 11, 11), d(2026, 11, 17));
        let this = (d(2026, 11, 18), d(2026, 11, 24));
        let error = "GitLab answered 403 Forbidden to PUT /projects/42/milestones/10: editing milestones needs the Planner role or above";
        let steps = [
            (
                Step::CloseAndRename {
                    id: 10,
                    from: "WoW".into(),
                    to: "WoW ending 2026-11-17".into(),
                    description: None,
                },
                Outcome::Failed,
                Some(error),
            ),
            (
                Step::Rename {
                    id: 11,
                    from: "Next WoW".into(),
                    to: "WoW".into(),
                    start_date: Some(this.0),
                    due_date: Some(this.1),
                },
                Outcome::NotAttempted,
                None,
            ),
            (
                Step::Create {
                    title: "Next WoW".into(),
                    start_date: None,
                    due_date: None,
                },
                Outcome::NotAttempted,
                None,
            ),
        ];
        r.rotation = RotationReport {
            reason: None,
            status: RotationStatus::Failed,
            before: Some(vec![
                ms(Some(10), "WoW", "active", Some(last)),
                ms(Some(11), "Next WoW", "active", Some(this)),
            ]),
            // Step 1 was refused: GitLab holds none of the three targets.
            closed_milestone: None,
            current_milestone: None,
            next_milestone: None,
            actions: steps.iter().map(|(s, o, e)| act(s, *o, *e)).collect(),
            carried_over: Vec::new(),
            weeks_missed: 0,
        };
        let (s5, _) = issue(5, "Tidy <runbooks> & alerts");
        r.audit = AuditReport {
            status: AuditStatus::Failed,
            reason: Some("reading the milestone events of WoW's issues failed".into()),
            rules: rules_on(&[RuleName::Unscheduled, RuleName::Priority]),
            issues_checked: 3,
            findings: vec![finding(
                RuleName::Priority,
                s5,
                "has no priority label (one of ~P1 ~P2 ~P3)",
                None,
                FixStatus::None,
            )],
        };
        r.errors = vec![
            RunError::new("close_and_rename", "WoW", error),
            RunError::new("read", "the milestone events of WoW's issues", "could not read the milestone events of #5: the server at https://gitlab.example.com did not answer (timeout after 3 retries)\nbody: \u{1b}[31m<html>Bad Gateway</html>"),
        ];
        r.requests = requests(&[("GET", 9), ("PUT", 1)]);
        r.links = Links {
            pipeline_url: Some(format!("{WEB}/-/pipelines/9002")),
            job_url: Some(format!("{WEB}/-/jobs/77002")),
            project_url: Some(WEB.to_string()),
            pipeline_source: Some("schedule".into()),
            ..Links::default()
        };
        r
    }

    pub fn all() -> Vec<(&'static str, Report)> {
        vec![
            ("rotated", rotated()),
            ("dry_run", dry_run()),
            ("failed", failed()),
        ]
    }
}

// ---------------------------------------------------------------- golden files

fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}

/// Compares `actual` with `tests/golden/<name>`, or writes it when `WOW_UPDATE_GOLDEN=1`.
fn check_golden(name: &str, actual: &str) -> Result<(), String> {
    let path = golden_dir().join(name);
    if std::env::var("WOW_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(golden_dir()).map_err(|e| e.to_string())?;
        std::fs::write(&path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (run with WOW_UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    })?;
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        return Err(format!(
            "{name} differs from the golden file at line {}:\n  golden: {:?}\n  actual: {:?}\n(WOW_UPDATE_GOLDEN=1 regenerates; review the diff)",
            line + 1,
            expected.lines().nth(line).unwrap_or(""),
            actual.lines().nth(line).unwrap_or("")
        ));
    }
    Ok(())
}

fn golden_all(ext: &str, render: impl Fn(&Report) -> String) {
    let failures: Vec<String> = fixtures::all()
        .iter()
        .filter_map(|(name, r)| check_golden(&format!("{name}.{ext}"), &render(r)).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn golden_markdown() {
    golden_all("md", markdown::render);
}

#[test]
fn golden_json() {
    golden_all("json", json::render);
}

#[test]
fn golden_junit() {
    golden_all("xml", junit::render);
}

#[test]
fn golden_dotenv() {
    golden_all("env", dotenv::render);
}

#[test]
fn golden_html() {
    golden_all("html", html::render);
}

#[test]
fn golden_log_summary() {
    golden_all("summary.txt", |r| {
        let files: Vec<String> = ["report.md", "report.json", "junit.xml", "wow.env"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut s = summary::summary(r, "wow-report", &files).join("\n");
        s.push('\n');
        s
    });
}

// ---------------------------------------------------------------- XML formats

/// An element's name and attributes.
type Element = (String, HashMap<String, String>);

/// Walks every event to Eof (checking end names, entities and that every
/// element is closed); returns the elements (name, attributes) in document order.
fn parse_xml(text: &str) -> Result<Vec<Element>, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut elements = Vec::new();
    let mut depth = 0i32;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
        let start = match &event {
            Event::Eof => break,
            Event::Start(e) => {
                depth += 1;
                Some(e.clone())
            }
            Event::Empty(e) => Some(e.clone()),
            Event::End(_) => {
                depth -= 1;
                None
            }
            Event::Text(t) => {
                t.unescape().map_err(|err| format!("bad text: {err}"))?;
                None
            }
            _ => None,
        };
        if let Some(e) = start {
            let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
            let mut attrs = HashMap::new();
            for a in e.attributes() {
                let a = a.map_err(|err| format!("bad attribute in <{name}>: {err}"))?;
                let value = a
                    .unescape_value()
                    .map_err(|err| format!("bad value in <{name}>: {err}"))?;
                attrs.insert(
                    String::from_utf8_lossy(a.key.as_ref()).to_string(),
                    value.to_string(),
                );
            }
            elements.push((name, attrs));
        }
    }
    if depth != 0 {
        return Err(format!("{depth} element(s) left open at the end"));
    }
    Ok(elements)
}

fn count(elements: &[Element], name: &str) -> usize {
    elements.iter().filter(|(n, _)| n == name).count()
}

fn num(attrs: &HashMap<String, String>, key: &str) -> usize {
    attrs.get(key).and_then(|v| v.parse().ok()).unwrap_or(usize::MAX)
}

#[test]
fn junit_is_well_formed_and_counts_match() {
    for (name, r) in fixtures::all() {
        let xml = junit::render(&r);
        let els = parse_xml(&xml).unwrap_or_else(|e| panic!("{name}: junit.xml does not parse: {e}"));
        let (root_name, root) = &els[0];
        assert_eq!(root_name, "testsuites", "{name}");
        assert_eq!(
            num(root, "tests"),
            count(&els, "testcase"),
            "{name}: testsuites@tests"
        );
        assert_eq!(
            num(root, "failures"),
            count(&els, "failure"),
            "{name}: testsuites@failures"
        );
        assert_eq!(
            num(root, "errors"),
            count(&els, "error"),
            "{name}: testsuites@errors"
        );
        assert_eq!(
            num(root, "skipped"),
            count(&els, "skipped"),
            "{name}: testsuites@skipped"
        );

        // Per suite: its counts, its cases' classname, unique names.
        let mut suites: Vec<(String, HashMap<String, String>, Vec<usize>)> = Vec::new();
        for (i, (n, a)) in els.iter().enumerate() {
            match n.as_str() {
                "testsuite" => suites.push((a["name"].clone(), a.clone(), Vec::new())),
                "testcase" | "failure" | "error" | "skipped" => {
                    if let Some(s) = suites.last_mut() {
                        s.2.push(i);
                    }
                }
                _ => {}
            }
        }
        let mut names = BTreeSet::new();
        for (suite, attrs, idx) in &suites {
            let of = |kind: &str| idx.iter().filter(|&&i| els[i].0 == kind).count();
            assert_eq!(num(attrs, "tests"), of("testcase"), "{name}/{suite}: tests");
            assert_eq!(num(attrs, "failures"), of("failure"), "{name}/{suite}: failures");
            assert_eq!(num(attrs, "errors"), of("error"), "{name}/{suite}: errors");
            assert_eq!(num(attrs, "skipped"), of("skipped"), "{name}/{suite}: skipped");
            for &i in idx.iter().filter(|&&i| els[i].0 == "testcase") {
                let a = &els[i].1;
                assert_eq!(&a["classname"], suite, "{name}: classname is the suite");
                assert!(
                    names.insert((a["classname"].clone(), a["name"].clone())),
                    "{name}: duplicate {:?}",
                    a["name"]
                );
            }
        }

        // A suite per enabled rule (plus rotation, plus `audit` when it failed),
        // a failure per finding.
        let suite_names: Vec<&str> = suites.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(suite_names[0], "rotation", "{name}");
        for state in &r.audit.rules {
            let rule = &state.rule;
            let (_, attrs, _) = suites
                .iter()
                .find(|s| s.0 == rule.as_str())
                .unwrap_or_else(|| panic!("{name}: no suite for {}", rule.as_str()));
            let findings = r.audit.findings.iter().filter(|f| f.rule == *rule).count();
            assert_eq!(
                num(attrs, "failures"),
                findings,
                "{name}/{}: failures",
                rule.as_str()
            );
            // A rule that is off is one skipped case; so is a rule the failed
            // audit did not get to.
            let not_checked = r.audit.status == AuditStatus::Failed && findings == 0;
            assert_eq!(
                num(attrs, "skipped"),
                usize::from(!state.is_on() || not_checked),
                "{name}/{}: skipped",
                rule.as_str()
            );
            assert_eq!(
                num(attrs, "tests"),
                findings.max(1),
                "{name}/{}: tests",
                rule.as_str()
            );
        }
        // A failed step is a failure; the carry-over's moves are one case, failed
        // when one of them failed.
        let failed = |moves: bool| {
            r.rotation
                .actions
                .iter()
                .filter(|a| a.outcome == Outcome::Failed && (a.kind == "move_issue") == moves)
                .count()
        };
        assert_eq!(
            num(&suites[0].1, "failures"),
            failed(false) + usize::from(failed(true) > 0),
            "{name}: rotation failures"
        );
    }
}

#[test]
fn junit_rotation_suite_without_steps_has_one_case() {
    for (status, want) in [
        (RotationStatus::NotDue, "rotation not due"),
        (RotationStatus::Skipped, "rotation skipped"),
    ] {
        let mut r = fixtures::rotated();
        r.rotation = RotationReport {
            status,
            ..RotationReport::default()
        };
        r.audit.status = AuditStatus::Skipped;
        r.audit.findings.clear();
        let els = parse_xml(&junit::render(&r)).unwrap_or_else(|e| panic!("{e}"));
        let cases: Vec<&str> = els
            .iter()
            .filter(|(n, _)| n == "testcase")
            .map(|(_, a)| a["name"].as_str())
            .collect();
        assert_eq!(cases, [want], "{status:?}");
    }
}

#[test]
fn html_is_well_formed_and_self_contained() {
    for (name, r) in fixtures::all() {
        let page = html::render(&r);
        let els = parse_xml(&page).unwrap_or_else(|e| panic!("{name}: report.html does not parse: {e}"));
        assert_eq!(els[0].0, "html", "{name}");
        for (el, attrs) in &els {
            assert!(
                !matches!(el.as_str(), "script" | "link" | "img" | "iframe" | "object"),
                "{name}: <{el}>"
            );
            assert!(!attrs.contains_key("src"), "{name}: <{el} src>");
            if let Some(href) = attrs.get("href") {
                assert!(href.starts_with("https://"), "{name}: link {href}");
            }
        }
        for banned in ["@import", "<script", "javascript:"] {
            assert!(!page.contains(banned), "{name}: contains {banned}");
        }
        // The only `url(` is a pattern of the page itself.
        assert_eq!(
            page.matches("url(").count(),
            page.matches("url(#p-").count(),
            "{name}: loads a url"
        );
    }
}

#[test]
fn html_chart_has_a_bar_per_week_and_value_and_marks_chronic_issues() {
    let r = fixtures::rotated();
    let page = html::render(&r);
    let els = parse_xml(&page).unwrap_or_else(|e| panic!("{e}"));
    // 3 legend swatches, the hatch pattern's stripe, a bar per number above zero.
    let bars: usize = r
        .history
        .iter()
        .flatten()
        .map(|h| {
            [h.closed_issues, h.unscheduled, h.outages]
                .iter()
                .filter(|v| **v > 0)
                .count()
        })
        .sum();
    assert_eq!(count(&els, "rect"), 3 + 1 + bars);
    assert_eq!(count(&els, "svg"), 1);
    let chronic = els
        .iter()
        .filter(|(n, a)| n == "tr" && a.get("class").map(String::as_str) == Some("chronic"))
        .count();
    assert_eq!(
        chronic,
        r.carried_weeks
            .iter()
            .filter(|c| c.weeks_carried >= html::CHRONIC_WEEKS)
            .count()
    );
    assert_eq!(chronic, 2);
    // Titles are escaped, not markup.
    assert!(page.contains("Disk alert | pager &lt;b&gt;noisy&lt;/b&gt; &amp; *loud*"));
    // Without history: no chart, a sentence.
    let dry = html::render(&fixtures::dry_run());
    assert!(!dry.contains("<svg"));
    assert!(dry.contains("No closed weeks to show."));
}

// ---------------------------------------------------------------- dotenv

/// GitLab's dotenv rules (gitlab-api.md §10, Artifacts), one assertion each.
fn check_dotenv(name: &str, env: &str) {
    assert!(env.len() <= DOTENV_MAX_FILE_BYTES, "{name}: {} bytes", env.len());
    assert!(
        env.ends_with('\n') && !env.contains("\n\n"),
        "{name}: no empty lines"
    );
    assert!(!env.contains('\r'), "{name}: no CR");
    let lines: Vec<&str> = env.lines().collect();
    assert!(
        lines.len() <= dotenv::MAX_VARIABLES,
        "{name}: {} variables",
        lines.len()
    );
    let mut seen = BTreeSet::new();
    for line in lines {
        assert!(!line.starts_with('#'), "{name}: comment {line:?}");
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{name}: no '=' in {line:?}"));
        assert!(
            !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "{name}: key {key:?}"
        );
        assert!(seen.insert(key.to_string()), "{name}: {key} twice");
        assert_eq!(value, value.trim(), "{name}: {key} has surrounding whitespace");
        assert!(
            !value.chars().any(char::is_control),
            "{name}: {key} has a control character"
        );
        assert!(value.len() <= dotenv::MAX_VALUE_BYTES, "{name}: {key} too long");
    }
    for key in [
        "WOW_ROTATED",
        "WOW_ROTATION_STATUS",
        "WOW_CURRENT_MILESTONE_ID",
        "WOW_CURRENT_MILESTONE_TITLE",
        "WOW_CLOSED_MILESTONE_TITLE",
        "WOW_FINDINGS",
        "WOW_DRY_RUN",
    ] {
        assert!(seen.contains(key), "{name}: {key} missing");
    }
}

#[test]
fn dotenv_follows_gitlab_rules() {
    for (name, r) in fixtures::all() {
        check_dotenv(name, &dotenv::render(&r));
    }
    // Hostile titles: line breaks, padding, huge, control characters.
    let mut r = fixtures::rotated();
    let huge = "WoW ".repeat(2000);
    if let Some(m) = r.rotation.current_milestone.as_mut() {
        m.title = format!("  line one\nline two\r\n{huge}");
    }
    if let Some(m) = r.rotation.closed_milestone.as_mut() {
        m.title = "tab\tand\u{1b}[31m esc".into();
    }
    let env = dotenv::render(&r);
    check_dotenv("hostile", &env);
    assert!(
        env.contains("WOW_CLOSED_MILESTONE_TITLE=tab and[31m esc\n"),
        "{env}"
    );
    assert!(
        env.contains("WOW_CURRENT_MILESTONE_TITLE=line one line two  WoW WoW"),
        "{env}"
    );
}

#[test]
fn dotenv_values() {
    let get = |r: &Report, key: &str| -> String {
        dotenv::render(r)
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")).map(str::to_string))
            .unwrap_or_else(|| panic!("{key} missing"))
    };
    let rotated = fixtures::rotated();
    assert_eq!(get(&rotated, "WOW_ROTATED"), "true");
    assert_eq!(get(&rotated, "WOW_CURRENT_MILESTONE_ID"), "11");
    assert_eq!(get(&rotated, "WOW_CURRENT_MILESTONE_TITLE"), "WoW");
    assert_eq!(
        get(&rotated, "WOW_CLOSED_MILESTONE_TITLE"),
        "WoW ending 2026-11-17"
    );
    assert_eq!(get(&rotated, "WOW_FINDINGS"), "8");
    assert_eq!(get(&rotated, "WOW_FIXED"), "2");
    let dry = fixtures::dry_run();
    assert_eq!(get(&dry, "WOW_ROTATED"), "false");
    assert_eq!(get(&dry, "WOW_DRY_RUN"), "true");
    assert_eq!(
        get(&dry, "WOW_NEXT_MILESTONE_ID"),
        "",
        "a milestone to be created has no id"
    );
    let failed = fixtures::failed();
    assert_eq!(get(&failed, "WOW_ROTATION_STATUS"), "failed");
    assert_eq!(get(&failed, "WOW_CLOSED_MILESTONE_TITLE"), "");
    assert_eq!(get(&failed, "WOW_ERRORS"), "2");
}

// ---------------------------------------------------------------- markdown

#[test]
fn markdown_table_rows_keep_their_columns() {
    // A `|` in a title must not add a cell: every row of a table has as many
    // unescaped pipes as its header.
    let unescaped_pipes = |line: &str| {
        let mut n = 0;
        let mut prev_backslash = false;
        for c in line.chars() {
            if c == '|' && !prev_backslash {
                n += 1;
            }
            prev_backslash = c == '\\' && !prev_backslash;
        }
        n
    };
    for (name, r) in fixtures::all() {
        let md = markdown::render(&r);
        let mut header: Option<usize> = None;
        for line in md.lines() {
            if !line.starts_with('|') {
                header = None;
                continue;
            }
            let pipes = unescaped_pipes(line);
            match header {
                None => header = Some(pipes),
                Some(want) => assert_eq!(pipes, want, "{name}: {line}"),
            }
        }
    }
    let md = markdown::render(&fixtures::rotated());
    assert!(
        md.contains("Disk alert \\| pager \\<b\\>noisy\\</b\\> &amp; \\*loud\\*"),
        "{md}"
    );
}

#[test]
fn markdown_says_dry_run_and_errors() {
    let dry = markdown::render(&fixtures::dry_run());
    assert!(dry.contains("**DRY RUN**"));
    assert!(dry.contains("## Fixes planned (dry run) (2)"), "{dry}");
    assert!(dry.contains("- 📝 "), "{dry}");
    let failed = markdown::render(&fixtures::failed());
    assert!(failed.contains("> **FAILED**"), "{failed}");
    assert!(failed.contains("## Errors (2)"));
    assert!(failed.contains(
        "❌ | rename \"WoW\" to \"WoW ending 2026-11-17\" and close it | failed: GitLab answered 403"
    ));
    assert!(!markdown::render(&fixtures::rotated()).contains("DRY RUN"));
}

#[test]
fn markdown_writes_gitlab_references_unescaped() {
    let md = markdown::render(&fixtures::rotated());
    for reference in [
        "| #23 Clean up dashboards |",
        "label ~\"(perceived) data loss\"",
        "milestone %\"WoW ending 2026-11-10\"",
        "- current: %\"WoW\"",
        "| %\"WoW ending 2026-11-17\" | 13 | 4 | 1 |",
        "move 2 issues to %\"WoW\"",
        "#7, #9",
    ] {
        assert!(md.contains(reference), "{reference} in\n{md}");
    }
    assert!(!md.contains("\\#"), "no escaped reference:\n{md}");
    assert!(!md.contains("\\~\""), "no escaped label:\n{md}");
}

#[test]
fn what_needs_a_person_comes_first_with_hand_offs_on_top() {
    for (name, text) in [
        ("markdown", markdown::render(&fixtures::rotated())),
        ("html", html::render(&fixtures::rotated())),
    ] {
        let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{name}: no {s:?}"));
        assert!(at("Needs a person (6)") < at("Fixed (2)"), "{name}");
        assert!(at("Fixed (2)") < at("Rotation: rotated"), "{name}");
        assert!(at("Rotation: rotated") < at("Recent weeks"), "{name}");
        assert!(
            at("need a hand-off (2)") < at("no priority label, or more than one (2)"),
            "{name}"
        );
    }
}

#[test]
fn confidential_titles_are_written_nowhere_unless_asked() {
    let mut r = fixtures::rotated();
    let files = |r: &Report| -> Vec<(&str, String)> {
        vec![
            ("md", markdown::render(r)),
            ("html", html::render(r)),
            ("json", json::render(r)),
            ("xml", junit::render(r)),
            ("env", dotenv::render(r)),
            ("summary", summary::summary(r, "wow-report", &[]).join("\n")),
            ("log", summary::audit_lines(r).join("\n")),
        ]
    };
    for (format, text) in files(&r) {
        for title in fixtures::CONFIDENTIAL_TITLES {
            // Escaping cannot hide it: look for its first words too.
            assert!(!text.contains(&title[..12]), "{format}: {title}\n{text}");
        }
    }
    assert!(markdown::render(&r).contains("#30 (confidential issue)"));
    assert!(html::render(&r).contains("(confidential issue)"));
    r.confidential_titles = true;
    assert!(markdown::render(&r).contains("#30 Database outage on eu-1 (customer data)"));
    assert!(json::render(&r).contains("Document the on-call hand-off (security)"));
}

#[test]
fn long_lists_are_collapsed_and_carried_issues_listed_once_in_numeric_order() {
    let mut r = fixtures::rotated();
    let moves: Vec<crate::apply::ActionRecord> = (1..=25u64)
        .rev()
        .map(|i| crate::apply::ActionRecord {
            kind: "move_issue".into(),
            target: format!("#{i}"),
            description: format!("move #{i} to \"WoW\""),
            applied: true,
            outcome: Outcome::Applied,
            error: None,
        })
        .collect();
    r.rotation.actions.retain(|a| a.kind != "move_issue");
    r.rotation.actions.extend(moves);
    r.rotation.carried_over = (1..=25u64).rev().map(crate::rotation::IssueKey::Iid).collect();
    let md = markdown::render(&r);
    assert!(
        md.contains("| ✅ | move 25 issues to %\"WoW\" | applied |"),
        "{md}"
    );
    assert!(md.contains("<summary>25 issues</summary>"), "{md}");
    let list = (1..=25).map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ");
    assert_eq!(md.matches(&list).count(), 1, "{md}");
    assert_eq!(md.matches("#17").count(), 1, "listed once: {md}");
    let xml = junit::render(&r);
    assert_eq!(xml.matches("move ").count(), 1, "one case for the moves: {xml}");
}
// ---------------------------------------------------------------- log summary

#[test]
fn summary_has_three_to_six_lines() {
    let files = vec!["report.md".to_string()];
    for (name, r) in fixtures::all() {
        let lines = summary::summary(&r, "wow-report", &files);
        assert!((3..=6).contains(&lines.len()), "{name}: {lines:?}");
        assert!(
            lines.iter().all(|l| !l.contains('\n') && !l.contains('\x1b')),
            "{name}: {lines:?}"
        );
        assert!(
            lines.last().is_some_and(|l| l.contains("wow-report/")),
            "{name}: {lines:?}"
        );
    }
}

// ---------------------------------------------------------------- JSON schema

/// A small validator for the subset of JSON Schema draft-07 that
/// `docs/report-schema.json` uses (chosen over the `jsonschema` crate, which
/// pulls in regex engines and more for one test). A keyword it does not know
/// is an error, so the schema cannot quietly grow past what is checked here.
fn validate(schema: &Value, root: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    const KNOWN: &[&str] = &[
        "$schema",
        "$id",
        "$ref",
        "title",
        "description",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "minimum",
        "format",
        "anyOf",
        "definitions",
    ];
    let Some(s) = schema.as_object() else {
        errors.push(format!("{path}: schema is not an object"));
        return;
    };
    for key in s.keys() {
        if !KNOWN.contains(&key.as_str()) {
            errors.push(format!(
                "{path}: schema keyword {key} is not supported by this check"
            ));
        }
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        match r.strip_prefix("#/").map(|p| root.pointer(&format!("/{p}"))) {
            Some(Some(target)) => validate(target, root, v, path, errors),
            _ => errors.push(format!("{path}: unresolvable $ref {r}")),
        }
    }
    if let Some(types) = s.get("type") {
        let names: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = names.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            _ => false,
        });
        if !ok {
            errors.push(format!("{path}: {v} is not of type {types}"));
        }
    }
    if let Some(c) = s.get("const") {
        if c != v {
            errors.push(format!("{path}: {v} is not {c}"));
        }
    }
    if let Some(Value::Array(allowed)) = s.get("enum") {
        if !allowed.contains(v) {
            errors.push(format!(
                "{path}: {v} is not one of {}",
                Value::Array(allowed.clone())
            ));
        }
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if n < min {
            errors.push(format!("{path}: {n} < {min}"));
        }
    }
    if let (Some(format), Some(text)) = (s.get("format").and_then(Value::as_str), v.as_str()) {
        let ok = match format {
            "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() && text.len() == 10,
            "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            _ => false,
        };
        if !ok {
            errors.push(format!("{path}: {text:?} is not a {format}"));
        }
    }
    if let Some(Value::Array(options)) = s.get("anyOf") {
        let ok = options.iter().any(|o| {
            let mut e = Vec::new();
            validate(o, root, v, path, &mut e);
            e.is_empty()
        });
        if !ok {
            errors.push(format!("{path}: {v} matches none of anyOf"));
        }
    }
    if let Some(obj) = v.as_object() {
        if let Some(Value::Array(required)) = s.get("required") {
            for key in required.iter().filter_map(Value::as_str) {
                if !obj.contains_key(key) {
                    errors.push(format!("{path}: missing {key}"));
                }
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (key, value) in obj {
            let sub = format!("{path}.{key}");
            match (props.and_then(|p| p.get(key)), s.get("additionalProperties")) {
                (Some(ps), _) => validate(ps, root, value, &sub, errors),
                (None, Some(Value::Bool(false))) => errors.push(format!("{sub}: not in the schema")),
                (None, Some(extra @ Value::Object(_))) => validate(extra, root, value, &sub, errors),
                (None, _) => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            validate(items, root, item, &format!("{path}[{i}]"), errors);
        }
    }
}

fn schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema_errors(doc: &Value) -> Vec<String> {
    let schema = schema();
    let mut errors = Vec::new();
    validate(&schema, &schema, doc, "$", &mut errors);
    errors
}

#[test]
fn json_validates_against_the_schema() {
    for (name, r) in fixtures::all() {
        let doc: Value = serde_json::from_str(&json::render(&r)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let errors = schema_errors(&doc);
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
}

#[test]
fn the_schema_check_catches_what_it_should() {
    let doc: Value = serde_json::from_str(&json::render(&fixtures::rotated())).unwrap_or_default();
    type Mutation = Box<dyn Fn(&mut Value)>;
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "missing",
            Box::new(|d| drop(d["rotation"].as_object_mut().map(|o| o.remove("weeks_missed")))),
        ),
        ("type", Box::new(|d| d["dry_run"] = Value::from("yes"))),
        (
            "enum",
            Box::new(|d| d["rotation"]["status"] = Value::from("done")),
        ),
        ("const", Box::new(|d| d["schema_version"] = Value::from(1))),
        (
            "error object",
            Box::new(|d| d["errors"] = serde_json::json!(["a joined string"])),
        ),
        (
            "rule state",
            Box::new(|d| d["audit"]["rules"][0]["state"] = Value::from("maybe")),
        ),
        (
            "date",
            Box::new(|d| d["week"]["start"] = Value::from("2026-11-18T00:00:00Z")),
        ),
        ("extra", Box::new(|d| d["audit"]["surprise"] = Value::from(1))),
        (
            "minimum",
            Box::new(|d| d["audit"]["issues_checked"] = Value::from(-1)),
        ),
        (
            "anyOf",
            Box::new(|d| d["rotation"]["current_milestone"] = Value::from("WoW")),
        ),
        (
            "$ref",
            Box::new(|d| d["audit"]["findings"][0]["rule"] = Value::from("nope")),
        ),
        (
            "items",
            Box::new(|d| d["rotation"]["carried_over"][0] = Value::from(true)),
        ),
        (
            "additional",
            Box::new(|d| d["requests"]["GET"] = Value::from("many")),
        ),
    ];
    for (what, mutate) in mutations {
        let mut d = doc.clone();
        mutate(&mut d);
        assert!(!schema_errors(&d).is_empty(), "{what}: not caught");
    }
}

#[test]
fn json_has_the_spec_fields() {
    let r = fixtures::rotated();
    let doc: Value = serde_json::from_str(&json::render(&r)).unwrap_or_default();
    let cases: &[(&str, Value)] = &[
        ("/schema_version", Value::from(2)),
        ("/tool/version", Value::from("0.0.0-test")),
        ("/now", Value::from("2026-11-18T09:00:00Z")),
        ("/dry_run", Value::from(false)),
        ("/week/start", Value::from("2026-11-18")),
        ("/week/end", Value::from("2026-11-24")),
        ("/rotation/status", Value::from("rotated")),
        (
            "/rotation/closed_milestone/title",
            Value::from("WoW ending 2026-11-17"),
        ),
        ("/rotation/current_milestone/title", Value::from("WoW")),
        ("/rotation/actions/0/kind", Value::from("close_and_rename")),
        ("/rotation/actions/0/target", Value::from("WoW")),
        ("/rotation/actions/0/applied", Value::from(true)),
        ("/rotation/carried_over", serde_json::json!([7, 9])),
        ("/rotation/weeks_missed", Value::from(0)),
        ("/audit/issues_checked", Value::from(14)),
        ("/audit/findings/0/rule", Value::from("unscheduled")),
        ("/audit/findings/0/issue_iid", Value::from(21)),
        (
            "/audit/findings/0/fix",
            Value::from("add ~\"unscheduled\" to #21"),
        ),
        ("/audit/findings/0/fixed", Value::from(true)),
        ("/audit/findings/1/fixed", Value::from(false)),
        ("/audit/findings/2/fix", Value::Null),
        ("/audit/findings/6/issue_iid", Value::Null),
        ("/errors", serde_json::json!([])),
        ("/warnings", serde_json::json!([])),
        ("/token/expires_at", Value::Null),
        ("/stopped_by", Value::Null),
        ("/publish/actions", serde_json::json!([])),
        ("/audit/status", Value::from("done")),
        ("/audit/reason", Value::Null),
        (
            "/audit/rules/0",
            serde_json::json!({"name": "unscheduled", "state": "on", "reason": null}),
        ),
        ("/requests/GET", Value::from(31)),
        ("/requests_total", Value::from(40)),
    ];
    for (pointer, want) in cases {
        assert_eq!(doc.pointer(pointer), Some(want), "{pointer}");
    }
    let dry: Value = serde_json::from_str(&json::render(&fixtures::dry_run())).unwrap_or_default();
    assert_eq!(
        dry.pointer("/rotation/carried_over"),
        Some(&serde_json::json!(["my-group/api#7"]))
    );
    assert_eq!(dry.pointer("/rotation/next_milestone/id"), Some(&Value::Null));
    assert_eq!(
        dry.pointer("/rotation/next_milestone/planned"),
        Some(&Value::from(true))
    );
    let failed: Value = serde_json::from_str(&json::render(&fixtures::failed())).unwrap_or_default();
    assert_eq!(
        failed.pointer("/errors/0"),
        Some(&serde_json::json!({
            "step": "close_and_rename",
            "target": "WoW",
            "message": "GitLab answered 403 Forbidden to PUT /projects/42/milestones/10: editing milestones needs the Planner role or above"
        }))
    );
    assert_eq!(failed.pointer("/rotation/current_milestone"), Some(&Value::Null));
    assert_eq!(
        failed.pointer("/audit/rules/2"),
        Some(&serde_json::json!({"name": "handoff", "state": "off", "reason": "not in audit.rules"}))
    );
}
