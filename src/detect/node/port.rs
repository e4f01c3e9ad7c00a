//! The port a Node server listens on: `next start -p N`, then the code on the path that
//! starts the server, then the rest of the code and `.env.example`.

use regex::Regex;

use super::Package;
use super::entry::{START_SCRIPTS, last_step};
use crate::detect::Detection;
use crate::scan::Project;
use crate::validate;

/// Port variables that belong to another service or a development tool, not the server.
const OTHER_PORTS: &[&str] = &[
    "DB",
    "DATABASE",
    "REDIS",
    "SMTP",
    "MAIL",
    "POSTGRES",
    "PG",
    "MYSQL",
    "MONGO",
    "AMQP",
    "RABBIT",
    "ELASTIC",
    "S3",
    "MINIO",
    "LDAP",
    "CLICKHOUSE",
    "MEILI",
    "DEBUG",
    "INSPECT",
    "VITE",
    "HMR",
    "LIVERELOAD",
    "PROXY",
    "IMAP",
    "SSH",
    "FTP",
    "GRPC",
    "METRICS",
];
/// Path parts of code that does not start the server: tests, e2e, stories, fixtures.
const NOT_SERVER: &[&str] = &[
    "test",
    "spec",
    "e2e",
    "cypress",
    "playwright",
    "storybook",
    "stories",
    "fixture",
    "mock",
    "__tests__",
];

/// The port: `next start -p N` in the start script, then the code on the path that starts
/// the server (the start command's file and what it imports, nearest first), then the
/// rest of the code and `.env.example`; else the preset default stands.
pub fn port(project: &Project, pkg: &Package, d: &mut Detection) {
    if let Some((port, name, script)) = next_port_flag(pkg) {
        d.layer.port = Some(port);
        d.why(
            "port",
            Some("package.json"),
            format!("`scripts.{name}` runs `{}`", validate::shown(script)),
        );
        return;
    }
    let is_code = |f: &str| {
        [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| f.ends_with(e))
            && !f.ends_with(".d.ts")
            && !f.starts_with("next.config")
    };
    let Some(ids) = Idioms::new() else {
        return;
    };
    let on_path = start_path(project, d);
    let server_side = |f: &str| {
        let lower = f.to_ascii_lowercase();
        !NOT_SERVER.iter().any(|n| lower.contains(n))
    };
    let rest: Vec<&str> = project
        .files()
        .filter(|f| is_code(f) && server_side(f) && f.matches('/').count() <= 3)
        .filter(|f| !on_path.iter().any(|p| p == f))
        .take(300)
        .collect();
    let files = on_path
        .iter()
        .map(|f| (f.as_str(), true))
        .chain(rest.into_iter().map(|f| (f, false)))
        .chain(
            [".env.example", ".env.sample", ".env.defaults"]
                .into_iter()
                .map(|f| (f, false)),
        );
    for (file, path) in files {
        let Some(text) = project.read_source(file) else {
            continue;
        };
        if let Some(found) = port_in(&ids, &text, file, path, &on_path, project) {
            let line = text[..found.at].matches('\n').count() + 1;
            d.layer.port = Some(found.port);
            d.why(
                "port",
                Some(file),
                format!("line {line}: `{}`", validate::shown(found.text.trim())),
            );
            if let Some(var) = found.var.filter(|v| v != "PORT") {
                d.fact(
                    "port_env",
                    var.as_str(),
                    Some(file),
                    format!("the server reads its port from `{var}`, so the image sets it too"),
                );
            }
            return;
        }
    }
}

/// A port found in a file.
struct Found {
    port: u16,
    /// Byte offset of the match, for the line number.
    at: usize,
    text: String,
    /// The env variable read for the port, when the code reads one.
    var: Option<String>,
}

/// The port idioms, compiled once per run.
struct Idioms {
    direct: Regex,
    branch: Regex,
    constant: Regex,
    listen: Regex,
    assign: Regex,
    config: Regex,
}

