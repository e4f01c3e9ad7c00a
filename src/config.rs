//! The user's layers: `dockform.toml`, flags (with their `DOCKFORM_*` variables) and
//! template overrides.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::Choices;
use crate::detect::{Detection, toml_error};
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::scan::Project;

/// Name of the saved config file, beside the Dockerfile.
pub const CONFIG_FILE: &str = "dockform.toml";

/// Reads `dockform.toml` if present; unknown keys are errors with line and column.
pub fn load(project: &Project) -> Result<Layer> {
    let Some(text) = project.read(CONFIG_FILE)? else {
        return Ok(Layer::default());
    };
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| toml_error(CONFIG_FILE, &text, &e))?;
    for (key, value) in &table {
        if !KEYS.iter().any(|(k, _)| k == key) {
            let at = locate(&text, key).map_or(String::new(), |(line, column, _)| {
                format!("line {line}, column {column}: ")
            });
            return Err(Error::bad_input(
                CONFIG_FILE,
                format!("{at}unknown key `{key}` ({})", suggest(key)),
            ));
        }
        // Each value alone, so a wrong type or range names its key and line.
        let one: toml::Table = [(key.clone(), value.clone())].into_iter().collect();
        if let Err(e) = one.try_into::<Layer>() {
            let message = match (key.as_str(), value.as_integer()) {
                ("port", Some(n)) => crate::validate::parse_port(&n.to_string())
                    .err()
                    .unwrap_or_else(|| e.message().to_string()),
                _ => e.message().to_string(),
            };
            return Err(Error::invalid(key_name(key, Some(&text)), message));
        }
    }
    toml::from_str(&text).map_err(|e| toml_error(CONFIG_FILE, &text, &e))
}

/// Where the top-level `key` is set in `text`: 1-based line, key column, value column.
pub fn locate(text: &str, key: &str) -> Option<(usize, usize, usize)> {
    let spellings = [key.to_string(), format!("\"{key}\""), format!("'{key}'")];
    text.lines().enumerate().find_map(|(i, line)| {
        let body = line.trim_start();
        let key_col = line.chars().count() - body.chars().count() + 1;
        spellings.iter().find_map(|k| {
            let rest = body.strip_prefix(k.as_str())?.trim_start();
            let value = rest.strip_prefix('=')?.trim_start();
            let value_col = line.chars().count() - value.chars().count() + 1;
            Some((i + 1, key_col, value_col))
        })
    })
}

/// How an error names the `dockform.toml` key `key`, with where its value starts:
/// `port` (`dockform.toml` line 3, column 8).
pub fn key_name(key: &str, text: Option<&str>) -> String {
    match text.and_then(|t| locate(t, key)) {
        Some((line, _, column)) => {
            format!("`{key}` (`{CONFIG_FILE}` line {line}, column {column})")
        }
        None => format!("`{key}` (in `{CONFIG_FILE}`)"),
    }
}

/// "did you mean `port`?" for the nearest key, else the list of keys.
fn suggest(key: &str) -> String {
    let wanted = key.to_ascii_lowercase().replace('_', "-");
    let nearest = KEYS
        .iter()
        .map(|(k, _)| (distance(&wanted, k), *k))
        .min()
        .filter(|(d, k)| *d <= 2.max(k.len() / 4));
    match nearest {
        Some((_, k)) => format!("did you mean `{k}`?"),
        None => {
            let keys: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
            format!("keys: {}", keys.join(", "))
        }
    }
}

/// Levenshtein distance between `a` and `b`, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The flags as a settings layer.
pub fn flags_layer(c: &Choices) -> Result<Layer> {
    // Read like a typed answer: split on commas and blanks (`"A, B"`), sorted, deduplicated.
    let list = |v: &Vec<String>| {
        let names = crate::validate::list(&v.join(","));
        (!names.is_empty()).then_some(names)
    };
    let port = match &c.port {
        None => None,
        Some(p) => {
            Some(crate::validate::parse_port(p).map_err(|m| Error::invalid(c.name("--port"), m))?)
        }
    };
    Ok(Layer {
        stack: c.stack.clone(),
        preset: c.preset.clone(),
        version: version_flag(c)?,
        package_manager: c.package_manager.clone(),
        runtime: c.runtime.clone(),
        port,
        health_path: c.health_path.clone(),
        build_command: c.build_command.clone(),
        start_command: c.start_command.clone(),
        test_command: c.test_command.clone(),
        dev_command: c.dev_command.clone(),
        build_args: list(&c.build_args),
        secrets: list(&c.secrets),
        app: c.app.first().cloned(),
        allow_secret_files: None,
        compose: c.no_compose.then_some(false),
        services: list(&c.services),
    })
}

