//! Notes on issues as GitLab keeps them (gitlab-api.md §10b): the list (`sort`,
//! `order_by`, `activity_filter`, offset pagination), one note, a new comment
//! (author = the token's user; it bumps the issue's `updated_at`), and the texts
//! of the system notes GitLab writes when an issue's assignees, title,
//! description or confidentiality change. Label, milestone and state changes
//! write no note: they are resource events.
//!
//! Quick actions (`/label ~x` in a body) are not interpreted: a body is stored
//! as text. Nothing here knows about HTTP beyond `Params` in and `Reply` out.
//! The notes themselves are kept in `World::notes` (`state.rs`).

use super::pagination::{page_range, paginate};
use super::params::Params;
use super::records::NoteRec;
use super::reply::{ApiError, Reply};
use super::state::{display_name, World};
use chrono::{DateTime, Utc};

/// GitLab's limit on a note's length (`Note::MAX_NOTE_LENGTH`).
const MAX_NOTE_CHARS: usize = 1_000_000;

/// The builder's side: seeds and tests write notes directly (no API rules, no
/// clock tick).
impl World {
    /// A comment by `author` (a username; an unknown one becomes a user) at `at`.
    /// As on GitLab, a comment moves the issue's `updated_at` to `at` — forward
    /// only, so a seed can add the comments behind an earlier update. None when
    /// there is no such issue.
    pub fn add_note(
        &mut self,
        project_id: u64,
        iid: u64,
        author: &str,
        body: &str,
        at: DateTime<Utc>,
    ) -> Option<u64> {
        let issue_id = self.issue_id(project_id, iid)?;
        let user = self.add_user(author, &display_name(author));
        let id = self.push_note(issue_id, user, body, at, false);
        if let Some(issue) = self.issues.get_mut(&issue_id) {
            issue.updated_at = issue.updated_at.max(at);
        }
        Some(id)
    }

    /// A system note (`assigned to @bob.sre`, `changed the description`) by
    /// `author` at `at`; it leaves `updated_at` alone, as GitLab's do.
    pub fn add_system_note(
        &mut self,
        project_id: u64,
        iid: u64,
        author: &str,
        body: &str,
        at: DateTime<Utc>,
    ) -> Option<u64> {
        let issue_id = self.issue_id(project_id, iid)?;
        let user = self.add_user(author, &display_name(author));
        Some(self.push_note(issue_id, user, body, at, true))
    }

    /// The issue's notes (comments and system notes) in creation order.
    pub fn notes(&self, project_id: u64, iid: u64) -> Vec<NoteRec> {
        self.issue_id(project_id, iid)
            .and_then(|id| self.notes.get(&id))
            .cloned()
            .unwrap_or_default()
    }
}

impl World {
    /// `GET /projects/:id/issues/:iid/notes`. `url` is the request URL without query.
    pub(crate) fn api_list_notes(
        &self,
        issue_id: u64,
        p: &Params,
        url: &str,
        query: &str,
    ) -> Result<Reply, ApiError> {
        let by_updated = match p.get("order_by").unwrap_or("created_at") {
            "created_at" => false,
            "updated_at" => true,
            _ => {
                return Err(ApiError::bad_request_error(
                    "order_by does not have a valid value",
                ))
            }
        };
        let descending = match p.get("sort").unwrap_or("desc") {
            "desc" => true,
            "asc" => false,
            _ => return Err(ApiError::bad_request_error("sort does not have a valid value")),
        };
        let keep: fn(&NoteRec) -> bool = match p.get("activity_filter").unwrap_or("all_notes") {
            "all_notes" => |_| true,
            "only_comments" => |n| !n.system,
            "only_activity" => |n| n.system,
            _ => {
                return Err(ApiError::bad_request_error(
                    "activity_filter does not have a valid value",
                ))
            }
        };
        let mut found: Vec<&NoteRec> = self
            .notes
            .get(&issue_id)
            .into_iter()
            .flatten()
            .filter(|n| keep(n))
            .collect();
        // The id breaks ties in the same direction (`order_options_with_tie_breaker`).
        found.sort_by(|a, b| {
            let key = |n: &NoteRec| (if by_updated { n.updated_at } else { n.created_at }, n.id);
            let ord = key(a).cmp(&key(b));
            if descending {
                ord.reverse()
            } else {
                ord
            }
        });
        let (page, per_page) = p.paging()?;
        let range = page_range(found.len(), page, per_page);
        let items = found[range].iter().map(|n| self.note_json(n)).collect();
        Ok(paginate(items, found.len(), page, per_page, url, query))
    }

    pub(crate) fn api_get_note(&self, issue_id: u64, note: &str) -> Result<Reply, ApiError> {
        note.parse::<u64>()
            .ok()
            .and_then(|id| self.notes.get(&issue_id)?.iter().find(|n| n.id == id))
            .map(|n| Reply::ok(self.note_json(n)))
            .ok_or_else(|| ApiError::not_found("Note"))
    }

