//! Which database an app uses by default when it links drivers for several (SQLite
//! beside PostgreSQL and MySQL, say): the others are options the user turns on.
//!
//! Linking a driver says the app *can* use that database; a default says it *does*
//! unless told otherwise. Evidence of a default, strongest first:
//! 1. a database setting given a driver name as its value (`viper.SetDefault("driver",
//!    "sqlite")`, `Dialect: "sqlite3"`, `DB_ENGINE: str = "sqlite"`, `DB_TYPE=sqlite` in
//!    `.env.example`), never a comparison (`if dialect == "mysql"`, `case "postgres":`),
//!    which is the switch over the options;
//! 2. a connection URL literal outside a comparison (`or 'sqlite:///' + path`,
//!    `DATABASE_URL=postgres://...` in `.env.example`);
//! 3. for SQLite, a database file name (`"data/app.db"`).
//!
//! The first tier naming exactly one of the linked databases decides; a tier naming
//! several, or no evidence at all, leaves the choice open (a warning names the drivers).

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// The kinds that are alternative places for the app's own data.
pub const DATABASES: &[&str] = &["sqlite", "postgres", "mysql", "mongodb"];

/// Names a setting's value gives each database.
const ALIASES: &[(&str, &str)] = &[
    ("sqlite", "sqlite"),
    ("sqlite3", "sqlite"),
    ("postgres", "postgres"),
    ("postgresql", "postgres"),
    ("pg", "postgres"),
    ("pgx", "postgres"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("mongodb", "mongodb"),
    ("mongo", "mongodb"),
];

/// URL prefixes and the database each means.
const URLS: &[(&str, &str)] = &[
    ("sqlite:", "sqlite"),
    ("postgres://", "postgres"),
    ("postgresql://", "postgres"),
    ("postgresql+", "postgres"),
    ("mysql://", "mysql"),
    ("mysql+", "mysql"),
    ("mariadb://", "mysql"),
    ("mongodb://", "mongodb"),
    ("mongodb+srv://", "mongodb"),
];

/// A setting that picks the database, by its name.
static SETTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(driver|dialect|engine|dbms|db_?type|database_?type|db_?kind|db_?client|db_?provider|database_?provider)").unwrap()
});

/// A comparison or a test of a value (the switch over the options), or the code that
/// opens or imports one driver: not a default.
static COMPARISON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"==|!=|\bcase\b|\bif\b|\belif\b|\bswitch\b|startswith|HasPrefix|starts_with|startsWith|\.replace\(|\bin \[|\bin \(|=>|\.includes\(|\.contains\(|\b[Oo]pen\(|Register\(|\bimport\b|require\("#).unwrap()
});

/// A quoted string, or the value after `=` in an env file.
static LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""([^"\n]*)"|'([^'\n]*)'|`([^`\n]*)`"#).unwrap());

/// The database a value names: a driver name or a connection URL.
fn kind_of(v: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(a, _)| v.eq_ignore_ascii_case(a))
        .or_else(|| URLS.iter().find(|(p, _)| v.starts_with(p)))
        .map(|(_, k)| *k)
}

/// One line that says a database is the default.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    /// `sqlite`, `postgres`, `mysql` or `mongodb`.
    pub kind: String,
    /// `file:line`.
    pub source: String,
    /// Why, in words.
    pub reason: String,
}

/// The evidence of defaults seen in the project's sources, per tier (see the module
/// documentation).
#[derive(Debug, Default)]
pub struct Defaults {
    tiers: [Vec<Evidence>; 3],
    /// Settings given each of several databases in one file (`UseMySQL` and
    /// `UseSQLite` setters, an enum of dialects): the options, which leave the choice
    /// open unless a setting elsewhere decides.
    options: Vec<Evidence>,
}

/// What the evidence decides among the linked databases.
#[derive(Debug, PartialEq)]
pub enum Choice {
    /// This one is the default.
    Default(Evidence),
    /// No single default: the evidence (possibly none) that names several.
    Open(Vec<Evidence>),
}

