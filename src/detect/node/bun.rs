//! The Bun version of a project built on Bun's images, and the warning for a project
//! that runs on Bun but installs with another package manager.
//!
//! Evidence, most specific first: a pin in the app (`.bun-version`, `.tool-versions`,
//! `packageManager: "bun@1.3.11"`, `engines.bun`), the same at the workspace root, then
//! the version of Bun's type definitions (`@types/bun`, `bun-types`), which follow Bun's
//! releases. A pin is used as its minor line (`1.3`): `oven/bun` publishes a tag per
//! minor line, which gets the line's patch releases.

use super::Package;
use super::version::{Root, first_line, nested, tool_version};
use crate::detect::Detection;
use crate::error::Result;
use crate::preset::{Preset, resolve_version};
use crate::scan::Project;
use crate::validate;

/// Type packages whose version follows Bun's.
const TYPES: &[&str] = &["@types/bun", "bun-types"];

/// Sets `version` for the `bun` preset, with its source.
pub fn version(
    project: &Project,
    pkg: &Package,
    root: Option<&Root>,
    preset: &Preset,
    d: &mut Detection,
) -> Result<()> {
    let mut found = pin(project, pkg, "")?;
    if let (None, Some(r)) = (&found, root) {
        found = pin(&r.project, &r.pkg, &r.up)?;
    }
    let found = found
        .or_else(|| types(pkg, ""))
        .or_else(|| root.and_then(|r| types(&r.pkg, &r.up)));
    let Some((source, raw)) = found else {
        return Ok(());
    };
    let shown = validate::shown(&raw);
    let resolved = clean(&raw).and_then(|c| resolve_version(preset, &c).ok());
    let Some(v) = resolved else {
        d.warn(format!(
            "`{source}` pins Bun {shown}, which dockform has no image data for; using Bun {} (update dockform, or pass `--node-version`)",
            preset.defaults.version.as_deref().unwrap_or_default()
        ));
        return Ok(());
    };
    let mut reason = format!("`{shown}` in `{source}` is Bun {v}");
    if TYPES.iter().any(|t| source.ends_with(t)) {
        reason.push_str(" (Bun's type definitions follow its releases; no Bun version is pinned)");
    }
    if let Some(w) = crate::versions::eol_warning(&preset.versions, "Bun", &v, &source) {
        d.warn(w);
    }
    let file = source.split('`').next().unwrap_or_default();
    d.why("version", Some(file), reason);
    d.layer.version = Some(v);
    Ok(())
}

/// A Bun pin in the directory `prefix` leads to.
fn pin(project: &Project, pkg: &Package, prefix: &str) -> Result<Option<(String, String)>> {
    if let Some(line) = first_line(project, ".bun-version")? {
        return Ok(Some((format!("{prefix}.bun-version"), line)));
    }
    if let Some(v) = tool_version(project, &["bun"])? {
        return Ok(Some((format!("{prefix}.tool-versions"), v)));
    }
    if let Some(v) = pkg
        .str("packageManager")
        .and_then(|p| p.strip_prefix("bun@"))
    {
        let v = v.split('+').next().unwrap_or(v);
        return Ok(Some((
            format!("{prefix}package.json` `packageManager"),
            v.to_string(),
        )));
    }
    Ok(nested(pkg, "engines", "bun")
        .map(|v| (format!("{prefix}package.json` `engines.bun"), v.to_string())))
}

/// The version range of Bun's type definitions, when it names a version.
fn types(pkg: &Package, prefix: &str) -> Option<(String, String)> {
    ["devDependencies", "dependencies"]
        .iter()
        .find_map(|section| {
            TYPES.iter().find_map(|t| {
                let v = nested(pkg, section, t)?;
                v.starts_with(|c: char| c.is_ascii_digit() || "^~>=v".contains(c))
                    .then(|| {
                        (
                            format!("{prefix}package.json` `{section}.{t}"),
                            v.to_string(),
                        )
                    })
            })
        })
}

/// `1.3.11`, `v1.3` → `1.3` (the minor line); `1` stays the floating major; ranges
/// (`^1.3.10`, `>=1.2`) pass through to the resolver. None for anything else.
fn clean(raw: &str) -> Option<String> {
    let v = raw.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let parts: Vec<&str> = v.split('.').collect();
    let digits = |p: &&str| !p.is_empty() && p.len() <= 9 && p.chars().all(|c| c.is_ascii_digit());
    if parts.len() <= 3 && parts.iter().all(digits) {
        return Some(parts[..parts.len().min(2)].join("."));
    }
    v.contains(['^', '~', '>', '<', '=', 'x', '*'])
        .then(|| v.to_string())
}

/// Warns when the production start script runs the app with `bun` while the project
/// installs with another package manager: the image is Node's and has no Bun.
pub fn runs_on_bun_warning(pkg: &Package, d: &mut Detection) {
    let Some((name, script)) = ["start:prod", "start:production", "prod", "start"]
        .iter()
        .find_map(|n| pkg.script(n).map(|s| (*n, s)))
    else {
        return;
    };
    if !runs_bun(script) {
        return;
    }
    d.warn(format!(
        "`scripts.{name}` in `package.json` runs the app with Bun (`{}`), but the project installs with another package manager, so the image is Node's and has no Bun: neither the runtime nor its version is Bun's (pass `--package-manager bun` to build on Bun's images, or `--start-command` for a Node command)",
        validate::shown(script)
    ));
}

