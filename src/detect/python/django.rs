//! Django: the project directory holding `manage.py`, its settings and WSGI/ASGI
//! application, and the server that runs it.

use regex::Regex;

use super::Manifests;
use super::entry::{Entry, dotted, in_dir, pick, set, words};
use crate::detect::Detection;
use crate::error::Result;
use crate::layer::Layer;
use crate::scan::Project;

/// A Django project: the nearest `manage.py` (a question when several), its settings
/// module and application, served by gunicorn (uvicorn when only it is declared and the
/// ASGI module exists); `collectstatic` at build time when `STATIC_ROOT` is set.
pub(super) fn django(
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
