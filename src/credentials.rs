//! Credentials in the files dockform reads: package-manager configs (`.npmrc`,
//! `.yarnrc.yml`, `bunfig.toml`, `pip.conf`, `uv.toml`, `.cargo/config.toml`, ...),
//! manifests and lockfiles. A literal credential is found by its key (`_authToken`,
//! `npmAuthToken`, `token`, `password`, ...) or in a URL's `user:password@`; a
//! `${VAR}` reference is not one.

use std::sync::OnceLock;

use regex::Regex;

/// One credential: the 1-based line and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Line number.
    pub line: usize,
    /// What was found (`_authToken`, `a password in a URL`).
    pub what: String,
}

/// How a file is read: configs hold credentials under keys and in URLs; manifests and
/// lockfiles only in URLs (their `token` or `password` words are package data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A package-manager or tool config.
    Config,
    /// A manifest, requirements file or lockfile.
    Manifest,
}

/// The literal credentials in `text`, at most one per line.
pub fn find(text: &str, kind: Kind) -> Vec<Finding> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let what = in_line(line, kind)?;
            Some(Finding { line: i + 1, what })
        })
        .collect()
}

fn in_line(line: &str, kind: Kind) -> Option<String> {
    let t = line.trim_start();
    if t.starts_with(['#', ';']) {
        return None;
    }
    if kind == Kind::Config
        && let Some(c) = keyed().captures(line)
        && is_literal(first_value(&c[2]))
    {
        return Some(format!("`{}`", &c[1]));
    }
    url_userinfo()
        .captures_iter(line)
        .find(|c| url_credential(&c[1], &c[2]))
        .map(|_| "a password or token in a URL".to_string())
}

/// `key = value`, `key: value`, `key value` (`.yarnrc`) for the keys that hold secrets.
fn keyed() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)(?:^|[\s{,"':/])(_authToken|_auth|_password|npmAuthToken|npmAuthIdent|token|password)["']?\s*(?:[=:]\s*|\s+)(.*)$"#,
        )
        .expect("a valid regular expression")
    })
}

/// `scheme://userinfo@`: group 1 the scheme, group 2 the userinfo.
fn url_userinfo() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)([a-z][a-z0-9+.\-]*)://([^/\s@"'<>\[\]]+)@"#)
            .expect("a valid regular expression")
    })
}

/// The value at the start of `rest`: quoted, or up to whitespace or `,`.
fn first_value(rest: &str) -> &str {
    let rest = rest.trim();
    for q in ['"', '\''] {
        if let Some(inner) = rest.strip_prefix(q) {
            return inner.split(q).next().unwrap_or_default();
        }
    }
    rest.split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or_default()
}

/// A value that is written out, not an environment reference (`${NPM_TOKEN}`,
/// `$NPM_TOKEN`) or a boolean.
fn is_literal(value: &str) -> bool {
    !value.is_empty() && !is_env_ref(value) && !matches!(value, "true" | "false")
}

fn is_env_ref(value: &str) -> bool {
    let braced = value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .is_some_and(|v| !v.contains(['{', '}']));
    let bare = value
        .strip_prefix('$')
        .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    braced || bare
}

/// Whether a URL's userinfo is a credential: a literal password, or a lone token on an
/// HTTP(S) URL (`https://TOKEN@host`; tokens are long, a user name such as `git` in
/// `git+https://git@host` is not one). `ssh://git@host` names a user only.
fn url_credential(scheme: &str, userinfo: &str) -> bool {
    match userinfo.split_once(':') {
        Some((_, password)) => is_literal(password),
        None => {
            scheme.to_ascii_lowercase().ends_with("https")
                && userinfo.len() >= MIN_TOKEN
                && is_literal(userinfo)
        }
    }
}

/// Shortest user-only userinfo taken for a token (access tokens run 20 to 90 characters).
const MIN_TOKEN: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, kind: Kind) -> Vec<usize> {
        find(text, kind).into_iter().map(|f| f.line).collect()
    }

    #[test]
    fn npmrc_tokens_are_found_but_references_are_not() {
        let text = "registry=https://r.example/\n//r.example/:_authToken=abc123\n//r.example/:_authToken=${NPM_TOKEN}\n//${HOST}/:_authToken=literal\n_auth=dXNlcjpwYXNz\n//r.example/:_password=cGFzcw==\nalways-auth=true\n; _authToken=commented\n";
        assert_eq!(found(text, Kind::Config), vec![2, 4, 5, 6]);
    }

    #[test]
    fn passwords_in_registry_urls_are_found() {
        let text = "registry=https://user:pass@r.example/\nregistry=https://${U}:${P}@r.example/\n";
        assert_eq!(found(text, Kind::Config), vec![1]);
    }

    #[test]
    fn yarnrc_formats_are_read() {
        let classic = "\"//r.example/:_authToken\" \"abc\"\nregistry \"https://r.example/\"\n";
        assert_eq!(found(classic, Kind::Config), vec![1]);
        let berry = "npmRegistries:\n  \"//r.example\":\n    npmAuthToken: abc\n    npmAuthIdent: \"u:p\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: true\n";
        assert_eq!(found(berry, Kind::Config), vec![3, 4]);
    }

    #[test]
    fn toml_configs_are_read() {
        let bunfig = "[install.registry]\nurl = \"https://r.example/\"\ntoken = \"abc\"\n[install.scopes]\nx = { token = \"$NPM_TOKEN\", url = \"https://r.example/\" }\ny = \"https://u:p@r.example/\"\n";
        assert_eq!(found(bunfig, Kind::Config), vec![3, 6]);
        let cargo =
            "[registries.corp]\nindex = \"sparse+https://r.example/\"\ntoken = \"secret\"\n";
        assert_eq!(found(cargo, Kind::Config), vec![3]);
        let pypirc = "[pypi]\nusername = __token__\npassword = pypi-abc\n";
        assert_eq!(found(pypirc, Kind::Config), vec![3]);
        let pip = "[global]\nindex-url = https://u:p@r.example/simple\n";
        assert_eq!(found(pip, Kind::Config), vec![2]);
        let uv = "[[index]]\nname = \"corp\"\nurl = \"https://u:p@r.example/simple\"\n";
        assert_eq!(found(uv, Kind::Config), vec![3]);
    }

    #[test]
    fn manifests_are_searched_for_urls_only() {
        let req = "--index-url https://u:p@r.example/simple\n--extra-index-url https://${U}:${P}@r.example/\nflask==3.0\nlib @ git+https://ghp_0123456789abcdef@code.example/x.git\nother @ git+ssh://git@code.example/y.git\nthird @ git+https://git@code.example/z.git\n";
        assert_eq!(found(req, Kind::Manifest), vec![1, 4]);
        let pyproject = "[[tool.poetry.source]]\nname = \"corp\"\nurl = \"https://u:p@r.example/simple\"\n[tool.x]\npassword = \"data\"\n";
        assert_eq!(found(pyproject, Kind::Manifest), vec![3]);
        let lock = "[[package]]\nsource = { registry = \"https://u:p@r.example/simple\" }\n";
        assert_eq!(found(lock, Kind::Manifest), vec![2]);
    }
}
