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
//! - `runtime_paths` (`{files, dirs}` or null): what the final stage copies when the
//!   source is the app (see `payload`); null copies the tree.
//! - `next_standalone` (bool), `has_public` (bool): Next.js output mode and assets.

mod bun;
mod entry;
mod next;
mod payload;
mod pm;
mod port;
pub(super) use pm::LOCKFILES;
mod scripts;
mod version;

pub(crate) use pm::run_prefix;

use serde_json::{Map, Value};

use super::{Detection, json_error};
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::preset::Presets;
use crate::scan::Project;

/// Dependencies that compile C/C++ on install (node-gyp users).
const NATIVE_MODULES: &[&str] = &[
    "argon2",
    "bcrypt",
    "better-sqlite3",
    "canvas",
    "cpu-features",
    "isolated-vm",
    "leveldown",
    "node-pty",
    "re2",
    "sharp",
    "sqlite3",
    "ssh2",
    "bufferutil",
    "utf-8-validate",
    "zeromq",
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

    /// Whether `name` is listed in the `section` (`dependencies`, ...).
    fn depends_in(&self, section: &str, name: &str) -> bool {
        self.json.get(section).and_then(|d| d.get(name)).is_some()
    }

    /// Whether the production install has anything to install.
    fn has_prod_dependencies(&self) -> bool {
        ["dependencies", "optionalDependencies"].iter().any(|k| {
            self.json
                .get(*k)
                .and_then(Value::as_object)
                .is_some_and(|d| !d.is_empty())
        })
    }

    /// Whether anything at all is installed (a package without dependencies has nothing
    /// to lock, and Bun deletes an empty lockfile).
    fn has_dependencies(&self) -> bool {
        ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|k| {
                self.json
                    .get(*k)
                    .and_then(Value::as_object)
                    .is_some_and(|d| !d.is_empty())
            })
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
    // A workspace member installs from the root's lockfile, and a dependency the root
    // declares (hoisted `next`, say) is the member's too.
    let ws = super::workspace::JsWorkspace::enclosing(project.root());
    // Only for a member that uses it: a root that declares every app's dependencies
    // (postiz) also hoists `next` for its NestJS backend.
    let uses_next = [
        "next.config.js",
        "next.config.mjs",
        "next.config.ts",
        "next.config.cjs",
    ]
    .iter()
    .any(|f| project.is_file(f))
        || pkg
            .json
            .get("scripts")
            .and_then(Value::as_object)
            .is_some_and(|s| {
                s.values()
                    .filter_map(Value::as_str)
                    .any(|c| c.split_whitespace().any(|w| w == "next"))
            });
    let root_next = uses_next
        && ws
            .as_ref()
            .is_some_and(|(w, _)| w.root_deps.contains("next"));
    let next = pkg.depends_on("next") || root_next;
    let mut d = if pkg.depends_on("next") {
        Detection::new("nextjs", "package.json", "`next` is a dependency")
    } else if next {
        Detection::new(
            "nextjs",
            "../package.json",
            "`next` is a dependency of the workspace root's `package.json`",
        )
    } else {
        Detection::new("node", "package.json", "`package.json` without `next`")
    };
    match &ws {
        Some((w, rel)) => member_of(w, rel, &pkg, hints, &mut d),
        None => pm::detect(project, &pkg, hints, &mut d)?,
    }
    let preset = presets.get(d.layer.preset.as_deref().unwrap_or(&d.stack))?;
    let root = ws
        .as_ref()
        .and_then(|(w, rel)| version::Root::open(&w.root, rel));
    let wanted = hints.version.as_deref();
    version::detect(project, &pkg, root.as_ref(), preset, wanted, &mut d)?;
    scripts::commands(&pkg, &mut d)?;
    native(project, &pkg, preset, &mut d);
    let prod = pkg.has_prod_dependencies();
    d.fact(
        "prod_dependencies",
        prod,
        Some("package.json"),
        if prod {
            "`dependencies` lists packages the app needs at run time"
        } else {
            "no `dependencies`: the production install may create no `node_modules`, so the stage makes sure there is one to copy"
        },
    );
    if next {
        next::next(project, &mut d)?;
        next::next_prune(&pkg, preset, &mut d);
        next::next_config_packages(project, &pkg, &mut d);
        custom_server(&pkg, &mut d);
    } else {
        entry::node(project, &pkg, &mut d)?;
    }
    port::port(project, &pkg, &mut d);
    if !next && ws.is_none() {
        payload::detect(project, hints, &mut d);
    }
    scripts::tests(project, &pkg, &mut d);
    scripts::dev(project, &pkg, &mut d);
    // A member builds from the workspace root: its paths are judged from there.
    local_paths(
        &pkg,
        ws.as_ref().map_or("", |(_, rel)| rel.as_str()),
        &mut d,
    );
    Ok(Some(d))
}

