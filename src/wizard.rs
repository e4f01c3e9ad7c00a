//! The wizard is only *who answers*: a [`Prompter`] for a terminal (dialoguer, on
//! stderr), one that accepts defaults (`--yes`, no terminal), and a scripted one for
//! tests. Values already given by a flag or config are never asked again.

use std::collections::BTreeMap;

use crate::detect::Detection;
use crate::error::{Error, Result};
use crate::settings::{Layer, Origin};

/// Answers questions.
pub trait Prompter {
    /// A free-text answer; `default` is offered and `check` validates.
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String>;
    /// One of `options`; returns its index.
    fn select(&mut self, q: &Ask, options: &[String], default: usize) -> Result<usize>;
    /// Yes or no.
    fn confirm(&mut self, q: &Ask, default: bool) -> Result<bool>;
}

/// One question: a stable key (for scripts and tests), the prompt, the reason behind
/// the default and the flag that answers it non-interactively.
#[derive(Debug, Clone)]
pub struct Ask {
    /// Stable key, e.g. `port`.
    pub key: String,
    /// Prompt text.
    pub prompt: String,
    /// Why the default is what it is ("from .nvmrc").
    pub reason: String,
    /// The flag that answers it.
    pub flag: String,
}

/// Accepts every default; a question without one is an error naming the flag.
pub struct Defaults;

impl Prompter for Defaults {
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String> {
        let value = default.ok_or_else(|| Error::NeedsAnswer {
            question: q.prompt.to_lowercase(),
            detail: "no default and no terminal to ask".into(),
            flag: q.flag.clone(),
        })?;
        check(value)?;
        Ok(value.to_string())
    }
    fn select(&mut self, _: &Ask, _: &[String], default: usize) -> Result<usize> {
        Ok(default)
    }
    fn confirm(&mut self, _: &Ask, default: bool) -> Result<bool> {
        Ok(default)
    }
}

/// Answers from a script (key → answer), for tests; unknown keys take the default.
pub struct Scripted(pub BTreeMap<String, String>);

impl Prompter for Scripted {
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String> {
        match self.0.get(&q.key) {
            Some(a) => check(a).map(|()| a.clone()),
            None => Defaults.input(q, default, check),
        }
    }
    fn select(&mut self, q: &Ask, options: &[String], default: usize) -> Result<usize> {
        Ok(self
            .0
            .get(&q.key)
            .and_then(|a| options.iter().position(|o| o == a))
            .unwrap_or(default))
    }
    fn confirm(&mut self, q: &Ask, default: bool) -> Result<bool> {
        Ok(self.0.get(&q.key).map_or(default, |a| a == "yes"))
    }
}

/// A real terminal: dialoguer prompts drawn on stderr.
pub struct Terminal;

impl Terminal {
    fn label(q: &Ask) -> String {
        if q.reason.is_empty() {
            q.prompt.clone()
        } else {
            format!("{} ({})", q.prompt, q.reason)
        }
    }
}

fn cancelled(_: dialoguer::Error) -> Error {
    Error::Cancelled
}

impl Prompter for Terminal {
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String> {
        let theme = dialoguer::theme::ColorfulTheme::default();
        let mut input = dialoguer::Input::<String>::with_theme(&theme).with_prompt(Self::label(q));
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        input
            .validate_with(|v: &String| check(v).map_err(|e| e.to_string()))
            .interact_text()
            .map_err(cancelled)
    }
    fn select(&mut self, q: &Ask, options: &[String], default: usize) -> Result<usize> {
        let theme = dialoguer::theme::ColorfulTheme::default();
        dialoguer::FuzzySelect::with_theme(&theme)
            .with_prompt(Self::label(q))
            .items(options)
            .default(default.min(options.len().saturating_sub(1)))
            .interact_opt()
            .map_err(cancelled)?
            .ok_or(Error::Cancelled)
    }
    fn confirm(&mut self, q: &Ask, default: bool) -> Result<bool> {
        let theme = dialoguer::theme::ColorfulTheme::default();
        dialoguer::Confirm::with_theme(&theme)
            .with_prompt(Self::label(q))
            .default(default)
            .interact_opt()
            .map_err(cancelled)?
            .ok_or(Error::Cancelled)
    }
}

