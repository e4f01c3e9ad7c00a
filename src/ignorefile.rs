//! `.dockerignore` support: translating `.gitignore` patterns and matching paths the
//! way Docker does, so the generated file never hides what the Dockerfile copies.
//!
//! Docker reads `.dockerignore` with moby's `patternmatcher`: each pattern must pass
//! Go's `filepath.Match` syntax check, and is then matched as a Go regular expression.
//! [`docker_pattern_error`] refuses anything either step could reject, and
//! [`Matcher`] matches the way `patternmatcher` does, in time linear in the rules.

use std::fs;
use std::io::Read;
use std::path::Path;

use regex::{Regex, RegexBuilder};

/// Bytes of a `.gitignore` read, by the walk and by the render alike.
pub const MAX_FILE: u64 = 1024 * 1024;
/// Rules of one `.gitignore` used; the rest are dropped with a warning.
pub const MAX_RULES: usize = 5_000;
/// Longest rule used; a longer one is skipped with a warning.
pub const MAX_RULE_LEN: usize = 1_024;

/// A `.gitignore` as read: its text up to [`MAX_FILE`] (whole lines only) and whether
/// the file went on beyond that.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IgnoreText {
    /// The lines read.
    pub text: String,
    /// Whether lines past [`MAX_FILE`] were left unread.
    pub truncated: bool,
}

/// Reads `dir/.gitignore` if it is a regular file; `None` otherwise.
pub fn read(dir: &Path) -> Option<IgnoreText> {
    let path = dir.join(".gitignore");
    if !fs::metadata(&path).ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    fs::File::open(&path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
        .ok()?;
    let truncated = bytes.len() as u64 > MAX_FILE;
    if truncated {
        let end = bytes.iter().rposition(|b| *b == b'\n').unwrap_or(0);
        bytes.truncate(end);
    }
    Some(IgnoreText {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        truncated,
    })
}

/// The usable rule lines of a `.gitignore` (no comments, blanks, over-long lines),
/// at most [`MAX_RULES`], each with its 1-based line number; plus what was dropped.
pub fn rule_lines(text: &str) -> (Vec<(usize, &str)>, Vec<String>) {
    let mut rules = Vec::new();
    let mut warnings = Vec::new();
    let mut long = Vec::new();
    let mut extra = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if line.len() > MAX_RULE_LEN {
            long.push(i + 1);
        } else if rules.len() == MAX_RULES {
            extra += 1;
        } else {
            rules.push((i + 1, line));
        }
    }
    if !long.is_empty() {
        warnings.push(format!(
            "`.gitignore` {}: longer than {MAX_RULE_LEN} characters; skipped",
            lines_list(&long)
        ));
    }
    if extra > 0 {
        warnings.push(format!(
            "`.gitignore` has more than {MAX_RULES} rules; the last {extra} are not used"
        ));
    }
    (rules, warnings)
}

/// `line 3` or `lines 3, 9, 12 and 4 more`.
fn lines_list(lines: &[usize]) -> String {
    let shown: Vec<String> = lines.iter().take(3).map(|n| n.to_string()).collect();
    let more = lines.len().saturating_sub(3);
    match (lines.len(), more) {
        (1, _) => format!("line {}", shown[0]),
        (_, 0) => format!("lines {}", shown.join(", ")),
        _ => format!("lines {} and {more} more", shown.join(", ")),
    }
}

/// `.gitignore` patterns carried into a `.dockerignore`, and warnings for the rules
/// left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Translation {
    /// `.dockerignore` lines, in order.
    pub lines: Vec<String>,
    /// What was skipped, and why.
    pub warnings: Vec<String>,
}

