//! The network reads doctor makes: the token's own record, its user, the project or
//! group, and the user's role there, as typed models (`gitlab::model`).
//!
//! GET only: doctor must never send a write. It never sees the token (the client
//! holds it). Nothing here judges or prints; a 401, an unreachable server or a
//! missing project stops it with the client's message, which names the variable or
//! URL to fix.

use crate::gitlab::model::{AccessLevel, CurrentUser, Group, Member, Project, Scope, TokenRecord};
use crate::gitlab::{Client, GitlabError};
use anyhow::Context;

/// The token user's place in the project or group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Membership {
    Member(AccessLevel),
    NotMember,
    /// The members API did not say (the reason, for people).
    Unknown(String),
}

/// What GitLab says about the token, its user and the place wowctl works in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub api_url: String,
    /// `None` when GitLab did not describe the token: the endpoint is missing (before
    /// 15.5) or refused it (not a personal, project or group access token).
    pub token: Option<TokenRecord>,
    pub user: CurrentUser,
    /// "project group/app (id 12)".
    pub place: String,
    pub is_group: bool,
    /// `private`, `internal`, `public`, when GitLab says.
    pub visibility: Option<String>,
    pub membership: Membership,
}

/// Reads what doctor needs. See the module comment for what stops it.
pub(super) async fn gather(gl: &Client, scope: &Scope) -> anyhow::Result<Facts> {
    let token = match gl.get::<TokenRecord>(TokenRecord::PATH, &[]).await {
        Ok(t) => Some(t),
        // Unknown, not wrong: the scopes are then not judged.
        Err(GitlabError::NotFound { .. } | GitlabError::Forbidden { .. } | GitlabError::Http { .. }) => None,
        Err(e @ GitlabError::Decode { .. }) => {
            return Err(anyhow::Error::new(e).context(format!(
                "{} did not answer like GitLab's API; WOW_API_URL should end in /api/v4",
                gl.api_url()
            )))
        }
        Err(e) => return Err(anyhow::Error::new(e).context("checking the token")),
    };
    let user: CurrentUser = match gl.get("/user", &[]).await {
        Ok(u) => u,
        Err(GitlabError::NotFound { .. }) => anyhow::bail!(
            "{} has no /user endpoint: it is not GitLab's API; WOW_API_URL should end in /api/v4",
            gl.api_url()
        ),
        Err(e) => return Err(anyhow::Error::new(e).context("reading the token's user (GET /user)")),
    };
    let prefix = scope.api_prefix();
    let read = || format!("reading {}", scope.describe());
    let (place, visibility) = if scope.is_group() {
        let g: Group = gl.get(&prefix, &[]).await.with_context(read)?;
        (format!("group {} (id {})", g.full_path, g.id), g.visibility)
    } else {
        let p: Project = gl.get(&prefix, &[]).await.with_context(read)?;
        (
            format!("project {} (id {})", p.path_with_namespace, p.id),
            p.visibility,
        )
    };
    let membership = match gl
        .get::<Member>(&format!("{prefix}/members/all/{}", user.id), &[])
        .await
    {
        Ok(m) => match m.role() {
            Some(r) => Membership::Member(r),
            None => Membership::Unknown(format!("access level {}", m.access_level)),
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
        visibility,
        membership,
    })
}
