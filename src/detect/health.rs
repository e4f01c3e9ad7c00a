//! The health route: the path the app's own code registers for health checks
//! (`/healthz`, `/api/health`, ...), found in route-registration context per framework,
//! with literal mount prefixes resolved. When the prefix is not a literal dockform can
//! read, it warns (naming the file and line) and leaves the check on `/`.

mod lang;
mod python;
#[cfg(test)]
mod tests;

use crate::detect::Detection;
use crate::scan::Project;
use crate::scan::line_column;
use crate::validate;

/// Source files read at most, and bytes in all (each file is also capped by
/// [`Project::read_source`]): the walk is breadth-first, so these are the shallow ones.
const MAX_FILES: usize = 2000;
const MAX_BYTES: usize = 24 * 1024 * 1024;

/// The last path segments that name a health route, best first by class: a dedicated
/// health route, then liveness, then readiness, then a generic status route.
const WORDS: &[(&str, u8)] = &[
    ("health", 0),
    ("healthz", 0),
    ("healthcheck", 0),
    ("health-check", 0),
    ("health_check", 0),
    ("livez", 1),
    ("liveness", 1),
    ("alive", 1),
    ("heartbeat", 1),
    ("ping", 1),
    ("readyz", 2),
    ("readiness", 2),
    ("ready", 2),
    ("status", 3),
];

/// Directories whose code does not serve the app: tests, examples, clients, docs.
const SKIPPED: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "e2e",
    "example",
    "examples",
    "fixtures",
    "testdata",
    "mocks",
    "__mocks__",
    "docs",
    "client",
    "clients",
    "sdk",
    "migrations",
];

/// Top-level directories served to browsers, not run by the server.
const ASSET_DIRS: &[&str] = &["public", "static", "assets"];

/// A source file of the app's stack.
pub(crate) struct Source {
    pub path: String,
    pub text: String,
    /// Whether a health word follows a quote or slash in it: only such files are
    /// searched for registrations (all are read for prefixes and constants).
    pub routes: bool,
}

/// A mount prefix: known text, or the expression dockform could not read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Prefix {
    Known(String),
    Unknown(String),
}

/// A health route found in the code.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Route {
    /// The full path, prefixes included.
    pub path: String,
    /// Where it is registered (relative path) and the 1-based line.
    pub file: String,
    pub line: usize,
    /// The registration as written.
    pub snippet: String,
    /// A prefix in front of it that is not a literal.
    pub unknown: Option<String>,
}

impl Route {
    /// A route registered at byte `offset` of `source`, under `prefix`.
    pub fn at(source: &Source, offset: usize, prefix: &Prefix, path: &str) -> Option<Route> {
        let (line, _) = line_column(&source.text, offset);
        let snippet = source.text[offset..]
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .chars()
            .take(80)
            .collect();
        let (full, unknown) = match prefix {
            Prefix::Known(p) => (join(p, path), None),
            Prefix::Unknown(e) => (join("", path), Some(e.clone())),
        };
        rank(&full)?;
        Some(Route {
            path: full,
            file: source.path.clone(),
            line,
            snippet,
            unknown,
        })
    }
}

/// The detection with the app's health route recorded (or a warning when its prefix
/// cannot be read). Skipped when the detector already set one, or no HTTP is served.
pub fn with_route(project: &Project, mut d: Detection) -> Detection {
    if d.layer.health_path.is_none() && d.layer.port != Some(0) {
        fill(project, &mut d);
    }
    d
}

