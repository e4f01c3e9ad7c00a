//! Node.js and Next.js detection from `package.json`, its lockfiles and version pins.
//!
//! Stack-specific facts (`Settings.extra`) set here, used by `templates/node` and
//! `templates/nextjs`:
//! - `lockfile` (string or null): the lockfile the install is frozen to.
//! - `manifest_files` (list): root files copied before the dependency install.
//! - `manifest_dirs` (list): directories copied before the install (`.yarn/releases`).
//! - `build_packages` / `runtime_packages` (lists): Debian packages for native modules.
//! - `native_modules` (list), `prisma` (bool): what caused them.
//! - `build_output` (string or null): the compiled output directory (`dist`) whose
//!   contents replace the source in the final stage; null means the source is the app.
//! - `runtime_dirs` (list): directories the app reads at run time (`public`, `views`).
//! - `next_standalone` (bool), `has_public` (bool): Next.js output mode and assets.

mod entry;
mod pm;
mod version;

use serde_json::{Map, Value};

use super::{Detection, json_error};
use crate::error::{Error, Result};
use crate::preset::Presets;
use crate::scan::Project;
use crate::settings::Layer;

/// Dependencies that compile C/C++ on install (node-gyp users).
const NATIVE_MODULES: &[&str] = &[
    "argon2", "bcrypt", "better-sqlite3", "canvas", "cpu-features", "isolated-vm", "leveldown",
    "node-pty", "re2", "sharp", "sqlite3", "ssh2", "bufferutil", "utf-8-validate", "zeromq",
];

/// The parsed `package.json` with typed accessors.
pub(crate) struct Package {
    json: Map<String, Value>,
}

impl Package {
    fn str(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Value::as_str)
    }

    fn script(&self, name: &str) -> Option<&str> {
        self.json.get("scripts")?.get(name)?.as_str()
    }

    /// Whether `name` is a dependency of any kind.
    fn depends_on(&self, name: &str) -> bool {
        ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|k| self.json.get(*k).and_then(|d| d.get(name)).is_some())
    }
}

/// Detects a Node.js (`node`) or Next.js (`nextjs`) project.
pub fn detect(project: &Project, presets: &Presets, hints: &Layer) -> Result<Option<Detection>> {
    let Some(text) = project.read("package.json")? else {
        return Ok(None);
    };
    let json: Value = serde_json::from_str(&text).map_err(|e| json_error("package.json", &e))?;
    let Value::Object(json) = json else {
        return Err(Error::bad_input("package.json", "must hold a JSON object"));
    };
    let pkg = Package { json };
    refuse_workspace_root(project, &pkg)?;
    let next = pkg.depends_on("next");
    let mut d = if next {
        Detection::new("nextjs", "package.json", "`next` is a dependency")
    } else {
        Detection::new("node", "package.json", "`package.json` without `next`")
    };
    pm::detect(project, &pkg, hints, &mut d)?;
    let preset = presets.get(d.layer.preset.as_deref().unwrap_or(&d.stack))?;
    version::detect(project, &pkg, preset, &mut d)?;
    scripts(&pkg, &mut d)?;
    native(project, &pkg, preset, &mut d);
    if next {
        entry::next(project, &mut d)?;
    } else {
        entry::node(project, &pkg, &mut d)?;
    }
    entry::port(project, &mut d);
    Ok(Some(d))
}

/// A workspace root holds several apps; containerizing "the root" would be wrong.
fn refuse_workspace_root(project: &Project, pkg: &Package) -> Result<()> {
    let (file, patterns): (&str, Vec<String>) = if let Some(w) = pkg.json.get("workspaces") {
        let list = w.get("packages").unwrap_or(w);
        let patterns = list.as_array().map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect());
        ("package.json", patterns.unwrap_or_default())
    } else if project.is_file("pnpm-workspace.yaml") {
        let text = project.read("pnpm-workspace.yaml")?.unwrap_or_default();
        let patterns = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- "))
            .map(|p| p.trim().trim_matches(['"', '\'']).to_string())
            .collect();
        ("pnpm-workspace.yaml", patterns)
    } else {
        return Ok(());
    };
    let apps = workspace_apps(project, &patterns);
    let example = apps.first().map_or("apps/web".to_string(), |a| crate::validate::shown(a));
    // A few names are enough to say what to run; a huge monorepo would fill the screen.
    const SHOWN: usize = 8;
    let mut listed: Vec<String> = apps.iter().take(SHOWN).map(|a| crate::validate::shown(a)).collect();
    if apps.len() > SHOWN {
        listed.push(format!("and {} more", apps.len() - SHOWN));
    }
    Err(Error::NeedsAnswer {
        question: format!("`{file}` makes this a workspace root"),
        detail: format!(
            "containerizing a whole monorepo is not supported yet; workspace apps: {}. Run dockform on one app",
            if apps.is_empty() { "(none found)".to_string() } else { listed.join(", ") }
        ),
        flag: format!("dockform init {example}"),
    })
}

