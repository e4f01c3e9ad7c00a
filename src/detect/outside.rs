//! Local dependencies the build context cannot reach: a path (`../shared`) that leaves
//! the directory `docker build` is given. Cargo path dependencies and `[patch]`, npm
//! `file:`/`link:` specifiers, Python path sources (uv, Poetry, Pipenv, PEP 508
//! `@ file:`, requirement lines) all fail there, after minutes of building; `detect`
//! says so first, naming the file.

use crate::detect::Detection;

/// Whether `path`, written in a file of directory `dir` (relative to the build context),
/// leaves the context (or is absolute, or names a drive).
pub fn escapes(dir: &str, path: &str) -> bool {
    let path = path.trim();
    if path.starts_with('/') || path.starts_with('~') || path.get(1..2) == Some(":") {
        return true;
    }
    let mut depth = dir
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .count() as i64;
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// The warning for `name` at `path`, declared in `file` as `what`.
pub fn warn(d: &mut Detection, file: &str, what: &str, name: &str, path: &str) {
    d.warn(format!(
        "{file}: {what} `{name}` is at `{path}`, outside this directory, which is the build context: `docker build` cannot see it; run dockform at a directory that holds both (their common root) or vendor it"
    ));
}

/// A local path in a dependency specifier (`file:../x`, `link:../x`, `../x`), if any.
pub fn local_spec(spec: &str) -> Option<&str> {
    let spec = spec.trim();
    spec.strip_prefix("file:")
        .or_else(|| spec.strip_prefix("link:"))
        .map(|p| p.strip_prefix("//").unwrap_or(p))
        .or_else(|| (spec.starts_with("../") || spec.starts_with("./")).then_some(spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_escapes_when_it_climbs_above_the_context() {
        assert!(escapes("", "../shared"));
        assert!(escapes("", "/opt/lib"));
        assert!(escapes("apps/api", "../../../lib"));
        assert!(escapes("", "./a/../../b"));
        assert!(!escapes("apps/api", "../../packages/lib"));
        assert!(!escapes("", "vendor/serde"));
        assert!(!escapes("", "./libs/x"));
    }

    #[test]
    fn local_specifiers_are_read_and_registry_ones_are_not() {
        assert_eq!(local_spec("file:../shared"), Some("../shared"));
        assert_eq!(local_spec("link:../x"), Some("../x"));
        assert_eq!(local_spec("../x"), Some("../x"));
        assert_eq!(local_spec("^1.2.3"), None);
        assert_eq!(local_spec("workspace:*"), None);
        assert_eq!(local_spec("npm:other@1"), None);
    }
}
