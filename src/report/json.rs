//! The `report.json` renderer: the report for programs, shape fixed by
//! `docs/report-schema.json` (documented field by field in `docs/report-schema.md`).
//!
//! The shape is built here from private structs, not from the derived `Serialize`
//! of `Report`, so that a change to the internal types cannot silently change
//! what programs read. Pure: no I/O, no clock. Never put the token in here, nor
//! the title of a confidential issue unless `report.confidential_titles` (it is
//! `null` then, with `confidential: true`).

use super::view;
use super::{ActionRecord, CarriedIssue, HistoryWeek, IssueKey, MilestoneInfo, Report, SCHEMA_VERSION};
use crate::audit::{Finding, FixStatus, Subject};
use chrono::{NaiveDate, SecondsFormat};
use serde::Serialize;
use std::collections::BTreeMap;

/// Pretty JSON, ending with a newline.
pub(crate) fn render(report: &Report) -> String {
    let doc = Doc::from(report);
    // Serialising plain structs of strings and numbers cannot fail; fall back to a
    // minimal valid document rather than panicking if it ever did.
    match serde_json::to_string_pretty(&doc) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!(
            "{{\"schema_version\": {SCHEMA_VERSION}, \"errors\": [{}]}}\n",
            serde_json::Value::String(format!("the report could not be serialised: {e}"))
        ),
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    tool: ToolDoc<'a>,
    command: &'a str,
    now: String,
    dry_run: bool,
    scope: Option<&'a str>,
    week: WeekDoc,
    exit_code: i32,
    /// `SIGTERM` / `SIGINT` when a signal stopped the run.
    stopped_by: Option<&'a str>,
    rotation: RotationDoc<'a>,
    audit: AuditDoc<'a>,
    publish: PublishDoc<'a>,
    /// Null when the closed weeks were not read.
    history: Option<Vec<HistoryDoc<'a>>>,
    carried_weeks: Vec<CarriedDoc<'a>>,
    errors: Vec<ErrorDoc<'a>>,
    warnings: &'a [String],
    token: TokenDoc,
    /// API requests sent, by method (`GET`, `POST`, ...), every retry counted.
    requests: &'a BTreeMap<String, u64>,
    requests_total: u64,
    links: LinksDoc<'a>,
}

#[derive(Serialize)]
struct ToolDoc<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct WeekDoc {
    start: String,
    end: String,
}

#[derive(Serialize)]
struct MilestoneDoc<'a> {
    id: Option<u64>,
    title: &'a str,
    state: Option<&'a str>,
    start_date: Option<String>,
    due_date: Option<String>,
    web_url: Option<&'a str>,
    /// True in a dry run for what the run would make of it: GitLab does not hold this.
    planned: bool,
}

#[derive(Serialize)]
struct ErrorDoc<'a> {
    step: &'a str,
    target: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct TokenDoc {
    /// `YYYY-MM-DD`; null when the token never expires or has no record.
    expires_at: Option<String>,
}

#[derive(Serialize)]
struct PublishDoc<'a> {
    actions: Vec<ActionDoc<'a>>,
}

#[derive(Serialize)]
struct RuleDoc<'a> {
    name: &'static str,
    /// `on` or `off`.
    state: &'static str,
    /// Why the rule is off.
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct ActionDoc<'a> {
    kind: &'a str,
    target: &'a str,
    description: &'a str,
    applied: bool,
    outcome: &'static str,
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct RotationDoc<'a> {
    status: &'static str,
    reason: Option<&'a str>,
    weeks_missed: u32,
    /// Null when GitLab could not be read.
    before: Option<Vec<MilestoneDoc<'a>>>,
    closed_milestone: Option<MilestoneDoc<'a>>,
    current_milestone: Option<MilestoneDoc<'a>>,
    next_milestone: Option<MilestoneDoc<'a>>,
    actions: Vec<ActionDoc<'a>>,
    carried_over: Vec<serde_json::Value>,
}

#[derive(Serialize)]
struct AuditDoc<'a> {
    status: &'static str,
    reason: Option<&'a str>,
    rules: Vec<RuleDoc<'a>>,
    issues_checked: usize,
    findings_count: usize,
    fixed_count: usize,
    findings: Vec<FindingDoc<'a>>,
}

