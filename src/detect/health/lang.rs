//! Route registrations per language and framework, with their literal prefixes (Python
//! in `python`).

use std::collections::BTreeSet;

use regex::Regex;

use super::{Prefix, Route, Source, join, rank};
use crate::scan::Project;

/// How many mounts deep a router's prefix is followed.
pub(super) const MAX_MOUNTS: usize = 4;

pub(super) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

/// The best rank among the paths `pattern` registers in the route-bearing sources: only
/// candidates of that rank have their prefixes resolved, which reads other files.
pub(super) fn best_rank(
    sources: &[Source],
    pattern: &Regex,
    path: &dyn Fn(&regex::Captures) -> Option<String>,
) -> u8 {
    sources
        .iter()
        .filter(|s| s.routes)
        .flat_map(|s| pattern.captures_iter(&s.text))
        .filter_map(|c| rank(&path(&c)?))
        .min()
        .unwrap_or(u8::MAX)
}

/// Receivers of HTTP *client* calls: `axios.get('/health', ...)` is not a route.
const CLIENTS: &[&str] = &[
    "axios",
    "http",
    "https",
    "request",
    "client",
    "ky",
    "got",
    "superagent",
    "fetch",
    "instance",
    "httpClient",
    "$http",
    "agent",
    "supertest",
    "req",
    "resp",
];

/// Go receivers of client calls (`http.Get` takes a full URL, so `http` is a router).
const GO_CLIENTS: &[&str] = &["client", "c", "req", "request", "resp", "httpClient"];

/// File-system routes: Next.js App Router (`app/api/health/route.ts`, route groups
/// dropped) and Pages Router (`pages/api/health.ts`), and Remix flat routes
/// (`app/routes/api.health.ts`, `api+/health.ts`).
pub fn file_routes(project: &Project, stack: &str) -> Vec<Route> {
    if !matches!(stack, "node" | "nextjs") {
        return Vec::new();
    }
    let app = re(r"^(?:src/)?app/(.*?)/?route\.(?:[mc]?[jt]sx?)$");
    let pages = re(r"^(?:src/)?pages/(api/.*?)(?:/index)?\.(?:[mc]?[jt]sx?)$");
    let remix = re(r"^app/routes/(.+?)(?:/route|/_index)?\.(?:[jt]sx?)$");
    let mut out = Vec::new();
    for file in project.files() {
        let path = if let Some(c) = app.captures(file) {
            let segs: Vec<&str> = c[1]
                .split('/')
                .filter(|s| !(s.is_empty() || s.starts_with('(') && s.ends_with(')')))
                .collect();
            if segs
                .iter()
                .any(|s| s.starts_with('_') || s.starts_with('@'))
            {
                continue;
            }
            format!("/{}", segs.join("/"))
        } else if let Some(c) = pages.captures(file) {
            format!("/{}", &c[1])
        } else if let Some(c) = remix.captures(file) {
            let segs: Vec<&str> = c[1]
                .split(['/', '.'])
                .map(|s| s.trim_end_matches('+'))
                .filter(|s| !s.is_empty() && !s.starts_with('_'))
                .collect();
            format!("/{}", segs.join("/"))
        } else {
            continue;
        };
        if rank(&path).is_some() {
            out.push(Route {
                path,
                file: file.to_string(),
                line: 1,
                snippet: "file-system route".into(),
                unknown: None,
            });
        }
    }
    out
}

/// A literal string or, when it is a name, the one literal that name is assigned in
/// the sources (`API_V1_STR: str = "/api/v1"`, `const prefix = "/api"`).
pub(super) fn literal_or_constant(expr: &str, sources: &[Source]) -> Prefix {
    let expr = expr.trim();
    let quoted = re(r#"^r?(?:"([^"]*)"|'([^']*)'|`([^`$]*)`)$"#);
    if let Some(c) = quoted.captures(expr) {
        let text = c
            .get(1)
            .or(c.get(2))
            .or(c.get(3))
            .map_or("", |m| m.as_str());
        return Prefix::Known(text.to_string());
    }
    let name = expr.rsplit('.').next().unwrap_or(expr);
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        let def = re(&format!(
            r#"(?m)^\s*(?:export\s+)?(?:const\s+|let\s+|var\s+)?{name}\s*(?::\s*[\w\[\]]+\s*)?:?=\s*(?:"([^"\n]*)"|'([^'\n]*)')\s*;?\s*$"#
        ));
        let values: BTreeSet<&str> = sources
            .iter()
            .flat_map(|s| def.captures_iter(&s.text))
            .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str()))
            .collect();
        // Any assignment dockform cannot read (`prefix = f"{root}/"`) makes it a variable.
        let any = re(&format!(
            r#"(?m)^\s*(?:export\s+)?(?:const\s+|let\s+|var\s+)?{name}\s*(?::\s*[\w\[\]]+\s*)?:?=[^=]"#
        ));
        let assignments: usize = sources.iter().map(|s| any.find_iter(&s.text).count()).sum();
        let literal: usize = sources.iter().map(|s| def.find_iter(&s.text).count()).sum();
        if values.len() == 1 && assignments == literal {
            return Prefix::Known(values.into_iter().next().unwrap_or_default().into());
        }
    }
    Prefix::Unknown(expr.to_string())
}

