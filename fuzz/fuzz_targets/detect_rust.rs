//! Arbitrary bytes as a Cargo project's files (Cargo.toml, Cargo.lock, toolchain file, sources, .cargo/config.toml): scan, detect, resolve and render must return an error or a
//! well-formed Dockerfile, never panic or hang.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

/// The files the input is split into, in order, at each `0xFF 0xFE` pair.
const FILES: &[&str] = &["Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "src/main.rs", "src/bin/tool.rs", ".cargo/config.toml", "dockform.toml"];

fuzz_target!(|data: &[u8]| common::detect_files(FILES, data));
