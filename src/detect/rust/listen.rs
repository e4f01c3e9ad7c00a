//! Where a Rust server listens: the port and bind address its code defaults to (env
//! variables, clap arguments, config defaults, Rocket), set in the image or warned.

use regex::Regex;
use serde_json::{Value, json};

use super::manifest::{self, Package};
use super::serve::server_crate;
use crate::detect::Detection;
use crate::scan::Project;

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

/// The 1-based line of byte offset `at`.
pub(super) fn line_of(text: &str, at: usize) -> usize {
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