/// Answers an open choice from detection (which app or binary). Without a terminal it
/// is an error listing the candidates and the flag to pass.
pub fn choose(prompter: &mut dyn Prompter, q: &crate::detect::Question) -> Result<String> {
    let ask = Ask {
        key: "app".into(),
        prompt: q.prompt.clone(),
        reason: q.detail.clone(),
        flag: q.flag.clone(),
    };
    // `usize::MAX`: no default, so the accept-defaults prompter cannot pick silently.
    let i = prompter.select(&ask, &q.candidates, usize::MAX)?;
    q.candidates
        .get(i)
        .cloned()
        .ok_or_else(|| Error::NeedsAnswer {
            question: q.prompt.to_lowercase(),
            detail: format!("{} (candidates: {})", q.detail, q.candidates.join(", ")),
            flag: format!(
                "{} <{}>",
                q.flag,
                q.candidates.first().map_or("NAME", String::as_str)
            ),
        })
}

/// Asks every question not already answered by a flag or config (`given`), with the
/// detected or preset value as the default. Returns the answers as a layer.
pub fn ask(
    prompter: &mut dyn Prompter,
    detection: &Detection,
    merged: &Layer,
    origins: &BTreeMap<&'static str, Origin>,
) -> Result<Layer> {
    let mut answers = Layer::default();
    let given = |key: &str| matches!(origins.get(key), Some(Origin::Flag | Origin::Config));
    let reason = |key: &str| -> String {
        match (origins.get(key), detection.evidence.get(key)) {
            (Some(Origin::Detected), Some(e)) => match &e.source {
                Some(s) => format!("from {s}"),
                None => e.reason.clone(),
            },
            (Some(o), _) => o.to_string(),
            (None, _) => String::new(),
        }
    };
    let q = |key: &str, prompt: &str, flag: &str| Ask {
        key: key.into(),
        prompt: prompt.into(),
        reason: reason(key),
        flag: flag.into(),
    };
    if !given("version") {
        let v = prompter.input(
            &q("version", "Runtime version", "--node-version"),
            merged.version.as_deref(),
            &|v| crate::validate::line("version", v),
        )?;
        answers.version = Some(v);
    }
    if !given("port") {
        let default = merged.port.map(|p| p.to_string());
        let p = prompter.input(
            &q("port", "Port the app listens on (0 for none)", "--port"),
            default.as_deref(),
            &|v| {
                v.parse::<u16>()
                    .map(|_| ())
                    .map_err(|_| Error::invalid("port", "must be a number from 0 to 65535"))
            },
        )?;
        answers.port = p.parse().ok();
    }
    for (key, prompt, flag, value) in [
        (
            "build-command",
            "Build command (empty for none)",
            "--build-command",
            &merged.build_command,
        ),
        (
            "start-command",
            "Start command",
            "--start-command",
            &merged.start_command,
        ),
        (
            "test-command",
            "Test command (empty for none)",
            "--test-command",
            &merged.test_command,
        ),
    ] {
        if !given(key) {
            let answer = prompter.input(
                &q(key, prompt, flag),
                Some(value.as_deref().unwrap_or_default()),
                &|v| {
                    if v.is_empty() {
                        Ok(())
                    } else {
                        crate::validate::line(flag, v)
                    }
                },
            )?;
            let slot = match key {
                "build-command" => &mut answers.build_command,
                "start-command" => &mut answers.start_command,
                _ => &mut answers.test_command,
            };
            *slot = Some(answer);
        }
    }
    Ok(answers)
}
