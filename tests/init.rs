//! `dockform init` and `detect` on real fixtures: files, exit codes, and that
//! existing files survive.

mod common;

use common::*;

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = copy_fixture("node-express-npm");
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    let out = dockform(dir.path(), &["init", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`Dockerfile` already exists"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    assert!(
        !dir.path().join(".dockerignore").exists(),
        "nothing may be written when one file is refused"
    );
}

#[test]
fn force_overwrites_and_reports_updated() {
    let dir = copy_fixture("node-express-npm");
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("updated Dockerfile"));
    assert!(
        std::fs::read_to_string(dir.path().join("Dockerfile"))
            .unwrap()
            .contains("AS prod")
    );
}

#[test]
fn check_passes_when_fresh_and_fails_with_a_diff_after_an_edit() {
    let dir = copy_fixture("node-pnpm");
    assert!(dockform(dir.path(), &["init", "--yes"]).status.success());
    assert_eq!(
        dockform(dir.path(), &["init", "--check"]).status.code(),
        Some(0)
    );
    let path = dir.path().join("Dockerfile");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("USER 1000:1000", "USER root");
    std::fs::write(&path, &edited).unwrap();
    let out = dockform(dir.path(), &["init", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-USER root") && diff.contains("+USER 1000:1000"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        edited,
        "--check must not write"
    );
}

#[test]
fn stdout_and_diff_write_nothing() {
    let dir = copy_fixture("node-express-npm");
    let out = dockform(dir.path(), &["init", "--stdout"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("==> Dockerfile <=="));
    let out = dockform(dir.path(), &["init", "--diff"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("+++ b/Dockerfile\t(generated)"));
    assert!(!dir.path().join("Dockerfile").exists());
}

#[test]
fn detect_json_reports_values_with_their_source_files() {
    let dir = copy_fixture("node-ts-api");
    let out = dockform(dir.path(), &["detect", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stack"], "node");
    assert_eq!(json["facts"]["version"]["value"], "22");
    assert_eq!(json["facts"]["version"]["source"], ".nvmrc");
    assert_eq!(json["facts"]["package_manager"]["value"], "npm");
    assert_eq!(
        json["facts"]["package_manager"]["source"],
        "package-lock.json"
    );
    assert_eq!(json["facts"]["port"]["value"], 4000);
    assert_eq!(json["facts"]["port"]["source"], "src/index.ts");
    assert_eq!(
        json["facts"]["start_command"]["value"],
        "node dist/index.js"
    );
    assert_eq!(json["facts"]["runtime"]["origin"], "preset");
    assert_eq!(json["extra"]["build_output"]["value"], "dist");
}

#[test]
fn detect_with_an_open_question_names_it_and_shows_the_images_once_answered() {
    let dir = copy_fixture("rust-workspace");
    let out = dockform(dir.path(), &["detect"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("images           (chosen once the question below is answered)")
            && text.contains("needs answer     Binary to containerize: api, worker (pass `--bin`)"),
        "{text}"
    );
    std::fs::write(dir.path().join("dockform.toml"), "app = \"api\"\n").unwrap();
    let out = dockform(dir.path(), &["detect"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("images           rust:") && !text.contains("needs answer"),
        "{text}"
    );
}

#[test]
fn flags_override_detection_and_reach_the_dockerfile() {
    let dir = copy_fixture("next-standalone");
    let out = dockform(
        dir.path(),
        &[
            "init",
            "--yes",
            "--port",
            "8080",
            "--node-version",
            "22",
            "--build-arg",
            "NEXT_PUBLIC_API_URL",
            "--secret",
            "NPM_TOKEN",
            "--runtime",
            "distroless",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let df = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(df.contains("FROM node:22-trixie-slim AS base"));
    assert!(df.contains("FROM gcr.io/distroless/nodejs22-debian13:nonroot AS prod"));
    assert!(df.contains("ARG NEXT_PUBLIC_API_URL"));
    assert!(df.contains("--mount=type=secret,id=NPM_TOKEN"));
    assert!(
        !df.contains("ENV NPM_TOKEN"),
        "a secret must never be an ENV"
    );
    assert!(df.contains("EXPOSE 8080"));
    assert!(
        df.trim_end().ends_with("CMD [\"server.js\"]"),
        "distroless node is the entrypoint:\n{df}"
    );
}

#[test]
fn a_newline_in_a_flag_is_refused_naming_the_flag() {
    let dir = copy_fixture("node-express-npm");
    let out = dockform(
        dir.path(),
        &[
            "init",
            "--yes",
            "--build-command",
            "npm run build\nUSER root",
        ],
    );
    // An invalid value is a usage error.
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`--build-command`"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("Dockerfile").exists());
}

#[test]
fn an_unknown_runtime_lists_the_offered_families() {
    let dir = copy_fixture("node-express-npm");
    let out = dockform(dir.path(), &["init", "--yes", "--runtime", "windows"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`--runtime`") && err.contains("distroless"),
        "{err}"
    );
}

#[test]
fn a_usage_error_exits_2() {
    let dir = copy_fixture("node-express-npm");
    assert_eq!(
        dockform(dir.path(), &["init", "--port", "not-a-port"])
            .status
            .code(),
        Some(2)
    );
}

#[cfg(unix)]
#[test]
fn never_writes_through_a_symlinked_dockerfile() {
    let dir = copy_fixture("node-express-npm");
    let outside = assert_fs::TempDir::new().unwrap();
    let target = outside.path().join("victim");
    std::fs::write(&target, "keep me\n").unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("Dockerfile")).unwrap();
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
}

#[test]
fn templates_dir_overrides_the_built_in_template_of_the_same_name() {
    let dir = copy_fixture("node-express-npm");
    let templates = assert_fs::TempDir::new().unwrap();
    std::fs::create_dir_all(templates.path().join("node")).unwrap();
    std::fs::write(
        templates.path().join("node/Dockerfile.j2"),
        "FROM {{ settings.images.final }}\nCMD {{ settings.start_command | exec }}\n",
    )
    .unwrap();
    let out = dockform(
        dir.path(),
        &[
            "init",
            "--yes",
            "--templates-dir",
            templates.path().to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let df = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(
        df,
        "FROM node:24-trixie-slim\nCMD [\"node\", \"src/server.js\"]\n"
    );
}

#[test]
fn a_templates_dir_file_that_overrides_nothing_is_an_error() {
    let dir = copy_fixture("node-express-npm");
    let templates = assert_fs::TempDir::new().unwrap();
    std::fs::write(templates.path().join("Dockerfile.j2"), "FROM x\n").unwrap();
    let out = dockform(
        dir.path(),
        &[
            "init",
            "--yes",
            "--templates-dir",
            templates.path().to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`Dockerfile.j2` does not override any built-in template"),
        "{}",
        stderr(&out)
    );
}

/// The README shows whole generated Dockerfiles; each must be what `init` prints today.
#[test]
fn the_dockerfiles_in_the_readme_are_current() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let marker = "<summary><code>dockform init --stdout tests/fixtures/";
    let mut seen = 0;
    for block in readme.split(marker).skip(1) {
        let name = block.split('<').next().unwrap();
        let shown = block
            .split_once("```dockerfile\n")
            .and_then(|(_, rest)| rest.split_once("\n```"))
            .map(|(df, _)| df)
            .unwrap_or_else(|| panic!("README: no dockerfile block after {name}"));
        let dir = copy_fixture(name);
        let out = dockform(dir.path(), &["init", "--stdout", "--yes", "--no-config"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let generated = stdout
            .trim_start_matches("==> Dockerfile <==\n")
            .split("\n==> .dockerignore <==")
            .next()
            .unwrap()
            .trim_end();
        // The README may leave out the checksum that ends the header line.
        let (header, body) = generated.split_once('\n').unwrap();
        let plain = header.rsplit_once(" [checksum ").map_or(header, |(h, _)| h);
        assert!(
            shown == generated || shown == format!("{plain}\n{body}"),
            "README's Dockerfile for {name} is stale:\n{shown}\n---\n{generated}"
        );
        seen += 1;
    }
    assert!(seen >= 4, "found {seen} Dockerfiles in the README");
}

#[test]
fn detect_reports_a_project_it_cannot_settle_and_exits_0_with_json() {
    // A workspace root, a broken manifest and an empty directory: `detect` shows every
    // field unknown with the flag that supplies it; only `init` refuses.
    let empty = tempfile::tempdir().unwrap();
    let cases = [
        (
            copy_fixture("error-workspace-root"),
            "workspace root",
            Some("dockform init --app apps/api"),
        ),
        (
            copy_fixture("error-broken-package-json"),
            "not valid JSON",
            None,
        ),
    ];
    for (dir, why, fix) in cases.iter().map(|(d, w, f)| (d.path(), *w, *f)).chain([(
        empty.path(),
        "no supported project",
        // No flag fixes it (`--stack` then finds no manifest): the message names the
        // file each stack needs instead.
        None,
    )]) {
        let out = dockform(dir, &["detect", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{why}: {}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert!(json["stack"].is_null(), "{why}: {json}");
        assert!(
            json["refusal"]["message"].as_str().unwrap().contains(why),
            "{json}"
        );
        assert_eq!(json["refusal"]["fix"].as_str(), fix, "{why}");
        assert_eq!(json["facts"]["start_command"]["flag"], "--start-command");
        assert_eq!(json["facts"]["port"]["value"], serde_json::Value::Null);
        let out = dockform(dir, &["detect"]);
        assert_eq!(out.status.code(), Some(0), "{why}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("stack            unknown  ("), "{text}");
        assert!(
            text.contains("start command    unknown  (pass `--start-command`)"),
            "{text}"
        );
        let out = dockform(dir, &["init", "--yes", "--stdout"]);
        assert_eq!(out.status.code(), Some(1), "{why}: init still refuses");
    }
}

#[test]
fn detect_names_the_flag_that_supplies_each_fact() {
    for (fixture, flag) in [
        ("go-root", "--go-version"),
        ("rust-single", "--rust-version"),
        ("next-start", "--node-version"),
    ] {
        let dir = copy_fixture(fixture);
        let out = dockform(dir.path(), &["detect", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["facts"]["version"]["flag"], flag, "{fixture}");
        assert_eq!(json["facts"]["port"]["flag"], "--port", "{fixture}");
        assert!(json["refusal"].is_null(), "{json}");
    }
}

#[test]
fn detect_on_a_project_with_no_start_command_reports_the_gap_init_refuses_over() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name":"x","version":"1.0.0","scripts":{"test":"node --test"}}"#,
    )
    .unwrap();
    let out = dockform(dir.path(), &["detect", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stack"], "node");
    assert_eq!(json["refusal"]["fix"], "--start-command", "{json}");
    let out = dockform(dir.path(), &["detect"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("start command    unknown  (pass `--start-command`)")
            && text.contains("init refuses     no start command"),
        "{text}"
    );
}

#[test]
fn after_editing_the_config_an_untouched_generated_file_is_regenerated_without_force() {
    let dir = copy_fixture("node-express-npm");
    assert!(dockform(dir.path(), &["init", "--yes"]).status.success());
    let config = dir.path().join("dockform.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}port = 7000\n")).unwrap();
    let check = dockform(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stderr(&check).contains("run `dockform init --yes` to regenerate"),
        "{}",
        stderr(&check)
    );
    let out = dockform(dir.path(), &["init", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("updated Dockerfile"),
        "{}",
        stderr(&out)
    );
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("EXPOSE 7000"), "{dockerfile}");
    assert_eq!(
        dockform(dir.path(), &["check"]).status.code(),
        Some(0),
        "the regenerated files are current"
    );
}

#[test]
fn after_editing_the_config_a_hand_edited_file_still_needs_force() {
    let dir = copy_fixture("node-express-npm");
    assert!(dockform(dir.path(), &["init", "--yes"]).status.success());
    let path = dir.path().join("Dockerfile");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("USER 1000:1000", "USER 1000:1000\n# ours");
    std::fs::write(&path, &edited).unwrap();
    let config = dir.path().join("dockform.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}port = 7000\n")).unwrap();
    let check = dockform(dir.path(), &["check"]);
    assert!(
        stderr(&check).contains("run `dockform init --force` to regenerate"),
        "{}",
        stderr(&check)
    );
    let out = dockform(dir.path(), &["init", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`Dockerfile` already exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("EXPOSE 7000")
    );
}
