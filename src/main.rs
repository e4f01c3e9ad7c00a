//! Entry point: parse, run, print the error, exit with 0 (ok), 1 (error or drift),
//! 2 (usage, from clap) or 130 (interrupted with Ctrl-C).

fn main() {
    // Ctrl-C ends the process with a message and the cursor restored (see the handler).
    let _ = ctrlc::set_handler(dockform::wizard::on_interrupt);
    let code = match dockform::cli::parse().and_then(dockform::run) {
        Ok(code) => code,
        Err(e) => {
            dockform::output::error(&e.to_string());
            e.exit_code()
        }
    };
    std::process::exit(code);
}
