//! The module's own Go files: package clauses, build constraints, cgo, embeds,
//! generate directives and the port the program listens on.

use std::collections::BTreeSet;

use regex::Regex;

use crate::detect::Detection;
use crate::scan::Project;
use crate::validate;

/// Go files read at most; enough for any program dockform would containerize.
pub const MAX_FILES: usize = 3000;

/// Build tags the toolchain sets itself (operating systems, architectures, cgo, ...).
const SYSTEM_TAGS: &[&str] = &[
    "linux",
    "darwin",
    "windows",
    "freebsd",
    "openbsd",
    "netbsd",
    "dragonfly",
    "solaris",
    "illumos",
    "aix",
    "plan9",
    "android",
    "ios",
    "js",
    "wasip1",
    "hurd",
    "zos",
    "unix",
    "amd64",
    "arm64",
    "386",
    "arm",
    "riscv64",
    "ppc64",
    "ppc64le",
    "s390x",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "loong64",
    "wasm",
    "cgo",
    "gc",
    "gccgo",
    "ignore",
    "timetzdata",
    "netgo",
    "osusergo",
];

/// One non-test Go file of the main module.
#[derive(Clone)]
pub struct GoFile {
    /// Path relative to the project.
    pub path: String,
    /// Its directory (`""` at the root).
    pub dir: String,
    /// The package clause.
    pub package: String,
    /// The full text.
    pub text: String,
    /// Custom build tags in its `//go:build` line.
    pub tags: Vec<String>,
}

/// Reads the main module's non-test Go files: not in nested modules, `testdata`,
/// or directories the go tool ignores (`_x`, `.x`), nor files marked `//go:build ignore`.
/// The second value says whether [`MAX_FILES`] stopped the reading early.
pub fn read(project: &Project) -> (Vec<GoFile>, bool) {
    read_at_most(project, MAX_FILES)
}

/// [`read`] with another cap on the number of files (tests use a small one).
pub fn read_at_most(project: &Project, max_files: usize) -> (Vec<GoFile>, bool) {
    let nested: Vec<String> = project
        .files()
        .filter_map(|f| f.strip_suffix("/go.mod"))
        .map(|dir| format!("{dir}/"))
        .collect();
    let package_re = Regex::new(r"(?m)^package\s+(\w+)").expect("valid regex");
    let ignored_dir = |f: &str| {
        let mut dirs = f.split('/').rev().skip(1);
        dirs.any(|d| d.starts_with('.') || d.starts_with('_') || d == "testdata")
    };
    // Where main packages live first (the root, then `cmd/`), so the caps below cut
    // off library code rather than the program.
    let mut paths: Vec<&str> = project
        .files()
        .filter(|f| f.ends_with(".go") && !f.ends_with("_test.go"))
        .collect();
    paths.sort_by_key(|p| (p.contains('/'), !p.starts_with("cmd/"), *p));
    let mut out = Vec::new();
    for path in paths {
        if ignored_dir(path) || nested.iter().any(|n| path.starts_with(n.as_str())) {
            continue;
        }
        let Some(text) = project.read_budgeted(path) else {
            continue;
        };
        let Some(package) = package_re.captures(&text).map(|c| c[1].to_string()) else {
            continue;
        };
        let constraint = build_constraint(&text);
        if constraint
            .as_deref()
            .is_some_and(|c| words(c).any(|w| w == "ignore"))
        {
            continue;
        }
        let tags = constraint.as_deref().map_or_else(Vec::new, custom_tags);
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        out.push(GoFile {
            path: path.to_string(),
            dir,
            package,
            text,
            tags,
        });
        if out.len() >= max_files {
            return (out, true);
        }
    }
    (out, false)
}

/// Why the search for Go files may have missed some, one clause per cap hit.
pub fn cut_short(project: &Project, file_cap: Option<usize>) -> Vec<String> {
    let mut caps: Vec<String> = project.caps_hit().iter().map(|c| c.to_string()).collect();
    if let Some(max) = file_cap {
        caps.push(format!("dockform reads at most {max} Go files"));
    }
    caps
}

/// The `//go:build` (or old `// +build`) expression before the package clause.
fn build_constraint(text: &str) -> Option<String> {
    for line in text.lines().map(str::trim) {
        if line.starts_with("package ") {
            return None;
        }
        if let Some(expr) = line
            .strip_prefix("//go:build ")
            .or_else(|| line.strip_prefix("// +build "))
        {
            return Some(expr.to_string());
        }
    }
    None
}

fn words(expr: &str) -> impl Iterator<Item = &str> {
    expr.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| !w.is_empty())
}

