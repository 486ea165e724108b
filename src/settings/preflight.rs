//! Checks made before the first request (SPEC "Failures and signals"): the report directory
//! can be written, and the CA file (`CI_SERVER_TLS_CA_FILE`) is readable PEM holding a
//! certificate. A run that would otherwise apply its writes and then fail to write its report
//! (or blame a bad CA file on "the network") stops here with a configuration error, exit 2,
//! nothing sent. It touches the file system only to try it and leaves it as it found it: the
//! probe file, and any directory it had to create, are removed again. Never uses the network.

use super::{ConfigError, Settings, Source, Sourced};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Both checks, the report directory first.
pub(crate) fn check(settings: &Settings) -> Result<(), ConfigError> {
    report_dir(&settings.report_dir)?;
    if let Some(ca_file) = &settings.ca_file {
        ca_bundle(ca_file)?;
    }
    Ok(())
}

/// The report directory exists or can be created, and a file can be created in it.
pub(crate) fn report_dir(dir: &Sourced<PathBuf>) -> Result<(), ConfigError> {
    let origin = match &dir.source {
        Source::Flag { name } | Source::Variable { name } | Source::Ci { name } => name.clone(),
        _ => "report dir".to_string(),
    };
    let shown = dir.value.display().to_string();
    let fail = |what: String| {
        ConfigError::new(
            &origin,
            Some(&shown),
            format!(
                "{what}; the report is written there, so nothing was sent. Fix it, or point \
                 WOW_REPORT_DIR or --report-dir at a directory the job can write"
            ),
        )
    };
    let created = create_missing(&dir.value).map_err(|(path, e)| {
        let path = path.display();
        match e.kind() {
            io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => {
                fail(format!("{path} is a file, not a directory"))
            }
            _ => fail(format!("cannot create the directory {path} ({e})")),
        }
    })?;
    let probed = probe(&dir.value);
    // Leave the tree as it was: the report writer creates the directory again when it
    // writes, and `config check` must change nothing.
    for path in created.iter().rev() {
        let _ = fs::remove_dir(path);
    }
    probed.map_err(|e| fail(format!("cannot write in {shown} ({e})")))
}

/// Creates the missing directories of `path`, top down; returns those it created. The error
/// names the part that is in the way.
fn create_missing(path: &Path) -> Result<Vec<PathBuf>, (PathBuf, io::Error)> {
    // The deepest part of the path that exists; everything below it is missing.
    let mut missing = Vec::new();
    let mut part = path;
    loop {
        match fs::metadata(part) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => return Err((part.to_path_buf(), io::ErrorKind::AlreadyExists.into())),
            // Below a file, the path is "not a directory": walk up to name the file.
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
                missing.push(part.to_path_buf())
            }
            Err(e) => return Err((part.to_path_buf(), e)),
        }
        match part.parent() {
            // A relative path's first part: its parent is the working directory.
            Some(parent) if !parent.as_os_str().is_empty() => part = parent,
            _ => break,
        }
    }
    let mut created = Vec::new();
    for dir in missing.into_iter().rev() {
        match fs::create_dir(&dir) {
            Ok(()) => created.push(dir),
            // Another process made it meanwhile: it is not ours to remove.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => {
                for path in created.iter().rev() {
                    let _ = fs::remove_dir(path);
                }
                return Err((dir, e));
            }
        }
    }
    Ok(created)
}

