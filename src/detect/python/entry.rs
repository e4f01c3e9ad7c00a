//! What the image runs: the framework (Django, FastAPI, Flask) and its server, a
//! console script, `python -m <package>` or `python main.py`; plus the dev and test
//! commands and the port.

use regex::Regex;

use super::Manifests;
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
fn importable(file: &str) -> bool {
    let rest = file.strip_prefix("src/").unwrap_or(file);
    rest.trim_end_matches(".py").split('/').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    })
}

/// `src/app/main.py` → (`app.main`, Some(`src`)).
fn module_of(file: &str) -> (String, Option<&'static str>) {
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
fn pick(
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

fn set(
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

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn django(
    project: &Project,
    m: &Manifests,
    hints: &Layer,
    port: u16,
    d: &mut Detection,
) -> Result<Option<Entry>> {
    let mut manages: Vec<String> = project
        .files()
        .filter(|f| *f == "manage.py" || f.ends_with("/manage.py"))
        .filter(|f| f.matches('/').count() <= 2)
        .map(String::from)
        .collect();
    manages.sort_by_key(|f| (f.matches('/').count(), f.clone()));
    let Some(manage) = pick(manages, hints, "Django projects (`manage.py`)", d)? else {
        return Ok(None);
    };
    let dir = manage
        .strip_suffix("manage.py")
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let at = |rel: &str| {
        if dir.is_empty() {
            rel.to_string()
        } else {
            format!("{dir}/{rel}")
        }
    };
    let text = project.read(&manage)?.unwrap_or_default();
    // Dotted paths are bounded: a longer one is no module anyone wrote. (Checked after
    // the match: `[\w.]{1,200}` compiles 200 copies of Unicode `\w`, 0.7 s a call.)
    let settings = dotted(
        r#"DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']"#,
        &text,
    );
    let settings_text = settings
        .as_ref()
        .and_then(|s| {
            let path = s.replace('.', "/");
            project
                .read_hint(&at(&format!("{path}.py")))
                .or_else(|| project.read_hint(&at(&format!("{path}/__init__.py"))))
        })
        .unwrap_or_default();
    let package = settings
        .as_deref()
        .and_then(|s| s.split('.').next())
        .unwrap_or("config")
        .to_string();
    let wsgi = dotted(r#"WSGI_APPLICATION\s*=\s*["']([\w.]+)["']"#, &settings_text)
        .unwrap_or(format!("{package}.wsgi.application"));
    let asgi = dotted(r#"ASGI_APPLICATION\s*=\s*["']([\w.]+)["']"#, &settings_text)
        .unwrap_or(format!("{package}.asgi.application"));
    let target = |dotted: &str| {
        dotted
            .rsplit_once('.')
            .map(|(m, v)| format!("{m}:{v}"))
            .unwrap_or(dotted.to_string())
    };
    let asgi_file = at(&format!(
        "{}.py",
        asgi.rsplit_once('.')
            .map_or("", |(m, _)| m)
            .replace('.', "/")
    ));
    let bind = format!("0.0.0.0:{port}");
    let (cmd, server, missing) = if m.main.contains("uvicorn")
        && !m.main.contains("gunicorn")
        && project.is_file(&asgi_file)
    {
        let mut c = words(&["uvicorn", "--host", "0.0.0.0", "--port", &port.to_string()]);
        if !dir.is_empty() {
            c.extend(words(&["--app-dir", &dir]));
        }
        c.push(target(&asgi));
        (c, "uvicorn", None)
    } else {
        let mut c = words(&["gunicorn", "--bind", &bind]);
        if !dir.is_empty() {
            c.extend(words(&["--chdir", &dir]));
        }
        c.push(target(&wsgi));
        (
            c,
            "gunicorn",
            (!m.main.contains("gunicorn")).then_some("gunicorn"),
        )
    };
    let why = format!(
        "Django project `{manage}` (settings `{}`) served by {server}",
        settings.as_deref().unwrap_or("?")
    );
    set(d, "start-command", &cmd, &manage, why)?;
    if Regex::new(r"(?m)^STATIC_ROOT\s*=").is_ok_and(|re| re.is_match(&settings_text)) {
        let manage_py = in_dir(&dir, "manage.py");
        let mut cmd = format!("python {manage_py} collectstatic --noinput");
        let mut why =
            "`STATIC_ROOT` is set, so static files are collected at build time".to_string();
        // django-compressor with `COMPRESS_OFFLINE = True` serves only what `compress`
        // wrote at build time (into `STATIC_ROOT`); without it every page with a
        // `{% compress %}` tag fails with `OfflineGenerationError`.
        if m.has("django-compressor")
            && Regex::new(r"(?m)^COMPRESS_OFFLINE\s*=\s*True\b")
                .is_ok_and(|re| re.is_match(&settings_text))
        {
            cmd.push_str(&format!(" && python {manage_py} compress --force"));
            why.push_str("; `COMPRESS_OFFLINE = True` with django-compressor, so `compress` renders the compressed files too");
        }
        d.layer.build_command = Some(cmd);
        d.why("build-command", Some(&manage), why);
    }
    let dev = words(&["python", &manage, "runserver", &bind]);
    set(
        d,
        "dev-command",
        &dev,
        &manage,
        "Django's reloading development server".into(),
    )?;
    Ok(Some(Entry {
        framework: Some("django"),
        missing_server: missing,
        app_dir: Some(dir),
    }))
}

/// [`pick`] over found app instances, returning the chosen one whole.
fn pick_instance(
    found: Vec<(String, String, Option<&'static str>)>,
    hints: &Layer,
    what: &str,
    d: &mut Detection,
) -> Result<Option<(String, String, Option<&'static str>)>> {
    let names = found.iter().map(|f| f.0.clone()).collect();
    let Some(app) = pick(names, hints, what, d)? else {
        return Ok(None);
    };
    Ok(found.into_iter().find(|f| f.0 == app))
}

/// Files defining `<var> = <Ctor>(`, as `module:var` candidates with the app dir.
fn instances(
    project: &Project,
    sources: &[String],
    ctor: &str,
) -> Vec<(String, String, Option<&'static str>)> {
    let Ok(re) = Regex::new(&format!(
        r"(?m)^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:\w+\.)?{ctor}\("
    )) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for file in sources.iter().filter(|f| importable(f)) {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        if let Some(c) = re.captures(&text) {
            let (module, dir) = module_of(file);
            out.push((format!("{module}:{}", &c[1]), file.clone(), dir));
        }
    }
    out
}

/// Application factories when no module-level instance exists: a module-level
/// `app = get_application()` calling a factory defined beside it (a `module:app`
/// instance), else the factory itself (`module:create_app()`). A factory is a function
/// named `create_app` or `get_application` (the names Flask's and FastAPI's documentation
/// use), or one annotated to return the framework's class.
fn factories(
    project: &Project,
    sources: &[String],
    ctor: &str,
) -> Vec<(String, String, Option<&'static str>)> {
    let Ok(def) = Regex::new(&format!(
        r"(?m)^def (create_app|get_application|\w+\([^)]*\)\s*->\s*{ctor}\b)"
    )) else {
        return Vec::new();
    };
    let Ok(named) = Regex::new(r"(?m)^def (\w+)") else {
        return Vec::new();
    };
    let Ok(call) = Regex::new(r"(?m)^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(\w+)\(\)\s*$") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for file in sources.iter().filter(|f| importable(f)) {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        let Some(c) = def.captures(&text) else {
            continue;
        };
        let Some(factory) = named
            .captures(&text[c.get(0).map_or(0, |m| m.start())..])
            .map(|n| n[1].to_string())
        else {
            continue;
        };
        let (module, dir) = module_of(file);
        let instance = call
            .captures_iter(&text)
            .find(|c| c[2] == factory)
            .map(|c| c[1].to_string());
        if let Some(var) = instance {
            out.push((format!("{module}:{var}"), file.clone(), dir));
        } else if let Some(found) = called_elsewhere(project, sources, file, &factory) {
            out.push(found);
        } else {
            out.push((format!("{module}:{factory}()"), file.clone(), dir));
        }
    }
    out
}

/// `module:var` of the `wsgi.py` or `asgi.py` (the module the server conventions name)
/// that imports `factory` and calls it at module level (`app = create_app()`): the
/// instance the authors serve. Other modules doing so (a worker's entry) do not count.
fn called_elsewhere(
    project: &Project,
    sources: &[String],
    def_file: &str,
    factory: &str,
) -> Option<(String, String, Option<&'static str>)> {
    let f = regex::escape(factory);
    let call = Regex::new(&format!(r"(?m)^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*{f}\(\)\s*$")).ok()?;
    let import = Regex::new(&format!(
        r"(?m)^\s*(?:from\s+[\w.]+\s+)?import\s[^\n]*\b{f}\b"
    ))
    .ok()?;
    let served = |f: &str| matches!(f.rsplit('/').next(), Some("wsgi.py" | "asgi.py"));
    let found: Vec<(String, String, Option<&'static str>)> = sources
        .iter()
        .filter(|file| file.as_str() != def_file && served(file) && importable(file))
        .filter_map(|file| {
            let text = project.read_budgeted(file)?;
            let var = call.captures(&text)?[1].to_string();
            let (module, dir) = module_of(file);
            import
                .is_match(&text)
                .then(|| (format!("{module}:{var}"), file.clone(), dir))
        })
        .collect();
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Names of the app's own port variable besides `PORT` (`API_PORT`, `MYAPP_HTTP_PORT`).
const APP_PORTS: &[&str] = &[
    "HTTP_PORT",
    "SERVER_PORT",
    "APP_PORT",
    "API_PORT",
    "WEB_PORT",
    "LISTEN_PORT",
];

/// The port the project declares for production: its own Dockerfile's single numeric
/// `EXPOSE` (the authors' image), else an env default or a settings-class default in the
/// code (`os.environ.get("PORT", 5000)`, `API_PORT: int = 9000`).
fn declared_port(project: &Project, sources: &[String]) -> Option<(u16, String, String)> {
    let expose = Regex::new(r"(?mi)^\s*EXPOSE\s+([0-9]{2,5})(?:/tcp)?\s*$").ok()?;
    for file in ["Dockerfile", "docker/Dockerfile"] {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        let ports: Vec<(u16, usize)> = expose
            .captures_iter(&text)
            .filter_map(|c| Some((c[1].parse::<u16>().ok()?, c.get(0)?.start())))
            .collect();
        let distinct = ports.iter().all(|p| p.0 == ports[0].0);
        if let (Some((p, at)), true) = (ports.first(), distinct)
            && *p >= 80
        {
            let line = text[..*at].matches('\n').count() + 1;
            return Some((
                *p,
                file.to_string(),
                format!("the project's own image: `EXPOSE {p}` (line {line})"),
            ));
        }
    }
    let env = Regex::new(
        r#"(?:environ\.get|getenv)\(\s*["']([A-Z0-9_]*PORT)["']\s*,\s*["']?([0-9]{2,5})\b"#,
    )
    .ok()?;
    let setting =
        Regex::new(r"(?m)^\s+([A-Z0-9_]*PORT|port)\s*:\s*int\s*=\s*([0-9]{2,5})\b").ok()?;
    // Settings files also hold database and broker ports: only the app's own names count.
    let good = |v: &str| {
        let v = v.to_ascii_uppercase();
        v == "PORT" || APP_PORTS.iter().any(|s| v.ends_with(s))
    };
    for file in sources {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        if !text.to_ascii_uppercase().contains("PORT") {
            continue;
        }
        for re in [&env, &setting] {
            if let Some(c) = re.captures_iter(&text).find(|c| good(&c[1]))
                && let Some(p) = c[2].parse::<u16>().ok().filter(|p| *p >= 80)
            {
                let at = c.get(0).map_or(0, |m| m.start());
                let line = text[..at].matches('\n').count() + 1;
                return Some((
                    p,
                    file.clone(),
                    format!("line {line}: `{}`", validate::shown(c[0].trim())),
                ));
            }
        }
    }
    None
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

/// A default bind address on loopback in the code (`"localhost:5232"`, not a URL): the
/// program serves HTTP on that port, but only inside the container until it is told to
/// bind all interfaces, which dockform cannot do for it: a warning names the place.
fn loopback_default(project: &Project, sources: &[String], d: &mut Detection) {
    let Ok(re) = Regex::new(r#"["'](?:localhost|127\.0\.0\.1):([0-9]{2,5})["',\s]"#) else {
        return;
    };
    for file in sources {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        let Some(c) = re.captures(&text) else {
            continue;
        };
        let Some(p) = c[1].parse::<u16>().ok().filter(|p| *p >= 80) else {
            continue;
        };
        let at = c.get(0).map_or(0, |m| m.start());
        let line = text[..at].matches('\n').count() + 1;
        let bind = validate::shown(c[0].trim_matches(|ch: char| "\"', ".contains(ch)));
        d.layer.port = Some(p);
        d.why(
            "port",
            Some(file),
            format!("line {line}: default bind address `{bind}`"),
        );
        d.warn(format!(
            "`{file}` line {line}: the default bind address `{bind}` is loopback, so the server is unreachable from outside the container; configure it to listen on `0.0.0.0:{p}` (a host option or config file) and adjust `--start-command`"
        ));
        return;
    }
}

/// The port a plain program listens on, or 0 (no HTTP) when the code shows none.
fn port(project: &Project, sources: &[String], d: &mut Detection) {
    let patterns = [
        r#"["']PORT["']\s*,\s*["']?(\d{2,5})"#,
        r"\bport\s*=\s*(\d{2,5})\b",
        r#"\(\s*["'][\d.]*["']\s*,\s*(\d{2,5})\s*\)"#,
    ];
    let res: Vec<Regex> = patterns.iter().filter_map(|p| Regex::new(p).ok()).collect();
    for file in sources {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        for re in &res {
            if let Some(p) = re
                .captures(&text)
                .and_then(|c| c[1].parse::<u16>().ok())
                .filter(|p| *p >= 80)
            {
                d.layer.port = Some(p);
                d.why(
                    "port",
                    Some(file),
                    format!(
                        "`{}`",
                        validate::shown(
                            &re.captures(&text)
                                .map(|c| c[0].to_string())
                                .unwrap_or_default()
                        )
                    ),
                );
                return;
            }
        }
    }
    d.layer.port = Some(0);
    d.why(
        "port",
        None,
        "no web framework and no port in the code: the app serves no HTTP",
    );
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
fn in_dir(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{}/{file}", shell_words::quote(dir))
    }
}

/// [`capture`] of a dotted Python path, if it is at most 200 characters.
fn dotted(pattern: &str, text: &str) -> Option<String> {
    capture(pattern, text).filter(|s| s.len() <= 200)
}

fn capture(pattern: &str, text: &str) -> Option<String> {
    Regex::new(pattern)
        .ok()?
        .captures(text)
        .map(|c| c[1].to_string())
}
