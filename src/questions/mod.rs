//! The questions `init` asks, in order, whoever answers them (see `wizard`). Each is
//! backed by a flag: a value given by a flag (or its `DOCKFORM_*` variable) is checked
//! by the same function as a typed answer and never asked. Defaults come from the
//! layers below (preset, detection, `dockform.toml`) with a one-line reason.

use crate::config;
use crate::detect::{self, Detection};
use crate::error::{Error, Result};
use crate::layer::{Layer, Origin};
use crate::preset::{Preset, Presets};
use crate::scan::Project;
use crate::settings;
use crate::validate;
use crate::wizard::{Ask, Prompter};

/// What the interview starts from: the project and the user's layers.
pub struct Inputs<'a> {
    /// The scanned project.
    pub project: &'a Project,
    /// Embedded presets.
    pub presets: &'a Presets,
    /// `dockform.toml` (empty with `--no-config` or when absent).
    pub config: &'a Layer,
    /// Flags and their `DOCKFORM_*` variables.
    pub flags: &'a Layer,
    /// Ids of the flags whose value came from their variable (`Choices::from_env`).
    pub from_env: &'a [String],
}

/// The outcome: the detection (re-run with the answers that steer it), the preset and
/// the answers that differ from the defaults offered.
pub struct Decided<'a> {
    /// The final detection.
    pub detection: Detection,
    /// The preset to render with.
    pub preset: &'a Preset,
    /// Answers, as the highest layer.
    pub answers: Layer,
    /// Warnings already shown to the person answering, before the first question.
    pub shown: Vec<String>,
}

/// The whole interview; with a person answering, then a summary of the answers where
/// any one can be changed (the interview runs again, replaying the others).
pub fn interview<'a>(p: &mut dyn Prompter, inputs: &Inputs<'a>) -> Result<Decided<'a>> {
    if !p.interactive() {
        return interview_once(p, inputs);
    }
    let mut replay = review::Replay::new(p);
    loop {
        let decided = interview_once(&mut replay, inputs)?;
        if replay.review()? {
            return Ok(decided);
        }
    }
}

/// The questions, in order, once.
fn interview_once<'a>(p: &mut dyn Prompter, inputs: &Inputs<'a>) -> Result<Decided<'a>> {
    let mut answers = Layer::default();
    let user = settings::merge(&[
        (Origin::Config, inputs.config),
        (Origin::Flag, inputs.flags),
    ])
    .0;
    if user.stack.is_none() && user.preset.is_none() {
        answers.stack = ask_stack(p, inputs, &user)?;
    }
    let mut detection = match detect_choosing(p, inputs, &mut answers) {
        Err(Error::NoStack(dir)) if p.interactive() => return Err(offer_stacks(p, &dir)?),
        found => found?,
    };
    // Say what was found before the first question, and what to know about it.
    let why = detection
        .stack_evidence
        .as_ref()
        .map_or("", |e| e.reason.as_str());
    p.show(&format!("Detected a {} project ({why})\n", detection.stack));
    for w in &detection.warnings {
        p.show(&format!("warning: {w}\n"));
    }
    let shown = detection.warnings.clone();
    let hints = hints(inputs, &answers);
    let preset = inputs
        .presets
        .get(config::preset_name(&hints, &detection))?;
    let mut iv = Interview {
        p,
        preset,
        inputs,
        answers,
    };
    iv.text(
        &detection,
        "version",
        &version_prompt(preset),
        preset.version_flag(),
        &|v| check_version(preset, v),
    )?;
    let before = iv.merged(&detection).0.package_manager;
    let managers: Vec<String> = preset.package_managers.keys().cloned().collect();
    iv.choice(
        &detection,
        "package-manager",
        "Package manager",
        "--package-manager",
        &managers,
    )?;
    // The final image comes before the commands: a build command can depend on it
    // (Go on scratch embeds the time zone database).
    let families: Vec<String> = preset.runtime.keys().cloned().collect();
    let runtime = iv.merged(&detection).0.runtime;
    iv.choice(&detection, "runtime", "Final image", "--runtime", &families)?;
    if iv.merged(&detection).0.package_manager != before
        || iv.merged(&detection).0.runtime != runtime
    {
        // Commands are run through the package manager and built for the final image:
        // detect again with the answers.
        detection = detect_choosing(iv.p, inputs, &mut iv.answers)?;
    }
    iv.text(&detection, "port", "Port (0: no HTTP)", "--port", &|v| {
        validate::parse_port(v)
            .map(|_| ())
            .map_err(|m| Error::invalid("port", m))
    })?;
    iv.text(
        &detection,
        "build-command",
        "Build command (none: skip)",
        "--build-command",
        &optional(check_line),
    )?;
    iv.text(
        &detection,
        "start-command",
        "Start command",
        "--start-command",
        &check_start,
    )?;
    iv.text(
        &detection,
        "test-command",
        "Test command (none: skip)",
        "--test-command",
        &optional(check_line),
    )?;
    iv.text(
        &detection,
        "dev-command",
        "Dev command",
        "--dev-command",
        &optional(check_words),
    )?;
    iv.text(
        &detection,
        "build-args",
        "Build args (ARG names)",
        "--build-arg",
        &|v| check_names("--build-arg", v),
    )?;
    iv.text(
        &detection,
        "secrets",
        "Build secrets (ids)",
        "--secret",
        &|v| check_names("--secret", v),
    )?;
    if iv.merged(&detection).0.port.is_some_and(|port| port != 0) {
        iv.text(
            &detection,
            "health-path",
            "Health-check path",
            "--health-path",
            &|v| validate::http_path("`--health-path`", v),
        )?;
    }
    Ok(Decided {
        detection,
        preset,
        answers: iv.answers,
        shown,
    })
}

