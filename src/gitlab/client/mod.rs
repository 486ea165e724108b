//! The GitLab HTTP client: one `reqwest` client with the token header, JSON in
//! and out, pagination, retries with backoff, pacing under `RateLimit-*`, and
//! request counts for the report. It must not decide what to change, and it must
//! never put the token in a log line or an error (only the header carries it,
//! marked sensitive).
//!
//! Retries cover every method, writes included: a retried PUT/POST can apply
//! twice only if the first attempt reached GitLab and its answer was lost, and
//! the rotation re-reads before it writes (SPEC "resume"), so that is acceptable.
//! When to retry is `retry::next_step`'s call; what the final error tells the
//! user to do comes from `next_steps`.
//!
//! The diagnostic log (SPEC "Failures and signals"): `-v` (info) one line per
//! request (method, path and query, status, time), `-vv` (debug) the decisions
//! (retry waits and why, giving up, pacing, page fan-out), `-vvv` (trace) the
//! request and response headers, with `PRIVATE-TOKEN` shown as `(redacted)`.

use super::error::{self, GitlabError};
use super::fanout;
use super::next_steps;
use super::pace::{self, Pacer};
use super::retry::{self, Next};
use super::stop::Stop;
use super::token::Token;
use log::{debug, info, trace, warn};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

mod failure;
mod pages;
mod setup;
mod trace;

use failure::Failure;
use pages::{next_page, owned, page_number, paged_query, set_page, total_pages, NextPage};
use setup::{read_ca_file, same_origin_redirects};
use trace::{for_people, header_for_log, trace_response};

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
    /// Set on SIGTERM/SIGINT: no new request is sent from then on.
    pub stop: Stop,
    /// How long a request in flight may still take once the run is stopped.
    pub stop_grace: Duration,
}

/// Requests sent, by method; every retry counted.
pub type RequestCounts = BTreeMap<String, u64>;

const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
const PER_PAGE: &str = "100";

/// Cheap to clone: clones share the connection pool, the counters and the pacer.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    api_url: String,
    token_origin: String,
    timeout: Duration,
    max_retries: u32,
    max_retry_time: Duration,
    backoff_base: Duration,
    concurrency: usize,
    /// Sent with every request (token, user agent), kept for the `-vvv` log.
    default_headers: HeaderMap,
    counts: [AtomicU64; 4],
    pacer: Arc<Pacer>,
    stop: Stop,
    stop_grace: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.inner.api_url)
            .field("token", &"(redacted)")
            .finish_non_exhaustive()
    }
}

/// Where one request goes: our path plus query, or a `Link` URL followed verbatim.
enum Target<'a> {
    Query(&'a [(String, String)]),
    Url(&'a str),
}

/// A finished HTTP exchange.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    /// Where the answer came from (after redirects within the origin).
    url: reqwest::Url,
}

