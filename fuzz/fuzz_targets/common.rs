//! Invariants every fuzz target checks on a successful render, plus shared helpers.

#![allow(dead_code)]

#[path = "../../tests/hostile_support/dockerfile.rs"]
pub mod dockerfile;
#[path = "../../tests/hostile_support/pipeline.rs"]
pub mod pipeline;

use dockform::render::Rendered;

/// A rendered Dockerfile parses like BuildKit would, opens no heredoc, runs exec-form
/// `CMD`s, copies nothing from outside the context and holds no control character.
pub fn check(rendered: &Rendered) {
    let (_, df) = &rendered.files[0];
    assert!(!df.chars().any(|c| c.is_control() && c != '\n'), "control character in:\n{df}");
    assert!(!df.contains(['\u{2028}', '\u{2029}']), "line separator in:\n{df}");
    let parsed = dockerfile::parse(df).unwrap_or_else(|e| panic!("{e}\n{df}"));
    for ins in &parsed {
        assert!(ins.heredocs.is_empty(), "heredoc at line {}\n{df}", ins.line);
        if ins.kind == "CMD" {
            assert!(ins.exec.is_some(), "shell-form CMD at line {}\n{df}", ins.line);
        }
        if ins.kind == "COPY" && !ins.flags.iter().any(|f| f.starts_with("--from")) {
            let words: Vec<&str> = ins.args.split_whitespace().collect();
            for src in &words[..words.len().saturating_sub(1)] {
                assert!(!src.starts_with('/') && !src.split('/').any(|s| s == ".."), "COPY {src}\n{df}");
            }
        }
    }
    let kinds: Vec<&str> = parsed.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds.last(), Some(&"CMD"), "the prod stage must end with CMD\n{df}");
    let (_, ignore) = &rendered.files[1];
    assert!(!ignore.chars().any(|c| c.is_control() && c != '\n'), "control character in .dockerignore:\n{ignore}");
}

/// Writes `data`, split at each `0xFF 0xFE` pair, into `files` under a temporary project
/// (a file the input does not reach is removed), then scans, detects, resolves and
/// renders it; a successful render must pass [`check`].
pub fn detect_files(files: &[&str], data: &[u8]) {
    static ROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let root = ROOT.get_or_init(|| tempfile::tempdir().unwrap().keep());
    let mut chunks = split(data).into_iter();
    for file in files {
        let path = root.join(file);
        match chunks.next() {
            Some(bytes) => {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, bytes).unwrap()
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    if let Ok(rendered) = pipeline::generate(root, &Default::default()) {
        check(&rendered);
    }
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] == 0xFF && data[i + 1] == 0xFE {
            out.push(&data[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push(&data[start..]);
    out
}
