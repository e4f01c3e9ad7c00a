//! A serve subcommand a Rust binary's CLI requires (`app serve`), from its clap types.

use regex::Regex;

use super::listen::line_of;
use super::manifest::{self, Bin, Package};
use crate::scan::Project;

/// Subcommands that run the server.
const SERVE_WORDS: &[&str] = &["serve", "server", "start", "run", "web", "daemon"];

/// A serve subcommand the binary's CLI requires: a clap enum deriving `Parser` (the
/// command itself) or used as a non-optional `#[command(subcommand)]` field, with a
/// serve-like variant.
pub fn subcommand(project: &Project, pkg: &Package, bin: &Bin) -> Option<(String, String)> {
    let prefix = manifest::join(&pkg.dir, "src/");
    let mut files: Vec<&str> = vec![bin.path.as_str()];
    files.extend(
        project
            .files()
            .filter(|f| f.starts_with(&prefix) && f.ends_with(".rs"))
            .take(300),
    );
    let enum_re = Regex::new(
        r"#\[derive\(([^)]*)\)\]\s*(?:#\[[^\n]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?enum\s+(\w+)\s*\{",
    )
    .expect("valid regex");
    let variant = Regex::new(
        r"(?m)^\s*(?:#\[(?:clap|command)\(name\s*=\s*\x22([\w-]+)\x22\)\]\s*)?([A-Z]\w*)\s*[({,]",
    )
    .expect("valid regex");
    for file in files {
        let Some(text) = project.read_source(file) else {
            continue;
        };
        for c in enum_re.captures_iter(&text) {
            let derives = &c[1];
            let name = &c[2];
            let top = derives.contains("Parser");
            let field = Regex::new(&format!(
                r"#\[(?:clap|command)\(subcommand\)\]\s*(?:pub\s+)?\w+\s*:\s*{name}\b"
            ))
            .ok()
            .and_then(|re| re.find(&text).map(|m| m.start()));
            let required = field.is_some();
            let required = required && {
                // The field must sit in a struct, not in a variant of another enum.
                let at = field.unwrap_or(0);
                let before = &text[..at];
                before.rfind("struct ").unwrap_or(0) > before.rfind("enum ").unwrap_or(0)
            };
            if !(top || required && derives.contains("Subcommand")) {
                continue;
            }
            let start = c.get(0).expect("match").end();
            let body = &text[start..];
            let mut depth = 1usize;
            let end = body
                .char_indices()
                .find(|(_, ch)| {
                    match ch {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(body.len(), |(i, _)| i);
            let body = &body[..end];
            // Variants at the enum's top level only: skip nested field blocks.
            let mut level = 0usize;
            let mut top_lines = String::new();
            for line in body.lines() {
                if level == 0 {
                    top_lines.push_str(line);
                    top_lines.push('\n');
                }
                level += line.matches(['{', '(']).count();
                level = level.saturating_sub(line.matches(['}', ')']).count());
            }
            for v in variant.captures_iter(&top_lines) {
                let word = v
                    .get(1)
                    .map_or_else(|| kebab(&v[2]), |m| m.as_str().to_string());
                if SERVE_WORDS.contains(&word.as_str()) {
                    let line = line_of(&text, start);
                    return Some((
                        word.clone(),
                        format!(
                            "{file} line {line}: the CLI `{name}` needs a subcommand; `{word}` serves"
                        ),
                    ));
                }
            }
        }
    }
    None
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}
