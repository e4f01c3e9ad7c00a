//! Go workspaces: the root `go.work` whose `use` lines name the member modules, each
//! member's module path and requirements, and which members each one imports, so an
//! app's image copies every member's module files (Go resolves versions across the
//! whole workspace) but only the sources of the members it builds from.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::go::gomod;
use super::workspace::ancestors;
use crate::scan::Project;

/// One module of a Go workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct GoMember {
    /// Its directory relative to the root, `.` for the root itself.
    pub dir: String,
    /// Its module path.
    pub module: String,
    /// Whether `go.sum` sits beside its `go.mod`.
    pub go_sum: bool,
    /// The module paths its `go.mod` requires.
    pub requires: Vec<String>,
    /// The module paths it requires at a placeholder version (`v0.0.0`,
    /// `v0.0.0-00010101000000-000000000000`), one no module proxy has.
    pub placeholders: Vec<String>,
    /// The module paths its `go.mod` replaces with a local directory.
    pub replaced: Vec<String>,
}

/// A `go.work` root.
#[derive(Debug, Clone)]
pub struct GoWorkspace {
    /// The root directory (canonical).
    pub root: PathBuf,
    /// `go.work`'s `go` and `toolchain` lines (a `GoMod` with no module).
    pub lines: gomod::GoMod,
    /// Whether `go.work.sum` is at the root.
    pub work_sum: bool,
    /// Whether `go work vendor` wrote `vendor/modules.txt` at the root.
    pub vendored: bool,
    /// The members whose `go.mod` reads, in `go.work`'s order.
    pub members: Vec<GoMember>,
    /// Each member's direct workspace dependencies, once read (its Go files are many).
    direct: std::cell::RefCell<std::collections::BTreeMap<String, Vec<String>>>,
}

impl GoWorkspace {
    /// Reads the workspace rooted at `root`; `None` without a `go.work` that names at
    /// least one readable member.
    pub fn at(root: &Path) -> Option<GoWorkspace> {
        let text = std::fs::read_to_string(root.join("go.work")).ok()?;
        let (lines, uses) = parse_work(&text);
        let mut members = Vec::new();
        for dir in uses {
            let Ok(m) = std::fs::read_to_string(root.join(&dir).join("go.mod")) else {
                continue;
            };
            let Ok(parsed) = gomod::parse(&m) else {
                continue;
            };
            if members.iter().any(|x: &GoMember| x.dir == dir) {
                continue;
            }
            members.push(GoMember {
                go_sum: root.join(&dir).join("go.sum").is_file(),
                replaced: local_replaces(&m),
                placeholders: placeholders(&m),
                requires: parsed.requires,
                module: parsed.module,
                dir,
            });
        }
        if members.is_empty() {
            return None;
        }
        Some(GoWorkspace {
            root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            lines,
            work_sum: root.join("go.work.sum").is_file(),
            vendored: root.join("vendor/modules.txt").is_file(),
            members,
            direct: Default::default(),
        })
    }

    /// The workspace `dir` is a member of (the root itself when it is `use .`), and
    /// the member's directory relative to the root.
    pub fn enclosing(dir: &Path) -> Option<(GoWorkspace, String)> {
        if !dir.join("go.mod").is_file() {
            return None;
        }
        let here = std::iter::once((dir.to_path_buf(), ".".to_string()));
        here.chain(ancestors(dir)).find_map(|(root, rel)| {
            if !root.join("go.work").is_file() {
                return None;
            }
            let ws = GoWorkspace::at(&root)?;
            ws.member(&rel)?;
            Some((ws, rel))
        })
    }

