//! What the production image of a Node or Bun server runs (with `node` as PID 1): the
//! start script followed to the file it runs, a Bun entry, or a well-known file.

use regex::Regex;

use super::Package;
use crate::detect::Detection;
use crate::error::{Error, Result};
use crate::scan::Project;
use crate::validate;

/// Entry files tried when nothing names one, in order.
const WELL_KNOWN: &[&str] = &[
    "server.js",
    "app.js",
    "index.js",
    "main.js",
    "src/server.js",
    "src/app.js",
    "src/index.js",
    "src/main.js",
];
/// Runtime directories a Node server commonly reads beside its code.
const RUNTIME_DIRS: &[&str] = &["public", "views", "static", "templates", "locales"];

/// Start command and build output for a plain Node server.
pub fn node(project: &Project, pkg: &Package, d: &mut Detection) -> Result<()> {
    let out_dir = typescript_out_dir(project, d);
    let built = d.layer.build_command.is_some();
    if let (Some(dir), true) = (&out_dir, built) {
        d.fact(
            "build_output",
            dir.as_str(),
            Some("tsconfig.json"),
            format!("`compilerOptions.outDir` is `{dir}`"),
        );
    } else {
        d.fact(
            "build_output",
            serde_json::Value::Null,
            None,
            "no compiled output directory: the source is the app",
        );
    }
    let dirs: Vec<String> = RUNTIME_DIRS
        .iter()
        .filter(|x| project.is_dir(x))
        .map(|x| x.to_string())
        .collect();
    d.fact("runtime_dirs", dirs, None, "read by the app at run time");
    let bun = d.layer.preset.as_deref() == Some("bun");
    let (cmd, source, reason) = if let Some(found) = from_scripts(project, pkg, bun, d) {
        refuse_multiline_start(pkg)?;
        found
    } else if let Some(main) = pkg
        .str("main")
        .filter(|m| usable(project, m, &out_dir, built))
    {
        (
            vec!["node".into(), main.to_string()],
            "package.json",
            "`main`".to_string(),
        )
    } else if pkg.depends_on("@nestjs/core") {
        (
            vec!["node".into(), "dist/main.js".into()],
            "package.json",
            "NestJS builds to `dist/main.js`".into(),
        )
    } else if let Some(found) = bun_entry(project, pkg, bun) {
        found
    } else if let Some(found) = from_out_dir(project, &out_dir, built) {
        found
    } else if let Some(file) = WELL_KNOWN.iter().find(|f| project.is_file(f)) {
        (
            vec!["node".into(), file.to_string()],
            *file,
            format!("well-known entry file `{file}`"),
        )
    } else {
        d.warn("could not find the app's entry file; pass `--start-command \"node path/to/server.js\"`");
        return Ok(());
    };
    for word in cmd.iter().skip(1) {
        validate::line(&format!("start command from `{source}`"), word)?;
    }
    let mut cmd = cmd;
    // `tsx` and `ts-node` are run from the installed `node_modules/.bin`.
    if cmd[0] == "tsx" || cmd[0] == "ts-node" {
        d.fact(
            "local_bin",
            true,
            Some("package.json"),
            "the start command's runner is a package binary",
        );
    }
    if bun && cmd[0] == "node" {
        // Bun's images carry no `node`; Bun runs the same entry file.
        cmd[0] = "bun".to_string();
    }
    d.layer.start_command = Some(shell_words::join(&cmd));
    d.why("start-command", Some(source), reason);
    Ok(())
}

