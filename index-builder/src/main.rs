//! index-builder: turns an REU roll export into the artifact that
//! voter-lookup serves, and writes synthetic rolls for tests, benches, demos
//! and rehearsals. The work is done by `voter_core`; this binary parses
//! arguments, shows progress and prints the outcome.

mod build_cmd;
mod cli;
mod generate_cmd;
mod keygen_cmd;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build_cmd::run(&args),
        Command::Generate(args) => generate_cmd::run(&args),
        Command::Keygen(args) => keygen_cmd::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Library errors already carry their cause (`FILE:LINE: reason`),
            // so only the outermost message is printed.
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
