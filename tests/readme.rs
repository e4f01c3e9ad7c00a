//! Every example in the README is checked against dockform as it is now, so a stale one
//! fails here: each shell line that runs dockform (in `sh` blocks, the `run:` lines of
//! `yaml` blocks, and inline `dockform ...` code) parses with today's flags, and each
//! one in a block runs on a copy of the example project and succeeds (`verify` needs an
//! engine: it only parses). Each `toml` block is a `dockform.toml` that `init` accepts,
//! and the `detect --json` block has the real output's keys. The whole Dockerfiles the
//! README shows are `tests/init.rs`'s.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use clap::Parser;
use common::*;

/// The project the examples run on (the README's first command names it too).
const EXAMPLE: &str = "node-express-npm";

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The fenced blocks of `text`: (info string, body).
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => open = Some((lang.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// One dockform command line from the README.
#[derive(Debug)]
struct Example {
    line: String,
    env: Vec<(String, String)>,
    args: Vec<String>,
}

/// The dockform command in a shell line: leading `NAME=value` assignments, then
/// `dockform`, `npx dockform`, `uvx dockform` or `cargo run --`; the arguments end at
/// a comment, redirection or pipe. `None` for any other command.
fn example(line: &str) -> Option<Example> {
    let words = shell_words::split(line.trim()).ok()?;
    let mut words = words.into_iter().peekable();
    let mut env = Vec::new();
    while let Some((name, value)) = words.peek().and_then(|w| w.split_once('=')) {
        if !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            break;
        }
        env.push((name.to_string(), value.to_string()));
        words.next();
    }
    let words: Vec<String> = words.collect();
    let rest = match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["dockform", ..] => &words[1..],
        ["npx" | "uvx", "dockform", ..] => &words[2..],
        ["cargo", "run", "--", ..] => &words[3..],
        _ => return None,
    };
    let args = rest
        .iter()
        .take_while(|w| !w.starts_with('#') && !matches!(w.as_str(), ">" | "|" | "&&" | ";"))
        .cloned()
        .collect();
    Some(Example {
        line: line.trim().to_string(),
        env,
        args,
    })
}

/// Every dockform command in the README's shell and YAML blocks.
fn block_examples(text: &str) -> Vec<Example> {
    blocks(text)
        .into_iter()
        .flat_map(|(lang, body)| {
            let lines: Vec<String> = match lang.as_str() {
                "sh" | "bash" | "console" => body.lines().map(String::from).collect(),
                "yaml" | "yml" => body
                    .lines()
                    .filter_map(|l| l.trim().strip_prefix("run: ").map(String::from))
                    .collect(),
                _ => Vec::new(),
            };
            lines.into_iter().filter_map(|l| example(&l))
        })
        .collect()
}

/// Every inline code span outside the blocks that starts with `dockform `; a word
/// `a|b|c` stands for each of its alternatives and `[PATH]` for an optional one.
fn inline_examples(text: &str) -> Vec<Example> {
    let mut prose = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    let mut out = Vec::new();
    for span in prose.split('`').skip(1).step_by(2) {
        let span = span.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(rest) = span.strip_prefix("dockform ") else {
            continue;
        };
        let words: Vec<&str> = rest
            .split(' ')
            .filter(|w| !(w.starts_with('[') && w.ends_with(']')))
            .collect();
        let choices = words.iter().find(|w| w.contains('|'));
        let variants: Vec<String> = match choices {
            Some(c) => c
                .split('|')
                .map(|a| words.join(" ").replace(c, a))
                .collect(),
            None => vec![words.join(" ")],
        };
        out.extend(
            variants
                .iter()
                .filter_map(|v| example(&format!("dockform {v}"))),
        );
    }
    out
}

fn parses(ex: &Example) -> Result<(), String> {
    let argv = std::iter::once("dockform").chain(ex.args.iter().map(String::as_str));
    match dockform::cli::Cli::try_parse_from(argv) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => Ok(()),
        Err(e) => Err(format!("`{}` does not parse:\n{e}", ex.line)),
    }
}

