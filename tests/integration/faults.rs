//! Faults through the real binary against the sandbox: throttling, proxy 5xx
//! bursts, resets, malformed bodies, timeouts, too low a role, bad pipeline
//! variables, and the token never showing up anywhere. Each test asserts the exit
//! status, the message a person reads, and the report left behind.
//! Retries wait 1 ms (`WOW_RETRY_BASE_MS=1` from the harness); no test sleeps.

use crate::support::{at, tracker, Out, Wow, NOW, TOKEN};
use wowctl::gitlab::model::AccessLevel;
use wowctl::sandbox::{Fault, Target};

fn wow() -> Wow {
    Wow::new(tracker(at(NOW)).0)
}

/// A `.wow.yml` in its own directory (the report dir stays clean for scans).
fn config(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(".wow.yml"), text).expect("write .wow.yml");
    dir
}

fn config_path(dir: &tempfile::TempDir) -> String {
    dir.path().join(".wow.yml").display().to_string()
}

/// `requests` in report.json matches what the sandbox saw, retries included.
#[track_caller]
fn requests_match(wow: &Wow, out: &Out) {
    let report = out.report();
    for method in ["GET", "POST", "PUT", "DELETE"] {
        assert_eq!(
            report["requests"][method].as_u64(),
            Some(wow.count(method) as u64),
            "requests.{method} in report.json vs the sandbox's log"
        );
    }
}

fn statuses(wow: &Wow, status: u16) -> usize {
    wow.sandbox
        .requests()
        .iter()
        .filter(|r| r.status == status)
        .count()
}

#[test]
fn throttle_storm_with_retry_after_zero_is_retried_to_success() {
    let wow = wow();
    wow.sandbox.world(|w| w.faults_mut().throttle_next(4, 0));
    let out = wow.cmd(&["run"]).run().status(0);
    assert_eq!(statuses(&wow, 429), 4);
    assert_eq!(out.report()["rotation"]["status"], "rotated");
    requests_match(&wow, &out);
    // Each throttled attempt is counted: 4 more GETs than the same run without throttling.
    let clean = Wow::new(tracker(at(NOW)).0);
    let clean_out = clean.cmd(&["run"]).run().status(0);
    let gets = |o: &Out| o.report()["requests"]["GET"].as_u64().unwrap();
    assert_eq!(gets(&out), gets(&clean_out) + 4);
    assert_eq!(
        wow.state(),
        clean.state(),
        "same end state as a run without throttling"
    );
}

#[test]
fn proxy_5xx_bursts_are_retried_to_success() {
    for status in [502u16, 503, 504] {
        let wow = wow();
        // A burst on the first request, then another one on a write later on.
        wow.sandbox.world(|w| w.faults_mut().fail_next(3, status));
        let out = wow.cmd(&["run"]).run().status(0);
        assert_eq!(statuses(&wow, status), 3, "{status}");
        assert_eq!(out.report()["rotation"]["status"], "rotated", "{status}");
        assert!(out.report()["errors"].as_array().unwrap().is_empty(), "{status}");
        requests_match(&wow, &out);
    }
}

#[test]
fn burst_longer_than_max_retries_fails_clearly_and_still_writes_the_report() {
    let wow = wow();
    let cfg = config("api:\n  max_retries: 2\n");
    wow.sandbox.world(|w| w.faults_mut().fail_next(3, 503));
    let out = wow
        .cmd(&["run"])
        .env("WOW_CONFIG", &config_path(&cfg))
        .run()
        .status(1);
    assert!(
        out.stderr.contains(
            "GET /projects/1/milestones failed after 3 attempts: HTTP 503 Service Unavailable: (an HTML error page, probably from a proxy)"
        ),
        "{}",
        out.stderr
    );
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "failed");
    assert_eq!(report["audit"]["status"], "skipped");
    assert_eq!(report["exit_code"], 1);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["step"], "read");
    assert_eq!(errors[0]["target"], "the milestones");
    assert!(
        errors[0]["message"].as_str().unwrap().starts_with("GET"),
        "{errors:?}"
    );
    assert_eq!(
        report["rotation"]["before"],
        serde_json::Value::Null,
        "not read: no claim about what exists"
    );
    // Three attempts at the milestones; a run that could not read GitLab sends nothing more.
    assert_eq!(report["requests"]["GET"], 3);
    assert_eq!(wow.writes(), 0);
    assert!(
        out.file("report.md").contains("503"),
        "report.md says what failed"
    );
}

