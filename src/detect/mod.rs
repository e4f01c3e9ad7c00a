//! Detection: reads the project and returns facts, each with the evidence behind it.
//! One file per stack; each exposes `detect(&Project, &Presets) -> Result<Option<Detection>>`.

pub mod arbitrate;
pub mod dbchoice;
pub mod env;
pub(crate) mod go;
pub mod go_workspace;
mod health;
mod migrate;
mod node;
mod outside;
pub mod pep503;
mod python;
mod rust;
pub mod secrets;
pub mod services;
pub mod uv_workspace;
pub mod workspace;
mod writable;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::preset::Presets;
use crate::scan::Project;

/// A stack detector: `Ok(None)` when the project is not of this stack. `hints` holds
/// what the user already decided (config and flags), e.g. the package manager.
type Detector = fn(&Project, &Presets, &Layer) -> Result<Option<Detection>>;

/// The registered detectors with the stacks each yields, tried in order.
const DETECTORS: &[(&[&str], Detector)] = &[
    (&["node", "nextjs"], node::detect),
    (&["go"], go::detect),
    (&["python"], python::detect),
    (&["rust"], rust::detect),
];

/// The stack ids dockform knows, for `--stack` validation and help.
pub fn stack_ids() -> Vec<&'static str> {
    DETECTORS
        .iter()
        .flat_map(|(ids, _)| ids.iter().copied())
        .collect()
}

/// Why a stack's final stage copies the tree instead of a list of paths (`runtime_paths`)
/// when the walk did not see every file.
pub(crate) const WALK_CUT: &str = "the project is larger than dockform walks (its depth or entry cap), so it cannot list every path the app may need: the final stage copies the project tree (less `.dockerignore`)";

/// Where a fact came from and why it was chosen.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    /// The file that caused the decision, relative to the project, if any.
    pub source: Option<String>,
    /// A one-line reason a user can read.
    pub reason: String,
}

/// One detected value with its evidence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fact {
    /// The value (string, number, bool or list).
    pub value: Value,
    /// Why.
    #[serde(flatten)]
    pub evidence: Evidence,
}

/// What a detector found.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    /// The stack id; selects the preset and templates.
    pub stack: String,
    /// Why this stack.
    pub stack_evidence: Option<Evidence>,
    /// Detected values of the common settings (version, port, commands, ...).
    pub layer: Layer,
    /// Evidence for each field set in `layer`, by kebab-case field name.
    pub evidence: BTreeMap<String, Evidence>,
    /// Stack-specific facts for the templates (see the detector's docs).
    pub extra: BTreeMap<String, Fact>,
    /// Things the user should know (not reproducible, ignored files, ...).
    pub warnings: Vec<String>,
    /// Choices only a person can make; `--yes` turns them into errors.
    pub questions: Vec<Question>,
    /// Backing services, writable paths and required env (`services.rs`, `env.rs`).
    pub needs: services::Needs,
}

/// An open choice among candidates, e.g. which app of a workspace to containerize.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Question {
    /// What is being asked.
    pub prompt: String,
    /// Why it cannot be decided.
    pub detail: String,
    /// The candidates.
    pub candidates: Vec<String>,
    /// The flag that answers it.
    pub flag: String,
}

impl Detection {
    /// A detection for `stack`, with the evidence for choosing it.
    pub fn new(stack: &str, source: &str, reason: impl Into<String>) -> Self {
        Detection {
            stack: stack.to_string(),
            stack_evidence: Some(evidence(Some(source), reason)),
            ..Default::default()
        }
    }

    /// Records why `field` (kebab-case, as in `Layer`) has its detected value.
    pub fn why(&mut self, field: &str, source: Option<&str>, reason: impl Into<String>) {
        self.evidence
            .insert(field.to_string(), evidence(source, reason));
    }

    /// Records a stack-specific fact for the templates.
    pub fn fact(
        &mut self,
        key: &str,
        value: impl Into<Value>,
        source: Option<&str>,
        reason: impl Into<String>,
    ) {
        let fact = Fact {
            value: value.into(),
            evidence: evidence(source, reason),
        };
        self.extra.insert(key.to_string(), fact);
    }

