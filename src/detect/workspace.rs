//! Workspaces: the JavaScript workspace (npm, Yarn, pnpm, Bun) a directory belongs to,
//! its packages and each package's workspace dependency closure; and, for the other
//! stacks, the enclosing Cargo, Go or uv workspace a member directory sits in.
//!
//! A member is found from its own directory by looking up (at most four levels, never
//! past the directory holding `.git`) for a root whose workspace globs match it. The
//! build context of a member is that root, and its lockfile is the root's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::scan::Project;

// Lockfiles of a JavaScript workspace root, in order of preference, with their
// manager: the same as a single package's.
use super::node::LOCKFILES;

/// Dependency sections that can name another workspace package.
const SECTIONS: &[&str] = &[
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
];

/// One package of a JavaScript workspace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Member {
    /// Its directory, relative to the root (`apps/web`).
    pub dir: String,
    /// Its `name` (the directory when it has none).
    pub name: String,
    /// The names of every package it depends on, workspace or not.
    #[serde(skip)]
    pub deps: BTreeSet<String>,
}

/// A JavaScript workspace root.
#[derive(Debug, Clone, Serialize)]
pub struct JsWorkspace {
    /// The root directory (canonical).
    pub root: PathBuf,
    /// The file that declares it (`package.json` or `pnpm-workspace.yaml`).
    pub file: String,
    /// The package manager id (`npm`, `pnpm`, `yarn`, `bun`).
    pub package_manager: String,
    /// The version its `packageManager` field pins (`4.5.3`), if any.
    pub pm_version: Option<String>,
    /// The root's lockfile, if any.
    pub lockfile: Option<String>,
    /// Whether `pnpm-workspace.yaml` declares catalogs (`catalog:` versions).
    pub catalogs: bool,
    /// The packages its globs match (the root excluded).
    pub members: Vec<Member>,
    /// Dependencies declared in the root's own `package.json`.
    #[serde(skip)]
    pub root_deps: BTreeSet<String>,
}

impl JsWorkspace {
    /// Reads the workspace rooted at `root`; `None` when it declares none or its globs
    /// match no package besides the root.
    pub fn at(root: &Path) -> Option<JsWorkspace> {
        let project = Project::scan(root).ok()?;
        let json: Value = serde_json::from_str(&project.read("package.json").ok()??).ok()?;
        let (file, patterns, catalogs) = if let Some(w) = json.get("workspaces") {
            let list = w.get("packages").unwrap_or(w);
            let patterns: Vec<String> = list
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect();
            ("package.json", patterns, false)
        } else {
            let text = project.read("pnpm-workspace.yaml").ok()??;
            let catalogs = text
                .lines()
                .any(|l| l.starts_with("catalog:") || l.starts_with("catalogs:"));
            (
                "pnpm-workspace.yaml",
                super::node::pnpm_packages(&text),
                catalogs,
            )
        };
        let dirs = super::node::workspace_apps(&project, &patterns);
        if dirs.is_empty() {
            return None;
        }
        let members = dirs.iter().filter_map(|d| member(&project, d)).collect();
        let lock = LOCKFILES.iter().find(|(f, _)| project.is_file(f));
        let field = json.get("packageManager").and_then(Value::as_str);
        let declared = field
            .and_then(|p| p.split('@').next())
            .filter(|n| ["npm", "pnpm", "yarn", "bun"].contains(n));
        // `yarn@4.5.3+sha512...` pins 4.5.3; a malformed version pins nothing.
        let pm_version = field
            .and_then(|p| p.split_once('@'))
            .map(|(_, v)| v.split('+').next().unwrap_or(v).to_string())
            .filter(|v| crate::validate::version("`packageManager`", v).is_ok());
        let package_manager = declared
            .or(lock.map(|(_, pm)| *pm))
            .or((file == "pnpm-workspace.yaml").then_some("pnpm"))
            .unwrap_or("npm")
            .to_string();
        Some(JsWorkspace {
            root: project.root().to_path_buf(),
            file: file.to_string(),
            lockfile: lock
                .filter(|(_, pm)| package_manager.starts_with(pm))
                .map(|(f, _)| f.to_string()),
            package_manager,
            pm_version: declared.and(pm_version),
            catalogs,
            members,
            root_deps: dep_names(&json),
        })
    }

