//! Which package manager builds the virtualenv, the files its dependency layer needs,
//! and the install commands for each stage (from the preset's `[package-managers]`).

use super::Manifests;
use crate::detect::Detection;
use crate::detect::uv_workspace::UvWorkspace;
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::preset::Preset;
use crate::scan::Project;
use crate::validate;

/// The chosen manager with the file that decided it.
struct Choice {
    pm: &'static str,
    source: Option<String>,
    reason: String,
}

/// Sets `package-manager` and the facts `lockfile`, `manifest_files`, `tool_package`,
/// `create_venv`, `add_command`, `deps_command`, `project_command`, `dev_deps_command`,
/// `dev_project_command`.
pub fn detect(
    project: &Project,
    m: &Manifests,
    member: Option<&(UvWorkspace, String)>,
    preset: &Preset,
    hints: &Layer,
    d: &mut Detection,
) -> Result<()> {
    let choice = match &hints.package_manager {
        Some(pm) => {
            let known = ["pip", "uv", "poetry", "pipenv"];
            let pm = known.iter().copied().find(|k| k == pm).ok_or_else(|| {
                Error::invalid(
                    "`--package-manager`",
                    format!(
                        "`{}` is not one of {}",
                        validate::shown(pm),
                        known.join(", ")
                    ),
                )
            })?;
            Choice {
                pm,
                source: None,
                reason: String::new(),
            }
        }
        None => choose(project, m, member, d),
    };
    if hints.package_manager.is_none() {
        d.why(
            "package-manager",
            choice.source.as_deref(),
            choice.reason.clone(),
        );
    }
    let pm = choice.pm;
    let table = preset.package_managers.get(pm).ok_or_else(|| {
        Error::Internal(format!(
            "preset `{}` has no `{pm}` package manager",
            preset.name
        ))
    })?;
    let cmd = |key: &str| table.get(key).and_then(|v| v.as_str()).map(String::from);
    let lockfile = match pm {
        "uv" => Some("uv.lock"),
        "poetry" => Some("poetry.lock"),
        "pipenv" => Some("Pipfile.lock"),
        _ => None,
    }
    .filter(|f| project.is_file(f))
    .map(String::from)
    .or_else(|| workspace_lock(member).filter(|_| pm == "uv"));
    let lockfile = lockfile.as_deref();
    let locked =
        lockfile.is_some() || (pm == "pip" && m.requirements.is_some() && m.requirements_pinned);
    let (mut files, c) = commands(pm, project, m, table, locked);
    files.extend(lockfile.map(String::from));
    warn_unlocked(pm, lockfile, m, d);
    let tools: Vec<String> = table
        .get("tool")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str())
        .map(|t| pin(preset, t))
        .collect::<Result<_>>()?;
    let tool = (!tools.is_empty()).then(|| tools.join(" "));
    let create = table
        .get("create-venv")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    d.fact(
        "lockfile",
        lockfile,
        lockfile,
        if lockfile.is_some() {
            "the dependency install is frozen to the lockfile"
        } else {
            "no lockfile"
        },
    );
    d.fact(
        "manifest_files",
        files,
        None,
        "copied before the dependency install so that layer is cached",
    );
    d.fact(
        "dev_manifest_files",
        m.dev_requirement_files.clone(),
        None,
        "copied before the development install",
    );
    d.fact(
        "tool_package",
        tool,
        None,
        "the package manager, installed with pip in the builder only",
    );
    d.fact(
        "create_venv",
        create,
        None,
        "the builder creates the virtualenv the final stage copies",
    );
    d.fact(
        "add_command",
        cmd("add"),
        None,
        "installs packages the project does not declare (a server, pytest)",
    );
    let why = if c.deps.is_some() {
        "installs the dependencies from the manifests alone"
    } else {
        "dependencies need the source, so they install with the project"
    };
    d.fact("deps_command", c.deps, None, why);
    d.fact(
        "project_command",
        c.project,
        None,
        "installs the project itself once the source is copied",
    );
    d.fact(
        "project_with_deps_command",
        c.project_with_deps,
        None,
        "on Python before 3.11 (no `tomllib` to read `pyproject.toml`), the project installs with its dependencies",
    );
    d.fact(
        "dev_deps_command",
        c.dev_deps,
        None,
        "adds development dependencies for the dev and test stages",
    );
    d.fact(
        "dev_project_command",
        c.dev_project,
        None,
        "installs the project with its development extras",
    );
    d.layer.package_manager = Some(pm.to_string());
    Ok(())
}

/// The install commands of each stage.
#[derive(Default)]
struct Commands {
    deps: Option<String>,
    project: Option<String>,
    /// With `deps` read from `pyproject.toml` by `tomllib`: what installs the project
    /// and its dependencies together on an interpreter older than 3.11, which has none.
    project_with_deps: Option<String>,
    dev_deps: Option<String>,
    dev_project: Option<String>,
}

