//! What a Rust build needs that the image build cannot find on its own, each a warning
//! naming the file and the fix before `docker build` fails:
//! - a `compile_error!` gated on features the default build leaves off (vaultwarden's
//!   `build.rs` wants one database backend chosen);
//! - sqlx's `query!` family, which checks SQL against a live database at compile time
//!   unless offline data (`.sqlx/`, or `sqlx-data.json` before sqlx 0.7) is committed;
//! - path dependencies (and `[patch]` entries) outside the project, which the build
//!   context cannot reach.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use toml::{Table, Value};

use super::listen::line_of;
use super::manifest::{self, Package};
use crate::detect::{Detection, outside};
use crate::scan::Project;

/// `#[cfg(not(...))]` directly before `compile_error!`: the features it names.
static GATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"#\[cfg\(\s*not\s*\(((?:[^()\]]|\([^()]*\))*)\)\s*\)\]\s*compile_error!"#)
        .expect("valid regex")
});
static FEATURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"feature\s*=\s*"([^"]+)""#).expect("valid regex"));
static SQLX_MACRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\bsqlx::)?\b(?:query|query_as|query_scalar|query_file|query_file_as)(?:_unchecked)?!\s*\(")
        .expect("valid regex")
});

/// Every check, on the package built (`features`: those the build command turns on
/// beyond the defaults, its `required-features`).
pub fn check(
    project: &Project,
    pkg: &Package,
    root: &Table,
    features: &[String],
    d: &mut Detection,
) {
    let files = sources(project, pkg);
    feature_gates(project, pkg, features, &files, d);
    sqlx_offline(project, pkg, &files, d);
    outside_paths(pkg, root, d);
}

/// The package's own Rust files: `build.rs` and `src/**` (tests left out).
fn sources(project: &Project, pkg: &Package) -> Vec<String> {
    let prefix = manifest::join(&pkg.dir, "src/");
    let build = manifest::join(&pkg.dir, "build.rs");
    project
        .files()
        .filter(|f| (f.starts_with(&prefix) || *f == build) && f.ends_with(".rs"))
        .filter(|f| !f.contains("/tests/") && !f.ends_with("/tests.rs"))
        .take(500)
        .map(String::from)
        .collect()
}

/// The features a build turns on: `default` and `extra`, each with what it enables in
/// the same package (`dep:x` and `x/y` forms name other crates).
fn enabled(manifest: &Table, extra: &[String]) -> BTreeSet<String> {
    let table = manifest.get("features").and_then(Value::as_table);
    let mut on = BTreeSet::new();
    let mut todo: Vec<String> = extra.to_vec();
    todo.push("default".into());
    while let Some(f) = todo.pop() {
        if f.contains('/') || f.starts_with("dep:") || !on.insert(f.clone()) {
            continue;
        }
        if let Some(list) = table.and_then(|t| t.get(&f)).and_then(Value::as_array) {
            todo.extend(list.iter().filter_map(Value::as_str).map(String::from));
        }
    }
    on
}

fn feature_gates(
    project: &Project,
    pkg: &Package,
    extra: &[String],
    files: &[String],
    d: &mut Detection,
) {
    let on = enabled(&pkg.manifest, extra);
    for file in files {
        let Some(text) = project.read_source(file) else {
            continue;
        };
        if !text.contains("compile_error!") {
            continue;
        }
        for m in GATE.captures_iter(&text) {
            let inner = &m[1];
            // `not(any(feature = "a", feature = "b"))` or `not(feature = "a")`; a gate
            // mixing in other cfgs (a target, `all(...)`) is not ours to judge.
            let t = inner.trim();
            let plain =
                t.starts_with("feature") || (t.starts_with("any") && !t[3..].contains("all("));
            let names: Vec<String> = FEATURE
                .captures_iter(inner)
                .map(|c| c[1].to_string())
                .collect();
            if !plain || names.is_empty() || names.iter().any(|n| on.contains(n)) {
                continue;
            }
            let line = line_of(&text, m.get(0).map_or(0, |g| g.start()));
            let list = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let build = d
                .layer
                .build_command
                .as_deref()
                .unwrap_or("cargo build --release");
            let fix = format!("{build} --features {}", names[0]);
            d.warn(format!(
                "{file} line {line}: `compile_error!` stops the build unless {} {list} is enabled, and the default features enable none: choose one, e.g. `--build-command '{fix}'` (or add it to `default` in `Cargo.toml`)",
                if names.len() > 1 { "one of the features" } else { "the feature" },
            ));
            return;
        }
    }
}

/// Whether `name` is a dependency of the package (directly or through the workspace).
fn depends_on(pkg: &Package, name: &str) -> bool {
    ["dependencies", "dev-dependencies", "build-dependencies"]
        .iter()
        .any(|s| pkg.manifest.get(*s).and_then(|t| t.get(name)).is_some())
}

fn sqlx_offline(project: &Project, pkg: &Package, files: &[String], d: &mut Detection) {
    if !depends_on(pkg, "sqlx") {
        return;
    }
    let offline = [".sqlx", "sqlx-data.json"]
        .iter()
        .flat_map(|f| [manifest::join(&pkg.dir, f), (*f).to_string()])
        .any(|f| project.is_dir(&f) || project.is_file(&f));
    if offline {
        return;
    }
    for file in files {
        let Some(text) = project.read_source(file) else {
            continue;
        };
        if let Some(m) = SQLX_MACRO.find(&text) {
            let line = line_of(&text, m.start());
            d.warn(format!(
                "{file} line {line}: sqlx's `{}` checks SQL against a live database at compile time, and no offline data (`.sqlx/`) is committed, so the image build fails: run `cargo sqlx prepare` and commit `.sqlx/` (`sqlx-data.json` before sqlx 0.7)",
                m.as_str().trim_end_matches(['(', ' ', '\n', '\t'])
            ));
            return;
        }
    }
}

/// `path = "..."` of every dependency table of the package and of the workspace root
/// (`[workspace.dependencies]`, `[patch.*]`) that leaves the project.
fn outside_paths(pkg: &Package, root: &Table, d: &mut Detection) {
    let mut seen = Vec::new();
    let mut visit = |dir: &str, file: &str, table: Option<&Value>, what: &str| {
        let Some(deps) = table.and_then(Value::as_table) else {
            return;
        };
        for (name, spec) in deps {
            let Some(path) = spec.get("path").and_then(Value::as_str) else {
                continue;
            };
            if outside::escapes(dir, path) && !seen.contains(&name.clone()) {
                seen.push(name.clone());
                outside::warn(d, file, what, name, path);
            }
        }
    };
    let pkg_file = manifest::join(&pkg.dir, "Cargo.toml");
    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        visit(
            &pkg.dir,
            &pkg_file,
            pkg.manifest.get(section),
            "the path dependency",
        );
    }
    if let Some(targets) = pkg.manifest.get("target").and_then(Value::as_table) {
        for t in targets.values() {
            for section in ["dependencies", "build-dependencies"] {
                visit(&pkg.dir, &pkg_file, t.get(section), "the path dependency");
            }
        }
    }
    let ws = root.get("workspace");
    visit(
        "",
        "Cargo.toml",
        ws.and_then(|w| w.get("dependencies")),
        "the workspace dependency",
    );
    if let Some(patches) = root.get("patch").and_then(Value::as_table) {
        for p in patches.values() {
            visit("", "Cargo.toml", Some(p), "the `[patch]` of");
        }
    }
}
