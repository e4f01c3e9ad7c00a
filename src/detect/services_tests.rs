//! Tests of `services.rs`.

use super::*;

use crate::testing::tree;

fn needs(files: &[(&str, &str)]) -> Needs {
    let root = tree(files);
    let project = Project::scan(root.path()).unwrap();
    detect(&project, None, &Reach::default())
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
fn sqlite_gives_the_directory_the_code_opens_and_the_variable_that_names_it() {
    let n = needs(&[
        ("package.json", r#"{"name":"x"}"#),
        (
            "src/server.js",
            "const { DatabaseSync } = require(\"node:sqlite\");\nconst db = new DatabaseSync(process.env.VISITS_DB ?? \"visits.db\");\n",
        ),
    ]);
    let w = &n.writable_paths[0];
    assert_eq!(
        (w.path.as_str(), w.env.as_deref(), w.file.as_deref()),
        ("data", Some("VISITS_DB"), Some("visits.db"))
    );
    assert_eq!(w.source, "src/server.js:2");
    let n = needs(&[(
        "app.py",
        "import sqlite3\n\nconn = sqlite3.connect(\"var/app.sqlite3\")\n",
    )]);
    assert_eq!(n.writable_paths[0].path, "var");
    assert_eq!(n.writable_paths[0].env, None);
    // SQLite with no path in the code: the working directory.
    let n = needs(&[
        ("requirements.txt", "aiosqlite\n"),
        ("app.py", "import aiosqlite\n"),
    ]);
    assert_eq!(n.writable_paths[0].path, ".");
    let n = needs(&[
        ("package.json", r#"{"dependencies":{"@prisma/client":"6"}}"#),
        (
            "prisma/schema.prisma",
            "datasource db {\n  provider = \"sqlite\"\n  url = env(\"DATABASE_URL\")\n}\n",
        ),
    ]);
    let w = &n.writable_paths[0];
    assert_eq!(
        (w.env.as_deref(), w.prefix.as_str()),
        (Some("DATABASE_URL"), "file:")
    );
    // A database opened in memory writes nothing.
    let n = needs(&[(
        "server.js",
        "const { DatabaseSync } = require(\"node:sqlite\");\nconst db = new DatabaseSync(\":memory:\");\n",
    )]);
    assert_eq!(n.writable_paths.len(), 0);
}

#[test]
fn sqlalchemy_gets_the_url_scheme_of_the_driver_the_project_depends_on() {
    let scheme = |reqs: &str| {
        needs(&[("requirements.txt", reqs)]).services[0]
            .scheme
            .clone()
    };
    assert_eq!(
        scheme("SQLAlchemy\npsycopg[binary]==3.2\n"),
        "postgresql+psycopg"
    );
    assert_eq!(
        scheme("sqlalchemy\npsycopg2-binary\n"),
        "postgresql+psycopg2"
    );
    assert_eq!(scheme("sqlmodel\nasyncpg\n"), "postgresql+asyncpg");
    // Django reads `postgres://` URLs (dj-database-url) itself.
    assert_eq!(scheme("django\npsycopg\n"), "postgres");
    // An app on psycopg itself keeps a libpq URL; Alembic's migrate service gets
    // SQLAlchemy's.
    let n = needs(&[
        ("requirements.txt", "alembic\npsycopg[binary]\n"),
        ("alembic.ini", "[alembic]\n"),
    ]);
    assert_eq!(n.services[0].scheme, "postgres");
    assert_eq!(
        n.migrate.unwrap().scheme.as_deref(),
        Some("postgresql+psycopg")
    );
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

#[test]
fn only_the_default_database_gets_a_service_and_the_others_are_optional() {
    let go_mod = "module x\n\nrequire (\n\tgorm.io/driver/sqlite v1\n\tgorm.io/driver/postgres v1\n\tgithub.com/redis/go-redis/v9 v9\n)\n";
    let n = needs(&[
        ("go.mod", go_mod),
        ("config.go", "package x\n\nvar Dialect = \"sqlite3\"\n"),
    ]);
    // Redis is no alternative to the database: it stays.
    assert_eq!(kinds(&n), ["redis"]);
    assert_eq!(n.writable_paths.len(), 1);
    assert_eq!(n.optional[0].kind, "postgres");
    assert_eq!(n.default_database.unwrap().source, "config.go:3");
    assert!(n.warnings.is_empty());
    // A documented env example decides too, the other way round.
    let n = needs(&[
        ("go.mod", go_mod),
        (".env.example", "DB_DIALECT=postgres\n"),
    ]);
    assert_eq!(kinds(&n), ["postgres", "redis"]);
    assert_eq!(n.services[0].name, "db");
    assert_eq!(n.writable_paths.len(), 0);
    assert_eq!(n.optional[0].kind, "sqlite");
}

#[test]
fn several_databases_and_no_default_warn_naming_each_driver() {
    let n = needs(&[("requirements.txt", "psycopg2\npymysql\n")]);
    assert_eq!(kinds(&n), ["postgres", "mysql"]);
    assert!(n.optional.is_empty());
    let w = &n.warnings[0];
    assert!(
        w.contains("postgres (requirements.txt: depends on `psycopg2`)"),
        "{w}"
    );
    assert!(
        w.contains("mysql (requirements.txt: depends on `pymysql`)"),
        "{w}"
    );
    assert!(w.contains("`--service <kind>`"), "{w}");
}

#[test]
fn the_services_setting_replaces_the_detected_ones_keeping_their_evidence() {
    let go_mod = "module x\n\nrequire (\n\tgorm.io/driver/sqlite v1\n\tgorm.io/driver/postgres v1\n\tgithub.com/nats-io/nats.go v1\n)\n";
    let n = needs(&[
        ("go.mod", go_mod),
        ("config.go", "package x\n\nvar Dialect = \"sqlite3\"\n"),
    ]);
    let wanted = ["postgres".to_string(), "redis".to_string()];
    let n = n.with_services(Some(&wanted)).unwrap();
    assert_eq!(kinds(&n), ["postgres", "redis"]);
    assert_eq!(
        (n.services[0].name.as_str(), n.services[0].source.as_str()),
        ("db", "go.mod")
    );
    assert_eq!(n.services[1].source, "dockform.toml");
    let optional: Vec<&str> = n.optional.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(optional, ["nats"]);
    let err = n.with_services(Some(&["sqlite".to_string()])).unwrap_err();
    assert!(
        err.to_string().contains("`sqlite` is no service kind"),
        "{err}"
    );
}

#[test]
fn an_s3_sdk_is_a_service_only_when_the_app_requires_a_bucket_or_endpoint() {
    // No setting names a bucket: files may stay on local disk, so S3 is optional.
    let n = needs(&[(
        "package.json",
        r#"{"dependencies":{"@aws-sdk/client-s3":"3","pg":"8"}}"#,
    )]);
    assert_eq!(kinds(&n), ["postgres"]);
    assert_eq!(n.optional.len(), 1);
    assert_eq!(
        (n.optional[0].kind.as_str(), n.optional[0].source.as_str()),
        ("s3", "package.json")
    );
    assert!(
        n.optional[0].reason.contains("no required setting"),
        "{:?}",
        n.optional[0]
    );
    // A bucket the code requires makes it a service, naming the variable.
    let n = needs(&[
        ("requirements.txt", "boto3==1.0\n"),
        (
            "app.py",
            "import os\nBUCKET = os.environ[\"UPLOADS_S3_BUCKET\"]\n",
        ),
    ]);
    assert_eq!(kinds(&n), ["s3"]);
    assert!(
        n.services[0].reason.contains("`UPLOADS_S3_BUCKET`"),
        "{:?}",
        n.services[0]
    );
    assert!(n.optional.is_empty());
    // MinIO's own client means a self-hosted store: a service as before.
    let n = needs(&[(
        "go.mod",
        "module x\n\nrequire github.com/minio/minio-go/v7 v7.0.0\n",
    )]);
    assert_eq!(kinds(&n), ["s3"]);
    // `--service s3` takes the optional one with its evidence.
    let n = needs(&[(
        "package.json",
        r#"{"dependencies":{"@aws-sdk/client-s3":"3"}}"#,
    )]);
    let n = n.with_services(Some(&["s3".to_string()])).unwrap();
    assert_eq!(n.services[0].source, "package.json");
}

#[test]
fn a_development_requirements_file_names_no_service() {
    let n = needs(&[
        ("requirements.txt", "django==5.0\npsycopg==3.2\n"),
        ("requirements-dev.txt", "minio==7\nredis==5\n"),
        ("requirements/test.txt", "pymongo==4\n"),
    ]);
    assert_eq!(kinds(&n), ["postgres"]);
}

#[test]
fn a_multi_file_prisma_schema_anywhere_in_the_package_gives_the_datasource() {
    let n = needs(&[
        ("package.json", r#"{"dependencies":{"@prisma/client":"6"}}"#),
        (
            "prisma/schema/models.prisma",
            "model User {\n  id Int @id\n}\n",
        ),
        (
            "prisma/schema/schema.prisma",
            "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"mysql\"\n  url = env(\"DATABASE_URL\")\n}\n",
        ),
    ]);
    assert_eq!(kinds(&n), ["mysql"]);
    assert_eq!(n.services[0].source, "prisma/schema/schema.prisma");
}

#[test]
fn a_workspace_members_library_packages_bring_their_drivers_but_another_app_does_not() {
    let root = tree(&[
        (
            "apps/web/package.json",
            r#"{"name":"web","dependencies":{"@x/api":"*","@x/jobs":"*"}}"#,
        ),
        (
            "apps/api/package.json",
            r#"{"name":"@x/api","scripts":{"start":"node server.js"},"dependencies":{"mongodb":"6"}}"#,
        ),
        (
            "packages/jobs/package.json",
            r#"{"name":"@x/jobs","dependencies":{"@x/db":"*","ioredis":"5"}}"#,
        ),
        (
            "packages/db/package.json",
            r#"{"name":"@x/db","dependencies":{"@prisma/client":"6"}}"#,
        ),
        (
            "packages/db/schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n}\n",
        ),
        (
            "packages/unused/package.json",
            r#"{"name":"@x/unused","dependencies":{"mysql2":"3"}}"#,
        ),
    ]);
    let web = Project::scan(&root.path().join("apps/web")).unwrap();
    let packages: Vec<String> = [
        "apps/api",
        "packages/db",
        "packages/jobs",
        "packages/unused",
    ]
    .iter()
    .map(|d| format!("../../{d}"))
    .collect();
    let reach = Reach {
        packages,
        go_imports: None,
    };
    let n = detect(&web, None, &reach);
    assert_eq!(kinds(&n), ["postgres", "redis"], "{:?}", n.services);
    assert_eq!(n.services[0].source, "../../packages/db/schema.prisma");
    assert!(
        n.services[1]
            .reason
            .contains("in a workspace package the app depends on"),
        "{:?}",
        n.services[1]
    );
}
