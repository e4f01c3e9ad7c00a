//! `dockform init --yes --stdout` in-process: the same steps as `init::init` with the
//! accept-defaults prompter, returning the rendered files instead of printing them.
//! Shared by the property tests and the fuzz targets (`#[path]`).

use std::path::Path;

use dockform::error::Result;
use dockform::layer::{Layer, Origin};
use dockform::render::{Rendered, Renderer};
use dockform::settings;
use dockform::{config, preset, questions, scan, wizard};

/// Scans `root`, detects, resolves with `dockform.toml` and `flags`, and renders.
pub fn generate(root: &Path, flags: &Layer) -> Result<Rendered> {
    let project = scan::Project::scan(root)?;
    let presets = preset::Presets::embedded()?;
    let config = config::load(&project)?;
    let inputs = questions::Inputs {
        project: &project,
        presets: &presets,
        config: &config,
        flags,
        from_env: &[],
    };
    let decided = questions::interview(&mut wizard::Defaults, &inputs)?;
    let user = [
        (Origin::Config, &config),
        (Origin::Flag, flags),
        (Origin::Answer, &decided.answers),
    ];
    let resolved = settings::resolve(decided.preset, &decided.detection, &user)?;
    let gitignore = dockform::ignorefile::read(project.root()).map(|g| g.text);
    Renderer::new(Default::default()).render(&resolved.settings, gitignore.as_deref())
}
