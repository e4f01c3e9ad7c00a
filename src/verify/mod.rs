//! `dockform verify`: the proof the end-to-end suite gives our fixtures, on the user's
//! own project and engine. It builds `prod` (and, when asked, `test` and `dev`), runs
//! the image with the env it needs, waits for an HTTP answer and the `HEALTHCHECK`,
//! checks the user, stops it with SIGTERM and times that, and reports the image size.
//! It never pushes, says that the engine pulls missing base images, and removes what
//! it created unless `--keep`.

mod engine;
mod probe;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::cli::VerifyArgs;
use crate::error::{Error, Result};
use crate::{output, report};
use engine::{Engine, tail};

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable name (`build_prod`, `non_root`, `answers`, `healthcheck`, `stops_on_sigterm`, ...).
    pub name: &'static str,
    /// Passed.
    pub ok: bool,
    /// How long it took.
    pub seconds: f64,
    /// What was seen, in one line.
    pub detail: String,
}

/// Everything `verify` found.
#[derive(Debug, Serialize)]
struct Outcome {
    engine: &'static str,
    image: String,
    size_bytes: Option<u64>,
    checks: Vec<Check>,
    ok: bool,
}

/// Slower than this to stop after SIGTERM means the app (or its init) ignores it.
const STOP_LIMIT: Duration = Duration::from_secs(5);

/// `dockform verify [PATH]`.
pub fn verify(args: &VerifyArgs, quiet: bool) -> Result<i32> {
    let root = std::fs::canonicalize(&args.path).map_err(|e| Error::io("read", &args.path, e))?;
    if !root.join("Dockerfile").is_file() {
        return Err(Error::Verify(format!(
            "no Dockerfile in `{}` (run `dockform init` first)",
            crate::validate::safe(&root.display().to_string())
        )));
    }
    let engine = Engine::find(args.engine.as_deref())?;
    let env_file = env_file(args, &root)?;
    let mut run = Run {
        engine,
        image: format!(
            "dockform-verify/{}:{}",
            report::image_name(&root),
            std::process::id()
        ),
        checks: Vec::new(),
        progress: Progress::new(quiet || args.json),
        logs: tempfile::tempdir().map_err(|e| Error::io("create", "a temporary directory", e))?,
        created: Vec::new(),
    };
    run.progress.note(&format!(
        "verifying with {} (base images missing locally are pulled by the engine; nothing is pushed)",
        run.engine.name
    ));
    let result = run.all(args, &root, env_file.as_deref());
    let size = run
        .engine
        .inspect_image(&run.image)
        .ok()
        .and_then(|v| v["Size"].as_u64());
    if !args.keep {
        run.clean_up();
    }
    result?;
    let failed: Vec<&str> = run
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name)
        .collect();
    let outcome = Outcome {
        engine: run.engine.name,
        image: run.image.clone(),
        size_bytes: size,
        ok: failed.is_empty(),
        checks: run.checks,
    };
    if args.json {
        let text =
            serde_json::to_string_pretty(&outcome).map_err(|e| Error::Internal(e.to_string()))?;
        output::emit(&format!("{text}\n"))?;
    } else if let Some(bytes) = size {
        run.progress
            .note(&format!("image size {:.1} MB", bytes as f64 / 1e6));
    }
    if failed.is_empty() {
        Ok(0)
    } else {
        Err(Error::Verify(format!("failed: {}", failed.join(", "))))
    }
}

/// The env file the container gets: `--env-file`, else the project's `.env` if any.
fn env_file(args: &VerifyArgs, root: &Path) -> Result<Option<PathBuf>> {
    match &args.env_file {
        Some(f) if f.is_file() => Ok(Some(f.clone())),
        Some(f) => Err(Error::Verify(format!(
            "`--env-file {}` is not a file",
            crate::validate::safe(&f.display().to_string())
        ))),
        None => Ok(Some(root.join(".env")).filter(|f| f.is_file())),
    }
}