impl Defaults {
    /// Reads one source file (`.env.example`-like files are read as `NAME=value`).
    pub fn visit(&mut self, file: &str, text: &str) {
        let env_file = file
            .rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with(".env"));
        let before = self.tiers[0].len();
        for (i, line) in text.lines().enumerate().take(5000) {
            // A trailing comment often lists the options (`"sqlite"  # or 'postgres'`).
            let code = [" #", " //"]
                .iter()
                .fold(line, |l, c| l.split(c).next().unwrap_or(l))
                .trim();
            if code.is_empty()
                || ["//", "#", "*", "--", "/*"]
                    .iter()
                    .any(|c| code.starts_with(c))
                || COMPARISON.is_match(code)
            {
                continue;
            }
            let source = format!("{file}:{}", i + 1);
            let values: Vec<&str> = if env_file {
                code.split_once('=')
                    .map(|(_, v)| v.trim().trim_matches(['"', '\'']))
                    .into_iter()
                    .collect()
            } else {
                LITERAL
                    .captures_iter(code)
                    .filter_map(|c| c.iter().skip(1).flatten().next().map(|m| m.as_str()))
                    .collect()
            };
            let kinds: Vec<&str> = values.iter().filter_map(|v| kind_of(v)).collect();
            if kinds.iter().any(|k| *k != kinds[0]) {
                // Several names on one line: a list of the options.
                continue;
            }
            self.line(&source, code, &values);
        }
        // Several settings in one file naming different databases: an enumeration of
        // the options (`DialectSQLite = "sqlite"`, `DialectMySQL = "mysql"`).
        let added = &self.tiers[0][before..];
        if added.iter().any(|e| e.kind != added[0].kind) {
            let options = self.tiers[0].split_off(before);
            self.options.extend(options);
        }
    }

    fn line(&mut self, source: &str, code: &str, values: &[&str]) {
        let setting = SETTING.is_match(code);
        // The first driver name on the line is its value (`"sqlite" # or 'postgres'`).
        if setting
            && let Some((name, kind)) = values
                .iter()
                .find_map(|v| ALIASES.iter().find(|(a, _)| v.eq_ignore_ascii_case(a)))
        {
            self.push(
                0,
                kind,
                source,
                format!("a database setting defaults to `{name}`"),
            );
            return;
        }
        for v in values {
            if let Some((prefix, kind)) = URLS.iter().find(|(p, _)| v.starts_with(p)) {
                self.push(
                    1,
                    kind,
                    source,
                    format!("a default connection URL `{prefix}...`"),
                );
                return;
            }
        }
        if let Some(v) = values.iter().find(|v| {
            !v.contains(char::is_whitespace)
                && [".db", ".sqlite", ".sqlite3"]
                    .iter()
                    .any(|e| v.ends_with(e) && v.len() > e.len())
        }) {
            self.push(2, "sqlite", source, format!("a database file `{v}`"));
        }
    }

    fn push(&mut self, tier: usize, kind: &str, source: &str, reason: String) {
        if self.tiers[tier].iter().any(|e| e.kind == kind) {
            return;
        }
        self.tiers[tier].push(Evidence {
            kind: kind.into(),
            source: source.into(),
            reason,
        });
    }

    /// The default among `linked` (the databases the app has drivers for).
    pub fn choose(&self, linked: &[&str]) -> Choice {
        for (i, tier) in self.tiers.iter().enumerate() {
            let options: Vec<Evidence> = self
                .options
                .iter()
                .filter(|e| linked.contains(&e.kind.as_str()))
                .cloned()
                .collect();
            if i == 1 && options.iter().any(|e| e.kind != options[0].kind) {
                return Choice::Open(options);
            }
            let named: Vec<&Evidence> = tier
                .iter()
                .filter(|e| linked.contains(&e.kind.as_str()))
                .collect();
            match named.as_slice() {
                [] => continue,
                [one] => return Choice::Default((*one).clone()),
                many => return Choice::Open(many.iter().map(|e| (*e).clone()).collect()),
            }
        }
        Choice::Open(Vec::new())
    }
}