/// Translates `.gitignore` lines to `.dockerignore` lines. A gitignore pattern without
/// a slash (other than a trailing one) matches at any depth; dockerignore patterns are
/// anchored at the context root, so those get a `**/` prefix. A rule Docker's matcher
/// would reject is left out with a warning, never written.
pub fn from_gitignore(text: &str) -> Translation {
    let (rules, mut warnings) = rule_lines(text);
    let mut lines = Vec::new();
    let mut invalid = Vec::new();
    for (number, line) in rules {
        let (neg, pat) = match line.strip_prefix('!') {
            Some(rest) => ("!", rest),
            None => ("", line),
        };
        // `\#` and `\!` only protect a leading `#` or `!` from git; Docker reads a
        // leading `#` as a comment only at the start of a line, which `**/` avoids.
        let pat = match pat.strip_prefix('\\') {
            Some(rest) if rest.starts_with(['#', '!']) => rest,
            _ => pat,
        };
        // Docker cannot say "directories only" (`name/`); matching files of that name
        // too is the closest, and such names are almost always directories anyway.
        let body = pat.trim_end_matches('/');
        if body.is_empty() || body.chars().any(|c| c.is_control()) {
            continue;
        }
        let anchored = body.starts_with('/') || body.contains('/');
        let body = body.trim_start_matches('/');
        if body.is_empty() {
            continue;
        }
        let translated = if anchored || body.starts_with("**") {
            body.to_string()
        } else {
            format!("**/{body}")
        };
        match docker_pattern_error(&translated) {
            None => lines.push(format!("{neg}{translated}")),
            Some(why) => invalid.push((number, line, why)),
        }
    }
    if let Some((number, line, why)) = invalid.first() {
        let more = match invalid.len() {
            1 => String::new(),
            n => format!(" ({} more rules like it skipped)", n - 1),
        };
        warnings.push(format!(
            "`.gitignore` line {number}: `{}` is not a valid `.dockerignore` pattern ({why}); skipped{more}",
            line.escape_debug()
        ));
    }
    Translation { lines, warnings }
}

/// Why Docker would refuse `pattern` (without its leading `!`), or `None` if it is
/// valid. Mirrors Go's `filepath.Match` syntax check, which Docker runs on every
/// pattern, and refuses what the Go regular expression built from it could fail on.
pub fn docker_pattern_error(pattern: &str) -> Option<&'static str> {
    if pattern.len() > MAX_RULE_LEN {
        return Some("too long");
    }
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                None => return Some("it ends with `\\`"),
                Some(e) if !e.is_ascii() || e.is_ascii_alphanumeric() => {
                    return Some("`\\` before a letter, digit or non-ASCII character");
                }
                Some(_) => {}
            },
            '[' => {
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                let mut ranges = 0;
                loop {
                    if chars.peek() == Some(&']') && ranges > 0 {
                        chars.next();
                        break;
                    }
                    let lo = match class_char(&mut chars) {
                        Ok(c) => c,
                        Err(why) => return Some(why),
                    };
                    let hi = if chars.peek() == Some(&'-') {
                        chars.next();
                        match class_char(&mut chars) {
                            Ok(c) => c,
                            Err(why) => return Some(why),
                        }
                    } else {
                        lo
                    };
                    if lo > hi {
                        return Some("a range in `[...]` runs backwards");
                    }
                    if chars.peek().is_none() {
                        return Some("`[` is never closed");
                    }
                    ranges += 1;
                }
            }
            _ => {}
        }
    }
    None
}

/// One character of a `[...]` class, as Go's `getEsc` reads it: the reason if the
/// class is malformed there (Go also wants more pattern after it: the closing `]`).
fn class_char(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<char, &'static str> {
    let c = match chars.next() {
        None => return Err("`[` is never closed"),
        Some('-') | Some(']') => return Err("an empty or malformed `[...]` range"),
        Some('\\') => match chars.next() {
            None => return Err("`[` is never closed"),
            Some(e) if !e.is_ascii() || e.is_ascii_alphanumeric() => {
                return Err("`\\` before a letter, digit or non-ASCII character");
            }
            Some(e) => e,
        },
        // Docker turns `*`, `?` and `[` inside a class into regular-expression text
        // that no longer means that character; refuse them rather than guess.
        Some('*') | Some('?') | Some('[') => return Err("`*`, `?` or `[` inside `[...]`"),
        Some(c) => c,
    };
    if chars.peek().is_none() {
        return Err("`[` is never closed");
    }
    Ok(c)
}

/// How one pattern matches, as in `patternmatcher`: plain comparisons for the common
/// shapes, a regular expression for the rest.
enum Kind {
    Exact,
    /// `dir/**`: the text before `**`.
    Prefix(String),
    /// `**/name`: the text after `**`.
    Suffix(String),
    Regex(Regex),
}

struct Rule {
    exclusion: bool,
    pattern: String,
    kind: Kind,
}

/// A compiled `.dockerignore`: answers whether a context path is excluded.
pub struct Matcher {
    rules: Vec<Rule>,
}