#[test]
fn burst_after_some_writes_reports_what_was_done() {
    // The first write lands, then GitLab answers 503 to everything for a while.
    let wow = wow();
    let cfg = config("api:\n  max_retries: 1\n");
    wow.sandbox.world(|w| w.faults_mut().set_write_cap(1));
    let out = wow
        .cmd(&["run"])
        .env("WOW_CONFIG", &config_path(&cfg))
        .run()
        .status(1);
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "failed");
    let actions = report["rotation"]["actions"].as_array().unwrap();
    assert_eq!(
        actions[0]["applied"], true,
        "the close-and-rename was done: {actions:?}"
    );
    assert!(actions.iter().any(|a| a["applied"] == false), "{actions:?}");
    assert!(!report["errors"].as_array().unwrap().is_empty());
    // And a re-run once GitLab is back completes it.
    wow.sandbox.world(|w| w.faults_mut().clear_write_cap());
    let again = wow.cmd(&["run"]).run().status(0);
    assert_eq!(again.report()["rotation"]["status"], "resumed");
}

#[test]
fn connection_reset_mid_response_is_retried() {
    let wow = wow();
    wow.sandbox.world(|w| w.faults_mut().reset_after_header(2));
    let out = wow.cmd(&["run"]).run().status(0);
    assert_eq!(out.report()["rotation"]["status"], "rotated");
    requests_match(&wow, &out);
}

#[test]
fn connection_resets_beyond_the_retries_fail_without_panic() {
    let wow = wow();
    let cfg = config("api:\n  max_retries: 1\n");
    wow.sandbox.world(|w| w.faults_mut().reset_after_header(2));
    let out = wow
        .cmd(&["run"])
        .env("WOW_CONFIG", &config_path(&cfg))
        .run()
        .status(1);
    assert!(
        out.stderr
            .contains("GET /projects/1/milestones failed after 2 attempts"),
        "{}",
        out.stderr
    );
    assert_eq!(out.report()["rotation"]["status"], "failed");
}

#[test]
fn a_body_that_is_not_json_names_the_request() {
    let wow = wow();
    wow.sandbox.world(|w| w.faults_mut().malformed_next(1));
    let out = wow.cmd(&["run"]).run().status(1);
    assert!(
        out.stderr
            .contains("GitLab's answer to GET /projects/1/milestones could not be read"),
        "{}",
        out.stderr
    );
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "failed");
    assert_eq!(report["errors"].as_array().unwrap().len(), 1);
    assert_eq!(wow.writes(), 0);
}

#[test]
fn a_response_slower_than_the_timeout_fails_clearly() {
    let wow = wow();
    let cfg = config("api:\n  timeout: \"1s\"\n  max_retries: 0\n");
    // One request, 1.1 s: the smallest timeout the file allows is 1 s.
    wow.sandbox
        .world(|w| w.faults_mut().latency = std::time::Duration::from_millis(1100));
    let out = wow
        .cmd(&["run"])
        .env("WOW_CONFIG", &config_path(&cfg))
        .run()
        .status(1);
    assert!(
        out.stderr
            .contains("GET /projects/1/milestones failed after 1 attempt: no answer within 1s"),
        "{}",
        out.stderr
    );
    assert_eq!(out.report()["rotation"]["status"], "failed");
}

#[test]
fn guest_milestone_write_is_refused_naming_the_planner_role() {
    let wow = wow();
    wow.sandbox
        .world(|w| w.token_mut(TOKEN).unwrap().role = AccessLevel::Guest);
    let out = wow.cmd(&["run"]).run().status(1);
    assert!(
        out.stderr.contains(
            "403 Forbidden. The token needs the Planner role (or higher) in the project and scope `api`."
        ),
        "{}",
        out.stderr
    );
    let report = out.report();
    assert_eq!(report["rotation"]["status"], "failed");
    assert_eq!(wow.writes(), 1, "one write sent, refused, and the run stopped");
    assert_eq!(
        wow.state(),
        Wow::new(tracker(at(NOW)).0).state(),
        "the refused write changed nothing"
    );
}

