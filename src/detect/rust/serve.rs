//! Where a Rust server listens and how it is started: the binary that serves in a
//! workspace, the port and bind address its code defaults to (env variables, clap
//! arguments, config defaults, Rocket), and a serve subcommand its CLI requires.

use regex::Regex;
use serde_json::{Value, json};

use super::manifest::{self, Bin, Package};
use crate::detect::Detection;
use crate::scan::Project;

/// Crates that run an HTTP server.
const SERVERS: &[&str] = &[
    "axum",
    "actix-web",
    "rocket",
    "warp",
    "poem",
    "salvo",
    "tide",
    "hyper",
    "tonic",
];

/// Other crates that run an HTTP server: with [`SERVERS`], what a program that serves
/// nothing does not depend on.
const MORE_SERVERS: &[&str] = &[
    "tiny_http",
    "rouille",
    "gotham",
    "ntex",
    "viz",
    "trillium",
    "thruster",
    "astra",
    "may_minihttp",
    "pingora",
    "loco-rs",
    "shuttle-runtime",
];

/// What a listening program's own code says (`std`/`tokio` listeners, hyper 0.14's and
/// tonic's builders, actix-web, `axum::serve`).
const LISTENS: &[&str] = &[
    "TcpListener",
    "UnixListener",
    "Server::bind",
    "Server::builder",
    "HttpServer::new",
    "serve(",
];

/// Why the package may serve HTTP, or `None` when nothing it depends on or says does:
/// a server crate it reaches through `Cargo.lock` (hyper and tonic only as its own
/// dependencies, since HTTP clients pull them in too), or without a lockfile one any
/// package of the project names, or a listener in its own sources.
pub fn may_serve(
    project: &Project,
    pkg: &Package,
    packages: &[Package],
    lock: Option<&str>,
) -> Option<String> {
    if let Some(c) = server_crate(pkg) {
        return Some(format!("depends on `{c}`"));
    }
    let servers = || SERVERS.iter().chain(MORE_SERVERS).copied();
    let graph = lock.and_then(super::tls::graph);
    match &graph {
        Some(g) => {
            let reach = super::tls::closure(g, &pkg.name);
            if let Some(c) = servers()
                .filter(|c| !CLIENT_TOO.contains(c))
                .find(|c| reach.contains(*c))
            {
                return Some(format!("reaches `{c}` through `Cargo.lock`"));
            }
        }
        None => {
            for p in packages {
                let deps = p
                    .manifest
                    .get("dependencies")
                    .and_then(toml::Value::as_table);
                if let Some(c) = servers().find(|c| deps.is_some_and(|d| d.contains_key(*c))) {
                    return Some(format!("`{}` depends on `{c}`", p.name));
                }
            }
        }
    }
    let prefix = manifest::join(&pkg.dir, "src/");
    project
        .files()
        .filter(|f| f.starts_with(&prefix) && f.ends_with(".rs"))
        .take(300)
        .find_map(|f| {
            let text = project.read_budgeted(f)?;
            let word = LISTENS.iter().find(|w| text.contains(**w))?;
            Some(format!("`{word}` in `{f}`"))
        })
}

/// Server crates that clients use as well.
const CLIENT_TOO: &[&str] = &["hyper", "tonic"];

/// Subcommands that run the server.
const SERVE_WORDS: &[&str] = &["serve", "server", "start", "run", "web", "daemon"];

/// The server crate the package depends on directly, if any.
pub fn server_crate(pkg: &Package) -> Option<&'static str> {
    let deps = pkg.manifest.get("dependencies")?.as_table()?;
    SERVERS.iter().copied().find(|c| deps.contains_key(*c))
}