/// Tags a user must pass with `-tags`: neither system tags nor `go1.N` release tags.
fn custom_tags(expr: &str) -> Vec<String> {
    words(expr)
        .filter(|w| !SYSTEM_TAGS.contains(w) && !w.starts_with("go1"))
        .map(String::from)
        .collect()
}

/// Why the build needs cgo, if it does: `import "C"` in the module's code.
pub fn imports_c(files: &[GoFile]) -> Option<&str> {
    let re = Regex::new(r#"(?m)^\s*(?:import\s+)?"C"\s*$"#).expect("valid regex");
    files
        .iter()
        .find(|f| re.is_match(&f.text))
        .map(|f| f.path.as_str())
}

/// Warns about what `COPY . .` cannot supply: generated files, embedded paths that
/// are missing or gitignored, and build tags.
pub fn warnings(project: &Project, files: &[GoFile], d: &mut Detection) {
    let visible: BTreeSet<&str> = project.files().collect();
    let generate: Vec<&str> = files
        .iter()
        .filter(|f| f.text.contains("//go:generate "))
        .map(|f| f.path.as_str())
        .collect();
    if !generate.is_empty() {
        d.warn(format!(
            "{} {} `//go:generate` directives; the image build does not run `go generate`, so generated files must be committed (not gitignored)",
            list(&generate),
            if generate.len() == 1 { "has" } else { "have" }
        ));
    }
    for f in files {
        for pattern in embeds(&f.text) {
            let base = pattern
                .split('/')
                .take_while(|s| !s.contains(['*', '?', '[']))
                .collect::<Vec<_>>()
                .join("/");
            let rel = if f.dir.is_empty() {
                base.clone()
            } else if base.is_empty() {
                f.dir.clone()
            } else {
                format!("{}/{base}", f.dir)
            };
            let seen = visible.contains(rel.as_str())
                || visible.iter().any(|v| v.starts_with(&format!("{rel}/")));
            let shown = validate::shown(&pattern);
            if !project.is_file(&rel) && !project.is_dir(&rel) {
                d.warn(format!("`//go:embed {shown}` in `{}` names `{rel}`, which does not exist: generate it before `docker build` or in `--build-command`", f.path));
            } else if !seen {
                d.warn(format!("`//go:embed {shown}` in `{}` names `{rel}`, which `.gitignore` hides; the `.dockerignore` carries that over, so the build will not see it", f.path));
            }
        }
    }
    let tags: BTreeSet<&str> = files
        .iter()
        .flat_map(|f| f.tags.iter().map(String::as_str))
        .collect();
    if !tags.is_empty() {
        let tags: Vec<&str> = tags.into_iter().collect();
        d.warn(format!(
            "some files build only with tags ({}); the build uses none: add `-tags ...` with `--build-command` if the image needs them",
            list(&tags)
        ));
    }
}

/// Patterns of the `//go:embed` lines of a file.
fn embeds(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("//go:embed "))
    {
        let words = shell_words::split(&line.replace('`', "\"")).unwrap_or_default();
        out.extend(words.into_iter().map(|w| {
            w.trim_start_matches("all:")
                .trim_end_matches('/')
                .to_string()
        }));
    }
    out
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .take(5)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
        + if items.len() > 5 { ", ..." } else { "" }
}

/// The files of the chosen program: every file but those of the main packages not
/// chosen (`found` less `chosen`) and the directories below them.
pub fn without_other_mains(
    files: &[GoFile],
    found: &[super::mains::Main],
    chosen: &[&str],
) -> Vec<GoFile> {
    let others: Vec<&str> = found
        .iter()
        .map(|m| m.dir.as_str())
        .filter(|d| !chosen.contains(d))
        .collect();
    let other = |dir: &str| {
        others
            .iter()
            .any(|o| dir == *o || (!o.is_empty() && dir.starts_with(&format!("{o}/"))))
    };
    files
        .iter()
        .filter(|f| chosen.contains(&f.dir.as_str()) || !other(&f.dir))
        .cloned()
        .collect()
}

/// Whether the program looks like a server: it uses `net/http`, `net.Listen` or a
/// known server framework that `go.mod` requires and one of its files imports.
pub fn serves(files: &[GoFile], requires: &[String]) -> bool {
    const FRAMEWORKS: &[&str] = &[
        "github.com/gin-gonic/gin",
        "github.com/labstack/echo",
        "github.com/gofiber/fiber",
        "github.com/go-chi/chi",
        "github.com/gorilla/mux",
        "google.golang.org/grpc",
        "github.com/valyala/fasthttp",
        "connectrpc.com/connect",
    ];
    files
        .iter()
        .any(|f| f.text.contains("\"net/http\"") || f.text.contains("net.Listen("))
        || requires
            .iter()
            .filter(|r| FRAMEWORKS.iter().any(|fw| r.starts_with(fw)))
            .any(|r| files.iter().any(|f| f.text.contains(&format!("\"{r}"))))
}

