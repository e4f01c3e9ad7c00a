//! dockform: reads a project, works out its stack and writes a production-grade
//! multi-stage Dockerfile with `dev`, `test` and `prod` targets.
//!
//! The pipeline: scan → detect → resolve → render → write. Only this module and
//! `main` print; every step before `write` is pure and testable in-process.

pub mod cli;
pub mod config;
pub mod detect;
pub mod error;
pub mod ignorefile;
pub mod preset;
pub mod render;
pub mod report;
pub mod scan;
pub mod settings;
pub mod validate;
pub mod wizard;
pub mod write;

use std::io::IsTerminal;

use cli::{Cli, Command, InitArgs};
use error::{Error, Result};
use settings::{Layer, Origin};

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Init(args) => init(&args),
        Command::Detect(args) => report::detect(&args),
        Command::Presets(args) => report::presets(args.name.as_deref()),
    }
}

/// `dockform init`: the whole pipeline.
fn init(args: &InitArgs) -> Result<i32> {
    let project = scan::Project::scan(&args.path)?;
    let presets = preset::Presets::embedded()?;
    let config = config::load(&project)?;
    let flags = config::flags_layer(&args.choices)?;
    let (mut hints, hint_origins) =
        settings::merge(&[(Origin::Config, &config), (Origin::Flag, &flags)]);
    let interactive = !args.yes && !args.stdout && !args.check && std::io::stdin().is_terminal();
    let mut picked = Layer::default();
    let detection = loop {
        let detection = detect::detect(&project, &presets, hints.stack.as_deref(), &hints)?;
        let Some(q) = detection.questions.first() else {
            break detection;
        };
        let app = wizard::choose(prompter(interactive).as_mut(), q)?;
        picked.app = Some(app.clone());
        hints.app = Some(app);
    };
    let preset = presets.get(config::preset_name(&hints, &detection))?;
    let answers = if interactive {
        let (merged, mut origins) = settings::merge(&[
            (Origin::Preset, &preset.defaults),
            (Origin::Detected, &detection.layer),
            (Origin::Config, &config),
            (Origin::Flag, &flags),
        ]);
        origins.extend(hint_origins);
        Layer {
            app: picked.app,
            ..wizard::ask(&mut wizard::Terminal, &detection, &merged, &origins)?
        }
    } else {
        picked
    };
    let resolved = settings::resolve(
        preset,
        &detection,
        &[
            (Origin::Config, &config),
            (Origin::Flag, &flags),
            (Origin::Answer, &answers),
        ],
    )?;
    let overrides = config::template_overrides(args.templates_dir.as_deref())?;
    let rendered = render::Renderer::new(overrides).render(
        &resolved.settings,
        project.read_hint(".gitignore").as_deref(),
    )?;
    for w in &detection.warnings {
        eprintln!("warning: {w}");
    }
    if args.stdout {
        report::emit(&report::banners(&rendered))?;
        return Ok(0);
    }
    let plan = write::Plan::new(project.root(), &rendered)?;
    if args.diff || args.check {
        report::emit(&plan.diff())?;
        let stale: Vec<String> = plan.pending().map(|f| format!("`{}`", f.name)).collect();
        if args.check && !stale.is_empty() {
            return Err(Error::Drift(stale.join(" and ")));
        }
        return Ok(0);
    }
    let written = plan.apply(|f| overwrite(args, interactive, f))?;
    for f in &plan.files {
        let verb = if !written.contains(&f.name) {
            "unchanged"
        } else if f.status == write::Status::New {
            "created"
        } else {
            "updated"
        };
        eprintln!("{verb:>9} {}", f.name);
    }
    Ok(0)
}

/// The terminal prompter, or the accept-defaults one.
fn prompter(interactive: bool) -> Box<dyn wizard::Prompter> {
    if interactive {
        Box::new(wizard::Terminal)
    } else {
        Box::new(wizard::Defaults)
    }
}

/// Whether a changed file may be replaced: `--force`, or a yes on a terminal.
fn overwrite(args: &InitArgs, interactive: bool, file: &write::FilePlan) -> Result<bool> {
    if args.force || !interactive {
        return Ok(args.force);
    }
    let ask = wizard::Ask {
        key: format!("overwrite:{}", file.name),
        prompt: format!("Overwrite `{}`?", file.name),
        reason: "it differs from what dockform generates".into(),
        flag: "--force".into(),
    };
    wizard::Prompter::confirm(&mut wizard::Terminal, &ask, false)
}
