//! Everything that speaks GitLab's REST API: the HTTP client, its errors, the
//! data model and the token type. Nothing here decides what to change.

pub mod client;
pub mod error;
pub mod fanout;
pub mod model;
pub mod next_steps;
pub mod pace;
pub mod retry;
pub mod stop;
pub mod token;

pub use client::{Client, ClientConfig, RequestCounts};
pub use error::GitlabError;
pub use fanout::fan_out;
pub use stop::Stop;
pub use token::Token;
