//! `ConfigError`: a usage or configuration mistake (exit status 2). It names the
//! key or variable, the value, the line, and what is allowed.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// `week.timezone`, `WOW_NOW`, `--project`, ...
    pub key: String,
    /// The offending value, if there was one (never a token).
    pub value: Option<String>,
    /// Where: a file path with line, or nothing for variables and flags.
    pub location: Option<(String, usize)>,
    /// What is wrong and what is allowed, e.g. "unknown timezone; use an IANA name like Europe/Berlin".
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((path, line)) = &self.location {
            write!(f, "{path}:{line}: ")?;
        }
        write!(f, "{}", self.key)?;
        if let Some(v) = &self.value {
            write!(f, " = {v:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}
