//! The GitLab HTTP client: one `reqwest` client with the token header, JSON in
//! and out, pagination, retries with backoff, pacing under `RateLimit-*`, and
//! request counts for the report. It must not decide what to change, and it must
//! never put the token in a log line or an error (only the header carries it,
//! marked sensitive).
//!
//! Retries cover every method, writes included: a retried PUT/POST can apply
//! twice only if the first attempt reached GitLab and its answer was lost, and
//! the rotation re-reads before it writes (SPEC "resume"), so that is acceptable.

use super::error::{self, GitlabError};
use super::fanout;
use super::pace::{self, Pacer};
use super::retry;
use super::token::Token;
use log::{debug, warn};
use reqwest::header::{HeaderMap, HeaderValue};
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
    counts: [AtomicU64; 4],
    throttled: AtomicU64,
    pacer: Arc<Pacer>,
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
}

/// Why one attempt did not give a usable answer.
enum Failure {
    Status(Answer),
    Connect(String),
    Timeout,
    /// Reset connection, truncated body, ...: worth another try.
    Io(String),
    /// Our own request could not be built (bad URL): retrying cannot help.
    Fatal(String),
}

impl Client {
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

        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("wowctl/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
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
                counts: Default::default(),
                throttled: AtomicU64::new(0),
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
        decode("GET", path, &answer.body)
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
        let mut all: Vec<T> = decode("GET", path, &answer.body)?;
        let mut at = first;
        let mut next = next_page(&answer.headers);
        if let (NextPage::Page(n), Some(total)) = (&next, total_pages(&answer.headers)) {
            let n = *n;
            if n == first + 1 && total >= n {
                let pages = self
                    .fan_out(n..=total, |p| {
                        let mut q = query.clone();
                        set_page(&mut q, p);
                        async move {
                            let answer = self.execute(Method::GET, path, Target::Query(&q), None).await?;
                            let items: Vec<T> = decode("GET", path, &answer.body)?;
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

    /// GET every page like [`Client::get_all`], handing each page to `f` as it
    /// arrives so the caller need not hold them all (one page at a time, in turn).
    ///
    /// Stops when `X-Next-Page` is empty, or, without that header, when `Link`
    /// has no `rel="next"`. Never uses `X-Total`/`X-Total-Pages`: GitLab omits
    /// them past 10,000 records (gitlab-api.md §6).
    pub async fn for_each_page<T, F>(
        &self,
        path: &str,
        query: &[(&str, String)],
        mut f: F,
    ) -> Result<(), GitlabError>
    where
        T: DeserializeOwned,
        F: FnMut(Vec<T>),
    {
        let query = paged_query(query);
        let page = page_number(&query);
        let answer = self
            .execute(Method::GET, path, Target::Query(&query), None)
            .await?;
        f(decode("GET", path, &answer.body)?);
        self.page_loop(path, query, page, next_page(&answer.headers), f)
            .await
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
            f(decode("GET", path, &answer.body)?);
            next = next_page(&answer.headers);
        }
    }

    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, GitlabError> {
        let answer = self
            .execute(Method::POST, path, Target::Query(&[]), Some(body))
            .await?;
        decode("POST", path, &answer.body)
    }

    pub async fn put<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, GitlabError> {
        let answer = self
            .execute(Method::PUT, path, Target::Query(&[]), Some(body))
            .await?;
        decode("PUT", path, &answer.body)
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

    /// 429 answers received so far.
    pub fn throttled_count(&self) -> u64 {
        self.inner.throttled.load(Ordering::Relaxed)
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
        let first_try = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let ticket = inner.pacer.acquire().await;
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
            let sent = Instant::now();
            let failure = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let observation = pace::observation_from_headers(&headers, epoch_now());
                    inner.pacer.finish(ticket, observation);
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        inner.throttled.fetch_add(1, Ordering::Relaxed);
                    }
                    let read = response.bytes().await.map(|b| b.to_vec());
                    debug!("{method} {path} → {} in {:?}", status.as_u16(), sent.elapsed());
                    match read {
                        Ok(body) if status.is_success() => {
                            return Ok(Answer {
                                status,
                                headers,
                                body,
                            })
                        }
                        Ok(body) => Failure::Status(Answer {
                            status,
                            headers,
                            body,
                        }),
                        Err(e) if e.is_timeout() => Failure::Timeout,
                        Err(e) => Failure::Io(error_chain(&e)),
                    }
                }
                Err(e) => {
                    drop(ticket);
                    debug!("{method} {path} → no answer in {:?}", sent.elapsed());
                    if e.is_builder() {
                        Failure::Fatal(error_chain(&e))
                    } else if e.is_timeout() {
                        Failure::Timeout
                    } else if e.is_connect() {
                        Failure::Connect(error_chain(&e))
                    } else {
                        Failure::Io(error_chain(&e))
                    }
                }
            };

            let retryable = match &failure {
                Failure::Status(a) => retry::is_retryable_status(a.status.as_u16()),
                Failure::Fatal(_) => false,
                Failure::Connect(_) | Failure::Timeout | Failure::Io(_) => true,
            };
            if !retryable || attempt > inner.max_retries {
                return Err(self.final_error(&method, path, body, failure, attempt));
            }
            let hints = match &failure {
                Failure::Status(a) => retry::hints_from_headers(&a.headers, epoch_now()),
                _ => retry::RetryHints::default(),
            };
            let cap = retry::MAX_BACKOFF.min(inner.max_retry_time);
            let wait = retry::retry_wait(attempt, &hints, inner.backoff_base, cap, fastrand::f64());
            if first_try.elapsed() + wait > inner.max_retry_time {
                return Err(self.final_error(&method, path, body, failure, attempt));
            }
            if matches!(&failure, Failure::Status(a) if a.status == StatusCode::TOO_MANY_REQUESTS) {
                // Everyone waits, not just this task: the budget is shared (§7).
                inner.pacer.throttled(Instant::now() + wait);
            }
            warn!(
                "{method} {path}: {}; retry {attempt} of {} in {wait:?}",
                self.describe_failure(&failure),
                inner.max_retries
            );
            tokio::time::sleep(wait).await;
        }
    }

    fn final_error(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        failure: Failure,
        attempts: u32,
    ) -> GitlabError {
        let transient = |last: String| GitlabError::Transient {
            method: method.to_string(),
            path: path.to_string(),
            attempts,
            last,
        };
        match failure {
            Failure::Status(a) if retry::is_retryable_status(a.status.as_u16()) => {
                transient(self.describe_failure(&Failure::Status(a)))
            }
            Failure::Status(a) => error::from_status(
                method.as_str(),
                path,
                a.status.as_u16(),
                &a.body,
                body,
                &self.inner.token_origin,
            ),
            Failure::Connect(reason) | Failure::Fatal(reason) => GitlabError::Unreachable {
                url: self.inner.api_url.clone(),
                reason,
            },
            f @ (Failure::Timeout | Failure::Io(_)) => transient(self.describe_failure(&f)),
        }
    }

    fn describe_failure(&self, failure: &Failure) -> String {
        match failure {
            Failure::Status(a) => format!(
                "HTTP {}: {}",
                a.status,
                error::error_message(&String::from_utf8_lossy(&a.body))
            ),
            Failure::Connect(r) => format!("cannot connect: {r}"),
            Failure::Timeout => format!("no answer within {:?}", self.inner.timeout),
            Failure::Io(r) | Failure::Fatal(r) => r.clone(),
        }
    }

    fn count(&self, method: &Method) {
        if let Some(i) = METHODS.iter().position(|m| *m == method.as_str()) {
            self.inner.counts[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn owned(query: &[(&str, String)]) -> Vec<(String, String)> {
    query.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// The query of a list request: `per_page=100` unless the caller chose a size.
fn paged_query(query: &[(&str, String)]) -> Vec<(String, String)> {
    let mut query = owned(query);
    if !query.iter().any(|(k, _)| k == "per_page") {
        query.push(("per_page".into(), PER_PAGE.into()));
    }
    query
}

/// The page a list request asks for (1 unless the caller set `page`).
fn page_number(query: &[(String, String)]) -> u64 {
    query
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

fn set_page(query: &mut Vec<(String, String)>, page: u64) {
    query.retain(|(k, _)| k != "page");
    query.push(("page".into(), page.to_string()));
}

/// `X-Total-Pages`, when GitLab counted (up to 10,000 records, gitlab-api.md §6).
fn total_pages(headers: &HeaderMap) -> Option<u64> {
    retry::header_str(headers, "x-total-pages").and_then(|v| v.parse().ok())
}

fn decode<T: DeserializeOwned>(method: &str, path: &str, body: &[u8]) -> Result<T, GitlabError> {
    serde_json::from_slice(body).map_err(|e| {
        let text = String::from_utf8_lossy(body);
        let start = error::shorten(text.trim(), 60);
        GitlabError::Decode {
            method: method.to_string(),
            path: path.to_string(),
            reason: format!("{e} (the answer starts with: {start:?})"),
        }
    })
}

/// What comes after this page (gitlab-api.md §6).
#[derive(Debug, PartialEq, Eq)]
enum NextPage {
    Done,
    Page(u64),
    Link(String),
}

fn next_page(headers: &HeaderMap) -> NextPage {
    if let Some(v) = retry::header_str(headers, "x-next-page") {
        if v.is_empty() {
            return NextPage::Done;
        }
        if let Ok(n) = v.parse() {
            return NextPage::Page(n);
        }
        // Keyset mode may put something else there: use Link.
    }
    let links: Vec<&str> = headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    match links.iter().find_map(|l| link_next(l)) {
        Some(url) => NextPage::Link(url),
        None => NextPage::Done,
    }
}

/// The `rel="next"` URL of a `Link` header: `<url>; rel="next", <url>; rel="last"`.
fn link_next(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let url = &after[..close];
        let params_end = after[close..].find('<').map_or(after.len(), |i| close + i);
        let params = &after[close + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.strip_prefix("rel=")
                .map(|v| v.trim_matches('"').split_whitespace().any(|r| r == "next"))
                .unwrap_or(false)
        });
        if is_next {
            return Some(url.to_string());
        }
        rest = &after[params_end..];
    }
    None
}

/// Follows redirects (moved projects answer with one, §1) only within the
/// original scheme, host and port: reqwest would carry `PRIVATE-TOKEN` to any host.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt.previous().first().is_some_and(|first| {
            first.scheme() == attempt.url().scheme()
                && first.host_str() == attempt.url().host_str()
                && first.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if !same || attempt.previous().len() >= 5 {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

fn read_ca_file(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, String> {
    let shown = path.display();
    let pem = std::fs::read(path)
        .map_err(|e| format!("cannot read the CA file {shown} (CI_SERVER_TLS_CA_FILE): {e}"))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        format!(
            "the CA file {shown} (CI_SERVER_TLS_CA_FILE) is not valid PEM: {}",
            error_chain(&e)
        )
    })?;
    if certs.is_empty() {
        return Err(format!(
            "the CA file {shown} (CI_SERVER_TLS_CA_FILE) holds no PEM certificate"
        ));
    }
    Ok(certs)
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
mod tests {
    //! A scripted GitLab on 127.0.0.1:0: each test says what every hit answers.
    use super::*;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap as AxHeaders, Method as AxMethod, Uri};
    use axum::response::{IntoResponse, Response};
    use serde_json::json;
    use std::sync::Mutex;

    const SECRET: &str = "glpat-SuperSecret-123";

    /// One request as the server saw it.
    #[derive(Debug, Clone)]
    struct Hit {
        n: usize,
        method: String,
        path: String,
        raw_query: String,
        headers: AxHeaders,
        body: String,
    }

    /// status, headers, body
    type Scripted = (u16, Vec<(String, String)>, String);
    type Script = Box<dyn Fn(&Hit) -> Scripted + Send + Sync>;

    struct Server {
        script: Script,
        hits: Mutex<Vec<Hit>>,
    }

    struct Running {
        url: String,
        server: Arc<Server>,
    }

    impl Running {
        fn hits(&self) -> Vec<Hit> {
            self.server.hits.lock().unwrap().clone()
        }
    }

    async fn answer(
        State(s): State<Arc<Server>>,
        method: AxMethod,
        uri: Uri,
        headers: AxHeaders,
        body: Bytes,
    ) -> Response {
        let hit = {
            let mut hits = s.hits.lock().unwrap();
            let hit = Hit {
                n: hits.len(),
                method: method.to_string(),
                path: uri.path().to_string(),
                raw_query: uri.query().unwrap_or("").to_string(),
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            hits.push(hit.clone());
            hit
        };
        let (status, headers, body) = (s.script)(&hit);
        let status = if status == 0 {
            // Scripted "never answers": the client's timeout must fire first.
            tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
            504
        } else {
            status
        };
        let mut response = (axum::http::StatusCode::from_u16(status).unwrap(), body).into_response();
        for (k, v) in headers {
            response.headers_mut().append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                axum::http::HeaderValue::from_str(&v).unwrap(),
            );
        }
        response
    }

    async fn serve(script: impl Fn(&Hit) -> Scripted + Send + Sync + 'static) -> Running {
        let server = Arc::new(Server {
            script: Box::new(script),
            hits: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&server));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Running {
            url: format!("http://{addr}/api/v4"),
            server,
        }
    }

    fn config(api_url: &str) -> ClientConfig {
        ClientConfig {
            api_url: api_url.to_string(),
            token: Token::new(SECRET, "WOW_TOKEN"),
            timeout: Duration::from_secs(600),
            max_retries: 3,
            max_retry_time: Duration::from_secs(600),
            backoff_base: Duration::from_millis(1),
            ca_file: None,
            concurrency: 4,
        }
    }

    fn client(api_url: &str) -> Client {
        Client::new(config(api_url)).unwrap()
    }

    fn ok(body: Value) -> Scripted {
        (200, vec![], body.to_string())
    }

    fn counts(c: &Client) -> Vec<u64> {
        let m = c.request_counts();
        METHODS.iter().map(|k| m[*k]).collect()
    }

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The value of query parameter `key` in a hit, decoded.
    fn param(hit: &Hit, key: &str) -> Option<String> {
        url_params(&hit.raw_query)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    fn url_params(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let dec = |s: &str| {
                    percent_encoding::percent_decode_str(&s.replace('+', " "))
                        .decode_utf8_lossy()
                        .into_owned()
                };
                (dec(k), dec(v))
            })
            .collect()
    }

    /// Pages 1..=3 of `[{"id":..}]`, two items each, headers chosen per style.
    fn paged(style: &'static str) -> impl Fn(&Hit) -> Scripted + Send + Sync {
        move |hit| {
            let page: u64 = param(hit, "page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let items = json!([{"id": page * 10 + 1}, {"id": page * 10 + 2}]);
            let next = if page < 3 {
                (page + 1).to_string()
            } else {
                String::new()
            };
            let host = hit.headers.get("host").unwrap().to_str().unwrap().to_string();
            let mut headers = vec![];
            match style {
                "totals" => headers.extend(h(&[
                    ("X-Next-Page", &next),
                    ("X-Total", "6"),
                    ("X-Total-Pages", "3"),
                    ("X-Page", &page.to_string()),
                ])),
                "no-totals" => headers.extend(h(&[("x-next-page", &next)])),
                "link" => {
                    let mut links = vec![format!("<http://{host}/api/v4/projects/1/issues?page=1&per_page=100&state=opened>; rel=\"first\"")];
                    if page < 3 {
                        links.push(format!(
                            "<http://{host}/api/v4/projects/1/issues?page={}&per_page=100&state=opened>; rel=\"next\"",
                            page + 1
                        ));
                    }
                    headers.push(("Link".into(), links.join(", ")));
                }
                _ => unreachable!(),
            }
            (200, headers, items.to_string())
        }
    }

    #[tokio::test]
    async fn pagination_follows_next_page_with_and_without_totals_and_via_link() {
        for style in ["totals", "no-totals", "link"] {
            let srv = serve(paged(style)).await;
            let c = client(&srv.url);
            let all: Vec<Value> = c
                .get_all("/projects/1/issues", &[("state", "opened".into())])
                .await
                .unwrap();
            let ids: Vec<u64> = all.iter().map(|v| v["id"].as_u64().unwrap()).collect();
            assert_eq!(ids, [11, 12, 21, 22, 31, 32], "{style}");
            let hits = srv.hits();
            assert_eq!(hits.len(), 3, "{style}");
            for hit in &hits {
                assert_eq!(hit.path, "/api/v4/projects/1/issues", "{style}");
                assert_eq!(param(hit, "per_page").as_deref(), Some("100"), "{style}");
                assert_eq!(param(hit, "state").as_deref(), Some("opened"), "{style}");
            }
            assert_eq!(counts(&c), [3, 0, 0, 0], "{style}");
        }
    }

    /// `X-Total-Pages` only says which pages to ask for at once; the end is the
    /// last page's `X-Next-Page`: totals that undercount (the list grew between
    /// requests) or are absent lead to reading on in turn. Each page once, in order.
    #[tokio::test]
    async fn pages_known_or_not_are_each_read_once_in_order() {
        // (pages served, X-Total-Pages sent on every page)
        for (pages, claimed) in [(5u64, Some("5")), (4, Some("2")), (3, None), (1, Some("1"))] {
            let srv = serve(move |hit| {
                let page: u64 = param(hit, "page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let next = if page < pages {
                    (page + 1).to_string()
                } else {
                    String::new()
                };
                let mut headers = h(&[("X-Next-Page", &next)]);
                if let Some(total) = claimed {
                    headers.extend(h(&[("X-Total-Pages", total)]));
                }
                (200, headers, json!([{ "id": page }]).to_string())
            })
            .await;
            let c = client(&srv.url);
            let all: Vec<Value> = c.get_all("/projects/1/issues", &[]).await.unwrap();
            let ids: Vec<u64> = all.iter().map(|v| v["id"].as_u64().unwrap()).collect();
            assert_eq!(ids, (1..=pages).collect::<Vec<_>>(), "{pages} {claimed:?}");
            let mut asked: Vec<u64> = srv
                .hits()
                .iter()
                .map(|hit| param(hit, "page").and_then(|p| p.parse().ok()).unwrap_or(1))
                .collect();
            asked.sort();
            assert_eq!(asked, (1..=pages).collect::<Vec<_>>(), "{pages} {claimed:?}");
            assert_eq!(counts(&c), [pages, 0, 0, 0], "{pages} {claimed:?}");
        }
    }

    /// With `X-Total-Pages` = 5 and concurrency 4, pages 2–5 are in flight together:
    /// each waits at a barrier that only opens when all four have arrived, so a
    /// client reading them in turn would never finish (the timeout turns that into
    /// a failure instead of a hang).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn known_pages_are_fetched_concurrently() {
        let barrier = Arc::new(tokio::sync::Barrier::new(4));
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let barrier = Arc::clone(&barrier);
            async move {
                let page: u64 = url_params(uri.query().unwrap_or(""))
                    .into_iter()
                    .find(|(k, _)| k == "page")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(1);
                if page > 1 {
                    barrier.wait().await;
                }
                let next = if page < 5 {
                    (page + 1).to_string()
                } else {
                    String::new()
                };
                let mut response = json!([{ "id": page }]).to_string().into_response();
                let headers = response.headers_mut();
                headers.insert("x-next-page", next.parse().unwrap());
                headers.insert("x-total-pages", "5".parse().unwrap());
                response
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let c = client(&format!("http://{addr}/api/v4"));
        let all: Vec<Value> =
            tokio::time::timeout(Duration::from_secs(30), c.get_all("/projects/1/issues", &[]))
                .await
                .expect("pages 2-5 were not requested together")
                .unwrap();
        let ids: Vec<u64> = all.iter().map(|v| v["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn for_each_page_hands_over_each_page() {
        let srv = serve(paged("no-totals")).await;
        let c = client(&srv.url);
        let mut sizes = vec![];
        c.for_each_page("/projects/1/issues", &[], |page: Vec<Value>| {
            sizes.push(page.len())
        })
        .await
        .unwrap();
        assert_eq!(sizes, [2, 2, 2]);
    }

    #[tokio::test]
    async fn link_to_another_host_keeps_only_its_query() {
        let srv = serve(|hit| {
            let page = param(hit, "page").unwrap_or_else(|| "1".into());
            let link =
                "<https://elsewhere.example/api/v4/projects/1/labels?page=2&per_page=100>; rel=\"next\"";
            let headers = if page == "1" { h(&[("Link", link)]) } else { vec![] };
            (200, headers, json!([{ "page": page }]).to_string())
        })
        .await;
        let c = client(&srv.url);
        let all: Vec<Value> = c.get_all("/projects/1/labels", &[]).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(srv.hits()[1].path, "/api/v4/projects/1/labels");
        assert_eq!(param(&srv.hits()[1], "page").as_deref(), Some("2"));
    }

    #[tokio::test]
    async fn query_values_are_encoded_plus_as_2b() {
        let srv = serve(|_| ok(json!([]))).await;
        let c = client(&srv.url);
        let since = "2026-01-07T00:00:00+01:00".to_string();
        let _: Vec<Value> = c
            .get_all(
                "/projects/1/issues",
                &[("updated_after", since.clone()), ("milestone", "Next WoW".into())],
            )
            .await
            .unwrap();
        let hit = &srv.hits()[0];
        assert!(
            hit.raw_query
                .contains("updated_after=2026-01-07T00%3A00%3A00%2B01%3A00"),
            "{}",
            hit.raw_query
        );
        assert_eq!(param(hit, "updated_after"), Some(since));
        assert_eq!(param(hit, "milestone").as_deref(), Some("Next WoW"));
    }

    #[tokio::test]
    async fn sends_token_user_agent_and_json_body() {
        let srv = serve(|hit| match hit.method.as_str() {
            "DELETE" => (204, vec![], String::new()),
            "POST" => (201, vec![], json!({"id": 9, "title": "Next WoW"}).to_string()),
            _ => ok(json!({"id": 9})),
        })
        .await;
        let c = client(&format!("{}/", srv.url)); // trailing slash tolerated
        let created: Value = c
            .post("/projects/1/milestones", &json!({"title": "Next WoW"}))
            .await
            .unwrap();
        assert_eq!(created["id"], 9);
        let _: Value = c
            .put("/projects/1/milestones/9", &json!({"state_event": "close"}))
            .await
            .unwrap();
        c.delete("/projects/1/milestones/9").await.unwrap();
        let one: Value = c.get("/projects/1", &[]).await.unwrap();
        assert_eq!(one["id"], 9);
        let hits = srv.hits();
        assert_eq!(hits[0].headers["private-token"], SECRET);
        assert_eq!(
            hits[0].headers["user-agent"],
            concat!("wowctl/", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(hits[0].headers["content-type"], "application/json");
        assert_eq!(
            serde_json::from_str::<Value>(&hits[0].body).unwrap(),
            json!({"title": "Next WoW"})
        );
        assert_eq!(hits[1].path, "/api/v4/projects/1/milestones/9");
        assert_eq!(counts(&c), [1, 1, 1, 1]);
        assert_eq!(c.api_url(), srv.url);
    }

    #[tokio::test]
    async fn retries_429_with_retry_after_and_502_with_html() {
        let srv = serve(|hit| match hit.n {
            0 | 1 => (
                429,
                h(&[("Retry-After", "0"), ("RateLimit-Remaining", "0")]),
                "Retry later".into(),
            ),
            2 => (
                502,
                h(&[("Content-Type", "text/html")]),
                "<html>502 Bad Gateway</html>".into(),
            ),
            _ => ok(json!({"id": 1})),
        })
        .await;
        let c = client(&srv.url);
        let v: Value = c
            .put("/projects/1/milestones/1", &json!({"title": "x"}))
            .await
            .unwrap();
        assert_eq!(v["id"], 1);
        assert_eq!(counts(&c), [0, 0, 4, 0]);
        assert_eq!(c.throttled_count(), 2);
    }

    #[tokio::test]
    async fn gives_up_after_max_retries_with_a_transient_error() {
        let srv = serve(|_| (503, vec![], "Service Unavailable".into())).await;
        let c = client(&srv.url);
        let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "GET /projects/1 failed after 4 attempts: HTTP 503 Service Unavailable: Service Unavailable"
        );
        assert!(matches!(e, GitlabError::Transient { attempts: 4, .. }));
        assert_eq!(srv.hits().len(), 4);
        assert_eq!(counts(&c), [4, 0, 0, 0]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_after_beyond_max_retry_time_is_not_waited_for() {
        let srv = serve(|_| (429, h(&[("Retry-After", "3600")]), "Retry later".into())).await;
        let mut cfg = config(&srv.url);
        cfg.max_retry_time = Duration::from_secs(60);
        let c = Client::new(cfg).unwrap();
        let started = Instant::now();
        let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
        assert!(matches!(e, GitlabError::Transient { attempts: 1, .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn no_retry_on_client_errors_and_clear_messages() {
        let srv = serve(|hit| match hit.path.as_str() {
            "/api/v4/projects/1" => (401, vec![], r#"{"message":"401 Unauthorized"}"#.into()),
            "/api/v4/projects/2/milestones/7" => (403, vec![], r#"{"message":"403 Forbidden"}"#.into()),
            "/api/v4/projects/group%2Fapp/milestones" => {
                (404, vec![], r#"{"message":"404 Project Not Found"}"#.into())
            }
            "/api/v4/projects/3/labels" => (409, vec![], r#"{"message":"Label already exists"}"#.into()),
            _ => (422, vec![], "Unprocessable".into()),
        })
        .await;
        let c = client(&srv.url);
        let e401 = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
        assert!(matches!(&e401, GitlabError::Unauthorized { origin } if origin == "WOW_TOKEN"));
        assert!(e401.to_string().contains("token in WOW_TOKEN (401)"), "{e401}");
        let e403 = c
            .put::<Value>("/projects/2/milestones/7", &json!({"state_event": "close"}))
            .await
            .unwrap_err();
        assert_eq!(
            e403.to_string(),
            "GitLab refused PUT /projects/2/milestones/7 (milestone 7 of project 2): 403 Forbidden. The token needs the Planner role (or higher) in the project and scope `api`."
        );
        let e404 = c
            .get_all::<Value>("/projects/group%2Fapp/milestones", &[])
            .await
            .unwrap_err();
        assert_eq!(
            e404.to_string(),
            "project group/app was not found (404). Check the id or path, and that the token's user can see it."
        );
        let e409 = c
            .post::<Value>("/projects/3/labels", &json!({"name": "x"}))
            .await
            .unwrap_err();
        assert!(matches!(e409, GitlabError::Http { status: 409, .. }));
        let e422 = c
            .post::<Value>("/projects/3/other", &json!({}))
            .await
            .unwrap_err();
        assert_eq!(
            e422.to_string(),
            "POST /projects/3/other failed with HTTP 422: Unprocessable"
        );
        // One attempt each: none retried.
        assert_eq!(srv.hits().len(), 5);
        assert_eq!(counts(&c), [2, 2, 1, 0]);
        assert_eq!(c.throttled_count(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_server_times_out_and_is_retried() {
        let srv = serve(|hit| {
            if hit.n < 2 {
                (0, vec![], String::new())
            } else {
                ok(json!({"id": 1}))
            }
        })
        .await;
        let mut cfg = config(&srv.url);
        cfg.timeout = Duration::from_secs(10);
        let c = Client::new(cfg.clone()).unwrap();
        let v: Value = c.get("/projects/1", &[]).await.unwrap();
        assert_eq!(v["id"], 1);
        assert_eq!(counts(&c), [3, 0, 0, 0]);

        let srv = serve(|_| (0, vec![], String::new())).await;
        cfg.api_url = srv.url.clone();
        cfg.max_retries = 1;
        let c = Client::new(cfg).unwrap();
        let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "GET /projects/1 failed after 2 attempts: no answer within 10s"
        );
    }

    #[tokio::test]
    async fn redirects_are_followed_only_on_the_same_host() {
        let srv = serve(|hit| match hit.path.as_str() {
            "/api/v4/projects/old%2Fpath" => (
                301,
                h(&[("Location", "/api/v4/projects/new%2Fpath")]),
                String::new(),
            ),
            "/api/v4/projects/away" => (
                302,
                h(&[("Location", "http://127.0.0.2:9/api/v4/projects/1")]),
                String::new(),
            ),
            _ => ok(json!({"id": 5})),
        })
        .await;
        let c = client(&srv.url);
        let moved: Value = c.get("/projects/old%2Fpath", &[]).await.unwrap();
        assert_eq!(moved["id"], 5);
        let e = c.get::<Value>("/projects/away", &[]).await.unwrap_err();
        assert!(matches!(e, GitlabError::Http { status: 302, .. }), "{e}");
        assert_eq!(srv.hits().len(), 3);
        assert_eq!(srv.hits()[1].headers["private-token"], SECRET);
    }

    #[tokio::test]
    async fn title_taken_on_400_already_being_used() {
        let srv = serve(|_| {
            (400, vec![], r#"{"message":"Failed to create milestone {title: [\"already being used for another group or project milestone.\"]}"}"#.into())
        })
        .await;
        let c = client(&srv.url);
        let e = c
            .post::<Value>("/projects/1/milestones", &json!({"title": "Next WoW"}))
            .await
            .unwrap_err();
        assert!(e.is_title_taken());
        assert!(matches!(&e, GitlabError::TitleTaken { title, .. } if title == "Next WoW"));
        assert_eq!(srv.hits().len(), 1);
    }

    #[tokio::test]
    async fn unreadable_answers_are_decode_errors() {
        let srv = serve(|hit| match hit.path.as_str() {
            "/api/v4/projects/1" => (200, vec![], "<html>sign in</html>".into()),
            _ => ok(json!({"id": "not a number"})),
        })
        .await;
        let c = client(&srv.url);
        let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
        assert!(
            matches!(&e, GitlabError::Decode { method, path, .. } if method == "GET" && path == "/projects/1"),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("GitLab's answer to GET /projects/1 could not be read: expected value"),
            "{e}"
        );
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Typed {
            id: u64,
            title: String,
        }
        let e = c
            .get_all::<Typed>("/projects/2/milestones", &[])
            .await
            .unwrap_err();
        assert!(matches!(&e, GitlabError::Decode { .. }), "{e}");
    }

    /// A port that was just free: nothing listens there.
    async fn dead_url() -> String {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        format!("http://{addr}/api/v4")
    }

    #[tokio::test]
    async fn unreachable_names_the_url_after_retries() {
        let url = dead_url().await;
        let c = client(&url);
        let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
        assert!(
            matches!(&e, GitlabError::Unreachable { url: u, .. } if *u == url),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with(&format!("cannot reach GitLab at {url}: ")),
            "{e}"
        );
        assert_eq!(counts(&c), [4, 0, 0, 0]);
    }

    #[tokio::test]
    async fn ca_file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let bad = dir.path().join("bad.pem");
        std::fs::write(&bad, "not a certificate").unwrap();
        for path in [missing, bad] {
            let mut cfg = config("https://gitlab.example/api/v4");
            cfg.ca_file = Some(path.clone());
            let e = Client::new(cfg).unwrap_err();
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
            assert!(e.to_string().contains("CI_SERVER_TLS_CA_FILE"), "{e}");
        }
    }

    #[tokio::test]
    async fn the_token_never_appears_in_errors_or_debug() {
        let srv = serve(|hit| match hit.n % 5 {
            0 => (401, vec![], "401".into()),
            1 => (
                403,
                vec![],
                r#"{"error":"insufficient_scope","scope":"api"}"#.into(),
            ),
            2 => (404, vec![], "".into()),
            3 => (200, vec![], "nope".into()),
            _ => (400, vec![], "already being used".into()),
        })
        .await;
        let mut cfg = config(&srv.url);
        cfg.token = Token::new(format!("{SECRET}\n"), "WOW_TOKEN");
        let c = Client::new(cfg.clone()).unwrap();
        let mut texts = vec![format!("{c:?}"), format!("{cfg:?}")];
        for _ in 0..5 {
            let e = c
                .put::<Value>("/projects/1/milestones/2", &json!({"title": "t"}))
                .await
                .unwrap_err();
            texts.push(e.to_string());
            texts.push(format!("{e:?}"));
        }
        let dead = Client::new(config(&dead_url().await)).unwrap();
        let e = dead.get::<Value>("/projects/1", &[]).await.unwrap_err();
        texts.push(format!("{e} {e:?}"));
        for t in texts {
            assert!(!t.contains(SECRET), "token leaked: {t}");
        }
        // The trailing newline was trimmed, not sent.
        assert_eq!(srv.hits()[0].headers["private-token"], SECRET);
    }

    /// A fixed-window throttle like GitLab's (§7) on tokio's (paused) clock:
    /// `limit` requests per `window` seconds, `RateLimit-*` on every answer, 429 past it.
    /// `already_used` requests of the first window were spent by someone else.
    fn throttle(limit: u64, window: u64, already_used: u64) -> impl Fn(&Hit) -> Scripted + Send + Sync {
        let start = Instant::now();
        let base_epoch: u64 = 1_767_744_000; // 2026-01-07T00:00:00Z
        let used = Mutex::new((0u64, already_used)); // (window index, count)
        move |_| {
            let elapsed = start.elapsed().as_secs();
            let index = elapsed / window;
            let mut used = used.lock().unwrap();
            if used.0 != index {
                *used = (index, 0);
            }
            used.1 += 1;
            let reset = base_epoch + (index + 1) * window;
            let date = chrono::DateTime::from_timestamp((base_epoch + elapsed) as i64, 0)
                .unwrap()
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string();
            let remaining = limit.saturating_sub(used.1);
            let mut headers = h(&[
                ("Date", &date),
                ("RateLimit-Limit", &limit.to_string()),
                ("RateLimit-Remaining", &remaining.to_string()),
                ("RateLimit-Reset", &reset.to_string()),
            ]);
            if used.1 > limit {
                headers.push(("Retry-After".into(), (reset - base_epoch - elapsed).to_string()));
                return (429, headers, "Retry later".into());
            }
            (200, headers, "{}".into())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_spaces_requests_to_the_limit_without_429s() {
        // 800 requests against 600 per minute, 4 at a time, starting mid-window.
        let srv = serve(throttle(600, 60, 0)).await;
        let c = client(&srv.url);
        tokio::time::advance(Duration::from_secs(30)).await;
        let started = Instant::now();
        let results = c
            .fan_out(0..800, |i| {
                let c = c.clone();
                async move { c.get::<Value>(&format!("/projects/1/issues/{i}"), &[]).await }
            })
            .await;
        let elapsed = started.elapsed();
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(c.throttled_count(), 0);
        assert_eq!(srv.hits().len(), 800);
        // 600 fit until the reset 30 s away, the other 200 in the next window:
        // as fast as the limit allows (800 / 600 per minute = 80 s is the bound).
        assert!(elapsed >= Duration::from_secs(30), "{elapsed:?}");
        assert!(elapsed <= Duration::from_secs(80).mul_f64(1.2), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_with_a_small_budget_and_a_near_reset() {
        // 5 requests per second: 30 requests take 6 windows, never a 429.
        let srv = serve(throttle(5, 1, 0)).await;
        let c = client(&srv.url);
        let started = Instant::now();
        let results = c
            .fan_out(0..30, |i| {
                let c = c.clone();
                async move { c.get::<Value>(&format!("/projects/1/issues/{i}"), &[]).await }
            })
            .await;
        let elapsed = started.elapsed();
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(c.throttled_count(), 0);
        assert_eq!(counts(&c), [30, 0, 0, 0]);
        assert!(elapsed >= Duration::from_secs(5), "{elapsed:?}");
        assert!(elapsed <= Duration::from_secs(6).mul_f64(1.2), "{elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_almost_spent_window_at_start_is_probed_not_overrun() {
        // 2 of 600 left, 40 s to the reset: the first request probes, the next one
        // uses the last unit, the rest wait for the new window. 200 requests.
        let srv = serve(throttle(600, 60, 598)).await;
        let c = client(&srv.url);
        tokio::time::advance(Duration::from_secs(20)).await;
        let started = Instant::now();
        let results = c
            .fan_out(0..200, |i| {
                let c = c.clone();
                async move { c.get::<Value>(&format!("/projects/1/issues/{i}"), &[]).await }
            })
            .await;
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(c.throttled_count(), 0);
        assert_eq!(srv.hits().len(), 200);
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_secs(40) && elapsed <= Duration::from_secs(41),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn plentiful_budget_is_not_slowed_down() {
        let srv = serve(throttle(2000, 60, 0)).await;
        let c = client(&srv.url);
        let started = Instant::now();
        let results = c
            .fan_out(0..200, |i| {
                let c = c.clone();
                async move { c.get::<Value>(&format!("/projects/1/issues/{i}"), &[]).await }
            })
            .await;
        assert!(results.iter().all(Result::is_ok));
        // The clock is paused: any pacing sleep would show here.
        assert_eq!(started.elapsed(), Duration::ZERO);
    }

    #[test]
    fn link_next_table() {
        let table = [
            (
                r#"<https://g/api/v4/x?page=2>; rel="next", <https://g/api/v4/x?page=9>; rel="last""#,
                Some("https://g/api/v4/x?page=2"),
            ),
            (
                r#"<https://g/a?page=1>; rel="prev", <https://g/a?page=3>; rel="next""#,
                Some("https://g/a?page=3"),
            ),
            (
                r#"<https://g/a?page=1>; rel="first", <https://g/a?page=4>; rel="last""#,
                None,
            ),
            (
                r#"<https://g/a?cursor=x,y>; rel=next"#,
                Some("https://g/a?cursor=x,y"),
            ),
            ("garbage", None),
            ("<unterminated", None),
        ];
        for (header, want) in table {
            assert_eq!(link_next(header).as_deref(), want, "{header}");
        }
    }

    #[test]
    fn next_page_table() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.append(*k, HeaderValue::from_static(v));
            }
            m
        };
        let table = [
            (headers(&[("x-next-page", "2")]), NextPage::Page(2)),
            (headers(&[("x-next-page", "")]), NextPage::Done),
            // X-Next-Page wins over Link, empty means done even if Link says otherwise.
            (
                headers(&[("x-next-page", ""), ("link", "<u2>; rel=\"next\"")]),
                NextPage::Done,
            ),
            (
                headers(&[("link", "<u2>; rel=\"next\"")]),
                NextPage::Link("u2".into()),
            ),
            (
                headers(&[("x-next-page", "eyJpZCI6M30"), ("link", "<u3>; rel=\"next\"")]),
                NextPage::Link("u3".into()),
            ),
            (headers(&[("x-total-pages", "5")]), NextPage::Done),
            (headers(&[]), NextPage::Done),
        ];
        for (h, want) in table {
            assert_eq!(next_page(&h), want, "{h:?}");
        }
    }
}