pub(super) fn concat(outer: Prefix, inner: Prefix) -> Prefix {
    match (outer, inner) {
        (Prefix::Known(a), Prefix::Known(b)) => Prefix::Known(join(&a, &b)),
        (Prefix::Unknown(e), _) | (_, Prefix::Unknown(e)) => Prefix::Unknown(e),
    }
}

/// The names a file's router may be imported under: its stem, or its directory for an
/// `index`/`__init__`/`mod` file.
pub(super) fn import_names(path: &str) -> Vec<String> {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let mut names = vec![stem.to_string()];
    if matches!(stem, "index" | "__init__" | "mod")
        && let Some(dir) = parts.next()
    {
        names.push(dir.to_string());
    }
    names
}

/// Names too common to identify a router across files when written bare.
const GENERIC: &[&str] = &["router", "bp", "blueprint", "api", "app", "routes", "r"];

/// Whether a mount target naming `recv` (after `before.`, if any) means the router of
/// `file`: qualified by the file's import name, or bare in the same file, or bare with
/// a name distinctive enough not to be another file's.
pub(super) fn bare_or_qualified(
    before: Option<&str>,
    names: &[String],
    includer: &str,
    file: &str,
    recv: &str,
) -> bool {
    match before {
        Some(b) => names.iter().any(|n| n == b),
        None => includer == file || !GENERIC.contains(&recv),
    }
}

/// Where router `recv` of `file` is mounted: the first `mount` match whose target is
/// the receiver's name or the file's import name followed by it; its prefix joined to
/// the includer's own. `None` when no mount names it.
fn mounted(
    recv: &str,
    file: &str,
    mount: &Regex,
    sources: &[Source],
    own: &dyn Fn(&str, &str, usize) -> Prefix,
    depth: usize,
) -> Option<Prefix> {
    let names = import_names(file);
    for source in sources {
        for c in mount.captures_iter(&source.text) {
            let target = c.name("target").map_or("", |m| m.as_str());
            let mut parts = target.rsplit('.');
            let last = parts.next().unwrap_or_default();
            let before = parts.next();
            let hit = names.iter().any(|n| n == last)
                || (last == recv && bare_or_qualified(before, &names, &source.path, file, recv));
            if !hit {
                continue;
            }
            let prefix = c.name("prefix").map_or(Prefix::Known(String::new()), |m| {
                literal_or_constant(m.as_str(), sources)
            });
            let includer = c.name("recv").map_or("", |m| m.as_str());
            let outer = own(includer, &source.path, depth + 1);
            return Some(concat(outer, prefix));
        }
    }
    None
}

