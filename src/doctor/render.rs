//! The text `wowctl doctor` shows people: what GitLab said, the configuration and
//! the run it was judged for, the needs table, warnings, and what to change.
//!
//! Pure: returns a string; the caller prints it. Never the token (doctor never has it).

use super::gather::Membership;
use super::Diagnosis;
use crate::settings::Action;
use std::fmt::Write as _;

/// The whole text `wowctl doctor` shows.
pub(crate) fn render(d: &Diagnosis) -> String {
    let facts = &d.facts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "wowctl doctor: {} for {} (reads only; doctor never writes)",
        facts.api_url, d.target
    );
    let _ = writeln!(out, "  API     {} answered", facts.api_url);
    let token = match &facts.token {
        Some(t) => {
            let mut parts = vec![format!("\"{}\"", t.name)];
            parts.push(format!(
                "scopes {}",
                if t.scopes.is_empty() {
                    "none".into()
                } else {
                    t.scopes.join(", ")
                }
            ));
            parts.push(match t.expires_at {
                Some(e) => format!("expires {e}"),
                None => "no expiry date".into(),
            });
            parts.push(
                if t.revoked {
                    "revoked"
                } else if t.active {
                    "active"
                } else {
                    "not active"
                }
                .into(),
            );
            parts.join(", ")
        }
        None => "(not described by GitLab), no expiry date".into(),
    };
    let _ = writeln!(out, "  token   {token}");
    let _ = writeln!(
        out,
        "  user    {} (id {}){}{}",
        facts.user.username,
        facts.user.id,
        match facts.user.bot {
            Some(true) => ", access-token bot",
            Some(false) => ", a person",
            None => "",
        },
        if facts.user.is_admin {
            ", ADMINISTRATOR"
        } else {
            ""
        }
    );
    let vis = facts
        .visibility
        .as_deref()
        .map(|v| format!(", {v}"))
        .unwrap_or_default();
    let _ = writeln!(out, "  {}{vis}", facts.place);
    let role = match &facts.membership {
        Membership::Member(r) => format!("{} in {}", r.name(), facts.place),
        Membership::NotMember => format!("not a member of {}", facts.place),
        Membership::Unknown(why) => format!("unknown ({why})"),
    };
    let _ = writeln!(out, "  role    {role}");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "This configuration: {}",
        describe_configuration(d.action, d.fix, d.judged_for.dry_run)
    );
    let _ = writeln!(out, "{}", d.judged_for.line);
    table(&mut out, d);
    let _ = writeln!(out);
    let findings = &d.findings;
    for w in &findings.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    if findings.changes.is_empty() {
        let _ = writeln!(out, "ok: the token has everything this configuration needs");
    } else {
        for c in &findings.changes {
            let _ = writeln!(out, "to change: {c}");
        }
    }
    out
}

/// The needs table, columns as wide as their widest cell.
fn table(out: &mut String, d: &Diagnosis) {
    let rows = &d.findings.rows;
    let width = |cell: fn(&super::Row) -> &str, header: &str| {
        rows.iter()
            .map(|r| cell(r).chars().count())
            .chain([header.chars().count()])
            .max()
            .unwrap_or(0)
    };
    let what = width(|r| &r.what, "needed for");
    let needs = width(|r| &r.needs, "minimum");
    let has = width(|r| &r.has, "token has");
    let _ = writeln!(
        out,
        "  {:<what$}  {:<needs$}  {:<has$}",
        "needed for", "minimum", "token has"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "  {:<what$}  {:<needs$}  {:<has$}  {}",
            r.what,
            r.needs,
            r.has,
            r.mark.symbol()
        );
    }
}

/// "`run` does rotation, then audit with fixes (audit.fix on); changes are applied".
pub(super) fn describe_configuration(action: Action, fix: bool, dry_run: bool) -> String {
    let what = match action {
        Action::Run => "rotation, then audit",
        Action::Rotate => "rotation only",
        Action::Audit => "audit only",
    };
    let fixes = match action {
        Action::Rotate => "",
        _ if fix => " with fixes (audit.fix on)",
        _ => " without fixes (audit.fix off)",
    };
    let mode = if dry_run {
        "dry run: nothing is written"
    } else {
        "changes are applied"
    };
    format!("`run` does {what}{fixes}; {mode}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::diagnose::judge;
    use crate::doctor::diagnose::tests::{day, facts, TODAY};
    use crate::doctor::needs::{needs, JudgedFor};
    use crate::gitlab::model::AccessLevel;

    fn diagnosis(f: crate::doctor::Facts, action: Action, fix: bool, dry_run: bool) -> Diagnosis {
        let findings = judge(&needs(action, fix, dry_run), &f, day(TODAY));
        Diagnosis {
            target: "project team/app".into(),
            facts: f,
            action,
            fix,
            judged_for: JudgedFor {
                dry_run,
                line: "Judged for an applied run (what the scheduled pipeline does)".into(),
            },
            findings,
        }
    }

    #[test]
    fn render_shows_table_and_verdict() {
        let f = facts(&["read_api"], Some(AccessLevel::Guest), false, true);
        let text = render(&diagnosis(f, Action::Run, true, false));
        assert!(
            text.starts_with(
                "wowctl doctor: https://gitlab.example/api/v4 for project team/app (reads only; doctor never writes)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("rotation                         `api` + Planner"),
            "{text}"
        );
        assert!(text.contains("`read_api` + Guest  ✗"), "{text}");
        assert!(text.contains("to change: the token lacks scope `api`"), "{text}");
        assert!(
            text.contains(
                "This configuration: `run` does rotation, then audit with fixes (audit.fix on); changes are applied\nJudged for an applied run"
            ),
            "{text}"
        );
        assert!(
            text.contains("  token   \"wowctl\", scopes read_api, expires 2027-06-01, active\n"),
            "{text}"
        );
    }

    #[test]
    fn undescribed_token_and_unknown_role() {
        let mut f = facts(&["api"], None, false, true);
        f.token = None;
        f.membership = crate::doctor::gather::Membership::Unknown("access level 5".into());
        let text = render(&diagnosis(f, Action::Audit, false, true));
        assert!(
            text.contains("  token   (not described by GitLab), no expiry date\n"),
            "{text}"
        );
        assert!(text.contains("  role    unknown (access level 5)\n"), "{text}");
        assert!(
            text.contains("audit only without fixes (audit.fix off); dry run: nothing is written"),
            "{text}"
        );
        assert!(text.contains("ok: the token has everything"), "{text}");
    }

    #[test]
    fn configuration_words() {
        let table = [
            (
                Action::Run,
                true,
                false,
                "`run` does rotation, then audit with fixes (audit.fix on); changes are applied",
            ),
            (
                Action::Run,
                false,
                true,
                "`run` does rotation, then audit without fixes (audit.fix off); dry run: nothing is written",
            ),
            (
                Action::Rotate,
                true,
                false,
                "`run` does rotation only; changes are applied",
            ),
            (
                Action::Audit,
                true,
                true,
                "`run` does audit only with fixes (audit.fix on); dry run: nothing is written",
            ),
        ];
        for (action, fix, dry, want) in table {
            assert_eq!(describe_configuration(action, fix, dry), want);
        }
    }
}
