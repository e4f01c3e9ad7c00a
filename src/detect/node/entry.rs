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
    let (cmd, source, reason) = if let Some(found) = from_start_script(pkg) {
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
    if d.layer.preset.as_deref() == Some("bun") && cmd[0] == "node" {
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

/// `node [flags] file [args]` in `scripts.start`, minus leading `VAR=x` assignments.
fn from_start_script(pkg: &Package) -> Option<(Vec<String>, &'static str, String)> {
    let script = pkg.script("start")?;
    let words = shell_words::split(script).ok()?;
    let words: Vec<String> = words
        .into_iter()
        .skip_while(|w| w.contains('=') && !w.starts_with('-'))
        .collect();
    let shell_ops = ["&&", "||", ";", "|", ">", "<", "&"];
    if words.first().map(String::as_str) != Some("node")
        || words.iter().any(|w| shell_ops.contains(&w.as_str()))
    {
        return None;
    }
    let file = words.iter().skip(1).find(|w| !w.starts_with('-'))?;
    validate::relative_path("start script entry", file).ok()?;
    Some((
        words,
        "package.json",
        format!("`scripts.start` runs `{}`", validate::shown(script)),
    ))
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
    let standalone =
        Regex::new(r#"output\s*:\s*['"]standalone['"]"#).is_ok_and(|re| re.is_match(&text));
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

/// The port: from the code, then `.env.example`; else the preset default stands.
pub fn port(project: &Project, d: &mut Detection) {
    let patterns = [
        r#"process\.env\.PORT\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})"#,
        r"\.listen\(\s*(\d{2,5})\s*[,)]",
        r#"\bPORT\s*=\s*['"]?(\d{2,5})\b"#,
    ];
    let res: Vec<Regex> = patterns.iter().filter_map(|p| Regex::new(p).ok()).collect();
    let sources: Vec<&str> = project
        .files()
        .filter(|f| !f.contains("test") && !f.contains("spec") && f.matches('/').count() <= 3)
        .filter(|f| {
            [".js", ".mjs", ".cjs", ".ts", ".mts"]
                .iter()
                .any(|e| f.ends_with(e))
        })
        .filter(|f| !f.starts_with("next.config") && !f.ends_with(".d.ts"))
        .take(300)
        .collect();
    for file in sources
        .iter()
        .copied()
        .chain([".env.example", ".env.sample", ".env.defaults"])
    {
        let Some(text) = project.read_source(file) else {
            continue;
        };
        for re in &res {
            if let Some(c) = re.captures(&text)
                && let Ok(port) = c[1].parse::<u16>()
                && port >= 80
            {
                d.layer.port = Some(port);
                d.why(
                    "port",
                    Some(file),
                    format!("`{}`", validate::shown(c[0].trim())),
                );
                return;
            }
        }
    }
}