/// Each setting's flags (first the one errors name), its `DOCKFORM_*` variable and its
/// key in a layer, for [`blame`].
const SOURCES: &[(&[&str], &str, &str)] = &[
    (&["--stack"], "DOCKFORM_STACK", "stack"),
    (&["--preset"], "DOCKFORM_PRESET", "preset"),
    (&["--port"], "DOCKFORM_PORT", "port"),
    (&["--app", "--main", "--bin"], "DOCKFORM_APP", "app"),
    (
        &["--package-manager"],
        "DOCKFORM_PACKAGE_MANAGER",
        "package-manager",
    ),
    (
        &["--build-command"],
        "DOCKFORM_BUILD_COMMAND",
        "build-command",
    ),
    (
        &["--start-command"],
        "DOCKFORM_START_COMMAND",
        "start-command",
    ),
    (&["--test-command"], "DOCKFORM_TEST_COMMAND", "test-command"),
    (&["--dev-command"], "DOCKFORM_DEV_COMMAND", "dev-command"),
    (&["--runtime"], "DOCKFORM_RUNTIME", "runtime"),
    (&["--health-path"], "DOCKFORM_HEALTH_PATH", "health-path"),
    (&["--build-arg"], "DOCKFORM_BUILD_ARGS", "build-args"),
    (&["--secret"], "DOCKFORM_SECRETS", "secrets"),
    (&["--node-version"], "DOCKFORM_NODE_VERSION", "version"),
    (&["--go-version"], "DOCKFORM_GO_VERSION", "version"),
    (&["--python-version"], "DOCKFORM_PYTHON_VERSION", "version"),
    (&["--rust-version"], "DOCKFORM_RUST_VERSION", "version"),
];

