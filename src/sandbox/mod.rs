//! The simulated GitLab ("sandbox"): an axum server on 127.0.0.1 that implements,
//! statefully, the part of GitLab's REST API v4 that wowctl uses, with GitLab's
//! quirks (gitlab-api.md §1–§10b), fault injection and built-in seeds. Tests,
//! `wowctl demo` and `wowctl sandbox` run against it.
//!
//! This file is the request pipeline: control endpoints, then for /api/v4 the
//! rate limit, injected faults, authentication, the route, and the request log.
//! It must never log or echo a token. The world's clock (not the wall clock) stamps
//! every object; each applied write advances it by one second.
//!
//! In process, a test reaches the world with `Sandbox::world(|w| ..)` and the
//! faults only as `w.faults_mut()`. Out of process (`wowctl sandbox`), the control
//! endpoints under `/_sandbox` (no token, not logged; `control.rs`) do the same:
//!
//! * `GET /_sandbox/requests` — the request log (method, path, query, status; 0 =
//!   never answered); `DELETE` clears it.
//! * `GET /_sandbox/state` — milestones, issues, labels, events and notes as JSON.
//! * `POST /_sandbox/clock` `{"now": RFC 3339}` — sets the world's clock.
//! * `POST /_sandbox/faults` — `{"fail_next": 2, "fail_status": 502}`,
//!   `{"fail_matching": {"method": "POST", "path": "/notes", "count": 1, "status": 403}}`,
//!   `{"html_next": 1}`, `{"redirect_next": {"count": 1, "location": URL}}`,
//!   `{"silent_next": 1}`, `throttle_next`, `throttle_every`, `write_cap`,
//!   `rate_limit`, `malformed_next`, `reset_after_header`, `latency_ms`, `clear`
//!   (the keys are listed in `control::set_faults`).

mod control;
mod faults;
mod json;
mod notes;
mod pagination;
mod params;
mod records;
mod reply;
mod request_log;
mod routes;
pub mod seed;
mod spec;
mod state;
mod writes;

pub use faults::{Fault, Faults, Target};
pub use records::{
    EventRec, GroupRec, IssueRec, LabelRec, MilestoneRec, NoteRec, ProjectRec, TokenInfo, TokenKind, UserRec,
};
pub use request_log::LoggedRequest;
pub use spec::{IssueSpec, MilestoneSpec, Owner};
pub use state::World;

