//! The project's database migration tool and how `compose.yaml`'s one-shot `migrate`
//! service runs it before the app starts: Django, Alembic, Prisma, Drizzle (files at
//! the root), sqlx (Rust), goose and golang-migrate (Go). An app that applies its
//! migrations itself at start (`sqlx::migrate!`, `goose.Up`, `migrate.New`) needs no
//! service, and `detect` says so.

use serde::Serialize;

use super::writable::Scan;
use crate::scan::Project;

/// A migration step: the command and the Dockerfile target that has the tool.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Migrate {
    /// `django`, `alembic`, `prisma`, `drizzle`, `sqlx`, `goose` or `golang-migrate`.
    pub tool: String,
    /// The command, exec form, as Compose reads it (`$$` stands for `$`). Empty when
    /// the app runs its migrations itself.
    pub command: Vec<String>,
    /// `prod`, or `dev` when the tool is a development dependency or is fetched with
    /// the toolchain (Prisma and Drizzle CLIs, sqlx-cli, goose, migrate).
    pub target: String,
    /// The file that shows the tool is used.
    pub source: String,
    /// Why, in words.
    pub reason: String,
    /// The scheme of the database URL the tool needs when not the app's (Alembic goes
    /// through SQLAlchemy: `postgresql+psycopg` for psycopg 3).
    pub scheme: Option<String>,
}

/// Finds the migration tool of a project whose SQL database is of `kind`
/// (`postgres`, `mysql`).
pub fn detect(project: &Project, kind: &str, scan: &Scan) -> Option<Migrate> {
    root_tool(project)
        .or_else(|| sqlx(project, kind, scan))
        .or_else(|| go(project, kind, scan))
}

fn migrate(tool: &str, command: &[&str], target: &str, source: &str, reason: &str) -> Migrate {
    Migrate {
        tool: tool.into(),
        command: command.iter().map(|c| c.to_string()).collect(),
        target: target.into(),
        source: source.into(),
        reason: reason.into(),
        scheme: None,
    }
}

/// Tools known by the file they keep at the root.
fn root_tool(project: &Project) -> Option<Migrate> {
    let tools: &[(&str, &str, &[&str], &str)] = &[
        (
            "manage.py",
            "django",
            &["python", "manage.py", "migrate", "--noinput"],
            "prod",
        ),
        (
            "alembic.ini",
            "alembic",
            &["alembic", "upgrade", "head"],
            "prod",
        ),
        (
            "prisma/migrations",
            "prisma",
            &["npx", "prisma", "migrate", "deploy"],
            "dev",
        ),
        (
            "drizzle.config.ts",
            "drizzle",
            &["npx", "drizzle-kit", "migrate"],
            "dev",
        ),
        (
            "drizzle.config.js",
            "drizzle",
            &["npx", "drizzle-kit", "migrate"],
            "dev",
        ),
    ];
    tools
        .iter()
        .find(|(file, ..)| project.is_file(file) || project.is_dir(file))
        .map(|(file, tool, command, target)| {
            migrate(
                tool,
                command,
                target,
                file,
                "its configuration is at the root",
            )
        })
}

/// The app's own call that applies migrations at start, when there is one.
fn embedded(tool: &str, scan: &Scan, calls: &[&str]) -> Option<Migrate> {
    let (file, call) = scan
        .embedded_migrations
        .as_ref()
        .filter(|(_, c)| calls.contains(c))?;
    Some(migrate(
        tool,
        &[],
        "prod",
        file,
        &format!(
            "the app applies them at start (`{}`)",
            call.trim_end_matches('(')
        ),
    ))
}

/// The directory holding the first `.sql` file whose name or text matches.
fn sql_dir(project: &Project, matches: impl Fn(&str, &str) -> bool) -> Option<String> {
    project
        .files()
        .filter(|f| f.ends_with(".sql") && !f.starts_with("vendor/"))
        .take(200)
        .find(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            project.read_hint(f).is_some_and(|t| matches(name, &t))
        })
        .map(|f| f.rsplit_once('/').map_or(".", |(d, _)| d).to_string())
}