/// Among several binaries, the one Cargo or the code points at: the only binary of
/// `default-members` or of a workspace's root package, else the only binary whose
/// package depends on a server crate. The reason says which.
pub fn prefer<'a>(
    all: &[(&'a Package, &'a Bin)],
    root: &toml::Table,
) -> Option<((&'a Package, &'a Bin), String)> {
    let only = |list: Vec<(&'a Package, &'a Bin)>| match list.as_slice() {
        [one] => Some(*one),
        many => {
            let mut runs = many
                .iter()
                .filter(|(p, b)| p.default_run.as_deref() == Some(b.name.as_str()));
            match (runs.next(), runs.next()) {
                (Some(one), None) => Some(*one),
                _ => None,
            }
        }
    };
    let defaults: Vec<String> = root
        .get("workspace")
        .and_then(|w| w.get("default-members"))
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(toml::Value::as_str)
                .map(|s| s.trim_end_matches('/').trim_start_matches("./").to_string())
                .collect()
        })
        .unwrap_or_default();
    if !defaults.is_empty() {
        let list = all
            .iter()
            .filter(|(p, _)| defaults.contains(&p.dir))
            .copied()
            .collect();
        if let Some(found) = only(list) {
            return Some((found, "the binary of `default-members`".into()));
        }
    }
    let root_bins = all
        .iter()
        .filter(|(p, _)| p.dir.is_empty())
        .copied()
        .collect();
    if let Some(found) = only(root_bins) {
        return Some((
            found,
            "the binary of the workspace's root package (what `cargo run` builds)".into(),
        ));
    }
    // hyper and tonic also make clients (a CLI that calls the server depends on them
    // too): a web framework decides first, any server crate only when none does.
    let serving = |frameworks_only: bool| -> Vec<_> {
        all.iter()
            .filter(|(p, _)| {
                server_crate(p).is_some_and(|c| !frameworks_only || !CLIENT_TOO.contains(&c))
            })
            .copied()
            .collect()
    };
    let found = only(serving(true)).or_else(|| only(serving(false)))?;
    let why = format!(
        "the only binary whose package depends on a server crate (`{}`)",
        server_crate(found.0).unwrap_or_default()
    );
    Some((found, why))
}

/// Where a fact was found: file, 1-based line, and the text shown.
struct Found {
    file: String,
    line: usize,
    shown: String,
}

/// A setting the code reads: its env variable (if any), default, and evidence.
struct Setting {
    /// 0 for a name that says HTTP or server, 1 for a plain `port`, 2 otherwise.
    rank: u8,
    env: Option<String>,
    default: Option<String>,
    flag: Option<String>,
    at: Found,
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

fn shown(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_port_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "port" | "http_port" | "server_port" | "listen_port" | "web_port" | "app_port"
    )
}

fn is_host_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "host"
            | "http_host"
            | "address"
            | "addr"
            | "http_addr"
            | "listen"
            | "listen_addr"
            | "bind"
            | "bind_addr"
            | "server_address"
            | "server_addr"
    )
}

fn is_port_env(name: &str) -> bool {
    name == "PORT" || name.ends_with("_PORT") && !name.contains("DB") && !name.contains("SMTP")
}

fn is_host_env(name: &str) -> bool {
    ["_ADDRESS", "_ADDR", "_HOST", "_BIND", "_LISTEN"]
        .iter()
        .any(|s| name.ends_with(s))
        && !name.contains("DB")
        && !name.contains("SMTP")
        && !name.contains("DATABASE")
        && !name.contains("REDIS")
}

fn loopback(value: &str) -> bool {
    let host = value.rsplit_once(':').map_or(value, |(h, _)| h);
    let host = host.trim_matches(|c| c == '[' || c == ']');
    matches!(host, "127.0.0.1" | "localhost" | "::1") || value == "::1"
}

/// The port of a default: `8080`, `":8080"`, `"0.0.0.0:8080"`.
fn port_of(value: &str) -> Option<u16> {
    let tail = value.rsplit(':').next()?;
    tail.trim_matches('"')
        .parse::<u16>()
        .ok()
        .filter(|p| *p >= 80)
}

/// Everything found in one file's text.
/// The patterns `scan` uses, compiled once.
struct Patterns {
    var: Regex,
    var_num: Regex,
    field: Regex,
    default: Regex,
    env: Regex,
    clap: Regex,
    set: Regex,
    prefix: Regex,
    lit: Regex,
    consts: Regex,
}

