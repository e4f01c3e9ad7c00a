//! uv workspaces: the root `pyproject.toml` whose `[tool.uv.workspace]` lists member
//! globs, the one `uv.lock` beside it, each member's name and the members it depends
//! on, so an app's dependency layer copies only the manifests of its closure.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::detect::pep503::normalize;
use crate::error::{Error, Result};
use crate::scan::Project;

/// One package of a uv workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct UvMember {
    /// Its directory, relative to the root (`services/api`).
    pub dir: String,
    /// Its `[project] name`, normalized (PEP 503: lower case, runs of `-_.` as `-`).
    pub name: String,
    /// The normalized names of every requirement it declares (dependencies, optional
    /// dependencies and dependency groups), workspace or not.
    pub deps: BTreeSet<String>,
    /// Whether it looks like an app at a glance (console scripts, or a server framework
    /// among its dependencies): listed first when the root is refused.
    pub runs: bool,
}

/// Server frameworks and servers whose presence marks a member as an app at a glance.
const SERVERS: &[&str] = &[
    "fastapi",
    "django",
    "flask",
    "starlette",
    "litestar",
    "uvicorn",
    "gunicorn",
    "sanic",
    "aiohttp",
    "quart",
    "tornado",
    "falcon",
    "bottle",
    "granian",
    "hypercorn",
];

/// A uv workspace root.
#[derive(Debug, Clone)]
pub struct UvWorkspace {
    /// The root directory (canonical).
    pub root: PathBuf,
    /// Whether `uv.lock` is at the root.
    pub locked: bool,
    /// The members its globs match (the root excluded), sorted by directory.
    pub members: Vec<UvMember>,
}

impl UvWorkspace {
    /// Reads the workspace rooted at `root`; `None` when its `pyproject.toml` declares
    /// no `[tool.uv.workspace]` or its globs match no member.
    pub fn at(root: &Path) -> Option<UvWorkspace> {
        let project = Project::scan(root).ok()?;
        let py: toml::Table = project.read("pyproject.toml").ok()??.parse().ok()?;
        let ws = py.get("tool")?.get("uv")?.get("workspace")?;
        let list = |key: &str| -> Vec<String> {
            ws.get(key)
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(toml::Value::as_str)
                .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_string())
                .collect()
        };
        let exclude = list("exclude");
        let mut dirs: BTreeSet<String> = BTreeSet::new();
        for pattern in list("members") {
            let candidates = match pattern.strip_suffix("/*") {
                Some(parent) => project
                    .subdirs(parent)
                    .into_iter()
                    .map(|d| format!("{parent}/{d}"))
                    .collect(),
                None if pattern == "*" => project.subdirs(""),
                None => vec![pattern.clone()],
            };
            // The directory lands in `COPY` lines: a name with spaces, quotes or
            // control characters is not a member dockform can build.
            dirs.extend(candidates.into_iter().filter(|d| {
                !d.is_empty()
                    && d != "."
                    && !d.split('/').any(|part| part == "..")
                    && d.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c))
                    && project.is_file(&format!("{d}/pyproject.toml"))
                    && !exclude.iter().any(|e| super::workspace::globs(e, d))
            }));
        }
        let members: Vec<UvMember> = dirs.iter().filter_map(|d| member(&project, d)).collect();
        if members.is_empty() {
            return None;
        }
        Some(UvWorkspace {
            root: project.root().to_path_buf(),
            locked: project.is_file("uv.lock"),
            members,
        })
    }

    /// The workspace that `dir` is a member of, looking up from it, with `dir`
    /// relative to its root.
    pub fn enclosing(dir: &Path) -> Option<(UvWorkspace, String)> {
        super::workspace::ancestors(dir).find_map(|(root, rel)| {
            let text = std::fs::read_to_string(root.join("pyproject.toml")).ok()?;
            if !text.contains("workspace") {
                return None;
            }
            let ws = UvWorkspace::at(&root)?;
            ws.member(&rel).is_some().then_some((ws, rel))
        })
    }

    /// The member in `dir`.
    pub fn member(&self, dir: &str) -> Option<&UvMember> {
        self.members.iter().find(|m| m.dir == dir)
    }

    /// `dir` and the directories of every member it depends on, directly or not,
    /// sorted: whose manifests its dependency install reads.
    pub fn closure(&self, dir: &str) -> Vec<String> {
        super::workspace::closure(self.members.iter().map(|m| (&m.name, &m.dir, &m.deps)), dir)
    }
}

