//! How one app of a JavaScript workspace installs and builds, per package manager:
//! the root files its dependency layer copies, the install commands of its `deps` and
//! `prod-deps` stages (focused on the app where the manager can), its build commands,
//! and the comments that say what the manager cannot do.
//!
//! Every install runs with the root files and the manifests of the app's workspace
//! closure only, so the other packages are absent from the layer: a focused install
//! has nothing else to install, and a manager with no focus installs what is there.

use serde::Serialize;
use serde_json::Value;

use crate::detect::workspace::JsWorkspace;
use crate::error::Result;
use crate::settings::Settings;
use crate::validate;

/// Root files an install may read, besides `package.json` and the lockfile.
const CONFIG_FILES: &[(&str, &[&str])] = &[
    ("pnpm-workspace.yaml", &["pnpm"]),
    (".yarnrc.yml", &["yarn-berry"]),
    (".yarnrc", &["yarn"]),
    ("bunfig.toml", &["bun"]),
];

/// Root directories Yarn Berry reads: its pinned release, plugins and patches.
const BERRY_DIRS: &[&str] = &[".yarn/releases", ".yarn/plugins", ".yarn/patches"];

/// Said when `.yarnrc.yml` selects Plug'n'Play, which the image does not use.
const PNP: &str = "`.yarnrc.yml` sets `nodeLinker: pnp`; the image installs into `node_modules` (`YARN_NODE_LINKER`).";

/// The install and build steps of one app (`app.install`, ... in the template).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Install {
    /// Root files copied before the install (`package.json`, the lockfile, ...).
    pub root_files: Vec<String>,
    /// Root directories copied with them (`.yarn/releases`, ...).
    pub root_dirs: Vec<String>,
    /// The `deps` stage's install: every dependency of the app's closure.
    pub install: String,
    /// The `prod-deps` stage's install: production dependencies only.
    pub install_prod: String,
    /// Manifests whose `devDependencies` are dropped before `install_prod`, when the
    /// manager cannot leave them out itself.
    pub prune: Vec<String>,
    /// Comment lines above the `deps` install.
    pub notes: Vec<String>,
    /// Comment lines above the `prod-deps` install.
    pub prod_notes: Vec<String>,
    /// The `build` stage's commands, the workspace packages first, then the app.
    pub build: Vec<String>,
    /// Root `.dockerignore` lines for the manager's own state, which no stage copies.
    pub ignore: Vec<String>,
}

/// The steps for the app in `dir` (its package `name`, its `closure` of directories).
pub fn plan(ws: &JsWorkspace, dir: &str, name: &str, s: &Settings) -> Result<Install> {
    validate::word_path("a workspace package name", name)?;
    let closure = ws.closure(dir);
    for d in &closure {
        validate::word_path("a workspace package directory", d)?;
    }
    let libs = dependencies_first(ws, closure.iter().filter(|d| *d != dir).collect());
    let libs: Vec<&String> = libs.iter().collect();
    let pm = s.package_manager.as_str();
    let mut i = Install {
        root_files: root_files(ws, pm),
        ..Install::default()
    };
    let locked = ws.lockfile.is_some();
    match pm {
        "pnpm" => {
            let filter = serde_json::to_string(&format!("{name}...")).unwrap_or_default();
            i.install = format!("pnpm install --offline --frozen-lockfile --filter {filter}");
            i.install_prod =
                format!("pnpm install --offline --frozen-lockfile --prod --filter {filter}");
            if s.build_command.is_some() {
                i.build = vec![format!("pnpm --filter {filter} run build")];
            }
        }
        "yarn-berry" => berry(ws, dir, name, s, &closure, &mut i),
        "yarn" => {
            let frozen = if locked { " --frozen-lockfile" } else { "" };
            i.install = format!("yarn install{frozen}");
            i.install_prod = format!("yarn install --production{frozen}");
            i.notes = vec![
                "Yarn classic has no focused install (`workspaces focus` is Yarn 2+): it installs the root".into(),
                "and the workspace packages copied here, which are only this app's closure.".into(),
            ];
            i.prod_notes = vec![
                "Yarn classic prunes by `--production` only: the production dependencies of the root and".into(),
                "of the packages copied here.".into(),
            ];
            i.build = scripted(ws, &libs, dir, s, |n| {
                format!("yarn workspace {n} run build")
            });
        }
        "bun" => {
            let frozen = if locked { " --frozen-lockfile" } else { "" };
            if bun_filters(&s.version) {
                i.install = format!("bun install{frozen} --filter {name}");
                i.install_prod = format!("bun install{frozen} --production --filter {name}");
            } else {
                i.install = format!("bun install{frozen}");
                i.install_prod = format!("bun install{frozen} --production");
                i.notes = vec![
                    format!(
                        "Bun {} has no `bun install --filter` (Bun 1.2 and later): it installs the root and the",
                        s.version
                    ),
                    "workspace packages copied here, which are only this app's closure.".into(),
                ];
            }
            i.build = scripted(ws, &libs, dir, s, |n| format!("bun run --filter {n} build"));
        }
        _ => {
            let verb = if locked { "npm ci" } else { "npm install" };
            i.install = format!("{verb} --workspace {dir}");
            i.install_prod = format!("{verb} --omit=dev --workspace {dir}");
            if s.build_command.is_some() {
                i.build = libs
                    .iter()
                    .map(|l| format!("npm run build --if-present --workspace {l}"))
                    .chain([format!("npm run build --workspace {dir}")])
                    .collect();
            }
        }
    }
    Ok(i)
}

