//! Which package manager installs the dependencies, and which files pin them.

use super::Package;
use crate::detect::Detection;
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::scan::Project;
use crate::validate;

/// Lockfiles in order of preference when several are present.
pub(crate) const LOCKFILES: &[(&str, &str)] = &[
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("bun.lock", "bun"),
    ("bun.lockb", "bun"),
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
];

/// Extra files a package manager reads during install, copied with the manifests.
const CONFIG_FILES: &[&str] = &[
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".pnpmfile.cjs",
    "bunfig.toml",
];
/// Directories the install needs (Yarn Berry's pinned release and plugins, patches).
const CONFIG_DIRS: &[&str] = &[
    ".yarn/releases",
    ".yarn/plugins",
    ".yarn/patches",
    "patches",
];

/// `npm run`, `pnpm run`, ... for a package manager id.
pub fn run_prefix(pm: &str) -> &'static str {
    match pm {
        "pnpm" => "pnpm run",
        "yarn" | "yarn-berry" => "yarn run",
        "bun" => "bun run",
        _ => "npm run",
    }
}

/// Sets `package-manager` (and the `bun` preset), `lockfile`, `manifest_*` facts.
pub fn detect(project: &Project, pkg: &Package, hints: &Layer, d: &mut Detection) -> Result<()> {
    let found: Vec<(&str, &str)> = LOCKFILES
        .iter()
        .copied()
        .filter(|(f, _)| project.is_file(f))
        .collect();
    let declared = declared(pkg)?;
    let read = |f: &str| project.read_hint(f);
    let exists = |f: &str| project.is_file(f);
    let files = Files {
        read: &read,
        exists: &exists,
    };
    let (pm, lockfile) = if let Some(pm) = &hints.package_manager {
        let lock = found
            .iter()
            .find(|(_, m)| pm.starts_with(m))
            .map(|(f, _)| *f);
        (pm.clone(), lock)
    } else if let Some((name, version)) = &declared {
        let pm = family(&files, name, version.as_deref(), None);
        let lock = found
            .iter()
            .find(|(_, m)| pm.starts_with(m))
            .map(|(f, _)| *f);
        d.why(
            "package-manager",
            Some("package.json"),
            format!(
                "`packageManager` is `{name}@{}`",
                version.as_deref().unwrap_or("?")
            ),
        );
        (pm, lock)
    } else if let Some((file, name)) = found.first() {
        let pm = family(&files, name, None, Some(file));
        d.why("package-manager", Some(file), format!("lockfile `{file}`"));
        (pm, Some(*file))
    } else {
        d.why(
            "package-manager",
            None,
            "no lockfile and no `packageManager` field; npm is the default",
        );
        ("npm".to_string(), None)
    };
    let distinct: Vec<&str> = found
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| !f.starts_with("npm-shrink"))
        .collect();
    if distinct.len() > 1 {
        d.warn(format!(
            "several lockfiles ({}); using {} for `{pm}`: delete the others",
            distinct
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            lockfile.map_or("none".to_string(), |f| format!("`{f}`"))
        ));
    }
    if lockfile.is_none() && pkg.has_dependencies() {
        d.warn(format!("no lockfile for `{pm}`: dependencies are resolved at build time, so builds are not reproducible (commit a lockfile)"));
    }
    if pm == "bun" {
        d.layer.preset = Some("bun".to_string());
        d.why(
            "preset",
            lockfile.or(Some("package.json")),
            "Bun projects build on Bun's own images",
        );
    }
    if pm == "yarn-berry" {
        let version = declared.as_ref().and_then(|(_, v)| v.as_deref());
        berry_focus(&files, version, d);
    }
    d.layer.package_manager = Some(pm);
    record_files(project, lockfile, d);
    Ok(())
}

/// The package manager of a workspace member: the root's (`hint` when given), with
/// Yarn classic told from Yarn Berry and the Bun version read from the root, as for a
/// single package.
pub(crate) fn member(
    w: &crate::detect::workspace::JsWorkspace,
    hint: Option<&str>,
    d: &mut Detection,
) -> String {
    // The root's files, read directly: the member's own scan does not reach them.
    let read = |f: &str| std::fs::read_to_string(w.root.join(f)).ok();
    let exists = |f: &str| w.root.join(f).is_file();
    let root = Files {
        read: &read,
        exists: &exists,
    };
    let version = w.pm_version.as_deref();
    let pm = match hint {
        Some(h) => h.to_string(),
        None => family(&root, &w.package_manager, version, w.lockfile.as_deref()),
    };
    if pm == "yarn-berry" {
        berry_focus(&root, version.filter(|_| w.package_manager == "yarn"), d);
    }
    if pm == "bun" {
        d.layer.preset = Some("bun".to_string());
        if let Some(v) = version.filter(|_| w.package_manager == "bun") {
            d.layer.version = Some(v.to_string());
            d.why(
                "version",
                Some("package.json"),
                "the workspace root's `packageManager` pins Bun",
            );
        }
    }
    pm
}

