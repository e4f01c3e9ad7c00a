//! Arbitrary `.gitignore` text and paths: translation to `.dockerignore`, matching and
//! the COPY-source scan never panic, and translated lines stay single lines that
//! Docker's pattern matcher accepts.

#![no_main]

use dockform::ignorefile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (rules, path) = text.split_once('\u{1}').unwrap_or((&text, "src/index.js"));
    let lines = ignorefile::from_gitignore(rules).lines;
    for line in &lines {
        assert!(!line.contains(['\n', '\r']), "{line:?}");
        let pattern = line.strip_prefix('!').unwrap_or(line);
        assert_eq!(ignorefile::docker_pattern_error(pattern), None, "{line:?}");
    }
    let matcher = ignorefile::Matcher::new(&lines.join("\n"));
    let _ = matcher.excludes(path);
    let _ = ignorefile::Matcher::new(rules).excludes(path);
    let _ = ignorefile::copied_paths(rules);
});
