//! Presets: the data behind each stack (versions, images, package-manager commands),
//! embedded from `presets/*.toml` and validated by a test so they cannot be broken.

use std::collections::BTreeMap;

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::validate;
use crate::versions::Date;
pub use crate::versions::Versions;

static PRESETS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/presets");

/// One preset file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Preset {
    /// The preset's name (its file name); filled in on load.
    #[serde(skip_deserializing)]
    pub name: String,
    /// One line for `dockform presets`.
    pub description: String,
    /// The stack whose templates this preset renders.
    pub stack: String,
    /// Default values, the lowest settings layer.
    pub defaults: Layer,
    /// Version data.
    pub versions: Versions,
    /// Final-stage families (`slim`, `distroless`, `alpine`, `scratch`), by name.
    pub runtime: BTreeMap<String, RuntimeFamily>,
    /// Per package manager: the commands and paths the templates use.
    #[serde(default)]
    pub package_managers: BTreeMap<String, toml::Table>,
    /// Free-form stack data for the templates (cache paths, system packages, ...).
    #[serde(default)]
    pub data: toml::Table,
}

/// One final-stage family: the images and the user it runs as.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RuntimeFamily {
    /// Image for the dependency and build stages; `{version}` is substituted.
    pub builder: String,
    /// Image for the final stage; `{version}` is substituted.
    #[serde(rename = "final")]
    pub final_image: String,
    /// Final images that replace `final` when a detected fact is true, by fact name
    /// (`cgo = "gcr.io/distroless/base-debian13:nonroot"`).
    #[serde(default)]
    pub final_if: BTreeMap<String, String>,
    /// Numeric `uid:gid` the final stage runs as.
    pub user: String,
    /// Whether the final image has a shell (`/bin/sh`).
    pub shell: bool,
    /// Free-form data for the templates (interpreter path, package tool, ...).
    #[serde(default)]
    pub data: toml::Table,
}

/// All embedded presets, by name.
#[derive(Debug, Clone)]
pub struct Presets {
    by_name: BTreeMap<String, Preset>,
}

impl Presets {
    /// Loads and validates every embedded preset, dated today ([`Date::today`]).
    pub fn embedded() -> Result<Presets> {
        Presets::embedded_at(Date::today())
    }

    /// Loads and validates every embedded preset, computing "supported" as of `today`.
    pub fn embedded_at(today: Date) -> Result<Presets> {
        let mut by_name = BTreeMap::new();
        for file in PRESETS.files() {
            let path = file.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let text = file
                .contents_utf8()
                .ok_or_else(|| Error::Internal(format!("preset `{name}` is not UTF-8")))?;
            let table = with_base(name, text)?;
            let mut preset: Preset = table.try_into().map_err(|e: toml::de::Error| {
                Error::Internal(format!("preset `{name}`: {}", e.message()))
            })?;
            preset.name = name.to_string();
            preset.versions.today = today;
            preset.check()?;
            by_name.insert(name.to_string(), preset);
        }
        Ok(Presets { by_name })
    }

    /// The presets as of 2026-12-01, the day the data was last refreshed: unit tests
    /// use it so their results do not move with the clock.
    #[cfg(test)]
    pub fn for_tests() -> Presets {
        Presets::embedded_at(Date::parse("2026-12-01").expect("a valid date"))
            .expect("embedded presets must be valid")
    }

