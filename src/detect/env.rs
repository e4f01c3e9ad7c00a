//! Environment variables the app requires: read at start without a default (so the app
//! fails without them), and those the build reads (Next.js `NEXT_PUBLIC_*`, env
//! validated by `next.config.*`). Test files are skipped; client code counts only for
//! the build. Sources are read with the run's budgeted reader.

use serde::Serialize;

use crate::scan::Project;

/// Source files looked at, at most.
const MAX_FILES: usize = 400;

/// One variable and where it is read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EnvVar {
    /// The variable's name.
    pub name: String,
    /// The file that reads it, relative to the project.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

/// The variables, each listed once (first place found), sorted by name.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RequiredEnv {
    /// Needed when the app starts.
    pub runtime: Vec<EnvVar>,
    /// Read by the build (they become build arguments, never `ENV`).
    pub build: Vec<EnvVar>,
    /// Read with a default: not required, kept as evidence of services.
    #[serde(skip)]
    pub optional: Vec<EnvVar>,
}

/// Finds the variables in the project's sources, and hands each source to `sqlite`
/// (the sources are read once).
pub fn detect(project: &Project, sqlite: &mut super::writable::Scan) -> RequiredEnv {
    let mut env = RequiredEnv::default();
    let files: Vec<String> = project
        .files()
        // A name with a line break would end the comment it is quoted in (.env.example).
        .filter(|f| is_source(f) && !is_test(f) && !f.chars().any(char::is_control))
        .take(MAX_FILES)
        .map(String::from)
        .collect();
    let next_validates = next_config_imports_env(project);
    for file in files {
        let Some(text) = project.read_source(&file) else {
            continue;
        };
        sqlite.visit(&file, &text);
        let client = text.trim_start().starts_with("\"use client\"")
            || text.trim_start().starts_with("'use client'");
        let schema_build = next_validates && is_env_module(&file);
        if file.ends_with(".py") && text.contains("BaseSettings") {
            for (name, line) in pydantic_fields(&text) {
                let file = file.clone();
                env.runtime.push(EnvVar { name, file, line });
            }
        }
        let reads: Vec<Vec<(String, bool)>> = text
            .lines()
            .enumerate()
            .map(|(line_no, line)| reads(&file, line, &text, line_no))
            .collect();
        // A schema that gives a variable a default makes it optional in the whole file
        // (t3-env's `runtimeEnv: { X: process.env.X }` reads it again without one).
        let defaulted: Vec<&str> = reads
            .iter()
            .flatten()
            .filter(|(_, required)| !required)
            .map(|(name, _)| name.as_str())
            .collect();
        for (line_no, found) in reads.iter().enumerate() {
            let at = |name: &str| EnvVar {
                name: name.to_string(),
                file: file.clone(),
                line: line_no + 1,
            };
            for (name, required) in found {
                let required = *required && !defaulted.contains(&name.as_str());
                if name.starts_with("NEXT_PUBLIC_") {
                    env.build.push(at(name));
                } else if schema_build && required {
                    env.build.push(at(name));
                    env.runtime.push(at(name));
                } else if required && !client {
                    env.runtime.push(at(name));
                } else {
                    env.optional.push(at(name));
                }
            }
        }
    }
    for list in [&mut env.runtime, &mut env.build, &mut env.optional] {
        list.sort_by(|a, b| (&a.name, &a.file, a.line).cmp(&(&b.name, &b.file, b.line)));
        list.dedup_by(|a, b| a.name == b.name);
    }
    env
}

/// Whether a variable's name says it holds a credential: a build reads it as a build
/// secret, never an `ARG` (whose value stays in the image's history). `NEXT_PUBLIC_*`
/// values are inlined into the client bundle, so they are public whatever their name.
pub fn is_secret_name(name: &str) -> bool {
    !name.starts_with("NEXT_PUBLIC_")
        && [
            "SECRET",
            "TOKEN",
            "PASSWORD",
            "PASSWD",
            "PRIVATE",
            "API_KEY",
            "CREDENTIAL",
            "_KEY",
            "DATABASE_URL",
            "DSN",
            "AUTH",
        ]
        .iter()
        .any(|w| name.contains(w))
}

