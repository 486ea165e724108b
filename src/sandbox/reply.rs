//! What a sandbox handler answers: a status, a body (JSON, plain text or none) and
//! extra headers, plus GitLab's error bodies (gitlab-api.md §1) as `ApiError`.
//!
//! Pure data; turning a `Reply` into an HTTP response happens in `mod.rs`.

use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    Json(Value),
    Text(String),
    /// A body with its own content type (HTML proxy pages, truncated JSON).
    Raw(&'static str, String),
    Empty,
    /// No answer at all: the connection is held, then dropped (`Fault::Silent`).
    Never,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Body,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Body::Json(body),
            headers: Vec::new(),
        }
    }
    pub(crate) fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }
    pub(crate) fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: Body::Text(body.to_string()),
            headers: Vec::new(),
        }
    }
    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            body: Body::Empty,
            headers: Vec::new(),
        }
    }
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// An error answer in one of GitLab's shapes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub body: Value,
}

impl ApiError {
    /// `{"message":"404 <Thing> Not Found"}`.
    pub(crate) fn not_found(thing: &str) -> ApiError {
        ApiError::message(404, &format!("404 {thing} Not Found"))
    }
    /// `{"error":"404 Not Found"}` for a route GitLab does not have.
    pub(crate) fn no_route() -> ApiError {
        ApiError {
            status: 404,
            body: json!({"error": "404 Not Found"}),
        }
    }
    /// Grape parameter validation: `{"error":"..."}`, 400.
    pub(crate) fn bad_request_error(msg: &str) -> ApiError {
        ApiError {
            status: 400,
            body: json!({ "error": msg }),
        }
    }
    /// `{"message":"..."}` with any status.
    pub(crate) fn message(status: u16, msg: &str) -> ApiError {
        ApiError {
            status,
            body: json!({ "message": msg }),
        }
    }
    pub(crate) fn unauthorized() -> ApiError {
        ApiError::message(401, "401 Unauthorized")
    }
    pub(crate) fn forbidden() -> ApiError {
        ApiError::message(403, "403 Forbidden")
    }
    /// Milestone validation failure (§2): a Ruby `Hash#inspect` inside a string.
    pub(crate) fn milestone_invalid(verb: &str, field: &str, problem: &str) -> ApiError {
        ApiError::message(
            400,
            &format!("Failed to {verb} milestone {{:{field}=>[\"{problem}\"]}}"),
        )
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Reply {
        Reply::json(e.status, e.body)
    }
}

/// `Result<Reply, ApiError>` flattened.
pub(super) fn into_reply(r: Result<Reply, ApiError>) -> Reply {
    r.unwrap_or_else(Reply::from)
}

impl ApiError {
    /// Replaces the body (validation errors whose message is a hash).
    pub(crate) fn with_body(mut self, body: Value) -> ApiError {
        self.body = body;
        self
    }
}
