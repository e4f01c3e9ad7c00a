//! What the app needs besides itself: backing services (PostgreSQL, Redis, ...) found in
//! the dependencies and ORM configuration of every stack, and writable directories
//! (SQLite). Each finding names the file it came from. Runs after the stack detector.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::scan::Project;

/// The kinds of backing service dockform knows, in the order they are shown.
pub const KINDS: &[&str] = &[
    "postgres", "mysql", "redis", "mongodb", "rabbitmq", "nats", "s3",
];

/// One backing service the app uses.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Service {
    /// Its name in `compose.yaml`: `db` for the first SQL database, else the kind.
    pub name: String,
    /// `postgres`, `mysql`, `redis`, `mongodb`, `rabbitmq`, `nats` or `s3`.
    pub kind: String,
    /// The file the evidence is in, relative to the project.
    pub source: String,
    /// Why, in words.
    pub reason: String,
}

/// A directory the app writes to at run time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WritablePath {
    /// The directory, relative to the app's working directory.
    pub path: String,
    /// The file the evidence is in.
    pub source: String,
    /// Why.
    pub reason: String,
}

/// Everything the app needs to run besides its image.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Needs {
    /// Backing services, one per kind, in [`KINDS`] order.
    pub services: Vec<Service>,
    /// Directories the app writes to.
    pub writable_paths: Vec<WritablePath>,
    /// Environment variables the app requires (see `env.rs`).
    pub env: super::env::RequiredEnv,
    /// The migration tool, run by `compose.yaml` as a one-shot `migrate` service before
    /// the app starts, when the app has a SQL database.
    pub migrate: Option<Migrate>,
    /// Manifests and lockfiles present at the root: `compose.yaml`'s dev service
    /// rebuilds when one changes.
    pub manifests: Vec<String>,
}

/// A migration step: the command and the Dockerfile target that has the tool.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Migrate {
    /// `django`, `alembic`, `prisma` or `drizzle`.
    pub tool: String,
    /// The command, exec form.
    pub command: Vec<String>,
    /// `prod`, or `dev` when the tool is a development dependency (Prisma, Drizzle CLIs).
    pub target: String,
    /// The file that shows the tool is used.
    pub source: String,
}

/// Files whose change means new dependencies (Compose Watch rebuilds on them).
const MANIFESTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
    "go.mod",
    "go.sum",
    "requirements.txt",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "Pipfile",
    "Pipfile.lock",
    "Cargo.toml",
    "Cargo.lock",
];

/// Dependency names (lower case) and the service each means. `sqlite` is no service:
/// it means a writable data directory.
const NODE: &[(&str, &str)] = &[
    ("pg", "postgres"),
    ("postgres", "postgres"),
    ("pg-promise", "postgres"),
    ("@neondatabase/serverless", "postgres"),
    ("mysql", "mysql"),
    ("mysql2", "mysql"),
    ("mariadb", "mysql"),
    ("ioredis", "redis"),
    ("redis", "redis"),
    ("@redis/client", "redis"),
    ("iovalkey", "redis"),
    ("mongodb", "mongodb"),
    ("mongoose", "mongodb"),
    ("amqplib", "rabbitmq"),
    ("amqp-connection-manager", "rabbitmq"),
    ("nats", "nats"),
    ("@aws-sdk/client-s3", "s3"),
    ("minio", "s3"),
    ("sqlite3", "sqlite"),
    ("better-sqlite3", "sqlite"),
    ("@libsql/client", "sqlite"),
];

const PYTHON: &[(&str, &str)] = &[
    ("psycopg", "postgres"),
    ("psycopg2", "postgres"),
    ("psycopg2-binary", "postgres"),
    ("psycopg-binary", "postgres"),
    ("asyncpg", "postgres"),
    ("mysqlclient", "mysql"),
    ("pymysql", "mysql"),
    ("aiomysql", "mysql"),
    ("mysql-connector-python", "mysql"),
    ("redis", "redis"),
    ("valkey", "redis"),
    ("pymongo", "mongodb"),
    ("motor", "mongodb"),
    ("beanie", "mongodb"),
    ("pika", "rabbitmq"),
    ("aio-pika", "rabbitmq"),
    ("nats-py", "nats"),
    ("boto3", "s3"),
    ("minio", "s3"),
    ("aiosqlite", "sqlite"),
];

