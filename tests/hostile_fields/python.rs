//! Python: the version files and `requires-python`, `pyproject.toml` names and console
//! scripts (PEP 621 and Poetry), the names of the app's module, package and instance,
//! a Django project's directory and settings, requirement lines and the port in code.

use std::path::Path;

use super::{edit_toml, remove, set_toml, toml_str, toml_table, write};
use crate::{FIELD, ProjectField, file_name_ok};

const STACK: &[&str] = &["python"];

/// A console-script project: a build backend and `[project.scripts]`, no framework.
const SCRIPT: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = []\n\n[project.scripts]\napp = \"app:main\"\n",
    ),
    ("app.py", "def main():\n    print(\"ok\")\n"),
];

/// A Poetry project with a console script.
const POETRY: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n\n[tool.poetry]\nname = \"app\"\nversion = \"0.1.0\"\ndescription = \"\"\nauthors = []\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\n\n[tool.poetry.scripts]\napp = \"app:main\"\n",
    ),
    ("app.py", "def main():\n    print(\"ok\")\n"),
];

/// A Django project in a subdirectory whose static files are collected at build time.
const DJANGO: &[(&str, &str)] = &[
    ("requirements.txt", "django==5.1.4\ngunicorn==23.0.0\n"),
    (
        "site/manage.py",
        "import os\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings\")\n",
    ),
    ("site/config/__init__.py", ""),
    (
        "site/config/settings.py",
        "STATIC_ROOT = \"staticfiles\"\nWSGI_APPLICATION = \"config.wsgi.application\"\n",
    ),
    ("site/config/wsgi.py", "application = None\n"),
];

/// A program without a framework, run as `python main.py`.
const PLAIN: &[(&str, &str)] = &[
    ("requirements.txt", "requests==2.32.3\n"),
    ("main.py", "print(\"ok\")\n"),
];

const FLASK_APP: &str = "from flask import Flask\n\napp = Flask(__name__)\n";

/// The second baseline of a value the project cannot do without: the project as is.
const AS_IS: Option<fn(&Path)> = Some(|_| {});

/// The Flask project with its app moved out of `app.py` and a `main.py` to fall back on.
fn without_app(d: &Path) -> bool {
    remove(d, "app.py");
    write(d, "main.py", "print(\"ok\")\n")
}

fn pyproject(d: &Path, edit: impl FnOnce(&mut toml::Table)) -> bool {
    edit_toml(d, "pyproject.toml", edit)
}