    /// The preset called `name`.
    pub fn get(&self, name: &str) -> Result<&Preset> {
        self.by_name.get(name).ok_or_else(|| {
            Error::invalid(
                "`--preset`",
                format!(
                    "unknown preset `{}` (known: {})",
                    crate::validate::shown(name),
                    self.names().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }

    /// The stack of preset `name`, if there is one.
    pub fn stack_of(&self, name: &str) -> Option<&str> {
        self.by_name.get(name).map(|p| p.stack.as_str())
    }

    /// Preset names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// Every preset, sorted by name.
    pub fn all(&self) -> impl Iterator<Item = &Preset> {
        self.by_name.values()
    }
}

/// Parses a preset file; `extends = "other"` starts from that preset's table and
/// overrides it key by key (tables merge, other values replace).
fn with_base(name: &str, text: &str) -> Result<toml::Table> {
    let bug = |m: String| Error::Internal(format!("preset `{name}`: {m}"));
    let mut table: toml::Table = toml::from_str(text).map_err(|e| bug(e.message().to_string()))?;
    let Some(base) = table.remove("extends") else {
        return Ok(table);
    };
    let base = base
        .as_str()
        .ok_or_else(|| bug("`extends` must name a preset".into()))?
        .to_string();
    let base_text = PRESETS
        .get_file(format!("{base}.toml"))
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| bug(format!("extends unknown preset `{base}`")))?;
    let mut merged: toml::Table =
        toml::from_str(base_text).map_err(|e| bug(e.message().to_string()))?;
    if base == name || merged.contains_key("extends") {
        return Err(bug(
            "a preset may extend one preset that extends nothing".into()
        ));
    }
    merge_tables(&mut merged, table);
    Ok(merged)
}

fn merge_tables(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

impl Preset {
    /// The flag that sets the version for this preset's stack.
    pub fn version_flag(&self) -> &'static str {
        match self.stack.as_str() {
            "go" => "--go-version",
            "python" => "--python-version",
            "rust" => "--rust-version",
            _ => "--node-version",
        }
    }

    /// Internal consistency: defaults name a runtime family and package manager that exist.
    fn check(&self) -> Result<()> {
        let bug = |m: String| Err(Error::Internal(format!("preset `{}`: {m}", self.name)));
        let Some(runtime) = &self.defaults.runtime else {
            return bug("no default runtime".into());
        };
        if !self.runtime.contains_key(runtime) {
            return bug(format!("default runtime `{runtime}` is not defined"));
        }
        if let Some(pm) = &self.defaults.package_manager
            && !self.package_managers.is_empty()
            && !self.package_managers.contains_key(pm)
        {
            return bug(format!("default package manager `{pm}` is not defined"));
        }
        let Some(default) = &self.defaults.version else {
            return bug("needs a default version".into());
        };
        if self.versions.release(default).is_none() {
            return bug(format!("default version `{default}` has no release data"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for r in &self.versions.release {
            if !seen.insert(&r.version) || r.tags.is_empty() {
                return bug(format!(
                    "release `{}` is listed twice or has no tags",
                    r.version
                ));
            }
            if r.eol.is_some_and(|e| e <= r.released) {
                return bug(format!("release `{}` ends before it starts", r.version));
            }
        }
        for (alias, v) in &self.versions.aliases {
            if self.versions.release(v).is_none() {
                return bug(format!("alias `{alias}` names unknown release `{v}`"));
            }
        }
        Ok(())
    }
}

/// Turns a version, alias or range into a concrete version dockform has images for:
/// an exact version must be a known release (or one release of a known line); a range
/// resolves to the newest supported line that satisfies it (LTS lines only, where the
/// data has LTS dates), else to the newest known line that does.
pub fn resolve_version(preset: &Preset, wanted: &str) -> Result<String> {
    let versions = &preset.versions;
    let wanted = wanted.trim();
    let aliased = versions.alias(wanted);
    let wanted = aliased.as_deref().unwrap_or(wanted);
    let known = || {
        versions
            .release
            .iter()
            .map(|r| r.version.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if versions.release(wanted).is_some() {
        return Ok(wanted.to_string());
    }
    let wildcard = wanted.contains(['x', 'X', '*']);
    if validate::version("version", wanted).is_ok() && !wildcard {
        return Err(Error::invalid(
            "version",
            format!(
                "`{}` is not a release dockform has images for (known: {})",
                validate::shown(wanted),
                known()
            ),
        ));
    }
    let range = crate::versions::parse_range(wanted).ok_or_else(|| {
        Error::invalid(
            "version",
            format!(
                "`{}` is neither a version nor a range",
                validate::shown(wanted)
            ),
        )
    })?;
    let lts = versions.has_lts();
    versions
        .candidates()
        .chain(versions.release.iter().filter(|r| !lts || r.lts.is_some()))
        .find(|r| crate::versions::line_satisfies(&r.version, &range))
        .map(|r| r.version.clone())
        .ok_or_else(|| {
            Error::invalid(
                "version",
                format!(
                    "no known version satisfies `{}` (known: {})",
                    validate::shown(wanted),
                    known()
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_preset_loads_and_is_consistent() {
        let presets = Presets::embedded().expect("embedded presets must be valid");
        assert!(presets.names().count() >= 2);
        for preset in presets.all() {
            assert!(
                crate::detect::stack_ids().contains(&preset.stack.as_str()),
                "preset {} names an unknown stack {}",
                preset.name,
                preset.stack
            );
        }
    }
}
