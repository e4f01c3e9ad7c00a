//! Which stack wins when several detectors recognise the project.
//!
//! A Python, Go or Rust service often carries a `package.json` for its front-end
//! tooling (Sass, Vite, a docs site). The stack that declares a server wins: a
//! `package.json` counts as a server only when it depends on a server framework or
//! its `scripts.start` runs something other than asset tools; a Go, Python or Rust
//! detection counts when it found a program to run (a start command, or a choice of
//! several). Two servers are a question for the person (`--stack`), never a guess;
//! no server at all keeps the detectors' order.
//!
//! Facts set on the winner when a `package.json` lost:
//! - `asset_build` (string or null): the command that builds its front-end assets
//!   (`npm run build`), which the generated image does not run yet.

use serde_json::{Map, Value};

use super::Detection;
use crate::error::{Error, Result};
use crate::scan::Project;

/// Dependencies that make a `package.json` a server of its own.
const NODE_SERVERS: &[&str] = &[
    "@adonisjs/core",
    "@astrojs/node",
    "@feathersjs/feathers",
    "@hapi/hapi",
    "@hono/node-server",
    "@nestjs/core",
    "@react-router/serve",
    "@remix-run/node",
    "@remix-run/serve",
    "@strapi/strapi",
    "@sveltejs/adapter-node",
    "elysia",
    "express",
    "fastify",
    "h3",
    "hapi",
    "hono",
    "koa",
    "next",
    "nuxt",
    "polka",
    "restify",
    "sails",
];

/// Programs that run a server (or anything long-lived) when a script starts them.
const NODE_RUNTIMES: &[&str] = &[
    "bun",
    "deno",
    "next",
    "nest",
    "node",
    "nodemon",
    "nuxi",
    "nuxt",
    "pm2",
    "pm2-runtime",
    "react-router-serve",
    "remix-serve",
    "ts-node",
    "tsx",
];

/// Programs that only build, check or watch front-end assets and docs.
const ASSET_TOOLS: &[&str] = &[
    "babel",
    "browserify",
    "clean-css",
    "cleancss",
    "concat",
    "docusaurus",
    "eleventy",
    "esbuild",
    "eslint",
    "grunt",
    "gulp",
    "lessc",
    "lightningcss",
    "lightningcss-cli",
    "mkdocs",
    "node-sass",
    "parcel",
    "postcss",
    "prettier",
    "rollup",
    "sass",
    "stylelint",
    "svelte-check",
    "svelte-kit",
    "tailwind",
    "tailwindcss",
    "terser",
    "tsc",
    "uglifyjs",
    "vite",
    "vitepress",
    "webpack",
    "webpack-cli",
    "webpack-dev-server",
];

/// Commands that neither serve nor build: they say nothing about the role.
const NEUTRAL: &[&str] = &[
    "cd",
    "cp",
    "cross-env",
    "echo",
    "exit",
    "mkdir",
    "mv",
    "npx",
    "rimraf",
    "rm",
    "true",
];

/// Runners whose arguments are script names of the same `package.json`.
const SCRIPT_RUNNERS: &[&str] = &["npm-run-all", "run-p", "run-s", "concurrently"];

/// What a `package.json` is for, as far as choosing a stack goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeRole {
    /// Why it is (or is not) a server of its own, naming the evidence.
    pub reason: String,
    /// Whether it is a server.
    pub server: bool,
    /// The script that builds its assets, if any (`build`, `build:css`).
    pub build_script: Option<String>,
}

/// Reads `package.json` and says whether it declares a server. `None` when there is
/// no `package.json` or it does not parse (the Node detector reports that).
pub(crate) fn node_role(project: &Project) -> Option<NodeRole> {
    let text = project.read_hint("package.json")?;
    let Ok(Value::Object(json)) = serde_json::from_str::<Value>(&text) else {
        return None;
    };
    Some(role_of(&json))
}