/// The files the dependency layer copies and the commands, from the preset's table.
fn commands(
    pm: &str,
    project: &Project,
    m: &Manifests,
    table: &toml::Table,
    locked: bool,
) -> (Vec<String>, Commands) {
    let cmd = |key: &str| table.get(key).and_then(|v| v.as_str()).map(String::from);
    let pick = |key: &str| {
        if locked {
            cmd(key)
        } else {
            cmd(&format!("{key}-unlocked")).or_else(|| cmd(key))
        }
    };
    let installable = m.build_backend().is_some() || project.is_file("setup.py");
    match pm {
        "pip" => {
            let req = m
                .requirements
                .as_ref()
                .and_then(|r| cmd("deps").map(|c| c.replace("{requirements}", r)));
            let dev = m
                .dev_requirements
                .as_ref()
                .and_then(|r| cmd("dev-deps").map(|c| c.replace("{dev-requirements}", r)));
            if pm == "pip" && m.local_requirement {
                // `-e .` needs the source: everything installs after `COPY . .`.
                let both = m.requirements.as_ref().zip(m.dev_requirements.as_ref());
                let both = both.and_then(|(r, dv)| {
                    cmd("deps").map(|c| c.replace("{requirements}", &format!("{r} -r {dv}")))
                });
                let dev_project = both.or(dev).or(pip_dev_project(m, installable));
                return (
                    Vec::new(),
                    Commands {
                        project: req,
                        dev_project,
                        ..Default::default()
                    },
                );
            }
            // No requirements file: the dependencies `pyproject.toml` lists install from
            // that file alone, so a source change does not reinstall them.
            let from_pyproject = (req.is_none() && installable && static_dependencies(m))
                .then(|| cmd("deps-from-pyproject"))
                .flatten();
            let project_cmd = match (&req, &from_pyproject, installable) {
                (_, _, false) => None,
                (Some(_), _, true) | (None, Some(_), true) => cmd("project"),
                (None, None, true) => cmd("project-with-deps"),
            };
            let files = if from_pyproject.is_some() {
                vec!["pyproject.toml".into()]
            } else {
                m.requirement_files.clone()
            };
            let c = Commands {
                project_with_deps: from_pyproject.as_ref().and(cmd("project-with-deps")),
                deps: req.or(from_pyproject),
                project: project_cmd,
                dev_deps: dev,
                dev_project: pip_dev_project(m, installable),
            };
            (files, c)
        }
        "pipenv" => (
            vec!["Pipfile".into()],
            Commands {
                deps: pick("deps"),
                dev_deps: pick("dev-deps"),
                ..Default::default()
            },
        ),
        _ => {
            let package = pm == "uv" || poetry_package(project, m);
            let c = Commands {
                deps: pick("deps"),
                project: pick("project").filter(|_| package),
                dev_deps: pick("dev-deps"),
                dev_project: pick("dev-project").filter(|_| package),
                ..Default::default()
            };
            (vec!["pyproject.toml".into()], c)
        }
    }
}

/// Whether `[project] dependencies` is a non-empty list written in `pyproject.toml`
/// itself: not `dynamic` (a build backend computes it), and no entry that points into
/// the project (`pkg @ file:...`), which needs the source.
fn static_dependencies(m: &Manifests) -> bool {
    let dynamic = m
        .py(&["project", "dynamic"])
        .and_then(|v| v.as_array())
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("dependencies")));
    let deps = m
        .py(&["project", "dependencies"])
        .and_then(|v| v.as_array());
    !dynamic
        && deps.is_some_and(|a| {
            !a.is_empty()
                && a.iter().all(|v| {
                    v.as_str()
                        .is_some_and(|s| !s.contains("file:") && !s.trim_start().starts_with('.'))
                })
        })
}

/// A `name==version` requirement from the preset's `[data] pins`.
pub fn pin(preset: &Preset, name: &str) -> Result<String> {
    let v = preset
        .data
        .get("pins")
        .and_then(|p| p.get(name))
        .and_then(|v| v.as_str());
    v.map(|v| format!("{name}=={v}")).ok_or_else(|| {
        Error::Internal(format!(
            "preset `{}` has no pinned version for `{name}`",
            preset.name
        ))
    })
}

/// The root `uv.lock` of the uv workspace the project is a member of, relative to the
/// project (`../uv.lock`).
fn workspace_lock(member: Option<&(UvWorkspace, String)>) -> Option<String> {
    let (ws, rel) = member?;
    let up = vec![".."; rel.split('/').count()].join("/");
    ws.locked.then(|| format!("{up}/uv.lock"))
}

