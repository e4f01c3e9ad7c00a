//! The Node (or Bun) version: from version files, `engines`, `volta`, else the preset.
//! A workspace member without a pin of its own uses the workspace root's.

use std::path::Path;

use serde_json::{Map, Value};

use super::Package;
use crate::detect::Detection;
use crate::error::Result;
use crate::preset::Preset;
use crate::preset::resolve_version;
use crate::scan::Project;
use crate::validate;

/// The workspace root a member belongs to: its version files count when the member
/// has none.
pub struct Root {
    pub(super) project: Project,
    pub(super) pkg: Package,
    /// The root relative to the member, with a trailing slash (`../../`).
    pub(super) up: String,
}

impl Root {
    /// Opens the root at `dir` for the member at `rel` (`apps/api`).
    pub fn open(dir: &Path, rel: &str) -> Option<Root> {
        let project = Project::scan(dir).ok()?;
        let json = project
            .read_hint("package.json")
            .and_then(|t| serde_json::from_str::<Map<String, Value>>(&t).ok())
            .unwrap_or_default();
        Some(Root {
            project,
            pkg: Package { json },
            up: "../".repeat(rel.split('/').count()),
        })
    }
}

/// Sets `version` with its source. `wanted` is a version the user gave (flag,
/// config): a warning says when the project's `engines.node` excludes it.
pub fn detect(
    project: &Project,
    pkg: &Package,
    root: Option<&Root>,
    preset: &Preset,
    wanted: Option<&str>,
    d: &mut Detection,
) -> Result<()> {
    if preset.name == "bun" {
        return super::bun::version(project, pkg, root, preset, d);
    }
    super::bun::runs_on_bun_warning(pkg, d);
    if let (Some(w), Some(engines)) = (
        wanted,
        pkg.json
            .get("engines")
            .and_then(|e| e.get("node"))
            .and_then(|v| v.as_str()),
    ) && let Ok(v) = resolve_version(preset, w)
        && crate::versions::range_allows(engines, &v) == Some(false)
    {
        d.warn(format!(
            "Node {v} (asked for) contradicts `engines.node = \"{}\"` in `package.json`",
            validate::shown(engines)
        ));
    }
    let found = match find(project, pkg, "")? {
        Some(f) => Some(f),
        None => match root {
            Some(r) => find(&r.project, &r.pkg, &r.up)?,
            None => None,
        },
    };
    let Some((source, raw)) = found else {
        return Ok(());
    };
    let resolved = clean(&raw).and_then(|c| resolve_version(preset, &c).ok().map(|v| (c, v)));
    let Some((cleaned, version)) = resolved else {
        d.warn(format!(
            "ignoring Node version `{}` from `{source}`: not a version, alias or range dockform knows (like `22`, `v22.11.0`, `lts/*`, `>=20`)",
            validate::shown(&raw)
        ));
        return Ok(());
    };
    let mut reason = if cleaned == version {
        format!("`{}` in `{source}`", validate::shown(&raw))
    } else {
        format!(
            "`{}` in `{source}` resolves to Node {version}",
            validate::shown(&raw)
        )
    };
    let versions = &preset.versions;
    if versions.release(&version).is_some_and(|r| r.lts.is_none()) {
        reason.push_str(" (an odd major: never LTS, used because it is pinned)");
        d.warn(format!(
            "Node {version} (from `{source}`) is an odd major, which never gets long-term support; it is used because it is pinned (prefer an even LTS major)"
        ));
    }
    if let Some(w) = crate::versions::eol_warning(versions, "Node", &version, &source) {
        d.warn(w);
    }
    let file = source.split('`').next().unwrap_or_default();
    d.why("version", Some(file), reason);
    d.layer.version = Some(version);
    Ok(())
}

/// The first Node version pin found, with where it came from (`prefix` leads to the
/// directory read: `../../` for a workspace root).
fn find(project: &Project, pkg: &Package, prefix: &str) -> Result<Option<(String, String)>> {
    for file in [".nvmrc", ".node-version"] {
        if let Some(line) = first_line(project, file)? {
            return Ok(Some((format!("{prefix}{file}"), line)));
        }
    }
    if let Some(v) = tool_version(project, &["nodejs", "node"])? {
        return Ok(Some((format!("{prefix}.tool-versions"), v)));
    }
    for (table, key) in [("engines", "node"), ("volta", "node")] {
        if let Some(v) = nested(pkg, table, key) {
            return Ok(Some((
                format!("{prefix}package.json` `{table}.{key}"),
                v.to_string(),
            )));
        }
    }
    Ok(None)
}

/// The first line of `file` that is neither blank nor a comment.
pub(super) fn first_line(project: &Project, file: &str) -> Result<Option<String>> {
    Ok(project.read(file)?.and_then(|text| {
        text.lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
    }))
}

/// The version `.tool-versions` gives the first of `tools` it names.
pub(super) fn tool_version(project: &Project, tools: &[&str]) -> Result<Option<String>> {
    let Some(text) = project.read(".tool-versions")? else {
        return Ok(None);
    };
    Ok(text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        let tool = words.next()?;
        tools
            .contains(&tool)
            .then(|| words.next().map(String::from))
            .flatten()
    }))
}

/// `package.json`'s `table.key` string (`engines.node`).
pub(super) fn nested<'a>(pkg: &'a Package, table: &str, key: &str) -> Option<&'a str> {
    pkg.json.get(table)?.get(key)?.as_str()
}