impl Client {
    /// The signal that stopped the run, if one did: from then on nothing is sent.
    pub fn stopped_by(&self) -> Option<&'static str> {
        self.inner.stop.signal()
    }

    pub fn new(config: ClientConfig) -> Result<Client, GitlabError> {
        let api_url = config.api_url.trim_end_matches('/').to_string();
        let unusable = |reason: String| GitlabError::Unreachable {
            url: api_url.clone(),
            reason,
        };

        // A CI variable often ends in a newline; the header cannot hold one.
        let mut token =
            HeaderValue::from_str(config.token.expose().trim()).map_err(|_| GitlabError::Unauthorized {
                origin: config.token.origin.clone(),
            })?;
        token.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("PRIVATE-TOKEN", token);
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("wowctl/", env!("CARGO_PKG_VERSION"))),
        );

        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .default_headers(headers.clone())
            .timeout(config.timeout)
            .redirect(same_origin_redirects());
        if let Some(path) = &config.ca_file {
            for cert in read_ca_file(path).map_err(unusable)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| unusable(format!("cannot set up the HTTP client: {}", error_chain(&e))))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                api_url,
                token_origin: config.token.origin.clone(),
                timeout: config.timeout,
                max_retries: config.max_retries,
                max_retry_time: config.max_retry_time,
                backoff_base: config.backoff_base,
                concurrency: config.concurrency.max(1),
                default_headers: headers,
                stop: config.stop.clone(),
                stop_grace: config.stop_grace,
                counts: Default::default(),
                pacer: Pacer::new(),
            }),
        })
    }

    /// GET one object. `path` starts with `/` and is relative to the API base;
    /// `query` values are encoded by the client.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, GitlabError> {
        let query = owned(query);
        let answer = self
            .execute(Method::GET, path, Target::Query(&query), None)
            .await?;
        self.decode("GET", path, &answer)
    }

    /// GET every page (`per_page=100`), following `X-Next-Page`/`Link`.
    ///
    /// When the first page tells how many pages there are (`X-Total-Pages`, sent up
    /// to 10,000 records, gitlab-api.md §6) and the next one by number, the rest are
    /// fetched `concurrency` at a time: a 100-page list then costs about
    /// `100 / concurrency` round trips instead of 100. The totals only say which
    /// pages to ask for at once; the end is still `X-Next-Page` of the last page,
    /// so a list that grew meanwhile is read on sequentially. Without totals (more
    /// than 10,000 records, keyset `Link` cursors) every page is read in turn.
    /// Items come back in page order either way.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, GitlabError> {
        let query = paged_query(query);
        let first = page_number(&query);
        let answer = self
            .execute(Method::GET, path, Target::Query(&query), None)
            .await?;
        let mut all: Vec<T> = self.decode("GET", path, &answer)?;
        let mut at = first;
        let mut next = next_page(&answer.headers);
        if let (NextPage::Page(n), Some(total)) = (&next, total_pages(&answer.headers)) {
            let n = *n;
            if n == first + 1 && total >= n {
                debug!(
                    "GET {path}: {total} pages (X-Total-Pages); reading pages {n}–{total}, {} at a time",
                    self.concurrency()
                );
                let pages = self
                    .fan_out(n..=total, |p| {
                        let mut q = query.clone();
                        set_page(&mut q, p);
                        async move {
                            let answer = self.execute(Method::GET, path, Target::Query(&q), None).await?;
                            let items: Vec<T> = self.decode("GET", path, &answer)?;
                            Ok::<_, GitlabError>((items, next_page(&answer.headers)))
                        }
                    })
                    .await;
                for result in pages {
                    let (items, after) = result?;
                    all.extend(items);
                    next = after;
                }
                at = total;
            }
        }
        self.page_loop(path, query, at, next, |page: Vec<T>| all.extend(page))
            .await?;
        Ok(all)
    }

    /// Reads on from page `page`, whose answer said `next`, one page at a time.
    async fn page_loop<T, F>(
        &self,
        path: &str,
        mut query: Vec<(String, String)>,
        mut page: u64,
        mut next: NextPage,
        mut f: F,
    ) -> Result<(), GitlabError>
    where
        T: DeserializeOwned,
        F: FnMut(Vec<T>),
    {
        let mut link: Option<String> = None;
        loop {
            match next {
                NextPage::Done => return Ok(()),
                NextPage::Page(n) if n <= page => {
                    // A server that points backwards would loop forever.
                    warn!("GET {path}: X-Next-Page {n} after page {page}; stopping");
                    return Ok(());
                }
                NextPage::Page(n) => {
                    page = n;
                    set_page(&mut query, n);
                    link = None;
                }
                NextPage::Link(url) => {
                    let url = self.follow(&url, path);
                    if link.as_deref() == Some(url.as_str()) {
                        warn!("GET {path}: Link rel=\"next\" points to the same page; stopping");
                        return Ok(());
                    }
                    link = Some(url);
                }
            }
            let target = match &link {
                Some(url) => Target::Url(url),
                None => Target::Query(&query),
            };
            let answer = self.execute(Method::GET, path, target, None).await?;
            f(self.decode("GET", path, &answer)?);
            next = next_page(&answer.headers);
        }
    }

    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, GitlabError> {
        let answer = self
            .execute(Method::POST, path, Target::Query(&[]), Some(body))
            .await?;
        self.decode("POST", path, &answer)
    }

    pub async fn put<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, GitlabError> {
        let answer = self
            .execute(Method::PUT, path, Target::Query(&[]), Some(body))
            .await?;
        self.decode("PUT", path, &answer)
    }

    pub async fn delete(&self, path: &str) -> Result<(), GitlabError> {
        self.execute(Method::DELETE, path, Target::Query(&[]), None)
            .await?;
        Ok(())
    }

    pub fn concurrency(&self) -> usize {
        self.inner.concurrency
    }

    /// Requests sent so far by method, every attempt counted; all four methods
    /// are always present (0 when unused).
    pub fn request_counts(&self) -> RequestCounts {
        METHODS
            .iter()
            .zip(&self.inner.counts)
            .map(|(m, c)| (m.to_string(), c.load(Ordering::Relaxed)))
            .collect()
    }

    /// The API base, without trailing slash.
    pub fn api_url(&self) -> &str {
        &self.inner.api_url
    }

    /// [`fanout::fan_out`] with this client's `concurrency`.
    pub async fn fan_out<I, T, F, Fut>(&self, items: I, f: F) -> Vec<T>
    where
        I: IntoIterator,
        F: FnMut(I::Item) -> Fut,
        Fut: Future<Output = T>,
    {
        fanout::fan_out(self.concurrency(), items, f).await
    }

    /// A `Link` URL on our own API base is followed verbatim (keyset cursors,
    /// §6); on any other host (a proxy's view of GitLab) only its query is kept,
    /// so the token never goes to a host we were not configured with.
    fn follow(&self, url: &str, path: &str) -> String {
        let base = &self.inner.api_url;
        if url.starts_with(&format!("{base}/")) {
            return url.to_string();
        }
        match url.split_once('?') {
            Some((_, q)) => format!("{base}{path}?{q}"),
            None => format!("{base}{path}"),
        }
    }

    /// Sends one request with pacing and retries; `Ok` only for a 2xx answer.
    async fn execute(
        &self,
        method: Method,
        path: &str,
        target: Target<'_>,
        body: Option<&Value>,
    ) -> Result<Answer, GitlabError> {
        let inner = &self.inner;
        let limits = retry::Limits {
            max_retries: inner.max_retries,
            max_retry_time: inner.max_retry_time,
            backoff_base: inner.backoff_base,
            timeout: inner.timeout,
        };
        let first_try = Instant::now();
        let mut attempt: u32 = 0;
        let mut timeouts: u32 = 0;
        loop {
            attempt += 1;
            let not_sent = || GitlabError::Stopped {
                signal: inner.stop.signal().unwrap_or("a signal").to_string(),
                in_flight: false,
            };
            if inner.stop.signal().is_some() {
                return Err(not_sent());
            }
            let ticket = tokio::select! {
                ticket = inner.pacer.acquire() => ticket,
                () = inner.stop.stopped() => return Err(not_sent()),
            };
            self.count(&method);
            let mut request = match &target {
                Target::Query(q) => {
                    let r = inner
                        .http
                        .request(method.clone(), format!("{}{path}", inner.api_url));
                    if q.is_empty() {
                        r
                    } else {
                        r.query(q)
                    }
                }
                Target::Url(url) => inner.http.request(method.clone(), *url),
            };
            if let Some(b) = body {
                request = request.json(b);
            }
            let request = match request.build() {
                Ok(r) => r,
                // Our own request could not be built (a bad URL).
                Err(e) => {
                    return Err(GitlabError::Unreachable {
                        url: inner.api_url.clone(),
                        reason: error_chain(&e),
                    })
                }
            };
            let shown = self.shown(request.url());
            self.trace_request(&request);
            let sent = Instant::now();
            // Once stopped, a request in flight gets `stop_grace` to be answered; after
            // that its outcome is unknown, and the report says so.
            let exchange = async {
                let response = inner.http.execute(request).await?;
                let status = response.status();
                let headers = response.headers().clone();
                let url = response.url().clone();
                let read = response.bytes().await.map(|b| b.to_vec());
                Ok::<_, reqwest::Error>((status, headers, url, read))
            };
            let exchanged = tokio::select! {
                exchanged = exchange => exchanged,
                () = inner.stop.grace_over(inner.stop_grace) => {
                    info!("{method} {shown} → no answer before the stop's grace ran out");
                    return Err(GitlabError::Stopped {
                        signal: inner.stop.signal().unwrap_or("a signal").to_string(),
                        in_flight: true,
                    });
                }
            };
            let failure = match exchanged {
                Ok((status, headers, url, read)) => {
                    let observation = pace::observation_from_headers(&headers, epoch_now());
                    inner.pacer.finish(ticket, observation);
                    let ms = sent.elapsed().as_millis();
                    trace_response(status, &headers);
                    match read {
                        Ok(body) => {
                            info!("{method} {shown} → {} in {ms} ms", status.as_u16());
                            let answer = Answer {
                                status,
                                headers,
                                body,
                                url,
                            };
                            if status.is_success() {
                                return Ok(answer);
                            }
                            Failure::Status(answer)
                        }
                        Err(e) => {
                            info!(
                                "{method} {shown} → {} but the answer was cut off after {ms} ms",
                                status.as_u16()
                            );
                            if e.is_timeout() {
                                Failure::Timeout
                            } else {
                                Failure::Io(error_chain(&e))
                            }
                        }
                    }
                }
                Err(e) => {
                    drop(ticket);
                    let chain = error_chain(&e);
                    let failure =
                        if let Some(mismatch) = next_steps::protocol_mismatch(&inner.api_url, &chain) {
                            Failure::Fatal(mismatch)
                        } else if e.is_builder() {
                            Failure::Fatal(GitlabError::Unreachable {
                                url: inner.api_url.clone(),
                                reason: chain,
                            })
                        } else if e.is_timeout() {
                            Failure::Timeout
                        } else if e.is_connect() {
                            Failure::Connect(chain)
                        } else {
                            Failure::Io(chain)
                        };
                    info!(
                        "{method} {shown} → no answer after {} ms: {}",
                        sent.elapsed().as_millis(),
                        self.describe_failure(&failure)
                    );
                    failure
                }
            };

            if matches!(failure, Failure::Timeout) {
                timeouts += 1;
            }
            let hints = match &failure {
                Failure::Status(a) => retry::hints_from_headers(&a.headers, epoch_now()),
                _ => retry::RetryHints::default(),
            };
            let next = retry::next_step(
                failure.kind(),
                attempt,
                timeouts,
                first_try.elapsed(),
                &hints,
                &limits,
                fastrand::f64(),
            );
            let (wait, why) = match next {
                Next::GiveUp { why } => {
                    debug!("{method} {shown}: not retried: {why}");
                    return Err(self.final_error(&method, path, body, failure, attempt));
                }
                Next::Retry { wait, why } => (wait, why),
            };
            if matches!(&failure, Failure::Status(a) if a.status == StatusCode::TOO_MANY_REQUESTS) {
                // Everyone waits, not just this task: the budget is shared (§7).
                inner.pacer.throttled(Instant::now() + wait);
            }
            warn!(
                "{method} {path}: {}; retry {attempt} of {} in {}",
                self.describe_failure(&failure),
                inner.max_retries,
                for_people(wait)
            );
            debug!(
                "{method} {shown}: waiting {} before retry {attempt}: {why}",
                for_people(wait)
            );
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                // The retry will not be sent: this attempt's failure stands.
                () = inner.stop.stopped() => {
                    return Err(self.final_error(&method, path, body, failure, attempt));
                }
            }
        }
    }

    /// A JSON answer as `T`; an HTML page instead means the URL is not the API.
    fn decode<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        answer: &Answer,
    ) -> Result<T, GitlabError> {
        serde_json::from_slice(&answer.body).map_err(|e| {
            let content_type = retry::header_str(&answer.headers, CONTENT_TYPE.as_str());
            if next_steps::looks_like_html(content_type, &answer.body) {
                return next_steps::not_api(&self.inner.api_url, method, path, &answer.body);
            }
            let text = String::from_utf8_lossy(&answer.body);
            let start = error::shorten(text.trim(), 60);
            GitlabError::Decode {
                method: method.to_string(),
                path: path.to_string(),
                reason: format!("{e} (the answer starts with: {start:?})"),
            }
        })
    }

    /// A request's URL for the log: path and query below the API base, or the
    /// whole URL when it is elsewhere.
    fn shown(&self, url: &reqwest::Url) -> String {
        let full = url.as_str();
        full.strip_prefix(self.inner.api_url.as_str())
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(full)
            .to_string()
    }

    /// `-vvv`: the request line and every header we send, secrets redacted.
    fn trace_request(&self, request: &reqwest::Request) {
        if !log::log_enabled!(log::Level::Trace) {
            return;
        }
        trace!("> {} {}", request.method(), request.url());
        let own = request.headers();
        let defaults = self
            .inner
            .default_headers
            .iter()
            .filter(|(name, _)| !own.contains_key(*name));
        for (name, value) in own.iter().chain(defaults) {
            trace!("> {name}: {}", header_for_log(name, value));
        }
    }

    fn count(&self, method: &Method) {
        if let Some(i) = METHODS.iter().position(|m| *m == method.as_str()) {
            self.inner.counts[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// An error and its causes on one line ("error sending request …: Connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// The local clock, only to read `RateLimit-Reset` when an answer has no `Date`.
fn epoch_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
