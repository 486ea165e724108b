//! The judgement: what the token has (gathered facts) against what this
//! configuration needs, as table rows, warnings and changes to make.
//!
//! Pure: no I/O, no clock (`today` is an argument), nothing printed. Advice never
//! narrows the token below what the scheduled (applied) run needs: a token that
//! serves the schedule must keep scope `api` and the Planner role, even when doctor
//! judges a dry run (issue 16, item 10).

use super::gather::{Facts, Membership};
use super::needs::{Access, Need, APPLIED_RUN_NEEDS, BEFORE_PLANNER, DRY_RUN_NEEDS, READ_ROLE, WRITE_ROLE};
use crate::gitlab::model::TokenRecord;
use chrono::NaiveDate;

/// Within this many days of `expires_at`, doctor warns.
pub(super) const EXPIRY_WARNING_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Ok,
    Missing,
    Unknown,
}

impl Mark {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Mark::Ok => "✓",
            Mark::Missing => "✗",
            Mark::Unknown => "?",
        }
    }

    fn and(self, other: Mark) -> Mark {
        match (self, other) {
            (Mark::Missing, _) | (_, Mark::Missing) => Mark::Missing,
            (Mark::Unknown, _) | (_, Mark::Unknown) => Mark::Unknown,
            _ => Mark::Ok,
        }
    }
}

/// One line of the table: what is needed next to what the token has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub what: String,
    pub needs: String,
    pub has: String,
    pub mark: Mark,
}

/// Whether the token can do what this configuration needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Healthy,
    /// Something must change (the findings' `changes` say what).
    Problems,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Findings {
    pub rows: Vec<Row>,
    /// More than needed, expiring soon, blind spots: shown, never fatal.
    pub warnings: Vec<String>,
    /// What to change; non-empty means the verdict is `Problems`.
    pub changes: Vec<String>,
}

impl Findings {
    pub(crate) fn verdict(&self) -> Verdict {
        if self.changes.is_empty() {
            Verdict::Healthy
        } else {
            Verdict::Problems
        }
    }
}

fn scope_mark(token: Option<&TokenRecord>, access: Access) -> Mark {
    match token {
        None => Mark::Unknown,
        Some(t) if t.has_scope("api") => Mark::Ok,
        Some(t) if access == Access::Read && t.has_scope("read_api") => Mark::Ok,
        Some(_) => Mark::Missing,
    }
}

fn role_mark(facts: &Facts, need: &Need) -> Mark {
    if facts.user.is_admin {
        return Mark::Ok; // administrators have every permission (§9)
    }
    match &facts.membership {
        Membership::Member(r) if *r >= need.role => Mark::Ok,
        Membership::Member(_) => Mark::Missing,
        // Public and internal projects are readable by any signed-in user.
        Membership::NotMember
            if need.access == Access::Read
                && matches!(facts.visibility.as_deref(), Some("public" | "internal")) =>
        {
            Mark::Ok
        }
        Membership::NotMember => Mark::Missing,
        Membership::Unknown(_) => Mark::Unknown,
    }
}

fn has_text(facts: &Facts) -> String {
    let scopes = match &facts.token {
        Some(t) if t.scopes.is_empty() => "no scopes".to_string(),
        Some(t) => t
            .scopes
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", "),
        None => "scopes unknown".to_string(),
    };
    let role = match &facts.membership {
        Membership::Member(r) => r.name().to_string(),
        Membership::NotMember => "not a member".to_string(),
        Membership::Unknown(_) => "role unknown".to_string(),
    };
    let admin = if facts.user.is_admin { " (admin)" } else { "" };
    format!("{scopes} + {role}{admin}")
}

fn kind(facts: &Facts) -> &'static str {
    if facts.is_group {
        "group"
    } else {
        "project"
    }
}

/// The token to create instead. Always one the scheduled (applied) run can use: a
/// `read_api` token stored in WOW_TOKEN would make the schedule fail.
fn new_token(facts: &Facts, writes: bool) -> String {
    let mut line = format!(
        "create a {} access token in {} with the {} role and scope `api`, and store it in WOW_TOKEN (masked, protected)",
        kind(facts),
        facts.place,
        WRITE_ROLE.name()
    );
    if !writes {
        line.push_str(&format!(
            " ({APPLIED_RUN_NEEDS}; {DRY_RUN_NEEDS}: a `read_api` token never serves the schedule)"
        ));
    }
    line
}

