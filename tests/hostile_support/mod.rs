//! Shared by the hostile-input suites: a Dockerfile parser that reads a file the way
//! BuildKit does (continuations, comments, heredocs, exec form), the table of hostile
//! values, the per-stack minimal projects, and a cross-check against the Python
//! `dockerfile-parse` package.

#![allow(dead_code)]

pub mod dockerfile;
pub mod pipeline;
#[path = "../tools/mod.rs"]
pub mod tools;

#[allow(unused_imports)]
pub use dockerfile::{Instruction, parse, shapes};

use std::path::Path;
use std::process::{Command, Output};

/// Checks that hold for every generated Dockerfile: it parses, opens no heredoc, every
/// context source of `COPY`/`ADD` stays inside the context, and `CMD`/`ENTRYPOINT` are
/// exec form. Returns the parsed instructions, or what is wrong.
pub fn well_formed(dockerfile: &str) -> Result<Vec<Instruction>, String> {
    let parsed = parse(dockerfile)?;
    for ins in &parsed {
        if !ins.heredocs.is_empty() {
            return Err(format!("line {} opens a heredoc", ins.line));
        }
        if matches!(ins.kind.as_str(), "CMD" | "ENTRYPOINT") && ins.exec.is_none() {
            return Err(format!("line {} is not exec form", ins.line));
        }
        if matches!(ins.kind.as_str(), "COPY" | "ADD")
            && !ins.flags.iter().any(|f| f.starts_with("--from"))
        {
            let words: Vec<&str> = ins.args.split_whitespace().collect();
            for src in &words[..words.len().saturating_sub(1)] {
                let outside =
                    src.starts_with('/') || src.split('/').any(|s| s == "..") || src.contains('$');
                if outside {
                    return Err(format!(
                        "line {} copies `{src}` from outside the context",
                        ins.line
                    ));
                }
            }
        }
    }
    Ok(parsed)
}

/// [`well_formed`], panicking with `label` and the file when it is not.
pub fn assert_well_formed(dockerfile: &str, label: &str) -> Vec<Instruction> {
    well_formed(dockerfile).unwrap_or_else(|e| panic!("{label}: {e}\n{dockerfile}"))
}

/// Instruction kinds as the Python `dockerfile-parse` package sees each Dockerfile, in
/// one interpreter run. The package is provisioned by [`tools::tools`], which fails
/// (never skips) when it cannot be had.
pub fn python_kinds(dockerfiles: &[String]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in dockerfiles.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i}.Dockerfile")), text).unwrap();
    }
    let script = "import json, sys\nfrom dockerfile_parse import DockerfileParser\nout = []\nfor i in range(int(sys.argv[2])):\n    p = DockerfileParser(path=f'{sys.argv[1]}/{i}.Dockerfile')\n    out.append([s['instruction'] for s in p.structure if s['instruction'] != 'COMMENT'])\nprint(json.dumps(out))\n";
    let output = tools::tools()
        .python()
        .args(["-c", script])
        .arg(dir.path())
        .arg(dockerfiles.len().to_string())
        .output()
        .expect("the provisioned Python runs");
    assert!(
        output.status.success(),
        "the Python `dockerfile-parse` cross-check failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A hostile value and a name for reports.
pub struct Hostile {
    pub name: &'static str,
    pub value: String,
}

/// Values meant to escape wherever they land.
pub fn hostile_values() -> Vec<Hostile> {
    let v = |name: &'static str, value: &str| Hostile {
        name,
        value: value.to_string(),
    };
    vec![
        v("newline", "x\nRUN touch /pwned"),
        v("carriage return", "x\rRUN touch /pwned"),
        v("crlf", "x\r\nRUN touch /pwned"),
        v("trailing backslash", "npm run build \\"),
        v("backslash then blanks", "npm run build \\ \t"),
        v("backslash newline", "x \\\nRUN touch /pwned"),
        v("double quote", "echo \"unterminated"),
        v("single quote", "echo 'unterminated"),
        v("json breaker", "x\", \"--inspect=0.0.0.0\"]\nRUN id #"),
        v("json brackets", "]}{[\""),
        v("command substitution", "echo $(touch /pwned)"),
        v("backticks", "echo `touch /pwned`"),
        v("variable", "echo ${HOME}"),
        v("line separator", "x\u{2028}RUN touch /pwned"),
        v("paragraph separator", "x\u{2029}RUN touch /pwned"),
        v("next line", "x\u{85}RUN touch /pwned"),
        v("vertical tab", "x\u{0b}RUN touch /pwned"),
        v("tab", "x\tRUN"),
        v("very long", &"x".repeat(100_000)),
        v(
            "leading dashes",
            "--mount=type=bind,source=/,target=/host cat /host/etc/shadow",
        ),
        v("single dash", "-rf"),
        v("dot-dot", "../../etc/passwd"),
        v("absolute path", "/etc/passwd"),
        v("nul", "x\0RUN touch /pwned"),
        v("heredoc", "cat <<EOF"),
        v("heredoc quoted", "cat <<-'EOF'"),
        v("hash", "# comment"),
        v("instruction look-alike", "ENV X=1"),
        v("byte order mark", "\u{feff}x"),
        v("non-ascii", "éè 日本 🚀"),
        v("dockerfile variable", "${PATH}"),
        v("semicolon", "x; touch /pwned"),
        // Passes every check that looks for blanks, quotes or `$` alone.
        v("shell operators without blanks", "x;id&&id>y|z"),
    ]
}