/// Yarn 2+: `yarn workspaces focus` (built into Yarn 4, the workspace-tools plugin
/// before), which installs the named workspaces and those they depend on and leaves
/// the lockfile alone; without it, a plain install of what the layer holds.
fn berry(
    ws: &JsWorkspace,
    dir: &str,
    name: &str,
    s: &Settings,
    closure: &[String],
    i: &mut Install,
) {
    // Zero-install caches and Plug'n'Play state can be large; the image installs anew.
    i.ignore = [
        ".yarn/cache",
        ".yarn/unplugged",
        ".yarn/install-state.gz",
        ".pnp.*",
    ]
    .map(String::from)
    .to_vec();
    i.root_dirs = BERRY_DIRS
        .iter()
        .filter(|d| ws.root.join(d).is_dir())
        .map(|d| d.to_string())
        .collect();
    let rc = std::fs::read_to_string(ws.root.join(".yarnrc.yml")).unwrap_or_default();
    let pnp = rc.lines().any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.trim() == "nodeLinker" && v.trim().trim_matches(['"', '\'']) == "pnp"
        })
    });
    let focus = s
        .extra
        .get("yarn_focus")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let libs = dependencies_first(ws, closure.iter().filter(|d| *d != dir).collect());
    let libs: Vec<&String> = libs.iter().collect();
    i.build = scripted(ws, &libs, dir, s, |n| {
        format!("yarn workspace {n} run build")
    });
    if focus {
        // The root's own dependencies (build tools, often) are installed with the app
        // when it declares any; focus selects the root by its name.
        let root_name = root_manifest(ws)
            .filter(declares_dependencies)
            .map(|j| j.get("name").and_then(Value::as_str).map(String::from));
        let with_root = match root_name {
            Some(Some(n)) if validate::word_path("the root package name", &n).is_ok() => {
                format!(" {n}")
            }
            Some(_) => " --all".into(),
            None => String::new(),
        };
        i.install = if with_root == " --all" {
            "yarn workspaces focus --all".into()
        } else {
            format!("yarn workspaces focus {name}{with_root}")
        };
        i.install_prod = format!("yarn workspaces focus --production {name}");
        i.notes = vec![
            "`yarn workspaces focus` installs the app and the workspace packages it depends on, at the".into(),
            "lockfile's versions; it never rewrites the lockfile, and cannot check it against packages".into(),
            "this layer leaves out (`yarn install --immutable` in CI does).".into(),
        ];
        if pnp {
            i.notes.push(PNP.into());
        }
    } else {
        let install = "YARN_ENABLE_IMMUTABLE_INSTALLS=false yarn install".to_string();
        i.install = install.clone();
        i.install_prod = install;
        i.notes = vec![
            "No `yarn workspaces focus` (Yarn 2 and 3 need the workspace-tools plugin): a plain install of".into(),
            "the root and the packages copied here, at the lockfile's versions. It is not immutable: the".into(),
            "lockfile lists packages this layer leaves out (`yarn install --immutable` in CI checks it).".into(),
        ];
        if pnp {
            i.notes.push(PNP.into());
        }
        i.prod_notes = vec![
            "Without `workspaces focus`, `devDependencies` are dropped from the manifests instead."
                .into(),
        ];
        i.prune = std::iter::once("package.json".to_string())
            .chain(closure.iter().map(|d| format!("{d}/package.json")))
            .collect();
    }
}

