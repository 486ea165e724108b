//! The checks before the first request (SPEC "Failures and signals"): a report dir that
//! cannot be written and a CA file that is not PEM stop `run`, `rotate` and `audit` with
//! exit 2 before a single request reaches the sandbox, and `config check` rejects them too.

use crate::support::{at, tracker, Wow, NOW};

/// A project where a real run would apply writes (a rotation is due).
fn wow() -> Wow {
    Wow::new(tracker(at(NOW)).0)
}

#[test]
fn a_report_dir_that_is_a_file_stops_every_run_before_any_request() {
    let wow = wow();
    let file = wow.report_dir.path().join("wow-report");
    std::fs::write(&file, "a file in the way").unwrap();
    let shown = file.display().to_string();
    for command in [
        &["run", "--dry-run=false"][..],
        &["rotate"],
        &["audit"],
        &["config", "check"],
    ] {
        let out = wow.cmd(command).env("WOW_REPORT_DIR", &shown).run().status(2);
        assert!(
            out.stderr.contains(&format!("WOW_REPORT_DIR = {shown:?}"))
                && out.stderr.contains("is a file, not a directory"),
            "{command:?}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "{command:?}: {}", out.stdout);
    }
    assert_eq!(wow.sandbox.requests().len(), 0, "nothing was sent");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "a file in the way",
        "the file is left alone"
    );
}

#[test]
fn a_ca_file_that_is_not_pem_stops_the_run_naming_the_variable() {
    let wow = wow();
    let garbage = wow.report_dir.path().join("ca.pem");
    std::fs::write(&garbage, "<html>not a certificate</html>\n").unwrap();
    let missing = wow.report_dir.path().join("missing.pem");
    for (path, problem) in [
        (&garbage, "the CA file holds no certificate"),
        (&missing, "cannot read the CA file"),
    ] {
        let shown = path.display().to_string();
        for command in [&["run", "--dry-run=false"][..], &["config", "check"]] {
            let out = wow
                .cmd(command)
                .env("CI_SERVER_TLS_CA_FILE", &shown)
                .run()
                .status(2);
            assert!(
                out.stderr
                    .contains(&format!("CI_SERVER_TLS_CA_FILE = {shown:?}: {problem}")),
                "{command:?}: {}",
                out.stderr
            );
        }
    }
    assert_eq!(wow.sandbox.requests().len(), 0, "nothing was sent");
}

#[test]
fn config_check_passes_with_a_missing_report_dir_and_leaves_nothing_behind() {
    let wow = wow();
    let dir = wow.report_dir.path().join("out/wow-report");
    wow.cmd(&["config", "check"])
        .env("WOW_REPORT_DIR", &dir.display().to_string())
        .run()
        .status(0);
    assert!(
        !wow.report_dir.path().join("out").exists(),
        "no directory was left"
    );
    let left: Vec<_> = std::fs::read_dir(wow.report_dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(wow.sandbox.requests().len(), 0);
}
