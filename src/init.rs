//! `dockform init` and `dockform check`: interview (whoever answers), resolve, render,
//! then print, compare or write. This module and `main` are the only ones that print.

use std::io::IsTerminal;

use serde::Serialize;

use crate::cli::InitArgs;
use crate::config::{self, CONFIG_FILE};
use crate::error::{Error, Result};
use crate::layer::{Layer, Origin};
use crate::settings;
use crate::wizard::{Ask, Defaults, Prompter, Terminal};
use crate::write::{FilePlan, Plan, Status};
use crate::{ignorefile, preset, questions, render, report, scan};

/// How much to say on stderr.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Only errors.
    pub quiet: bool,
    /// Also where every setting came from.
    pub verbose: bool,
}

/// What happened to one file, for the report and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Written, did not exist.
    Created,
    /// Written over other contents.
    Updated,
    /// Already had the generated contents.
    Unchanged,
    /// Differs, and the person at the terminal chose to keep it.
    Kept,
    /// Differs and was not overwritten: no `--force` and no terminal to ask.
    Refused,
    /// Not written because another file was refused.
    Skipped,
}

/// `dockform init` (and `check`, which is `init --check --yes`).
pub fn init(args: &InitArgs, out: Output) -> Result<i32> {
    let project = scan::Project::scan(&args.path)?;
    if let Some(code) = crate::go_monorepo::route(args, out, project.root())? {
        return Ok(code);
    }
    if let Some(code) = crate::uv_monorepo::route(args, out, project.root())? {
        return Ok(code);
    }
    if let Some(code) = crate::monorepo::route(args, out, project.root())? {
        return Ok(code);
    }
    let presets = preset::Presets::embedded()?;
    let config = if args.no_config {
        Layer::default()
    } else {
        config::load(&project)?
    };
    let flags = config::flags_layer(&args.choices)?;
    generate(args, out, &project, &presets, &config, &flags)
        .map_err(|e| config::blame_process(e, &config, &flags))
}

/// Interview, resolve, render, then print, compare or write.
fn generate(
    args: &InitArgs,
    out: Output,
    project: &scan::Project,
    presets: &preset::Presets,
    config: &Layer,
    flags: &Layer,
) -> Result<i32> {
    let interactive = !args.yes
        && !args.stdout
        && !args.check
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal();
    let mut prompter: Box<dyn Prompter> = if interactive {
        Box::new(Terminal::default())
    } else {
        Box::new(Defaults)
    };
    let inputs = questions::Inputs {
        project,
        presets,
        config,
        flags,
        from_env: &args.choices.from_env,
    };
    let decided = questions::interview(prompter.as_mut(), &inputs)?;
    let user = [
        (Origin::Config, config),
        (Origin::Flag, flags),
        (Origin::Answer, &decided.answers),
    ];
    let resolved = settings::resolve(decided.preset, &decided.detection, &user)?;
    let overrides = config::template_overrides(args.templates_dir.as_deref())?;
    let gitignore = ignorefile::read(project.root());
    let (mut rendered, notes) = render::Renderer::new(overrides).render_noting(
        &resolved.settings,
        gitignore.as_ref().map(|g| g.text.as_str()),
    )?;
    if !args.no_config && !args.check {
        rendered.files.push(saved_config(&inputs, &decided)?);
    }
    if !out.quiet {
        decided
            .detection
            .warnings
            .iter()
            .filter(|w| !decided.shown.contains(w) || !interactive)
            .chain(&notes)
            .for_each(|w| report::warn(w));
        if gitignore.is_some_and(|g| g.truncated) {
            eprintln!(
                "warning: `.gitignore` is larger than {} MiB; only its first {} MiB are read",
                ignorefile::MAX_FILE >> 20,
                ignorefile::MAX_FILE >> 20
            );
        }
    }
    if out.verbose {
        eprint!(
            "{}",
            report::safe(&origins(&resolved.origins, &resolved.settings))
        );
    }
    if args.stdout {
        report::emit(&report::banners(&rendered))?;
        return Ok(0);
    }
    if args.diff || args.check {
        return compare(&plan(project.root(), &rendered)?, args.check, out);
    }
    // Held from the plan to the last write: a second run waits, then sees this one's files.
    let _lock = crate::write::DirLock::acquire(project.root(), || {
        if !out.quiet {
            eprintln!("waiting for another dockform run in this directory to finish");
        }
    })?;
    let plan = plan(project.root(), &rendered)?;
    let actions = decide(prompter.as_mut(), &plan, args.force, interactive)?;
    let code = write(&plan, &actions, args.json, out)?;
    let wrote = actions
        .iter()
        .any(|a| matches!(a, Action::Created | Action::Updated));
    if wrote && !args.json && !out.quiet {
        eprint!(
            "{}",
            next_steps(&args.path, project.root(), &resolved.settings)
        );
    }
    Ok(code)
}