/// Build commands: each workspace package the app depends on that has a `build`
/// script, then the app (when it has a build command).
fn scripted(
    ws: &JsWorkspace,
    libs: &[&String],
    dir: &str,
    s: &Settings,
    run: impl Fn(&str) -> String,
) -> Vec<String> {
    if s.build_command.is_none() {
        return Vec::new();
    }
    let name_of = |d: &str| ws.member(d).map_or(d.to_string(), |m| m.name.clone());
    libs.iter()
        .filter(|l| has_build_script(ws, l))
        .map(|l| run(&name_of(l)))
        .chain([run(&name_of(dir))])
        .collect()
}

/// The workspace packages `libs` ordered so that each comes after those it depends
/// on (a cycle keeps the order it was found in): the order their builds must run.
fn dependencies_first(ws: &JsWorkspace, libs: Vec<&String>) -> Vec<String> {
    fn visit(
        ws: &JsWorkspace,
        dir: &str,
        libs: &[&String],
        out: &mut Vec<String>,
        seen: &mut Vec<String>,
    ) {
        if seen.iter().any(|s| s == dir) {
            return;
        }
        seen.push(dir.to_string());
        if let Some(m) = ws.member(dir) {
            for dep in &m.deps {
                let found = libs
                    .iter()
                    .find(|l| ws.member(l).is_some_and(|lm| &lm.name == dep));
                if let Some(l) = found {
                    visit(ws, l, libs, out, seen);
                }
            }
        }
        out.push(dir.to_string());
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for l in &libs {
        visit(ws, l, &libs, &mut out, &mut seen);
    }
    out
}

fn has_build_script(ws: &JsWorkspace, dir: &str) -> bool {
    std::fs::read_to_string(ws.root.join(dir).join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .is_some_and(|j| j.pointer("/scripts/build").is_some())
}

fn root_manifest(ws: &JsWorkspace) -> Option<Value> {
    let text = std::fs::read_to_string(ws.root.join("package.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn declares_dependencies(json: &Value) -> bool {
    ["dependencies", "devDependencies", "optionalDependencies"]
        .iter()
        .any(|k| {
            json.get(*k)
                .and_then(Value::as_object)
                .is_some_and(|o| !o.is_empty())
        })
}

/// Whether `bun install` selects packages with `--filter`: Bun 1.2 and later (Bun's
/// `--filter` documentation covers `bun install`); an unpinned `1` is the newest.
fn bun_filters(version: &str) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), _) if major > 1 => true,
        (Some(1), Some(minor)) => minor >= 2,
        (Some(1), None) => true,
        _ => false,
    }
}

/// Root files a JS workspace's install reads.
fn root_files(ws: &JsWorkspace, pm: &str) -> Vec<String> {
    let mut files = vec!["package.json".to_string()];
    files.extend(ws.lockfile.clone());
    for (file, managers) in CONFIG_FILES {
        // pnpm reads `pnpm-workspace.yaml` even when the workspace is declared elsewhere.
        let needed = *file == "pnpm-workspace.yaml" || ws.root.join(file).is_file();
        if managers.contains(&pm) && needed {
            files.push(file.to_string());
        }
    }
    if ws.root.join(".npmrc").is_file()
        && !std::fs::read_to_string(ws.root.join(".npmrc")).is_ok_and(|t| t.contains("_auth"))
    {
        files.push(".npmrc".into());
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_run_dependencies_first() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("package.json", r#"{"workspaces":["apps/*","packages/*"]}"#),
            (
                "apps/web/package.json",
                r#"{"name":"web","dependencies":{"a":"*"}}"#,
            ),
            (
                "packages/a/package.json",
                r#"{"name":"a","dependencies":{"b":"*"}}"#,
            ),
            (
                "packages/b/package.json",
                r#"{"name":"b","dependencies":{"c":"*"}}"#,
            ),
            ("packages/c/package.json", r#"{"name":"c"}"#),
        ] {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let ws = JsWorkspace::at(dir.path()).unwrap();
        let closure = ws.closure("apps/web");
        let libs: Vec<&String> = closure.iter().filter(|d| *d != "apps/web").collect();
        assert_eq!(
            dependencies_first(&ws, libs),
            ["packages/c", "packages/b", "packages/a"]
        );
    }

    #[test]
    fn bun_filters_installs_from_1_2() {
        assert!(bun_filters("1"));
        assert!(bun_filters("1.2.0"));
        assert!(bun_filters("1.4.5"));
        assert!(!bun_filters("1.1.38"));
        assert!(!bun_filters("1.0"));
    }
}
