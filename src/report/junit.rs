//! The `junit.xml` renderer: findings and rotation steps as test cases, so they
//! show in the pipeline's Tests tab and in merge requests (gitlab-api.md §10,
//! Artifacts: GitLab shows `testcase@classname` as the suite and keeps only the
//! first of two test cases with the same name, so names here are made unique).
//!
//! One `<testsuite>` per enabled rule (a failed case per finding, or one passing
//! "no findings" case, or a skipped case for a rule that is off), and a
//! `rotation` suite (a case per step, failed steps with `<failure>`; the
//! carry-over's moves are one case, its failure text naming each failed move, so
//! 2,000 carried issues are not 2,000 cases). Pure: no I/O, no clock. All text is
//! XML-escaped and characters XML 1.0 forbids are replaced, so any title makes a
//! well-formed file; a confidential issue's title is not written unless
//! `report.confidential_titles`.

use super::escape;
use super::view::{self, StepRow};
use super::wording::{findings_of, status_phrase};
use super::Report;
use crate::apply::{ActionRecord, Outcome};
use crate::audit::{AuditStatus, Finding, FixStatus, Subject};
use crate::rotation::RotationStatus;
use chrono::SecondsFormat;
use std::collections::HashSet;
use std::fmt::Write as _;

fn attr(s: &str) -> String {
    escape::xml(s, true)
}

fn text(s: &str) -> String {
    escape::xml(s, false)
}

#[derive(Debug)]
enum Verdict {
    Pass,
    /// `<failure message=… type=…>body</failure>`
    Failure {
        message: String,
        kind: &'static str,
        body: String,
    },
    /// `<error>`: the check itself could not run.
    Error {
        message: String,
        body: String,
    },
    Skipped {
        message: String,
    },
}

#[derive(Debug)]
struct Case {
    name: String,
    verdict: Verdict,
    system_out: Option<String>,
}

struct Suite {
    name: String,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, f: impl Fn(&Verdict) -> bool) -> usize {
        self.cases.iter().filter(|c| f(&c.verdict)).count()
    }
    fn failures(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Failure { .. }))
    }
    fn errors(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Error { .. }))
    }
    fn skipped(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Skipped { .. }))
    }
}

pub(crate) fn render(report: &Report) -> String {
    let mut suites = vec![rotation_suite(report)];
    suites.extend(audit_suites(report));
    for s in &mut suites {
        make_names_unique(&mut s.cases);
    }

    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let errors: usize = suites.iter().map(Suite::errors).sum();
    let skipped: usize = suites.iter().map(Suite::skipped).sum();
    let timestamp = report.now.to_rfc3339_opts(SecondsFormat::Secs, true);

    let mut o = String::new();
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<testsuites name=\"wowctl {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" timestamp=\"{timestamp}\">",
        attr(&report.command)
    );
    for s in &suites {
        let _ = writeln!(
            o,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{timestamp}\">",
            attr(&s.name),
            s.cases.len(),
            s.failures(),
            s.errors(),
            s.skipped()
        );
        for c in &s.cases {
            write_case(&mut o, &s.name, c);
        }
        o.push_str("  </testsuite>\n");
    }
    o.push_str("</testsuites>\n");
    o
}

fn write_case(o: &mut String, classname: &str, c: &Case) {
    let open = format!(
        "    <testcase classname=\"{}\" name=\"{}\"",
        attr(classname),
        attr(&c.name)
    );
    if matches!(c.verdict, Verdict::Pass) && c.system_out.is_none() {
        let _ = writeln!(o, "{open}/>");
        return;
    }
    let _ = writeln!(o, "{open}>");
    match &c.verdict {
        Verdict::Pass => {}
        Verdict::Failure { message, kind, body } => {
            let _ = writeln!(
                o,
                "      <failure message=\"{}\" type=\"{kind}\">{}</failure>",
                attr(message),
                text(body)
            );
        }
        Verdict::Error { message, body } => {
            let _ = writeln!(
                o,
                "      <error message=\"{}\" type=\"error\">{}</error>",
                attr(message),
                text(body)
            );
        }
        Verdict::Skipped { message } => {
            let _ = writeln!(o, "      <skipped message=\"{}\"/>", attr(message));
        }
    }
    if let Some(out) = &c.system_out {
        let _ = writeln!(o, "      <system-out>{}</system-out>", text(out));
    }
    o.push_str("    </testcase>\n");
}

/// GitLab keeps only the first of two test cases with the same name: number the others.
fn make_names_unique(cases: &mut [Case]) {
    let mut seen: HashSet<String> = HashSet::new();
    for c in cases.iter_mut() {
        if seen.insert(c.name.clone()) {
            continue;
        }
        let mut n = 2;
        loop {
            let candidate = format!("{} ({n})", c.name);
            if seen.insert(candidate.clone()) {
                c.name = candidate;
                break;
            }
            n += 1;
        }
    }
}

fn rotation_suite(r: &Report) -> Suite {
    let rot = &r.rotation;
    let mut cases: Vec<Case> = view::step_rows(&rot.actions)
        .iter()
        .map(|row| match row {
            StepRow::Step(a) => step_case(a),
            StepRow::Moves(m) => moves_case(m),
        })
        .collect();

    let any_failed_step = rot.actions.iter().any(|a| a.outcome == Outcome::Failed);
    if rot.status == RotationStatus::Failed && !any_failed_step {
        // The rotation failed before any step was sent (reading GitLab, planning).
        cases.push(Case {
            name: "rotation failed".to_string(),
            verdict: Verdict::Error {
                message: "the rotation failed".to_string(),
                body: errors_text(r),
            },
            system_out: None,
        });
    } else if cases.is_empty() {
        let verdict = if rot.status == RotationStatus::Skipped {
            Verdict::Skipped {
                message: "this command does not rotate".to_string(),
            }
        } else {
            Verdict::Pass
        };
        cases.push(Case {
            name: status_phrase(rot.status).to_string(),
            verdict,
            system_out: None,
        });
    }
    Suite {
        name: "rotation".to_string(),
        cases,
    }
}

