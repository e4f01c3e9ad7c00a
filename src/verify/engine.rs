//! The container engine `verify` drives: Docker (with BuildKit) or Podman, found on
//! PATH. Every call is a child process; nothing is pushed, and nothing is pulled
//! except what a build's `FROM` lines name (the engine's own behaviour, said up front).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Which engine, and the program that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// `docker` or `podman`.
    pub name: &'static str,
}

/// The engines `verify` knows, in the order it looks for them.
pub const ENGINES: [&str; 2] = ["docker", "podman"];

impl Engine {
    /// The engine asked for, or the first one whose daemon or service answers.
    pub fn find(wanted: Option<&str>) -> Result<Engine> {
        let candidates: Vec<&'static str> = match wanted {
            Some(w) => vec![ENGINES.iter().copied().find(|e| *e == w).ok_or_else(|| {
                Error::invalid(
                    "`--engine`",
                    format!("`{w}` is not one of {}", ENGINES.join(", ")),
                )
            })?],
            None => ENGINES.to_vec(),
        };
        let mut tried = Vec::new();
        for name in candidates {
            let engine = Engine { name };
            match engine.run(&["version"]) {
                Ok(out) if out.status.success() => return Ok(engine),
                Ok(out) => tried.push(format!(
                    "`{name} version` failed: {}",
                    last_line(&String::from_utf8_lossy(&out.stderr))
                )),
                Err(_) => tried.push(format!("`{name}` is not installed")),
            }
        }
        Err(Error::Verify(format!(
            "no container engine answers ({}); install Docker or Podman, or start its daemon",
            tried.join("; ")
        )))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.name);
        cmd.args(args).stdin(Stdio::null());
        if self.name == "docker" {
            // Docker 20.10 builds with the classic builder unless told otherwise.
            cmd.env("DOCKER_BUILDKIT", "1");
        }
        cmd
    }

    /// Runs the engine with `args` and waits for it.
    pub fn run(&self, args: &[&str]) -> std::io::Result<Output> {
        self.command(args).output()
    }

    /// Runs and returns trimmed stdout, or an error naming the command and its stderr.
    pub fn text(&self, args: &[&str]) -> Result<String> {
        let out = self
            .run(args)
            .map_err(|e| Error::Verify(format!("cannot run `{}`: {e}", self.name)))?;
        if !out.status.success() {
            return Err(Error::Verify(format!(
                "`{} {}` failed: {}",
                self.name,
                args.join(" "),
                last_line(&String::from_utf8_lossy(&out.stderr))
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Builds `target` of the Dockerfile in `context` as `tag`, the log in `log`;
    /// `tick` is called about every 200 ms with the time so far (for a status line).
    pub fn build(
        &self,
        context: &Path,
        target: &str,
        tag: &str,
        log: &Path,
        tick: &mut dyn FnMut(Duration),
    ) -> Result<bool> {
        let file = std::fs::File::create(log).map_err(|e| Error::io("create", log, e))?;
        let err = file.try_clone().map_err(|e| Error::io("open", log, e))?;
        let context = context.to_string_lossy();
        let mut args = vec!["build", "--target", target, "-t", tag];
        if self.name == "podman" {
            // Podman's own format drops HEALTHCHECK.
            args.extend(["--format", "docker"]);
        }
        args.push(&context);
        let mut child = self
            .command(&args)
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| Error::Verify(format!("cannot run `{}`: {e}", self.name)))?;
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().map_err(|e| Error::Verify(e.to_string()))? {
                return Ok(status.success());
            }
            tick(start.elapsed());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// `image inspect` as JSON (parsed here rather than with a Go template: Docker
    /// keeps the health check under `Config`, Podman beside it).
    pub fn inspect_image(&self, image: &str) -> Result<serde_json::Value> {
        let text = self.text(&["image", "inspect", image])?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Error::Verify(format!(
                "`{} image inspect` printed no JSON: {e}",
                self.name
            ))
        })?;
        Ok(match value {
            serde_json::Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
            other => other,
        })
    }

    /// One field of `inspect` for a container.
    pub fn inspect(&self, container: &str, format: &str) -> Result<String> {
        self.text(&["inspect", "--format", format, container])
    }
}

/// The last non-empty line of a command's output, for one-line errors.
pub fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The last `n` lines of a build log, for a failed build.
pub fn tail(log: &Path, n: usize) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
