//! The Python version: `.python-version`, `runtime.txt`, Pipfile's `python_version`,
//! `requires-python` (PEP 440, resolved here to the newest supported minor), else the
//! preset default. With the distroless runtime a range prefers 3.13, the only Python
//! that image has.

use super::Manifests;
use super::wheels::{Lock, WheelCap};
use crate::detect::Detection;
use crate::detect::uv_workspace::UvWorkspace;
use crate::error::Result;
use crate::layer::Layer;
use crate::preset::Preset;
use crate::scan::Project;
use crate::validate;
use crate::versions::Release;

/// Sets `version` with its source.
pub fn detect(
    project: &Project,
    m: &Manifests,
    member: Option<&(UvWorkspace, String)>,
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
    if let Some((file, raw)) = pinned(project, m, member)? {
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
    let lock = Lock::read(project)?;
    let caps = lock.as_ref().map(Lock::caps).unwrap_or_default();
    let cap = caps.hard;
    let older = match &caps.wheels {
        Some(w) => Some(Older::wheels(w)),
        None if lock.is_none() => super::frozen::older(project, m, versions)?,
        None => None,
    };
    if spec.is_none() && cap.is_none() && older.is_none() {
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
    let mut file = None;
    let chosen = match (chosen, older.filter(|_| only.is_none())) {
        (Some((v, why)), Some(o)) if !allows(&format!("<={}", o.line), &v) => {
            let line = |r: &&Release| allows(&format!("<={}", o.line), &r.version);
            match versions
                .release
                .iter()
                .filter(line)
                .find(|r| fits(&r.version))
            {
                Some(r) => {
                    if let Some(w) = o.warning(&r.version) {
                        d.warn(w);
                    }
                    evidence.push(o.reason);
                    file = Some(o.file);
                    Some((
                        r.version.clone(),
                        format!(
                            "Python {}, the newest line this allows, rather than {v}",
                            r.version
                        ),
                    ))
                }
                None => Some((v, why)),
            }
        }
        (c, _) => c,
    };
    if let Some(s) = &spec {
        evidence.push(format!("`requires-python = \"{}\"`", validate::shown(s)));
    }
    if let Some(c) = &cap {
        evidence.push(format!(
            "`{}` pins `{}`, whose wheels stop at CPython {} (no source or version-independent build)",
            c.file, c.package, c.line
        ));
    }
    // The file of the evidence that decided: an older line's, else the range's.
    let file = match (&file, &spec, &cap) {
        (Some(f), _, _) => f.as_str(),
        (None, Some(_), _) => m.requires_python_file(),
        (None, None, Some(c)) => c.file,
        (None, None, None) => return Ok(()),
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

/// Evidence that the project was made for an older Python than the one chosen: the
/// newest line every locked compiled package has a wheel for, or the lines released
/// before its pinned requirements were frozen.
pub struct Older {
    /// The newest line the evidence allows (`3.12`).
    pub line: String,
    /// The file that holds the evidence.
    pub file: String,
    /// What the evidence is, for `detect`.
    pub reason: String,
    /// Weak evidence (no lockfile) is also a warning, naming it.
    pub weak: bool,
}

impl Older {
    fn wheels(w: &WheelCap) -> Older {
        Older {
            line: w.line.clone(),
            file: w.file.to_string(),
            reason: format!(
                "`{}` locks `{}`, whose newest wheels are for CPython {} (a newer Python compiles it from source, which needs compilers and fails for many old releases)",
                w.file, w.package, w.line
            ),
            weak: false,
        }
    }

    fn warning(&self, chosen: &str) -> Option<String> {
        self.weak.then(|| {
            format!(
                "Python version {chosen} chosen from weak evidence: {}; pass `--python-version` if the project supports a newer Python",
                self.reason
            )
        })
    }
}

/// The one version the distroless family offers, when the user chose that family.
fn distroless_only(preset: &Preset, hints: &Layer) -> Option<String> {
    let family = preset.runtime.get(hints.runtime.as_deref()?)?;
    family.data.get("only-version")?.as_str().map(String::from)
}

/// An exact pin from a version file, with the file it came from.
fn pinned(
    project: &Project,
    m: &Manifests,
    member: Option<&(UvWorkspace, String)>,
) -> Result<Option<(String, String)>> {
    if let Some(text) = project.read(".python-version")?
        && let Some(line) = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
    {
        return Ok(Some((".python-version".into(), line.to_string())));
    }
    // uv looks for `.python-version` up to the workspace root: a member takes the root's.
    if let Some((ws, rel)) = member
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
