//! Parse the command line, run it, return the exit status. Nothing else.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = wowctl::cli::Cli::parse();
    let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
    ExitCode::from(wowctl::app::main(cli, env))
}
