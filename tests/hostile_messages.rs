//! Issue 11, messages: what dockform prints cannot drive the terminal, and errors name
//! the real cause (the value's origin, an unreadable directory, a multi-line script).

mod hostile_support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use hostile_support::{GO_APP, NODE_APP, dockform, write_files};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[cfg(unix)]
#[test]
fn control_characters_and_bidi_overrides_from_file_names_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), GO_APP);
    // A Go file whose name carries a title-setting escape, a bell, a C1 control and a
    // right-to-left override; its `//go:embed` of a missing file gets it named in a warning.
    let name = "x\u{1b}]0;pwned\u{7}\u{9b}2J\u{202e}.go";
    std::fs::write(
        dir.path().join(name),
        "package main\n\nimport _ \"embed\"\n\n//go:embed missing.txt\nvar s string\n",
    )
    .unwrap();
    for args in [&["init", "--yes"][..], &["detect"][..]] {
        let out = dockform(dir.path(), args);
        let err = stderr(&out);
        assert!(err.contains("missing.txt"), "{args:?}: {err}");
        assert!(
            !err.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
            "{args:?}: raw control characters printed: {err:?}"
        );
        assert!(
            err.contains("x\\u{1b}]0;pwned\\u{7}\\u{9b}2J\\u{202e}.go"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn an_invalid_value_names_dockform_toml_or_the_variable_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), NODE_APP);
    std::fs::write(dir.path().join("dockform.toml"), "runtime = \"nope\"\n").unwrap();
    let err = stderr(&dockform(dir.path(), &["init", "--yes"]));
    assert!(
        err.contains("invalid `runtime` (`dockform.toml` line 1") && !err.contains("--runtime"),
        "{err}"
    );
    let flag = stderr(&dockform(
        dir.path(),
        &["init", "--yes", "--runtime", "bad"],
    ));
    assert!(flag.contains("invalid `--runtime`"), "{flag}");
    let env = Command::new(env!("CARGO_BIN_EXE_dockform"))
        .args(["init", "--yes", "--no-config"])
        .arg(dir.path())
        .env("DOCKFORM_RUNTIME", "bad")
        .env("DOCKFORM_NODE_VERSION", "24")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let env = stderr(&env);
    assert!(
        env.contains("invalid `DOCKFORM_RUNTIME`") && !env.contains("--runtime"),
        "{env}"
    );
    std::fs::write(dir.path().join("dockform.toml"), "version = \"qq\"\n").unwrap();
    let version = stderr(&dockform(dir.path(), &["init", "--yes"]));
    assert!(
        version.contains("invalid `version` (`dockform.toml` line 1"),
        "{version}"
    );
}

/// `chmod 000` on the project: run as `nobody` when the tests run as root, whom
/// permissions do not stop.
#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_project_directory_is_named_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let base = tempfile::tempdir().unwrap();
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = base.path().join("app");
    std::fs::create_dir(&dir).unwrap();
    write_files(&dir, NODE_APP);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_dockform"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_dockform"))
    };
    let out = cmd
        .args(["init", "--yes"])
        .arg(&dir)
        .stdin(Stdio::null())
        .output()
        .expect("setpriv (util-linux) is needed when the tests run as root");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot read the directory") && err.contains("app`"),
        "{err}"
    );
    assert!(!err.contains("dockform.toml"), "{err}");
}

#[test]
fn a_line_break_in_the_start_script_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), NODE_APP);
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"app","version":"1.0.0","scripts":{"start":"node src/server.js\n--inspect=0.0.0.0"}}"#,
    )
    .unwrap();
    let out = dockform(dir.path(), &["init", "--yes"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`package.json`") && err.contains("`scripts.start` holds a line break"),
        "{err}"
    );
    assert!(!Path::new(&dir.path().join("Dockerfile")).exists());
}
