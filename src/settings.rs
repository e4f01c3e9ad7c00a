//! Settings layers and the resolved plan. Lowest to highest precedence: preset,
//! detection, `dockform.toml`, environment and flags, wizard answers.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::detect::Detection;
use crate::error::{Error, Result};
use crate::layer::{Layer, Origin};
use crate::preset::{Preset, resolve_version};
use crate::validate;

/// The images a plan uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Images {
    /// Image for dependency, build, dev and test stages.
    pub builder: String,
    /// Image for the final stage.
    #[serde(rename = "final")]
    pub final_image: String,
}

/// The resolved plan: the only context templates see. Field names are used by the
/// templates; keep them in sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Stack id; selects `templates/<stack>/`.
    pub stack: String,
    /// Preset name.
    pub preset: String,
    /// Concrete language version (`24`, `1.26`).
    pub version: String,
    /// Package manager id.
    pub package_manager: String,
    /// The preset's table for that package manager (install commands, cache paths, ...).
    pub pm: toml::Table,
    /// The preset's free-form `[data]`.
    pub data: toml::Table,
    /// Final-stage family.
    pub runtime: String,
    /// The family's free-form data (interpreter path, package tool, ...).
    pub runtime_data: toml::Table,
    /// Builder and final images, version substituted.
    pub images: Images,
    /// Numeric `uid:gid` of the final stage.
    pub user: String,
    /// Whether the final image has a shell.
    pub shell: bool,
    /// Port served, if the app serves HTTP.
    pub port: Option<u16>,
    /// Health-check path, when a port is served.
    pub health_path: Option<String>,
    /// Build command for a `RUN`, if any.
    pub build_command: Option<String>,
    /// Production command, exec form.
    pub start_command: Vec<String>,
    /// Test command for a `RUN`, if any.
    pub test_command: Option<String>,
    /// Dev command, exec form (empty when unknown).
    pub dev_command: Vec<String>,
    /// Build args (`ARG` names).
    pub build_args: Vec<String>,
    /// Build secret ids.
    pub secrets: Vec<String>,
    /// Chosen app/main/binary, if the stack has such a choice.
    pub app: Option<String>,
    /// Credential files kept in the build context on the user's word (`allow-secret-files`).
    pub allow_secret_files: Vec<String>,
    /// Stack-specific detected facts (see the stack's detector).
    pub extra: BTreeMap<String, Value>,
    /// Whether `compose.yaml` and `.env.example` are written.
    pub compose: bool,
    /// Services, writable paths, required env and manifests, for `compose.yaml`.
    pub needs: crate::detect::services::Needs,
}

/// A resolved plan plus where each value came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The plan.
    pub settings: Settings,
    /// Origin of each layer field (kebab-case name).
    pub origins: BTreeMap<&'static str, Origin>,
}

macro_rules! merge_fields {
    ($out:ident, $origins:ident, $layer:ident, $origin:ident; $($field:ident => $name:literal),* $(,)?) => {
        $(if let Some(v) = &$layer.$field {
            $out.$field = Some(v.clone());
            $origins.insert($name, $origin);
        })*
    };
}

/// Merges layers in order; later layers win. Returns the merged layer and origins.
pub fn merge(layers: &[(Origin, &Layer)]) -> (Layer, BTreeMap<&'static str, Origin>) {
    let mut out = Layer::default();
    let mut origins = BTreeMap::new();
    for (origin, layer) in layers {
        let origin = *origin;
        merge_fields!(out, origins, layer, origin;
            stack => "stack", preset => "preset", version => "version", package_manager => "package-manager",
            runtime => "runtime", port => "port", health_path => "health-path",
            build_command => "build-command", start_command => "start-command",
            test_command => "test-command", dev_command => "dev-command",
            build_args => "build-args", secrets => "secrets", app => "app",
            allow_secret_files => "allow-secret-files", compose => "compose",
            services => "services");
    }
    (out, origins)
}

