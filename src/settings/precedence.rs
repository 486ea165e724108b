//! The one rule for where a setting comes from (SPEC "Settings and their precedence"):
//! flag > `WOW_*` variable > configuration file > GitLab's predefined `CI_*` variable >
//! default. `resolve` lists the places each setting may be set; `pick` applies the rule.
//! Pure. Only the winning value is parsed, so a broken value that lost (a stale
//! `CI_SERVER_URL` under a good `WOW_API_URL`) never stops a run.

use super::{ConfigError, Source, Sourced};

/// One place a setting may be set, and its value there (`None` = not set).
pub(crate) struct Candidate<V> {
    pub source: Source,
    pub value: Option<V>,
}

impl<V> Candidate<V> {
    pub(crate) fn flag(name: &str, value: Option<V>) -> Self {
        Candidate {
            source: Source::Flag { name: name.into() },
            value,
        }
    }

    /// A `WOW_*` variable (or `GITLAB_TOKEN`, which wowctl reads as its own).
    pub(crate) fn var(name: &str, value: Option<V>) -> Self {
        Candidate {
            source: Source::Variable { name: name.into() },
            value,
        }
    }

    /// A GitLab predefined CI variable.
    pub(crate) fn ci(name: &str, value: Option<V>) -> Self {
        Candidate {
            source: Source::Ci { name: name.into() },
            value,
        }
    }
}

/// The rank of a source in the SPEC's order, lowest wins.
fn rank(source: &Source) -> u8 {
    match source {
        Source::Flag { .. } => 0,
        Source::Variable { .. } => 1,
        Source::File { .. } => 2,
        Source::Ci { .. } => 3,
        Source::Derived { .. } => 4,
        Source::Default => 5,
    }
}

/// The name a value is reported under in an error (`--api-url`, `WOW_API_URL`).
fn name(source: &Source) -> String {
    match source {
        Source::Flag { name } | Source::Variable { name } | Source::Ci { name } => name.clone(),
        other => other.to_string(),
    }
}

/// The set candidate of highest precedence (ties: the one listed first), parsed with
/// `parse(name, value)`; `None` when no candidate is set. The caller adds the default.
pub(crate) fn pick<V, T>(
    candidates: impl IntoIterator<Item = Candidate<V>>,
    parse: impl FnOnce(&str, V) -> Result<T, ConfigError>,
) -> Result<Option<Sourced<T>>, ConfigError> {
    let winner = candidates
        .into_iter()
        .enumerate()
        .filter(|(_, c)| c.value.is_some())
        .min_by_key(|(index, c)| (rank(&c.source), *index));
    let Some((
        _,
        Candidate {
            source,
            value: Some(value),
        },
    )) = winner
    else {
        return Ok(None);
    };
    let value = parse(&name(&source), value)?;
    Ok(Some(Sourced::new(value, source)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(value: Option<&'static str>) -> Candidate<&'static str> {
        Candidate {
            source: Source::File {
                path: ".wow.yml".into(),
                line: 3,
            },
            value,
        }
    }

    #[test]
    fn the_highest_set_layer_wins_whatever_the_listing_order() {
        type Case = (Vec<Candidate<&'static str>>, Option<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            (vec![], None),
            (
                vec![Candidate::var("WOW_X", None), Candidate::ci("CI_X", None)],
                None,
            ),
            (
                vec![
                    Candidate::ci("CI_X", Some("ci")),
                    file(Some("file")),
                    Candidate::var("WOW_X", Some("var")),
                    Candidate::flag("--x", Some("flag")),
                ],
                Some(("flag", "--x")),
            ),
            (
                vec![
                    Candidate::ci("CI_X", Some("ci")),
                    file(Some("file")),
                    Candidate::var("WOW_X", Some("var")),
                    Candidate::flag("--x", None),
                ],
                Some(("var", "WOW_X")),
            ),
            (
                vec![Candidate::ci("CI_X", Some("ci")), file(Some("file"))],
                Some(("file", ".wow.yml:3")),
            ),
            (
                vec![
                    Candidate::var("WOW_TOKEN", None),
                    Candidate::var("GITLAB_TOKEN", Some("second")),
                    Candidate::ci("CI_X", Some("ci")),
                ],
                Some(("second", "GITLAB_TOKEN")),
            ),
            (
                vec![
                    Candidate::var("WOW_TOKEN", Some("first")),
                    Candidate::var("GITLAB_TOKEN", Some("second")),
                ],
                Some(("first", "WOW_TOKEN")),
            ),
            (
                vec![Candidate::ci("CI_A", Some("a")), Candidate::ci("CI_B", Some("b"))],
                Some(("a", "CI_A")),
            ),
        ];
        for (candidates, expected) in cases {
            let got = pick(candidates, |name, value: &str| Ok(format!("{value} from {name}"))).unwrap();
            let expected = expected.map(|(value, name)| format!("{value} from {name}"));
            assert_eq!(got.map(|s| s.value), expected);
        }
    }

    #[test]
    fn only_the_winner_is_parsed() {
        let candidates = [
            Candidate::var("WOW_NOW", Some("good")),
            Candidate::ci("CI_NOW", Some("broken")),
        ];
        let got = pick(candidates, |name, value: &str| {
            if value == "broken" {
                Err(ConfigError::new(name, Some(value), "parsed a loser"))
            } else {
                Ok(value.len())
            }
        });
        assert_eq!(
            got.unwrap(),
            Some(Sourced::new(
                4,
                Source::Variable {
                    name: "WOW_NOW".into()
                }
            ))
        );
        let e = pick([Candidate::flag("--now", Some("x"))], |name, value: &str| {
            Err::<(), _>(ConfigError::new(name, Some(value), "not a time"))
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "--now = \"x\": not a time");
    }
}