    /// `POST /projects/:id/issues/:iid/notes` with `body` by user `author`: any
    /// member may comment, so no role is checked.
    pub(crate) fn api_create_note(
        &mut self,
        issue_id: u64,
        p: &Params,
        author: u64,
    ) -> Result<Reply, ApiError> {
        let body = p
            .get("body")
            .ok_or_else(|| ApiError::bad_request_error("body is missing"))?
            .to_string();
        if body.trim().is_empty() {
            return Err(note_invalid("can't be blank"));
        }
        if body.chars().count() > MAX_NOTE_CHARS {
            return Err(note_invalid(&format!(
                "is too long (maximum is {MAX_NOTE_CHARS} characters)"
            )));
        }
        let at = self.tick();
        let id = self.push_note(issue_id, author, &body, at, false);
        if let Some(issue) = self.issues.get_mut(&issue_id) {
            issue.updated_at = at;
        }
        let note = self
            .notes
            .get(&issue_id)
            .and_then(|notes| notes.iter().find(|n| n.id == id))
            .ok_or_else(|| ApiError::not_found("Note"))?;
        Ok(Reply::json(201, self.note_json(note)))
    }
}

/// `bad_request!("Note #{note.errors.messages}")`: a Ruby hash inside a string.
fn note_invalid(problem: &str) -> ApiError {
    ApiError::message(400, &format!("400 Bad request - Note {{:note=>[\"{problem}\"]}}"))
}

/// `assigned to @a and @b and unassigned @c` (SystemNotes::IssuablesService);
/// None when the set did not change.
pub(crate) fn assignees_note(old: &[String], new: &[String]) -> Option<String> {
    let added: Vec<String> = new
        .iter()
        .filter(|u| !old.contains(u))
        .map(|u| format!("@{u}"))
        .collect();
    let removed: Vec<String> = old
        .iter()
        .filter(|u| !new.contains(u))
        .map(|u| format!("@{u}"))
        .collect();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("assigned to {}", sentence(&added)));
    }
    if !removed.is_empty() {
        parts.push(format!("unassigned {}", sentence(&removed)));
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// `changed title from **{-old-} x** to **{+new+} x**`: the changed middle of each
/// title is marked, the common start and end are not. GitLab's inline diff can mark
/// several ranges; one range (the span between the common prefix and suffix) is
/// enough for anything that reads these notes.
pub(crate) fn title_note(old: &str, new: &str) -> String {
    let (o, n): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    let prefix = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
    let room = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let mark = |s: &[char], sign: char| {
        let middle: String = s[prefix..s.len() - suffix].iter().collect();
        let head: String = s[..prefix].iter().collect();
        let tail: String = s[s.len() - suffix..].iter().collect();
        if middle.is_empty() {
            format!("{head}{tail}")
        } else {
            format!("{head}{{{sign}{middle}{sign}}}{tail}")
        }
    };
    format!(
        "changed title from **{}** to **{}**",
        mark(&o, '-'),
        mark(&n, '+')
    )
}

pub(crate) const DESCRIPTION_NOTE: &str = "changed the description";

pub(crate) fn confidential_note(confidential: bool) -> &'static str {
    if confidential {
        "made the issue confidential"
    } else {
        "made the issue visible to everyone"
    }
}

/// Rails' `to_sentence` in GitLab's locale: `a`, `a and b`, `a, b and c`.
fn sentence(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn assignee_notes() {
        let cases: [(&[&str], &[&str], Option<&str>); 6] = [
            (&[], &["alice"], Some("assigned to @alice")),
            (&["alice"], &[], Some("unassigned @alice")),
            (
                &["alice"],
                &["bob"],
                Some("assigned to @bob and unassigned @alice"),
            ),
            (&[], &["a", "b", "c"], Some("assigned to @a, @b and @c")),
            (&["a"], &["a", "b"], Some("assigned to @b")),
            (&["a", "b"], &["b", "a"], None),
        ];
        for (old, new, want) in cases {
            assert_eq!(
                assignees_note(&names(old), &names(new)).as_deref(),
                want,
                "{old:?} -> {new:?}"
            );
        }
    }

    #[test]
    fn title_notes_mark_the_changed_middle() {
        let cases = [
            ("Old", "New", "changed title from **{-Old-}** to **{+New+}**"),
            (
                "Outage: EU login",
                "Outage: EU and US login",
                "changed title from **Outage: EU login** to **Outage: EU {+and US +}login**",
            ),
            ("abc", "abcd", "changed title from **abc** to **abc{+d+}**"),
            ("aaa", "aa", "changed title from **aa{-a-}** to **aa**"),
            (
                "Déjà vu",
                "Déjà su",
                "changed title from **Déjà {-v-}u** to **Déjà {+s+}u**",
            ),
        ];
        for (old, new, want) in cases {
            assert_eq!(title_note(old, new), want, "{old} -> {new}");
        }
    }

    #[test]
    fn sentences() {
        assert_eq!(sentence(&names(&["a"])), "a");
        assert_eq!(sentence(&names(&["a", "b"])), "a and b");
        assert_eq!(sentence(&names(&["a", "b", "c"])), "a, b and c");
    }
}
