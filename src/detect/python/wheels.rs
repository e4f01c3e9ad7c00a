//! The wheel files a lockfile lists (`uv.lock` and `poetry.lock` name every file of
//! every locked package), and whether one installs on the image's Python and platform
//! without compiling. Pinned requirements name no files, so they cannot tell offline.

use std::collections::{BTreeMap, BTreeSet};

use crate::detect::pep503::normalize;
use crate::error::Result;
use crate::scan::Project;

/// The files of each locked package, by normalized name.
pub struct Lock {
    /// `uv.lock` or `poetry.lock`.
    pub file: &'static str,
    packages: BTreeMap<String, Vec<String>>,
    /// Packages locked with a source distribution (a newer Python can compile them).
    sdists: BTreeSet<String>,
    /// Packages only ever required under a Python-version marker (`tomli` for
    /// `python_version < "3.11"`): their wheels say nothing about the chosen Python.
    conditional: BTreeSet<String>,
}

/// A lockfile's limit on the Python version: a locked package whose wheels are all
/// CPython-specific (`cp312`: no `abi3` or pure-Python wheel) has none for a newer Python.
pub struct WheelCap {
    /// The lockfile (`uv.lock`, `poetry.lock`).
    pub file: &'static str,
    /// The package that sets the limit.
    pub package: String,
    /// The newest CPython line its wheels support (`3.12`).
    pub line: String,
}

/// The limits a lockfile sets: `hard` from packages without a source distribution
/// (they cannot install on a newer Python), `wheels` from every package (a newer
/// Python must compile it, which needs compilers and fails for many old releases).
#[derive(Default)]
pub struct Caps {
    pub hard: Option<WheelCap>,
    pub wheels: Option<WheelCap>,
}

/// The platform the image installs on.
pub struct Target<'a> {
    /// The CPython minor line, `3.13`.
    pub python: &'a str,
    /// Whether the C library is musl (Alpine) rather than glibc.
    pub musl: bool,
}

impl Lock {
    /// Reads `uv.lock` or `poetry.lock`; None when neither exists or parses.
    pub fn read(project: &Project) -> Result<Option<Lock>> {
        for (file, key) in [("uv.lock", "wheels"), ("poetry.lock", "files")] {
            let Some(text) = project.read(file)? else {
                continue;
            };
            let Ok(lock) = text.parse::<toml::Table>() else {
                return Ok(None);
            };
            // Poetry before 1.2 lists the files apart, under `[metadata.files]`.
            let old_files: BTreeMap<String, &toml::Value> = lock
                .get("metadata")
                .and_then(|m| m.get("files"))
                .and_then(|f| f.as_table())
                .into_iter()
                .flatten()
                .map(|(k, v)| (normalize(k), v))
                .collect();
            let mut out = Lock {
                file,
                packages: BTreeMap::new(),
                sdists: BTreeSet::new(),
                conditional: BTreeSet::new(),
            };
            let mut unconditional = BTreeSet::new();
            for pkg in lock
                .get("package")
                .and_then(|p| p.as_array())
                .into_iter()
                .flatten()
            {
                let name = normalize(pkg.get("name").and_then(|n| n.as_str()).unwrap_or(""));
                let listed = pkg.get(key).or_else(|| old_files.get(&name).copied());
                let files: Vec<String> = listed
                    .and_then(|w| w.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|w| {
                        ["url", "file", "filename", "path"]
                            .iter()
                            .find_map(|k| w.get(*k).and_then(|u| u.as_str()))
                    })
                    .map(|u| u.rsplit('/').next().unwrap_or(u).to_string())
                    .collect();
                if pkg.get("sdist").is_some() || files.iter().any(|f| !f.ends_with(".whl")) {
                    out.sdists.insert(name.clone());
                }
                for (dep, python_marker) in dependencies(pkg) {
                    if python_marker {
                        out.conditional.insert(dep);
                    } else {
                        unconditional.insert(dep);
                    }
                }
                out.packages.entry(name).or_default().extend(files);
            }
            out.conditional.retain(|n| !unconditional.contains(n));
            return Ok(Some(out));
        }
        Ok(None)
    }