    /// The workspace that `dir` is a member of, looking up from it.
    pub fn enclosing(dir: &Path) -> Option<(JsWorkspace, String)> {
        ancestors(dir).find_map(|(root, rel)| {
            let maybe = root.join("pnpm-workspace.yaml").is_file()
                || std::fs::read_to_string(root.join("package.json"))
                    .is_ok_and(|t| t.contains("\"workspaces\""));
            if !maybe {
                return None;
            }
            let ws = JsWorkspace::at(&root)?;
            ws.members.iter().any(|m| m.dir == rel).then_some((ws, rel))
        })
    }

    /// The member in `dir`.
    pub fn member(&self, dir: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.dir == dir)
    }

    /// `dir` and the directories of every workspace package it depends on, directly
    /// or not, sorted: what its dependency install needs.
    pub fn closure(&self, dir: &str) -> Vec<String> {
        closure(self.members.iter().map(|m| (&m.name, &m.dir, &m.deps)), dir)
    }
}

/// `dir` and the directories of every member it depends on, directly or not, sorted,
/// from each member's (name, directory, dependency names): any workspace's closure.
pub fn closure<'a>(
    members: impl Iterator<Item = (&'a String, &'a String, &'a BTreeSet<String>)>,
    dir: &str,
) -> Vec<String> {
    let members: Vec<_> = members.collect();
    let by_name: BTreeMap<&str, _> = members.iter().map(|m| (m.0.as_str(), m)).collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<_> = members.iter().filter(|m| m.1 == dir).collect();
    while let Some((_, mdir, deps)) = todo.pop() {
        if !seen.insert((*mdir).clone()) {
            continue;
        }
        todo.extend(deps.iter().filter_map(|d| by_name.get(d.as_str()).copied()));
    }
    seen.into_iter().collect()
}

fn member(project: &Project, dir: &str) -> Option<Member> {
    let text = project.read(&format!("{dir}/package.json")).ok()??;
    let json: Value = serde_json::from_str(&text).ok()?;
    let name = json
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(dir)
        .to_string();
    Some(Member {
        dir: dir.to_string(),
        name,
        deps: dep_names(&json),
    })
}

fn dep_names(json: &Value) -> BTreeSet<String> {
    SECTIONS
        .iter()
        .filter_map(|s| json.get(*s).and_then(Value::as_object))
        .flat_map(|o| o.keys().cloned())
        .collect()
}

/// The ancestors of `dir` a workspace root may be, each with `dir` relative to it:
/// at most four levels up, stopping at the directory that holds `.git`.
pub(crate) fn ancestors(dir: &Path) -> impl Iterator<Item = (PathBuf, String)> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let top = dir.ancestors().position(|a| a.join(".git").exists());
    let start = dir.clone();
    dir.ancestors()
        .enumerate()
        .skip(1)
        .take_while(move |(i, _)| *i <= 4 && top.is_none_or(|t| *i <= t))
        .map(|(_, a)| a.to_path_buf())
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(move |a| {
            let rel = start.strip_prefix(&a).ok()?.to_string_lossy().into_owned();
            Some((a, rel))
        })
}

/// A workspace of another stack that a directory is a member of.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherWorkspace {
    /// `..`, `../..`: the root, relative to the member.
    pub up: String,
    /// The member, relative to the root.
    pub member: String,
    /// The file that makes the root a workspace (`Cargo.toml`, `go.work`, ...).
    pub file: &'static str,
    /// What kind (`a Cargo workspace`, ...).
    pub kind: &'static str,
}

