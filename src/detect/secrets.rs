//! Credentials in the files an install reads. A config holding one is withheld from
//! the build context and mounted as a build secret where the stack's install reads it;
//! a manifest or lockfile holding one is an error unless `dockform.toml` allows it.
//!
//! Facts: `secret_files` (list of `{id, src, target}`): configs mounted with
//! `RUN --mount=type=secret`; `withheld_files` (list): paths the `.dockerignore`
//! must exclude whatever else it says.

use serde_json::json;

use super::Detection;
use crate::credentials::{self, Kind};
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::scan::Project;

/// Configs an install reads: (stacks that mount it, file, secret id, mount target).
const CONFIGS: &[(&[&str], &str, &str, &str)] = &[
    (&["node", "nextjs"], ".npmrc", "npmrc", "/app/.npmrc"),
    (&["node", "nextjs"], ".yarnrc", "yarnrc", "/app/.yarnrc"),
    (
        &["node", "nextjs"],
        ".yarnrc.yml",
        "yarnrc_yml",
        "/app/.yarnrc.yml",
    ),
    (
        &["node", "nextjs"],
        "bunfig.toml",
        "bunfig",
        "/app/bunfig.toml",
    ),
    (&["python"], "uv.toml", "uv_toml", "/app/uv.toml"),
    (&[], "pip.conf", "pip_conf", ""),
    (
        &["rust"],
        ".cargo/config.toml",
        "cargo_config",
        "/app/.cargo/config.toml",
    ),
    (
        &["rust"],
        ".cargo/config",
        "cargo_config",
        "/app/.cargo/config",
    ),
    (&[], ".pypirc", "pypirc", ""),
    (&[], ".cargo/credentials.toml", "cargo_credentials", ""),
];

/// Manifests and lockfiles a build copies: they cannot be withheld.
const MANIFESTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "pyproject.toml",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile",
    "Pipfile.lock",
    "Cargo.toml",
    "Cargo.lock",
    "go.mod",
];

/// Whether `file` (a config the install reads) holds a literal credential.
pub fn holds_credentials(project: &Project, file: &str) -> bool {
    let text = project.read_hint(file).unwrap_or_default();
    !credentials::find(&text, Kind::Config).is_empty()
}

/// Checks every config and manifest for credentials; records the facts above.
pub fn check(project: &Project, hints: &Layer, d: &mut Detection) -> Result<()> {
    let allowed = hints.allow_secret_files.clone().unwrap_or_default();
    let mut mounted = Vec::new();
    let mut withheld = Vec::new();
    for (stacks, file, id, target) in CONFIGS {
        let text = project.read_hint(file).unwrap_or_default();
        let Some(first) = credentials::find(&text, Kind::Config).into_iter().next() else {
            continue;
        };
        withheld.push(file.to_string());
        let at = format!(
            "`{file}` line {} holds a credential ({})",
            first.line, first.what
        );
        if stacks.contains(&d.stack.as_str()) {
            mounted.push(json!({ "id": id, "src": file, "target": target }));
            d.warn(format!(
                "{at}, so it is kept out of the build context and of every image layer; \
                 the install reads it as a build secret: `docker build --secret id={id},src={file} .`"
            ));
        } else {
            d.warn(format!(
                "{at}, so it is kept out of the build context and of every image layer"
            ));
        }
    }
    let requirements = project.files().filter(|f| {
        let name = f.rsplit('/').next().unwrap_or(f);
        let listed = name.starts_with("requirements") || f.contains("requirements/");
        listed && (name.ends_with(".txt") || name.ends_with(".in"))
    });
    let manifests: Vec<String> = MANIFESTS
        .iter()
        .map(|f| f.to_string())
        .chain(requirements.map(String::from))
        .collect();
    for file in manifests {
        let Some(text) = project.read_hint(&file) else {
            continue;
        };
        let Some(first) = credentials::find(&text, Kind::Manifest).into_iter().next() else {
            continue;
        };
        let at = format!("line {} holds a credential ({})", first.line, first.what);
        if allowed.contains(&file) {
            d.warn(format!(
                "`{file}` {at}; it is copied into the image because `dockform.toml` lists it under `allow-secret-files`"
            ));
        } else {
            return Err(Error::bad_input(
                &file,
                format!(
                    "{at}, and dockform never copies a credential into an image: take it from an \
                     environment variable or a build secret (`--secret`), or list `{file}` under \
                     `allow-secret-files` in `dockform.toml` to copy it anyway"
                ),
            ));
        }
    }
    d.fact(
        "secret_files",
        mounted,
        None,
        "configs holding credentials, mounted as build secrets",
    );
    d.fact(
        "withheld_files",
        withheld,
        None,
        "files holding credentials, kept out of the build context",
    );
    Ok(())
}
