//! `dockform init` on a JavaScript workspace (npm or pnpm): one Dockerfile per chosen
//! app, in the app's directory and built from the root; one root `.dockerignore`, a
//! root `compose.yaml` and `docker-bake.hcl` that build them all.
//!
//! Each app is detected from its own directory (the detectors see the enclosing
//! workspace: the root's lockfile and package manager) and resolved like a single
//! project; `templates/workspace/` then renders it with its workspace context.

use serde::Serialize;

use crate::cli::InitArgs;
use crate::config;
use crate::deliver::{self, Action, Output};
use crate::detect::arbitrate::package_role;
use crate::detect::workspace::JsWorkspace;
use crate::error::{Error, Result};
use crate::layer::{Layer, Origin};
use crate::render::{Rendered, Renderer};
use std::io::IsTerminal;

use crate::wizard::{Defaults, Terminal};

mod apps_file;
mod install;
mod listing;
use crate::{output, preset, questions, scan, settings};
pub use apps_file::saved;
pub use listing::{describe, describe_text, described, pick, pick_members};

/// One app as the workspace templates see it (`app`, and each of `apps`).
#[derive(Debug, Clone, Serialize)]
pub struct AppContext {
    /// Its directory, relative to the root (`apps/api`).
    pub dir: String,
    /// Its package name (`pnpm --filter` selects by it).
    pub name: String,
    /// The Compose service and bake target (`api`).
    pub service: String,
    /// The image tag (the service name).
    pub image: String,
    /// Its directory and those of the workspace packages it depends on.
    pub closure: Vec<String>,
    /// How it installs and builds with the workspace's package manager.
    pub install: install::Install,
    /// The port it serves, if any, and the host port Compose publishes it on.
    pub port: Option<u16>,
    /// Unique across the apps, so every service can run at once.
    pub host_port: Option<u16>,
}

