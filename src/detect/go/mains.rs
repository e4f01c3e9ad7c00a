//! Main packages: which programs the module holds, and which one (or all) the image runs.

use super::gomod::valid_import_path;
use super::source::GoFile;
use crate::detect::{Detection, Question};
use crate::error::{Error, Result};
use crate::scan::Project;
use crate::validate;

/// A `package main` directory and the binary `go build` names after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Main {
    /// Directory relative to the module root; `""` for the root.
    pub dir: String,
    /// The executable name: the last import-path element (`example.com/x/v2` → `x`).
    pub name: String,
}

impl Main {
    /// The package as `go build` takes it: `.` or `./cmd/api`.
    pub fn package(&self) -> String {
        if self.dir.is_empty() {
            ".".to_string()
        } else {
            format!("./{}", self.dir)
        }
    }
}

/// The main packages, root first, then `cmd/*`, then the rest, each group sorted. A
/// directory `go build` cannot name (not a valid import path) is skipped with a
/// warning, or refused when it holds the only main package.
pub fn find(files: &[GoFile], module: &str, d: &mut Detection) -> Result<Vec<Main>> {
    let mut dirs: Vec<&str> = files
        .iter()
        .filter(|f| f.package == "main")
        .map(|f| f.dir.as_str())
        .collect();
    dirs.sort_by_key(|d| (!d.is_empty(), !d.starts_with("cmd/"), *d));
    dirs.dedup();
    let (dirs, invalid): (Vec<&str>, Vec<&str>) = dirs
        .into_iter()
        .partition(|dir| dir.is_empty() || valid_import_path(dir));
    if let ([], [dir, ..]) = (dirs.as_slice(), invalid.as_slice()) {
        return Err(Error::bad_input(
            validate::shown(dir),
            "holds the only `package main`, but its path is not a valid Go import path (letters, digits and `-._~+`); rename it",
        ));
    }
    for dir in invalid {
        d.warn(format!(
            "skipping the `package main` in `{}`: its path is not a valid Go import path (letters, digits and `-._~+`)",
            validate::shown(dir)
        ));
    }
    Ok(dirs
        .into_iter()
        .map(|dir| {
            let import = if dir.is_empty() {
                module.to_string()
            } else {
                format!("{module}/{dir}")
            };
            Main {
                dir: dir.to_string(),
                name: exec_name(&import),
            }
        })
        .collect())
}

/// `go build`'s executable name for an import path: its last element, or the one
/// before a major-version suffix (`/v2`).
pub fn exec_name(import: &str) -> String {
    let mut parts = import.rsplit('/');
    let last = parts.next().unwrap_or(import);
    let version = last.len() >= 2
        && last.starts_with('v')
        && last[1..].chars().all(|c| c.is_ascii_digit())
        && !last[1..].starts_with('0');
    match (version, parts.next()) {
        (true, Some(prev)) => prev.to_string(),
        _ => last.to_string(),
    }
}

/// When a cap cut the search short (`cut` says which), a `--main` directory the search
/// did not reach is taken at its word if it exists: dockform did not look there.
pub fn trust_wanted(
    project: &Project,
    mut mains: Vec<Main>,
    module: &str,
    wanted: Option<&str>,
    cut: &[String],
) -> Vec<Main> {
    let Some(wanted) = wanted else {
        return mains;
    };
    let dir = wanted.trim_start_matches("./").trim_end_matches('/');
    let known = mains.iter().any(|m| m.dir == dir || m.name == wanted);
    if !cut.is_empty()
        && !known
        && wanted != "all"
        && !dir.is_empty()
        && valid_import_path(dir)
        && project.is_dir(dir)
    {
        mains.push(Main {
            dir: dir.to_string(),
            name: exec_name(&format!("{module}/{dir}")),
        });
    }
    mains
}