/// Module path prefixes in `go.mod`.
const GO: &[(&str, &str)] = &[
    ("github.com/jackc/pgx", "postgres"),
    ("github.com/lib/pq", "postgres"),
    ("gorm.io/driver/postgres", "postgres"),
    ("github.com/go-sql-driver/mysql", "mysql"),
    ("gorm.io/driver/mysql", "mysql"),
    ("github.com/redis/go-redis", "redis"),
    ("github.com/go-redis/redis", "redis"),
    ("github.com/valkey-io/valkey-go", "redis"),
    ("go.mongodb.org/mongo-driver", "mongodb"),
    ("github.com/rabbitmq/amqp091-go", "rabbitmq"),
    ("github.com/streadway/amqp", "rabbitmq"),
    ("github.com/nats-io/nats.go", "nats"),
    ("github.com/minio/minio-go", "s3"),
    ("github.com/aws/aws-sdk-go-v2/service/s3", "s3"),
    ("gorm.io/driver/sqlite", "sqlite"),
    ("github.com/mattn/go-sqlite3", "sqlite"),
    ("modernc.org/sqlite", "sqlite"),
    ("github.com/glebarez/sqlite", "sqlite"),
];

/// Crate names in `Cargo.toml`; `sqlx`, `diesel` and `sea-orm` go by their features.
const RUST: &[(&str, &str)] = &[
    ("tokio-postgres", "postgres"),
    ("postgres", "postgres"),
    ("deadpool-postgres", "postgres"),
    ("mysql", "mysql"),
    ("mysql_async", "mysql"),
    ("redis", "redis"),
    ("deadpool-redis", "redis"),
    ("fred", "redis"),
    ("mongodb", "mongodb"),
    ("lapin", "rabbitmq"),
    ("async-nats", "nats"),
    ("nats", "nats"),
    ("aws-sdk-s3", "s3"),
    ("rust-s3", "s3"),
    ("rusqlite", "sqlite"),
];

/// Feature names of the ORM crates that pick a database.
const FEATURES: &[(&str, &str)] = &[
    ("postgres", "postgres"),
    ("sqlx-postgres", "postgres"),
    ("mysql", "mysql"),
    ("sqlx-mysql", "mysql"),
    ("sqlite", "sqlite"),
    ("sqlx-sqlite", "sqlite"),
];

/// Connection variables read by the code, and the service each means (`env.rs` finds
/// them).
pub const URL_VARS: &[(&str, &str)] = &[
    ("POSTGRES_URL", "postgres"),
    ("PGHOST", "postgres"),
    ("MYSQL_URL", "mysql"),
    ("REDIS_URL", "redis"),
    ("VALKEY_URL", "redis"),
    ("MONGODB_URI", "mongodb"),
    ("MONGO_URL", "mongodb"),
    ("MONGODB_URL", "mongodb"),
    ("AMQP_URL", "rabbitmq"),
    ("RABBITMQ_URL", "rabbitmq"),
    ("NATS_URL", "nats"),
    ("S3_ENDPOINT", "s3"),
];

/// Finds what the app needs. `app` is the app's directory when the detector chose one
/// inside a workspace (`None` or `.` for the root).
pub fn detect(project: &Project, app: Option<&str>) -> Needs {
    let mut found = Found::default();
    let dirs: Vec<String> = match app.filter(|a| !a.is_empty() && *a != ".") {
        Some(a) => vec![String::new(), format!("{}/", a.trim_end_matches('/'))],
        None => vec![String::new()],
    };
    for dir in &dirs {
        node(project, dir, &mut found);
        python(project, dir, &mut found);
        go(project, dir, &mut found);
        rust(project, dir, &mut found);
    }
    django(project, &mut found);
    let env = super::env::detect(project);
    for var in env.runtime.iter().chain(&env.optional) {
        if let Some((_, kind)) = URL_VARS.iter().find(|(n, _)| *n == var.name) {
            let reason = format!("reads `{}`", var.name);
            found.add(kind, &var.file, reason);
        }
    }
    let manifests = MANIFESTS
        .iter()
        .filter(|m| project.is_file(m))
        .map(|m| m.to_string())
        .collect();
    let mut needs = found.into_needs(env, manifests);
    if needs.services.iter().any(|s| s.name == "db") {
        needs.migrate = migrate(project);
    }
    needs
}

/// The project's migration tool, from the files each one keeps at the root.
fn migrate(project: &Project) -> Option<Migrate> {
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
        .map(|(file, tool, command, target)| Migrate {
            tool: tool.to_string(),
            command: command.iter().map(|c| c.to_string()).collect(),
            target: target.to_string(),
            source: file.to_string(),
        })
}

#[derive(Default)]
struct Found {
    services: BTreeMap<usize, Service>,
    sqlite: Option<WritablePath>,
}

impl Found {
    fn add(&mut self, kind: &str, source: &str, reason: String) {
        if kind == "sqlite" {
            self.sqlite.get_or_insert(WritablePath {
                path: "data".into(),
                source: source.into(),
                reason: format!("{reason}: a SQLite database file"),
            });
            return;
        }
        if let Some(i) = KINDS.iter().position(|k| *k == kind) {
            self.services.entry(i).or_insert(Service {
                name: kind.into(),
                kind: kind.into(),
                source: source.into(),
                reason,
            });
        }
    }

