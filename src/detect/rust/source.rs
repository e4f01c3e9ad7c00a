//! What the files around the manifests say: the toolchain version, `.cargo/config.toml`,
//! OpenSSL use, and the port the code binds.

use regex::Regex;
use toml::{Table, Value};

use crate::detect::Detection;
use crate::error::Result;
use crate::preset::Preset;
use crate::scan::Project;
use crate::validate;

/// The toolchain file's pin, read before anything else so it wins in every command:
/// a numeric channel (`1.88.0`) that dockform has images for pins the version. Returns
/// whether a toolchain file was found (then `rust-version` is not consulted).
pub fn toolchain(project: &Project, preset: &Preset, d: &mut Detection) -> Result<bool> {
    for file in ["rust-toolchain.toml", "rust-toolchain"] {
        let Some(text) = project.read(file)? else {
            continue;
        };
        let channel = match text.parse::<Table>() {
            Ok(t) => t
                .get("toolchain")
                .and_then(Value::as_table)
                .and_then(|t| t.get("channel"))
                .and_then(Value::as_str)
                .map(String::from),
            Err(_) => text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(String::from),
        };
        let Some(channel) = channel else { continue };
        if let Some(dated) = named_channel(&channel) {
            // rustup in the builder image reads the file and installs the channel in the
            // `deps` layer (the skeleton copies the file): that toolchain compiles the
            // app, whatever release the image carries.
            d.fact(
                "toolchain",
                channel.as_str(),
                Some(file),
                format!(
                    "toolchain channel `{channel}`: rustup installs it in the builder, over the image's release, once per manifest change"
                ),
            );
            if !dated {
                d.warn(format!(
                    "`{file}` asks for the `{channel}` toolchain, which moves with every release: rustup downloads whatever `{channel}` is at each cold build (pin a dated channel like `{channel}-2026-11-01` or a version like `1.90.0` for reproducible builds)"
                ));
            }
        } else if validate::version(file, &channel).is_err() {
            d.warn(format!(
                "`{file}` asks for the `{}` toolchain, which is neither a release nor a rustup channel dockform knows; the build uses whatever rustup makes of it (pin a version like `1.90.0`)",
                validate::shown(&channel)
            ));
        } else if preset.versions.release(&channel).is_none() {
            d.warn(format!(
                "`{file}` pins Rust `{}`, which dockform has no image data for (update dockform, or pass `--rust-version`); using the preset's release",
                validate::shown(&channel)
            ));
        } else {
            d.layer.version = Some(channel.clone());
            d.why(
                "version",
                Some(file),
                format!("toolchain channel `{channel}`"),
            );
        }
        return Ok(true);
    }
    Ok(false)
}

/// A rustup channel by name: `stable`, `beta` or `nightly`, optionally dated
/// (`nightly-2022-07-19`). Returns whether it is dated.
fn named_channel(channel: &str) -> Option<bool> {
    let (name, date) = match channel.split_once('-') {
        Some((name, date)) => (name, Some(date)),
        None => (channel, None),
    };
    if !matches!(name, "stable" | "beta" | "nightly") {
        return None;
    }
    match date {
        None => Some(false),
        Some(date) => {
            let parts: Vec<&str> = date.split('-').collect();
            let dated = parts.len() == 3
                && [4, 2, 2]
                    .iter()
                    .zip(&parts)
                    .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
            dated.then_some(true)
        }
    }
}

/// `rust-version` is a minimum, met by the preset's default unless it asks for
/// something newer; then the oldest known release that meets it. `wanted` (a flag or
/// config version) older than the minimum is warned about.
pub fn version(
    root: &Table,
    package: &Table,
    preset: &Preset,
    wanted: Option<&str>,
    d: &mut Detection,
) -> Result<()> {
    let inherited = || {
        root.get("workspace")?
            .get("package")?
            .get("rust-version")?
            .as_str()
    };
    let msrv = match package.get("package").and_then(|p| p.get("rust-version")) {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Table(t)) if t.get("workspace").and_then(Value::as_bool) == Some(true) => {
            inherited()
        }
        _ => inherited(),
    };
    let Some(msrv) = msrv else { return Ok(()) };
    let minor = |v: &str| -> Option<(u64, u64)> {
        let mut it = v.split('.').map(|x| x.parse::<u64>().ok());
        Some((it.next()??, it.next().flatten().unwrap_or(0)))
    };
    if let (Some(w), Some(need)) = (wanted.and_then(&minor), minor(msrv))
        && w < need
    {
        d.warn(format!(
            "Rust {}.{} (asked for) is older than `rust-version = \"{}\"` in `Cargo.toml`; Cargo will refuse to build",
            w.0,
            w.1,
            validate::shown(msrv)
        ));
    }
    let default = preset.defaults.version.as_deref().unwrap_or_default();
    let at_least = |want: (u64, u64)| {
        preset
            .versions
            .release
            .iter()
            .rev()
            .find(|r| minor(&r.version).is_some_and(|v| v >= want))
    };
    match (minor(msrv), minor(default)) {
        (Some(want), Some(have)) if want > have => {
            let Some(release) = at_least(want) else {
                d.warn(format!(
                    "`rust-version = \"{}\"` in `Cargo.toml` is newer than the Rust releases dockform knows (update dockform, or pass `--rust-version`)",
                    validate::shown(msrv)
                ));
                return Ok(());
            };
            d.layer.version = Some(release.version.clone());
            d.why(
                "version",
                Some("Cargo.toml"),
                format!("`rust-version = \"{msrv}\"` is a minimum, newer than {default}"),
            );
        }
        (Some(_), _) => {
            d.why(
                "version",
                Some("Cargo.toml"),
                format!("`rust-version = \"{msrv}\"` is a minimum; the preset's release meets it"),
            );
        }
        (None, _) => {
            return Err(crate::error::Error::bad_input(
                "Cargo.toml",
                format!(
                    "`rust-version = \"{}\"` is not a version like `1.85`",
                    validate::shown(msrv)
                ),
            ));
        }
    }
    Ok(())
}

