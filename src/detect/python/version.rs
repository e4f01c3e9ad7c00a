//! The Python version: `.python-version`, `runtime.txt`, Pipfile's `python_version`,
//! `requires-python` (PEP 440, resolved here to the newest supported minor), else the
//! preset default. With the distroless runtime a range prefers 3.13, the only Python
//! that image has.

use super::Manifests;
use crate::detect::Detection;
use crate::error::Result;
use crate::layer::Layer;
use crate::preset::Preset;
use crate::scan::Project;
use crate::validate;

/// Sets `version` with its source.
pub fn detect(
    project: &Project,
    m: &Manifests,
    preset: &Preset,
    hints: &Layer,
    d: &mut Detection,
) -> Result<()> {
    let versions = &preset.versions;
    if let (Some(w), Some(spec)) = (hints.version.as_deref(), m.requires_python())
        && let Some(v) = minor(w)
        && !allows(&spec, &v)
    {
        d.warn(format!(
            "Python {v} (asked for) contradicts `requires-python = \"{}\"` in `{}`",
            validate::shown(&spec),
            m.requires_python_file()
        ));
    }
    if let Some((file, raw)) = pinned(project, m)? {
        match minor(&raw).filter(|v| versions.release(v).is_some()) {
            Some(v) => {
                if let Some(w) = crate::versions::eol_warning(versions, "Python", &v, &file) {
                    d.warn(w);
                }
                d.why(
                    "version",
                    Some(&file),
                    format!("`{}` in `{file}`", validate::shown(raw.trim())),
                );
                d.layer.version = Some(v);
            }
            None => d.warn(format!(
                "ignoring Python version `{}` from `{file}`: not a CPython release dockform has images for (like `3.12`, `3.12.4` or `3.12.*`)",
                validate::shown(raw.trim())
            )),
        }
        return Ok(());
    }
    let spec = m.requires_python();
    let cap = wheel_cap(project)?;
    if spec.is_none() && cap.is_none() {
        return Ok(());
    }
    let fits_cap = |v: &str| {
        cap.as_ref()
            .is_none_or(|c| allows(&format!("<={}", c.line), v))
    };
    let fits = |v: &str| spec.as_deref().is_none_or(|s| allows(s, v)) && fits_cap(v);
    let supported: Vec<&str> = versions.supported().map(|r| r.version.as_str()).collect();
    let default = preset.defaults.version.as_deref().unwrap_or_default();
    let only = distroless_only(preset, hints);
    let chosen = if let Some(o) = only.as_deref().filter(|o| fits(o)) {
        Some((
            o.to_string(),
            "the distroless runtime has only this Python".to_string(),
        ))
    } else if fits(default) {
        Some((
            default.to_string(),
            "the preset default satisfies it".to_string(),
        ))
    } else if let Some(v) = supported.iter().find(|v| fits(v)) {
        Some((
            v.to_string(),
            "the newest supported version that satisfies it".to_string(),
        ))
    } else {
        versions.release.iter().find(|r| fits(&r.version)).map(|r| {
            (
                r.version.clone(),
                "no supported version satisfies it; the newest known one does".to_string(),
            )
        })
    };
    let mut evidence = Vec::new();
    if let Some(s) = &spec {
        evidence.push(format!("`requires-python = \"{}\"`", validate::shown(s)));
    }
    if let Some(c) = &cap {
        evidence.push(format!(
            "`{}` pins `{}`, whose wheels stop at CPython {} (no source or version-independent build)",
            c.file, c.package, c.line
        ));
    }
    let file = match (&spec, &cap) {
        (Some(_), _) => m.requires_python_file(),
        (None, Some(c)) => c.file,
        (None, None) => return Ok(()),
    };
    match chosen {
        Some((v, why)) => {
            if let Some(w) = crate::versions::eol_warning(versions, "Python", &v, file) {
                d.warn(w);
            }
            d.why(
                "version",
                Some(file),
                format!("{}: {why}", evidence.join("; ")),
            );
            d.layer.version = Some(v);
        }
        None => d.warn(format!(
            "no Python dockform knows satisfies {} ; using the default (pass `--python-version`)",
            evidence.join(" and ")
        )),
    }
    Ok(())
}