    /// Adds a warning.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }
}

fn evidence(source: Option<&str>, reason: impl Into<String>) -> Evidence {
    Evidence {
        source: source.map(str::to_string),
        reason: reason.into(),
    }
}

/// What each stack needs on disk, and a command that creates it (stack id, file,
/// command), for the messages about a project without one.
pub const MANIFESTS: &[(&str, &str, &str)] = &[
    ("node", "`package.json`", "`npm init -y`"),
    (
        "nextjs",
        "`package.json` with `next` in its dependencies",
        "`npx create-next-app`",
    ),
    ("go", "`go.mod`", "`go mod init example.com/app`"),
    (
        "python",
        "`pyproject.toml` or `requirements.txt`",
        "`uv init` or `pip freeze > requirements.txt`",
    ),
    ("rust", "`Cargo.toml`", "`cargo init`"),
];

/// Runs the detectors: the one for `stack` if given, else each in turn.
pub fn detect(
    project: &Project,
    presets: &Presets,
    stack: Option<&str>,
    hints: &Layer,
) -> Result<Detection> {
    // A uv or Go workspace member is detected in place (the Python detector takes the
    // root's lockfile, the Go one the workspace's modules); a Cargo workspace's members
    // are refused with the command that works.
    if let Some(ws) = workspace::other_enclosing(project.root())
        && uv_workspace::UvWorkspace::enclosing(project.root()).is_none()
        && go_workspace::GoWorkspace::enclosing(project.root()).is_none()
    {
        return Err(member_refusal(project, &ws));
    }
    if let Some(wanted) = stack {
        let (_, detector) = DETECTORS
            .iter()
            .find(|(ids, _)| ids.contains(&wanted))
            .ok_or_else(|| {
                Error::invalid(
                    "`--stack`",
                    format!(
                        "unknown stack `{}` (known: {})",
                        crate::validate::shown(wanted),
                        stack_ids().join(", ")
                    ),
                )
            })?;
        let found = detector(project, presets, hints)?.ok_or_else(|| {
            Error::bad_input(
                project.root().display().to_string(),
                match MANIFESTS.iter().find(|(id, _, _)| *id == wanted) {
                    Some((_, file, command)) => format!(
                        "has no {file}, which `--stack {wanted}` needs: create it ({command}) and run dockform again"
                    ),
                    None => format!("has no manifest for `--stack {wanted}`"),
                },
            )
        })?;
        return finish(project, presets, hints, found);
    }
    // Every detector runs; when several recognise the project, the one that declares
    // a server wins (see `arbitrate`).
    let chosen = arbitrate::choose(candidates(project, presets, hints))?.ok_or_else(|| {
        arbitrate::subdir_refusal(project)
            .or_else(|| arbitrate::ancestor_refusal(project))
            .unwrap_or_else(|| Error::NoStack(project.root().display().to_string()))
    })?;
    finish(project, presets, hints, chosen)
}

/// A member of a Cargo, Go or uv workspace builds from the root, with the root's
/// lockfile: never containerized alone as if it were a project of its own.
fn member_refusal(project: &Project, ws: &workspace::OtherWorkspace) -> Error {
    let up = &ws.up;
    let how = if ws.file == "Cargo.toml" {
        let name = project
            .read("Cargo.toml")
            .ok()
            .flatten()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| Some(t.get("package")?.get("name")?.as_str()?.to_string()))
            .unwrap_or_else(|| "NAME".into());
        format!(
            "run dockform at the root and choose its binary, e.g. `dockform init {up} --bin {}`",
            crate::validate::shown(&name)
        )
    } else {
        format!(
            "images for its members are not generated yet; `dockform detect {up}` shows what the root holds"
        )
    };
    Error::bad_input(
        project.root().display().to_string(),
        format!(
            "is `{}`, a member of {} in `{up}` (`{}`): it builds from the root, with the root's lockfile; {how}",
            crate::validate::shown(&ws.member),
            ws.kind,
            ws.file
        ),
    )
}

