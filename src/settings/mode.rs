//! Dry run or not, from `--dry-run`, `WOW_DRY_RUN` and `CI_PIPELINE_SOURCE` (SPEC "Modes").
//! Pure. The safe answer wins by default: only the pipeline sources a person or a schedule
//! starts on purpose apply changes; a merge request pipeline never does by accident.

use super::env::parse_bool;
use super::{ConfigError, Source, Sourced};

/// Pipeline sources that apply changes unless a dry run is asked for (gitlab-api.md §10
/// lists every value; anything not here, and unset, is a dry run).
pub(crate) const APPLYING_SOURCES: [&str; 5] = ["schedule", "web", "api", "trigger", "pipeline"];

/// Whether this pipeline source applies changes by default.
pub(crate) fn applies_by_default(pipeline_source: Option<&str>) -> bool {
    pipeline_source.is_some_and(|s| APPLYING_SOURCES.contains(&s))
}

/// Dry run: the flag, else `WOW_DRY_RUN`, else derived from the pipeline source (with the
/// reason, for `config check` and the report). A `WOW_DRY_RUN` that is not a boolean is an error.
pub(crate) fn dry_run(
    flag: Option<bool>,
    wow_dry_run: Option<&str>,
    pipeline_source: Option<&str>,
) -> Result<Sourced<bool>, ConfigError> {
    if let Some(value) = flag {
        return Ok(Sourced::new(
            value,
            Source::Flag {
                name: "--dry-run".into(),
            },
        ));
    }
    if let Some(text) = wow_dry_run {
        let value = parse_bool("WOW_DRY_RUN", text)?;
        return Ok(Sourced::new(
            value,
            Source::Variable {
                name: "WOW_DRY_RUN".into(),
            },
        ));
    }
    let reason = match pipeline_source {
        Some(source) if applies_by_default(Some(source)) => {
            format!("CI_PIPELINE_SOURCE={source}: changes are applied")
        }
        Some(source) => {
            format!("CI_PIPELINE_SOURCE={source}: dry run unless WOW_DRY_RUN=false or --dry-run=false")
        }
        None => "CI_PIPELINE_SOURCE not set (outside CI): dry run unless WOW_DRY_RUN=false or \
                 --dry-run=false"
            .to_string(),
    };
    Ok(Sourced::new(
        !applies_by_default(pipeline_source),
        Source::Derived { reason },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pipeline_source_with_and_without_overrides() {
        let sources = [
            (Some("schedule"), false),
            (Some("web"), false),
            (Some("api"), false),
            (Some("trigger"), false),
            (Some("pipeline"), false),
            (Some("push"), true),
            (Some("merge_request_event"), true),
            (Some("external"), true),
            (Some("parent_pipeline"), true),
            (Some("Schedule"), true),
            (None, true),
        ];
        for (source, default_dry) in sources {
            let derived = dry_run(None, None, source).unwrap();
            assert_eq!(derived.value, default_dry, "{source:?}");
            assert!(matches!(derived.source, Source::Derived { .. }), "{source:?}");

            // Explicit answers win over the pipeline source, both ways.
            for explicit in [true, false] {
                let text = explicit.to_string();
                let by_var = dry_run(None, Some(&text), source).unwrap();
                assert_eq!(
                    by_var,
                    Sourced::new(
                        explicit,
                        Source::Variable {
                            name: "WOW_DRY_RUN".into()
                        }
                    )
                );
                let by_flag = dry_run(Some(explicit), Some(&(!explicit).to_string()), source).unwrap();
                assert_eq!(
                    by_flag,
                    Sourced::new(
                        explicit,
                        Source::Flag {
                            name: "--dry-run".into()
                        }
                    )
                );
            }
        }
    }

    #[test]
    fn reasons_say_why() {
        let reason = |source| match dry_run(None, None, source).unwrap().source {
            Source::Derived { reason } => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason(Some("schedule")),
            "CI_PIPELINE_SOURCE=schedule: changes are applied"
        );
        assert_eq!(
            reason(Some("merge_request_event")),
            "CI_PIPELINE_SOURCE=merge_request_event: dry run unless WOW_DRY_RUN=false or --dry-run=false"
        );
        assert_eq!(
            reason(None),
            "CI_PIPELINE_SOURCE not set (outside CI): dry run unless WOW_DRY_RUN=false or --dry-run=false"
        );
    }

    #[test]
    fn bad_wow_dry_run_is_an_error_naming_it() {
        let e = dry_run(None, Some("maybe"), Some("schedule")).unwrap_err();
        assert_eq!(e.to_string(), "WOW_DRY_RUN = \"maybe\": expected true or false");
        // The flag wins, so a bad variable underneath it is not read.
        assert!(dry_run(Some(true), Some("maybe"), None).is_ok());
    }
}