/// A path that is safe inside a shell command: letters, digits, `._/-`.
fn plain(path: &str) -> bool {
    !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
}

/// sqlx: `sqlx::migrate!` in the code, or a `migrations/` directory run by sqlx-cli
/// (installed in the `dev` target at the version of the locked `sqlx`).
fn sqlx(project: &Project, kind: &str, scan: &Scan) -> Option<Migrate> {
    let manifest = project.read_hint("Cargo.toml")?;
    let toml = manifest.parse::<toml::Table>().ok()?;
    let deps = toml
        .get("dependencies")
        .and_then(|d| d.as_table())
        .filter(|d| d.contains_key("sqlx"))
        .or_else(|| {
            toml.get("workspace")
                .and_then(|w| w.get("dependencies"))
                .and_then(|d| d.as_table())
                .filter(|d| d.contains_key("sqlx"))
        })?;
    if let Some(m) = embedded("sqlx", scan, &["sqlx::migrate!"]) {
        return Some(m);
    }
    if !project.is_dir("migrations") {
        return None;
    }
    let version = locked_version(project, "sqlx")
        .or_else(|| {
            let spec = deps.get("sqlx")?;
            spec.as_str()
                .or_else(|| spec.get("version").and_then(|v| v.as_str()))
                .map(|v| v.trim_start_matches(['^', '=', '~', ' ']).to_string())
        })
        .filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))?;
    let feature = if kind == "mysql" { "mysql" } else { "postgres" };
    let script = format!(
        "cargo install sqlx-cli --version {version} --locked --no-default-features --features rustls,{feature} && exec sqlx migrate run"
    );
    Some(migrate(
        "sqlx",
        &["sh", "-c", &script],
        "dev",
        "migrations",
        "`migrations/` with `sqlx` in `Cargo.toml`: sqlx-cli applies them",
    ))
}

/// The version of `name` in `Cargo.lock`.
fn locked_version(project: &Project, name: &str) -> Option<String> {
    let lock = project.read_hint("Cargo.lock")?;
    let lock = lock.parse::<toml::Table>().ok()?;
    lock.get("package")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))?
        .get("version")?
        .as_str()
        .map(String::from)
}

