//! Where an app that uses SQLite keeps its database: the directory it writes to and,
//! when the code reads the location from a variable, that variable, so the image can
//! point the app at a directory its user owns. Read from the lines that open the
//! database (`new Database("data/app.db")`, `sqlite3.connect(os.environ.get("DB", ...))`).
//! The same pass notes an app that runs its own migrations (for `migrate.rs`).

use serde::Serialize;

/// A directory the app writes to at run time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WritablePath {
    /// The directory, relative to the app's working directory (`.` for the working
    /// directory itself), or absolute.
    pub path: String,
    /// The file the evidence is in.
    pub source: String,
    /// Why.
    pub reason: String,
    /// The variable the app reads the database location from, when it has one: the
    /// image sets it to a file in `path`.
    pub env: Option<String>,
    /// What goes before the absolute path in that variable's value (`sqlite:///`,
    /// `file:`, or empty for a plain path).
    pub prefix: String,
    /// The database file's name in `path` (`None`: the variable names the directory).
    pub file: Option<String>,
}

/// Calls that open a SQLite database; the location is on the same line.
const OPENERS: &[&str] = &[
    "new Database(",
    "new DatabaseSync(",
    "new sqlite3.Database(",
    ".Database(",
    "sqlite3.connect(",
    "aiosqlite.connect(",
    "sql.Open(\"sqlite",
    "sqlite.Open(",
    "Connection::open(",
    "SqlitePool::connect(",
    "create_engine(",
];

/// Imports of the SQLite module a runtime ships (no dependency to find it by).
const BUILTIN: &[&str] = &[
    "\"node:sqlite\"",
    "'node:sqlite'",
    "import sqlite3",
    "\"bun:sqlite\"",
    "'bun:sqlite'",
];

/// Variable reads whose name follows the marker.
const ENV_READS: &[&str] = &[
    "process.env.",
    "Bun.env.",
    "os.environ.get(\"",
    "os.environ.get('",
    "os.environ[\"",
    "os.environ['",
    "os.getenv(\"",
    "os.getenv('",
    "os.Getenv(\"",
    "env::var(\"",
];

/// What the sources say about SQLite: the file importing a runtime's built-in SQLite
/// module, and the first line that opens a database.
#[derive(Default)]
pub struct Scan {
    /// A source file importing `node:sqlite`, `bun:sqlite` or Python's `sqlite3`.
    pub builtin: Option<String>,
    opening: Option<WritablePath>,
    /// A database opened in memory was seen (and none on disk yet).
    memory: bool,
    /// The file and call by which the app runs its own migrations at start
    /// (`sqlx::migrate!`, `goose.Up`, golang-migrate's `migrate.New`), for `migrate.rs`.
    pub embedded_migrations: Option<(String, &'static str)>,
    /// Evidence of which database is the default, for `dbchoice.rs`.
    pub defaults: super::dbchoice::Defaults,
}

/// Calls by which an app applies its migrations itself.
const EMBEDDED_MIGRATIONS: &[&str] = &[
    "sqlx::migrate!",
    "goose.Up(",
    "goose.UpContext(",
    "migrate.NewWithSourceInstance(",
    "migrate.NewWithDatabaseInstance(",
    "migrate.New(",
];

impl Scan {
    /// Looks at one source file (`env.rs` reads every source once and hands each here).
    pub fn visit(&mut self, file: &str, text: &str) {
        if !is_source(file) {
            return;
        }
        self.defaults.visit(file, text);
        if self.embedded_migrations.is_none()
            && let Some(call) = EMBEDDED_MIGRATIONS.iter().find(|c| text.contains(**c))
        {
            self.embedded_migrations = Some((file.to_string(), call));
        }
        if self.builtin.is_none() && BUILTIN.iter().any(|b| text.contains(b)) {
            self.builtin = Some(file.to_string());
        }
        if self.opening.is_none() {
            self.memory |= text.contains("\":memory:\"") || text.contains("':memory:'");
            self.opening = text.lines().enumerate().find_map(|(i, line)| {
                parse_line(line).map(|w| WritablePath {
                    source: format!("{file}:{}", i + 1),
                    ..w
                })
            });
        }
    }
}

/// The writable directory for an app that uses SQLite (`source` and `reason`: the
/// evidence that it does): from the line that opens the database when one was found,
/// else nothing when it opens one in memory, else the working directory.
pub fn sqlite(scan: &Scan, source: &str, reason: &str) -> Option<WritablePath> {
    if let Some(found) = &scan.opening {
        return Some(found.clone());
    }
    if scan.memory {
        return None;
    }
    Some(WritablePath {
        path: ".".into(),
        source: source.into(),
        reason: format!(
            "{reason}: a SQLite database file, at a path dockform did not find in the code, so the working directory"
        ),
        env: None,
        prefix: String::new(),
        file: None,
    })
}

/// A Prisma or Drizzle datasource whose URL comes from `var`: the database goes in
/// `data/` and the variable points there.
pub fn from_url_var(var: &str, source: &str, reason: &str) -> WritablePath {
    WritablePath {
        path: "data".into(),
        source: source.into(),
        reason: format!("{reason}: a SQLite database file named by `{var}`"),
        env: Some(var.into()),
        prefix: "file:".into(),
        file: Some("app.db".into()),
    }
}

/// Server code (`env.rs` has left out tests already).
fn is_source(f: &str) -> bool {
    let name = f.rsplit('/').next().unwrap_or(f);
    [".js", ".mjs", ".cjs", ".ts", ".mts", ".py", ".go", ".rs"]
        .iter()
        .any(|e| f.ends_with(e))
        && !name.starts_with("next.config.")
}

/// What one line says about the database's location, if it opens one.
fn parse_line(line: &str) -> Option<WritablePath> {
    let code = line.trim_start();
    if code.starts_with("//") || code.starts_with('#') || code.starts_with('*') {
        return None;
    }
    let at = OPENERS.iter().filter_map(|o| line.find(o)).min()?;
    let rest = &line[at..];
    let literal = literals(rest).into_iter().find(|l| is_location(l));
    let sqlite_url = literal.as_deref().is_some_and(|l| l.starts_with("sqlite:"));
    if rest.starts_with("create_engine(") && !sqlite_url {
        return None;
    }
    let (prefix, path) = literal.as_deref().map(split_scheme).unwrap_or_default();
    if path == ":memory:" || path.is_empty() && literal.is_some() || !plain(path) {
        return None;
    }
    let var = ENV_READS.iter().find_map(|m| {
        let i = rest.find(m)?;
        var_name(&rest[i + m.len()..])
    });
    let name = path.rsplit('/').next().filter(|n| !n.is_empty());
    match var {
        Some(var) => Some(WritablePath {
            path: "data".into(),
            source: String::new(),
            reason: format!("opens a SQLite database named by `{var}`"),
            env: Some(var),
            prefix: prefix.to_string(),
            file: Some(name.unwrap_or("app.db").to_string()),
        }),
        None if literal.is_some() => {
            let dir = match path.rsplit_once('/') {
                Some(("", _)) => return None,
                Some((dir, _)) => dir.trim_start_matches("./").to_string(),
                None => ".".to_string(),
            };
            let dir = if dir.is_empty() || dir == "." {
                ".".into()
            } else {
                dir
            };
            Some(WritablePath {
                path: dir,
                source: String::new(),
                reason: format!("opens the SQLite database `{path}`"),
                env: None,
                prefix: String::new(),
                file: None,
            })
        }
        None => None,
    }
}

/// A path that can land in a Dockerfile as it is: letters, digits, `._/-`, no `..`,
/// not the root. Anything else is left alone (the working directory is used).
fn plain(path: &str) -> bool {
    path.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
        && !path.split('/').any(|c| c == "..")
        && path.trim_start_matches('/').contains(|c: char| c != '/')
        || path.is_empty()
}

/// The string literals in `s` (double, single or back quotes; no escapes).
fn literals(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '"' | '\'' | '`') {
            continue;
        }
        let end = s[i + 1..].find(c);
        let Some(end) = end else { break };
        out.push(s[i + 1..i + 1 + end].to_string());
        // Skip past the closing quote.
        for _ in 0..s[i + 1..i + 1 + end].chars().count() + 1 {
            chars.next();
        }
    }
    out
}