/// What a parsed `package.json` is for (see [`node_role`]).
pub(crate) fn role_of(json: &Map<String, Value>) -> NodeRole {
    let scripts = json.get("scripts").and_then(Value::as_object);
    let script = |name: &str| scripts.and_then(|s| s.get(name)).and_then(Value::as_str);
    let build_script = if script("build").is_some() {
        Some("build".to_string())
    } else {
        scripts.and_then(|s| {
            s.iter()
                .filter(|(k, v)| k.starts_with("build") && v.is_string())
                .map(|(k, _)| k.clone())
                .next()
        })
    };
    let server_dep = NODE_SERVERS.iter().find(|name| {
        ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|k| json.get(*k).and_then(|d| d.get(**name)).is_some())
    });
    if let Some(dep) = server_dep {
        return NodeRole {
            reason: format!("`package.json` depends on the server framework `{dep}`"),
            server: true,
            build_script,
        };
    }
    let Some(start) = script("start") else {
        return NodeRole {
            reason: "`package.json` declares no server framework and no `scripts.start`"
                .to_string(),
            server: false,
            build_script,
        };
    };
    match runs(start, &script, 0) {
        Runs::Server(word) => NodeRole {
            reason: format!("`package.json` `scripts.start` runs `{word}`"),
            server: true,
            build_script,
        },
        Runs::Assets(word) => NodeRole {
            reason: format!(
                "`package.json` declares no server framework and its `scripts.start` only runs asset tools (`{word}`)"
            ),
            server: false,
            build_script,
        },
        Runs::Nothing => NodeRole {
            reason:
                "`package.json` declares no server framework and its `scripts.start` runs no server"
                    .to_string(),
            server: false,
            build_script,
        },
    }
}

/// What a script runs, the strongest first: a server, else asset tools, else nothing.
#[derive(Debug, PartialEq)]
enum Runs {
    Server(String),
    Assets(String),
    Nothing,
}

/// Classifies a script line. Any program dockform does not know counts as a server,
/// so an unknown start script never loses quietly: it leads to a question instead.
fn runs<'a>(line: &str, script: &dyn Fn(&str) -> Option<&'a str>, depth: usize) -> Runs {
    let mut assets: Option<String> = None;
    let spaced = line
        .replace("&&", ";")
        .replace("||", ";")
        .replace(['|', '&'], ";");
    for segment in spaced.split(';') {
        let words: Vec<&str> = segment
            .split_whitespace()
            .skip_while(|w| w.contains('=') && !w.starts_with('-'))
            .collect();
        let Some(first) = words.first() else {
            continue;
        };
        let program = first.rsplit('/').next().unwrap_or(first);
        let found = if NEUTRAL.contains(&program) {
            // `npx vite build`, `cross-env X=1 webpack`: look at what they run.
            let rest = words[1..]
                .iter()
                .copied()
                .skip_while(|w| w.starts_with('-') || w.contains('='))
                .collect::<Vec<_>>()
                .join(" ");
            if rest.is_empty() || depth > 4 || matches!(program, "cd" | "echo" | "exit") {
                Runs::Nothing
            } else {
                runs(&rest, script, depth + 1)
            }
        } else if ["npm", "pnpm", "yarn", "bun"].contains(&program) {
            run_script(&words[1..], script, depth)
        } else if SCRIPT_RUNNERS.contains(&program) {
            let mut best = Runs::Nothing;
            for arg in words[1..].iter().filter(|w| !w.starts_with('-')) {
                let arg = arg.trim_matches(['"', '\'']);
                let inner = match script(arg) {
                    Some(body) if depth < 4 => runs(body, script, depth + 1),
                    Some(_) => Runs::Nothing,
                    None => runs(arg, script, depth + 1),
                };
                best = stronger(best, inner);
            }
            best
        } else if NODE_RUNTIMES.contains(&program) {
            Runs::Server(program.to_string())
        } else if ASSET_TOOLS.contains(&program) {
            Runs::Assets(program.to_string())
        } else {
            Runs::Server(program.to_string())
        };
        match found {
            Runs::Server(_) => return found,
            Runs::Assets(word) => {
                assets.get_or_insert(word);
            }
            Runs::Nothing => {}
        }
    }
    assets.map_or(Runs::Nothing, Runs::Assets)
}

