//! The command line (clap derive). Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  dockform init                         detect, ask on a terminal, write the files
  dockform init --yes ./api             accept every detected default (scripts, CI)
  dockform init --yes --port 8080 --runtime distroless
  dockform check                        CI drift guard: exit 1 with a diff if files are stale
  dockform init --stdout | less         print the files, write nothing
  DOCKFORM_PORT=8080 dockform init -y   every flag also reads a DOCKFORM_* variable
  dockform detect --json                what was found and why, for scripts

Exit status: 0 ok, 1 error or drift (`check`), 2 usage error, 130 interrupted (Ctrl-C).";

const INIT_EXAMPLES: &str = "\
The choices that differ from detection are saved in `dockform.toml` beside the
Dockerfile; the next `dockform init --yes` reads it and regenerates the same files.
Precedence, lowest to highest: preset, detection, dockform.toml, DOCKFORM_* variables,
flags, answers.

Examples:
  dockform init                         ask on a terminal, with detected defaults
  dockform init --yes ./api             accept every detected default (scripts, CI)
  dockform init -y --port 8080 --runtime distroless --health-path /healthz
  dockform init -y --build-arg API_URL --secret npm_token
  dockform init --diff                  show what would change, write nothing
  dockform init --json -y | jq .files   what was written, unchanged or refused
  DOCKFORM_PORT=8080 dockform init -y   every choice also reads a DOCKFORM_* variable";

const CHECK_EXAMPLES: &str = "\
Regenerates in memory from detection and `dockform.toml` (flags and DOCKFORM_* choice
variables are not read) and compares with the files on disk. Exit status: 0 up to date,
1 drifted (a unified diff is printed on stdout) or error.

Examples:
  dockform check
  dockform check ./api
  dockform check -q || echo 'run `dockform init --yes --force` and commit'";

/// Generate a production-grade multi-stage Dockerfile, .dockerignore and dev/test/prod
/// targets from the project in PATH.
#[derive(Debug, Parser)]
#[command(name = "dockform", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Print only errors (no progress, notes or warnings).
    #[arg(
        short,
        long,
        global = true,
        env = "DOCKFORM_QUIET",
        value_parser = parse_bool
    )]
    pub quiet: bool,
    /// Also print where every setting came from.
    #[arg(short, long, global = true, env = "DOCKFORM_VERBOSE", value_parser = parse_bool)]
    pub verbose: bool,
    /// When to use colour (auto: on a terminal, without `NO_COLOR`).
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorWhen::Auto,
        env = "DOCKFORM_COLOR"
    )]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`: auto (on a terminal, unless `NO_COLOR` is set), always (even into a
/// pipe), never. (Variants without doc comments: clap would show a help line for each
/// and lay out every option's help on its own lines.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[allow(missing_docs)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Detect the stack, ask (on a terminal) or take defaults, and write the files.
    #[command(after_help = INIT_EXAMPLES)]
    Init(Box<InitArgs>),
    /// Exit 1 with a diff when the files on disk differ from what `dockform.toml` generates.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Show what was detected and why.
    #[command(
        after_help = "Examples:\n  dockform detect\n  dockform detect --json ./web | jq .facts.port"
    )]
    Detect(DetectArgs),
    /// List the built-in presets, or show one.
    #[command(after_help = "Examples:\n  dockform presets\n  dockform presets nextjs")]
    Presets(PresetsArgs),
    /// Build, run and check the generated image on Docker or Podman (never pushes).
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Print a shell completion script.
    #[command(after_help = COMPLETION_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print a man page (roff) on stdout, or write one per command to a directory.
    #[command(hide = true, after_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

const MAN_EXAMPLES: &str = "\
Examples:
  dockform man > dockform.1 && man ./dockform.1
  dockform man init | man -l -
  dockform man --out-dir /usr/local/share/man/man1   dockform.1, dockform-init.1, ...";

/// Arguments of `dockform man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`init`, `check`, ...); default: `dockform` itself.
    pub command: Option<String>,
    /// Write every page (`dockform.1`, `dockform-init.1`, ...) into this directory.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}

