//! `dockform init` on a Go workspace (`go.work`): one Dockerfile per chosen app (a main
//! package of a member module), in the main package's directory and built from the
//! root in workspace mode. Its dependency layer copies every member's module files
//! (versions are chosen across the workspace), its build stages only the sources of
//! the members the app imports. The root files (`.dockerignore`, `compose.yaml`,
//! `docker-bake.hcl`, `dockform.toml`) are the ones [`crate::monorepo`] writes for every
//! workspace.

use crate::cli::InitArgs;
use crate::config;
use crate::deliver::Output;
use crate::detect::go_workspace::GoWorkspace;
use crate::error::{Error, Result};
use crate::monorepo::{self, Built};
use crate::render::Renderer;
use crate::wizard::{Prompter, Terminal};
use crate::{preset, scan, validate};

/// One main package of the workspace: its directory from the root (`services/api`,
/// `tools/cmd/gen`, `.`), its member, and the binary it builds.
#[derive(Debug, Clone, PartialEq)]
pub struct GoApp {
    /// Its directory relative to the root.
    pub dir: String,
    /// The member module it belongs to.
    pub member: String,
    /// The executable `go build` names after it.
    pub binary: String,
}

/// Every main package of every member, in `go.work`'s order.
pub fn apps(ws: &GoWorkspace) -> Vec<GoApp> {
    let mut out = Vec::new();
    for m in &ws.members {
        let base = if m.dir == "." {
            ws.root.clone()
        } else {
            ws.root.join(&m.dir)
        };
        let Ok(project) = scan::Project::scan(&base) else {
            continue;
        };
        for (dir, binary) in crate::detect::go::mains_of(&project).unwrap_or_default() {
            let dir = match (m.dir.as_str(), dir.as_str()) {
                (".", "") => ".".to_string(),
                (".", d) => d.to_string(),
                (m, "") => m.to_string(),
                (m, d) => format!("{m}/{d}"),
            };
            out.push(GoApp {
                dir,
                member: m.dir.clone(),
                binary,
            });
        }
    }
    out
}

