//! Every fixture under `tests/fixtures`: the generated files match their snapshot,
//! lint clean under hadolint, never ignore what they copy, and regenerate unchanged.

mod common;
mod tools;

use common::*;

#[test]
fn every_fixture_generates_its_snapshot() {
    for name in fixtures() {
        let dir = copy_fixture(&name);
        let out = init(dir.path(), &name);
        if name.starts_with("error-") {
            assert_eq!(
                out.status.code(),
                Some(1),
                "{name}: expected failure, got {out:?}"
            );
            assert!(
                !dir.path().join("Dockerfile").exists(),
                "{name}: wrote a Dockerfile despite the error"
            );
            let text = stderr(&out).replace(&dir.path().display().to_string(), "[DIR]");
            insta::assert_snapshot!(format!("error@{name}"), text);
        } else {
            assert!(
                out.status.success(),
                "{name}: init failed: {}",
                stderr(&out)
            );
            insta::assert_snapshot!(format!("fixture@{name}"), generated(dir.path()));
        }
    }
}

/// A fixture's `<name>.warns` lists (a line each) what `init` must warn about: the
/// evidence for a build-time requirement the image build cannot meet on its own.
#[test]
fn every_expected_warning_is_printed() {
    let mut checked = 0;
    for name in fixtures().into_iter().filter(|n| !n.starts_with("error-")) {
        let Ok(want) = std::fs::read_to_string(fixtures_dir().join(format!("{name}.warns"))) else {
            continue;
        };
        let dir = copy_fixture(&name);
        let out = init(dir.path(), &name);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let err = stderr(&out)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for line in want.lines().map(str::trim).filter(|l| !l.is_empty()) {
            assert!(
                err.contains(line),
                "{name}: no warning containing `{line}` in:\n{err}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} expected warnings checked");
}

#[test]
fn every_generated_dockerfile_is_hadolint_clean() {
    let out_dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for name in fixtures().into_iter().filter(|n| !n.starts_with("error-")) {
        let dir = copy_fixture(&name);
        assert!(init(dir.path(), &name).status.success(), "{name}");
        for runtime in ["", "distroless", "alpine", "scratch", "slim"] {
            let mut args = vec!["init", "--yes", "--stdout"];
            let extra = fixture_args(&name);
            args.extend(extra.iter().map(String::as_str));
            if !runtime.is_empty() {
                args.extend(["--runtime", runtime]);
            }
            let out = dockform(dir.path(), &args);
            if !out.status.success() {
                continue; // a runtime the stack does not offer
            }
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let dockerfile = text
                .split("==> .dockerignore <==")
                .next()
                .unwrap()
                .trim_start_matches("==> Dockerfile <==\n");
            let runtime = if runtime.is_empty() {
                "default"
            } else {
                runtime
            };
            let path = out_dir.path().join(format!("{name}.{runtime}.Dockerfile"));
            std::fs::write(&path, dockerfile).unwrap();
            paths.push(path);
        }
    }
    assert!(paths.len() > 50, "only {} Dockerfiles", paths.len());
    // One hadolint run for every file; each finding starts with its file's name.
    let lint = std::process::Command::new(&tools::tools().hadolint)
        .args(["--failure-threshold", "warning", "--no-color"])
        .args(&paths)
        .output()
        .expect("hadolint runs");
    assert!(
        lint.status.success(),
        "hadolint findings:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[test]
fn dockerignore_never_excludes_a_copied_file() {
    for name in fixtures().into_iter().filter(|n| !n.starts_with("error-")) {
        let dir = copy_fixture(&name);
        assert!(init(dir.path(), &name).status.success(), "{name}");
        let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
        let ignore = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
        let matcher = dockform::ignorefile::Matcher::new(&ignore);
        let copied = dockform::ignorefile::copied_paths(&dockerfile);
        for path in copied {
            assert!(
                dir.path().join(&path).exists(),
                "{name}: the Dockerfile copies `{path}`, which does not exist"
            );
            assert!(
                !matcher.excludes(&path),
                "{name}: `.dockerignore` excludes `{path}`, which the Dockerfile copies"
            );
        }
    }
}

#[test]
fn a_second_run_reports_every_file_unchanged() {
    for name in fixtures().into_iter().filter(|n| !n.starts_with("error-")) {
        let dir = copy_fixture(&name);
        assert!(init(dir.path(), &name).status.success(), "{name}");
        let before = generated(dir.path());
        let again = init(dir.path(), &name);
        assert!(again.status.success(), "{name}: {}", stderr(&again));
        let files = 4 + usize::from(dir.path().join(".env.example").exists());
        assert!(
            !stderr(&again).contains("created")
                && stderr(&again).matches("unchanged").count() == files,
            "{name}: {}",
            stderr(&again)
        );
        assert_eq!(
            before,
            generated(dir.path()),
            "{name}: output is not byte-stable"
        );
    }
}