#[test]
fn guest_carry_over_silently_dropped_is_an_error_naming_the_role() {
    let wow = wow();
    // Milestone steps done by an earlier run (stopped after 3 writes), issues left behind.
    wow.sandbox.world(|w| w.faults_mut().set_write_cap(3));
    wow.cmd(&["run"]).run().status(1);
    wow.sandbox.world(|w| {
        w.faults_mut().clear_write_cap();
        w.token_mut(TOKEN).unwrap().role = AccessLevel::Guest;
    });
    let out = wow.cmd(&["run"]).run().status(1);
    assert!(
        out.stderr.contains("but did not apply it: the token's role is too low. The token needs the Planner role (or higher)."),
        "{}",
        out.stderr
    );
    assert_eq!(out.report()["rotation"]["status"], "failed");
    // The issues are still in the closed week: nothing was moved behind our back.
    assert_eq!(
        wow.issue(1).milestone.map(|m| m.title),
        Some("WoW ending 2026-11-24".to_string())
    );
}

/// Every file under `dir`, recursively.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_token_never_appears_at_any_verbosity() {
    const SECRET: &str = "glpat-Zq9xW4-doctor-SECRET-7731";
    let wow = wow();
    wow.sandbox.world(|w| {
        w.add_token(SECRET, AccessLevel::Maintainer);
        // Warnings and retries in the log too.
        w.faults_mut().throttle_next(1, 0);
        w.faults_mut().fail_next(1, 502);
    });
    let mut outs = Vec::new();
    for args in [
        vec!["run", "-vvv"],
        vec!["config", "check", "-vvv"],
        vec!["doctor", "-vvv"],
    ] {
        outs.push(wow.cmd(&args).env("WOW_TOKEN", SECRET).env("NO_COLOR", "1").run());
    }
    // A wrong token (401) and one in GITLAB_TOKEN.
    outs.push(
        wow.cmd(&["run", "-vvv"])
            .env("WOW_TOKEN", "glpat-WRONG-Zq9xW4-SECRET")
            .run(),
    );
    outs.push(
        wow.cmd(&["doctor", "-vvv"])
            .unset("WOW_TOKEN")
            .env("GITLAB_TOKEN", SECRET)
            .run(),
    );
    assert_eq!(outs[0].status, 0, "{}", outs[0].stderr);
    assert!(
        outs[0].stderr.contains("retry"),
        "-vvv logs the retries: {}",
        outs[0].stderr
    );
    for out in [&outs[0], &outs[2], &outs[3], &outs[4]] {
        assert!(
            out.stderr.contains("> private-token: (redacted)"),
            "-vvv logs the request headers, the token redacted: {}",
            out.stderr
        );
    }
    assert_eq!(outs[3].status, 1);
    for out in &outs {
        for s in [SECRET, "glpat-WRONG"] {
            assert!(!out.stdout.contains(s), "token in stdout:\n{}", out.stdout);
            assert!(!out.stderr.contains(s), "token in stderr:\n{}", out.stderr);
        }
    }
    let written = files(wow.report_dir.path());
    assert!(written.len() >= 4, "{written:?}");
    for f in written {
        let bytes = std::fs::read(&f).expect("read report file");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET), "token in {}", f.display());
        assert!(!text.contains("glpat-WRONG"), "token in {}", f.display());
    }
}

