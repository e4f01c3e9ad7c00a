//! One question at a time: its current value and where that came from, the prompt,
//! the check an answer must pass (the same one its flag and `dockform.toml` key pass),
//! and the answer layer it fills.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Inputs;
use crate::config;
use crate::detect::Detection;
use crate::error::{Error, Result};
use crate::layer::{Layer, Origin};
use crate::preset::Preset;
use crate::settings;
use crate::validate::{self, NONE};
use crate::wizard::{Ask, Prompter};

pub(super) struct Interview<'p, 'a> {
    pub(super) p: &'p mut dyn Prompter,
    pub(super) preset: &'a Preset,
    pub(super) inputs: &'p Inputs<'a>,
    pub(super) answers: Layer,
}

impl Interview<'_, '_> {
    /// How an error names a value given by `flag` or its variable.
    pub(super) fn flag_name(&self, flag: &str) -> String {
        crate::cli::source_name(flag, self.inputs.from_env)
    }

    /// How an error names the `dockform.toml` key `key`: with its line when found.
    pub(super) fn config_name(&self, key: &str) -> String {
        let text = self.inputs.project.read(config::CONFIG_FILE).ok().flatten();
        config::key_name(key, text.as_deref())
    }

    /// Every layer so far, with origins.
    pub(super) fn merged(&self, d: &Detection) -> (Layer, BTreeMap<&'static str, Origin>) {
        settings::merge(&[
            (Origin::Preset, &self.preset.defaults),
            (Origin::Detected, &d.layer),
            (Origin::Config, self.inputs.config),
            (Origin::Flag, self.inputs.flags),
            (Origin::Answer, &self.answers),
        ])
    }

    /// The current value of `key` as text, with the reason for it.
    pub(super) fn current(&self, d: &Detection, key: &str) -> (Option<String>, String) {
        let (layer, origins) = self.merged(d);
        let reason = match (origins.get(key), d.evidence.get(key)) {
            (Some(Origin::Detected), Some(e)) => e
                .source
                .as_ref()
                .map_or_else(|| e.reason.clone(), |s| format!("from {s}")),
            (Some(Origin::Config), _) => format!("from {}", config::CONFIG_FILE),
            (Some(o), _) => o.to_string(),
            (None, _) => String::new(),
        };
        (field_text(&layer, key), reason)
    }