/// What every detection gets once its stack is chosen: the credential check, the
/// health route from the code, the age of the version data, and a word when the read
/// budget cut the source scans short (last: the health finder reads sources too).
fn finish(
    project: &Project,
    presets: &Presets,
    hints: &Layer,
    mut found: Detection,
) -> Result<Detection> {
    secrets::check(project, hints, &mut found)?;
    let found = health::with_route(project, found);
    Ok(budget_warning(project, dated(found, presets)))
}

/// The stacks that recognise the project, the ones that declare a server first, each
/// with why; `true` when two or more declare a server (only a person can choose).
pub fn ranked_stacks(
    project: &Project,
    presets: &Presets,
    hints: &Layer,
) -> (Vec<(String, String)>, bool) {
    arbitrate::ranked(candidates(project, presets, hints))
}

fn candidates(project: &Project, presets: &Presets, hints: &Layer) -> Vec<arbitrate::Candidate> {
    DETECTORS
        .iter()
        .filter_map(|(ids, detector)| {
            arbitrate::candidate(project, ids[0], detector(project, presets, hints))
        })
        .collect()
}

/// The workspace packages a JS workspace member depends on (its closure less itself),
/// as paths from the member (`../../packages/db`).
fn workspace_packages(project: &Project, d: &Detection) -> Vec<String> {
    let up = d.extra.get("workspace_root").and_then(|f| f.value.as_str());
    let closure = d
        .extra
        .get("workspace_closure")
        .and_then(|f| f.value.as_array());
    let (Some(up), Some(closure)) = (up, closure) else {
        return Vec::new();
    };
    let me = std::fs::canonicalize(project.root()).ok();
    closure
        .iter()
        .filter_map(|dir| dir.as_str())
        .map(|dir| format!("{up}/{dir}"))
        .filter(|rel| std::fs::canonicalize(project.root().join(rel)).ok() != me)
        .collect()
}

/// Says when the run-wide read budget stopped the reading of source files, so hints
/// (ports, entry points) from the unread ones are known to be missing.
fn budget_warning(project: &Project, mut d: Detection) -> Detection {
    let reach = services::Reach {
        packages: workspace_packages(project, &d),
        go_imports: d
            .extra
            .get("go_imports")
            .and_then(|f| f.value.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|v| {
                        Some((v["import"].as_str()?.into(), v["file"].as_str()?.into()))
                    })
                    .collect()
            }),
    };
    d.needs = services::detect(project, d.layer.app.as_deref(), &reach);
    d.warnings.extend(d.needs.warnings.iter().cloned());
    build_env(&mut d);
    let cap = project
        .caps_hit()
        .into_iter()
        .find(|c| matches!(c, crate::scan::Cap::HintBytes(_)));
    if let Some(cap) = cap.filter(|c| !d.warnings.iter().any(|w| w.contains(&c.to_string()))) {
        d.warn(format!(
            "{cap}, and stopped there: hints in the other files (ports, entry points, main packages) were not looked for"
        ));
    }
    d
}