use axum::body::{Body as HttpBody, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use params::Params;
use reply::{ApiError, Body, Reply};
use request_log::is_write;
use routes::ApiRequest;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The world and a signal for each request it logs, so a test can wait for the
/// run it drives to reach a point (`Sandbox::wait_for`) without sleeping.
struct SharedWorld {
    world: Mutex<World>,
    logged: Condvar,
}

type Shared = Arc<SharedWorld>;

fn shared(world: World) -> Shared {
    Arc::new(SharedWorld {
        world: Mutex::new(world),
        logged: Condvar::new(),
    })
}

fn lock(shared: &SharedWorld) -> MutexGuard<'_, World> {
    // A panicking handler must not take the whole sandbox down with it.
    shared.world.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running sandbox on its own thread and runtime. Dropping it stops the server.
pub struct Sandbox {
    world: Shared,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Binds 127.0.0.1 on a free port and serves `world` until dropped.
    pub fn start(world: World) -> std::io::Result<Sandbox> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = shared(world);
        lock(&shared).web_base = format!("http://{addr}");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(shared.clone());
        let thread = std::thread::Builder::new()
            .name(format!("sandbox-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let server = axum::serve(listener, app).into_future();
                    tokio::select! {
                        _ = server => {}
                        _ = stopped => {}
                    }
                });
            })?;
        Ok(Sandbox {
            world: shared,
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn api_url(&self) -> String {
        format!("{}/api/v4", self.base_url())
    }

    /// Locks the world to inspect or change it (clock, faults, scenario tweaks).
    pub fn world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut lock(&self.world))
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.world).log.clone()
    }

    /// POST/PUT/PATCH/DELETE requests received on /api/v4, from the log.
    pub fn write_count(&self) -> usize {
        lock(&self.world).log.iter().filter(|r| r.is_write()).count()
    }

    /// Waits until `done` holds for the world, re-checking as each request is
    /// logged, for at most `limit`; says whether it came true. How a test lets a
    /// run it drives reach a point (a held request, N writes) without sleeping.
    pub fn wait_for(&self, limit: std::time::Duration, mut done: impl FnMut(&World) -> bool) -> bool {
        let deadline = std::time::Instant::now() + limit;
        let mut w = lock(&self.world);
        loop {
            if done(&w) {
                return true;
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                return false;
            }
            w = match self.world.logged.wait_timeout(w, deadline - now) {
                Ok((w, _)) => w,
                Err(e) => e.into_inner().0,
            };
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves `world` on 127.0.0.1:`port` (0 = any) until the future is dropped;
/// `on_bound` gets the address once listening (`wowctl sandbox`).
pub async fn serve(world: World, port: u16, on_bound: impl FnOnce(SocketAddr) + Send) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let shared = shared(world);
    lock(&shared).web_base = format!("http://{addr}");
    on_bound(addr);
    axum::serve(listener, router(shared)).await
}

fn router(shared: Shared) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    if let Some(rest) = path.strip_prefix("/_sandbox") {
        let reply = control::handle(&mut lock(&shared), method.as_str(), rest, &body);
        return to_response(reply, false);
    }
    if path != "/api/v4" && !path.starts_with("/api/v4/") {
        return to_response(ApiError::no_route().into(), false);
    }
    let latency = lock(&shared).faults().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (reply, reset) = {
        let mut w = lock(&shared);
        let reply = process(
            &mut w,
            method.as_str(),
            &path,
            &query,
            &headers,
            &content_type,
            &body,
        );
        let faults = w.faults_mut();
        if is_write(method.as_str()) && (200..300).contains(&reply.status) {
            faults.write_applied();
        }
        let reset = reply.body != Body::Never && faults.take_reset();
        w.log.push(LoggedRequest {
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
            status: reply.status,
        });
        (reply, reset)
    };
    shared.logged.notify_all();
    if reply.body == Body::Never {
        // Hold the connection without answering; the client's timeout ends it. The
        // wait is bounded so a forgotten `wowctl sandbox` does not pile up tasks;
        // a stopped sandbox drops it with its runtime.
        tokio::time::sleep(SILENT_FOR).await;
        return to_response(reply, true);
    }
    to_response(reply, reset)
}

/// How long a `Silent` fault holds a request before dropping the connection.
const SILENT_FOR: std::time::Duration = std::time::Duration::from_secs(600);

/// Rate limit → injected fault → authentication → route.
fn process(
    w: &mut World,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    content_type: &str,
    body: &[u8],
) -> Reply {
    let limit = w.faults_mut().rate_limit();
    let mut reply = match &limit {
        Some(l) if l.exceeded => Reply::text(429, "Retry later")
            .header("Retry-After", l.retry_after.to_string())
            .header("RateLimit-ResetTime", l.reset_time.clone()),
        _ => match w.faults_mut().decide(method, path) {
            Some(fault) => fault_reply(fault),
            None => authenticated(w, method, path, query, headers, content_type, body),
        },
    };
    if let Some(l) = limit {
        reply.headers.extend(l.headers);
    }
    reply
}

