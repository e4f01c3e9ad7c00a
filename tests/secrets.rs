//! Credential files planted in a fixture of every stack never reach the build
//! context nor a `COPY`, whatever `.gitignore` says; configs holding one are mounted
//! as build secrets; manifests holding one are refused unless `dockform.toml` allows.

mod common;

use common::*;
use dockform::ignorefile::{Matcher, copied_paths, docker_pattern_error};

/// One fixture per stack (and the Yarn Berry one, whose `.yarnrc.yml` is a real config).
const STACKS: &[&str] = &[
    "node-express-npm",
    "node-yarn-berry",
    "next-start",
    "python-flask-requirements",
    "python-uv-src",
    "go-root",
    "rust-single",
];

/// Every credential file the deny list must hold out, with contents holding a secret.
const PLANTED: &[(&str, &str)] = &[
    (".npmrc", "//r.example/:_authToken=canary-npm\n"),
    (".yarnrc", "\"//r.example/:_authToken\" \"canary-yarn\"\n"),
    (
        "bunfig.toml",
        "[install.registry]\ntoken = \"canary-bun\"\n",
    ),
    ("id_rsa", "canary"),
    ("id_rsa.pub", "canary"),
    ("id_ed25519", "canary"),
    ("server.key", "canary"),
    ("tls/server.pem", "canary"),
    ("bundle.p12", "canary"),
    ("store.pfx", "canary"),
    (
        ".aws/credentials",
        "[default]\naws_secret_access_key = canary\n",
    ),
    (".ssh/id_ecdsa", "canary"),
    (".kube/config", "canary"),
    (".docker/config.json", "{\"auths\":{}}"),
    (".netrc", "machine h login u password canary\n"),
    (".git-credentials", "https://u:canary@h\n"),
    (".pypirc", "[pypi]\npassword = canary\n"),
    (
        "pip.conf",
        "[global]\nindex-url = https://u:canary@r.example/simple\n",
    ),
    (".envrc", "export TOKEN=canary\n"),
    (".env", "TOKEN=canary\n"),
    (".env.production", "TOKEN=canary\n"),
    ("config/.env", "TOKEN=canary\n"),
    ("config/.env.local", "TOKEN=canary\n"),
    ("gcp-service-account.json", "{\"private_key\":\"canary\"}"),
    ("deploy/credentials.json", "{}"),
    (
        ".cargo/credentials.toml",
        "[registry]\ntoken = \"canary\"\n",
    ),
    ("packages/a/.npmrc", "//r.example/:_authToken=canary\n"),
];

/// A `.gitignore` that tries to bring every one of them back.
const NEGATIONS: &str = "!.env\n!**/.env\n!/.env\n!id_rsa\n!*.key\n!.aws/\n!config/.env\n!.npmrc\n";

fn plant(dir: &std::path::Path) {
    for (path, text) in PLANTED {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    std::fs::write(dir.join(".env.example"), "TOKEN=\n").unwrap();
    let gitignore = dir.join(".gitignore");
    let mut text = std::fs::read_to_string(&gitignore).unwrap_or_default();
    text.push_str(NEGATIONS);
    std::fs::write(gitignore, text).unwrap();
}

#[test]
fn planted_credentials_stay_out_of_every_stack_s_context_and_copies() {
    for name in STACKS {
        let dir = copy_fixture(name);
        plant(dir.path());
        let out = init(dir.path(), name);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let ignore = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
        let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
        let matcher = Matcher::new(&ignore);
        let copied = copied_paths(&dockerfile);
        for (path, _) in PLANTED {
            assert!(
                matcher.excludes(path),
                "{name}: `{path}` is in the context\n{ignore}"
            );
            assert!(
                !copied.iter().any(|c| c == path),
                "{name}: the Dockerfile copies `{path}`"
            );
        }
        assert!(!matcher.excludes(".env.example"), "{name}");
        for line in ignore
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let pattern = line.trim_start_matches('!');
            assert_eq!(docker_pattern_error(pattern), None, "{name}: `{line}`");
        }
    }
}

#[test]
fn an_npmrc_with_a_token_is_mounted_as_a_secret_and_the_warning_says_how() {
    let dir = copy_fixture("node-express-npm");
    std::fs::write(
        dir.path().join(".npmrc"),
        "registry=https://r.example/\n//r.example/:_authToken=canary\n",
    )
    .unwrap();
    let out = init(dir.path(), "node-express-npm");
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("`.npmrc` line 2"), "{err}");
    assert!(
        err.contains("docker build --secret id=npmrc,src=.npmrc ."),
        "{err}"
    );
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(!copied_paths(&dockerfile).contains(&".npmrc".to_string()));
    assert!(dockerfile.contains("--mount=type=secret,id=npmrc,target=/app/.npmrc"));
    let ignore = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(Matcher::new(&ignore).excludes(".npmrc"));
}

