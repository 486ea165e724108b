//! `wowctl doctor`: checks that the API answers, that the token is valid, and that
//! its scopes and role cover what this configuration will do — no more, no less.
//!
//! The decisions (`needs`, `diagnose`, `render`) are pure functions of the facts;
//! `gather` is the only I/O, and it only reads: doctor must never send a write,
//! and never prints the token (it never sees it: the client holds it).
//!
//! Why these minimums (gitlab-api.md §8, §9):
//! * Writes (rotation, audit fixes) need scope `api` and the Planner role in the
//!   project, or in the group for group milestones (Reporter before GitLab 17.7).
//!   Below Planner, GitLab refuses milestone and label writes (403) and silently
//!   drops issue metadata edits (§3), so the role is checked, not only the scope.
//! * Reads only (dry run, or `audit.fix: false` with `WOW_ACTION=audit`) need
//!   scope `read_api` and the Guest role: a Guest of a private project reads its
//!   milestones, issues, labels and milestone events. Reporter is not needed for
//!   private projects (that is the role for code, not for issues). One caveat:
//!   confidential issues are hidden from Guests (Planner and above see them), so a
//!   Guest's audit silently skips them — doctor warns about it. Public and internal
//!   projects are readable without any membership.

use crate::app::{EXIT_FAILED, EXIT_OK};
use crate::gitlab::model::Scope;
use crate::gitlab::{Client, GitlabError};
use crate::settings::{Action, Settings};
use anyhow::Context;
use chrono::NaiveDate;
use serde_json::Value;
use std::fmt::Write as _;

/// Within this many days of `expires_at`, doctor warns.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// GitLab's member roles, ordered by access level (gitlab-api.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Guest,
    Planner,
    Reporter,
    Developer,
    Maintainer,
    Owner,
}

impl Role {
    /// From the members API's `access_level`; `None` for Minimal Access (5),
    /// "no access" (0) and anything unknown.
    pub fn from_access_level(level: u64) -> Option<Role> {
        Some(match level {
            10 => Role::Guest,
            15 => Role::Planner,
            20 => Role::Reporter,
            30 => Role::Developer,
            40 => Role::Maintainer,
            50 => Role::Owner,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Guest => "Guest",
            Role::Planner => "Planner",
            Role::Reporter => "Reporter",
            Role::Developer => "Developer",
            Role::Maintainer => "Maintainer",
            Role::Owner => "Owner",
        }
    }
}

/// What a step does with the tracker, hence the token scope it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn scope(self) -> &'static str {
        match self {
            Access::Read => "read_api",
            Access::Write => "api",
        }
    }
}

/// One thing this configuration does, and the least it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub what: String,
    pub access: Access,
    pub role: Role,
}

/// What `wowctl run` with this action, `audit.fix` and dry run will do, each with
/// its minimum scope and role. Pure.
pub fn needs(action: Action, fix: bool, dry_run: bool) -> Vec<Need> {
    let need = |what: &str, access, role| Need {
        what: what.to_string(),
        access,
        role,
    };
    let mut out = vec![need("read milestones, issues, labels", Access::Read, Role::Guest)];
    let rotates = matches!(action, Action::Run | Action::Rotate);
    let audits = matches!(action, Action::Run | Action::Audit);
    if rotates {
        out.push(if dry_run {
            need("rotation (dry run: planned only)", Access::Read, Role::Guest)
        } else {
            need("rotation", Access::Write, Role::Planner)
        });
    }
    if audits {
        out.push(match (fix, dry_run) {
            (false, _) => need("audit (audit.fix off)", Access::Read, Role::Guest),
            (true, true) => need("audit fixes (dry run: planned only)", Access::Read, Role::Guest),
            (true, false) => need("audit fixes (audit.fix on)", Access::Write, Role::Planner),
        });
    }
    out
}

/// The token as `GET /personal_access_tokens/self` describes it; every field
/// `None` when that endpoint is missing (older GitLab) or refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenFacts {
    pub name: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub expires_at: Option<NaiveDate>,
    pub active: Option<bool>,
    pub revoked: Option<bool>,
}