/// goose and golang-migrate: required in `go.mod`, run at their `go.mod` version with
/// `go run` in the `dev` target (PostgreSQL only: their MySQL DSNs differ from the URL
/// `compose.yaml` sets).
fn go(project: &Project, kind: &str, scan: &Scan) -> Option<Migrate> {
    let gomod = project.read_hint("go.mod")?;
    let required = |module: &str| {
        gomod.lines().find_map(|l| {
            let mut words = l.trim().trim_start_matches("require").split_whitespace();
            (words.next() == Some(module))
                .then(|| words.next().map(String::from))
                .flatten()
        })
    };
    let version_ok = |v: &String| {
        v.starts_with('v')
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c))
    };
    if let Some(version) = required("github.com/pressly/goose/v3").filter(version_ok) {
        if let Some(m) = embedded("goose", scan, &["goose.Up(", "goose.UpContext("]) {
            return Some(m);
        }
        let dir = sql_dir(project, |_, t| t.contains("+goose Up")).filter(|d| plain(d))?;
        if kind != "postgres" {
            return None;
        }
        let script = format!(
            "exec go run github.com/pressly/goose/v3/cmd/goose@{version} -dir {dir} postgres \"$$DATABASE_URL\" up"
        );
        return Some(migrate(
            "goose",
            &["sh", "-c", &script],
            "dev",
            &dir,
            "`-- +goose Up` migrations with goose in `go.mod`",
        ));
    }
    let version = required("github.com/golang-migrate/migrate/v4").filter(version_ok)?;
    let calls = [
        "migrate.New(",
        "migrate.NewWithSourceInstance(",
        "migrate.NewWithDatabaseInstance(",
    ];
    if let Some(m) = embedded("golang-migrate", scan, &calls) {
        return Some(m);
    }
    let dir = sql_dir(project, |name, _| name.ends_with(".up.sql")).filter(|d| plain(d))?;
    if kind != "postgres" {
        return None;
    }
    // The postgres driver is lib/pq's, which asks for TLS unless told not to.
    let script = format!(
        "exec go run -tags postgres github.com/golang-migrate/migrate/v4/cmd/migrate@{version} -path {dir} -database \"$${{DATABASE_URL}}?sslmode=disable\" up"
    );
    Some(migrate(
        "golang-migrate",
        &["sh", "-c", &script],
        "dev",
        &dir,
        "`*.up.sql` migrations with golang-migrate in `go.mod`",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(files: &[(&str, &str)], kind: &str) -> Option<Migrate> {
        let root = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = root.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let project = Project::scan(root.path()).unwrap();
        let mut scan = Scan::default();
        for (path, text) in files {
            scan.visit(path, text);
        }
        detect(&project, kind, &scan)
    }

    #[test]
    fn sqlx_migrations_run_with_the_locked_cli_unless_the_app_embeds_them() {
        let cargo = "[package]\nname = \"x\"\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"postgres\"] }\n";
        let lock = "version = 4\n[[package]]\nname = \"sqlx\"\nversion = \"0.8.6\"\n";
        let sql = "create table t (id int);\n";
        let m = found(
            &[
                ("Cargo.toml", cargo),
                ("Cargo.lock", lock),
                ("migrations/20250101000000_init.sql", sql),
            ],
            "postgres",
        )
        .unwrap();
        assert_eq!((m.tool.as_str(), m.target.as_str()), ("sqlx", "dev"));
        assert!(
            m.command[2].contains("sqlx-cli --version 0.8.6"),
            "{:?}",
            m.command
        );
        let m = found(
            &[
                ("Cargo.toml", cargo),
                ("migrations/20250101000000_init.sql", sql),
                (
                    "src/main.rs",
                    "fn main() { sqlx::migrate!().run(&pool); }\n",
                ),
            ],
            "postgres",
        )
        .unwrap();
        assert!(m.command.is_empty());
        assert_eq!(m.source, "src/main.rs");
    }

    #[test]
    fn goose_and_golang_migrate_run_at_their_go_mod_version() {
        let m = found(
            &[
                (
                    "go.mod",
                    "module x\n\nrequire github.com/pressly/goose/v3 v3.24.1\n",
                ),
                (
                    "db/migrations/001_init.sql",
                    "-- +goose Up\ncreate table t (id int);\n",
                ),
            ],
            "postgres",
        )
        .unwrap();
        assert_eq!(m.tool, "goose");
        assert!(
            m.command[2]
                .contains("goose@v3.24.1 -dir db/migrations postgres \"$$DATABASE_URL\" up")
        );
        let m = found(
            &[
                (
                    "go.mod",
                    "module x\n\nrequire (\n\tgithub.com/golang-migrate/migrate/v4 v4.18.1\n)\n",
                ),
                ("migrations/1_init.up.sql", "create table t (id int);\n"),
                ("migrations/1_init.down.sql", "drop table t;\n"),
            ],
            "postgres",
        )
        .unwrap();
        assert_eq!(
            (m.tool.as_str(), m.source.as_str()),
            ("golang-migrate", "migrations")
        );
        assert!(m.command[2].contains("migrate@v4.18.1 -path migrations"));
        assert_eq!(
            found(
                &[
                    (
                        "go.mod",
                        "module x\n\nrequire github.com/golang-migrate/migrate/v4 v4.18.1\n"
                    ),
                    ("migrations/1_init.up.sql", "create table t (id int);\n"),
                    (
                        "main.go",
                        "m, err := migrate.New(\"file://migrations\", url)\n"
                    ),
                ],
                "postgres",
            )
            .unwrap()
            .command,
            Vec::<String>::new()
        );
    }
}
