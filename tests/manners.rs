//! Issue 15, the CLI's manners with values: boolean variables, one shape and exit code
//! for every invalid value whatever its source (named: flag, variable or
//! `dockform.toml` line), lists read alike everywhere, unknown config keys.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

/// `dockform args` in `dir` with the variables `vars` (and no other `DOCKFORM_*`).
fn run(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("dockform").unwrap();
    cmd.current_dir(dir).args(args).env("NO_COLOR", "1");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("DOCKFORM_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.write_stdin("").output().unwrap()
}

#[test]
fn boolean_variables_take_1_0_true_false_yes_no_in_any_case() {
    let dir = copy_fixture("node-express-npm");
    for on in ["1", "true", "TRUE", "yes", "Yes"] {
        let out = run(dir.path(), &["detect"], &[("DOCKFORM_QUIET", on)]);
        assert!(out.status.success(), "QUIET={on}: {}", stderr(&out));
        let out = run(
            dir.path(),
            &["init", "--stdout"],
            &[("DOCKFORM_YES", on), ("DOCKFORM_QUIET", on)],
        );
        assert!(out.status.success(), "YES={on}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "QUIET={on} still printed");
    }
    for off in ["0", "false", "False", "no", "NO"] {
        // Off is not set: it neither silences nor conflicts with `--verbose`.
        let out = run(
            dir.path(),
            &["init", "--yes", "--force", "--verbose"],
            &[("DOCKFORM_QUIET", off)],
        );
        assert!(out.status.success(), "QUIET={off}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "QUIET={off} silenced the notes");
    }
    // FORCE is seen: a changed port overwrites a hand-edited file only when it is on.
    assert!(run(dir.path(), &["init", "--yes"], &[]).status.success());
    let path = dir.path().join("Dockerfile");
    let edited = format!("{}# ours\n", std::fs::read_to_string(&path).unwrap());
    std::fs::write(&path, edited).unwrap();
    let refused = run(
        dir.path(),
        &["init", "--port", "4444"],
        &[("DOCKFORM_FORCE", "0")],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let forced = run(
        dir.path(),
        &["init", "--port", "4444"],
        &[("DOCKFORM_FORCE", "1")],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
}

/// The one shape of an invalid value: exit 2, one line, naming the source.
fn assert_invalid(out: &Output, names: &str, what: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: not one line: {err}");
    assert!(
        err.starts_with(&format!("error: invalid {names}: ")),
        "{what}: expected `error: invalid {names}: ...`, got {err}"
    );
}

#[test]
fn every_invalid_value_exits_2_with_one_shape_naming_where_it_came_from() {
    let dir = copy_fixture("node-express-npm");
    let d = dir.path();
    let init = ["init", "--stdout"];
    let with = |extra: &[&'static str]| [&init[..], extra].concat();
    assert_invalid(
        &run(d, &with(&["--port", "99999"]), &[]),
        "`--port`",
        "port flag",
    );
    assert_invalid(
        &run(d, &init, &[("DOCKFORM_PORT", "99999")]),
        "`DOCKFORM_PORT`",
        "port variable",
    );
    assert_invalid(
        &run(d, &with(&["--runtime", "tiny"]), &[]),
        "`--runtime`",
        "runtime flag",
    );
    assert_invalid(
        &run(d, &init, &[("DOCKFORM_RUNTIME", "tiny")]),
        "`DOCKFORM_RUNTIME`",
        "runtime variable",
    );
    assert_invalid(
        &run(d, &with(&["--build-arg", "a-b"]), &[]),
        "`--build-arg`",
        "list flag",
    );
    assert_invalid(
        &run(d, &init, &[("DOCKFORM_SECRETS", "a-b")]),
        "`DOCKFORM_SECRETS`",
        "list variable",
    );
    assert_invalid(
        &run(d, &init, &[("DOCKFORM_YES", "maybe")]),
        "`DOCKFORM_YES`",
        "boolean variable",
    );
    assert_invalid(
        &run(d, &["detect"], &[("DOCKFORM_QUIET", "2")]),
        "`DOCKFORM_QUIET`",
        "global boolean",
    );
    for (text, key) in [
        (
            "preset = \"node\"\nruntime = \"tiny\"\n",
            "`runtime` (`dockform.toml` line 2, column 11)",
        ),
        (
            "\nport = 99999\n",
            "`port` (`dockform.toml` line 2, column 8)",
        ),
        (
            "build-args = [\"a-b\"]\n",
            "`build-args` (`dockform.toml` line 1, column 14)",
        ),
        (
            "start-command = \"node\\nx\"\n",
            "`start-command` (`dockform.toml` line 1, column 17)",
        ),
    ] {
        std::fs::write(d.join("dockform.toml"), text).unwrap();
        assert_invalid(&run(d, &init, &[]), key, text);
    }
}

#[test]
fn a_list_reads_the_same_from_a_flag_a_variable_and_the_wizard() {
    let dir = copy_fixture("node-express-npm");
    let args = |out: &Output| -> Vec<String> {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("ARG ") && (l.contains(" A") || l.contains(" B")))
            .map(String::from)
            .collect()
    };
    let flag = run(
        dir.path(),
        &["init", "--stdout", "--build-arg", "A, B"],
        &[],
    );
    let var = run(
        dir.path(),
        &["init", "--stdout"],
        &[("DOCKFORM_BUILD_ARGS", "A, B")],
    );
    let repeated = run(
        dir.path(),
        &["init", "--stdout", "--build-arg", "B", "--build-arg", "A"],
        &[],
    );
    for out in [&flag, &var, &repeated] {
        assert!(out.status.success(), "{}", stderr(out));
    }
    assert_eq!(args(&flag), ["ARG A", "ARG B"]);
    assert_eq!(args(&var), args(&flag));
    assert_eq!(args(&repeated), args(&flag));
}

#[test]
fn an_unknown_config_key_says_so_and_suggests_the_nearest() {
    let dir = copy_fixture("node-express-npm");
    for (text, expected) in [
        (
            "preset = \"node\"\nprot = 3000\n",
            "`dockform.toml` line 2, column 1: unknown key `prot` (did you mean `port`?)",
        ),
        (
            "build_args = [\"A\"]\n",
            "`dockform.toml` line 1, column 1: unknown key `build_args` (did you mean `build-args`?)",
        ),
        (
            "colour = \"red\"\n",
            "`dockform.toml` line 1, column 1: unknown key `colour` (keys: preset, stack, app,",
        ),
    ] {
        std::fs::write(dir.path().join("dockform.toml"), text).unwrap();
        let out = run(dir.path(), &["init", "--yes"], &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{text}: {err}");
        assert!(
            err.starts_with(&format!("error: {expected}")) && !err.contains("not valid TOML"),
            "{text}: {err}"
        );
        assert!(!dir.path().join("Dockerfile").exists());
    }
}

#[test]
fn completions_offer_the_values_of_stack_runtime_package_manager_and_preset() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["completions", "fish"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let script = String::from_utf8(out.stdout).unwrap();
    // A flag's entry, with its values (fish lists one a line), up to the next entry.
    let line = |flag: &str| -> String {
        script
            .split("\ncomplete ")
            .find(|l| l.contains("using_subcommand init") && l.contains(&format!("-l {flag} ")))
            .unwrap_or_else(|| panic!("no completion entry for --{flag}"))
            .to_string()
    };
    for (flag, values) in [
        ("stack", &["node", "nextjs", "go", "python", "rust"][..]),
        ("runtime", &["alpine", "distroless", "scratch", "slim"]),
        (
            "package-manager",
            &["npm", "pnpm", "yarn", "bun", "uv", "poetry"],
        ),
        ("preset", &["node", "nextjs", "bun", "go", "python", "rust"]),
    ] {
        let l = line(flag);
        for v in values {
            assert!(
                l.contains(&format!("{v}\\t")),
                "--{flag} does not offer `{v}`: {l}"
            );
        }
    }
    // Parsing is unchanged: a bad value still gets dockform's message, naming the flag.
    let app = copy_fixture("node-express-npm");
    let out = run(app.path(), &["init", "-y", "--runtime", "tiny"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: invalid `--runtime`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn there_is_a_man_page_per_command_with_every_option() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["man", "--out-dir", "."], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let main = std::fs::read_to_string(dir.path().join("dockform.1")).unwrap();
    for command in [
        "init",
        "check",
        "detect",
        "presets",
        "verify",
        "completions",
    ] {
        let name = format!("dockform-{command}.1");
        let page = std::fs::read_to_string(dir.path().join(&name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            page.contains(&format!(".TH dockform-{command} 1")),
            "{name}"
        );
        assert!(
            main.contains(&format!("dockform\\-{command}(1)")),
            "dockform.1 does not refer to {name}"
        );
        // The page printed alone is the same page.
        let alone = run(dir.path(), &["man", command], &[]);
        assert_eq!(String::from_utf8(alone.stdout).unwrap(), page, "{name}");
    }
    let init = std::fs::read_to_string(dir.path().join("dockform-init.1")).unwrap();
    let cli = <dockform::cli::Cli as clap::CommandFactory>::command();
    for arg in cli.find_subcommand("init").unwrap().get_arguments() {
        if let Some(long) = arg.get_long() {
            let shown = format!("\\-\\-{}", long.replace('-', "\\-"));
            assert!(init.contains(&shown), "dockform-init(1) lacks --{long}");
        }
    }
    let out = run(dir.path(), &["man", "nope"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no command `nope`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn colour_follows_the_color_flag_and_diff_labels_say_which_side_is_on_disk() {
    let dir = copy_fixture("node-express-npm");
    assert!(run(dir.path(), &["init", "-y"], &[]).status.success());
    let path = dir.path().join("Dockerfile");
    let edited = format!("{}# ours\n", std::fs::read_to_string(&path).unwrap());
    std::fs::write(&path, edited).unwrap();
    let always = run(dir.path(), &["check", "--color", "always"], &[]);
    let (out, err) = (
        String::from_utf8(always.stdout.clone()).unwrap(),
        stderr(&always),
    );
    assert!(
        out.contains("\x1b[32m+") || out.contains("\x1b[31m-# ours"),
        "{out}"
    );
    assert!(err.starts_with("\x1b[1m\x1b[31merror:\x1b[0m"), "{err:?}");
    assert!(
        out.contains("--- a/Dockerfile\t(on disk)")
            && out.contains("+++ b/Dockerfile\t(generated)"),
        "{out}"
    );
    // Into a pipe (auto), with `never`, and with `DOCKFORM_COLOR=never`: no escapes.
    for (args, vars) in [
        (&["check"][..], &[][..]),
        (&["check", "--color", "never"], &[]),
        (&["check"], &[("DOCKFORM_COLOR", "never")]),
    ] {
        let plain = run(dir.path(), args, vars);
        assert_eq!(plain.status.code(), Some(1));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&plain.stdout),
            stderr(&plain)
        );
        assert!(!all.contains('\x1b'), "{args:?} {vars:?}: {all:?}");
    }
}