#[test]
fn a_clean_npmrc_still_reaches_the_install() {
    let dir = copy_fixture("node-express-npm");
    std::fs::write(dir.path().join(".npmrc"), "engine-strict=true\n").unwrap();
    let out = init(dir.path(), "node-express-npm");
    assert!(out.status.success(), "{}", stderr(&out));
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(copied_paths(&dockerfile).contains(&".npmrc".to_string()));
    assert!(!dockerfile.contains("id=npmrc"));
    let ignore = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    let matcher = Matcher::new(&ignore);
    assert!(!matcher.excludes(".npmrc"), "{ignore}");
    assert!(matcher.excludes("packages/a/.npmrc"), "{ignore}");
}

#[test]
fn a_cargo_registry_token_is_never_copied() {
    let dir = copy_fixture("rust-single");
    std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
    std::fs::write(
        dir.path().join(".cargo/config.toml"),
        "[registries.corp]\nindex = \"sparse+https://r.example/\"\ntoken = \"canary\"\n",
    )
    .unwrap();
    let out = init(dir.path(), "rust-single");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("id=cargo_config,src=.cargo/config.toml"));
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        !dockerfile.contains("COPY .cargo/config.toml"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("id=cargo_config,target=/app/.cargo/config.toml"));
    let ignore = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(
        Matcher::new(&ignore).excludes(".cargo/config.toml"),
        "{ignore}"
    );
}

#[test]
fn a_requirements_index_url_with_a_password_is_refused_unless_allowed() {
    let dir = copy_fixture("python-flask-requirements");
    let req = dir.path().join("requirements.txt");
    let text = std::fs::read_to_string(&req).unwrap();
    std::fs::write(
        &req,
        format!("--extra-index-url https://u:canary@r.example/simple\n{text}"),
    )
    .unwrap();
    let out = init(dir.path(), "python-flask-requirements");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`requirements.txt`"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
    assert!(!dir.path().join("Dockerfile").exists());
    std::fs::write(
        dir.path().join("dockform.toml"),
        "allow-secret-files = [\"requirements.txt\"]\n",
    )
    .unwrap();
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("allow-secret-files"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn allow_secret_files_brings_one_back_with_a_warning() {
    let dir = copy_fixture("go-root");
    std::fs::create_dir_all(dir.path().join("testdata")).unwrap();
    std::fs::write(dir.path().join("testdata/server.key"), "test key").unwrap();
    std::fs::write(
        dir.path().join("dockform.toml"),
        "allow-secret-files = [\"testdata/server.key\"]\n",
    )
    .unwrap();
    let out = dockform(dir.path(), &["init", "--yes", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("keeps `testdata/server.key` in the build context"),
        "{}",
        stderr(&out)
    );
    let ignore = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    let matcher = Matcher::new(&ignore);
    assert!(!matcher.excludes("testdata/server.key"), "{ignore}");
    assert!(matcher.excludes("other.key"), "{ignore}");
}

#[test]
fn a_yarnrc_yml_token_is_mounted_only_on_the_install_steps() {
    // A build script for the Berry fixture, so there is a build step to keep it off.
    let dir = copy_fixture("node-yarn-berry");
    let pkg = dir.path().join("package.json");
    let text = std::fs::read_to_string(&pkg).unwrap().replace(
        "\"test\": \"node --test\"",
        "\"build\": \"node -e 0\",\n    \"test\": \"node --test\"",
    );
    std::fs::write(&pkg, text).unwrap();
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "nodeLinker: node-modules\nnpmAuthToken: canary-berry\n",
    )
    .unwrap();
    let out = init(dir.path(), "node-yarn-berry");
    assert!(out.status.success(), "{}", stderr(&out));
    let dockerfile = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    // Each RUN instruction with the lines it continues on.
    let runs: Vec<String> = dockerfile
        .split("\nRUN ")
        .skip(1)
        .map(|r| r.split("\n\n").next().unwrap_or(r).to_string())
        .collect();
    let mounted: Vec<&String> = runs
        .iter()
        .filter(|r| r.contains("id=yarnrc_yml"))
        .collect();
    assert_eq!(mounted.len(), 2, "{dockerfile}");
    assert!(
        mounted
            .iter()
            .all(|r| r.contains("yarn install") || r.contains("yarn workspaces")),
        "{dockerfile}"
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("yarn run build") && !r.contains("id=yarnrc_yml")),
        "{dockerfile}"
    );
}
