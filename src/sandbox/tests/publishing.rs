//! What the sandbox does for publishing (gitlab-api.md §10b), over real HTTP:
//! notes (list, create, system notes), issue creation and search, milestone
//! descriptions, the token's user and record, and the targeted faults that let a
//! test make publishing fail while the rotation works.

use super::*;
use crate::gitlab::model::AccessLevel;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn bodies(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|n| n["body"].as_str().unwrap_or("").to_string())
        .collect()
}

/// An empty project with issue #1 ("Outage: EU login") and three comments.
fn commented() -> T {
    let t = T::new(seed::empty(now()));
    t.sb.world(|w| {
        let (_, iid) = w.add_issue(
            IssueSpec::new(1, "Outage: EU login")
                .labels(&["outage"])
                .created(at("2026-01-05T08:00:00Z")),
        );
        w.add_note(1, iid, "alice.ops", "first", at("2026-01-05T09:00:00Z"));
        w.add_note(1, iid, "bob.sre", "second", at("2026-01-05T10:00:00Z"));
        w.add_note(1, iid, "alice.ops", "third", at("2026-01-05T11:00:00Z"));
    });
    t
}

#[tokio::test]
async fn notes_list_newest_first_by_default_sorted_and_paginated() {
    let t = commented();
    let r = t.get("/projects/1/issues/1/notes").await;
    assert_eq!(r.status, 200);
    assert_eq!(bodies(&r.json()), vec!["third", "second", "first"]);
    let n = &r.json()[2];
    assert_eq!(n["author"]["username"], "alice.ops");
    assert_eq!(n["author"]["name"], "Alice Ops");
    assert!(n["author"]["id"].as_u64().is_some());
    assert_eq!(n["created_at"], "2026-01-05T09:00:00Z");
    assert_eq!(n["updated_at"], "2026-01-05T09:00:00Z");
    assert_eq!(
        (
            n["system"].clone(),
            n["internal"].clone(),
            n["noteable_type"].clone(),
            n["noteable_iid"].clone()
        ),
        (json!(false), json!(false), json!("Issue"), json!(1))
    );
    let issue = t.get("/projects/1/issues/1").await.json();
    assert_eq!(n["noteable_id"], issue["id"]);
    assert_eq!(issue["user_notes_count"], 3);
    // Comments from the builder move `updated_at` forward, as GitLab's do.
    assert_eq!(issue["updated_at"], "2026-01-05T11:00:00Z");

    let cases = [
        ("sort=asc", vec!["first", "second", "third"]),
        ("order_by=updated_at&sort=asc", vec!["first", "second", "third"]),
        ("order_by=created_at&sort=desc", vec!["third", "second", "first"]),
        ("per_page=2", vec!["third", "second"]),
        ("per_page=2&page=2", vec!["first"]),
        ("activity_filter=only_activity", vec![]),
    ];
    for (query, want) in cases {
        let r = t.get(&format!("/projects/1/issues/1/notes?{query}")).await;
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        assert_eq!(bodies(&r.json()), want, "{query}");
    }
    let r = t.get("/projects/1/issues/1/notes?per_page=2").await;
    assert_eq!(
        (r.header("x-next-page"), r.header("x-total")),
        (Some("2"), Some("3"))
    );
    for (query, param) in [
        ("sort=up", "sort"),
        ("order_by=id", "order_by"),
        ("activity_filter=mine", "activity_filter"),
    ] {
        let r = t.get(&format!("/projects/1/issues/1/notes?{query}")).await;
        assert_eq!(
            (r.status, r.json()),
            (
                400,
                json!({ "error": format!("{param} does not have a valid value") })
            ),
            "{query}"
        );
    }
    let id = t.get("/projects/1/issues/1/notes").await.json()[0]["id"].clone();
    let r = t.get(&format!("/projects/1/issues/1/notes/{id}")).await;
    assert_eq!(r.json()["body"], "third");
    let r = t.get("/projects/1/issues/1/notes/1").await;
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"message": "404 Note Not Found"}))
    );
    let r = t.get("/projects/1/issues/9/notes").await;
    assert_eq!(r.json(), json!({"message": "404 Issue Not Found"}));
}

