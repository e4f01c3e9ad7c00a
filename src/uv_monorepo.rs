//! `dockform init` on a uv workspace: one Dockerfile per chosen app (a member that
//! runs a program: a server framework, or a console script), in the app's directory
//! and built from the root, whose dependency layer reads the root `pyproject.toml` and
//! `uv.lock` and the manifests of the app's workspace closure only. The root files
//! (`.dockerignore`, `compose.yaml`, `docker-bake.hcl`, `dockform.toml`) are the ones
//! [`crate::monorepo`] writes for every workspace.

use crate::cli::InitArgs;
use crate::config;
use crate::detect::uv_workspace::UvWorkspace;
use crate::error::{Error, Result};
use crate::init::Output;
use crate::layer::Layer;
use crate::monorepo::{self, Built};
use crate::render::Renderer;
use crate::{preset, report, scan, settings};

/// `init` in a uv workspace: from a member, that app (and those the root already
/// records), built from the root; at the root, the apps `--app` or `dockform.toml`
/// name. `None` when the directory is neither, when no app is chosen, or when the
/// root is also a JavaScript workspace and `--app` names one of its packages.
pub fn route(args: &InitArgs, out: Output, dir: &std::path::Path) -> Result<Option<i32>> {
    if let Some((ws, rel)) = UvWorkspace::enclosing(dir) {
        let mut apps = monorepo::saved(&ws.root)?;
        if !apps.contains(&rel) {
            apps.push(rel.clone());
        }
        if !out.quiet {
            eprintln!(
                "note: `{}` is a member of the uv workspace in `{}`: its Dockerfile builds from the workspace root, with the root's `uv.lock`",
                report::safe(&rel),
                report::safe(&ws.root.display().to_string())
            );
        }
        return generate(args, out, &ws, &apps).map(Some);
    }
    let Some(ws) = UvWorkspace::at(dir) else {
        return Ok(None);
    };
    let wanted = if args.choices.app.is_empty() {
        monorepo::saved(&ws.root)?
    } else {
        args.choices.app.clone()
    };
    let ours = |w: &String| w == "all" || find(&ws, w).is_some();
    let js = crate::detect::workspace::JsWorkspace::at(dir).is_some();
    if wanted.is_empty() || (js && !wanted.iter().all(ours)) {
        return Ok(None);
    }
    let apps = choose(&ws, &wanted)?;
    generate(args, out, &ws, &apps).map(Some)
}

/// The member `w` names: its directory, its name, or the last part of its directory
/// when only one has it.
fn find<'a>(ws: &'a UvWorkspace, w: &str) -> Option<&'a str> {
    let w = w.trim_start_matches("./").trim_end_matches('/');
    let norm = crate::detect::pep503::normalize(w);
    let exact = ws.members.iter().find(|m| m.dir == w || m.name == norm);
    let leaf = || {
        let mut by_leaf = ws
            .members
            .iter()
            .filter(|m| m.dir.rsplit('/').next() == Some(w));
        by_leaf.next().filter(|_| by_leaf.next().is_none())
    };
    exact.or_else(leaf).map(|m| m.dir.as_str())
}

/// The apps `wanted` names (directories, names, or `all`: every member that runs a
/// program), in the order given.
pub fn choose(ws: &UvWorkspace, wanted: &[String]) -> Result<Vec<String>> {
    if wanted.iter().any(|w| w == "all") {
        let apps: Vec<String> = ws
            .members
            .iter()
            .filter(|m| role(ws, &m.dir).0)
            .map(|m| m.dir.clone())
            .collect();
        if apps.is_empty() {
            return Err(Error::bad_input(
                "pyproject.toml".to_string(),
                "declares a uv workspace with no app (no member runs a server or a console script); pass `--app DIR` to choose one",
            ));
        }
        return Ok(apps);
    }
    let mut chosen: Vec<String> = Vec::new();
    for w in wanted {
        match find(ws, w) {
            Some(dir) if !chosen.iter().any(|c| c == dir) => chosen.push(dir.to_string()),
            Some(_) => {}
            None => {
                let names: Vec<&str> = ws.members.iter().map(|m| m.dir.as_str()).collect();
                return Err(Error::invalid(
                    "`--app`",
                    format!(
                        "`{}` is not a member of the uv workspace (its members: {}; or pass `--app all`)",
                        crate::validate::shown(w),
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(chosen)
}

/// Whether the member in `dir` is an app, and why: the Python detector, run on the
/// member, found the program it runs.
pub fn role(ws: &UvWorkspace, dir: &str) -> (bool, String) {
    let Ok(project) = scan::Project::scan(&ws.root.join(dir)) else {
        return (false, "its directory cannot be read".into());
    };
    let Ok(presets) = preset::Presets::embedded() else {
        return (false, "the embedded presets do not load".into());
    };
    match crate::detect::detect(&project, &presets, Some("python"), &Layer::default()) {
        Ok(d) => match d.layer.start_command {
            Some(start) => (true, format!("it runs `{start}`")),
            None => (false, "it declares no program to run".into()),
        },
        Err(e) => (false, e.to_string()),
    }
}

/// Renders, then writes or compares, every file for the chosen `apps`.
pub fn generate(args: &InitArgs, out: Output, ws: &UvWorkspace, apps: &[String]) -> Result<i32> {
    if !ws.locked {
        return Err(Error::bad_input(
            ws.root.join("pyproject.toml").display().to_string(),
            "declares a uv workspace with no `uv.lock` beside it: run `uv lock` there, then dockform again",
        ));
    }
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
        let mut ctx = monorepo::context(dir, s.port, &built.apps);
        ctx.name = ws.member(dir).map_or(ctx.name, |m| m.name.clone());
        ctx.closure = ws.closure(dir);
        ctx.install.root_files = vec!["pyproject.toml".into(), "uv.lock".into()];
        let text = renderer.render_with(
            "workspace/python.Dockerfile.j2",
            minijinja::context! { settings => minijinja::value::Serde(&s), app => minijinja::value::Serde(&ctx) },
        )?;
        built.files.push((format!("{dir}/Dockerfile"), text));
        built.saved.push(dir.clone());
        built.apps.push(ctx);
    }
    built.ignore = Some(renderer.render_with(
        "workspace/python.dockerignore.j2",
        minijinja::context! { apps => minijinja::value::Serde(&built.apps) },
    )?);
    monorepo::finish(args, out, &ws.root, &renderer, built)
}

/// Detects and resolves one member from its own directory (the detector takes the
/// root's `uv.lock`), as a single project would be.
fn resolve_app(
    ws: &UvWorkspace,
    dir: &str,
    presets: &preset::Presets,
    flags: &Layer,
) -> Result<(settings::Settings, Vec<String>)> {
    monorepo::resolve_member(&ws.root, dir, presets, flags, |d| {
        let pm = d.layer.package_manager.as_deref().unwrap_or("pip");
        (d.stack != "python" || pm != "uv").then(|| {
            format!(
                "is a `{}` app with {pm}; the images of a uv workspace's members are built with uv (drop `--package-manager`, or choose other apps)",
                d.stack
            )
        })
    })
}
