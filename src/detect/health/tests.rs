use std::fs;
use std::path::Path;

use super::*;

/// The health path found for a `stack` project made of (path, contents) pairs, and
/// the detection (for its evidence and warnings).
fn found(stack: &str, files: &[(&str, &str)]) -> (Option<String>, Detection) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).unwrap();
        fs::write(p, text).unwrap();
    }
    let project = Project::scan(dir.path()).unwrap();
    let d = with_route(&project, Detection::new(stack, "manifest", "test"));
    (d.layer.health_path.clone(), d)
}

fn path(stack: &str, files: &[(&str, &str)]) -> Option<String> {
    found(stack, files).0
}

#[test]
fn a_health_word_must_be_the_last_plain_segment() {
    assert_eq!(rank("/healthz"), Some(0));
    assert_eq!(rank("/api/v1/status"), Some(3));
    assert_eq!(rank("/healthz/"), Some(0));
    assert_eq!(rank("/health/:id"), None);
    assert_eq!(rank("/healthy"), None);
    assert_eq!(rank("/{id}/status"), None);
    assert_eq!(rank("health"), None);
}

#[test]
fn join_keeps_one_slash_and_a_trailing_one() {
    assert_eq!(join("/api/", "/health"), "/api/health");
    assert_eq!(join("", "healthz/"), "/healthz/");
    assert_eq!(join("api", ""), "/api");
    assert_eq!(join("", "/"), "/");
}

#[test]
fn express_route_is_found_with_its_file_and_line() {
    let (p, d) = found(
        "node",
        &[(
            "src/server.js",
            "const app = express();\n\napp.get('/healthz', (req, res) => res.send('ok'));\n",
        )],
    );
    assert_eq!(p.as_deref(), Some("/healthz"));
    let ev = &d.evidence["health-path"];
    assert_eq!(ev.source.as_deref(), Some("src/server.js"));
    assert!(ev.reason.contains("line 3"), "{}", ev.reason);
}

#[test]
fn client_calls_tests_and_examples_are_not_routes() {
    let files = [
        ("src/api.js", "axios.get('/health', { timeout: 1 });\n"),
        ("src/app.test.js", "app.get('/health', h);\n"),
        ("examples/demo.js", "app.get('/ping', h);\n"),
        ("client/index.js", "api.get('/healthz', x);\n"),
    ];
    assert_eq!(path("node", &files), None);
}

#[test]
fn a_dedicated_health_route_beats_readiness_and_status_and_the_shortest_wins() {
    let files = [(
        "index.ts",
        "app.get('/status', a);\napp.get('/health/ready', b);\napp.get('/api/health', c);\napp.get('/health', d);\n",
    )];
    assert_eq!(path("node", &files).as_deref(), Some("/health"));
}

#[test]
fn an_express_router_takes_the_literal_prefix_it_is_mounted_under() {
    let files = [
        (
            "server/routes/index.ts",
            "const router = Router();\nrouter.get('/status', async (req, res) => {});\n",
        ),
        ("server/main.ts", "server.use('/api/v1', routes);\n"),
    ];
    assert_eq!(path("node", &files).as_deref(), Some("/api/v1/status"));
}

