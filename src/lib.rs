//! wowctl: rotates a team's weekly GitLab milestones, audits labels and writes a report.
//!
//! Data flows one way: settings → observe (reads) → plan (pure) → apply (the only
//! writer) → report. `docs/ARCHITECTURE.md` walks through `wowctl run`.

pub mod app;
pub mod apply;
pub mod audit;
pub mod cli;
pub mod doctor;
pub mod gitlab;
pub mod job;
pub mod logging;
pub mod milestones;
pub mod observe;
pub mod output;
pub mod report;
pub mod rotation;
pub mod sandbox;
pub mod settings;
pub mod step;
pub mod week;