/// `GET /user`. `is_admin` is only present for administrators; `bot` is true for
/// the users behind project and group access tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFacts {
    pub id: u64,
    pub username: String,
    pub is_admin: bool,
    pub bot: Option<bool>,
}

/// The token user's place in the project or group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    Member(Role),
    NotMember,
    /// The members API did not say (the reason, for people).
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub api_url: String,
    pub token: TokenFacts,
    pub user: UserFacts,
    /// "project group/app (id 12)".
    pub place: String,
    pub is_group: bool,
    /// `private`, `internal`, `public`, when GitLab says.
    pub visibility: Option<String>,
    pub membership: Membership,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ok,
    Missing,
    Unknown,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
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
pub struct Row {
    pub what: String,
    pub needs: String,
    pub has: String,
    pub mark: Mark,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnosis {
    pub rows: Vec<Row>,
    /// More than needed, expiring soon, blind spots: printed, never fatal.
    pub warnings: Vec<String>,
    /// What to change; non-empty means exit 1.
    pub changes: Vec<String>,
}

impl Diagnosis {
    pub fn exit_code(&self) -> u8 {
        if self.changes.is_empty() {
            EXIT_OK
        } else {
            EXIT_FAILED
        }
    }
}

fn has_scope(scopes: &[String], s: &str) -> bool {
    scopes.iter().any(|x| x == s)
}

fn scope_mark(token: &TokenFacts, access: Access) -> Mark {
    match &token.scopes {
        None => Mark::Unknown,
        Some(s) if has_scope(s, "api") => Mark::Ok,
        Some(s) if access == Access::Read && has_scope(s, "read_api") => Mark::Ok,
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
    let scopes = match &facts.token.scopes {
        Some(s) if s.is_empty() => "no scopes".to_string(),
        Some(s) => s.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
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

/// Compares what is needed with what the token has. Pure; `today` is `settings.now`'s date.
pub fn diagnose(needs: &[Need], facts: &Facts, today: NaiveDate) -> Diagnosis {
    let mut d = Diagnosis::default();
    let token = &facts.token;
    let place = &facts.place;
    let user = &facts.user.username;
    let writes = needs.iter().any(|n| n.access == Access::Write);
    let top_role = needs.iter().map(|n| n.role).max().unwrap_or(Role::Guest);
    let new_token = |scope: &str| {
        let kind = if facts.is_group { "group" } else { "project" };
        format!(
            "create a {kind} access token in {place} with the {} role and scope `{scope}`, and store it in WOW_TOKEN (masked, protected)",
            top_role.max(Role::Planner).name()
        )
    };

    // The token itself: revoked or inactive is fatal, close to expiry is a warning.
    if token.revoked == Some(true) || token.active == Some(false) {
        let why = if token.revoked == Some(true) {
            "revoked"
        } else {
            "not active"
        };
        d.rows.push(Row {
            what: "token is usable".into(),
            needs: "active".into(),
            has: why.into(),
            mark: Mark::Missing,
        });
        d.changes.push(format!(
            "the token in WOW_TOKEN is {why}: {}",
            new_token(if writes { "api" } else { "read_api" })
        ));
    }
    if let Some(exp) = token.expires_at {
        let days = (exp - today).num_days();
        if days < 0 {
            d.changes.push(format!(
                "the token in WOW_TOKEN expired on {exp}: {}",
                new_token(if writes { "api" } else { "read_api" })
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
        let scope = scope_mark(token, need.access);
        let role = role_mark(facts, need);
        d.rows.push(Row {
            what: need.what.clone(),
            needs: format!("`{}` + {}", need.access.scope(), need.role.name()),
            has: has.clone(),
            mark: scope.and(role),
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
            new_token(access.scope())
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
        d.changes.push(format!(
            "the token's user {user} {now_has} in {place}; it needs at least {} (Reporter on GitLab before 17.7): give it that role, or {}",
            role.name(),
            new_token(if writes { "api" } else { "read_api" })
        ));
    }
    if let Membership::Unknown(why) = &facts.membership {
        if !facts.user.is_admin {
            d.warnings.push(format!(
                "could not read the role of {user} in {place} ({why}); doctor cannot confirm the role"
            ));
        }
    }
    if token.scopes.is_none() {
        d.warnings.push(
            "GitLab did not describe the token (GET /personal_access_tokens/self); doctor cannot confirm its scopes".into(),
        );
    }

    // More than needed.
    let personal = facts.user.bot == Some(false);
    if facts.user.is_admin && personal {
        d.warnings.push(format!(
            "more than needed: this is a personal access token of an administrator ({user}); it can change anything on the instance. A {} access token with the Planner role would do",
            if facts.is_group { "group" } else { "project" }
        ));
    } else if facts.user.is_admin {
        d.warnings.push(format!(
            "more than needed: the token's user {user} is an administrator; wowctl needs only {} in {place}",
            top_role.name()
        ));
    } else if personal {
        d.warnings.push(format!(
            "more than needed: this is a personal access token of {user}: it acts everywhere {user} can. A {} access token with the {} role would do",
            if facts.is_group { "group" } else { "project" },
            top_role.max(Role::Planner).name()
        ));
    }
    if let Some(scopes) = &token.scopes {
        if !writes && has_scope(scopes, "api") {
            d.warnings.push(
                "more than needed: scope `api` allows writes, but this configuration only reads; `read_api` would do".into(),
            );
        }
        let extra: Vec<&str> = scopes
            .iter()
            .map(String::as_str)
            .filter(|s| !matches!(*s, "api" | "read_api"))
            .collect();
        if !extra.is_empty() {
            d.warnings.push(format!(
                "more than needed: scopes {} are not used by wowctl",
                extra
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Membership::Member(r) = facts.membership {
        if r > Role::Planner {
            d.warnings.push(format!(
                "more than needed: the {} role in {place}; Planner would do (Reporter on GitLab before 17.7)",
                r.name()
            ));
        }
        if r < Role::Planner && !facts.user.is_admin {
            d.warnings.push(format!(
                "a {} does not see confidential issues: the audit will skip them (Planner and above see them)",
                r.name()
            ));
        }
    }
    d
}

/// The whole report doctor prints. Pure.
pub fn render(facts: &Facts, configuration: &str, d: &Diagnosis) -> String {
    let mut out = String::new();
    let t = &facts.token;
    let _ = writeln!(out, "  API     {} answered", facts.api_url);
    let mut token = vec![match &t.name {
        Some(n) => format!("\"{n}\""),
        None => "(not described by GitLab)".into(),
    }];
    if let Some(s) = &t.scopes {
        token.push(format!(
            "scopes {}",
            if s.is_empty() { "none".into() } else { s.join(", ") }
        ));
    }
    token.push(match t.expires_at {
        Some(e) => format!("expires {e}"),
        None => "no expiry date".into(),
    });
    if t.revoked == Some(true) {
        token.push("revoked".into());
    } else if let Some(a) = t.active {
        token.push(if a { "active" } else { "not active" }.into());
    }
    let _ = writeln!(out, "  token   {}", token.join(", "));
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
    let _ = writeln!(out, "This configuration: {configuration}");
    let w0 = d
        .rows
        .iter()
        .map(|r| r.what.chars().count())
        .max()
        .unwrap_or(0)
        .max(10);
    let w1 = d
        .rows
        .iter()
        .map(|r| r.needs.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let w2 = d
        .rows
        .iter()
        .map(|r| r.has.chars().count())
        .max()
        .unwrap_or(0)
        .max(9);
    let _ = writeln!(
        out,
        "  {:<w0$}  {:<w1$}  {:<w2$}",
        "needed for", "minimum", "token has"
    );
    for r in &d.rows {
        let _ = writeln!(
            out,
            "  {:<w0$}  {:<w1$}  {:<w2$}  {}",
            r.what,
            r.needs,
            r.has,
            r.mark.symbol()
        );
    }
    let _ = writeln!(out);
    for w in &d.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    if d.changes.is_empty() {
        let _ = writeln!(out, "ok: the token has everything this configuration needs");
    } else {
        for c in &d.changes {
            let _ = writeln!(out, "to change: {c}");
        }
    }
    out
}

/// "`run`: rotation and audit with fixes; changes are applied".
pub fn describe_configuration(action: Action, fix: bool, dry_run: bool) -> String {
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

fn str_field(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Reads what doctor needs: the token, the user, the project or group and the
/// user's role there. GET only. A 401, an unreachable server or a missing
/// project stops it with the client's message (which names the variable or URL).
pub async fn gather(gl: &Client, scope: &Scope) -> anyhow::Result<Facts> {
    // Not every GitLab has this endpoint (added in 15.5), and a token may be
    // refused it: then the scopes are unknown, not wrong.
    let token = match gl.get::<Value>("/personal_access_tokens/self", &[]).await {
        Ok(v) => TokenFacts {
            name: str_field(&v, "name"),
            scopes: v
                .get("scopes")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()),
            expires_at: str_field(&v, "expires_at").and_then(|s| s.parse().ok()),
            active: v.get("active").and_then(Value::as_bool),
            revoked: v.get("revoked").and_then(Value::as_bool),
        },
        Err(GitlabError::NotFound { .. } | GitlabError::Forbidden { .. } | GitlabError::Http { .. }) => {
            TokenFacts::default()
        }
        Err(e @ GitlabError::Decode { .. }) => {
            return Err(anyhow::Error::new(e).context(format!(
                "{} did not answer like GitLab's API; WOW_API_URL should end in /api/v4",
                gl.api_url()
            )))
        }
        Err(e) => return Err(anyhow::Error::new(e).context("checking the token")),
    };
    let v: Value = match gl.get("/user", &[]).await {
        Ok(v) => v,
        Err(GitlabError::NotFound { .. }) => anyhow::bail!(
            "{} has no /user endpoint: it is not GitLab's API; WOW_API_URL should end in /api/v4",
            gl.api_url()
        ),
        Err(e) => return Err(anyhow::Error::new(e).context("reading the token's user (GET /user)")),
    };
    let user = UserFacts {
        id: v.get("id").and_then(Value::as_u64).unwrap_or(0),
        username: str_field(&v, "username").unwrap_or_else(|| "(unknown)".into()),
        is_admin: v.get("is_admin").and_then(Value::as_bool).unwrap_or(false),
        bot: v.get("bot").and_then(Value::as_bool),
    };
    let prefix = scope.api_prefix();
    let p: Value = gl
        .get(&prefix, &[])
        .await
        .with_context(|| format!("reading {}", scope.describe()))?;
    let path_key = if scope.is_group() {
        "full_path"
    } else {
        "path_with_namespace"
    };
    let kind = if scope.is_group() { "group" } else { "project" };
    let place = match (str_field(&p, path_key), p.get("id").and_then(Value::as_u64)) {
        (Some(path), Some(id)) => format!("{kind} {path} (id {id})"),
        _ => scope.describe(),
    };
    let membership = match gl
        .get::<Value>(&format!("{prefix}/members/all/{}", user.id), &[])
        .await
    {
        Ok(m) => match m.get("access_level").and_then(Value::as_u64) {
            Some(level) => match Role::from_access_level(level) {
                Some(r) => Membership::Member(r),
                None => Membership::Unknown(format!("access level {level}")),
            },
            None => Membership::Unknown("no access_level in the answer".into()),
        },
        Err(GitlabError::NotFound { .. }) => Membership::NotMember,
        Err(e @ (GitlabError::Unauthorized { .. } | GitlabError::Unreachable { .. })) => {
            return Err(anyhow::Error::new(e).context("reading the token's role"))
        }
        Err(e) => Membership::Unknown(e.to_string()),
    };
    Ok(Facts {
        api_url: gl.api_url().to_string(),
        token,
        user,
        place,
        is_group: scope.is_group(),
        visibility: str_field(&p, "visibility"),
        membership,
    })
}

/// `wowctl doctor` after the settings and the client are made: prints the
/// checks and returns the exit status (0 all there, 1 something to change).
pub async fn run(settings: &Settings, gl: &Client) -> u8 {
    let Some(scope) = settings.scope.as_ref().map(|s| &s.value) else {
        eprintln!("error: no project or group is set (WOW_PROJECT or WOW_GROUP)");
        return EXIT_FAILED;
    };
    crate::say!(
        "wowctl doctor: {} for {} (reads only; doctor never writes)",
        gl.api_url(),
        scope.describe()
    );
    let facts = match gather(gl, scope).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e:#}");
            return EXIT_FAILED;
        }
    };
    let (action, fix, dry_run) = (
        settings.action.value,
        settings.config.audit.fix,
        settings.dry_run.value,
    );
    let d = diagnose(
        &needs(action, fix, dry_run),
        &facts,
        settings.now.value.date_naive(),
    );
    let configuration = format!(
        "{} (dry run: {})",
        describe_configuration(action, fix, dry_run),
        settings.dry_run.source
    );
    crate::console::print(&render(&facts, &configuration, &d));
    d.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(scopes: &[&str], role: Option<Role>, admin: bool, bot: bool) -> Facts {
        Facts {
            api_url: "https://gitlab.example/api/v4".into(),
            token: TokenFacts {
                name: Some("wowctl".into()),
                scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
                expires_at: Some(day("2027-06-01")),
                active: Some(true),
                revoked: Some(false),
            },
            user: UserFacts {
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

    const TODAY: &str = "2026-11-25";

    #[test]
    fn needs_table() {
        use Access::*;
        let table = [
            (
                Action::Run,
                true,
                false,
                vec![
                    (Read, Role::Guest),
                    (Write, Role::Planner),
                    (Write, Role::Planner),
                ],
            ),
            (
                Action::Run,
                false,
                false,
                vec![(Read, Role::Guest), (Write, Role::Planner), (Read, Role::Guest)],
            ),
            (
                Action::Run,
                true,
                true,
                vec![(Read, Role::Guest), (Read, Role::Guest), (Read, Role::Guest)],
            ),
            (
                Action::Rotate,
                false,
                false,
                vec![(Read, Role::Guest), (Write, Role::Planner)],
            ),
            (
                Action::Audit,
                false,
                false,
                vec![(Read, Role::Guest), (Read, Role::Guest)],
            ),
            (
                Action::Audit,
                true,
                false,
                vec![(Read, Role::Guest), (Write, Role::Planner)],
            ),
        ];
        for (action, fix, dry, want) in table {
            let got: Vec<(Access, Role)> = needs(action, fix, dry)
                .iter()
                .map(|n| (n.access, n.role))
                .collect();
            assert_eq!(got, want, "{action:?} fix={fix} dry={dry}");
        }
    }

    #[test]
    fn access_levels() {
        let table = [
            (10, Some(Role::Guest)),
            (15, Some(Role::Planner)),
            (20, Some(Role::Reporter)),
            (30, Some(Role::Developer)),
            (40, Some(Role::Maintainer)),
            (50, Some(Role::Owner)),
            (5, None),
            (0, None),
            (60, None),
        ];
        for (level, want) in table {
            assert_eq!(Role::from_access_level(level), want, "{level}");
        }
    }

    /// (scopes, role, admin, bot, action, fix, dry) → (exit, marks, warning fragments, change fragments)
    #[test]
    fn diagnose_table() {
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
        let cases = [
            Case {
                name: "planner project token",
                f: facts(&["api"], Some(Role::Planner), false, true),
                action: Action::Run,
                fix: true,
                dry: false,
                exit: 0,
                warn: &[],
                change: &[],
            },
            Case {
                name: "admin maintainer person",
                f: facts(&["api"], Some(Role::Maintainer), true, false),
                action: Action::Run,
                fix: true,
                dry: false,
                exit: 0,
                warn: &[
                    "personal access token of an administrator",
                    "Maintainer role",
                    "Planner would do",
                ],
                change: &[],
            },
            Case {
                name: "guest read_api with fixes",
                f: facts(&["read_api"], Some(Role::Guest), false, true),
                action: Action::Run,
                fix: true,
                dry: false,
                exit: 1,
                warn: &["confidential"],
                change: &["lacks scope `api`", "has the Guest role", "at least Planner"],
            },
            Case {
                name: "guest read_api audit without fixes",
                f: facts(&["read_api"], Some(Role::Guest), false, true),
                action: Action::Audit,
                fix: false,
                dry: false,
                exit: 0,
                warn: &["confidential"],
                change: &[],
            },
            Case {
                name: "api when only reading",
                f: facts(&["api"], Some(Role::Planner), false, true),
                action: Action::Run,
                fix: true,
                dry: true,
                exit: 0,
                warn: &["`read_api` would do"],
                change: &[],
            },
            Case {
                name: "extra scopes",
                f: facts(&["api", "write_repository"], Some(Role::Planner), false, true),
                action: Action::Run,
                fix: true,
                dry: false,
                exit: 0,
                warn: &["`write_repository`"],
                change: &[],
            },
            Case {
                name: "not a member, private",
                f: facts(&["api"], None, false, true),
                action: Action::Run,
                fix: true,
                dry: false,
                exit: 1,
                warn: &[],
                change: &["is not a member"],
            },
            Case {
                name: "admin not a member",
                f: facts(&["api"], None, true, true),
                action: Action::Run,
                fix: true,
                dry: false,
                exit: 0,
                warn: &["is an administrator"],
                change: &[],
            },
            Case {
                name: "personal token of a person",
                f: facts(&["api"], Some(Role::Planner), false, false),
                action: Action::Run,
                fix: true,
                dry: false,
                exit: 0,
                warn: &["personal access token of bot"],
                change: &[],
            },
        ];
        for c in cases {
            let d = diagnose(&needs(c.action, c.fix, c.dry), &c.f, day(TODAY));
            assert_eq!(d.exit_code(), c.exit, "{}: {d:#?}", c.name);
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
        }
    }

    #[test]
    fn public_project_reads_without_membership() {
        let mut f = facts(&["read_api"], None, false, true);
        f.visibility = Some("public".into());
        let d = diagnose(&needs(Action::Audit, false, false), &f, day(TODAY));
        assert_eq!(d.exit_code(), 0, "{d:#?}");
        let d = diagnose(&needs(Action::Run, true, false), &f, day(TODAY));
        assert_eq!(d.exit_code(), 1);
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
        for (exp, exit, text) in table {
            let mut f = facts(&["api"], Some(Role::Planner), false, true);
            f.token.expires_at = Some(day(exp));
            let d = diagnose(&needs(Action::Run, true, false), &f, day(TODAY));
            assert_eq!(d.exit_code(), exit, "{exp}");
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
        let mut f = facts(&["api"], Some(Role::Planner), false, true);
        f.token.revoked = Some(true);
        f.token.active = Some(false);
        let d = diagnose(&needs(Action::Run, true, false), &f, day(TODAY));
        assert_eq!(d.exit_code(), 1);
        assert!(d.changes[0].contains("is revoked"), "{d:#?}");

        let mut f = facts(&["api"], Some(Role::Planner), false, true);
        f.token = TokenFacts::default();
        f.membership = Membership::Unknown("403".into());
        let d = diagnose(&needs(Action::Run, true, false), &f, day(TODAY));
        assert_eq!(d.exit_code(), 0, "unknown is not a failure: {d:#?}");
        assert!(d.rows.iter().all(|r| r.mark == Mark::Unknown));
        assert_eq!(d.warnings.len(), 2, "{d:#?}");
    }

    #[test]
    fn render_shows_table_and_verdict() {
        let f = facts(&["read_api"], Some(Role::Guest), false, true);
        let n = needs(Action::Run, true, false);
        let d = diagnose(&n, &f, day(TODAY));
        let text = render(&f, &describe_configuration(Action::Run, true, false), &d);
        assert!(
            text.contains("rotation                         `api` + Planner"),
            "{text}"
        );
        assert!(text.contains("`read_api` + Guest  ✗"), "{text}");
        assert!(text.contains("to change: the token lacks scope `api`"), "{text}");
        assert!(
            text.contains("`run` does rotation, then audit with fixes (audit.fix on); changes are applied"),
            "{text}"
        );
    }
}