/// Renames the field of an invalid-value error after where the value really came from:
/// a flag named in the error may not be on the command line (`argv`), the value then
/// coming from its `DOCKFORM_*` variable (`env` says which are set) or `dockform.toml`.
pub fn blame(
    e: Error,
    config: &Layer,
    flags: &Layer,
    argv: &[String],
    env: impl Fn(&str) -> bool,
) -> Error {
    let Error::InvalidValue { field, message } = e else {
        return e;
    };
    let set = |layer: &Layer, key: &str| {
        serde_json::to_value(layer)
            .ok()
            .and_then(|v| v.get(key).filter(|v| !v.is_null()).cloned())
            .is_some()
    };
    let named = field.trim_matches('`');
    let on_line = |flag: &str| {
        argv.iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let candidates = SOURCES
        .iter()
        .filter(|(names, _, key)| names.contains(&named) || (named == *key && key == &"version"));
    for (names, var, key) in candidates {
        if set(flags, key) {
            if names.iter().any(|f| on_line(f)) {
                return Error::InvalidValue { field, message };
            }
            if env(var) {
                return Error::InvalidValue {
                    field: format!("`{var}`"),
                    message,
                };
            }
        }
    }
    let key = SOURCES
        .iter()
        .find(|(names, _, key)| names.contains(&named) || named == *key)
        .map(|(_, _, key)| *key);
    match key {
        Some(key) if !set(flags, key) && set(config, key) => Error::InvalidValue {
            field: format!("`{key}` in `{CONFIG_FILE}`"),
            message,
        },
        _ => Error::InvalidValue { field, message },
    }
}

/// The one language-version flag given, if any; two at once is a usage error.
fn version_flag(c: &Choices) -> Result<Option<String>> {
    let given: Vec<(&str, &String)> = [
        ("--node-version", &c.node_version),
        ("--go-version", &c.go_version),
        ("--python-version", &c.python_version),
        ("--rust-version", &c.rust_version),
    ]
    .into_iter()
    .filter_map(|(flag, v)| v.as_ref().map(|v| (flag, v)))
    .collect();
    match given.as_slice() {
        [] => Ok(None),
        [(_, v)] => Ok(Some((*v).clone())),
        _ => Err(Error::invalid(
            "version",
            format!(
                "only one of {} may be given",
                given
                    .iter()
                    .map(|(f, _)| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The preset to use: the user's choice, else the detector's, else the stack's own.
pub fn preset_name<'a>(user: &'a Layer, detection: &'a Detection) -> &'a str {
    user.preset
        .as_deref()
        .or(detection.layer.preset.as_deref())
        .unwrap_or(&detection.stack)
}

/// Reads every `*.j2` file under `dir` as a template override, keyed by its relative path.
pub fn template_overrides(dir: Option<&Path>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let Some(dir) = dir else { return Ok(out) };
    let known = crate::render::embedded_names();
    for entry in ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build()
    {
        let entry = entry.map_err(|e| Error::invalid("`--templates-dir`", e.to_string()))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if !known.contains(&rel) {
            return Err(Error::invalid(
                "`--templates-dir`",
                format!(
                    "`{rel}` does not override any built-in template (known: {})",
                    known.join(", ")
                ),
            ));
        }
        let text = std::fs::read_to_string(entry.path())
            .map_err(|e| Error::io("read", entry.path(), e))?;
        out.insert(rel, text);
    }
    Ok(out)
}

/// Every key `dockform.toml` may hold, in file order, with the comment written above it.
const KEYS: &[(&str, &str)] = &[
    (
        "preset",
        "Preset the files are rendered with (`dockform presets` lists them).",
    ),
    (
        "stack",
        "Stack, chosen because the project reads as several.",
    ),
    ("app", "The app, main package or binary to containerize."),
    (
        "compose",
        "false: write no compose.yaml nor .env.example (`--no-compose`).",
    ),
    (
        "services",
        "Backing services compose.yaml runs, in place of the detected ones (`--service`).",
    ),
    (
        "version",
        "Language or toolchain version (or a range, resolved against the preset's).",
    ),
    ("package-manager", "Package manager."),
    ("port", "Port the app listens on; 0 if it serves no HTTP."),
    (
        "build-command",
        "Shell command that builds the app; \"\" for none.",
    ),
    (
        "start-command",
        "Command the production image runs, rendered in exec form.",
    ),
    (
        "test-command",
        "Shell command the `test` stage runs; \"\" for none.",
    ),
    ("dev-command", "Command the `dev` stage runs."),
    (
        "runtime",
        "Final-stage family (the preset's `runtime` tables).",
    ),
    (
        "build-args",
        "Build-time variables, rendered as `ARG` in the build stage.",
    ),
    (
        "secrets",
        "Build secret ids, mounted with `RUN --mount=type=secret`.",
    ),
    ("health-path", "Path the HEALTHCHECK requests."),
    (
        "allow-secret-files",
        "Credential files kept in the build context despite the deny list (dockform warns).",
    ),
];

const HEADER: &str = "\
# dockform.toml: the choices behind this project's Dockerfile and .dockerignore
# that differ from what dockform detects. Edit it freely: `dockform init --yes`
# regenerates the files from it and `dockform check` exits 1 when they drift.
# Precedence: preset < detection < this file < DOCKFORM_* variables < flags.
# Keys: preset, stack, app, version, package-manager, port, build-command,
# start-command, test-command, dev-command, runtime, build-args, secrets, health-path,
# allow-secret-files, compose (false: no compose.yaml nor .env.example), services.
";

/// The layer `dockform.toml` should hold: the preset, and of the user's choices
/// (`user`: config, flags and answers merged) every key the file already held (the
/// user pinned it, so it stays even when detection agrees) and every one that differs
/// from what the preset and detection alone give (`base`). Values the detector derives
/// from a choice (`pnpm run test` once pnpm is chosen) are not saved: they follow from
/// the choice. Versions compare by what they resolve to (`>=20` and `24` may agree).
pub fn to_save(
    previous: &Layer,
    base: &Layer,
    user: &Layer,
    preset: &crate::preset::Preset,
) -> Result<Layer> {
    let (previous, base, user) = (as_map(previous)?, as_map(base)?, as_map(user)?);
    let mut out = serde_json::Map::new();
    for (key, value) in user {
        let differs = match (
            key.as_str(),
            value.as_str(),
            base.get(&key).and_then(|b| b.as_str()),
        ) {
            ("version", Some(v), Some(b)) => {
                crate::preset::resolve_version(preset, v).ok()
                    != crate::preset::resolve_version(preset, b).ok()
            }
            _ => base.get(&key) != Some(&value),
        };
        if differs || previous.contains_key(&key) {
            out.insert(key, value);
        }
    }
    out.insert("preset".into(), preset.name.clone().into());
    serde_json::from_value(out.into()).map_err(|e| Error::Internal(format!("saved layer: {e}")))
}

/// Non-empty fields of a layer by kebab-case key.
fn as_map(layer: &Layer) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::to_value(layer).map_err(|e| Error::Internal(e.to_string()))? {
        serde_json::Value::Object(m) => Ok(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        _ => Err(Error::Internal("a layer is not a map".into())),
    }
}

/// The text of `dockform.toml` for `layer`: a header, then each key under its comment.
/// When `existing` already holds the same settings it is kept as it is, so hand edits
/// to comments and layout survive a regeneration.
pub fn file_text(layer: &Layer, existing: Option<&str>) -> Result<String> {
    if let Some(text) = existing
        && toml::from_str::<Layer>(text).is_ok_and(|l| l == *layer)
    {
        return Ok(text.replace("\r\n", "\n"));
    }
    let table =
        toml::Table::try_from(layer).map_err(|e| Error::Internal(format!("saved layer: {e}")))?;
    let mut out = HEADER.to_string();
    for (key, comment) in KEYS {
        if let Some(value) = table.get(*key) {
            let one: toml::Table = [(key.to_string(), value.clone())].into_iter().collect();
            let line = toml::to_string(&one)
                .map_err(|e| Error::Internal(format!("saved `{key}`: {e}")))?;
            out.push_str(&format!("\n# {comment}\n{line}"));
        }
    }
    Ok(out)
}

/// Whether `text` (the `dockform.toml` on disk) is exactly what dockform writes for
/// the settings it holds: never edited by hand, so a run may replace it without
/// `--force`. (Its layout is canonical, so it needs no checksum.)
pub fn untouched(text: &str) -> bool {
    let text = text.replace("\r\n", "\n");
    toml::from_str::<Layer>(&text)
        .ok()
        .and_then(|layer| file_text(&layer, None).ok())
        .is_some_and(|canonical| canonical == text)
}

/// Names the real origin of an invalid value, reading this process's arguments and
/// environment: the flag, its variable or `dockform.toml`.
pub fn blame_process(e: Error, config: &Layer, flags: &Layer) -> Error {
    let argv: Vec<String> = std::env::args().collect();
    blame(e, config, flags, &argv, |var| {
        std::env::var_os(var).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> crate::preset::Preset {
        crate::preset::Presets::embedded()
            .unwrap()
            .get("node")
            .unwrap()
            .clone()
    }

    #[test]
    fn a_config_as_dockform_wrote_it_is_untouched_and_any_hand_edit_shows() {
        let layer = Layer {
            port: Some(7000),
            ..Default::default()
        };
        let text = file_text(&layer, None).unwrap();
        assert!(untouched(&text));
        assert!(untouched(&text.replace('\n', "\r\n")));
        assert!(!untouched(&format!("{text}# ours\n")));
        assert!(!untouched(&text.replace("7000", "7001 # ours")));
        assert!(!untouched("port = 7000\n"));
    }

    #[test]
    fn every_layer_field_has_a_commented_key() {
        let full = Layer {
            port: Some(1),
            build_args: Some(vec![]),
            ..Default::default()
        };
        let keys: Vec<String> = serde_json::to_value(full)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys.len(), KEYS.len());
        for k in keys {
            assert!(
                KEYS.iter().any(|(key, _)| *key == k),
                "`{k}` has no comment in dockform.toml"
            );
            assert!(HEADER.contains(&k), "`{k}` is not listed in the header");
        }
    }

    #[test]
    fn saves_only_what_differs_from_detection_plus_the_preset() {
        let base = Layer {
            port: Some(3000),
            version: Some(">=20 <25".into()),
            ..Default::default()
        };
        let chosen = Layer {
            port: Some(9999),
            version: Some("24".into()),
            ..Default::default()
        };
        let saved = to_save(&Layer::default(), &base, &chosen, &node()).unwrap();
        assert_eq!(
            saved,
            Layer {
                preset: Some("node".into()),
                port: Some(9999),
                ..Default::default()
            }
        );
    }

    #[test]
    fn keeps_a_key_the_file_already_held_even_when_detection_agrees() {
        let previous = Layer {
            port: Some(3000),
            ..Default::default()
        };
        let base = Layer {
            port: Some(3000),
            ..Default::default()
        };
        let saved = to_save(&previous, &base, &base, &node()).unwrap();
        assert_eq!(saved.port, Some(3000));
    }

    #[test]
    fn the_file_reads_back_as_the_same_layer_and_keeps_hand_edits() {
        let layer = Layer {
            preset: Some("node".into()),
            port: Some(8080),
            build_args: Some(vec!["FOO".into()]),
            start_command: Some("node \"a b.js\"".into()),
            ..Default::default()
        };
        let text = file_text(&layer, None).unwrap();
        assert_eq!(toml::from_str::<Layer>(&text).unwrap(), layer);
        assert!(
            text.contains("# Port the app listens on; 0 if it serves no HTTP.\nport = 8080\n"),
            "{text}"
        );
        let edited = format!(
            "# mine\n{}",
            text.replace("port = 8080", "port = 8080 # why")
        );
        assert_eq!(file_text(&layer, Some(&edited)).unwrap(), edited);
    }
}
