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

/// Text from the project (file names, values, old file contents) made safe for a
/// terminal: control characters (C0 but newline and tab, DEL, C1), a carriage return
/// not ending a line, and bidirectional overrides and marks are shown escaped
/// (`\u{1b}`), so a file name cannot move the cursor, ring the bell, set the title or
/// reorder what is shown. Every line printed for a person goes through this.
pub fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_at = |i: usize, c: char| match c {
        '\n' | '\t' => false,
        '\r' => !text[i + 1..].starts_with('\n'),
        c if c.is_control() => true,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    };
    if !text.char_indices().any(|(i, c)| unsafe_at(i, c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        if unsafe_at(i, c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes requested output to stdout, through [`safe`] when stdout is a terminal (piped
/// or redirected, it stays byte for byte). A reader that went away
/// (`dockform detect | head`) ends the output quietly; any other failure is an error.
pub fn emit(text: &str) -> Result<()> {
    use std::io::{IsTerminal, Write};
    let mut stdout = std::io::stdout().lock();
    let text = if stdout.is_terminal() {
        safe(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    };
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
    let flags = Layer {
        stack: args.stack.clone(),
        ..Layer::default()
    };
    let detection = detect::detect(&project, &presets, hints.stack.as_deref(), &hints)
        .map_err(|e| crate::init::blame(e, &config, &flags))?;
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
        eprintln!("warning: {}", safe(w));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_escapes_controls_lone_carriage_returns_and_bidi_but_keeps_lines() {
        assert_eq!(safe("a\tb\nc\r\n"), "a\tb\nc\r\n");
        assert!(matches!(safe("plain `x`"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            safe("\u{1b}[2J\u{7}\u{0}\u{7f}\u{85}\u{9b}x\ry"),
            "\\u{1b}[2J\\u{7}\\u{0}\\u{7f}\\u{85}\\u{9b}x\\u{d}y"
        );
        assert_eq!(
            safe("a\u{202e}b\u{2066}c\u{200f}d\u{2028}"),
            "a\\u{202e}b\\u{2066}c\\u{200f}d\\u{2028}"
        );
        assert_eq!(safe("café ✓"), "café ✓");
    }
}
