//! Go detection from `go.mod`, `go.sum`, `vendor/` and the module's own Go files.
//!
//! Stack-specific facts (`Settings.extra`) set here, used by `templates/go`:
//! - `module` (string): the module path.
//! - `go_sum` (bool): `go.sum` exists, so it is copied with `go.mod`.
//! - `vendored` (bool): `vendor/modules.txt` exists; builds use `-mod=vendor`.
//! - `download` (bool): `go mod download` has work to do (requirements, not vendored).
//! - `cgo` (bool), `cgo_reason` (string): cgo is needed (`import "C"` or a cgo module),
//!   so the build sets `CGO_ENABLED=1` and the runtime needs a C library.
//! - `binaries` (list): executables built into `/out/`; the first is the default command.

mod cli;
pub(crate) mod gomod;
mod imports;
mod mains;
mod source;

use super::Detection;
use super::go_workspace::GoWorkspace;
use crate::error::{Error, Result};
use crate::layer::Layer;
use crate::preset::Presets;
use crate::scan::Project;
use crate::validate;

/// Modules that only build with cgo (they wrap a C library).
const CGO_MODULES: &[&str] = &[
    "github.com/mattn/go-sqlite3",
    "github.com/confluentinc/confluent-kafka-go",
    "github.com/mattn/go-oci8",
    "github.com/linxGnu/grocksdb",
    "github.com/tecbot/gorocksdb",
    "github.com/h2non/bimg",
    "github.com/davidbyttow/govips",
    "github.com/go-gl/glfw",
    "github.com/go-gl/gl",
    "gopkg.in/gographics/imagick",
];

/// Where `go build -o /out/` puts binaries and where the final image keeps them.
const BIN_DIR: &str = "/usr/local/bin";

