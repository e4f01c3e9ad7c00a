//! Rust detection from `Cargo.toml` (packages, workspaces, binary targets), `Cargo.lock`,
//! the toolchain files, `.cargo/config.toml` and the sources (port, loopback binds).
//!
//! Stack-specific facts (`Settings.extra`) set here, used by `templates/rust`:
//! - `package` (string), `bin` (string): the package and the binary target built; the
//!   file Cargo writes is named after `bin`.
//! - `features` (list): the binary's `required-features`, passed to every build.
//! - `lockfile` (bool): `Cargo.lock` is present, so builds run with `--locked`.
//! - `manifest_copies` (list of `{dir, files}`): what the `skeleton` stage copies, by
//!   destination directory: manifests, lockfile, toolchain file, `.cargo/config.toml`.
//! - `stub_dirs`, `stub_mains`, `stub_libs` (lists): the skeleton's placeholder sources,
//!   one per target (`fn main() {}` or an empty library) so dependencies build alone.
//! - `target_dir` (string), `config_target` (string or null): where binaries land, from
//!   `.cargo/config.toml` `build.target-dir` and `build.target`.
//! - `openssl` (bool): the build links the system OpenSSL.
//! - `test_prebuild`, `dev_prebuild` (strings): commands that compile the test and
//!   debug dependencies in the skeleton, before the source is copied.
//! - `runtime_dirs` (list): directories beside the binary the app reads at run time.
//! - `workspace` (bool): a Cargo workspace.
//! - `binaries` (list of `{name, dir}`): every binary target and its package directory
//!   (`--app all` at a workspace root writes one Dockerfile per binary).

mod buildreq;
mod listen;
mod manifest;
mod serve;
mod source;
mod subcommand;
mod tls;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Detection;
use crate::detect::Question;
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::preset::Presets;
use crate::scan::Project;
use crate::validate;
use manifest::{Bin, Package};

/// Directories a Rust web app commonly reads at run time, copied beside it.
const RUNTIME_DIRS: &[&str] = &["static", "templates", "public", "assets"];