impl Patterns {
    fn new() -> Self {
        let re = |p: &str| Regex::new(p).expect("valid regex");
        Patterns {
            var: re(
                r#"var(?:_os)?\(\s*"([A-Z][A-Z0-9_]*)"\s*\)[^;]{0,120}?(?:unwrap_or|or_else|map_or)[^;]{0,40}?"?([\w.:\[\]]*\d|localhost|[\w.]*[a-z][\w.]*)""#,
            ),
            var_num: re(
                r#"var(?:_os)?\(\s*"([A-Z][A-Z0-9_]*)"\s*\)[^;]{0,120}?(?:unwrap_or|or_else|map_or)[^;]{0,40}?\b(\d{2,5})\b"#,
            ),
            field: re(
                r"((?:[ \t]*(?:#\[[^\n]*\]|///[^\n]*)\n)+)[ \t]*(?:pub(?:\([^)]*\))?\s+)?(\w+)\s*:\s*(Option<)?",
            ),
            default: re(
                r#"(?:default_value(?:_t)?\s*=\s*|#\[default\(|builder\(default\s*=\s*)(?:r#)?"?([^",)\]]+)"#,
            ),
            env: re(r#"\benv\s*=\s*"?([A-Za-z_][A-Za-z0-9_]*)"?"#),
            clap: re(r"#\[(?:arg|clap|structopt)\("),
            set: re(r#"set_default\(\s*"(\w+)"\s*,\s*"?([^")]+)"?\s*\)"#),
            prefix: re(r#"Environment::with_prefix\(\s*"(\w+)"\s*\)"#),
            lit: re(r#""([^"]*)"|\b([A-Z][A-Z0-9_]+)\b"#),
            consts: re(r#"const\s+(\w+)\s*:\s*&(?:'static\s+)?str\s*=\s*"([^"]*)""#),
        }
    }
}

fn scan(pat: &Patterns, file: &str, text: &str) -> (Vec<Setting>, Vec<Setting>) {
    let consts: Vec<(String, String)> = pat
        .consts
        .captures_iter(text)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect();
    let (mut ports, mut hosts) = (Vec::new(), Vec::new());
    let mut push = |name: &str, mut s: Setting| {
        let n = name.to_ascii_lowercase();
        s.rank = if n.contains("http") || n.contains("server") || n.contains("listen") {
            0
        } else if n == "port" {
            1
        } else {
            2
        };
        if is_port_name(name) || s.env.as_deref().is_some_and(is_port_env) {
            ports.push(s);
        } else if is_host_name(name) || s.env.as_deref().is_some_and(is_host_env) {
            hosts.push(s);
        }
    };
    let lookup =
        |v: &str| -> Option<String> { consts.iter().find(|(k, _)| k == v).map(|(_, x)| x.clone()) };
    // A constant, a function returning a literal or a constant, or the literal itself.
    let resolve = |v: &str| -> String {
        let v = v.trim();
        if let Some(x) = lookup(v) {
            return x;
        }
        if let Some(f) = v.strip_suffix('(').or_else(|| v.strip_suffix("()")) {
            let body = Regex::new(&format!(
                r"fn\s+{}\s*\(\s*\)[^{{]*\{{([^}}]*)\}}",
                regex::escape(f)
            ))
            .ok()
            .and_then(|re| re.captures(text).map(|c| c[1].to_string()));
            if let Some(c) = body.as_deref().and_then(|b| pat.lit.captures(b)) {
                return c.get(1).map_or_else(
                    || lookup(&c[2]).unwrap_or_default(),
                    |m| m.as_str().to_string(),
                );
            }
        }
        v.trim_matches('"').to_string()
    };
    // env::var("X") ... unwrap_or(...default)
    for re in [&pat.var_num, &pat.var] {
        for c in re.captures_iter(text) {
            let m = c.get(0).expect("match");
            let env = c[1].to_string();
            let s = Setting {
                rank: 2,
                env: Some(env.clone()),
                default: Some(c[2].to_string()),
                flag: None,
                at: Found {
                    file: file.into(),
                    line: line_of(text, m.start()),
                    shown: shown(m.as_str()),
                },
            };
            push(&env, s);
        }
    }
    // Attributes before a struct field: clap, smart-default, derive_builder.
    for c in pat.field.captures_iter(text) {
        let attrs = &c[1];
        let name = &c[2];
        let default = pat.default.captures(attrs).map(|d| resolve(d[1].trim()));
        let env = pat.env.captures(attrs).map(|e| resolve(&e[1]));
        if default.is_none() && env.is_none() {
            continue;
        }
        let m = c.get(2).expect("name");
        let flag =
            (pat.clap.is_match(attrs) && attrs.contains("long")).then(|| name.replace('_', "-"));
        let s = Setting {
            rank: 2,
            env,
            default: default.clone(),
            flag,
            at: Found {
                file: file.into(),
                line: line_of(text, m.start()),
                shown: shown(&format!("{name}: {}", default.as_deref().unwrap_or("?"))),
            },
        };
        push(name, s);
    }
    // config-rs: `.set_default("port", 8888)` with `Environment::with_prefix("app")`.
    let prefix = pat.prefix.captures(text).map(|c| c[1].to_ascii_uppercase());
    for c in pat.set.captures_iter(text) {
        let m = c.get(0).expect("match");
        let key = c[1].to_string();
        let s = Setting {
            rank: 2,
            env: prefix
                .as_ref()
                .map(|p| format!("{p}_{}", key.to_ascii_uppercase())),
            default: Some(c[2].to_string()),
            flag: None,
            at: Found {
                file: file.into(),
                line: line_of(text, m.start()),
                shown: shown(m.as_str()),
            },
        };
        push(&key, s);
    }
    (ports, hosts)
}

/// The port, bind address and the variables to set, from the chosen package's code
/// (then its path dependencies), falling back to Rocket's defaults. Returns true when
/// the code gave a port.
pub fn listen(project: &Project, pkg: &Package, packages: &[Package], d: &mut Detection) -> bool {
    let mut dirs = vec![pkg.dir.clone()];
    dirs.extend(manifest::path_deps(pkg));
    // Workspace dependencies (`x = { workspace = true }`) name member packages.
    if let Some(deps) = pkg
        .manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
    {
        for (key, v) in deps {
            let name = v
                .get("package")
                .and_then(toml::Value::as_str)
                .unwrap_or(key);
            if let Some(p) = packages.iter().find(|p| p.name == name && p.dir != pkg.dir) {
                dirs.push(p.dir.clone());
            }
        }
    }
    dirs.dedup();
    let pat = Patterns::new();
    let mut ports = Vec::new();
    let mut hosts = Vec::new();
    for dir in &dirs {
        let prefix = manifest::join(dir, "src/");
        let files: Vec<&str> = project
            .files()
            .filter(|f| f.starts_with(&prefix) && f.ends_with(".rs"))
            .filter(|f| !f.contains("/tests/") && !f.ends_with("/tests.rs"))
            .take(300)
            .collect();
        for file in files {
            let Some(text) = project.read_source(file) else {
                continue;
            };
            let lower = text.to_ascii_lowercase();
            if !["port", "addr", "host", "listen", "bind"]
                .iter()
                .any(|w| lower.contains(w))
            {
                continue;
            }
            let (p, h) = scan(&pat, file, &text);
            ports.extend(p);
            hosts.extend(h);
        }
    }
    let mut envs: Vec<Value> = Vec::new();
    let valid_env = |e: &str| Regex::new(r"^[A-Z_][A-Z0-9_]*$").is_ok_and(|re| re.is_match(e));
    // Names that say HTTP first, then a plain `port`, then the rest.
    ports.sort_by_key(|s| s.rank);
    let port = ports
        .iter()
        .find_map(|s| s.default.as_deref().and_then(port_of).map(|p| (p, s)))
        .or_else(|| {
            hosts
                .iter()
                .find_map(|s| s.default.as_deref().and_then(port_of).map(|p| (p, s)))
        });
    let mut found = false;
    if let Some((p, s)) = port {
        d.layer.port = Some(p);
        d.why(
            "port",
            Some(&s.at.file),
            format!("line {}: `{}`", s.at.line, s.at.shown),
        );
        found = true;
        if let Some(e) = s.env.as_deref().filter(|e| valid_env(e) && *e != "PORT") {
            let addr = s.default.as_deref().is_some_and(|v| v.contains(':'));
            envs.push(json!({"name": e, "kind": if addr { "addr" } else { "port" }}));
        }
    }
    let host = hosts
        .iter()
        .find(|s| s.default.as_deref().is_some_and(loopback));
    let rocket = packages
        .iter()
        .any(|p| p.dir == pkg.dir && server_crate(p) == Some("rocket"));
    if let Some(s) = host {
        let name = s.env.as_deref().filter(|e| valid_env(e));
        match (name, &s.flag) {
            (Some(e), _) => {
                let addr = s.default.as_deref().is_some_and(|v| v.contains(':'));
                if !envs.iter().any(|x| x["name"] == e) {
                    envs.push(json!({"name": e, "kind": if addr { "addr" } else { "host" }}));
                }
            }
            (None, Some(flag)) => {
                for cmd in [d.layer.start_command.as_mut(), d.layer.dev_command.as_mut()]
                    .into_iter()
                    .flatten()
                {
                    let sep = if cmd.starts_with("cargo ") && !cmd.contains(" -- ") {
                        " --"
                    } else {
                        ""
                    };
                    cmd.push_str(&format!("{sep} --{flag} 0.0.0.0"));
                }
                d.why(
                    "start-command",
                    Some(&s.at.file),
                    format!("line {}: `--{flag}` defaults to loopback", s.at.line),
                );
            }
            (None, None) => d.warn(format!(
                "`{}` line {} binds to loopback by default (`{}`), which is unreachable from outside a container; bind to `0.0.0.0`",
                s.at.file, s.at.line, s.at.shown
            )),
        }
    } else if rocket && !found {
        d.layer.port = Some(8000);
        d.why(
            "port",
            Some(&manifest::join(&pkg.dir, "Cargo.toml")),
            "Rocket's default port (`ROCKET_PORT`); Rocket binds 127.0.0.1 unless `ROCKET_ADDRESS` is set",
        );
        found = true;
        envs.push(json!({"name": "ROCKET_ADDRESS", "kind": "host"}));
        envs.push(json!({"name": "ROCKET_PORT", "kind": "port"}));
    }
    d.fact(
        "listen_env",
        envs,
        None,
        "variables the app reads for its bind address and port, set in the image",
    );
    found
}

/// A serve subcommand the binary's CLI requires: a clap enum deriving `Parser` (the
/// command itself) or used as a non-optional `#[command(subcommand)]` field, with a
/// serve-like variant.
pub fn subcommand(project: &Project, pkg: &Package, bin: &Bin) -> Option<(String, String)> {
    let prefix = manifest::join(&pkg.dir, "src/");
    let mut files: Vec<&str> = vec![bin.path.as_str()];
    files.extend(
        project
            .files()
            .filter(|f| f.starts_with(&prefix) && f.ends_with(".rs"))
            .take(300),
    );
    let enum_re = Regex::new(
        r"#\[derive\(([^)]*)\)\]\s*(?:#\[[^\n]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?enum\s+(\w+)\s*\{",
    )
    .expect("valid regex");
    let variant = Regex::new(
        r"(?m)^\s*(?:#\[(?:clap|command)\(name\s*=\s*\x22([\w-]+)\x22\)\]\s*)?([A-Z]\w*)\s*[({,]",
    )
    .expect("valid regex");
    for file in files {
        let Some(text) = project.read_source(file) else {
            continue;
        };
        for c in enum_re.captures_iter(&text) {
            let derives = &c[1];
            let name = &c[2];
            let top = derives.contains("Parser");
            let field = Regex::new(&format!(
                r"#\[(?:clap|command)\(subcommand\)\]\s*(?:pub\s+)?\w+\s*:\s*{name}\b"
            ))
            .ok()
            .and_then(|re| re.find(&text).map(|m| m.start()));
            let required = field.is_some();
            let required = required && {
                // The field must sit in a struct, not in a variant of another enum.
                let at = field.unwrap_or(0);
                let before = &text[..at];
                before.rfind("struct ").unwrap_or(0) > before.rfind("enum ").unwrap_or(0)
            };
            if !(top || required && derives.contains("Subcommand")) {
                continue;
            }
            let start = c.get(0).expect("match").end();
            let body = &text[start..];
            let mut depth = 1usize;
            let end = body
                .char_indices()
                .find(|(_, ch)| {
                    match ch {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(body.len(), |(i, _)| i);
            let body = &body[..end];
            // Variants at the enum's top level only: skip nested field blocks.
            let mut level = 0usize;
            let mut top_lines = String::new();
            for line in body.lines() {
                if level == 0 {
                    top_lines.push_str(line);
                    top_lines.push('\n');
                }
                level += line.matches(['{', '(']).count();
                level = level.saturating_sub(line.matches(['}', ')']).count());
            }
            for v in variant.captures_iter(&top_lines) {
                let word = v
                    .get(1)
                    .map_or_else(|| kebab(&v[2]), |m| m.as_str().to_string());
                if SERVE_WORDS.contains(&word.as_str()) {
                    let line = line_of(&text, start);
                    return Some((
                        word.clone(),
                        format!(
                            "{file} line {line}: the CLI `{name}` needs a subcommand; `{word}` serves"
                        ),
                    ));
                }
            }
        }
    }
    None
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}
