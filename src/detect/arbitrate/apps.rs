//! The apps of a workspace or repository root, for the refusal that lists them and for
//! `detect`: which directories hold a deployable program and why.

use serde_json::Value;

use super::role_of;
use crate::error::Error;
use crate::scan::Project;

/// Manifests of other stacks that make a directory an app of its own.
const OTHER_MANIFESTS: &[&str] = &[
    "go.mod",
    "Cargo.toml",
    "pyproject.toml",
    "requirements.txt",
    "Pipfile",
];

/// Files that say a directory holds a program, not a library.
const ENTRY_FILES: &[&str] = &[
    "main.go",
    "cmd",
    "src/main.rs",
    "manage.py",
    "main.py",
    "app.py",
    "app/main.py",
    "server.js",
    "server.ts",
];

/// Directory names that hold the one service of a repository.
const SERVICE_DIRS: &[&str] = &["api", "backend", "server", "service"];

/// The apps of a workspace root for its refusal: the workspace's packages, plus the
/// directories beside them (and the conventional `backend/`, `server/`, ...) that hold
/// another stack's manifest; servers first, then by name.
pub(crate) fn workspace_listing(
    project: &Project,
    packages: Vec<String>,
    patterns: &[String],
) -> Vec<String> {
    let mut apps = packages;
    let mut parents: Vec<String> = patterns
        .iter()
        .filter_map(|p| {
            p.trim_start_matches("./")
                .strip_suffix("/*")
                .map(String::from)
        })
        .collect();
    parents.sort();
    parents.dedup();
    let mut dirs: Vec<String> = parents
        .iter()
        .flat_map(|parent| {
            project
                .subdirs(parent)
                .into_iter()
                .map(move |d| format!("{parent}/{d}"))
        })
        .collect();
    dirs.extend(SERVICE_DIRS.iter().map(|d| d.to_string()));
    for dir in dirs {
        if !apps.contains(&dir)
            && OTHER_MANIFESTS
                .iter()
                .any(|m| project.is_file(&format!("{dir}/{m}")))
        {
            apps.push(dir);
        }
    }
    let mut ranked: Vec<(u8, String)> = apps
        .into_iter()
        .map(|dir| (app_rank(project, &dir), dir))
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, dir)| dir).collect()
}

/// 0: declares a server (a framework dependency, an entry file); 1: its start script
/// runs a program; 2: anything else (libraries, configs, docs).
fn app_rank(project: &Project, dir: &str) -> u8 {
    let rank = role_rank(project, dir);
    // A docs site or a component gallery serves pages too, but is rarely the app meant.
    let name = dir.rsplit('/').next().unwrap_or(dir);
    if AUXILIARY_DIRS.contains(&name) {
        rank.max(1)
    } else {
        rank
    }
}

/// Directory names of sites that accompany the app (documentation, component galleries).
const AUXILIARY_DIRS: &[&str] = &[
    "demo",
    "doc",
    "docs",
    "documentation",
    "e2e",
    "example",
    "examples",
    "playground",
    "storybook",
];

/// Whether the workspace package in `dir` is an app (a server, or a start script that
/// runs a program), and why, for `--app all` and `detect`.
pub fn package_role(project: &Project, dir: &str) -> (bool, String) {
    let text = project.read_hint(&format!("{dir}/package.json"));
    match text.map(|t| serde_json::from_str::<Value>(&t)) {
        Some(Ok(Value::Object(json))) => {
            let role = role_of(&json);
            let name = dir.rsplit('/').next().unwrap_or(dir);
            if role.server && AUXILIARY_DIRS.contains(&name) {
                return (
                    false,
                    format!("{}, but `{name}` is a docs or example site", role.reason),
                );
            }
            (role.server, role.reason)
        }
        _ => (false, "its `package.json` is not a JSON object".into()),
    }
}

