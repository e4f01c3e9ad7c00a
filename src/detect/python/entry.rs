//! What the image runs: the framework (Django, FastAPI, Flask) and its server, a
//! console script, `python -m <package>` or `python main.py`; plus the dev and test
//! commands. Django is in `django`, the app objects in `apps`, the port in `port`.

use regex::Regex;

use super::Manifests;
use super::apps::{factories, instances, pick_instance};
use super::django::django;
use super::port::{declared_port, loopback_default, port};
use crate::detect::{Detection, Question};
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::scan::Project;
use crate::validate;

/// Files tried when nothing else names the entry point.
const MAIN_FILES: &[&str] = &["main.py", "app.py", "server.py", "run.py"];

/// What the start command needs from the environment.
pub struct Entry {
    /// `django`, `fastapi`, `flask` or None.
    pub framework: Option<&'static str>,
    /// A server (`gunicorn`, `uvicorn`) the command runs but the project does not declare.
    pub missing_server: Option<&'static str>,
    /// The directory holding `manage.py`, for Django.
    pub app_dir: Option<String>,
}

/// Sets `start-command`, `dev-command`, `test-command` and `port`. Returns None when a
/// question was asked instead.
pub fn detect(
    project: &Project,
    m: &Manifests,
    hints: &Layer,
    default_port: u16,
    d: &mut Detection,
) -> Result<Option<Entry>> {
    let sources = sources(project);
    let evidence = if hints.port.is_some() {
        None
    } else {
        declared_port(project, &sources)
    };
    let port = hints
        .port
        .filter(|p| *p != 0)
        .or(evidence.as_ref().map(|e| e.0))
        .unwrap_or(default_port);
    let entry = if m.has("django")
        && let Some(found) = django(project, m, hints, port, d)?
    {
        found
    } else if m.has("fastapi")
        && let Some(found) = asgi(project, m, &sources, hints, port, d)?
    {
        found
    } else if m.has("flask")
        && let Some(found) = flask(project, m, &sources, hints, port, d)?
    {
        found
    } else {
        if !d.questions.is_empty() {
            return Ok(None);
        }
        plain(project, m, &sources, hints, d)?;
        Entry {
            framework: None,
            missing_server: None,
            app_dir: None,
        }
    };
    if !d.questions.is_empty() {
        return Ok(None);
    }
    let mut entry = entry;
    if matches!(entry.framework, Some("fastapi" | "flask"))
        && let Some(l) = super::launcher::find(project, m, port)
    {
        set(d, "start-command", &l.command, &l.file, l.why)?;
        entry.missing_server = None;
    }
    if let (Some(_), Some((p, file, why))) = (entry.framework, &evidence) {
        d.layer.port = Some(*p);
        d.why("port", Some(file), why.clone());
    }
    test(project, m, &entry, d);
    Ok(Some(entry))
}

/// Python sources worth reading for an app object, shallow and outside tests.
fn sources(project: &Project) -> Vec<String> {
    project
        .files()
        .filter(|f| f.ends_with(".py") && f.matches('/').count() <= 3)
        .filter(|f| {
            !f.split('/').any(|p| {
                p.starts_with("test") || p == "migrations" || p == "conftest.py" || p == "docs"
            })
        })
        .take(400)
        .map(String::from)
        .collect()
}

/// Whether `file` can be imported as a module: each part of its path (after `src/`)
/// is a Python identifier. Others cannot be named by gunicorn, uvicorn or `python -m`.
pub(super) fn importable(file: &str) -> bool {
    let rest = file.strip_prefix("src/").unwrap_or(file);
    rest.trim_end_matches(".py").split('/').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    })
}

/// `src/app/main.py` → (`app.main`, Some(`src`)).
pub(super) fn module_of(file: &str) -> (String, Option<&'static str>) {
    let (rest, dir) = match file.strip_prefix("src/") {
        Some(r) => (r, Some("src")),
        None => (file, None),
    };
    let module = rest
        .trim_end_matches(".py")
        .trim_end_matches("/__init__")
        .replace('/', ".");
    (module, dir)
}

