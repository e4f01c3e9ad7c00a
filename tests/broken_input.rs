//! Issue 6, broken and strange input: truncated or invalid manifests, manifests that
//! are directories, links, loops, pipes, unreadable, non-UTF-8 or huge, odd file names,
//! empty or foreign directories. Each gives a one-line error naming the file (with line
//! and column where the format has them) and exit code 1, or a correct result; never a
//! panic, a hang or a partial write.

mod hostile_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use hostile_support::{NEXT_APP, NODE_APP, write_files};

/// What a case must produce.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit 1 (2 for an invalid value) with one error line naming this file (and
    /// `line N, column M` if `at`).
    Error { file: &'static str, at: bool },
    /// Success: the Dockerfile is written.
    Works,
}

/// One broken project: the stack whose detector must be registered for the case to
/// apply, how to make it, and what must happen.
struct Case {
    stack: &'static str,
    name: &'static str,
    setup: fn(&Path),
    expect: Expect,
}

const fn err(file: &'static str) -> Expect {
    Expect::Error { file, at: false }
}

const fn at(file: &'static str) -> Expect {
    Expect::Error { file, at: true }
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn node(dir: &Path) {
    write_files(dir, NODE_APP);
}

/// A 200 MB sparse file: nothing is written but its length.
fn huge(dir: &Path, rel: &str) {
    let f = std::fs::File::create(dir.join(rel)).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap();
}

#[cfg(unix)]
fn fifo(dir: &Path, rel: &str) {
    let path = dir.join(rel);
    let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(status.success());
}

#[cfg(unix)]
fn link(dir: &Path, target: impl AsRef<Path>, rel: &str) {
    let _ = std::fs::remove_file(dir.join(rel));
    std::os::unix::fs::symlink(target, dir.join(rel)).unwrap();
}

/// Every case. A new stack adds its manifests' cases here; cases of a stack whose
/// detector is not registered yet are skipped (and listed when the test runs).
const CASES: &[Case] = &[
    Case {
        stack: "",
        name: "empty directory",
        setup: |_| {},
        expect: Expect::Error {
            file: "no supported project",
            at: false,
        },
    },
    Case {
        stack: "",
        name: "not a project",
        setup: |d| {
            write(d, "README.md", b"# notes\n");
            write(d, "notes/todo.txt", b"x\n");
        },
        expect: Expect::Error {
            file: "no supported project",
            at: false,
        },
    },
    Case {
        stack: "node",
        name: "truncated package.json",
        setup: |d| {
            node(d);
            write(
                d,
                "package.json",
                b"{\n  \"name\": \"a\",\n  \"scripts\": {",
            );
        },
        expect: at("package.json"),
    },
    Case {
        stack: "node",
        name: "package.json with a syntax error",
        setup: |d| {
            node(d);
            write(d, "package.json", b"{\n  name: 'a'\n}\n");
        },
        expect: at("package.json"),
    },
    Case {
        stack: "node",
        name: "empty package.json",
        setup: |d| {
            node(d);
            write(d, "package.json", b"");
        },
        expect: at("package.json"),
    },
    Case {
        stack: "node",
        name: "package.json holding an array",
        setup: |d| {
            node(d);
            write(d, "package.json", b"[1, 2]\n");
        },
        expect: err("package.json"),
    },
    Case {
        stack: "node",
        name: "package.json holding null",
        setup: |d| {
            node(d);
            write(d, "package.json", b"null");
        },
        expect: err("package.json"),
    },
    Case {
        stack: "node",
        name: "package.json with wrong types",
        setup: |d| {
            node(d);
            write(d, "package.json", br#"{"name": 1, "main": [], "scripts": "start", "engines": {"node": 24}, "packageManager": {}, "dependencies": []}"#);
        },
        expect: Expect::Works,
    },
    Case {
        stack: "node",
        name: "package.json with a byte order mark",
        setup: |d| {
            node(d);
            let text = std::fs::read(d.join("package.json")).unwrap();
            write(
                d,
                "package.json",
                &[b"\xEF\xBB\xBF".as_slice(), &text].concat(),
            );
        },
        expect: Expect::Works,
    },
    Case {
        stack: "node",
        name: "package.json with non-UTF-8 bytes",
        setup: |d| {
            node(d);
            write(d, "package.json", b"{\n  \"name\": \"caf\xE9\"\n}\n");
        },
        expect: at("package.json"),
    },
    Case {
        stack: "node",
        name: "package.json nested 10000 deep",
        setup: |d| {
            node(d);
            write(
                d,
                "package.json",
                &[
                    b"{\"a\":".repeat(10_000),
                    b"1".to_vec(),
                    b"}".repeat(10_000),
                ]
                .concat(),
            );
        },
        expect: at("package.json"),
    },
    Case {
        stack: "node",
        name: "package.json of 200 MB",
        setup: |d| {
            node(d);
            huge(d, "package.json");
        },
        expect: err("package.json"),
    },
    Case {
        stack: "node",
        name: "package.json is a directory",
        setup: |d| {
            node(d);
            std::fs::remove_file(d.join("package.json")).unwrap();
            std::fs::create_dir(d.join("package.json")).unwrap();
        },
        expect: err("package.json"),
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "package.json is a symlink loop",
        setup: |d| {
            node(d);
            link(d, "package.json", "package.json");
        },
        expect: err("package.json"),
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "package.json links outside the project",
        setup: |d| {
            node(d);
            let outside = d.parent().unwrap().join(format!(
                "{}-outside.json",
                d.file_name().unwrap().to_string_lossy()
            ));
            std::fs::write(
                &outside,
                br#"{"name":"outside","scripts":{"start":"node src/server.js"}}"#,
            )
            .unwrap();
            link(d, &outside, "package.json");
        },
        expect: err("package.json"),
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "package.json links inside the project",
        setup: |d| {
            node(d);
            std::fs::rename(d.join("package.json"), d.join("real.json")).unwrap();
            link(d, "real.json", "package.json");
        },
        expect: Expect::Works,
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "package.json is a named pipe",
        setup: |d| {
            node(d);
            std::fs::remove_file(d.join("package.json")).unwrap();
            fifo(d, "package.json");
        },
        expect: err("package.json"),
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "package.json is unreadable",
        setup: |d| {
            use std::os::unix::fs::PermissionsExt;
            node(d);
            std::fs::set_permissions(
                d.join("package.json"),
                std::fs::Permissions::from_mode(0o000),
            )
            .unwrap();
        },
        expect: err("package.json"),
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "a source directory is unreadable",
        setup: |d| {
            use std::os::unix::fs::PermissionsExt;
            node(d);
            write(d, "private/secret.js", b"listen(1234)");
            std::fs::set_permissions(d.join("private"), std::fs::Permissions::from_mode(0o000))
                .unwrap();
        },
        expect: Expect::Works,
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "non-UTF-8 file and directory names",
        setup: |d| {
            use std::os::unix::ffi::OsStrExt;
            node(d);
            let name = std::ffi::OsStr::from_bytes(b"caf\xE9");
            std::fs::create_dir(d.join(name)).unwrap();
            std::fs::write(d.join(name).join("x.js"), "listen(1234)").unwrap();
            std::fs::write(
                d.join("src").join(std::ffi::OsStr::from_bytes(b"\xFF.js")),
                "listen(1234)",
            )
            .unwrap();
        },
        expect: Expect::Works,
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: ".gitignore is a named pipe",
        setup: |d| {
            node(d);
            fifo(d, ".gitignore");
        },
        expect: Expect::Works,
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "a nested .gitignore is a named pipe",
        setup: |d| {
            node(d);
            fifo(d, "src/.gitignore");
        },
        expect: Expect::Works,
    },
    Case {
        stack: "node",
        name: ".gitignore of 200 MB",
        setup: |d| {
            node(d);
            huge(d, ".gitignore");
        },
        expect: Expect::Works,
    },
    #[cfg(unix)]
    Case {
        stack: "node",
        name: "a directory symlink loop",
        setup: |d| {
            node(d);
            link(d, ".", "src/loop");
            link(d, "../b", "a");
            link(d, "a", "b");
        },
        expect: Expect::Works,
    },
    Case {
        stack: "node",
        name: "a source file of 200 MB",
        setup: |d| {
            node(d);
            huge(d, "src/bundle.js");
        },
        expect: Expect::Works,
    },
    Case {
        stack: "node",
        name: ".nvmrc with non-UTF-8 bytes",
        setup: |d| {
            node(d);
            write(d, ".nvmrc", b"\xFF\xFE2\x004\x00");
        },
        expect: at(".nvmrc"),
    },
    Case {
        stack: "node",
        name: ".nvmrc is a directory",
        setup: |d| {
            node(d);
            std::fs::create_dir(d.join(".nvmrc")).unwrap();
        },
        expect: err(".nvmrc"),
    },
    Case {
        stack: "node",
        name: "broken tsconfig.json (read leniently)",
        setup: |d| {
            node(d);
            write(
                d,
                "tsconfig.json",
                b"{ // comment\n \"compilerOptions\": { \"outDir\": \"dist\", }",
            );
        },
        expect: Expect::Works,
    },
    Case {
        stack: "node",
        name: "broken lockfiles (never parsed)",
        setup: |d| {
            node(d);
            write(d, "package-lock.json", b"{\"lockfileVersion\":");
            write(d, "yarn.lock", b"\xFF\xFF\xFF");
        },
        expect: Expect::Works,
    },
    Case {
        stack: "node",
        name: "pnpm-workspace.yaml with non-UTF-8 bytes",
        setup: |d| {
            node(d);
            write(d, "pnpm-workspace.yaml", b"packages:\n  - \xFF\n");
        },
        expect: at("pnpm-workspace.yaml"),
    },
    Case {
        stack: "node",
        name: "truncated dockform.toml",
        setup: |d| {
            node(d);
            write(d, "dockform.toml", b"port = 80\nbuild-command = \"npm run");
        },
        expect: at("dockform.toml"),
    },
    Case {
        stack: "node",
        name: "dockform.toml with an unknown key",
        setup: |d| {
            node(d);
            write(d, "dockform.toml", b"port = 80\nprot = 81\n");
        },
        expect: at("dockform.toml"),
    },
    Case {
        stack: "node",
        name: "dockform.toml with a port out of range",
        setup: |d| {
            node(d);
            write(d, "dockform.toml", b"port = 70000\n");
        },
        expect: at("dockform.toml"),
    },
    Case {
        stack: "node",
        name: "dockform.toml with non-UTF-8 bytes",
        setup: |d| {
            node(d);
            write(d, "dockform.toml", b"stack = \"n\xFFde\"\n");
        },
        expect: at("dockform.toml"),
    },
    Case {
        stack: "node",
        name: "dockform.toml is a directory",
        setup: |d| {
            node(d);
            std::fs::create_dir(d.join("dockform.toml")).unwrap();
        },
        expect: err("dockform.toml"),
    },
    Case {
        stack: "nextjs",
        name: "next.config with non-UTF-8 bytes",
        setup: |d| {
            write_files(d, NEXT_APP);
            write(
                d,
                "next.config.mjs",
                b"export default { output: 'standalone' } // \xFF\n",
            );
        },
        expect: Expect::Works,
    },
    Case {
        stack: "go",
        name: "truncated go.mod",
        setup: |d| {
            write(d, "go.mod", b"module example.com/app\n\ngo 1.");
            write(d, "main.go", b"package main\nfunc main() {}\n");
        },
        expect: err("go.mod"),
    },
    Case {
        stack: "go",
        name: "go.mod with non-UTF-8 bytes",
        setup: |d| {
            write(d, "go.mod", b"module example.com/\xFF\n\ngo 1.26\n");
            write(d, "main.go", b"package main\nfunc main() {}\n");
        },
        expect: at("go.mod"),
    },
    Case {
        stack: "go",
        name: "go.mod is a directory",
        setup: |d| {
            std::fs::create_dir(d.join("go.mod")).unwrap();
        },
        expect: err("go.mod"),
    },
    Case {
        stack: "python",
        name: "truncated pyproject.toml",
        setup: |d| {
            write(
                d,
                "pyproject.toml",
                b"[project]\nname = \"app\"\ndependencies = [\"flask\",",
            );
        },
        expect: at("pyproject.toml"),
    },
    Case {
        stack: "python",
        name: "pyproject.toml with non-UTF-8 bytes",
        setup: |d| {
            write(d, "pyproject.toml", b"[project]\nname = \"caf\xE9\"\n");
        },
        expect: at("pyproject.toml"),
    },
    Case {
        stack: "python",
        name: "pyproject.toml of 200 MB",
        setup: |d| {
            huge(d, "pyproject.toml");
        },
        expect: err("pyproject.toml"),
    },
    Case {
        stack: "rust",
        name: "truncated Cargo.toml",
        setup: |d| {
            write(d, "Cargo.toml", b"[package]\nname = \"app\"\nversion = ");
            write(d, "src/main.rs", b"fn main() {}\n");
        },
        expect: at("Cargo.toml"),
    },
    Case {
        stack: "rust",
        name: "Cargo.toml with non-UTF-8 bytes",
        setup: |d| {
            write(d, "Cargo.toml", b"[package]\nname = \"\xFF\"\n");
        },
        expect: at("Cargo.toml"),
    },
    Case {
        stack: "rust",
        name: "Cargo.toml is a directory",
        setup: |d| {
            std::fs::create_dir(d.join("Cargo.toml")).unwrap();
        },
        expect: err("Cargo.toml"),
    },
];

/// How long a case may take before it counts as a hang.
const DEADLINE: Duration = Duration::from_secs(20);

/// Runs dockform on `dir`, as an unprivileged user when the tests run as root (root
/// reads files whatever their permission bits), killing it at the deadline.
fn run(dir: &Path, args: &[&str]) -> Result<Output, String> {
    let bin = env!("CARGO_BIN_EXE_dockform");
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("DOCKFORM_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run dockform (setpriv is needed as root): {e}"))?;
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Ok(child.wait_with_output().unwrap());
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("hung for more than {DEADLINE:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A directory the unprivileged user can enter and write.
fn open_dir(parent: &Path, name: &str) -> PathBuf {
    let dir = parent.join(name.replace([' ', '.', '/'], "-"));
    std::fs::create_dir_all(&dir).unwrap();
    chmod_open(parent);
    chmod_open(&dir);
    dir
}

fn chmod_open(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
}

/// Checks one command's outcome against the expectation; returns a failure, if any.
fn judge(case: &Case, what: &str, dir: &Path, out: Result<Output, String>) -> Option<String> {
    let label = format!("{} ({what})", case.name);
    let out = match out {
        Ok(o) => o,
        Err(e) => return Some(format!("{label}: {e}")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if stderr.contains("panicked") {
        return Some(format!("{label}: panicked: {stderr}"));
    }
    let wrote = dir.join("Dockerfile").exists() || dir.join(".dockerignore").exists();
    match case.expect {
        Expect::Works => {
            if !out.status.success() {
                return Some(format!(
                    "{label}: expected success, got {:?}: {stderr}",
                    out.status.code()
                ));
            }
            if what == "init"
                && !(dir.join("Dockerfile").is_file() && dir.join(".dockerignore").is_file())
            {
                return Some(format!(
                    "{label}: init succeeded without writing both files"
                ));
            }
        }
        // `detect` reports and never refuses: exit 0, the stack unknown and the reason.
        Expect::Error { file, at } if what == "detect" => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let line = stdout.lines().next().unwrap_or("");
            if out.status.code() != Some(0) || !line.starts_with("stack            unknown  (") {
                return Some(format!(
                    "{label}: expected exit 0 and an unknown stack, got {:?}: {stdout}{stderr}",
                    out.status.code()
                ));
            }
            if !line.contains(file) {
                return Some(format!(
                    "{label}: the reason does not name `{file}`: {line}"
                ));
            }
            if at && !(line.contains("line ") && line.contains("column ")) {
                return Some(format!(
                    "{label}: the reason has no line and column: {line}"
                ));
            }
        }
        Expect::Error { file, at } => {
            let errors: Vec<&str> = stderr
                .lines()
                .filter(|l| !l.starts_with("warning:"))
                .collect();
            let line = errors.first().copied().unwrap_or("");
            // An invalid value is a usage error (exit 2), like a bad flag.
            let code = if line.starts_with("error: invalid ") {
                2
            } else {
                1
            };
            if out.status.code() != Some(code) {
                return Some(format!(
                    "{label}: expected exit {code}, got {:?}: {stderr}",
                    out.status.code()
                ));
            }
            if errors.len() != 1 || !line.starts_with("error: ") {
                return Some(format!("{label}: the error is not one line: {stderr:?}"));
            }
            if !line.contains(file) {
                return Some(format!("{label}: the error does not name `{file}`: {line}"));
            }
            if at && !(line.contains("line ") && line.contains("column ")) {
                return Some(format!("{label}: the error has no line and column: {line}"));
            }
            if wrote {
                return Some(format!("{label}: wrote files despite the error"));
            }
        }
    }
    None
}

#[test]
fn broken_and_strange_projects_fail_cleanly_or_work() {
    let known = dockform::detect::stack_ids();
    let parent = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for case in CASES {
        if !case.stack.is_empty() && !known.contains(&case.stack) {
            skipped.push(case.name);
            continue;
        }
        for what in ["detect", "init"] {
            let dir = open_dir(parent.path(), &format!("{}-{what}", case.name));
            (case.setup)(&dir);
            let args: &[&str] = if what == "init" {
                &["init", "--yes"]
            } else {
                &["detect"]
            };
            failures.extend(judge(case, what, &dir, run(&dir, args)));
        }
    }
    eprintln!("cases of stacks not registered yet: {skipped:?}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_missing_or_non_directory_path_is_a_one_line_error() {
    let parent = tempfile::tempdir().unwrap();
    let file = parent.path().join("file");
    std::fs::write(&file, "x").unwrap();
    for (path, names) in [(parent.path().join("missing"), "missing"), (file, "file")] {
        let out = run(&path, &["init", "--yes"]).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(names),
            "{stderr}"
        );
    }
}