/// `npm run build-css -- --watch`, `pnpm --filter lib watch`, `yarn start`.
fn run_script<'a>(args: &[&str], script: &dyn Fn(&str) -> Option<&'a str>, depth: usize) -> Runs {
    // Another workspace package's script (`--filter`, `--workspace`) is that
    // package's business: it neither serves nor builds this one.
    if args
        .iter()
        .any(|a| a.starts_with("--filter") || a.starts_with("--workspace") || *a == "-w")
    {
        return Runs::Nothing;
    }
    let mut rest = args.iter().copied().skip_while(|a| a.starts_with('-'));
    let name = match rest.next() {
        Some("run" | "run-script") => rest.find(|a| !a.starts_with('-')),
        Some("install" | "ci" | "i" | "add") => return Runs::Nothing,
        other => other,
    };
    let Some(name) = name else {
        return Runs::Nothing;
    };
    match script(name) {
        Some(body) if depth < 4 => runs(body, script, depth + 1),
        Some(_) => Runs::Nothing,
        // `bun server.ts`, `yarn node app.js`: not a script, so a program.
        None => runs(&args.join(" "), &|_| None, 5).max_server(name),
    }
}

impl Runs {
    fn max_server(self, name: &str) -> Runs {
        match self {
            Runs::Nothing => Runs::Server(name.to_string()),
            other => other,
        }
    }
}

fn stronger(a: Runs, b: Runs) -> Runs {
    match (&a, &b) {
        (Runs::Server(_), _) => a,
        (_, Runs::Server(_)) => b,
        (Runs::Assets(_), _) => a,
        _ => b,
    }
}

/// One detector's outcome, with whether it found a server.
pub(crate) struct Candidate {
    /// The detector's first stack id (`node`, `go`, ...).
    pub id: &'static str,
    /// Its manifest, for messages.
    pub manifest: &'static str,
    /// What it returned.
    pub result: Result<Option<Detection>>,
    /// Why it is a server, when it is one.
    pub server: Option<String>,
    /// Why it is not, when the detector ran.
    pub not_server: Option<String>,
    /// The `package.json`'s role, for the Node detector.
    pub role: Option<NodeRole>,
}

/// The manifest a detector reads first, for messages.
pub(crate) fn manifest_of(id: &str, d: Option<&Detection>) -> &'static str {
    let source = d
        .and_then(|d| d.stack_evidence.as_ref())
        .and_then(|e| e.source.as_deref());
    match id {
        "node" => "package.json",
        "go" => "go.mod",
        "rust" => "Cargo.toml",
        _ => match source {
            Some("Pipfile") => "Pipfile",
            Some("requirements.txt") => "requirements.txt",
            Some("setup.py") => "setup.py",
            Some("setup.cfg") => "setup.cfg",
            _ => "pyproject.toml",
        },
    }
}

/// Classifies a detector's outcome.
pub(crate) fn candidate(
    project: &Project,
    id: &'static str,
    result: Result<Option<Detection>>,
) -> Option<Candidate> {
    if matches!(result, Ok(None)) {
        return None;
    }
    let manifest = manifest_of(id, result.as_ref().ok().and_then(Option::as_ref));
    let role = if id == "node" {
        node_role(project)
    } else {
        None
    };
    let (server, not_server) = if id == "node" {
        match &role {
            Some(r) if r.server => (Some(r.reason.clone()), None),
            Some(r) => (None, Some(r.reason.clone())),
            None => (None, Some("`package.json` does not parse".to_string())),
        }
    } else {
        match &result {
            Ok(Some(d)) => match (&d.layer.start_command, d.questions.first()) {
                (Some(start), _) => (Some(format!("it runs `{start}`")), None),
                (None, Some(q)) => (
                    Some(format!(
                        "it declares programs ({})",
                        q.candidates.join(", ")
                    )),
                    None,
                ),
                (None, None) => (
                    None,
                    Some(format!("`{manifest}` declares no program to run")),
                ),
            },
            Err(e) => (None, Some(format!("{e}"))),
            Ok(None) => (None, None),
        }
    };
    Some(Candidate {
        id,
        manifest,
        result,
        server,
        not_server,
        role,
    })
}