/// Node: Express/Fastify/Hono/Elysia/Koa method calls, Fastify `register` prefixes,
/// NestJS controllers under the global prefix and URI version.
pub fn js(sources: &[Source]) -> Vec<Route> {
    let call = re(
        r#"(?:\b(?P<recv>[A-Za-z_$][\w$]*)\s*)?\.\s*(?:get|all|head|use|route)\s*(?:<[^()]*?>)?\s*\(\s*(?P<q>['"`])(?P<path>/[^'"`\s$]*)['"`]\s*,"#,
    );
    let register = re(
        r#"\.register\(\s*[\w$.]+\s*,\s*\{[^}]*?\bprefix\s*:\s*['"`](?P<path>/[^'"`\s$]*)['"`]"#,
    );
    let mount = re(
        r#"\b(?P<recv>[A-Za-z_$][\w$]*)\s*\.\s*use\(\s*(?:(?P<prefix>['"`][^'"`]*['"`]|[\w$.]+)\s*,\s*)?(?P<target>[\w$.]+)\s*[,)]"#,
    );
    let router_def = |recv: &str| {
        re(&format!(
            r#"\b{}\s*=\s*(?:new\s+)?(?:express\s*\.\s*)?(?:Router|KoaRouter)\s*\((?P<args>[^)]*)\)"#,
            regex::escape(recv)
        ))
    };
    fn own(
        recv: &str,
        file: &str,
        depth: usize,
        sources: &[Source],
        mount: &Regex,
        router_def: &dyn Fn(&str) -> Regex,
    ) -> Prefix {
        let Some(source) = sources.iter().find(|s| s.path == file) else {
            return Prefix::Known(String::new());
        };
        if recv.is_empty() || depth > MAX_MOUNTS || !router_def(recv).is_match(&source.text) {
            return Prefix::Known(String::new());
        }
        let me = |r: &str, f: &str, d: usize| own(r, f, d, sources, mount, router_def);
        mounted(recv, file, mount, sources, &me, depth)
            .unwrap_or_else(|| Prefix::Unknown(format!("where `{recv}` is mounted")))
    }
    let best = best_rank(sources, &call, &|c| {
        let recv = c.name("recv").map_or("", |m| m.as_str());
        (!CLIENTS.contains(&recv)).then(|| c["path"].to_string())
    });
    let mut out = Vec::new();
    for source in sources.iter().filter(|s| s.routes) {
        for c in call.captures_iter(&source.text) {
            let recv = c.name("recv").map_or("", |m| m.as_str());
            if CLIENTS.contains(&recv) || rank(&c["path"]) != Some(best) {
                continue;
            }
            let prefix = own(recv, &source.path, 0, sources, &mount, &router_def);
            out.extend(Route::at(
                source,
                c.get(0).map_or(0, |m| m.start()),
                &prefix,
                &c["path"],
            ));
        }
        for c in register.captures_iter(&source.text) {
            let start = c.get(0).map_or(0, |m| m.start());
            out.extend(Route::at(
                source,
                start,
                &Prefix::Known(String::new()),
                &c["path"],
            ));
        }
    }
    out.extend(nest(sources));
    out
}

