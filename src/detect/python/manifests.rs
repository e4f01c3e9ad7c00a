//! The manifests: `pyproject.toml`, `Pipfile`, `requirements*.txt` (following `-r`
//! and `-c` includes) and `setup.py`/`setup.cfg`, reduced to dependency names split
//! into main and development sets.

use std::collections::BTreeSet;

use toml::{Table, Value};

use crate::detect::pep503::normalize;
use crate::detect::toml_error;
use crate::error::Result;
use crate::scan::Project;
use crate::validate;

/// Main requirement files, most specific first.
const MAIN_REQUIREMENTS: &[&str] = &[
    "requirements.txt",
    "requirements/production.txt",
    "requirements/prod.txt",
    "requirements/base.txt",
    "requirements/main.txt",
];
/// Development or test requirement files.
pub(crate) const DEV_REQUIREMENTS: &[&str] = &[
    "requirements-dev.txt",
    "requirements-test.txt",
    "requirements_dev.txt",
    "dev-requirements.txt",
    "test-requirements.txt",
    "requirements/dev.txt",
    "requirements/development.txt",
    "requirements/test.txt",
];
/// Longest `-r` include chain followed.
const MAX_INCLUDES: usize = 20;

/// What the manifests declare.
#[derive(Debug, Default)]
pub struct Manifests {
    /// `pyproject.toml`, parsed.
    pub pyproject: Option<Table>,
    /// `Pipfile`, parsed.
    pub pipfile: Option<Table>,
    /// The main requirements file, if any.
    pub requirements: Option<String>,
    /// The development requirements file, if any.
    pub dev_requirements: Option<String>,
    /// Every requirements file the main install reads (includes followed).
    pub requirement_files: Vec<String>,
    /// Requirements files only the development install reads.
    pub dev_requirement_files: Vec<String>,
    /// Whether every main requirement is pinned with `==` (or hashed).
    pub requirements_pinned: bool,
    /// A requirement that points into the project (`-e .`, `./lib`): needs the source.
    pub local_requirement: bool,
    /// Normalized names of production dependencies (`fastapi[standard]` adds `uvicorn`).
    pub main: BTreeSet<String>,
    /// Normalized names of development dependencies.
    pub dev: BTreeSet<String>,
}

impl Manifests {
    /// Reads every manifest present; `Ok(None)` when the project has none.
    pub fn read(project: &Project) -> Result<Option<Manifests>> {
        let mut m = Manifests {
            pyproject: parse(project, "pyproject.toml")?,
            pipfile: parse(project, "Pipfile")?,
            ..Default::default()
        };
        m.requirements = MAIN_REQUIREMENTS
            .iter()
            .find(|f| project.is_file(f))
            .map(|f| f.to_string());
        m.dev_requirements = DEV_REQUIREMENTS
            .iter()
            .find(|f| project.is_file(f))
            .map(|f| f.to_string());
        let setup = project.is_file("setup.py") || project.is_file("setup.cfg");
        if m.pyproject.is_none()
            && m.pipfile.is_none()
            && m.requirements.is_none()
            && m.dev_requirements.is_none()
            && !setup
        {
            return Ok(None);
        }
        if let Some(file) = m.requirements.clone() {
            let (names, pinned) = m.follow(project, &file)?;
            m.requirements_pinned = pinned;
            m.main.extend(names);
        }
        if let Some(file) = m.dev_requirements.clone() {
            let main_files = m.requirement_files.clone();
            let (names, _) = m.follow(project, &file)?;
            m.dev
                .extend(names.into_iter().filter(|n| !m.main.contains(n)));
            m.dev_requirement_files = m
                .requirement_files
                .iter()
                .filter(|f| !main_files.contains(f))
                .cloned()
                .collect();
            m.requirement_files = main_files;
        }
        m.read_pyproject();
        m.read_pipfile();
        if m.main.remove("fastapi[standard]") {
            m.main
                .extend(["fastapi".to_string(), "uvicorn".to_string()]);
        }
        m.dev.remove("fastapi[standard]");
        Ok(Some(m))
    }

    /// Whether `name` (normalized) is any kind of dependency.
    pub fn has(&self, name: &str) -> bool {
        self.main.contains(name) || self.dev.contains(name)
    }