/// A lockfile's limit on the Python version: a locked package that ships only
/// CPython-specific wheels (`cp312`), with no source distribution and no `abi3` or
/// pure-Python wheel, cannot install on a newer Python.
pub struct WheelCap {
    /// The lockfile (`uv.lock`, `poetry.lock`).
    pub file: &'static str,
    /// The package that sets the limit.
    pub package: String,
    /// The newest CPython line its wheels support (`3.12`).
    pub line: String,
}

/// Reads `uv.lock` or `poetry.lock` (when parseable) for a [`WheelCap`]: the lowest
/// cap over all locked packages.
pub fn wheel_cap(project: &Project) -> Result<Option<WheelCap>> {
    for (file, files_key) in [("uv.lock", "wheels"), ("poetry.lock", "files")] {
        let Some(text) = project.read(file)? else {
            continue;
        };
        let Ok(lock) = text.parse::<toml::Table>() else {
            return Ok(None);
        };
        let mut best: Option<(u32, String)> = None;
        for pkg in lock
            .get("package")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            let name = pkg.get("name").and_then(|n| n.as_str()).unwrap_or_default();
            let names: Vec<&str> = pkg
                .get(files_key)
                .and_then(|w| w.as_array())
                .into_iter()
                .flatten()
                .filter_map(|w| {
                    w.get("url")
                        .or_else(|| w.get("file"))
                        .and_then(|u| u.as_str())
                })
                .map(|u| u.rsplit('/').next().unwrap_or(u))
                .collect();
            let sdist = pkg.get("sdist").is_some() || names.iter().any(|n| !n.ends_with(".whl"));
            if sdist {
                continue;
            }
            if let Some(top) = newest_cpython(&names)
                && best.as_ref().is_none_or(|(b, _)| top < *b)
            {
                best = Some((top, name.to_string()));
            }
        }
        return Ok(best.map(|(minor, package)| WheelCap {
            file,
            package,
            line: format!("3.{minor}"),
        }));
    }
    Ok(None)
}