/// `init` in a Go workspace: from a member, its main package (or those `--app` names
/// in it), with those the root already records; at the root, the apps `--app` or
/// `dockform.toml` name, or the wizard's choice. `None` when `dir` is neither.
pub fn route(args: &InitArgs, out: Output, dir: &std::path::Path) -> Result<Option<i32>> {
    if let Some((ws, rel)) = GoWorkspace::enclosing(dir)
        && rel != "."
    {
        let all = apps(&ws);
        let mine: Vec<&GoApp> = all.iter().filter(|a| a.member == rel).collect();
        let wanted: Vec<String> = if args.choices.app.is_empty() {
            match mine.as_slice() {
                [one] => vec![one.dir.clone()],
                [] => {
                    return Err(Error::bad_input(
                        dir.display().to_string(),
                        format!(
                            "is `{}`, a library of the Go workspace in `{}` (no `package main`); run dockform at the root to choose an app",
                            validate::shown(&rel),
                            ws.root.display()
                        ),
                    ));
                }
                many => {
                    return Err(Error::invalid(
                        "`--app`",
                        format!(
                            "`{}` holds several main packages ({}); pass `--app DIR` (repeat it) or `--app all`",
                            validate::shown(&rel),
                            many.iter()
                                .map(|a| a.dir.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        } else if args.choices.app.iter().any(|a| a == "all") {
            mine.iter().map(|a| a.dir.clone()).collect()
        } else {
            args.choices
                .app
                .iter()
                .map(|a| {
                    let a = a.trim_start_matches("./").trim_end_matches('/');
                    if a.is_empty() || a == "." {
                        rel.clone()
                    } else if all.iter().any(|x| x.dir == a || x.binary == a) {
                        a.to_string()
                    } else {
                        format!("{rel}/{a}")
                    }
                })
                .collect()
        };
        let mut chosen = monorepo::saved(&ws.root)?;
        for w in choose(&ws, &wanted)? {
            if !chosen.contains(&w) {
                chosen.push(w);
            }
        }
        if !out.quiet {
            eprintln!(
                "note: `{}` is a member of the Go workspace in `{}`: its Dockerfile builds from the workspace root, in workspace mode",
                validate::safe(&rel),
                validate::safe(&ws.root.display().to_string())
            );
        }
        return generate(args, out, &ws, &chosen).map(Some);
    }
    // A main package's own directory below a member (`gateway/cmd/server`): that app.
    if let Some((ws, rel)) = below_member(dir) {
        let mut chosen = monorepo::saved(&ws.root)?;
        if !chosen.contains(&rel) {
            chosen.push(rel.clone());
        }
        if !out.quiet {
            eprintln!(
                "note: `{}` is a main package of the Go workspace in `{}`: its Dockerfile builds from the workspace root, in workspace mode",
                validate::safe(&rel),
                validate::safe(&ws.root.display().to_string())
            );
        }
        return generate(args, out, &ws, &chosen).map(Some);
    }
    let Some(ws) = GoWorkspace::at(dir) else {
        return Ok(None);
    };
    let wanted = if args.choices.app.is_empty() {
        monorepo::saved(&ws.root)?
    } else {
        args.choices.app.clone()
    };
    let found = apps(&ws);
    let chosen = if !wanted.is_empty() {
        choose(&ws, &wanted)?
    } else if let [one] = found.as_slice() {
        // One program among libraries: nothing to choose.
        vec![one.dir.clone()]
    } else if monorepo::interactive(args) {
        pick(&mut Terminal::default(), &ws)?
    } else {
        let list: Vec<String> = found.into_iter().map(|a| a.dir).collect();
        return Err(Error::bad_input(
            ws.root.join("go.work").display().to_string(),
            if list.is_empty() {
                "declares a Go workspace with no `package main` in any member: there is no program to containerize".to_string()
            } else {
                format!(
                    "declares a Go workspace whose apps are {}; choose with `--app DIR` (repeat it) or `--app all` (`dockform detect` shows each member)",
                    list.join(", ")
                )
            },
        ));
    };
    generate(args, out, &ws, &chosen).map(Some)
}

/// The workspace and the app when `dir` is a main package's directory below a
/// member's root (`gateway/cmd/server`, which has no `go.mod` of its own).
fn below_member(dir: &std::path::Path) -> Option<(GoWorkspace, String)> {
    if dir.join("go.mod").is_file() {
        return None;
    }
    crate::detect::workspace::ancestors(dir).find_map(|(root, rel)| {
        let ws = GoWorkspace::at(&root)?;
        apps(&ws).iter().any(|a| a.dir == rel).then_some((ws, rel))
    })
}

/// For `detect` in a main package's directory below a member: the member's directory
/// and the package as `--main` names it there (`./cmd/server`).
pub fn main_package(dir: &std::path::Path) -> Option<(std::path::PathBuf, String)> {
    let (ws, rel) = below_member(dir)?;
    let app = apps(&ws).into_iter().find(|a| a.dir == rel)?;
    let sub = if app.member == "." {
        rel.clone()
    } else {
        rel[app.member.len() + 1..].to_string()
    };
    let member = if app.member == "." {
        ws.root.clone()
    } else {
        ws.root.join(&app.member)
    };
    Some((member, format!("./{sub}")))
}

/// The apps `wanted` names (a main package's directory, its binary's name, or `all`),
/// in the order given.
pub fn choose(ws: &GoWorkspace, wanted: &[String]) -> Result<Vec<String>> {
    let all = apps(ws);
    if wanted.iter().any(|w| w == "all") {
        if all.is_empty() {
            return Err(Error::bad_input(
                "go.work".to_string(),
                "declares a Go workspace with no `package main` in any member: there is no program to containerize",
            ));
        }
        return Ok(all.into_iter().map(|a| a.dir).collect());
    }
    let mut chosen: Vec<String> = Vec::new();
    for w in wanted {
        let norm = w.trim_start_matches("./").trim_end_matches('/');
        let norm = if norm.is_empty() { "." } else { norm };
        // A member's directory names its only main package.
        let in_member: Vec<&GoApp> = all.iter().filter(|a| a.member == norm).collect();
        let by_dir = all
            .iter()
            .find(|a| a.dir == norm)
            .or(if in_member.len() == 1 {
                in_member.first().copied()
            } else {
                None
            });
        let mut by_name = all.iter().filter(|a| a.binary == norm);
        let found = by_dir.or_else(|| by_name.next().filter(|_| by_name.next().is_none()));
        match found {
            Some(a) if !chosen.contains(&a.dir) => chosen.push(a.dir.clone()),
            Some(_) => {}
            None => {
                let names: Vec<&str> = all.iter().map(|a| a.dir.as_str()).collect();
                return Err(Error::invalid(
                    "`--app`",
                    format!(
                        "`{}` is not a main package of the Go workspace (its apps: {}; or pass `--app all`)",
                        validate::shown(w),
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                ));
            }
        }
    }
    Ok(chosen)
}

/// Each app with what it builds, then each member with no main package, as the
/// listing and the wizard show them: (directory, name, app, why, member closure).
fn roles(ws: &GoWorkspace) -> Vec<(String, String, bool, String, Vec<String>)> {
    let all = apps(ws);
    let mut out: Vec<_> = all
        .iter()
        .map(|a| {
            let module = ws.member(&a.member).map_or("", |m| m.module.as_str());
            (
                a.dir.clone(),
                a.binary.clone(),
                true,
                format!("a `package main` of `{module}`: the `{}` binary", a.binary),
                // The member's closure, the app standing for its own member.
                ws.closure(&a.member)
                    .into_iter()
                    .map(|d| if d == a.member { a.dir.clone() } else { d })
                    .collect(),
            )
        })
        .collect();
    for m in &ws.members {
        if !all.iter().any(|a| a.member == m.dir) {
            out.push((
                m.dir.clone(),
                m.module.clone(),
                false,
                format!("`{}` has no `package main`", m.module),
                ws.closure(&m.dir),
            ));
        }
    }
    out
}

/// The wizard's question at a `go.work` root: every main package listed as an app and
/// every member without one as a library, the apps checked.
pub fn pick(p: &mut dyn Prompter, ws: &GoWorkspace) -> Result<Vec<String>> {
    let members: Vec<(String, bool, String)> = roles(ws)
        .into_iter()
        .map(|(dir, _, app, why, _)| (dir, app, why))
        .collect();
    let chosen = monorepo::pick_members(p, "a Go workspace (`go.work`)", &members)?;
    // A library checked by hand has no program: `choose` says so.
    choose(ws, &chosen)
}

/// `detect` at a `go.work` root: the same shape as [`monorepo::describe`].
pub fn describe(ws: &GoWorkspace) -> Result<serde_json::Value> {
    let roles = roles(ws);
    let members = roles
        .iter()
        .map(|(dir, name, app, why, closure)| {
            (
                dir.as_str(),
                name.as_str(),
                *app,
                why.clone(),
                closure.clone(),
            )
        })
        .collect();
    let workspace = serde_json::json!({
        "file": "go.work",
        "package_manager": "go",
        "lockfile": ws.work_sum.then_some("go.work.sum"),
        "catalogs": false,
    });
    monorepo::described(&ws.root, workspace, members)
}

/// Renders, then writes or compares, every file for the chosen `apps`.
pub fn generate(
    args: &InitArgs,
    out: Output,
    ws: &GoWorkspace,
    apps_wanted: &[String],
) -> Result<i32> {
    let presets = preset::Presets::embedded()?;
    let flags = config::flags_layer(&args.choices)?;
    let renderer = Renderer::new(config::template_overrides(args.templates_dir.as_deref())?);
    let gitignore = crate::ignorefile::read(&ws.root);
    let all = apps(ws);
    let mut built = Built::default();
    for dir in apps_wanted {
        let Some(app) = all.iter().find(|a| &a.dir == dir) else {
            return Err(Error::invalid(
                "`--app`",
                format!(
                    "`{}` is not a main package of the Go workspace",
                    validate::shown(dir)
                ),
            ));
        };
        let mut flags = flags.clone();
        let sub = if app.dir == app.member {
            "./".to_string()
        } else if app.member == "." {
            format!("./{}", app.dir)
        } else {
            format!("./{}", &app.dir[app.member.len() + 1..])
        };
        flags.app = Some(sub);
        let (s, warned) = monorepo::resolve_member(&ws.root, &app.member, &presets, &flags, |d| {
            (d.stack != "go").then(|| {
                format!(
                    "is detected as a `{}` app; a Go workspace's members are built with Go (drop `--stack`, or choose other apps)",
                    d.stack
                )
            })
        })?;
        built
            .warnings
            .extend(warned.into_iter().map(|w| format!("{dir}: {w}")));
        let mut ctx = monorepo::context(dir, s.port, &built.apps);
        ctx.name = app.binary.clone();
        ctx.closure = ws.closure(&app.member);
        let rendered = renderer.render(&s, gitignore.as_ref().map(|g| g.text.as_str()))?;
        for (name, text) in rendered.files {
            match name.as_str() {
                "Dockerfile" if dir == "." => built.files.push((name, text)),
                "Dockerfile" => built
                    .files
                    .push((format!("{dir}/Dockerfile"), monorepo::from_root(&text, dir))),
                ".dockerignore" if built.ignore.is_none() => built.ignore = Some(text),
                _ => {}
            }
        }
        built.saved.push(dir.clone());
        built.apps.push(ctx);
    }
    monorepo::finish(args, out, &ws.root, &renderer, built)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::Scripted;

    fn workspace() -> (tempfile::TempDir, GoWorkspace) {
        let dir = crate::testing::tree(&[
            (
                "go.work",
                "go 1.26\n\nuse (\n\t./api\n\t./lib\n\t./tools\n)\n",
            ),
            ("api/go.mod", "module example.com/api\n\ngo 1.26\n"),
            (
                "api/main.go",
                "package main\n\nimport \"example.com/lib\"\n\nfunc main() { lib.Hi() }\n",
            ),
            ("lib/go.mod", "module example.com/lib\n\ngo 1.26\n"),
            ("lib/lib.go", "package lib\n\nfunc Hi() {}\n"),
            ("tools/go.mod", "module example.com/tools\n\ngo 1.26\n"),
            ("tools/cmd/gen/main.go", "package main\n\nfunc main() {}\n"),
            ("tools/cmd/seed/main.go", "package main\n\nfunc main() {}\n"),
        ]);
        let ws = GoWorkspace::at(dir.path()).unwrap();
        (dir, ws)
    }

    #[test]
    fn every_main_of_every_member_is_an_app_and_a_name_or_dir_chooses_it() {
        let (_dir, ws) = workspace();
        let dirs: Vec<String> = apps(&ws).into_iter().map(|a| a.dir).collect();
        assert_eq!(dirs, ["api", "tools/cmd/gen", "tools/cmd/seed"]);
        assert_eq!(
            choose(&ws, &["seed".into(), "./api/".into()]).unwrap(),
            ["tools/cmd/seed", "api"]
        );
        assert_eq!(choose(&ws, &["all".into()]).unwrap().len(), 3);
        let err = choose(&ws, &["lib".into()]).unwrap_err().to_string();
        assert!(
            err.contains("not a main package") && err.contains("tools/cmd/gen"),
            "{err}"
        );
    }

    #[test]
    fn the_wizard_lists_apps_checked_and_libraries_unchecked() {
        let (_dir, ws) = workspace();
        let mut script = Scripted::default();
        assert_eq!(
            pick(&mut script, &ws).unwrap(),
            ["api", "tools/cmd/gen", "tools/cmd/seed"]
        );
        assert!(
            script.shown[0].contains("lib") && script.shown[0].contains("library"),
            "{:?}",
            script.shown
        );
    }

    #[test]
    fn detect_describes_each_app_with_the_members_it_builds_from() {
        let (_dir, ws) = workspace();
        let v = describe(&ws).unwrap();
        let packages = v["packages"].as_array().unwrap();
        assert_eq!(packages[0]["dir"], "api");
        assert_eq!(packages[0]["closure"], serde_json::json!(["api", "lib"]));
        let lib = packages.iter().find(|p| p["dir"] == "lib").unwrap();
        assert_eq!(lib["app"], false);
        assert!(monorepo::describe_text(&v).contains("needs lib"));
    }
}
