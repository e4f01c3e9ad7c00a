//! The outside packages a program links: its main package's imports, followed through
//! the module's own packages (and those of the workspace members it builds from). A
//! driver that `go.mod` requires but no reachable package imports (another main's
//! database, a migration tool) is not this program's service, and a driver that only a
//! workspace library requires is.

use std::collections::{BTreeMap, BTreeSet};

use super::source::GoFile;

/// One module's Go files, as [`super::source::read`] gives them.
pub struct Module<'a> {
    /// Its module path.
    pub path: &'a str,
    /// Its directory as seen from the project (`""` for the project's own module,
    /// `../../pkg/` for a workspace member).
    pub shown: String,
    /// Its non-test Go files.
    pub files: &'a [GoFile],
}

/// The import paths of a Go file's import declarations (`import "x"`, `import y "x"`,
/// and `import ( ... )` blocks).
pub fn of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut block = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or_default().trim();
        if block {
            if line.starts_with(')') {
                block = false;
            } else if let Some(path) = quoted(line) {
                out.push(path);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("import") {
            let rest = rest.trim_start();
            if rest.starts_with('(') {
                block = !rest.contains(')');
                if let Some(path) = quoted(rest.trim_start_matches('(')) {
                    out.push(path);
                }
            } else if let Some(path) = quoted(rest) {
                out.push(path);
            }
        } else if ["func ", "type ", "var ", "const "]
            .iter()
            .any(|k| line.starts_with(k))
        {
            break;
        }
    }
    out
}

/// The string in `"..."` (or a raw string) on an import line, after any name.
fn quoted(line: &str) -> Option<String> {
    let start = line.find(['"', '`'])?;
    let quote = line[start..].chars().next()?;
    let rest = &line[start + 1..];
    let end = rest.find(quote)?;
    Some(rest[..end].to_string()).filter(|p| !p.is_empty())
}

/// Every outside import reachable from the packages in `mains` (directories of
/// `modules[0]`), each with the first file that imports it as the project sees it,
/// sorted by import path.
pub fn reachable(modules: &[Module], mains: &[&str]) -> Vec<(String, String)> {
    // Each package: (module index, directory) -> its files.
    let mut packages: BTreeMap<(usize, String), Vec<&GoFile>> = BTreeMap::new();
    for (i, m) in modules.iter().enumerate() {
        for f in m.files.iter().filter(|f| !f.path.starts_with("vendor/")) {
            packages.entry((i, f.dir.clone())).or_default().push(f);
        }
    }
    // Longest module path first: a nested module owns its own paths.
    let mut order: Vec<usize> = (0..modules.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(modules[*i].path.len()));
    let local = |import: &str| -> Option<(usize, String)> {
        order.iter().find_map(|&i| {
            let path = modules[i].path;
            let dir = if import == path {
                ""
            } else {
                import.strip_prefix(path)?.strip_prefix('/')?
            };
            let key = (i, dir.to_string());
            packages.contains_key(&key).then_some(key)
        })
    };
    let mut seen: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut todo: Vec<(usize, String)> = mains
        .iter()
        .map(|d| (0, d.to_string()))
        .filter(|k| packages.contains_key(k))
        .collect();
    let mut outside: BTreeMap<String, String> = BTreeMap::new();
    while let Some(key) = todo.pop() {
        if seen.contains(&key) {
            continue;
        }
        for f in &packages[&key] {
            for import in of(&f.text) {
                match local(&import) {
                    Some(next) => todo.push(next),
                    None => {
                        let file = format!("{}{}", modules[key.0].shown, f.path);
                        outside.entry(import).or_insert(file);
                    }
                }
            }
        }
        seen.insert(key);
    }
    outside.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> GoFile {
        GoFile {
            path: path.into(),
            dir: path.rsplit_once('/').map_or("", |(d, _)| d).into(),
            package: "x".into(),
            text: text.into(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn import_declarations_in_every_form() {
        let text = "package main\n\nimport \"fmt\"\nimport db \"example.com/db\"\nimport (\n\t_ \"github.com/lib/pq\" // driver\n\t. \"strings\"\n\tr `github.com/redis/go-redis/v9`\n)\nimport (\"os\")\n\nfunc main() {}\nimport \"late\"\n";
        assert_eq!(
            of(text),
            [
                "fmt",
                "example.com/db",
                "github.com/lib/pq",
                "strings",
                "github.com/redis/go-redis/v9",
                "os"
            ]
        );
    }

    #[test]
    fn only_what_the_main_package_reaches_counts_across_workspace_members() {
        let app = [
            file(
                "cmd/api/main.go",
                "package main\nimport \"example.com/app/internal/store\"\nimport \"example.com/pkg/bus\"\n",
            ),
            file(
                "internal/store/store.go",
                "package store\nimport _ \"github.com/lib/pq\"\n",
            ),
            file(
                "cmd/migrate/main.go",
                "package main\nimport _ \"github.com/go-sql-driver/mysql\"\n",
            ),
        ];
        let lib = [
            file(
                "bus/bus.go",
                "package bus\nimport \"github.com/nats-io/nats.go\"\n",
            ),
            file(
                "sqlstore/mysql.go",
                "package sqlstore\nimport _ \"github.com/go-sql-driver/mysql\"\n",
            ),
        ];
        let modules = [
            Module {
                path: "example.com/app",
                shown: String::new(),
                files: &app,
            },
            Module {
                path: "example.com/pkg",
                shown: "../pkg/".into(),
                files: &lib,
            },
        ];
        assert_eq!(
            reachable(&modules, &["cmd/api"]),
            [
                (
                    "github.com/lib/pq".to_string(),
                    "internal/store/store.go".to_string()
                ),
                (
                    "github.com/nats-io/nats.go".to_string(),
                    "../pkg/bus/bus.go".to_string()
                ),
            ]
        );
    }
}
