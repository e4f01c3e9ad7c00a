//! What the final image copies when the source is the app (no build step): the app
//! directory's top-level entries by name, without its tests, docs, lockfiles, tool
//! configs and dotfiles, and never a path the credential deny list names. Exclusion by
//! name keeps every file the server may read at run time (`views/`, `config.json`, a
//! data file) while what only development needs stays out of the image.
//!
//! Fact `runtime_paths` (`{files, dirs}` or null): the top-level files copied in one
//! `COPY` and the directories copied one by one; null copies the tree (less
//! `.dockerignore`), with the reason in `detect`.

use serde_json::json;

use crate::denylist;
use crate::detect::Detection;
use crate::layer::Layer;
use crate::scan::Project;

/// Directories that only development, tests or documentation use.
const DEV_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "spec",
    "e2e",
    "cypress",
    "playwright",
    "coverage",
    "docs",
    "doc",
    "benchmarks",
    "bench",
    "stories",
    "node_modules",
];

/// Top-level files that no production process reads, by exact name.
const DEV_FILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "pnpm-workspace.yaml",
    "bun.lock",
    "bun.lockb",
    "Makefile",
    "Procfile",
    "Jenkinsfile",
    "Gruntfile.js",
    "gulpfile.js",
    "Gulpfile.js",
    "nodemon.json",
    "renovate.json",
    "biome.json",
    "biome.jsonc",
    "turbo.json",
    "lerna.json",
    "nx.json",
    "tslint.json",
    "typedoc.json",
    "cypress.json",
    "vercel.json",
    "now.json",
    "netlify.toml",
    "fly.toml",
    "render.yaml",
    "railway.json",
    "railway.toml",
    "nixpacks.toml",
    "dockform.toml",
];

/// Development tools whose config is `<tool>.config.<ext>` (`jest.config.js`).
const DEV_TOOLS: &[&str] = &[
    "jest",
    "vitest",
    "babel",
    "webpack",
    "rollup",
    "vite",
    "eslint",
    "prettier",
    "stylelint",
    "commitlint",
    "postcss",
    "tailwind",
    "karma",
    "playwright",
    "cypress",
    "nodemon",
    "lint-staged",
    "release",
    "tsup",
    "knip",
    "typedoc",
    "ava",
    "mocha",
    "wdio",
];

/// File names that are documentation, whatever their extension.
const DOC_STEMS: &[&str] = &[
    "LICENSE",
    "LICENCE",
    "NOTICE",
    "CHANGELOG",
    "CHANGES",
    "HISTORY",
    "AUTHORS",
    "CONTRIBUTING",
    "CODE_OF_CONDUCT",
    "SECURITY",
];

/// Sets `runtime_paths` for an app whose source is what runs.
pub fn detect(project: &Project, hints: &Layer, d: &mut Detection) {
    let (value, why) = match paths(project, hints, d) {
        Ok((files, dirs)) => {
            let shown: Vec<String> = files
                .iter()
                .chain(&dirs)
                .map(|p| format!("`{p}`"))
                .collect();
            let why = format!(
                "the source is the app: the final stage copies {} (tests, docs, lockfiles, tool configs and dotfiles stay out)",
                shown.join(", ")
            );
            (json!({ "files": files, "dirs": dirs }), why)
        }
        Err(why) => (serde_json::Value::Null, why),
    };
    d.fact("runtime_paths", value, None, why);
}

/// The files and directories to copy, or why the tree is copied instead.
fn paths(
    project: &Project,
    hints: &Layer,
    d: &Detection,
) -> Result<(Vec<String>, Vec<String>), String> {
    if d.layer.build_command.is_some() || hints.build_command.is_some() {
        return Err(
            "a build step runs, and its output is not a known directory: the final stage copies the built tree (less `.dockerignore`)".into(),
        );
    }
    if project.walk_cut_short() {
        return Err(crate::detect::WALK_CUT.into());
    }
    let start = hints
        .start_command
        .as_deref()
        .or(d.layer.start_command.as_deref());
    let program = start
        .and_then(|c| shell_words::split(c).ok())
        .and_then(|w| w.into_iter().next());
    if let Some(pm) = program.filter(|p| p == "yarn" || p == "pnpm") {
        return Err(format!(
            "the start command runs `{pm}`, which reads its own configuration (`.yarnrc.yml`, `.yarn/`, workspace files): the final stage copies the project tree (less `.dockerignore`)"
        ));
    }
    let deny = denylist::matcher().map_err(|e| e.to_string())?;
    // What the start command names by path is copied even from a directory that
    // usually holds only tooling (`node scripts/serve.js`).
    let named: Vec<String> = start
        .into_iter()
        .flat_map(|c| shell_words::split(c).unwrap_or_default())
        .filter_map(|w| {
            let rel = w.strip_prefix("./").unwrap_or(&w);
            let top = rel.split('/').next().unwrap_or(rel);
            (!top.is_empty() && top != ".." && (project.is_file(top) || project.is_dir(top)))
                .then(|| top.to_string())
        })
        .collect();
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    for file in project.files() {
        // A file the deny list keeps out of the context is not there to copy, and a
        // directory holding nothing else is not either.
        if deny.excludes(file) {
            continue;
        }
        let (name, is_dir) = match file.split_once('/') {
            Some((n, _)) => (n, true),
            None => (file, false),
        };
        let list = if is_dir { &mut dirs } else { &mut files };
        if list.last().is_some_and(|l: &String| l == name) {
            continue;
        }
        let dev = name.starts_with('.')
            || if is_dir {
                DEV_DIRS.contains(&name)
            } else {
                dev_file(name)
            };
        let keep = named.iter().any(|n| n == name) || name == "package.json" || !dev;
        if keep {
            if !crate::validate::copyable_name(name) {
                return Err(format!(
                    "`{}` is not a name a `COPY` line takes as is: the final stage copies the project tree (less `.dockerignore`)",
                    crate::validate::shown(name)
                ));
            }
            list.push(name.to_string());
        }
    }
    files.dedup();
    dirs.dedup();
    Ok((files, dirs))
}