/// The Cargo workspace, `go.work` or uv workspace (or a root `uv.lock`) that `dir` is
/// a member of.
pub fn other_enclosing(dir: &Path) -> Option<OtherWorkspace> {
    ancestors(dir).find_map(|(root, rel)| {
        let up = vec![".."; rel.split('/').count()].join("/");
        let found = |file, kind| {
            Some(OtherWorkspace {
                up: up.clone(),
                member: rel.clone(),
                file,
                kind,
            })
        };
        let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap_or_default();
        if dir.join("Cargo.toml").is_file() {
            let cargo: toml::Table = read("Cargo.toml").parse().unwrap_or_default();
            let members = cargo
                .get("workspace")
                .and_then(|w| w.get("members"))
                .and_then(toml::Value::as_array);
            if members.is_some_and(|m| m.iter().filter_map(|v| v.as_str()).any(|g| globs(g, &rel)))
            {
                return found("Cargo.toml", "a Cargo workspace");
            }
        }
        if dir.join("go.mod").is_file() {
            let uses = read("go.work");
            if uses.lines().any(|l| {
                let l = l
                    .trim()
                    .trim_start_matches("use")
                    .trim()
                    .trim_matches(['(', ')']);
                l.trim_start_matches("./").trim_end_matches('/') == rel
            }) {
                return found("go.work", "a Go workspace (`go.work`)");
            }
        }
        if dir.join("pyproject.toml").is_file() {
            let py: toml::Table = read("pyproject.toml").parse().unwrap_or_default();
            let members = py
                .get("tool")
                .and_then(|t| t.get("uv"))
                .and_then(|u| u.get("workspace"))
                .and_then(|w| w.get("members"))
                .and_then(toml::Value::as_array);
            if members.is_some_and(|m| m.iter().filter_map(|v| v.as_str()).any(|g| globs(g, &rel)))
            {
                return found("pyproject.toml", "a uv workspace");
            }
            if root.join("uv.lock").is_file() && !dir.join("uv.lock").is_file() {
                return found("uv.lock", "a uv project whose lockfile is at its root");
            }
        }
        None
    })
}

