//! Issue 6, property tests: arbitrary bytes and arbitrary structured manifests through
//! every detector and parser, arbitrary user layers through resolve and render. An
//! error is one line; a success is a well-formed Dockerfile (parsed like BuildKit:
//! no heredoc, exec-form CMD, nothing copied from outside the context). Case counts
//! stay modest so `cargo test` stays fast; the fuzz targets (`fuzz/`) go further.

mod hostile_support;

use std::path::Path;

use dockform::layer::Layer;
use dockform::render::Rendered;
use hostile_support::{NODE_APP, parse, pipeline, write_files};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Pieces of hostile and ordinary values, combined by the strategies.
const FRAGMENTS: &[&str] = &[
    "\n",
    "\r",
    "\\",
    "\\\n",
    "\"",
    "'",
    "$(id)",
    "`id`",
    "${X}",
    "\u{2028}",
    "\u{85}",
    "\0",
    "\t",
    "--mount=type=bind,target=/x",
    "-",
    "..",
    "/",
    "<<EOF",
    "<<<",
    "#",
    " ",
    "[",
    "]",
    "{",
    "}",
    "node",
    "server.js",
    "src/index.js",
    "dist",
    "npm run build",
    "24",
    ">=20",
    "lts/*",
    "v22.1.0",
    "pnpm@9.1.0",
    "yarn@1.22.0",
    "bun@1.2.3",
    "standalone",
    "next",
    "sharp",
    "@prisma/client",
    "é",
    "=x",
    "||",
    "^",
    "~",
    "<=",
    "99999999999999999999",
];

/// A value: ordinary text, arbitrary Unicode, or a mix of fragments.
fn value() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(FRAGMENTS).prop_map(String::from);
    prop_oneof![
        "[a-z0-9./_@-]{0,12}",
        any::<String>(),
        fragment.clone(),
        prop::collection::vec(fragment, 1..5).prop_map(|v| v.concat()),
    ]
}

/// A package.json whose every field is present or not, of the right type or not.
fn package_json() -> impl Strategy<Value = Value> {
    let opt = || prop::option::of(value());
    (
        (opt(), opt(), opt(), opt(), opt()),
        (opt(), opt(), opt(), prop::collection::vec(value(), 0..3)),
        (
            any::<bool>(),
            any::<bool>(),
            prop::option::of(prop::collection::vec(value(), 0..3)),
        ),
    )
        .prop_map(
            |(
                (main, start, build, test, dev),
                (pm, node, volta, deps),
                (next, wrong, workspaces),
            )| {
                let mut o = Map::new();
                o.insert("name".into(), json!("app"));
                let put = |o: &mut Map<String, Value>, k: &str, v: Option<String>| {
                    if let Some(v) = v {
                        o.insert(k.into(), if wrong { json!([v]) } else { json!(v) });
                    }
                };
                put(&mut o, "main", main);
                put(&mut o, "packageManager", pm);
                let mut scripts = Map::new();
                put(&mut scripts, "start", start);
                put(&mut scripts, "build", build);
                put(&mut scripts, "test", test);
                put(&mut scripts, "dev", dev);
                o.insert("scripts".into(), Value::Object(scripts));
                if let Some(v) = node {
                    o.insert("engines".into(), json!({ "node": v }));
                }
                if let Some(v) = volta {
                    o.insert("volta".into(), json!({ "node": v }));
                }
                let mut dependencies: Map<String, Value> =
                    deps.into_iter().map(|d| (d, json!("1.0.0"))).collect();
                if next {
                    dependencies.insert("next".into(), json!("15.0.0"));
                }
                o.insert("dependencies".into(), Value::Object(dependencies));
                if let Some(w) = workspaces {
                    o.insert("workspaces".into(), json!(w));
                }
                Value::Object(o)
            },
        )
}

