//! The sandbox's request log: one entry per /api/v4 request as it was answered
//! (faulted ones included), for tests, benchmarks and `GET /_sandbox/requests`.
//!
//! Plain data: it never holds a header, so a token cannot end up in it.

/// One /api/v4 request as the sandbox answered it (faulted ones included).
#[derive(Clone, Debug, serde::Serialize)]
pub struct LoggedRequest {
    pub method: String,
    /// The path as received, still percent-encoded (`/api/v4/projects/g%2Fp/issues`).
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// 0 when the sandbox never answered (`Fault::Silent`).
    pub status: u16,
}

impl LoggedRequest {
    pub fn is_write(&self) -> bool {
        is_write(&self.method)
    }
}

/// The methods that change something on GitLab.
pub(crate) fn is_write(method: &str) -> bool {
    matches!(method, "POST" | "PUT" | "PATCH" | "DELETE")
}
