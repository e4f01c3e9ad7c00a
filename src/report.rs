//! Human and JSON views: `detect`, `presets`, and `--stdout` banners.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::cli::DetectArgs;
use crate::error::{Error, Result};
use crate::render::Rendered;
use crate::settings::{self, Layer, Origin};
use crate::{config, detect, preset, scan};

/// The settings fields reported for every stack, as (JSON key, layer key).
const FIELDS: &[(&str, &str)] = &[
    ("version", "version"),
    ("package_manager", "package-manager"),
    ("runtime", "runtime"),
    ("port", "port"),
    ("health_path", "health-path"),
    ("build_command", "build-command"),
    ("start_command", "start-command"),
    ("test_command", "test-command"),
    ("dev_command", "dev-command"),
    ("app", "app"),
];

/// Appends a line to a `String` (writing to a `String` cannot fail).
macro_rules! outln {
    ($out:ident, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

/// Writes requested output to stdout. A reader that went away (`dockform detect | head`)
/// ends the output quietly; any other failure is an error.
pub fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io("write", "standard output", e))
        }
        _ => Ok(()),
    }
}

/// `dockform detect`: each decision with its value, origin, source file and reason.
pub fn detect(args: &DetectArgs) -> Result<i32> {
    let project = scan::Project::scan(&args.path)?;
    let presets = preset::Presets::embedded()?;
    let config = config::load(&project)?;
    let hints = Layer {
        stack: args.stack.clone().or(config.stack.clone()),
        ..config.clone()
    };
    let detection = detect::detect(&project, &presets, hints.stack.as_deref(), &hints)?;
    let preset = presets.get(config::preset_name(&hints, &detection))?;
    // An open question (which binary?) leaves the plan incomplete; report what is known.
    let resolved = match settings::resolve(preset, &detection, &[(Origin::Config, &config)]) {
        Ok(r) => Some(r),
        Err(_) if !detection.questions.is_empty() => None,
        Err(e) => return Err(e),
    };
    let (merged, origins) = settings::merge(&[
        (Origin::Preset, &preset.defaults),
        (Origin::Detected, &detection.layer),
        (Origin::Config, &config),
    ]);
    let layer = serde_json::to_value(merged).map_err(|e| Error::Internal(e.to_string()))?;
    let mut facts = Map::new();
    for (key, field) in FIELDS {
        let value = layer.get(*field).cloned().unwrap_or(Value::Null);
        let origin = origins.get(field).copied();
        let ev = detection.evidence.get(*field);
        let value = if *field == "version" {
            resolved
                .as_ref()
                .map_or(value, |r| json!(r.settings.version))
        } else {
            value
        };
        facts.insert(
            key.to_string(),
            json!({
                "value": value,
                "origin": origin,
                "source": ev.and_then(|e| e.source.clone()),
                "reason": ev.map(|e| e.reason.clone()).or(origin.map(|o| o.to_string())),
            }),
        );
    }
    let out = json!({
        "stack": detection.stack,
        "stack_reason": detection.stack_evidence,
        "preset": preset.name,
        "images": resolved.as_ref().map(|r| &r.settings.images),
        "questions": detection.questions,
        "facts": facts,
        "extra": detection.extra,
        "warnings": detection.warnings,
    });
    if args.json {
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| Error::Internal(e.to_string()))?;
        emit(&format!("{text}\n"))?;
        return Ok(0);
    }
    let mut out = String::new();
    outln!(
        out,
        "{:<16} {}  ({})",
        "stack",
        detection.stack,
        detection
            .stack_evidence
            .as_ref()
            .map_or("", |e| e.reason.as_str())
    );
    outln!(out, "{:<16} {}", "preset", preset.name);
    match &resolved {
        Some(r) => outln!(
            out,
            "{:<16} {}  →  {}",
            "images",
            r.settings.images.builder,
            r.settings.images.final_image
        ),
        // The images can depend on the app chosen (a binary that links OpenSSL, ...).
        None => outln!(
            out,
            "{:<16} (chosen once the question below is answered)",
            "images"
        ),
    }
    for (key, _) in FIELDS {
        let f = &facts[*key];
        if f["value"].is_null() {
            continue;
        }
        let value = match &f["value"] {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let source = f["source"]
            .as_str()
            .map(|s| format!("{s}: "))
            .unwrap_or_default();
        outln!(
            out,
            "{:<16} {value}  ({source}{})",
            key.replace('_', " "),
            f["reason"].as_str().unwrap_or("")
        );
    }
    for q in &detection.questions {
        outln!(
            out,
            "{:<16} {}: {} (pass `{}`)",
            "needs answer",
            q.prompt,
            q.candidates.join(", "),
            q.flag
        );
    }
    emit(&out)?;
    for w in &detection.warnings {
        eprintln!("warning: {w}");
    }
    Ok(0)
}

/// `dockform presets [NAME]`.
pub fn presets(name: Option<&str>) -> Result<i32> {
    let presets = preset::Presets::embedded()?;
    let mut out = String::new();
    match name {
        None => {
            for p in presets.all() {
                outln!(out, "{:<10} {}", p.name, p.description);
            }
        }
        Some(name) => {
            let p = presets.get(name)?;
            let text = toml::to_string_pretty(p).map_err(|e| Error::Internal(e.to_string()))?;
            outln!(out, "# preset `{}`: {}\n{text}", p.name, p.description);
        }
    }
    emit(&out)?;
    Ok(0)
}

/// Files under `==> name <==` banners, for `--stdout` and snapshots.
pub fn banners(rendered: &Rendered) -> String {
    let mut out = String::new();
    for (name, text) in &rendered.files {
        out.push_str(&format!("==> {name} <==\n{text}"));
        if !text.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out
}