/// A database location: a SQLite URL, `:memory:`, or a file name with a database
/// extension.
fn is_location(l: &str) -> bool {
    l.starts_with("sqlite:")
        || l.starts_with("file:")
        || l == ":memory:"
        || [".db", ".sqlite", ".sqlite3", ".db3"]
            .iter()
            .any(|e| l.ends_with(e))
            && !l.contains(['$', '{', ' '])
}

/// `sqlite:///data/x.db` → (`sqlite:///`, `data/x.db`); a plain path has no scheme.
/// Query strings (`?mode=rwc`) are dropped.
fn split_scheme(l: &str) -> (&'static str, &str) {
    let l = l.split('?').next().unwrap_or(l);
    for scheme in ["sqlite:///", "sqlite://", "sqlite:", "file:"] {
        if let Some(path) = l.strip_prefix(scheme) {
            let kept = if scheme == "sqlite:" {
                "sqlite:"
            } else {
                scheme
            };
            let kept: &'static str = match kept {
                "sqlite:///" => "sqlite:///",
                "sqlite://" => "sqlite://",
                "sqlite:" => "sqlite:",
                _ => "file:",
            };
            return (kept, path);
        }
    }
    ("", l)
}

/// An upper-case variable name at the start of `s`.
fn var_name(s: &str) -> Option<String> {
    let name: String = s
        .chars()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    (name.len() > 1 && name.starts_with(|c: char| c.is_ascii_uppercase())).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> Option<(String, Option<String>, String, Option<String>)> {
        parse_line(line).map(|w| (w.path, w.env, w.prefix, w.file))
    }

    #[test]
    fn a_literal_path_gives_its_directory() {
        let p = parsed(r#"const db = new Database("data/notes.db");"#).unwrap();
        assert_eq!((p.0.as_str(), p.1), ("data", None));
        let p = parsed(r#"conn = sqlite3.connect("notes.sqlite3")"#).unwrap();
        assert_eq!(p.0, ".");
        let p = parsed(r#"db, err := sql.Open("sqlite", "./var/app.db")"#).unwrap();
        assert_eq!(p.0, "var");
        assert_eq!(parsed(r#"new Database(":memory:")"#), None);
        assert_eq!(parsed(r#"engine = create_engine("postgresql://x")"#), None);
        assert_eq!(parsed(r#"// new Database("data/x.db")"#), None);
    }

    #[test]
    fn a_variable_with_a_default_is_pointed_at_the_data_directory() {
        let p =
            parsed(r#"const db = new DatabaseSync(process.env.DB_FILE ?? "notes.db");"#).unwrap();
        assert_eq!(
            p,
            (
                "data".into(),
                Some("DB_FILE".into()),
                String::new(),
                Some("notes.db".into())
            )
        );
        let p = parsed(
            r#"engine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///./app.sqlite"))"#,
        )
        .unwrap();
        assert_eq!(
            p,
            (
                "data".into(),
                Some("DATABASE_URL".into()),
                "sqlite:///".into(),
                Some("app.sqlite".into())
            )
        );
    }
}