fn is_source(f: &str) -> bool {
    [
        ".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx", ".jsx", ".py", ".go", ".rs",
    ]
    .iter()
    .any(|e| f.ends_with(e))
        && !f.ends_with(".d.ts")
        && !f.starts_with("next.config.")
}

fn is_test(f: &str) -> bool {
    let name = f.rsplit('/').next().unwrap_or(f);
    f.split('/').any(|c| {
        matches!(
            c,
            "test" | "tests" | "__tests__" | "spec" | "e2e" | "testdata" | "fixtures" | "benches"
        )
    }) || name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with("_test.go")
        || name.starts_with("test_")
        || name == "conftest.py"
}

/// `env.ts`, `env.mjs`, `src/env/server.ts`, ...: where t3-env style schemas live.
fn is_env_module(f: &str) -> bool {
    let name = f.rsplit('/').next().unwrap_or(f);
    name.starts_with("env.") || f.contains("/env/")
}

/// Whether `next.config.*` imports an env module (validation at build time).
fn next_config_imports_env(project: &Project) -> bool {
    ["js", "mjs", "ts", "cjs"].iter().any(|ext| {
        project
            .read_hint(&format!("next.config.{ext}"))
            .is_some_and(|t| {
                t.lines()
                    .any(|l| (l.contains("import") || l.contains("require(")) && l.contains("env"))
            })
    })
}

/// The variables `line` reads, each with whether it is required.
fn reads(file: &str, line: &str, text: &str, line_no: usize) -> Vec<(String, bool)> {
    let code = line.trim_start();
    if code.starts_with("//") || code.starts_with('#') || code.starts_with('*') {
        return Vec::new();
    }
    match file.rsplit('.').next() {
        Some("py") => python(line, text),
        Some("go") => go(line, text, line_no),
        Some("rs") => rust(line, text, line_no),
        _ => node(line, text),
    }
}

/// Upper-case variable name at the start of `s`.
fn name_at(s: &str) -> Option<String> {
    let name: String = s
        .chars()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    (name.len() > 1 && name.starts_with(|c: char| c.is_ascii_uppercase())).then_some(name)
}

/// Rest of the line after each occurrence of `marker`.
fn after<'a>(line: &'a str, marker: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    line.match_indices(marker)
        .map(move |(i, _)| &line[i + marker.len()..])
}

fn node(line: &str, text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for marker in ["process.env.", "import.meta.env."] {
        for (i, _) in line.match_indices(marker) {
            let Some(name) = name_at(&line[i + marker.len()..]) else {
                continue;
            };
            let before = line[..i].trim_end();
            // `Number(process.env.PORT) || 8080`: the fallback follows the call.
            let rest = line[i + marker.len() + name.len()..].trim_start_matches([')', ' ']);
            let tested = before.ends_with("if (")
                || before.ends_with('!')
                || before.ends_with("&&")
                || before.ends_with("||");
            let fallback = ["??", "||", "?", "&&", "==", "!="]
                .iter()
                .any(|op| rest.starts_with(op));
            out.push((name, !tested && !fallback));
        }
    }
    // A schema entry (`PORT: z.string()`) is a line that starts `NAME:` in a file that
    // declares a schema. The file is searched only for such lines: searching it for every
    // line made a large bundle (a 1 MB `pdf.mjs`) cost most of a second.
    let code = line.trim_start();
    let entry = name_at(code).filter(|name| code[name.len()..].trim_start().starts_with(':'));
    let schema = || {
        text.contains("cleanEnv(")
            || text.contains("createEnv(")
            || text.contains("process.env")
                && (text.contains("z.object(") || text.contains("Joi.object("))
    };
    if let Some(name) = entry
        && schema()
        && let Some(value) = code[name.len()..].trim_start().strip_prefix(':')
    {
        let value = value.trim_start();
        let validator = [
            "z.", "str(", "num(", "bool(", "port(", "url(", "host(", "email(", "json(", "Joi.",
        ]
        .iter()
        .any(|v| value.starts_with(v));
        let optional = ["default", "optional", "nullish", "devDefault"]
            .iter()
            .any(|w| value.contains(w));
        if validator {
            out.push((name, !optional));
        }
    }
    out
}