/// A minimal project of one stack: its files and the flag naming its version.
pub struct Stack {
    /// The stack id `init --stack` accepts.
    pub id: &'static str,
    /// Files of a small, valid project: (relative path, contents).
    pub files: &'static [(&'static str, &'static str)],
    /// Flag that sets the language version.
    pub version_flag: &'static str,
    /// A benign value of the version flag.
    pub version: &'static str,
}

/// One entry per stack; a new stack adds one line here (and its project fields below).
pub const STACKS: &[Stack] = &[
    Stack {
        id: "node",
        files: NODE_APP,
        version_flag: "--node-version",
        version: "22",
    },
    Stack {
        id: "nextjs",
        files: NEXT_APP,
        version_flag: "--node-version",
        version: "22",
    },
    Stack {
        id: "go",
        files: GO_APP,
        version_flag: "--go-version",
        version: "1.26",
    },
    Stack {
        id: "python",
        files: PYTHON_APP,
        version_flag: "--python-version",
        version: "3.13",
    },
    Stack {
        id: "rust",
        files: RUST_APP,
        version_flag: "--rust-version",
        version: "1.96",
    },
];

pub const GO_APP: &[(&str, &str)] = &[
    // The module's binary is `web`, the benign `--app` value.
    ("go.mod", "module example.com/web\n\ngo 1.26\n"),
    (
        "main.go",
        "package main\n\nimport \"net/http\"\n\nfunc main() { _ = http.ListenAndServe(\":8080\", nil) }\n",
    ),
];

pub const PYTHON_APP: &[(&str, &str)] = &[
    ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
    (
        "app.py",
        "from flask import Flask\n\napp = Flask(__name__)\n\n@app.get(\"/\")\ndef index():\n    return \"ok\"\n",
    ),
];

pub const RUST_APP: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    ),
    (
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n",
    ),
    (
        "src/main.rs",
        "fn main() { let _ = std::net::TcpListener::bind(\"0.0.0.0:8080\"); }\n",
    ),
];

pub const NODE_APP: &[(&str, &str)] = &[
    (
        "package.json",
        r#"{"name":"app","version":"1.0.0","main":"src/server.js","scripts":{"start":"node src/server.js","build":"tsc","test":"node --test","dev":"node --watch src/server.js"},"engines":{"node":">=20"}}"#,
    ),
    (
        "package-lock.json",
        r#"{"name":"app","lockfileVersion":3,"requires":true,"packages":{}}"#,
    ),
    ("tsconfig.json", r#"{"compilerOptions":{"outDir":"dist"}}"#),
    (
        "src/server.ts",
        "import http from 'node:http';\nhttp.createServer((q, s) => s.end('ok')).listen(process.env.PORT || 8080);\n",
    ),
    (
        "src/server.js",
        "require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT || 8080);\n",
    ),
    ("public/index.html", "<p>hi</p>\n"),
];

pub const NEXT_APP: &[(&str, &str)] = &[
    (
        "package.json",
        r#"{"name":"web","version":"1.0.0","scripts":{"dev":"next dev","build":"next build","start":"next start","test":"node --test"},"dependencies":{"next":"15.0.0","react":"19.0.0"}}"#,
    ),
    (
        "package-lock.json",
        r#"{"name":"web","lockfileVersion":3,"requires":true,"packages":{}}"#,
    ),
    (
        "next.config.mjs",
        "export default { output: 'standalone' };\n",
    ),
    (
        "app/page.js",
        "export default function Page() { return 'hi'; }\n",
    ),
    ("public/favicon.ico", "x"),
];

/// Writes `files` under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Runs the built binary with `args` in `dir`, no stdin, no `DOCKFORM_*` from the
/// environment.
pub fn dockform(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockform"));
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("DOCKFORM_") {
            cmd.env_remove(k);
        }
    }
    cmd.output().unwrap()
}

/// The Dockerfile and `.dockerignore` from `init --stdout` output.
pub fn split_stdout(stdout: &[u8]) -> (String, String) {
    let text = String::from_utf8(stdout.to_vec()).expect("stdout is UTF-8");
    let (df, ignore) = text
        .split_once("==> .dockerignore <==\n")
        .expect("two banners");
    // Other files follow (`compose.yaml`, `.env.example`, `dockform.toml`): checked by
    // their own tests, not files the image build reads.
    let ignore = ignore.split("\n==> ").next().unwrap_or(ignore);
    (
        df.trim_start_matches("==> Dockerfile <==\n").to_string(),
        ignore.to_string(),
    )
}

/// The last line of stderr, where the error is.
pub fn error_line(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .trim_end()
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

/// Runs `f` over `items` on every available core, keeping the order.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_heredocs_are_followed() {
        let df = "FROM a AS b\n# c\nRUN x \\\n  # inside\n\n  && y\nRUN cat <<EOF\nFROM evil\nEOF\nCMD [\"n\", \"s.js\"]\nCMD n s.js\n";
        let p = parse(df).unwrap();
        let kinds: Vec<&str> = p.iter().map(|i| i.kind.as_str()).collect();
        assert_eq!(kinds, ["FROM", "RUN", "RUN", "CMD", "CMD"]);
        assert_eq!(p[1].args, "x   && y");
        assert_eq!(p[2].heredocs, ["EOF"]);
        assert_eq!(
            p[3].exec.as_deref(),
            Some(&["n".to_string(), "s.js".to_string()][..])
        );
        assert_eq!(p[4].exec, None);
        assert!(parse("FROM a\nPWNED x\n").is_err());
    }
}