/// Directories matching simple workspace globs (`apps/*`, `packages/web`) that hold a
/// package.json. The globs are expanded directly, so a 5,000-package workspace costs
/// one directory listing, not a walk of the whole tree.
fn workspace_apps(project: &Project, patterns: &[String]) -> Vec<String> {
    let mut apps: Vec<String> = Vec::new();
    for p in patterns {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        let candidates = match p.strip_suffix("/*").or_else(|| p.strip_suffix("/**")) {
            Some(parent) => project.subdirs(parent).into_iter().map(|d| format!("{parent}/{d}")).collect(),
            None => vec![p.to_string()],
        };
        apps.extend(candidates.into_iter().filter(|dir| project.is_file(&format!("{dir}/package.json"))));
    }
    apps.sort();
    apps.dedup();
    apps
}

/// Build, test and dev commands from `scripts`, run through the package manager.
fn scripts(pkg: &Package, d: &mut Detection) -> Result<()> {
    let run = pm::run_prefix(d.layer.package_manager.as_deref().unwrap_or("npm"));
    if pkg.script("build").is_some() {
        d.layer.build_command = Some(format!("{run} build"));
        d.why("build-command", Some("package.json"), "`scripts.build`");
    }
    match pkg.script("test") {
        Some(t) if !t.contains("no test specified") => {
            d.layer.test_command = Some(format!("{run} test"));
            d.why("test-command", Some("package.json"), "`scripts.test`");
        }
        Some(_) => d.warn("`scripts.test` is npm's placeholder; the `test` stage will fail until a test command is set (`--test-command`)"),
        None => d.warn("no `scripts.test` in `package.json`; the `test` stage will fail until a test command is set (`--test-command`)"),
    }
    if pkg.script("dev").is_some() {
        let extra = if pkg.depends_on("next") { " --hostname 0.0.0.0" } else { "" };
        let sep = if run == "npm run" && !extra.is_empty() { " --" } else { "" };
        d.layer.dev_command = Some(format!("{run} dev{sep}{extra}"));
        d.why("dev-command", Some("package.json"), "`scripts.dev`");
    }
    Ok(())
}

/// Native modules need build tools in the builder; Prisma needs `prisma generate`
/// and OpenSSL at run time.
fn native(project: &Project, pkg: &Package, preset: &crate::preset::Preset, d: &mut Detection) {
    let mut natives: Vec<&str> = NATIVE_MODULES.iter().copied().filter(|m| pkg.depends_on(m)).collect();
    if pkg.depends_on("node-gyp") && !natives.contains(&"node-gyp") {
        natives.push("node-gyp");
    }
    let prisma = pkg.depends_on("prisma") || pkg.depends_on("@prisma/client");
    let list = |key: &str| -> Vec<String> {
        preset.data.get(key).and_then(|v| v.as_array()).map(|a| {
            a.iter().filter_map(|v| v.as_str().map(String::from)).collect()
        }).unwrap_or_default()
    };
    let mut build = Vec::new();
    let mut runtime = Vec::new();
    if !natives.is_empty() {
        build.extend(list("native-build-packages"));
        for m in &natives {
            build.extend(list(&format!("native-build-packages-{m}")));
            runtime.extend(list(&format!("native-runtime-packages-{m}")));
        }
    }
    if prisma {
        runtime.extend(list("prisma-runtime-packages"));
    }
    build.sort();
    build.dedup();
    runtime.sort();
    runtime.dedup();
    let names: Vec<Value> = natives.iter().map(|m| Value::from(*m)).collect();
    let why = if natives.is_empty() { "no native modules among the dependencies".to_string() } else { format!("native modules: {}", natives.join(", ")) };
    d.fact("native_modules", names, Some("package.json"), why.clone());
    d.fact("build_packages", build, Some("package.json"), why);
    let why = if prisma { "Prisma needs OpenSSL at run time" } else { "no runtime libraries needed" };
    d.fact("runtime_packages", runtime, Some("package.json"), why);
    if prisma && project.is_dir("prisma") {
        // The schema lets `prisma generate` run right after the install.
        if let Some(dirs) = d.extra.get_mut("manifest_dirs").and_then(|f| f.value.as_array_mut()) {
            dirs.push(Value::from("prisma"));
        }
    }
    d.fact("prisma", prisma, Some("package.json"), if prisma { "`prisma` or `@prisma/client` is a dependency" } else { "no Prisma" });
}