/// The plan for the rendered files; `dockform.toml` as dockform wrote it (no hand
/// edit) is outdated rather than changed, like a generated file with its checksum.
fn plan(root: &std::path::Path, rendered: &render::Rendered) -> Result<Plan> {
    plan_with(root, rendered, |old, _| config::untouched(old))
}

/// The plan for the rendered files, `dockform.toml` outdated rather than changed when
/// `untouched(old, new)` says replacing it loses nothing of the user's.
pub(crate) fn plan_with(
    root: &std::path::Path,
    rendered: &render::Rendered,
    untouched: impl Fn(&str, &str) -> bool,
) -> Result<Plan> {
    let mut plan = Plan::new(root, rendered)?;
    for f in &mut plan.files {
        if f.name == CONFIG_FILE
            && f.status == Status::Changed
            && f.old.as_deref().is_some_and(|old| untouched(old, &f.new))
        {
            f.status = Status::Outdated;
        }
    }
    Ok(plan)
}

/// What to run after writing: build and run the image, and commit the saved choices.
fn next_steps(arg: &std::path::Path, root: &std::path::Path, s: &settings::Settings) -> String {
    let name = report::image_name(root);
    let context = shell_words::quote(&arg.to_string_lossy()).into_owned();
    let publish = s.port.map_or(String::new(), |p| format!("-p {p}:{p} "));
    format!(
        "\nNext:\n  docker build -t {name} {context}\n  docker run --rm {publish}{name}\n  \
         git add Dockerfile .dockerignore dockform.toml   \
         (and `dockform check` in CI keeps them in step)\n"
    )
}

/// `dockform.toml`: the user's choices (config, flags, answers) that differ from what
/// the preset and detection alone give, plus the preset.
fn saved_config(
    inputs: &questions::Inputs,
    decided: &questions::Decided,
) -> Result<(String, String)> {
    let base = questions::baseline(inputs, decided);
    let user = settings::merge(&[
        (Origin::Config, inputs.config),
        (Origin::Flag, inputs.flags),
        (Origin::Answer, &decided.answers),
    ])
    .0;
    let saved = config::to_save(inputs.config, &base, &user, decided.preset)?;
    let text = config::file_text(&saved, inputs.project.read(CONFIG_FILE)?.as_deref())?;
    Ok((CONFIG_FILE.to_string(), text))
}

/// `--diff` and `--check`: the diff on stdout; drift is an error under `--check`.
pub(crate) fn compare(plan: &Plan, check: bool, out: Output) -> Result<i32> {
    // Never set up is not "out of date": say so, without a diff of whole files.
    let generated = plan.files.iter().filter(|f| f.name != CONFIG_FILE);
    if check && generated.clone().all(|f| f.status == Status::New) {
        let names: Vec<String> = generated.map(|f| format!("`{}`", f.name)).collect();
        let list = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.join(""),
        };
        return Err(Error::Missing(list));
    }
    if !(check && out.quiet) {
        report::emit_coloured(&plan.diff())?;
    }
    let stale: Vec<String> = plan.pending().map(|f| format!("`{}`", f.name)).collect();
    if check && !stale.is_empty() {
        let edited = plan.pending().any(|f| f.status == Status::Changed);
        let fix = if edited {
            "dockform init --force"
        } else {
            "dockform init --yes"
        };
        return Err(Error::Drift(stale.join(" and "), fix));
    }
    if check && !out.quiet {
        let names: Vec<&str> = plan.files.iter().map(|f| f.name.as_str()).collect();
        eprintln!("up to date: {}", report::safe(&names.join(", ")));
    }
    Ok(0)
}