/// Whether the last step of a script runs `bun` (after `VAR=value` assignments).
fn runs_bun(script: &str) -> bool {
    let last = script.rsplit(['&', ';']).next().unwrap_or(script);
    last.split_whitespace()
        .find(|w| !w.contains('='))
        .is_some_and(|w| w == "bun" || w == "bunx")
}

#[cfg(test)]
mod tests {
    use super::{clean, runs_bun};
    use crate::detect::Detection;
    use crate::detect::node::tests::{project, run};
    use crate::layer::Layer;
    use crate::preset::Presets;

    /// Detects the member `apps/api` of a workspace made of `files`.
    fn member(files: &[(&str, &str)]) -> Detection {
        let (dir, _) = project(files);
        let p = crate::scan::Project::scan(&dir.path().join("apps/api")).unwrap();
        super::super::detect(&p, &Presets::for_tests(), &Layer::default())
            .unwrap()
            .unwrap()
    }

    const MEMBER: &str = r#"{"name":"api","scripts":{"start":"bun src/index.ts"}}"#;

    #[test]
    fn a_member_uses_the_workspace_roots_bun_pin_as_its_minor_line() {
        let root = r#"{"workspaces":["apps/*"],"packageManager":"bun@1.3.11"}"#;
        let d = member(&[
            ("package.json", root),
            ("bun.lock", "{}"),
            ("apps/api/package.json", MEMBER),
            ("apps/api/src/index.ts", ""),
        ]);
        assert_eq!(d.layer.version.as_deref(), Some("1.3"));
        let why = &d.evidence["version"];
        assert_eq!(why.source.as_deref(), Some("../../package.json"));
        assert!(why.reason.contains("`1.3.11`"), "{}", why.reason);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("Bun 1.3") && w.contains("2026-08-20")),
            "1.3 ended when 1.4 came out: {:?}",
            d.warnings
        );
        // The member's own pin wins over the root's.
        let d = member(&[
            ("package.json", root),
            ("bun.lock", "{}"),
            ("apps/api/package.json", MEMBER),
            ("apps/api/.bun-version", "1.4.5\n"),
            ("apps/api/src/index.ts", ""),
        ]);
        assert_eq!(d.layer.version.as_deref(), Some("1.4"));
        assert_eq!(
            d.evidence["version"].source.as_deref(),
            Some(".bun-version")
        );
    }

    #[test]
    fn bun_type_definitions_name_the_line_when_nothing_pins_bun() {
        let pkg =
            r#"{"scripts":{"start":"bun src/app.ts"},"devDependencies":{"@types/bun":"^1.3.11"}}"#;
        let d = run(&[
            ("package.json", pkg),
            ("bun.lock", "{}"),
            ("src/app.ts", ""),
        ]);
        assert_eq!(d.layer.version.as_deref(), Some("1.4"), "newest in ^1.3.11");
        let why = &d.evidence["version"];
        assert!(
            why.reason.contains("devDependencies.@types/bun"),
            "{}",
            why.reason
        );
        let pkg =
            r#"{"scripts":{"start":"bun src/app.ts"},"devDependencies":{"@types/bun":"latest"}}"#;
        let d = run(&[
            ("package.json", pkg),
            ("bun.lock", "{}"),
            ("src/app.ts", ""),
        ]);
        assert_eq!(d.layer.version, None, "`latest` names no version");
    }

    #[test]
    fn a_start_script_that_runs_bun_under_another_package_manager_is_warned_about() {
        let pkg = r#"{"scripts":{"start":"NODE_ENV=production bun run src/index.ts"}}"#;
        let d = run(&[
            ("package.json", pkg),
            ("pnpm-lock.yaml", ""),
            ("src/index.ts", ""),
        ]);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("runs the app with Bun") && w.contains("version")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn bun_spellings_become_minor_lines_or_ranges() {
        assert_eq!(clean("1.3.11").as_deref(), Some("1.3"));
        assert_eq!(clean("v1.2").as_deref(), Some("1.2"));
        assert_eq!(clean("1").as_deref(), Some("1"));
        assert_eq!(clean("^1.3.10").as_deref(), Some("^1.3.10"));
        assert_eq!(clean(">=1.2").as_deref(), Some(">=1.2"));
        assert_eq!(clean("latest"), None);
        assert_eq!(clean("1.3.11-canary"), None);
    }

    #[test]
    fn a_script_runs_bun_after_assignments_and_earlier_steps() {
        assert!(runs_bun("NODE_ENV=production bun run src/index.ts"));
        assert!(runs_bun("prisma migrate deploy && bun dist/index.js"));
        assert!(!runs_bun("node dist/index.js"));
        assert!(!runs_bun("bun run build && node dist/index.js"));
    }
}