/// The stacks that recognised the project, servers first (then the detectors'
/// order), each with why; `true` when two or more declare a server.
pub(crate) fn ranked(candidates: Vec<Candidate>) -> (Vec<(String, String)>, bool) {
    let contested = candidates.iter().filter(|c| c.server.is_some()).count() >= 2;
    let mut found: Vec<(bool, String, String)> = Vec::new();
    for c in candidates {
        let server = c.server.is_some();
        let note = c.server.or(c.not_server).unwrap_or_default();
        if let Ok(Some(d)) = c.result {
            let why = d.stack_evidence.map(|e| e.reason).unwrap_or_default();
            if !found.iter().any(|(_, s, _)| *s == d.stack) {
                found.push((server, d.stack, format!("{why} ({note})")));
            }
        }
    }
    found.sort_by_key(|(server, _, _)| !server);
    let list = found.into_iter().map(|(_, s, why)| (s, why)).collect();
    (list, contested)
}

/// Picks the winner among the detectors that recognised the project (in the
/// detectors' order). `Ok(None)` when none did.
pub(crate) fn choose(candidates: Vec<Candidate>) -> Result<Option<Detection>> {
    let servers: Vec<&Candidate> = candidates.iter().filter(|c| c.server.is_some()).collect();
    if servers.len() >= 2 {
        let names: Vec<String> = servers
            .iter()
            .map(|c| {
                let why = c.server.as_deref().unwrap_or_default();
                format!("{} from `{}` ({why})", c.id, c.manifest)
            })
            .collect();
        let choices: Vec<String> = servers
            .iter()
            .map(|c| format!("`--stack {}`", c.id))
            .collect();
        return Err(Error::NeedsAnswer {
            question: "stack".to_string(),
            detail: format!(
                "the project holds more than one service: {}; choose the one to containerize with {}",
                names.join("; "),
                choices.join(" or ")
            ),
            flag: "--stack <STACK>".to_string(),
        });
    }
    let index = candidates
        .iter()
        .position(|c| c.server.is_some())
        .unwrap_or(0);
    let mut candidates = candidates;
    if candidates.is_empty() {
        return Ok(None);
    }
    let winner = candidates.remove(index);
    let losers = candidates;
    let mut d = match winner.result {
        Ok(Some(d)) => d,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e),
    };
    if losers.is_empty() {
        return Ok(Some(d));
    }
    if winner.server.is_none() {
        // Nothing declares a server: the detectors' order decides, and the user is told.
        let others: Vec<String> = losers.iter().map(|c| format!("`{}`", c.manifest)).collect();
        d.warn(format!(
            "several stacks match and none clearly declares a server: chose {} from `{}` over {} (pass `--stack` to choose)",
            d.stack,
            winner.manifest,
            others.join(", ")
        ));
        return Ok(Some(d));
    }
    let mut lost: Vec<String> = Vec::new();
    for c in &losers {
        let why = c.not_server.clone().unwrap_or_default();
        lost.push(format!("{} lost: {why}", c.id));
        if c.id == "node" {
            asset_build(c, &mut d);
        }
    }
    if let Some(ev) = d.stack_evidence.as_mut() {
        ev.reason = format!(
            "{}, and the server: {}; {}",
            ev.reason,
            winner.server.as_deref().unwrap_or_default(),
            lost.join("; ")
        );
    }
    Ok(Some(d))
}

