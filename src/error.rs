//! The one error type of dockform. Each variant names a condition a user can act on.

use std::path::PathBuf;

/// Everything that can stop dockform. Messages are lower-case, name the file or flag
/// in backticks and say the fix.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a path failed.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A manifest or config file does not parse.
    #[error("`{path}` is not valid {format} (line {line}, column {column}): {message}")]
    Parse {
        path: String,
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },

    /// A file is structurally valid but holds something dockform refuses.
    #[error("`{path}` {message}")]
    BadInput { path: String, message: String },

    /// A value given by a flag, the config file or an answer is invalid.
    #[error("invalid {field}: {message}")]
    InvalidValue { field: String, message: String },

    /// A command-line value names something that does not exist; exit code 2.
    #[error("invalid `{flag}`: {message}")]
    Usage { flag: String, message: String },

    /// Nothing recognisable in the project.
    #[error(
        "no supported project found in `{0}`: dockform needs the stack's manifest (`package.json` for Node.js and Next.js, `go.mod` for Go, `pyproject.toml` or `requirements.txt` for Python, `Cargo.toml` for Rust); create it (`npm init -y`, `go mod init`, `uv init`, `cargo init`) and run dockform again"
    )]
    NoStack(String),

    /// A decision that needs a person, asked in a mode with nobody to answer.
    #[error("{question}: {detail} (pass `{flag}`)")]
    NeedsAnswer {
        question: String,
        detail: String,
        flag: String,
    },

    /// Files on disk differ and the user did not allow overwriting.
    #[error("{0}")]
    Refused(String),

    /// `--check` found files that differ from what would be generated: the names, and
    /// the command that regenerates them (`--force` only when one was edited by hand).
    #[error("{0} out of date (run `{1}` to regenerate)")]
    Drift(String, &'static str),

    /// `--check` on a project whose generated files were never written.
    #[error("{0} missing: this project was never set up (run `dockform init`)")]
    Missing(String),

    /// `dockform verify` found a check failing, or could not run the engine.
    #[error("verify: {0}")]
    Verify(String),

    /// The user cancelled the wizard.
    #[error("cancelled; nothing was written")]
    Cancelled,

    /// A bug in dockform's embedded templates or presets.
    #[error("bug in dockform: {0} (please report it)")]
    Internal(String),
}

impl Error {
    /// Wraps an I/O error with the path and what was being done.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The process exit status: 2 for an invalid value (a usage error, like clap's),
    /// 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::InvalidValue { .. } | Error::Usage { .. } => 2,
            _ => 1,
        }
    }

    /// Shorthand for an invalid value of a named field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidValue {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for refused file content.
    pub fn bad_input(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::BadInput {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// dockform's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
