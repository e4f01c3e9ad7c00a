//! A Dockerfile parser that reads a file the way BuildKit does: comment and blank
//! lines, `\` continuations (comment lines inside them dropped), leading `--flags`,
//! exec-form JSON arrays and heredocs. Shared by the hostile-input tests and the fuzz
//! targets (`#[path]`), so it depends only on `serde_json` and `shell_words`.

/// Every instruction BuildKit's Dockerfile frontend knows.
const KINDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// One parsed instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// Upper-case instruction name.
    pub kind: String,
    /// Leading `--name=value` flags, in order.
    pub flags: Vec<String>,
    /// The rest of the instruction, continuation lines joined.
    pub args: String,
    /// The exec-form array, when the arguments are a JSON array of strings.
    pub exec: Option<Vec<String>>,
    /// Names of heredocs the instruction opened (their bodies are consumed).
    pub heredocs: Vec<String>,
    /// 1-based line where it starts.
    pub line: usize,
}

impl Instruction {
    /// The shape of the instruction, independent of values: kind, flag names, the
    /// stage name of a `FROM`, the `HEALTHCHECK` sub-command and whether it is exec form.
    pub fn shape(&self) -> String {
        let flags: Vec<&str> = self
            .flags
            .iter()
            .map(|f| f.split('=').next().unwrap_or(f))
            .collect();
        let extra = match self.kind.as_str() {
            "FROM" => self
                .args
                .split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" "),
            "HEALTHCHECK" => {
                let cmd = self
                    .args
                    .split_whitespace()
                    .find(|w| !w.starts_with("--"))
                    .unwrap_or("");
                let exec = self
                    .args
                    .split_once(" CMD ")
                    .is_some_and(|(_, a)| json_array(a.trim()).is_some());
                format!("{cmd} exec={exec}")
            }
            _ => format!("exec={}", self.exec.is_some()),
        };
        format!("{} {} {extra}", self.kind, flags.join(","))
    }
}

/// Parses a Dockerfile like BuildKit: comment and blank lines are skipped, a line whose
/// last non-blank character is `\` continues on the next one (comment and blank lines
/// in between are dropped), `<<NAME` words of RUN/COPY/ADD open heredocs that run to a line `NAME`.
/// Errors on an unknown instruction or an unterminated continuation or heredoc.
pub fn parse(text: &str) -> Result<Vec<Instruction>, String> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let first = lines[i].trim_start();
        i += 1;
        if first.is_empty() || first.starts_with('#') {
            continue;
        }
        let mut joined = String::new();
        let mut current = first.to_string();
        loop {
            let trimmed = current.trim_end_matches([' ', '\t']);
            let Some(body) = trimmed.strip_suffix('\\') else {
                joined.push_str(&current);
                break;
            };
            joined.push_str(body);
            // BuildKit drops comment lines and blank lines inside a continuation.
            while i < lines.len()
                && (lines[i].trim_start().starts_with('#') || lines[i].trim().is_empty())
            {
                i += 1;
            }
            if i >= lines.len() {
                return Err(format!(
                    "line {}: continuation runs past the end of the file",
                    start + 1
                ));
            }
            current = lines[i].to_string();
            i += 1;
        }
        let (word, rest) = joined
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((joined.trim(), ""));
        let kind = word.to_ascii_uppercase();
        if !KINDS.contains(&kind.as_str()) {
            return Err(format!("line {}: unknown instruction `{word}`", start + 1));
        }
        let mut rest = rest.trim_start();
        let mut flags = Vec::new();
        while let Some(flag) = rest.strip_prefix("--") {
            let end = flag.find(char::is_whitespace).unwrap_or(flag.len());
            flags.push(format!("--{}", &flag[..end]));
            rest = flag[end..].trim_start();
        }
        let mut heredocs = Vec::new();
        if matches!(kind.as_str(), "RUN" | "COPY" | "ADD") {
            for name in heredoc_names(rest) {
                let strip = name.0;
                loop {
                    if i >= lines.len() {
                        return Err(format!(
                            "line {}: heredoc `{}` is never closed",
                            start + 1,
                            name.1
                        ));
                    }
                    let l = if strip {
                        lines[i].trim_start_matches('\t')
                    } else {
                        lines[i]
                    };
                    i += 1;
                    if l == name.1 {
                        break;
                    }
                }
                heredocs.push(name.1);
            }
        }
        let exec = if matches!(kind.as_str(), "RUN" | "CMD" | "ENTRYPOINT" | "SHELL") {
            json_array(rest)
        } else {
            None
        };
        out.push(Instruction {
            kind,
            flags,
            args: rest.to_string(),
            exec,
            heredocs,
            line: start + 1,
        });
    }
    Ok(out)
}

/// A JSON array of strings, as Docker accepts for exec form.
pub fn json_array(text: &str) -> Option<Vec<String>> {
    if !text.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(text).ok()
}

/// Heredoc openers among the shell words of `args`: `<<NAME`, `<<-NAME`, `<<"NAME"`,
/// the way BuildKit finds them after quote removal. (strip tabs, name).
fn heredoc_names(args: &str) -> Vec<(bool, String)> {
    let Ok(words) = shell_words::split(args) else {
        // Unbalanced quotes: BuildKit's lexer would fail too; look at raw words.
        return args.split_whitespace().filter_map(heredoc_word).collect();
    };
    words.iter().filter_map(|w| heredoc_word(w)).collect()
}

fn heredoc_word(word: &str) -> Option<(bool, String)> {
    let rest = word
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix("<<")?;
    let (strip, name) = match rest.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, rest),
    };
    let name = name.trim_matches(['"', '\'']);
    (!name.is_empty() && !name.contains('<')).then(|| (strip, name.to_string()))
}

/// The shapes of every instruction, for comparing a render against its baseline.
pub fn shapes(dockerfile: &str) -> Vec<String> {
    parse(dockerfile)
        .unwrap_or_else(|e| panic!("unparsable Dockerfile: {e}\n{dockerfile}"))
        .iter()
        .map(Instruction::shape)
        .collect()
}
