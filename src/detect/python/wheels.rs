//! The wheel files a lockfile lists (`uv.lock` and `poetry.lock` name every file of
//! every locked package), and whether one installs on the image's Python and platform
//! without compiling. Pinned requirements name no files, so they cannot tell offline.

use std::collections::BTreeMap;

use super::manifests::normalize;
use crate::error::Result;
use crate::scan::Project;

/// The files of each locked package, by normalized name.
pub struct Lock {
    /// `uv.lock` or `poetry.lock`.
    pub file: &'static str,
    packages: BTreeMap<String, Vec<String>>,
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
            let mut packages: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for pkg in lock
                .get("package")
                .and_then(|p| p.as_array())
                .into_iter()
                .flatten()
            {
                let name = normalize(pkg.get("name").and_then(|n| n.as_str()).unwrap_or(""));
                let files = pkg
                    .get(key)
                    .and_then(|w| w.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|w| {
                        ["url", "file", "filename", "path"]
                            .iter()
                            .find_map(|k| w.get(*k).and_then(|u| u.as_str()))
                    })
                    .map(|u| u.rsplit('/').next().unwrap_or(u).to_string());
                packages.entry(name).or_default().extend(files);
            }
            return Ok(Some(Lock { file, packages }));
        }
        Ok(None)
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
