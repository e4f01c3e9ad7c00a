//! One layer of settings, the shape shared by a preset's `[defaults]`, a detection,
//! `dockform.toml`, flags and wizard answers, and the origin of each value. It sits
//! below every stage that produces or merges layers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One layer of settings; every field optional. Also the shape of a preset's
/// `[defaults]` and of `dockform.toml`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Layer {
    /// Stack id (`node`, `nextjs`, ...); detected when absent.
    pub stack: Option<String>,
    /// Preset to render with (defaults to the detected stack's own).
    pub preset: Option<String>,
    /// Language or toolchain version (`24`, `1.26`, `3.13`), or a range/alias to resolve.
    pub version: Option<String>,
    /// Package manager id as named in the preset (`npm`, `pnpm`, `yarn`, `yarn-berry`, `bun`).
    pub package_manager: Option<String>,
    /// Final-stage family (`slim`, `distroless`, `alpine`, `scratch`).
    pub runtime: Option<String>,
    /// Port the app listens on; `0` means it serves no HTTP.
    pub port: Option<u16>,
    /// Path the health check requests.
    pub health_path: Option<String>,
    /// Shell command that builds the app (`npm run build`); empty string for none.
    pub build_command: Option<String>,
    /// Command the production image runs, in shell words; rendered in exec form.
    pub start_command: Option<String>,
    /// Shell command the `test` stage runs; empty string for none.
    pub test_command: Option<String>,
    /// Command the `dev` stage runs, in shell words.
    pub dev_command: Option<String>,
    /// Build-time variables, rendered as `ARG` in the build stage.
    pub build_args: Option<Vec<String>>,
    /// Build secret ids, mounted with `RUN --mount=type=secret` during install and build.
    pub secrets: Option<Vec<String>>,
    /// Which app, main package or binary to containerize when there are several.
    pub app: Option<String>,
    /// Credential files (`.dockerignore` patterns, e.g. `certs/dev.key`) the user wants
    /// in the build context despite the deny list; dockform warns about each.
    pub allow_secret_files: Option<Vec<String>>,
    /// Whether `init` writes `compose.yaml` and `.env.example` (default true).
    pub compose: Option<bool>,
    /// The backing services `compose.yaml` runs (`postgres`, `redis`, ...), in place of
    /// the detected ones: how an optional database is turned on.
    pub services: Option<Vec<String>>,
}

/// Who set a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The preset's defaults.
    Preset,
    /// Found in the project.
    Detected,
    /// `dockform.toml`.
    Config,
    /// A command-line flag or its `DOCKFORM_*` environment variable.
    Flag,
    /// An answer in the wizard.
    Answer,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Preset => "preset default",
            Origin::Detected => "detected",
            Origin::Config => "dockform.toml",
            Origin::Flag => "flag",
            Origin::Answer => "answer",
        })
    }
}
