//! `wowctl doctor`: checks that the API answers, that the token is valid, and that
//! its scopes and role cover what this configuration will do — no more, no less.
//!
//! `diagnose` gathers the facts (`gather`, GET only) and judges them (`needs`,
//! `diagnose`, pure); `render` turns the result into text. Nothing here prints or
//! picks an exit status: the caller (`app`) does both from `Diagnosis::verdict`.
//! Doctor must never send a write, and never shows the token (the client holds it).

mod diagnose;
mod gather;
mod needs;
mod render;

pub(crate) use diagnose::{Findings, Row, Verdict};
pub(crate) use gather::Facts;
pub(crate) use needs::JudgedFor;
pub(crate) use render::render;

use crate::gitlab::Client;
use crate::settings::{Action, Settings};
use diagnose::judge;
use gather::gather;
use needs::{judged_for, needs};

/// Everything doctor found out and concluded; `render` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnosis {
    /// "project group/app", as configured.
    pub target: String,
    pub facts: Facts,
    pub action: Action,
    /// `audit.fix`.
    pub fix: bool,
    pub judged_for: JudgedFor,
    pub findings: Findings,
}

impl Diagnosis {
    pub(crate) fn verdict(&self) -> Verdict {
        self.findings.verdict()
    }
}

/// Reads what GitLab says about the token and judges it for this configuration.
/// An error means doctor could not look (no project, unreachable, token rejected).
pub(crate) async fn diagnose(settings: &Settings, gl: &Client) -> anyhow::Result<Diagnosis> {
    let Some(scope) = settings.scope.as_ref().map(|s| &s.value) else {
        anyhow::bail!("no project or group is set (WOW_PROJECT or WOW_GROUP)");
    };
    let facts = gather(gl, scope).await?;
    let judged = judged_for(&settings.dry_run, settings.links.pipeline_source.as_deref());
    let (action, fix) = (settings.action.value, settings.config.audit.fix);
    let findings = judge(
        &needs(action, fix, judged.dry_run),
        &facts,
        settings.now.value.date_naive(),
    );
    Ok(Diagnosis {
        target: scope.describe(),
        facts,
        action,
        fix,
        judged_for: judged,
        findings,
    })
}
