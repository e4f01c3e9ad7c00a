//! Python detection from `pyproject.toml`, `requirements*.txt`, `Pipfile`, `setup.py`
//! and their lockfiles. The builder makes a virtualenv at a fixed path; the final
//! stage copies only that virtualenv and the app.
//!
//! Stack-specific facts (`Settings.extra`) set here, used by `templates/python`:
//! - `lockfile` (string or null): the lockfile the install is frozen to.
//! - `manifest_files` (list): files copied before the dependency install;
//!   `dev_manifest_files` (list): requirement files only the dev install reads.
//! - `tool_package` (string or null): the package manager (and plugins), pinned (`uv==0.13.9`).
//! - `create_venv` (bool): whether `python -m venv` makes the virtualenv (uv makes its own).
//! - `add_command` (string): installs an undeclared package into the virtualenv.
//! - `deps_command` (string or null): the dependency layer's install, from manifests only.
//! - `project_command` (string or null): installs the project once the source is copied.
//! - `dev_deps_command`, `dev_project_command` (string or null): the same with
//!   development dependencies, for the `dev` and `test` stages.
//! - `server_packages` (list): pinned servers the start command needs but the project
//!   does not declare; `dev_packages` (list): the same for tests (pytest).
//! - `framework` (string or null): `django`, `fastapi` or `flask`.
//! - `compiled` (list): dependencies that need C libraries; `build_packages` and
//!   `runtime_packages` (tables `apt`/`apk` → list): their distribution packages.
//! - `runtime_paths` (list or null): paths under the app directory the final stage
//!   copies from the build stage; null copies the whole tree (see `payload`).

mod apps;
mod django;
mod entry;
mod frozen;
mod launcher;
mod local;
mod manifests;
mod payload;
mod pm;
mod port;
mod version;
mod wheels;

use serde_json::{Value, json};

pub(crate) use self::manifests::DEV_REQUIREMENTS;
use self::manifests::Manifests;
use super::Detection;
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::preset::Preset;
use crate::preset::Presets;
use crate::preset::resolve_version;
use crate::scan::Project;

/// Detects a Python project.
pub fn detect(project: &Project, presets: &Presets, hints: &Layer) -> Result<Option<Detection>> {
    let Some(m) = Manifests::read(project)? else {
        return Ok(None);
    };
    if hints.start_command.is_none() {
        crate::detect::uv_workspace::refuse_root(project)?;
    }
    let source = [
        "pyproject.toml",
        "Pipfile",
        "requirements.txt",
        "setup.py",
        "setup.cfg",
    ]
    .into_iter()
    .find(|f| project.is_file(f))
    .or(m.requirements.as_deref())
    .unwrap_or("requirements.txt")
    .to_string();
    let mut d = Detection::new(
        "python",
        &source,
        format!("`{source}` is a Python manifest"),
    );
    let preset = presets.get(hints.preset.as_deref().unwrap_or("python"))?;
    // The uv workspace this project is a member of, looked up once: its lockfile, its
    // `.python-version` and its root (the build context) apply to the member.
    let member = crate::detect::uv_workspace::UvWorkspace::enclosing(project.root());
    pm::detect(project, &m, member.as_ref(), preset, hints, &mut d)?;
    local::check(
        project,
        &m,
        member.as_ref().map_or("", |(_, rel)| rel.as_str()),
        &mut d,
    );
    version::detect(project, &m, member.as_ref(), preset, hints, &mut d)?;
    refuse_impossible_distroless(preset, hints, &d)?;
    let default_port = preset.defaults.port.unwrap_or(8000);
    let Some(found) = entry::detect(project, &m, hints, default_port, &mut d)? else {
        return Ok(Some(d));
    };
    extras(preset, &m, &found, &mut d)?;
    compiled(project, preset, &m, hints, &mut d)?;
    payload::detect(project, &m, hints, &found, &mut d);
    Ok(Some(d))
}

/// The distroless image has only Debian's Python 3.13 and no package manager.
fn refuse_impossible_distroless(preset: &Preset, hints: &Layer, d: &Detection) -> Result<()> {
    let Some(family) = hints.runtime.as_deref().and_then(|r| preset.runtime.get(r)) else {
        return Ok(());
    };
    let Some(only) = family.data.get("only-version").and_then(|v| v.as_str()) else {
        return Ok(());
    };
    // A version that names no release is refused when the plan is resolved, naming
    // the flag or file it came from.
    let Ok(version) = target_version(preset, hints, d) else {
        return Ok(());
    };
    if version != only {
        let from = if hints.version.is_some() {
            "was asked for".to_string()
        } else {
            d.evidence
                .get("version")
                .and_then(|e| e.source.clone())
                .map_or("is the default".into(), |s| format!("comes from `{s}`"))
        };
        return Err(Error::invalid(
            "`--runtime`",
            format!(
                "the distroless Python image has only Python {only}, but Python {version} {from}; use `--runtime slim`, or `--python-version {only}` if the project supports it"
            ),
        ));
    }
    Ok(())
}