    fn into_needs(self, env: super::env::RequiredEnv, manifests: Vec<String>) -> Needs {
        let mut services: Vec<Service> = self.services.into_values().collect();
        if let Some(sql) = services
            .iter_mut()
            .find(|s| s.kind == "postgres" || s.kind == "mysql")
        {
            sql.name = "db".into();
        }
        Needs {
            services,
            writable_paths: self.sqlite.into_iter().collect(),
            env,
            migrate: None,
            manifests,
        }
    }
}

fn node(project: &Project, dir: &str, found: &mut Found) {
    let path = format!("{dir}package.json");
    let Some(text) = project.read_hint(&path) else {
        return;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    for table in ["dependencies", "optionalDependencies", "peerDependencies"] {
        let Some(deps) = json.get(table).and_then(|d| d.as_object()) else {
            continue;
        };
        for name in deps.keys() {
            if let Some((_, kind)) = NODE.iter().find(|(n, _)| n == name) {
                found.add(kind, &path, format!("depends on `{name}`"));
            }
        }
        if deps.contains_key("@prisma/client") {
            prisma(project, dir, found);
        }
        if deps.contains_key("drizzle-orm") {
            drizzle(project, dir, found);
        }
    }
}

/// The `provider` of the `datasource` block of the Prisma schema.
fn prisma(project: &Project, dir: &str, found: &mut Found) {
    let path = format!("{dir}prisma/schema.prisma");
    let Some(text) = project.read_hint(&path) else {
        return;
    };
    let Some(block) = text.split("datasource").nth(1) else {
        return;
    };
    let block = block.split('}').next().unwrap_or_default();
    let provider = block
        .lines()
        .find_map(|l| l.trim().strip_prefix("provider"))
        .and_then(|v| v.split('"').nth(1))
        .unwrap_or_default();
    let kind = match provider {
        "postgresql" | "postgres" | "cockroachdb" => "postgres",
        "mysql" => "mysql",
        "mongodb" => "mongodb",
        "sqlite" => "sqlite",
        _ => return,
    };
    found.add(kind, &path, format!("Prisma datasource `{provider}`"));
}

/// The `dialect` of `drizzle.config.*`.
fn drizzle(project: &Project, dir: &str, found: &mut Found) {
    for ext in ["ts", "js", "mjs", "cjs", "mts"] {
        let path = format!("{dir}drizzle.config.{ext}");
        let Some(text) = project.read_hint(&path) else {
            continue;
        };
        let Some(rest) = text.split("dialect").nth(1) else {
            continue;
        };
        let dialect = rest
            .split(['"', '\'', '`'])
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let kind = match dialect.as_str() {
            "postgresql" => "postgres",
            "mysql" | "singlestore" => "mysql",
            "sqlite" | "turso" => "sqlite",
            _ => return,
        };
        found.add(kind, &path, format!("Drizzle dialect `{dialect}`"));
        return;
    }
}

fn python(project: &Project, dir: &str, found: &mut Found) {
    let mut manifests: Vec<String> = ["pyproject.toml", "Pipfile", "setup.py", "setup.cfg"]
        .iter()
        .map(|f| format!("{dir}{f}"))
        .collect();
    manifests.extend(
        project
            .files()
            .filter(|f| {
                f.strip_prefix(dir).is_some_and(|rest| {
                    !rest.contains('/')
                        && rest.starts_with("requirements")
                        && rest.ends_with(".txt")
                        || rest.starts_with("requirements/") && rest.ends_with(".txt")
                })
            })
            .map(String::from),
    );
    for path in manifests {
        let Some(text) = project.read_hint(&path) else {
            continue;
        };
        for name in requirement_names(&text) {
            if let Some((_, kind)) = PYTHON.iter().find(|(n, _)| *n == name) {
                found.add(kind, &path, format!("depends on `{name}`"));
            }
        }
    }
}

/// Requirement-like names in a Python manifest: at the start of a line or of a quoted
/// string (`"psycopg[binary]>=3"`, `redis = "^5"`), lower case with `_` and `.` as `-`.
fn requirement_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let starts = std::iter::once(line).chain(line.split(['"', '\'']).skip(1).step_by(2));
        for s in starts {
            let name: String = s
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            if !name.is_empty() {
                names.push(name.to_ascii_lowercase().replace(['_', '.'], "-"));
            }
        }
    }
    names
}

