//! What the production image runs (with `node` as PID 1) and which port it serves.

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
const START_SCRIPTS: &[&str] = &["start:prod", "start:production", "prod", "start"];
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

/// Next.js: standalone output or `next start`, and the `public/` directory.
pub fn next(project: &Project, d: &mut Detection) -> Result<()> {
    let config = [
        "next.config.js",
        "next.config.mjs",
        "next.config.cjs",
        "next.config.ts",
    ]
    .into_iter()
    .find(|f| project.is_file(f));
    let text = config
        .and_then(|f| project.read_hint(f))
        .unwrap_or_default();
    let standalone = Regex::new(r#"output\s*:\s*['"]standalone['"]"#)
        .is_ok_and(|re| re.is_match(&text))
        || output_variable_defaults_to_standalone(&text);
    let reason = match (config, standalone) {
        (Some(f), true) => format!("`output: 'standalone'` in `{f}`"),
        (Some(f), false) => format!("`{f}` has no `output: 'standalone'`"),
        (None, _) => "no next.config file".to_string(),
    };
    d.fact("next_standalone", standalone, config, reason);
    d.fact(
        "next_config",
        config,
        config,
        "copied into a `next start` image",
    );
    let imports = config
        .map(|c| config_imports(project, c))
        .unwrap_or_default();
    d.fact(
        "next_config_imports",
        imports.clone(),
        config,
        if imports.is_empty() {
            "the config imports no project file".to_string()
        } else {
            format!(
                "`next start` loads the config, which imports {}",
                imports
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    );
    d.fact(
        "has_public",
        project.is_dir("public"),
        None,
        "`public/` holds static assets",
    );
    if !standalone {
        d.warn("Next.js without `output: 'standalone'`: the image carries all production dependencies; add `output: 'standalone'` to the Next.js config for a much smaller image");
    }
    if d.layer.build_command.is_none() {
        d.layer.build_command = Some("npx next build".to_string());
        d.why(
            "build-command",
            Some("package.json"),
            "no `scripts.build`; Next.js builds with `next build`",
        );
    }
    let (cmd, why) = if standalone {
        (
            "node server.js",
            "standalone output starts with `server.js`",
        )
    } else {
        (
            "node node_modules/next/dist/bin/next start",
            "`next start` run by node directly, so node is PID 1",
        )
    };
    d.layer.start_command = Some(cmd.to_string());
    d.why("start-command", config, why);
    Ok(())
}

/// The project files `next.config.*` imports (relative specifiers, a few levels deep),
/// which `next start` loads with it. Only plain paths are kept: they land unquoted in
/// `COPY` lines.
fn config_imports(project: &Project, config: &str) -> Vec<String> {
    let Ok(import) = Regex::new(
        r#"(?m)(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^import\s+)['"](\.{1,2}/[^'"]+)['"]"#,
    ) else {
        return Vec::new();
    };
    let mut queue = vec![config.to_string()];
    let mut i = 0;
    while i < queue.len() && queue.len() < 30 {
        let file = queue[i].clone();
        i += 1;
        let Some(text) = project.read_source(&file) else {
            continue;
        };
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for c in import.captures_iter(&text) {
            let Some(target) = join(dir, &c[1]).and_then(|t| module_file(project, &t)) else {
                continue;
            };
            let plain = target
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/@+".contains(c));
            if plain && !queue.contains(&target) {
                queue.push(target);
            }
        }
    }
    queue.remove(0);
    queue.sort();
    queue
}

/// A `next start` config that imports a development dependency fails at start in the
/// production image, which installs only `dependencies`: warned with the fix.
pub fn next_config_packages(project: &Project, pkg: &Package, d: &mut Detection) {
    let standalone = d
        .extra
        .get("next_standalone")
        .is_some_and(|f| f.value == true);
    let Some(config) = d
        .extra
        .get("next_config")
        .and_then(|f| f.value.as_str())
        .map(String::from)
    else {
        return;
    };
    if standalone {
        return;
    }
    let Ok(bare) = Regex::new(
        r#"(?m)(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^import\s+)['"]((?:@[\w.-]+/)?[\w.-]+)[^'"]*['"]"#,
    ) else {
        return;
    };
    let Some(text) = project.read_source(&config) else {
        return;
    };
    let mut seen = Vec::new();
    for c in bare.captures_iter(&text) {
        let name = c[1].to_string();
        if pkg.depends_in("devDependencies", &name)
            && !pkg.depends_in("dependencies", &name)
            && !seen.contains(&name)
        {
            d.warn(format!(
                "`{config}` imports `{}`, a development dependency: `next start` loads the config in the production image, which installs only `dependencies`, so it would fail to start; move `{}` to `dependencies`, or enable `output: 'standalone'`",
                crate::validate::shown(&name),
                crate::validate::shown(&name)
            ));
            seen.push(name);
        }
    }
}

/// Build-only packages (preset `next-build-only`) that are development dependencies:
/// output tracing copies them into `.next/standalone`, so the build removes them.
pub fn next_prune(pkg: &Package, preset: &crate::preset::Preset, d: &mut Detection) {
    let standalone = d
        .extra
        .get("next_standalone")
        .is_some_and(|f| f.value == true);
    let listed = preset
        .data
        .get("next-build-only")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    let prune: Vec<String> = listed
        .iter()
        .filter_map(|v| v.as_str())
        .filter(|m| {
            standalone && pkg.depends_in("devDependencies", m) && !pkg.depends_in("dependencies", m)
        })
        .map(String::from)
        .collect();
    let why = if prune.is_empty() {
        "no build-only package to remove from the standalone output".to_string()
    } else {
        format!(
            "{} only a development dependency, which output tracing still copies into `.next/standalone`",
            prune
                .iter()
                .map(|m| format!("`{m}` is"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    d.fact("next_trace_prune", prune, Some("package.json"), why);
}

/// Port variables that belong to another service or a development tool, not the server.
const OTHER_PORTS: &[&str] = &[
    "DB",
    "DATABASE",
    "REDIS",
    "SMTP",
    "MAIL",
    "POSTGRES",
    "PG",
    "MYSQL",
    "MONGO",
    "AMQP",
    "RABBIT",
    "ELASTIC",
    "S3",
    "MINIO",
    "LDAP",
    "CLICKHOUSE",
    "MEILI",
    "DEBUG",
    "INSPECT",
    "VITE",
    "HMR",
    "LIVERELOAD",
    "PROXY",
    "IMAP",
    "SSH",
    "FTP",
    "GRPC",
    "METRICS",
];
/// Path parts of code that does not start the server: tests, e2e, stories, fixtures.
const NOT_SERVER: &[&str] = &[
    "test",
    "spec",
    "e2e",
    "cypress",
    "playwright",
    "storybook",
    "stories",
    "fixture",
    "mock",
    "__tests__",
];

/// `output: mode` where `const mode = process.env.X ?? "standalone"` (or `= "standalone"`):
/// the build is standalone unless the environment says otherwise.
fn output_variable_defaults_to_standalone(text: &str) -> bool {
    let Some(var) = Regex::new(r"\boutput\s*:\s*([A-Za-z_$][\w$]*)\s*[,}\n]")
        .ok()
        .and_then(|re| re.captures(text))
        .map(|c| c[1].to_string())
    else {
        return false;
    };
    Regex::new(&format!(
        r#"\b(?:const|let|var)\s+{}\s*=\s*(?:[^;\n]*?(?:\?\?|\|\|)\s*)?['"]standalone['"]"#,
        regex::escape(&var)
    ))
    .is_ok_and(|re| re.is_match(text))
}

/// The port: `next start -p N` in the start script, then the code on the path that starts
/// the server (the start command's file and what it imports, nearest first), then the
/// rest of the code and `.env.example`; else the preset default stands.
pub fn port(project: &Project, pkg: &Package, d: &mut Detection) {
    if let Some((port, name, script)) = next_port_flag(pkg) {
        d.layer.port = Some(port);
        d.why(
            "port",
            Some("package.json"),
            format!("`scripts.{name}` runs `{}`", validate::shown(script)),
        );
        return;
    }
    let is_code = |f: &str| {
        [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| f.ends_with(e))
            && !f.ends_with(".d.ts")
            && !f.starts_with("next.config")
    };
    let Some(ids) = Idioms::new() else {
        return;
    };
    let on_path = start_path(project, d);
    let server_side = |f: &str| {
        let lower = f.to_ascii_lowercase();
        !NOT_SERVER.iter().any(|n| lower.contains(n))
    };
    let rest: Vec<&str> = project
        .files()
        .filter(|f| is_code(f) && server_side(f) && f.matches('/').count() <= 3)
        .filter(|f| !on_path.iter().any(|p| p == f))
        .take(300)
        .collect();
    let files = on_path
        .iter()
        .map(|f| (f.as_str(), true))
        .chain(rest.into_iter().map(|f| (f, false)))
        .chain(
            [".env.example", ".env.sample", ".env.defaults"]
                .into_iter()
                .map(|f| (f, false)),
        );
    for (file, path) in files {
        let Some(text) = project.read_source(file) else {
            continue;
        };
        if let Some(found) = port_in(&ids, &text, file, path, &on_path, project) {
            let line = text[..found.at].matches('\n').count() + 1;
            d.layer.port = Some(found.port);
            d.why(
                "port",
                Some(file),
                format!("line {line}: `{}`", validate::shown(found.text.trim())),
            );
            if let Some(var) = found.var.filter(|v| v != "PORT") {
                d.fact(
                    "port_env",
                    var.as_str(),
                    Some(file),
                    format!("the server reads its port from `{var}`, so the image sets it too"),
                );
            }
            return;
        }
    }
}

/// A port found in a file.
struct Found {
    port: u16,
    /// Byte offset of the match, for the line number.
    at: usize,
    text: String,
    /// The env variable read for the port, when the code reads one.
    var: Option<String>,
}

/// The port idioms, compiled once per run.
struct Idioms {
    direct: Regex,
    branch: Regex,
    constant: Regex,
    listen: Regex,
    assign: Regex,
    config: Regex,
}

impl Idioms {
    fn new() -> Option<Self> {
        let env = r"(?:process\.env|Bun\.env|import\.meta\.env)(?:\.|\[\s*['\x22])";
        let var = r"([A-Z0-9_]*PORT)\b";
        let or = r"['\x22]?\s*\]?\s*\)?\s*(?:\|\||\?\?)\s*";
        let re = |p: String| regex::RegexBuilder::new(&p).unicode(false).build().ok();
        Some(Self {
            // `process.env.PORT || 3000`, `Number(process.env.APP_PORT) || 5006`,
            // `PORT ?? '80'`, also after other env reads (`X_PORT || PORT || 8080`).
            direct: re(format!(
                r"{env}{var}(?:{or}{env}[A-Z][A-Z0-9_]*)*{or}\(?\s*['\x22]?([0-9]{{2,5}})\b"
            ))?,
            // `process.env.PORT || (process.env.NODE_ENV !== 'development' ? 80 : 3002)`
            branch: re(format!(
                r"{env}{var}{or}\(\s*process\.env\.NODE_ENV\s*(?:!==?\s*['\x22]development['\x22]|===?\s*['\x22]production['\x22])\s*\?\s*['\x22]?([0-9]{{2,5}})\b"
            ))?,
            // `process.env.X_PORT ?? getConfigValue('port', DEFAULT_PORT)`.
            constant: re(format!(
                r"{env}{var}{or}(?u:[^;\n]{{0,80}}?)\b([A-Z0-9_]*PORT[A-Z0-9_]*)\b"
            ))?,
            listen: re(r"\.listen\(\s*([0-9]{2,5})\s*[,)]".into())?,
            assign: re(r#"\bPORT\s*=\s*['"]?([0-9]{2,5})\b"#.into())?,
            // A config module's default on the start path: `port: 9000,`.
            config: re(r"(?m)^\s*port\s*:\s*([0-9]{2,5})\s*,".into())?,
        })
    }
}

/// The first port idiom in `text`, strongest first. `path`: the file is on the start
/// path, where a config module's `port: N` default counts too.
fn port_in(
    ids: &Idioms,
    text: &str,
    file: &str,
    path: bool,
    on_path: &[String],
    project: &Project,
) -> Option<Found> {
    let (direct, branch, constant) = (&ids.direct, &ids.branch, &ids.constant);
    if !text.contains("PORT") && !text.contains(".listen(") && !text.contains("port") {
        return None;
    }
    let good = |v: &str| {
        let head = v.trim_end_matches("PORT").trim_end_matches('_');
        !head
            .split('_')
            .any(|part| OTHER_PORTS.iter().any(|o| part.starts_with(o)))
    };
    for re in [&branch, &direct] {
        for c in re.captures_iter(text) {
            if let Some(p) = c[2].parse::<u16>().ok().filter(|p| *p >= 80)
                && good(&c[1])
            {
                return Some(Found {
                    port: p,
                    at: c.get(0)?.start(),
                    text: c[0].to_string(),
                    var: Some(c[1].to_string()),
                });
            }
        }
    }
    for c in constant.captures_iter(text) {
        if !good(&c[1]) {
            continue;
        }
        let def = regex::RegexBuilder::new(&format!(r"\b{}\s*=\s*['\x22]?([0-9]{{2,5}})\b", &c[2]))
            .unicode(false)
            .build()
            .ok()?;
        let value = std::iter::once(text.to_string())
            .chain(on_path.iter().filter_map(|f| project.read_source(f)))
            .find_map(|t| def.captures(&t).and_then(|d| d[1].parse::<u16>().ok()))
            .filter(|p| *p >= 80);
        if let Some(p) = value {
            return Some(Found {
                port: p,
                at: c.get(0)?.start(),
                text: format!("{} (`{}` = {p})", &c[0], &c[2]),
                var: Some(c[1].to_string()),
            });
        }
    }
    let mut simple = vec![&ids.listen, &ids.assign];
    let name = file.rsplit('/').next().unwrap_or(file);
    if path && name.contains("config") {
        simple.push(&ids.config);
    }
    for re in simple {
        if let Some(c) = re.captures(text)
            && let Some(port) = c[1].parse::<u16>().ok().filter(|p| *p >= 80)
        {
            return Some(Found {
                port,
                at: c.get(0)?.start(),
                text: c[0].to_string(),
                var: None,
            });
        }
    }
    None
}

/// `next start -p N` (or `--port N`) in the start script.
fn next_port_flag(pkg: &Package) -> Option<(u16, &'static str, &str)> {
    for name in START_SCRIPTS {
        let Some(script) = pkg.script(name) else {
            continue;
        };
        let Some((words, _)) = last_step(script) else {
            continue;
        };
        if words.first().map(String::as_str) != Some("next")
            || words.get(1).map(String::as_str) != Some("start")
        {
            continue;
        }
        for (i, w) in words.iter().enumerate() {
            let value = match w.as_str() {
                "-p" | "--port" => words.get(i + 1).map(String::as_str),
                _ => w.strip_prefix("--port=").or(w.strip_prefix("-p=")),
            };
            if let Some(p) = value.and_then(|v| v.parse::<u16>().ok()).filter(|p| *p > 0) {
                return Some((p, name, script));
            }
        }
    }
    None
}

/// The files on the path that starts the server: the start command's file (its source
/// when it is a build output) and the relative modules it imports, nearest first.
pub(super) fn start_path(project: &Project, d: &Detection) -> Vec<String> {
    let Some(cmd) = d.layer.start_command.as_deref() else {
        return Vec::new();
    };
    let words = shell_words::split(cmd).unwrap_or_default();
    let mut queue: Vec<String> = Vec::new();
    for w in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
        let w = w.trim_start_matches("./");
        if validate::relative_path("entry", w).is_err() {
            continue;
        }
        let mut guesses = vec![w.to_string()];
        // `dist/src/main.js` or `dist/index.js` built from `src/main.ts`, `server/index.ts`.
        if let Some((_, rest)) = w.split_once('/') {
            let stem = rest.trim_end_matches(".js").trim_end_matches(".mjs");
            guesses.push(stem.to_string());
            guesses.push(format!("src/{stem}"));
            guesses.push(format!("server/{stem}"));
        }
        if let Some(f) = guesses.iter().find_map(|g| module_file(project, g)) {
            queue.push(f);
            break;
        }
    }
    let import = Regex::new(
        r#"(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|^import\s+)['"](\.{1,2}/[^'"]+)['"]"#,
    );
    let Ok(import) = import else {
        return queue;
    };
    let mut i = 0;
    while i < queue.len() && queue.len() < 60 {
        let file = queue[i].clone();
        i += 1;
        let Some(text) = project.read_source(&file) else {
            continue;
        };
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for c in import.captures_iter(&text) {
            // `./dist/server/index.js` from a launcher is the built `server/index.ts`.
            let Some(target) = join(dir, &c[1]).and_then(|t| {
                module_file(project, &t).or_else(|| {
                    ["dist/", "build/", "out/"]
                        .iter()
                        .find_map(|b| t.strip_prefix(b))
                        .and_then(|rest| module_file(project, rest))
                })
            }) else {
                continue;
            };
            if !queue.contains(&target) {
                queue.push(target);
            }
        }
    }
    queue
}

/// `dir/rel` with `.` and `..` resolved; None when it leaves the project.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The source file a module specifier names: as is, with an extension, its TypeScript
/// source for a `.js` specifier, or the directory's index.
fn module_file(project: &Project, spec: &str) -> Option<String> {
    let stem = spec
        .strip_suffix(".js")
        .or(spec.strip_suffix(".mjs"))
        .unwrap_or(spec);
    let mut tries = vec![spec.to_string()];
    for ext in [".ts", ".js", ".mts", ".mjs", ".cjs"] {
        tries.push(format!("{stem}{ext}"));
    }
    for ext in [".ts", ".js"] {
        tries.push(format!("{spec}/index{ext}"));
    }
    tries
        .into_iter()
        .find(|f| project.is_file(f) && !project.is_dir(f))
}
