//! The real binary in a pseudo-terminal: a person's keystrokes (typed values, arrow
//! keys, Enter, y) answer the wizard, and the written files match the answers.
//! Unix only: pseudo-terminals are driven with `rexpect`.

#![cfg(unix)]

mod common;

use std::process::Command;

use common::*;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

const ENTER: &str = "\r";
const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";

fn wizard(dir: &std::path::Path, args: &[&str]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockform"));
    cmd.arg("init")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("DOCKFORM_PORT");
    let options = Options::new()
        .timeout_ms(Some(30_000))
        .strip_ansi_escape_codes(true);
    spawn_with_options(cmd, options).expect("spawn dockform in a pseudo-terminal")
}

/// Takes the default of each of `prompts`, keeps the answers at the summary, and
/// agrees to write `files` files.
fn defaults_then_write(p: &mut PtySession, prompts: &[&str], files: usize) {
    for prompt in prompts {
        answer(p, prompt, &[ENTER]);
    }
    answer(p, "Continue with these answers", &[ENTER]);
    answer(p, &format!("Write {files} files?"), &["y"]);
}

fn answer(p: &mut PtySession, prompt: &str, keys: &[&str]) {
    p.exp_string(prompt)
        .unwrap_or_else(|e| panic!("waiting for `{prompt}`: {e}"));
    for k in keys {
        p.send(k).unwrap();
    }
    p.flush().unwrap();
}

fn exit_code(p: &mut PtySession) -> i32 {
    p.exp_eof().unwrap();
    // `WaitStatus` is nix's; its Debug form is `Exited(Pid(n), code)`.
    let status = format!("{:?}", p.process_mut().wait().unwrap());
    let code = status
        .strip_prefix("Exited(")
        .and_then(|s| s.rsplit(", ").next())
        .and_then(|s| s.trim_end_matches(')').parse().ok());
    code.unwrap_or_else(|| panic!("did not exit normally: {status}"))
}

