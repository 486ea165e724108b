//! How the HTTP client is set up: redirects followed only within GitLab's own
//! origin (the token goes along with a redirect), and a custom CA bundle read as
//! PEM.

use super::error_chain;

/// Follows redirects (moved projects answer with one, §1) only within the
/// original scheme, host and port: reqwest would carry `PRIVATE-TOKEN` to any host.
pub(super) fn same_origin_redirects() -> reqwest::redirect::Policy {
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

pub(super) fn read_ca_file(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, String> {
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