/// Whether a workspace member glob (`crates/*`, `apps/api`) matches `rel`.
pub(crate) fn globs(pattern: &str, rel: &str) -> bool {
    let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
    globset::Glob::new(pattern)
        .map(|g| g.compile_matcher().is_match(rel))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::repo as tree;

    #[test]
    fn a_member_finds_its_pnpm_root_lockfile_and_closure() {
        let t = tree(&[
            ("package.json", r#"{"dependencies":{"next":"16"}}"#),
            (
                "pnpm-workspace.yaml",
                "packages:\n  - apps/*\n  - packages/*\ncatalog:\n  react: 19.0.0\n",
            ),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            (
                "apps/web/package.json",
                r#"{"name":"web","dependencies":{"@acme/ui":"workspace:*","react":"catalog:"}}"#,
            ),
            (
                "packages/ui/package.json",
                r#"{"name":"@acme/ui","dependencies":{"@acme/util":"workspace:*"}}"#,
            ),
            ("packages/util/package.json", r#"{"name":"@acme/util"}"#),
            ("packages/other/package.json", r#"{"name":"other"}"#),
        ]);
        let (ws, rel) = JsWorkspace::enclosing(&t.path().join("apps/web")).unwrap();
        assert_eq!(rel, "apps/web");
        assert_eq!(ws.package_manager, "pnpm");
        assert_eq!(ws.lockfile.as_deref(), Some("pnpm-lock.yaml"));
        assert!(ws.catalogs);
        assert!(ws.root_deps.contains("next"));
        assert_eq!(
            ws.closure("apps/web"),
            ["apps/web", "packages/ui", "packages/util"]
        );
    }

    #[test]
    fn a_directory_outside_the_globs_is_not_a_member() {
        let t = tree(&[
            ("package.json", r#"{"workspaces":["apps/*"]}"#),
            ("package-lock.json", "{}"),
            ("apps/a/package.json", r#"{"name":"a"}"#),
            ("tools/x/package.json", r#"{"name":"x"}"#),
        ]);
        assert!(JsWorkspace::enclosing(&t.path().join("tools/x")).is_none());
        let (ws, _) = JsWorkspace::enclosing(&t.path().join("apps/a")).unwrap();
        assert_eq!(ws.package_manager, "npm");
        assert_eq!(ws.lockfile.as_deref(), Some("package-lock.json"));
    }

    #[test]
    fn cargo_go_and_uv_members_name_their_root() {
        let t = tree(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
            ("crates/srv/Cargo.toml", "[package]\nname = \"srv\"\n"),
            ("go.work", "go 1.26\n\nuse (\n\t./svc\n)\n"),
            ("svc/go.mod", "module example.com/svc\n"),
            ("uv.lock", "version = 1\n"),
            ("py/api/pyproject.toml", "[project]\nname = \"api\"\n"),
        ]);
        let cargo = other_enclosing(&t.path().join("crates/srv")).unwrap();
        assert_eq!((cargo.file, cargo.up.as_str()), ("Cargo.toml", "../.."));
        assert_eq!(
            other_enclosing(&t.path().join("svc")).unwrap().file,
            "go.work"
        );
        let uv = other_enclosing(&t.path().join("py/api")).unwrap();
        assert_eq!((uv.file, uv.member.as_str()), ("uv.lock", "py/api"));
        assert!(other_enclosing(t.path()).is_none());
    }

    fn detect_in(dir: &Path) -> crate::error::Result<super::super::Detection> {
        let p = Project::scan(dir).unwrap();
        let presets = crate::preset::Presets::embedded().unwrap();
        super::super::detect(&p, &presets, None, &crate::layer::Layer::default())
    }

    #[test]
    fn a_member_whose_next_is_declared_at_the_root_is_nextjs_with_the_root_lockfile() {
        // The member declares no `next` and has no lockfile: both are the root's.
        let t = tree(&[
            (
                "package.json",
                r#"{"workspaces":["apps/*"],"dependencies":{"next":"16.0.0"}}"#,
            ),
            ("pnpm-workspace.yaml", "packages:\n  - apps/*\n"),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            (
                "apps/frontend/package.json",
                r#"{"name":"frontend","scripts":{"build":"next build","start":"next start"}}"#,
            ),
            (
                "apps/backend/package.json",
                r#"{"name":"backend","scripts":{"start":"node dist/main.js"}}"#,
            ),
        ]);
        let d = detect_in(&t.path().join("apps/frontend")).unwrap();
        assert_eq!(d.stack, "nextjs");
        // A sibling that does not run `next` stays a Node.js app.
        let d2 = detect_in(&t.path().join("apps/backend")).unwrap();
        assert_eq!(d2.stack, "node");
        assert_eq!(d.layer.package_manager.as_deref(), Some("pnpm"));
        assert_eq!(d.extra["lockfile"].value, Value::from("pnpm-lock.yaml"));
        assert_eq!(d.extra["workspace_root"].value, Value::from("../.."));
        assert!(
            !d.warnings.iter().any(|w| w.contains("no lockfile")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn a_cargo_member_is_refused_with_the_root_and_its_binary() {
        let t = tree(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
            ("Cargo.lock", "version = 4\n"),
            (
                "crates/srv/Cargo.toml",
                "[package]\nname = \"srv\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
            ),
            ("crates/srv/src/main.rs", "fn main() {}\n"),
        ]);
        let err = detect_in(&t.path().join("crates/srv"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a Cargo workspace in `../..`")
                && err.contains("e.g. `dockform init ../.. --bin srv`"),
            "{err}"
        );
    }
}
