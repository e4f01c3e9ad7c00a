//! What the final image copies from the build stage: an explicit list of the paths the
//! start command runs (the modules and packages it imports, the templates, static
//! files, translations, migrations and config files they read), not the project tree
//! with its tests, lockfiles and tooling. When that cannot be known (a start command
//! given by the user, a `STATIC_ROOT` dockform cannot read), the tree is copied and
//! `detect` says why.

use regex::Regex;

use super::Manifests;
use super::entry::Entry;
use crate::detect::Detection;
use crate::layer::Layer;
use crate::scan::Project;

/// Directories the app reads at run time although they hold no Python code.
const ASSET_DIRS: &[&str] = &[
    "templates",
    "static",
    "locale",
    "translations",
    "migrations",
    "alembic",
];

/// Directories with Python code that no production process imports.
const DEV_DIRS: &[&str] = &[
    "tests",
    "test",
    "testing",
    "docs",
    "doc",
    "examples",
    "example",
    "scripts",
    "script",
    "tools",
    "bin",
    "benchmarks",
    "bench",
    "dev",
    "docker",
    "deploy",
    "deployment",
    "infra",
    "contrib",
    "ci",
    "build",
    "dist",
    "venv",
    "node_modules",
];

/// Top-level Python files that are tooling, not the app.
const DEV_FILES: &[&str] = &[
    "setup.py",
    "conftest.py",
    "noxfile.py",
    "fabfile.py",
    "tasks.py",
    "dodo.py",
    "tests.py",
];

/// `.ini` files of development tools (others, `alembic.ini`, `uwsgi.ini`, are runtime config).
const DEV_INI: &[&str] = &["pytest.ini", "tox.ini", "mypy.ini"];

/// Sets the fact `runtime_paths`: the list of paths (relative to the app directory)
/// the final stage copies, or null for the whole tree.
pub fn detect(project: &Project, m: &Manifests, hints: &Layer, entry: &Entry, d: &mut Detection) {
    let (value, why) = match paths(project, m, hints, entry, d) {
        Ok((list, why)) => (serde_json::json!(list), why),
        Err(why) => (serde_json::Value::Null, why),
    };
    d.fact("runtime_paths", value, None, why);
}

/// The list and the reason, or the reason the tree is copied.
fn paths(
    project: &Project,
    m: &Manifests,
    hints: &Layer,
    entry: &Entry,
    d: &Detection,
) -> Result<(Vec<String>, String), String> {
    if hints.start_command.is_some() {
        return Err("the start command was given, so dockform cannot tell which files it reads: the final stage copies the project tree (less `.dockerignore`)".into());
    }
    if project.walk_cut_short() {
        return Err(crate::detect::WALK_CUT.into());
    }
    let Some(start) = d.layer.start_command.as_deref() else {
        return Err("no start command was found: the final stage copies the project tree (less `.dockerignore`)".into());
    };
    let dir = entry.app_dir.clone().unwrap_or_default();
    let mut list = Vec::new();
    let installed = runs_installed(project, m, start, d);
    let mut names = top_level(project, &dir);
    // A script the start command runs by path (`python bin/serve.py`) is copied even
    // from a directory that is not a package.
    let script_dir = shell_words::split(start).ok().and_then(|words| {
        words.iter().find_map(|w| {
            let rel = w.strip_prefix("./").unwrap_or(w);
            let rel = if dir.is_empty() {
                rel
            } else {
                rel.strip_prefix(&format!("{dir}/")).unwrap_or(rel)
            };
            (rel.ends_with(".py") && project.is_file(&join(&dir, rel)))
                .then(|| rel.split('/').next().unwrap_or(rel).to_string())
        })
    });
    if let Some(top) =
        script_dir.filter(|t| crate::validate::copyable_name(t) && !names.contains(t))
    {
        names.push(top);
    }
    for name in names {
        let is_code = !ASSET_DIRS.contains(&name.as_str());
        if !(installed && is_code) {
            list.push(join(&dir, &name));
        }
    }
    let mut why = if installed {
        format!(
            "`{start}` runs the project installed in the virtualenv, so its source is not copied again"
        )
    } else {
        format!("`{start}` imports the app's modules from the working directory")
    };
    if let Some(collected) = static_root(project, &dir, d)? {
        // The collected copy is what is served; the sources it was collected from are not.
        let sources = join(&dir, "static");
        list.retain(|p| *p != sources && *p != collected);
        list.push(collected);
        why.push_str("; `collectstatic`'s output replaces the static sources");
    }
    list.sort();
    let shown = if list.is_empty() {
        "nothing from the source".to_string()
    } else {
        list.iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok((
        list,
        format!("{why}: the final stage copies {shown} (tests, manifests and tooling stay out)"),
    ))
}

/// Whether the start command runs the project from the virtualenv: a console script,
/// or `python -m <package>` of a `src/` package, with the project installed
/// (non-editable) by the build stage.
fn runs_installed(project: &Project, m: &Manifests, start: &str, d: &Detection) -> bool {
    let installs = d
        .extra
        .get("project_command")
        .is_some_and(|f| !f.value.is_null());
    if !installs || m.build_backend().is_none() && !project.is_file("setup.py") {
        return false;
    }
    let words = shell_words::split(start).unwrap_or_default();
    let scripts = m
        .py(&["project", "scripts"])
        .or(m.py(&["tool", "poetry", "scripts"]))
        .and_then(toml::Value::as_table);
    match words.as_slice() {
        [one] => scripts.is_some_and(|t| t.contains_key(one)),
        [py, dash_m, module] if py == "python" && dash_m == "-m" => {
            let top = module.split('.').next().unwrap_or_default();
            project.is_dir(&format!("src/{top}"))
        }
        _ => false,
    }
}

/// The entries of `dir` the app needs: Python modules and packages (not tests or
/// tooling), asset directories and runtime `.ini` files, by name.
fn top_level(project: &Project, dir: &str) -> Vec<String> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut out: Vec<String> = Vec::new();
    for file in project.files() {
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let (name, inner) = match rest.split_once('/') {
            Some((n, r)) => (n, Some(r)),
            None => (rest, None),
        };
        if !crate::validate::copyable_name(name) || out.iter().any(|o| o == name) {
            continue;
        }
        let keep = match inner {
            None => runtime_file(name),
            Some(r) => {
                ASSET_DIRS.contains(&name)
                    || (importable(name)
                        && !DEV_DIRS.contains(&name)
                        && !name.starts_with('.')
                        && r.ends_with(".py")
                        && r.matches('/').count() <= 1)
            }
        };
        if keep {
            out.push(name.to_string());
        }
    }
    out
}