const VERIFY_EXAMPLES: &str = "\
Examples:
  dockform verify
  dockform verify ./api --engine podman --test
  dockform verify --env DATABASE_URL=postgres://db/app --json > verify.json";

/// Arguments of `dockform verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Project directory (holding the Dockerfile).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Container engine: docker or podman (default: the first that answers).
    #[arg(long, value_parser = ["docker", "podman"])]
    pub engine: Option<String>,
    /// Also build the `test` target (the tests run as a build step).
    #[arg(long)]
    pub test: bool,
    /// Also build the `dev` target.
    #[arg(long)]
    pub dev: bool,
    /// An environment variable for the container, NAME=VALUE (repeatable).
    #[arg(short, long, value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// A file of NAME=VALUE lines for the container (default: the project's `.env`, if any).
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// The path the answer check requests.
    #[arg(long = "path", value_name = "PATH", default_value = "/")]
    pub path_probe: String,
    /// Seconds to wait for an answer and for the health check.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Keep the images and the container (default: remove what verify created).
    #[arg(long)]
    pub keep: bool,
    /// Print the checks as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

const COMPLETION_EXAMPLES: &str = "\
Examples:
  dockform completions bash > ~/.local/share/bash-completion/completions/dockform
  dockform completions zsh > \"${fpath[1]}/_dockform\"
  dockform completions fish > ~/.config/fish/completions/dockform.fish
  dockform completions powershell >> $PROFILE";

/// Arguments of `dockform init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Accept every detected or default answer without asking (implied when stdin is not a terminal).
    #[arg(short, long, env = "DOCKFORM_YES", value_parser = parse_bool)]
    pub yes: bool,
    /// Overwrite existing files that differ.
    #[arg(long, env = "DOCKFORM_FORCE", value_parser = parse_bool)]
    pub force: bool,
    /// Print the generated files to stdout and write nothing.
    #[arg(long, conflicts_with_all = ["diff", "check"])]
    pub stdout: bool,
    /// Show a unified diff against the files on disk and write nothing.
    #[arg(long, conflicts_with = "check")]
    pub diff: bool,
    /// Exit 1 with a diff when the files on disk differ from what would be generated.
    #[arg(long)]
    pub check: bool,
    /// Neither read nor write `dockform.toml`.
    #[arg(long, env = "DOCKFORM_NO_CONFIG", value_parser = parse_bool)]
    pub no_config: bool,
    /// Print what was created, updated, unchanged or refused as JSON on stdout.
    #[arg(long, conflicts_with_all = ["stdout", "diff", "check"])]
    pub json: bool,
    /// Directory whose templates (e.g. `node/Dockerfile.j2`) override the built-in ones.
    #[arg(long, value_name = "DIR", env = "DOCKFORM_TEMPLATES_DIR")]
    pub templates_dir: Option<PathBuf>,
    #[command(flatten)]
    pub choices: Choices,
}