    /// A string at a dotted path in `pyproject.toml`.
    pub fn py_str(&self, path: &[&str]) -> Option<&str> {
        self.py(path)?.as_str()
    }

    /// The value at a dotted path in `pyproject.toml`.
    pub fn py(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self.pyproject.as_ref()?.get(path[0])?;
        for key in &path[1..] {
            v = v.get(key)?;
        }
        Some(v)
    }

    /// `requires-python` from `[project]` or Poetry's `python` dependency.
    pub fn requires_python(&self) -> Option<String> {
        let poetry = self
            .py(&["tool", "poetry", "dependencies", "python"])
            .and_then(Value::as_str);
        let raw = self.py_str(&["project", "requires-python"]).or(poetry)?;
        // Poetry's `^3.11` means `>=3.11,<4.0`.
        Some(match raw.trim().strip_prefix('^') {
            Some(v) => format!(">={v},<4.0"),
            None => raw.trim().to_string(),
        })
    }

    /// The file `requires_python` came from.
    pub fn requires_python_file(&self) -> &'static str {
        "pyproject.toml"
    }

    /// `[requires] python_version` (or `python_full_version`) from the Pipfile.
    pub fn pipfile_python(&self) -> Option<String> {
        let req = self.pipfile.as_ref()?.get("requires")?;
        req.get("python_full_version")
            .or_else(|| req.get("python_version"))?
            .as_str()
            .map(String::from)
    }

    /// The build backend named in `[build-system]`, if any.
    pub fn build_backend(&self) -> Option<&str> {
        self.py_str(&["build-system", "build-backend"])
    }

    /// Reads a requirements file and its includes; returns names and whether every
    /// requirement is pinned.
    fn follow(&mut self, project: &Project, first: &str) -> Result<(BTreeSet<String>, bool)> {
        let mut names = BTreeSet::new();
        let mut pinned = true;
        let mut queue = vec![first.to_string()];
        while let Some(file) = queue.pop() {
            if self.requirement_files.contains(&file)
                || self.requirement_files.len() >= MAX_INCLUDES
            {
                continue;
            }
            let Some(text) = project.read(&file)? else {
                continue;
            };
            self.requirement_files.push(file.clone());
            let dir = file
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| format!("{d}/"));
            for line in logical_lines(&text) {
                let words: Vec<&str> = line.split_whitespace().collect();
                match words.as_slice() {
                    [flag, inc, ..]
                        if ["-r", "--requirement", "-c", "--constraint"].contains(flag) =>
                    {
                        let inc = format!("{dir}{inc}");
                        if validate::relative_path("requirements include", &inc).is_ok() {
                            queue.push(inc);
                        }
                    }
                    [flag, ..] if flag.starts_with("-e") || flag.starts_with("--editable") => {
                        self.local_requirement = true
                    }
                    [first, ..] if first.starts_with('.') || first.starts_with("file:") => {
                        self.local_requirement = true
                    }
                    [first, ..] if first.starts_with('-') => {}
                    _ => {
                        if let Some(name) = requirement_name(&line) {
                            pinned &= line.contains("==") || line.contains("--hash");
                            names.insert(name);
                        }
                    }
                }
            }
        }
        self.requirement_files.sort();
        Ok((names, pinned))
    }

    fn read_pyproject(&mut self) {
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter_map(requirement_name)
                        .collect()
                })
                .unwrap_or_default()
        };
        let keys = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_table)
                .map(|t| {
                    t.keys()
                        .map(|k| normalize(k))
                        .filter(|k| k != "python")
                        .collect()
                })
                .unwrap_or_default()
        };
        let main: Vec<String> = [
            strings(self.py(&["project", "dependencies"])),
            keys(self.py(&["tool", "poetry", "dependencies"])),
        ]
        .concat();
        let mut dev = Vec::new();
        for table in [
            self.py(&["project", "optional-dependencies"]),
            self.py(&["dependency-groups"]),
            self.py(&["tool", "pdm", "dev-dependencies"]),
        ] {
            for (_, list) in table.and_then(Value::as_table).into_iter().flatten() {
                dev.extend(strings(Some(list)));
            }
        }
        dev.extend(strings(self.py(&["tool", "uv", "dev-dependencies"])));
        for (_, group) in self
            .py(&["tool", "poetry", "group"])
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
        {
            dev.extend(keys(group.get("dependencies")));
        }
        dev.extend(keys(self.py(&["tool", "poetry", "dev-dependencies"])));
        self.add(main, dev);
    }

    fn read_pipfile(&mut self) {
        let Some(p) = &self.pipfile else { return };
        let keys = |k: &str| -> Vec<String> {
            p.get(k)
                .and_then(Value::as_table)
                .map(|t| t.keys().map(|k| normalize(k)).collect())
                .unwrap_or_default()
        };
        let (main, dev) = (keys("packages"), keys("dev-packages"));
        self.add(main, dev);
    }

    fn add(&mut self, main: Vec<String>, dev: Vec<String>) {
        self.main.extend(main);
        self.dev
            .extend(dev.into_iter().filter(|n| !self.main.contains(n)));
    }
}