/// Creates and removes a file in `dir`: permissions, a read-only file system and a full
/// quota all show up here rather than after the run's writes.
fn probe(dir: &Path) -> io::Result<()> {
    let mut attempt = 0;
    loop {
        let path = dir.join(format!(".wowctl-write-check-{}-{attempt}", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => {
                drop(file);
                return fs::remove_file(&path);
            }
            // A probe left by a killed run with the same process id: not ours, try another name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 10 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

/// The CA bundle can be read and holds at least one PEM certificate, read the way the
/// HTTP client will read it.
pub(crate) fn ca_bundle(ca_file: &Sourced<PathBuf>) -> Result<(), ConfigError> {
    let origin = match &ca_file.source {
        Source::Flag { name } | Source::Variable { name } | Source::Ci { name } => name.clone(),
        other => other.to_string(),
    };
    let shown = ca_file.value.display().to_string();
    let fail = |what: String| {
        ConfigError::new(
            &origin,
            Some(&shown),
            format!(
                "{what}; it must be a PEM file of the CA certificates that sign GitLab's \
                 (-----BEGIN CERTIFICATE-----). Nothing was sent"
            ),
        )
    };
    let pem = fs::read(&ca_file.value).map_err(|e| fail(format!("cannot read the CA file ({e})")))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| fail(format!("the CA file is not valid PEM ({e})")))?;
    if certificates.is_empty() {
        return Err(fail("the CA file holds no certificate".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(path: PathBuf) -> Sourced<PathBuf> {
        Sourced::new(
            path,
            Source::Variable {
                name: "WOW_REPORT_DIR".into(),
            },
        )
    }

    /// Every path under `root`, relative, sorted: what a check left behind.
    fn tree(root: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(path) = stack.pop() {
            for entry in fs::read_dir(&path).unwrap() {
                let entry = entry.unwrap().path();
                out.push(entry.strip_prefix(root).unwrap().display().to_string());
                if entry.is_dir() {
                    stack.push(entry);
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_writable_report_dir_passes_and_nothing_is_left_behind() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("existing")).unwrap();
        fs::write(root.path().join("existing/report.md"), "old").unwrap();
        for relative in ["existing", "new", "new/deeper/still"] {
            report_dir(&dir(root.path().join(relative))).unwrap_or_else(|e| panic!("{relative}: {e}"));
            assert_eq!(
                tree(root.path()),
                ["existing", "existing/report.md"],
                "{relative}"
            );
        }
    }

    #[test]
    fn a_file_in_the_way_is_named_with_what_to_do() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("wow-report");
        fs::write(&file, "not a directory").unwrap();
        let shown = file.display().to_string();
        for path in [file.clone(), file.join("sub")] {
            let e = report_dir(&dir(path.clone())).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "WOW_REPORT_DIR = {:?}: {shown} is a file, not a directory; the report is \
                     written there, so nothing was sent. Fix it, or point WOW_REPORT_DIR or \
                     --report-dir at a directory the job can write",
                    path.display().to_string()
                )
            );
        }
        assert_eq!(tree(root.path()), ["wow-report"]);
    }

    #[test]
    fn ca_file_must_be_readable_pem_with_a_certificate() {
        let root = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = root.path().join(name);
            fs::write(&path, text).unwrap();
            path
        };
        let garbage = write("garbage.pem", "this is not a certificate\n");
        let broken = write(
            "broken.pem",
            "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
        );
        let missing = root.path().join("missing.pem");
        let cases = [
            (&garbage, "the CA file holds no certificate"),
            (&broken, "the CA file is not valid PEM"),
            (&missing, "cannot read the CA file"),
        ];
        for (path, expected) in cases {
            let ca = Sourced::new(
                path.clone(),
                Source::Ci {
                    name: "CI_SERVER_TLS_CA_FILE".into(),
                },
            );
            let e = ca_bundle(&ca).unwrap_err().to_string();
            let start = format!(
                "CI_SERVER_TLS_CA_FILE = {:?}: {expected}",
                path.display().to_string()
            );
            assert!(e.starts_with(&start), "{e}");
            assert!(
                e.ends_with("(-----BEGIN CERTIFICATE-----). Nothing was sent"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_real_certificate_passes() {
        // A self-signed certificate made for this test (`openssl req -x509`, CN wowctl test CA).
        let pem = "-----BEGIN CERTIFICATE-----
MIIBhjCCAS2gAwIBAgIUVPx6hxgI+2NhYitgGjlmAyK3zvswCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOd293Y3RsIHRlc3QgQ0EwHhcNMjYxMjAyMDExNTU3WhcNMzYx
MTI5MDExNTU3WjAZMRcwFQYDVQQDDA53b3djdGwgdGVzdCBDQTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABOrsg4qI7GgkH9WisBCufp5kL2UeNERQQr0xSxmiSbPR
sGrcX2Qmq50GSnpEPVMeGR2u2XReiFW2UjefN9+/YyWjUzBRMB0GA1UdDgQWBBQ+
6+y7f9rOhaRVDEMqsJ8MHj5TzjAfBgNVHSMEGDAWgBQ+6+y7f9rOhaRVDEMqsJ8M
Hj5TzjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIEEHGSxfSvN1
bjpkKjuJ9B1eMWS0GnrqtQteJ5qLk651AiBsGDiI66puLca2c61DN9QqihuLs3e4
uBFrxzKNywOrNw==
-----END CERTIFICATE-----
";
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("ca.pem");
        fs::write(&path, pem).unwrap();
        let ca = Sourced::new(
            path,
            Source::Ci {
                name: "CI_SERVER_TLS_CA_FILE".into(),
            },
        );
        assert_eq!(ca_bundle(&ca), Ok(()));
    }
}