/// Detects a Rust project (`rust`).
pub fn detect(project: &Project, presets: &Presets, hints: &Layer) -> Result<Option<Detection>> {
    let Some(root) = manifest::read(project, "")? else {
        return Ok(None);
    };
    // An empty `[workspace]` only fences a single package off from enclosing workspaces.
    let workspace = root.contains_key("workspace")
        && (!root.contains_key("package") || !manifest::members(project, &root).is_empty());
    let packages = manifest::all(project, root.clone())?;
    let mut d = Detection::new(
        "rust",
        "Cargo.toml",
        if workspace {
            "`Cargo.toml` with `[workspace]`"
        } else {
            "`Cargo.toml`"
        },
    );
    let preset = presets.get(d.layer.preset.as_deref().unwrap_or("rust"))?;
    // The toolchain file applies to the whole project, whichever binary is chosen.
    let pinned = source::toolchain(project, preset, &mut d)?;
    let bins: Vec<serde_json::Value> = packages
        .iter()
        .flat_map(|p| {
            p.bins
                .iter()
                .map(|b| serde_json::json!({ "name": b.name, "dir": p.dir }))
        })
        .collect();
    d.fact(
        "binaries",
        bins,
        Some("Cargo.toml"),
        "every binary target, with its package's directory (for one image per binary)",
    );
    let Some((pkg, bin)) = choose(&packages, &root, workspace, hints, &mut d)? else {
        return Ok(Some(d));
    };
    if !pinned {
        source::version(
            &root,
            &pkg.manifest,
            preset,
            hints.version.as_deref(),
            &mut d,
        )?;
    }
    let lock = project.read("Cargo.lock")?;
    if lock.is_none() {
        d.warn("no `Cargo.lock`: dependency versions are resolved at build time, so builds are not reproducible (run `cargo generate-lockfile` and commit it)");
    }
    let config = source::cargo_config(project, &mut d)?;
    commands(pkg, bin, workspace, lock.is_some(), &mut d)?;
    copies(
        project,
        &packages,
        lock.is_some(),
        config.as_deref(),
        &mut d,
    )?;
    // Features the build turns on beyond the defaults: the binary's required ones and
    // any a `--build-command` passes.
    let mut features = bin.required_features.clone();
    if let Some(cmd) = hints.build_command.as_deref() {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let list = match *w {
                "--features" | "-F" => words.get(i + 1).copied(),
                _ => w.strip_prefix("--features="),
            };
            features.extend(
                list.into_iter()
                    .flat_map(|l| l.split([',', ' ']))
                    .map(String::from),
            );
            if *w == "--all-features" {
                features.push("*".into());
            }
        }
    }
    if !features.iter().any(|f| f == "*") {
        buildreq::check(project, pkg, &root, &features, &mut d);
    }
    let manifest_file = manifest::join(&pkg.dir, "Cargo.toml");
    let tls = tls::openssl(
        lock.as_deref(),
        &pkg.name,
        (&manifest_file, &pkg.manifest),
        &root,
    );
    d.fact("openssl", tls.needed, tls.file.as_deref(), tls.why);
    if tls.needed && hints.runtime.as_deref() == Some("scratch") {
        d.warn("OpenSSL in a static musl build needs the `vendored` feature of the `openssl` crate (or switch to rustls); `--runtime scratch` will otherwise fail to link");
    }
    if hints.start_command.is_none()
        && let Some((word, why)) = subcommand::subcommand(project, pkg, bin)
    {
        if let Some(cmd) = d.layer.start_command.as_mut() {
            cmd.push(' ');
            cmd.push_str(&word);
        }
        if let Some(cmd) = d.layer.dev_command.as_mut() {
            cmd.push_str(" -- ");
            cmd.push_str(&word);
        }
        d.why("start-command", None, why);
    }
    if !listen::listen(project, pkg, &packages, &mut d) {
        source::port(project, &pkg.dir, &mut d);
    }
    if d.layer.port.is_none()
        && serve::may_serve(project, pkg, &packages, lock.as_deref()).is_none()
    {
        d.layer.port = Some(0);
        d.why(
            "port",
            Some(if lock.is_some() {
                "Cargo.lock"
            } else {
                "Cargo.toml"
            }),
            "no server crate among its dependencies and no listener in its code: serves no HTTP",
        );
    }
    let dirs: Vec<&str> = RUNTIME_DIRS
        .iter()
        .copied()
        .filter(|x| project.is_dir(&manifest::join(&pkg.dir, x)))
        .collect();
    let dirs: Vec<String> = dirs.iter().map(|x| manifest::join(&pkg.dir, x)).collect();
    d.fact("runtime_dirs", dirs, None, "read by the app at run time");
    d.fact(
        "workspace",
        workspace,
        Some("Cargo.toml"),
        if workspace {
            "`[workspace]`"
        } else {
            "a single package"
        },
    );
    Ok(Some(d))
}

