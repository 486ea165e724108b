//! Publishing the week into GitLab itself (SPEC "Publishing into GitLab"), where
//! the people the report is for work: the closed week's summary on its milestone,
//! a weekly report issue, hand-off nudges, and why an issue got ~unscheduled.
//! Pure planning, like the rotation and the audit: `observe` reads, these
//! functions decide the writes (`Step`s), `apply` sends them and checks each
//! against GitLab's answer. A dry run lists them as planned.

pub(crate) mod comments;
pub(crate) mod report_issue;
pub(crate) mod summary;