/// Resolves the plan for `preset` from the detection and the user's layers
/// (config, flags, answers, in increasing precedence).
pub fn resolve(
    preset: &Preset,
    detection: &Detection,
    user: &[(Origin, &Layer)],
) -> Result<Resolved> {
    let mut layers = vec![
        (Origin::Preset, &preset.defaults),
        (Origin::Detected, &detection.layer),
    ];
    layers.extend_from_slice(user);
    let (m, origins) = merge(&layers);
    let version =
        resolve_version(preset, m.version.as_deref().unwrap_or_default()).map_err(|e| {
            match (origins.get("version"), e) {
                (Some(Origin::Flag), Error::InvalidValue { message, .. }) => Error::Usage {
                    flag: preset.version_flag().to_string(),
                    message,
                },
                (_, e) => e,
            }
        })?;
    let runtime = m.runtime.clone().unwrap_or_default();
    let family = preset.runtime.get(&runtime).ok_or_else(|| {
        let known: Vec<_> = preset.runtime.keys().map(String::as_str).collect();
        Error::invalid(
            "`--runtime`",
            format!(
                "`{}` is not offered by preset `{}` (choose {})",
                validate::shown(&runtime),
                preset.name,
                known.join(", ")
            ),
        )
    })?;
    let images = images(preset, family, &runtime, detection, &version)?;
    let package_manager = m.package_manager.clone().unwrap_or_default();
    let pm = if preset.package_managers.is_empty() {
        toml::Table::new()
    } else {
        preset
            .package_managers
            .get(&package_manager)
            .cloned()
            .ok_or_else(|| {
                let known: Vec<_> = preset.package_managers.keys().map(String::as_str).collect();
                Error::invalid(
                    "`--package-manager`",
                    format!(
                        "`{}` is not one of {}",
                        validate::shown(&package_manager),
                        known.join(", ")
                    ),
                )
            })?
    };
    let port = m.port.filter(|p| *p != 0);
    let settings = Settings {
        stack: preset.stack.clone(),
        preset: preset.name.clone(),
        images,
        version,
        package_manager,
        pm,
        data: preset.data.clone(),
        runtime,
        runtime_data: family.data.clone(),
        user: family.user.clone(),
        shell: family.shell,
        port,
        health_path: port.and(m.health_path.clone()),
        build_command: shell_command("`--build-command`", m.build_command.as_deref())?,
        start_command: words("`--start-command`", m.start_command.as_deref())?,
        test_command: shell_command("`--test-command`", m.test_command.as_deref())?,
        dev_command: words("`--dev-command`", m.dev_command.as_deref())?,
        build_args: names("`--build-arg`", m.build_args.as_deref())?,
        secrets: names("`--secret`", m.secrets.as_deref())?,
        app: m
            .app
            .as_deref()
            .map(|a| validate::line("`--app`", a).map(|()| a.to_string()))
            .transpose()?,
        allow_secret_files: allowed_secret_files(m.allow_secret_files.as_deref())?,
        extra: detection
            .extra
            .iter()
            .map(|(k, f)| (k.clone(), f.value.clone()))
            .collect(),
        compose: m.compose.unwrap_or(true),
        needs: detection
            .needs
            .clone()
            .with_services(m.services.as_deref())?,
    };
    if let Some(path) = &settings.health_path {
        validate::http_path("`--health-path`", path)?;
    }
    if settings.start_command.is_empty() {
        return Err(Error::NeedsAnswer {
            question: "no start command".into(),
            detail: "dockform could not work out what the production image should run".into(),
            flag: "--start-command".into(),
        });
    }
    Ok(Resolved { settings, origins })
}

/// The family's final image, or the variant a true detected fact selects (cgo needs glibc).
fn final_image<'a>(family: &'a crate::preset::RuntimeFamily, detection: &Detection) -> &'a str {
    family
        .final_if
        .iter()
        .find(|(fact, _)| {
            detection
                .extra
                .get(*fact)
                .is_some_and(|f| f.value == Value::Bool(true))
        })
        .map_or(family.final_image.as_str(), |(_, image)| image.as_str())
}

/// The builder and final images for `version` in `family`: on the newest Debian
/// release (`{debian}`) for which both are published, per the preset's tag data, so
/// an end-of-life version stays on the older Debian its images were built on.
fn images(
    preset: &Preset,
    family: &crate::preset::RuntimeFamily,
    runtime: &str,
    detection: &Detection,
    version: &str,
) -> Result<Images> {
    let v = &preset.versions;
    let release = v.release(version).ok_or_else(|| {
        Error::invalid(
            "version",
            format!("`{}` has no image data", validate::shown(version)),
        )
    })?;
    let final_template = final_image(family, detection);
    for debian in v.debian_choices() {
        let builder = crate::versions::image_name(&family.builder, version, debian);
        let final_image = crate::versions::image_name(final_template, version, debian);
        if v.published(release, &builder) && v.published(release, &final_image) {
            return Ok(Images {
                builder,
                final_image,
            });
        }
    }
    Err(Error::invalid(
        "`--runtime`",
        format!(
            "no `{runtime}` image was published for version {version} (its tags: {}); choose another runtime or version",
            release.tags.join(", ")
        ),
    ))
}

