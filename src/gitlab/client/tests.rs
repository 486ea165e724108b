//! Tests of the client against a scripted GitLab on 127.0.0.1:0: each test says
//! what every hit answers.
use super::pages::link_next;
use super::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap as AxHeaders, Method as AxMethod, Uri};
use axum::response::{IntoResponse, Response};
use reqwest::header::HeaderName;
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
        stop: Stop::default(),
        stop_grace: Duration::from_secs(5),
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
    let all: Vec<Value> = tokio::time::timeout(Duration::from_secs(30), c.get_all("/projects/1/issues", &[]))
        .await
        .expect("pages 2-5 were not requested together")
        .unwrap();
    let ids: Vec<u64> = all.iter().map(|v| v["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn without_totals_pages_are_read_one_after_another() {
    let srv = serve(paged("no-totals")).await;
    let c = client(&srv.url);
    let all: Vec<Value> = c.get_all("/projects/1/issues", &[]).await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(counts(&c), [3, 0, 0, 0], "three pages, each once");
}

#[tokio::test]
async fn link_to_another_host_keeps_only_its_query() {
    let srv = serve(|hit| {
        let page = param(hit, "page").unwrap_or_else(|| "1".into());
        let link = "<https://elsewhere.example/api/v4/projects/1/labels?page=2&per_page=100>; rel=\"next\"";
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
}

#[tokio::test]
async fn gives_up_after_max_retries_with_a_transient_error() {
    let srv = serve(|_| (503, vec![], "Service Unavailable".into())).await;
    let c = client(&srv.url);
    let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "GET /projects/1 failed after 4 attempts: HTTP 503 Service Unavailable: Service Unavailable. GitLab, or a proxy in front of it, is overloaded or down: try again later; a re-run resumes where this one stopped."
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
}

/// A timeout is retried once (retry.rs's module doc): one silence is a hiccup,
/// two are a stuck server, and each costs a whole timeout.
#[tokio::test(start_paused = true)]
async fn a_silent_server_times_out_and_is_retried_once() {
    let srv = serve(|hit| {
        if hit.n < 1 {
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
    assert_eq!(counts(&c), [2, 0, 0, 0]);

    // Silent for good: 2 tries, not max_retries + 1 = 6.
    let srv = serve(|_| (0, vec![], String::new())).await;
    cfg.api_url = srv.url.clone();
    cfg.max_retries = 5;
    let c = Client::new(cfg.clone()).unwrap();
    let started = Instant::now();
    let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "GET /projects/1 failed after 2 attempts: no answer within 10s (api.timeout). GitLab is slow or unreachable: try again later (a re-run resumes where this one stopped), or raise api.timeout in .wow.yml if GitLab is only slow."
    );
    assert_eq!(counts(&c), [2, 0, 0, 0]);
    assert!(
        started.elapsed() < Duration::from_secs(21),
        "{:?}",
        started.elapsed()
    );

    // A 503 between two timeouts does not earn the second timeout another try.
    let srv = serve(|hit| match hit.n {
        1 => (503, vec![], "busy".into()),
        _ => (0, vec![], String::new()),
    })
    .await;
    cfg.api_url = srv.url.clone();
    let c = Client::new(cfg.clone()).unwrap();
    let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
    assert!(matches!(e, GitlabError::Transient { attempts: 3, .. }), "{e}");

    // The retry time limit counts the next try's timeout: 10 s of 15 s used, no second try.
    cfg.max_retry_time = Duration::from_secs(15);
    let c = Client::new(cfg).unwrap();
    let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
    assert!(matches!(e, GitlabError::Transient { attempts: 1, .. }), "{e}");
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
    assert!(
        matches!(&e, GitlabError::Redirected { status: 302, location, .. } if location == "http://127.0.0.2:9/api/v4/projects/1"),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!("GET /projects/away was redirected (302) to http://127.0.0.2:9/api/v4/projects/1; wowctl follows redirects only within {}, as the token goes along. If GitLab moved there, use http://127.0.0.2:9/api/v4 as WOW_API_URL; otherwise check WOW_API_URL.", srv.url.trim_end_matches("/api/v4"))
    );
    assert_eq!(srv.hits().len(), 3, "the redirect elsewhere was not retried");
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
async fn html_instead_of_json_says_the_url_is_not_the_api() {
    let sign_in = "<!DOCTYPE html>\n<html><head><title>Sign in · GitLab</title></head></html>";
    let srv = serve(move |hit| match hit.path.as_str() {
        "/api/v4/projects/1" => (
            200,
            h(&[("Content-Type", "text/html; charset=utf-8")]),
            sign_in.into(),
        ),
        "/api/v4/projects/2" => (200, vec![], "<html>sign in</html>".into()),
        _ => (
            404,
            h(&[("Content-Type", "text/html")]),
            "<html><title>Not Found</title></html>".into(),
        ),
    })
    .await;
    let c = client(&srv.url);
    let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{} did not answer like GitLab's API: GET /projects/1 got an HTML page (\"Sign in · GitLab\") where JSON was expected. It is probably not GitLab's API, or a proxy or sign-in page stands in front of it: WOW_API_URL must be GitLab's own API URL, ending in /api/v4.", srv.url)
    );
    let e = c.get::<Value>("/projects/2", &[]).await.unwrap_err();
    assert!(
        matches!(&e, GitlabError::NotApi { page, .. } if page == "an HTML page"),
        "{e}"
    );
    // GitLab's API answers a 404 in JSON: an HTML one is not the API either.
    let e = c.get::<Value>("/projects/3", &[]).await.unwrap_err();
    assert!(matches!(&e, GitlabError::NotApi { .. }), "{e}");
    assert_eq!(srv.hits().len(), 3, "none retried");
}

#[tokio::test]
async fn unreadable_answers_are_decode_errors() {
    let srv = serve(|hit| match hit.path.as_str() {
        "/api/v4/projects/1" => (200, vec![], "sign in".into()),
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

/// A TCP server that reads the request and answers `reply` (raw bytes), counting connections.
async fn raw_server(reply: &'static [u8]) -> (String, Arc<AtomicU64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let connections = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(reply).await;
        }
    });
    (addr.to_string(), connections)
}

#[tokio::test]
async fn tls_and_plain_http_mixed_up_say_so_and_are_not_retried() {
    // https:// to a plain-HTTP server.
    let srv = serve(|_| ok(json!({"id": 1}))).await;
    let url = srv.url.replace("http://", "https://");
    let c = client(&url);
    let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
    let addr = url.trim_start_matches("https://").trim_end_matches("/api/v4");
    assert_eq!(
        e.to_string(),
        format!("the server at {addr} does not speak TLS (received corrupt message of type InvalidContentType): use http://{addr}/api/v4 as WOW_API_URL, or check the port.")
    );
    assert_eq!(counts(&c), [1, 0, 0, 0], "not retried");

    // http:// to a TLS server: it answers the plain request with a TLS alert.
    let (addr, connections) = raw_server(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]).await;
    let c = client(&format!("http://{addr}/api/v4"));
    let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("the server at {addr} does not answer plain HTTP; it probably speaks TLS: use https://{addr}/api/v4 as WOW_API_URL, or check the port.")
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1, "not retried");

    // ... or, like nginx, with a 400 page saying so.
    let srv = serve(|_| {
        (
            400,
            h(&[("Content-Type", "text/html")]),
            "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head></html>"
                .into(),
        )
    })
    .await;
    let c = client(&srv.url);
    let e = c.get::<Value>("/projects/1", &[]).await.unwrap_err();
    assert!(matches!(&e, GitlabError::Protocol { .. }), "{e}");
    assert!(e.to_string().contains("it probably speaks TLS"), "{e}");
    assert_eq!(srv.hits().len(), 1);
}

#[test]
fn waits_for_people() {
    let table = [
        (Duration::from_micros(275_605), "275 ms"),
        (Duration::ZERO, "0 ms"),
        (Duration::from_millis(1500), "1.5 s"),
        (Duration::from_secs(120), "120 s"),
    ];
    for (d, want) in table {
        assert_eq!(for_people(d), want, "{d:?}");
    }
}

#[test]
fn headers_in_the_log_never_show_the_token() {
    let mut token = HeaderValue::from_static(SECRET);
    token.set_sensitive(true);
    let plain = HeaderValue::from_static("plain");
    let table = [
        (HeaderName::from_static("private-token"), &token, "(redacted)"),
        (HeaderName::from_static("x-anything"), &token, "(redacted)"),
        (HeaderName::from_static("private-token"), &plain, "(redacted)"),
        (HeaderName::from_static("authorization"), &plain, "(redacted)"),
        (HeaderName::from_static("set-cookie"), &plain, "(redacted)"),
        (HeaderName::from_static("x-next-page"), &plain, "plain"),
    ];
    for (name, value, want) in table {
        assert_eq!(header_for_log(&name, value), want, "{name}");
    }
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
