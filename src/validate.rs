//! Checks for every value that can reach a generated file. A value is either safe for
//! where it lands or refused with an error naming the field: never an extra line. And
//! project text shown on a terminal, escaped (`safe`) or quoted (`shown`).

use std::fmt::Write as _;

use crate::error::{Error, Result};

/// Characters that would end a Dockerfile line or confuse a parser: newlines (including
/// Unicode line and paragraph separators), carriage returns, NUL and other controls.
fn has_control(value: &str) -> bool {
    value
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{85}')
}

/// Longest value accepted anywhere.
const MAX_LEN: usize = 1024;

/// A single-line value (a shell command for `RUN`, a path, an argument).
pub fn line(field: &str, value: &str) -> Result<()> {
    if has_control(value) {
        return Err(Error::invalid(
            field,
            "contains a newline or control character",
        ));
    }
    if value.len() > MAX_LEN {
        return Err(Error::invalid(
            field,
            format!("is longer than {MAX_LEN} characters"),
        ));
    }
    if value.trim_end().ends_with('\\') {
        // A trailing backslash continues a Dockerfile instruction onto the next line.
        return Err(Error::invalid(field, "ends with a backslash"));
    }
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "is empty"));
    }
    Ok(())
}

/// A shell command that lands after `RUN` (build and test commands): a single line
/// that BuildKit cannot read as anything but the command. A leading `-` would be
/// parsed as a `RUN` flag (`--mount=...`, `--network=host`); a leading `#` makes the
/// line a comment, and where the command sits on a continuation line the `RUN` then
/// swallows the next instruction; `<<WORD` opens a heredoc that swallows the rest.
pub fn shell_command(field: &str, value: &str) -> Result<()> {
    line(field, value)?;
    if value.trim_start().starts_with('-') {
        return Err(Error::invalid(
            field,
            format!(
                "`{}` starts with `-`, which `RUN` would read as its own flag",
                shown(value)
            ),
        ));
    }
    if value.trim_start().starts_with('#') {
        return Err(Error::invalid(
            field,
            format!(
                "`{}` starts with `#`, which would make it a comment",
                shown(value)
            ),
        ));
    }
    if opens_heredoc(value) {
        return Err(Error::invalid(
            field,
            format!(
                "`{}` contains `<<`, which BuildKit reads as the start of a heredoc (use a script file instead)",
                shown(value)
            ),
        ));
    }
    Ok(())
}

/// Whether `value` holds a `<<` that is not part of a `<<<` here-string.
fn opens_heredoc(value: &str) -> bool {
    value.split(|c| c != '<').any(|run| run.len() == 2)
}

/// A version or image-tag fragment: `24`, `1.26`, `3.13.1`, `1.2.3-beta.1`.
pub fn version(field: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 40
        && value.chars().next().is_some_and(|c| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("`{}` is not a version like `24` or `1.26`", shown(value)),
        ))
    }
}

/// An environment-variable style name (build args and secret ids).
pub fn ident(field: &str, value: &str) -> Result<()> {
    let mut chars = value.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && value.len() <= 128;
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!(
                "`{}` must be a name like `NEXT_PUBLIC_API_URL` (letters, digits, `_`)",
                shown(value)
            ),
        ))
    }
}

/// A path relative to the build context that stays inside it.
pub fn relative_path(field: &str, value: &str) -> Result<()> {
    line(field, value)?;
    let bad = value.starts_with('/')
        || value.starts_with('-')
        || value.split('/').any(|seg| seg == "..")
        || value.contains(['*', '?', '[', '$', '`', '"', '\'', '\\']);
    if bad {
        return Err(Error::invalid(
            field,
            format!(
                "`{}` must be a plain relative path inside the project",
                shown(value)
            ),
        ));
    }
    Ok(())
}

/// A relative path inside the context that is also one plain word where it lands
/// unquoted (`COPY` sources, `mkdir`, `touch`, a redirection): no blanks and no
/// character a shell or `COPY` would read specially.
pub fn word_path(field: &str, value: &str) -> Result<()> {
    relative_path(field, value)?;
    let special = value
        .chars()
        .find(|c| !(c.is_alphanumeric() || "._-/+@%,:=".contains(*c)));
    if let Some(c) = special {
        return Err(Error::invalid(
            field,
            format!(
                "`{}` contains `{}`, which the generated Dockerfile cannot use unquoted; rename it",
                shown(value),
                c.escape_debug()
            ),
        ));
    }
    Ok(())
}

