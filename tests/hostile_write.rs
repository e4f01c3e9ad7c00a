//! Issue 6, nothing lost: `init` killed at random points or failing mid-way leaves
//! every output file either its old content or its complete new content; replaced
//! files keep their permissions; nothing is written through a symbolic link.

mod hostile_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use dockform::render::Rendered;
use dockform::write::Plan;
use hostile_support::{NODE_APP, dockform, write_files};

const OLD_DOCKERFILE: &str = "FROM scratch\n# old\n";
const OLD_IGNORE: &str = "old-ignore\n";

/// A Node project with existing (different) Dockerfile and .dockerignore, and a long
/// `.gitignore` so the `.dockerignore` is the larger file.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), NODE_APP);
    let gitignore: String = (0..400).map(|i| format!("generated-{i}/\n")).collect();
    std::fs::write(dir.path().join(".gitignore"), gitignore).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), OLD_DOCKERFILE).unwrap();
    std::fs::write(dir.path().join(".dockerignore"), OLD_IGNORE).unwrap();
    dir
}

/// What `init --force` writes for `project()`.
fn new_contents() -> (String, String) {
    let dir = project();
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |n| std::fs::read_to_string(dir.path().join(n)).unwrap();
    (read("Dockerfile"), read(".dockerignore"))
}

/// Each file is its old content or its complete new content.
fn assert_old_or_new(dir: &Path, new: &(String, String), label: &str) -> (bool, bool) {
    let df = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let ig = std::fs::read_to_string(dir.join(".dockerignore")).unwrap();
    assert!(
        df == OLD_DOCKERFILE || df == new.0,
        "{label}: Dockerfile is neither old nor new:\n{df}"
    );
    assert!(
        ig == OLD_IGNORE || ig == new.1,
        "{label}: .dockerignore is neither old nor new:\n{ig}"
    );
    (df == new.0, ig == new.1)
}

/// A small deterministic generator, so a failure can be replayed from its seed.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