/// `file:`/`link:` dependencies that leave the build context (`dir` is the package's
/// directory within it).
fn local_paths(pkg: &Package, dir: &str, d: &mut Detection) {
    for section in ["dependencies", "devDependencies", "optionalDependencies"] {
        let Some(deps) = pkg.json.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, spec) in deps {
            let Some(path) = spec.as_str().and_then(super::outside::local_spec) else {
                continue;
            };
            if super::outside::escapes(dir, path) {
                let file = format!("package.json (`{section}`)");
                super::outside::warn(d, &file, "the local package", name, path);
            }
        }
    }
}

/// A workspace member: the package manager and lockfile are the root's, the install
/// runs there (see `workspace`).
fn member_of(
    w: &super::workspace::JsWorkspace,
    rel: &str,
    pkg: &Package,
    hints: &Layer,
    d: &mut Detection,
) {
    let pm = pm::member(w, hints.package_manager.as_deref(), d);
    let up = vec![".."; rel.split('/').count()].join("/");
    let lock = w.lockfile.as_deref();
    d.why(
        "package-manager",
        lock.or(Some(w.file.as_str())),
        format!("the workspace root (`{up}`) installs with {pm}"),
    );
    if lock.is_none() {
        d.warn(format!("no lockfile at the workspace root (`{up}`) for `{pm}`: dependencies are resolved at build time (commit a lockfile)"));
    }
    d.layer.package_manager = Some(pm);
    d.fact(
        "lockfile",
        lock,
        lock,
        format!("the workspace root's lockfile, in `{up}`"),
    );
    d.fact(
        "workspace_root",
        up.as_str(),
        Some(w.file.as_str()),
        format!(
            "`{rel}` ({}) is a package of the workspace declared in `{up}/{}`; its build context is the root",
            pkg.str("name").unwrap_or(rel),
            w.file
        ),
    );
    d.fact(
        "workspace_closure",
        w.closure(rel),
        Some("package.json"),
        "the workspace packages its install needs: itself and what it depends on",
    );
    d.fact(
        "manifest_files",
        vec!["package.json".to_string()],
        Some("package.json"),
        "copied before the install so dependency layers are cached",
    );
    d.fact("manifest_dirs", Vec::<String>::new(), None, "none");
}

/// A Next.js app whose `scripts.start` runs its own server (`node dist/index.js`, an
/// Express app that mounts Next) instead of `next start`: the image runs Next's server,
/// so the user is told which command the project starts with.
fn custom_server(pkg: &Package, d: &mut Detection) {
    let Some(start) = pkg.script("start") else {
        return;
    };
    // `next start`, or the standalone output's `node .next/standalone/server.js`.
    let runs_next = start.contains(".next/")
        || start
            .split(|c: char| c.is_whitespace() || c == '/' || c == '&' || c == ';')
            .any(|w| w == "next");
    let runs_node = start
        .split_whitespace()
        .any(|w| matches!(w, "node" | "ts-node" | "tsx" | "bun" | "nodemon"));
    if runs_next || !runs_node {
        return;
    }
    d.warn(format!(
        "`scripts.start` in `package.json` runs `{}`, not `next start`: the app has its own server, and the image runs Next.js's server without it; pass `--start-command` with that server (and make sure the build compiles it)",
        crate::validate::shown(start)
    ));
}

/// A workspace root holds several apps; containerizing "the root" would be wrong.
fn refuse_workspace_root(project: &Project, pkg: &Package) -> Result<()> {
    let (file, patterns): (&str, Vec<String>) = if let Some(w) = pkg.json.get("workspaces") {
        let list = w.get("packages").unwrap_or(w);
        let patterns = list.as_array().map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        });
        ("package.json", patterns.unwrap_or_default())
    } else if project.is_file("pnpm-workspace.yaml") {
        let text = project.read("pnpm-workspace.yaml")?.unwrap_or_default();
        ("pnpm-workspace.yaml", pnpm_packages(&text))
    } else {
        return Ok(());
    };
    let apps = workspace_apps(project, &patterns);
    // A workspace whose globs match no package besides the root (`packages: ['**']`
    // in a single app, or a file that only holds pnpm settings) is a single app.
    if apps.is_empty() {
        return Ok(());
    }
    let apps = super::arbitrate::workspace_listing(project, apps, &patterns);
    // Quoted for a POSIX shell: a directory name may hold spaces, `$(...)` or quotes.
    let example = apps.first().map_or("apps/web".to_string(), |a| {
        let arg = if a.starts_with('-') {
            format!("./{a}")
        } else {
            a.clone()
        };
        shell_words::quote(&arg).into_owned()
    });
    // A few names are enough to say what to run; a huge monorepo would fill the screen.
    const SHOWN: usize = 12;
    let mut names: Vec<String> = apps
        .iter()
        .take(SHOWN)
        .map(|a| crate::validate::shown(a))
        .collect();
    if apps.len() > SHOWN {
        names.push(format!("and {} more", apps.len() - SHOWN));
    }
    let listed = if apps.is_empty() {
        "none found".to_string()
    } else {
        names.join(", ")
    };
    Err(Error::bad_input(
        file,
        format!(
            "makes this a workspace root (apps: {listed}); choose the apps to containerize (repeat `--app`, or use `--app all`), e.g. `dockform init --app {example}`"
        ),
    ))
}