/// An HTTP path for the health check: starts with `/`, URL-safe characters only.
pub fn http_path(field: &str, value: &str) -> Result<()> {
    let ok = value.starts_with('/')
        && value.len() <= 256
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-._~%?=&".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("`{}` must be a URL path like `/healthz`", shown(value)),
        ))
    }
}

/// A file or directory name a generated `COPY` line can name as is: letters, digits and
/// `.`, `_`, `-`, `@`, `+` (no spaces, globs, quotes or `$`), and not `.` or `..`.
pub fn copyable_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@+".contains(c))
}

/// A short, printable rendering of a hostile value for error messages.
pub fn shown(value: &str) -> String {
    let escaped: String = value.chars().flat_map(char::escape_debug).collect();
    if escaped.chars().count() > 60 {
        format!("{}…", escaped.chars().take(60).collect::<String>())
    } else {
        escaped
    }
}

/// The word that stands for "no value" in list answers, flags and variables.
pub const NONE: &str = "none";

/// Parses a port the way both `--port` and the wizard do.
pub fn parse_port(value: &str) -> std::result::Result<u16, String> {
    value.trim().parse::<u16>().map_err(|_| {
        format!(
            "`{}` is not a number from 0 to 65535 (0: no HTTP)",
            shown(value)
        )
    })
}

/// A list answer or flag value: names split on commas and blanks, sorted, deduplicated
/// (`none` stands for no names).
pub fn list(v: &str) -> Vec<String> {
    let mut names: Vec<String> = v
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != NONE)
        .map(String::from)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Text from the project (file names, values, old file contents) made safe for a
/// terminal: control characters (C0 but newline and tab, DEL, C1), a carriage return
/// not ending a line, and bidirectional overrides and marks are shown escaped
/// (`\u{1b}`), so a file name cannot move the cursor, ring the bell, set the title or
/// reorder what is shown. Every line printed for a person goes through this.
pub fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_at = |i: usize, c: char| match c {
        '\n' | '\t' => false,
        '\r' => !text[i + 1..].starts_with('\n'),
        c if c.is_control() => true,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    };
    if !text.char_indices().any(|(i, c)| unsafe_at(i, c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        if unsafe_at(i, c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_values_that_would_add_a_dockerfile_line() {
        for bad in ["a\nRUN x", "a\rb", "x\u{2028}y", "nul\0", "cont \\", ""] {
            assert!(line("`--build-command`", bad).is_err(), "{bad:?} accepted");
        }
        assert!(line("`--build-command`", "npm run build && echo \"ok\"").is_ok());
    }

    #[test]
    fn shell_commands_cannot_become_run_flags_or_heredocs() {
        for bad in [
            "--mount=type=bind,target=/x cat /x",
            " -x",
            "# c",
            "cat <<EOF",
            "cat <<-'EOF'",
            "2<<X",
        ] {
            assert!(
                shell_command("`--build-command`", bad).is_err(),
                "{bad:?} accepted"
            );
        }
        for good in [
            "npm run build -- --prod",
            "grep -q x <<< \"$V\"",
            "echo a < in > out",
            "make build",
        ] {
            assert!(
                shell_command("`--build-command`", good).is_ok(),
                "{good:?} refused"
            );
        }
    }

    #[test]
    fn versions_are_tag_safe() {
        for good in ["24", "1.26", "3.13.1", "1.2.3-beta.1"] {
            assert!(version("v", good).is_ok(), "{good}");
        }
        for bad in ["", "latest", "24 AS x", "24\nRUN", "../1", "v24"] {
            assert!(version("v", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_stay_inside_the_context() {
        assert!(relative_path("p", "dist/main.js").is_ok());
        for bad in ["/etc/passwd", "../x", "a/../../b", "-rf", "$(id)", "a b\nc"] {
            assert!(relative_path("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn word_paths_are_one_plain_shell_word() {
        for good in [
            "src/main.rs",
            "crates/api-v2/src/lib.rs",
            "out",
            "café/x_1.rs",
        ] {
            assert!(word_path("p", good).is_ok(), "{good}");
        }
        for bad in [
            "a b",
            "src/x;id.rs",
            "a|b",
            "a&b",
            "x>y",
            "(x)",
            "~x",
            "#x",
            "a{b}",
            "../x",
        ] {
            assert!(word_path("p", bad).is_err(), "{bad}");
        }
    }
}