/// Every decision a flag (or `DOCKFORM_*` variable) can make.
#[derive(Debug, Args, Default)]
pub struct Choices {
    /// Write no `compose.yaml` nor `.env.example` (`compose = false` in `dockform.toml`).
    #[arg(long, env = "DOCKFORM_NO_COMPOSE")]
    pub no_compose: bool,
    /// Stack: node, nextjs, go, python, rust (default: detected).
    #[arg(long, env = "DOCKFORM_STACK")]
    pub stack: Option<String>,
    /// Preset to render with (default: the stack's own; see `dockform presets`).
    #[arg(long, env = "DOCKFORM_PRESET")]
    pub preset: Option<String>,
    /// Port the app listens on; 0 if it serves no HTTP (default: detected, else the preset's).
    #[arg(long, env = "DOCKFORM_PORT")]
    pub port: Option<String>,
    /// Node.js major version, alias (`lts/*`) or range (default: .nvmrc, engines, ..., else 24).
    #[arg(long, value_name = "VERSION", env = "DOCKFORM_NODE_VERSION")]
    pub node_version: Option<String>,
    /// Go version for the builder image, e.g. 1.26 (default: go.mod's `toolchain`, else `go` line).
    #[arg(long, value_name = "VERSION", env = "DOCKFORM_GO_VERSION")]
    pub go_version: Option<String>,
    /// Python version, e.g. 3.13 (default: .python-version, requires-python, ..., else 3.13).
    #[arg(long, value_name = "VERSION", env = "DOCKFORM_PYTHON_VERSION")]
    pub python_version: Option<String>,
    /// Rust toolchain version, e.g. 1.90 (default: rust-toolchain.toml, rust-version, else the preset's).
    #[arg(long, value_name = "VERSION", env = "DOCKFORM_RUST_VERSION")]
    pub rust_version: Option<String>,
    /// The app, main package (`--main ./cmd/api`) or binary (`--bin server`) to containerize when there are several; at a workspace root, repeat it (`--app web --app api`) or pass `all`.
    #[arg(
        long,
        alias = "main",
        alias = "bin",
        value_name = "NAME",
        env = "DOCKFORM_APP",
        action = clap::ArgAction::Append
    )]
    pub app: Vec<String>,
    /// Package manager: npm, pnpm, yarn, yarn-berry, bun (default: packageManager field or lockfile).
    #[arg(long, value_name = "NAME", env = "DOCKFORM_PACKAGE_MANAGER")]
    pub package_manager: Option<String>,
    /// Shell command that builds the app; "" for none (default: the `build` script).
    #[arg(long, value_name = "CMD", env = "DOCKFORM_BUILD_COMMAND")]
    pub build_command: Option<String>,
    /// Command the production image runs, rendered in exec form (default: derived so the runtime is PID 1).
    #[arg(long, value_name = "CMD", env = "DOCKFORM_START_COMMAND")]
    pub start_command: Option<String>,
    /// Shell command the `test` stage runs; "" for none (default: the `test` script).
    #[arg(long, value_name = "CMD", env = "DOCKFORM_TEST_COMMAND")]
    pub test_command: Option<String>,
    /// Command the `dev` stage runs (default: the `dev` script).
    #[arg(long, value_name = "CMD", env = "DOCKFORM_DEV_COMMAND")]
    pub dev_command: Option<String>,
    /// Final-stage family: slim, distroless, alpine, scratch, as the stack offers (default: the preset's).
    #[arg(long, value_name = "FAMILY", env = "DOCKFORM_RUNTIME")]
    pub runtime: Option<String>,
    /// Path the HEALTHCHECK requests (default: /).
    #[arg(long, value_name = "PATH", env = "DOCKFORM_HEALTH_PATH")]
    pub health_path: Option<String>,
    /// Build-time variable, rendered as `ARG NAME` in the build stage (repeatable).
    #[arg(
        long = "build-arg",
        value_name = "NAME",
        env = "DOCKFORM_BUILD_ARGS",
        value_delimiter = ','
    )]
    pub build_args: Vec<String>,
    /// Build secret id, mounted with `RUN --mount=type=secret` during install and build (repeatable).
    #[arg(
        long = "secret",
        value_name = "ID",
        env = "DOCKFORM_SECRETS",
        value_delimiter = ','
    )]
    pub secrets: Vec<String>,
    /// Backing service `compose.yaml` runs, in place of the detected ones (repeatable):
    /// postgres, mysql, redis, mongodb, rabbitmq, nats, s3.
    #[arg(
        long = "service",
        value_name = "KIND",
        env = "DOCKFORM_SERVICES",
        value_delimiter = ','
    )]
    pub services: Vec<String>,
    /// Ids of the choices whose value came from a `DOCKFORM_*` variable, so an error
    /// names the variable rather than a flag the user did not pass.
    #[arg(skip)]
    pub from_env: Vec<String>,
}

impl Choices {
    /// How an error names the choice set by `flag` (`--port`): that flag, or its
    /// variable when the value came from there.
    pub fn name(&self, flag: &str) -> String {
        source_name(flag, &self.from_env)
    }
}