/// A virtual uv workspace root (no `[project]` of its own) runs nothing: the refusal
/// names its members and the flag that chooses the apps.
pub fn refuse_root(project: &Project) -> Result<()> {
    let is_virtual = project
        .read("pyproject.toml")?
        .and_then(|t| t.parse::<toml::Table>().ok())
        .is_some_and(|t| !t.contains_key("project"));
    let Some(ws) = is_virtual
        .then(|| UvWorkspace::at(project.root()))
        .flatten()
    else {
        return Ok(());
    };
    const SHOWN: usize = 12;
    let mut members: Vec<&UvMember> = ws.members.iter().collect();
    members.sort_by_key(|m| !m.runs);
    let mut names: Vec<String> = members
        .iter()
        .take(SHOWN)
        .map(|m| crate::validate::shown(&m.dir))
        .collect();
    if ws.members.len() > SHOWN {
        names.push(format!("and {} more", ws.members.len() - SHOWN));
    }
    let example = shell_words::quote(&members[0].dir).into_owned();
    Err(Error::bad_input(
        "pyproject.toml",
        format!(
            "makes this a uv workspace root (members: {}); choose the apps to containerize (repeat `--app`, or use `--app all` for every member that runs a program), e.g. `dockform init --app {example}`",
            names.join(", ")
        ),
    ))
}

fn strings(v: Option<&toml::Value>) -> Vec<&str> {
    v.and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .collect()
}

fn member(project: &Project, dir: &str) -> Option<UvMember> {
    let py: toml::Table = project
        .read(&format!("{dir}/pyproject.toml"))
        .ok()??
        .parse()
        .ok()?;
    let p = py.get("project")?;
    // A PEP 508 name only: it lands in `uv sync --package NAME`.
    let name = Some(p.get("name")?.as_str()?)
        .filter(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .map(normalize)?;
    let mut reqs: Vec<&str> = Vec::new();
    reqs.extend(strings(p.get("dependencies")));
    for table in [p.get("optional-dependencies"), py.get("dependency-groups")]
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table)
    {
        for v in table.values() {
            reqs.extend(strings(Some(v)));
        }
    }
    let deps: BTreeSet<String> = reqs.into_iter().map(requirement_name).collect();
    let scripts = p
        .get("scripts")
        .and_then(toml::Value::as_table)
        .is_some_and(|t| !t.is_empty());
    Some(UvMember {
        dir: dir.to_string(),
        name,
        runs: scripts || SERVERS.iter().any(|s| deps.contains(*s)),
        deps,
    })
}

/// The distribution name a PEP 508 requirement starts with (`shared[x]>=1; ...`).
fn requirement_name(req: &str) -> String {
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or(req.len());
    normalize(&req[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::repo as tree;

    #[test]
    fn members_closures_and_exclusions() {
        let t = tree(&[
            (
                "pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"services/*\", \"libs/*\"]\nexclude = [\"libs/old\"]\n",
            ),
            ("uv.lock", "version = 1\n"),
            (
                "services/api/pyproject.toml",
                "[project]\nname = \"Api\"\ndependencies = [\"Shared_Core>=0.1\", \"httpx\", \"fastapi\"]\n",
            ),
            (
                "services/worker/pyproject.toml",
                "[project]\nname = \"worker\"\n[dependency-groups]\ndev = [\"api\"]\n",
            ),
            (
                "libs/core/pyproject.toml",
                "[project]\nname = \"shared.core\"\ndependencies = [\"util ; python_version>'3'\"]\n",
            ),
            ("libs/util/pyproject.toml", "[project]\nname = \"util\"\n"),
            ("libs/old/pyproject.toml", "[project]\nname = \"old\"\n"),
            ("libs/notes/README.md", "not a package\n"),
            (
                "libs/bad name/pyproject.toml",
                "[project]\nname = \"bad\"\n",
            ),
        ]);
        let ws = UvWorkspace::at(t.path()).unwrap();
        let dirs: Vec<&str> = ws.members.iter().map(|m| m.dir.as_str()).collect();
        assert_eq!(
            dirs,
            ["libs/core", "libs/util", "services/api", "services/worker"]
        );
        assert!(ws.locked);
        assert_eq!(
            ws.closure("services/api"),
            ["libs/core", "libs/util", "services/api"]
        );
        assert_eq!(
            ws.closure("services/worker"),
            ["libs/core", "libs/util", "services/api", "services/worker"]
        );
        let (found, rel) = UvWorkspace::enclosing(&t.path().join("libs/util")).unwrap();
        assert_eq!((found.members.len(), rel.as_str()), (4, "libs/util"));
        assert!(UvWorkspace::enclosing(&t.path().join("libs/old")).is_none());
        let err = refuse_root(&Project::scan(t.path()).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("members: services/api, libs/core")
                && err.contains("`dockform init --app services/api`"),
            "{err}"
        );
    }
}