#[test]
fn bad_pipeline_variables_are_exit_2_naming_the_variable() {
    let wow = wow();
    let cases: [(&str, &str, &str); 8] = [
        ("WOW_API_URL", "not a url", "WOW_API_URL"),
        ("WOW_API_URL", "https://", "WOW_API_URL"),
        ("WOW_NOW", "next wednesday", "WOW_NOW"),
        ("WOW_NOW", "2026-11-25", "WOW_NOW"),
        ("WOW_PROJECT", "group//app", "WOW_PROJECT"),
        ("WOW_PROJECT", "/group/app/", "WOW_PROJECT"),
        ("WOW_ACTION", "bogus", "WOW_ACTION"),
        ("WOW_DRY_RUN", "maybe", "WOW_DRY_RUN"),
    ];
    for (var, value, named) in cases {
        let out = wow.cmd(&["run"]).env(var, value).run();
        assert_eq!(out.status, 2, "{var}={value:?}: {}", out.stderr);
        assert!(out.stderr.contains(named), "{var}={value:?}: {}", out.stderr);
        assert!(out.stderr.lines().count() <= 2, "short: {}", out.stderr);
    }
    assert_eq!(wow.sandbox.requests().len(), 0, "nothing sent on a usage error");
}

#[test]
fn empty_project_variable_falls_back_or_complains() {
    let wow = wow();
    // Empty WOW_PROJECT counts as unset: CI_PROJECT_ID is used.
    let out = wow
        .cmd(&["run"])
        .env("WOW_PROJECT", "")
        .env("CI_PROJECT_ID", "1")
        .run()
        .status(0);
    assert_eq!(out.report()["rotation"]["status"], "rotated");
    // Without a fallback it names the variable to set.
    let out = wow.cmd(&["run"]).env("WOW_PROJECT", "  ").run().status(2);
    assert!(out.stderr.contains("WOW_PROJECT"), "{}", out.stderr);
}

/// The client paces itself from `RateLimit-Remaining`/`RateLimit-Reset`: a run that
/// needs more requests than one window allows waits for the next window instead of
/// being throttled. (Windows are 2 s here instead of GitLab's 60 s.)
#[test]
fn a_paced_run_past_the_rate_limit_receives_no_429() {
    let world = wowctl::sandbox::seed::scale(100, 0.2, at(NOW));
    let wow = Wow::new(world);
    wow.sandbox.world(|w| {
        w.faults_mut().rate_limit = Some(25);
        w.faults_mut().rate_period = std::time::Duration::from_secs(2);
    });
    let out = wow.cmd(&["audit"]).run().status(0);
    let sent = wow.sandbox.requests().len();
    assert!(sent > 25, "the run needs more than one window: {sent}");
    let throttled = wow.sandbox.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(throttled, 0, "no 429 received");
    assert_eq!(out.report()["audit"]["issues_checked"], 100);
}

/// The sandbox's first milestone read gets `fault` (whatever `run` reads before it).
fn on_milestones(wow: &Wow, fault: Fault) {
    wow.sandbox.world(|w| {
        w.faults_mut()
            .inject(Target::matching("GET", "/projects/1/milestones$"), 1, fault)
    });
}

fn milestone_reads(wow: &Wow) -> usize {
    wow.sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/api/v4/projects/1/milestones")
        .count()
}

#[test]
fn an_html_page_during_run_says_the_url_is_not_the_api() {
    let wow = wow();
    on_milestones(&wow, Fault::Html);
    let out = wow.cmd(&["run"]).run().status(1);
    let url = wow.sandbox.api_url();
    assert!(
        out.stderr.contains(&format!(
            "{url} did not answer like GitLab's API: GET /projects/1/milestones got an HTML page (\"Sign in · GitLab\") where JSON was expected. It is probably not GitLab's API, or a proxy or sign-in page stands in front of it: WOW_API_URL must be GitLab's own API URL, ending in /api/v4."
        )),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("expected value at line 1"), "{}", out.stderr);
    assert_eq!(milestone_reads(&wow), 1, "not retried");
    assert_eq!(wow.writes(), 0);
    requests_match(&wow, &out);
}

#[test]
fn a_redirect_elsewhere_names_where_it_pointed_and_is_not_followed() {
    let wow = wow();
    let https = wow.sandbox.base_url().replace("http://", "https://");
    on_milestones(
        &wow,
        Fault::Redirect(format!("{https}/api/v4/projects/1/milestones?state=active")),
    );
    let out = wow.cmd(&["run"]).run().status(1);
    let origin = wow.sandbox.base_url();
    assert!(
        out.stderr.contains(&format!(
            "GET /projects/1/milestones was redirected (302) to {https}/api/v4/projects/1/milestones?state=active; wowctl follows redirects only within {origin}, as the token goes along. GitLab answers on HTTPS: use {https}/api/v4 as WOW_API_URL."
        )),
        "{}",
        out.stderr
    );
    assert_eq!(milestone_reads(&wow), 1, "neither followed nor retried");
    assert_eq!(wow.writes(), 0);
    requests_match(&wow, &out);
}