#[tokio::test]
async fn a_new_note_is_the_tokens_and_bumps_the_issue() {
    let t = commented();
    let bot = t.sb.world(|w| w.token_user(seed::TOKEN)).unwrap();
    let r = t
        .post(
            "/projects/1/issues/1/notes",
            json!({"body": "<!-- wowctl:handoff -->\n@alice.ops please hand this over"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let note = r.json();
    assert_eq!(note["author"]["id"], bot);
    assert_eq!(
        note["body"],
        "<!-- wowctl:handoff -->\n@alice.ops please hand this over"
    );
    assert_eq!(
        (note["system"].clone(), note["noteable_iid"].clone()),
        (json!(false), json!(1))
    );
    assert_eq!(note["created_at"], NOW);
    let issue = t.sb.world(|w| w.issue(1, 1)).unwrap();
    assert_eq!(issue.updated_at, now());
    assert_eq!(
        bodies(&t.get("/projects/1/issues/1/notes").await.json())[0],
        note["body"]
    );
    // The world's view, for tests that tell wowctl's notes from people's.
    let notes = t.sb.world(|w| w.notes(1, 1));
    assert_eq!(notes.last().map(|n| n.author), Some(bot));

    let r = t.post("/projects/1/issues/1/notes", json!({})).await;
    assert_eq!((r.status, r.json()), (400, json!({"error": "body is missing"})));
    let r = t.post("/projects/1/issues/1/notes", json!({"body": "  "})).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("can't be blank"));
    let r = t.post("/projects/1/issues/7/notes", json!({"body": "x"})).await;
    assert_eq!(r.status, 404);
    // Anyone who can see the issue may comment; a read-only token may not write.
    t.sb.world(|w| w.add_token("guest", AccessLevel::Guest));
    let r = t
        .http
        .post(format!("{}/projects/1/issues/1/notes", t.sb.api_url()))
        .header("PRIVATE-TOKEN", "guest")
        .json(&json!({"body": "from a guest"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    t.sb.world(|w| w.token_mut(seed::TOKEN).unwrap().scopes = vec!["read_api".into()]);
    assert_eq!(
        t.post("/projects/1/issues/1/notes", json!({"body": "x"}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn edits_write_system_notes_for_assignees_title_and_description_only() {
    let t = commented();
    let (alice, bob, wow) = t.sb.world(|w| {
        let alice = w.add_user("alice.ops", "Alice Ops");
        let bob = w.add_user("bob.sre", "Bob Sre");
        let wow = w.add_milestone(MilestoneSpec::new(Owner::Project(1), "WoW"));
        (alice, bob, wow)
    });
    let bot = t.sb.world(|w| w.token_user(seed::TOKEN)).unwrap();
    let system = |t: &T| {
        t.sb.world(|w| {
            w.notes(1, 1)
                .into_iter()
                .filter(|n| n.system)
                .map(|n| (n.body, n.author))
                .collect::<Vec<_>>()
        })
    };
    // Label, milestone and state changes are resource events: no note.
    for body in [
        json!({"add_labels": "unscheduled"}),
        json!({"milestone_id": wow}),
        json!({"state_event": "close"}),
        json!({"state_event": "reopen"}),
        json!({"labels": ""}),
    ] {
        assert_eq!(
            t.put("/projects/1/issues/1", body.clone()).await.status,
            200,
            "{body}"
        );
    }
    assert!(system(&t).is_empty());
    t.put(
        "/projects/1/issues/1",
        json!({"title": "Outage: EU and US login", "description": "Both regions", "assignee_ids": [alice]}),
    )
    .await;
    t.put("/projects/1/issues/1", json!({"assignee_ids": [bob]}))
        .await;
    t.put("/projects/1/issues/1", json!({"confidential": true})).await;
    assert_eq!(
        system(&t),
        vec![
            (
                "changed title from **Outage: EU login** to **Outage: EU {+and US +}login**".to_string(),
                bot
            ),
            ("changed the description".to_string(), bot),
            ("assigned to @alice.ops".to_string(), bot),
            ("assigned to @bob.sre and unassigned @alice.ops".to_string(), bot),
            ("made the issue confidential".to_string(), bot),
        ]
    );
    // The notes API lists them with `system: true`; only_comments leaves them out.
    let all = t
        .get("/projects/1/issues/1/notes?sort=asc&per_page=100")
        .await
        .json();
    assert_eq!(all.as_array().unwrap().len(), 8);
    assert_eq!(all[3]["system"], true);
    let comments = t
        .get("/projects/1/issues/1/notes?activity_filter=only_comments")
        .await
        .json();
    assert_eq!(bodies(&comments), vec!["third", "second", "first"]);
    assert_eq!(t.get("/projects/1/issues/1").await.json()["user_notes_count"], 3);
    // A no-op edit writes nothing; a Guest's assignment is dropped, so no note.
    t.put("/projects/1/issues/1", json!({"assignee_ids": [bob]}))
        .await;
    t.sb.world(|w| w.add_token("guest", AccessLevel::Guest));
    let r = t
        .http
        .put(format!("{}/projects/1/issues/1", t.sb.api_url()))
        .header("PRIVATE-TOKEN", "guest")
        .json(&json!({"assignee_ids": [alice]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(system(&t).len(), 5);
}

#[tokio::test]
async fn issues_are_created_closed_and_reopened() {
    let t = T::new(seed::empty(now()));
    let (wow, foreign) = t.sb.world(|w| {
        let other = w.add_project("other/app", None);
        (
            w.add_milestone(MilestoneSpec::new(Owner::Group(1), "WoW")),
            w.add_milestone(MilestoneSpec::new(Owner::Project(other), "Elsewhere")),
        )
    });
    let bot = t.sb.world(|w| w.token_user(seed::TOKEN)).unwrap();
    let r = t
        .post(
            "/projects/1/issues",
            json!({
                "title": " WoW report 2026-01-07 ",
                "description": "<!-- wowctl:report week=2026-01-07 -->\nbody",
                "labels": "wow-report,outage",
                "milestone_id": wow,
                "confidential": true,
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let issue = r.json();
    assert_eq!(
        (
            issue["iid"].clone(),
            issue["title"].clone(),
            issue["state"].clone()
        ),
        (json!(1), json!("WoW report 2026-01-07"), json!("opened"))
    );
    assert_eq!(
        issue["description"],
        "<!-- wowctl:report week=2026-01-07 -->\nbody"
    );
    assert_eq!(issue["labels"], json!(["outage", "wow-report"]));
    assert_eq!(issue["milestone"]["id"], wow);
    assert_eq!(issue["confidential"], true);
    assert_eq!(issue["author"]["id"], bot);
    assert_eq!(issue["created_at"], "2026-01-07T09:00:00Z");
    // The missing label was created as a project label; the milestone wrote an event.
    let labels = t.sb.world(|w| w.labels(Owner::Project(1)));
    assert!(labels
        .iter()
        .any(|l| l.name == "wow-report" && l.is_project_label == Some(true)));
    let evs = t
        .get("/projects/1/issues/1/resource_milestone_events")
        .await
        .json();
    assert_eq!(
        (evs[0]["action"].clone(), evs[0]["user"]["id"].clone()),
        (json!("add"), json!(bot))
    );
    // A foreign milestone is ignored, as on an edit.
    let r = t
        .post(
            "/projects/1/issues",
            json!({"title": "b", "milestone_id": foreign}),
        )
        .await;
    assert_eq!((r.status, r.json()["milestone"].clone()), (201, Value::Null));
    assert_eq!(r.json()["confidential"], false);

    let r = t
        .put("/projects/1/issues/1", json!({"state_event": "close"}))
        .await;
    assert_eq!(r.json()["state"], "closed");
    let r = t
        .put(
            "/projects/1/issues/1",
            json!({"state_event": "reopen", "description": "new"}),
        )
        .await;
    assert_eq!(
        (r.json()["state"].clone(), r.json()["closed_at"].clone()),
        (json!("opened"), Value::Null)
    );
    assert_eq!(r.json()["description"], "new");

    let r = t.post("/projects/1/issues", json!({"description": "x"})).await;
    assert_eq!((r.status, r.json()), (400, json!({"error": "title is missing"})));
    let r = t.post("/projects/1/issues", json!({"title": " "})).await;
    assert_eq!(
        (r.status, r.json()),
        (400, json!({"message": {"title": ["can't be blank"]}}))
    );
    let r = t
        .post("/projects/1/issues", json!({"title": "x".repeat(256)}))
        .await;
    assert_eq!(
        r.json(),
        json!({"message": {"title": ["is too long (maximum is 255 characters)"]}})
    );
    assert_eq!(
        t.post("/groups/1/issues", json!({"title": "x"})).await.status,
        404
    );
    // Below Planner: the issue is created, its metadata dropped.
    t.sb.world(|w| w.add_token("guest", AccessLevel::Guest));
    let r = t
        .http
        .post(format!("{}/projects/1/issues", t.sb.api_url()))
        .header("PRIVATE-TOKEN", "guest")
        .json(&json!({"title": "from a guest", "labels": "outage", "milestone_id": wow}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["labels"].clone(), v["milestone"].clone()),
        (json!([]), Value::Null)
    );
}

#[tokio::test]
async fn issue_search_in_title_or_description() {
    let t = T::new(seed::empty(now()));
    t.sb.world(|w| {
        w.add_issue(
            IssueSpec::new(1, "WoW report 2025-12-31").description("<!-- wowctl:report week=2025-12-31 -->"),
        );
        w.add_issue(
            IssueSpec::new(1, "Renamed by a person").description("<!-- wowctl:report week=2026-01-07 -->"),
        );
        w.add_issue(IssueSpec::new(1, "Report on disks").description("weekly"));
    });
    let cases = [
        (
            "search=report",
            vec!["Report on disks", "Renamed by a person", "WoW report 2025-12-31"],
        ),
        ("search=wow%20report&in=title", vec!["WoW report 2025-12-31"]),
        (
            "search=report&in=title",
            vec!["Report on disks", "WoW report 2025-12-31"],
        ),
        (
            "search=week%3D2026-01-07&in=description",
            vec!["Renamed by a person"],
        ),
        ("search=wowctl%3Areport&in=title", vec![]),
        ("search=%22week%20report%22&in=description", vec![]),
        (
            "search=%22report%20week%22&in=description",
            vec!["Renamed by a person", "WoW report 2025-12-31"],
        ),
        ("search=weekly&in=title,description", vec!["Report on disks"]),
        (
            "search=&state=opened",
            vec!["Report on disks", "Renamed by a person", "WoW report 2025-12-31"],
        ),
    ];
    for (query, want) in cases {
        let r = t.get(&format!("/projects/1/issues?{query}")).await;
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        assert_eq!(titles(&r.json()), want, "{query}");
    }
}

#[tokio::test]
async fn milestone_descriptions_on_create_and_with_close_and_rename() {
    let t = T::demo();
    let r = t
        .post(
            "/projects/1/milestones",
            json!({"title": "Offsite", "description": "Plans"}),
        )
        .await;
    assert_eq!((r.status, r.json()["description"].clone()), (201, json!("Plans")));
    let wow = t.milestone_id("WoW");
    let summary = "Kept text\n<!-- wowctl:summary -->\n* closed: #12+\n<!-- /wowctl:summary -->";
    let r = t
        .put(
            &format!("/projects/1/milestones/{wow}"),
            json!({"title": "WoW ending 2026-01-06", "state_event": "close", "description": summary}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.json()["title"].clone(),
            r.json()["state"].clone(),
            r.json()["description"].clone()
        ),
        (json!("WoW ending 2026-01-06"), json!("closed"), json!(summary))
    );
    let m = t.sb.world(|w| w.milestone(wow)).unwrap();
    assert_eq!(m.description.as_deref(), Some(summary));
    // A description alone is an edit too, and sending the same one changes nothing.
    let before = t.get(&format!("/projects/1/milestones/{wow}")).await.json()["updated_at"].clone();
    let r = t
        .put(
            &format!("/projects/1/milestones/{wow}"),
            json!({"description": summary}),
        )
        .await;
    assert_eq!((r.status, r.json()["updated_at"].clone()), (200, before));
}

#[tokio::test]
async fn the_tokens_user_and_record() {
    let t = T::new(seed::empty(now()));
    let user = t.get("/user").await.json();
    assert!(user["id"].as_u64().is_some());
    assert!(user["username"].as_str().unwrap().starts_with("wowctl_bot_"));
    assert_eq!(
        (user["name"].clone(), user["bot"].clone()),
        (json!("wowctl bot"), json!(true))
    );
    let expires = now().date_naive() + chrono::Duration::days(5);
    t.sb.world(|w| w.token_mut(seed::TOKEN).unwrap().expires_at = Some(expires));
    let pat = t.get("/personal_access_tokens/self").await.json();
    assert_eq!(pat["expires_at"], expires.to_string());
    assert_eq!(pat["user_id"], user["id"]);

    t.sb.world(|w| {
        w.add_token("person", AccessLevel::Developer);
        w.token_mut("person").unwrap().kind = TokenKind::Personal;
        w.add_token("oauth", AccessLevel::Developer);
        w.token_mut("oauth").unwrap().kind = TokenKind::OAuth;
    });
    let get = |token: &str, bearer: bool, path: &str| {
        let req = t.http.get(format!("{}{path}", t.sb.api_url()));
        let req = if bearer {
            req.bearer_auth(token)
        } else {
            req.header("PRIVATE-TOKEN", token)
        };
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(get("person", false, "/user").await.1["bot"], false);
    assert_eq!(get("person", false, "/personal_access_tokens/self").await.0, 200);
    // An OAuth token works as Bearer only, and has no token record.
    assert_eq!(get("oauth", false, "/user").await.0, 401);
    assert_eq!(get("oauth", true, "/user").await.0, 200);
    assert_eq!(
        get("oauth", true, "/personal_access_tokens/self").await,
        (
            400,
            json!({"message": "400 Bad request - This endpoint requires token type to be a personal access token"})
        )
    );
}

#[tokio::test]
async fn targeted_faults_fail_publishing_only() {
    let t = commented();
    let wow = t.sb.world(|w| {
        let wow = w.add_milestone(MilestoneSpec::new(Owner::Project(1), "WoW"));
        w.faults_mut().fail_matching("POST", "/notes", 2, 403);
        w.faults_mut().fail_matching("POST", "/issues$", 1, 500);
        wow
    });
    let r = t.post("/projects/1/issues/1/notes", json!({"body": "x"})).await;
    assert_eq!((r.status, r.json()), (403, json!({"message": "403 Forbidden"})));
    assert_eq!(t.get("/projects/1/issues/1/notes").await.status, 200);
    assert_eq!(
        t.put(
            &format!("/projects/1/milestones/{wow}"),
            json!({"state_event": "close"})
        )
        .await
        .status,
        200
    );
    let r = t.post("/projects/1/issues", json!({"title": "report"})).await;
    assert_eq!(
        (r.status, r.json()),
        (500, json!({"message": "500 Internal Server Error"}))
    );
    assert_eq!(
        t.post("/projects/1/issues/1/notes", json!({"body": "x"}))
            .await
            .status,
        403
    );
    assert_eq!(
        t.post("/projects/1/issues/1/notes", json!({"body": "x"}))
            .await
            .status,
        201
    );
    assert_eq!(
        t.post("/projects/1/issues", json!({"title": "report"}))
            .await
            .status,
        201
    );
    // Nothing was applied by the refused writes.
    assert_eq!(t.sb.world(|w| w.notes(1, 1).len()), 4);
    assert_eq!(t.sb.world(|w| w.issues(1).len()), 2);
}

#[tokio::test]
async fn html_pages_redirects_and_silence() {
    let t = T::new(seed::empty(now()));
    let base = t.sb.base_url();
    // Through the control API, as `wowctl sandbox` users would.
    let control = |body: Value| t.http.post(format!("{base}/_sandbox/faults")).json(&body).send();
    let r = control(json!({"html_next": 1, "redirect_next": {"count": 1}}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "a redirect needs a location");
    let r = control(json!({
        "html_next": 1,
        "redirect_next": {"location": "https://gitlab.example.com/users/sign_in"},
        "silent_next": {"method": "GET", "path": "/labels"},
    }))
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = t.get("/projects/1").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert!(r.text.contains("Sign in"));
    assert!(serde_json::from_str::<Value>(&r.text).is_err());
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let r = no_redirects
        .get(format!("{}/projects/1", t.sb.api_url()))
        .header("PRIVATE-TOKEN", seed::TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("https://gitlab.example.com/users/sign_in")
    );
    // The silent request is read and never answered: the client's timeout ends it.
    assert_eq!(t.get("/projects/1").await.status, 200);
    let sent = no_redirects
        .get(format!("{}/projects/1/labels", t.sb.api_url()))
        .header("PRIVATE-TOKEN", seed::TOKEN)
        .send()
        .await;
    assert!(sent.err().is_some_and(|e| e.is_timeout()));
    assert_eq!(t.get("/projects/1/labels").await.status, 200);
    let statuses: Vec<u16> = t.sb.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![200, 302, 200, 0, 200]);
    // A targeted failure through the control API.
    let r = control(json!({"fail_matching": {"method": "POST", "path": "/labels", "status": 403}}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(t.get("/projects/1/labels").await.status, 200);
    let r = t
        .post("/projects/1/labels", json!({"name": "x", "color": "#fff"}))
        .await;
    assert_eq!((r.status, r.json()), (403, json!({"message": "403 Forbidden"})));
    let r = control(json!({"fail_matching": {"status": 302}})).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
}