pub const PYTHON: &[ProjectField] = &[
    ProjectField {
        stacks: STACK,
        name: ".python-version",
        file: ".python-version",
        place: |d, v| write(d, ".python-version", v),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "runtime.txt",
        file: "runtime.txt",
        place: |d, v| write(d, "runtime.txt", &format!("python-{v}")),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "Pipfile python_version",
        file: "Pipfile",
        place: |d, v| {
            write(
                d,
                "Pipfile",
                &format!(
                    "[packages]\nflask = \"==3.1.0\"\ngunicorn = \"==23.0.0\"\n\n[requires]\npython_version = {}\n",
                    toml_str(v)
                ),
            )
        },
        baseline: Some(|d| {
            write(
                d,
                "Pipfile",
                "[packages]\nflask = \"==3.1.0\"\ngunicorn = \"==23.0.0\"\n",
            );
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "requires-python",
        file: "pyproject.toml",
        base: Some(SCRIPT),
        place: |d, v| pyproject(d, |t| set_toml(t, &["project", "requires-python"], v)),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "Poetry python dependency",
        file: "pyproject.toml",
        base: Some(POETRY),
        place: |d, v| {
            pyproject(d, |t| {
                set_toml(t, &["tool", "poetry", "dependencies", "python"], v)
            })
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[project] name",
        file: "pyproject.toml",
        base: Some(POETRY),
        place: |d, v| pyproject(d, |t| set_toml(t, &["project", "name"], v)),
        // A name no package of the project has: Poetry installs no root package.
        baseline: Some(|d| {
            pyproject(d, |t| set_toml(t, &["project", "name"], "other"));
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[tool.poetry] name",
        file: "pyproject.toml",
        base: Some(POETRY),
        place: |d, v| pyproject(d, |t| set_toml(t, &["tool", "poetry", "name"], v)),
        // A name no package of the project has: Poetry installs no root package.
        baseline: Some(|d| {
            pyproject(d, |t| set_toml(t, &["tool", "poetry", "name"], "other"));
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[project.scripts] name",
        file: "pyproject.toml",
        base: Some(SCRIPT),
        place: |d, v| {
            pyproject(d, |t| {
                set_toml(
                    t,
                    &["project", "scripts"],
                    toml_table(&[(v, "app:main".into())]),
                )
            })
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[project.scripts] target",
        file: "pyproject.toml",
        base: Some(SCRIPT),
        place: |d, v| pyproject(d, |t| set_toml(t, &["project", "scripts", "app"], v)),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[tool.poetry.scripts] name",
        file: "pyproject.toml",
        base: Some(POETRY),
        place: |d, v| {
            pyproject(d, |t| {
                set_toml(
                    t,
                    &["tool", "poetry", "scripts"],
                    toml_table(&[(v, "app:main".into())]),
                )
            })
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "pyproject.toml name unescaped",
        file: "pyproject.toml",
        base: Some(SCRIPT),
        place: |d, v| {
            write(
                d,
                "pyproject.toml",
                &SCRIPT[0].1.replacen("\"app\"", &format!("\"{v}\""), 1),
            )
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "app module file name",
        file: ".py",
        place: |d, v| without_app(d) && file_name_ok(v) && write(d, &format!("{v}.py"), FLASK_APP),
        baseline: Some(|d| {
            without_app(d);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "app package directory",
        file: "app.py",
        place: |d, v| {
            without_app(d) && file_name_ok(v) && write(d, &format!("{v}/app.py"), FLASK_APP)
        },
        baseline: Some(|d| {
            without_app(d);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "app instance name",
        file: "app.py",
        place: |d, v| write(d, "app.py", &FLASK_APP.replace("app =", &format!("{v} ="))),
        // No instance found: `app.py` is run as a plain program.
        baseline: Some(|d| {
            write(d, "app.py", "from flask import Flask\n");
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "__main__ package directory",
        file: "__main__.py",
        base: Some(PLAIN),
        place: |d, v| file_name_ok(v) && write(d, &format!("{v}/__main__.py"), "print(\"ok\")\n"),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "Django project directory",
        file: "manage.py",
        base: Some(DJANGO),
        place: |d, v| file_name_ok(v) && std::fs::rename(d.join("site"), d.join(v)).is_ok(),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "Django settings module",
        file: "manage.py",
        base: Some(DJANGO),
        place: |d, v| {
            write(
                d,
                "site/manage.py",
                &DJANGO[1].1.replace("config.settings", v),
            )
        },
        // No settings module: the default `config` package, no `STATIC_ROOT` read.
        baseline: Some(|d| {
            write(d, "site/manage.py", "import os\n");
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "Django WSGI_APPLICATION",
        file: "settings.py",
        base: Some(DJANGO),
        place: |d, v| {
            write(
                d,
                "site/config/settings.py",
                &DJANGO[3].1.replace("config.wsgi.application", v),
            )
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "requirement name",
        file: "requirements.txt",
        place: |d, v| {
            write(
                d,
                "requirements.txt",
                &format!("flask==3.1.0\ngunicorn==23.0.0\n{v}==1.0\n"),
            )
        },
        // A line starting with `.` is a local path (`../x`), which pip installs with
        // the source.
        baseline: Some(|d| {
            write(
                d,
                "requirements.txt",
                "flask==3.1.0\ngunicorn==23.0.0\n./lib\n",
            );
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "requirements include",
        file: "requirements.txt",
        // An include at the top is copied with `requirements.txt`, in the same `COPY`.
        place: |d, v| {
            write(
                d,
                "requirements.txt",
                &format!("flask==3.1.0\ngunicorn==23.0.0\n-r {v}\n"),
            ) && (!file_name_ok(v) || write(d, v, "requests==2.32.3\n"))
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "port in Python code",
        file: "main.py",
        base: Some(PLAIN),
        place: |d, v| write(d, "main.py", &format!("serve(port={v})\n")),
        baseline: AS_IS,
        ..FIELD
    },
];
