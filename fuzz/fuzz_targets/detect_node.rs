//! Arbitrary bytes as a Node project's files (package.json, version pins, tsconfig,
//! next.config, workspace and ignore files, dockform.toml): scan, detect, resolve and
//! render must return an error or a well-formed Dockerfile, never panic or hang.

#![no_main]

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// The files the input is split into, in order, at each `0xFF 0xFE` pair.
const FILES: &[&str] = &[
    "package.json", ".nvmrc", "tsconfig.json", "next.config.js", "pnpm-workspace.yaml",
    ".gitignore", "dockform.toml", "yarn.lock", "src/server.js",
];

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        std::fs::create_dir_all(dir.join("src")).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let root = root();
    let mut chunks = split(data).into_iter();
    for file in FILES {
        let path = root.join(file);
        match chunks.next() {
            Some(bytes) => std::fs::write(&path, bytes).unwrap(),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    if let Ok(rendered) = common::pipeline::generate(root, &Default::default()) {
        common::check(&rendered);
    }
});

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