/// The apps `wanted` names (directories, package names, or `all`), in the workspace's order.
pub fn choose(ws: &JsWorkspace, wanted: &[String]) -> Result<Vec<String>> {
    let project = scan::Project::scan(&ws.root)?;
    if wanted.iter().any(|w| w == "all") {
        let apps: Vec<String> = ws
            .members
            .iter()
            .filter(|m| package_role(&project, &m.dir).0)
            .map(|m| m.dir.clone())
            .collect();
        if apps.is_empty() {
            return Err(Error::bad_input(
                ws.file.clone(),
                "declares a workspace with no app (no package has a server or a start script); pass `--app DIR` to choose one",
            ));
        }
        return Ok(apps);
    }
    let mut chosen = Vec::new();
    for w in wanted {
        let w = w.trim_start_matches("./").trim_end_matches('/');
        let found = ws
            .members
            .iter()
            .find(|m| m.dir == w || m.name == w)
            .or_else(|| {
                let mut by_leaf = ws
                    .members
                    .iter()
                    .filter(|m| m.dir.rsplit('/').next() == Some(w));
                by_leaf.next().filter(|_| by_leaf.next().is_none())
            });
        match found {
            Some(m) if !chosen.contains(&m.dir) => chosen.push(m.dir.clone()),
            Some(_) => {}
            None => {
                let names: Vec<&str> = ws.members.iter().map(|m| m.dir.as_str()).collect();
                return Err(Error::invalid(
                    "`--app`",
                    format!(
                        "`{}` is not a package of the workspace (its packages: {}; or pass `--app all`)",
                        crate::validate::shown(w),
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(chosen)
}

/// Renders, then writes or compares, every file for the chosen `apps`.
pub fn generate(args: &InitArgs, out: Output, ws: &JsWorkspace, apps: &[String]) -> Result<i32> {
    let presets = preset::Presets::embedded()?;
    let mut flags = config::flags_layer(&args.choices)?;
    flags.app = None;
    let renderer = Renderer::new(config::template_overrides(args.templates_dir.as_deref())?);
    let mut built = Built::default();
    for dir in apps {
        let (s, warned) = resolve_app(ws, dir, &presets, &flags)?;
        built
            .warnings
            .extend(warned.into_iter().map(|w| format!("{dir}: {w}")));
        let mut ctx = context(dir, s.port, &built.apps);
        ctx.name = ws.member(dir).map_or(ctx.name, |m| m.name.clone());
        ctx.closure = ws.closure(dir);
        ctx.install = install::plan(ws, dir, &ctx.name, &s)?;
        let text = renderer.render_with(
            "workspace/node.Dockerfile.j2",
            minijinja::context! { settings => minijinja::value::Serde(&s), app => minijinja::value::Serde(&ctx) },
        )?;
        built.files.push((format!("{dir}/Dockerfile"), text));
        built.saved.push(dir.clone());
        built.apps.push(ctx);
    }
    built.ignore = Some(renderer.render_with(
        "workspace/dockerignore.j2",
        minijinja::context! { apps => minijinja::value::Serde(&built.apps) },
    )?);
    finish(args, out, &ws.root, &renderer, built)
}

/// What the per-app rendering produced, before the root files.
#[derive(Default)]
pub(crate) struct Built {
    /// Each app's context, in order.
    pub(crate) apps: Vec<AppContext>,
    /// Each app's Dockerfile (path relative to the root, text).
    pub(crate) files: Vec<(String, String)>,
    /// The root `.dockerignore`.
    pub(crate) ignore: Option<String>,
    /// Warnings, each naming its app.
    pub(crate) warnings: Vec<String>,
    /// How `dockform.toml` names each app (`--app` values).
    pub(crate) saved: Vec<String>,
}

/// Adds the root files (`.dockerignore`, `compose.yaml`, `docker-bake.hcl`,
/// `dockform.toml`), then prints, compares or writes them all.
pub(crate) fn finish(
    args: &InitArgs,
    out: Output,
    root: &std::path::Path,
    renderer: &Renderer,
    built: Built,
) -> Result<i32> {
    let Built {
        apps,
        mut files,
        ignore,
        warnings,
        saved,
    } = built;
    let all = minijinja::context! { apps => minijinja::value::Serde(&apps) };
    files.push((".dockerignore".into(), ignore.unwrap_or_default()));
    for (name, template) in [
        ("compose.yaml", "workspace/compose.yaml.j2"),
        ("docker-bake.hcl", "workspace/docker-bake.hcl.j2"),
    ] {
        files.push((
            name.to_string(),
            renderer.render_with(template, all.clone())?,
        ));
    }
    let dirs: Vec<String> = apps.iter().map(|a| a.dir.clone()).collect();
    // The checksum in each header line: a later run may replace an untouched file
    // (a stack Dockerfile's header was edited for its directory after rendering).
    for (_, text) in &mut files {
        *text = crate::stamp::seal(text);
    }
    if !args.no_config && !args.check {
        let existing = std::fs::read_to_string(root.join(config::CONFIG_FILE)).ok();
        let text = apps_file::text(&saved, existing.as_deref());
        files.push((config::CONFIG_FILE.to_string(), text));
    }
    if !out.quiet {
        warnings
            .iter()
            .for_each(|w| eprintln!("warning: {}", crate::validate::safe(w)));
    }
    let rendered = Rendered { files };
    if args.stdout {
        output::emit(&rendered.banners())?;
        return Ok(0);
    }
    // A `dockform.toml` whose only change is its `apps` value loses nothing of the user's.
    let plan = |root, rendered| deliver::plan_with(root, rendered, apps_file::only_apps_differ);
    if args.diff || args.check {
        return deliver::compare(&plan(root, &rendered)?, args.check, out);
    }
    let _lock = crate::write::DirLock::acquire(root, || {})?;
    let plan = plan(root, &rendered)?;
    let actions = deliver::decide(&mut Defaults, &plan, args.force, false)?;
    let code = deliver::write(&plan, &actions, args.json, out)?;
    let wrote = actions
        .iter()
        .any(|a| matches!(a, Action::Created | Action::Updated));
    if wrote && !args.json && !out.quiet {
        eprintln!(
            "\nNext, from `{}`:\n  docker buildx bake          (or `docker compose build`) builds every app\n  docker compose up           runs them\n  git add {} .dockerignore compose.yaml docker-bake.hcl dockform.toml",
            crate::validate::safe(&root.display().to_string()),
            dirs.iter()
                .map(|a| format!("{a}/Dockerfile"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    Ok(code)
}

/// One Dockerfile per binary (Cargo workspace) or main package (Go module), each the
/// stack's own Dockerfile for that app, placed in the app's directory; the build
/// context stays the root, as its header says.
pub fn generate_stack(
    args: &InitArgs,
    out: Output,
    root: &scan::Project,
    apps: &[String],
) -> Result<i32> {
    let presets = preset::Presets::embedded()?;
    let flags = config::flags_layer(&args.choices)?;
    let renderer = Renderer::new(config::template_overrides(args.templates_dir.as_deref())?);
    let gitignore = crate::ignorefile::read(root.root());
    let mut built = Built::default();
    for app in apps {
        let mut flags = flags.clone();
        flags.app = Some(app.clone());
        let none = Layer::default();
        let inputs = questions::Inputs {
            project: root,
            presets: &presets,
            config: &none,
            flags: &flags,
            from_env: &[],
        };
        let decided = questions::interview(&mut Defaults, &inputs)?;
        let dir = app_dir(&decided.detection, app);
        let user = [(Origin::Flag, &flags)];
        let s = settings::resolve(decided.preset, &decided.detection, &user)?.settings;
        let rendered = renderer.render(&s, gitignore.as_ref().map(|g| g.text.as_str()))?;
        let mut ctx = context(&dir, s.port, &built.apps);
        ctx.name = app.clone();
        for (name, text) in rendered.files {
            match name.as_str() {
                "Dockerfile" => built
                    .files
                    .push((format!("{dir}/Dockerfile"), from_root(&text, &dir))),
                ".dockerignore" if built.ignore.is_none() => built.ignore = Some(text),
                _ => {}
            }
        }
        built.warnings.extend(
            decided
                .detection
                .warnings
                .into_iter()
                .map(|w| format!("{app}: {w}")),
        );
        built.saved.push(app.clone());
        built.apps.push(ctx);
    }
    finish(args, out, root.root(), &renderer, built)
}

/// The directory an app's Dockerfile goes in: a binary's package directory, a main
/// package's directory.
fn app_dir(d: &crate::detect::Detection, app: &str) -> String {
    let bins = d.extra.get("binaries").and_then(|f| f.value.as_array());
    let from_bin = bins.and_then(|b| {
        b.iter()
            .find(|b| b["name"] == app)
            .and_then(|b| b["dir"].as_str().map(String::from))
    });
    let dir = from_bin.unwrap_or_else(|| {
        app.trim_start_matches("./")
            .trim_end_matches('/')
            .to_string()
    });
    if dir.is_empty() { ".".into() } else { dir }
}

/// The stack's header says `docker build ... .` for a Dockerfile at the root; this one
/// is in `dir`, so each command in the leading comments gains `-f dir/Dockerfile`.
pub(crate) fn from_root(text: &str, dir: &str) -> String {
    if dir == "." {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut header = true;
    for line in text.split_inclusive('\n') {
        header &= line.starts_with('#') || line.trim().is_empty();
        if header && line.starts_with('#') {
            out.push_str(&line.replacen(
                "docker build ",
                &format!("docker build -f {dir}/Dockerfile "),
                1,
            ));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Detects and resolves one app from its own directory, as a single project would be.
fn resolve_app(
    ws: &JsWorkspace,
    dir: &str,
    presets: &preset::Presets,
    flags: &Layer,
) -> Result<(settings::Settings, Vec<String>)> {
    resolve_member(&ws.root, dir, presets, flags, |d| {
        let pm = d.layer.package_manager.as_deref();
        let supported = ["node", "nextjs"].contains(&d.stack.as_str())
            && ["npm", "pnpm", "yarn", "yarn-berry", "bun"].contains(&pm.unwrap_or("npm"));
        (!supported).then(|| {
            format!(
                "is a `{}` app with {}; per-app images are generated for the Node.js and Next.js apps of npm, pnpm, Yarn and Bun workspaces so far (run dockform on it alone, or choose other apps)",
                d.stack,
                pm.unwrap_or("no package manager")
            )
        })
    })
}

/// Detects and resolves the workspace member in `dir` (relative to `root`) from its own
/// directory, as a single project would be; `refuse` says why the workspace cannot
/// build what was detected there.
pub(crate) fn resolve_member(
    root: &std::path::Path,
    dir: &str,
    presets: &preset::Presets,
    flags: &Layer,
    refuse: impl Fn(&crate::detect::Detection) -> Option<String>,
) -> Result<(settings::Settings, Vec<String>)> {
    let project = scan::Project::scan(&root.join(dir))?;
    let none = Layer::default();
    let inputs = questions::Inputs {
        project: &project,
        presets,
        config: &none,
        flags,
        from_env: &[],
    };
    let decided = questions::interview(&mut Defaults, &inputs)?;
    if let Some(why) = refuse(&decided.detection) {
        return Err(Error::bad_input(dir.to_string(), why));
    }
    let user = [(Origin::Flag, flags)];
    let resolved = settings::resolve(decided.preset, &decided.detection, &user)?;
    Ok((resolved.settings, decided.detection.warnings))
}

pub(crate) fn context(dir: &str, port: Option<u16>, before: &[AppContext]) -> AppContext {
    let leaf = dir.rsplit('/').next().unwrap_or(dir);
    let mut service: String = leaf
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if service.is_empty() || service == "." || before.iter().any(|a| a.service == service) {
        service = format!("app{}", before.len() + 1);
    }
    let mut host_port = port;
    while let Some(p) = host_port
        && before.iter().any(|a| a.host_port == Some(p))
    {
        host_port = p.checked_add(1);
    }
    AppContext {
        dir: dir.to_string(),
        name: leaf.to_string(),
        image: service.clone(),
        service,
        closure: Vec::new(),
        install: install::Install::default(),
        port,
        host_port,
    }
}

/// Whether `init` may ask (a terminal on both ends, and no flag that rules it out).
pub fn interactive(args: &InitArgs) -> bool {
    !args.yes
        && !args.stdout
        && !args.check
        && !args.json
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
}

/// `init` on a workspace: from a member, that app (and those the root already
/// records); at the root, the apps `--app` or `dockform.toml` name. `None` when the
/// directory is neither, or a root with no app chosen (the detectors then explain).
pub fn route(args: &InitArgs, out: Output, root: &std::path::Path) -> Result<Option<i32>> {
    if let Some((ws, rel)) = JsWorkspace::enclosing(root) {
        let mut apps = saved(&ws.root)?;
        if !apps.contains(&rel) {
            apps.push(rel);
        }
        return generate(args, out, &ws, &apps).map(Some);
    }
    let Some(ws) = JsWorkspace::at(root) else {
        return stack_route(args, out, root);
    };
    let wanted = if args.choices.app.is_empty() {
        saved(&ws.root)?
    } else {
        args.choices.app.clone()
    };
    let apps = if !wanted.is_empty() {
        choose(&ws, &wanted)?
    } else if interactive(args) {
        pick(&mut Terminal::default(), &ws)?
    } else {
        return Ok(None);
    };
    generate(args, out, &ws, &apps).map(Some)
}

/// A Cargo workspace or Go module root: one Dockerfile per app when `--app` names
/// several (or `all` binaries of a Cargo workspace), or `dockform.toml` records them.
fn stack_route(args: &InitArgs, out: Output, root: &std::path::Path) -> Result<Option<i32>> {
    let mut wanted = args.choices.app.clone();
    if wanted.is_empty() {
        wanted = saved(root)?;
    }
    let project = scan::Project::scan(root)?;
    if wanted == ["all"] {
        // `--main all` keeps its meaning for a Go module: one image with every main.
        let presets = preset::Presets::embedded()?;
        let d = crate::detect::detect(&project, &presets, None, &Layer::default());
        let bins = d.ok().and_then(|d| {
            let list = d.extra.get("binaries")?.value.as_array()?.clone();
            Some(
                list.iter()
                    .filter_map(|b| b["name"].as_str().map(String::from))
                    .collect::<Vec<_>>(),
            )
        });
        match bins {
            Some(b) if b.len() > 1 => wanted = b,
            _ => return Ok(None),
        }
    } else if wanted.len() < 2 {
        return Ok(None);
    }
    generate_stack(args, out, &project, &wanted).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use listing::tests::workspace;

    #[test]
    fn all_chooses_the_apps_and_a_name_or_leaf_finds_its_package() {
        let (_dir, ws) = workspace();
        assert_eq!(
            choose(&ws, &["all".into()]).unwrap(),
            ["apps/api", "apps/web"]
        );
        assert_eq!(
            choose(&ws, &["web".into(), "./apps/api/".into(), "api".into()]).unwrap(),
            ["apps/web", "apps/api"]
        );
    }
}