/// Variables the build reads (`NEXT_PUBLIC_*`, an env schema `next.config.*` imports)
/// become build arguments, or build secrets when the name says they hold a credential,
/// with a warning that gives the `docker build` flags to pass.
fn build_env(d: &mut Detection) {
    let vars = d.needs.env.build.clone();
    if vars.is_empty() {
        return;
    }
    let (secrets, args): (Vec<_>, Vec<_>) = vars.iter().partition(|v| env::is_secret_name(&v.name));
    let names = |list: &[&env::EnvVar]| list.iter().map(|v| v.name.clone()).collect::<Vec<_>>();
    let at = |list: &[&env::EnvVar]| {
        list.iter()
            .map(|v| format!("{}:{}", v.file, v.line))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut flags = Vec::new();
    if !args.is_empty() {
        d.layer.build_args = Some(names(&args));
        d.why(
            "build-args",
            None,
            format!("read by the build ({})", at(&args)),
        );
        flags.extend(args.iter().map(|v| format!("--build-arg {}=...", v.name)));
    }
    if !secrets.is_empty() {
        d.layer.secrets = Some(names(&secrets));
        d.why(
            "secrets",
            None,
            format!(
                "read by the build, credentials by their name ({})",
                at(&secrets)
            ),
        );
        flags.extend(
            secrets
                .iter()
                .map(|v| format!("--secret id={0},env={0}", v.name)),
        );
    }
    let listed = vars
        .iter()
        .map(|v| format!("`{}` ({}:{})", v.name, v.file, v.line))
        .collect::<Vec<_>>()
        .join(", ");
    d.warn(format!(
        "the build reads {listed}: build with `docker build {} .` (compose.yaml passes them from your environment or `.env`)",
        flags.join(" ")
    ));
}

/// Adds a warning when the preset's version data is older than a few months: which
/// versions are supported is computed from dates that may have moved since.
fn dated(mut found: Detection, presets: &Presets) -> Detection {
    let name = found.layer.preset.as_deref().unwrap_or(&found.stack);
    if let Ok(preset) = presets.get(name)
        && let Some(days) = preset.versions.stale_days()
    {
        found.warn(format!(
            "dockform's version data for `{name}` was last updated on {} ({days} days ago): newer releases or end-of-life dates may be missing (update dockform, or pass the version flag)",
            preset.versions.updated
        ));
    }
    found
}

/// Turns a serde_json error into a parse error naming the file, line and column.
pub fn json_error(path: &str, e: &serde_json::Error) -> Error {
    Error::Parse {
        path: path.to_string(),
        format: "JSON",
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    }
}

/// Turns a toml error into a parse error naming the file, line and column.
pub fn toml_error(path: &str, text: &str, e: &toml::de::Error) -> Error {
    let (line, column) = e
        .span()
        .map(|span| crate::scan::line_column(text, span.start))
        .unwrap_or((1, 1));
    Error::Parse {
        path: path.to_string(),
        format: "TOML",
        line,
        column,
        message: e.message().to_string(),
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    /// 4 MiB instead of 32 for speed; nine 1 MiB files pass it.
    const BUDGET: u64 = 4 * 1024 * 1024;

    /// A project of `files` plus nine 1 MiB sources named `big{i}.{ext}` in `dir`.
    fn with_big_sources(files: &[(&str, &str)], dir: &str, ext: &str) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = root.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        std::fs::create_dir_all(root.path().join(dir)).unwrap();
        for i in 0..9 {
            let text = "x\n".repeat(512 * 1024);
            std::fs::write(root.path().join(dir).join(format!("big{i}.{ext}")), text).unwrap();
        }
        root
    }

    fn detect_in(dir: &std::path::Path) -> (Project, Detection) {
        let p = Project::scan(dir).unwrap().with_hint_budget(BUDGET);
        let d = detect(&p, &Presets::embedded().unwrap(), None, &Layer::default()).unwrap();
        (p, d)
    }

    #[test]
    fn python_and_rust_source_scans_stop_at_the_run_budget_and_say_so() {
        let python = with_big_sources(
            &[
                ("requirements.txt", "flask==3.1.0\n"),
                ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ],
            "pkg",
            "py",
        );
        let rust = with_big_sources(
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
                ),
                ("src/main.rs", "fn main() {}\n"),
            ],
            "src",
            "rs",
        );
        for (stack, dir) in [("python", &python), ("rust", &rust)] {
            let (p, d) = detect_in(dir.path());
            assert_eq!(d.stack, stack);
            assert!(
                p.bytes_read() <= BUDGET + 64 * 1024,
                "{stack}: read {} bytes",
                p.bytes_read()
            );
            assert!(
                d.warnings
                    .iter()
                    .any(|w| w.contains("at most 4 MiB of source files")),
                "{stack}: {:?}",
                d.warnings
            );
        }
    }
}