    /// A free-text question; records the answer when it differs from the default.
    pub(super) fn text(
        &mut self,
        d: &Detection,
        key: &str,
        prompt: &str,
        flag: &str,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<()> {
        if let Some(given) = field_text(self.inputs.flags, key) {
            return check(&given).map_err(|e| name_source(e, &self.flag_name(flag)));
        }
        let (value, reason) = self.current(d, key);
        if let Some(v) = value
            .as_deref()
            .filter(|_| self.merged(d).1.get(key) == Some(&Origin::Config))
        {
            // A bad saved value is named by its key and line in the file.
            check(v).map_err(|e| name_source(e, &self.config_name(key)))?;
        }
        let shown = match (value, key) {
            (Some(v), "version") => crate::preset::resolve_version(self.preset, &v)?,
            (Some(v), _) if v.is_empty() => NONE.to_string(),
            (Some(v), _) => v,
            (None, "start-command") => {
                return self.ask_text(key, prompt, flag, None, reason, check);
            }
            (None, "health-path") => "/".to_string(),
            (None, _) => NONE.to_string(),
        };
        self.ask_text(key, prompt, flag, Some(shown), reason, check)
    }

    pub(super) fn ask_text(
        &mut self,
        key: &str,
        prompt: &str,
        flag: &str,
        shown: Option<String>,
        reason: String,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<()> {
        let ask = Ask {
            key: key.into(),
            prompt: prompt.into(),
            reason,
            flag: flag.into(),
        };
        let answer = self.p.input(&ask, shown.as_deref(), check)?;
        let same = match (&shown, key) {
            (Some(s), "version") => {
                crate::preset::resolve_version(self.preset, s).ok()
                    == crate::preset::resolve_version(self.preset, &answer).ok()
            }
            (Some(s), _) => normalized(key, s) == normalized(key, &answer),
            (None, _) => false,
        };
        if !same {
            set_field(&mut self.answers, key, &answer)?;
        }
        Ok(())
    }

    /// One of `options` (skipped when there are none); records a change of default.
    pub(super) fn choice(
        &mut self,
        d: &Detection,
        key: &str,
        prompt: &str,
        flag: &str,
        options: &[String],
    ) -> Result<()> {
        if options.is_empty() {
            return Ok(());
        }
        let check = |v: &str, source: String| match options.iter().any(|o| o == v) {
            true => Ok(()),
            false => Err(Error::invalid(
                source,
                format!(
                    "`{}` is not one of {}",
                    validate::shown(v),
                    options.join(", ")
                ),
            )),
        };
        if let Some(given) = field_text(self.inputs.flags, key) {
            return check(&given, self.flag_name(flag));
        }
        let (value, reason) = self.current(d, key);
        if let Some(v) = &value {
            let source = match self.merged(d).1.get(key) {
                Some(Origin::Config) => self.config_name(key),
                _ => format!("`{flag}`"),
            };
            check(v, source)?;
        }
        let default = value
            .and_then(|v| options.iter().position(|o| *o == v))
            .unwrap_or(0);
        let ask = Ask {
            key: key.into(),
            prompt: prompt.into(),
            reason,
            flag: flag.into(),
        };
        let i = self.p.select(&ask, options, default)?;
        if i != default {
            set_field(&mut self.answers, key, &options[i])?;
        }
        Ok(())
    }
}

pub(super) fn version_prompt(preset: &Preset) -> String {
    let lang = match (preset.name.as_str(), preset.stack.as_str()) {
        ("bun", _) => "Bun",
        (_, "node" | "nextjs") => "Node.js",
        (_, "go") => "Go",
        (_, "python") => "Python",
        (_, "rust") => "Rust",
        _ => "Runtime",
    };
    format!("{lang} version")
}

pub(super) fn check_version(preset: &Preset, v: &str) -> Result<()> {
    crate::preset::resolve_version(preset, v).map(|_| ())
}

pub(super) fn check_line(v: &str) -> Result<()> {
    validate::line("command", v)
}

pub(super) fn check_words(v: &str) -> Result<()> {
    check_line(v)?;
    shell_words::split(v)
        .map(|_| ())
        .map_err(|e| Error::invalid("command", format!("cannot split into words: {e}")))
}

/// The start command is required: `none` is refused at the question, not after the
/// last one.
pub(super) fn check_start(v: &str) -> Result<()> {
    if v.trim().is_empty() || v.trim() == NONE {
        return Err(Error::invalid(
            "start command",
            "the production image needs a command to run",
        ));
    }
    check_words(v)
}

pub(super) fn check_names(flag: &str, v: &str) -> Result<()> {
    validate::list(v)
        .iter()
        .try_for_each(|n| validate::ident(&format!("`{flag}`"), n))
}

/// Accepts `none` or an empty answer for an optional value, else checks it.
pub(super) fn optional(check: fn(&str) -> Result<()>) -> impl Fn(&str) -> Result<()> {
    move |v: &str| {
        if v.trim().is_empty() || v.trim() == NONE {
            Ok(())
        } else {
            check(v)
        }
    }
}

/// Names where a checked value came from (a flag, a variable, a `dockform.toml` line)
/// on the check's error.
fn name_source(e: Error, source: &str) -> Error {
    match e {
        Error::InvalidValue { message, .. } => Error::invalid(source, message),
        e => e,
    }
}

fn normalized(key: &str, v: &str) -> String {
    match key {
        "build-args" | "secrets" => validate::list(v).join(","),
        _ if v.trim() == NONE => String::new(),
        _ => v.trim().to_string(),
    }
}

/// A layer field (kebab-case key) as answer text.
fn field_text(layer: &Layer, key: &str) -> Option<String> {
    match serde_json::to_value(layer).ok()?.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// Sets a layer field from answer text.
fn set_field(layer: &mut Layer, key: &str, text: &str) -> Result<()> {
    let value = match key {
        "port" => {
            Value::from(validate::parse_port(text).map_err(|m| Error::invalid("`--port`", m))?)
        }
        "build-args" | "secrets" => Value::from(validate::list(text)),
        _ => Value::from(normalized(key, text)),
    };
    let bug = |e: serde_json::Error| Error::Internal(format!("answer `{key}`: {e}"));
    let Value::Object(mut map) = serde_json::to_value(&*layer).map_err(bug)? else {
        return Err(Error::Internal("layer".into()));
    };
    map.insert(key.to_string(), value);
    *layer = serde_json::from_value(Value::Object(
        map.into_iter()
            .filter(|(_, v)| !v.is_null())
            .collect::<Map<_, _>>(),
    ))
    .map_err(bug)?;
    Ok(())
}