    /// The limits the locked wheels set on the Python version (see [`Caps`]).
    pub fn caps(&self) -> Caps {
        let mut caps = Caps::default();
        for (name, files) in &self.packages {
            if self.conditional.contains(name) {
                continue;
            }
            let names: Vec<&str> = files.iter().map(String::as_str).collect();
            let Some(top) = newest_cpython(&names) else {
                continue;
            };
            let cap = || WheelCap {
                file: self.file,
                package: name.clone(),
                line: format!("3.{top}"),
            };
            let lower = |c: &Option<WheelCap>| {
                c.as_ref()
                    .is_none_or(|c| top < c.line[2..].parse().unwrap_or(u32::MAX))
            };
            if !self.sdists.contains(name) && lower(&caps.hard) {
                caps.hard = Some(cap());
            }
            if lower(&caps.wheels) {
                caps.wheels = Some(cap());
            }
        }
        caps
    }

    /// Whether the package is locked at all.
    pub fn has(&self, name: &str) -> bool {
        self.packages.contains_key(name)
    }

    /// A locked wheel of `name` that installs on `target` (linux x86_64), if any.
    pub fn wheel_for(&self, name: &str, target: &Target) -> Option<&str> {
        self.packages
            .get(name)?
            .iter()
            .find(|f| installs(f, target))
            .map(String::as_str)
    }
}