/// One of several candidates: the user's `--app`, the only one, or a question.
pub(super) fn pick(
    candidates: Vec<String>,
    hints: &Layer,
    what: &str,
    d: &mut Detection,
) -> Result<Option<String>> {
    if let Some(app) = &hints.app {
        return if candidates.contains(app) {
            Ok(Some(app.clone()))
        } else {
            Err(Error::invalid(
                "`--app`",
                format!(
                    "`{}` is not one of the {what} found: {}",
                    validate::shown(app),
                    candidates.join(", ")
                ),
            ))
        };
    }
    match candidates.len() {
        0 => Ok(None),
        1 => Ok(candidates.into_iter().next()),
        _ => {
            d.questions.push(Question {
                prompt: format!("Which {what} should the image run?"),
                detail: format!("the project has several {what}"),
                candidates,
                flag: "--app".into(),
            });
            Ok(None)
        }
    }
}

pub(super) fn set(
    d: &mut Detection,
    field: &str,
    words: &[String],
    source: &str,
    reason: String,
) -> Result<()> {
    for w in words {
        // The words come from file and directory names: a refusal names the file.
        validate::line(field, w).map_err(|e| match e {
            Error::InvalidValue { message, .. } => Error::bad_input(
                validate::shown(source),
                format!(
                    "would give the {} a word that {message}",
                    field.replace('-', " ")
                ),
            ),
            e => e,
        })?;
    }
    let joined = shell_words::join(words);
    match field {
        "start-command" => d.layer.start_command = Some(joined),
        _ => d.layer.dev_command = Some(joined),
    }
    d.why(field, Some(source), reason);
    Ok(())
}

pub(super) fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn asgi(
    project: &Project,
    m: &Manifests,
    sources: &[String],
    hints: &Layer,
    port: u16,
    d: &mut Detection,
) -> Result<Option<Entry>> {
    let mut found = instances(project, sources, "FastAPI");
    if found.is_empty() {
        found = factories(project, sources, "FastAPI");
    }
    let Some((app, file, dir)) = pick_instance(found, hints, "FastAPI apps", d)? else {
        return Ok(None);
    };
    let mut base = words(&["uvicorn", "--host", "0.0.0.0", "--port", &port.to_string()]);
    // A factory (`module:create_app()`) is called by uvicorn itself.
    let app = match app.strip_suffix("()") {
        Some(f) => {
            base.push("--factory".into());
            f.to_string()
        }
        None => app,
    };
    if let Some(dir) = dir {
        base.extend(words(&["--app-dir", dir]));
    }
    let start = [base.clone(), vec![app.clone()]].concat();
    set(
        d,
        "start-command",
        &start,
        &file,
        format!("`{app}` is the `FastAPI()` app, served by uvicorn"),
    )?;
    let dev = [base, words(&["--reload", &app])].concat();
    set(
        d,
        "dev-command",
        &dev,
        &file,
        "uvicorn reloads on change".into(),
    )?;
    let missing = (!m.main.contains("uvicorn")).then_some("uvicorn");
    Ok(Some(Entry {
        framework: Some("fastapi"),
        missing_server: missing,
        app_dir: None,
    }))
}

fn flask(
    project: &Project,
    m: &Manifests,
    sources: &[String],
    hints: &Layer,
    port: u16,
    d: &mut Detection,
) -> Result<Option<Entry>> {
    let mut found = instances(project, sources, "Flask");
    if found.is_empty() {
        found = factories(project, sources, "Flask");
    }
    let Some((app, file, dir)) = pick_instance(found, hints, "Flask apps", d)? else {
        return Ok(None);
    };
    let mut start = words(&["gunicorn", "--bind", &format!("0.0.0.0:{port}")]);
    if let Some(dir) = dir {
        start.extend(words(&["--chdir", dir]));
    }
    start.push(app.clone());
    set(
        d,
        "start-command",
        &start,
        &file,
        format!("`{app}` is the Flask app, served by gunicorn"),
    )?;
    let mut dev = words(&[
        "flask",
        "--app",
        &app,
        "run",
        "--debug",
        "--host",
        "0.0.0.0",
        "--port",
        &port.to_string(),
    ]);
    if let Some(dir) = dir {
        dev.splice(0..0, words(&["env", &format!("PYTHONPATH={dir}")]));
    }
    set(
        d,
        "dev-command",
        &dev,
        &file,
        "Flask's reloading development server".into(),
    )?;
    let missing = (!m.main.contains("gunicorn")).then_some("gunicorn");
    Ok(Some(Entry {
        framework: Some("flask"),
        missing_server: missing,
        app_dir: None,
    }))
}

