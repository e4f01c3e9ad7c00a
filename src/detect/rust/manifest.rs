//! Cargo manifests: the packages of a project (root, workspace members, path
//! dependencies) and the targets Cargo would build from each, with the files behind them.

use std::collections::BTreeSet;

use toml::{Table, Value};

use crate::detect::toml_error;
use crate::error::{Error, Result};
use crate::scan::Project;

/// One binary target.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    /// The built file's name (`[[bin]] name`, else the package or file name).
    pub name: String,
    /// Its source file, relative to the project.
    pub path: String,
    /// `required-features`, passed as `--features` when it is built.
    pub required_features: Vec<String>,
}

/// One package and every source file Cargo needs to load it.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// Its directory relative to the project (`""` for the root).
    pub dir: String,
    /// `package.name`.
    pub name: String,
    /// `package.default-run`.
    pub default_run: Option<String>,
    /// Binary targets.
    pub bins: Vec<Bin>,
    /// Entry files of targets that start with `main` (bins, examples, tests, benches, build script).
    pub mains: Vec<String>,
    /// Entry files of library targets.
    pub libs: Vec<String>,
    /// The parsed manifest.
    pub manifest: Table,
}

/// `dir/rel` without a leading `./` or `/`.
pub fn join(dir: &str, rel: &str) -> String {
    let rel = rel.trim_start_matches("./");
    if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

/// Resolves `.` and `..` segments; `None` when the path leaves the project.
fn normalize(path: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s),
        }
    }
    Some(out.join("/"))
}

/// Reads and parses `dir/Cargo.toml`; `Ok(None)` when absent.
pub fn read(project: &Project, dir: &str) -> Result<Option<Table>> {
    let path = join(dir, "Cargo.toml");
    let Some(text) = project.read(&path)? else {
        return Ok(None);
    };
    text.parse::<Table>()
        .map(Some)
        .map_err(|e| toml_error(&path, &text, &e))
}

fn str_of<'a>(t: &'a Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(Value::as_str)
}

fn tables<'a>(t: &'a Table, key: &str) -> Vec<&'a Table> {
    t.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_table).collect())
        .unwrap_or_default()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `package.<key>` (`autobins`, ...) leaves target discovery on.
fn auto(pkg: &Table, key: &str) -> bool {
    pkg.get(key).and_then(Value::as_bool).unwrap_or(true)
}

/// The package in `dir` with its targets, as Cargo discovers them.
pub fn package(project: &Project, dir: &str, manifest: Table) -> Result<Package> {
    let file = join(dir, "Cargo.toml");
    let pkg = manifest
        .get("package")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    let name = str_of(&pkg, "name")
        .ok_or_else(|| Error::bad_input(&file, "`[package]` has no `name`"))?
        .to_string();
    let at = |rel: &str| join(dir, rel);
    let exists = |rel: &str| project.is_file(&at(rel));
    let mut bins: Vec<Bin> = Vec::new();
    for t in tables(&manifest, "bin") {
        let bin_name = str_of(t, "name")
            .ok_or_else(|| Error::bad_input(&file, "a `[[bin]]` has no `name`"))?;
        let path = match str_of(t, "path") {
            Some(p) => p.to_string(),
            None => {
                let tried = [
                    format!("src/bin/{bin_name}.rs"),
                    format!("src/bin/{bin_name}/main.rs"),
                ];
                // Cargo still accepts `src/main.rs` for a `[[bin]]` without a path.
                tried
                    .into_iter()
                    .find(|p| exists(p))
                    .unwrap_or_else(|| "src/main.rs".to_string())
            }
        };
        bins.push(Bin {
            name: bin_name.to_string(),
            path: at(&path),
            required_features: strings(t.get("required-features")),
        });
    }
    if auto(&pkg, "autobins") {
        let mut found: Vec<(String, String)> = Vec::new();
        if exists("src/main.rs") {
            found.push((name.clone(), at("src/main.rs")));
        }
        let prefix = at("src/bin/");
        for f in project
            .files()
            .filter_map(|f| f.strip_prefix(prefix.as_str()))
        {
            let stem = match f.split_once('/') {
                None => f.strip_suffix(".rs"),
                Some((d, "main.rs")) => Some(d),
                Some(_) => None,
            };
            if let Some(stem) = stem {
                found.push((stem.to_string(), format!("{prefix}{f}")));
            }
        }
        for (bin_name, path) in found {
            if !bins.iter().any(|b| b.name == bin_name || b.path == path) {
                bins.push(Bin {
                    name: bin_name,
                    path,
                    required_features: Vec::new(),
                });
            }
        }
    }
    let mut mains: Vec<String> = bins.iter().map(|b| b.path.clone()).collect();
    for (kind, folder) in [
        ("example", "examples"),
        ("test", "tests"),
        ("bench", "benches"),
    ] {
        for t in tables(&manifest, kind) {
            let Some(n) = str_of(t, "name") else { continue };
            let path = str_of(t, "path").map(String::from).unwrap_or_else(|| {
                let nested = format!("{folder}/{n}/main.rs");
                if exists(&nested) {
                    nested
                } else {
                    format!("{folder}/{n}.rs")
                }
            });
            mains.push(at(&path));
        }
    }
    match pkg.get("build") {
        Some(Value::String(p)) => mains.push(at(p)),
        Some(Value::Boolean(false)) => {}
        _ if exists("build.rs") => mains.push(at("build.rs")),
        _ => {}
    }
    let lib_path = manifest
        .get("lib")
        .and_then(Value::as_table)
        .and_then(|l| str_of(l, "path"));
    let libs = match lib_path {
        Some(p) => vec![at(p)],
        None if exists("src/lib.rs") => vec![at("src/lib.rs")],
        None => Vec::new(),
    };
    mains.sort();
    mains.dedup();
    Ok(Package {
        dir: dir.to_string(),
        name,
        default_run: str_of(&pkg, "default-run").map(String::from),
        bins,
        mains,
        libs,
        manifest,
    })
}