/// Decides each file: on a terminal, a summary, a yes per changed file (with its diff
/// on request) and a final confirmation; otherwise `--force` decides, and one refusal
/// means nothing is written.
pub(crate) fn decide(
    p: &mut dyn Prompter,
    plan: &Plan,
    force: bool,
    interactive: bool,
) -> Result<Vec<Action>> {
    let mut actions: Vec<Action> = plan
        .files
        .iter()
        .map(|f| match f.status {
            Status::New => Action::Created,
            Status::Unchanged => Action::Unchanged,
            Status::Outdated => Action::Updated,
            Status::Changed if force => Action::Updated,
            Status::Changed => Action::Refused,
        })
        .collect();
    if !interactive {
        if actions.contains(&Action::Refused) {
            actions
                .iter_mut()
                .filter(|a| matches!(a, Action::Created | Action::Updated))
                .for_each(|a| *a = Action::Skipped);
        }
        return Ok(actions);
    }
    p.show(&summary(plan));
    for (f, action) in plan.files.iter().zip(actions.iter_mut()) {
        if *action == Action::Refused {
            *action = if overwrite(p, f)? {
                Action::Updated
            } else {
                Action::Kept
            };
        }
    }
    let count = actions
        .iter()
        .filter(|a| matches!(a, Action::Created | Action::Updated))
        .count();
    if count > 0 {
        let ask = Ask {
            key: "write".into(),
            prompt: format!("Write {count} file{}?", if count == 1 { "" } else { "s" }),
            reason: String::new(),
            flag: "--yes".into(),
        };
        if !p.confirm(&ask, true)? {
            return Err(Error::Cancelled);
        }
    }
    Ok(actions)
}

fn summary(plan: &Plan) -> String {
    let mut text = String::from("\nFiles in the project:\n");
    for f in &plan.files {
        let status = match f.status {
            Status::New => "new",
            Status::Unchanged => "unchanged",
            Status::Outdated => "outdated",
            Status::Changed => "changed",
        };
        text.push_str(&format!("  {status:<10} {}\n", f.name));
    }
    text
}

/// Asks whether to overwrite one changed file; "show the diff" shows it and asks again.
fn overwrite(p: &mut dyn Prompter, f: &FilePlan) -> Result<bool> {
    let options = [
        "yes, overwrite it".to_string(),
        "no, keep mine".to_string(),
        "show the diff".to_string(),
    ];
    let ask = Ask {
        key: format!("overwrite:{}", f.name),
        prompt: format!("`{}` differs; overwrite?", f.name),
        reason: String::new(),
        flag: "--force".into(),
    };
    loop {
        match p.select(&ask, &options, 1)? {
            0 => return Ok(true),
            1 => return Ok(false),
            _ => p.show(&f.diff()),
        }
    }
}

/// Writes the files decided on and reports each (text on stderr, or `--json` on stdout).
pub(crate) fn write(plan: &Plan, actions: &[Action], json: bool, out: Output) -> Result<i32> {
    let mut chosen = plan.clone();
    let mut keep = actions
        .iter()
        .map(|a| matches!(a, Action::Created | Action::Updated));
    chosen.files.retain(|_| keep.next().unwrap_or(false));
    crate::wizard::writing();
    chosen.apply(|_| Ok(true))?;
    if json {
        let files: Vec<_> = plan
            .files
            .iter()
            .zip(actions)
            .map(|(f, a)| serde_json::json!({ "name": f.name, "action": a }))
            .collect();
        let text = serde_json::to_string_pretty(&serde_json::json!({ "files": files }))
            .map_err(|e| Error::Internal(e.to_string()))?;
        report::emit(&format!("{text}\n"))?;
    } else if !out.quiet && !actions.contains(&Action::Refused) {
        for (f, a) in plan.files.iter().zip(actions) {
            let verb = serde_json::to_value(a)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let s = match a {
                Action::Created | Action::Updated => report::style::DONE,
                Action::Unchanged | Action::Kept => report::style::SAME,
                Action::Refused | Action::Skipped => report::style::REFUSED,
            };
            anstream::eprintln!("{s}{verb:>9}{s:#} {}", report::safe(&f.name));
        }
    }
    let refused: Vec<String> = plan
        .files
        .iter()
        .zip(actions)
        .filter(|(_, a)| **a == Action::Refused)
        .map(|(f, _)| format!("`{}`", f.name))
        .collect();
    if !refused.is_empty() {
        return Err(crate::write::refused_error(&refused));
    }
    Ok(0)
}