#[test]
fn a_person_answers_with_keystrokes_and_gets_files_that_match() {
    let dir = copy_fixture("node-ts-api");
    let mut p = wizard(dir.path(), &["--build-arg", "API_URL"]);
    answer(&mut p, "Detected a node project", &[]);
    answer(&mut p, "Node.js version", &["26", ENTER]);
    answer(&mut p, "Package manager", &[ENTER]);
    // alpine, distroless, slim (the default): one up is distroless.
    answer(&mut p, "Final image", &[UP, ENTER]);
    answer(&mut p, "Port", &["abc", ENTER]);
    answer(&mut p, "is not a number", &["\x7f\x7f\x7f", "9999", ENTER]);
    for prompt in [
        "Build command",
        "Start command",
        "Test command",
        "Dev command",
    ] {
        answer(&mut p, prompt, &[ENTER]);
    }
    answer(&mut p, "Build secrets", &["npm_token", ENTER]);
    answer(&mut p, "Health-check path", &["/healthz", ENTER]);
    answer(&mut p, "Continue with these answers", &[ENTER]);
    answer(&mut p, "Write 4 files?", &["y"]);
    assert_eq!(exit_code(&mut p), 0);
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("gcr.io/distroless/nodejs26-debian13:nonroot"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("EXPOSE 9999") && dockerfile.contains("/healthz"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("id=npm_token") && dockerfile.contains("ARG API_URL"),
        "{dockerfile}"
    );
    let saved = std::fs::read_to_string(dir.path().join("dockform.toml")).unwrap();
    for line in [
        "version = \"26\"",
        "port = 9999",
        "runtime = \"distroless\"",
        "secrets = [\"npm_token\"]",
        "build-args = [\"API_URL\"]",
    ] {
        assert!(saved.contains(line), "`{line}` missing from:\n{saved}");
    }
    assert_eq!(dockform(dir.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn escape_cancels_and_leaves_the_disk_untouched() {
    let dir = copy_fixture("node-express-npm");
    let mut p = wizard(dir.path(), &["--node-version", "24"]);
    answer(&mut p, "Package manager", &[DOWN, "\x1b"]);
    p.exp_string("cancelled; nothing was written").unwrap();
    assert_eq!(exit_code(&mut p), 1);
    assert!(!dir.path().join("Dockerfile").exists() && !dir.path().join("dockform.toml").exists());
}

#[test]
fn ctrl_c_in_a_text_prompt_exits_130_and_leaves_the_disk_untouched() {
    let dir = copy_fixture("node-express-npm");
    let mut p = wizard(dir.path(), &[]);
    p.exp_string("Node.js version").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("interrupted; nothing was written").unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert!(!dir.path().join("Dockerfile").exists() && !dir.path().join("dockform.toml").exists());
}

#[test]
fn a_final_image_chosen_in_the_wizard_reaches_the_commands_it_changes() {
    // Go on scratch embeds the time zone database (`-tags timetzdata`): the build
    // command's default follows the final image answered before it, so the written
    // files are what `check` regenerates from dockform.toml.
    let dir = copy_fixture("go-root");
    let mut p = wizard(dir.path(), &[]);
    answer(&mut p, "Go version", &[ENTER]);
    // alpine, distroless (the default), scratch, slim: one down is scratch.
    answer(&mut p, "Final image", &[DOWN, ENTER]);
    answer(&mut p, "Port", &[ENTER]);
    answer(&mut p, "-tags timetzdata", &[ENTER]);
    defaults_then_write(
        &mut p,
        &[
            "Start command",
            "Test command",
            "Dev command",
            "Build args",
            "Build secrets",
            "Health-check path",
        ],
        4,
    );
    assert_eq!(exit_code(&mut p), 0);
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("-tags timetzdata") && dockerfile.contains("FROM scratch"),
        "{dockerfile}"
    );
    let check = dockform(dir.path(), &["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn enter_on_the_app_question_picks_the_first_app_not_the_last() {
    let dir = copy_fixture("go-cmd-multi");
    let mut p = wizard(dir.path(), &["--go-version", "1.26"]);
    answer(&mut p, "./cmd/worker", &[ENTER]);
    answer(&mut p, "Final image", &[ENTER]);
    answer(&mut p, "Port", &["0", ENTER]);
    defaults_then_write(
        &mut p,
        &[
            "Build command",
            "Start command",
            "Test command",
            "Dev command",
            "Build args",
            "Build secrets",
        ],
        4,
    );
    assert_eq!(exit_code(&mut p), 0);
    let saved = std::fs::read_to_string(dir.path().join("dockform.toml")).unwrap();
    assert!(saved.contains("app = \"./cmd/api\""), "{saved}");
}

#[test]
fn none_for_the_start_command_is_refused_at_the_question() {
    let dir = copy_fixture("node-express-npm");
    let mut p = wizard(
        dir.path(),
        &["--node-version", "24", "--port", "0", "--runtime", "slim"],
    );
    answer(&mut p, "Package manager", &[ENTER]);
    answer(&mut p, "Build command", &[ENTER]);
    // Clear the offered default, type `none`: refused there, and asked again.
    answer(&mut p, "Start command", &["\x15", "none", ENTER]);
    answer(
        &mut p,
        "needs a command to run",
        &["\x15", "node src/server.js", ENTER],
    );
    answer(&mut p, "Test command", &[ENTER]);
    answer(&mut p, "Dev command", &[ENTER]);
    answer(&mut p, "Build args", &[ENTER]);
    answer(&mut p, "Build secrets", &[ENTER]);
    answer(&mut p, "Continue with these answers", &[ENTER]);
    answer(&mut p, "Write 4 files?", &["y"]);
    assert_eq!(exit_code(&mut p), 0);
}

#[test]
fn a_main_chosen_among_several_does_not_inherit_another_mains_port_or_health_check() {
    // cmd/api listens on :8090; cmd/worker serves nothing. Choosing the worker must
    // offer port 0 (no health-check question) and write no EXPOSE nor HEALTHCHECK.
    let dir = copy_fixture("go-cmd-multi");
    let mut p = wizard(dir.path(), &["--go-version", "1.26"]);
    answer(&mut p, "./cmd/worker", &[DOWN, ENTER]);
    answer(&mut p, "Final image", &[ENTER]);
    answer(&mut p, "Port", &[ENTER]);
    defaults_then_write(
        &mut p,
        &[
            "Build command",
            "Start command",
            "Test command",
            "Dev command",
            "Build args",
            "Build secrets",
        ],
        4,
    );
    assert_eq!(exit_code(&mut p), 0);
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("/usr/local/bin/worker")
            && !dockerfile.contains("EXPOSE")
            && !dockerfile.contains("HEALTHCHECK"),
        "{dockerfile}"
    );
}

#[test]
fn a_directory_with_no_manifest_offers_the_stacks_and_names_the_file_the_chosen_one_needs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.py"), "print('hi')\n").unwrap();
    let mut p = wizard(dir.path(), &[]);
    answer(&mut p, "Which stack is this project?", &[]);
    p.exp_string("rust (needs `Cargo.toml`)").unwrap();
    // node, nextjs, go, python, rust: three down is python.
    p.send(DOWN).unwrap();
    p.send(DOWN).unwrap();
    p.send(DOWN).unwrap();
    p.send(ENTER).unwrap();
    p.flush().unwrap();
    p.exp_string(
        "has no `pyproject.toml` or `requirements.txt`, which dockform needs for a python project",
    )
    .unwrap();
    p.exp_string("pip freeze > requirements.txt").unwrap();
    assert_eq!(exit_code(&mut p), 1);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "wrote something"
    );
}

#[test]
fn the_summary_changes_any_answer_and_recomputes_the_answers_that_follow_from_it() {
    // Go: port 8080 is taken at first; at the summary the final image changes to
    // scratch, and the build command (taken as offered) follows it with the time zone
    // database, while the port typed earlier is kept.
    let dir = copy_fixture("go-root");
    let mut p = wizard(dir.path(), &[]);
    answer(&mut p, "Go version", &[ENTER]);
    answer(&mut p, "Final image", &[ENTER]);
    answer(&mut p, "Port", &["\x15", "8181", ENTER]);
    for prompt in [
        "Build command",
        "Start command",
        "Test command",
        "Dev command",
        "Build args",
        "Build secrets",
        "Health-check path",
    ] {
        answer(&mut p, prompt, &[ENTER]);
    }
    answer(&mut p, "Your answers:", &[]);
    // Continue, then Go version, Final image: two down.
    answer(&mut p, "Continue with these answers", &[DOWN, DOWN, ENTER]);
    // alpine, distroless (the default), scratch, slim: one down is scratch.
    answer(&mut p, "Final image", &[DOWN, ENTER]);
    answer(&mut p, "-tags timetzdata", &[]);
    answer(&mut p, "Continue with these answers", &[ENTER]);
    answer(&mut p, "Write 4 files?", &["y"]);
    assert_eq!(exit_code(&mut p), 0);
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("-tags timetzdata")
            && dockerfile.contains("FROM scratch")
            && dockerfile.contains("EXPOSE 8181"),
        "{dockerfile}"
    );
    assert_eq!(dockform(dir.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn a_diff_taller_than_the_terminal_goes_through_the_pager_and_a_pipe_never_does() {
    let dir = copy_fixture("node-express-npm");
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    let pager = "sh -c 'sed s/^/PAGED:/'";
    let paged = |extra: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockform"));
        cmd.args(["init", "--diff", "--yes"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            .env("PAGER", pager)
            .env_remove("DOCKFORM_PAGER");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let options = Options::new()
            .timeout_ms(Some(30_000))
            .strip_ansi_escape_codes(true);
        let mut p = spawn_with_options(cmd, options).expect("spawn dockform");
        p.exp_eof().expect("dockform ends")
    };
    // The whole generated Dockerfile against one line: far taller than a terminal.
    let text = paged(&[]);
    assert!(text.contains("PAGED:+++ b/Dockerfile"), "{text}");
    // `cat` (or an empty value) means no pager.
    let text = paged(&[("DOCKFORM_PAGER", "cat")]);
    assert!(
        text.contains("+++ b/Dockerfile") && !text.contains("PAGED:"),
        "{text}"
    );
    // Not a terminal: never paged.
    let out = Command::new(env!("CARGO_BIN_EXE_dockform"))
        .args(["init", "--diff", "--yes"])
        .current_dir(dir.path())
        .env("PAGER", pager)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("+++ b/Dockerfile") && !text.contains("PAGED:"),
        "{text}"
    );
}