/// A line break in `scripts.start` would be split away as blank space, its second
/// line becoming more `CMD` arguments: refused, naming the file.
fn refuse_multiline_start(pkg: &Package) -> Result<()> {
    match pkg.script("start") {
        Some(script) if script.contains(['\n', '\r', '\u{2028}', '\u{2029}']) => {
            Err(Error::bad_input(
                "package.json",
                format!(
                    "`scripts.start` holds a line break (`{}`); dockform turns it into one command, so write it on one line (join commands with `&&`)",
                    validate::shown(script)
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// Scripts that name the production start, most specific first: NestJS and others keep
/// `start` for a development server and put the production command in `start:prod`.
pub(super) const START_SCRIPTS: &[&str] = &["start:prod", "start:production", "prod", "start"];
/// Runners that take a source file: `node`, Bun, and TypeScript runners from `node_modules`.
const RUNNERS: &[&str] = &["node", "bun", "tsx", "ts-node"];

/// A script resolved to the command that starts the server.
struct Resolved {
    words: Vec<String>,
    /// `scripts.start` → `scripts.start-server`, for the evidence.
    path: Vec<String>,
    /// Steps of an `&&` chain run before the server (migrations, seeds).
    dropped: Vec<String>,
}

/// The production start command from the scripts: `start:prod` (or `prod`) before
/// `start`, following `npm run x` / `yarn x` / `pnpm x` / `bun run x` to the script that
/// runs a file, keeping its runner (`node`, `bun`, `tsx`, `ts-node`). A TypeScript runner
/// is kept only when it is a production dependency (the image installs no dev ones).
fn from_scripts(
    project: &Project,
    pkg: &Package,
    bun: bool,
    d: &mut Detection,
) -> Option<(Vec<String>, &'static str, String)> {
    for name in START_SCRIPTS {
        let Some(r) = resolve(project, pkg, name, 0) else {
            continue;
        };
        let runner = r.words[0].as_str();
        if runner == "bun" && !bun {
            continue;
        }
        if (runner == "tsx" || runner == "ts-node") && !pkg.depends_in("dependencies", runner) {
            d.warn(format!(
                "`scripts.{name}` runs the source through `{runner}`, which is not a production dependency (the image installs only `dependencies`); pass `--start-command`, or move `{runner}` to `dependencies`"
            ));
            continue;
        }
        let chain = r
            .path
            .iter()
            .map(|s| format!("`scripts.{s}`"))
            .collect::<Vec<_>>()
            .join(" → ");
        if !r.dropped.is_empty() {
            d.warn(format!(
                "{chain} runs {} before the server; the image starts only `{}`: run those steps at deploy time, or pass `--start-command`",
                r.dropped
                    .iter()
                    .map(|s| format!("`{}`", validate::shown(s)))
                    .collect::<Vec<_>>()
                    .join(", "),
                validate::shown(&shell_words::join(&r.words))
            ));
        }
        let reason = format!(
            "{chain} runs `{}`",
            validate::shown(&shell_words::join(&r.words))
        );
        return Some((r.words, "package.json", reason));
    }
    None
}

/// `scripts.<name>` as a runner command, following script indirection a few levels.
fn resolve(project: &Project, pkg: &Package, name: &str, depth: usize) -> Option<Resolved> {
    if depth > 3 {
        return None;
    }
    let script = pkg.script(name)?;
    let (words, dropped) = last_step(script)?;
    let first = words.first()?.as_str();
    // `npm start`, `npm run x`, `yarn x`, `yarn run x`, `pnpm x`, `bun run x` naming a script.
    let target = match (first, words.get(1).map(String::as_str)) {
        ("npm", Some("start")) if words.len() == 2 => Some("start".to_string()),
        ("npm" | "yarn" | "pnpm" | "bun", Some("run" | "run-script")) if words.len() == 3 => {
            Some(words[2].clone())
        }
        ("yarn" | "pnpm" | "bun", Some(x)) if words.len() == 2 && pkg.script(x).is_some() => {
            Some(x.to_string())
        }
        _ => None,
    };
    if let Some(t) = target {
        if t == name || pkg.script(&t).is_none() {
            return None;
        }
        let mut r = resolve(project, pkg, &t, depth + 1)?;
        r.path.insert(0, name.to_string());
        let mut dropped = dropped;
        dropped.extend(r.dropped);
        r.dropped = dropped;
        return Some(r);
    }
    if !RUNNERS.contains(&first) {
        return None;
    }
    let mut args = words.iter().skip(1);
    let file = if first == "bun" {
        args.find(|w| !w.starts_with('-') && *w != "run")?
    } else {
        args.find(|w| !w.starts_with('-'))?
    };
    validate::relative_path("start script entry", file).ok()?;
    // The file is in the project or in a build output; a script written for another
    // working directory (`node main` inside a copied `dist/`) is not this one's.
    let f = file.trim_start_matches("./");
    let built = ["dist/", "build/", "out/", "lib/", ".output/", ".next/"]
        .iter()
        .any(|b| f.starts_with(b));
    let exists = ["", ".js", ".mjs", ".cjs", ".ts", "/index.js"]
        .iter()
        .any(|e| project.is_file(&format!("{f}{e}")));
    if !built && !exists {
        return None;
    }
    Some(Resolved {
        words,
        path: vec![name.to_string()],
        dropped,
    })
}

/// The words of a script's last `&&` step, without `VAR=x`, `cross-env` and
/// `dotenv [-e file] --` prefixes, and the earlier steps. None for other shell syntax.
pub(super) fn last_step(script: &str) -> Option<(Vec<String>, Vec<String>)> {
    let words = shell_words::split(script).ok()?;
    let other_ops = ["||", ";", "|", ">", "<", "&", ">>", "2>&1"];
    if words.iter().any(|w| other_ops.contains(&w.as_str())) {
        return None;
    }
    let mut steps: Vec<Vec<String>> = words
        .split(|w| w == "&&")
        .map(|s| strip_env(s).to_vec())
        .collect();
    let last = steps.pop().filter(|s| !s.is_empty())?;
    let dropped = steps
        .iter()
        .filter(|s| !s.is_empty())
        .map(shell_words::join)
        .collect();
    Some((last, dropped))
}

/// A step without its environment prefixes.
fn strip_env(mut words: &[String]) -> &[String] {
    loop {
        match words.first().map(String::as_str) {
            Some("cross-env" | "env") => words = &words[1..],
            Some("dotenv" | "dotenv-cli") => {
                let end = words
                    .iter()
                    .position(|w| w == "--")
                    .map_or(words.len(), |i| i + 1);
                words = &words[end..];
            }
            Some(w)
                if w.contains('=')
                    && w.split('=').next().is_some_and(|k| {
                        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    }) =>
            {
                words = &words[1..]
            }
            _ => return words,
        }
    }
}

/// Files a Bun server commonly starts from when no script names one.
const BUN_ENTRIES: &[&str] = &[
    "src/index.ts",
    "src/server.ts",
    "src/app.ts",
    "src/main.ts",
    "index.ts",
    "server.ts",
    "app.ts",
    "main.ts",
];

/// A Bun app without a start script: the `module` entry, else a well-known file, that
/// serves (`Bun.serve`, `export default { fetch }` / an exported app, `.listen(`).
fn bun_entry(
    project: &Project,
    pkg: &Package,
    bun: bool,
) -> Option<(Vec<String>, &'static str, String)> {
    if !bun {
        return None;
    }
    let serves = Regex::new(
        r"Bun\.serve\(|\.listen\(|export\s+default\s+\{[^}]*\bfetch\b|export\s+default\s+app\b",
    )
    .ok()?;
    let named = pkg
        .str("module")
        .filter(|m| validate::relative_path("module", m).is_ok())
        .map(|m| m.trim_start_matches("./").to_string());
    let candidates = named
        .iter()
        .flat_map(|m| [m.clone(), format!("src/{m}")])
        .chain(BUN_ENTRIES.iter().map(|f| f.to_string()));
    for file in candidates {
        if !project.is_file(&file)
            || !project
                .read_source(&file)
                .is_some_and(|t| serves.is_match(&t))
        {
            continue;
        }
        let why = if named.as_deref().is_some_and(|m| file.ends_with(m)) {
            format!("`module` names `{file}`, which serves")
        } else {
            format!("`{file}` serves (no start script)")
        };
        return Some((vec!["bun".into(), file.clone()], "package.json", why));
    }
    None
}

/// A `main` that exists, or will exist after the build.
fn usable(project: &Project, main: &str, out_dir: &Option<String>, built: bool) -> bool {
    validate::relative_path("main", main).is_ok()
        && (project.is_file(main)
            || (built
                && out_dir
                    .as_ref()
                    .is_some_and(|o| main.trim_start_matches("./").starts_with(o.as_str()))))
}

/// `src/index.ts` compiled to `<outDir>/index.js`.
fn from_out_dir(
    project: &Project,
    out_dir: &Option<String>,
    built: bool,
) -> Option<(Vec<String>, &'static str, String)> {
    let dir = out_dir.as_ref().filter(|_| built)?;
    for stem in ["main", "server", "index", "app"] {
        if project.is_file(&format!("src/{stem}.ts")) || project.is_file(&format!("{stem}.ts")) {
            let file = format!("{dir}/{stem}.js");
            return Some((
                vec!["node".into(), file.clone()],
                "tsconfig.json",
                format!("TypeScript compiles `{stem}.ts` to `{file}`"),
            ));
        }
    }
    None
}

/// `compilerOptions.outDir` from tsconfig.json (JSON with comments, read leniently).
/// It lands unquoted in `COPY` and `.dockerignore` lines, so only plain names pass: a
/// space would split the `COPY` arguments (and `<<` open a heredoc), `!`/`#` would turn
/// the ignore line into a re-include or a comment.
fn typescript_out_dir(project: &Project, d: &mut Detection) -> Option<String> {
    let text = project.read_hint("tsconfig.json")?;
    let re = Regex::new(r#""outDir"\s*:\s*"([^"]+)""#).ok()?;
    let raw = re.captures(&text)?.get(1)?.as_str();
    let dir = raw
        .trim_start_matches("./")
        .trim_end_matches('/')
        .to_string();
    let plain = dir
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/@+".contains(c));
    match validate::relative_path("outDir", &dir) {
        Ok(()) if plain => Some(dir),
        _ => {
            d.warn(format!(
                "ignoring `compilerOptions.outDir` `{}` in `tsconfig.json`: only plain relative paths (letters, digits, `._-/@+`) are used; the whole built tree is copied instead",
                validate::shown(raw)
            ));
            None
        }
    }
}
