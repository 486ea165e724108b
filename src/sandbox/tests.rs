//! The sandbox over real HTTP (reqwest against `Sandbox::start` on 127.0.0.1):
//! GitLab's quirks, pagination, auth, faults and control endpoints.

use super::*;
use crate::gitlab::model::{AccessLevel, EventAction, IssueState, MilestoneState};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

const NOW: &str = "2026-01-07T09:00:00Z";

fn now() -> DateTime<Utc> {
    NOW.parse().unwrap()
}

struct Res {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Res {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

struct T {
    sb: Sandbox,
    http: reqwest::Client,
    token: Option<String>,
}

impl T {
    fn new(world: World) -> T {
        T {
            sb: Sandbox::start(world).unwrap(),
            http: reqwest::Client::new(),
            token: Some(seed::TOKEN.to_string()),
        }
    }
    fn demo() -> T {
        T::new(seed::demo(now()))
    }
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Res {
        let mut req = self.http.request(method, format!("{}{path}", self.sb.api_url()));
        if let Some(t) = &self.token {
            req = req.header("PRIVATE-TOKEN", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        Res {
            status,
            headers,
            text,
        }
    }
    async fn get(&self, path: &str) -> Res {
        self.call(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> Res {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
    async fn put(&self, path: &str, body: Value) -> Res {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }
    fn milestone_id(&self, title: &str) -> u64 {
        self.sb
            .world(|w| w.milestone_by_title(title).map(|m| m.id))
            .unwrap()
    }
}

fn titles(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|x| x["title"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn unauthorized_without_or_with_an_unknown_token() {
    let mut t = T::new(seed::empty(now()));
    t.token = None;
    let r = t.get("/projects/1/milestones").await;
    assert_eq!(
        (r.status, r.json()),
        (401, json!({"message": "401 Unauthorized"}))
    );
    t.token = Some("nope".into());
    assert_eq!(t.get("/projects/1/milestones").await.status, 401);
    // Bearer works too, and the log has both failures.
    let r = t
        .http
        .get(format!("{}/projects/1", t.sb.api_url()))
        .bearer_auth(seed::TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let statuses: Vec<u16> = t.sb.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![401, 401, 200]);
}

#[tokio::test]
async fn duplicate_titles_are_rejected_across_closed_and_group_milestones() {
    let t = T::new(seed::empty(now()));
    t.sb.world(|w| {
        w.add_milestone(MilestoneSpec::new(Owner::Group(1), "Team offsite"));
        w.add_milestone(MilestoneSpec::new(Owner::Project(1), "WoW ending 2026-01-06").closed());
    });
    let r = t.post("/projects/1/milestones", json!({"title": "WoW"})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["project_id"], 1);
    assert!(r.json().get("group_id").is_none());
    for title in ["WoW", "WoW ending 2026-01-06", "Team offsite"] {
        let r = t.post("/projects/1/milestones", json!({ "title": title })).await;
        assert_eq!(r.status, 400, "{title}");
        assert_eq!(
            r.json()["message"],
            "Failed to create milestone {:title=>[\"already being used for another group or project milestone.\"]}"
        );
    }
    // Case-sensitive: `wow` is another title. A group milestone clashes with its projects'.
    assert_eq!(
        t.post("/projects/1/milestones", json!({"title": "wow"}))
            .await
            .status,
        201
    );
    assert_eq!(
        t.post("/groups/1/milestones", json!({"title": "WoW"}))
            .await
            .status,
        400
    );
    let r = t.post("/projects/1/milestones", json!({})).await;
    assert_eq!((r.status, r.json()), (400, json!({"error": "title is missing"})));
    let r = t
        .post(
            "/projects/1/milestones",
            json!({"title": "X", "start_date": "2026-01-07", "due_date": "2026-01-07"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("must be greater than start date"));
}

#[tokio::test]
async fn close_and_rename_is_not_atomic() {
    let t = T::demo();
    let wow = t.milestone_id("WoW");
    // The title is taken by a closed milestone: the close sticks, the rename fails.
    let r = t
        .put(
            &format!("/projects/1/milestones/{wow}"),
            json!({"title": "WoW ending 2025-12-30", "state_event": "close"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("Failed to update milestone"));
    assert!(r.text.contains("already being used"));
    let m = t.sb.world(|w| w.milestone(wow)).unwrap();
    assert_eq!((m.title.as_str(), m.state), ("WoW", MilestoneState::Closed));
    // Closing again is a silent no-op; then the rename alone works.
    let r = t
        .put(
            &format!("/projects/1/milestones/{wow}"),
            json!({"state_event": "close", "title": "WoW ending 2026-01-06"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        (r.json()["title"].as_str(), r.json()["state"].as_str()),
        (Some("WoW ending 2026-01-06"), Some("closed"))
    );
    let r = t.put(&format!("/projects/1/milestones/{wow}"), json!({})).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .ends_with("at least one parameter must be provided"));
    let r = t
        .put(
            &format!("/projects/1/milestones/{wow}"),
            json!({"state_event": "shut"}),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"error": "state_event does not have a valid value"})
    );
}

#[tokio::test]
async fn milestone_events_follow_gitlab() {
    let t = T::new(seed::empty(now()));
    let (a, b, issue_id) = t.sb.world(|w| {
        let a = w.add_milestone(MilestoneSpec::new(Owner::Project(1), "A"));
        let b = w.add_milestone(MilestoneSpec::new(Owner::Project(1), "B"));
        let (id, _) = w.add_issue(IssueSpec::new(1, "x").milestone(a));
        (a, b, id)
    });
    assert_eq!(
        t.put("/projects/1/issues/1", json!({"milestone_id": b}))
            .await
            .status,
        200
    );
    t.put(
        &format!("/projects/1/milestones/{b}"),
        json!({"title": "B renamed"}),
    )
    .await;
    t.put("/projects/1/issues/1", json!({"milestone_id": 0})).await;
    let r = t.get("/projects/1/issues/1/resource_milestone_events").await;
    let evs = r.json();
    let got: Vec<(String, u64, String)> = evs
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["milestone"]["id"].as_u64().unwrap(),
                e["milestone"]["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("add".into(), a, "A".into()),
            ("add".into(), b, "B renamed".into()),
            ("remove".into(), b, "B renamed".into()),
        ]
    );
    assert_eq!(evs[1]["resource_id"], issue_id);
    assert_eq!(evs[1]["resource_type"], "Issue");
    // Each write ticks the clock: the move at NOW, the rename at +1 s, the clear at +2 s.
    assert_eq!(evs[1]["created_at"], "2026-01-07T09:00:00Z");
    assert_eq!(evs[2]["created_at"], "2026-01-07T09:00:02Z");
    let issue = t.sb.world(|w| w.issue(1, 1)).unwrap();
    assert_eq!(
        issue.updated_at,
        "2026-01-07T09:00:02Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert!(issue.milestone.is_none());
}

#[tokio::test]
async fn pagination_headers() {
    let t = T::demo();
    let total = t.sb.world(|w| w.issues(1).len());
    let r = t.get("/projects/1/issues?per_page=20").await;
    assert_eq!(r.header("x-total"), Some(total.to_string().as_str()));
    assert_eq!(r.header("x-next-page"), Some("2"));
    assert_eq!(r.header("x-prev-page"), Some(""));
    assert_eq!(r.json().as_array().unwrap().len(), 20);
    let last = total.div_ceil(20);
    let r = t
        .get(&format!("/projects/1/issues?per_page=20&page={last}"))
        .await;
    assert_eq!(r.header("x-next-page"), Some(""));
    assert_eq!(r.header("x-page"), Some(last.to_string().as_str()));
    assert!(r.header("link").unwrap().contains("rel=\"first\""));
    let r = t.get("/projects/1/issues?per_page=500").await;
    assert_eq!(r.header("x-per-page"), Some("100"));

    let big = T::new(seed::scale(10_001, 0.0, now()));
    let r = big.get("/projects/1/issues?per_page=1").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-total"), None);
    assert_eq!(r.header("x-total-pages"), None);
    assert_eq!(r.header("x-next-page"), Some("2"));
    assert!(!r.header("link").unwrap().contains("rel=\"last\""));
}

#[tokio::test]
async fn guest_metadata_edits_are_dropped_with_a_200() {
    let t = T::demo();
    t.sb.world(|w| w.add_token("guest", AccessLevel::Guest));
    let next = t.milestone_id("Next WoW");
    let before = t.sb.world(|w| w.issue(1, 1)).unwrap();
    let req = |body: Value| {
        t.http
            .put(format!("{}/projects/1/issues/1", t.sb.api_url()))
            .header("PRIVATE-TOKEN", "guest")
            .json(&body)
            .send()
    };
    let r = req(json!({"milestone_id": next, "add_labels": "unscheduled"}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let after = t.sb.world(|w| w.issue(1, 1)).unwrap();
    assert_eq!(after.milestone, before.milestone);
    assert_eq!(after.labels, before.labels);
    assert_eq!(after.updated_at, before.updated_at);
    // Milestone and label writes need Planner: 403 (gitlab-api.md §9).
    let r = t
        .http
        .post(format!("{}/projects/1/milestones", t.sb.api_url()))
        .header("PRIVATE-TOKEN", "guest")
        .json(&json!({"title": "Mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // A Planner's edit sticks.
    t.sb.world(|w| w.add_token("planner", AccessLevel::Planner));
    let r = t
        .http
        .put(format!("{}/projects/1/issues/1", t.sb.api_url()))
        .header("PRIVATE-TOKEN", "planner")
        .json(&json!({"milestone_id": next}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        t.sb.world(|w| w.issue(1, 1)).unwrap().milestone.map(|m| m.id),
        Some(next)
    );
}

#[tokio::test]
async fn issue_edits_labels_state_and_foreign_milestones() {
    let t = T::new(seed::empty(now()));
    let (foreign, own) = t.sb.world(|w| {
        let other = w.add_project("other/app", None);
        let foreign = w.add_milestone(MilestoneSpec::new(Owner::Project(other), "Elsewhere"));
        let own = w.add_milestone(MilestoneSpec::new(Owner::Group(1), "Group one"));
        w.add_issue(IssueSpec::new(1, "x").labels(&["outage"]));
        (foreign, own)
    });
    // add_labels creates a missing project label (a typo becomes a label, §3).
    let r = t
        .put(
            "/projects/1/issues/1",
            json!({"add_labels": "unscheduld,priority::2"}),
        )
        .await;
    assert_eq!(r.json()["labels"], json!(["outage", "priority::2", "unscheduld"]));
    let labels = t.sb.world(|w| w.labels(Owner::Project(1)));
    let created = labels.iter().find(|l| l.name == "unscheduld").unwrap();
    assert_eq!(created.is_project_label, Some(true));
    let r = t
        .put(
            "/projects/1/issues/1",
            json!({"remove_labels": "unscheduld,nothere"}),
        )
        .await;
    assert_eq!(r.json()["labels"], json!(["outage", "priority::2"]));
    // A milestone outside the project's hierarchy is ignored; a group one is fine.
    let r = t
        .put("/projects/1/issues/1", json!({"milestone_id": foreign}))
        .await;
    assert_eq!((r.status, r.json()["milestone"].clone()), (200, Value::Null));
    let r = t
        .put(
            "/projects/1/issues/1",
            json!({"milestone_id": own, "state_event": "close"}),
        )
        .await;
    assert_eq!(r.json()["milestone"]["group_id"], 1);
    assert_eq!(r.json()["state"], "closed");
    assert!(!r.json()["closed_at"].is_null());
    let r = t.put("/projects/1/issues/1", json!({"labels": ""})).await;
    assert_eq!(r.json()["labels"], json!([]));
    let r = t
        .put("/projects/1/issues/1", json!({"confidentialish": true}))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("at least one parameter must be provided"));
    assert_eq!(
        t.get("/projects/1/issues/99").await.json(),
        json!({"message": "404 Issue Not Found"})
    );
    // A no-op edit does not bump updated_at.
    let before = t.sb.world(|w| w.issue(1, 1)).unwrap().updated_at;
    t.put("/projects/1/issues/1", json!({"state_event": "close"}))
        .await;
    assert_eq!(t.sb.world(|w| w.issue(1, 1)).unwrap().updated_at, before);
    assert_eq!(t.sb.world(|w| w.issue(1, 1)).unwrap().state, IssueState::Closed);
}

#[tokio::test]
async fn paths_ids_and_not_found_shapes() {
    let t = T::demo();
    let r = t
        .get("/projects/production%2Finfrastructure/milestones?title=WoW")
        .await;
    assert_eq!(titles(&r.json()), vec!["WoW"]);
    let r = t.get("/projects/production/infrastructure/milestones").await;
    assert_eq!((r.status, r.json()), (404, json!({"error": "404 Not Found"})));
    assert_eq!(
        t.get("/projects/42").await.json(),
        json!({"message": "404 Project Not Found"})
    );
    assert_eq!(
        t.get("/groups/nope/labels").await.json(),
        json!({"message": "404 Group Not Found"})
    );
    assert_eq!(
        t.get("/projects/1/milestones/1").await.json(),
        json!({"message": "404 Milestone Not Found"})
    );
    let r = t.get("/projects/1").await.json();
    assert_eq!(r["path_with_namespace"], "production/infrastructure");
    assert_eq!(
        r["web_url"],
        format!("{}/production/infrastructure", t.sb.base_url())
    );
    assert_eq!(
        t.get("/groups/production").await.json()["full_path"],
        "production"
    );
    let r = t.get("/projects/1/issues/1").await.json();
    assert_eq!(r["references"]["full"], "production/infrastructure#1");
    assert!(r["web_url"]
        .as_str()
        .unwrap()
        .ends_with("/production/infrastructure/-/issues/1"));
}

#[tokio::test]
async fn issue_filters() {
    let t = T::new(seed::empty(now()));
    t.sb.world(|w| {
        let wow = w.add_milestone(MilestoneSpec::new(Owner::Project(1), "WoW"));
        let next = w.add_milestone(MilestoneSpec::new(Owner::Project(1), "Next WoW"));
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        w.add_issue(
            IssueSpec::new(1, "a")
                .milestone(wow)
                .labels(&["outage", "priority::1"])
                .created(at("2026-01-01T00:00:00Z"))
                .updated(at("2026-01-06T23:00:00Z")),
        );
        w.add_issue(
            IssueSpec::new(1, "b")
                .milestone(wow)
                .labels(&["outage"])
                .created(at("2026-01-02T00:00:00Z"))
                .updated(at("2026-01-06T22:59:59Z")),
        );
        w.add_issue(
            IssueSpec::new(1, "c")
                .milestone(next)
                .created(at("2026-01-03T00:00:00Z"))
                .closed(at("2026-01-07T01:00:00Z")),
        );
        w.add_issue(
            IssueSpec::new(1, "d")
                .assignee("jane")
                .created(at("2026-01-04T00:00:00Z")),
        );
    });
    let cases = [
        ("milestone=WoW", vec!["b", "a"]),
        ("milestone=Next%20WoW", vec!["c"]),
        ("milestone=Next+WoW&state=opened", vec![]),
        ("milestone=None", vec!["d"]),
        ("milestone=any&sort=asc", vec!["a", "b", "c"]),
        ("labels=outage,priority::1", vec!["a"]),
        ("labels=outage", vec!["b", "a"]),
        ("labels=None", vec!["d", "c"]),
        // Inclusive, and the offset is honoured: 00:00+01:00 is 23:00Z.
        ("updated_after=2026-01-07T00:00:00%2B01:00", vec!["c", "a"]),
        ("updated_before=2026-01-06T22:59:59Z&labels=outage", vec!["b"]),
        ("created_after=2026-01-03T00:00:00Z&state=all", vec!["d", "c"]),
        ("order_by=updated_at&sort=asc", vec!["d", "b", "a", "c"]),
        ("iids[]=1&iids[]=3", vec!["c", "a"]),
        ("assignee_id=Any", vec!["d"]),
        ("state=closed", vec!["c"]),
    ];
    for (query, want) in cases {
        let r = t.get(&format!("/projects/1/issues?{query}")).await;
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        assert_eq!(titles(&r.json()), want, "{query}");
    }
    // An unencoded `+` in a timestamp arrives as a space: GitLab rejects it (§1).
    assert_eq!(
        t.get("/projects/1/issues?updated_after=2026-01-07T00:00:00+01:00")
            .await
            .status,
        400
    );
    let r = t.get("/groups/1/issues?milestone=WoW").await;
    assert_eq!(titles(&r.json()), vec!["b", "a"]);
}

#[tokio::test]
async fn milestone_and_label_lists() {
    let t = T::demo();
    t.sb.world(|w| w.add_milestone(MilestoneSpec::new(Owner::Group(1), "Group WoW")));
    let r = t.get("/projects/1/milestones?state=active").await;
    let mut got = titles(&r.json());
    got.sort();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.contains(&"Next WoW".to_string()));
    assert!(titles(&t.get("/projects/1/milestones?title=wow").await.json()).is_empty());
    assert_eq!(
        titles(&t.get("/projects/1/milestones?search=NEXT").await.json()),
        vec!["Next WoW"]
    );
    let r = t
        .get("/projects/1/milestones?title=Group%20WoW&include_ancestors=true")
        .await;
    assert_eq!(r.json()[0]["group_id"], 1);
    assert_eq!(
        t.get("/projects/1/milestones?state=closed")
            .await
            .header("x-total"),
        Some("8")
    );
    let labels = t.get("/projects/1/labels?per_page=100").await.json();
    let outage = labels
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "outage")
        .unwrap();
    assert_eq!(outage["is_project_label"], false);
    let r = t
        .post(
            "/projects/1/labels",
            json!({"name": "outage", "color": "#ff0000"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()),
        (409, json!({"message": "Label already exists"}))
    );
    let r = t.post("/projects/1/labels", json!({"name": "new"})).await;
    assert_eq!(r.json(), json!({"error": "color is missing"}));
    let r = t
        .post("/groups/1/labels", json!({"name": "team", "color": "#123456"}))
        .await;
    assert_eq!(
        (r.status, r.json()["is_project_label"].clone()),
        (201, json!(false))
    );
}

#[tokio::test]
async fn deleting_a_milestone_unsets_it_and_hides_its_events() {
    let t = T::demo();
    let next = t.milestone_id("Next WoW");
    let r = t
        .call(
            reqwest::Method::DELETE,
            &format!("/projects/1/milestones/{next}"),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let left = t.sb.world(|w| {
        w.issues(1)
            .iter()
            .filter(|i| i.milestone.as_ref().is_some_and(|m| m.id == next))
            .count()
    });
    assert_eq!(left, 0);
    let hidden = t.sb.world(|w| {
        w.issues(1)
            .iter()
            .flat_map(|i| w.events(i.id))
            .any(|e| e.milestone.is_none())
    });
    assert!(!hidden);
}

#[tokio::test]
async fn write_cap_kills_every_later_request() {
    let t = T::demo();
    t.sb.world(|w| w.faults_mut().set_write_cap(1));
    assert_eq!(
        t.put("/projects/1/issues/1", json!({"title": "renamed"}))
            .await
            .status,
        200
    );
    let r = t.get("/projects/1/issues/1").await;
    assert_eq!(
        (r.status, r.json()),
        (500, json!({"message": "sandbox: write cap reached"}))
    );
    assert_eq!(
        t.put("/projects/1/issues/2", json!({"title": "x"})).await.status,
        500
    );
    assert_ne!(t.sb.world(|w| w.issue(1, 2)).unwrap().title, "x");
    t.sb.world(|w| w.faults_mut().clear_write_cap());
    assert_eq!(t.get("/projects/1/issues/1").await.status, 200);
    assert_eq!(t.sb.write_count(), 2);
}

#[tokio::test]
async fn throttles_and_rate_limits_answer_429() {
    let t = T::new(seed::empty(now()));
    t.sb.world(|w| w.faults_mut().throttle_next(1, 0));
    let r = t.get("/projects/1/labels").await;
    assert_eq!(
        (r.status, r.text.as_str(), r.header("retry-after")),
        (429, "Retry later", Some("0"))
    );
    assert_eq!(t.get("/projects/1/labels").await.status, 200);
    t.sb.world(|w| w.faults_mut().rate_limit = Some(2));
    let r = t.get("/projects/1/labels").await;
    assert_eq!(r.header("ratelimit-limit"), Some("2"));
    assert_eq!(r.header("ratelimit-remaining"), Some("1"));
    assert_eq!(r.header("ratelimit-name"), Some("throttle_authenticated_api"));
    assert!(r.header("ratelimit-reset").unwrap().parse::<u64>().unwrap() > 1_700_000_000);
    t.get("/projects/1/labels").await;
    let r = t.get("/projects/1/labels").await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() <= 60);
    assert!(r.header("ratelimit-resettime").unwrap().ends_with("GMT"));
    assert_eq!(r.header("ratelimit-observed"), Some("3"));
}

#[tokio::test]
async fn injected_failures_malformed_bodies_and_resets() {
    let t = T::demo();
    t.sb.world(|w| {
        w.faults_mut().fail_next(1, 502);
        w.faults_mut().malformed_next(1);
    });
    let r = t.get("/projects/1/issues").await;
    assert_eq!(r.status, 502);
    assert!(r.text.starts_with("<html>"));
    let r = t.get("/projects/1/issues").await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<Value>(&r.text).is_err());
    // A reset after the write was applied: the client sees an error, the change stands.
    t.sb.world(|w| w.faults_mut().reset_after_header(1));
    let sent = t
        .http
        .put(format!("{}/projects/1/issues/1", t.sb.api_url()))
        .header("PRIVATE-TOKEN", seed::TOKEN)
        .json(&json!({"title": "applied anyway"}))
        .send()
        .await;
    let failed = match sent {
        Err(_) => true,
        Ok(res) => res.text().await.is_err(),
    };
    assert!(failed);
    assert_eq!(t.sb.world(|w| w.issue(1, 1)).unwrap().title, "applied anyway");
    let statuses: Vec<u16> = t.sb.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![502, 200, 200]);
}

#[tokio::test]
async fn control_endpoints_and_doctor_reads() {
    let t = T::demo();
    let base = t.sb.base_url();
    t.get("/user").await;
    let log: Value = t
        .http
        .get(format!("{base}/_sandbox/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        log,
        json!([{"method": "GET", "path": "/api/v4/user", "query": "", "status": 200}])
    );
    t.http
        .delete(format!("{base}/_sandbox/requests"))
        .send()
        .await
        .unwrap();
    assert!(t.sb.requests().is_empty());
    let r = t
        .http
        .post(format!("{base}/_sandbox/clock"))
        .json(&json!({"now": "2026-02-01T10:00:00+01:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        t.sb.world(|w| w.now()),
        "2026-02-01T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    let body = json!({"throttle_next": 1, "retry_after": 3, "write_cap": 5, "latency_ms": 0});
    t.http
        .post(format!("{base}/_sandbox/faults"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(t.get("/user").await.header("retry-after"), Some("3"));
    assert_eq!(t.sb.world(|w| w.faults().write_cap), Some(5));
    let state: Value = t
        .http
        .get(format!("{base}/_sandbox/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["milestones"].as_array().unwrap().len(), 11);
    assert!(state["issues"].as_array().unwrap().len() >= 55);
    assert!(t.sb.requests().iter().all(|r| r.path.starts_with("/api/v4")));

    let user = t.get("/user").await.json();
    assert_eq!(user["is_admin"], false);
    let pat = t.get("/personal_access_tokens/self").await.json();
    assert_eq!(
        (pat["scopes"].clone(), pat["active"].clone()),
        (json!(["api"]), json!(true))
    );
    let member = t
        .get(&format!("/projects/1/members/all/{}", user["id"]))
        .await
        .json();
    assert_eq!(member["access_level"], 40);
    t.sb.world(|w| w.token_mut(seed::TOKEN).unwrap().scopes = vec!["read_api".into()]);
    let r = t.put("/projects/1/issues/1", json!({"title": "x"})).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (403, json!("insufficient_scope"))
    );
    t.sb.world(|w| w.token_mut(seed::TOKEN).unwrap().revoked = true);
    assert_eq!(t.get("/user").await.json()["error"], "invalid_token");
    assert!(!t.sb.requests().iter().any(|r| r.query.contains(seed::TOKEN)));
}

#[test]
fn events_keep_builder_semantics() {
    let w = seed::demo(now());
    let wow = w.milestone_by_title("WoW").unwrap().id;
    let carried = w
        .issues(1)
        .into_iter()
        .find(|i| i.title == "Migrate DNS zones to new provider")
        .unwrap();
    let evs = w.events(carried.id);
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[1].action, EventAction::Add);
    assert_eq!(evs[1].milestone.as_ref().map(|m| m.id), Some(wow));
}

#[tokio::test]
async fn serve_binds_reports_its_address_and_answers() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(serve(seed::empty(now()), 0, move |addr| {
        let _ = tx.send(addr);
    }));
    let addr = rx.await.unwrap();
    assert!(addr.ip().is_loopback());
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/api/v4/projects/1"))
        .header("PRIVATE-TOKEN", seed::TOKEN)
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["web_url"],
        format!("http://{addr}/production/infrastructure")
    );
    server.abort();
}

mod publishing;