/// `flag` in backticks, or its `DOCKFORM_*` variable when `from_env` (arg ids) holds it.
pub fn source_name(flag: &str, from_env: &[String]) -> String {
    let long = flag.trim_start_matches("--");
    let cli = <Cli as clap::CommandFactory>::command();
    let var = cli.find_subcommand("init").and_then(|init| {
        init.get_arguments()
            .find(|a| {
                a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|n| n.contains(&long))
            })
            .filter(|a| from_env.iter().any(|id| id == a.get_id().as_str()))
            .and_then(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
    });
    format!("`{}`", var.unwrap_or_else(|| flag.to_string()))
}

/// Reads a boolean flag's variable: 1/0, true/false, yes/no, in any case.
fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" | "" => Ok(false),
        _ => Err(format!(
            "`{}` is not a boolean (use 1 or 0, true or false, yes or no)",
            crate::validate::shown(value)
        )),
    }
}

/// Parses the process's command line. `--help`, `--version` and clap's usage errors
/// print and exit here (0 or 2); a bad boolean variable is returned as an invalid
/// value naming the variable, like every other bad value.
pub fn parse() -> crate::error::Result<Cli> {
    use clap::{CommandFactory, FromArgMatches, error::ContextKind, error::ErrorKind};
    let command = Cli::command();
    let failed = |e: clap::Error| -> crate::error::Error {
        let arg = match e.get(ContextKind::InvalidArg) {
            Some(clap::error::ContextValue::String(a)) => a.clone(),
            _ => e.exit(),
        };
        let value = match e.get(ContextKind::InvalidValue) {
            Some(clap::error::ContextValue::String(v)) => v.clone(),
            _ => e.exit(),
        };
        let long = arg
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches("--");
        let env = std::iter::once(&command)
            .chain(command.get_subcommands())
            .flat_map(|c| c.get_arguments())
            .find(|a| a.get_long() == Some(long) && !a.get_action().takes_values())
            .and_then(|a| a.get_env().map(|v| v.to_string_lossy().into_owned()));
        match (env, e.kind()) {
            (Some(env), ErrorKind::ValueValidation | ErrorKind::InvalidValue) => {
                crate::error::Error::invalid(format!("`{env}`"), parse_bool(&value).unwrap_err())
            }
            _ => e.exit(),
        }
    };
    let matches = command.clone().try_get_matches().map_err(failed)?;
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // Checked here, not by clap: `DOCKFORM_QUIET=0` counts as present for clap.
    if cli.quiet && cli.verbose {
        let name = |id: &str, flag: &str, var: &str| match matches.value_source(id) {
            Some(clap::parser::ValueSource::EnvVariable) => format!("`{var}`"),
            _ => format!("`{flag}`"),
        };
        return Err(crate::error::Error::invalid(
            name("quiet", "--quiet", "DOCKFORM_QUIET"),
            format!(
                "cannot be used with {}",
                name("verbose", "--verbose", "DOCKFORM_VERBOSE")
            ),
        ));
    }
    if let (Command::Init(args), Some(sub)) = (&mut cli.command, matches.subcommand_matches("init"))
    {
        args.choices.from_env = sub
            .ids()
            .filter(|id| {
                sub.value_source(id.as_str()) == Some(clap::parser::ValueSource::EnvVariable)
            })
            .map(|id| id.to_string())
            .collect();
    }
    Ok(cli)
}

/// Arguments of `dockform detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Project directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Print JSON (stable shape, see README) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Detect as this stack.
    #[arg(long, env = "DOCKFORM_STACK")]
    pub stack: Option<String>,
}

/// Arguments of `dockform check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Project directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Directory whose templates override the built-in ones (as for `init`).
    #[arg(long, value_name = "DIR", env = "DOCKFORM_TEMPLATES_DIR")]
    pub templates_dir: Option<PathBuf>,
}

impl CheckArgs {
    /// `check` is `init --check --yes` with no choice flags.
    pub fn into_init(self) -> InitArgs {
        InitArgs {
            path: self.path,
            yes: true,
            force: false,
            stdout: false,
            diff: false,
            check: true,
            no_config: false,
            json: false,
            templates_dir: self.templates_dir,
            choices: Choices::default(),
        }
    }
}

/// Arguments of `dockform completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `dockform presets`.
#[derive(Debug, Args)]
pub struct PresetsArgs {
    /// Show this preset's data and defaults.
    pub name: Option<String>,
}
