//! `dockform init` on a uv workspace: one Dockerfile per chosen app (a member that
//! runs a program: a server framework, or a console script), in the app's directory
//! and built from the root, whose dependency layer reads the root `pyproject.toml` and
//! `uv.lock` and the manifests of the app's workspace closure only. The root files
//! (`.dockerignore`, `compose.yaml`, `docker-bake.hcl`, `dockform.toml`) are the ones
//! [`crate::monorepo`] writes for every workspace.

use crate::cli::InitArgs;
use crate::config;
use crate::deliver::Output;
use crate::detect::uv_workspace::{UvMember, UvWorkspace};
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::monorepo::{self, Built};
use crate::render::Renderer;
use crate::wizard::{Prompter, Terminal};
use crate::{preset, scan, settings, validate};

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
                validate::safe(&rel),
                validate::safe(&ws.root.display().to_string())
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
    if js && !wanted.iter().all(ours) {
        return Ok(None);
    }
    let apps = if !wanted.is_empty() {
        choose(&ws, &wanted)?
    } else if !js && monorepo::interactive(args) {
        pick(&mut Terminal::default(), &ws)?
    } else {
        return Ok(None);
    };
    generate(args, out, &ws, &apps).map(Some)
}

/// The wizard's question at a uv workspace root: every member listed as an app (it
/// runs a program) or a library, the apps checked.
pub fn pick(p: &mut dyn Prompter, ws: &UvWorkspace) -> Result<Vec<String>> {
    let members: Vec<(String, bool, String)> = roles(ws)
        .into_iter()
        .map(|(m, app, why)| (m.dir.clone(), app, why))
        .collect();
    monorepo::pick_members(p, "a uv workspace (`pyproject.toml`)", &members)
}

/// Every member with whether it is an app and why, apps first (each group by directory).
fn roles(ws: &UvWorkspace) -> Vec<(&UvMember, bool, String)> {
    let mut out: Vec<(&UvMember, bool, String)> = ws
        .members
        .iter()
        .map(|m| {
            let (app, why) = role(ws, &m.dir);
            (m, app, why)
        })
        .collect();
    out.sort_by_key(|(m, app, _)| (!*app, m.dir.clone()));
    out
}

/// `detect` at a uv workspace root: the same shape as [`monorepo::describe`].
pub fn describe(ws: &UvWorkspace) -> Result<serde_json::Value> {
    let members = roles(ws)
        .into_iter()
        .map(|(m, app, why)| {
            (
                m.dir.as_str(),
                m.name.as_str(),
                app,
                why,
                ws.closure(&m.dir),
            )
        })
        .collect();
    let workspace = serde_json::json!({
        "file": "pyproject.toml",
        "package_manager": "uv",
        "lockfile": ws.locked.then_some("uv.lock"),
        "catalogs": false,
    });
    monorepo::described(&ws.root, workspace, members)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::Scripted;

    fn workspace() -> (tempfile::TempDir, UvWorkspace) {
        let dir = crate::testing::tree(&[
            (
                "pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"libs/*\", \"services/*\"]\n",
            ),
            (
                "services/api/pyproject.toml",
                "[project]\nname = \"api\"\nversion = \"1\"\ndependencies = [\"fastapi\", \"uvicorn\", \"shared\"]\n[tool.uv.sources]\nshared = { workspace = true }\n",
            ),
            (
                "services/api/main.py",
                "from fastapi import FastAPI\napp = FastAPI()\n",
            ),
            (
                "libs/shared/pyproject.toml",
                "[project]\nname = \"shared\"\nversion = \"1\"\n",
            ),
            ("libs/shared/shared/__init__.py", ""),
        ]);
        let ws = UvWorkspace::at(dir.path()).unwrap();
        (dir, ws)
    }

    #[test]
    fn the_wizard_offers_every_member_apps_first_and_checked() {
        let (_dir, ws) = workspace();
        let mut script = Scripted::default();
        assert_eq!(pick(&mut script, &ws).unwrap(), ["services/api"]);
        let shown = &script.shown[0];
        assert!(shown.contains("uv workspace"), "{shown}");
        let (api, lib) = (shown.find("services/api"), shown.find("libs/shared"));
        assert!(
            api.is_some() && lib.is_some() && api < lib,
            "apps first: {shown}"
        );
        let mut script = Scripted::new([("apps", "services/api,libs/shared")]);
        assert_eq!(
            pick(&mut script, &ws).unwrap(),
            ["services/api", "libs/shared"]
        );
        assert_eq!(script.asked, ["apps"]);
    }

    #[test]
    fn detect_describes_each_member_with_its_closure() {
        let (_dir, ws) = workspace();
        let v = describe(&ws).unwrap();
        assert_eq!(v["workspace"]["package_manager"], "uv");
        let packages = v["packages"].as_array().unwrap();
        assert_eq!(packages[0]["dir"], "services/api");
        assert_eq!(packages[0]["app"], true);
        assert_eq!(
            packages[0]["closure"],
            serde_json::json!(["libs/shared", "services/api"])
        );
        assert_eq!(packages[1]["app"], false);
        assert!(
            monorepo::describe_text(&v).contains("needs libs/shared"),
            "{}",
            monorepo::describe_text(&v)
        );
    }
}
