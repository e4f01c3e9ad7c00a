//! Python routes: Flask and FastAPI decorators under their routers' prefixes, and Django
//! URLconfs under the `include()` that mounts them.

use regex::Regex;

use super::lang::{
    MAX_MOUNTS, bare_or_qualified, best_rank, concat, import_names, literal_or_constant, re,
};
use super::{Prefix, Route, Source, rank};

/// Python: Flask/FastAPI decorators under their `APIRouter(prefix=)` /
/// `Blueprint(url_prefix=)` and the `include_router`/`register_blueprint` that mounts
/// them; Django `path()`/`re_path()` under the `include()` that mounts their urls module.
pub fn python(sources: &[Source]) -> Vec<Route> {
    let deco = re(
        r#"@(?:[\w.]*\.)?(?P<recv>\w+)\s*\.\s*(?:route|get|head|api_route)\(\s*r?(?:"(?P<a>/[^"]*)"|'(?P<b>/[^']*)')"#,
    );
    let mount = re(
        r#"\b(?P<recv>\w+)\s*\.\s*(?:include_router|register_blueprint)\(\s*(?P<target>[\w.]+)\s*(?:,(?P<args>[^)]*))?\)"#,
    );
    let deco_path = |c: &regex::Captures| {
        Some(
            c.name("a")
                .or(c.name("b"))
                .map_or("", |m| m.as_str())
                .to_string(),
        )
    };
    let best = best_rank(sources, &deco, &deco_path);
    let mut out = Vec::new();
    for source in sources.iter().filter(|s| s.routes) {
        for c in deco.captures_iter(&source.text) {
            let path = c.name("a").or(c.name("b")).map_or("", |m| m.as_str());
            if rank(path) != Some(best) {
                continue;
            }
            let prefix = py_prefix(&c["recv"], &source.path, sources, &mount, 0);
            out.extend(Route::at(
                source,
                c.get(0).map_or(0, |m| m.start()),
                &prefix,
                path,
            ));
        }
    }
    out.extend(django(sources));
    out
}