/// NestJS: `@Controller('health')` + `@Get()`, under `setGlobalPrefix` and URI
/// versioning's default version; a `RouterModule` prefix is not read.
fn nest(sources: &[Source]) -> Vec<Route> {
    let controller = re(
        r#"@Controller\(\s*(?:['"`](?P<a>[^'"`]*)['"`]|\{[^}]*?\bpath\s*:\s*['"`](?P<b>[^'"`]*)['"`][^}]*\})?\s*\)"#,
    );
    let get = re(r#"@(?:Get|Head|All)\(\s*(?:['"`](?P<path>[^'"`]*)['"`])?\s*\)"#);
    let global = re(r#"\.setGlobalPrefix\(\s*(?P<expr>[^,)]+)"#);
    let version =
        re(r#"\.enableVersioning\(\s*\{[^}]*?\bdefaultVersion\s*:\s*['"`](?P<v>[\w.]+)['"`]"#);
    let mut prefix = Prefix::Known(String::new());
    for s in sources
        .iter()
        .filter(|s| s.text.contains(".setGlobalPrefix("))
    {
        if let Some(c) = global.captures(&s.text) {
            prefix = literal_or_constant(&c["expr"], sources);
        }
    }
    let versioned = sources
        .iter()
        .filter(|s| s.text.contains(".enableVersioning("));
    if let Some(c) = versioned.clone().find_map(|s| version.captures(&s.text)) {
        prefix = concat(prefix, Prefix::Known(format!("v{}", &c["v"])));
    }
    if sources
        .iter()
        .any(|s| s.text.contains("RouterModule.register("))
    {
        prefix = Prefix::Unknown("RouterModule.register(...)".into());
    }
    let mut out = Vec::new();
    for source in sources.iter().filter(|s| s.routes) {
        let Some(c) = controller.captures(&source.text) else {
            continue;
        };
        let base = c.name("a").or(c.name("b")).map_or("", |m| m.as_str());
        for g in get.captures_iter(&source.text) {
            let sub = g.name("path").map_or("", |m| m.as_str());
            let path = join(base, sub);
            let start = g.get(0).map_or(0, |m| m.start());
            out.extend(Route::at(source, start, &prefix, &path));
        }
    }
    out
}

/// Go: net/http `HandleFunc`/`Handle` (with 1.22 method patterns), gin/echo/chi/fiber
/// method calls, under the literal prefixes of the receiver's `Group`.
pub fn go(sources: &[Source]) -> Vec<Route> {
    let call = re(
        r#"\b(?P<recv>[A-Za-z_]\w*)\s*\.\s*(?:HandleFunc|Handle|GET|HEAD|Any|Get|Head|Match|Add|Method|MethodFunc|Group|Route)\s*\(\s*(?:\[\]string\{[^}]*\}\s*,\s*|http\.Method\w+\s*,\s*|"[A-Z]+"\s*,\s*)?"(?:(?:GET|HEAD)\s+)?(?P<path>/[^"\s]*)""#,
    );
    let best = best_rank(sources, &call, &|c| {
        (!GO_CLIENTS.contains(&&c["recv"])).then(|| c["path"].to_string())
    });
    let mut out = Vec::new();
    for source in sources.iter().filter(|s| s.routes) {
        for c in call.captures_iter(&source.text) {
            if GO_CLIENTS.contains(&&c["recv"]) || rank(&c["path"]) != Some(best) {
                continue;
            }
            let prefix = go_prefix(&c["recv"], source, sources, 0);
            out.extend(Route::at(
                source,
                c.get(0).map_or(0, |m| m.start()),
                &prefix,
                &c["path"],
            ));
        }
    }
    out
}

/// The prefix of Go receiver `recv`: its `x.Group("/p")` / `PathPrefix("/p")` chain in
/// the same file; a router made otherwise is the root.
fn go_prefix(recv: &str, source: &Source, sources: &[Source], depth: usize) -> Prefix {
    let def = re(&format!(
        r#"\b{}\s*:?=\s*(?P<parent>[A-Za-z_]\w*)\s*\.\s*(?:Group|PathPrefix|Route)\(\s*(?P<expr>[^,)]*)"#,
        regex::escape(recv)
    ));
    let Some(c) = def.captures(&source.text) else {
        // A group handed in as a parameter (`rg *gin.RouterGroup`) has the caller's prefix.
        let param = re(&format!(
            r"[(,]\s*{}\s+\*?[\w.]*Group\b",
            regex::escape(recv)
        ));
        if param.is_match(&source.text) {
            return Prefix::Unknown(format!("the group `{recv}` is handed in"));
        }
        return Prefix::Known(String::new());
    };
    if depth > MAX_MOUNTS {
        return Prefix::Unknown(c["expr"].to_string());
    }
    let own = literal_or_constant(&c["expr"], sources);
    concat(go_prefix(&c["parent"], source, sources, depth + 1), own)
}

/// Rust: axum `.route("/p", ...)`, actix `web::resource("/p")` and `#[get("/p")]`
/// (also Rocket's, whose `mount` bases are read: a non-literal base is a warning).
pub fn rust(sources: &[Source]) -> Vec<Route> {
    let call = re(r#"(?:\.route|web::resource|\.service\(\s*resource)\(\s*"(?P<path>/[^"]*)""#);
    let attr = re(
        r#"#\[(?:get|head)\(\s*"(?P<path>/[^"]*)"[^\]]*\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+(?P<name>\w+)"#,
    );
    let mount = re(r#"\.mount\(\s*(?P<base>[^,]+?)\s*,"#);
    let bases: Vec<Prefix> = sources
        .iter()
        .filter(|s| s.text.contains(".mount("))
        .flat_map(|s| mount.captures_iter(&s.text))
        .map(|c| literal_or_constant(&c["base"], sources))
        .collect();
    // Rocket routes sit under their `mount` base: one literal base for all is read,
    // anything else is not guessed.
    let rocket_prefix = match bases.as_slice() {
        [] => Prefix::Known(String::new()),
        [one] => one.clone(),
        many if many.iter().all(|b| *b == Prefix::Known("/".into())) => {
            Prefix::Known(String::new())
        }
        many => many
            .iter()
            .find(|b| matches!(b, Prefix::Unknown(_)))
            .cloned()
            .unwrap_or(Prefix::Unknown("several `mount` bases".into())),
    };
    let mut out = Vec::new();
    for source in sources.iter().filter(|s| s.routes) {
        for c in call.captures_iter(&source.text) {
            let start = c.get(0).map_or(0, |m| m.start());
            out.extend(Route::at(
                source,
                start,
                &Prefix::Known(String::new()),
                &c["path"],
            ));
        }
        for c in attr.captures_iter(&source.text) {
            let start = c.get(0).map_or(0, |m| m.start());
            out.extend(Route::at(source, start, &rocket_prefix, &c["path"]));
        }
    }
    out
}