#[test]
fn a_router_mounted_under_a_variable_is_a_warning_not_a_guess() {
    let files = [
        (
            "src/health.js",
            "const router = express.Router();\nrouter.get('/healthz', h);\n",
        ),
        ("src/app.js", "app.use(config.base, health);\n"),
    ];
    let (p, d) = found("node", &files);
    assert_eq!(p, None);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("src/health.js:2") && w.contains("config.base")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn nest_controller_under_global_prefix_and_uri_version() {
    let files = [
        (
            "src/main.ts",
            "app.enableVersioning({ defaultVersion: '1', type: VersioningType.URI });\napp.setGlobalPrefix('api');\n",
        ),
        (
            "src/health/health.controller.ts",
            "@Controller('health')\nexport class HealthController {\n  @Get()\n  check() {}\n}\n",
        ),
    ];
    assert_eq!(path("node", &files).as_deref(), Some("/api/v1/health"));
}

#[test]
fn nest_router_module_prefixes_are_not_guessed() {
    let files = [
        ("src/app.module.ts", "RouterModule.register(routes),\n"),
        (
            "src/monitoring.controller.ts",
            "@Controller('monitoring')\nclass M {\n  @Get('health')\n  h() {}\n}\n",
        ),
    ];
    let (p, d) = found("node", &files);
    assert_eq!(p, None);
    assert!(
        d.warnings[0].contains("/monitoring/health"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn next_app_and_pages_routes_come_from_the_file_tree() {
    let app = [(
        "src/app/(internal)/api/heartbeat/route.ts",
        "export function GET() {}",
    )];
    assert_eq!(path("nextjs", &app).as_deref(), Some("/api/heartbeat"));
    let pages = [("pages/api/health.ts", "export default function h() {}")];
    assert_eq!(path("nextjs", &pages).as_deref(), Some("/api/health"));
    let dynamic = [("app/api/[id]/status/route.ts", "")];
    assert_eq!(path("nextjs", &dynamic), None);
}

#[test]
fn go_mux_patterns_and_gin_groups() {
    let mux = [(
        "main.go",
        "package main\nfunc main() {\n\tmux := http.NewServeMux()\n\tmux.HandleFunc(\"GET /healthz\", h)\n}\n",
    )];
    assert_eq!(path("go", &mux).as_deref(), Some("/healthz"));
    let gin = [(
        "router.go",
        "package x\nfunc r() {\n\te := gin.New()\n\tapi := e.Group(\"/api\")\n\tapi.GET(\"/health\", h)\n\tresp, _ := client.Get(\"/healthz\")\n}\n",
    )];
    assert_eq!(path("go", &gin).as_deref(), Some("/api/health"));
}

#[test]
fn fastapi_router_prefixes_and_a_settings_constant() {
    let files = [
        (
            "app/api/routes/utils.py",
            "router = APIRouter(prefix=\"/utils\", tags=[\"utils\"])\n\n@router.get(\"/health-check/\")\nasync def hc():\n    return True\n",
        ),
        (
            "app/api/main.py",
            "api_router = APIRouter()\napi_router.include_router(utils.router)\n",
        ),
        (
            "app/main.py",
            "app = FastAPI()\napp.include_router(api_router, prefix=settings.API_V1_STR)\n",
        ),
        (
            "app/core/config.py",
            "class S:\n    API_V1_STR: str = \"/api/v1\"\n",
        ),
    ];
    assert_eq!(
        path("python", &files).as_deref(),
        Some("/api/v1/utils/health-check/")
    );
}

#[test]
fn flask_blueprint_url_prefix() {
    let files = [
        (
            "web/views.py",
            "views = Blueprint(\"views\", __name__, url_prefix=\"/sys\")\n@views.route(\"/ping\")\ndef ping():\n    return \"\"\n",
        ),
        ("web/__init__.py", "app.register_blueprint(views)\n"),
    ];
    assert_eq!(path("python", &files).as_deref(), Some("/sys/ping"));
}

#[test]
fn django_routes_under_their_include() {
    let files = [
        (
            "site/urls.py",
            "urlpatterns = [\n    path(\"ops/\", include(\"site.ops.urls\")),\n    re_path(r\"^_health/?$\", v.health),\n]\n",
        ),
        (
            "site/ops/urls.py",
            "urlpatterns = [path(\"healthz/\", v.h), path(\"<int:pk>/status/\", v.s)]\n",
        ),
    ];
    assert_eq!(path("python", &files).as_deref(), Some("/_health/"));
    let only_nested = [files[0].0, files[1].0];
    let nested = [
        (
            only_nested[0],
            "urlpatterns = [path(\"ops/\", include(\"site.ops.urls\"))]\n",
        ),
        files[1],
    ];
    assert_eq!(path("python", &nested).as_deref(), Some("/ops/healthz/"));
}

#[test]
fn rust_axum_route_and_rocket_mount_bases() {
    let axum = [(
        "src/main.rs",
        "fn app() -> Router {\n    Router::new()\n        .route(\"/healthz\", get(health))\n}\n",
    )];
    assert_eq!(path("rust", &axum).as_deref(), Some("/healthz"));
    let rocket = [(
        "src/main.rs",
        "#[get(\"/alive\")]\nfn alive() -> &'static str { \"\" }\nfn main() { rocket::build().mount(base_path(), routes![alive]); }\n",
    )];
    let (p, d) = found("rust", &rocket);
    assert_eq!(p, None);
    assert!(d.warnings[0].contains("src/main.rs:1"), "{:?}", d.warnings);
    let literal = [(
        "src/main.rs",
        "#[get(\"/alive\")]\nfn alive() {}\nfn main() { rocket::build().mount(\"/\", routes![alive]); }\n",
    )];
    assert_eq!(path("rust", &literal).as_deref(), Some("/alive"));
}

#[test]
fn nothing_is_searched_when_no_http_is_served_or_a_path_is_set() {
    let files = [(
        "main.go",
        "package main\nfunc main() { http.HandleFunc(\"/healthz\", h) }\n",
    )];
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(files[0].0), files[0].1).unwrap();
    let project = Project::scan(dir.path()).unwrap();
    let mut d = Detection::new("go", "go.mod", "test");
    d.layer.port = Some(0);
    assert_eq!(with_route(&project, d).layer.health_path, None);
    assert_eq!(path("go", &files).as_deref(), Some("/healthz"));
}

#[test]
fn a_name_assigned_something_unreadable_is_not_a_constant() {
    let files = [
        (
            "hc/urls.py",
            "prefix = \"\"\nif root:\n    prefix = f\"{root}/\"\nurlpatterns = [path(prefix, include(\"hc.api.urls\"))]\n",
        ),
        (
            "hc/api/urls.py",
            "urlpatterns = [path(\"ops/status/\", v.status)]\n",
        ),
    ];
    let (p, d) = found("python", &files);
    assert_eq!(p, None);
    assert!(
        d.warnings[0].contains("hc/api/urls.py:1"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn typed_express_routes_go_group_parameters_and_python_aliases() {
    let typed = [(
        "server.ts",
        "router.get<unknown, R>('/ping', (req, res) => {});\n",
    )];
    assert_eq!(path("node", &typed).as_deref(), Some("/ping"));
    let group = [(
        "apis/health.go",
        "package apis\nfunc bind(rg *router.RouterGroup) {\n\tsub := rg.Group(\"/health\")\n\tsub.GET(\"\", h)\n}\n",
    )];
    assert_eq!(path("go", &group), None);
    let alias = [
        (
            "pkg/routers/misc.py",
            "public_router = APIRouter()\n@public_router.get(\"/health\")\ndef h(): ...\n",
        ),
        (
            "pkg/main.py",
            "from pkg.routers.misc import public_router as misc_public\napp.include_router(misc_public, prefix=\"/v1\")\n",
        ),
    ];
    assert_eq!(path("python", &alias).as_deref(), Some("/v1/health"));
}

#[test]
fn browser_assets_at_the_top_are_skipped_but_a_public_api_directory_is_not() {
    let files = [
        ("public/lib/vendor.js", "app.get('/healthz', h);\n"),
        ("src/api/public/health.js", "app.get('/api/health', h);\n"),
    ];
    assert_eq!(path("node", &files).as_deref(), Some("/api/health"));
}

#[test]
fn a_client_call_does_not_outrank_a_real_route() {
    let files = [(
        "server/index.ts",
        "axios.get('/health', cfg);\napp.get('/status', h);\n",
    )];
    assert_eq!(path("node", &files).as_deref(), Some("/status"));
}