impl Idioms {
    fn new() -> Option<Self> {
        let env = r"(?:process\.env|Bun\.env|import\.meta\.env)(?:\.|\[\s*['\x22])";
        let var = r"([A-Z0-9_]*PORT)\b";
        let or = r"['\x22]?\s*\]?\s*\)?\s*(?:\|\||\?\?)\s*";
        let re = |p: String| regex::RegexBuilder::new(&p).unicode(false).build().ok();
        Some(Self {
            // `process.env.PORT || 3000`, `Number(process.env.APP_PORT) || 5006`,
            // `PORT ?? '80'`, also after other env reads (`X_PORT || PORT || 8080`).
            direct: re(format!(
                r"{env}{var}(?:{or}{env}[A-Z][A-Z0-9_]*)*{or}\(?\s*['\x22]?([0-9]{{2,5}})\b"
            ))?,
            // `process.env.PORT || (process.env.NODE_ENV !== 'development' ? 80 : 3002)`
            branch: re(format!(
                r"{env}{var}{or}\(\s*process\.env\.NODE_ENV\s*(?:!==?\s*['\x22]development['\x22]|===?\s*['\x22]production['\x22])\s*\?\s*['\x22]?([0-9]{{2,5}})\b"
            ))?,
            // `process.env.X_PORT ?? getConfigValue('port', DEFAULT_PORT)`.
            constant: re(format!(
                r"{env}{var}{or}(?u:[^;\n]{{0,80}}?)\b([A-Z0-9_]*PORT[A-Z0-9_]*)\b"
            ))?,
            listen: re(r"\.listen\(\s*([0-9]{2,5})\s*[,)]".into())?,
            assign: re(r#"\bPORT\s*=\s*['"]?([0-9]{2,5})\b"#.into())?,
            // A config module's default on the start path: `port: 9000,`.
            config: re(r"(?m)^\s*port\s*:\s*([0-9]{2,5})\s*,".into())?,
        })
    }
}

/// The first port idiom in `text`, strongest first. `path`: the file is on the start
/// path, where a config module's `port: N` default counts too.
fn port_in(
    ids: &Idioms,
    text: &str,
    file: &str,
    path: bool,
    on_path: &[String],
    project: &Project,
) -> Option<Found> {
    let (direct, branch, constant) = (&ids.direct, &ids.branch, &ids.constant);
    if !text.contains("PORT") && !text.contains(".listen(") && !text.contains("port") {
        return None;
    }
    let good = |v: &str| {
        let head = v.trim_end_matches("PORT").trim_end_matches('_');
        !head
            .split('_')
            .any(|part| OTHER_PORTS.iter().any(|o| part.starts_with(o)))
    };
    for re in [&branch, &direct] {
        for c in re.captures_iter(text) {
            if let Some(p) = c[2].parse::<u16>().ok().filter(|p| *p >= 80)
                && good(&c[1])
            {
                return Some(Found {
                    port: p,
                    at: c.get(0)?.start(),
                    text: c[0].to_string(),
                    var: Some(c[1].to_string()),
                });
            }
        }
    }
    for c in constant.captures_iter(text) {
        if !good(&c[1]) {
            continue;
        }
        let def = regex::RegexBuilder::new(&format!(r"\b{}\s*=\s*['\x22]?([0-9]{{2,5}})\b", &c[2]))
            .unicode(false)
            .build()
            .ok()?;
        let value = std::iter::once(text.to_string())
            .chain(on_path.iter().filter_map(|f| project.read_source(f)))
            .find_map(|t| def.captures(&t).and_then(|d| d[1].parse::<u16>().ok()))
            .filter(|p| *p >= 80);
        if let Some(p) = value {
            return Some(Found {
                port: p,
                at: c.get(0)?.start(),
                text: format!("{} (`{}` = {p})", &c[0], &c[2]),
                var: Some(c[1].to_string()),
            });
        }
    }
    let mut simple = vec![&ids.listen, &ids.assign];
    let name = file.rsplit('/').next().unwrap_or(file);
    if path && name.contains("config") {
        simple.push(&ids.config);
    }
    for re in simple {
        if let Some(c) = re.captures(text)
            && let Some(port) = c[1].parse::<u16>().ok().filter(|p| *p >= 80)
        {
            return Some(Found {
                port,
                at: c.get(0)?.start(),
                text: c[0].to_string(),
                var: None,
            });
        }
    }
    None
}

/// `next start -p N` (or `--port N`) in the start script.
fn next_port_flag(pkg: &Package) -> Option<(u16, &'static str, &str)> {
    for name in START_SCRIPTS {
        let Some(script) = pkg.script(name) else {
            continue;
        };
        let Some((words, _)) = last_step(script) else {
            continue;
        };
        if words.first().map(String::as_str) != Some("next")
            || words.get(1).map(String::as_str) != Some("start")
        {
            continue;
        }
        for (i, w) in words.iter().enumerate() {
            let value = match w.as_str() {
                "-p" | "--port" => words.get(i + 1).map(String::as_str),
                _ => w.strip_prefix("--port=").or(w.strip_prefix("-p=")),
            };
            if let Some(p) = value.and_then(|v| v.parse::<u16>().ok()).filter(|p| *p > 0) {
                return Some((p, name, script));
            }
        }
    }
    None
}

/// The files on the path that starts the server: the start command's file (its source
/// when it is a build output) and the relative modules it imports, nearest first.
pub(super) fn start_path(project: &Project, d: &Detection) -> Vec<String> {
    let Some(cmd) = d.layer.start_command.as_deref() else {
        return Vec::new();
    };
    let words = shell_words::split(cmd).unwrap_or_default();
    let mut queue: Vec<String> = Vec::new();
    for w in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
        let w = w.trim_start_matches("./");
        if validate::relative_path("entry", w).is_err() {
            continue;
        }
        let mut guesses = vec![w.to_string()];
        // `dist/src/main.js` or `dist/index.js` built from `src/main.ts`, `server/index.ts`.
        if let Some((_, rest)) = w.split_once('/') {
            let stem = rest.trim_end_matches(".js").trim_end_matches(".mjs");
            guesses.push(stem.to_string());
            guesses.push(format!("src/{stem}"));
            guesses.push(format!("server/{stem}"));
        }
        if let Some(f) = guesses.iter().find_map(|g| module_file(project, g)) {
            queue.push(f);
            break;
        }
    }
    let import = Regex::new(
        r#"(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^import\s+)['"](\.{1,2}/[^'"]+)['"]"#,
    );
    let Ok(import) = import else {
        return queue;
    };
    // `./dist/server/index.js` from a launcher is the built `server/index.ts`.
    follow_imports(project, &import, queue, 60, |t| {
        module_file(project, t).or_else(|| {
            ["dist/", "build/", "out/"]
                .iter()
                .find_map(|b| t.strip_prefix(b))
                .and_then(|rest| module_file(project, rest))
        })
    })
}