fn fault_reply(fault: Fault) -> Reply {
    match fault {
        Fault::WriteCapReached => {
            Reply::json(500, serde_json::json!({"message": "sandbox: write cap reached"}))
        }
        Fault::Fail(500) => Reply::json(500, serde_json::json!({"message": "500 Internal Server Error"})),
        // GitLab's own refusals (403 on a write, 404, 409, 422) are JSON (§1).
        Fault::Fail(status) if status < 500 => {
            Reply::json(status, serde_json::json!({"message": format!("{status} {}", reason(status))}))
        }
        // A proxy in front of GitLab answers with HTML, never JSON (§1).
        Fault::Fail(status) => {
            let reason = reason(status);
            Reply {
                status,
                body: Body::Raw(
                    "text/html",
                    format!("<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>\n"),
                ),
                headers: Vec::new(),
            }
        }
        Fault::Throttle { retry_after } => {
            Reply::text(429, "Retry later").header("Retry-After", retry_after.to_string())
        }
        Fault::Malformed => Reply {
            status: 200,
            body: Body::Raw("application/json", "{\"id\": 1, \"title\": \"trunc".to_string()),
            headers: Vec::new(),
        },
        // What GitLab's web UI answers a URL that is not under /api/v4.
        Fault::Html => Reply {
            status: 200,
            body: Body::Raw(
                "text/html",
                "<!DOCTYPE html>\n<html lang=\"en\"><head><title>Sign in · GitLab</title></head>\n<body><main><h1>GitLab</h1><form action=\"/users/sign_in\" method=\"post\"></form></main></body></html>\n".to_string(),
            ),
            headers: Vec::new(),
        },
        Fault::Redirect(location) => Reply {
            status: 302,
            body: Body::Raw(
                "text/html",
                format!("<html><body>You are being <a href=\"{location}\">redirected</a>.</body></html>"),
            ),
            headers: vec![("Location".to_string(), location)],
        },
        Fault::Silent => Reply {
            status: 0,
            body: Body::Never,
            headers: Vec::new(),
        },
    }
}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

/// `PRIVATE-TOKEN` or `Authorization: Bearer` (§8); 401/403 shapes from §1.
fn authenticated(
    w: &mut World,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    content_type: &str,
    body: &[u8],
) -> Reply {
    let private = headers.get("private-token").and_then(|v| v.to_str().ok());
    let presented = private.or_else(|| {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
    });
    let Some(token) = presented.and_then(|t| w.tokens.get(t)).cloned() else {
        return ApiError::unauthorized().into();
    };
    // GitLab looks a PRIVATE-TOKEN up among access tokens only (§8).
    if private.is_some() && token.kind == TokenKind::OAuth {
        return ApiError::unauthorized().into();
    }
    if token.revoked {
        return Reply::json(
            401,
            serde_json::json!({"error": "invalid_token", "error_description": "Token was revoked. You have to re-authorize from the user."}),
        );
    }
    if token.expires_at.is_some_and(|d| d < w.now().date_naive()) {
        return Reply::json(
            401,
            serde_json::json!({"error": "invalid_token", "error_description": "Token is expired. You can either do re-authorization or token refresh."}),
        );
    }
    let has = |s: &str| token.scopes.iter().any(|x| x == s);
    let scope_ok = has("api") || (!is_write(method) && has("read_api"));
    if !scope_ok {
        return Reply::json(
            403,
            serde_json::json!({"error": "insufficient_scope", "error_description": "The request requires higher privileges than provided by the access token.", "scope": "api"}),
        );
    }
    let params = match Params::parse(query, content_type, body) {
        Ok(p) => p,
        Err(e) => return e.into(),
    };
    let api_path = path.strip_prefix("/api/v4").unwrap_or(path);
    let req = ApiRequest {
        method,
        path: api_path,
        query,
        params,
        token,
    };
    reply::into_reply(routes::dispatch(w, &req))
}

fn to_response(reply: Reply, reset: bool) -> Response {
    let (content_type, text) = match reply.body {
        Body::Json(v) => ("application/json", v.to_string()),
        Body::Text(t) => ("text/plain", t),
        Body::Raw(ct, t) => (ct, t),
        Body::Empty | Body::Never => ("", String::new()),
    };
    let body = if reset {
        // Headers go out, then the connection dies before the body (a reset mid-response).
        HttpBody::from_stream(futures::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::other("sandbox: connection reset"))
        }))
    } else {
        HttpBody::from(text)
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = response.headers_mut();
    if !content_type.is_empty() {
        h.insert("content-type", HeaderValue::from_static(content_type));
    }
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            h.append(n, v);
        }
    }
    response
}

#[cfg(test)]
mod tests;
