//! Offset pagination (gitlab-api.md §6): the query of a page, which page comes
//! next (`X-Next-Page`, else `Link: rel="next"`), and the total when GitLab gives
//! it. Pure.

use reqwest::header::HeaderMap;

use super::PER_PAGE;
use crate::gitlab::retry;

pub(super) fn owned(query: &[(&str, String)]) -> Vec<(String, String)> {
    query.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// The query of a list request: `per_page=100` unless the caller chose a size.
pub(super) fn paged_query(query: &[(&str, String)]) -> Vec<(String, String)> {
    let mut query = owned(query);
    if !query.iter().any(|(k, _)| k == "per_page") {
        query.push(("per_page".into(), PER_PAGE.into()));
    }
    query
}

/// The page a list request asks for (1 unless the caller set `page`).
pub(super) fn page_number(query: &[(String, String)]) -> u64 {
    query
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

pub(super) fn set_page(query: &mut Vec<(String, String)>, page: u64) {
    query.retain(|(k, _)| k != "page");
    query.push(("page".into(), page.to_string()));
}

/// `X-Total-Pages`, when GitLab counted (up to 10,000 records, gitlab-api.md §6).
pub(super) fn total_pages(headers: &HeaderMap) -> Option<u64> {
    retry::header_str(headers, "x-total-pages").and_then(|v| v.parse().ok())
}

/// What comes after this page (gitlab-api.md §6).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum NextPage {
    Done,
    Page(u64),
    Link(String),
}

pub(super) fn next_page(headers: &HeaderMap) -> NextPage {
    if let Some(v) = retry::header_str(headers, "x-next-page") {
        if v.is_empty() {
            return NextPage::Done;
        }
        if let Ok(n) = v.parse() {
            return NextPage::Page(n);
        }
        // Keyset mode may put something else there: use Link.
    }
    let links: Vec<&str> = headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    match links.iter().find_map(|l| link_next(l)) {
        Some(url) => NextPage::Link(url),
        None => NextPage::Done,
    }
}

/// The `rel="next"` URL of a `Link` header: `<url>; rel="next", <url>; rel="last"`.
pub(super) fn link_next(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let url = &after[..close];
        let params_end = after[close..].find('<').map_or(after.len(), |i| close + i);
        let params = &after[close + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.strip_prefix("rel=")
                .map(|v| v.trim_matches('"').split_whitespace().any(|r| r == "next"))
                .unwrap_or(false)
        });
        if is_next {
            return Some(url.to_string());
        }
        rest = &after[params_end..];
    }
    None
}
