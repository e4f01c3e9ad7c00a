//! `dockform init` and `dockform check`: interview (whoever answers), resolve, render,
//! then print, compare or write (`deliver`). A workspace root is routed to `monorepo`,
//! `go_monorepo` or `uv_monorepo` first.

use std::io::IsTerminal;

use crate::cli::InitArgs;
use crate::config::{self, CONFIG_FILE};
use crate::deliver::{Action, Output, compare, decide, plan_with, write};
use crate::error::Result;
use crate::layer::{Layer, Origin};
use crate::settings;
use crate::wizard::{Defaults, Prompter, Terminal};
use crate::write::Plan;
use crate::{ignorefile, output, preset, questions, render, report, scan};

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
            .for_each(|w| output::warn(w));
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
            crate::validate::safe(&origins(&resolved.origins, &resolved.settings))
        );
    }
    if args.stdout {
        output::emit(&rendered.banners())?;
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
