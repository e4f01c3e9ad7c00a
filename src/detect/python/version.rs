//! The Python version: `.python-version`, `runtime.txt`, Pipfile's `python_version`,
//! `requires-python` (PEP 440, resolved here to the newest supported minor), else the
//! preset default. With the distroless runtime a range prefers 3.13, the only Python
//! that image has.

use super::Manifests;
use crate::detect::Detection;
use crate::error::Result;
use crate::preset::Preset;
use crate::scan::Project;
use crate::settings::Layer;
use crate::validate;

/// Sets `version` with its source.
pub fn detect(
    project: &Project,
    m: &Manifests,
    preset: &Preset,
    hints: &Layer,
    d: &mut Detection,
) -> Result<()> {
    let only = distroless_only(preset, hints);
    if let Some((file, raw)) = pinned(project, m)? {
        match minor(&raw) {
            Some(v) => {
                if !preset.versions.supported.contains(&v) {
                    d.warn(format!("Python {v} (from `{file}`) is not maintained any more or not known to dockform; consider {}", preset.versions.supported[0]));
                }
                d.why(
                    "version",
                    Some(&file),
                    format!("`{}` in `{file}`", validate::shown(raw.trim())),
                );
                d.layer.version = Some(v);
            }
            None => d.warn(format!(
                "ignoring Python version `{}` from `{file}`: not a CPython version like `3.12`",
                validate::shown(raw.trim())
            )),
        }
        return Ok(());
    }
    let Some(spec) = m.requires_python() else {
        return Ok(());
    };
    let file = m.requires_python_file();
    let fits: Vec<&String> = preset
        .versions
        .supported
        .iter()
        .filter(|v| allows(&spec, v))
        .collect();
    let chosen = match (&only, fits.first()) {
        (Some(o), _) if fits.contains(&o) => {
            Some((o.clone(), "the distroless runtime has only this Python"))
        }
        (_, Some(v)) => Some(((*v).clone(), "newest supported version that satisfies it")),
        (_, None) => None,
    };
    match chosen {
        Some((v, why)) => {
            d.why("version", Some(file), format!("`requires-python = \"{}\"`: {why}", validate::shown(&spec)));
            d.layer.version = Some(v);
        }
        None => d.warn(format!(
            "no supported Python ({}) satisfies `requires-python = \"{}\"` in `{file}`; using the default (pass `--python-version`)",
            preset.versions.supported.join(", "),
            validate::shown(&spec)
        )),
    }
    Ok(())
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
    if let Some(text) = project.read("runtime.txt")?
        && let Some(v) = text.trim().strip_prefix("python-")
    {
        return Ok(Some(("runtime.txt".into(), v.to_string())));
    }
    Ok(m.pipfile_python().map(|v| ("Pipfile".into(), v)))
}

/// `3.12.1` / `3.12` / `cpython-3.12` → `3.12`; anything else (`pypy3.10`) → None.
pub fn minor(raw: &str) -> Option<String> {
    let v = raw
        .trim()
        .trim_start_matches("cpython-")
        .trim_start_matches("python");
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
