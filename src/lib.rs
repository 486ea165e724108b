//! wowctl: rotates a team's weekly GitLab milestones, audits labels and writes a report.
//!
//! Data flows one way: settings → observe (reads) → plan (pure) → apply (the only
//! writer) → report. `docs/ARCHITECTURE.md` walks through `wowctl run`.

// What `main.rs` calls and what the integration tests drive (the sandbox and the
// GitLab objects it holds) is public; everything else is the crate's own, so the
// compiler reports what nothing uses.
pub mod app;
mod apply;
mod audit;
pub mod cli;
mod console;
mod doctor;
pub mod gitlab;
mod job;
mod milestones;
mod observe;
mod publish;
mod report;
mod rotation;
mod run_error;
pub mod sandbox;
mod settings;
mod step;
mod week;
