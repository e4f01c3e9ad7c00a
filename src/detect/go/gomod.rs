//! `go.mod`: the module path, the `go` and `toolchain` lines and the requirements,
//! and the Go version the builder image needs.

use crate::detect::Detection;
use crate::error::{Error, Result};
use crate::preset::Preset;
use crate::validate;

/// The parts of `go.mod` dockform uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoMod {
    /// The module path (`example.com/app`).
    pub module: String,
    /// The `go` line: the minimum Go version the module needs.
    pub go: Option<String>,
    /// The `toolchain` line without its `go` prefix (`1.26.1`).
    pub toolchain: Option<String>,
    /// Required module paths, direct and indirect.
    pub requires: Vec<String>,
}

/// Parses `go.mod` line by line; only the directives dockform needs are read.
pub fn parse(text: &str) -> Result<GoMod> {
    let mut m = GoMod::default();
    let mut in_require = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if in_require {
            if line == ")" {
                in_require = false;
            } else if let Some(path) = line.split_whitespace().next() {
                m.requires.push(unquote(path));
            }
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "module" => m.module = unquote(rest),
            // Go itself refuses a malformed version here, so dockform does too.
            "go" if major_minor(rest).is_none() => return Err(malformed(n, "go", rest)),
            "go" => m.go = Some(rest.to_string()),
            "toolchain" if rest != "default" && major_minor(rest).is_none() => {
                return Err(malformed(n, "toolchain", rest));
            }
            "toolchain" if rest != "default" => {
                m.toolchain = Some(rest.trim_start_matches("go").to_string())
            }
            "require" if rest == "(" => in_require = true,
            "require" => m
                .requires
                .extend(rest.split_whitespace().next().map(unquote)),
            _ => {}
        }
    }
    if m.module.is_empty() {
        return Err(Error::bad_input(
            "go.mod",
            "has no `module` line; run `go mod init <path>`",
        ));
    }
    validate::line("go.mod module path", &m.module)?;
    if !valid_import_path(&m.module) {
        return Err(Error::bad_input(
            "go.mod",
            format!(
                "module path `{}` is not a valid Go import path (letters, digits and `-._~+` between slashes)",
                validate::shown(&m.module)
            ),
        ));
    }
    Ok(m)
}

/// Whether `go` accepts `path` as an import path (`module.CheckImportPath`): elements of
/// ASCII letters, digits and `-._~+` between slashes, none empty or only dots. The
/// last element names the binary, which lands unquoted in `COPY`.
pub fn valid_import_path(path: &str) -> bool {
    !path.starts_with('-')
        && path.split('/').all(|e| {
            !e.is_empty()
                && !e.chars().all(|c| c == '.')
                && e.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~+".contains(c))
        })
}

fn malformed(line: usize, directive: &str, value: &str) -> Error {
    Error::bad_input(
        "go.mod",
        format!(
            "line {}: `{directive} {}` is not a Go version like `1.26` or `1.26.1`",
            line + 1,
            validate::shown(value)
        ),
    )
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches(['"', '`']).to_string()
}

/// `1.26.1`, `1.26rc2`, `1.26` → `(1, 26)`.
pub fn major_minor(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.trim().trim_start_matches("go").split('.');
    let major = parts.next()?.parse().ok()?;
    let minor: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor.parse().ok()?))
}

fn line_of((major, minor): (u32, u32)) -> String {
    format!("{major}.{minor}")
}