/// Whether `yarn workspaces focus` exists: built into Yarn 4, a plugin before. Sets
/// `yarn_focus` (bool); without it the production install drops `devDependencies`
/// from the manifest and installs the rest at the versions the lockfile pins.
fn berry_focus(project: &Files, version: Option<&str>, d: &mut Detection) {
    let rc = (project.read)(".yarnrc.yml").unwrap_or_default();
    // `yarnPath: .yarn/releases/yarn-3.6.4.cjs` names the release when no field does.
    let from_path = rc
        .lines()
        .filter_map(|l| l.trim().strip_prefix("yarnPath:"))
        .filter_map(|p| p.trim().trim_matches(['"', '\'']).rsplit("yarn-").next())
        .map(String::from)
        .next();
    let (major, source) = match (version, &from_path) {
        (Some(v), _) => (
            v.split('.').next().and_then(|m| m.parse::<u32>().ok()),
            "package.json",
        ),
        (None, Some(p)) => (
            p.split('.').next().and_then(|m| m.parse::<u32>().ok()),
            ".yarnrc.yml",
        ),
        _ => (None, "package.json"),
    };
    let plugin = rc.contains("plugin-workspace-tools")
        || (project.exists)(".yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs");
    let (focus, why) = match major {
        Some(m) if m >= 4 => (true, format!("Yarn {m} has `workspaces focus` built in")),
        _ if plugin => (true, "the workspace-tools plugin provides `workspaces focus`".to_string()),
        Some(m) => (false, format!("Yarn {m} has `workspaces focus` only with the workspace-tools plugin, which the project does not use: the production install drops `devDependencies` instead")),
        None => (false, "the Yarn release is not pinned (`packageManager`, `yarnPath`): the production install drops `devDependencies`, which works on every Yarn 2+".to_string()),
    };
    d.fact("yarn_focus", focus, Some(source), why);
}

/// `packageManager: "pnpm@9.1.0+sha512..."` → (`pnpm`, `9.1.0`).
fn declared(pkg: &Package) -> Result<Option<(String, Option<String>)>> {
    let Some(raw) = pkg.str("packageManager") else {
        return Ok(None);
    };
    let (name, version) = match raw.split_once('@') {
        Some((n, v)) => (n, Some(v.split('+').next().unwrap_or(v).to_string())),
        None => (raw, None),
    };
    if !["npm", "pnpm", "yarn", "bun"].contains(&name) {
        return Err(Error::bad_input(
            "package.json",
            format!(
                "has a `packageManager` naming an unknown package manager `{}` (expected npm, pnpm, yarn or bun)",
                validate::shown(name)
            ),
        ));
    }
    if let Some(v) = &version {
        validate::version("`packageManager` version in `package.json`", v)?;
    }
    Ok(Some((name.to_string(), version)))
}

/// How the Yarn checks read a directory's files: a scanned project's, or a workspace
/// root's, read directly.
struct Files<'a> {
    read: &'a dyn Fn(&str) -> Option<String>,
    exists: &'a dyn Fn(&str) -> bool,
}

/// Tells Yarn classic (`yarn`) from Yarn Berry (`yarn-berry`).
fn family(project: &Files, name: &str, version: Option<&str>, lockfile: Option<&str>) -> String {
    if name != "yarn" {
        return name.to_string();
    }
    let berry = match version {
        Some(v) => !v.starts_with("1."),
        None => {
            let lock = lockfile.and_then(|f| (project.read)(f)).unwrap_or_default();
            lock.contains("__metadata:") || (project.exists)(".yarnrc.yml")
        }
    };
    if berry { "yarn-berry" } else { "yarn" }.to_string()
}

fn record_files(project: &Project, lockfile: Option<&str>, d: &mut Detection) {
    let mut files = vec!["package.json".to_string()];
    files.extend(lockfile.map(String::from));
    for file in CONFIG_FILES.iter().filter(|f| project.is_file(f)) {
        // One holding a credential is mounted as a build secret instead (see
        // `detect::secrets`, which also warns).
        if !crate::detect::secrets::holds_credentials(project, file) {
            files.push(file.to_string());
        }
    }
    let dirs: Vec<String> = CONFIG_DIRS
        .iter()
        .filter(|f| project.is_dir(f))
        .map(|f| f.to_string())
        .collect();
    d.fact(
        "lockfile",
        lockfile,
        lockfile,
        if lockfile.is_some() {
            "install is frozen to the lockfile"
        } else {
            "no lockfile"
        },
    );
    d.fact(
        "manifest_files",
        files,
        Some("package.json"),
        "copied before the install so dependency layers are cached",
    );
    d.fact(
        "manifest_dirs",
        dirs,
        None,
        "package-manager data the install reads",
    );
}
