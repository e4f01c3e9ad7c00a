//! What the `package.json` scripts mean for the stages: build, test and dev commands,
//! the project's own install hooks, whether the tests need the build, and which test
//! globs must match at least one file.
//!
//! Facts (`Settings.extra`): `lifecycle_hooks` (list of the root package's install
//! hooks, dropped from the production install), `test_after_build` (bool: the test
//! stage starts from `build`), `test_guard` (null or `{command, globs}`: after
//! `command`, each glob must match a file).

use serde_json::{Value, json};

use super::Package;
use super::entry::last_step;
use super::pm;
use crate::detect::Detection;
use crate::error::Result;

/// The root package's scripts a package manager runs during `install`.
const HOOKS: &[&str] = &["preinstall", "install", "postinstall", "prepare"];

/// Build output directories a test script may read when tsconfig names none.
const BUILT_DIRS: &[&str] = &["dist", "build", "out"];

/// Node flags that take the next word as their value (`--import tsx`).
const VALUE_FLAGS: &[&str] = &[
    "--import",
    "--require",
    "-r",
    "--loader",
    "--experimental-loader",
    "--env-file",
    "--test-reporter",
    "--test-reporter-destination",
    "--test-name-pattern",
    "--test-skip-pattern",
    "--test-concurrency",
    "--test-timeout",
    "--test-shard",
];

/// Build, test and dev commands from `scripts`, run through the package manager.
pub fn commands(pkg: &Package, d: &mut Detection) -> Result<()> {
    let run = pm::run_prefix(d.layer.package_manager.as_deref().unwrap_or("npm"));
    if pkg.script("build").is_some() {
        d.layer.build_command = Some(format!("{run} build"));
        d.why("build-command", Some("package.json"), "`scripts.build`");
    }
    match pkg.script("test") {
        Some(t) if !t.contains("no test specified") => {
            d.layer.test_command = Some(format!("{run} test"));
            d.why("test-command", Some("package.json"), "`scripts.test`");
        }
        Some(_) => d.warn("`scripts.test` is npm's placeholder; the `test` stage will fail until a test command is set (`--test-command`)"),
        None => d.warn("no `scripts.test` in `package.json`; the `test` stage will fail until a test command is set (`--test-command`)"),
    }
    if pkg.script("dev").is_some() {
        let extra = if pkg.depends_on("next") {
            " --hostname 0.0.0.0"
        } else {
            ""
        };
        let sep = if run == "npm run" && !extra.is_empty() {
            " --"
        } else {
            ""
        };
        d.layer.dev_command = Some(format!("{run} dev{sep}{extra}"));
        d.why("dev-command", Some("package.json"), "`scripts.dev`");
    }
    hooks(pkg, d);
    Ok(())
}

