//! dockform: reads a project, works out its stack and writes a production-grade
//! multi-stage Dockerfile with `dev`, `test` and `prod` targets.
//!
//! The pipeline: scan → detect → resolve → render → write. Only this module and
//! `main` print; every step before `write` is pure and testable in-process.

pub mod cli;
pub mod config;
pub mod credentials;
pub mod deliver;
pub mod denylist;
pub mod detect;
pub mod error;
pub mod go_monorepo;
pub mod ignorefile;
pub mod init;
pub mod layer;
pub mod monorepo;
pub mod output;
pub mod preset;
pub mod questions;
pub mod render;
pub mod report;
pub mod scan;
pub mod settings;
pub mod stamp;
#[cfg(test)]
mod testing;
pub mod uv_monorepo;
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
    anstream::ColorChoice::write_global(match cli.color {
        cli::ColorWhen::Auto => anstream::ColorChoice::Auto,
        cli::ColorWhen::Always => anstream::ColorChoice::Always,
        cli::ColorWhen::Never => anstream::ColorChoice::Never,
    });
    let out = deliver::Output {
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
            clap_complete::generate(args.shell, &mut documented()?, "dockform", &mut script);
            output::emit(&String::from_utf8_lossy(&script))?;
            Ok(0)
        }
        Command::Man(args) => man(&args),
    }
}

/// The command line as completions and man pages describe it: the values `--stack`,
/// `--runtime`, `--package-manager` and `--preset` (and `presets NAME`) accept, from
/// the embedded presets. Parsing does not use it: those values are checked with
/// messages that name their source.
fn documented() -> Result<clap::Command> {
    use clap::builder::PossibleValuesParser;
    let presets = preset::Presets::embedded()?;
    let union = |each: &dyn Fn(&preset::Preset) -> Vec<String>| {
        let mut all: Vec<String> = presets.all().flat_map(each).collect();
        all.sort();
        all.dedup();
        PossibleValuesParser::new(all)
    };
    let runtimes = union(&|p| p.runtime.keys().cloned().collect());
    let managers = union(&|p| p.package_managers.keys().cloned().collect());
    let names = union(&|p| vec![p.name.clone()]);
    let stacks = PossibleValuesParser::new(detect::stack_ids());
    Ok(Cli::command()
        .mut_subcommand("init", |c| {
            c.mut_arg("stack", |a| a.value_parser(stacks.clone()))
                .mut_arg("runtime", |a| a.value_parser(runtimes))
                .mut_arg("package_manager", |a| a.value_parser(managers))
                .mut_arg("preset", |a| a.value_parser(names.clone()))
        })
        .mut_subcommand("detect", |c| c.mut_arg("stack", |a| a.value_parser(stacks)))
        .mut_subcommand("presets", |c| c.mut_arg("name", |a| a.value_parser(names))))
}

/// `dockform man`: one page on stdout, or every page into `--out-dir`.
fn man(args: &cli::ManArgs) -> Result<i32> {
    let mut command = documented()?.disable_help_subcommand(true);
    command.build();
    if let Some(dir) = &args.out_dir {
        clap_mangen::generate_to(command, dir)
            .map_err(|e| Error::io("write man pages to", dir, e))?;
        return Ok(0);
    }
    let page = match &args.command {
        None => command,
        Some(name) => command
            .find_subcommand(name)
            .filter(|c| !c.is_hide_set())
            .cloned()
            .ok_or_else(|| Error::Usage {
                flag: "dockform man".into(),
                message: format!(
                    "no command `{}` (commands: {})",
                    validate::shown(name),
                    command
                        .get_subcommands()
                        .filter(|c| !c.is_hide_set())
                        .map(|c| c.get_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?,
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| Error::io("render", "the man page", e))?;
    output::emit(&String::from_utf8_lossy(&roff))?;
    Ok(0)
}
