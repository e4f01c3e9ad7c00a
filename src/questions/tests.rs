//! The interview, driven by scripted answers.

use super::*;
use crate::scan::Project;
use crate::wizard::{Defaults, Scripted};

const PACKAGE: &str = r#"{"name":"x","scripts":{"start":"node server.js","test":"node --test","dev":"node --watch server.js"}}"#;

/// Writes `text` to `name` in the test project.
fn put(dir: &tempfile::TempDir, name: &str, text: &str) {
    std::fs::write(dir.path().join(name), text).unwrap();
}

fn project(package: &str) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    put(&dir, "package.json", package);
    put(&dir, "package-lock.json", "{\"lockfileVersion\":3}");
    put(
        &dir,
        "server.js",
        "require('http').createServer().listen(3000)\n",
    );
    let project = Project::scan(dir.path()).unwrap();
    (dir, project)
}

fn run(p: &mut dyn Prompter, project: &Project, flags: &Layer) -> Result<Layer> {
    let presets = Presets::embedded().unwrap();
    let config = Layer::default();
    let inputs = Inputs {
        project,
        presets: &presets,
        config: &config,
        flags,
        from_env: &[],
    };
    interview(p, &inputs).map(|d| d.answers)
}

#[test]
fn accepting_every_default_answers_nothing() {
    let (_dir, project) = project(PACKAGE);
    let mut script = Scripted::default();
    assert_eq!(
        run(&mut script, &project, &Layer::default()).unwrap(),
        Layer::default()
    );
    for key in [
        "version",
        "package-manager",
        "port",
        "build-command",
        "start-command",
        "test-command",
        "dev-command",
        "runtime",
        "build-args",
        "secrets",
        "health-path",
    ] {
        assert!(
            script.asked.iter().any(|k| k == key),
            "`{key}` was not asked: {:?}",
            script.asked
        );
    }
}

#[test]
fn answers_that_differ_from_the_default_become_the_answer_layer() {
    let (_dir, project) = project(PACKAGE);
    let mut script = Scripted::new([
        ("port", "9999"),
        ("runtime", "distroless"),
        ("build-args", "FOO, BAR FOO"),
        ("build-command", "none"),
        ("version", "22"),
    ]);
    let answers = run(&mut script, &project, &Layer::default()).unwrap();
    assert_eq!(answers.port, Some(9999));
    assert_eq!(answers.runtime.as_deref(), Some("distroless"));
    assert_eq!(answers.build_args, Some(vec!["BAR".into(), "FOO".into()]));
    assert_eq!(answers.version.as_deref(), Some("22"));
    assert_eq!(
        answers.build_command, None,
        "`none` is what detection found already"
    );
}

#[test]
fn a_value_given_by_a_flag_is_never_asked() {
    let (_dir, project) = project(PACKAGE);
    let mut script = Scripted::default();
    let flags = Layer {
        port: Some(8080),
        runtime: Some("alpine".into()),
        ..Default::default()
    };
    run(&mut script, &project, &flags).unwrap();
    assert!(
        !script.asked.iter().any(|k| k == "port" || k == "runtime"),
        "{:?}",
        script.asked
    );
}

#[test]
fn a_flag_is_checked_by_the_same_function_as_an_answer() {
    let (_dir, project) = project(PACKAGE);
    let flags = Layer {
        health_path: Some("no-slash".into()),
        ..Default::default()
    };
    let flag_error = run(&mut Defaults, &project, &flags)
        .unwrap_err()
        .to_string();
    let mut script = Scripted::new([("health-path", "no-slash")]);
    let answer_error = run(&mut script, &project, &Layer::default())
        .unwrap_err()
        .to_string();
    assert_eq!(flag_error, answer_error);
    let flags = Layer {
        runtime: Some("scratch".into()),
        ..Default::default()
    };
    let err = run(&mut Defaults, &project, &flags)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`--runtime`") && err.contains("alpine, distroless, slim"),
        "{err}"
    );
}

#[test]
fn a_typed_answer_that_fails_its_check_is_an_error_not_a_value() {
    let (_dir, project) = project(PACKAGE);
    for (key, bad) in [
        ("port", "http"),
        ("version", "latest"),
        ("start-command", "node \"unclosed"),
        ("secrets", "a-b"),
        ("test-command", "x\nRUN id"),
    ] {
        let mut script = Scripted::new([(key, bad)]);
        assert!(
            run(&mut script, &project, &Layer::default()).is_err(),
            "{key} = {bad:?} accepted"
        );
    }
}

#[test]
fn without_a_start_command_and_a_terminal_the_error_names_the_flag() {
    let (_dir, project) = project(r#"{"name":"x"}"#);
    std::fs::remove_file(project.root().join("server.js")).unwrap();
    let project = Project::scan(project.root()).unwrap();
    let err = run(&mut Defaults, &project, &Layer::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`--start-command`"), "{err}");
}

#[test]
fn choosing_another_package_manager_re_detects_its_commands() {
    let (_dir, project) = project(PACKAGE);
    let mut script = Scripted::new([("package-manager", "pnpm")]);
    let presets = Presets::embedded().unwrap();
    let none = Layer::default();
    let inputs = Inputs {
        project: &project,
        presets: &presets,
        config: &none,
        flags: &none,
        from_env: &[],
    };
    let decided = interview(&mut script, &inputs).unwrap();
    assert_eq!(decided.answers.package_manager.as_deref(), Some("pnpm"));
    assert_eq!(
        decided.detection.layer.test_command.as_deref(),
        Some("pnpm run test")
    );
    assert_eq!(
        baseline(&inputs, &decided).package_manager.as_deref(),
        Some("npm")
    );
}

#[test]
fn no_health_path_is_asked_when_no_http_is_served() {
    let (_dir, project) = project(PACKAGE);
    let mut script = Scripted::new([("port", "0")]);
    run(&mut script, &project, &Layer::default()).unwrap();
    assert!(
        !script.asked.iter().any(|k| k == "health-path"),
        "{:?}",
        script.asked
    );
}

#[test]
fn two_services_are_asked_with_no_default() {
    let (dir, project) =
        project(r#"{"dependencies":{"express":"5"},"scripts":{"start":"node server.js"}}"#);
    put(&dir, "go.mod", "module example.com/x\n\ngo 1.26\n");
    put(
        &dir,
        "main.go",
        "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
    );
    let err = run(&mut Defaults, &project, &Layer::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--stack") && err.contains("go") && err.contains("express"),
        "{err}"
    );
    let mut script = Scripted::new([("stack", "go")]);
    let answers = run(&mut script, &project, &Layer::default()).unwrap();
    assert_eq!(answers.stack.as_deref(), Some("go"));
}

#[test]
fn the_server_is_the_default_over_asset_tooling() {
    let (dir, project) = project(r#"{"scripts":{"build":"vite build"}}"#);
    std::fs::remove_file(dir.path().join("server.js")).unwrap();
    put(&dir, "go.mod", "module example.com/x\n\ngo 1.26\n");
    put(
        &dir,
        "main.go",
        "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
    );
    let presets = Presets::embedded().unwrap();
    let config = Layer::default();
    let flags = Layer::default();
    let inputs = Inputs {
        project: &project,
        presets: &presets,
        config: &config,
        flags: &flags,
        from_env: &[],
    };
    let decided = interview(&mut Defaults, &inputs).unwrap();
    assert_eq!(decided.detection.stack, "go");
}