/// A locked package's dependencies, each with whether it carries a Python-version
/// marker: Poetry's `[package.dependencies]` table, uv's `dependencies` array.
fn dependencies(pkg: &toml::Value) -> Vec<(String, bool)> {
    let python = |m: Option<&str>| {
        m.is_some_and(|m| m.contains("python_version") || m.contains("python_full_version"))
    };
    fn marker(v: &toml::Value) -> Option<&str> {
        v.get("markers")
            .or_else(|| v.get("marker"))
            .and_then(|m| m.as_str())
    }
    match pkg.get("dependencies") {
        Some(toml::Value::Table(t)) => t
            .iter()
            .map(|(name, spec)| {
                // A list of specs (one per Python range) is conditional when each is.
                let conditional = match spec {
                    toml::Value::Array(a) => a.iter().all(|s| python(marker(s))),
                    s => python(marker(s)),
                };
                (normalize(name), conditional)
            })
            .collect(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .filter_map(|d| {
                let name = d.get("name")?.as_str()?;
                Some((normalize(name), python(marker(d))))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The newest CPython minor among wheel file names, or None when any wheel works on
/// every Python (`py3-none`, `abi3`) or none names a CPython version.
fn newest_cpython(wheels: &[&str]) -> Option<u32> {
    let mut top = None;
    for name in wheels.iter().filter(|n| n.ends_with(".whl")) {
        let parts: Vec<&str> = name.trim_end_matches(".whl").split('-').collect();
        if parts.len() < 5 {
            return None;
        }
        let (py, abi) = (parts[parts.len() - 3], parts[parts.len() - 2]);
        if abi == "abi3" || abi == "none" || py.split('.').any(|t| t.starts_with("py")) {
            return None;
        }
        for tag in py.split('.') {
            let minor = tag.strip_prefix("cp3").and_then(|m| m.parse::<u32>().ok());
            top = top.max(minor);
        }
    }
    top
}

/// Whether the wheel file `name` installs on `target`: its Python tag is this CPython,
/// a stable-ABI (`abi3`) build for an older one, or pure Python (`py3-none`); its
/// platform is any, or Linux x86_64 for the target's C library.
fn installs(name: &str, target: &Target) -> bool {
    let Some(stem) = name.strip_suffix(".whl") else {
        return false;
    };
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() < 5 {
        return false;
    }
    let (py, abi, plat) = (
        parts[parts.len() - 3],
        parts[parts.len() - 2],
        parts[parts.len() - 1],
    );
    let Some(minor) = target
        .python
        .strip_prefix("3.")
        .and_then(|m| m.parse::<u32>().ok())
    else {
        return false;
    };
    let python_ok = py.split('.').any(|tag| {
        if tag == "py3" || tag == "py2.py3" {
            return abi == "none";
        }
        match tag.strip_prefix("cp3").and_then(|m| m.parse::<u32>().ok()) {
            Some(m) if abi == "abi3" => m <= minor,
            Some(m) => m == minor && abi.starts_with(&format!("cp3{minor}")),
            None => false,
        }
    });
    let libc = if target.musl {
        "musllinux"
    } else {
        "manylinux"
    };
    let platform_ok = plat.split('.').any(|p| {
        p == "any"
            || (p.starts_with(libc) && p.ends_with("x86_64"))
            || (!target.musl && p.starts_with("linux_x86_64"))
    });
    python_ok && platform_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_compiled_package_with_old_wheels_prefers_the_newest_python_they_cover() {
        // Poetry 1.1's layout: the files under `[metadata.files]`. `oldlib` has a
        // source distribution and wheels up to CPython 3.10; `backport` (wheels to 3.8)
        // is required only on old Pythons and is ignored.
        let lock = r#"
[[package]]
name = "oldlib"
version = "0.26.0"

[[package]]
name = "app-dep"
version = "1.0"

[package.dependencies]
backport = {version = "*", markers = 'python_version < "3.9"'}

[[package]]
name = "backport"
version = "0.2"

[metadata]
lock-version = "1.1"

[metadata.files]
oldlib = [
    {file = "oldlib-0.26.0-cp39-cp39-manylinux_2_17_x86_64.whl", hash = "sha256:00"},
    {file = "oldlib-0.26.0-cp310-cp310-manylinux_2_17_x86_64.whl", hash = "sha256:00"},
    {file = "oldlib-0.26.0.tar.gz", hash = "sha256:00"},
]
app-dep = [{file = "app_dep-1.0-py3-none-any.whl", hash = "sha256:00"}]
backport = [
    {file = "backport-0.2-cp38-cp38-manylinux_2_17_x86_64.whl", hash = "sha256:00"},
    {file = "backport-0.2.tar.gz", hash = "sha256:00"},
]
"#;
        let py = "[tool.poetry]\nname = \"svc\"\npackage-mode = false\n[tool.poetry.dependencies]\npython = \"^3.9\"\noldlib = \"*\"\n";
        let app = "from flask import Flask\napp = Flask(__name__)\n";
        let d = crate::detect::python::frozen::tests::run(&[
            ("pyproject.toml", py),
            ("poetry.lock", lock),
            ("app.py", app),
        ]);
        assert_eq!(d.layer.version.as_deref(), Some("3.10"));
        let why = &d.evidence["version"];
        assert_eq!(why.source.as_deref(), Some("poetry.lock"));
        assert!(why.reason.contains("`oldlib`"), "{}", why.reason);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("end of life on 2026-10-31")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn wheels_only_for_old_cpythons_cap_the_version() {
        let w = |names: &[&str]| newest_cpython(names);
        assert_eq!(
            w(&[
                "a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                "a-1.0-cp312-cp312-win_amd64.whl"
            ]),
            Some(12)
        );
        assert_eq!(
            w(&["a-1.0-cp312-cp312-linux.whl", "a-1.0-py3-none-any.whl"]),
            None
        );
        assert_eq!(w(&["a-1.0-cp39-abi3-manylinux_2_17_x86_64.whl"]), None);
        assert_eq!(w(&["a-1.0-1-cp310.cp311-cp311-linux.whl"]), Some(11));
    }

    const T: Target = Target {
        python: "3.13",
        musl: false,
    };

    #[test]
    fn a_wheel_installs_when_its_python_abi_and_platform_fit() {
        assert!(installs(
            "a-1-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            &T
        ));
        assert!(installs("a-1-cp39-abi3-manylinux_2_28_x86_64.whl", &T));
        assert!(installs("a-1-py3-none-any.whl", &T));
        assert!(!installs("a-1-cp312-cp312-manylinux_2_17_x86_64.whl", &T));
        assert!(!installs("a-1-cp313-cp313-win_amd64.whl", &T));
        assert!(!installs("a-1-cp313-cp313-musllinux_1_2_x86_64.whl", &T));
        assert!(!installs("a-1.tar.gz", &T));
        let musl = Target {
            python: "3.13",
            musl: true,
        };
        assert!(installs("a-1-cp313-cp313-musllinux_1_2_x86_64.whl", &musl));
        assert!(!installs(
            "a-1-cp313-cp313-manylinux_2_17_x86_64.whl",
            &musl
        ));
    }
}
