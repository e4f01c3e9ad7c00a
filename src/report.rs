//! Human and JSON views: `detect`, `presets`, and `--stdout` banners.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::cli::DetectArgs;
use crate::error::{Error, Result};
use crate::layer::{Layer, Origin};
use crate::render::Rendered;
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
/// Colours of the status words, warnings, errors and diffs (shown only where colour
/// is on: see `--color`; `anstream` strips them elsewhere).
pub mod style {
    use anstyle::{AnsiColor, Style};
    /// `error:`.
    pub const ERROR: Style = AnsiColor::Red.on_default().bold();
    /// `warning:`.
    pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
    /// A file written (created, updated).
    pub const DONE: Style = AnsiColor::Green.on_default().bold();
    /// A file left as it was (unchanged, kept).
    pub const SAME: Style = Style::new().dimmed();
    /// A file refused or skipped.
    pub const REFUSED: Style = AnsiColor::Red.on_default().bold();
    /// A removed diff line.
    pub const REMOVED: Style = AnsiColor::Red.on_default();
    /// An added diff line.
    pub const ADDED: Style = AnsiColor::Green.on_default();
    /// A diff hunk header.
    pub const HUNK: Style = AnsiColor::Cyan.on_default();
    /// A diff file header.
    pub const HEADER: Style = Style::new().bold();
}

/// Prints `error: message` on stderr.
pub fn error(message: &str) {
    let s = style::ERROR;
    anstream::eprintln!("{s}error:{s:#} {}", safe(message));
}

/// Prints `warning: message` on stderr.
pub fn warn(message: &str) {
    let s = style::WARNING;
    anstream::eprintln!("{s}warning:{s:#} {}", safe(message));
}

/// A unified diff with its lines coloured (removed, added, hunk and file headers).
pub fn coloured_diff(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len());
    for line in diff.split_inclusive('\n') {
        let s = if line.starts_with("+++ ") || line.starts_with("--- ") {
            style::HEADER
        } else if line.starts_with('+') {
            style::ADDED
        } else if line.starts_with('-') {
            style::REMOVED
        } else if line.starts_with("@@") {
            style::HUNK
        } else {
            anstyle::Style::new()
        };
        let body = line.trim_end_matches('\n');
        out.push_str(&format!("{s}{body}{s:#}{}", &line[body.len()..]));
    }
    out
}

/// Writes requested output to stdout: [`emit`], with colour kept only where it is on.
pub fn emit_coloured(text: &str) -> Result<()> {
    use std::io::{IsTerminal, Write};
    let text = if std::io::stdout().is_terminal() {
        safe(text).into_owned()
    } else {
        text.to_string()
    };
    if page(&coloured_diff(&text)) {
        return Ok(());
    }
    let mut stdout = anstream::stdout().lock();
    match stdout
        .write_all(coloured_diff(&text).as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io("write", "standard output", e))
        }
        _ => Ok(()),
    }
}

/// Shows `text` through a pager when standard output is a terminal and `text` is taller
/// than it: `DOCKFORM_PAGER`, else `PAGER`, else `less -FRX` (`-F` quits at once when it
/// fits after all, `-R` keeps the colours). An empty value or `cat` means no pager.
/// Returns false when nothing was paged, so the caller prints `text` itself.
fn page(text: &str) -> bool {
    use std::io::{IsTerminal, Write};
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return false;
    }
    let (rows, _) = console::Term::stdout().size();
    if text.lines().count() < usize::from(rows) {
        return false;
    }
    let command = std::env::var("DOCKFORM_PAGER")
        .or_else(|_| std::env::var("PAGER"))
        .unwrap_or_else(|_| "less -FRX".to_string());
    let Ok(words) = shell_words::split(&command) else {
        return false;
    };
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    if program == "cat" {
        return false;
    }
    // The pager writes to the terminal itself; colours follow `--color` as they would
    // on standard output.
    let shown = match anstream::AutoStream::choice(&stdout) {
        anstream::ColorChoice::Never => anstream::adapter::strip_str(text).to_string(),
        _ => text.to_string(),
    };
    let Ok(mut child) = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .spawn()
    else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A pager closed early (`q`) is not an error.
        let _ = stdin.write_all(shown.as_bytes());
    }
    let _ = child.wait();
    true
}

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