impl Matcher {
    /// Compiles the patterns of a `.dockerignore` text; lines Docker would reject are
    /// skipped (dockform never writes one).
    pub fn new(text: &str) -> Matcher {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (exclusion, pat) = match l.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, l),
                };
                let pattern = clean(pat);
                if pattern.is_empty() || docker_pattern_error(&pattern).is_some() {
                    return None;
                }
                let kind = kind(&pattern)?;
                Some(Rule {
                    exclusion,
                    pattern,
                    kind,
                })
            })
            .collect();
        Matcher { rules }
    }

    /// Whether `path` (relative, `/`-separated) is left out of the build context: the
    /// last rule matching the path or one of its parents decides (`patternmatcher`'s
    /// `MatchesOrParentMatches`).
    pub fn excludes(&self, path: &str) -> bool {
        let path = clean(path);
        let parents: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        let mut excluded = false;
        for rule in &self.rules {
            if rule.exclusion != excluded {
                continue;
            }
            if rule.matches(&path) || parents.iter().any(|p| rule.matches(p)) {
                excluded = !rule.exclusion;
            }
        }
        excluded
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.pattern,
            Kind::Prefix(p) => path.starts_with(p.as_str()),
            Kind::Suffix(s) => {
                path.ends_with(s.as_str()) || s.strip_prefix('/').is_some_and(|s| path == s)
            }
            Kind::Regex(re) => re.is_match(path),
        }
    }
}

/// A little of Go's `filepath.Clean`: no `./` prefix, no leading or trailing `/`.
fn clean(p: &str) -> String {
    let mut p = p.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_start_matches('/').trim_end_matches('/').to_string()
}

