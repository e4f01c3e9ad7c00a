//! Unit tests for the Python detector: one per decision.

use serde_json::json;

use super::detect;
use crate::detect::Detection;
use crate::error::Error;
use crate::layer::Layer;
use crate::preset::Presets;
use crate::scan::Project;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn run_with(files: &[(&str, &str)], hints: &Layer) -> crate::error::Result<Option<Detection>> {
    let dir = project(files);
    let p = Project::scan(dir.path()).unwrap();
    detect(&p, &Presets::for_tests(), hints)
}

fn run(files: &[(&str, &str)]) -> Detection {
    run_with(files, &Layer::default())
        .unwrap()
        .expect("a Python project")
}

fn fact(d: &Detection, key: &str) -> serde_json::Value {
    d.extra
        .get(key)
        .map(|f| f.value.clone())
        .unwrap_or_else(|| panic!("no fact {key}"))
}

const FLASK_APP: &str = "from flask import Flask\napp = Flask(__name__)\n";

#[test]
fn a_project_without_python_manifests_is_not_python() {
    let dir = project(&[("main.py", "print(1)\n")]);
    let p = Project::scan(dir.path()).unwrap();
    assert!(
        detect(&p, &Presets::for_tests(), &Layer::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn flask_with_gunicorn_in_requirements_runs_gunicorn_on_the_app_object() {
    let d = run(&[
        ("requirements.txt", "flask==3.1.3\ngunicorn==23.0.0\n"),
        ("app.py", FLASK_APP),
    ]);
    assert_eq!(d.layer.package_manager.as_deref(), Some("pip"));
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("gunicorn --bind 0.0.0.0:8000 app:app")
    );
    assert_eq!(
        fact(&d, "deps_command"),
        json!("pip install -r requirements.txt")
    );
    assert_eq!(fact(&d, "server_packages"), json!([]));
    assert!(
        !d.warnings
            .iter()
            .any(|w| w.contains("gunicorn") || w.contains("reproducible")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn flask_without_gunicorn_warns_and_installs_a_pinned_gunicorn() {
    let d = run(&[
        ("requirements.txt", "flask==3.1.3\n"),
        ("app.py", FLASK_APP),
    ]);
    assert_eq!(fact(&d, "server_packages"), json!(["gunicorn==27.0.1"]));
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("`gunicorn` serves the flask app")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn unpinned_requirements_warn_that_builds_are_not_reproducible() {
    let d = run(&[
        ("requirements.txt", "flask>=3\ngunicorn\n"),
        ("app.py", FLASK_APP),
    ]);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("does not pin every dependency")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn a_flask_factory_is_called_by_gunicorn() {
    let d = run(&[
        ("requirements.txt", "flask==3.1.3\ngunicorn==23.0.0\n"),
        ("shop/__init__.py", "def create_app():\n    pass\n"),
    ]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("gunicorn --bind 0.0.0.0:8000 'shop:create_app()'")
    );
}

#[test]
fn a_wsgi_module_calling_the_factory_is_what_gunicorn_serves() {
    let factory = ("shop/__init__.py", "def create_app():\n    pass\n");
    let wsgi = (
        "shop/wsgi.py",
        "from shop import create_app\n\napp = create_app()\n",
    );
    let worker = (
        "shop/jobs.py",
        "from shop import create_app\n\napp = create_app()\n",
    );
    let reqs = ("requirements.txt", "flask==3.1.3\ngunicorn==23.0.0\n");
    let d = run(&[reqs, factory, wsgi, worker]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("gunicorn --bind 0.0.0.0:8000 shop.wsgi:app")
    );
    // A worker's module calling the factory is not a server's entry.
    let d = run(&[reqs, factory, worker]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("gunicorn --bind 0.0.0.0:8000 'shop:create_app()'")
    );
}

#[test]
fn a_script_whose_function_starts_the_server_itself_is_the_start_command() {
    let reqs = ("requirements.txt", "flask==3.1.3\nflask-socketio==5.5.1\n");
    let pkg = (
        "relay/__init__.py",
        "from flask import Flask\napp = Flask(__name__)\n\ndef main():\n    socketio.run(app, host=\"0.0.0.0\")\n",
    );
    let script = (
        "serve.py",
        "import relay\n\nif __name__ == \"__main__\":\n    relay.main()\n",
    );
    let d = run(&[reqs, pkg, script]);
    assert_eq!(d.layer.start_command.as_deref(), Some("python serve.py"));
    // Flask's development server is not a launcher.
    let dev = (
        "relay/__init__.py",
        "from flask import Flask\napp = Flask(__name__)\n\ndef main():\n    app.run()\n",
    );
    let d = run(&[reqs, dev, script]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("gunicorn --bind 0.0.0.0:8000 relay:app")
    );
}

#[test]
fn uv_lock_selects_uv_and_freezes_the_dependency_layer() {
    let d = run(&[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = []\n",
        ),
        ("uv.lock", "version = 1\n"),
        ("main.py", ""),
    ]);
    assert_eq!(d.layer.package_manager.as_deref(), Some("uv"));
    assert_eq!(
        fact(&d, "deps_command"),
        json!("uv sync --frozen --no-dev --no-install-project")
    );
    assert_eq!(
        fact(&d, "manifest_files"),
        json!(["pyproject.toml", "uv.lock"])
    );
    assert_eq!(fact(&d, "tool_package"), json!("uv==0.13.9"));
    assert_eq!(fact(&d, "create_venv"), json!(false));
}

#[test]
fn uv_without_a_lockfile_warns_and_resolves_at_build_time() {
    let d = run(&[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\nversion = \"1\"\n[tool.uv]\n",
        ),
        ("main.py", ""),
    ]);
    assert_eq!(d.layer.package_manager.as_deref(), Some("uv"));
    assert_eq!(
        fact(&d, "deps_command"),
        json!("uv sync --no-dev --no-install-project")
    );
    assert_eq!(fact(&d, "manifest_files"), json!(["pyproject.toml"]));
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("no lockfile for `uv`")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn poetry_installs_the_main_group_without_the_root_package_first() {
    let py = "[tool.poetry]\nname = \"svc\"\npackage-mode = false\n[tool.poetry.dependencies]\npython = \"^3.12\"\nfastapi = \"*\"\n";
    let d = run(&[("pyproject.toml", py), ("poetry.lock", "")]);
    assert_eq!(d.layer.package_manager.as_deref(), Some("poetry"));
    let deps = fact(&d, "deps_command");
    assert!(
        deps.as_str()
            .unwrap()
            .starts_with("poetry export --only main "),
        "{deps}"
    );
    assert_eq!(
        fact(&d, "tool_package"),
        json!("poetry==2.5.1 poetry-plugin-export==1.10.1")
    );
    assert_eq!(
        fact(&d, "project_command"),
        json!(null),
        "package-mode = false has no root package"
    );
    assert_eq!(
        d.layer.version.as_deref(),
        Some("3.13"),
        "Poetry's ^3.12 means >=3.12,<4, which the preset default meets"
    );
}

#[test]
fn poetry_without_a_lockfile_warns_and_locks_at_build_time() {
    let d = run(&[
        (
            "pyproject.toml",
            "[tool.poetry]\nname = \"svc\"\n[tool.poetry.dependencies]\npython = \"^3.12\"\n",
        ),
        ("main.py", ""),
    ]);
    assert!(
        fact(&d, "deps_command")
            .as_str()
            .unwrap()
            .starts_with("poetry lock && poetry export ")
    );
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("no lockfile for `poetry`")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn pipenv_deploys_from_the_lock_and_warns_without_one() {
    let locked = run(&[
        ("Pipfile", "[packages]\n"),
        ("Pipfile.lock", "{}"),
        ("main.py", ""),
    ]);
    assert_eq!(
        fact(&locked, "deps_command"),
        json!("pipenv install --deploy")
    );
    assert_eq!(
        fact(&locked, "manifest_files"),
        json!(["Pipfile", "Pipfile.lock"])
    );
    let unlocked = run(&[("Pipfile", "[packages]\n"), ("main.py", "")]);
    assert_eq!(fact(&unlocked, "deps_command"), json!("pipenv install"));
    assert!(
        unlocked
            .warnings
            .iter()
            .any(|w| w.contains("no lockfile for `pipenv`"))
    );
}

#[test]
fn django_in_a_subdirectory_runs_gunicorn_with_chdir_and_the_wsgi_module_from_settings() {
    let d = run(&[
        ("requirements.txt", "Django==5.2\ngunicorn==23.0.0\n"),
        (
            "backend/manage.py",
            "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site_cfg.settings.prod\")\n",
        ),
        (
            "backend/site_cfg/settings/prod.py",
            "WSGI_APPLICATION = 'site_cfg.web.application'\nSTATIC_ROOT = BASE_DIR / 'static'\n",
        ),
    ]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("gunicorn --bind 0.0.0.0:8000 --chdir backend site_cfg.web:application")
    );
    assert_eq!(
        d.layer.dev_command.as_deref(),
        Some("python backend/manage.py runserver 0.0.0.0:8000")
    );
    assert_eq!(
        d.layer.test_command.as_deref(),
        Some("python backend/manage.py test backend")
    );
    assert_eq!(
        d.layer.build_command.as_deref(),
        Some("python backend/manage.py collectstatic --noinput")
    );
}

#[test]
fn django_with_only_uvicorn_serves_the_asgi_application() {
    let d = run(&[
        ("requirements.txt", "Django==5.2\nuvicorn==0.30\n"),
        (
            "manage.py",
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
        ),
        ("mysite/settings.py", ""),
        ("mysite/asgi.py", "application = None\n"),
    ]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("uvicorn --host 0.0.0.0 --port 8000 mysite.asgi:application")
    );
    assert_eq!(fact(&d, "server_packages"), json!([]));
}

#[test]
fn fastapi_in_a_src_layout_is_served_by_uvicorn_with_the_app_dir() {
    let d = run(&[
        ("requirements.txt", "fastapi[standard]==0.115\n"),
        (
            "src/api/main.py",
            "from fastapi import FastAPI\napi: FastAPI = FastAPI()\n",
        ),
    ]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("uvicorn --host 0.0.0.0 --port 8000 --app-dir src api.main:api")
    );
    assert_eq!(
        fact(&d, "server_packages"),
        json!([]),
        "fastapi[standard] brings uvicorn"
    );
}

#[test]
fn the_port_flag_reaches_the_server_command() {
    let hints = Layer {
        port: Some(9000),
        ..Default::default()
    };
    let d = run_with(
        &[
            ("requirements.txt", "fastapi==0.115\nuvicorn==0.30\n"),
            ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
        ],
        &hints,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("uvicorn --host 0.0.0.0 --port 9000 main:app")
    );
}

#[test]
fn several_apps_are_asked_about_and_the_answer_is_checked() {
    let files = [
        ("requirements.txt", "fastapi\nuvicorn\n"),
        ("a.py", "app = FastAPI()\n"),
        ("b.py", "app = FastAPI()\n"),
    ];
    let d = run(&files);
    assert_eq!(d.questions.len(), 1);
    assert_eq!(d.questions[0].candidates, vec!["a:app", "b:app"]);
    let chosen = run_with(
        &files,
        &Layer {
            app: Some("b:app".into()),
            ..Default::default()
        },
    )
    .unwrap()
    .unwrap();
    assert!(chosen.layer.start_command.unwrap().ends_with("b:app"));
    let wrong = run_with(
        &files,
        &Layer {
            app: Some("c:app".into()),
            ..Default::default()
        },
    );
    assert!(matches!(wrong, Err(Error::InvalidValue { .. })));
}

#[test]
fn a_console_script_is_the_start_command_and_the_port_comes_from_the_code() {
    let py = "[project]\nname = \"greeter\"\nversion = \"1\"\n[project.scripts]\ngreeter = \"greeter.cli:main\"\n[build-system]\nbuild-backend = \"uv_build\"\n";
    let d = run(&[
        ("pyproject.toml", py),
        (
            "src/greeter/cli.py",
            "port = int(os.environ.get(\"PORT\", \"8500\"))\n",
        ),
    ]);
    assert_eq!(d.layer.start_command.as_deref(), Some("greeter"));
    assert_eq!(d.layer.port, Some(8500));
}

#[test]
fn a_package_with_main_runs_as_a_module_and_serves_no_http() {
    let d = run(&[
        ("requirements.txt", "requests==2.32.3\n"),
        ("worker/__main__.py", "print('work')\n"),
    ]);
    assert_eq!(d.layer.start_command.as_deref(), Some("python -m worker"));
    assert_eq!(d.layer.port, Some(0));
}

#[test]
fn nothing_to_run_warns_and_names_the_flag() {
    let d = run(&[("requirements.txt", "requests==2.32.3\n")]);
    assert!(d.layer.start_command.is_none());
    assert!(d.warnings.iter().any(|w| w.contains("--start-command")));
}

#[test]
fn python_version_file_wins_over_requires_python() {
    let d = run(&[
        (".python-version", "3.12.4\n"),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\nrequires-python = \">=3.10\"\n",
        ),
        ("main.py", ""),
    ]);
    assert_eq!(d.layer.version.as_deref(), Some("3.12"));
    let d = run(&[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\nrequires-python = \">=3.10,<3.13\"\n",
        ),
        ("main.py", ""),
    ]);
    assert_eq!(d.layer.version.as_deref(), Some("3.12"));
}

#[test]
fn distroless_prefers_313_within_a_range_and_refuses_other_pins() {
    let distroless = Layer {
        runtime: Some("distroless".into()),
        ..Default::default()
    };
    let ranged = [
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\nrequires-python = \">=3.10\"\n",
        ),
        ("main.py", ""),
    ];
    let d = run_with(&ranged, &distroless).unwrap().unwrap();
    assert_eq!(d.layer.version.as_deref(), Some("3.13"));
    let pinned = [
        ("runtime.txt", "python-3.12.1\n"),
        ("requirements.txt", ""),
        ("main.py", ""),
    ];
    let err = run_with(&pinned, &distroless).unwrap_err().to_string();
    assert!(
        err.contains("only Python 3.13") && err.contains("runtime.txt"),
        "{err}"
    );
}

#[test]
fn psycopg2_gets_headers_in_the_builder_and_libpq_at_run_time() {
    let d = run(&[("requirements.txt", "psycopg2==2.9.10\n"), ("main.py", "")]);
    assert_eq!(fact(&d, "compiled"), json!(["psycopg2"]));
    assert_eq!(
        fact(&d, "build_packages")["apt"],
        json!(["gcc", "libc6-dev", "libpq-dev"])
    );
    assert_eq!(fact(&d, "runtime_packages")["apt"], json!(["libpq5"]));
    assert_eq!(fact(&d, "runtime_packages")["apk"], json!(["libpq"]));
    let binary = run(&[
        ("requirements.txt", "psycopg2-binary==2.9.10\n"),
        ("main.py", ""),
    ]);
    assert_eq!(fact(&binary, "compiled"), json!([]));
}

#[test]
fn distroless_refuses_dependencies_that_need_shared_libraries() {
    let distroless = Layer {
        runtime: Some("distroless".into()),
        ..Default::default()
    };
    let err = run_with(
        &[("requirements.txt", "psycopg2==2.9.10\n"), ("main.py", "")],
        &distroless,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("libpq5") && err.contains("--runtime slim"),
        "{err}"
    );
}

#[test]
fn pytest_configured_but_undeclared_is_installed_for_the_test_stage() {
    let d = run(&[
        ("requirements.txt", "flask==3.1.3\ngunicorn==23\n"),
        ("app.py", FLASK_APP),
        ("pytest.ini", "[pytest]\n"),
    ]);
    assert_eq!(d.layer.test_command.as_deref(), Some("python -m pytest"));
    assert_eq!(fact(&d, "dev_packages"), json!(["pytest==9.2.0"]));
}

#[test]
fn requirement_includes_and_dev_files_are_kept_apart() {
    let d = run(&[
        ("requirements.txt", "-r requirements/base.txt\n"),
        ("requirements/base.txt", "flask==3.1.3\n"),
        (
            "requirements-dev.txt",
            "-r requirements.txt\npytest==9.2.0\n",
        ),
        ("app.py", FLASK_APP),
    ]);
    assert_eq!(
        fact(&d, "manifest_files"),
        json!(["requirements.txt", "requirements/base.txt"])
    );
    assert_eq!(
        fact(&d, "dev_manifest_files"),
        json!(["requirements-dev.txt"])
    );
    assert_eq!(
        fact(&d, "dev_deps_command"),
        json!("pip install -r requirements-dev.txt")
    );
}

#[test]
fn a_pyproject_without_requirements_installs_its_dependencies_before_the_source() {
    let py = "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"flask\"]\n[build-system]\nbuild-backend = \"setuptools.build_meta\"\n";
    let d = run(&[("pyproject.toml", py), ("app.py", FLASK_APP)]);
    let deps = fact(&d, "deps_command");
    assert!(
        deps.as_str().is_some_and(|c| c.contains("tomllib")
            && c.contains("pyproject.toml")
            && c.contains("pip install -r")),
        "{deps}"
    );
    assert_eq!(fact(&d, "manifest_files"), json!(["pyproject.toml"]));
    assert_eq!(
        fact(&d, "project_command"),
        json!("pip install --no-deps .")
    );
    assert_eq!(
        fact(&d, "project_with_deps_command"),
        json!("pip install .")
    );
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("no requirements file")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn dynamic_local_or_no_dependencies_install_with_the_project() {
    for deps in [
        "dynamic = [\"dependencies\"]\n",
        "dependencies = [\"shared @ file:///app/libs/shared\"]\n",
        "dependencies = []\n",
    ] {
        let py = format!(
            "[project]\nname = \"x\"\nversion = \"1\"\n{deps}[build-system]\nbuild-backend = \"setuptools.build_meta\"\n"
        );
        let d = run(&[("pyproject.toml", &py), ("app.py", FLASK_APP)]);
        assert_eq!(fact(&d, "deps_command"), json!(null), "{deps}");
        assert_eq!(
            fact(&d, "project_command"),
            json!("pip install ."),
            "{deps}"
        );
    }
}

#[test]
fn a_broken_pyproject_names_its_line() {
    let err = run_with(
        &[("pyproject.toml", "[project]\nname = \n")],
        &Layer::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("pyproject.toml") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn an_unknown_package_manager_flag_is_refused() {
    let hints = Layer {
        package_manager: Some("conda".into()),
        ..Default::default()
    };
    assert!(run_with(&[("requirements.txt", ""), ("main.py", "")], &hints).is_err());
}

#[test]
fn an_editable_requirement_installs_everything_after_the_source() {
    let d = run(&[
        ("requirements.txt", "-e .\nflask==3.1.3\n"),
        ("requirements-dev.txt", "pytest==9.2.0\n"),
        ("app.py", FLASK_APP),
    ]);
    assert_eq!(fact(&d, "deps_command"), json!(null));
    assert_eq!(
        fact(&d, "project_command"),
        json!("pip install -r requirements.txt")
    );
    assert_eq!(
        fact(&d, "dev_project_command"),
        json!("pip install -r requirements.txt -r requirements-dev.txt")
    );
    assert!(
        d.warnings.iter().any(|w| w.contains("`-e .`")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn a_django_directory_name_is_quoted_in_shell_commands() {
    let d = run(&[
        ("requirements.txt", "Django==5.2\ngunicorn==23.0.0\n"),
        (
            "echo ${HOME}/manage.py",
            "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings\")\n",
        ),
        (
            "echo ${HOME}/config/settings.py",
            "STATIC_ROOT = 'static'\n",
        ),
    ]);
    assert_eq!(
        d.layer.build_command.as_deref(),
        Some("python 'echo ${HOME}'/manage.py collectstatic --noinput")
    );
    assert_eq!(
        d.layer.test_command.as_deref(),
        Some("python 'echo ${HOME}'/manage.py test 'echo ${HOME}'")
    );
}

#[test]
fn a_django_directory_that_cannot_be_a_command_word_is_refused_naming_it() {
    let err = run_with(
        &[
            ("requirements.txt", "Django==5.2\ngunicorn==23.0.0\n"),
            ("x\rRUN id/manage.py", "\n"),
        ],
        &Layer::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with(
            "`x\\rRUN id/manage.py` would give the start command a word that contains a newline"
        ),
        "{err}"
    );
}

#[test]
fn a_module_python_cannot_import_is_not_an_app() {
    let d = run(&[
        ("requirements.txt", "flask==3.1.3\ngunicorn==23.0.0\n"),
        ("x; touch.py", FLASK_APP),
        ("main.py", "print(1)\n"),
    ]);
    assert_eq!(d.layer.start_command.as_deref(), Some("python main.py"));
}

const UV_PYPROJECT: &str = "[project]\nname = \"svc\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10\"\ndependencies = [\"fastlib\"]\n";

/// A uv.lock whose `fastlib` ships only CPython wheels up to `top`, plus a pure package.
fn uv_lock(top: &str) -> String {
    format!(
        "version = 1\n\n[[package]]\nname = \"fastlib\"\nversion = \"1.0\"\nwheels = [\n  {{ url = \"https://files.example/fastlib-1.0-cp311-cp311-manylinux_2_17_x86_64.whl\" }},\n  {{ url = \"https://files.example/fastlib-1.0-{top}-{top}-manylinux_2_17_x86_64.whl\" }},\n]\n\n[[package]]\nname = \"pure\"\nversion = \"2.0\"\nsdist = {{ url = \"https://files.example/pure-2.0.tar.gz\" }}\nwheels = [{{ url = \"https://files.example/pure-2.0-py3-none-any.whl\" }}]\n"
    )
}

#[test]
fn requires_python_upper_bounds_are_respected() {
    let py = "[project]\nname = \"svc\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10,<3.13\"\n";
    let d = run(&[("pyproject.toml", py), ("app.py", FLASK_APP)]);
    assert_eq!(d.layer.version.as_deref(), Some("3.12"));
    assert!(
        d.evidence["version"].reason.contains("newest supported"),
        "{:?}",
        d.evidence["version"]
    );
}

#[test]
fn an_open_range_prefers_the_preset_default_over_the_newest() {
    let py = "[project]\nname = \"svc\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10\"\n";
    let d = run(&[("pyproject.toml", py), ("app.py", FLASK_APP)]);
    assert_eq!(d.layer.version.as_deref(), Some("3.13"));
    assert!(d.evidence["version"].reason.contains("preset default"));
}

#[test]
fn locked_wheels_that_stop_at_a_cpython_cap_the_version() {
    let lock = uv_lock("cp312");
    let d = run(&[
        ("pyproject.toml", UV_PYPROJECT),
        ("uv.lock", &lock),
        ("app.py", FLASK_APP),
    ]);
    assert_eq!(d.layer.version.as_deref(), Some("3.12"));
    let why = &d.evidence["version"].reason;
    assert!(why.contains("`fastlib`") && why.contains("3.12"), "{why}");
    // Wheels up to 3.14 do not hold back the default.
    let lock = uv_lock("cp314");
    let d = run(&[
        ("pyproject.toml", UV_PYPROJECT),
        ("uv.lock", &lock),
        ("app.py", FLASK_APP),
    ]);
    assert_eq!(d.layer.version.as_deref(), Some("3.13"));
}

#[test]
fn poetry_lock_files_cap_the_version_too() {
    let lock = "[[package]]\nname = \"fastlib\"\nversion = \"1.0\"\nfiles = [\n  {file = \"fastlib-1.0-cp311-cp311-manylinux_2_17_x86_64.whl\", hash = \"sha256:00\"},\n]\n";
    let py = "[tool.poetry]\nname = \"svc\"\npackage-mode = false\n[tool.poetry.dependencies]\npython = \"^3.10\"\n";
    let d = run(&[
        ("pyproject.toml", py),
        ("poetry.lock", lock),
        ("app.py", FLASK_APP),
    ]);
    assert_eq!(d.layer.version.as_deref(), Some("3.11"));
}

#[test]
fn python_version_spellings_in_the_wild_are_read_and_unknown_ones_warned() {
    for (file, text) in [
        (".python-version", "3.11.*\n"),
        (".python-version", "~3.11\n"),
        (".tool-versions", "nodejs 24\npython 3.11.9\n"),
    ] {
        let d = run(&[
            (file, text),
            ("requirements.txt", "flask\n"),
            ("app.py", FLASK_APP),
        ]);
        assert_eq!(d.layer.version.as_deref(), Some("3.11"), "{file}: {text}");
    }
    let d = run(&[
        (".python-version", "2.7\n"),
        ("requirements.txt", "flask\n"),
        ("app.py", FLASK_APP),
    ]);
    assert_eq!(d.layer.version, None);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("ignoring Python version `2.7`")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn a_version_outside_requires_python_is_warned_about() {
    let py = "[project]\nname = \"svc\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10,<3.13\"\n";
    let files = [("pyproject.toml", py), ("app.py", FLASK_APP)];
    let hints = Layer {
        version: Some("3.13".into()),
        ..Default::default()
    };
    let d = run_with(&files, &hints).unwrap().unwrap();
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("contradicts `requires-python")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn a_fastapi_factory_is_served_through_its_instance_or_with_factory() {
    let factory = "from fastapi import FastAPI\n\ndef get_application() -> FastAPI:\n    return FastAPI(title=\"x\")\n";
    let d = run(&[
        ("requirements.txt", "fastapi==0.115.0\nuvicorn==0.32.0\n"),
        (
            "svc/main.py",
            &format!("{factory}\napp = get_application()\n"),
        ),
    ]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("uvicorn --host 0.0.0.0 --port 8000 svc.main:app")
    );
    let d = run(&[
        ("requirements.txt", "fastapi==0.115.0\nuvicorn==0.32.0\n"),
        ("svc/main.py", factory),
    ]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("uvicorn --host 0.0.0.0 --port 8000 --factory svc.main:get_application")
    );
}

#[test]
fn a_framework_port_comes_from_the_projects_image_then_the_code() {
    let flask = "from flask import Flask\napp = Flask(__name__)\n";
    // The project's own image exposes the production port.
    let d = run(&[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("web.py", flask),
        (
            "Dockerfile",
            "FROM python:3.12\nEXPOSE 5100\nCMD [\"./boot.sh\"]\n",
        ),
    ]);
    assert_eq!(d.layer.port, Some(5100));
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("gunicorn --bind 0.0.0.0:5100 web:app")
    );
    assert_eq!(d.evidence["port"].source.as_deref(), Some("Dockerfile"));
    // A settings default for the app's port; a database port in settings is not it.
    let d = run(&[
        ("requirements.txt", "fastapi==0.115.0\nuvicorn==0.32.0\n"),
        (
            "core/settings.py",
            "DB = {\"PORT\": os.environ.get(\"PGPORT_X\", \"5432\")}\nclass Settings(BaseSettings):\n    API_PORT: int = 9100\n",
        ),
        (
            "core/main.py",
            "from fastapi import FastAPI\napp = FastAPI()\n",
        ),
    ]);
    assert_eq!(d.layer.port, Some(9100));
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("uvicorn --host 0.0.0.0 --port 9100 core.main:app")
    );
}

#[test]
fn a_loopback_default_bind_gives_the_port_and_a_warning() {
    let py = "[project]\nname = \"cal\"\nversion = \"1\"\n[project.scripts]\ncal = \"cal.cli:main\"\n[build-system]\nbuild-backend = \"uv_build\"\n";
    let d = run(&[
        ("pyproject.toml", py),
        (
            "src/cal/defaults.py",
            "SERVER = {\"hosts\": \"localhost:5299\"}\n",
        ),
        ("src/cal/client.py", "URL = \"http://localhost:7000/\"\n"),
    ]);
    assert_eq!(d.layer.port, Some(5299));
    let w = d.warnings.join("\n");
    assert!(
        w.contains("src/cal/defaults.py` line 1") && w.contains("loopback"),
        "{w}"
    );
}

#[test]
fn a_local_requirement_warns_only_when_pip_reads_the_requirements_file() {
    let pyproject = "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"flask\"]\n";
    let local = |d: &Detection| {
        d.warnings
            .iter()
            .any(|w| w.contains("installs from the project itself"))
    };
    let pip = run(&[
        ("pyproject.toml", pyproject),
        ("requirements.txt", "flask==3.1.3\n-e .\n"),
        ("app.py", FLASK_APP),
    ]);
    assert!(local(&pip), "{:?}", pip.warnings);
    let uv = run(&[
        ("pyproject.toml", pyproject),
        ("uv.lock", "version = 1\n"),
        ("requirements.txt", "flask==3.1.3\n-e .\n"),
        ("app.py", FLASK_APP),
    ]);
    assert!(
        !local(&uv),
        "uv never reads requirements.txt: {:?}",
        uv.warnings
    );
}

#[test]
fn a_local_package_outside_the_project_is_warned() {
    let d = run(&[
        ("requirements.txt", "flask==3.1.0\n-e ../shared\n"),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
    ]);
    assert!(
        d.warnings.iter().any(|w| w.starts_with(
            "requirements.txt: the local package `shared` is at `../shared`, outside this directory"
        )),
        "{:?}",
        d.warnings
    );
}