/// Directories of workspace members: `workspace.members` globs minus `exclude`,
/// each holding a `Cargo.toml`.
pub fn members(project: &Project, root: &Table) -> Vec<String> {
    let Some(ws) = root.get("workspace").and_then(Value::as_table) else {
        return Vec::new();
    };
    let set = |key: &str| {
        let mut b = globset::GlobSetBuilder::new();
        for p in strings(ws.get(key)) {
            if let Ok(g) =
                globset::GlobBuilder::new(p.trim_start_matches("./").trim_end_matches('/'))
                    .literal_separator(true)
                    .build()
            {
                b.add(g);
            }
        }
        b.build().unwrap_or_else(|_| globset::GlobSet::empty())
    };
    let (include, exclude) = (set("members"), set("exclude"));
    project
        .files()
        .filter_map(|f| f.strip_suffix("/Cargo.toml"))
        .filter(|d| include.is_match(d) && !exclude.is_match(d))
        .map(String::from)
        .collect()
}

/// Directories of `path` dependencies of a package, inside the project.
pub fn path_deps(pkg: &Package) -> Vec<String> {
    let mut sections: Vec<&Table> = Vec::new();
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    sections.extend(
        kinds
            .iter()
            .filter_map(|k| pkg.manifest.get(*k).and_then(Value::as_table)),
    );
    if let Some(targets) = pkg.manifest.get("target").and_then(Value::as_table) {
        for t in targets.values().filter_map(Value::as_table) {
            sections.extend(
                kinds
                    .iter()
                    .filter_map(|k| t.get(*k).and_then(Value::as_table)),
            );
        }
    }
    sections
        .iter()
        .flat_map(|s| s.values())
        .filter_map(|d| d.as_table().and_then(|t| str_of(t, "path")))
        .filter_map(|p| normalize(&join(&pkg.dir, p)))
        .collect()
}

/// Every package Cargo loads: the root package (if any), the workspace members and,
/// transitively, path dependencies inside the project.
pub fn all(project: &Project, root: Table) -> Result<Vec<Package>> {
    let mut queue: Vec<String> = members(project, &root);
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut out = Vec::new();
    if root.contains_key("package") {
        let p = package(project, "", root)?;
        queue.extend(path_deps(&p).into_iter().filter(|d| seen.insert(d.clone())));
        out.push(p);
    }
    while let Some(dir) = queue.pop() {
        if dir.is_empty() {
            continue;
        }
        let Some(manifest) = read(project, &dir)? else {
            continue;
        };
        let p = package(project, &dir, manifest)?;
        queue.extend(path_deps(&p).into_iter().filter(|d| seen.insert(d.clone())));
        out.push(p);
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(out)
}