/// `queue` and the project files it reaches through the relative specifiers `import`
/// captures, breadth first (nearest first), until there are `cap` files. `resolve` turns
/// a specifier joined onto the importing file's directory into a file (or skips it).
pub(super) fn follow_imports(
    project: &Project,
    import: &Regex,
    mut queue: Vec<String>,
    cap: usize,
    resolve: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let mut i = 0;
    while i < queue.len() && queue.len() < cap {
        let file = queue[i].clone();
        i += 1;
        let Some(text) = project.read_source(&file) else {
            continue;
        };
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for c in import.captures_iter(&text) {
            let Some(target) = join(dir, &c[1]).and_then(|t| resolve(&t)) else {
                continue;
            };
            if !queue.contains(&target) {
                queue.push(target);
            }
        }
    }
    queue
}

/// `dir/rel` with `.` and `..` resolved; None when it leaves the project.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The source file a module specifier names: as is, with an extension, its TypeScript
/// source for a `.js` specifier, or the directory's index.
pub(super) fn module_file(project: &Project, spec: &str) -> Option<String> {
    let stem = spec
        .strip_suffix(".js")
        .or(spec.strip_suffix(".mjs"))
        .unwrap_or(spec);
    let mut tries = vec![spec.to_string()];
    for ext in [".ts", ".js", ".mts", ".mjs", ".cjs"] {
        tries.push(format!("{stem}{ext}"));
    }
    for ext in [".ts", ".js"] {
        tries.push(format!("{spec}/index{ext}"));
    }
    tries
        .into_iter()
        .find(|f| project.is_file(f) && !project.is_dir(f))
}
