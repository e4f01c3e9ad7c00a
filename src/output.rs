//! Where output goes: requested output on stdout (escaped on a terminal, paged when it is
//! taller than the screen), `warning:` and `error:` lines on stderr, and their colours.

use crate::error::{Error, Result};
use crate::validate::safe;

/// Colours of the status words, warnings, errors and diffs (shown only where colour
/// is on: see `--color`; `anstream` strips them elsewhere).
pub mod style {
    use anstyle::{AnsiColor, Style};
    /// `error:`.
    pub const ERROR: Style = AnsiColor::Red.on_default().bold();
    /// `warning:`.
    pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
    /// A file written (created, updated).
    pub const DONE: Style = AnsiColor::Green.on_default().bold();
    /// A file left as it was (unchanged, kept).
    pub const SAME: Style = Style::new().dimmed();
    /// A file refused or skipped.
    pub const REFUSED: Style = AnsiColor::Red.on_default().bold();
    /// A removed diff line.
    pub const REMOVED: Style = AnsiColor::Red.on_default();
    /// An added diff line.
    pub const ADDED: Style = AnsiColor::Green.on_default();
    /// A diff hunk header.
    pub const HUNK: Style = AnsiColor::Cyan.on_default();
    /// A diff file header.
    pub const HEADER: Style = Style::new().bold();
}

/// Prints `error: message` on stderr.
pub fn error(message: &str) {
    let s = style::ERROR;
    anstream::eprintln!("{s}error:{s:#} {}", safe(message));
}

/// Prints `warning: message` on stderr.
pub fn warn(message: &str) {
    let s = style::WARNING;
    anstream::eprintln!("{s}warning:{s:#} {}", safe(message));
}

/// A unified diff with its lines coloured (removed, added, hunk and file headers).
pub fn coloured_diff(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len());
    for line in diff.split_inclusive('\n') {
        let s = if line.starts_with("+++ ") || line.starts_with("--- ") {
            style::HEADER
        } else if line.starts_with('+') {
            style::ADDED
        } else if line.starts_with('-') {
            style::REMOVED
        } else if line.starts_with("@@") {
            style::HUNK
        } else {
            anstyle::Style::new()
        };
        let body = line.trim_end_matches('\n');
        out.push_str(&format!("{s}{body}{s:#}{}", &line[body.len()..]));
    }
    out
}

/// Writes requested output to stdout: [`emit`], with colour kept only where it is on.
pub fn emit_coloured(text: &str) -> Result<()> {
    use std::io::{IsTerminal, Write};
    let text = if std::io::stdout().is_terminal() {
        safe(text).into_owned()
    } else {
        text.to_string()
    };
    if page(&coloured_diff(&text)) {
        return Ok(());
    }
    let mut stdout = anstream::stdout().lock();
    match stdout
        .write_all(coloured_diff(&text).as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io("write", "standard output", e))
        }
        _ => Ok(()),
    }
}

/// Shows `text` through a pager when standard output is a terminal and `text` is taller
/// than it: `DOCKFORM_PAGER`, else `PAGER`, else `less -FRX` (`-F` quits at once when it
/// fits after all, `-R` keeps the colours). An empty value or `cat` means no pager.
/// Returns false when nothing was paged, so the caller prints `text` itself.
fn page(text: &str) -> bool {
    use std::io::{IsTerminal, Write};
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return false;
    }
    let (rows, _) = console::Term::stdout().size();
    if text.lines().count() < usize::from(rows) {
        return false;
    }
    let command = std::env::var("DOCKFORM_PAGER")
        .or_else(|_| std::env::var("PAGER"))
        .unwrap_or_else(|_| "less -FRX".to_string());
    let Ok(words) = shell_words::split(&command) else {
        return false;
    };
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    if program == "cat" {
        return false;
    }
    // The pager writes to the terminal itself; colours follow `--color` as they would
    // on standard output.
    let shown = match anstream::AutoStream::choice(&stdout) {
        anstream::ColorChoice::Never => anstream::adapter::strip_str(text).to_string(),
        _ => text.to_string(),
    };
    let Ok(mut child) = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .spawn()
    else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A pager closed early (`q`) is not an error.
        let _ = stdin.write_all(shown.as_bytes());
    }
    let _ = child.wait();
    true
}

/// Writes requested output to stdout, through [`safe`] when stdout is a terminal (piped
/// or redirected, it stays byte for byte). A reader that went away
/// (`dockform detect | head`) ends the output quietly; any other failure is an error.
pub fn emit(text: &str) -> Result<()> {
    use std::io::{IsTerminal, Write};
    let mut stdout = std::io::stdout().lock();
    let text = if stdout.is_terminal() {
        safe(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io("write", "standard output", e))
        }
        _ => Ok(()),
    }
}