fn spawn_init(dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_dockform"))
        .args(["init", "--yes", "--force"])
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// How long one whole `init --force` takes, from spawn to exit.
fn timed_run() -> Duration {
    let dir = project();
    let start = std::time::Instant::now();
    assert!(spawn_init(dir.path()).wait().unwrap().success());
    start.elapsed()
}

#[test]
fn killing_init_at_random_points_leaves_old_or_complete_new_files() {
    let new = new_contents();
    let mut seed = 0x5eed_u64;
    let (mut none, mut some, mut all) = (0, 0, 0);
    let whole = (0..3).map(|_| timed_run()).max().unwrap();
    for round in 0..30 {
        let dir = project();
        let mut child = spawn_init(dir.path());
        // Spread the kill over a little more than the time a whole run takes.
        let window = whole.as_micros() as u64 * 5 / 4 + 1;
        let delay = Duration::from_micros(next(&mut seed) % window);
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        match assert_old_or_new(
            dir.path(),
            &new,
            &format!("round {round}, kill after {delay:?}"),
        ) {
            (false, false) => none += 1,
            (true, true) => all += 1,
            _ => some += 1,
        }
    }
    eprintln!("killed before any write: {none}, between the files: {some}, after both: {all}");
    assert!(
        none > 0 && all > 0,
        "the kill points never covered both ends of the run"
    );
}

/// With `SIGXFSZ` ignored and a file-size limit between the two files' sizes, writing
/// the second (larger) file fails with EFBIG: the first is complete, the second
/// untouched, and the error says which file was written.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_second_write_keeps_the_old_file_and_names_the_one_written() {
    let new = new_contents();
    assert!(
        new.0.len() < new.1.len(),
        "the test needs the .dockerignore to be the larger file"
    );
    let dir = project();
    let limit = (new.0.len() + new.1.len()) / 2;
    let script =
        format!("trap '' XFSZ; exec prlimit --fsize={limit} \"$0\" init --yes --force \"$1\"");
    let out = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_dockform")])
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("sh and prlimit (util-linux) are needed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(assert_old_or_new(dir.path(), &new, "EFBIG"), (true, false));
    assert!(
        stderr.contains(".dockerignore") && stderr.contains("Dockerfile"),
        "the error must name both files: {stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".dockform-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn a_failed_second_write_in_process_reports_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let rendered = Rendered {
        files: vec![
            ("Dockerfile".into(), "FROM a\n".into()),
            ("missing-dir/x".into(), "y\n".into()),
        ],
    };
    let err = Plan::new(dir.path(), &rendered)
        .unwrap()
        .apply(|_| Ok(true))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("missing-dir") && err.contains("Dockerfile"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        "FROM a\n"
    );
}

#[cfg(unix)]
#[test]
fn replaced_files_keep_their_permissions_and_new_files_honour_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let dir = project();
    std::fs::set_permissions(
        dir.path().join("Dockerfile"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::fs::set_permissions(
        dir.path().join(".dockerignore"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&dir.path().join("Dockerfile")), 0o640);
    assert_eq!(mode(&dir.path().join(".dockerignore")), 0o755);
    for (umask, want) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let fresh = tempfile::tempdir().unwrap();
        write_files(fresh.path(), NODE_APP);
        let out = Command::new("sh")
            .args([
                "-c",
                &format!("umask {umask}; exec \"$0\" init --yes \"$1\""),
            ])
            .arg(env!("CARGO_BIN_EXE_dockform"))
            .arg(fresh.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for name in ["Dockerfile", ".dockerignore", "dockform.toml"] {
            assert_eq!(
                mode(&fresh.path().join(name)),
                want,
                "{name} under umask {umask}"
            );
        }
    }
}

/// The `.dockform-*` temporary files left in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dockform-"))
        .collect()
}

/// Runs `round` for `0..rounds` on `threads` threads: the rounds mostly wait on
/// child processes, so a few at once keep the test short on a loaded machine.
fn rounds(rounds: u64, threads: u64, round: impl Fn(u64) + Sync) {
    std::thread::scope(|s| {
        for t in 0..threads {
            let round = &round;
            s.spawn(move || (t..rounds).step_by(threads as usize).for_each(round));
        }
    });
}

/// SIGINT sent the moment a temporary file shows up (or, in some rounds, a little
/// later): the Ctrl-C handler must remove it before the process exits.
#[cfg(unix)]
#[test]
fn ctrl_c_during_init_force_leaves_no_temporary_files() {
    let new = new_contents();
    let interrupted = std::sync::atomic::AtomicUsize::new(0);
    rounds(16, 2, |round| {
        let dir = project();
        let mut child = spawn_init(dir.path());
        let start = std::time::Instant::now();
        while leftovers(dir.path()).is_empty()
            && child.try_wait().unwrap().is_none()
            && start.elapsed() < Duration::from_secs(5)
        {
            std::thread::sleep(Duration::from_micros(50));
        }
        std::thread::sleep(Duration::from_micros(round % 4 * 200));
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let out = child.wait_with_output().unwrap();
        if out.status.code() == Some(130) {
            interrupted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let label = format!("round {round}");
        assert_old_or_new(dir.path(), &new, &label);
        assert!(
            leftovers(dir.path()).is_empty(),
            "{label}: temporary files left behind: {:?}",
            leftovers(dir.path())
        );
    });
    assert!(
        interrupted.into_inner() > 0,
        "no round was interrupted by the handler"
    );
}

/// Two `init --yes` runs with different ports started together on one fresh project:
/// at most one reports each file created, and the files all come from one run.
#[cfg(unix)]
#[test]
fn two_runs_started_together_never_both_create_nor_mix_their_files() {
    let spawn = |dir: &Path, port: &str| {
        Command::new(env!("CARGO_BIN_EXE_dockform"))
            .args(["init", "--yes", "--port", port])
            .arg(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    rounds(16, 8, |round| {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), NODE_APP);
        let a = spawn(dir.path(), "3001");
        let b = spawn(dir.path(), "3002");
        let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        for name in ["Dockerfile", ".dockerignore", "dockform.toml"] {
            let created = outs
                .iter()
                .filter(|o| {
                    String::from_utf8_lossy(&o.stderr)
                        .lines()
                        .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["created", name])
                })
                .count();
            assert!(created <= 1, "round {round}: both runs created `{name}`");
        }
        let read = |n| std::fs::read_to_string(dir.path().join(n)).unwrap();
        let port = if read("dockform.toml").contains("3001") {
            "3001"
        } else {
            "3002"
        };
        assert!(
            read("dockform.toml").contains(&format!("port = {port}")),
            "round {round}: {}",
            read("dockform.toml")
        );
        assert!(
            read("Dockerfile").contains(&format!("EXPOSE {port}")),
            "round {round}: the Dockerfile is not from the run that wrote dockform.toml (port {port})"
        );
        assert!(leftovers(dir.path()).is_empty(), "round {round}");
    });
}

#[test]
fn crlf_line_endings_of_a_replaced_file_are_kept() {
    let dir = project();
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\r\n").unwrap();
    assert!(
        dockform(dir.path(), &["init", "--yes", "--force"])
            .status
            .success()
    );
    let df = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        df.contains("\r\n") && !df.replace("\r\n", "").contains('\n'),
        "{df:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_dockerignore_is_refused_and_nothing_is_written() {
    for target_inside in [false, true] {
        let dir = project();
        let outside = tempfile::tempdir().unwrap();
        let target = if target_inside {
            dir.path().join("ignore.txt")
        } else {
            outside.path().join("victim")
        };
        std::fs::write(&target, "victim\n").unwrap();
        std::fs::remove_file(dir.path().join(".dockerignore")).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join(".dockerignore")).unwrap();
        let out = dockform(dir.path(), &["init", "--yes", "--force"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(".dockerignore") && stderr.contains("symbolic link"),
            "{stderr}"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "victim\n");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            OLD_DOCKERFILE,
            "the Dockerfile was written anyway"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_dockerfile_that_is_a_directory_is_refused_by_name() {
    let dir = project();
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    std::fs::create_dir(dir.path().join("Dockerfile")).unwrap();
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`Dockerfile`"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(),
        OLD_IGNORE
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_project_directory_component_writes_into_the_real_directory_only() {
    let base = tempfile::tempdir().unwrap();
    let real = base.path().join("real");
    std::fs::create_dir_all(real.join("app")).unwrap();
    write_files(&real.join("app"), NODE_APP);
    std::os::unix::fs::symlink(&real, base.path().join("link")).unwrap();
    let out = dockform(base.path(), &["init", "--yes", "link/app"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(real.join("app/Dockerfile").is_file() && real.join("app/.dockerignore").is_file());
    let mut top: Vec<String> = std::fs::read_dir(base.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["link", "real"], "wrote outside the project");
    assert!(
        std::fs::symlink_metadata(base.path().join("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