/// The root package's install hooks (`postinstall: prisma generate`, `prepare: husky`)
/// run in `deps`, where every tool is installed. The production install drops each one
/// that runs anything besides production dependencies' binaries (`patch-package` in
/// `dependencies` stays): a development tool is missing there (exit 127), and a project
/// file it runs is not copied into that stage.
fn hooks(pkg: &Package, d: &mut Detection) {
    let mut dropped = Vec::new();
    let mut kept = Vec::new();
    for hook in HOOKS {
        let Some(script) = pkg.script(hook) else {
            continue;
        };
        let words = shell_words::split(script).unwrap_or_default();
        let runs_prod_tools_only = !words.is_empty()
            && words
                .split(|w| ["&&", "||", ";", "|"].contains(&w.as_str()))
                .all(|step| {
                    strip(step).first().is_some_and(|c| {
                        pkg.depends_in("dependencies", c)
                            || pkg.depends_in("optionalDependencies", c)
                    })
                });
        if runs_prod_tools_only {
            kept.push(*hook);
        } else {
            dropped.push(*hook);
        }
    }
    let list = |hooks: &[&str]| {
        hooks
            .iter()
            .map(|h| format!("`scripts.{h}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut why = if dropped.is_empty() {
        "no install hook needs development tools".to_string()
    } else {
        format!(
            "{} run in `deps` with every dependency; the production install leaves them out (they run more than production dependencies' binaries)",
            list(&dropped)
        )
    };
    if !kept.is_empty() {
        why.push_str(&format!(
            "; {} only run production dependencies, so the production install keeps them",
            list(&kept)
        ));
    }
    d.fact("lifecycle_hooks", dropped, Some("package.json"), why);
}

/// `dev` without a `dev` script: the framework's dev server, or the start command under
/// a watcher (`node --watch`, `bun --watch`, `tsx watch` on the TypeScript source);
/// never a build output nothing has built.
pub fn dev(project: &crate::scan::Project, pkg: &Package, d: &mut Detection) {
    if d.layer.dev_command.is_some() {
        return;
    }
    if d.stack == "nextjs" {
        d.layer.dev_command = Some("npx next dev --hostname 0.0.0.0".into());
        d.why(
            "dev-command",
            Some("package.json"),
            "no `scripts.dev`: Next.js's own dev server",
        );
        return;
    }
    let Some(start) = d.layer.start_command.clone() else {
        return;
    };
    let words = shell_words::split(&start).unwrap_or_default();
    let Some((runner, args)) = words.split_first() else {
        return;
    };
    let out = d
        .extra
        .get("build_output")
        .and_then(|f| f.value.as_str())
        .map(String::from);
    let entry = args
        .iter()
        .find(|w| !w.starts_with('-'))
        .cloned()
        .unwrap_or_default();
    let top = entry
        .trim_start_matches("./")
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    let built = d.layer.build_command.is_some()
        && (out.as_deref() == Some(top.as_str()) || BUILT_DIRS.contains(&top.as_str()))
        && !project.is_file(entry.trim_start_matches("./"));
    let source = super::port::start_path(project, d)
        .into_iter()
        .next()
        .filter(|f| f.ends_with(".ts") || f.ends_with(".mts"));
    let (cmd, why) = match (runner.as_str(), built) {
        ("node", true) => match source {
            Some(src) if pkg.depends_on("tsx") => (
                format!("npx tsx watch {}", shell_words::quote(&src)),
                format!(
                    "no `scripts.dev`: `tsx watch` runs `{src}`, the source of `{entry}`, and restarts on change"
                ),
            ),
            _ => {
                let run = pm::run_prefix(d.layer.package_manager.as_deref().unwrap_or("npm"));
                d.warn(format!(
                    "no `scripts.dev`: the `dev` target builds once, then runs `{}` under `node --watch` (it restarts when the build output changes); add a `dev` script (e.g. `tsx watch src/index.ts`) for reload on source edits",
                    crate::validate::shown(&entry)
                ));
                let inner = format!(
                    "{run} build && exec node --watch {}",
                    shell_words::join(args)
                );
                (
                    shell_words::join(["sh", "-c", inner.as_str()]),
                    format!("no `scripts.dev`: `{entry}` is build output, so the build runs first"),
                )
            }
        },
        ("node" | "bun", false) => (
            format!("{runner} --watch {}", shell_words::join(args)),
            format!("no `scripts.dev`: the start command under `{runner} --watch`"),
        ),
        ("tsx", _) => (
            format!("tsx watch {}", shell_words::join(args)),
            "no `scripts.dev`: the start command under `tsx watch`".to_string(),
        ),
        _ => return,
    };
    d.layer.dev_command = Some(cmd);
    d.why("dev-command", Some("package.json"), why);
}

/// The steps of the test script and of the scripts it runs (`npm run x`, `yarn x`,
/// `pnpm x`), as words, a few levels deep; and whether it runs `scripts.build`.
fn test_words(pkg: &Package) -> (Vec<Vec<String>>, bool) {
    let mut out = Vec::new();
    let mut builds = false;
    let mut queue = vec![("test".to_string(), 0)];
    while let Some((name, depth)) = queue.pop() {
        let Some(script) = pkg.script(&name) else {
            continue;
        };
        let words = shell_words::split(script).unwrap_or_default();
        for step in words.split(|w| ["&&", "||", ";", "|"].contains(&w.as_str())) {
            let target = match step {
                [pm, run, x, ..] if is_pm(pm) && (run == "run" || run == "run-script") => {
                    Some(x.clone())
                }
                [pm, x, ..] if is_pm(pm) && pkg.script(x).is_some() => Some(x.clone()),
                _ => None,
            };
            match target {
                Some(t) if depth < 3 && t != name => {
                    builds |= t == "build";
                    queue.push((t, depth + 1))
                }
                _ => out.push(step.to_vec()),
            }
        }
    }
    (out, builds)
}

fn is_pm(word: &str) -> bool {
    ["npm", "yarn", "pnpm", "bun"].contains(&word)
}

/// Whether the test stage needs the build, and which `node --test` globs it must find
/// files for. Runs after the build output is known.
pub fn tests(project: &crate::scan::Project, pkg: &Package, d: &mut Detection) {
    let (steps, builds_itself) = test_words(pkg);
    let out = d
        .extra
        .get("build_output")
        .and_then(|f| f.value.as_str())
        .map(String::from);
    let reads_build = steps.iter().flatten().find(|w| {
        let top = w.trim_start_matches("./").split('/').next().unwrap_or("");
        w.contains('/')
            && (out.as_deref() == Some(top) || (BUILT_DIRS.contains(&top) && !project.is_dir(top)))
    });
    let after = d.layer.build_command.is_some() && !builds_itself && reads_build.is_some();
    let why = match (after, reads_build) {
        (true, Some(w)) => format!(
            "`scripts.test` reads `{}`, which the build writes: the tests run after it",
            crate::validate::shown(w)
        ),
        _ => "the tests read no build output".to_string(),
    };
    d.fact("test_after_build", after, Some("package.json"), why);
    guard(d, &steps);
}

/// `node --test 'dist/**/*.test.js'` passes with zero tests when the glob matches
/// nothing: the test stage checks afterwards that each glob found a file.
fn guard(d: &mut Detection, steps: &[Vec<String>]) {
    let mut globs = Vec::new();
    for step in steps {
        let step = strip(step);
        if step.first().map(String::as_str) != Some("node") || !step.iter().any(|w| w == "--test") {
            continue;
        }
        let mut skip = false;
        for w in &step[1..] {
            if skip {
                skip = false;
                continue;
            }
            if w.starts_with('-') {
                skip = VALUE_FLAGS.contains(&w.as_str());
                continue;
            }
            let plain = w
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/*{},@+".contains(c));
            if w.contains('*') && plain && !w.starts_with('/') && !w.contains("..") {
                globs.push(w.clone());
            } else if w.contains('*') {
                d.warn(format!(
                    "`scripts.test` passes `node --test` the pattern `{}`, which dockform cannot quote safely; the test stage does not check that it matched a file",
                    crate::validate::shown(w)
                ));
            }
        }
    }
    let (value, why) = match (&d.layer.test_command, globs.is_empty()) {
        (Some(cmd), false) => (
            json!({ "command": cmd, "globs": globs }),
            format!(
                "`node --test` passes with zero tests when {} matches nothing: the test stage checks each matched a file",
                globs
                    .iter()
                    .map(|g| format!("`{g}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        _ => (Value::Null, "no `node --test` glob".to_string()),
    };
    d.fact("test_guard", value, Some("package.json"), why);
}

/// A step without its `VAR=x` / `cross-env` prefixes.
fn strip(step: &[String]) -> Vec<String> {
    last_step(&shell_words::join(step))
        .map(|(w, _)| w)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;
    use super::*;

    fn fact(d: &Detection, key: &str) -> Value {
        d.extra[key].value.clone()
    }

    #[test]
    fn install_hooks_are_listed_for_the_production_install_to_drop() {
        let d = run(&[(
            "package.json",
            r#"{"scripts":{"postinstall":"prisma generate","prepare":"husky","start":"node a.js"}}"#,
        )]);
        assert_eq!(
            fact(&d, "lifecycle_hooks"),
            json!(["postinstall", "prepare"])
        );
        let d = run(&[("package.json", r#"{"scripts":{"start":"node a.js"}}"#)]);
        assert_eq!(fact(&d, "lifecycle_hooks"), json!([]));
        // A hook that runs only production dependencies (patches applied to them) stays.
        let d = run(&[(
            "package.json",
            r#"{"dependencies":{"patch-package":"8"},"devDependencies":{"is-ci":"3","husky":"9"},"scripts":{"postinstall":"patch-package","prepare":"is-ci || husky"}}"#,
        )]);
        assert_eq!(fact(&d, "lifecycle_hooks"), json!(["prepare"]));
    }

    #[test]
    fn tests_over_the_build_output_run_after_the_build() {
        let d = run(&[
            (
                "package.json",
                r#"{"scripts":{"build":"tsc","test":"npm run unit","unit":"node --test 'dist/**/*.test.js'"}}"#,
            ),
            ("tsconfig.json", r#"{"compilerOptions":{"outDir":"dist"}}"#),
            ("src/index.ts", ""),
        ]);
        assert_eq!(fact(&d, "test_after_build"), true);
        assert_eq!(
            fact(&d, "test_guard"),
            json!({"command": "npm run test", "globs": ["dist/**/*.test.js"]})
        );
        // A test script that compiles its own output needs no earlier build.
        let d = run(&[
            (
                "package.json",
                r#"{"scripts":{"build":"tsc","test":"tsc -p tsconfig.test.json && node --import tsx --test 'build-test/*.test.js'"}}"#,
            ),
            ("tsconfig.json", r#"{"compilerOptions":{"outDir":"dist"}}"#),
        ]);
        assert_eq!(fact(&d, "test_after_build"), false);
        assert_eq!(
            fact(&d, "test_guard")["globs"],
            json!(["build-test/*.test.js"])
        );
        let d = run(&[(
            "package.json",
            r#"{"scripts":{"build":"tsc","test":"npm run build && node --test dist/"}}"#,
        )]);
        assert_eq!(fact(&d, "test_after_build"), false);
        assert_eq!(fact(&d, "test_guard"), Value::Null);
    }

    #[test]
    fn dev_without_a_dev_script_watches_the_source_never_an_unbuilt_output() {
        let d = run(&[
            ("package.json", r#"{"scripts":{"start":"node server.js"}}"#),
            ("server.js", ""),
        ]);
        assert_eq!(
            d.layer.dev_command.as_deref(),
            Some("node --watch server.js")
        );
        let d = run(&[
            (
                "package.json",
                r#"{"devDependencies":{"tsx":"4"},"scripts":{"build":"tsc","start":"node dist/index.js"}}"#,
            ),
            ("tsconfig.json", r#"{"compilerOptions":{"outDir":"dist"}}"#),
            ("src/index.ts", ""),
        ]);
        assert_eq!(
            d.layer.dev_command.as_deref(),
            Some("npx tsx watch src/index.ts")
        );
        let d = run(&[
            (
                "package.json",
                r#"{"scripts":{"build":"tsc","start":"node dist/index.js"}}"#,
            ),
            ("tsconfig.json", r#"{"compilerOptions":{"outDir":"dist"}}"#),
            ("src/index.ts", ""),
        ]);
        assert_eq!(
            d.layer.dev_command.as_deref(),
            Some("sh -c 'npm run build && exec node --watch dist/index.js'")
        );
        let d = run(&[(
            "package.json",
            r#"{"dependencies":{"next":"15"},"scripts":{"build":"next build"}}"#,
        )]);
        assert_eq!(
            d.layer.dev_command.as_deref(),
            Some("npx next dev --hostname 0.0.0.0")
        );
    }

    #[test]
    fn a_test_glob_that_cannot_be_quoted_is_warned_about_not_guarded() {
        let d = run(&[(
            "package.json",
            r#"{"scripts":{"test":"node --test 'test/$(id)*.js'"}}"#,
        )]);
        assert_eq!(fact(&d, "test_guard"), Value::Null);
        assert!(d.warnings.iter().any(|w| w.contains("cannot quote")));
    }
}
