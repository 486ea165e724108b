//! GitLab's offset pagination (gitlab-api.md §6): one page of a list plus the
//! `X-*` and `Link` headers, with totals and `rel="last"` omitted above 10,000.
//!
//! Pure: it slices and computes headers; callers serialise only the page's items.

use super::params::form_decode;
use super::reply::Reply;
use serde_json::Value;

/// Above this many matches GitLab stops counting.
pub(super) const COUNT_LIMIT: usize = 10_000;

/// The index range of the requested page.
pub(super) fn page_range(total: usize, page: usize, per_page: usize) -> std::ops::Range<usize> {
    let start = page.saturating_sub(1).saturating_mul(per_page).min(total);
    start..start.saturating_add(per_page).min(total)
}

/// Wraps one page's items in a reply with the pagination headers.
/// `url` is the request URL without query; `query` the raw query string.
pub(super) fn paginate(
    items: Vec<Value>,
    total: usize,
    page: usize,
    per_page: usize,
    url: &str,
    query: &str,
) -> Reply {
    let pages = total.div_ceil(per_page).max(1);
    let has_next = page.saturating_mul(per_page) < total;
    let has_prev = page > 1;
    let link = |p: usize| {
        let mut q: Vec<String> = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .filter(|kv| {
                let k = form_decode(kv.split('=').next().unwrap_or(""));
                k != "page" && k != "per_page"
            })
            .map(String::from)
            .collect();
        q.push(format!("page={p}"));
        q.push(format!("per_page={per_page}"));
        format!("<{url}?{}>", q.join("&"))
    };
    let mut links = Vec::new();
    if has_prev {
        links.push(format!("{}; rel=\"prev\"", link(page - 1)));
    }
    if has_next {
        links.push(format!("{}; rel=\"next\"", link(page + 1)));
    }
    links.push(format!("{}; rel=\"first\"", link(1)));
    let counted = total <= COUNT_LIMIT;
    if counted {
        links.push(format!("{}; rel=\"last\"", link(pages)));
    }
    let mut reply = Reply::ok(Value::Array(items))
        .header("X-Page", page.to_string())
        .header("X-Per-Page", per_page.to_string())
        .header(
            "X-Next-Page",
            if has_next {
                (page + 1).to_string()
            } else {
                String::new()
            },
        )
        .header(
            "X-Prev-Page",
            if has_prev {
                (page - 1).to_string()
            } else {
                String::new()
            },
        )
        .header("Link", links.join(", "));
    if counted {
        reply = reply
            .header("X-Total", total.to_string())
            .header("X-Total-Pages", pages.to_string());
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
        r.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn ranges() {
        assert_eq!(page_range(45, 1, 20), 0..20);
        assert_eq!(page_range(45, 3, 20), 40..45);
        assert_eq!(page_range(45, 4, 20), 45..45);
        assert_eq!(page_range(0, 1, 20), 0..0);
    }

    #[test]
    fn headers_on_first_last_and_uncounted_pages() {
        let r = paginate(vec![], 45, 1, 20, "http://h/api/v4/x", "state=opened&page=1");
        assert_eq!(header(&r, "X-Next-Page"), Some("2"));
        assert_eq!(header(&r, "X-Prev-Page"), Some(""));
        assert_eq!(header(&r, "X-Total"), Some("45"));
        assert_eq!(header(&r, "X-Total-Pages"), Some("3"));
        let link = header(&r, "Link").unwrap();
        assert!(link.contains("<http://h/api/v4/x?state=opened&page=2&per_page=20>; rel=\"next\""));
        assert!(link.contains("page=3&per_page=20>; rel=\"last\""));
        let r = paginate(vec![], 45, 3, 20, "u", "");
        assert_eq!(header(&r, "X-Next-Page"), Some(""));
        assert_eq!(header(&r, "X-Prev-Page"), Some("2"));
        let r = paginate(vec![], 10_001, 1, 100, "u", "");
        assert_eq!(header(&r, "X-Total"), None);
        assert_eq!(header(&r, "X-Total-Pages"), None);
        assert!(!header(&r, "Link").unwrap().contains("last"));
        assert_eq!(header(&r, "X-Next-Page"), Some("2"));
    }
}