/// Picks the binary: `--bin` (a binary or a package with one), the only one,
/// `default-run`, or a question listing every candidate.
fn choose<'a>(
    packages: &'a [Package],
    root: &toml::Table,
    workspace: bool,
    hints: &Layer,
    d: &mut Detection,
) -> Result<Option<(&'a Package, &'a Bin)>> {
    let all: Vec<(&Package, &Bin)> = packages
        .iter()
        .flat_map(|p| p.bins.iter().map(move |b| (p, b)))
        .collect();
    let names: Vec<String> = all.iter().map(|(_, b)| b.name.clone()).collect();
    if all.is_empty() {
        return Err(Error::bad_input(
            "Cargo.toml",
            "has no binary target (`src/main.rs`, `src/bin/*.rs` or `[[bin]]`); a library has nothing to run in a container",
        ));
    }
    if let Some(wanted) = &hints.app {
        let by_bin = all.iter().find(|(_, b)| &b.name == wanted);
        let by_pkg = || {
            let p = packages.iter().find(|p| &p.name == wanted)?;
            let b = p
                .bins
                .iter()
                .find(|b| Some(&b.name) == p.default_run.as_ref())
                .or(if p.bins.len() == 1 {
                    p.bins.first()
                } else {
                    None
                })?;
            Some((p, b))
        };
        return match by_bin.copied().or_else(by_pkg) {
            Some(found) => {
                d.layer.app = Some(found.1.name.clone());
                d.why("app", Some("Cargo.toml"), "chosen with `--bin`");
                Ok(Some(found))
            }
            None => Err(Error::invalid(
                "`--bin`",
                format!(
                    "no binary `{}` in this project (binaries: {})",
                    validate::shown(wanted),
                    names.join(", ")
                ),
            )),
        };
    }
    let default_run = (!workspace || packages.len() == 1)
        .then(|| {
            packages.iter().find_map(|p| {
                p.bins
                    .iter()
                    .find(|b| Some(&b.name) == p.default_run.as_ref())
                    .map(|b| (p, b))
            })
        })
        .flatten();
    let (found, why) = match (all.as_slice(), default_run) {
        ([one], _) => (*one, "the only binary target".to_string()),
        (_, Some(found)) => (found, format!("`default-run = \"{}\"`", found.1.name)),
        _ if serve::prefer(&all, root).is_some() => {
            let (found, why) = serve::prefer(&all, root).expect("checked");
            let others: Vec<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|n| *n != found.1.name)
                .collect();
            d.warn(format!(
                "building `{}`, {why}; the project also has {} (pass `--bin` to build another)",
                found.1.name,
                others
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            (found, why)
        }
        _ => {
            d.questions.push(Question {
                prompt: "Binary to containerize".into(),
                detail: format!(
                    "{} defines {} binaries",
                    if workspace {
                        "the workspace"
                    } else {
                        "`Cargo.toml`"
                    },
                    all.len()
                ),
                candidates: names,
                flag: "--bin".into(),
            });
            return Ok(None);
        }
    };
    d.layer.app = Some(found.1.name.clone());
    d.why(
        "app",
        Some(&manifest::join(&found.0.dir, "Cargo.toml")),
        why,
    );
    Ok(Some(found))
}

/// Build, start, test and dev commands for the chosen binary.
fn commands(
    pkg: &Package,
    bin: &Bin,
    workspace: bool,
    locked: bool,
    d: &mut Detection,
) -> Result<()> {
    let manifest = manifest::join(&pkg.dir, "Cargo.toml");
    let invalid = |what: String| {
        Err(Error::bad_input(
            &manifest,
            format!("{what}, which is not a valid Cargo name (letters, digits, `-`, `_`)"),
        ))
    };
    if !cargo_name(&pkg.name) {
        return invalid(format!(
            "names the package `{}`",
            validate::shown(&pkg.name)
        ));
    }
    // A binary is named in `[[bin]]` or after its file (`src/bin/<name>.rs`): say which.
    if !cargo_name(&bin.name) {
        return invalid(format!(
            "gives the binary built from `{}` the name `{}`",
            validate::shown(&bin.path),
            validate::shown(&bin.name)
        ));
    }
    if let Some(f) = bin.required_features.iter().find(|f| !cargo_name(f)) {
        return invalid(format!("names the feature `{}`", validate::shown(f)));
    }
    let lock = if locked { " --locked" } else { "" };
    let pkg_flag = if workspace {
        format!(" -p {}", pkg.name)
    } else {
        String::new()
    };
    let features = if bin.required_features.is_empty() {
        String::new()
    } else {
        format!(" --features {}", bin.required_features.join(","))
    };
    let select = format!("{pkg_flag} --bin {}{features}", bin.name);
    d.layer.build_command = Some(format!("cargo build --release{lock}{select}"));
    d.why(
        "build-command",
        Some(&manifest),
        format!("binary `{}` of package `{}`", bin.name, pkg.name),
    );
    d.layer.start_command = Some(format!("/usr/local/bin/{}", bin.name));
    d.why(
        "start-command",
        Some(&manifest),
        format!("Cargo names the built file after the binary `{}`", bin.name),
    );
    let all = if workspace { " --workspace" } else { "" };
    d.layer.test_command = Some(format!("cargo test{lock}{all}"));
    d.why("test-command", Some(&manifest), "`cargo test`");
    d.layer.dev_command = Some(format!("cargo run{lock}{select}"));
    d.why(
        "dev-command",
        Some(&manifest),
        "`cargo run` of the chosen binary",
    );
    d.fact(
        "package",
        pkg.name.as_str(),
        Some(&manifest),
        "the package that owns the binary",
    );
    d.fact(
        "bin",
        bin.name.as_str(),
        Some(&manifest),
        "the binary target built and run",
    );
    d.fact(
        "features",
        bin.required_features.clone(),
        Some(&manifest),
        "`required-features` of the binary",
    );
    d.fact(
        "lockfile",
        locked,
        if locked { Some("Cargo.lock") } else { None },
        if locked {
            "builds run with `--locked`"
        } else {
            "no `Cargo.lock`"
        },
    );
    d.fact(
        "test_prebuild",
        format!("cargo test{lock}{all} --no-run"),
        None,
        "compiles test dependencies before the source is copied",
    );
    d.fact(
        "dev_prebuild",
        format!("cargo build{lock}{select}"),
        None,
        "compiles debug dependencies before the source is copied",
    );
    Ok(())
}

/// Package, binary and feature names reach `RUN` lines: letters, digits, `-`, `_`, `/`.
fn cargo_name(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 64
        && !word.starts_with('-')
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/".contains(c))
}

/// What the skeleton copies and the placeholder sources it writes.
fn copies(
    project: &Project,
    packages: &[Package],
    locked: bool,
    config: Option<&str>,
    d: &mut Detection,
) -> Result<()> {
    let mut by_dir: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut root = vec!["Cargo.toml".to_string()];
    if locked {
        root.push("Cargo.lock".into());
    }
    root.extend(
        ["rust-toolchain.toml", "rust-toolchain"]
            .iter()
            .filter(|f| project.is_file(f))
            .map(|f| f.to_string()),
    );
    by_dir.insert("./".into(), root);
    if let Some(c) = config {
        by_dir.insert(".cargo/".into(), vec![c.to_string()]);
    }
    for p in packages.iter().filter(|p| !p.dir.is_empty()) {
        by_dir
            .entry(format!("{}/", p.dir))
            .or_default()
            .push(manifest::join(&p.dir, "Cargo.toml"));
    }
    let mut mains: Vec<String> = packages
        .iter()
        .flat_map(|p| p.mains.iter().cloned())
        .collect();
    let mut libs: Vec<String> = packages
        .iter()
        .flat_map(|p| p.libs.iter().cloned())
        .collect();
    mains.sort();
    mains.dedup();
    libs.sort();
    libs.dedup();
    // The paths land unquoted in `COPY` and in the skeleton's shell commands.
    for path in mains.iter().chain(&libs).chain(by_dir.values().flatten()) {
        validate::word_path("`Cargo.toml` target path", path)?;
    }
    let mut dirs: Vec<String> = mains
        .iter()
        .chain(&libs)
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir.to_string()))
        .collect();
    dirs.sort();
    dirs.dedup();
    let list: Vec<Value> = by_dir
        .into_iter()
        .map(|(dir, files)| json!({ "dir": dir, "files": files }))
        .collect();
    d.fact(
        "manifest_copies",
        list,
        Some("Cargo.toml"),
        "manifests copied before the source so dependencies build in their own layer",
    );
    d.fact(
        "stub_dirs",
        dirs,
        None,
        "directories of the placeholder sources",
    );
    d.fact(
        "stub_mains",
        mains,
        Some("Cargo.toml"),
        "targets with a `main`: bins, examples, tests, benches, build scripts",
    );
    d.fact("stub_libs", libs, Some("Cargo.toml"), "library targets");
    Ok(())
}

#[cfg(test)]
mod tests;