/// `DATABASES` engines in Django settings modules.
fn django(project: &Project, found: &mut Found) {
    let settings: Vec<String> = project
        .files()
        .filter(|f| f.ends_with("settings.py") || f.contains("/settings/") && f.ends_with(".py"))
        .take(20)
        .map(String::from)
        .collect();
    for path in settings {
        let Some(text) = project.read_source(&path) else {
            continue;
        };
        for (engine, kind) in [
            ("django.db.backends.postgresql", "postgres"),
            ("django.contrib.gis.db.backends.postgis", "postgres"),
            ("django.db.backends.mysql", "mysql"),
            ("django.db.backends.sqlite3", "sqlite"),
        ] {
            if text.contains(engine) {
                found.add(kind, &path, format!("Django database engine `{engine}`"));
            }
        }
    }
}

fn go(project: &Project, dir: &str, found: &mut Found) {
    let path = format!("{dir}go.mod");
    let Some(text) = project.read_hint(&path) else {
        return;
    };
    for line in text.lines() {
        let module = line
            .trim()
            .trim_start_matches("require")
            .split_whitespace()
            .next()
            .unwrap_or_default();
        if let Some((prefix, kind)) = GO.iter().find(|(p, _)| module.starts_with(p)) {
            found.add(kind, &path, format!("requires `{prefix}`"));
        }
    }
}

fn rust(project: &Project, dir: &str, found: &mut Found) {
    let path = format!("{dir}Cargo.toml");
    let Some(text) = project.read_hint(&path) else {
        return;
    };
    let Ok(toml) = text.parse::<toml::Table>() else {
        return;
    };
    let mut tables = vec![toml.get("dependencies")];
    tables.push(toml.get("workspace").and_then(|w| w.get("dependencies")));
    for deps in tables.into_iter().flatten().filter_map(|d| d.as_table()) {
        for (name, spec) in deps {
            if let Some((_, kind)) = RUST.iter().find(|(n, _)| n == name) {
                found.add(kind, &path, format!("depends on `{name}`"));
            }
            if !matches!(name.as_str(), "sqlx" | "diesel" | "sea-orm") {
                continue;
            }
            let features = spec
                .get("features")
                .and_then(|f| f.as_array())
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str());
            for feature in features {
                if let Some((_, kind)) = FEATURES.iter().find(|(f, _)| *f == feature) {
                    found.add(kind, &path, format!("`{name}` with feature `{feature}`"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(files: &[(&str, &str)]) -> Needs {
        let root = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = root.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        detect(&Project::scan(root.path()).unwrap(), None)
    }

    fn kinds(n: &Needs) -> Vec<&str> {
        n.services.iter().map(|s| s.kind.as_str()).collect()
    }

    #[test]
    fn node_dependencies_and_orm_datasources() {
        let n = needs(&[
            (
                "package.json",
                r#"{"dependencies":{"ioredis":"5","@prisma/client":"6","amqplib":"1"}}"#,
            ),
            (
                "prisma/schema.prisma",
                "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
            ),
        ]);
        assert_eq!(kinds(&n), ["postgres", "redis", "rabbitmq"]);
        assert_eq!(n.services[0].source, "prisma/schema.prisma");
        let n = needs(&[
            ("package.json", r#"{"dependencies":{"drizzle-orm":"1"}}"#),
            (
                "drizzle.config.ts",
                "export default { dialect: 'sqlite' }\n",
            ),
        ]);
        assert!(n.services.is_empty());
        assert_eq!(n.writable_paths[0].source, "drizzle.config.ts");
    }

    #[test]
    fn migrations_run_only_with_a_sql_database() {
        let n = needs(&[
            ("requirements.txt", "django\npsycopg\n"),
            ("manage.py", "import django\n"),
        ]);
        let m = n.migrate.unwrap();
        assert_eq!((m.tool.as_str(), m.target.as_str()), ("django", "prod"));
        let n = needs(&[
            ("requirements.txt", "redis\n"),
            ("alembic.ini", "[alembic]\n"),
        ]);
        assert_eq!(n.migrate, None);
    }

    #[test]
    fn python_go_rust_and_django() {
        let n = needs(&[
            (
                "requirements.txt",
                "Django==5.1\npsycopg[binary]>=3\n# pika\n",
            ),
            (
                "pyproject.toml",
                "[project]\ndependencies = [\"nats-py>=2\", \"motor\"]\n",
            ),
            ("site/settings.py", "ENGINE = 'django.db.backends.mysql'\n"),
        ]);
        assert_eq!(kinds(&n), ["postgres", "mysql", "mongodb", "nats"]);
        let n = needs(&[(
            "go.mod",
            "module x\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.7.0\n\tgithub.com/redis/go-redis/v9 v9.0.0\n)\n",
        )]);
        assert_eq!(kinds(&n), ["postgres", "redis"]);
        let n = needs(&[(
            "Cargo.toml",
            "[package]\nname = \"x\"\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"sqlite\", \"runtime-tokio\"] }\nlapin = \"2\"\n",
        )]);
        assert_eq!(kinds(&n), ["rabbitmq"]);
        assert_eq!(n.writable_paths.len(), 1);
    }
}