/// Compares what is needed with what the token has. `today` is `settings.now`'s date.
pub(super) fn judge(needs: &[Need], facts: &Facts, today: NaiveDate) -> Findings {
    let mut d = Findings::default();
    let token = facts.token.as_ref();
    let place = &facts.place;
    let user = &facts.user.username;
    let writes = needs.iter().any(|n| n.access == Access::Write);
    let top_role = needs.iter().map(|n| n.role).max().unwrap_or(READ_ROLE);

    // The token itself: revoked or inactive is fatal, close to expiry is a warning.
    if let Some(t) = token.filter(|t| t.revoked || !t.active) {
        let why = if t.revoked { "revoked" } else { "not active" };
        d.rows.push(Row {
            what: "token is usable".into(),
            needs: "active".into(),
            has: why.into(),
            mark: Mark::Missing,
        });
        d.changes.push(format!(
            "the token in WOW_TOKEN is {why}: {}",
            new_token(facts, writes)
        ));
    }
    if let Some(exp) = token.and_then(|t| t.expires_at) {
        let days = (exp - today).num_days();
        if days < 0 {
            d.changes.push(format!(
                "the token in WOW_TOKEN expired on {exp}: {}",
                new_token(facts, writes)
            ));
        } else if days <= EXPIRY_WARNING_DAYS {
            d.warnings.push(format!(
                "the token expires on {exp}, in {days} day{}: create a new one and update WOW_TOKEN before then",
                if days == 1 { "" } else { "s" }
            ));
        }
    }

    let has = has_text(facts);
    for need in needs {
        d.rows.push(Row {
            what: need.what.clone(),
            needs: format!("`{}` + {}", need.access.scope(), need.role.name()),
            has: has.clone(),
            mark: scope_mark(token, need.access).and(role_mark(facts, need)),
        });
    }

    // What to change, once per cause.
    let worst_scope = needs
        .iter()
        .filter(|n| scope_mark(token, n.access) == Mark::Missing)
        .map(|n| n.access)
        .max();
    if let Some(access) = worst_scope {
        let what = needs
            .iter()
            .filter(|n| n.access == access)
            .map(|n| n.what.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut line = format!(
            "the token lacks scope `{}` (needed for: {what}); a token's scopes cannot be changed: {}",
            access.scope(),
            new_token(facts, writes)
        );
        if access == Access::Write {
            line.push_str(", or make this configuration read-only (dry run, `audit.fix: false`)");
        }
        d.changes.push(line);
    }
    let worst_role = needs
        .iter()
        .filter(|n| role_mark(facts, n) == Mark::Missing)
        .map(|n| n.role)
        .max();
    if let Some(role) = worst_role {
        let now_has = match &facts.membership {
            Membership::Member(r) => format!("has the {} role", r.name()),
            _ => "is not a member".to_string(),
        };
        let before = if role == WRITE_ROLE {
            format!(" ({BEFORE_PLANNER})")
        } else {
            String::new()
        };
        d.changes.push(format!(
            "the token's user {user} {now_has} in {place}; it needs at least {}{before}: give it that role, or {}",
            role.name(),
            new_token(facts, writes)
        ));
    }
    if let Membership::Unknown(why) = &facts.membership {
        if !facts.user.is_admin {
            d.warnings.push(format!(
                "could not read the role of {user} in {place} ({why}); doctor cannot confirm the role"
            ));
        }
    }
    if token.is_none() {
        d.warnings.push(
            "GitLab did not describe the token (GET /personal_access_tokens/self); doctor cannot confirm its scopes".into(),
        );
    }
    more_than_needed(&mut d, facts, writes, top_role);
    d
}

/// Warnings for what the token has beyond this configuration's needs. None of them
/// advises going below what an applied run needs.
fn more_than_needed(
    d: &mut Findings,
    facts: &Facts,
    writes: bool,
    top_role: crate::gitlab::model::AccessLevel,
) {
    let (place, user, kind) = (&facts.place, &facts.user.username, kind(facts));
    let personal = facts.user.bot == Some(false);
    if facts.user.is_admin && personal {
        d.warnings.push(format!(
            "more than needed: this is a personal access token of an administrator ({user}); it can change anything on the instance. A {kind} access token with the {} role would do",
            WRITE_ROLE.name()
        ));
    } else if facts.user.is_admin {
        d.warnings.push(format!(
            "more than needed: the token's user {user} is an administrator; wowctl needs only {} in {place}",
            top_role.name()
        ));
    } else if personal {
        d.warnings.push(format!(
            "more than needed: this is a personal access token of {user}: it acts everywhere {user} can. A {kind} access token with the {} role would do",
            top_role.max(WRITE_ROLE).name()
        ));
    }
    if let Some(t) = &facts.token {
        if !writes && t.has_scope("api") {
            d.warnings.push(format!(
                "scope `api` allows writes and this configuration only reads: a token used only for read-only runs would do with `read_api`, but {APPLIED_RUN_NEEDS}, so keep `api` on the token the scheduled pipeline uses"
            ));
        }
        let extra: Vec<String> = t
            .scopes
            .iter()
            .filter(|s| !matches!(s.as_str(), "api" | "read_api"))
            .map(|s| format!("`{s}`"))
            .collect();
        if !extra.is_empty() {
            d.warnings.push(format!(
                "more than needed: scopes {} are not used by wowctl",
                extra.join(", ")
            ));
        }
    }
    if let Membership::Member(r) = facts.membership {
        if r > WRITE_ROLE {
            d.warnings.push(format!(
                "more than needed: the {} role in {place}; {} would do ({BEFORE_PLANNER})",
                r.name(),
                WRITE_ROLE.name()
            ));
        }
        if r < WRITE_ROLE && !facts.user.is_admin {
            d.warnings.push(format!(
                "a {} does not see confidential issues: the audit will skip them (Planner and above see them)",
                r.name()
            ));
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::doctor::needs::needs;
    use crate::gitlab::model::{AccessLevel, CurrentUser};
    use crate::settings::Action;
    use AccessLevel::{Guest, Maintainer, Planner};

    pub(crate) fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A private project's token with these scopes, role, admin flag and bot flag.
    pub(crate) fn facts(scopes: &[&str], role: Option<AccessLevel>, admin: bool, bot: bool) -> Facts {
        Facts {
            api_url: "https://gitlab.example/api/v4".into(),
            token: Some(TokenRecord {
                id: 3,
                name: "wowctl".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                expires_at: Some(day("2027-06-01")),
                active: true,
                revoked: false,
            }),
            user: CurrentUser {
                id: 7,
                username: "bot".into(),
                is_admin: admin,
                bot: Some(bot),
            },
            place: "project team/app (id 1)".into(),
            is_group: false,
            visibility: Some("private".into()),
            membership: role.map_or(Membership::NotMember, Membership::Member),
        }
    }

    pub(crate) const TODAY: &str = "2026-11-25";

    fn exit(f: &Findings) -> u8 {
        match f.verdict() {
            Verdict::Healthy => 0,
            Verdict::Problems => 1,
        }
    }

    /// (facts, action, fix, dry) → (verdict, warning fragments, change fragments)
    #[test]
    fn judge_table() {
        struct Case {
            name: &'static str,
            f: Facts,
            action: Action,
            fix: bool,
            dry: bool,
            exit: u8,
            warn: &'static [&'static str],
            change: &'static [&'static str],
        }
        let case = |name, f, (action, fix, dry), exit, warn, change| Case {
            name,
            f,
            action,
            fix,
            dry,
            exit,
            warn,
            change,
        };
        let applied = (Action::Run, true, false);
        let cases = [
            case(
                "planner project token",
                facts(&["api"], Some(Planner), false, true),
                applied,
                0,
                &[],
                &[],
            ),
            case(
                "admin maintainer person",
                facts(&["api"], Some(Maintainer), true, false),
                applied,
                0,
                &[
                    "personal access token of an administrator",
                    "Maintainer role",
                    "Planner would do",
                ],
                &[],
            ),
            case(
                "guest read_api with fixes",
                facts(&["read_api"], Some(Guest), false, true),
                applied,
                1,
                &["confidential"],
                &[
                    "lacks scope `api`",
                    "has the Guest role",
                    "at least Planner (Reporter on GitLab before 17.7)",
                ],
            ),
            // A read-only run needs Planner too: a Guest misses confidential issues.
            case(
                "guest read_api audit without fixes",
                facts(&["read_api"], Some(Guest), false, true),
                (Action::Audit, false, false),
                1,
                &["confidential"],
                &[
                    "has the Guest role",
                    "at least Planner (Reporter on GitLab before 17.7)",
                ],
            ),
            // Item 10 of issue 16: judged for a dry run, `api` is more than that run
            // needs, but the advice must keep the schedule's token whole.
            case(
                "api when only reading",
                facts(&["api"], Some(Planner), false, true),
                (Action::Run, true, true),
                0,
                &[
                    "would do with `read_api`",
                    "keep `api` on the token the scheduled pipeline uses",
                ],
                &[],
            ),
            case(
                "extra scopes",
                facts(&["api", "write_repository"], Some(Planner), false, true),
                applied,
                0,
                &["`write_repository`"],
                &[],
            ),
            case(
                "not a member, private",
                facts(&["api"], None, false, true),
                applied,
                1,
                &[],
                &["is not a member"],
            ),
            case(
                "admin not a member",
                facts(&["api"], None, true, true),
                applied,
                0,
                &["is an administrator"],
                &[],
            ),
            case(
                "personal token of a person",
                facts(&["api"], Some(Planner), false, false),
                applied,
                0,
                &["personal access token of bot"],
                &[],
            ),
            case(
                "dry run, not a member: Planner is the least for reading too",
                facts(&["read_api"], None, false, true),
                (Action::Run, true, true),
                1,
                &[],
                &["it needs at least Planner (Reporter on GitLab before 17.7): give it that role"],
            ),
            case(
                "dry run, no usable scope: the new token still serves the schedule",
                facts(&["read_repository"], Some(Planner), false, true),
                (Action::Run, true, true),
                1,
                &["`read_repository`"],
                &[
                    "lacks scope `read_api`",
                    "with the Planner role and scope `api`",
                    "applied runs need",
                ],
            ),
        ];
        for c in cases {
            let d = judge(&needs(c.action, c.fix, c.dry), &c.f, day(TODAY));
            assert_eq!(exit(&d), c.exit, "{}: {d:#?}", c.name);
            let warnings = d.warnings.join("\n");
            for w in c.warn {
                assert!(
                    warnings.contains(w),
                    "{}: warning {w:?} not in\n{warnings}",
                    c.name
                );
            }
            if c.warn.is_empty() {
                assert!(d.warnings.is_empty(), "{}: {warnings}", c.name);
            }
            let changes = d.changes.join("\n");
            for ch in c.change {
                assert!(
                    changes.contains(ch),
                    "{}: change {ch:?} not in\n{changes}",
                    c.name
                );
            }
            let missing = d.rows.iter().any(|r| r.mark == Mark::Missing);
            assert_eq!(missing, c.exit == 1, "{}", c.name);
            // Never advise `read_api` without saying what applied runs need.
            for line in d.warnings.iter().chain(&d.changes) {
                if line.contains("read_api` would") || line.contains("with `read_api`") {
                    assert!(line.contains(APPLIED_RUN_NEEDS), "{}: {line}", c.name);
                }
                assert!(
                    !line.contains("scope `read_api`, and store"),
                    "{}: {line}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn public_project_reads_without_membership() {
        let mut f = facts(&["read_api"], None, false, true);
        f.visibility = Some("public".into());
        let d = judge(&needs(Action::Audit, false, false), &f, day(TODAY));
        assert_eq!(d.verdict(), Verdict::Healthy, "{d:#?}");
        let d = judge(&needs(Action::Run, true, false), &f, day(TODAY));
        assert_eq!(d.verdict(), Verdict::Problems);
    }

    #[test]
    fn expiry_table() {
        let table = [
            ("2026-11-24", 1, "expired on 2026-11-24"),
            ("2026-11-25", 0, "in 0 days"),
            ("2026-11-26", 0, "in 1 day:"),
            ("2026-12-09", 0, "in 14 days"),
            ("2026-12-10", 0, ""),
        ];
        for (exp, code, text) in table {
            let mut f = facts(&["api"], Some(Planner), false, true);
            f.token.as_mut().unwrap().expires_at = Some(day(exp));
            let d = judge(&needs(Action::Run, true, false), &f, day(TODAY));
            assert_eq!(exit(&d), code, "{exp}");
            let all = format!("{}\n{}", d.warnings.join("\n"), d.changes.join("\n"));
            if text.is_empty() {
                assert!(d.warnings.is_empty() && d.changes.is_empty(), "{exp}: {all}");
            } else {
                assert!(all.contains(text), "{exp}: {all}");
            }
        }
    }

    #[test]
    fn revoked_and_unknown() {
        let mut f = facts(&["api"], Some(Planner), false, true);
        let t = f.token.as_mut().unwrap();
        t.revoked = true;
        t.active = false;
        let d = judge(&needs(Action::Run, true, false), &f, day(TODAY));
        assert_eq!(d.verdict(), Verdict::Problems);
        assert!(d.changes[0].contains("is revoked"), "{d:#?}");

        let mut f = facts(&["api"], Some(Planner), false, true);
        f.token = None;
        f.membership = Membership::Unknown("403".into());
        let d = judge(&needs(Action::Run, true, false), &f, day(TODAY));
        assert_eq!(d.verdict(), Verdict::Healthy, "unknown is not a failure: {d:#?}");
        assert!(d.rows.iter().all(|r| r.mark == Mark::Unknown));
        assert_eq!(d.warnings.len(), 2, "{d:#?}");
    }
}
