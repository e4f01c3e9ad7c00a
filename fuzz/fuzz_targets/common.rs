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