#[test]
fn https_to_a_plain_http_port_says_so_and_is_not_retried() {
    let wow = wow();
    let addr = wow.sandbox.base_url().replace("http://", "");
    let out = wow
        .cmd(&["run"])
        .env("WOW_API_URL", &format!("https://{addr}/api/v4"))
        .run()
        .status(1);
    assert!(
        out.stderr.contains(&format!(
            "the server at {addr} does not speak TLS (received corrupt message of type InvalidContentType): use http://{addr}/api/v4 as WOW_API_URL, or check the port."
        )),
        "{}",
        out.stderr
    );
    assert_eq!(out.report()["requests"]["GET"], 1, "one attempt, no retries");
    assert_eq!(wow.sandbox.requests().len(), 0, "no HTTP request ever reached it");
}

#[test]
fn a_silent_server_names_api_timeout() {
    let wow = wow();
    // One silence of 1 s (the smallest timeout the file allows), no retries.
    let cfg = config("api:\n  timeout: \"1s\"\n  max_retries: 0\n");
    on_milestones(&wow, Fault::Silent);
    let out = wow
        .cmd(&["run"])
        .env("WOW_CONFIG", &config_path(&cfg))
        .run()
        .status(1);
    assert!(
        out.stderr.contains(
            "GET /projects/1/milestones failed after 1 attempt: no answer within 1s (api.timeout). GitLab is slow or unreachable: try again later (a re-run resumes where this one stopped), or raise api.timeout in .wow.yml if GitLab is only slow."
        ),
        "{}",
        out.stderr
    );
    assert_eq!(out.report()["rotation"]["status"], "failed");
    assert_eq!(wow.writes(), 0);
}

#[test]
fn a_sandbox_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wowctl"))
        .args(["sandbox", "--port", &port, "--now", NOW])
        .env_clear()
        .stdin(std::process::Stdio::null())
        .output()
        .expect("wowctl runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "error: port {port} is in use on 127.0.0.1: pick another with --port (--port 0 picks a free one)"
        )
    );
}

/// `-v` logs each request, `-vv` adds the decisions, `-vvv` the headers (token redacted).
#[test]
fn each_verbosity_level_adds_something() {
    let wow = wow();
    let run = |flag: &str| {
        // A throttled first read, so that there is a retry to decide on.
        wow.sandbox.world(|w| w.faults_mut().throttle_next(1, 0));
        let out = wow.cmd(&["run", flag]).env("NO_COLOR", "1").run().status(0);
        assert!(!out.stderr.contains(TOKEN), "token in {flag}:\n{}", out.stderr);
        out.stderr
    };
    let request_line = |log: &str| {
        log.lines().any(|l| {
            l.contains("GET /projects/1/milestones?") && l.contains(" → 200 in ") && l.ends_with(" ms")
        })
    };
    let decision = |log: &str| log.contains("before retry 1: ");
    let header = |log: &str| {
        log.contains("> private-token: (redacted)") && log.contains("< content-type: application/json")
    };

    let quiet = run("-q");
    assert!(
        !request_line(&quiet) && !decision(&quiet) && !header(&quiet),
        "{quiet}"
    );
    let v = run("-v");
    assert!(request_line(&v), "-v logs each request: {v}");
    assert!(v.contains(" → 429 in "), "-v logs the throttled answer too: {v}");
    assert!(!decision(&v) && !v.contains("private-token"), "-v: {v}");
    let vv = run("-vv");
    assert!(request_line(&vv) && decision(&vv), "-vv adds the decisions: {vv}");
    assert!(!vv.contains("private-token"), "-vv: {vv}");
    let vvv = run("-vvv");
    assert!(
        request_line(&vvv) && decision(&vvv) && header(&vvv),
        "-vvv adds the headers: {vvv}"
    );
}
