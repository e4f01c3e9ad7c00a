//! Human and JSON views: `detect` and `presets`.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::cli::DetectArgs;
use crate::error::{Error, Result};
use crate::layer::{Layer, Origin};
use crate::settings;
use crate::{config, detect, preset, scan};

/// The settings fields reported for every stack, as (JSON key, layer key, the flag
/// that supplies it; `{stack}` stands for the stack's version flag prefix).
const FIELDS: &[(&str, &str, &str)] = &[
    ("version", "version", "--{stack}-version"),
    ("package_manager", "package-manager", "--package-manager"),
    ("runtime", "runtime", "--runtime"),
    ("port", "port", "--port"),
    ("health_path", "health-path", "--health-path"),
    ("build_command", "build-command", "--build-command"),
    ("start_command", "start-command", "--start-command"),
    ("test_command", "test-command", "--test-command"),
    ("dev_command", "dev-command", "--dev-command"),
    ("app", "app", "--app"),
];

/// Facts whose absence is an answer (no build step, a single app), not a gap.
const OPTIONAL: &[&str] = &[
    "package_manager",
    "health_path",
    "build_command",
    "test_command",
    "dev_command",
    "app",
];

/// The flag that supplies `field` for `stack` (`None` when the stack is unknown).
fn flag_for(flag: &str, stack: Option<&str>) -> String {
    let prefix = match stack {
        Some("nextjs") | Some("node") => "node",
        Some("go") => "go",
        Some("python") => "python",
        Some("rust") => "rust",
        _ => "<stack>",
    };
    flag.replace("{stack}", prefix)
}