impl super::services::Needs {
    /// These needs with `services` (from `dockform.toml` or `--service`) as the backing
    /// services `compose.yaml` runs: each keeps its detected evidence, the rest become
    /// optional. `None` keeps the detected ones.
    pub fn with_services(mut self, services: Option<&[String]>) -> crate::error::Result<Self> {
        use super::services::{KINDS, Service};
        let Some(wanted) = services else {
            return Ok(self);
        };
        if let Some(bad) = wanted.iter().find(|k| !KINDS.contains(&k.as_str())) {
            return Err(crate::error::Error::invalid(
                "`services` (`--service`)",
                format!(
                    "`{}` is no service kind dockform knows (one of {})",
                    crate::validate::shown(bad),
                    KINDS.join(", ")
                ),
            ));
        }
        let mut known: Vec<Service> = std::mem::take(&mut self.services);
        known.append(&mut self.optional);
        let mut chosen = Vec::new();
        for kind in KINDS.iter().filter(|k| wanted.iter().any(|w| w == *k)) {
            let at = known.iter().position(|s| s.kind == *kind);
            chosen.push(at.map(|i| known.remove(i)).unwrap_or_else(|| Service {
                name: kind.to_string(),
                kind: kind.to_string(),
                source: "dockform.toml".into(),
                reason: "listed in `services` (or `--service`)".into(),
                scheme: kind.to_string(),
            }));
        }
        for s in chosen.iter_mut().chain(known.iter_mut()) {
            s.name = s.kind.clone();
        }
        if let Some(sql) = chosen
            .iter_mut()
            .find(|s| s.kind == "postgres" || s.kind == "mysql")
        {
            sql.name = "db".into();
        } else {
            self.migrate = None;
        }
        self.services = chosen;
        self.optional = known;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(files: &[(&str, &str)], linked: &[&str]) -> Choice {
        let mut d = Defaults::default();
        for (file, text) in files {
            d.visit(file, text);
        }
        d.choose(linked)
    }

    fn default_kind(files: &[(&str, &str)], linked: &[&str]) -> Option<String> {
        match choose(files, linked) {
            Choice::Default(e) => Some(e.kind),
            Choice::Open(_) => None,
        }
    }

    const ALL: &[&str] = &["sqlite", "postgres", "mysql"];

    #[test]
    fn a_setting_defaulting_to_a_driver_name_decides_and_a_switch_does_not() {
        let go = "func init() {\n\tviper.SetDefault(\"store\", \"sqlite\")\n}\nswitch cfg.Store {\ncase \"postgres\":\n}\n";
        // `store` is no database setting name: only the URL or file tiers could decide.
        assert_eq!(default_kind(&[("main.go", go)], ALL), None);
        let go = "cmd.Flags().String(\"db-driver\", \"mysql\", \"which database\")\nif driver == \"sqlite\" {\n}\n";
        assert_eq!(
            default_kind(&[("main.go", go)], ALL).as_deref(),
            Some("mysql")
        );
        let py =
            "class Settings(BaseSettings):\n    DB_ENGINE: str = \"postgres\"  # or 'sqlite'\n";
        // Opening one driver, or an enumeration of the options, is no default.
        let go = "db, err := sql.Open(\"mysql\", dsn)\nconst (\n\tDialectA Dialect = \"sqlite\"\n\tDialectB Dialect = \"postgres\"\n)\n";
        assert!(matches!(choose(&[("db.go", go)], ALL), Choice::Open(e) if e.len() == 2));
        assert_eq!(
            default_kind(&[("app/config.py", py)], ALL).as_deref(),
            Some("postgres")
        );
        let env = "# DB_TYPE=postgres\nDB_TYPE=sqlite\n";
        assert_eq!(
            default_kind(&[(".env.example", env)], ALL).as_deref(),
            Some("sqlite")
        );
        // A membership test names one option, not a default.
        let ts = "isDocument: ['mongodb'].includes(process.env.DB_TYPE ?? ''),\n";
        assert_eq!(
            choose(&[("db.config.ts", ts)], &["postgres", "mongodb"]),
            Choice::Open(vec![])
        );
        // Only a switch over the options: no default.
        let go = "switch dialect {\ncase \"sqlite3\":\ncase \"mysql\":\n}\n";
        assert_eq!(choose(&[("db.go", go)], ALL), Choice::Open(vec![]));
        // Setters for each option leave the choice open even beside a file name.
        let go = "func (c *C) UseMySQL() {\n\tc.DBType = \"mysql\"\n}\nfunc (c *C) UseSQLite() {\n\tc.DBType = \"sqlite3\"\n\tc.File = \"app.db\"\n}\n";
        assert!(matches!(choose(&[("config.go", go)], ALL), Choice::Open(e) if e.len() == 2));
        // One setting elsewhere still decides.
        let main = "flag.String(\"driver\", \"sqlite\", \"\")\n";
        assert_eq!(
            default_kind(&[("config.go", go), ("main.go", main)], ALL).as_deref(),
            Some("sqlite")
        );
    }

    #[test]
    fn a_url_or_a_file_name_decides_when_no_setting_does() {
        let py = "URI = os.environ.get('DATABASE_URL', '').replace('postgres://', 'postgresql://') or \\\n    'sqlite:///' + path\n";
        assert_eq!(
            default_kind(&[("config.py", py)], ALL).as_deref(),
            Some("sqlite")
        );
        let go = "c.DatabaseFile = \"data/app.db\"\n";
        assert_eq!(
            default_kind(&[("config.go", go)], ALL).as_deref(),
            Some("sqlite")
        );
        // A setting outranks a file name.
        let go = "c.File = \"cache.db\"\nc.Dialect = \"postgres\"\n";
        assert_eq!(
            default_kind(&[("config.go", go)], ALL).as_deref(),
            Some("postgres")
        );
        // Evidence for a database the app links no driver for does not count.
        assert_eq!(
            default_kind(&[("config.go", go)], &["sqlite", "mysql"]).as_deref(),
            Some("sqlite")
        );
    }

    #[test]
    fn two_defaults_in_one_tier_leave_the_choice_open_with_both() {
        let js = "const url = process.env.DB ?? \"postgres://localhost/app\";\nconst other = \"mysql://localhost/app\";\n";
        let Choice::Open(e) = choose(&[("src/db.js", js)], ALL) else {
            panic!("expected no default");
        };
        assert_eq!(
            e.iter().map(|e| e.source.as_str()).collect::<Vec<_>>(),
            ["src/db.js:1", "src/db.js:2"]
        );
    }
}