fn command_line(field: &str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => validate::line(field, v).map(|()| Some(v.to_string())),
    }
}

/// A command rendered in shell form after `RUN`.
fn shell_command(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let command = command_line(field, value)?;
    if let Some(c) = &command {
        validate::shell_command(field, c)?;
    }
    Ok(command)
}

fn words(field: &str, value: Option<&str>) -> Result<Vec<String>> {
    let Some(v) = command_line(field, value)? else {
        return Ok(Vec::new());
    };
    shell_words::split(&v)
        .map_err(|e| Error::invalid(field, format!("cannot split into words: {e}")))
}

fn names(field: &str, value: Option<&[String]>) -> Result<Vec<String>> {
    let mut out: Vec<String> = value.unwrap_or_default().to_vec();
    for name in &out {
        validate::ident(field, name)?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// `allow-secret-files`: each a valid `.dockerignore` pattern on one line.
fn allowed_secret_files(list: Option<&[String]>) -> Result<Vec<String>> {
    let list = list.unwrap_or_default();
    for p in list {
        validate::line("`allow-secret-files`", p)?;
        let pattern = p.trim_start_matches('!');
        if let Some(why) = crate::ignorefile::docker_pattern_error(pattern)
            .or_else(|| pattern.trim().is_empty().then_some("empty"))
        {
            return Err(Error::invalid(
                "`allow-secret-files`",
                format!(
                    "`{}` is not a valid `.dockerignore` pattern ({why})",
                    validate::shown(p)
                ),
            ));
        }
    }
    Ok(list.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(today: &str) -> crate::preset::Presets {
        crate::preset::Presets::embedded_at(crate::versions::Date::parse(today).unwrap()).unwrap()
    }

    #[test]
    fn later_layers_win_and_record_their_origin() {
        let preset = Layer {
            port: Some(3000),
            version: Some("24".into()),
            ..Default::default()
        };
        let detected = Layer {
            port: Some(8080),
            ..Default::default()
        };
        let flags = Layer {
            version: Some("22".into()),
            ..Default::default()
        };
        let (m, origins) = merge(&[
            (Origin::Preset, &preset),
            (Origin::Detected, &detected),
            (Origin::Flag, &flags),
        ]);
        assert_eq!(m.port, Some(8080));
        assert_eq!(m.version.as_deref(), Some("22"));
        assert_eq!(origins["port"], Origin::Detected);
        assert_eq!(origins["version"], Origin::Flag);
    }

    #[test]
    fn ranges_resolve_to_the_newest_supported_version() {
        let presets = dated("2026-12-01");
        let node = presets.get("node").unwrap();
        assert_eq!(resolve_version(node, ">=18").unwrap(), "26");
        assert_eq!(resolve_version(node, "^22.1.0").unwrap(), "22");
        assert_eq!(resolve_version(node, ">=20 <23").unwrap(), "22");
        assert_eq!(resolve_version(node, "lts/*").unwrap(), "26");
        assert!(resolve_version(node, ">=99").is_err());
        for unknown in ["99", "1.2.3.4", "22-alpine", "2.7"] {
            let e = resolve_version(node, unknown).unwrap_err().to_string();
            assert!(
                e.contains("not a release dockform has images for")
                    || e.contains("no known version"),
                "{unknown}: {e}"
            );
        }
        assert!(resolve_version(node, "24\nRUN id").is_err());
    }

    #[test]
    fn ranges_that_crash_node_semver_are_refused_not_panicked_on() {
        let presets = dated("2026-12-01");
        let node = presets.get("node").unwrap();
        for bad in [
            "|0 lt =x",
            "=x",
            "=*",
            "= X",
            ">=1 =x",
            "~*",
            "^x",
            ">= *",
            "2.~  ~ >\t1.*.1v",
            "1.*.1",
            "||",
            "^99999999999999999999",
            "~18446744073709551615",
        ] {
            assert!(resolve_version(node, bad).is_err(), "{bad}");
        }
        for good in [
            ">= 20",
            "^22.1.0",
            "~22",
            "22.x",
            "*",
            "20 - 22",
            ">=20 <23 || 26",
            "v22.1.0-rc.1",
            "~> 22",
        ] {
            assert!(resolve_version(node, good).is_ok(), "{good}");
        }
        assert_eq!(resolve_version(node, "=22").unwrap(), "22");
        assert!(resolve_version(node, ">=22 <=24").is_ok());
    }

    /// Resolves `version` on `runtime` of `preset` as a detection would hand it over.
    fn plan(preset: &Preset, version: &str, runtime: &str, cgo: bool) -> Result<Images> {
        let mut d = Detection::new(&preset.stack, "x", "test");
        d.layer.version = Some(version.into());
        d.layer.runtime = Some(runtime.into());
        d.layer.start_command = Some("app".into());
        d.fact("cgo", cgo, None, "test");
        resolve(preset, &d, &[]).map(|r| r.settings.images)
    }

    #[test]
    fn every_image_reference_dockform_can_emit_is_in_the_tag_data() {
        let presets = dated("2026-12-01");
        let mut emitted = 0;
        for preset in presets.all() {
            let v = &preset.versions;
            // The data's tag list, spelled out as full references.
            let mut published: Vec<String> = v.other_images.clone();
            for r in &v.release {
                published.extend(
                    r.tags
                        .iter()
                        .map(|t| format!("{}:{}-{t}", v.image, r.version)),
                );
                published.extend(r.images.iter().cloned());
            }
            for r in &v.release {
                for runtime in preset.runtime.keys() {
                    for cgo in [false, true] {
                        let Ok(images) = plan(preset, &r.version, runtime, cgo) else {
                            continue;
                        };
                        for image in [&images.builder, &images.final_image] {
                            assert!(
                                published.contains(image),
                                "{} {} on {runtime}: `{image}` is not in the tag data",
                                preset.name,
                                r.version
                            );
                            emitted += 1;
                        }
                    }
                }
            }
            for r in v.supported() {
                let default = preset.defaults.runtime.as_deref().unwrap();
                assert!(
                    plan(preset, &r.version, default, false).is_ok(),
                    "{} {} has no image for the default runtime {default}",
                    preset.name,
                    r.version
                );
            }
        }
        assert!(emitted > 100, "{emitted}");
    }

    #[test]
    fn end_of_life_majors_stay_on_the_debian_release_their_images_were_built_on() {
        let presets = dated("2026-12-01");
        let node = presets.get("node").unwrap();
        let slim = |v: &str| plan(node, v, "slim", false).unwrap().builder;
        assert_eq!(slim("24"), "node:24-trixie-slim");
        assert_eq!(slim("18"), "node:18-bookworm-slim");
        assert_eq!(slim("16"), "node:16-bullseye-slim");
        assert_eq!(slim("14"), "node:14-bullseye-slim");
        assert_eq!(slim("23"), "node:23-bookworm-slim");
        assert_eq!(slim("22.11.0"), "node:22.11.0-trixie-slim");
        let distroless = plan(node, "18", "distroless", false).unwrap();
        assert_eq!(distroless.builder, "node:18-bookworm-slim");
        assert_eq!(
            distroless.final_image,
            "gcr.io/distroless/nodejs18-debian12:nonroot"
        );
        assert!(
            plan(node, "23", "distroless", false).is_err(),
            "no distroless image for odd majors"
        );
        let python = presets.get("python").unwrap();
        assert_eq!(
            plan(python, "3.9", "slim", false).unwrap().final_image,
            "python:3.9-slim-bookworm"
        );
    }

    #[test]
    fn a_version_flag_naming_no_release_is_a_usage_error_naming_the_flag() {
        let presets = dated("2026-12-01");
        for (preset, bad, flag) in [
            ("node", "99", "--node-version"),
            ("node", "1.2.3.4", "--node-version"),
            ("node", "22-alpine", "--node-version"),
            ("go", "1.99", "--go-version"),
            ("python", "2.7", "--python-version"),
            ("rust", "1.2", "--rust-version"),
        ] {
            let preset = presets.get(preset).unwrap();
            let mut d = Detection::new(&preset.stack, "x", "test");
            d.layer.start_command = Some("app".into());
            let flags = Layer {
                version: Some(bad.into()),
                ..Default::default()
            };
            let err = resolve(preset, &d, &[(Origin::Flag, &flags)]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}: {err}");
            assert!(err.to_string().contains(flag), "{bad}: {err}");
        }
    }
}