struct Run {
    engine: Engine,
    image: String,
    checks: Vec<Check>,
    progress: Progress,
    logs: tempfile::TempDir,
    /// Images and containers to remove at the end.
    created: Vec<(&'static str, String)>,
}

impl Run {
    fn all(&mut self, args: &VerifyArgs, root: &Path, env_file: Option<&Path>) -> Result<()> {
        let prod = self.image.clone();
        if !self.build(root, "prod", &prod)? {
            return Ok(());
        }
        let user = self.engine.inspect_image(&prod)?["Config"]["User"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let root_user = matches!(user.as_str(), "" | "0" | "root" | "0:0" | "root:root");
        self.record(
            "non_root",
            !root_user,
            Duration::ZERO,
            format!("runs as `{}`", if user.is_empty() { "root" } else { &user }),
        );
        self.serve(args, &prod, env_file)?;
        for (wanted, target) in [(args.test, "test"), (args.dev, "dev")] {
            if wanted {
                let tag = format!("{prod}-{target}");
                self.build(root, target, &tag)?;
            }
        }
        Ok(())
    }

    /// Builds one target; records `build_<target>` and shows the log's tail on failure.
    fn build(&mut self, root: &Path, target: &'static str, tag: &str) -> Result<bool> {
        let log = self.logs.path().join(format!("build-{target}.log"));
        let label = format!("build {target}");
        let start = Instant::now();
        let progress = &mut self.progress;
        let ok = self
            .engine
            .build(root, target, tag, &log, &mut |t| progress.tick(&label, t))?;
        self.created.push(("image", tag.to_string()));
        let detail = if ok {
            String::new()
        } else {
            format!("build failed; last lines:\n{}", tail(&log, 20))
        };
        let name = match target {
            "prod" => "build_prod",
            "test" => "build_test",
            _ => "build_dev",
        };
        self.record(name, ok, start.elapsed(), detail);
        Ok(ok)
    }

    /// Runs the image, waits for an answer and the health check, then stops it.
    fn serve(&mut self, args: &VerifyArgs, image: &str, env_file: Option<&Path>) -> Result<()> {
        let info = self.engine.inspect_image(image)?;
        let port = info["Config"]["ExposedPorts"]
            .as_object()
            .and_then(|ports| ports.keys().min().cloned());
        let health = ["Healthcheck", "HealthCheck"]
            .iter()
            .any(|k| info["Config"][k]["Test"].is_array() || info[k]["Test"].is_array());
        let mut run_args: Vec<String> = vec!["run".into(), "-d".into()];
        if let Some(p) = &port {
            run_args.extend(["-p".into(), format!("127.0.0.1::{p}")]);
        }
        if self.engine.name == "podman" {
            // Podman asks for higher limits than some hosts grant, and runc then refuses
            // to start the container: pass this process's own, capped.
            run_args.extend(own_limits());
        }
        if health && self.engine.name == "docker" {
            // The image's own check, without its first 30 s wait.
            run_args.extend(["--health-interval".into(), "2s".into()]);
        }
        if let Some(f) = env_file {
            run_args.extend(["--env-file".into(), f.display().to_string()]);
        }
        for e in &args.env {
            run_args.extend(["-e".into(), e.clone()]);
        }
        run_args.push(image.to_string());
        let argv: Vec<&str> = run_args.iter().map(String::as_str).collect();
        let id = self.engine.text(&argv)?;
        self.created.push(("container", id.clone()));
        let timeout = Duration::from_secs(args.timeout);
        match &port {
            Some(p) => self.answers(&id, p, &args.path_probe, timeout)?,
            None => self.record(
                "answers",
                true,
                Duration::ZERO,
                "no EXPOSE: not an HTTP server".into(),
            ),
        }
        if health {
            self.healthy(&id, timeout)?;
        }
        self.stop(&id)
    }

    fn answers(&mut self, id: &str, port: &str, path: &str, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        let label = format!("answers on {port}");
        let mut last = String::from("no answer yet");
        while start.elapsed() < timeout {
            self.progress.tick(&label, start.elapsed());
            if self.engine.inspect(id, "{{.State.Running}}")? != "true" {
                let logs = self.engine.run(&["logs", "--tail", "20", id]).ok();
                let logs = logs.map_or(String::new(), |o| {
                    String::from_utf8_lossy(&o.stdout).into_owned()
                        + &String::from_utf8_lossy(&o.stderr)
                });
                let detail = format!("the container exited; its last lines:\n{}", logs.trim());
                self.record("answers", false, start.elapsed(), detail);
                return Ok(());
            }
            let published = self.engine.text(&["port", id, port]).unwrap_or_default();
            if let Some(addr) = probe::host_address(&published) {
                match probe::get_status(&addr, path) {
                    Ok(code) if code < 500 => {
                        let detail = format!("GET {path} answered {code}");
                        self.record("answers", true, start.elapsed(), detail);
                        return Ok(());
                    }
                    Ok(code) => last = format!("GET {path} answered {code}"),
                    Err(e) => last = e,
                }
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let detail = format!("no answer below 500 within {}s ({last})", timeout.as_secs());
        self.record("answers", false, start.elapsed(), detail);
        Ok(())
    }

    fn healthy(&mut self, id: &str, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        let mut status = String::new();
        while start.elapsed() < timeout {
            self.progress.tick("healthcheck", start.elapsed());
            status = if self.engine.name == "podman" {
                // Podman runs no health timers without systemd: run the check itself.
                let out = self.engine.run(&["healthcheck", "run", id]);
                match out {
                    Ok(o) if o.status.success() => "healthy".into(),
                    _ => "not healthy yet".into(),
                }
            } else {
                self.engine.inspect(id, "{{.State.Health.Status}}")?
            };
            if status == "healthy" {
                self.record("healthcheck", true, start.elapsed(), "healthy".into());
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let detail = format!("not healthy within {}s ({status})", timeout.as_secs());
        self.record("healthcheck", false, start.elapsed(), detail);
        Ok(())
    }

    fn stop(&mut self, id: &str) -> Result<()> {
        let start = Instant::now();
        self.engine.text(&["stop", "-t", "10", id])?;
        let took = start.elapsed();
        let detail = format!("stopped {:.1}s after SIGTERM", took.as_secs_f64());
        self.record("stops_on_sigterm", took < STOP_LIMIT, took, detail);
        Ok(())
    }

    fn record(&mut self, name: &'static str, ok: bool, took: Duration, detail: String) {
        let check = Check {
            name,
            ok,
            seconds: (took.as_secs_f64() * 10.0).round() / 10.0,
            detail,
        };
        self.progress.done(&check);
        self.checks.push(check);
    }

    fn clean_up(&mut self) {
        for (kind, id) in self.created.iter().rev() {
            let args: &[&str] = match *kind {
                "container" => &["rm", "-f", id],
                _ => &["rmi", "-f", id],
            };
            let _ = self.engine.run(args);
        }
    }
}

/// `--ulimit` flags holding this process's soft open-file and process limits (Linux's
/// `/proc/self/limits`), capped at 65536 and 4096; none where that file is missing.
fn own_limits() -> Vec<String> {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits_from(&text)
}

fn limits_from(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    for (label, name, cap) in [
        ("Max open files", "nofile", 65536u64),
        ("Max processes", "nproc", 4096),
    ] {
        let soft = text
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .map(|v| v.parse::<u64>().map_or(cap, |n| n.min(cap)));
        if let Some(n) = soft {
            args.extend(["--ulimit".to_string(), format!("{name}={n}:{n}")]);
        }
    }
    args
}

/// Progress on stderr: a live status line on a terminal, one line per finished check.
struct Progress {
    quiet: bool,
    live: bool,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        Progress {
            quiet,
            live: !quiet && console::Term::stderr().is_term(),
        }
    }

    fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    fn tick(&mut self, label: &str, elapsed: Duration) {
        if self.live {
            eprint!("\r  ...   {label:<22} {:>6.1}s", elapsed.as_secs_f64());
        }
    }

    fn done(&mut self, c: &Check) {
        if self.quiet {
            return;
        }
        let clear = if self.live { "\r\x1b[2K" } else { "" };
        let word = if c.ok { "ok" } else { "FAIL" };
        let (first, rest) = c.detail.split_once('\n').unwrap_or((&c.detail, ""));
        eprintln!(
            "{clear}  {word:<5} {:<22} {:>6.1}s  {}",
            c.name,
            c.seconds,
            crate::validate::safe(first)
        );
        if !rest.is_empty() {
            eprintln!("{}", crate::validate::safe(rest));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::limits_from;

    #[test]
    fn podman_gets_this_process_s_soft_limits_capped() {
        let text = "Limit                     Soft Limit           Hard Limit           Units\n\
                    Max processes             unlimited            unlimited            processes\n\
                    Max open files            1024                 524288               files\n";
        assert_eq!(
            limits_from(text),
            [
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=4096:4096"
            ]
        );
        assert!(limits_from("").is_empty());
    }
}
