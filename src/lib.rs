//! dockform: reads a project, works out its stack and writes a production-grade
//! multi-stage Dockerfile with `dev`, `test` and `prod` targets.
//!
//! The pipeline: scan → detect → resolve → render → write. Only this module and
//! `main` print; every step before `write` is pure and testable in-process.

pub mod cli;
pub mod config;
pub mod credentials;
pub mod detect;
pub mod error;
pub mod ignorefile;
pub mod init;
pub mod layer;
pub mod preset;
pub mod questions;
pub mod render;
pub mod report;
pub mod scan;
pub mod settings;
pub mod stamp;
pub mod validate;
pub mod verify;
pub mod versions;
pub mod wizard;
pub mod write;

use clap::CommandFactory;

use cli::{Cli, Command};
use error::{Error, Result};

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let out = init::Output {
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Init(args) => init::init(&args, out),
        Command::Check(args) => init::init(&args.into_init(), out),
        Command::Detect(args) => report::detect(&args),
        Command::Presets(args) => report::presets(args.name.as_deref()),
        Command::Verify(args) => verify::verify(&args, cli.quiet),
        Command::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "dockform", &mut script);
            report::emit(&String::from_utf8_lossy(&script))?;
            Ok(0)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Error::io("render", "the man page", e))?;
            report::emit(&String::from_utf8_lossy(&page))?;
            Ok(0)
        }
    }
}
