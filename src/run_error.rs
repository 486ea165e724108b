//! One thing that went wrong in a run, as every report format lists it: which
//! step, on what, and GitLab's (or our) words for it. A failed run keeps each
//! error separately (SPEC "A report people read": `errors[]` entries are objects),
//! so 244 failed moves are 244 entries, never one joined string. Plain data.

/// The step of errors caused by a stop signal.
pub(crate) const STOPPED: &str = "stopped";

/// One error of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunError {
    /// What was being done: a step kind (`close_and_rename`, `move_issue`,
    /// `add_labels`, `publish`), or a phase's read (`read`), or `rotation` / `audit`.
    pub step: String,
    /// What it was about: a milestone title, an issue reference, a label, or what
    /// was being read.
    pub target: String,
    /// What went wrong and, where the error knows it, what to do next.
    pub message: String,
}

impl RunError {
    /// A read that failed, or was not sent because the run was stopped (those are
    /// `stopped`: the job gathers them into one error).
    pub(crate) fn of_read(what: &str, e: &crate::gitlab::GitlabError) -> RunError {
        let step = if e.is_stopped() { STOPPED } else { "read" };
        RunError::new(step, what, e.to_string())
    }

    pub(crate) fn new(
        step: impl Into<String>,
        target: impl Into<String>,
        message: impl Into<String>,
    ) -> RunError {
        RunError {
            step: step.into(),
            target: target.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RunError {
    /// `move_issue #12: GitLab refused …` — one line for the job log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.step, self.target, self.message)
    }
}