    /// Why a member cannot be built from the root as is: its directory is outside the
    /// root (`use ../shared`, not in the build context) or has a name a generated `COPY`
    /// line cannot hold (spaces, quotes, globs).
    pub fn unbuildable(&self) -> Option<String> {
        self.members.iter().find_map(|m| {
            let parts: Vec<&str> = m.dir.split('/').collect();
            if m.dir.starts_with('/') || parts.contains(&"..") {
                Some(format!(
                    "uses `{}`, outside the workspace root: the build context is the root, so that module cannot be copied into the image; move it under the root",
                    crate::validate::shown(&m.dir)
                ))
            } else if m.dir != "." && !parts.iter().all(|p| crate::validate::copyable_name(p)) {
                Some(format!(
                    "uses `{}`, a directory name a Dockerfile `COPY` line cannot hold as is (letters, digits and `._-@+` only); rename it",
                    crate::validate::shown(&m.dir)
                ))
            } else {
                None
            }
        })
    }

    /// The member in `dir`.
    pub fn member(&self, dir: &str) -> Option<&GoMember> {
        self.members.iter().find(|m| m.dir == dir)
    }

    /// The member whose directory holds `path` (the innermost one).
    pub fn owner(&self, path: &str) -> Option<&GoMember> {
        self.members
            .iter()
            .filter(|m| inside(path, &m.dir))
            .max_by_key(|m| if m.dir == "." { 0 } else { m.dir.len() + 1 })
    }

    /// The members `dir` builds from: itself and every member it imports or requires,
    /// transitively, sorted by directory.
    pub fn closure(&self, dir: &str) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![dir.to_string()];
        while let Some(d) = todo.pop() {
            if !seen.insert(d.clone()) {
                continue;
            }
            todo.extend(self.direct(&d).into_iter().filter(|n| !seen.contains(n)));
        }
        seen.into_iter().collect()
    }

    /// The members the member in `dir` names in its `go.mod` or imports from a Go file.
    fn direct(&self, dir: &str) -> Vec<String> {
        if let Some(known) = self.direct.borrow().get(dir) {
            return known.clone();
        }
        let found = self.read_direct(dir);
        self.direct
            .borrow_mut()
            .insert(dir.to_string(), found.clone());
        found
    }

    fn read_direct(&self, dir: &str) -> Vec<String> {
        let Some(me) = self.member(dir) else {
            return Vec::new();
        };
        let texts = self.go_texts(dir);
        self.members
            .iter()
            .filter(|o| o.dir != me.dir)
            .filter(|o| {
                me.requires.contains(&o.module)
                    || texts.iter().any(|t| {
                        t.contains(&format!("\"{}\"", o.module))
                            || t.contains(&format!("\"{}/", o.module))
                    })
            })
            .map(|o| o.dir.clone())
            .collect()
    }

    /// The text of the Go files (tests included: the test stage compiles them) of the
    /// member in `dir`, without those of members nested inside it, `vendor/` and
    /// `testdata/`.
    fn go_texts(&self, dir: &str) -> Vec<String> {
        let base = if dir == "." {
            self.root.clone()
        } else {
            self.root.join(dir)
        };
        let nested: Vec<String> = self
            .members
            .iter()
            .filter(|m| m.dir != dir && inside(&m.dir, dir))
            .map(|m| {
                m.dir
                    .strip_prefix(&format!("{dir}/"))
                    .unwrap_or(&m.dir)
                    .to_string()
            })
            .collect();
        let Ok(project) = Project::scan(&base) else {
            return Vec::new();
        };
        project
            .files()
            .filter(|f| f.ends_with(".go"))
            .filter(|f| {
                !f.split('/').any(|p| p == "vendor" || p == "testdata")
                    && !nested.iter().any(|n| inside(f, n))
            })
            .take(3000)
            .filter_map(|f| project.read_source(f))
            .collect()
    }

    /// Members that require another member at a placeholder version with no `replace`
    /// pointing at its directory. `go build` resolves the member from the workspace, but
    /// `go mod download` looks that version up in the module proxy (tried with Go 1.24:
    /// `module lookup disabled` offline), where a placeholder never exists. A published
    /// tag or a real commit's pseudo-version is found there, so it does not count.
    pub fn unreplaced(&self) -> Vec<(String, String)> {
        let modules: Vec<&str> = self.members.iter().map(|m| m.module.as_str()).collect();
        self.members
            .iter()
            .flat_map(|m| {
                m.requires
                    .iter()
                    .filter(|r| {
                        modules.contains(&r.as_str())
                            && m.placeholders.contains(r)
                            && !m.replaced.contains(r)
                    })
                    .map(|r| (m.dir.clone(), r.clone()))
            })
            .collect()
    }

    /// Whether any member requires a module from outside the workspace.
    pub fn downloads(&self) -> bool {
        let modules: Vec<&str> = self.members.iter().map(|m| m.module.as_str()).collect();
        self.members
            .iter()
            .flat_map(|m| &m.requires)
            .any(|r| !modules.contains(&r.as_str()))
    }
}