/// The newest CPython minor among wheel file names, or None when any wheel works on
/// every Python (`py3-none`, `abi3`) or none names a CPython version.
fn newest_cpython(wheels: &[&str]) -> Option<u32> {
    let mut top = None;
    for name in wheels {
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

/// The one version the distroless family offers, when the user chose that family.
fn distroless_only(preset: &Preset, hints: &Layer) -> Option<String> {
    let family = preset.runtime.get(hints.runtime.as_deref()?)?;
    family.data.get("only-version")?.as_str().map(String::from)
}

/// An exact pin from a version file, with the file it came from.
fn pinned(project: &Project, m: &Manifests) -> Result<Option<(String, String)>> {
    if let Some(text) = project.read(".python-version")?
        && let Some(line) = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
    {
        return Ok(Some((".python-version".into(), line.to_string())));
    }
    // uv looks for `.python-version` up to the workspace root: a member takes the root's.
    if let Some((ws, rel)) = crate::detect::uv_workspace::UvWorkspace::enclosing(project.root())
        && let Ok(text) = std::fs::read_to_string(ws.root.join(".python-version"))
        && let Some(line) = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#') && l.len() < 40)
    {
        let up = vec![".."; rel.split('/').count()].join("/");
        return Ok(Some((format!("{up}/.python-version"), line.to_string())));
    }
    if let Some(text) = project.read(".tool-versions")? {
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if words.next() == Some("python")
                && let Some(v) = words.next()
            {
                return Ok(Some((".tool-versions".into(), v.to_string())));
            }
        }
    }
    if let Some(text) = project.read("runtime.txt")?
        && let Some(v) = text.trim().strip_prefix("python-")
    {
        return Ok(Some(("runtime.txt".into(), v.to_string())));
    }
    Ok(m.pipfile_python().map(|v| ("Pipfile".into(), v)))
}

/// `3.12.1` / `3.12` / `cpython-3.12` / `3.12.*` / `~3.12` / `==3.12.*` → `3.12`;
/// anything else (`pypy3.10`, `>=3.10`) → None.
pub fn minor(raw: &str) -> Option<String> {
    let v = raw.trim();
    let v = ["~=", "==", "~", "^", "v"]
        .iter()
        .find_map(|p| v.strip_prefix(p))
        .unwrap_or(v)
        .trim()
        .trim_start_matches("cpython-")
        .trim_start_matches("python");
    let v = v
        .strip_suffix(".*")
        .or_else(|| v.strip_suffix(".x"))
        .unwrap_or(v);
    let mut parts = v.split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (major == "3" && digits(minor) && parts.all(|p| p.chars().all(|c| c.is_ascii_alphanumeric())))
        .then(|| format!("3.{minor}"))
}

/// Whether some release of the minor line `line` (`3.12`) satisfies every clause of
/// the PEP 440 specifier set `spec` (`>=3.10,<3.13`, `~=3.11`, `==3.12.*`).
pub fn allows(spec: &str, line: &str) -> bool {
    let Some(base) = parse(line) else {
        return false;
    };
    let clauses: Vec<(&str, &str)> = spec
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .filter_map(split_op)
        .collect();
    let mut candidates = vec![base.clone(), [base.clone(), vec![999]].concat()];
    for (_, v) in &clauses {
        if let Some(mut x) = parse(v.trim_end_matches(".*"))
            && x.len() >= 2
            && x[..2] == base[..]
        {
            candidates.push(x.clone());
            x.resize(3, 0);
            x[2] += 1;
            candidates.push(x);
        }
    }
    candidates
        .iter()
        .any(|c| clauses.iter().all(|(op, v)| satisfies(c, op, v)))
}

fn split_op(clause: &str) -> Option<(&str, &str)> {
    ["===", "~=", "==", "!=", ">=", "<=", ">", "<"]
        .iter()
        .find_map(|op| clause.strip_prefix(op).map(|rest| (*op, rest.trim())))
}

fn parse(v: &str) -> Option<Vec<u64>> {
    v.split('.').map(|p| p.parse().ok()).collect()
}

/// Compares with zero padding, as PEP 440 does for release segments.
fn cmp(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    let pad = |x: &[u64]| {
        (0..n)
            .map(|i| x.get(i).copied().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    pad(a).cmp(&pad(b))
}

fn satisfies(c: &[u64], op: &str, v: &str) -> bool {
    use std::cmp::Ordering::*;
    if let Some(prefix) = v.strip_suffix(".*") {
        let Some(p) = parse(prefix) else { return true };
        let matches = c.len() >= p.len() && c[..p.len()] == p[..];
        return if op == "!=" { !matches } else { matches };
    }
    let Some(x) = parse(v) else { return true };
    match op {
        "==" | "===" => cmp(c, &x) == Equal,
        "!=" => cmp(c, &x) != Equal,
        ">=" => cmp(c, &x) != Less,
        "<=" => cmp(c, &x) != Greater,
        ">" => cmp(c, &x) == Greater,
        "<" => cmp(c, &x) == Less,
        "~=" => {
            // ~=3.11 means >=3.11, ==3.*; ~=3.11.2 means >=3.11.2, ==3.11.*.
            let keep = x.len().saturating_sub(1).max(1);
            cmp(c, &x) != Less && c.len() >= keep && c[..keep] == x[..keep]
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_files_name_a_minor_line() {
        assert_eq!(minor("3.12.1\n").as_deref(), Some("3.12"));
        assert_eq!(minor("3.11").as_deref(), Some("3.11"));
        assert_eq!(minor("cpython-3.13.0").as_deref(), Some("3.13"));
        assert_eq!(minor("pypy3.10"), None);
        assert_eq!(minor("2.7"), None);
        assert_eq!(minor("3.11.*").as_deref(), Some("3.11"));
        assert_eq!(minor("~3.11").as_deref(), Some("3.11"));
        assert_eq!(minor("==3.11.*").as_deref(), Some("3.11"));
        assert_eq!(minor("3.11.x").as_deref(), Some("3.11"));
        assert_eq!(minor(">=3.11"), None);
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

    #[test]
    fn pep440_ranges_allow_the_expected_lines() {
        assert!(allows(">=3.10,<3.13", "3.12"));
        assert!(!allows(">=3.10,<3.13", "3.13"));
        assert!(allows("~=3.11", "3.14"));
        assert!(!allows("~=3.11", "3.10"));
        assert!(allows("~=3.11.2", "3.11"));
        assert!(!allows("~=3.11.2", "3.12"));
        assert!(allows("==3.12.*", "3.12"));
        assert!(!allows("==3.12.*", "3.13"));
        assert!(!allows(">=3.10,!=3.13.*", "3.13"));
        assert!(allows(">3.12", "3.12"), "3.12.1 is greater than 3.12");
        assert!(allows("<=3.12", "3.12"));
        assert!(!allows("<=3.12", "3.13"));
    }
}
