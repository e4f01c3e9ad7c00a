//! Arbitrary bytes as a Go module's files (go.mod, main packages, vendor list, .env.example): scan, detect, resolve and render must return an error or a
//! well-formed Dockerfile, never panic or hang.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

/// The files the input is split into, in order, at each `0xFF 0xFE` pair.
const FILES: &[&str] = &["go.mod", "main.go", "cmd/api/main.go", "cmd/worker/main.go", "vendor/modules.txt", ".env.example", "dockform.toml"];

fuzz_target!(|data: &[u8]| common::detect_files(FILES, data));
