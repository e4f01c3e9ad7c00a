//! The evidence in each stack's manifests: driver dependencies (`package.json`,
//! requirements and `pyproject.toml`, `go.mod`, `Cargo.toml` with its ORM features),
//! ORM datasources (Prisma, Drizzle, Django settings), and the workspace packages a
//! JS member depends on.

use std::collections::BTreeMap;

use super::Found;
use crate::scan::Project;

/// The kind of an S3 client SDK (AWS's), as against MinIO's client: most apps that link
/// one store files on local disk by default and in a bucket when configured (memos,
/// docmost, papermark, CTFd, netbox, ...: 12 of the 13 corpus apps that depend on one
/// need no S3 to run), so it is a service only when the app requires a bucket or endpoint
/// setting, and otherwise an optional one `detect` shows.
pub(super) const S3_SDK: &str = "s3-sdk";

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
    ("@aws-sdk/client-s3", S3_SDK),
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
    ("boto3", S3_SDK),
    ("minio", "s3"),
    ("aiosqlite", "sqlite"),
];

/// Module path prefixes in `go.mod`, and import path prefixes (see [`go_imported`]).
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
    ("github.com/aws/aws-sdk-go-v2/service/s3", S3_SDK),
    ("gorm.io/driver/sqlite", "sqlite"),
    // Drivers wrapped by an ORM package the program imports instead of the driver.
    ("github.com/jinzhu/gorm/dialects/postgres", "postgres"),
    ("github.com/jinzhu/gorm/dialects/mysql", "mysql"),
    ("github.com/jinzhu/gorm/dialects/sqlite", "sqlite"),
    ("github.com/uptrace/bun/driver/pgdriver", "postgres"),
    ("github.com/uptrace/bun/driver/sqliteshim", "sqlite"),
    ("github.com/ncruces/go-sqlite3", "sqlite"),
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
    ("aws-sdk-s3", S3_SDK),
    ("rust-s3", S3_SDK),
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