/// Detects a Go module with at least one main package.
pub fn detect(project: &Project, presets: &Presets, hints: &Layer) -> Result<Option<Detection>> {
    let Some(text) = project.read("go.mod")? else {
        return Ok(None);
    };
    let m = gomod::parse(&text)?;
    let mut d = Detection::new("go", "go.mod", format!("`go.mod` of module `{}`", m.module));
    let preset = presets.get("go")?;
    // A member of a `go.work` builds in workspace mode, from the root: the workspace's
    // `go` line (at least every member's), its vendor directory, every member's modules.
    let ws = GoWorkspace::enclosing(project.root());
    let lines = match &ws {
        Some((w, _)) if w.lines.go.is_some() => &w.lines,
        _ => &m,
    };
    gomod::version(lines, preset, hints.version.as_deref(), &mut d);
    d.fact("module", m.module.as_str(), Some("go.mod"), "`module` line");

    let go_sum = project.is_file("go.sum");
    let vendored = match &ws {
        Some((w, _)) => w.vendored,
        None => project.is_file("vendor/modules.txt"),
    };
    let download = match &ws {
        Some((w, _)) => w.downloads() && !vendored,
        None => !m.requires.is_empty() && !vendored,
    };
    d.fact(
        "go_sum",
        go_sum,
        go_sum.then_some("go.sum"),
        if go_sum {
            "copied with `go.mod`"
        } else {
            "absent, so only `go.mod` is copied"
        },
    );
    d.fact(
        "vendored",
        vendored,
        vendored.then_some("vendor/modules.txt"),
        if vendored {
            "modules are vendored: `-mod=vendor`"
        } else {
            "no `vendor/modules.txt`"
        },
    );
    let why = if vendored {
        "vendored, nothing to download"
    } else if download && ws.is_some() {
        "a member's `go.mod` has requirements outside the workspace"
    } else if download {
        "`go.mod` has requirements"
    } else if ws.is_some() {
        "no member requires a module outside the workspace"
    } else {
        "`go.mod` requires no modules"
    };
    d.fact("download", download, Some("go.mod"), why);
    // A requirement on another workspace member is resolved from its directory.
    let outside = m.requires.iter().any(|r| {
        ws.as_ref()
            .is_none_or(|(w, _)| !w.members.iter().any(|x| &x.module == r))
    });
    if outside && !vendored && !go_sum {
        d.warn("`go.mod` has requirements but there is no `go.sum`; run `go mod tidy` and commit `go.sum`, or the build fails with `missing go.sum entry`");
    }
    if project.is_dir("vendor") && !project.is_file("vendor/modules.txt") && ws.is_none() {
        d.warn("`vendor/` has no `modules.txt`; run `go mod vendor` or remove `vendor/` (it is ignored)");
    }
    match &ws {
        Some((w, member)) => {
            if let Some(why) = w.unbuildable() {
                return Err(Error::bad_input(w.root.join("go.work").display().to_string(), why));
            }
            workspace_fact(w, member, download, &mut d)
        }
        None if project.is_file("go.work") => d.warn("`go.work` is present but does not `use .`; the image builds this module alone, with the modules `go.mod` requires"),
        None => {}
    }

    let (files, file_cap) = source::read(project);
    let cut = source::cut_short(project, file_cap.then_some(source::MAX_FILES));
    let cgo = cgo(&files, &m.requires);
    let (cgo_on, cgo_reason) = match &cgo {
        Some((file, reason)) => {
            d.fact("cgo", true, Some(file), reason.as_str());
            (true, reason.clone())
        }
        None => {
            d.fact(
                "cgo",
                false,
                None,
                "no `import \"C\"` and no cgo module: a static binary",
            );
            (false, String::new())
        }
    };
    d.fact(
        "cgo_reason",
        cgo_reason.as_str(),
        None,
        "shown in the Dockerfile",
    );
    if cgo_on && hints.runtime.as_deref() == Some("scratch") {
        return Err(Error::invalid(
            "`--runtime`",
            format!(
                "`scratch` has no C library, but the build needs cgo ({cgo_reason}); choose `distroless` or `slim`"
            ),
        ));
    }

    let found = mains::find(&files, &m.module, &mut d)?;
    let found = mains::trust_wanted(project, found, &m.module, hints.app.as_deref(), &cut);
    let chosen = mains::choose(&found, hints.app.as_deref(), &cut, &mut d)?;
    if let Some(app) = &hints.app {
        d.layer.app = Some(app.clone());
    }
    commands(
        &chosen,
        vendored,
        hints.runtime.as_deref() == Some("scratch"),
        &mut d,
    );

    if hints.start_command.is_none()
        && let Some((word, why)) = cli::subcommand(
            &files
                .iter()
                .filter(|f| !f.path.starts_with("vendor/"))
                .collect::<Vec<_>>(),
            &chosen[0].name,
        )
    {
        for cmd in [d.layer.start_command.as_mut(), d.layer.dev_command.as_mut()]
            .into_iter()
            .flatten()
        {
            cmd.push(' ');
            cmd.push_str(&word);
        }
        d.why("start-command", None, why);
    }
    let dirs: Vec<&str> = chosen.iter().map(|c| c.dir.as_str()).collect();
    if !file_cap {
        go_imports(&m.module, &files, ws.as_ref(), &dirs, &mut d);
    }
    // Another main package is another program: its port and server are not this one's.
    let own = source::without_other_mains(&files, &found, &dirs);
    source::port(project, &own, &dirs, &mut d);
    if d.layer.port.is_none() && !source::serves(&own, &m.requires) {
        d.layer.port = Some(0);
        d.why(
            "port",
            None,
            "no `net/http`, `net.Listen` or server framework: serves no HTTP",
        );
    }
    if !d.extra.contains_key("listen_env") {
        d.fact(
            "listen_env",
            Vec::<serde_json::Value>::new(),
            None,
            "no bind variable other than `PORT`",
        );
    }
    source::warnings(project, &files, &mut d);
    Ok(Some(d))
}

