//! The API token as a type that cannot be printed: Debug and Display show
//! `(redacted)`. Only `expose` gives the secret, and only the client calls it.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    secret: String,
    /// The variable or flag it came from (`WOW_TOKEN`), for the 401 message.
    pub origin: String,
}

impl Token {
    pub fn new(secret: impl Into<String>, origin: impl Into<String>) -> Self {
        Token {
            secret: secret.into(),
            origin: origin.into(),
        }
    }

    /// The secret itself, for the `PRIVATE-TOKEN` header. Nothing else may call this.
    pub fn expose(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(redacted, from {})", self.origin)
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}
