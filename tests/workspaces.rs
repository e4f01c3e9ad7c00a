//! Workspace fixtures (`tests/fixtures/ws-*`): every file `init` writes (a Dockerfile
//! per app, the root `.dockerignore`, `compose.yaml`, `docker-bake.hcl` and
//! `dockform.toml`) matches its snapshot, the Dockerfiles lint clean, `check` passes
//! on the result, and a member directory generates the same app. A fixture with a
//! `<name>.member` file (the member's path) is a workspace whose apps dockform does not
//! generate together yet: `detect` on that member matches its snapshot.

mod common;
mod tools;

use common::*;

/// The workspace fixtures.
fn workspaces() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("ws-") && !n.contains('.'))
        .filter(|n| member_of(n).is_none())
        .collect();
    names.sort();
    names
}

/// The member a `ws-*` fixture is detected at, from its `<name>.member` file.
fn member_of(name: &str) -> Option<String> {
    std::fs::read_to_string(fixtures_dir().join(format!("{name}.member")))
        .ok()
        .map(|t| t.trim().to_string())
}

#[test]
fn every_member_fixture_detects_its_snapshot() {
    let mut seen = 0;
    for e in std::fs::read_dir(fixtures_dir()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(member) = name.strip_suffix(".member").and_then(member_of) else {
            continue;
        };
        let name = name.trim_end_matches(".member");
        let dir = copy_fixture(name);
        let out = dockform(&dir.path().join(&member), &["detect"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
        insta::assert_snapshot!(format!("member@{name}"), text);
        seen += 1;
    }
    assert!(seen > 0, "no `.member` fixture");
}

/// Every file `init` wrote: the fixture's files are compared with the copy's.
fn written(name: &str, dir: &std::path::Path) -> Vec<String> {
    let src = fixtures_dir().join(name);
    let mut files: Vec<String> = walk(dir)
        .into_iter()
        .filter(|rel| !src.join(rel).exists())
        .collect();
    files.sort();
    files
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out
}

#[test]
fn every_workspace_fixture_writes_its_snapshot_and_checks_clean() {
    for name in workspaces() {
        let dir = copy_fixture(&name);
        let out = init(dir.path(), &name);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let files = written(&name, dir.path());
        let mut text = String::new();
        for f in &files {
            let body = std::fs::read_to_string(dir.path().join(f)).unwrap();
            text.push_str(&format!("==> {f} <==\n{body}\n"));
        }
        insta::assert_snapshot!(format!("workspace@{name}"), text);
        let dockerfiles: Vec<std::path::PathBuf> = files
            .iter()
            .filter(|f| f.ends_with("Dockerfile"))
            .map(|f| dir.path().join(f))
            .collect();
        // A uv workspace may hold one app beside a frontend (`ws-uv-backend-frontend`).
        assert!(!dockerfiles.is_empty(), "{name}: {files:?}");
        let lint = std::process::Command::new(&tools::tools().hadolint)
            .args(["--failure-threshold", "warning", "--no-color"])
            .args(&dockerfiles)
            .output()
            .expect("hadolint runs");
        assert!(
            lint.status.success(),
            "{name}: hadolint:\n{}",
            String::from_utf8_lossy(&lint.stdout)
        );
        // `check` reads the apps back from `dockform.toml`.
        let check = dockform(dir.path(), &["check"]);
        assert!(check.status.success(), "{name}: {}", stderr(&check));
    }
}

#[test]
fn a_member_directory_generates_its_app_from_the_workspace_root() {
    let dir = copy_fixture("ws-npm-services");
    let out = dockform(&dir.path().join("apps/api"), &["init", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dockerfile = std::fs::read_to_string(dir.path().join("apps/api/Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("docker build -f apps/api/Dockerfile")
            && dockerfile.contains("COPY package.json package-lock.json ./"),
        "{dockerfile}"
    );
    let compose = std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap();
    assert!(
        compose.contains("api:") && !compose.contains("web:"),
        "{compose}"
    );
    assert!(!dir.path().join("apps/web/Dockerfile").exists());
}

#[test]
fn a_second_member_joins_the_root_files_without_force_and_a_hand_edit_still_needs_it() {
    let dir = copy_fixture("ws-npm-services");
    let root = dir.path();
    let first = dockform(&root.join("apps/api"), &["init", "--yes"]);
    assert!(first.status.success(), "{}", stderr(&first));
    // The user's own words in dockform.toml survive dockform's next write.
    let config = root.join("dockform.toml");
    let mine = std::fs::read_to_string(&config).unwrap() + "# ask #infra before adding apps\n";
    std::fs::write(&config, &mine).unwrap();
    let second = dockform(&root.join("apps/web"), &["init", "--yes"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let saved = std::fs::read_to_string(&config).unwrap();
    assert!(
        saved.contains(r#"apps = ["apps/api", "apps/web"]"#)
            && saved.ends_with("# ask #infra before adding apps\n"),
        "{saved}"
    );
    let compose = std::fs::read_to_string(root.join("compose.yaml")).unwrap();
    assert!(
        compose.contains("api:") && compose.contains("web:"),
        "{compose}"
    );
    assert!(dockform(root, &["check"]).status.success());
    // A root file edited by hand is not replaced without `--force`, and nothing is written.
    let edited = compose.replace("services:", "services:\n  # ours");
    std::fs::write(root.join("compose.yaml"), &edited).unwrap();
    std::fs::remove_file(root.join("apps/web/Dockerfile")).unwrap();
    let refused = dockform(&root.join("apps/web"), &["init", "--yes"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("compose.yaml"),
        "{}",
        stderr(&refused)
    );
    assert!(!root.join("apps/web/Dockerfile").exists());
}

#[test]
fn a_members_services_include_the_drivers_of_the_workspace_packages_it_depends_on() {
    let dir = tree(&[
        (
            "package.json",
            r#"{"private":true,"workspaces":["apps/*","packages/*"]}"#,
        ),
        (
            "apps/api/package.json",
            r#"{"name":"api","scripts":{"start":"node server.js"},"dependencies":{"@x/db":"*"}}"#,
        ),
        (
            "apps/api/server.js",
            "require('http').createServer(() => {}).listen(3000);\n",
        ),
        (
            "packages/db/package.json",
            r#"{"name":"@x/db","dependencies":{"pg":"8"}}"#,
        ),
    ]);
    let out = dockform(&dir.path().join("apps/api"), &["detect", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let services = &json["services"];
    assert_eq!(services[0]["kind"], "postgres", "{services}");
    assert_eq!(
        services[0]["source"], "../../packages/db/package.json",
        "{services}"
    );
}

#[test]
fn a_go_programs_services_are_the_drivers_its_packages_import_across_the_workspace() {
    let dir = tree(&[
        ("go.work", "go 1.24\n\nuse (\n\t./api\n\t./pkg\n)\n"),
        (
            "api/go.mod",
            "module example.com/api\n\ngo 1.24\n\nrequire (\n\texample.com/pkg v0.0.0\n\tgithub.com/lib/pq v1.10.9\n)\n\nreplace example.com/pkg => ../pkg\n",
        ),
        (
            "api/main.go",
            "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/pkg/bus\"\n)\n\nfunc main() { bus.Connect(); _ = http.ListenAndServe(\":8080\", nil) }\n",
        ),
        (
            "pkg/go.mod",
            "module example.com/pkg\n\ngo 1.24\n\nrequire (\n\tgithub.com/nats-io/nats.go v1.42.0\n\tgithub.com/go-sql-driver/mysql v1.9.2\n)\n",
        ),
        (
            "pkg/bus/bus.go",
            "package bus\n\nimport \"github.com/nats-io/nats.go\"\n\nfunc Connect() { _, _ = nats.Connect(nats.DefaultURL) }\n",
        ),
        // A package of the library the program never imports.
        (
            "pkg/store/mysql.go",
            "package store\n\nimport _ \"github.com/go-sql-driver/mysql\"\n",
        ),
    ]);
    // `go.mod` requires PostgreSQL's driver, but no package of the program imports it.
    let out = dockform(&dir.path().join("api"), &["detect", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let services: Vec<(String, String)> = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().into(),
                s["source"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        services,
        [("nats".to_string(), "../pkg/bus/bus.go".to_string())],
        "{}",
        json["services"]
    );
}

#[test]
fn the_dependency_layer_copies_only_the_apps_workspace_closure() {
    let dir = copy_fixture("ws-npm-services");
    let out = dockform(dir.path(), &["init", "--yes", "--app", "api"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dockerfile = std::fs::read_to_string(dir.path().join("apps/api/Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("COPY packages/shared/package.json")
            && !dockerfile.contains("packages/unrelated")
            && !dockerfile.contains("apps/web"),
        "{dockerfile}"
    );
}

#[test]
fn an_unknown_app_names_the_workspace_packages() {
    let dir = copy_fixture("ws-npm-services");
    let out = dockform(dir.path(), &["init", "--yes", "--app", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("`nope` is not a package") && err.contains("apps/api"),
        "{err}"
    );
}

/// The bake file parsed by HashiCorp's HCL library (through `pygohcl`, see `tools`), as
/// JSON: `{"group": {...}, "target": {...}}`.
fn parse_bake(path: &std::path::Path) -> serde_json::Value {
    let out = tools::tools()
        .python()
        .args([
            "-c",
            "import json, sys, pygohcl; print(json.dumps(pygohcl.loads(open(sys.argv[1]).read())))",
        ])
        .arg(path)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_bake_file_parses_and_its_default_group_builds_every_app_from_the_root() {
    for name in workspaces() {
        let dir = copy_fixture(&name);
        assert!(init(dir.path(), &name).status.success(), "{name}");
        let bake = parse_bake(&dir.path().join("docker-bake.hcl"));
        let targets = bake["target"].as_object().unwrap();
        let group: Vec<&str> = bake["group"]["default"]["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(group.len(), targets.len(), "{name}: {bake}");
        for t in group {
            let target = &targets[t];
            assert_eq!(target["context"], ".", "{name}: {t}");
            assert_eq!(target["target"], "prod", "{name}: {t}");
            let dockerfile = target["dockerfile"].as_str().unwrap();
            assert!(
                dir.path().join(dockerfile).is_file(),
                "{name}: {t}: no {dockerfile}"
            );
        }
    }
}

#[test]
fn every_workspace_compose_file_passes_podman_compose_config() {
    // Provisioned like the other test tools (a virtualenv under `target/tmp/test-tools`);
    // `--dry-run` so that `config` needs no podman.
    for name in workspaces() {
        let dir = copy_fixture(&name);
        assert!(init(dir.path(), &name).status.success(), "{name}");
        let out = std::process::Command::new(tools::podman_compose())
            .args(["--dry-run", "-f", "compose.yaml", "config"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("target: prod"), "{name}: {text}");
    }
}

#[test]
fn detect_at_a_root_shows_each_package_as_an_app_or_a_library_with_its_closure() {
    let dir = copy_fixture("ws-npm-services");
    let out = dockform(dir.path(), &["detect", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ws = &json["workspace"];
    assert_eq!(ws["workspace"]["package_manager"], "npm");
    assert_eq!(ws["workspace"]["lockfile"], "package-lock.json");
    let by_dir = |d: &str| {
        ws["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["dir"] == d)
            .unwrap()
            .clone()
    };
    assert_eq!(by_dir("apps/api")["app"], true);
    assert_eq!(
        by_dir("apps/api")["closure"],
        serde_json::json!(["apps/api", "packages/shared"])
    );
    let lib = by_dir("packages/unrelated");
    assert_eq!(lib["app"], false);
    assert!(
        lib["reason"]
            .as_str()
            .unwrap()
            .contains("no `scripts.start`")
    );
    let text = String::from_utf8(dockform(dir.path(), &["detect"]).stdout).unwrap();
    assert!(
        text.contains("apps/api") && text.contains("needs packages/shared"),
        "{text}"
    );
}

#[test]
fn a_uv_member_directory_generates_its_app_from_the_workspace_root() {
    let dir = copy_fixture("ws-uv-services");
    let out = dockform(&dir.path().join("services/api"), &["init", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("member of the uv workspace"),
        "{}",
        stderr(&out)
    );
    let dockerfile = std::fs::read_to_string(dir.path().join("services/api/Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("docker build -f services/api/Dockerfile")
            && dockerfile.contains("COPY pyproject.toml uv.lock ./"),
        "{dockerfile}"
    );
    assert!(!dir.path().join("services/web/Dockerfile").exists());
}

#[test]
fn the_uv_dependency_layer_copies_only_the_apps_workspace_closure() {
    let dir = copy_fixture("ws-uv-services");
    let out = dockform(dir.path(), &["init", "--yes", "--app", "api"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dockerfile = std::fs::read_to_string(dir.path().join("services/api/Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("COPY libs/greeting/pyproject.toml ./libs/greeting/")
            && dockerfile
                .contains("uv sync --frozen --package api --no-dev --no-install-workspace")
            && !dockerfile.contains("libs/unrelated")
            && !dockerfile.contains("services/web"),
        "{dockerfile}"
    );
}

#[test]
fn detect_in_a_uv_member_takes_the_lockfile_at_the_root() {
    let dir = copy_fixture("ws-uv-backend-frontend");
    // Written here, not in the fixture: a `.python-version` there would send the pyenv
    // shims of the tools the other tests run in that directory to a missing Python.
    std::fs::write(dir.path().join(".python-version"), "3.12\n").unwrap();
    let out = dockform(&dir.path().join("backend"), &["detect", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = json.to_string();
    assert!(
        text.contains("\"uv\"")
            && text.contains("../uv.lock")
            && text.contains("../.python-version")
            && text.contains("\"3.12\""),
        "{text}"
    );
}

#[test]
fn an_unknown_uv_app_names_the_members() {
    let dir = copy_fixture("ws-uv-services");
    let out = dockform(dir.path(), &["init", "--yes", "--app", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("not a member of the uv workspace") && err.contains("libs/greeting"),
        "{err}"
    );
}

/// `init --stdout` for one app of a copy of `fixture` whose root `packageManager` is
/// `pm`, after `prepare` ran on the copy.
fn one_app_with(fixture: &str, pm: &str, prepare: impl Fn(&std::path::Path)) -> String {
    let dir = copy_fixture(fixture);
    let manifest = dir.path().join("package.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["packageManager"] = pm.into();
    std::fs::write(&manifest, json.to_string()).unwrap();
    prepare(dir.path());
    let out = dockform(
        dir.path(),
        &["init", "--yes", "--stdout", "--app", "apps/orders"],
    );
    assert!(out.status.success(), "{pm}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn yarn_berry_focuses_only_where_focus_exists() {
    // Yarn 3 without the workspace-tools plugin: a plain install of the layer, and
    // `devDependencies` dropped from every manifest of the closure for production.
    let yarn3 = one_app_with("ws-yarn-berry-services", "yarn@3.8.7", |_| {});
    assert!(
        !yarn3.contains("yarn workspaces focus orders")
            && yarn3.contains("YARN_ENABLE_IMMUTABLE_INSTALLS=false yarn install")
            && yarn3.contains("delete p.devDependencies")
            && yarn3.contains("'apps/orders/package.json', 'packages/money/package.json'"),
        "{yarn3}"
    );
    // The plugin provides focus, and its directory reaches the dependency layer.
    let plugin = one_app_with("ws-yarn-berry-services", "yarn@3.8.7", |root| {
        let dir = root.join(".yarn/plugins/@yarnpkg");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("plugin-workspace-tools.cjs"), "").unwrap();
    });
    assert!(
        plugin.contains("yarn workspaces focus orders\n")
            && plugin.contains("yarn workspaces focus --production orders")
            && plugin.contains("COPY .yarn/plugins ./.yarn/plugins"),
        "{plugin}"
    );
    // A root with its own dependencies (build tools) is focused with the app.
    let tools = one_app_with("ws-yarn-berry-services", "yarn@4.5.3", |root| {
        let manifest = root.join("package.json");
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
        json["devDependencies"] = serde_json::json!({ "typescript": "^5.0.0" });
        std::fs::write(&manifest, json.to_string()).unwrap();
    });
    assert!(
        tools.contains("yarn workspaces focus orders ws-yarn-berry\n")
            && tools.contains("yarn workspaces focus --production orders\n"),
        "{tools}"
    );
}

#[test]
fn bun_filters_the_install_from_bun_1_2_and_says_so_before() {
    let old = one_app_with("ws-bun-services", "bun@1.1.38", |_| {});
    assert!(
        old.contains("bun install --frozen-lockfile\n")
            && old.contains("bun install --frozen-lockfile --production\n")
            && old.contains("# Bun 1.1 has no `bun install --filter`"),
        "{old}"
    );
    let new = one_app_with("ws-bun-services", "bun@1.3.0", |_| {});
    assert!(
        new.contains("bun install --frozen-lockfile --filter orders\n"),
        "{new}"
    );
}

#[test]
fn a_yarn_berry_member_directory_is_yarn_berry_not_classic() {
    let dir = copy_fixture("ws-yarn-berry-services");
    let out = dockform(&dir.path().join("apps/orders"), &["detect", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["facts"]["package_manager"]["value"], "yarn-berry", "{d}");
    assert_eq!(d["extra"]["yarn_focus"]["value"], true, "{d}");
}

#[test]
fn a_go_member_or_its_main_package_directory_generates_that_app_from_the_workspace_root() {
    let dir = copy_fixture("ws-go-work");
    // The member's root: its only main package is the app.
    let out = dockform(&dir.path().join("services/api"), &["init", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("member of the Go workspace"),
        "{}",
        stderr(&out)
    );
    let api = std::fs::read_to_string(dir.path().join("services/api/Dockerfile")).unwrap();
    assert!(
        api.contains("COPY libs/greet ./libs/greet")
            && api.contains("COPY libs/audit/go.mod ./libs/audit/")
            && !api.contains("COPY libs/audit ./libs/audit"),
        "every member's go.mod, only the imported members' sources:\n{api}"
    );
    // A main package's own directory below its member, which has no go.mod.
    let worker = dir.path().join("services/worker/cmd/worker");
    let detect = dockform(&worker, &["detect"]);
    let shown = String::from_utf8_lossy(&detect.stdout);
    assert!(
        shown.contains("./cmd/worker") && shown.contains("serves no HTTP"),
        "{shown}"
    );
    // The root files gain the second app: dockform's own and untouched, so no `--force`.
    let out = dockform(&worker, &["init", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(worker.join("Dockerfile")).unwrap();
    assert!(
        text.contains("WORKDIR /src/services/worker") && text.contains("./cmd/worker"),
        "{text}"
    );
    // The root records both, so `check` covers both.
    let saved = std::fs::read_to_string(dir.path().join("dockform.toml")).unwrap();
    assert!(
        saved.contains("services/api") && saved.contains("services/worker/cmd/worker"),
        "{saved}"
    );
    assert!(dockform(dir.path(), &["check"]).status.success());
}

#[test]
fn a_go_workspace_root_under_yes_names_its_apps() {
    let dir = copy_fixture("ws-go-work");
    let out = dockform(dir.path(), &["init", "--yes"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("services/api")
            && err.contains("services/worker/cmd/worker")
            && err.contains("--app"),
        "{err}"
    );
}