fn fill(project: &Project, d: &mut Detection) {
    let stack = d.stack.clone();
    let sources = read_sources(project, &stack);
    let mut routes = lang::file_routes(project, &stack);
    routes.extend(match stack.as_str() {
        "node" | "nextjs" => lang::js(&sources),
        "go" => lang::go(&sources),
        "python" => python::python(&sources),
        "rust" => lang::rust(&sources),
        _ => Vec::new(),
    });
    let order = |r: &Route| (rank(&r.path), r.path.matches('/').count());
    let known = routes
        .iter()
        .filter(|r| r.unknown.is_none())
        .min_by_key(|r| order(r));
    match known {
        Some(r) => {
            d.layer.health_path = Some(r.path.clone());
            d.why(
                "health-path",
                Some(&r.file),
                format!(
                    "health route registered at line {}: `{}`",
                    r.line,
                    validate::shown(&r.snippet)
                ),
            );
        }
        None => {
            if let Some(r) = routes.iter().min_by_key(|r| order(r)) {
                d.warn(format!(
                    "health route `{}` ({}:{}) sits under a prefix dockform cannot read (`{}`); \
                     the HEALTHCHECK requests `/` (pass `--health-path` to use the route)",
                    validate::shown(&r.path),
                    r.file,
                    r.line,
                    validate::shown(r.unknown.as_deref().unwrap_or_default()),
                ));
            }
        }
    }
}

/// The class of a health path (lower is better), `None` when its last segment is not
/// a health word or a segment is not plain text (a parameter, a wildcard).
pub(crate) fn rank(path: &str) -> Option<u8> {
    let plain = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if !path.starts_with('/') || !segments.iter().all(|s| plain(s)) {
        return None;
    }
    let last = segments.last()?.trim_matches('_').to_ascii_lowercase();
    WORDS.iter().find(|(w, _)| *w == last).map(|(_, r)| *r)
}

/// `prefix` and `path` joined with single slashes; a trailing slash of `path` is kept.
pub(crate) fn join(prefix: &str, path: &str) -> String {
    let mut out = String::new();
    for part in [prefix, path] {
        for seg in part.split('/').filter(|s| !s.is_empty()) {
            out.push('/');
            out.push_str(seg);
        }
    }
    if out.is_empty() || (path.ends_with('/') && path.len() > 1) {
        out.push('/');
    }
    out
}

/// The stack's source files, minus tests, examples and client code, within the budgets.
fn read_sources(project: &Project, stack: &str) -> Vec<Source> {
    let exts: &[&str] = match stack {
        "node" | "nextjs" => &[".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"],
        "go" => &[".go"],
        "python" => &[".py"],
        "rust" => &[".rs"],
        _ => &[],
    };
    let mut out = Vec::new();
    let mut bytes = 0;
    let candidates = project
        .files()
        .filter(|f| exts.iter().any(|e| f.ends_with(e)) && !skipped(f));
    for path in candidates.take(MAX_FILES) {
        let Some(text) = project.read_source(path) else {
            continue;
        };
        bytes += text.len();
        if bytes > MAX_BYTES {
            break;
        }
        out.push(Source {
            path: path.to_string(),
            routes: mentions_a_route_word(&text),
            text,
        });
    }
    out
}

/// Whether a health word stands between a quote, slash or `_` and a quote, slash, `?`
/// or `$` (`'/healthz'`, `"_health/?$"`): a cheap filter before the route patterns.
fn mentions_a_route_word(text: &str) -> bool {
    let bytes = text.as_bytes();
    WORDS.iter().any(|(word, _)| {
        text.match_indices(word).any(|(i, _)| {
            let before = i.checked_sub(1).map(|j| bytes[j]);
            let after = bytes.get(i + word.len()).copied();
            // `status` is a common word in quotes (`status: 'active'`): only `/status` counts.
            let before_ok = if *word == "status" {
                matches!(before, Some(b'/'))
            } else {
                matches!(before, Some(b'\'' | b'"' | b'`' | b'/' | b'_'))
            };
            before_ok && matches!(after, Some(b'\'' | b'"' | b'`' | b'/' | b'?' | b'$'))
        })
    })
}

/// Whether `path` is a test, an example, client code or a declaration file.
fn skipped(path: &str) -> bool {
    let mut parts = path.split('/').rev();
    let name = parts.next().unwrap_or_default();
    let test_name = [".test.", ".spec.", ".stories.", ".d.ts", ".e2e.", ".min."]
        .iter()
        .any(|m| name.contains(m))
        || name.ends_with("_test.go")
        || name.ends_with("_test.py")
        || name.starts_with("test_")
        || name == "conftest.py";
    let top = path.split('/').next().unwrap_or_default();
    test_name || ASSET_DIRS.contains(&top) || parts.any(|dir| SKIPPED.contains(&dir))
}
