//! The questions `init` asks, in order, whoever answers them (see `wizard`). Each is
//! backed by a flag: a value given by a flag (or its `DOCKFORM_*` variable) is checked
//! by the same function as a typed answer and never asked. Defaults come from the
//! layers below (preset, detection, `dockform.toml`) with a one-line reason.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::config;
use crate::detect::{self, Detection};
use crate::error::{Error, Result};
use crate::preset::{Preset, Presets};
use crate::scan::Project;
use crate::settings::{self, Layer, Origin};
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

/// Word that stands for "nothing" in a text answer (an empty answer takes the default).
const NONE: &str = "none";

/// The whole interview.
pub fn interview<'a>(p: &mut dyn Prompter, inputs: &Inputs<'a>) -> Result<Decided<'a>> {
    let mut answers = Layer::default();
    let user = settings::merge(&[
        (Origin::Config, inputs.config),
        (Origin::Flag, inputs.flags),
    ])
    .0;
    if user.stack.is_none() && user.preset.is_none() {
        answers.stack = ask_stack(p, inputs, &user)?;
    }
    let mut detection = detect_choosing(p, inputs, &mut answers)?;
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
        version_flag(preset),
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
        parse_port(v)
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

/// Parses a port the way both `--port` and the wizard do.
pub fn parse_port(value: &str) -> std::result::Result<u16, String> {
    value.trim().parse::<u16>().map_err(|_| {
        format!(
            "`{}` is not a number from 0 to 65535 (0: no HTTP)",
            validate::shown(value)
        )
    })
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

struct Interview<'p, 'a> {
    p: &'p mut dyn Prompter,
    preset: &'a Preset,
    inputs: &'p Inputs<'a>,
    answers: Layer,
}

impl Interview<'_, '_> {
    /// How an error names a value given by `flag` or its variable.
    fn flag_name(&self, flag: &str) -> String {
        crate::cli::source_name(flag, self.inputs.from_env)
    }

    /// How an error names the `dockform.toml` key `key`: with its line when found.
    fn config_name(&self, key: &str) -> String {
        let text = self.inputs.project.read(config::CONFIG_FILE).ok().flatten();
        config::key_name(key, text.as_deref())
    }

    /// Every layer so far, with origins.
    fn merged(&self, d: &Detection) -> (Layer, BTreeMap<&'static str, Origin>) {
        settings::merge(&[
            (Origin::Preset, &self.preset.defaults),
            (Origin::Detected, &d.layer),
            (Origin::Config, self.inputs.config),
            (Origin::Flag, self.inputs.flags),
            (Origin::Answer, &self.answers),
        ])
    }

    /// The current value of `key` as text, with the reason for it.
    fn current(&self, d: &Detection, key: &str) -> (Option<String>, String) {
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
    fn text(
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
            (Some(v), "version") => settings::resolve_version(self.preset, &v)?,
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

    fn ask_text(
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
                settings::resolve_version(self.preset, s).ok()
                    == settings::resolve_version(self.preset, &answer).ok()
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
    fn choice(
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

fn version_prompt(preset: &Preset) -> String {
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

/// The flag that sets the version for `preset`'s stack.
pub fn version_flag(preset: &Preset) -> &'static str {
    match preset.stack.as_str() {
        "go" => "--go-version",
        "python" => "--python-version",
        "rust" => "--rust-version",
        _ => "--node-version",
    }
}

fn check_version(preset: &Preset, v: &str) -> Result<()> {
    settings::resolve_version(preset, v).map(|_| ())
}

fn check_line(v: &str) -> Result<()> {
    validate::line("command", v)
}

fn check_words(v: &str) -> Result<()> {
    check_line(v)?;
    shell_words::split(v)
        .map(|_| ())
        .map_err(|e| Error::invalid("command", format!("cannot split into words: {e}")))
}

/// The start command is required: `none` is refused at the question, not after the
/// last one.
fn check_start(v: &str) -> Result<()> {
    if v.trim().is_empty() || v.trim() == NONE {
        return Err(Error::invalid(
            "start command",
            "the production image needs a command to run",
        ));
    }
    check_words(v)
}

fn check_names(flag: &str, v: &str) -> Result<()> {
    list(v)
        .iter()
        .try_for_each(|n| validate::ident(&format!("`{flag}`"), n))
}

/// Accepts `none` or an empty answer for an optional value, else checks it.
fn optional(check: fn(&str) -> Result<()>) -> impl Fn(&str) -> Result<()> {
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

/// A list answer or flag value: names split on commas and blanks, sorted, deduplicated
/// (`none` stands for no names).
pub fn list(v: &str) -> Vec<String> {
    let mut names: Vec<String> = v
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != NONE)
        .map(String::from)
        .collect();
    names.sort();
    names.dedup();
    names
}

fn normalized(key: &str, v: &str) -> String {
    match key {
        "build-args" | "secrets" => list(v).join(","),
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
        "port" => Value::from(parse_port(text).map_err(|m| Error::invalid("`--port`", m))?),
        "build-args" | "secrets" => Value::from(list(text)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::{Defaults, Scripted};

    const PACKAGE: &str = r#"{"name":"x","scripts":{"start":"node server.js","test":"node --test","dev":"node --watch server.js"}}"#;

    fn project(package: &str) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("package.json"), package).unwrap();
        std::fs::write(
            dir.path().join("package-lock.json"),
            "{\"lockfileVersion\":3}",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("server.js"),
            "require('http').createServer().listen(3000)\n",
        )
        .unwrap();
        let project = Project::scan(dir.path()).unwrap();
        (dir, project)
    }

    fn run(p: &mut dyn Prompter, project: &Project, flags: &Layer) -> Result<Layer> {
        let presets = Presets::embedded().unwrap();
        let config = Layer::default();
        let inputs = Inputs {
            project,
            presets: &presets,
            config: &config,
            flags,
            from_env: &[],
        };
        interview(p, &inputs).map(|d| d.answers)
    }

    #[test]
    fn accepting_every_default_answers_nothing() {
        let (_dir, project) = project(PACKAGE);
        let mut script = Scripted::default();
        assert_eq!(
            run(&mut script, &project, &Layer::default()).unwrap(),
            Layer::default()
        );
        for key in [
            "version",
            "package-manager",
            "port",
            "build-command",
            "start-command",
            "test-command",
            "dev-command",
            "runtime",
            "build-args",
            "secrets",
            "health-path",
        ] {
            assert!(
                script.asked.iter().any(|k| k == key),
                "`{key}` was not asked: {:?}",
                script.asked
            );
        }
    }

    #[test]
    fn answers_that_differ_from_the_default_become_the_answer_layer() {
        let (_dir, project) = project(PACKAGE);
        let mut script = Scripted::new([
            ("port", "9999"),
            ("runtime", "distroless"),
            ("build-args", "FOO, BAR FOO"),
            ("build-command", "none"),
            ("version", "22"),
        ]);
        let answers = run(&mut script, &project, &Layer::default()).unwrap();
        assert_eq!(answers.port, Some(9999));
        assert_eq!(answers.runtime.as_deref(), Some("distroless"));
        assert_eq!(answers.build_args, Some(vec!["BAR".into(), "FOO".into()]));
        assert_eq!(answers.version.as_deref(), Some("22"));
        assert_eq!(
            answers.build_command, None,
            "`none` is what detection found already"
        );
    }

    #[test]
    fn a_value_given_by_a_flag_is_never_asked() {
        let (_dir, project) = project(PACKAGE);
        let mut script = Scripted::default();
        let flags = Layer {
            port: Some(8080),
            runtime: Some("alpine".into()),
            ..Default::default()
        };
        run(&mut script, &project, &flags).unwrap();
        assert!(
            !script.asked.iter().any(|k| k == "port" || k == "runtime"),
            "{:?}",
            script.asked
        );
    }

    #[test]
    fn a_flag_is_checked_by_the_same_function_as_an_answer() {
        let (_dir, project) = project(PACKAGE);
        let flags = Layer {
            health_path: Some("no-slash".into()),
            ..Default::default()
        };
        let flag_error = run(&mut Defaults, &project, &flags)
            .unwrap_err()
            .to_string();
        let mut script = Scripted::new([("health-path", "no-slash")]);
        let answer_error = run(&mut script, &project, &Layer::default())
            .unwrap_err()
            .to_string();
        assert_eq!(flag_error, answer_error);
        let flags = Layer {
            runtime: Some("scratch".into()),
            ..Default::default()
        };
        let err = run(&mut Defaults, &project, &flags)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`--runtime`") && err.contains("alpine, distroless, slim"),
            "{err}"
        );
    }

    #[test]
    fn a_typed_answer_that_fails_its_check_is_an_error_not_a_value() {
        let (_dir, project) = project(PACKAGE);
        for (key, bad) in [
            ("port", "http"),
            ("version", "latest"),
            ("start-command", "node \"unclosed"),
            ("secrets", "a-b"),
            ("test-command", "x\nRUN id"),
        ] {
            let mut script = Scripted::new([(key, bad)]);
            assert!(
                run(&mut script, &project, &Layer::default()).is_err(),
                "{key} = {bad:?} accepted"
            );
        }
    }

    #[test]
    fn without_a_start_command_and_a_terminal_the_error_names_the_flag() {
        let (_dir, project) = project(r#"{"name":"x"}"#);
        std::fs::remove_file(project.root().join("server.js")).unwrap();
        let project = Project::scan(project.root()).unwrap();
        let err = run(&mut Defaults, &project, &Layer::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`--start-command`"), "{err}");
    }

    #[test]
    fn choosing_another_package_manager_re_detects_its_commands() {
        let (_dir, project) = project(PACKAGE);
        let mut script = Scripted::new([("package-manager", "pnpm")]);
        let presets = Presets::embedded().unwrap();
        let none = Layer::default();
        let inputs = Inputs {
            project: &project,
            presets: &presets,
            config: &none,
            flags: &none,
            from_env: &[],
        };
        let decided = interview(&mut script, &inputs).unwrap();
        assert_eq!(decided.answers.package_manager.as_deref(), Some("pnpm"));
        assert_eq!(
            decided.detection.layer.test_command.as_deref(),
            Some("pnpm run test")
        );
        assert_eq!(
            baseline(&inputs, &decided).package_manager.as_deref(),
            Some("npm")
        );
    }

    #[test]
    fn no_health_path_is_asked_when_no_http_is_served() {
        let (_dir, project) = project(PACKAGE);
        let mut script = Scripted::new([("port", "0")]);
        run(&mut script, &project, &Layer::default()).unwrap();
        assert!(
            !script.asked.iter().any(|k| k == "health-path"),
            "{:?}",
            script.asked
        );
    }

    #[test]
    fn two_services_are_asked_with_no_default() {
        let (dir, project) =
            project(r#"{"dependencies":{"express":"5"},"scripts":{"start":"node server.js"}}"#);
        std::fs::write(
            dir.path().join("go.mod"),
            "module example.com/x\n\ngo 1.26\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("main.go"),
            "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
        )
        .unwrap();
        let err = run(&mut Defaults, &project, &Layer::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--stack") && err.contains("go") && err.contains("express"),
            "{err}"
        );
        let mut script = Scripted::new([("stack", "go")]);
        let answers = run(&mut script, &project, &Layer::default()).unwrap();
        assert_eq!(answers.stack.as_deref(), Some("go"));
    }

    #[test]
    fn the_server_is_the_default_over_asset_tooling() {
        let (dir, project) = project(r#"{"scripts":{"build":"vite build"}}"#);
        std::fs::remove_file(dir.path().join("server.js")).unwrap();
        std::fs::write(
            dir.path().join("go.mod"),
            "module example.com/x\n\ngo 1.26\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("main.go"),
            "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
        )
        .unwrap();
        let presets = Presets::embedded().unwrap();
        let config = Layer::default();
        let flags = Layer::default();
        let inputs = Inputs {
            project: &project,
            presets: &presets,
            config: &config,
            flags: &flags,
            from_env: &[],
        };
        let decided = interview(&mut Defaults, &inputs).unwrap();
        assert_eq!(decided.detection.stack, "go");
    }
}
