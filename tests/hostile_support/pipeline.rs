//! `dockform init --yes --stdout` in-process: the same steps as `lib::init` with the
//! accept-defaults prompter, returning the rendered files instead of printing them.
//! Shared by the property tests and the fuzz targets (`#[path]`).

use std::path::Path;

use dockform::error::Result;
use dockform::render::{Renderer, Rendered};
use dockform::settings::{self, Layer, Origin};
use dockform::{config, detect, preset, scan, wizard};

/// Scans `root`, detects, resolves with `dockform.toml` and `flags`, and renders.
pub fn generate(root: &Path, flags: &Layer) -> Result<Rendered> {
    let project = scan::Project::scan(root)?;
    let presets = preset::Presets::embedded()?;
    let config = config::load(&project)?;
    let (mut hints, _) = settings::merge(&[(Origin::Config, &config), (Origin::Flag, flags)]);
    let mut answers = Layer::default();
    let detection = loop {
        let detection = detect::detect(&project, &presets, hints.stack.as_deref(), &hints)?;
        let Some(q) = detection.questions.first() else { break detection };
        let app = wizard::choose(&mut wizard::Defaults, q)?;
        answers.app = Some(app.clone());
        hints.app = Some(app);
    };
    let preset = presets.get(config::preset_name(&hints, &detection))?;
    let user = [(Origin::Config, &config), (Origin::Flag, flags), (Origin::Answer, &answers)];
    let resolved = settings::resolve(preset, &detection, &user)?;
    let gitignore = project.read_hint(".gitignore");
    Renderer::new(Default::default()).render(&resolved.settings, gitignore.as_deref())
}
