//! The Node (or Bun) version: from version files, `engines`, `volta`, else the preset.

use super::Package;
use crate::detect::Detection;
use crate::error::Result;
use crate::preset::Preset;
use crate::scan::Project;
use crate::settings::resolve_version;
use crate::validate;

/// Sets `version` with its source. Bun projects keep the Bun version set by `pm`.
pub fn detect(project: &Project, pkg: &Package, preset: &Preset, d: &mut Detection) -> Result<()> {
    if preset.name == "bun" {
        return Ok(());
    }
    let Some((source, raw)) = find(project, pkg)? else {
        return Ok(());
    };
    let cleaned = clean(&raw);
    let version = match resolve_version(preset, &cleaned) {
        Ok(v) => v,
        Err(_) => {
            d.warn(format!(
                "ignoring Node version `{}` from `{source}`: not a version, alias or range dockform understands",
                validate::shown(&raw)
            ));
            return Ok(());
        }
    };
    let reason = if cleaned == version {
        format!("`{}` in `{source}`", validate::shown(&raw))
    } else {
        format!("`{}` in `{source}` resolves to Node {version}", validate::shown(&raw))
    };
    if !preset.versions.supported.contains(&version) {
        d.warn(format!("Node {version} (from `{source}`) is not maintained any more; consider upgrading to {}", preset.versions.supported[0]));
    }
    let file = if source.starts_with("package.json") { "package.json" } else { source.as_str() };
    d.why("version", Some(file), reason);
    d.layer.version = Some(version);
    Ok(())
}

/// The first version pin found, with where it came from.
fn find(project: &Project, pkg: &Package) -> Result<Option<(String, String)>> {
    for file in [".nvmrc", ".node-version"] {
        if let Some(text) = project.read(file)?
            && let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))
        {
            return Ok(Some((file.to_string(), line.to_string())));
        }
    }
    if let Some(text) = project.read(".tool-versions")? {
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if matches!(words.next(), Some("nodejs" | "node"))
                && let Some(v) = words.next()
            {
                return Ok(Some((".tool-versions".to_string(), v.to_string())));
            }
        }
    }
    if let Some(v) = pkg.json.get("engines").and_then(|e| e.get("node")).and_then(|v| v.as_str()) {
        return Ok(Some(("package.json` `engines.node".to_string(), v.to_string())));
    }
    if let Some(v) = pkg.json.get("volta").and_then(|e| e.get("node")).and_then(|v| v.as_str()) {
        return Ok(Some(("package.json` `volta.node".to_string(), v.to_string())));
    }
    Ok(None)
}

/// `v20.11.1` → `20`; `20.11` → `20`; aliases and ranges are left for the resolver.
fn clean(raw: &str) -> String {
    let v = raw.trim().trim_start_matches('v');
    let exact = v.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if exact {
        v.split('.').next().unwrap_or(v).to_string()
    } else {
        match v {
            "node" | "stable" | "latest" | "current" => "*".to_string(),
            other => other.to_lowercase(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn exact_pins_become_major_tags() {
        assert_eq!(clean("v20.11.1\n"), "20");
        assert_eq!(clean("22"), "22");
        assert_eq!(clean("lts/Jod"), "lts/jod");
        assert_eq!(clean(">=18"), ">=18");
        assert_eq!(clean("node"), "*");
    }
}
