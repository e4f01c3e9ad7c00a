//! Which stack wins when several detectors recognise the project.
//!
//! A Python, Go or Rust service often carries a `package.json` for its front-end
//! tooling (Sass, Vite, a docs site). The stack that declares a server wins: a
//! `package.json` counts as a server only when it depends on a server framework or
//! its `scripts.start` runs something other than asset tools; a Go, Python or Rust
//! detection counts when it found a program to run (a start command, or a choice of
//! several). Two servers are a question for the person (`--stack`), never a guess;
//! no server at all keeps the detectors' order.
//!
//! Facts set on the winner when a `package.json` lost:
//! - `asset_build` (string or null): the command that builds its front-end assets
//!   (`npm run build`), which the generated image does not run yet.

use serde_json::Value;

use super::Detection;
use crate::error::{Error, Result};
use crate::scan::Project;

mod apps;
mod role;
pub use apps::package_role;
pub(crate) use apps::{ancestor_refusal, subdir_refusal, workspace_listing};
pub(crate) use role::{NodeRole, node_role, role_of};

/// One detector's outcome, with whether it found a server.
pub(crate) struct Candidate {
    /// The detector's first stack id (`node`, `go`, ...).
    pub id: &'static str,
    /// Its manifest, for messages.
    pub manifest: &'static str,
    /// What it returned.
    pub result: Result<Option<Detection>>,
    /// Why it is a server, when it is one.
    pub server: Option<String>,
    /// Why it is not, when the detector ran.
    pub not_server: Option<String>,
    /// The `package.json`'s role, for the Node detector.
    pub role: Option<NodeRole>,
}

/// The manifest a detector reads first, for messages.
pub(crate) fn manifest_of(id: &str, d: Option<&Detection>) -> &'static str {
    let source = d
        .and_then(|d| d.stack_evidence.as_ref())
        .and_then(|e| e.source.as_deref());
    match id {
        "node" => "package.json",
        "go" => "go.mod",
        "rust" => "Cargo.toml",
        _ => match source {
            Some("Pipfile") => "Pipfile",
            Some("requirements.txt") => "requirements.txt",
            Some("setup.py") => "setup.py",
            Some("setup.cfg") => "setup.cfg",
            _ => "pyproject.toml",
        },
    }
}

/// Classifies a detector's outcome.
pub(crate) fn candidate(
    project: &Project,
    id: &'static str,
    result: Result<Option<Detection>>,
) -> Option<Candidate> {
    if matches!(result, Ok(None)) {
        return None;
    }
    let manifest = manifest_of(id, result.as_ref().ok().and_then(Option::as_ref));
    let role = if id == "node" {
        node_role(project)
    } else {
        None
    };
    let (server, not_server) = if id == "node" {
        match &role {
            Some(r) if r.server => (Some(r.reason.clone()), None),
            Some(r) => (None, Some(r.reason.clone())),
            None => (None, Some("`package.json` does not parse".to_string())),
        }
    } else {
        match &result {
            Ok(Some(d)) => match (&d.layer.start_command, d.questions.first()) {
                (Some(start), _) => (Some(format!("it runs `{start}`")), None),
                (None, Some(q)) => (
                    Some(format!(
                        "it declares programs ({})",
                        q.candidates.join(", ")
                    )),
                    None,
                ),
                (None, None) => (
                    None,
                    Some(format!("`{manifest}` declares no program to run")),
                ),
            },
            Err(e) => (None, Some(format!("{e}"))),
            Ok(None) => (None, None),
        }
    };
    Some(Candidate {
        id,
        manifest,
        result,
        server,
        not_server,
        role,
    })
}

/// The stacks that recognised the project, servers first (then the detectors'
/// order), each with why; `true` when two or more declare a server.
pub(crate) fn ranked(candidates: Vec<Candidate>) -> (Vec<(String, String)>, bool) {
    let contested = candidates.iter().filter(|c| c.server.is_some()).count() >= 2;
    let mut found: Vec<(bool, String, String)> = Vec::new();
    for c in candidates {
        let server = c.server.is_some();
        let note = c.server.or(c.not_server).unwrap_or_default();
        if let Ok(Some(d)) = c.result {
            let why = d.stack_evidence.map(|e| e.reason).unwrap_or_default();
            if !found.iter().any(|(_, s, _)| *s == d.stack) {
                found.push((server, d.stack, format!("{why} ({note})")));
            }
        }
    }
    found.sort_by_key(|(server, _, _)| !server);
    let list = found.into_iter().map(|(_, s, why)| (s, why)).collect();
    (list, contested)
}