/// Console script, `python -m <package>`, or a main file; the port from the code.
fn plain(
    project: &Project,
    m: &Manifests,
    sources: &[String],
    hints: &Layer,
    d: &mut Detection,
) -> Result<()> {
    let scripts = m
        .py(&["project", "scripts"])
        .or(m.py(&["tool", "poetry", "scripts"]))
        .and_then(toml::Value::as_table);
    let names: Vec<String> = scripts
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    let mains: Vec<String> = sources
        .iter()
        .filter(|f| {
            f.ends_with("/__main__.py")
                && f.trim_start_matches("src/").matches('/').count() == 1
                && importable(f)
        })
        .cloned()
        .collect();
    if !names.is_empty() && m.build_backend().is_some() {
        let Some(name) = pick(names, hints, "console scripts (`[project.scripts]`)", d)? else {
            return Ok(());
        };
        set(
            d,
            "start-command",
            std::slice::from_ref(&name),
            "pyproject.toml",
            format!("console script `{name}` from `[project.scripts]`"),
        )?;
    } else if let Some(file) = mains.first() {
        let (module, _) = module_of(file.trim_end_matches("/__main__.py"));
        set(
            d,
            "start-command",
            &words(&["python", "-m", &module]),
            file,
            format!("package `{module}` has a `__main__.py`"),
        )?;
    } else if let Some(file) = MAIN_FILES.iter().find(|f| project.is_file(f)) {
        set(
            d,
            "start-command",
            &words(&["python", file]),
            file,
            format!("entry file `{file}`"),
        )?;
    } else {
        d.warn("could not find what to run (no framework app, console script, `__main__.py` or `main.py`); pass `--start-command \"python path/to/app.py\"`");
        return Ok(());
    }
    port(project, sources, d);
    if d.layer.port == Some(0)
        && let Some((p, file, why)) = declared_port(project, sources)
    {
        d.layer.port = Some(p);
        d.why("port", Some(&file), why);
    }
    if d.layer.port == Some(0) {
        loopback_default(project, sources, d);
    }
    Ok(())
}

/// pytest when configured or declared, Django's runner, else unittest discovery.
fn test(project: &Project, m: &Manifests, entry: &Entry, d: &mut Detection) {
    let configured = m.py(&["tool", "pytest"]).is_some()
        || project.is_file("pytest.ini")
        || project.is_file("conftest.py")
        || project
            .read_hint("setup.cfg")
            .is_some_and(|t| t.contains("[tool:pytest]"))
        || project
            .read_hint("tox.ini")
            .is_some_and(|t| t.contains("[pytest]"));
    let (cmd, source, why) = if m.has("pytest") || configured {
        let why = if m.has("pytest") {
            "`pytest` is a dependency"
        } else {
            "pytest is configured"
        };
        ("python -m pytest".to_string(), None, why.to_string())
    } else if let (Some("django"), Some(dir)) = (entry.framework, &entry.app_dir) {
        // A directory label makes Django discover tests with that directory as the top level.
        let cmd = if dir.is_empty() {
            "python manage.py test".to_string()
        } else {
            format!(
                "python {} test {}",
                in_dir(dir, "manage.py"),
                shell_words::quote(dir)
            )
        };
        (
            cmd,
            None,
            format!(
                "Django's test runner (`{}manage.py`)",
                if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                }
            ),
        )
    } else if project.files().any(|f| {
        f.rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with("test") && n.ends_with(".py"))
    }) {
        (
            "python -m unittest".to_string(),
            None,
            "test files and no pytest: unittest discovery".to_string(),
        )
    } else {
        d.warn("no tests found (no pytest, no `test*.py`); the `test` stage will fail until a test command is set (`--test-command`)");
        return;
    };
    d.layer.test_command = Some(cmd);
    d.why("test-command", source, why);
}

/// `dir/file` for a shell-form `RUN`, the directory quoted (it is a project's name).
pub(super) fn in_dir(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{}/{file}", shell_words::quote(dir))
    }
}

/// [`capture`] of a dotted Python path, if it is at most 200 characters.
pub(super) fn dotted(pattern: &str, text: &str) -> Option<String> {
    capture(pattern, text).filter(|s| s.len() <= 200)
}

fn capture(pattern: &str, text: &str) -> Option<String> {
    Regex::new(pattern)
        .ok()?
        .captures(text)
        .map(|c| c[1].to_string())
}
