//! Shared helpers for the integration tests: fixtures copied into temp dirs and the
//! real binary run on them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_fs::TempDir;
use assert_fs::prelude::*;

/// `tests/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture name, sorted. A name starting with `error-` must make `init` fail.
/// A fixture is a directory, or a `<name>.from` file naming the directory it reuses
/// (the same project run without the flags that make its sibling succeed).
pub fn fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            // `ws-*` workspaces write a Dockerfile per app: `tests/workspaces.rs`.
            if e.path().is_dir() && !name.starts_with("ws-") {
                Some(name)
            } else {
                name.strip_suffix(".from").map(String::from)
            }
        })
        .collect();
    names.sort();
    names
}

/// The directory holding fixture `name`'s project.
fn fixture_source(name: &str) -> PathBuf {
    let from = fixtures_dir().join(format!("{name}.from"));
    match std::fs::read_to_string(&from) {
        Ok(other) => fixtures_dir().join(other.trim()),
        Err(_) => fixtures_dir().join(name),
    }
}

/// Extra `init` flags for a fixture, from `tests/fixtures/<name>.args` (one per line).
pub fn fixture_args(name: &str) -> Vec<String> {
    std::fs::read_to_string(fixtures_dir().join(format!("{name}.args")))
        .map(|t| {
            t.lines()
                .filter(|l| !l.trim().is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// A temp copy of a fixture.
pub fn copy_fixture(name: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    let source = fixture_source(name);
    dir.copy_from(&source, &["**/*"]).unwrap();
    for hidden in [
        ".gitignore",
        ".nvmrc",
        ".node-version",
        ".yarnrc.yml",
        ".npmrc",
        ".env.example",
        ".python-version",
        ".tool-versions",
    ] {
        let src = source.join(hidden);
        if src.exists() {
            std::fs::copy(&src, dir.path().join(hidden)).unwrap();
        }
    }
    dir
}

/// A temp directory holding `files` (path, text), parent directories created.
#[allow(dead_code)]
pub fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, text) in files {
        dir.child(path).write_str(text).unwrap();
    }
    dir
}

/// Runs dockform with `args` in `dir`, stdin closed.
pub fn dockform(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("dockform")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        // Version choices are computed against today's date: pin it so snapshots
        // stay byte-stable as the calendar moves.
        .env("DOCKFORM_TODAY", "2026-12-01")
        .env_remove("DOCKFORM_PORT")
        .write_stdin("")
        .output()
        .unwrap()
}

/// Runs `init --yes` plus the fixture's extra flags.
pub fn init(dir: &Path, name: &str) -> Output {
    let extra = fixture_args(name);
    let mut args = vec!["init", "--yes"];
    args.extend(extra.iter().map(String::as_str));
    dockform(dir, &args)
}

/// The generated files under banners, the snapshot format. `.env.example` is written
/// only when the app reads a variable without a default.
pub fn generated(dir: &Path) -> String {
    let mut out = String::new();
    for name in [
        "Dockerfile",
        ".dockerignore",
        "compose.yaml",
        ".env.example",
    ] {
        let text = match std::fs::read_to_string(dir.join(name)) {
            Ok(text) => text,
            Err(_) if name == ".env.example" => continue,
            Err(_) => panic!("{name} missing"),
        };
        out.push_str(&format!("==> {name} <==\n{text}\n"));
    }
    out
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
