//! Arbitrary bytes as a Python project's files (pyproject.toml, requirements, Pipfile, version pins, app modules, Django): scan, detect, resolve and render must return an error or a
//! well-formed Dockerfile, never panic or hang.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

/// The files the input is split into, in order, at each `0xFF 0xFE` pair.
const FILES: &[&str] = &["pyproject.toml", "requirements.txt", ".python-version", "Pipfile", "app.py", "manage.py", "mysite/settings.py", "uv.lock", "poetry.lock", "dockform.toml"];

fuzz_target!(|data: &[u8]| common::detect_files(FILES, data));