fn step_case(a: &ActionRecord) -> Case {
    let verdict = match a.outcome {
        Outcome::Failed => {
            let message = a.error.clone().unwrap_or_else(|| "the step failed".to_string());
            Verdict::Failure {
                body: format!("{}\n{message}", a.description),
                message,
                kind: "failed",
            }
        }
        Outcome::NotAttempted => Verdict::Skipped {
            message: "not attempted: an earlier step failed".to_string(),
        },
        Outcome::Applied | Outcome::Planned | Outcome::AlreadyDone => Verdict::Pass,
    };
    Case {
        name: a.description.clone(),
        verdict,
        system_out: outcome_out(a.outcome),
    }
}

fn outcome_out(o: Outcome) -> Option<String> {
    match o {
        Outcome::Applied => Some("applied".to_string()),
        Outcome::Planned => Some("planned (dry run): not sent".to_string()),
        Outcome::AlreadyDone => Some("already done: nothing to send".to_string()),
        Outcome::Failed | Outcome::NotAttempted => None,
    }
}

/// The carry-over as one case (not one per issue: 2,000 issues are not 2,000
/// tests); it fails when a move failed, and names each failed move.
fn moves_case(m: &view::Moves) -> Case {
    let name = m.describe(|t| format!("\"{t}\""));
    let verdict = match m.outcome() {
        Outcome::Failed => {
            let failed: Vec<String> = m
                .steps
                .iter()
                .filter(|a| a.outcome == Outcome::Failed)
                .map(|a| {
                    format!(
                        "{}: {}",
                        a.description,
                        a.error.as_deref().unwrap_or("the step failed")
                    )
                })
                .collect();
            Verdict::Failure {
                message: format!("{} of {} moves failed", failed.len(), m.steps.len()),
                kind: "failed",
                body: format!("{name}: {}\n{}", m.outcome_words(), failed.join("\n")),
            }
        }
        Outcome::NotAttempted => Verdict::Skipped {
            message: format!("not attempted: {}", m.outcome_words()),
        },
        _ => Verdict::Pass,
    };
    let system_out = match m.outcome() {
        Outcome::Failed | Outcome::NotAttempted => None,
        _ => Some(m.outcome_words()),
    };
    Case {
        name,
        verdict,
        system_out,
    }
}

/// Every error of the run, one per line.
fn errors_text(r: &Report) -> String {
    r.errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn audit_suites(r: &Report) -> Vec<Suite> {
    if r.audit.status == AuditStatus::Skipped && r.audit.findings.is_empty() {
        return Vec::new();
    }
    let failed = r.audit.status == AuditStatus::Failed;
    let mut suites = Vec::new();
    if failed {
        suites.push(Suite {
            name: "audit".to_string(),
            cases: vec![Case {
                name: "audit failed".to_string(),
                verdict: Verdict::Error {
                    message: "the audit did not finish".to_string(),
                    body: errors_text(r),
                },
                system_out: None,
            }],
        });
    }
    for state in &r.audit.rules {
        let rule = state.rule;
        let fs = findings_of(r, rule);
        let cases = if let Some(why) = &state.off_because {
            vec![Case {
                name: "rule off".to_string(),
                verdict: Verdict::Skipped {
                    message: format!("off: {why}"),
                },
                system_out: None,
            }]
        } else if fs.is_empty() {
            let verdict = if failed {
                Verdict::Skipped {
                    message: "not checked: the audit did not finish".to_string(),
                }
            } else {
                Verdict::Pass
            };
            vec![Case {
                name: "no findings".to_string(),
                verdict,
                system_out: None,
            }]
        } else {
            fs.into_iter().map(|f| finding_case(r, f)).collect()
        };
        suites.push(Suite {
            name: rule.as_str().to_string(),
            cases,
        });
    }
    suites
}

fn finding_case(r: &Report, f: &Finding) -> Case {
    let fix = match (&f.fix, f.fix_status) {
        (Some(step), FixStatus::Applied) => format!("Fix: {} (applied)", step.describe()),
        (Some(step), FixStatus::Planned) => format!("Fix: {} (planned, dry run)", step.describe()),
        (Some(step), FixStatus::Failed) => format!("Fix: {} (failed)", step.describe()),
        (Some(step), FixStatus::Disabled) => {
            format!("Fix: {} (not applied: audit.fix is off)", step.describe())
        }
        (Some(step), FixStatus::None) => format!("Fix: {}", step.describe()),
        (None, _) => "No automatic fix: a person must act.".to_string(),
    };
    let mut body = format!("{}\n{fix}", f.message);
    let href = match &f.subject {
        Subject::Issue(i) => Some(i.web_url.as_str()),
        Subject::Milestone { web_url, .. } => web_url.as_deref(),
        Subject::Label { .. } => None,
    };
    if let Some(u) = href {
        let _ = write!(body, "\n{u}");
    }
    Case {
        name: view::subject_name(r, &f.subject),
        verdict: Verdict::Failure {
            message: f.message.clone(),
            kind: super::json::fix_status_str(f.fix_status),
            body,
        },
        system_out: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_names_are_numbered() {
        let mk = |n: &str| Case {
            name: n.to_string(),
            verdict: Verdict::Pass,
            system_out: None,
        };
        let mut cases = vec![mk("a"), mk("a"), mk("a (2)"), mk("a"), mk("b")];
        make_names_unique(&mut cases);
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "a (2)", "a (2) (2)", "a (3)", "b"]);
    }
}
