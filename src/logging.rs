//! Diagnostic logging (`-v`, `-vv`, `-vvv`) through env_logger, to stderr.
//!
//! Only wowctl's own modules log above `warn`: the HTTP stack at debug/trace would
//! print request details, and the token must never reach any output. The token
//! header is also marked sensitive in the client.

use crate::cli::{Cli, Command};
use log::LevelFilter;
use std::collections::BTreeMap;

pub fn init(cli: &Cli, env: &BTreeMap<String, String>) {
    let (verbose, quiet) = match (&cli.command, cli.command.common()) {
        (_, Some(c)) => (c.verbose, c.quiet),
        (Command::Demo(d), None) => (d.verbose, d.quiet),
        _ => (0, false),
    };
    let level = match (quiet, verbose) {
        (true, _) => LevelFilter::Error,
        (false, 0) => LevelFilter::Warn,
        (false, 1) => LevelFilter::Info,
        (false, 2) => LevelFilter::Debug,
        (false, _) => LevelFilter::Trace,
    };
    let mut builder = env_logger::Builder::new();
    builder
        .filter_level(LevelFilter::Warn)
        .filter_module("wowctl", level)
        .format_timestamp(None)
        .format_target(verbose >= 2);
    if env.contains_key("NO_COLOR") {
        builder.write_style(env_logger::WriteStyle::Never);
    }
    let _ = builder.try_init();
}