/// The port from the code. The chosen main packages are searched first, with every
/// pattern; then the rest of the module, without the bare `port := "8080"` assignment
/// (too weak away from the program's entry: clients and DSNs use it too). Patterns:
/// `ListenAndServe(":8080"`, `Addr: ":8080"`, flag defaults (`flag.Int("port", 8081`,
/// cobra `Flags().StringVarP(&a, "addr", "a", ":9090"`, a default read from an env
/// helper), `getenv("X_PORT", "8080")`, `viper.SetDefault("port", 8081)`, struct tags
/// (`default:"8080"`) and `Default...Listen = ":80"` constants.
pub fn port(project: &Project, files: &[GoFile], mains: &[&str], d: &mut Detection) {
    let strong = [
        r#"(?:ListenAndServe(?:TLS)?|Listen|Run|Start)\(\s*(?:"tcp[46]?",\s*)?"[\w.\-\[\]]*:(\d{2,5})""#,
        r#"Addr\s*:\s*"[\w.\-\[\]]*:(\d{2,5})""#,
        r#"(?i)(?:flag|Flags\(\))\.(?:String|Int|Uint)(?:Var)?P?\(\s*(?:&[\w.]+\s*,\s*)?"(?:port|http-port|listen-port|addr|address|listen|listen-addr|http|http-addr|bind)"\s*,\s*(?:"\w"\s*,\s*)?(?:[\w.]+\(\s*"\w+"\s*,\s*)?"?(?:[\w.\-\[\]]*:)?(\d{2,5})\b"#,
        r#"(?i)Getenv\w*\(\s*"\w*PORT"\s*,\s*":?(\d{2,5})""#,
        r#"(?i)cmp\.Or\(\s*os\.Getenv\(\s*"\w*PORT"\s*\)\s*,\s*":?(\d{2,5})""#,
        r#"SetDefault\(\s*"(?:port|http\.port|server\.port|addr|listen)"\s*,\s*"?(?:[\w.]*:)?(\d{2,5})\b"#,
        r#"(?i)\b(?:port|httpport|addr|listenaddr|listen)\s+\w+\s+`[^`]*\bdefault:"(?:[\w.]*:)?(\d{2,5})""#,
        r#"\bDefault\w*(?:Listen|Port|Addr)\w*\s*=\s*"(?:[\w.]*:)?(\d{2,5})""#,
        // A config default for the HTTP port: `c.HttpPort = "6157"`, `HTTPPort: 8080`.
        r#"(?i)\bHttp_?Port\s*(?::|=)\s*"?(\d{2,5})\b"#,
        // A server settings literal that opens with its port: `Server: Server{Port: 80`.
        r#"\b(?:Server|HTTP|Http|Web)\w*\{\s*Port:\s*(\d{2,5})\b"#,
    ];
    let weak = r#"(?i)\b(?:port|addr)\b\s*:?=\s*":?(\d{2,5})""#;
    let strong: Vec<Regex> = strong.iter().filter_map(|p| Regex::new(p).ok()).collect();
    let all: Vec<Regex> = strong
        .iter()
        .cloned()
        .chain(Regex::new(weak).ok())
        .collect();
    let in_main = |f: &&GoFile| mains.contains(&f.dir.as_str());
    let ordered = files
        .iter()
        .filter(in_main)
        .map(|f| (f, &all))
        .chain(files.iter().filter(|f| !in_main(f)).map(|f| (f, &strong)));
    for (f, res) in ordered {
        let found = res.iter().find_map(|re| {
            let c = re.captures(&f.text)?;
            let port = c[1].parse::<u16>().ok().filter(|p| *p >= 80)?;
            // The patterns match no control characters, only words, quotes and spaces.
            Some((port, c[0].split_whitespace().collect::<Vec<_>>().join(" ")))
        });
        if let Some((port, shown)) = found {
            d.layer.port = Some(port);
            d.why(
                "port",
                Some(&f.path),
                format!("`{}`", validate::shown(&shown)),
            );
            return;
        }
    }
    let env_re = Regex::new(r"(?m)^PORT\s*=\s*(\d{2,5})\s*$").expect("valid regex");
    for file in [".env.example", ".env.sample"] {
        let Some(text) = project.read_hint(file) else {
            continue;
        };
        if let Some(port) = env_re
            .captures(&text)
            .and_then(|c| c[1].parse::<u16>().ok())
        {
            d.layer.port = Some(port);
            d.why("port", Some(file), format!("`PORT={port}`"));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> GoFile {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        GoFile {
            path: path.into(),
            dir,
            package: "main".into(),
            text: text.into(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn build_constraints_yield_only_custom_tags() {
        assert_eq!(
            custom_tags("linux && (amd64 || go1.22)"),
            Vec::<String>::new()
        );
        assert_eq!(custom_tags("integration && !windows"), vec!["integration"]);
        assert_eq!(
            build_constraint("// c\n//go:build ignore\n\npackage main\n").as_deref(),
            Some("ignore")
        );
        assert_eq!(build_constraint("package main\n//go:build x\n"), None);
    }

    #[test]
    fn import_c_is_found_alone_or_in_an_import_block() {
        assert!(
            imports_c(&[file(
                "a.go",
                "package main\n\n// #include <stdio.h>\nimport \"C\"\n"
            )])
            .is_some()
        );
        assert!(
            imports_c(&[file(
                "a.go",
                "package main\nimport (\n\t\"C\"\n\t\"fmt\"\n)\n"
            )])
            .is_some()
        );
        assert!(
            imports_c(&[file(
                "a.go",
                "package main\nimport \"fmt\"\nvar s = \"C\" + x\n"
            )])
            .is_none()
        );
    }

    #[test]
    fn embed_patterns_drop_the_all_prefix_and_keep_quoted_names() {
        assert_eq!(
            embeds("//go:embed all:web/dist static/*.css \"a b\"\nvar x embed.FS\n"),
            vec!["web/dist", "static/*.css", "a b"]
        );
    }

    fn port_of(files: &[GoFile], mains: &[&str]) -> Option<u16> {
        let dir = tempfile::tempdir().unwrap();
        let project = Project::scan(dir.path()).unwrap();
        let mut d = Detection::new("go", "go.mod", "test");
        port(&project, files, mains, &mut d);
        d.layer.port
    }

    #[test]
    fn flag_env_helper_config_and_tag_defaults_give_the_port() {
        let cases = [
            ("flag.Int(\"port\", 8071, \"port\")", 8071),
            ("flag.StringVar(&a, \"addr\", \":9031\", \"listen\")", 9031),
            (
                "flag.StringVar(&p, \"port\", getEnv(\"APP_PORT_NUMBER\", \"8082\"), \"\")",
                8082,
            ),
            ("cmd.Flags().IntVarP(&p, \"port\", \"p\", 8093, \"\")", 8093),
            ("viper.SetDefault(\"port\", 8094)", 8094),
            (
                "type Opts struct {\n\tPort int `long:\"port\" env:\"APP_PORT\" default:\"8095\"`\n}",
                8095,
            ),
            ("const DefaultListenHTTP = \":8096\"", 8096),
            (
                "func defaults(c *Config) {\n\tc.HttpPort = \"8098\"\n}",
                8098,
            ),
            (
                "var conf = Configuration{\n\tServer: Server{\n\t\tPort: 8099,\n\t},\n}",
                8099,
            ),
        ];
        for (code, want) in cases {
            let f = file("cmd/app/main.go", &format!("package main\n{code}\n"));
            assert_eq!(port_of(&[f], &["cmd/app"]), Some(want), "{code}");
        }
    }

    #[test]
    fn a_bare_port_assignment_counts_only_in_the_main_package() {
        let client = file("internal/fetch/req.go", "package fetch\nport = \"80\"\n");
        assert_eq!(port_of(&[client], &[""]), None);
        let main = file("main.go", "package main\nport := \"8097\"\n");
        assert_eq!(port_of(&[main], &[""]), Some(8097));
    }

    #[test]
    fn servers_are_recognised_by_net_http_or_a_framework() {
        assert!(serves(&[file("main.go", "import \"net/http\"")], &[]));
        let gin = file("main.go", "import \"github.com/gin-gonic/gin\"");
        assert!(serves(&[gin], &["github.com/gin-gonic/gin".into()]));
        // Required by go.mod but imported only by another program of the module.
        let worker = file("cmd/worker/main.go", "import \"fmt\"");
        assert!(!serves(&[worker], &["github.com/gin-gonic/gin".into()]));
        assert!(!serves(&[file("main.go", "import \"fmt\"")], &[]));
    }
}