/// Servers and test runners the commands need but the project does not declare.
fn extras(preset: &Preset, m: &Manifests, found: &entry::Entry, d: &mut Detection) -> Result<()> {
    let mut servers = Vec::new();
    if let Some(server) = found.missing_server {
        d.warn(format!(
            "`{server}` serves the {} app but is not among the production dependencies; the image installs {} (add it to the project's dependencies to choose the version)",
            found.framework.unwrap_or("web"), pm::pin(preset, server)?
        ));
        servers.push(pm::pin(preset, server)?);
    }
    let mut dev = Vec::new();
    if d.layer.test_command.as_deref() == Some("python -m pytest") && !m.has("pytest") {
        d.warn(format!(
            "pytest is configured but not a dependency; the test stage installs {}",
            pm::pin(preset, "pytest")?
        ));
        dev.push(pm::pin(preset, "pytest")?);
    }
    let why = if servers.is_empty() {
        "the project declares its server"
    } else {
        "the start command needs it"
    };
    d.fact("server_packages", servers, None, why);
    d.fact("dev_packages", dev, None, "the test command needs it");
    d.fact(
        "framework",
        found.framework,
        None,
        found.framework.map_or("no web framework".to_string(), |f| {
            format!("{f} is a dependency")
        }),
    );
    Ok(())
}

/// Dependencies that compile C or load C libraries: builder and runtime packages. A
/// dependency the lockfile has a wheel for (on the image's Python, Linux x86_64) needs
/// neither: the wheel is built, and bundles its libraries. Pinned requirements name no
/// files, so without a lockfile the packages stay.
fn compiled(
    project: &Project,
    preset: &Preset,
    m: &Manifests,
    hints: &Layer,
    d: &mut Detection,
) -> Result<()> {
    let table = preset
        .data
        .get("compiled")
        .and_then(|v| v.as_table())
        .cloned()
        .unwrap_or_default();
    let family = hints
        .runtime
        .as_deref()
        .or(preset.defaults.runtime.as_deref())
        .and_then(|r| preset.runtime.get(r));
    let data = |k: &str| family.and_then(|f| f.data.get(k)).and_then(|v| v.as_str());
    // As above: a version that names no release is refused later, naming its origin.
    let Ok(version) = target_version(preset, hints, d) else {
        return Ok(());
    };
    let target = wheels::Target {
        python: &version,
        musl: data("packages") == Some("apk"),
    };
    let lock = wheels::Lock::read(project)?;
    let mut names = Vec::new();
    let mut notes = Vec::new();
    for name in table
        .keys()
        .filter(|k| m.main.contains(*k) || m.dev.contains(*k))
    {
        let entry = &table[name];
        let compiles = entry
            .get("compiles")
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        // A package that compiles is replaced by its wheel; a pure one that loads a C
        // library at run time, by its binary companion (`psycopg-binary`) when locked.
        let wheel_of = if compiles {
            Some(name.as_str())
        } else {
            entry.get("binary").and_then(|v| v.as_str())
        };
        let wheel = lock
            .as_ref()
            .zip(wheel_of)
            .and_then(|(l, w)| l.wheel_for(w, &target).map(|f| (l.file, f)));
        match (wheel, &lock) {
            (Some((file, whl)), _) => notes.push(format!(
                "`{name}` installs from the wheel `{whl}` locked in `{file}`, which bundles its libraries"
            )),
            (None, Some(l)) if l.has(name) => {
                notes.push(format!(
                    "`{}` has no wheel for CPython {version} on Linux x86_64 in `{}`",
                    wheel_of.unwrap_or(name),
                    l.file
                ));
                names.push(name.clone());
            }
            _ => names.push(name.clone()),
        }
    }
    let mut build = json!({ "apt": [], "apk": [] });
    let mut runtime = json!({ "apt": [], "apk": [] });
    for tool in ["apt", "apk"] {
        let mut b: Vec<String> = Vec::new();
        let mut r: Vec<String> = Vec::new();
        for name in &names {
            let entry = &table[name];
            if entry
                .get("compiles")
                .and_then(|v| v.as_bool())
                .unwrap_or(true)
            {
                b.extend(list(preset.data.get("compiler").and_then(|c| c.get(tool))));
            }
            b.extend(list(entry.get("build").and_then(|t| t.get(tool))));
            if m.main.contains(name) {
                r.extend(list(entry.get("runtime").and_then(|t| t.get(tool))));
            }
        }
        for v in [&mut b, &mut r] {
            v.sort();
            v.dedup();
        }
        build[tool] = json!(b);
        runtime[tool] = json!(r);
    }
    let needs_libs = runtime["apt"].as_array().is_some_and(|a| !a.is_empty());
    let distroless = data("packages") == Some("none") && hints.runtime.is_some();
    if needs_libs && distroless {
        return Err(Error::invalid(
            "`--runtime`",
            format!(
                "{} needs C libraries at run time ({}), which the distroless image cannot install; use `--runtime slim` (or a `-binary` build of the driver)",
                names.join(", "),
                list_str(&runtime["apt"])
            ),
        ));
    }
    if !names.is_empty() && lock.is_none() {
        notes.push("pinned requirements name no wheel files, so whether one exists cannot be known offline".into());
    }
    let mut why = if names.is_empty() {
        "no dependency needs C libraries".to_string()
    } else {
        format!("{} build against C libraries", names.join(", "))
    };
    if !notes.is_empty() {
        why = format!("{why}: {}", notes.join("; "));
    }
    let source = lock.as_ref().map(|l| l.file);
    d.fact("compiled", names, source, why.clone());
    d.fact("build_packages", build, source, why.clone());
    d.fact("runtime_packages", runtime, source, why);
    Ok(())
}

/// The Python line the image gets: asked for, detected, else the preset default.
fn target_version(preset: &Preset, hints: &Layer, d: &Detection) -> Result<String> {
    let wanted = hints
        .version
        .as_deref()
        .or(d.layer.version.as_deref())
        .or(preset.defaults.version.as_deref())
        .unwrap_or_default();
    resolve_version(preset, wanted)
}

fn list(v: Option<&toml::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn list_str(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
