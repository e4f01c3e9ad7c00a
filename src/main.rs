//! Entry point: parse, run, print the error chain, exit with 0, 1 or 2.

use clap::Parser;

fn main() {
    let cli = dockform::cli::Cli::parse();
    let code = match dockform::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    };
    std::process::exit(code);
}