fn role_rank(project: &Project, dir: &str) -> u8 {
    let text = project.read_hint(&format!("{dir}/package.json"));
    if let Some(Ok(Value::Object(json))) = text.map(|t| serde_json::from_str::<Value>(&t)) {
        let role = role_of(&json);
        return match role.reason.contains("server framework `") {
            true if role.server => 0,
            _ if role.server => 1,
            _ => 2,
        };
    }
    if ENTRY_FILES
        .iter()
        .any(|f| project.is_file(&format!("{dir}/{f}")) || project.is_dir(&format!("{dir}/{f}")))
    {
        0
    } else {
        2
    }
}

/// Every manifest a detector reads first.
const MANIFESTS: &[&str] = &[
    "package.json",
    "go.mod",
    "Cargo.toml",
    "pyproject.toml",
    "requirements.txt",
    "Pipfile",
    "setup.py",
];

/// When nothing at the root is deployable: the refusal naming the subdirectories that
/// hold a manifest (`backend/`, `server/`, `src/<pkg>/`), servers first, with the
/// command to run on the first. `None` when there is none.
pub(crate) fn subdir_refusal(project: &Project) -> Option<Error> {
    let mut dirs: Vec<String> = project.subdirs("");
    dirs.extend(
        project
            .subdirs("src")
            .into_iter()
            .map(|d| format!("src/{d}")),
    );
    let mut found: Vec<(u8, String, &str)> = dirs
        .into_iter()
        .filter(|d| !d.starts_with('.'))
        .filter_map(|dir| {
            let manifest = MANIFESTS
                .iter()
                .find(|m| project.is_file(&format!("{dir}/{m}")))?;
            // A conventional service directory comes first among equals.
            let name = dir.rsplit('/').next().unwrap_or(&dir);
            let rank = app_rank(project, &dir) * 2 + u8::from(!SERVICE_DIRS.contains(&name));
            Some((rank, dir, *manifest))
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    found.sort();
    const SHOWN: usize = 12;
    let mut names: Vec<String> = found
        .iter()
        .take(SHOWN)
        .map(|(_, dir, m)| format!("{} ({m})", crate::validate::shown(dir)))
        .collect();
    if found.len() > SHOWN {
        names.push(format!("and {} more", found.len() - SHOWN));
    }
    let first = crate::validate::shown(&found[0].1);
    Some(Error::bad_input(
        project.root().display().to_string(),
        format!(
            "has no manifest at its root, but its subdirectories do: {}; run dockform on the app, e.g. `dockform init {first}` (or pass `--stack` at the root)",
            names.join(", ")
        ),
    ))
}

/// When the directory has no manifest but is a Go main package inside a module
/// (`cmd/server`): the refusal naming the module and the command that picks this main. Only file existence is checked
/// above the root, at most four levels up and never past the repository's top
/// (the directory holding `.git`).
pub(crate) fn ancestor_refusal(project: &Project) -> Option<Error> {
    let root = project.root();
    let mut dir = root.parent();
    let mut depth = 0;
    while let Some(ancestor) = dir {
        depth += 1;
        if depth > 4 {
            return None;
        }
        if let Some(manifest) = MANIFESTS.iter().find(|m| ancestor.join(m).is_file()) {
            let rel = root
                .strip_prefix(ancestor)
                .ok()?
                .to_string_lossy()
                .into_owned();
            // Relative to the directory dockform was run on: short and exact.
            let up = vec![".."; depth].join("/");
            let go_main = *manifest == "go.mod"
                && project
                    .files()
                    .any(|f| !f.contains('/') && f.ends_with(".go"));
            let command = if go_main {
                format!(
                    "`dockform init {up} --main ./{}`",
                    crate::validate::shown(&rel)
                )
            } else {
                format!("`dockform init {up}`")
            };
            return Some(Error::bad_input(
                root.display().to_string(),
                format!(
                    "has no manifest of its own; it is part of the project whose `{manifest}` is in `{up}`: run dockform there, e.g. {command} from this directory"
                ),
            ));
        }
        if ancestor.join(".git").exists() {
            return None;
        }
        dir = ancestor.parent();
    }
    None
}