/// The `packages:` list of a `pnpm-workspace.yaml` (its other keys, such as
/// `onlyBuiltDependencies`, also hold lists but name dependencies, not packages).
pub(crate) fn pnpm_packages(text: &str) -> Vec<String> {
    let mut inside = false;
    let mut patterns = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t', '-']) {
            inside = trimmed.starts_with("packages:");
            // The flow form: `packages: ['apps/*', 'lib']`.
            if let Some(flow) = trimmed
                .strip_prefix("packages:")
                .map(str::trim)
                .and_then(|r| r.strip_prefix('['))
                .and_then(|r| r.split(']').next())
            {
                patterns.extend(
                    flow.split(',')
                        .map(|p| p.trim().trim_matches(['"', '\'']).to_string())
                        .filter(|p| !p.is_empty()),
                );
            }
            continue;
        }
        if inside && let Some(item) = trimmed.strip_prefix('-') {
            let item = item.split(" #").next().unwrap_or(item);
            patterns.push(item.trim().trim_matches(['"', '\'']).to_string());
        }
    }
    patterns
}

/// Directories matching simple workspace globs (`apps/*`, `packages/web`) that hold a
/// package.json. The globs are expanded directly, so a 5,000-package workspace costs
/// one directory listing, not a walk of the whole tree.
pub(crate) fn workspace_apps(project: &Project, patterns: &[String]) -> Vec<String> {
    let mut apps: Vec<String> = Vec::new();
    for p in patterns {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        // Negations exclude; the root itself is the workspace, not one of its apps.
        if p.starts_with('!') || p.is_empty() || p == "." {
            continue;
        }
        // `**` reaches any depth: the bounded walk finds the package.json files.
        if let Some(prefix) = p.strip_suffix("**") {
            let prefix = prefix.trim_end_matches('/');
            apps.extend(
                project
                    .files()
                    .filter_map(|f| f.strip_suffix("/package.json"))
                    .filter(|dir| {
                        prefix.is_empty()
                            || dir.strip_prefix(prefix).is_some_and(|r| r.starts_with('/'))
                    })
                    .map(String::from),
            );
            continue;
        }
        let candidates = match p.strip_suffix("/*") {
            Some(parent) => project
                .subdirs(parent)
                .into_iter()
                .map(|d| format!("{parent}/{d}"))
                .collect(),
            None if p == "*" => project.subdirs(""),
            None => vec![p.to_string()],
        };
        apps.extend(
            candidates
                .into_iter()
                .filter(|dir| project.is_file(&format!("{dir}/package.json"))),
        );
    }
    apps.sort();
    apps.dedup();
    apps
}

