//! Every fixture's generated `compose.yaml` is accepted by a real Compose implementation:
//! `podman-compose config` (it parses, merges and normalizes the file the way `up` does).
//! The tool is provisioned like the other test tools (`tests/tools/mod.rs`): a virtualenv
//! under `target/tmp/test-tools`, where `.ci/run` installs it. It runs with `--dry-run`,
//! so `config` needs no podman.

mod common;
mod tools;

use std::process::Command;

use common::*;

fn config(dir: &std::path::Path) -> std::process::Output {
    Command::new(tools::podman_compose())
        .args(["--dry-run", "-f", "compose.yaml", "config"])
        .current_dir(dir)
        .output()
        .expect("run the compose tool")
}

#[test]
fn every_fixture_compose_file_passes_compose_config() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in fixtures().into_iter().filter(|n| !n.starts_with("error-")) {
        let dir = copy_fixture(&name);
        let out = init(dir.path(), &name);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        if !dir.path().join("compose.yaml").exists() {
            failures.push(format!("{name}: no compose.yaml"));
            continue;
        }
        let out = config(dir.path());
        checked += 1;
        if !out.status.success() {
            failures.push(format!("{name}: {}", stderr(&out)));
        }
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The check can fail: `ports` that is not a list is refused. (podman-compose is
/// lenient: it does not check that `depends_on` names a defined service.)
#[test]
fn compose_config_refuses_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  app:\n    image: x\n    ports: 12\n",
    )
    .unwrap();
    assert!(!config(dir.path()).status.success());
}

/// `--no-compose` and `compose = false` in `dockform.toml` leave both files out;
/// by default `init` writes them.
#[test]
fn compose_files_can_be_turned_off() {
    let exists = |d: &std::path::Path| {
        (
            d.join("compose.yaml").exists(),
            d.join(".env.example").exists(),
        )
    };
    let dir = copy_fixture("node-pg-redis");
    assert!(dockform(dir.path(), &["init", "--yes"]).status.success());
    assert_eq!(exists(dir.path()), (true, true));
    let dir = copy_fixture("node-pg-redis");
    let out = dockform(dir.path(), &["init", "--yes", "--no-compose"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(exists(dir.path()), (false, false));
    let dir = copy_fixture("node-pg-redis");
    std::fs::write(dir.path().join("dockform.toml"), "compose = false\n").unwrap();
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(exists(dir.path()), (false, false));
    let saved = std::fs::read_to_string(dir.path().join("dockform.toml")).unwrap();
    assert!(saved.contains("compose = false"), "{saved}");
    let out = dockform(dir.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `detect --json` lists services, writable paths and required env with their files.
#[test]
fn detect_json_lists_services_writable_paths_and_env() {
    let json = |name: &str| -> serde_json::Value {
        let out = dockform(&fixtures_dir().join(name), &["detect", "--json"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let kinds = |v: &serde_json::Value| -> Vec<String> {
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| format!("{}@{}", s["kind"], s["source"]))
            .collect()
    };
    let v = json("node-pg-redis");
    assert_eq!(
        kinds(&v),
        [
            "\"postgres\"@\"package.json\"",
            "\"redis\"@\"package.json\""
        ]
    );
    assert_eq!(v["env"]["runtime"][0]["name"], "DATABASE_URL");
    assert_eq!(v["env"]["runtime"][0]["file"], "src/db.js");
    assert_eq!(v["env"]["runtime"][0]["line"], 5);
    assert_eq!(
        kinds(&json("python-psycopg-redis")),
        [
            "\"postgres\"@\"requirements.txt\"",
            "\"redis\"@\"requirements.txt\""
        ]
    );
    assert_eq!(kinds(&json("go-pgx")), ["\"postgres\"@\"main.go\""]);
    let v = json("node-sqlite");
    assert!(kinds(&v).is_empty());
    assert_eq!(v["writable_paths"][0]["path"], "data");
    let v = json("next-public-env");
    assert_eq!(v["env"]["build"][0]["name"], "NEXT_PUBLIC_API_URL");
    assert_eq!(v["env"]["runtime"][0]["name"], "UPSTREAM_TOKEN");
    assert!(kinds(&json("node-express-npm")).is_empty());
}

fn detect_json(name: &str) -> serde_json::Value {
    let out = dockform(&fixtures_dir().join(name), &["detect", "--json"]);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One fixture per service kind without a PostgreSQL/Redis one: each names its
/// service, from its manifest (a Go program: the file that imports the driver), and
/// its connection variable.
#[test]
fn each_service_kind_has_a_fixture_that_detects_it() {
    for (name, kind, source, var) in [
        ("node-mongo", "mongodb", "package.json", "MONGODB_URI"),
        (
            "python-rabbitmq",
            "rabbitmq",
            "requirements.txt",
            "AMQP_URL",
        ),
        ("go-nats", "nats", "main.go", "NATS_URL"),
        ("rust-s3", "s3", "Cargo.toml", "S3_ENDPOINT"),
    ] {
        let v = detect_json(name);
        let services = v["services"].as_array().unwrap();
        assert_eq!(services.len(), 1, "{name}: {services:?}");
        assert_eq!(
            (services[0]["kind"].as_str(), services[0]["source"].as_str()),
            (Some(kind), Some(source)),
            "{name}"
        );
        assert_eq!(v["env"]["runtime"][0]["name"], var, "{name}");
    }
}

/// An app with SQLite and PostgreSQL drivers whose setting defaults to SQLite: no
/// database service, PostgreSQL listed as optional, the default's evidence shown.
#[test]
fn a_default_database_among_several_drivers_sets_the_others_aside() {
    let v = detect_json("go-sqlite-default-driver");
    assert_eq!(v["services"], serde_json::json!([]));
    assert_eq!(v["optional_services"][0]["kind"], "postgres");
    assert_eq!(v["default_database"]["kind"], "sqlite");
    assert_eq!(v["default_database"]["source"], "main.go:17");
    let dir = copy_fixture("go-sqlite-default-driver");
    let out = dockform(dir.path(), &["init", "--yes", "--service", "postgres"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let compose = std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap();
    assert!(
        compose.contains("  db:\n") && compose.contains("image: postgres"),
        "{compose}"
    );
}