/// Picks the winner among the detectors that recognised the project (in the
/// detectors' order). `Ok(None)` when none did.
pub(crate) fn choose(candidates: Vec<Candidate>) -> Result<Option<Detection>> {
    let servers: Vec<&Candidate> = candidates.iter().filter(|c| c.server.is_some()).collect();
    if servers.len() >= 2 {
        let names: Vec<String> = servers
            .iter()
            .map(|c| {
                let why = c.server.as_deref().unwrap_or_default();
                format!("{} from `{}` ({why})", c.id, c.manifest)
            })
            .collect();
        let choices: Vec<String> = servers
            .iter()
            .map(|c| format!("`--stack {}`", c.id))
            .collect();
        return Err(Error::NeedsAnswer {
            question: "stack".to_string(),
            detail: format!(
                "the project holds more than one service: {}; choose the one to containerize with {}",
                names.join("; "),
                choices.join(" or ")
            ),
            flag: "--stack <STACK>".to_string(),
        });
    }
    let index = candidates
        .iter()
        .position(|c| c.server.is_some())
        .unwrap_or(0);
    let mut candidates = candidates;
    if candidates.is_empty() {
        return Ok(None);
    }
    let winner = candidates.remove(index);
    let losers = candidates;
    let mut d = match winner.result {
        Ok(Some(d)) => d,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e),
    };
    if losers.is_empty() {
        return Ok(Some(d));
    }
    if winner.server.is_none() {
        // Nothing declares a server: the detectors' order decides, and the user is told.
        let others: Vec<String> = losers.iter().map(|c| format!("`{}`", c.manifest)).collect();
        d.warn(format!(
            "several stacks match and none clearly declares a server: chose {} from `{}` over {} (pass `--stack` to choose)",
            d.stack,
            winner.manifest,
            others.join(", ")
        ));
        return Ok(Some(d));
    }
    let mut lost: Vec<String> = Vec::new();
    for c in &losers {
        let why = c.not_server.clone().unwrap_or_default();
        lost.push(format!("{} lost: {why}", c.id));
        if c.id == "node" {
            asset_build(c, &mut d);
        }
    }
    if let Some(ev) = d.stack_evidence.as_mut() {
        ev.reason = format!(
            "{}, and the server: {}; {}",
            ev.reason,
            winner.server.as_deref().unwrap_or_default(),
            lost.join("; ")
        );
    }
    Ok(Some(d))
}