/// A top-level file that only development, CI or documentation uses.
fn dev_file(name: &str) -> bool {
    if DEV_FILES.contains(&name) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let stem = name.split('.').next().unwrap_or(name);
    let is_test = [".test.", ".spec."].iter().any(|t| lower.contains(t));
    let tool_config = name
        .split_once(".config.")
        .is_some_and(|(tool, _)| DEV_TOOLS.contains(&tool));
    let docs = [".md", ".markdown", ".rst"]
        .iter()
        .any(|e| lower.ends_with(e))
        || DOC_STEMS.contains(&stem.to_ascii_uppercase().as_str());
    let containers = lower.starts_with("dockerfile")
        || lower.ends_with(".dockerfile")
        || ((lower.starts_with("docker-compose") || lower.starts_with("compose"))
            && (lower.ends_with(".yml") || lower.ends_with(".yaml")));
    is_test || tool_config || docs || containers
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::detect::node::detect;
    use crate::detect::node::tests::{project, run};
    use crate::layer::Layer;
    use crate::preset::Presets;

    const PKG: &str = r#"{"scripts": {"start": "node ./bin/www", "test": "node --test"}}"#;

    fn paths(files: &[(&str, &str)]) -> Value {
        run(files).extra["runtime_paths"].value.clone()
    }

    #[test]
    fn the_app_is_copied_by_name_without_tests_docs_tooling_or_credentials() {
        let got = paths(&[
            ("package.json", PKG),
            ("package-lock.json", "{}"),
            ("bin/www", "require('../app')"),
            ("app.js", "module.exports = () => {}"),
            ("routes/index.js", ""),
            ("views/index.html", ""),
            ("config/settings.json", "{}"),
            ("config/server.key", "canary"),
            ("certs/tls.pem", "canary"),
            ("server.key", "canary"),
            ("test/app.test.js", ""),
            ("__tests__/x.js", ""),
            ("docs/guide.md", ""),
            ("README.md", ""),
            ("LICENSE", ""),
            ("CHANGELOG.md", ""),
            ("jest.config.js", ""),
            ("eslint.config.mjs", ""),
            ("app.test.js", ""),
            ("Dockerfile.dev", ""),
            ("docker-compose.yml", ""),
            (".eslintrc.json", "{}"),
            (".github/workflows/ci.yml", ""),
        ]);
        assert_eq!(
            got,
            json!({
                "files": ["app.js", "package.json"],
                "dirs": ["bin", "config", "routes", "views"],
            })
        );
    }

    #[test]
    fn what_the_start_command_names_is_copied_even_from_a_test_directory() {
        let (_dir, p) = project(&[
            ("package.json", PKG),
            ("app.js", ""),
            ("bin/www", ""),
            ("test/fake-server.js", ""),
        ]);
        let hints = Layer {
            start_command: Some("node test/fake-server.js".into()),
            ..Layer::default()
        };
        let d = detect(&p, &Presets::for_tests(), &hints).unwrap().unwrap();
        let dirs = &d.extra["runtime_paths"].value["dirs"];
        assert_eq!(dirs, &json!(["bin", "test"]));
    }

    #[test]
    fn a_walk_cut_short_copies_the_tree_since_the_list_could_miss_a_directory() {
        let deep = "lib/a/b/c/d/e/f/g/h/i/j/deep.js";
        let f = &run(&[("package.json", PKG), ("app.js", ""), (deep, "")]).extra["runtime_paths"];
        assert!(f.value.is_null(), "{:?}", f.value);
        assert!(
            f.evidence.reason.contains("larger than dockform walks"),
            "{}",
            f.evidence.reason
        );
    }

    #[test]
    fn a_build_step_or_a_name_copy_cannot_take_copies_the_tree_and_says_why() {
        let built = run(&[
            (
                "package.json",
                r#"{"scripts": {"build": "gulp", "start": "node server.js"}}"#,
            ),
            ("server.js", ""),
        ]);
        let f = &built.extra["runtime_paths"];
        assert!(f.value.is_null());
        assert!(
            f.evidence.reason.contains("build step"),
            "{}",
            f.evidence.reason
        );
        let spaced = run(&[
            (
                "package.json",
                r#"{"scripts": {"start": "node server.js"}}"#,
            ),
            ("server.js", ""),
            ("my data.json", "{}"),
        ]);
        let f = &spaced.extra["runtime_paths"];
        assert!(f.value.is_null());
        assert!(
            f.evidence.reason.contains("my data.json"),
            "{}",
            f.evidence.reason
        );
        let (_dir, p) = project(&[("package.json", PKG), ("app.js", ""), (".yarnrc.yml", "")]);
        let hints = Layer {
            start_command: Some("yarn start".into()),
            ..Layer::default()
        };
        let d = detect(&p, &Presets::for_tests(), &hints).unwrap().unwrap();
        let f = &d.extra["runtime_paths"];
        assert!(f.value.is_null());
        assert!(
            f.evidence.reason.contains("runs `yarn`"),
            "{}",
            f.evidence.reason
        );
    }
}