/// `go_imports`: the outside packages the chosen mains reach through the module's own
/// packages and, in a workspace, those of the members they build from (`services.rs`
/// takes drivers from them rather than from `go.mod`).
fn go_imports(
    module: &str,
    files: &[source::GoFile],
    ws: Option<&(GoWorkspace, String)>,
    mains: &[&str],
    d: &mut Detection,
) {
    let mut others: Vec<(String, String, Vec<source::GoFile>)> = Vec::new();
    if let Some((w, member)) = ws {
        let up = if member == "." {
            String::new()
        } else {
            "../".repeat(member.split('/').count())
        };
        for dir in w.closure(member).iter().filter(|dir| *dir != member) {
            let (Some(other), Ok(project)) = (w.member(dir), Project::scan(&w.root.join(dir)))
            else {
                continue;
            };
            let (theirs, cut) = source::read(&project);
            if cut {
                return;
            }
            let shown = if dir == "." {
                up.clone()
            } else {
                format!("{up}{dir}/")
            };
            others.push((other.module.clone(), shown, theirs));
        }
    }
    let mut modules = vec![imports::Module {
        path: module,
        shown: String::new(),
        files,
    }];
    modules.extend(others.iter().map(|(path, shown, files)| imports::Module {
        path,
        shown: shown.clone(),
        files,
    }));
    let found: Vec<serde_json::Value> = imports::reachable(&modules, mains)
        .into_iter()
        .map(|(import, file)| serde_json::json!({ "import": import, "file": file }))
        .collect();
    d.fact(
        "go_imports",
        found,
        None,
        "the outside packages the program imports, through its own packages and the workspace members it builds from",
    );
}

/// The main packages of the module in `project` (a workspace member): each one's
/// directory in the module (`""` for its root) and the binary `go build` names after it.
pub fn mains_of(project: &Project) -> Result<Vec<(String, String)>> {
    let Some(text) = project.read("go.mod")? else {
        return Ok(Vec::new());
    };
    let m = gomod::parse(&text)?;
    let (files, _) = source::read(project);
    let found = mains::find(&files, &m.module, &mut Detection::default())?;
    Ok(found.into_iter().map(|x| (x.dir, x.name)).collect())
}

/// `workspace`: how a member of a `go.work` builds from the root. `member` (its
/// directory, `.` for the root), `copies` (the module files of the dependency layer,
/// grouped by directory: `go.work` needs every member's `go.mod`, and versions are
/// chosen across them all), `sources` (the members it builds from, the only sources
/// copied), `download_step` (whether `go mod download` can run before the sources).
fn workspace_fact(ws: &GoWorkspace, member: &str, download: bool, d: &mut Detection) {
    let mut copies = vec![serde_json::json!({
        "dir": ".",
        "files": if ws.work_sum { vec!["go.work", "go.work.sum"] } else { vec!["go.work"] },
    })];
    for m in &ws.members {
        let mut files = vec![format!("{}/go.mod", m.dir)];
        if m.go_sum {
            files.push(format!("{}/go.sum", m.dir));
        }
        if m.dir == "." {
            files = files
                .iter()
                .map(|f| f.trim_start_matches("./").to_string())
                .collect();
            if let Some(a) = copies[0]["files"].as_array_mut() {
                a.extend(files.iter().map(|f| serde_json::json!(f)));
            }
        } else {
            copies.push(serde_json::json!({ "dir": m.dir, "files": files }));
        }
    }
    let sources = ws.closure(member);
    let unreplaced = ws.unreplaced();
    let download_step = download && unreplaced.is_empty();
    let why = match unreplaced.first() {
        Some((dir, module)) if download => format!(
            "`{}/go.mod` requires the workspace module `{}` at a placeholder version with no `replace` to its directory, so `go mod download` would look that version up in the module proxy, which never has it; modules download during `go build` instead, into the cache mount",
            validate::shown(dir),
            validate::shown(module)
        ),
        _ if download => "`go mod download` from the module files alone".to_string(),
        _ => "nothing to download".to_string(),
    };
    d.fact(
        "workspace",
        serde_json::json!({
            "member": member,
            "copies": copies,
            "sources": sources,
            "download_step": download_step,
            "download_why": why,
        }),
        Some("go.work"),
        format!(
            "member `{}` of the Go workspace: built from the root with {}",
            validate::shown(member),
            sources.join(", ")
        ),
    );
    if let Some((dir, module)) = unreplaced.first().filter(|_| download) {
        d.warn(format!(
            "`{dir}/go.mod` requires the workspace module `{module}` at a placeholder version and does not replace it with its directory, so `go mod download` cannot run before the sources: modules download during `go build` and no layer keeps them; add `replace {module} => <its directory, relative to {dir}>` to cache them in a layer of their own",
            dir = validate::shown(dir),
            module = validate::shown(module)
        ));
    }
}