fn parse(project: &Project, file: &str) -> Result<Option<Table>> {
    match project.read(file)? {
        None => Ok(None),
        Some(text) => text
            .parse::<Table>()
            .map(Some)
            .map_err(|e| toml_error(file, &text, &e)),
    }
}

/// Lines with comments removed and `\` continuations joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let line = match raw.find(" #").or(raw.starts_with('#').then_some(0)) {
            Some(i) => &raw[..i],
            None => raw,
        };
        let (line, more) = match line.trim_end().strip_suffix('\\') {
            Some(l) => (l, true),
            None => (line, false),
        };
        current.push_str(line.trim());
        current.push(' ');
        if !more {
            if !current.trim().is_empty() {
                out.push(current.trim().to_string());
            }
            current.clear();
        }
    }
    out
}

/// `Django>=5.0 ; python_version>"3.10"` → `django`; `fastapi[standard]` keeps its
/// `[standard]` extra (it brings uvicorn); other extras are dropped.
fn requirement_name(req: &str) -> Option<String> {
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.[],".contains(c)))
        .unwrap_or(req.len());
    let spec = req[..end].trim();
    let (name, extras) = match spec.split_once('[') {
        Some((n, e)) => (n, e.trim_end_matches(']')),
        None => (spec, ""),
    };
    if name.is_empty() || !name.chars().next()?.is_ascii_alphanumeric() {
        return None;
    }
    let name = normalize(name);
    if extras.split(',').any(|e| e.trim() == "standard") && name == "fastapi" {
        return Some("fastapi[standard]".into());
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_names_are_normalized_without_versions_or_markers() {
        assert_eq!(
            requirement_name("Django>=5.0 ; python_version > '3.10'").as_deref(),
            Some("django")
        );
        assert_eq!(
            requirement_name("psycopg2==2.9.10 --hash=sha256:abc").as_deref(),
            Some("psycopg2")
        );
        assert_eq!(
            requirement_name("uvicorn[standard]~=0.30").as_deref(),
            Some("uvicorn")
        );
        assert_eq!(
            requirement_name("fastapi[standard]>=0.115").as_deref(),
            Some("fastapi[standard]")
        );
        assert_eq!(
            requirement_name("Flask_SQLAlchemy").as_deref(),
            Some("flask-sqlalchemy")
        );
    }

    #[test]
    fn continuation_lines_join_and_comments_drop() {
        let lines =
            logical_lines("# top\nflask==3.1.0 \\\n    --hash=sha256:x  # pinned\n\n-r base.txt\n");
        assert_eq!(lines, vec!["flask==3.1.0 --hash=sha256:x", "-r base.txt"]);
    }

    #[test]
    fn includes_are_followed_and_their_files_recorded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("requirements")).unwrap();
        std::fs::write(
            dir.path().join("requirements.txt"),
            "-r requirements/base.txt\ngunicorn==23.0.0\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("requirements/base.txt"), "Django>=5\n").unwrap();
        let p = Project::scan(dir.path()).unwrap();
        let m = Manifests::read(&p).unwrap().unwrap();
        assert_eq!(
            m.requirement_files,
            vec!["requirements.txt", "requirements/base.txt"]
        );
        assert!(m.main.contains("django") && m.main.contains("gunicorn"));
        assert!(!m.requirements_pinned, "Django>=5 is not pinned");
    }
}