/// A file directly in the app directory that the app loads: an importable module that
/// is not tooling or a test, or a runtime `.ini` (`alembic.ini`, `uwsgi.ini`).
fn runtime_file(name: &str) -> bool {
    if let Some(stem) = name.strip_suffix(".py") {
        let test = stem.starts_with("test_") || stem.ends_with("_test");
        return !DEV_FILES.contains(&name) && !test && importable(stem);
    }
    name.ends_with(".ini") && !DEV_INI.contains(&name)
}

/// A name Python can import: a letter or `_`, then letters, digits or `_`.
fn importable(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Where Django's `collectstatic` (run at build time) writes: `STATIC_ROOT`, relative to
/// the directory holding `manage.py` (`BASE_DIR` in Django's project template). `Ok(None)`
/// when nothing is collected; `Err` when the directory cannot be read from the settings.
fn static_root(project: &Project, dir: &str, d: &Detection) -> Result<Option<String>, String> {
    let collects = d
        .layer
        .build_command
        .as_deref()
        .is_some_and(|c| c.contains("collectstatic"));
    if !collects {
        return Ok(None);
    }
    let unreadable = || {
        "`STATIC_ROOT` is not the same path under `BASE_DIR` in every settings file, so the final stage copies the project tree (less `.dockerignore`) to include what `collectstatic` writes".to_string()
    };
    let lines = settings_lines(project, dir);
    let found: Vec<Option<String>> = lines.iter().map(|l| base_dir_path(l)).collect();
    match found.first() {
        Some(Some(first)) if found.iter().all(|f| f.as_ref() == Some(first)) => {
            Ok(Some(join(dir, first)))
        }
        _ => Err(unreadable()),
    }
}

/// `BASE_DIR / "static" / "collected"` or `os.path.join(BASE_DIR, "staticfiles")` →
/// the relative path; None for anything else (another base, an absolute path).
fn base_dir_path(line: &str) -> Option<String> {
    if !line.contains("BASE_DIR") {
        return None;
    }
    let lit = Regex::new(r#"["']([^"']*)["']"#).ok()?;
    let parts: Vec<&str> = lit
        .captures_iter(line)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    let rel = parts.join("/");
    let ok = !parts.is_empty()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|p| crate::validate::copyable_name(p) && !p.starts_with(".."));
    ok.then_some(rel)
}

/// The right-hand sides of every `STATIC_ROOT = ...` line in the settings files under `dir`.
fn settings_lines(project: &Project, dir: &str) -> Vec<String> {
    let Ok(re) = Regex::new(r"(?m)^STATIC_ROOT\s*=(.*)$") else {
        return Vec::new();
    };
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    project
        .files()
        .filter(|f| f.starts_with(&prefix) && f.ends_with(".py") && f.contains("settings"))
        .filter_map(|f| project.read_hint(f))
        .flat_map(|text| {
            re.captures_iter(&text)
                .map(|c| c[1].trim().to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::detect::Detection;
    use crate::layer::Layer;
    use crate::preset::Presets;
    use crate::scan::Project;

    fn detect_with(files: &[(&str, &str)], hints: &Layer) -> Detection {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let p = Project::scan(dir.path()).unwrap();
        super::super::detect(&p, &Presets::for_tests(), hints)
            .unwrap()
            .expect("a Python project")
    }

    fn paths(files: &[(&str, &str)]) -> serde_json::Value {
        let d = detect_with(files, &Layer::default());
        d.extra["runtime_paths"].value.clone()
    }

    const FLASK: &str = "from flask import Flask\napp = Flask(__name__)\n";
    const MANAGE: &str =
        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site_cfg.settings\")\n";

    #[test]
    fn the_final_stage_copies_the_app_modules_and_assets_but_not_tests_or_tooling() {
        let v = paths(&[
            ("requirements.txt", "flask==3.1.3\ngunicorn==23.0.0\n"),
            ("app.py", FLASK),
            ("config.py", "DEBUG = False\n"),
            ("conftest.py", ""),
            ("setup.py", ""),
            ("test_app.py", ""),
            ("tests/test_more.py", ""),
            ("scripts/seed.py", ""),
            ("docs/conf.py", ""),
            ("templates/index.html", "<p>hi</p>\n"),
            ("migrations/env.py", ""),
            ("alembic.ini", "[alembic]\n"),
            ("pytest.ini", "[pytest]\n"),
            ("dockform.toml", "port = 8000\n"),
            ("notes/readme.txt", "no code here\n"),
            // Not importable, so no package the app imports: names with a dash.
            ("-rf/app.py", ""),
            ("my-tool.py", ""),
        ]);
        assert_eq!(
            v,
            serde_json::json!([
                "alembic.ini",
                "app.py",
                "config.py",
                "migrations",
                "templates"
            ])
        );
    }

    #[test]
    fn django_collected_static_under_base_dir_is_copied() {
        let settings = "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nWSGI_APPLICATION = \"site_cfg.wsgi.application\"\nSTATIC_ROOT = BASE_DIR / \"collected\"\n";
        let v = paths(&[
            ("requirements.txt", "Django==5.2.19\ngunicorn==23.0.0\n"),
            ("manage.py", MANAGE),
            ("site_cfg/__init__.py", ""),
            ("site_cfg/settings.py", settings),
            ("site_cfg/wsgi.py", ""),
            ("static/site.css", "p{}\n"),
        ]);
        assert_eq!(v, serde_json::json!(["collected", "manage.py", "site_cfg"]));
    }

    #[test]
    fn a_static_root_outside_base_dir_copies_the_tree_and_says_why() {
        let settings = "DATA_DIR = '/srv'\nSTATIC_ROOT = DATA_DIR + \"/static\"\n";
        let d = detect_with(
            &[
                ("requirements.txt", "Django==5.2.19\ngunicorn==23.0.0\n"),
                ("manage.py", MANAGE),
                ("site_cfg/__init__.py", ""),
                ("site_cfg/settings.py", settings),
            ],
            &Layer::default(),
        );
        let f = &d.extra["runtime_paths"];
        assert!(f.value.is_null());
        assert!(
            f.evidence.reason.contains("STATIC_ROOT"),
            "{}",
            f.evidence.reason
        );
    }

    #[test]
    fn a_console_script_of_the_installed_project_copies_no_source() {
        let v = paths(&[
            (
                "pyproject.toml",
                "[project]\nname = \"hello\"\nversion = \"1\"\n[project.scripts]\nhello = \"hello:main\"\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
            ),
            ("uv.lock", "version = 1\n"),
            ("src/hello/__init__.py", "def main():\n    pass\n"),
        ]);
        assert_eq!(v, serde_json::json!([]));
    }

    #[test]
    fn a_start_command_from_the_user_copies_the_tree() {
        let hints = Layer {
            start_command: Some("python serve.py".into()),
            ..Layer::default()
        };
        let d = detect_with(
            &[("requirements.txt", "flask==3.1.3\n"), ("app.py", FLASK)],
            &hints,
        );
        assert!(d.extra["runtime_paths"].value.is_null());
    }
}