/// cgo is needed when the module imports "C" or requires a module that wraps C.
fn cgo(files: &[source::GoFile], requires: &[String]) -> Option<(String, String)> {
    if let Some(file) = source::imports_c(files) {
        // The reason lands in a Dockerfile comment: a file name may hold a newline.
        let shown = validate::shown(file);
        return Some((file.to_string(), format!("`import \"C\"` in `{shown}`")));
    }
    let module = requires.iter().find(|r| {
        CGO_MODULES
            .iter()
            .any(|c| r.as_str() == *c || r.starts_with(&format!("{c}/")))
    })?;
    Some(("go.mod".to_string(), format!("`{module}` needs cgo")))
}

/// Build, start, dev and test commands for the chosen mains.
fn commands(chosen: &[mains::Main], vendored: bool, scratch: bool, d: &mut Detection) {
    let packages: Vec<String> = chosen
        .iter()
        .map(|m| shell_words::quote(&m.package()).into_owned())
        .collect();
    let mode = if vendored { " -mod=vendor" } else { "" };
    // scratch has no time zone database; `timetzdata` embeds Go's copy in the binary.
    let tags = if scratch { " -tags timetzdata" } else { "" };
    d.layer.build_command = Some(format!(
        "go build{mode} -trimpath{tags} -ldflags=\"-s -w\" -o /out/ {}",
        packages.join(" ")
    ));
    d.why(
        "build-command",
        Some("go.mod"),
        format!("builds {} into `/out/`", packages.join(" ")),
    );
    let names: Vec<String> = chosen.iter().map(|m| m.name.clone()).collect();
    d.layer.start_command =
        Some(shell_words::quote(&format!("{BIN_DIR}/{}", names[0])).into_owned());
    d.why(
        "start-command",
        None,
        format!("the `{}` binary, run directly as PID 1", names[0]),
    );
    d.fact(
        "binaries",
        names,
        Some("go.mod"),
        "named by `go build` after each main package",
    );
    d.layer.dev_command = Some(format!("go run{mode} {}", packages[0]));
    d.why("dev-command", None, "`go run` of the main package");
    d.layer.test_command = Some(format!("go test{mode} ./..."));
    d.why("test-command", None, "every package of the module");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let project = Project::scan(dir.path()).unwrap();
        (dir, project)
    }

    fn run(files: &[(&str, &str)], hints: Layer) -> Result<Detection> {
        let (_dir, p) = project(files);
        detect(&p, &Presets::for_tests(), &hints).map(|d| d.unwrap())
    }

    /// A module whose only `package main` lies where a cap stops the search.
    fn hidden_main(extra: impl FnOnce(&std::path::Path), main_dir: &str) -> tempfile::TempDir {
        let (dir, _) = project(&[
            ("go.mod", "module example.com/deep\n\ngo 1.26\n"),
            (
                &format!("{main_dir}/main.go"),
                "package main\n\nfunc main() {}\n",
            ),
        ]);
        extra(dir.path());
        dir
    }

    fn detect_in(dir: &std::path::Path, app: Option<&str>) -> Result<Detection> {
        let hints = Layer {
            app: app.map(String::from),
            ..Layer::default()
        };
        let p = Project::scan(dir).unwrap();
        detect(&p, &Presets::embedded().unwrap(), &hints).map(|d| d.unwrap())
    }

    #[test]
    fn a_workspace_member_downloads_first_unless_a_placeholder_requirement_forbids_it() {
        let files = |api_mod: &'static str| {
            project(&[
                ("go.work", "go 1.26\n\nuse (\n\t./api\n\t./lib\n)\n"),
                ("api/go.mod", api_mod),
                ("api/go.sum", ""),
                (
                    "api/main.go",
                    "package main\n\nimport _ \"example.com/lib\"\n\nfunc main() {}\n",
                ),
                ("lib/go.mod", "module example.com/lib\n\ngo 1.26\n"),
                ("lib/lib.go", "package lib\n"),
            ])
        };
        let base = "module example.com/api\n\ngo 1.26\n\nrequire (\n\texample.com/lib v0.0.0-00010101000000-000000000000\n\tgithub.com/x/y v1.0.0\n)\n";
        let (dir, _) = files(base);
        let d = detect_in(&dir.path().join("api"), None).unwrap();
        let ws = &d.extra["workspace"].value;
        assert_eq!(ws["download_step"], false, "{ws}");
        assert_eq!(ws["sources"], serde_json::json!(["api", "lib"]));
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("placeholder") && w.contains("replace example.com/lib")),
            "{:?}",
            d.warnings
        );
        let replaced = format!("{base}\nreplace example.com/lib => ../lib\n");
        let (dir, _) = files(Box::leak(replaced.into_boxed_str()));
        let d = detect_in(&dir.path().join("api"), None).unwrap();
        assert_eq!(d.extra["workspace"].value["download_step"], true);
        assert!(!d.warnings.iter().any(|w| w.contains("placeholder")));
    }

    #[test]
    fn a_main_below_the_depth_cap_is_not_called_missing_and_main_names_it() {
        let deep = "a/b/c/d/e/f/g/h/i";
        let dir = hidden_main(|_| {}, deep);
        let err = detect_in(dir.path(), None).unwrap_err().to_string();
        assert!(err.contains("stopped early"), "{err}");
        assert!(err.contains("at most 8 directories deep"), "{err}");
        assert!(err.contains("`--main"), "{err}");
        let d = detect_in(dir.path(), Some(&format!("./{deep}"))).unwrap();
        assert_eq!(d.layer.app.as_deref(), Some("./a/b/c/d/e/f/g/h/i"));
        assert!(
            d.layer
                .build_command
                .as_deref()
                .unwrap()
                .ends_with(&format!(" ./{deep}")),
            "{:?}",
            d.layer.build_command
        );
    }

    #[test]
    fn a_main_after_the_go_file_cap_is_not_called_missing() {
        // 40 files against a cap of 30 (3,000 in a real run), the main after them.
        let dir = hidden_main(
            |root| {
                std::fs::create_dir(root.join("lib")).unwrap();
                for i in 0..40 {
                    std::fs::write(root.join(format!("lib/f{i:02}.go")), "package lib\n").unwrap();
                }
            },
            "zz",
        );
        let p = Project::scan(dir.path()).unwrap();
        let (files, cut) = source::read_at_most(&p, 30);
        assert!(cut && !files.iter().any(|f| f.package == "main"));
        let cut = source::cut_short(&p, Some(30));
        let mains = mains::find(&files, "example.com/deep", &mut Detection::default()).unwrap();
        let err = mains::choose(&mains, None, &cut, &mut Detection::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 30 Go files"), "{err}");
        assert!(err.contains("`--main"), "{err}");
        let mains = mains::trust_wanted(&p, mains, "example.com/deep", Some("./zz"), &cut);
        let chosen = mains::choose(&mains, Some("./zz"), &cut, &mut Detection::default()).unwrap();
        assert_eq!(chosen[0].dir, "zz");
    }

    #[test]
    fn the_program_is_read_before_library_code_the_caps_may_cut() {
        let (_dir, p) = project(&[
            ("go.mod", "module example.com/m\n"),
            ("a/lib.go", "package a\n"),
            ("cmd/api/main.go", "package main\n"),
            ("main.go", "package main\n"),
        ]);
        let (files, cut) = source::read_at_most(&p, 2);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!((paths, cut), (vec!["main.go", "cmd/api/main.go"], true));
    }

    #[test]
    fn go_sources_share_one_read_budget_and_a_main_past_it_is_not_called_missing() {
        // Sparse 1 MiB files against a 4 MiB budget (32 MiB in a real run): cheap to
        // make and read, full size to dockform.
        const BUDGET: u64 = 4 * 1024 * 1024;
        let dir = hidden_main(
            |root| {
                for i in 0..9 {
                    let f = std::fs::File::create(root.join(format!("big{i}.go"))).unwrap();
                    f.set_len(1024 * 1024).unwrap();
                }
            },
            "zz",
        );
        let p = Project::scan(dir.path()).unwrap().with_hint_budget(BUDGET);
        let (files, _) = source::read(&p);
        assert!(p.bytes_read() <= BUDGET, "read {} bytes", p.bytes_read());
        let held: usize = files.iter().map(|f| f.text.len()).sum();
        assert!(held as u64 <= BUDGET);
        let err = detect(&p, &Presets::embedded().unwrap(), &Layer::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 4 MiB of source files"), "{err}");
        assert!(err.contains("`--main"), "{err}");
    }

    const HTTP: &str = "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":9000\", nil) }\n";

    #[test]
    fn a_project_without_go_mod_is_not_go() {
        let (_dir, p) = project(&[("main.go", HTTP)]);
        assert!(
            detect(&p, &Presets::for_tests(), &Layer::default())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_root_main_builds_a_static_binary_named_after_the_module() {
        let d = run(
            &[
                ("go.mod", "module example.com/hello\n\ngo 1.26\n"),
                ("main.go", HTTP),
            ],
            Layer::default(),
        )
        .unwrap();
        assert_eq!(
            d.layer.build_command.as_deref(),
            Some("go build -trimpath -ldflags=\"-s -w\" -o /out/ .")
        );
        assert_eq!(
            d.layer.start_command.as_deref(),
            Some("/usr/local/bin/hello")
        );
        assert_eq!(d.layer.port, Some(9000));
        assert_eq!(d.extra["cgo"].value, false);
        assert_eq!(d.extra["go_sum"].value, false);
        assert_eq!(d.extra["download"].value, false);
    }

    #[test]
    fn a_port_env_default_is_the_port() {
        let main = "package main\nimport (\"net/http\"; \"os\")\nfunc main() {\n\tport := os.Getenv(\"PORT\")\n\tif port == \"\" {\n\t\tport = \"8081\"\n\t}\n\thttp.ListenAndServe(\":\"+port, nil)\n}\n";
        let d = run(
            &[("go.mod", "module m\n"), ("main.go", main)],
            Layer::default(),
        )
        .unwrap();
        assert_eq!(d.layer.port, Some(8081));
    }

    #[test]
    fn a_program_without_server_code_serves_no_http() {
        let d = run(
            &[
                ("go.mod", "module m\n"),
                ("main.go", "package main\nfunc main() {}\n"),
            ],
            Layer::default(),
        )
        .unwrap();
        assert_eq!(d.layer.port, Some(0));
    }

    #[test]
    fn vendored_modules_build_with_mod_vendor_and_download_nothing() {
        let d = run(
            &[
                ("go.mod", "module m\nrequire x.io/y v1.0.0\n"),
                ("vendor/modules.txt", "# x.io/y v1.0.0\n"),
                ("main.go", HTTP),
            ],
            Layer::default(),
        )
        .unwrap();
        assert!(
            d.layer
                .build_command
                .unwrap()
                .starts_with("go build -mod=vendor ")
        );
        assert_eq!(
            d.layer.test_command.as_deref(),
            Some("go test -mod=vendor ./...")
        );
        assert_eq!(d.extra["download"].value, false);
    }

    #[test]
    fn requirements_without_go_sum_are_downloaded_with_a_warning() {
        let d = run(
            &[
                ("go.mod", "module m\nrequire x.io/y v1.0.0\n"),
                ("main.go", HTTP),
            ],
            Layer::default(),
        )
        .unwrap();
        assert_eq!(d.extra["download"].value, true);
        assert!(
            d.warnings.iter().any(|w| w.contains("go.sum")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn import_c_or_a_cgo_module_turns_cgo_on() {
        let c = "package main\n\n// int two() { return 2; }\nimport \"C\"\n\nfunc main() { _ = C.two() }\n";
        assert_eq!(
            run(
                &[("go.mod", "module m\n"), ("main.go", c)],
                Layer::default()
            )
            .unwrap()
            .extra["cgo"]
                .value,
            true
        );
        let sqlite = "module m\nrequire github.com/mattn/go-sqlite3 v1.14.22\n";
        assert_eq!(
            run(&[("go.mod", sqlite), ("main.go", HTTP)], Layer::default())
                .unwrap()
                .extra["cgo"]
                .value,
            true
        );
        let pure = "module m\nrequire modernc.org/sqlite v1.30.0\n";
        assert_eq!(
            run(&[("go.mod", pure), ("main.go", HTTP)], Layer::default())
                .unwrap()
                .extra["cgo"]
                .value,
            false
        );
    }

    #[test]
    fn a_cgo_file_name_cannot_add_a_line_to_the_dockerfile_comment() {
        let c = "package main\n\nimport \"C\"\n";
        let d = run(
            &[
                ("go.mod", "module m\n"),
                ("main.go", HTTP),
                ("x\nRUN touch y.go", c),
            ],
            Layer::default(),
        )
        .unwrap();
        let reason = d.extra["cgo_reason"].value.as_str().unwrap().to_string();
        assert_eq!(reason, "`import \"C\"` in `x\\nRUN touch y.go`");
    }

    #[test]
    fn cgo_on_scratch_is_refused() {
        let hints = Layer {
            runtime: Some("scratch".into()),
            ..Default::default()
        };
        let err = run(
            &[
                (
                    "go.mod",
                    "module m\nrequire github.com/mattn/go-sqlite3 v1.0.0\n",
                ),
                ("main.go", HTTP),
            ],
            hints,
        )
        .unwrap_err();
        assert!(err.to_string().contains("cgo"), "{err}");
    }

    #[test]
    fn scratch_builds_embed_the_time_zone_database() {
        let hints = Layer {
            runtime: Some("scratch".into()),
            ..Default::default()
        };
        let d = run(&[("go.mod", "module m\n"), ("main.go", HTTP)], hints).unwrap();
        assert!(d.layer.build_command.unwrap().contains("-tags timetzdata"));
    }

    #[test]
    fn main_all_builds_every_main_and_runs_the_first() {
        let files = [
            ("go.mod", "module example.com/shop\n"),
            ("cmd/api/main.go", HTTP),
            ("cmd/worker/main.go", "package main\nfunc main() {}\n"),
        ];
        let d = run(
            &files,
            Layer {
                app: Some("all".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            d.layer.build_command.as_deref(),
            Some("go build -trimpath -ldflags=\"-s -w\" -o /out/ ./cmd/api ./cmd/worker")
        );
        assert_eq!(d.layer.start_command.as_deref(), Some("/usr/local/bin/api"));
        assert_eq!(d.layer.dev_command.as_deref(), Some("go run ./cmd/api"));
    }

    #[test]
    fn generator_files_tagged_ignore_and_nested_modules_are_not_mains() {
        let files = [
            ("go.mod", "module m\n"),
            ("main.go", HTTP),
            (
                "gen.go",
                "//go:build ignore\n\npackage main\nfunc main() {}\n",
            ),
            ("tools/go.mod", "module tools\n"),
            ("tools/main.go", "package main\nfunc main() {}\n"),
        ];
        let d = run(&files, Layer::default()).unwrap();
        assert!(d.questions.is_empty(), "{:?}", d.questions);
    }

    #[test]
    fn generate_directives_gitignored_embeds_and_build_tags_are_warned_about() {
        let main = "package main\n\nimport \"embed\"\n\n//go:generate stringer -type=Color\n//go:embed web/dist\nvar dist embed.FS\n\nfunc main() {}\n";
        let files = [
            ("go.mod", "module m\n"),
            (".gitignore", "web/dist/\n"),
            ("main.go", main),
            ("web/dist/index.html", "<p>hi</p>"),
            ("extra.go", "//go:build enterprise\n\npackage main\n"),
        ];
        let d = run(&files, Layer::default()).unwrap();
        let all = d.warnings.join("\n");
        assert!(all.contains("`//go:generate`"), "{all}");
        assert!(all.contains("`.gitignore` hides"), "{all}");
        assert!(all.contains("`enterprise`"), "{all}");
    }

    #[test]
    fn a_missing_embedded_path_is_warned_about() {
        let main = "package main\n\nimport _ \"embed\"\n\n//go:embed version.txt\nvar v string\n\nfunc main() {}\n";
        let d = run(
            &[("go.mod", "module m\n"), ("main.go", main)],
            Layer::default(),
        )
        .unwrap();
        assert!(
            d.warnings.iter().any(|w| w.contains("does not exist")),
            "{:?}",
            d.warnings
        );
    }
}
