//! Pinned requirements as a snapshot in time. Without a lockfile that lists wheel
//! files, dockform cannot tell offline which Python a pinned release installs on; but
//! a requirements file that pins everything exactly was frozen on some day, and
//! `certifi`, which nearly every such file pins (through `requests`), is versioned by
//! its release date. Pins made before a Python line existed were never tested on it,
//! and their compiled packages often have no wheels for it: weak evidence, so the
//! choice is also a warning that names it.

use super::Manifests;
use super::version::Older;
use crate::detect::pep503::normalize;
use crate::error::Result;
use crate::scan::Project;
use crate::versions::{Date, Versions};

/// The newest Python line released before the pins' date, when every main
/// requirement is pinned and `certifi` dates them.
pub fn older(project: &Project, m: &Manifests, versions: &Versions) -> Result<Option<Older>> {
    if !m.requirements_pinned {
        return Ok(None);
    }
    for file in &m.requirement_files {
        let Some(text) = project.read_hint(file) else {
            continue;
        };
        let Some((pin, date)) = text.lines().find_map(certifi_date) else {
            continue;
        };
        let Some(i) = versions.release.iter().position(|r| r.released <= date) else {
            return Ok(None);
        };
        let Some(newer) = i.checked_sub(1).map(|n| &versions.release[n]) else {
            return Ok(None);
        };
        let line = &versions.release[i].version;
        return Ok(Some(Older {
            line: line.clone(),
            file: file.clone(),
            reason: format!(
                "`{file}` pins every package exactly and its `{pin}` dates the pins to {date} or later, before Python {} came out ({}): packages pinned then may have no wheels for it",
                newer.version, newer.released
            ),
            weak: true,
        }));
    }
    Ok(None)
}

/// `certifi==2023.11.17` → (the pin, 2023-11-17).
fn certifi_date(line: &str) -> Option<(String, Date)> {
    let req = line.split(['#', ';']).next()?.trim();
    let (name, version) = req.split_once("==")?;
    if normalize(name) != "certifi" {
        return None;
    }
    let version = version.split_whitespace().next()?;
    let mut parts = version.split('.');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let num = |s: &str| s.parse::<u32>().ok();
    let date = Date::parse(&format!("{:04}-{:02}-{:02}", num(y)?, num(m)?, num(d)?))?;
    Some((format!("certifi=={version}"), date))
}

#[cfg(test)]
pub(super) mod tests {
    use super::certifi_date;
    use crate::detect::Detection;

    /// Detects the Python project made of `files`.
    pub(in crate::detect::python) fn run(files: &[(&str, &str)]) -> Detection {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        let p = crate::scan::Project::scan(dir.path()).unwrap();
        let presets = crate::preset::Presets::for_tests();
        super::super::detect(&p, &presets, &Default::default())
            .unwrap()
            .unwrap()
    }

    const APP: &str = "from flask import Flask\napp = Flask(__name__)\n";

    #[test]
    fn exact_pins_dated_by_certifi_prefer_a_python_released_before_them_with_a_warning() {
        let reqs = "flask==3.0.0\ngreenlet==3.0.1\ncertifi==2023.11.17\n";
        let d = run(&[("requirements.txt", reqs), ("app.py", APP)]);
        assert_eq!(d.layer.version.as_deref(), Some("3.12"));
        let why = &d.evidence["version"];
        assert_eq!(why.source.as_deref(), Some("requirements.txt"));
        assert!(why.reason.contains("certifi==2023.11.17"), "{}", why.reason);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("weak evidence") && w.contains("certifi")),
            "{:?}",
            d.warnings
        );
        // Pins dated after the default's release, or not all exact: the default.
        for reqs in [
            "flask==3.0.0\ncertifi==2025.1.31\n",
            "flask>=3\ncertifi==2023.11.17\n",
        ] {
            let d = run(&[("requirements.txt", reqs), ("app.py", APP)]);
            assert_eq!(d.layer.version, None, "{reqs}");
        }
    }

    #[test]
    fn certifi_pins_name_their_release_day() {
        let (pin, date) = certifi_date("certifi==2023.11.17  # via requests").unwrap();
        assert_eq!(pin, "certifi==2023.11.17");
        assert_eq!(date.to_string(), "2023-11-17");
        assert_eq!(
            certifi_date("Certifi==2024.7.4").unwrap().1.to_string(),
            "2024-07-04"
        );
        assert!(certifi_date("certifi>=2023.11.17").is_none());
        assert!(certifi_date("certifi==2023.13.40").is_none());
        assert!(certifi_date("requests==2.31.0").is_none());
    }
}
