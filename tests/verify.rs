//! `dockform verify` against a scripted engine: a `docker` on PATH that answers the
//! calls verify makes from environment variables, and a real HTTP listener in the test
//! standing in for the container's published port. (The real engines are driven by the
//! end-to-end suite.)

#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use common::*;

/// The scripted engine: every call is appended to `calls`.
const FAKE: &str = r#"#!/bin/sh
echo "$*" >> "$FAKE_DIR/calls"
case "$1" in
  version) [ -n "$FAKE_NO_ENGINE" ] && { echo "Cannot connect to the daemon" >&2; exit 1; }; echo 24.0 ;;
  build) echo "step 1/3"; echo "step 2/3"; [ -n "$FAKE_BUILD_FAIL" ] && { echo "npm ERR! missing script: build"; exit 1; }; exit 0 ;;
  image)
    # Podman keeps the health check beside Config, Docker inside it.
    if [ -n "$FAKE_PODMAN_LAYOUT" ]; then
      echo '[{"Size":123456789,"Config":{"User":"'"$FAKE_USER"'","ExposedPorts":{"8080/tcp":{}}},"Healthcheck":{"Test":["CMD","x"]}}]'
    else
      echo '[{"Size":123456789,"Config":{"User":"'"$FAKE_USER"'","ExposedPorts":{"8080/tcp":{}},"Healthcheck":{"Test":["CMD","x"]}}}]'
    fi ;;
  run) echo cid123 ;;
  inspect)
    case "$3" in
      *Running*) echo true ;;
      *Health*) echo healthy ;;
    esac ;;
  port) echo "0.0.0.0:$FAKE_PORT"; echo "[::]:$FAKE_PORT" ;;
  stop) sleep "${FAKE_STOP:-0}"; echo cid123 ;;
  rm|rmi) ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
"#;

struct Fake {
    dir: tempfile::TempDir,
    project: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        let dir = tempfile::tempdir().unwrap();
        for name in ["docker", "podman"] {
            let path = dir.path().join(name);
            std::fs::write(&path, FAKE).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let project = tempfile::tempdir().unwrap();
        std::fs::write(project.path().join("Dockerfile"), "FROM scratch AS prod\n").unwrap();
        Fake { dir, project }
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default()
    }

    fn verify(&self, port: u16, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockform"));
        cmd.arg("verify")
            .arg(self.project.path())
            .args(args)
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.dir.path().display()),
            )
            .env("FAKE_DIR", self.dir.path())
            .env("FAKE_PORT", port.to_string())
            .env("FAKE_USER", "1000:1000");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }
}

/// A listener answering every request with `status`, on a free loopback port.
fn server(status: u16) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = write!(s, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n");
        }
    });
    port
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn check<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check `{name}` in {report}"))
}

#[test]
fn a_good_image_passes_every_check_and_verify_removes_what_it_created() {
    let fake = Fake::new();
    let out = fake.verify(server(200), &[], &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["ok"], true);
    assert_eq!(report["engine"], "docker");
    assert_eq!(report["size_bytes"], 123456789);
    for name in [
        "build_prod",
        "non_root",
        "answers",
        "healthcheck",
        "stops_on_sigterm",
    ] {
        assert_eq!(check(&report, name)["ok"], true, "{name}: {report}");
    }
    let calls = fake.calls();
    assert!(
        calls.contains("build --target prod -t dockform-verify/"),
        "{calls}"
    );
    assert!(calls.contains("-p 127.0.0.1::8080/tcp"), "{calls}");
    assert!(calls.contains("stop -t 10 cid123"), "{calls}");
    assert!(
        calls.contains("rm -f cid123") && calls.contains("rmi -f dockform-verify/"),
        "{calls}"
    );
    assert!(
        !calls.contains("push") && !calls.contains("pull"),
        "{calls}"
    );
}

#[test]
fn each_failing_check_is_named_and_exits_1() {
    let fake = Fake::new();
    let out = fake.verify(server(200), &[("FAKE_USER", "root")], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error: verify: failed: non_root"),
        "{}",
        stderr(&out)
    );

    let out = fake.verify(server(503), &[], &["--timeout", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("failed: answers"), "{}", stderr(&out));
    assert!(stderr(&out).contains("answered 503"), "{}", stderr(&out));

    let out = fake.verify(closed_port(), &[], &["--timeout", "2"]);
    assert!(stderr(&out).contains("failed: answers"), "{}", stderr(&out));

    let out = fake.verify(server(200), &[("FAKE_STOP", "6")], &[]);
    assert!(
        stderr(&out).contains("failed: stops_on_sigterm"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_failed_build_shows_the_end_of_its_log_and_runs_nothing() {
    let fake = Fake::new();
    let out = fake.verify(server(200), &[("FAKE_BUILD_FAIL", "1")], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("npm ERR! missing script: build"), "{err}");
    assert!(err.contains("failed: build_prod"), "{err}");
    assert!(!fake.calls().contains("run -d"), "{}", fake.calls());
}

#[test]
fn keep_leaves_the_image_and_the_container() {
    let fake = Fake::new();
    let out = fake.verify(server(200), &[], &["--keep", "--test"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let calls = fake.calls();
    assert!(calls.contains("build --target test"), "{calls}");
    assert!(
        !calls.contains("rm -f") && !calls.contains("rmi"),
        "{calls}"
    );
}

#[test]
fn the_env_reaches_the_container_from_env_file_and_flags() {
    let fake = Fake::new();
    std::fs::write(fake.project.path().join(".env"), "DATABASE_URL=x\n").unwrap();
    let out = fake.verify(server(200), &[], &["-e", "REDIS_URL=y"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let calls = fake.calls();
    assert!(
        calls.contains("--env-file ") && calls.contains(".env -e REDIS_URL=y"),
        "{calls}"
    );
}

#[test]
fn without_an_engine_or_a_dockerfile_the_error_says_what_to_do() {
    let fake = Fake::new();
    let out = fake.verify(0, &[("FAKE_NO_ENGINE", "1")], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no container engine answers"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(fake.project.path().join("Dockerfile")).unwrap();
    let out = fake.verify(0, &[], &[]);
    assert!(
        stderr(&out).contains("run `dockform init` first"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_health_check_beside_the_config_as_podman_keeps_it_is_waited_for() {
    let fake = Fake::new();
    let out = fake.verify(server(200), &[("FAKE_PODMAN_LAYOUT", "1")], &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(check(&json(&out), "healthcheck")["ok"], true);
}
