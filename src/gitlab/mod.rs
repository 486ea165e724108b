//! Everything that speaks GitLab's REST API: the HTTP client, its errors, the
//! data model and the token type. Nothing here decides what to change.

// The data model is public: the simulated GitLab and the integration tests build
// and read these objects. The rest is wowctl's own.
pub(crate) mod client;
pub(crate) mod error;
mod fanout;
pub mod model;
mod next_steps;
mod pace;
mod retry;
mod stop;
pub(crate) mod token;

pub(crate) use client::{Client, ClientConfig};
pub(crate) use error::GitlabError;
pub(crate) use fanout::fan_out;
pub(crate) use stop::Stop;
pub(crate) use token::Token;