/// Records the losing `package.json`'s asset build on the winner, and says that the
/// image does not run it.
fn asset_build(node: &Candidate, d: &mut Detection) {
    let detected = node.result.as_ref().ok().and_then(Option::as_ref);
    let script = node.role.as_ref().and_then(|r| r.build_script.clone());
    let command = match (detected, script) {
        (Some(n), Some(script)) => Some(n.layer.build_command.clone().unwrap_or_else(|| {
            let pm = n.layer.package_manager.as_deref().unwrap_or("npm");
            format!("{} {script}", super::node::run_prefix(pm))
        })),
        (None, Some(script)) => Some(format!("npm run {script}")),
        (_, None) => None,
    };
    match command {
        Some(cmd) => {
            d.fact(
                "asset_build",
                cmd.as_str(),
                Some("package.json"),
                "a `package.json` build script builds front-end assets",
            );
            d.warn(format!(
                "`package.json` builds front-end assets (`{cmd}`) that the image does not build; if the {} server serves or embeds them, build them before the image (an asset stage is not generated yet)",
                d.stack
            ));
        }
        None => d.fact(
            "asset_build",
            Value::Null,
            Some("package.json"),
            "`package.json` has no build script",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::role::*;
    use super::*;

    fn role(json: &str) -> NodeRole {
        let Value::Object(map) = serde_json::from_str(json).unwrap() else {
            panic!("not an object")
        };
        role_of(&map)
    }

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let p = Project::scan(dir.path()).unwrap();
        (dir, p)
    }

    fn detect(files: &[(&str, &str)]) -> Result<Detection> {
        let (_dir, p) = project(files);
        let presets = crate::preset::Presets::embedded().unwrap();
        super::super::detect(&p, &presets, None, &crate::layer::Layer::default())
    }

    const GO_MAIN: &str = "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n";

    #[test]
    fn a_go_server_beats_a_package_json_that_builds_assets() {
        let d = detect(&[
            ("go.mod", "module example.com/x\n\ngo 1.26\n"),
            ("main.go", GO_MAIN),
            (
                "package.json",
                r#"{"scripts":{"build":"vite build"},"devDependencies":{"vite":"7"}}"#,
            ),
        ])
        .unwrap();
        assert_eq!(d.stack, "go");
        let why = &d.stack_evidence.as_ref().unwrap().reason;
        assert!(
            why.contains("node lost") && why.contains("no `scripts.start`"),
            "{why}"
        );
        assert_eq!(d.extra["asset_build"].value, Value::from("npm run build"));
        assert!(d.warnings.iter().any(|w| w.contains("front-end assets")));
    }

    #[test]
    fn two_servers_are_a_question_naming_the_stack_flag() {
        let err = detect(&[
            ("go.mod", "module example.com/x\n\ngo 1.26\n"),
            ("main.go", GO_MAIN),
            (
                "package.json",
                r#"{"dependencies":{"fastify":"5"},"scripts":{"start":"node a.js"}}"#,
            ),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`--stack go`")
                && err.contains("`--stack node`")
                && err.contains("`fastify`"),
            "{err}"
        );
    }

    #[test]
    fn a_node_server_beats_a_python_manifest_without_a_program() {
        let d = detect(&[
            ("requirements.txt", "mkdocs==1.6.1\n"),
            (
                "package.json",
                r#"{"dependencies":{"express":"5"},"scripts":{"start":"node a.js"}}"#,
            ),
            ("a.js", "require('express')().listen(3000);\n"),
        ])
        .unwrap();
        assert_eq!(d.stack, "node");
        let why = &d.stack_evidence.as_ref().unwrap().reason;
        assert!(why.contains("python lost"), "{why}");
    }

    #[test]
    fn an_asset_workspace_root_loses_to_the_python_server() {
        // The root's own package.json builds a bundle; its one workspace package is a
        // library: the Python app is the service, not a monorepo to refuse.
        let d = detect(&[
            ("pnpm-workspace.yaml", "packages:\n  - lib\n"),
            (
                "package.json",
                r#"{"scripts":{"start":"webpack serve","build":"webpack"}}"#,
            ),
            ("lib/package.json", "{}"),
            ("requirements.txt", "flask==3.1.3\ngunicorn==23.0.0\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ])
        .unwrap();
        assert_eq!(d.stack, "python");
    }

    #[test]
    fn a_workspace_refusal_lists_servers_first_and_other_stacks_beside_them() {
        let err = detect(&[
            ("package.json", r#"{"workspaces":["apps/*"]}"#),
            (
                "apps/aaa-ui-kit/package.json",
                r#"{"scripts":{"build":"tsc"}}"#,
            ),
            (
                "apps/docs/package.json",
                r#"{"dependencies":{"next":"16"}}"#,
            ),
            (
                "apps/web/package.json",
                r#"{"dependencies":{"express":"5"}}"#,
            ),
            ("apps/worker/go.mod", "module example.com/w\n\ngo 1.26\n"),
            ("apps/worker/main.go", GO_MAIN),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("apps: apps/web, apps/worker, apps/docs, apps/aaa-ui-kit")
                && err.contains("`dockform init --app apps/web`"),
            "{err}"
        );
    }

    #[test]
    fn a_pnpm_workspace_matching_only_the_root_is_a_single_app() {
        for yaml in [
            "packages:\n  - '**'\nonlyBuiltDependencies:\n  - esbuild\n",
            "onlyBuiltDependencies:\n  - sharp\n",
            "packages: ['.']\n",
        ] {
            let d = detect(&[
                ("pnpm-workspace.yaml", yaml),
                ("package.json", r#"{"scripts":{"start":"node a.js"}}"#),
                ("a.js", "\n"),
            ]);
            assert_eq!(d.map(|d| d.stack).ok().as_deref(), Some("node"), "{yaml}");
        }
    }

    #[test]
    fn an_app_in_a_subdirectory_is_named_with_the_command() {
        let err = detect(&[
            (
                "docs/package.json",
                r#"{"scripts":{"build":"vitepress build"}}"#,
            ),
            ("backend/requirements.txt", "flask==3.1.3\n"),
            (
                "backend/app.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
            ("README.md", "hello\n"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("backend (requirements.txt), docs (package.json)")
                && err.contains("`dockform init backend`"),
            "{err}"
        );
        let err = detect(&[("README.md", "hello\n")]).unwrap_err().to_string();
        assert!(err.contains("no supported project found"), "{err}");
    }

    #[test]
    fn a_main_package_below_its_module_names_the_module_and_the_main() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join("go.mod"),
            "module example.com/x\n\ngo 1.26\n",
        )
        .unwrap();
        let main = dir.path().join("cmd/server");
        std::fs::create_dir_all(&main).unwrap();
        std::fs::write(main.join("main.go"), GO_MAIN).unwrap();
        let p = Project::scan(&main).unwrap();
        let presets = crate::preset::Presets::embedded().unwrap();
        let err = super::super::detect(&p, &presets, None, &crate::layer::Layer::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`go.mod` is in `../..`")
                && err.contains("`dockform init ../.. --main ./cmd/server`"),
            "{err}"
        );
    }

    #[test]
    fn lint_only_package_json_is_not_a_server() {
        let r = role(r#"{"devDependencies":{"eslint":"9"},"scripts":{"lint":"eslint ."}}"#);
        assert!(!r.server, "{r:?}");
        assert!(r.reason.contains("no `scripts.start`"), "{r:?}");
    }

    #[test]
    fn a_server_framework_makes_a_server() {
        let r = role(r#"{"dependencies":{"express":"4"}}"#);
        assert!(r.server);
        assert!(r.reason.contains("`express`"));
    }

    #[test]
    fn a_start_script_that_only_builds_css_is_not_a_server() {
        let r = role(
            r#"{"scripts":{"css":"sass in:out","watch":"npm run css -- --watch","start":"npm run css && npm run watch"}}"#,
        );
        assert!(!r.server, "{r:?}");
        assert!(r.reason.contains("`sass`"), "{r:?}");
    }

    #[test]
    fn a_dev_server_start_through_a_runner_is_not_a_server() {
        let r = role(
            r#"{"scripts":{"start":"npm-run-all --parallel lib dev","lib":"pnpm --filter lib watch","dev":"webpack-dev-server"}}"#,
        );
        assert!(!r.server, "{r:?}");
    }

    #[test]
    fn a_start_script_running_node_is_a_server() {
        for start in [
            "node server.js",
            "NODE_ENV=production node app.js",
            "npx tsx src/main.ts",
        ] {
            let r = role(&format!(r#"{{"scripts":{{"start":"{start}"}}}}"#));
            assert!(r.server, "{start}: {r:?}");
        }
    }

    #[test]
    fn an_unknown_start_program_counts_as_a_server() {
        // Never lose quietly to a guess: an unknown program leads to a question.
        let r = role(r#"{"scripts":{"start":"my-own-launcher --port 3000"}}"#);
        assert!(r.server, "{r:?}");
    }

    #[test]
    fn the_build_script_is_remembered() {
        let r = role(r#"{"scripts":{"build":"vite build"}}"#);
        assert_eq!(r.build_script.as_deref(), Some("build"));
        let r = role(r#"{"scripts":{"build-css":"sass a:b"}}"#);
        assert_eq!(r.build_script.as_deref(), Some("build-css"));
    }
}