/// `--verbose`: each setting with where it came from.
fn origins(
    origins: &std::collections::BTreeMap<&'static str, Origin>,
    s: &settings::Settings,
) -> String {
    let mut text = format!(
        "settings for preset `{}` (stack `{}`):\n",
        s.preset, s.stack
    );
    let value = serde_json::to_value(s).unwrap_or_default();
    for (key, origin) in origins {
        let field = key.replace('-', "_");
        let shown = match value.get(&field) {
            Some(serde_json::Value::String(v)) => v.clone(),
            Some(v) => v.to_string(),
            None => String::new(),
        };
        text.push_str(&format!("  {key:<16} {shown}  ({origin})\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Rendered;
    use crate::wizard::Scripted;

    fn plan(dir: &std::path::Path) -> Plan {
        std::fs::write(dir.join("Dockerfile"), "FROM old\n").unwrap();
        std::fs::write(dir.join(".dockerignore"), "same\n").unwrap();
        let files = [
            ("Dockerfile", "FROM new\n"),
            (".dockerignore", "same\n"),
            ("dockform.toml", "preset = \"node\"\n"),
        ];
        Plan::new(
            dir,
            &Rendered {
                files: files
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.to_string()))
                    .collect(),
            },
        )
        .unwrap()
    }

    #[test]
    fn a_changed_file_is_shown_as_a_diff_on_request_and_overwritten_after_a_yes() {
        let dir = tempfile::tempdir().unwrap();
        let mut script = Scripted::new([
            ("overwrite:Dockerfile", "show the diff"),
            ("overwrite:Dockerfile", "yes, overwrite it"),
        ]);
        let actions = decide(&mut script, &plan(dir.path()), false, true).unwrap();
        assert_eq!(
            actions,
            [Action::Updated, Action::Unchanged, Action::Created]
        );
        assert!(
            script
                .shown
                .iter()
                .any(|t| t.contains("-FROM old\n+FROM new")),
            "{:?}",
            script.shown
        );
        assert_eq!(
            script.asked,
            ["overwrite:Dockerfile", "overwrite:Dockerfile", "write"]
        );
    }

    #[test]
    fn a_no_keeps_that_file_and_the_others_are_still_written() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path());
        let mut script = Scripted::new([("overwrite:Dockerfile", "no, keep mine")]);
        let actions = decide(&mut script, &plan, false, true).unwrap();
        assert_eq!(actions, [Action::Kept, Action::Unchanged, Action::Created]);
        write(
            &plan,
            &actions,
            false,
            Output {
                quiet: true,
                verbose: false,
            },
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "FROM old\n"
        );
        assert!(dir.path().join("dockform.toml").exists());
    }

    #[test]
    fn declining_the_final_confirmation_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut script = Scripted::new([
            ("overwrite:Dockerfile", "yes, overwrite it"),
            ("write", "no"),
        ]);
        assert!(matches!(
            decide(&mut script, &plan(dir.path()), false, true),
            Err(Error::Cancelled)
        ));
    }

    #[test]
    fn without_a_terminal_one_refusal_means_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path());
        let actions = decide(&mut Scripted::default(), &plan, false, false).unwrap();
        assert_eq!(
            actions,
            [Action::Refused, Action::Unchanged, Action::Skipped]
        );
        let err = write(
            &plan,
            &actions,
            false,
            Output {
                quiet: true,
                verbose: false,
            },
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("`Dockerfile` already exists"),
            "{err}"
        );
        assert!(!dir.path().join("dockform.toml").exists());
    }
}