/// The prefix of Python router `recv` defined in `file`: its own `prefix=`/`url_prefix=`
/// after the prefix it is mounted under; an app object (`FastAPI()`, `Flask()`) is the root.
fn py_prefix(recv: &str, file: &str, sources: &[Source], mount: &Regex, depth: usize) -> Prefix {
    let def = re(&format!(
        r#"\b{}\s*(?::\s*\w+\s*)?=\s*(?:\w+\.)?(?P<kind>APIRouter|Blueprint)\((?P<args>[^)]*)\)"#,
        regex::escape(recv)
    ));
    let kwarg = re(r#"\b(?:url_)?prefix\s*=\s*(?P<expr>[^,)]+)"#);
    let here = sources.iter().filter(|s| s.path == file);
    let Some(c) = here.chain(sources).find_map(|s| def.captures(&s.text)) else {
        return Prefix::Known(String::new());
    };
    if depth > MAX_MOUNTS {
        return Prefix::Unknown(format!("where `{recv}` is mounted"));
    }
    let own = kwarg
        .captures(&c["args"])
        .map_or(Prefix::Known(String::new()), |k| {
            literal_or_constant(&k["expr"], sources)
        });
    let outer_of = |r: &str, f: &str, d: usize| py_prefix(r, f, sources, mount, d);
    let mount_prefix = py_mounted(recv, file, mount, sources, &outer_of, depth)
        .unwrap_or_else(|| Prefix::Unknown(format!("where `{recv}` is mounted")));
    concat(mount_prefix, own)
}

/// Like [`mounted`], reading the `prefix=`/`url_prefix=` keyword of the mount call.
fn py_mounted(
    recv: &str,
    file: &str,
    mount: &Regex,
    sources: &[Source],
    outer_of: &dyn Fn(&str, &str, usize) -> Prefix,
    depth: usize,
) -> Option<Prefix> {
    let kwarg = re(r#"\b(?:url_)?prefix\s*=\s*(?P<expr>[^,)]+)"#);
    let names = import_names(file);
    for source in sources {
        for c in mount.captures_iter(&source.text) {
            let mut parts = c["target"].rsplit('.');
            let last = parts.next().unwrap_or_default();
            let before = parts.next();
            let alias = before.is_none()
                && re(&format!(
                    r"\b{}\s+as\s+{}\b",
                    regex::escape(recv),
                    regex::escape(last)
                ))
                .is_match(&source.text);
            if !alias
                && (last != recv || !bare_or_qualified(before, &names, &source.path, file, recv))
            {
                continue;
            }
            let prefix = c
                .name("args")
                .and_then(|a| kwarg.captures(a.as_str()))
                .map_or(Prefix::Known(String::new()), |k| {
                    literal_or_constant(&k["expr"], sources)
                });
            let outer = outer_of(&c["recv"], &source.path, depth + 1);
            return Some(concat(outer, prefix));
        }
    }
    None
}

/// Django URLconfs: `path("healthz/", ...)`, `re_path(r"^_health/?$", ...)`, under the
/// literal route of the `include("pkg.urls")` that mounts the module.
fn django(sources: &[Source]) -> Vec<Route> {
    let route = re(r#"\b(?:re_path|path|url)\(\s*r?(?:"(?P<a>[^"]*)"|'(?P<b>[^']*)')"#);
    let include = re(
        r#"\b(?:re_path|path|url)\(\s*(?P<expr>r?"[^"]*"|r?'[^']*'|[\w.]+)\s*,\s*include\(\s*(?:"(?P<m1>[\w.]+)"|'(?P<m2>[\w.]+)')"#,
    );
    let mut out = Vec::new();
    for source in sources.iter().filter(|s| s.routes && is_urlconf(&s.path)) {
        for c in route.captures_iter(&source.text) {
            let raw = c.name("a").or(c.name("b")).map_or("", |m| m.as_str());
            let Some(path) = django_path(raw) else {
                continue;
            };
            if rank(&path).is_none() {
                continue;
            }
            let prefix = django_prefix(&source.path, sources, &include, 0);
            out.extend(Route::at(
                source,
                c.get(0).map_or(0, |m| m.start()),
                &prefix,
                &path,
            ));
        }
    }
    out
}

fn is_urlconf(path: &str) -> bool {
    path.ends_with("/urls.py") || path == "urls.py" || path.contains("/urls/")
}

/// A Django route (`path` syntax or a simple regex) as a URL path; `None` for a regex
/// with more than anchors and optional slashes.
fn django_path(raw: &str) -> Option<String> {
    let text = raw.trim_start_matches('^').trim_end_matches('$');
    let text = text.replace("/?", "/");
    if text.contains(['(', '[', '\\', '*', '+', '?', '|', '{', '<', '$']) {
        return None;
    }
    Some(format!("/{text}"))
}

/// The literal route the module of `file` is included under (followed up to
/// [`MAX_MOUNTS`] includes); the root URLconf (included nowhere) is the root.
fn django_prefix(file: &str, sources: &[Source], include: &Regex, depth: usize) -> Prefix {
    let module = file.trim_end_matches(".py").replace('/', ".");
    for source in sources.iter().filter(|s| is_urlconf(&s.path)) {
        for c in include.captures_iter(&source.text) {
            let target = c.name("m1").or(c.name("m2")).map_or("", |m| m.as_str());
            if !(module == target || module.ends_with(&format!(".{target}"))) {
                continue;
            }
            let own = match literal_or_constant(&c["expr"], sources) {
                Prefix::Known(p) => match django_path(&p) {
                    Some(p) => Prefix::Known(p),
                    None => Prefix::Unknown(c["expr"].to_string()),
                },
                unknown => unknown,
            };
            if depth > MAX_MOUNTS {
                return Prefix::Unknown(c["expr"].to_string());
            }
            return concat(
                django_prefix(&source.path, sources, include, depth + 1),
                own,
            );
        }
    }
    Prefix::Known(String::new())
}