fn python(line: &str, text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    // `os.environ["X"]` fails at start unless the code first asks whether X is set
    // (`if "X" in os.environ:`), as optional settings do.
    let guarded = |n: &str| {
        [
            format!("\"{n}\" in os.environ"),
            format!("'{n}' in os.environ"),
        ]
        .iter()
        .any(|g| text.contains(g.as_str()))
    };
    for marker in ["os.environ[\"", "os.environ['"] {
        out.extend(
            after(line, marker)
                .filter_map(name_at)
                .map(|n| (n.clone(), !guarded(&n))),
        );
    }
    for marker in [
        "os.environ.get(\"",
        "os.environ.get('",
        "os.getenv(\"",
        "os.getenv('",
    ] {
        out.extend(after(line, marker).filter_map(name_at).map(|n| (n, false)));
    }
    out
}

/// The next `n` lines after `line_no`.
fn following(text: &str, line_no: usize, n: usize) -> String {
    text.lines()
        .skip(line_no + 1)
        .take(n)
        .collect::<Vec<_>>()
        .join("\n")
}

fn go(line: &str, text: &str, line_no: usize) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for rest in after(line, "os.Getenv(\"") {
        let Some(name) = name_at(rest) else { continue };
        let var = line
            .split(":=")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let next = following(text, line_no, 4);
        let checked = !var.is_empty()
            && !var.contains(' ')
            && next.contains(&format!("{var} == \"\""))
            && ["log.Fatal", "panic(", "os.Exit(", "slog.Error"]
                .iter()
                .any(|f| next.contains(f));
        out.push((name, checked));
    }
    out
}

fn rust(line: &str, text: &str, line_no: usize) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    // `env!` is read by the compiler (set by a build script), not at start.
    for marker in ["env::var(\""] {
        for rest in after(line, marker) {
            let Some(name) = name_at(rest) else { continue };
            let statement = format!("{rest}\n{}", following(text, line_no, 2));
            let statement = statement.split(';').next().unwrap_or_default();
            let defaulted = statement.contains("unwrap_or") || statement.contains(".ok()");
            let required = statement.contains('?')
                || statement.contains(".expect(")
                || statement.contains(".unwrap()");
            out.push((name, required && !defaulted));
        }
    }
    out
}