/// Runs one example as a user would: in a fresh copy of the example project (with the
/// files already generated for `check`), or from the repository when it names a
/// fixture there (then it must write nothing).
fn runs(ex: &Example) -> Result<(), String> {
    let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
    let project = copy_fixture(EXAMPLE);
    let in_repo = args.iter().any(|a| a.starts_with("tests/fixtures/"));
    let dir = if in_repo {
        assert!(
            args.contains(&"--stdout") || args[0] == "detect",
            "`{}` would write into the repository",
            ex.line
        );
        Path::new(env!("CARGO_MANIFEST_DIR"))
    } else {
        project.path()
    };
    if args[0] == "check" || args.contains(&"--check") {
        assert!(dockform(dir, &["init", "--yes"]).status.success());
    }
    let out = assert_cmd::Command::cargo_bin("dockform")
        .unwrap()
        .current_dir(dir)
        .args(&args)
        .envs(ex.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("NO_COLOR", "1")
        .write_stdin("")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{}` exited {:?} on {EXAMPLE}:\n{}",
            ex.line,
            out.status.code(),
            stderr(&out)
        ))
    }
}

#[test]
fn every_dockform_command_in_the_readme_runs_on_the_example_project() {
    let examples = block_examples(&readme());
    let mut failures = Vec::new();
    for ex in &examples {
        let checked = parses(ex).and_then(|()| {
            if ex.args.first().map(String::as_str) == Some("verify") {
                Ok(())
            } else {
                runs(ex)
            }
        });
        failures.extend(checked.err());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The README's newcomer command, the one command, scripts, CI, verify.
    assert!(
        examples.len() >= 10,
        "only {} examples found",
        examples.len()
    );
}

#[test]
fn every_inline_dockform_command_in_the_readme_parses() {
    let examples = inline_examples(&readme());
    let failures: Vec<String> = examples.iter().filter_map(|e| parses(e).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        examples.len() >= 15,
        "only {} examples found",
        examples.len()
    );
}

#[test]
fn every_dockform_toml_in_the_readme_is_accepted() {
    let tomls: Vec<String> = blocks(&readme())
        .into_iter()
        .filter(|(lang, _)| lang == "toml")
        .map(|(_, body)| body)
        .collect();
    assert!(!tomls.is_empty());
    for toml in tomls {
        let dir = copy_fixture(EXAMPLE);
        std::fs::write(dir.path().join("dockform.toml"), &toml).unwrap();
        let out = dockform(dir.path(), &["init", "--stdout", "--yes"]);
        assert!(
            out.status.success(),
            "README's dockform.toml is refused:\n{toml}\n{}",
            stderr(&out)
        );
    }
}

/// Keys of `"name": {` or `"name": [` or `"name": "` at `indent` spaces.
fn keys_at(text: &str, indent: usize) -> BTreeSet<String> {
    let pad = " ".repeat(indent);
    text.lines()
        .filter_map(|l| l.strip_prefix(&pad))
        .filter_map(|l| l.strip_prefix('"'))
        .filter_map(|l| l.split_once("\":").map(|(k, _)| k.to_string()))
        .collect()
}

#[test]
fn the_detect_json_in_the_readme_has_the_real_keys() {
    let shown = blocks(&readme())
        .into_iter()
        .find(|(lang, body)| lang == "json" && body.contains("\"facts\""))
        .map(|(_, body)| body)
        .expect("a `detect --json` block in the README");
    let dir = copy_fixture(EXAMPLE);
    let out = dockform(dir.path(), &["detect", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let real: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let real_keys: BTreeSet<String> = real.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys_at(&shown, 2), real_keys, "top-level keys");
    let facts = shown
        .split_once("\"facts\": {")
        .and_then(|(_, rest)| rest.split_once("\n  },"))
        .map(|(f, _)| f)
        .expect("the facts object");
    let shown_facts: BTreeSet<String> = facts
        .split('"')
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[1].trim_start().starts_with(':') && w[1].contains('{'))
        .map(|w| w[0].to_string())
        .collect();
    let real_facts: BTreeSet<String> = real["facts"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(shown_facts, real_facts, "`facts` keys");
}
