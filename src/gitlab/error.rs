//! Typed GitLab errors: callers branch on them (retry on `Transient`, rotation on
//! `TitleTaken`), and each one's message says what went wrong and what to do.
//! Messages never contain the token.

use thiserror::Error;

#[derive(Debug, Clone, Error)]
pub enum GitlabError {
    #[error("GitLab rejected the token in {origin} (401): it is invalid, expired or revoked. Create a project access token with the Planner role and scope `api`, and store it as a masked, protected CI/CD variable {origin}.")]
    Unauthorized { origin: String },

    #[error("GitLab refused {action} on {what} (403 Forbidden{detail}). The token needs {role}.")]
    Forbidden { action: String, what: String, detail: String, role: String },

    #[error("{what} was not found (404). Check the id or path, and that the token's user can see it.")]
    NotFound { what: String },

    /// HTTP 400 with "already being used": the title exists (perhaps created by a concurrent run).
    #[error("the title \"{title}\" is already used by another milestone (400)")]
    TitleTaken { title: String, message: String },

    /// 429, 502, 503, 504, connection reset, timeout — after the retries ran out.
    #[error("{method} {path} failed after {attempts} attempts: {last}")]
    Transient { method: String, path: String, attempts: u32, last: String },

    #[error("cannot reach GitLab at {url}: {reason}. Check WOW_API_URL / CI_API_V4_URL and the network.")]
    Unreachable { url: String, reason: String },

    #[error("GitLab's answer to {method} {path} could not be read: {reason}")]
    Decode { method: String, path: String, reason: String },

    /// GitLab answered 200 but did not make the change: the token's role is too low
    /// (gitlab-api.md §3, "Silent no-ops").
    #[error("GitLab accepted {what} but did not apply it: the token's role is too low. The token needs {role}.")]
    DroppedWrite { what: String, role: String },

    #[error("{method} {path} failed with HTTP {status}: {message}")]
    Http { method: String, path: String, status: u16, message: String },
}

impl GitlabError {
    pub fn is_title_taken(&self) -> bool {
        matches!(self, GitlabError::TitleTaken { .. })
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, GitlabError::NotFound { .. })
    }
}
