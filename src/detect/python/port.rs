//! The port a Python server or program listens on: the project's own `EXPOSE`, an
//! environment or settings default in the code, or a loopback bind address (warned).

use regex::Regex;

use crate::detect::Detection;
use crate::scan::Project;
use crate::validate;

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
pub(super) fn declared_port(
    project: &Project,
    sources: &[String],
) -> Option<(u16, String, String)> {
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

/// A default bind address on loopback in the code (`"localhost:5232"`, not a URL): the
/// program serves HTTP on that port, but only inside the container until it is told to
/// bind all interfaces, which dockform cannot do for it: a warning names the place.
pub(super) fn loopback_default(project: &Project, sources: &[String], d: &mut Detection) {
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
pub(super) fn port(project: &Project, sources: &[String], d: &mut Detection) {
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
