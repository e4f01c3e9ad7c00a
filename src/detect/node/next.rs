//! Next.js: standalone output or `next start`, the files the config loads with it, and
//! the build-only packages output tracing would copy.

use regex::Regex;

use super::Package;
use super::port::{follow_imports, module_file};
use crate::detect::Detection;
use crate::error::Result;
use crate::scan::Project;

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
    let plain = |f: &String| {
        f.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/@+".contains(c))
    };
    let mut queue = follow_imports(project, &import, vec![config.to_string()], 30, |t| {
        module_file(project, t).filter(plain)
    });
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