/// The spellings found in the wild, made into what the resolver reads: `v20.11.1`,
/// `20.11` and `20.x.x` name major 20; `node`, `stable`, `latest` and `current` any
/// version (the newest LTS); aliases (`lts/*`, `lts/iron`) and ranges (`>=18 <21`,
/// `^20`) pass through. None for what is none of these.
fn clean(raw: &str) -> Option<String> {
    let v = raw.trim();
    let v = v
        .strip_prefix(['v', 'V'])
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(v);
    let parts: Vec<&str> = v.split('.').collect();
    let digits = |p: &str| !p.is_empty() && p.len() <= 9 && p.chars().all(|c| c.is_ascii_digit());
    let wild = |p: &str| matches!(p, "x" | "X" | "*");
    if parts.len() <= 3 && digits(parts[0]) {
        let rest = &parts[1..];
        if rest.iter().all(|p| digits(p)) || rest.iter().all(|p| wild(p)) {
            return Some(parts[0].trim_start_matches('0').to_string()).filter(|m| !m.is_empty());
        }
    }
    let lower = v.to_lowercase();
    match lower.as_str() {
        "node" | "stable" | "latest" | "current" => Some("*".to_string()),
        _ if lower.starts_with("lts/") || lower == "lts" => Some(lower),
        _ if lower.chars().any(|c| "<>=^~|*xX -".contains(c)) => Some(lower),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn a_member_without_a_pin_uses_the_workspace_roots_engines() {
        use crate::detect::node::tests::project;
        let (dir, _) = project(&[
            (
                "package.json",
                r#"{"workspaces":["apps/*"],"engines":{"node":">=22.12.0 <23.0.0"}}"#,
            ),
            ("package-lock.json", "{}"),
            (
                "apps/api/package.json",
                r#"{"name":"api","main":"server.js"}"#,
            ),
            ("apps/api/server.js", ""),
            (
                "apps/web/package.json",
                r#"{"name":"web","main":"server.js"}"#,
            ),
            ("apps/web/server.js", ""),
            ("apps/web/.nvmrc", "24\n"),
        ]);
        let detect = |app: &str| {
            let p = crate::scan::Project::scan(&dir.path().join(app)).unwrap();
            let presets = crate::preset::Presets::for_tests();
            crate::detect::node::detect(&p, &presets, &Default::default())
                .unwrap()
                .unwrap()
        };
        let d = detect("apps/api");
        assert_eq!(d.layer.version.as_deref(), Some("22"));
        assert_eq!(
            d.evidence["version"].source.as_deref(),
            Some("../../package.json")
        );
        assert!(d.evidence["version"].reason.contains("engines.node"));
        let d = detect("apps/web");
        assert_eq!(d.layer.version.as_deref(), Some("24"), "its own pin wins");
    }

    #[test]
    fn spellings_in_the_wild_are_normalised() {
        let c = |s: &str| clean(s);
        assert_eq!(c("v20.11.1\n").as_deref(), Some("20"));
        assert_eq!(c("v18.16.1").as_deref(), Some("18"));
        assert_eq!(c("22").as_deref(), Some("22"));
        assert_eq!(c("14.x.x").as_deref(), Some("14"));
        assert_eq!(c("20.x").as_deref(), Some("20"));
        assert_eq!(c("lts/Jod").as_deref(), Some("lts/jod"));
        assert_eq!(c("lts/*").as_deref(), Some("lts/*"));
        assert_eq!(c(">=18").as_deref(), Some(">=18"));
        assert_eq!(c(">=18 <21").as_deref(), Some(">=18 <21"));
        assert_eq!(c("^20").as_deref(), Some("^20"));
        assert_eq!(c("node").as_deref(), Some("*"));
        assert_eq!(c("stable").as_deref(), Some("*"));
        for bad in ["hydrogen", "v", ""] {
            assert_eq!(c(bad), None, "{bad}");
        }
    }

    #[test]
    fn spellings_resolve_to_published_majors_as_of_a_date() {
        use crate::preset::resolve_version;
        use crate::versions::Date;
        let presets =
            crate::preset::Presets::embedded_at(Date::parse("2026-12-01").unwrap()).unwrap();
        let node = presets.get("node").unwrap();
        let r = |s: &str| resolve_version(node, &clean(s).unwrap()).unwrap();
        assert_eq!(r("v18.16.1"), "18");
        assert_eq!(r("14.x.x"), "14");
        assert_eq!(r("lts/*"), "26", "26 entered LTS on 2026-10-28");
        assert_eq!(r("lts/iron"), "20");
        assert_eq!(
            r(">=18 <21"),
            "20",
            "no supported major fits: the newest known LTS"
        );
        assert_eq!(r("^20"), "20");
        assert_eq!(r("node"), "26");
        assert_eq!(r(">=22 <25"), "24", "odd 23 is skipped by ranges");
        for bad in [
            "14.x.1",
            "22-alpine",
            "1.2.3.4",
            "99",
            "lts/argon2",
            "hydrogen",
        ] {
            let got = clean(bad).and_then(|c| resolve_version(node, &c).ok());
            assert_eq!(got, None, "{bad}");
        }
        let before =
            crate::preset::Presets::embedded_at(Date::parse("2026-10-27").unwrap()).unwrap();
        assert_eq!(
            resolve_version(before.get("node").unwrap(), "lts/*").unwrap(),
            "24"
        );
    }
}
