//! `/_sandbox/*`: control endpoints for out-of-process users (`wowctl sandbox`):
//! the request log, a state dump, the clock and the fault settings (the list is
//! in the sandbox's module doc). No auth, not logged, never reachable under /api/v4.

use super::faults::{Fault, Target};
use super::params::parse_time;
use super::reply::{ApiError, Reply};
use super::state::World;
use serde_json::{json, Value};
use std::time::Duration;

pub(super) fn handle(w: &mut World, method: &str, path: &str, body: &[u8]) -> Reply {
    let result = match (method, path) {
        ("GET", "/requests") => Ok(Reply::ok(json!(w.log))),
        ("DELETE", "/requests") => {
            w.log.clear();
            Ok(Reply::no_content())
        }
        ("GET", "/state") => Ok(Reply::ok(state(w))),
        ("POST", "/clock") => set_clock(w, body),
        ("POST", "/faults") => set_faults(w, body),
        _ => Err(ApiError::no_route()),
    };
    result.unwrap_or_else(Reply::from)
}

fn state(w: &World) -> Value {
    json!({
        "now": w.now(),
        "milestones": w.milestones.values().map(|m| w.milestone_json(m)).collect::<Vec<_>>(),
        "issues": w.issues.values().map(|i| w.issue_json(i)).collect::<Vec<_>>(),
        "labels": w.labels.values().map(|l| {
            let mut v = w.label_json(l);
            match l.owner {
                super::spec::Owner::Project(p) => v["project_id"] = json!(p),
                super::spec::Owner::Group(g) => v["group_id"] = json!(g),
            }
            v
        }).collect::<Vec<_>>(),
        "events": w.events.values().flatten().map(|e| w.event_json(e)).collect::<Vec<_>>(),
        "notes": notes_json(w),
    })
}

fn notes_json(w: &World) -> Vec<Value> {
    let mut notes: Vec<_> = w.notes.values().flatten().collect();
    notes.sort_by_key(|n| n.id);
    notes.into_iter().map(|n| w.note_json(n)).collect()
}

fn body_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(ApiError::bad_request_error("body must be a JSON object")),
    }
}

fn set_clock(w: &mut World, body: &[u8]) -> Result<Reply, ApiError> {
    let o = body_object(body)?;
    let now = o
        .get("now")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .ok_or_else(|| ApiError::bad_request_error("now must be an RFC 3339 time"))?;
    w.set_now(now);
    Ok(Reply::ok(json!({ "now": now })))
}

/// Keys (all optional): `latency_ms`, `fail_next` {count, status} or a count,
/// `throttle_next` {count, retry_after} or a count, `throttle_every` {every, retry_after},
/// `write_cap` (number or null), `rate_limit` (number or null), `malformed_next`,
/// `reset_after_header`, `clear` (true: drop every fault first), and the targeted
/// ones, each a count or an object with `count` (default 1) and optional `method`
/// and `path` (see `Target`): `fail_matching` {method, path, count, status (default
/// 500)}, `html_next`, `redirect_next` {count, location (required)}, `silent_next`.
fn set_faults(w: &mut World, body: &[u8]) -> Result<Reply, ApiError> {
    let o = body_object(body)?;
    // The targeted keys are checked first, so a bad one changes nothing.
    let mut targeted = Vec::new();
    for key in ["fail_matching", "html_next", "redirect_next", "silent_next"] {
        let Some(v) = o.get(key) else { continue };
        let (target, count) = targeted_spec(key, v)?;
        let fault = match key {
            "fail_matching" => {
                let status = v.get("status").and_then(Value::as_u64).unwrap_or(500);
                match u16::try_from(status).ok().filter(|s| (400..600).contains(s)) {
                    Some(s) => Fault::Fail(s),
                    None => {
                        return Err(ApiError::bad_request_error(
                            "fail_matching.status must be 400-599",
                        ))
                    }
                }
            }
            "html_next" => Fault::Html,
            "redirect_next" => match v.get("location").and_then(Value::as_str) {
                Some(l) if !l.is_empty() => Fault::Redirect(l.to_string()),
                _ => return Err(ApiError::bad_request_error("redirect_next.location is missing")),
            },
            _ => Fault::Silent,
        };
        targeted.push((target, count, fault));
    }
    let num = |v: &Value, key: &str| v.get(key).and_then(Value::as_u64).unwrap_or(0);
    let f = w.faults_mut();
    if o.get("clear").and_then(Value::as_bool) == Some(true) {
        f.clear();
    }
    if let Some(ms) = o.get("latency_ms").and_then(Value::as_u64) {
        f.latency = Duration::from_millis(ms);
    }
    // `{"count": n, "status": 502}` or a bare count (status `fail_status`, default 503).
    if let Some(v) = o.get("fail_next") {
        let (count, status) = match v.as_u64() {
            Some(n) => (n, o.get("fail_status").and_then(Value::as_u64).unwrap_or(503)),
            None => (num(v, "count"), num(v, "status")),
        };
        let status = u16::try_from(status).ok().filter(|s| *s >= 400).unwrap_or(500);
        f.fail_next(count as usize, status);
    }
    // `{"count": n, "retry_after": s}` or a bare count (`retry_after`, default 0).
    if let Some(v) = o.get("throttle_next") {
        let (count, retry_after) = match v.as_u64() {
            Some(n) => (n, o.get("retry_after").and_then(Value::as_u64).unwrap_or(0)),
            None => (num(v, "count"), num(v, "retry_after")),
        };
        f.throttle_next(count as usize, retry_after);
    }
    if let Some(v) = o.get("throttle_every") {
        f.throttle_every(num(v, "every"), num(v, "retry_after"));
    }
    match o.get("write_cap") {
        Some(Value::Null) => f.clear_write_cap(),
        Some(v) => {
            if let Some(n) = v.as_u64() {
                f.set_write_cap(n as usize);
            }
        }
        None => {}
    }
    match o.get("rate_limit") {
        Some(Value::Null) => f.rate_limit = None,
        Some(v) => f.rate_limit = v.as_u64().map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        None => {}
    }
    if let Some(n) = o.get("malformed_next").and_then(Value::as_u64) {
        f.malformed_next(n as usize);
    }
    if let Some(n) = o.get("reset_after_header").and_then(Value::as_u64) {
        f.reset_after_header(n as usize);
    }
    for (target, count, fault) in targeted {
        f.inject(target, count, fault);
    }
    Ok(Reply::ok(json!({ "ok": true })))
}

/// A bare count (every request) or `{count, method, path}`.
fn targeted_spec(key: &str, v: &Value) -> Result<(Target, usize), ApiError> {
    if let Some(n) = v.as_u64() {
        return Ok((Target::any(), n as usize));
    }
    let Some(o) = v.as_object() else {
        return Err(ApiError::bad_request_error(&format!(
            "{key} must be a count or an object"
        )));
    };
    let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
    let count = o.get("count").and_then(Value::as_u64).unwrap_or(1) as usize;
    Ok((Target::matching(text("method"), text("path")), count))
}