pub(super) fn node(project: &Project, dir: &str, found: &mut Found) {
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
            // A scoped fork keeps the driver's name (`@scope/sqlite3`).
            let base = name.rsplit('/').next().unwrap_or(name);
            let entry = NODE.iter().find(|(n, _)| n == name);
            if let Some((_, kind)) =
                entry.or_else(|| NODE.iter().find(|(n, k)| *k == "sqlite" && *n == base))
            {
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

/// Of the workspace packages in `candidates` (paths from the project), those whose
/// drivers are the app's: what it depends on at run time (`dependencies`,
/// `optionalDependencies`), directly or through another such package, sorted. A package
/// that is a server of its own is not followed: it runs as its own service, and an app
/// that depends on it (midday's dashboard on its API, for the API's types) talks to it
/// rather than to its database.
pub(super) fn runtime_packages(project: &Project, candidates: &[String]) -> Vec<(String, Project)> {
    let deps = |json: &serde_json::Value| -> Vec<String> {
        ["dependencies", "optionalDependencies"]
            .iter()
            .filter_map(|s| json.get(*s).and_then(|d| d.as_object()))
            .flat_map(|o| o.keys().cloned())
            .collect()
    };
    // Only the manifests are read here; a package is scanned once it is followed.
    let mut by_name = BTreeMap::new();
    for rel in candidates {
        let path = project.root().join(rel).join("package.json");
        let Some(serde_json::Value::Object(manifest)) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
        else {
            continue;
        };
        if let Some(name) = manifest.get("name").and_then(|n| n.as_str()) {
            by_name.insert(name.to_string(), (rel.clone(), manifest));
        }
    }
    let own = project
        .read_hint("package.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    let mut todo = own.map(|j| deps(&j)).unwrap_or_default();
    let mut out = Vec::new();
    while let Some(name) = todo.pop() {
        let Some((rel, manifest)) = by_name.remove(&name) else {
            continue;
        };
        if crate::detect::arbitrate::role_of(&manifest).server {
            continue;
        }
        todo.extend(deps(&serde_json::Value::Object(manifest)));
        if let Ok(package) = Project::scan(&project.root().join(&rel)) {
            out.push((rel, package));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The `provider` of the `datasource` block of the Prisma schema: in
/// `prisma/schema.prisma`, `schema.prisma`, or another `.prisma` file of the package, the
/// shallowest first (a multi-file schema in `prisma/schema/`, or a folder that
/// `prisma.config.ts` names, as dub and formbricks have).
fn prisma(project: &Project, dir: &str, found: &mut Found) {
    let mut files: Vec<String> = ["prisma/schema.prisma", "schema.prisma"]
        .iter()
        .map(|f| format!("{dir}{f}"))
        .collect();
    let mut others: Vec<&str> = project
        .files()
        .filter(|f| f.starts_with(dir) && f.ends_with(".prisma") && !f.contains("node_modules/"))
        .collect();
    others.sort_by_key(|f| (f.matches('/').count(), *f));
    files.extend(others.into_iter().map(String::from));
    let Some((path, block)) = files.into_iter().find_map(|path| {
        let text = project.read_hint(&path)?;
        let at = text
            .lines()
            .position(|l| l.trim_start().starts_with("datasource ") && l.contains('{'))?;
        let block: String = text.lines().skip(at).collect::<Vec<_>>().join("\n");
        Some((path, block))
    }) else {
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
    // `url = env("DATABASE_URL")`: the image points that variable at its data directory.
    let var = block
        .lines()
        .find_map(|l| l.trim().strip_prefix("url"))
        .and_then(|v| v.split("env(").nth(1))
        .and_then(|v| v.split(['"', '\'']).nth(1));
    if let (Some(sqlite), Some(var)) = (found.sqlite.as_mut(), var) {
        sqlite.2.get_or_insert(var.to_string());
    }
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

pub(super) fn python(project: &Project, dir: &str, found: &mut Found) {
    let mut manifests: Vec<String> = ["pyproject.toml", "Pipfile", "setup.py", "setup.cfg"]
        .iter()
        .map(|f| format!("{dir}{f}"))
        .collect();
    manifests.extend(
        project
            .files()
            .filter(|f| {
                // A development or test file's packages are not the app's services.
                f.strip_prefix(dir).is_some_and(|rest| {
                    (!rest.contains('/')
                        && rest.starts_with("requirements")
                        && rest.ends_with(".txt")
                        || rest.starts_with("requirements/") && rest.ends_with(".txt"))
                        && !crate::detect::python::DEV_REQUIREMENTS.contains(&rest)
                })
            })
            .map(String::from),
    );
    let mut names = Vec::new();
    for path in manifests {
        let Some(text) = project.read_hint(&path) else {
            continue;
        };
        for name in requirement_names(&text) {
            if let Some((_, kind)) = PYTHON.iter().find(|(n, _)| *n == name) {
                found.add(kind, &path, format!("depends on `{name}`"));
            }
            names.push(name);
        }
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    if let Some(scheme) = driver_scheme(&names) {
        // Alembic goes through SQLAlchemy; the app only when it depends on it itself.
        if has("alembic") || found.sqlalchemy_scheme.is_none() {
            found.sqlalchemy_scheme = Some(scheme.clone());
        }
        if ["sqlalchemy", "sqlmodel", "flask-sqlalchemy"]
            .iter()
            .any(|n| has(n))
        {
            found.sql_scheme = Some(scheme);
        }
    }
}

/// SQLAlchemy (and Alembic) pick the DB-API driver from the URL's scheme and refuse
/// `postgres://`: the scheme for the driver the project depends on.
/// <https://docs.sqlalchemy.org/en/20/core/engines.html#database-urls>
fn driver_scheme(names: &[String]) -> Option<String> {
    let has = |n: &str| names.iter().any(|x| x == n);
    let drivers = [
        ("psycopg", "postgresql+psycopg"),
        ("psycopg-binary", "postgresql+psycopg"),
        ("psycopg2", "postgresql+psycopg2"),
        ("psycopg2-binary", "postgresql+psycopg2"),
        ("asyncpg", "postgresql+asyncpg"),
        ("pymysql", "mysql+pymysql"),
        ("mysqlclient", "mysql+mysqldb"),
        ("aiomysql", "mysql+aiomysql"),
        ("mysql-connector-python", "mysql+mysqlconnector"),
    ];
    drivers
        .iter()
        .find(|(n, _)| has(n))
        .map(|(_, scheme)| scheme.to_string())
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
pub(super) fn django(project: &Project, found: &mut Found) {
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

/// The drivers among the packages a Go program imports (see `go/imports.rs`), each
/// with the file that imports it: `go.mod` also lists what other mains and tools need.
pub(super) fn go_imported(imports: &[(String, String)], found: &mut Found) {
    for (import, file) in imports {
        if let Some((_, kind)) = GO.iter().find(|(p, _)| import.starts_with(p)) {
            found.add(kind, file, format!("imports `{import}`"));
        }
    }
}

pub(super) fn go(project: &Project, dir: &str, found: &mut Found) {
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

pub(super) fn rust(project: &Project, dir: &str, found: &mut Found) {
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