fn choose(
    project: &Project,
    m: &Manifests,
    member: Option<&(UvWorkspace, String)>,
    d: &mut Detection,
) -> Choice {
    let c = |pm, source: Option<&str>, reason: &str| Choice {
        pm,
        source: source.map(String::from),
        reason: reason.to_string(),
    };
    let locks: Vec<&str> = ["uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock"]
        .into_iter()
        .filter(|f| project.is_file(f))
        .collect();
    if locks.len() > 1 {
        d.warn(format!(
            "several lockfiles ({}); using `{}`: delete the others",
            locks
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            locks[0]
        ));
    }
    let backend = m.build_backend().unwrap_or_default();
    if project.is_file("uv.lock") {
        c("uv", Some("uv.lock"), "lockfile `uv.lock`")
    } else if let Some(lock) = workspace_lock(member) {
        let reason = format!(
            "a member of the uv workspace whose lockfile is `{lock}`: its image builds from the workspace root"
        );
        Choice {
            pm: "uv",
            source: Some(lock),
            reason,
        }
    } else if project.is_file("poetry.lock") {
        c("poetry", Some("poetry.lock"), "lockfile `poetry.lock`")
    } else if m.pipfile.is_some() {
        c("pipenv", Some("Pipfile"), "`Pipfile`")
    } else if m.py(&["tool", "poetry"]).is_some() || backend.starts_with("poetry") {
        c(
            "poetry",
            Some("pyproject.toml"),
            "`[tool.poetry]` or the Poetry build backend",
        )
    } else if m.py(&["tool", "uv"]).is_some() {
        c("uv", Some("pyproject.toml"), "`[tool.uv]`")
    } else {
        if project.is_file("pdm.lock") || m.py(&["tool", "pdm"]).is_some() {
            d.warn("PDM is not supported yet: pip installs the project from `pyproject.toml`, so `pdm.lock` is not used");
        }
        let source = m.requirements.clone().or_else(|| {
            Some(
                if m.pyproject.is_some() {
                    "pyproject.toml"
                } else {
                    "setup.py"
                }
                .to_string(),
            )
        });
        let reason = match &m.requirements {
            Some(r) => format!("`{r}` and no other package manager's files"),
            None => {
                "no lockfile or other package manager's files: pip installs the project".to_string()
            }
        };
        Choice {
            pm: "pip",
            source,
            reason,
        }
    }
}

fn warn_unlocked(pm: &str, lockfile: Option<&str>, m: &Manifests, d: &mut Detection) {
    let lock = match pm {
        "uv" => "uv.lock (`uv lock`)",
        "poetry" => "poetry.lock (`poetry lock`)",
        "pipenv" => "Pipfile.lock (`pipenv lock`)",
        _ => "",
    };
    if pm != "pip" && lockfile.is_none() {
        d.warn(format!("no lockfile for `{pm}`: dependencies are resolved at build time, so builds are not reproducible (commit {lock})"));
    } else if pm == "pip" && m.requirements.is_none() {
        d.warn("no requirements file: pip resolves `pyproject.toml`'s dependencies at build time, so builds are not reproducible (commit a pinned `requirements.txt`, e.g. from `pip-compile`)");
    } else if pm == "pip" && !m.requirements_pinned {
        d.warn(format!("`{}` does not pin every dependency with `==`, so builds are not reproducible (pin them, e.g. with `pip-compile`)", m.requirements.as_deref().unwrap_or("requirements.txt")));
    }
    if pm == "pip" && m.local_requirement {
        d.warn("a requirements file installs from the project itself (`-e .` or a path), so dependencies are installed after the source is copied and that layer is rebuilt on every change");
    }
}

/// Poetry installs the root package only in package mode with its package present.
fn poetry_package(project: &Project, m: &Manifests) -> bool {
    if m.py(&["tool", "poetry", "package-mode"])
        .and_then(toml::Value::as_bool)
        == Some(false)
    {
        return false;
    }
    if m.py(&["tool", "poetry", "packages"]).is_some() {
        return true;
    }
    let name = m
        .py_str(&["project", "name"])
        .or(m.py_str(&["tool", "poetry", "name"]))
        .unwrap_or_default()
        .replace('-', "_");
    !name.is_empty()
        && (project.is_dir(&name)
            || project.is_dir(&format!("src/{name}"))
            || project.is_file(&format!("{name}.py")))
}

/// pip: the project's dev extras or dependency group, installed with the source.
fn pip_dev_project(m: &Manifests, installable: bool) -> Option<String> {
    let groups = m.py(&["dependency-groups"]).and_then(toml::Value::as_table);
    if let Some(g) = ["dev", "test"]
        .into_iter()
        .find(|g| groups.is_some_and(|t| t.contains_key(*g)))
    {
        return Some(format!("pip install --group {g}"));
    }
    let extras = m
        .py(&["project", "optional-dependencies"])
        .and_then(toml::Value::as_table);
    let found: Vec<&str> = ["dev", "test", "tests"]
        .into_iter()
        .filter(|e| extras.is_some_and(|t| t.contains_key(*e)))
        .collect();
    (installable && !found.is_empty()).then(|| format!("pip install \".[{}]\"", found.join(",")))
}