/// Fields of pydantic `BaseSettings` classes without a default: `name: type` lines in
/// the class body. Handled apart because they span lines.
fn pydantic_fields(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut in_class = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("class ") {
            in_class = line.contains("BaseSettings");
            continue;
        }
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_class = false;
        }
        if !in_class {
            continue;
        }
        let code = line.trim();
        let Some((name, ty)) = code.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty()
            || name == "model_config"
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || ty.contains('=')
            || ty.contains("Optional")
            || ty.contains("None")
            || code.starts_with("def ")
        {
            continue;
        }
        out.push((name.to_ascii_uppercase(), i + 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(files: &[(&str, &str)]) -> RequiredEnv {
        let root = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = root.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        detect(
            &Project::scan(root.path()).unwrap(),
            &mut super::super::writable::Scan::default(),
        )
    }

    fn names(vars: &[EnvVar]) -> Vec<String> {
        vars.iter()
            .map(|v| format!("{}@{}:{}", v.name, v.file, v.line))
            .collect()
    }

    #[test]
    fn node_reads_without_fallback_and_schemas() {
        let e = env(&[
            (
                "src/server.js",
                "const url = process.env.DATABASE_URL;\nconst port = process.env.PORT ?? 3000;\nconst n = Number(process.env.WORKERS) || 2;\nif (process.env.DEBUG) {}\nconst k = process.env.API_KEY!;\n",
            ),
            (
                "src/env.ts",
                "import { z } from 'zod';\nexport const env = z.object({\n  SECRET: z.string(),\n  LEVEL: z.string().default('info'),\n}).parse(process.env);\n",
            ),
            ("src/server.test.js", "process.env.ONLY_IN_TESTS;\n"),
        ]);
        assert_eq!(
            names(&e.runtime),
            [
                "API_KEY@src/server.js:5",
                "DATABASE_URL@src/server.js:1",
                "SECRET@src/env.ts:3"
            ]
        );
        assert!(e.build.is_empty());
    }

    #[test]
    fn python_go_rust_required_reads() {
        let e = env(&[
            (
                "app.py",
                "import os\nKEY = os.environ['SECRET_KEY']\nDBG = os.environ.get('DEBUG')\nif 'TMP' in os.environ:\n    T = os.environ['TMP']\n",
            ),
            (
                "main.go",
                "func main() {\n\tdsn := os.Getenv(\"DATABASE_URL\")\n\tif dsn == \"\" {\n\t\tlog.Fatal(\"DATABASE_URL is required\")\n\t}\n\tp := os.Getenv(\"PORT\")\n}\n",
            ),
            (
                "src/main.rs",
                "fn main() {\n    let t = std::env::var(\"TOKEN\").expect(\"TOKEN\");\n    let p = env::var(\"PORT\").unwrap_or_default();\n}\n",
            ),
        ]);
        assert_eq!(
            names(&e.runtime),
            [
                "DATABASE_URL@main.go:2",
                "SECRET_KEY@app.py:2",
                "TOKEN@src/main.rs:2"
            ]
        );
    }

    #[test]
    fn next_public_names_are_build_time() {
        let e = env(&[(
            "app/page.tsx",
            "\"use client\";\nexport const u = process.env.NEXT_PUBLIC_API_URL;\nconst x = process.env.SERVER_ONLY;\n",
        )]);
        assert_eq!(names(&e.build), ["NEXT_PUBLIC_API_URL@app/page.tsx:2"]);
        assert!(e.runtime.is_empty());
    }

    #[test]
    fn a_schema_default_makes_a_variable_optional_in_the_whole_file() {
        let e = env(&[
            (
                "next.config.mjs",
                "import \"./src/env.mjs\";\nexport default {};\n",
            ),
            (
                "src/env.mjs",
                "export const env = createEnv({\n  server: {\n    KEY_SECRET: z.string(),\n    LEVEL: z.string().default(\"info\"),\n  },\n  runtimeEnv: {\n    KEY_SECRET: process.env.KEY_SECRET,\n    LEVEL: process.env.LEVEL,\n  },\n});\n",
            ),
        ]);
        assert_eq!(names(&e.build), ["KEY_SECRET@src/env.mjs:3"]);
        assert_eq!(names(&e.runtime), ["KEY_SECRET@src/env.mjs:3"]);
    }

    #[test]
    fn secret_names_are_build_secrets_and_public_ones_are_not() {
        for name in [
            "AUTH_SECRET",
            "GITHUB_TOKEN",
            "STRIPE_API_KEY",
            "DATABASE_URL",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "NEXT_PUBLIC_AUTH_TOKEN",
            "SITE_URL",
            "NODE_ENV",
            "KEYCLOAK_REALM",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn a_file_name_with_a_line_break_is_not_quoted() {
        let e = env(&[("a\nEVIL=1.js", "const x = process.env.SECRET;\n")]);
        assert!(e.runtime.is_empty(), "{e:?}");
    }

    #[test]
    fn pydantic_settings_fields_without_defaults() {
        let text = "class Settings(BaseSettings):\n    database_url: str\n    debug: bool = False\n    model_config = SettingsConfigDict()\n";
        assert_eq!(pydantic_fields(text), [("DATABASE_URL".to_string(), 2)]);
    }
}
