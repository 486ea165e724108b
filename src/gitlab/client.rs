//! The GitLab HTTP client. STUB: the interface others build on.

use super::error::GitlabError;
use super::token::Token;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API base, e.g. `https://gitlab.com/api/v4` (no trailing slash).
    pub api_url: String,
    pub token: Token,
    pub timeout: Duration,
    pub max_retries: u32,
    /// Upper bound on the time spent retrying one request.
    pub max_retry_time: Duration,
    /// First backoff; doubled per attempt, capped, with jitter.
    pub backoff_base: Duration,
    pub ca_file: Option<PathBuf>,
    /// Requests in flight at once for `fan_out`.
    pub concurrency: usize,
}

/// Requests sent, by method; every retry counted.
pub type RequestCounts = BTreeMap<String, u64>;

#[derive(Clone)]
pub struct Client {
    _private: (),
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, GitlabError> {
        let _ = config;
        unimplemented!()
    }

    /// GET one object. `path` starts with `/` and is relative to the API base;
    /// `query` values are encoded by the client.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T, GitlabError> {
        let _ = (path, query);
        unimplemented!()
    }

    /// GET every page (`per_page=100`), following `X-Next-Page`/`Link`.
    pub async fn get_all<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<Vec<T>, GitlabError> {
        let _ = (path, query);
        unimplemented!()
    }

    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, GitlabError> {
        let _ = (path, body);
        unimplemented!()
    }

    pub async fn put<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, GitlabError> {
        let _ = (path, body);
        unimplemented!()
    }

    pub async fn delete(&self, path: &str) -> Result<(), GitlabError> {
        let _ = path;
        unimplemented!()
    }

    pub fn concurrency(&self) -> usize {
        unimplemented!()
    }

    pub fn request_counts(&self) -> RequestCounts {
        unimplemented!()
    }
}