/// The match kind of a valid pattern: a port of `patternmatcher`'s `compile`, except
/// that characters inside `[...]` are escaped for Rust's regular-expression syntax.
fn kind(pattern: &str) -> Option<Kind> {
    #[derive(PartialEq)]
    enum Found {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let mut found = Found::Exact;
    let mut re = String::from("^");
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let at_start = std::mem::take(&mut first);
        if in_class {
            match c {
                ']' => {
                    in_class = false;
                    re.push(']');
                }
                '^' if re.ends_with('[') => re.push('^'),
                '-' => re.push('-'),
                '\\' => re.push_str(&regex::escape(&chars.next()?.to_string())),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
            continue;
        }
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() {
                    if found == Found::Exact {
                        found = Found::Prefix;
                    } else {
                        re.push_str(".*");
                        found = Found::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    found = Found::Regex;
                }
                if at_start {
                    found = Found::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                found = Found::Regex;
            }
            '?' => {
                re.push_str("[^/]");
                found = Found::Regex;
            }
            '\\' => {
                re.push_str(&regex::escape(&chars.next()?.to_string()));
                found = Found::Regex;
            }
            '[' => {
                in_class = true;
                re.push('[');
                found = Found::Regex;
            }
            '^' => re.push('^'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    Some(match found {
        Found::Exact => Kind::Exact,
        Found::Prefix => Kind::Prefix(pattern[..pattern.len() - 2].to_string()),
        Found::Suffix => Kind::Suffix(pattern[2..].to_string()),
        Found::Regex => {
            re.push('$');
            Kind::Regex(RegexBuilder::new(&re).size_limit(1 << 20).build().ok()?)
        }
    })
}

/// Context paths a Dockerfile copies (`COPY`/`ADD` without `--from`), sources only.
pub fn copied_paths(dockerfile: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in dockerfile.lines() {
        let line = line.trim();
        let upper = line.get(..5).map(str::to_ascii_uppercase);
        if !matches!(upper.as_deref(), Some("COPY ") | Some("ADD  ")) {
            continue;
        }
        let words: Vec<&str> = line[5..].split_whitespace().collect();
        if words.iter().any(|w| w.starts_with("--from")) {
            continue;
        }
        let args: Vec<&str> = words.into_iter().filter(|w| !w.starts_with("--")).collect();
        if let Some((_, sources)) = args.split_last() {
            out.extend(sources.iter().filter(|s| **s != ".").map(|s| s.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_names_without_a_slash_match_at_any_depth() {
        let lines = from_gitignore("# c\nnode_modules/\n/dist\nlogs/*.log\n!keep.log\n\n").lines;
        assert_eq!(
            lines,
            vec!["**/node_modules", "dist", "logs/*.log", "!**/keep.log"]
        );
    }

    #[test]
    fn matcher_follows_docker_semantics() {
        let m = Matcher::new("**/node_modules\n.env*\n!.env.example\ndist\n");
        assert!(m.excludes("node_modules/x/index.js"));
        assert!(m.excludes("packages/a/node_modules"));
        assert!(m.excludes(".env.local"));
        assert!(!m.excludes(".env.example"));
        assert!(m.excludes("dist/main.js"));
        assert!(!m.excludes("src/dist.ts"));
        assert!(!m.excludes("package.json"));
    }

    #[test]
    fn finds_context_sources_of_copy_instructions() {
        let df = "COPY package.json yarn.lock ./\nCOPY --from=build /app/dist ./dist\nCOPY --chown=1:1 public ./public\nCOPY . .\n";
        assert_eq!(
            copied_paths(df),
            vec!["package.json", "yarn.lock", "public"]
        );
    }

    /// Go's `filepath.Match` syntax, which Docker checks on every pattern (cases from
    /// its documented grammar), plus what would break the regular expression after it.
    #[test]
    fn docker_pattern_validity_follows_go_filepath_match() {
        for ok in [
            "**/node_modules",
            "a/*.log",
            "x?",
            "[abc]",
            "[a-c]x",
            "[^a]",
            "\\[x",
            "a\\*b",
            "[\\]]",
            "**",
            "dist/**",
            "f[!]",
            "a]b",
        ] {
            assert_eq!(docker_pattern_error(ok), None, "{ok}");
        }
        for bad in [
            "[abc",
            "\\",
            "a\\",
            "[]",
            "[a-]",
            "[-a]",
            "[z-a]",
            "[a",
            "[^",
            "**/[abc",
            "\\q",
            "\\1",
            "[\\d]",
            "[*]",
            "[a?]",
            "[[:alpha:]]",
        ] {
            assert!(docker_pattern_error(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn invalid_gitignore_rules_are_skipped_with_a_warning() {
        let t = from_gitignore("\\[x\n[abc\nok\n[z-a]\n");
        assert_eq!(t.lines, vec!["**/\\[x", "**/ok"]);
        assert_eq!(t.warnings.len(), 1);
        assert!(t.warnings[0].contains("line 2"), "{:?}", t.warnings);
        assert!(t.warnings[0].contains("1 more"), "{:?}", t.warnings);
        for line in &t.lines {
            assert_eq!(docker_pattern_error(line.trim_start_matches('!')), None);
        }
    }

    #[test]
    fn huge_rules_are_skipped_without_a_panic() {
        let long = format!("{}\n{}\nkeep\n", "x".repeat(330_000), "*a".repeat(100_000));
        let t = from_gitignore(&long);
        assert_eq!(t.lines, vec!["**/keep"]);
        assert!(t.warnings[0].contains("lines 1, 2"), "{:?}", t.warnings);
        let m = Matcher::new(&format!(
            "{}\n{}\n",
            "*a".repeat(100_000),
            "x".repeat(330_000)
        ));
        assert!(!m.excludes("aaaa"));
    }

    #[test]
    fn rules_beyond_the_cap_are_dropped_with_a_warning() {
        let text: String = (0..57_000).map(|i| format!("gen{i}/\n")).collect();
        let t = from_gitignore(&text);
        assert_eq!(t.lines.len(), MAX_RULES);
        assert_eq!(t.lines.last().unwrap(), &format!("**/gen{}", MAX_RULES - 1));
        assert!(t.warnings[0].contains(&format!("the last {} are not used", 57_000 - MAX_RULES)));
        let m = Matcher::new(&t.lines.join("\n"));
        assert!(m.excludes("a/gen7/x.js"));
        assert!(!m.excludes("src/main.js"));
    }

    #[test]
    fn matcher_follows_patternmatcher_kinds() {
        let m = Matcher::new("**/*.pem\nlogs/**\n!logs/keep\n[ab]x\n**/.env.*\n!**/.env.example\n");
        assert!(m.excludes("a/b/c.pem"));
        assert!(m.excludes("c.pem"));
        assert!(m.excludes("logs/x"));
        assert!(!m.excludes("logs/keep"));
        assert!(m.excludes("bx"));
        assert!(!m.excludes("cx"));
        assert!(m.excludes("config/.env.local"));
        assert!(!m.excludes("config/.env.example"));
        // Docker reads `{` and `}` literally (globset would expand them).
        let braces = Matcher::new("{a,b}\n");
        assert!(!braces.excludes("a"));
        assert!(braces.excludes("{a,b}"));
    }
}