/// The mains to build: the user's `--main` (a package, a binary name or `all`), the
/// only one, or a question when there are several (answered provisionally by the first).
/// `cut` names the caps that stopped the search early: then finding nothing (or not
/// the wanted one) proves nothing, and the error says so and names `--main`.
pub fn choose(
    mains: &[Main],
    wanted: Option<&str>,
    cut: &[String],
    d: &mut Detection,
) -> Result<Vec<Main>> {
    let candidates: Vec<String> = mains.iter().map(Main::package).collect();
    if mains.is_empty() && !cut.is_empty() {
        return Err(Error::bad_input(
            "go.mod",
            format!(
                "no `package main` found, but the search stopped early ({}); pass `--main ./path/to/cmd` to name the program's package",
                cut.join("; ")
            ),
        ));
    }
    if mains.is_empty() {
        return Err(Error::bad_input(
            "go.mod",
            "no `package main` in this module, so there is no program to run; run dockform in the module of a program",
        ));
    }
    if !cut.is_empty() && wanted.is_none() {
        d.warn(format!(
            "the search for `package main` stopped early ({}); other main packages may exist (pass `--main ./path/to/cmd` to choose one)",
            cut.join("; ")
        ));
    }
    if let Some(wanted) = wanted {
        if wanted == "all" {
            d.why(
                "app",
                None,
                "`--main all`: every main package, the first is the default command",
            );
            return Ok(mains.to_vec());
        }
        let norm = wanted.trim_start_matches("./").trim_end_matches('/');
        let norm = if norm.is_empty() { "" } else { norm };
        let by_dir = mains.iter().find(|m| m.dir == norm);
        let by_name: Vec<&Main> = mains.iter().filter(|m| m.name == wanted).collect();
        let found = by_dir.or(if by_name.len() == 1 {
            by_name.first().copied()
        } else {
            None
        });
        return match found {
            Some(m) => Ok(vec![m.clone()]),
            None => Err(Error::invalid(
                "`--main`",
                format!(
                    "`{}` is not a main package of this module (candidates: {}, or `all`)",
                    validate::shown(wanted),
                    candidates.join(", ")
                ),
            )),
        };
    }
    if mains.len() > 1 {
        d.warn(format!(
            "several main packages ({}); using `{}` until `--main` picks one",
            candidates.join(", "),
            candidates[0]
        ));
        let mut options = candidates;
        options.push("all".into());
        d.questions.push(Question {
            prompt: "Which main package should the image run?".into(),
            detail: format!("this module has {} main packages; `all` builds every one, the first being the default command", mains.len()),
            candidates: options,
            flag: "--main".into(),
        });
    }
    d.layer.app = Some(mains[0].package());
    d.why(
        "app",
        None,
        if mains.len() == 1 {
            "the module's only main package"
        } else {
            "the first main package"
        },
    );
    Ok(vec![mains[0].clone()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mains(dirs: &[&str]) -> Vec<Main> {
        let files: Vec<GoFile> = dirs
            .iter()
            .map(|d| GoFile {
                path: format!("{d}/main.go"),
                dir: d.to_string(),
                package: "main".into(),
                text: String::new(),
                tags: vec![],
            })
            .collect();
        find(&files, "example.com/shop/v2", &mut Detection::default()).unwrap()
    }

    #[test]
    fn executables_are_named_like_go_build_names_them() {
        assert_eq!(exec_name("example.com/shop/v2"), "shop");
        assert_eq!(exec_name("example.com/shop/cmd/api"), "api");
        assert_eq!(exec_name("example.com/v0"), "v0");
        assert_eq!(exec_name("hello"), "hello");
    }

    #[test]
    fn the_root_comes_first_then_cmd_then_other_directories() {
        let found: Vec<String> = mains(&["services/mail", "cmd/worker", "", "cmd/api"])
            .iter()
            .map(Main::package)
            .collect();
        assert_eq!(
            found,
            vec![".", "./cmd/api", "./cmd/worker", "./services/mail"]
        );
        assert_eq!(mains(&[""])[0].name, "shop");
    }

    #[test]
    fn several_mains_without_an_answer_raise_a_question_naming_the_flag() {
        let mut d = Detection::default();
        let chosen = choose(&mains(&["cmd/api", "cmd/worker"]), None, &[], &mut d).unwrap();
        assert_eq!(chosen[0].dir, "cmd/api");
        let q = &d.questions[0];
        assert_eq!(q.flag, "--main");
        assert_eq!(q.candidates, vec!["./cmd/api", "./cmd/worker", "all"]);
    }

    #[test]
    fn an_answer_may_be_a_package_path_a_binary_name_or_all() {
        let all = mains(&["cmd/api", "cmd/worker"]);
        for wanted in ["./cmd/worker", "cmd/worker/", "worker"] {
            let mut d = Detection::default();
            assert_eq!(
                choose(&all, Some(wanted), &[], &mut d).unwrap()[0].dir,
                "cmd/worker",
                "{wanted}"
            );
            assert!(d.questions.is_empty());
        }
        assert_eq!(
            choose(&all, Some("all"), &[], &mut Detection::default())
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn an_unknown_answer_is_an_error_listing_the_candidates() {
        let err = choose(
            &mains(&["cmd/api"]),
            Some("./cmd/nope"),
            &[],
            &mut Detection::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("./cmd/api"), "{err}");
    }

    #[test]
    fn a_main_directory_go_cannot_name_is_skipped_or_refused_naming_it() {
        let file = |dir: &str| GoFile {
            path: format!("{dir}/main.go"),
            dir: dir.to_string(),
            package: "main".into(),
            text: String::new(),
            tags: vec![],
        };
        let mut d = Detection::default();
        let found = find(&[file("cmd/api"), file("cmd/x; id")], "m", &mut d).unwrap();
        assert_eq!(found.len(), 1);
        assert!(d.warnings[0].contains("`cmd/x; id`"), "{:?}", d.warnings);
        let err = find(&[file("cmd/echo ${HOME}")], "m", &mut Detection::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("`cmd/echo ${HOME}` holds the only"),
            "{err}"
        );
    }

    #[test]
    fn a_module_without_a_main_package_is_refused() {
        assert!(choose(&[], None, &[], &mut Detection::default()).is_err());
    }
}