/// Manifests and the files parsed beside them, per stack. A new stack adds its own.
const MANIFESTS: &[&str] = &[
    "package.json",
    ".nvmrc",
    ".node-version",
    ".tool-versions",
    "tsconfig.json",
    "next.config.js",
    "pnpm-workspace.yaml",
    "yarn.lock",
    ".npmrc",
    "dockform.toml",
    "go.mod",
    "go.work",
    "pyproject.toml",
    "requirements.txt",
    ".python-version",
    "Pipfile",
    "uv.lock",
    "Cargo.toml",
    "rust-toolchain.toml",
    "Cargo.lock",
];

/// An error is one line; a success is a well-formed Dockerfile.
fn check(result: dockform::error::Result<Rendered>) -> Result<(), TestCaseError> {
    match result {
        Err(e) => {
            let msg = e.to_string();
            prop_assert!(!msg.contains(['\n', '\r']), "multi-line error: {msg:?}");
        }
        Ok(r) => {
            let df = &r.files[0].1;
            prop_assert!(
                !df.chars().any(|c| c.is_control() && c != '\n'),
                "control character:\n{df}"
            );
            let parsed = parse(df).map_err(|e| TestCaseError::fail(format!("{e}\n{df}")))?;
            for ins in &parsed {
                prop_assert!(
                    ins.heredocs.is_empty(),
                    "heredoc at line {}\n{df}",
                    ins.line
                );
                if ins.kind == "CMD" {
                    prop_assert!(
                        ins.exec.is_some(),
                        "shell-form CMD at line {}\n{df}",
                        ins.line
                    );
                }
                if ins.kind == "COPY" && !ins.flags.iter().any(|f| f.starts_with("--from")) {
                    let words: Vec<&str> = ins.args.split_whitespace().collect();
                    for src in &words[..words.len() - 1] {
                        prop_assert!(
                            !src.starts_with('/') && !src.contains(".."),
                            "COPY {src}\n{df}"
                        );
                    }
                }
            }
            prop_assert_eq!(
                parsed.iter().filter(|i| i.kind == "CMD").count(),
                2,
                "one CMD in dev, one in prod\n{}",
                df
            );
            prop_assert!(
                !r.files[1].1.chars().any(|c| c.is_control() && c != '\n'),
                ".dockerignore holds a control character"
            );
        }
    }
    Ok(())
}