/// `.cargo/config.toml` is copied before the first build and honoured as is: only the
/// facts that move the output (`build.target`, `build.target-dir`) are read.
pub fn cargo_config(project: &Project, d: &mut Detection) -> Result<Option<String>> {
    let Some(file) = [".cargo/config.toml", ".cargo/config"]
        .into_iter()
        .find(|f| project.is_file(f))
    else {
        d.fact(
            "target_dir",
            "target",
            None,
            "Cargo's default output directory",
        );
        d.fact(
            "config_target",
            serde_json::Value::Null,
            None,
            "no `.cargo/config.toml`",
        );
        return Ok(None);
    };
    let text = project.read(file)?.unwrap_or_default();
    let table: Table = text
        .parse()
        .map_err(|e| crate::detect::toml_error(file, &text, &e))?;
    let build = table.get("build").and_then(Value::as_table);
    let dir = build
        .and_then(|b| b.get("target-dir"))
        .and_then(Value::as_str)
        .map(|s| s.trim_end_matches('/').to_string());
    // Both land in the `COPY` of the built binary: a path that leaves the context or
    // splits into several words would copy something else.
    match dir {
        Some(x) => {
            validate::word_path(&format!("`{file}` `build.target-dir`"), &x)?;
            d.fact("target_dir", x, Some(file), "`build.target-dir`")
        }
        None => d.fact(
            "target_dir",
            "target",
            Some(file),
            "Cargo's default output directory",
        ),
    }
    let triple = build.and_then(|b| b.get("target")).and_then(Value::as_str);
    if let Some(t) = triple {
        validate::word_path(&format!("`{file}` `build.target`"), t)?;
    }
    match triple {
        Some(t) => d.fact(
            "config_target",
            t,
            Some(file),
            "`build.target`: binaries land under the triple's directory",
        ),
        None => d.fact(
            "config_target",
            serde_json::Value::Null,
            Some(file),
            "no `build.target`",
        ),
    }
    // One holding a registry token is not copied: the build mounts it as a secret
    // (see `detect::secrets`).
    let clean = crate::credentials::find(&text, crate::credentials::Kind::Config).is_empty();
    Ok(clean.then(|| file.to_string()))
}

/// The port from the code: a `PORT` variable's default, else a bind address literal.
/// Warns when the code binds only to loopback, which a container cannot publish.
pub fn port(project: &Project, dir: &str, d: &mut Detection) {
    let prefix = if dir.is_empty() {
        "src/".to_string()
    } else {
        format!("{dir}/src/")
    };
    let env = Regex::new(r#"var(?:_os)?\(\s*"PORT"\s*\)[^;]{0,120}?(?:unwrap_or|or_else|map_or)[^;]{0,40}?(\d{2,5})"#).ok();
    let bind = Regex::new(r#""(0\.0\.0\.0|127\.0\.0\.1|localhost|\[::\]|\[::1\]):(\d{2,5})""#).ok();
    let tuple =
        Regex::new(r"\(\[\s*(\d{1,3}),\s*\d{1,3},\s*\d{1,3},\s*\d{1,3}\s*\],\s*(\d{2,5})\s*\)")
            .ok();
    // (port, file, evidence) found by a `PORT` default, then by bind literals.
    let mut from_env: Option<(String, String, String)> = None;
    let mut from_bind: Option<(String, String, String)> = None;
    let (mut loopback, mut public) = (None, false);
    let files: Vec<&str> = project
        .files()
        .filter(|f| f.starts_with(&prefix) && f.ends_with(".rs"))
        .take(300)
        .collect();
    for file in files {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        if let Some(c) = env.as_ref().and_then(|re| re.captures(&text)) {
            from_env.get_or_insert((c[1].to_string(), file.to_string(), c[0].trim().to_string()));
        }
        let binds = bind.iter().flat_map(|re| re.captures_iter(&text));
        let tuples = tuple.iter().flat_map(|re| re.captures_iter(&text));
        for c in binds.chain(tuples) {
            if matches!(&c[1], "127.0.0.1" | "localhost" | "[::1]" | "127") {
                loopback.get_or_insert_with(|| (file.to_string(), c[0].to_string()));
            } else {
                public = true;
            }
            from_bind.get_or_insert((c[2].to_string(), file.to_string(), c[0].to_string()));
        }
    }
    if let (Some((file, what)), false) = (loopback, public) {
        d.warn(format!("`{file}` binds to loopback ({what}), which is unreachable from outside a container; bind to `0.0.0.0`"));
    }
    let found = from_env.into_iter().chain(from_bind).find_map(|(p, f, w)| {
        p.parse::<u16>()
            .ok()
            .filter(|p| *p >= 80)
            .map(|p| (p, f, w))
    });
    if let Some((p, file, what)) = found {
        d.layer.port = Some(p);
        d.why("port", Some(&file), format!("`{}`", validate::shown(&what)));
    }
}