/// Sets the version: the `toolchain` line if newer, else the `go` line, never older
/// than the oldest supported release. The official images set `GOTOOLCHAIN=local`,
/// so the image must be at least what `go.mod` requires.
pub fn version(m: &GoMod, preset: &Preset, wanted: Option<&str>, d: &mut Detection) {
    let go =
        m.go.as_deref()
            .and_then(|v| major_minor(v).map(|mm| (mm, format!("go {v}"))));
    let tc = m
        .toolchain
        .as_deref()
        .and_then(|v| major_minor(v).map(|mm| (mm, format!("toolchain go{v}"))));
    if let (Some(v), None) = (&m.go, &go) {
        d.warn(format!(
            "ignoring `go {}` in `go.mod`: not a Go version",
            validate::shown(v)
        ));
    }
    if let (Some(flag), Some((need, line))) = (wanted, &go)
        && major_minor(flag).is_some_and(|f| f < *need)
    {
        d.warn(format!(
            "`--go-version {}` is older than `{line}` in `go.mod`; the image sets `GOTOOLCHAIN=local`, so the build will fail",
            validate::shown(flag)
        ));
    }
    let Some((picked, line)) = [go, tc].into_iter().flatten().max_by_key(|(mm, _)| *mm) else {
        return;
    };
    let versions = &preset.versions;
    let supported: Vec<(u32, u32)> = versions
        .candidates()
        .filter_map(|r| major_minor(&r.version))
        .collect();
    let known_newest = versions
        .release
        .first()
        .and_then(|r| major_minor(&r.version));
    let (Some(oldest), Some(known_newest)) = (supported.last().copied(), known_newest) else {
        return;
    };
    let version = if picked < oldest {
        let eol = versions
            .release(&line_of(picked))
            .and_then(|r| r.eol)
            .map_or(String::new(), |e| format!(" (end of life {e})"));
        d.warn(format!(
            "`{line}` in `go.mod` is a minimum and Go {}{eol} is no longer supported; building with Go {}, the oldest supported (pass `--go-version` to choose)",
            line_of(picked),
            line_of(oldest)
        ));
        d.why(
            "version",
            Some("go.mod"),
            format!(
                "`{line}` is a minimum, raised to the oldest supported Go {}",
                line_of(oldest)
            ),
        );
        oldest
    } else if picked > known_newest {
        d.warn(format!(
            "`{line}` in `go.mod` is newer than the Go releases dockform knows ({}); building with Go {} will fail under `GOTOOLCHAIN=local` (update dockform, or pass `--go-version`)",
            line_of(known_newest),
            line_of(known_newest)
        ));
        d.why(
            "version",
            Some("go.mod"),
            format!("`{line}`, newer than any known release"),
        );
        known_newest
    } else {
        d.why("version", Some("go.mod"), format!("`{line}`"));
        picked
    };
    d.layer.version = Some(line_of(version));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go_preset() -> Preset {
        go_preset_at("2026-12-01")
    }

    fn go_preset_at(today: &str) -> Preset {
        let today = crate::versions::Date::parse(today).unwrap();
        crate::preset::Presets::embedded_at(today)
            .unwrap()
            .get("go")
            .unwrap()
            .clone()
    }

    fn detect_version(text: &str, flag: Option<&str>) -> Detection {
        let mut d = Detection::default();
        version(&parse(text).unwrap(), &go_preset(), flag, &mut d);
        d
    }

    #[test]
    fn reads_module_go_toolchain_and_requirements() {
        let m = parse("// c\nmodule \"example.com/app\"\n\ngo 1.25.1\ntoolchain go1.26.2\nrequire a.io/x v1.0.0 // indirect\nrequire (\n\tb.io/y v0.1.0\n\t// note\n\tc.io/z/v2 v2.0.0 // indirect\n)\n").unwrap();
        assert_eq!(m.module, "example.com/app");
        assert_eq!(m.go.as_deref(), Some("1.25.1"));
        assert_eq!(m.toolchain.as_deref(), Some("1.26.2"));
        assert_eq!(m.requires, vec!["a.io/x", "b.io/y", "c.io/z/v2"]);
    }

    #[test]
    fn a_go_mod_without_module_line_is_refused() {
        assert!(
            parse("go 1.25\n")
                .unwrap_err()
                .to_string()
                .contains("`module`")
        );
    }

    #[test]
    fn a_module_path_go_would_refuse_is_refused_naming_go_mod() {
        for bad in [
            "example.com/a b",
            "example.com/echo ${HOME}",
            "x;id",
            "../x",
            "-x",
            "/x",
        ] {
            let err = parse(&format!("module {bad}\n")).unwrap_err().to_string();
            assert!(err.starts_with("`go.mod` module path"), "{bad}: {err}");
        }
        for good in [
            "m",
            "example.com/shop/v2",
            "gopkg.in/yaml.v3",
            "x.io/a_b-c~d+e",
        ] {
            assert!(parse(&format!("module {good}\n")).is_ok(), "{good}");
        }
    }

    #[test]
    fn the_toolchain_line_wins_when_it_is_newer_than_the_go_line() {
        let d = detect_version("module m\ngo 1.25\ntoolchain go1.26.1\n", None);
        assert_eq!(d.layer.version.as_deref(), Some("1.26"));
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn the_go_line_wins_over_an_older_toolchain_line() {
        let d = detect_version("module m\ngo 1.26.0\ntoolchain go1.25.3\n", None);
        assert_eq!(d.layer.version.as_deref(), Some("1.26"));
    }

    #[test]
    fn an_unsupported_go_line_is_raised_to_the_oldest_supported_release_with_a_warning() {
        let d = detect_version("module m\ngo 1.21\n", None);
        assert_eq!(d.layer.version.as_deref(), Some("1.26"));
        assert!(d.warnings[0].contains("is a minimum"), "{:?}", d.warnings);
    }

    #[test]
    fn go_1_25_is_supported_until_go_1_27_comes_out_then_raised() {
        let text = "module m\ngo 1.25\n";
        let mut before = Detection::default();
        version(
            &parse(text).unwrap(),
            &go_preset_at("2026-08-18"),
            None,
            &mut before,
        );
        assert_eq!(before.layer.version.as_deref(), Some("1.25"));
        assert!(before.warnings.is_empty(), "{:?}", before.warnings);
        let after = detect_version(text, None);
        assert_eq!(after.layer.version.as_deref(), Some("1.26"));
        assert!(
            after.warnings[0].contains("Go 1.25 (end of life 2026-08-19) is no longer supported"),
            "{:?}",
            after.warnings
        );
    }

    #[test]
    fn a_go_line_newer_than_the_data_uses_the_newest_known_release_with_a_warning() {
        let d = detect_version("module m\ngo 1.99\n", None);
        assert_eq!(d.layer.version.as_deref(), Some("1.27"));
        assert!(
            d.warnings[0].contains("newer than the Go releases dockform knows"),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn a_go_version_flag_older_than_the_go_line_is_warned_about() {
        let d = detect_version("module m\ngo 1.26\n", Some("1.25"));
        assert!(
            d.warnings[0].contains("GOTOOLCHAIN=local"),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn no_go_line_leaves_the_preset_default() {
        assert_eq!(detect_version("module m\n", None).layer.version, None);
    }

    #[test]
    fn release_candidates_and_patch_releases_reduce_to_their_line() {
        assert_eq!(major_minor("1.26rc2"), Some((1, 26)));
        assert_eq!(major_minor("go1.25.4"), Some((1, 25)));
        assert_eq!(major_minor("latest"), None);
    }
}
