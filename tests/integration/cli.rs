//! The command line and settings through the real binary: help, version, config
//! check, configuration errors (exit 2), and GitLab's error answers made readable.

use crate::support::*;
use std::process::Command;

fn wowctl(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wowctl"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_shows_examples_and_version_prints() {
    let (code, stdout, _) = wowctl(&["--help"], &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Examples:") && stdout.contains("wowctl demo"),
        "{stdout}"
    );
    for cmd in ["run", "rotate", "audit", "demo", "sandbox", "doctor"] {
        let (code, stdout, _) = wowctl(&[cmd, "--help"], &[]);
        assert_eq!(code, 0, "{cmd} --help");
        assert!(stdout.contains("Usage:"), "{stdout}");
    }
    let (code, stdout, _) = wowctl(&["--version"], &[]);
    assert_eq!(
        (code, stdout.trim()),
        (0, concat!("wowctl ", env!("CARGO_PKG_VERSION")))
    );
}

#[test]
fn config_check_shows_sources_without_network_and_masks_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".wow.yml");
    std::fs::write(&config, "week:\n  timezone: Europe/Berlin\n").unwrap();
    let (code, stdout, stderr) = wowctl(
        &[
            "config",
            "check",
            "--config",
            config.to_str().unwrap(),
            "--project",
            "group/app",
        ],
        &[
            ("WOW_TOKEN", "glpat-supersecret-123"),
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Europe/Berlin"), "{stdout}");
    assert!(
        stdout.contains(".wow.yml:2"),
        "the file line is the source: {stdout}"
    );
    assert!(stdout.contains("CI_API_V4_URL"), "{stdout}");
    assert!(stdout.contains("--project"), "{stdout}");
    assert!(!stdout.contains("supersecret") && !stderr.contains("supersecret"));
}

#[test]
fn configuration_errors_exit_2_naming_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.yml");
    for (text, expected) in [
        ("audit:\n  grac: 1h\n", "bad.yml:2"),
        ("week:\n  starts_on: someday\n", "week.starts_on"),
        ("week:\n  timezone: Mars/Olympus\n", "week.timezone"),
        ("audit:\n  grace: 5 minutes\n", "audit.grace"),
        ("report:\n  fail_on_findings: maybe\n", "report.fail_on_findings"),
    ] {
        std::fs::write(&config, text).unwrap();
        let (code, _, stderr) = wowctl(&["config", "check", "--config", config.to_str().unwrap()], &[]);
        assert_eq!(code, 2, "{text}: {stderr}");
        assert!(stderr.contains(expected), "{text}: {stderr}");
    }
}

#[test]
fn a_missing_token_or_project_names_the_variable() {
    let (code, _, stderr) = wowctl(
        &["run"],
        &[
            ("CI_API_V4_URL", "http://127.0.0.1:9/api/v4"),
            ("CI_PROJECT_ID", "1"),
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("WOW_TOKEN"), "{stderr}");
    let (code, _, stderr) = wowctl(
        &["run"],
        &[("CI_API_V4_URL", "http://127.0.0.1:9/api/v4"), ("WOW_TOKEN", "x")],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("WOW_PROJECT"), "{stderr}");
}

#[test]
fn gitlab_errors_are_readable() {
    let (world, _) = tracker(at(NOW));
    let wow = Wow::new(world);
    let out = wow.cmd(&["run"]).env("WOW_TOKEN", "wrong-token").run().status(1);
    assert!(
        out.stderr.contains("401") && out.stderr.contains("WOW_TOKEN"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("wrong-token"));
    let out = wow
        .cmd(&["run"])
        .env("WOW_PROJECT", "nobody/nothing")
        .run()
        .status(1);
    assert!(
        out.stderr.contains("nobody/nothing") && out.stderr.contains("404"),
        "{}",
        out.stderr
    );
    let out = wow
        .cmd(&["run"])
        .env("WOW_API_URL", "http://127.0.0.1:9/api/v4")
        .run()
        .status(1);
    assert!(out.stderr.contains("http://127.0.0.1:9/api/v4"), "{}", out.stderr);
}

#[test]
fn the_sandbox_answers_like_gitlab_over_http() {
    // `wowctl sandbox` as a user would start it, on a port the OS picks.
    let mut child = Command::new(env!("CARGO_BIN_EXE_wowctl"))
        .args(["sandbox", "--port", "0", "--now", NOW])
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches("/api/v4")
        .to_string();
    let addr = base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::{Read, Write};
    write!(
        stream,
        "GET /api/v4/projects/1/milestones HTTP/1.1\r\nHost: {addr}\r\nPRIVATE-TOKEN: {TOKEN}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.to_ascii_lowercase().contains("x-next-page:"), "{head}");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert!(body.as_array().unwrap().iter().any(|m| m["title"] == "WoW"));
}