/// Native modules need build tools in the builder; Prisma needs `prisma generate`
/// and OpenSSL at run time.
fn native(project: &Project, pkg: &Package, preset: &crate::preset::Preset, d: &mut Detection) {
    let mut natives: Vec<&str> = NATIVE_MODULES
        .iter()
        .copied()
        .filter(|m| pkg.depends_on(m))
        .collect();
    if pkg.depends_on("node-gyp") && !natives.contains(&"node-gyp") {
        natives.push("node-gyp");
    }
    let prisma = pkg.depends_on("prisma") || pkg.depends_on("@prisma/client");
    let list = |key: &str| -> Vec<String> {
        preset
            .data
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
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
    let why = if natives.is_empty() {
        "no native modules among the dependencies".to_string()
    } else {
        format!("native modules: {}", natives.join(", "))
    };
    d.fact("native_modules", names, Some("package.json"), why.clone());
    d.fact("build_packages", build, Some("package.json"), why);
    let why = if prisma {
        "Prisma needs OpenSSL at run time"
    } else {
        "no runtime libraries needed"
    };
    d.fact("runtime_packages", runtime, Some("package.json"), why);
    if prisma && project.is_dir("prisma") {
        // The schema lets `prisma generate` run right after the install.
        if let Some(dirs) = d
            .extra
            .get_mut("manifest_dirs")
            .and_then(|f| f.value.as_array_mut())
        {
            dirs.push(Value::from("prisma"));
        }
    }
    d.fact(
        "prisma",
        prisma,
        Some("package.json"),
        if prisma {
            "`prisma` or `@prisma/client` is a dependency"
        } else {
            "no Prisma"
        },
    );
}

#[cfg(test)]
pub(super) mod tests {
    use std::fs;

    use super::*;

    pub(super) fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let p = Project::scan(dir.path()).unwrap();
        (dir, p)
    }

    pub(super) fn run(files: &[(&str, &str)]) -> Detection {
        let (_dir, p) = project(files);
        detect(&p, &Presets::for_tests(), &Layer::default())
            .unwrap()
            .unwrap()
    }

    fn value(d: &Detection, key: &str) -> Value {
        d.extra[key].value.clone()
    }

    #[test]
    fn package_manager_field_beats_the_lockfile() {
        let d = run(&[
            (
                "package.json",
                r#"{"packageManager":"pnpm@9.1.0+sha512.abc"}"#,
            ),
            ("package-lock.json", "{}"),
        ]);
        assert_eq!(d.layer.package_manager.as_deref(), Some("pnpm"));
        assert_eq!(
            d.evidence["package-manager"].source.as_deref(),
            Some("package.json")
        );
    }

    #[test]
    fn yarn_classic_and_berry_are_told_apart_by_the_lockfile() {
        let classic = run(&[
            ("package.json", "{}"),
            ("yarn.lock", "# yarn lockfile v1\n"),
        ]);
        assert_eq!(classic.layer.package_manager.as_deref(), Some("yarn"));
        let berry = run(&[
            ("package.json", "{}"),
            ("yarn.lock", "__metadata:\n  version: 8\n"),
        ]);
        assert_eq!(berry.layer.package_manager.as_deref(), Some("yarn-berry"));
    }

    #[test]
    fn yarn_workspaces_focus_is_used_only_where_it_exists() {
        let lock = ("yarn.lock", "__metadata:\n  version: 8\n");
        let d = run(&[("package.json", r#"{"packageManager":"yarn@4.5.3"}"#), lock]);
        assert_eq!(value(&d, "yarn_focus"), true);
        let d = run(&[("package.json", r#"{"packageManager":"yarn@3.8.7"}"#), lock]);
        assert_eq!(value(&d, "yarn_focus"), false);
        let d = run(&[
            ("package.json", r#"{"packageManager":"yarn@3.8.7"}"#),
            lock,
            (
                ".yarnrc.yml",
                "plugins:\n  - path: .yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs\n",
            ),
        ]);
        assert_eq!(value(&d, "yarn_focus"), true);
        let d = run(&[
            ("package.json", "{}"),
            lock,
            (".yarnrc.yml", "yarnPath: .yarn/releases/yarn-2.4.3.cjs\n"),
        ]);
        assert_eq!(value(&d, "yarn_focus"), false);
        assert_eq!(
            d.extra["yarn_focus"].evidence.source.as_deref(),
            Some(".yarnrc.yml")
        );
    }

    #[test]
    fn conflicting_lockfiles_warn_naming_both_and_the_choice() {
        let d = run(&[
            ("package.json", "{}"),
            ("pnpm-lock.yaml", ""),
            ("package-lock.json", "{}"),
        ]);
        assert_eq!(d.layer.package_manager.as_deref(), Some("pnpm"));
        let w = d.warnings.join("\n");
        assert!(
            w.contains("`pnpm-lock.yaml`")
                && w.contains("`package-lock.json`")
                && w.contains("using `pnpm-lock.yaml`"),
            "{w}"
        );
    }

    #[test]
    fn no_lockfile_still_works_with_a_reproducibility_warning() {
        let pkg = r#"{"main":"index.js","dependencies":{"ms":"^2.1.3"}}"#;
        let d = run(&[("package.json", pkg), ("index.js", "")]);
        assert_eq!(value(&d, "lockfile"), Value::Null);
        assert!(d.warnings.iter().any(|w| w.contains("not reproducible")));
    }

    #[test]
    fn a_local_package_outside_the_project_is_warned() {
        let pkg = r#"{"main":"index.js","dependencies":{"shared":"file:../shared","ms":"^2.1.3","lib":"file:./lib"}}"#;
        let d = run(&[
            ("package.json", pkg),
            ("index.js", ""),
            ("lib/package.json", "{}"),
        ]);
        let outside: Vec<&String> = d
            .warnings
            .iter()
            .filter(|w| w.contains("outside this directory"))
            .collect();
        assert_eq!(outside.len(), 1, "{:?}", d.warnings);
        assert!(
            outside[0].contains("`shared` is at `../shared`"),
            "{}",
            outside[0]
        );
    }

    #[test]
    fn a_package_without_dependencies_needs_no_lockfile() {
        // Nothing to lock: Bun even deletes an empty `bun.lock`, and then refuses a
        // frozen install of one that is committed.
        for pkg in [
            r#"{"main":"index.js"}"#,
            r#"{"main":"index.js","packageManager":"bun@1.4.5","dependencies":{}}"#,
        ] {
            let d = run(&[("package.json", pkg), ("index.js", "")]);
            assert_eq!(value(&d, "lockfile"), Value::Null);
            assert!(
                !d.warnings.iter().any(|w| w.contains("lockfile")),
                "{:?}",
                d.warnings
            );
        }
    }

    fn run_on(files: &[(&str, &str)], today: &str) -> Detection {
        let (_dir, p) = project(files);
        let today = crate::versions::Date::parse(today).unwrap();
        detect(&p, &Presets::embedded_at(today).unwrap(), &Layer::default())
            .unwrap()
            .unwrap()
    }

    #[test]
    fn a_pin_past_its_end_of_life_warns_with_the_date_once_today_passes_it() {
        let files = [("package.json", "{}"), (".nvmrc", "20\n")];
        let before = run_on(&files, "2026-04-29");
        assert_eq!(before.layer.version.as_deref(), Some("20"));
        assert!(
            before.warnings.iter().all(|w| !w.contains("end of life")),
            "{:?}",
            before.warnings
        );
        let after = run_on(&files, "2026-04-30");
        assert_eq!(after.layer.version.as_deref(), Some("20"));
        assert!(
            after.warnings.iter().any(
                |w| w.contains("Node 20 (from `.nvmrc`) reached its end of life on 2026-04-30")
            ),
            "{:?}",
            after.warnings
        );
    }

    #[test]
    fn a_range_moves_to_a_new_lts_major_once_it_enters_lts() {
        let files = [("package.json", r#"{"engines":{"node":"lts/*"}}"#)];
        assert_eq!(
            run_on(&files, "2026-10-27").layer.version.as_deref(),
            Some("24")
        );
        assert_eq!(
            run_on(&files, "2026-10-28").layer.version.as_deref(),
            Some("26")
        );
        // A range never picks an odd major, and past Node 22's end of life `^22` keeps 22.
        let files = [("package.json", r#"{"engines":{"node":">=23 <25"}}"#)];
        assert_eq!(
            run_on(&files, "2026-12-01").layer.version.as_deref(),
            Some("24")
        );
    }

    #[test]
    fn odd_majors_and_wildcard_spellings_are_used_when_pinned_and_said_so() {
        let d = run(&[("package.json", "{}"), (".nvmrc", "23\n")]);
        assert_eq!(d.layer.version.as_deref(), Some("23"));
        assert!(
            d.warnings.iter().any(|w| w.contains("odd major")),
            "{:?}",
            d.warnings
        );
        assert!(d.evidence["version"].reason.contains("never LTS"));
        let d = run(&[("package.json", "{}"), (".nvmrc", "14.x.x\n")]);
        assert_eq!(d.layer.version.as_deref(), Some("14"));
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("end of life on 2023-04-30")),
            "{:?}",
            d.warnings
        );
        let d = run(&[("package.json", "{}"), (".nvmrc", "14.x.x-foo\n")]);
        assert_eq!(d.layer.version, None);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("ignoring Node version `14.x.x-foo`")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn a_bun_version_without_image_data_falls_back_with_a_warning() {
        let pkg = r#"{"packageManager":"bun@9.1.0","scripts":{"start":"bun server.ts"}}"#;
        let d = run(&[("package.json", pkg), ("bun.lock", "{}")]);
        assert_eq!(d.layer.version, None);
        assert!(
            d.warnings.iter().any(|w| w.contains("Bun 9.1.0")),
            "{:?}",
            d.warnings
        );
        let pkg = r#"{"packageManager":"bun@1.4.2","scripts":{"start":"bun server.ts"}}"#;
        let d = run(&[("package.json", pkg), ("bun.lock", "{}")]);
        assert_eq!(d.layer.version.as_deref(), Some("1.4"), "its minor line");
    }

    #[test]
    fn a_version_outside_engines_is_warned_about() {
        let (_dir, p) = project(&[("package.json", r#"{"engines":{"node":">=22"}}"#)]);
        let hints = Layer {
            version: Some("20".into()),
            ..Default::default()
        };
        let d = detect(&p, &Presets::for_tests(), &hints).unwrap().unwrap();
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("contradicts `engines.node")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn node_version_comes_from_nvmrc_before_engines() {
        let d = run(&[
            ("package.json", r#"{"engines":{"node":">=18"}}"#),
            (".nvmrc", "v22.11.0\n"),
        ]);
        assert_eq!(d.layer.version.as_deref(), Some("22"));
        assert_eq!(d.evidence["version"].source.as_deref(), Some(".nvmrc"));
        let d = run(&[("package.json", r#"{"engines":{"node":"^22.1.0"}}"#)]);
        assert_eq!(d.layer.version.as_deref(), Some("22"));
        let d = run(&[
            ("package.json", "{}"),
            (".tool-versions", "python 3.12\nnodejs 24.1.0\n"),
        ]);
        assert_eq!(d.layer.version.as_deref(), Some("24"));
        let d = run(&[("package.json", r#"{"volta":{"node":"22.3.0"}}"#)]);
        assert_eq!(d.layer.version.as_deref(), Some("22"));
    }

    #[test]
    fn lts_aliases_resolve_through_the_preset() {
        let d = run(&[("package.json", "{}"), (".nvmrc", "lts/jod")]);
        assert_eq!(d.layer.version.as_deref(), Some("22"));
    }

    #[test]
    fn npm_placeholder_test_script_counts_as_none() {
        let d = run(&[(
            "package.json",
            r#"{"scripts":{"test":"echo \"Error: no test specified\" && exit 1"}}"#,
        )]);
        assert_eq!(d.layer.test_command, None);
        assert!(d.warnings.iter().any(|w| w.contains("--test-command")));
    }

    #[test]
    fn start_command_keeps_node_as_pid_1() {
        let d = run(&[(
            "package.json",
            r#"{"scripts":{"start":"NODE_ENV=production node --enable-source-maps dist/server.js"}}"#,
        )]);
        assert_eq!(
            d.layer.start_command.as_deref(),
            Some("node --enable-source-maps dist/server.js")
        );
        let d = run(&[
            ("package.json", r#"{"scripts":{"start":"nodemon app.js"}}"#),
            ("app.js", ""),
        ]);
        assert_eq!(d.layer.start_command.as_deref(), Some("node app.js"));
        let d = run(&[(
            "package.json",
            r#"{"dependencies":{"@nestjs/core":"^10"},"scripts":{"build":"nest build","start":"nest start"}}"#,
        )]);
        assert_eq!(d.layer.start_command.as_deref(), Some("node dist/main.js"));
    }

    #[test]
    fn typescript_out_dir_is_the_build_output_and_the_entry() {
        let d = run(&[
            ("package.json", r#"{"scripts":{"build":"tsc"}}"#),
            (
                "tsconfig.json",
                "{\n // comment\n \"compilerOptions\": {\"outDir\": \"./build/\"},\n}",
            ),
            ("src/server.ts", ""),
        ]);
        assert_eq!(value(&d, "build_output"), "build");
        assert_eq!(
            d.layer.start_command.as_deref(),
            Some("node build/server.js")
        );
    }

    #[test]
    fn port_is_read_from_the_code_then_env_example() {
        let d = run(&[
            ("package.json", "{}"),
            ("index.js", "app.listen(8081, () => {})"),
        ]);
        assert_eq!(d.layer.port, Some(8081));
        assert_eq!(d.evidence["port"].source.as_deref(), Some("index.js"));
        let d = run(&[
            ("package.json", "{}"),
            ("index.js", "app.listen(port)"),
            (".env.example", "PORT=7000\n"),
        ]);
        assert_eq!(d.layer.port, Some(7000));
        let d = run(&[
            ("package.json", "{}"),
            ("index.js", "const DB_PORT = 5432;"),
        ]);
        assert_eq!(d.layer.port, None, "DB_PORT is not the app's port");
    }

    #[test]
    fn production_scripts_and_runners_give_the_start_command() {
        // `start:prod` beats a development `start`; `&&` steps before the server warn.
        let d = run(&[(
            "package.json",
            r#"{"scripts":{"start":"nest start","start:prod":"cross-env NODE_ENV=production node dist/main"}}"#,
        )]);
        assert_eq!(d.layer.start_command.as_deref(), Some("node dist/main"));
        let d = run(&[(
            "package.json",
            r#"{"scripts":{"prod":"prisma migrate deploy && node dist/src/main"}}"#,
        )]);
        assert_eq!(d.layer.start_command.as_deref(), Some("node dist/src/main"));
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("prisma migrate deploy"))
        );
        // `npm run x` is followed to the script that runs a file.
        let d = run(&[
            (
                "package.json",
                r#"{"scripts":{"start":"npm run serve","serve":"node srv/boot.js"}}"#,
            ),
            ("srv/boot.js", ""),
        ]);
        assert_eq!(d.layer.start_command.as_deref(), Some("node srv/boot.js"));
        // A production script written for another directory (`node main` in a copied
        // build) names no file here: `start` runs the build output instead.
        let d = run(&[(
            "package.json",
            r#"{"scripts":{"start":"node dist/api/main","start:production":"node main"}}"#,
        )]);
        assert_eq!(d.layer.start_command.as_deref(), Some("node dist/api/main"));
        // tsx is kept when the image installs it, and its binaries go on PATH.
        let d = run(&[
            (
                "package.json",
                r#"{"dependencies":{"tsx":"4"},"scripts":{"start":"tsx ./api/main.ts"}}"#,
            ),
            ("api/main.ts", ""),
        ]);
        assert_eq!(d.layer.start_command.as_deref(), Some("tsx ./api/main.ts"));
        assert_eq!(value(&d, "local_bin"), true);
        let d = run(&[
            (
                "package.json",
                r#"{"devDependencies":{"tsx":"4"},"scripts":{"start":"tsx ./api/main.ts"}}"#,
            ),
            ("api/main.ts", ""),
        ]);
        assert_eq!(d.layer.start_command, None);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("not a production dependency"))
        );
    }

    #[test]
    fn a_bun_app_without_a_start_script_starts_the_file_that_serves() {
        let d = run(&[
            ("package.json", r#"{"module":"main.ts"}"#),
            ("bun.lock", "{}"),
            ("src/lib.ts", "export const x = 1"),
            (
                "src/main.ts",
                "Bun.serve({ fetch() { return new Response('') } })",
            ),
        ]);
        assert_eq!(d.layer.start_command.as_deref(), Some("bun src/main.ts"));
    }

    #[test]
    fn the_port_comes_from_the_start_path_before_other_code() {
        // A test helper and a client read other ports; the entry's import has the server's.
        let d = run(&[
            ("package.json", r#"{"scripts":{"start":"node app.js"}}"#),
            (
                "app.js",
                "const cfg = require('./lib/settings');\nrequire('./lib/http').serve(cfg);",
            ),
            (
                "lib/settings.js",
                "module.exports = {\n  port: Number(process.env.SHOP_PORT) || 5123,\n};",
            ),
            (
                "lib/http.js",
                "exports.serve = (c) => server.listen(c.port);",
            ),
            ("aaa/client.js", "const PORT = 4000;"),
        ]);
        assert_eq!(d.layer.port, Some(5123));
        assert_eq!(
            d.evidence["port"].source.as_deref(),
            Some("lib/settings.js")
        );
        assert_eq!(value(&d, "port_env"), "SHOP_PORT");
        // `?? CONSTANT` resolved; a mail port is not the server's.
        let d = run(&[
            ("package.json", r#"{"scripts":{"start":"node srv.js"}}"#),
            (
                "srv.js",
                "const mail = process.env.MAILER_PORT ?? 465;\nconst DEFAULT_PORT = 8123;\nconst p = process.env.APP_PORT ?? cfg('port', DEFAULT_PORT);",
            ),
        ]);
        assert_eq!(d.layer.port, Some(8123));
        // A config module's `port: N` default on the start path.
        let d = run(&[
            ("package.json", r#"{"scripts":{"start":"node index.js"}}"#),
            ("index.js", "import conf from './defaults/config.js'"),
            ("defaults/config.js", "export default {\n  port: 9123,\n}"),
        ]);
        assert_eq!(d.layer.port, Some(9123));
        // A launcher requiring the build output leads to its TypeScript source.
        let d = run(&[
            ("package.json", r#"{"scripts":{"start":"node launch.js"}}"#),
            ("launch.js", "require('./dist/srv/main.js');"),
            ("srv/main.ts", "server.listen(process.env.PORT ?? 7123);"),
            ("aaa/tool.ts", "const PORT = 4000;"),
        ]);
        assert_eq!(d.layer.port, Some(7123));
        // The production branch of a NODE_ENV conditional.
        let d = run(&[
            ("package.json", "{}"),
            (
                "index.js",
                "const port = process.env.PORT || (process.env.NODE_ENV !== 'development' ? 80 : 3002);",
            ),
        ]);
        assert_eq!(d.layer.port, Some(80));
    }

    #[test]
    fn next_start_port_flag_is_the_port() {
        let d = run(&[
            (
                "package.json",
                r#"{"dependencies":{"next":"15"},"scripts":{"start":"next start -p 4321"}}"#,
            ),
            ("app/page.tsx", "const PORT = 3000;"),
        ]);
        assert_eq!(d.layer.port, Some(4321));
    }

    #[test]
    fn a_next_app_started_by_its_own_server_is_warned_about() {
        let custom = r#"{"dependencies":{"next":"15"},"scripts":{"start":"NODE_ENV=production node dist/server.js"}}"#;
        let d = run(&[("package.json", custom)]);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("node dist/server.js") && w.contains("--start-command")),
            "{:?}",
            d.warnings
        );
        let plain = r#"{"dependencies":{"next":"15"},"scripts":{"start":"next start -p 4321"}}"#;
        let d = run(&[("package.json", plain)]);
        assert!(!d.warnings.iter().any(|w| w.contains("own server")));
    }

    #[test]
    fn native_modules_and_prisma_get_their_system_packages() {
        let d = run(&[
            (
                "package.json",
                r#"{"dependencies":{"bcrypt":"^5","@prisma/client":"^6"},"devDependencies":{"prisma":"^6"}}"#,
            ),
            ("prisma/schema.prisma", ""),
        ]);
        assert_eq!(value(&d, "native_modules"), serde_json::json!(["bcrypt"]));
        assert!(
            value(&d, "build_packages")
                .as_array()
                .unwrap()
                .contains(&Value::from("g++"))
        );
        assert_eq!(
            value(&d, "runtime_packages"),
            serde_json::json!(["openssl"])
        );
        assert_eq!(value(&d, "prisma"), true);
        assert!(
            value(&d, "manifest_dirs")
                .as_array()
                .unwrap()
                .contains(&Value::from("prisma"))
        );
    }

    #[test]
    fn next_start_gets_the_files_its_config_imports_and_a_warning_for_dev_packages() {
        let d = run(&[
            (
                "package.json",
                r#"{"dependencies":{"next":"15"},"devDependencies":{"@next/bundle-analyzer":"15"}}"#,
            ),
            (
                "next.config.mjs",
                "import analyzer from '@next/bundle-analyzer';\nimport './src/env.mjs';\nexport default analyzer({})({});",
            ),
            (
                "src/env.mjs",
                "import { z } from 'zod';\nimport './schema.js';",
            ),
            ("src/schema.js", ""),
        ]);
        assert_eq!(
            value(&d, "next_config_imports"),
            serde_json::json!(["src/env.mjs", "src/schema.js"])
        );
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("`@next/bundle-analyzer`") && w.contains("move")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn next_standalone_is_read_from_the_config() {
        let d = run(&[
            (
                "package.json",
                r#"{"dependencies":{"next":"15"},"scripts":{"build":"next build"}}"#,
            ),
            ("next.config.ts", "export default { output: 'standalone' }"),
        ]);
        assert_eq!(d.stack, "nextjs");
        assert_eq!(value(&d, "next_standalone"), true);
        assert_eq!(d.layer.start_command.as_deref(), Some("node server.js"));
        let d = run(&[
            ("package.json", r#"{"dependencies":{"next":"15"}}"#),
            (
                "next.config.mjs",
                "const mode = process.env.BUILD_MODE ?? \"standalone\";\nexport default {\n  output: mode,\n};",
            ),
        ]);
        assert_eq!(value(&d, "next_standalone"), true);
        let d = run(&[("package.json", r#"{"dependencies":{"next":"15"}}"#)]);
        assert_eq!(value(&d, "next_standalone"), false);
        assert!(d.warnings.iter().any(|w| w.contains("standalone")));
    }

    #[test]
    fn an_npmrc_with_a_token_is_not_copied() {
        let d = run(&[
            ("package.json", "{}"),
            (".npmrc", "//registry.example/:_authToken=abc123\n"),
        ]);
        assert!(
            !value(&d, "manifest_files")
                .as_array()
                .unwrap()
                .contains(&Value::from(".npmrc"))
        );
        let d = run(&[
            ("package.json", "{}"),
            (".npmrc", "//registry.example/:_authToken=${NPM_TOKEN}\n"),
        ]);
        assert!(
            value(&d, "manifest_files")
                .as_array()
                .unwrap()
                .contains(&Value::from(".npmrc"))
        );
    }

    #[test]
    fn a_workspace_root_is_refused_with_its_apps() {
        let (_dir, p) = project(&[
            ("package.json", r#"{"workspaces":["apps/*"]}"#),
            ("apps/web/package.json", "{}"),
        ]);
        let err = detect(&p, &Presets::for_tests(), &Layer::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("apps/web") && err.contains("workspace root"),
            "{err}"
        );
    }

    #[test]
    fn the_suggested_command_for_a_workspace_app_is_quoted_for_the_shell() {
        for name in ["a b;$(id)", "it's `x`", "-rf"] {
            let (_dir, p) = project(&[
                ("package.json", r#"{"workspaces":["apps/*"]}"#),
                (&format!("apps/{name}/package.json"), "{}"),
            ]);
            let err = detect(&p, &Presets::embedded().unwrap(), &Layer::default())
                .unwrap_err()
                .to_string();
            let command = err
                .split("e.g. `")
                .nth(1)
                .and_then(|c| c.strip_suffix('`'))
                .unwrap_or_else(|| panic!("{err}"));
            let words = shell_words::split(command).unwrap();
            let want = format!("apps/{name}");
            assert_eq!(words, ["dockform", "init", "--app", want.as_str()], "{err}");
        }
    }
}