/// Whether `path` is `dir` or below it (`.` holds everything).
fn inside(path: &str, dir: &str) -> bool {
    dir == "." || path == dir || path.starts_with(&format!("{dir}/"))
}

/// `go.work`'s `go` and `toolchain` lines, and its `use` directories (normalized:
/// `./api/` → `api`, `.` stays `.`).
fn parse_work(text: &str) -> (gomod::GoMod, Vec<String>) {
    let mut lines = gomod::GoMod::default();
    let mut uses = Vec::new();
    let mut block: Option<&str> = None;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(word) = block {
            if line == ")" {
                block = None;
            } else if word == "use" {
                uses.push(use_dir(line));
            }
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "go" if gomod::major_minor(rest).is_some() => lines.go = Some(rest.to_string()),
            "toolchain" if gomod::major_minor(rest).is_some() => {
                lines.toolchain = Some(rest.trim_start_matches("go").to_string())
            }
            "use" | "replace" if rest == "(" => block = Some(word),
            "use" => uses.push(use_dir(rest)),
            _ => {}
        }
    }
    (lines, uses)
}

fn use_dir(entry: &str) -> String {
    let dir = entry.trim().trim_matches('"').trim_matches('`');
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        ".".into()
    } else {
        dir.to_string()
    }
}

/// The entries of a `go.mod` directive (`require`, `replace`), written on one line or in
/// a `( ... )` block, without comments.
fn entries<'a>(text: &'a str, directive: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut in_block = false;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if in_block {
            if line == ")" {
                in_block = false;
            } else if !line.is_empty() {
                out.push(line);
            }
        } else if let Some(rest) = line.strip_prefix(directive)
            && rest.starts_with(char::is_whitespace)
        {
            let rest = rest.trim();
            if rest == "(" {
                in_block = true;
            } else {
                out.push(rest);
            }
        }
    }
    out
}

/// The module paths a `go.mod` requires at a placeholder version.
fn placeholders(text: &str) -> Vec<String> {
    entries(text, "require")
        .into_iter()
        .filter_map(|entry| {
            let mut words = entry.split_whitespace();
            let (path, version) = (words.next()?, words.next()?);
            (version == "v0.0.0" || version.starts_with("v0.0.0-00010101000000-"))
                .then(|| path.trim_matches('"').to_string())
        })
        .collect()
}