/// Records the losing `package.json`'s asset build on the winner, and says that the
/// image does not run it.
fn asset_build(node: &Candidate, d: &mut Detection) {
    let detected = node.result.as_ref().ok().and_then(Option::as_ref);
    let script = node.role.as_ref().and_then(|r| r.build_script.clone());
    let command = match (detected, script) {
        (Some(n), Some(script)) => Some(n.layer.build_command.clone().unwrap_or_else(|| {
            let pm = n.layer.package_manager.as_deref().unwrap_or("npm");
            format!("{} {script}", super::node::run_prefix(pm))
        })),
        (None, Some(script)) => Some(format!("npm run {script}")),
        (_, None) => None,
    };
    match command {
        Some(cmd) => {
            d.fact(
                "asset_build",
                cmd.as_str(),
                Some("package.json"),
                "a `package.json` build script builds front-end assets",
            );
            d.warn(format!(
                "`package.json` builds front-end assets (`{cmd}`) that the image does not build; if the {} server serves or embeds them, build them before the image (an asset stage is not generated yet)",
                d.stack
            ));
        }
        None => d.fact(
            "asset_build",
            Value::Null,
            Some("package.json"),
            "`package.json` has no build script",
        ),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn role(json: &str) -> NodeRole {
        let Value::Object(map) = serde_json::from_str(json).unwrap() else {
            panic!("not an object")
        };
        role_of(&map)
    }

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let p = Project::scan(dir.path()).unwrap();
        (dir, p)
    }

    fn detect(files: &[(&str, &str)]) -> Result<Detection> {
        let (_dir, p) = project(files);
        let presets = crate::preset::Presets::embedded().unwrap();
        super::super::detect(&p, &presets, None, &crate::layer::Layer::default())
    }

    const GO_MAIN: &str = "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n";

    #[test]
    fn a_go_server_beats_a_package_json_that_builds_assets() {
        let d = detect(&[
            ("go.mod", "module example.com/x\n\ngo 1.26\n"),
            ("main.go", GO_MAIN),
            (
                "package.json",
                r#"{"scripts":{"build":"vite build"},"devDependencies":{"vite":"7"}}"#,
            ),
        ])
        .unwrap();
        assert_eq!(d.stack, "go");
        let why = &d.stack_evidence.as_ref().unwrap().reason;
        assert!(
            why.contains("node lost") && why.contains("no `scripts.start`"),
            "{why}"
        );
        assert_eq!(d.extra["asset_build"].value, Value::from("npm run build"));
        assert!(d.warnings.iter().any(|w| w.contains("front-end assets")));
    }

    #[test]
    fn two_servers_are_a_question_naming_the_stack_flag() {
        let err = detect(&[
            ("go.mod", "module example.com/x\n\ngo 1.26\n"),
            ("main.go", GO_MAIN),
            (
                "package.json",
                r#"{"dependencies":{"fastify":"5"},"scripts":{"start":"node a.js"}}"#,
            ),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`--stack go`")
                && err.contains("`--stack node`")
                && err.contains("`fastify`"),
            "{err}"
        );
    }

    #[test]
    fn a_node_server_beats_a_python_manifest_without_a_program() {
        let d = detect(&[
            ("requirements.txt", "mkdocs==1.6.1\n"),
            (
                "package.json",
                r#"{"dependencies":{"express":"5"},"scripts":{"start":"node a.js"}}"#,
            ),
            ("a.js", "require('express')().listen(3000);\n"),
        ])
        .unwrap();
        assert_eq!(d.stack, "node");
        let why = &d.stack_evidence.as_ref().unwrap().reason;
        assert!(why.contains("python lost"), "{why}");
    }

    #[test]
    fn an_asset_workspace_root_loses_to_the_python_server() {
        // The root's own package.json builds a bundle; its one workspace package is a
        // library: the Python app is the service, not a monorepo to refuse.
        let d = detect(&[
            ("pnpm-workspace.yaml", "packages:\n  - lib\n"),
            (
                "package.json",
                r#"{"scripts":{"start":"webpack serve","build":"webpack"}}"#,
            ),
            ("lib/package.json", "{}"),
            ("requirements.txt", "flask==3.1.3\ngunicorn==23.0.0\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ])
        .unwrap();
        assert_eq!(d.stack, "python");
    }

    #[test]
    fn a_workspace_refusal_lists_servers_first_and_other_stacks_beside_them() {
        let err = detect(&[
            ("package.json", r#"{"workspaces":["apps/*"]}"#),
            (
                "apps/aaa-ui-kit/package.json",
                r#"{"scripts":{"build":"tsc"}}"#,
            ),
            (
                "apps/docs/package.json",
                r#"{"dependencies":{"next":"16"}}"#,
            ),
            (
                "apps/web/package.json",
                r#"{"dependencies":{"express":"5"}}"#,
            ),
            ("apps/worker/go.mod", "module example.com/w\n\ngo 1.26\n"),
            ("apps/worker/main.go", GO_MAIN),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("apps: apps/web, apps/worker, apps/docs, apps/aaa-ui-kit")
                && err.contains("`dockform init --app apps/web`"),
            "{err}"
        );
    }

    #[test]
    fn a_pnpm_workspace_matching_only_the_root_is_a_single_app() {
        for yaml in [
            "packages:\n  - '**'\nonlyBuiltDependencies:\n  - esbuild\n",
            "onlyBuiltDependencies:\n  - sharp\n",
            "packages: ['.']\n",
        ] {
            let d = detect(&[
                ("pnpm-workspace.yaml", yaml),
                ("package.json", r#"{"scripts":{"start":"node a.js"}}"#),
                ("a.js", "\n"),
            ]);
            assert_eq!(d.map(|d| d.stack).ok().as_deref(), Some("node"), "{yaml}");
        }
    }

    #[test]
    fn an_app_in_a_subdirectory_is_named_with_the_command() {
        let err = detect(&[
            (
                "docs/package.json",
                r#"{"scripts":{"build":"vitepress build"}}"#,
            ),
            ("backend/requirements.txt", "flask==3.1.3\n"),
            (
                "backend/app.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            ("README.md", "hello\n"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("backend (requirements.txt), docs (package.json)")
                && err.contains("`dockform init backend`"),
            "{err}"
        );
        let err = detect(&[("README.md", "hello\n")]).unwrap_err().to_string();
        assert!(err.contains("no supported project found"), "{err}");
    }

    #[test]
    fn a_main_package_below_its_module_names_the_module_and_the_main() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join("go.mod"),
            "module example.com/x\n\ngo 1.26\n",
        )
        .unwrap();
        let main = dir.path().join("cmd/server");
        std::fs::create_dir_all(&main).unwrap();
        std::fs::write(main.join("main.go"), GO_MAIN).unwrap();
        let p = Project::scan(&main).unwrap();
        let presets = crate::preset::Presets::embedded().unwrap();
        let err = super::super::detect(&p, &presets, None, &crate::layer::Layer::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`go.mod` is in `../..`")
                && err.contains("`dockform init ../.. --main ./cmd/server`"),
            "{err}"
        );
    }

    #[test]
    fn lint_only_package_json_is_not_a_server() {
        let r = role(r#"{"devDependencies":{"eslint":"9"},"scripts":{"lint":"eslint ."}}"#);
        assert!(!r.server, "{r:?}");
        assert!(r.reason.contains("no `scripts.start`"), "{r:?}");
    }

    #[test]
    fn a_server_framework_makes_a_server() {
        let r = role(r#"{"dependencies":{"express":"4"}}"#);
        assert!(r.server);
        assert!(r.reason.contains("`express`"));
    }

    #[test]
    fn a_start_script_that_only_builds_css_is_not_a_server() {
        let r = role(
            r#"{"scripts":{"css":"sass in:out","watch":"npm run css -- --watch","start":"npm run css && npm run watch"}}"#,
        );
        assert!(!r.server, "{r:?}");
        assert!(r.reason.contains("`sass`"), "{r:?}");
    }

    #[test]
    fn a_dev_server_start_through_a_runner_is_not_a_server() {
        let r = role(
            r#"{"scripts":{"start":"npm-run-all --parallel lib dev","lib":"pnpm --filter lib watch","dev":"webpack-dev-server"}}"#,
        );
        assert!(!r.server, "{r:?}");
    }

    #[test]
    fn a_start_script_running_node_is_a_server() {
        for start in [
            "node server.js",
            "NODE_ENV=production node app.js",
            "npx tsx src/main.ts",
        ] {
            let r = role(&format!(r#"{{"scripts":{{"start":"{start}"}}}}"#));
            assert!(r.server, "{start}: {r:?}");
        }
    }

    #[test]
    fn an_unknown_start_program_counts_as_a_server() {
        // Never lose quietly to a guess: an unknown program leads to a question.
        let r = role(r#"{"scripts":{"start":"my-own-launcher --port 3000"}}"#);
        assert!(r.server, "{r:?}");
    }

    #[test]
    fn the_build_script_is_remembered() {
        let r = role(r#"{"scripts":{"build":"vite build"}}"#);
        assert_eq!(r.build_script.as_deref(), Some("build"));
        let r = role(r#"{"scripts":{"build-css":"sass a:b"}}"#);
        assert_eq!(r.build_script.as_deref(), Some("build-css"));
    }
}