fn generate(dir: &Path) -> dockform::error::Result<Rendered> {
    pipeline::generate(dir, &Layer::default())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_in_any_manifest_never_panic(which in 0..MANIFESTS.len(), bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), NODE_APP);
        std::fs::write(dir.path().join(MANIFESTS[which]), &bytes).unwrap();
        check(generate(dir.path()))?;
        // Alone, without the Node project around it.
        let alone = tempfile::tempdir().unwrap();
        std::fs::write(alone.path().join(MANIFESTS[which]), &bytes).unwrap();
        check(generate(alone.path()))?;
    }

    #[test]
    fn arbitrary_package_json_renders_well_formed_or_fails_in_one_line(
        pkg in package_json(), nvmrc in prop::option::of(value()), out_dir in prop::option::of(value()), standalone in value(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), NODE_APP);
        std::fs::write(dir.path().join("package.json"), pkg.to_string()).unwrap();
        if let Some(v) = nvmrc {
            std::fs::write(dir.path().join(".nvmrc"), v).unwrap();
        }
        if let Some(v) = out_dir {
            std::fs::write(dir.path().join("tsconfig.json"), format!("{{\"compilerOptions\":{{\"outDir\":\"{v}\"}}}}")).unwrap();
        }
        std::fs::write(dir.path().join("next.config.js"), format!("module.exports = {{ output: '{standalone}' }}")).unwrap();
        check(generate(dir.path()))?;
    }

    #[test]
    fn arbitrary_user_values_render_well_formed_or_fail_in_one_line(
        commands in (prop::option::of(value()), prop::option::of(value()), prop::option::of(value()), prop::option::of(value())),
        names in (prop::option::weighted(0.15, value()), prop::option::weighted(0.15, value()), prop::option::weighted(0.15, value()), prop::option::weighted(0.15, value()), prop::option::weighted(0.15, value())),
        lists in (prop::option::of(prop::collection::vec(value(), 0..3)), prop::option::of(prop::collection::vec(value(), 0..3))),
        port in prop::option::of(any::<u16>()), health in prop::option::of(value()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), NODE_APP);
        let layer = Layer {
            start_command: commands.0, build_command: commands.1, test_command: commands.2, dev_command: commands.3,
            stack: names.0, preset: names.1, version: names.2, package_manager: names.3, runtime: names.4,
            build_args: lists.0, secrets: lists.1, port, health_path: health, app: None, allow_secret_files: None, compose: None, services: None,
        };
        let result = pipeline::generate(dir.path(), &layer);
        if let (Ok(r), Some(build)) = (&result, &layer.build_command) {
            let runs = parse(&r.files[0].1).unwrap_or_default();
            let b = build.trim();
            prop_assert!(b.is_empty() || runs.iter().any(|i| i.kind == "RUN" && i.args.ends_with(b)), "build command not the end of a RUN");
        }
        check(result)?;
    }

    #[test]
    fn arbitrary_dockform_toml_loads_or_names_the_file(text in prop_oneof![any::<String>(), "(stack|port|build-command|secrets) = .{0,20}"]) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dockform.toml"), &text).unwrap();
        let project = dockform::scan::Project::scan(dir.path()).unwrap();
        if let Err(e) = dockform::config::load(&project) {
            let msg = e.to_string();
            prop_assert!(msg.contains("dockform.toml") && msg.contains("line ") && !msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn gitignore_translation_and_matching_never_panic(text in any::<String>(), path in "[a-z./*!]{0,20}") {
        let lines = dockform::ignorefile::from_gitignore(&text).lines;
        for l in &lines {
            prop_assert!(!l.chars().any(char::is_control), "{l:?}");
            let pattern = l.strip_prefix('!').unwrap_or(l);
            prop_assert_eq!(dockform::ignorefile::docker_pattern_error(pattern), None, "{:?}", l);
        }
        let _ = dockform::ignorefile::Matcher::new(&lines.join("\n")).excludes(&path);
        let _ = dockform::ignorefile::copied_paths(&text);
    }

    #[test]
    fn resolved_versions_are_always_tag_safe(v in value()) {
        let presets = dockform::preset::Presets::embedded().unwrap();
        for preset in presets.all() {
            if let Ok(out) = dockform::preset::resolve_version(preset, &v) {
                prop_assert!(dockform::validate::version("v", &out).is_ok(), "{v:?} -> {out:?}");
            }
        }
    }

    #[test]
    fn accepted_values_cannot_end_or_open_a_line(v in value()) {
        use dockform::validate;
        if validate::line("f", &v).is_ok() {
            let breaks = v.chars().any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}');
            prop_assert!(!breaks, "{:?}", v);
            prop_assert!(!v.trim_end().ends_with('\\'));
        }
        if validate::shell_command("f", &v).is_ok() {
            prop_assert!(!v.trim_start().starts_with(['-', '#']));
            // After `RUN` it stays one instruction that opens no heredoc, read the way
            // BuildKit reads it (`<<<<<EOF` is no heredoc opener; `cat <<EOF` is).
            let parsed = parse(&format!("RUN {v}\nUSER app\n"));
            prop_assert!(
                parsed.as_ref().is_ok_and(|p| p.len() == 2 && p[0].heredocs.is_empty()),
                "{v:?}: {parsed:?}"
            );
        }
        if validate::relative_path("f", &v).is_ok() {
            prop_assert!(!v.starts_with('/') && !v.split('/').any(|s| s == ".."));
        }
        let shown = validate::shown(&v);
        prop_assert!(!shown.contains(['\n', '\r']) && shown.chars().count() <= 61);
    }
}