/// Appends a line to a `String` (writing to a `String` cannot fail).
macro_rules! outln {
    ($out:ident, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

#[path = "report_needs.rs"]
mod needs;

use crate::output::{emit, warn};
use crate::validate::safe;

/// `dockform detect`: each decision with its value, origin, source file and reason.
/// It reports and never refuses: a project it cannot settle (no stack, a workspace
/// root, a manifest it cannot read) is shown with every field unknown, the reason,
/// and the flag that settles it; exit 0, and `--json` still prints JSON.
pub fn detect(args: &DetectArgs) -> Result<i32> {
    // In a main package's directory below a Go workspace member, the member is
    // detected with that package chosen, as `init` there generates it.
    let below = crate::go_monorepo::main_package(&args.path);
    let project = match &below {
        Some((member, _)) => scan::Project::scan(member)?,
        None => scan::Project::scan(&args.path)?,
    };
    // At a JS workspace root with apps, the refusal comes with the workspace: its
    // packages, which are apps and why, and what each needs.
    let workspace = if args.stack.is_none() {
        crate::detect::workspace::JsWorkspace::at(project.root())
            .map(|ws| crate::monorepo::describe(&ws))
            .or_else(|| {
                crate::detect::uv_workspace::UvWorkspace::at(project.root())
                    .map(|ws| crate::uv_monorepo::describe(&ws))
            })
            .or_else(|| {
                crate::detect::go_workspace::GoWorkspace::at(project.root())
                    .map(|ws| crate::go_monorepo::describe(&ws))
            })
            .transpose()?
            .filter(|v| {
                v["packages"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|p| p["app"] == true))
            })
    } else {
        None
    };
    let unsettled = |args: &DetectArgs, e: &Error| unsettled(args, e, workspace.as_ref());
    let presets = preset::Presets::embedded()?;
    let config = match config::load(&project) {
        Ok(c) => c,
        Err(e) => return unsettled(args, &e),
    };
    let hints = Layer {
        stack: args.stack.clone().or(config.stack.clone()),
        app: config
            .app
            .clone()
            .or_else(|| below.as_ref().map(|(_, main)| main.clone())),
        ..config.clone()
    };
    let flags = Layer {
        stack: args.stack.clone(),
        ..Layer::default()
    };
    let detection = match detect::detect(&project, &presets, hints.stack.as_deref(), &hints) {
        Ok(d) => d,
        Err(e @ (Error::InvalidValue { .. } | Error::Internal(_))) => {
            return Err(config::blame_process(e, &config, &flags));
        }
        Err(e) => return unsettled(args, &e),
    };
    let preset = presets.get(config::preset_name(&hints, &detection))?;
    // An open question (which binary?) or a gap (no start command) leaves the plan
    // incomplete; report what is known, and what `init` would refuse over.
    let (resolved, refusal) =
        match settings::resolve(preset, &detection, &[(Origin::Config, &config)]) {
            Ok(r) => (Some(r), None),
            Err(e @ Error::Internal(_)) => return Err(e),
            Err(_) if !detection.questions.is_empty() => (None, None),
            Err(e) => (None, Some(e.to_string())),
        };
    let (merged, origins) = settings::merge(&[
        (Origin::Preset, &preset.defaults),
        (Origin::Detected, &detection.layer),
        (Origin::Config, &config),
    ]);
    let layer = serde_json::to_value(merged).map_err(|e| Error::Internal(e.to_string()))?;
    let stack = Some(detection.stack.as_str());
    let mut facts = Map::new();
    for (key, field, flag) in FIELDS {
        let value = layer.get(*field).cloned().unwrap_or(Value::Null);
        let mut origin = origins.get(field).copied();
        let mut ev = detection.evidence.get(*field);
        // A rustup channel pinned by the toolchain file compiles the app, whatever
        // release the builder image carries.
        let toolchain = detection
            .extra
            .get("toolchain")
            .filter(|_| *field == "version");
        let value = if let Some(t) = toolchain {
            ev = Some(&t.evidence);
            origin = Some(Origin::Detected);
            t.value.clone()
        } else if *field == "version" {
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
                "flag": flag_for(flag, stack),
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
        "services": detection.needs.services,
        "optional_services": detection.needs.optional,
        "default_database": detection.needs.default_database,
        "writable_paths": detection.needs.writable_paths,
        "migrate": detection.needs.migrate,
        "env": detection.needs.env,
        "warnings": detection.warnings,
        "refusal": refusal.as_ref().map(|m| json!({ "message": m, "fix": fix_of(m) })),
    });
    if args.json {
        return emit_json(&out);
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
            "{:<16} (chosen once the {} below is answered)",
            "images",
            if refusal.is_some() { "gap" } else { "question" }
        ),
    }
    fact_lines(&mut out, &facts, true);
    // What the final stage copies, where the stack lists it (Node and Python sources).
    if let Some(f) = detection.extra.get("runtime_paths") {
        outln!(out, "{:<16} {}", "final image", f.evidence.reason);
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
    if let Some(message) = &refusal {
        outln!(out, "{:<16} {message}", "init refuses");
    }
    needs::lines(&mut out, &detection.needs);
    emit(&out)?;
    for w in &detection.warnings {
        warn(w);
    }
    Ok(0)
}

/// One line per fact: its value and why, or `unknown` and the flag that supplies it.
fn fact_lines(out: &mut String, facts: &Map<String, Value>, settled: bool) {
    for (key, _, _) in FIELDS {
        let f = &facts[*key];
        let name = key.replace('_', " ");
        let value = match &f["value"] {
            // A build, test or dev command, an app or a package manager can rightly be
            // absent; the others are unknown until detected or given.
            Value::Null if !(settled && OPTIONAL.contains(key)) => {
                let flag = f["flag"].as_str().unwrap_or("");
                outln!(out, "{name:<16} unknown  (pass `{flag}`)");
                continue;
            }
            Value::Null => {
                outln!(out, "{name:<16} none");
                continue;
            }
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let source = f["source"]
            .as_str()
            .map(|s| format!("{s}: "))
            .unwrap_or_default();
        outln!(
            out,
            "{name:<16} {value}  ({source}{})",
            f["reason"].as_str().unwrap_or("")
        );
    }
}

/// The report for a project detection could not settle: every field unknown, with the
/// reason and the flag that settles it.
fn unsettled(args: &DetectArgs, error: &Error, workspace: Option<&Value>) -> Result<i32> {
    let stack = args.stack.as_deref();
    let mut facts = Map::new();
    for (key, _, flag) in FIELDS {
        let flag = flag_for(flag, stack);
        facts.insert(
            key.to_string(),
            json!({ "value": null, "origin": null, "source": null, "reason": null, "flag": flag }),
        );
    }
    let message = error.to_string();
    let fix = fix_of(&message);
    if args.json {
        return emit_json(&json!({
            "stack": null,
            "stack_reason": null,
            "preset": null,
            "images": null,
            "questions": [],
            "facts": facts,
            "extra": {},
            "services": [],
            "writable_paths": [],
            "migrate": null,
            "env": { "runtime": [], "build": [] },
            "warnings": [],
            "refusal": { "message": message, "fix": fix },
            "workspace": workspace,
        }));
    }
    let mut out = String::new();
    outln!(out, "{:<16} unknown  ({message})", "stack");
    fact_lines(&mut out, &facts, false);
    if let Some(w) = workspace {
        out.push('\n');
        out.push_str(&safe(&crate::monorepo::describe_text(w)));
    }
    emit(&out)?;
    Ok(0)
}

/// The command or flag a refusal message names (between backticks after `pass` or
/// `e.g.`), so scripts can offer it.
fn fix_of(message: &str) -> Value {
    for marker in ["(pass `", "pass `", "e.g. `"] {
        if let Some(i) = message.find(marker) {
            let rest = &message[i + marker.len()..];
            if let Some(end) = rest.find('`') {
                return json!(rest[..end]);
            }
        }
    }
    Value::Null
}

fn emit_json(value: &Value) -> Result<i32> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))?;
    emit(&format!("{text}\n"))?;
    Ok(0)
}

/// An image name for the project in `root`: its directory name, lower-cased, with
/// what a reference may not hold replaced by `-` (`app` when nothing is left).
pub fn image_name(root: &std::path::Path) -> String {
    let name: String = root
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if name.is_empty() {
        "app".to_string()
    } else {
        name.to_string()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fix_of_a_refusal_is_the_command_or_flag_it_names() {
        // A Cargo member's refusal: a script reading `detect --json` gets the command.
        let member = "is `crates/srv`, a member of a Cargo workspace in `../..` (`Cargo.toml`): it builds from the root, with the root's lockfile; run dockform at the root and choose its binary, e.g. `dockform init ../.. --bin srv`";
        assert_eq!(fix_of(member), json!("dockform init ../.. --bin srv"));
        assert_eq!(
            fix_of("no start command (pass `--start-command`)"),
            json!("--start-command")
        );
        assert_eq!(
            fix_of("images for its members are not generated yet"),
            Value::Null
        );
    }

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
