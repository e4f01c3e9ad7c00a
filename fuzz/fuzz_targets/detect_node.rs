//! Arbitrary bytes as a Node project's files (package.json, version pins, tsconfig,
//! next.config, workspace and ignore files, dockform.toml): scan, detect, resolve and
//! render must return an error or a well-formed Dockerfile, never panic or hang.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

/// The files the input is split into, in order, at each `0xFF 0xFE` pair.
const FILES: &[&str] = &[
    "package.json", ".nvmrc", "tsconfig.json", "next.config.js", "pnpm-workspace.yaml",
    ".gitignore", "dockform.toml", "yarn.lock", "src/server.js",
];

fuzz_target!(|data: &[u8]| common::detect_files(FILES, data));
