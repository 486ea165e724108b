//! Why an attempt failed, and the error the caller finally gets: its words (with
//! what to do next, from `next_steps`) are decided here, never the token.

use super::{Answer, Client};
use crate::gitlab::error::{self, GitlabError};
use crate::gitlab::next_steps::{self, Hiccup};
use crate::gitlab::retry::{self, AttemptFailure};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Why one attempt did not give a usable answer.
pub(super) enum Failure {
    Status(Answer),
    Connect(String),
    Timeout,
    /// Reset connection, truncated body, ...: worth another try.
    Io(String),
    /// Retrying cannot help (our request could not be built, the server speaks
    /// another protocol than the URL says): this is the final error.
    Fatal(GitlabError),
}

impl Failure {
    pub(super) fn kind(&self) -> AttemptFailure {
        match self {
            Failure::Status(a) => AttemptFailure::Status(a.status.as_u16()),
            Failure::Connect(_) => AttemptFailure::Connect,
            Failure::Timeout => AttemptFailure::Timeout,
            Failure::Io(_) => AttemptFailure::Io,
            Failure::Fatal(_) => AttemptFailure::Fatal,
        }
    }
}

impl Client {
    pub(super) fn final_error(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        failure: Failure,
        attempts: u32,
    ) -> GitlabError {
        let api_url = &self.inner.api_url;
        let transient = |last: String, hiccup: Hiccup| GitlabError::Transient {
            method: method.to_string(),
            path: path.to_string(),
            attempts,
            last,
            next: next_steps::transient_next_step(hiccup),
        };
        match failure {
            Failure::Fatal(e) => e,
            Failure::Status(a) if retry::is_retryable_status(a.status.as_u16()) => {
                let hiccup = if a.status == StatusCode::TOO_MANY_REQUESTS {
                    Hiccup::Throttled
                } else {
                    Hiccup::Overloaded
                };
                transient(self.describe_failure(&Failure::Status(a)), hiccup)
            }
            Failure::Status(a) => {
                let status = a.status.as_u16();
                let text = String::from_utf8_lossy(&a.body);
                let location = a
                    .status
                    .is_redirection()
                    .then(|| retry::header_str(&a.headers, LOCATION.as_str()))
                    .flatten()
                    .map(|l| a.url.join(l).map(String::from).unwrap_or_else(|_| l.to_string()));
                if let Some(location) = location {
                    return next_steps::redirected(api_url, method.as_str(), path, status, &location);
                }
                if status == 400 {
                    if let Some(mismatch) = next_steps::protocol_mismatch(api_url, &text) {
                        return mismatch;
                    }
                }
                // GitLab's API answers an unknown path with JSON; an HTML 404 is
                // something else answering for the URL.
                let content_type = retry::header_str(&a.headers, CONTENT_TYPE.as_str());
                if status == 404 && next_steps::looks_like_html(content_type, &a.body) {
                    return next_steps::not_api(api_url, method.as_str(), path, &a.body);
                }
                error::from_status(
                    method.as_str(),
                    path,
                    status,
                    &a.body,
                    body,
                    &self.inner.token_origin,
                )
            }
            Failure::Connect(reason) => GitlabError::Unreachable {
                url: api_url.clone(),
                reason,
            },
            f @ Failure::Timeout => transient(self.describe_failure(&f), Hiccup::Timeout),
            f @ Failure::Io(_) => transient(self.describe_failure(&f), Hiccup::ConnectionBroken),
        }
    }

    pub(super) fn describe_failure(&self, failure: &Failure) -> String {
        match failure {
            Failure::Status(a) => format!(
                "HTTP {}: {}",
                a.status,
                error::error_message(&String::from_utf8_lossy(&a.body))
            ),
            Failure::Connect(r) => format!("cannot connect: {r}"),
            Failure::Timeout => next_steps::timeout_text(self.inner.timeout),
            Failure::Io(r) => r.clone(),
            Failure::Fatal(e) => e.to_string(),
        }
    }
}
