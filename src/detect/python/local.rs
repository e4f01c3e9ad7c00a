//! Python path dependencies that leave the build context: uv and Poetry `path` sources,
//! Pipfile `path` entries, PEP 508 `name @ file:...` and requirement lines naming a
//! directory (`-e ../lib`, `../lib`). Each is a warning naming the file (see
//! [`crate::detect::outside`]).

use toml::Value;

use super::manifests::Manifests;
use crate::detect::{Detection, outside};
use crate::scan::Project;

/// `dir`: the project's directory within the build context (a uv workspace member
/// builds from the workspace root).
pub fn check(project: &Project, m: &Manifests, dir: &str, d: &mut Detection) {
    let mut found: Vec<(String, String, String)> = Vec::new(); // (file, name, path)
    if let Some(py) = &m.pyproject {
        let tool = py.get("tool");
        let uv = tool
            .and_then(|t| t.get("uv"))
            .and_then(|u| u.get("sources"));
        paths_in(uv, "pyproject.toml", &mut found);
        let poetry = tool.and_then(|t| t.get("poetry"));
        for section in ["dependencies", "dev-dependencies"] {
            paths_in(
                poetry.and_then(|p| p.get(section)),
                "pyproject.toml",
                &mut found,
            );
        }
        if let Some(groups) = poetry
            .and_then(|p| p.get("group"))
            .and_then(Value::as_table)
        {
            for g in groups.values() {
                paths_in(g.get("dependencies"), "pyproject.toml", &mut found);
            }
        }
        let project_deps = py
            .get("project")
            .and_then(|p| p.get("dependencies"))
            .and_then(Value::as_array);
        for req in project_deps.into_iter().flatten().filter_map(Value::as_str) {
            if let Some((name, path)) = direct_reference(req) {
                found.push(("pyproject.toml".into(), name, path));
            }
        }
    }
    if let Some(pipfile) = &m.pipfile {
        for section in ["packages", "dev-packages"] {
            paths_in(pipfile.get(section), "Pipfile", &mut found);
        }
    }
    for file in m.requirement_files.iter().chain(&m.dev_requirement_files) {
        let Ok(Some(text)) = project.read(file) else {
            continue;
        };
        for line in text.lines() {
            if let Some((name, path)) = requirement_path(line) {
                found.push((file.clone(), name, path));
            }
        }
    }
    let mut seen = Vec::new();
    for (file, name, path) in found {
        if outside::escapes(dir, &path) && !seen.contains(&path) {
            outside::warn(d, &file, "the local package", &name, &path);
            seen.push(path);
        }
    }
}

/// `name = { path = "..." }` entries of a dependency table.
fn paths_in(table: Option<&Value>, file: &str, found: &mut Vec<(String, String, String)>) {
    let Some(t) = table.and_then(Value::as_table) else {
        return;
    };
    for (name, spec) in t {
        if let Some(path) = spec.get("path").and_then(Value::as_str) {
            found.push((file.to_string(), name.clone(), path.to_string()));
        }
    }
}

/// `name @ file:../x` (PEP 508 direct reference to a local path).
fn direct_reference(req: &str) -> Option<(String, String)> {
    let (name, url) = req.split_once('@')?;
    let url = url.split(';').next()?.trim();
    let path = url
        .strip_prefix("file://")
        .or_else(|| url.strip_prefix("file:"))?;
    let name = name.split('[').next()?.trim();
    Some((name.to_string(), path.to_string()))
}

/// A requirements line naming a local directory: `-e ../lib`, `../lib`, `./lib[x]`,
/// `name @ file:../lib`.
fn requirement_path(line: &str) -> Option<(String, String)> {
    let line = line.split(" #").next()?.trim();
    if let Some(r) = direct_reference(line) {
        return Some(r);
    }
    let target = line
        .strip_prefix("-e")
        .or_else(|| line.strip_prefix("--editable"))
        .map(|r| r.trim_start_matches('=').trim())
        .unwrap_or(line);
    let target = target.strip_prefix("file:").unwrap_or(target);
    if !(target.starts_with("../") || target.starts_with("./") || target.starts_with('/')) {
        return None;
    }
    let path = target.split('[').next()?.trim();
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    Some((name.to_string(), path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::Table;

    #[test]
    fn requirement_lines_that_name_a_directory_are_read() {
        let r = |l| requirement_path(l);
        assert_eq!(
            r("-e ../shared"),
            Some(("shared".into(), "../shared".into()))
        );
        assert_eq!(
            r("../libs/core[extra]"),
            Some(("core".into(), "../libs/core".into()))
        );
        assert_eq!(
            r("money @ file:../money"),
            Some(("money".into(), "../money".into()))
        );
        assert_eq!(r("flask==3.1.0"), None);
        assert_eq!(r("-e ."), None);
        assert_eq!(r("-r requirements-base.txt"), None);
    }

    #[test]
    fn path_sources_of_every_tool_are_found() {
        let py: Table = "[project]\nname = \"a\"\ndependencies = [\"b @ file:///opt/b\"]\n[tool.uv.sources]\nc = { path = \"../c\" }\nd = { workspace = true }\n[tool.poetry.group.dev.dependencies]\ne = { path = \"../e\", develop = true }\n".parse().unwrap();
        let mut found = Vec::new();
        let tool = py.get("tool");
        paths_in(
            tool.and_then(|t| t.get("uv"))
                .and_then(|u| u.get("sources")),
            "pyproject.toml",
            &mut found,
        );
        let groups = tool
            .and_then(|t| t.get("poetry"))
            .and_then(|p| p.get("group"))
            .and_then(Value::as_table)
            .unwrap();
        for g in groups.values() {
            paths_in(g.get("dependencies"), "pyproject.toml", &mut found);
        }
        let names: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(names, ["c", "e"]);
        assert_eq!(
            direct_reference("b @ file:///opt/b"),
            Some(("b".into(), "/opt/b".into()))
        );
    }
}