#[derive(Serialize)]
struct FindingDoc<'a> {
    rule: &'static str,
    issue_iid: Option<u64>,
    subject: SubjectDoc<'a>,
    message: &'a str,
    fix: Option<String>,
    fix_kind: Option<&'static str>,
    fix_status: &'static str,
    fixed: bool,
}

#[derive(Serialize)]
struct SubjectDoc<'a> {
    kind: &'static str,
    /// What a person reads: `#12 Fix disk alert`, `#12 (confidential issue)`,
    /// `milestone "…"`, `label ~"…"`.
    name: String,
    /// Null for a confidential issue unless `report.confidential_titles`.
    title: Option<&'a str>,
    /// A confidential issue (only issues can be).
    confidential: bool,
    reference: Option<&'a str>,
    project_id: Option<u64>,
    id: Option<u64>,
    web_url: Option<&'a str>,
}

#[derive(Serialize)]
struct HistoryDoc<'a> {
    title: &'a str,
    end_date: String,
    closed_issues: u32,
    unscheduled: u32,
    outages: u32,
}

#[derive(Serialize)]
struct CarriedDoc<'a> {
    reference: &'a str,
    /// Null for a confidential issue unless `report.confidential_titles`.
    title: Option<&'a str>,
    confidential: bool,
    web_url: &'a str,
    weeks_carried: u32,
}

#[derive(Serialize)]
struct LinksDoc<'a> {
    pipeline_url: Option<&'a str>,
    job_url: Option<&'a str>,
    project_url: Option<&'a str>,
    pipeline_source: Option<&'a str>,
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn milestone(m: &MilestoneInfo) -> MilestoneDoc<'_> {
    MilestoneDoc {
        id: m.id,
        title: &m.title,
        state: m.state.as_deref(),
        start_date: m.start_date.map(date),
        due_date: m.due_date.map(date),
        web_url: m.web_url.as_deref(),
        planned: m.planned,
    }
}

fn action(a: &ActionRecord) -> ActionDoc<'_> {
    ActionDoc {
        kind: &a.kind,
        target: &a.target,
        description: &a.description,
        applied: a.applied,
        outcome: outcome_str(a.outcome),
        error: a.error.as_deref(),
    }
}

/// The snake_case name of an outcome, as in the schema.
pub(crate) fn outcome_str(o: crate::apply::Outcome) -> &'static str {
    use crate::apply::Outcome::*;
    match o {
        Applied => "applied",
        Planned => "planned",
        AlreadyDone => "already_done",
        Failed => "failed",
        NotAttempted => "not_attempted",
    }
}

/// The snake_case name of a fix status, as in the schema.
pub(crate) fn fix_status_str(s: FixStatus) -> &'static str {
    match s {
        FixStatus::None => "none",
        FixStatus::Disabled => "disabled",
        FixStatus::Planned => "planned",
        FixStatus::Applied => "applied",
        FixStatus::Failed => "failed",
    }
}

pub(crate) fn audit_status_str(s: crate::audit::AuditStatus) -> &'static str {
    match s {
        crate::audit::AuditStatus::Done => "done",
        crate::audit::AuditStatus::Skipped => "skipped",
        crate::audit::AuditStatus::Failed => "failed",
    }
}

fn subject<'a>(r: &Report, s: &'a Subject) -> SubjectDoc<'a> {
    let name = view::subject_name(r, s);
    let title = view::subject_title(r, s);
    match s {
        Subject::Issue(issue) => SubjectDoc {
            kind: "issue",
            name,
            title,
            confidential: issue.confidential,
            reference: Some(&issue.reference),
            project_id: Some(issue.project_id),
            id: None,
            web_url: Some(&issue.web_url),
        },
        Subject::Milestone { id, web_url, .. } => SubjectDoc {
            kind: "milestone",
            name,
            title,
            confidential: false,
            reference: None,
            project_id: None,
            id: Some(*id),
            web_url: web_url.as_deref(),
        },
        Subject::Label { .. } => SubjectDoc {
            kind: "label",
            name,
            title,
            confidential: false,
            reference: None,
            project_id: None,
            id: None,
            web_url: None,
        },
    }
}

