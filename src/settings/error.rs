//! `ConfigError`: a usage or configuration mistake (exit status 2). It names the
//! key or variable, the value, the line, and what is allowed.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigError {
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
        // A YAML syntax error has no key: `path:line: message`.
        if !self.key.is_empty() {
            write!(f, "{}", self.key)?;
            if let Some(v) = &self.value {
                write!(f, " = {v:?}")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// An error about a variable or flag (no file location).
    pub(crate) fn new(key: impl Into<String>, value: Option<&str>, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.into(),
            value: value.map(str::to_string),
            location: None,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_location_key_value_and_message() {
        let cases = [
            (
                ConfigError {
                    key: "week.timezone".into(),
                    value: Some("Mars".into()),
                    location: Some((".wow.yml".into(), 4)),
                    message: "unknown timezone".into(),
                },
                ".wow.yml:4: week.timezone = \"Mars\": unknown timezone",
            ),
            (
                ConfigError::new("WOW_NOW", Some("soon"), "not RFC 3339"),
                "WOW_NOW = \"soon\": not RFC 3339",
            ),
            (
                ConfigError::new("WOW_TOKEN", None, "not set"),
                "WOW_TOKEN: not set",
            ),
            (
                ConfigError {
                    key: String::new(),
                    value: None,
                    location: Some(("a.yml".into(), 2)),
                    message: "not valid YAML".into(),
                },
                "a.yml:2: not valid YAML",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
        }
    }
}