/// The module paths a `go.mod` replaces with a local directory (`=> ../lib`).
fn local_replaces(text: &str) -> Vec<String> {
    entries(text, "replace")
        .into_iter()
        .filter_map(|entry| {
            let (old, new) = entry.split_once("=>")?;
            let new = new.trim().trim_matches('"');
            let local =
                new.starts_with("./") || new.starts_with("../") || new == "." || new == "..";
            local.then(|| {
                old.split_whitespace()
                    .next()
                    .map(|p| p.trim_matches('"').to_string())
            })?
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::repo as tree;

    const WORK: &[(&str, &str)] = &[
        (
            "go.work",
            "go 1.24\ntoolchain go1.24.4\n\nuse (\n\t./services/api // the API\n\t\"./libs/greet/\"\n\t./tools\n)\nuse ./services/worker\n",
        ),
        (
            "services/api/go.mod",
            "module example.com/api\n\ngo 1.24\n\nrequire example.com/greet v0.0.0-00010101000000-000000000000\n\nreplace example.com/greet => ../../libs/greet\n",
        ),
        (
            "services/api/main.go",
            "package main\n\nimport \"example.com/greet\"\n\nfunc main() { greet.Hi() }\n",
        ),
        (
            "services/worker/go.mod",
            "module example.com/worker\n\ngo 1.24\n\nrequire (\n\texample.com/greet v0.0.0\n\texample.com/tools v1.4.0\n\tgithub.com/x/y v1.2.3\n)\n",
        ),
        (
            "services/worker/main.go",
            "package main\n\nfunc main() {}\n",
        ),
        ("libs/greet/go.mod", "module example.com/greet\n\ngo 1.24\n"),
        ("libs/greet/greet.go", "package greet\n\nfunc Hi() {}\n"),
        ("tools/go.mod", "module example.com/tools\n\ngo 1.24\n"),
        (
            "tools/gen/gen_test.go",
            "package gen\n\nimport _ \"example.com/api/internal\"\n",
        ),
    ];

    #[test]
    fn reads_uses_in_both_forms_and_each_members_module() {
        let t = tree(WORK);
        let ws = GoWorkspace::at(t.path()).unwrap();
        let dirs: Vec<&str> = ws.members.iter().map(|m| m.dir.as_str()).collect();
        assert_eq!(
            dirs,
            ["services/api", "libs/greet", "tools", "services/worker"]
        );
        assert_eq!(ws.lines.go.as_deref(), Some("1.24"));
        assert_eq!(ws.lines.toolchain.as_deref(), Some("1.24.4"));
        assert_eq!(
            ws.member("services/api").unwrap().replaced,
            ["example.com/greet"]
        );
        assert!(!ws.work_sum && !ws.vendored);
    }

    #[test]
    fn the_closure_follows_requirements_and_imports_tests_included() {
        let t = tree(WORK);
        let ws = GoWorkspace::at(t.path()).unwrap();
        assert_eq!(ws.closure("services/api"), ["libs/greet", "services/api"]);
        // The worker requires greet and tools; tools imports the API from a test file.
        assert_eq!(
            ws.closure("services/worker"),
            ["libs/greet", "services/api", "services/worker", "tools"]
        );
        assert_eq!(ws.closure("tools"), ["libs/greet", "services/api", "tools"]);
    }

    #[test]
    fn a_placeholder_requirement_on_a_member_without_replace_rules_out_the_download_step() {
        let t = tree(WORK);
        let ws = GoWorkspace::at(t.path()).unwrap();
        // greet at v0.0.0 counts; tools at a published tag does not (the proxy has it).
        assert_eq!(
            ws.unreplaced(),
            [(
                "services/worker".to_string(),
                "example.com/greet".to_string()
            )]
        );
        assert!(ws.downloads(), "the worker requires github.com/x/y");
    }

    #[test]
    fn a_member_outside_the_root_or_with_an_uncopyable_name_is_named() {
        let t = tree(
            &[
                WORK,
                &[
                    ("go.work", "go 1.24\nuse ./tools\nuse \"./my tools\"\n"),
                    ("my tools/go.mod", "module example.com/mt\n"),
                ],
            ]
            .concat(),
        );
        let why = GoWorkspace::at(t.path()).unwrap().unbuildable().unwrap();
        assert!(
            why.contains("`my tools`") && why.contains("rename"),
            "{why}"
        );
        let t = tree(&[WORK, &[("go.work", "go 1.24\nuse ./tools\n")]].concat());
        assert_eq!(GoWorkspace::at(t.path()).unwrap().unbuildable(), None);
    }

    #[test]
    fn a_member_finds_its_workspace_and_a_stray_module_does_not() {
        let t = tree(&[WORK, &[("other/go.mod", "module example.com/other\n")]].concat());
        let (ws, rel) = GoWorkspace::enclosing(&t.path().join("services/api")).unwrap();
        assert_eq!(rel, "services/api");
        assert_eq!(ws.owner("services/api/cmd/x").unwrap().dir, "services/api");
        assert!(GoWorkspace::enclosing(&t.path().join("other")).is_none());
        assert!(GoWorkspace::enclosing(t.path()).is_none(), "no root module");
    }
}
