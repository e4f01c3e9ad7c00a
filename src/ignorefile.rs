//! `.dockerignore` support: translating `.gitignore` patterns and matching paths the
//! way Docker does, so the generated file never hides what the Dockerfile copies.

use globset::{GlobBuilder, GlobMatcher};

/// Translates `.gitignore` lines to `.dockerignore` lines. A gitignore pattern without
/// a slash (other than a trailing one) matches at any depth; dockerignore patterns are
/// anchored at the context root, so those get a `**/` prefix.
pub fn from_gitignore(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (neg, pat) = match line.strip_prefix('!') {
            Some(rest) => ("!", rest),
            None => ("", line),
        };
        let pat = pat.strip_prefix('\\').unwrap_or(pat);
        // Docker cannot say "directories only" (`name/`); matching files of that name
        // too is the closest, and such names are almost always directories anyway.
        let body = pat.trim_end_matches('/');
        if body.is_empty() || body.chars().any(|c| c.is_control()) {
            continue;
        }
        let anchored = body.starts_with('/') || body.contains('/');
        let body = body.trim_start_matches('/');
        let translated = if anchored || body.starts_with("**") {
            body.to_string()
        } else {
            format!("**/{body}")
        };
        out.push(format!("{neg}{translated}"));
    }
    out
}

/// A compiled `.dockerignore`: answers whether a context path is excluded.
pub struct Matcher {
    rules: Vec<(bool, GlobMatcher)>,
}

impl Matcher {
    /// Compiles the patterns of a `.dockerignore` text; unparsable lines are skipped.
    pub fn new(text: &str) -> Matcher {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (neg, pat) = match l.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, l),
                };
                let pat = pat
                    .trim_start_matches("./")
                    .trim_start_matches('/')
                    .trim_end_matches('/');
                let glob = GlobBuilder::new(pat).literal_separator(true).build().ok()?;
                Some((neg, glob.compile_matcher()))
            })
            .collect();
        Matcher { rules }
    }

    /// Whether `path` (relative, `/`-separated) is left out of the build context:
    /// the last rule matching the path or one of its parents decides.
    pub fn excludes(&self, path: &str) -> bool {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        let mut prefixes = Vec::new();
        let mut end = 0;
        for (i, c) in path.char_indices() {
            if c == '/' {
                prefixes.push(&path[..i]);
            }
            end = i + c.len_utf8();
        }
        prefixes.push(&path[..end]);
        let mut excluded = false;
        for (neg, glob) in &self.rules {
            if prefixes.iter().any(|p| glob.is_match(p)) {
                excluded = !neg;
            }
        }
        excluded
    }
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
        let lines = from_gitignore("# c\nnode_modules/\n/dist\nlogs/*.log\n!keep.log\n\n");
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
}