fn finding<'a>(r: &Report, f: &'a Finding) -> FindingDoc<'a> {
    FindingDoc {
        rule: f.rule.as_str(),
        issue_iid: f.subject.issue_iid(),
        subject: subject(r, &f.subject),
        message: &f.message,
        fix: f.fix.as_ref().map(|s| s.describe()),
        fix_kind: f.fix.as_ref().map(|s| s.kind()),
        fix_status: fix_status_str(f.fix_status),
        fixed: f.fixed(),
    }
}

fn history(h: &HistoryWeek) -> HistoryDoc<'_> {
    HistoryDoc {
        title: &h.title,
        end_date: date(h.end_date),
        closed_issues: h.closed_issues,
        unscheduled: h.unscheduled,
        outages: h.outages,
    }
}

fn carried<'a>(r: &Report, c: &'a CarriedIssue) -> CarriedDoc<'a> {
    CarriedDoc {
        reference: &c.reference,
        title: view::carried_title(r, c),
        confidential: c.confidential,
        web_url: &c.web_url,
        weeks_carried: c.weeks_carried,
    }
}

impl<'a> From<&'a Report> for Doc<'a> {
    fn from(r: &'a Report) -> Self {
        let rot = &r.rotation;
        Doc {
            schema_version: SCHEMA_VERSION,
            tool: ToolDoc {
                name: r.tool.name,
                version: r.tool.version,
            },
            command: &r.command,
            now: r.now.to_rfc3339_opts(SecondsFormat::Secs, true),
            dry_run: r.dry_run,
            scope: r.scope.as_deref(),
            week: WeekDoc {
                start: date(r.week.start),
                end: date(r.week.end),
            },
            exit_code: r.exit_code,
            stopped_by: r.stopped_by.as_deref(),
            rotation: RotationDoc {
                status: rot.status.as_str(),
                reason: rot.reason.as_deref(),
                weeks_missed: rot.weeks_missed,
                before: rot.before.as_ref().map(|b| b.iter().map(milestone).collect()),
                closed_milestone: rot.closed_milestone.as_ref().map(milestone),
                current_milestone: rot.current_milestone.as_ref().map(milestone),
                next_milestone: rot.next_milestone.as_ref().map(milestone),
                actions: rot.actions.iter().map(action).collect(),
                carried_over: rot
                    .carried_over
                    .iter()
                    .map(|k| match k {
                        IssueKey::Iid(i) => serde_json::Value::from(*i),
                        IssueKey::Reference(s) => serde_json::Value::from(s.as_str()),
                    })
                    .collect(),
            },
            audit: AuditDoc {
                status: audit_status_str(r.audit.status),
                reason: r.audit.reason.as_deref(),
                rules: r
                    .audit
                    .rules
                    .iter()
                    .map(|s| RuleDoc {
                        name: s.rule.as_str(),
                        state: if s.is_on() { "on" } else { "off" },
                        reason: s.off_because.as_deref(),
                    })
                    .collect(),
                issues_checked: r.audit.issues_checked,
                findings_count: r.audit.findings.len(),
                fixed_count: r.audit.findings.iter().filter(|f| f.fixed()).count(),
                findings: r.audit.findings.iter().map(|f| finding(r, f)).collect(),
            },
            history: r.history.as_ref().map(|h| h.iter().map(history).collect()),
            carried_weeks: r.carried_weeks.iter().map(|c| carried(r, c)).collect(),
            publish: PublishDoc {
                actions: r.publish.iter().map(action).collect(),
            },
            errors: r
                .errors
                .iter()
                .map(|e| ErrorDoc {
                    step: &e.step,
                    target: &e.target,
                    message: &e.message,
                })
                .collect(),
            warnings: &r.warnings,
            token: TokenDoc {
                expires_at: r.token_expires_at.map(date),
            },
            requests: &r.requests,
            requests_total: r.requests.values().fold(0u64, |a, b| a.saturating_add(*b)),
            links: LinksDoc {
                pipeline_url: r.links.pipeline_url.as_deref(),
                job_url: r.links.job_url.as_deref(),
                project_url: r.links.project_url.as_deref(),
                pipeline_source: r.links.pipeline_source.as_deref(),
            },
        }
    }
}