/// What the preset and detection alone give, without the user's choices steering the
/// detector (only the stack and app, which select what is detected): the baseline
/// `dockform.toml` is written against.
pub fn baseline(inputs: &Inputs, decided: &Decided) -> Layer {
    let d = &decided.detection;
    let plain = Layer {
        stack: Some(d.stack.clone()),
        app: hints(inputs, &decided.answers).app,
        ..Default::default()
    };
    let detected = detect::detect(inputs.project, inputs.presets, Some(&d.stack), &plain)
        .map_or_else(|_| d.layer.clone(), |p| p.layer);
    // The app counts as detected only when the detector picks it unaided; a choice
    // among several (a workspace's binaries) is the user's and must be saved.
    let unaided = Layer {
        stack: Some(d.stack.clone()),
        ..Default::default()
    };
    let app = detect::detect(inputs.project, inputs.presets, Some(&d.stack), &unaided)
        .ok()
        .filter(|p| p.questions.is_empty())
        .and_then(|p| p.layer.app);
    let detected = Layer {
        stack: Some(d.stack.clone()),
        app,
        ..detected
    };
    settings::merge(&[
        (Origin::Preset, &decided.preset.defaults),
        (Origin::Detected, &detected),
    ])
    .0
}

/// Which stack, asked only when several detectors recognise the project.
fn ask_stack(p: &mut dyn Prompter, inputs: &Inputs, user: &Layer) -> Result<Option<String>> {
    // Servers first; a detector that fails here is reported by the real detection below.
    let (found, contested) = detect::ranked_stacks(inputs.project, inputs.presets, user);
    if found.len() < 2 {
        return Ok(None);
    }
    let names: Vec<String> = found.iter().map(|(s, _)| s.clone()).collect();
    let ask = Ask {
        key: "stack".into(),
        prompt: "Stack".into(),
        reason: if contested {
            let each: Vec<String> = found.iter().map(|(s, why)| format!("{s}: {why}")).collect();
            format!("more than one service: {}", each.join("; "))
        } else {
            format!("several found; first: {}", found[0].1)
        },
        flag: "--stack".into(),
    };
    // Two servers: no default, so nobody gets one of them silently.
    let default = if contested { usize::MAX } else { 0 };
    let i = p.select(&ask, &names, default)?;
    Ok((contested || i != 0).then(|| names[i].clone()))
}

/// A project no detector recognises, on a terminal: offers the stacks, saying what
/// file each needs, and names the file and command for the one chosen (no dead end of
/// "pass `--stack`" then "has no manifest"). Returns the error that ends the run.
fn offer_stacks(p: &mut dyn Prompter, dir: &str) -> Result<Error> {
    let options: Vec<String> = detect::MANIFESTS
        .iter()
        .map(|(stack, file, _)| format!("{stack} (needs {file})"))
        .collect();
    let ask = Ask {
        key: "stack".into(),
        prompt: "Which stack is this project?".into(),
        reason: "no manifest found".into(),
        flag: "--stack".into(),
    };
    let i = p.select(&ask, &options, usize::MAX)?;
    let (stack, file, command) = detect::MANIFESTS[i];
    Ok(Error::bad_input(
        dir,
        format!(
            "has no {file}, which dockform needs for a {stack} project: create it ({command}), then run `dockform init` again"
        ),
    ))
}

/// Detects with the user's hints, asking the detector's open choices (which app).
fn detect_choosing(
    p: &mut dyn Prompter,
    inputs: &Inputs,
    answers: &mut Layer,
) -> Result<Detection> {
    loop {
        let hints = hints(inputs, answers);
        let detection = detect::detect(
            inputs.project,
            inputs.presets,
            hints.stack.as_deref(),
            &hints,
        )?;
        let Some(q) = detection.questions.first() else {
            return Ok(detection);
        };
        let ask = Ask {
            key: "app".into(),
            prompt: q.prompt.clone(),
            reason: q.detail.clone(),
            flag: format!("{} <NAME>", q.flag),
        };
        // No default: nobody picks an app silently.
        let i = p.select(&ask, &q.candidates, usize::MAX)?;
        answers.app = Some(q.candidates[i].clone());
    }
}

/// Config, flags and answers merged; the stack follows the preset when only that is given.
fn hints(inputs: &Inputs, answers: &Layer) -> Layer {
    let mut hints = settings::merge(&[
        (Origin::Config, inputs.config),
        (Origin::Flag, inputs.flags),
        (Origin::Answer, answers),
    ])
    .0;
    if hints.stack.is_none() {
        hints.stack = hints
            .preset
            .as_deref()
            .and_then(|p| inputs.presets.stack_of(p))
            .map(String::from);
    }
    hints
}

mod ask;
mod review;
#[cfg(test)]
mod tests;

use ask::{
    Interview, check_line, check_names, check_start, check_version, check_words, optional,
    version_prompt,
};
