//! A launcher the authors wrote: a command that starts the production server itself
//! (`uvicorn.Server(...)`, `socketio.run(app, ...)`), so wrapping the app object in
//! gunicorn or uvicorn would skip what it sets up (workers, sockets, restarts).

use regex::Regex;

use super::Manifests;
use crate::scan::Project;

/// Calls that run a production server from inside the program. Flask's `app.run()`
/// is its development server and does not count.
const SERVER_CALLS: &[&str] = &[
    "uvicorn.run(",
    "uvicorn.Server(",
    "socketio.run(",
    "waitress.serve(",
    "web.run_app(",
    "eventlet.wsgi.server(",
    "WSGIServer(",
];

/// A launcher: the command's words, the file that shows it, and why.
pub struct Launcher {
    pub command: Vec<String>,
    pub file: String,
    pub why: String,
}

/// The console script named after the project (installed by its build backend), or a
/// top-level script whose `__main__` block calls a package function, when the function
/// it runs starts the server itself.
pub fn find(project: &Project, m: &Manifests, port: u16) -> Option<Launcher> {
    console_script(project, m, port).or_else(|| root_script(project))
}

fn console_script(project: &Project, m: &Manifests, port: u16) -> Option<Launcher> {
    m.build_backend()?;
    let name = m.py(&["project", "name"])?.as_str()?;
    let scripts = m.py(&["project", "scripts"])?.as_table()?;
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '.'], "-");
    let (script, target) = scripts
        .iter()
        .find(|(k, _)| norm(k) == norm(name))
        .and_then(|(k, v)| Some((k.clone(), v.as_str()?)))?;
    let (module, func) = target.split_once(':')?;
    let (file, text) = module_text(project, module)?;
    let call = starts_server(&text, func.trim())?;
    let mut command = vec![script.clone()];
    // Its own options may default to loopback or another port: pass the image's.
    if text.contains("\"--host\"") {
        command.extend(["--host".to_string(), "0.0.0.0".to_string()]);
    }
    if text.contains("\"--port\"") {
        command.extend(["--port".to_string(), port.to_string()]);
    }
    Some(Launcher {
        command,
        why: format!(
            "console script `{script}` (named after the project) runs `{target}`, which starts the server itself (`{call}`)"
        ),
        file,
    })
}

fn root_script(project: &Project) -> Option<Launcher> {
    let guard =
        Regex::new(r#"(?m)^if __name__ == ['"]__main__['"]:\s*\n\s+(\w+)\.(\w+)\(\)"#).ok()?;
    let skip = ["setup.py", "manage.py", "conftest.py", "wsgi.py", "asgi.py"];
    project
        .files()
        .filter(|f| f.ends_with(".py") && !f.contains('/') && !skip.contains(f))
        .find_map(|f| {
            let text = project.read_budgeted(f)?;
            let c = guard.captures(&text)?;
            let (_, body) = module_text(project, &c[1])?;
            let call = starts_server(&body, &c[2])?;
            Some(Launcher {
                command: vec!["python".to_string(), f.to_string()],
                why: format!(
                    "`{f}` runs `{}.{}()`, which starts the server itself (`{call}`)",
                    &c[1], &c[2]
                ),
                file: f.to_string(),
            })
        })
}

/// The file and text of a dotted module, at the root or under `src/`.
fn module_text(project: &Project, module: &str) -> Option<(String, String)> {
    let path = module.trim().replace('.', "/");
    ["", "src/"].iter().find_map(|prefix| {
        [
            format!("{prefix}{path}.py"),
            format!("{prefix}{path}/__init__.py"),
        ]
        .into_iter()
        .find_map(|f| Some((f.clone(), project.read_budgeted(&f)?)))
    })
}

/// The server call in the body of top-level `def func`, if any.
fn starts_server(text: &str, func: &str) -> Option<&'static str> {
    let def = Regex::new(&format!(r"(?m)^(?:async )?def {}\(", regex::escape(func))).ok()?;
    let start = def.find(text)?.end();
    let end = Regex::new(r"(?m)^\S")
        .ok()?
        .find_iter(&text[start..])
        .map(|m| start + m.start())
        .find(|at| !text[*at..].starts_with(')'))
        .unwrap_or(text.len());
    let body = &text[start..end];
    SERVER_CALLS.iter().copied().find(|c| body.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_production_server_calls_in_the_function_count() {
        let text = "def main():\n    socketio.run(app, port=5000)\n\ndef dev():\n    app.run()\n";
        assert_eq!(starts_server(text, "main"), Some("socketio.run("));
        assert_eq!(starts_server(text, "dev"), None);
        let later = "def main():\n    pass\n\ndef other():\n    uvicorn.run(app)\n";
        assert_eq!(starts_server(later, "main"), None);
    }
}
