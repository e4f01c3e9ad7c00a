//! The user's layers: `dockform.toml`, flags (with their `DOCKFORM_*` variables) and
//! template overrides.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::Choices;
use crate::detect::{Detection, toml_error};
use crate::error::{Error, Result};
use crate::scan::Project;
use crate::settings::Layer;

/// Name of the saved config file, beside the Dockerfile.
pub const CONFIG_FILE: &str = "dockform.toml";

/// Reads `dockform.toml` if present; unknown keys are errors with line and column.
pub fn load(project: &Project) -> Result<Layer> {
    match project.read(CONFIG_FILE)? {
        None => Ok(Layer::default()),
        Some(text) => toml::from_str(&text).map_err(|e| toml_error(CONFIG_FILE, &text, &e)),
    }
}

/// The flags as a settings layer.
pub fn flags_layer(c: &Choices) -> Result<Layer> {
    let list = |v: &Vec<String>| if v.is_empty() { None } else { Some(v.clone()) };
    Ok(Layer {
        stack: c.stack.clone(),
        preset: c.preset.clone(),
        version: version_flag(c)?,
        package_manager: c.package_manager.clone(),
        runtime: c.runtime.clone(),
        port: c.port,
        health_path: c.health_path.clone(),
        build_command: c.build_command.clone(),
        start_command: c.start_command.clone(),
        test_command: c.test_command.clone(),
        dev_command: c.dev_command.clone(),
        build_args: list(&c.build_args),
        secrets: list(&c.secrets),
        app: c.app.clone(),
    })
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
