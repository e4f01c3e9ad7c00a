use std::fs;
use std::path::Path;

use super::*;

/// A project from (path, contents) pairs.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).unwrap();
        fs::write(p, text).unwrap();
    }
    let p = Project::scan(dir.path()).unwrap();
    (dir, p)
}

fn run(files: &[(&str, &str)], hints: Layer) -> Result<Detection> {
    let (_dir, p) = project(files);
    let presets = Presets::for_tests();
    detect(&p, &presets, &hints).map(|d| d.expect("a Rust project"))
}

fn ok(files: &[(&str, &str)]) -> Detection {
    run(files, Layer::default()).unwrap()
}

const MAIN: &str = "fn main() {}";

#[test]
fn a_project_without_cargo_toml_is_not_rust() {
    let (_dir, p) = project(&[("package.json", "{}")]);
    assert!(
        detect(&p, &Presets::for_tests(), &Layer::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_single_binary_is_named_after_the_package_and_built_locked() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"hello-app\"\nversion = \"0.1.0\"\n",
        ),
        ("Cargo.lock", "version = 4\n"),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.layer.app.as_deref(), Some("hello-app"));
    assert_eq!(
        d.layer.build_command.as_deref(),
        Some("cargo build --release --locked --bin hello-app")
    );
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("/usr/local/bin/hello-app")
    );
    assert_eq!(d.layer.test_command.as_deref(), Some("cargo test --locked"));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn a_bin_table_names_the_built_file_instead_of_the_package() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"pkg\"\n[[bin]]\nname = \"custom-name\"\npath = \"src/main.rs\"\n",
        ),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.extra["bin"].value, "custom-name");
    assert_eq!(d.extra["stub_mains"].value, json!(["src/main.rs"]));
}

#[test]
fn a_missing_lockfile_drops_locked_and_warns_that_builds_are_not_reproducible() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(
        d.layer.build_command.as_deref(),
        Some("cargo build --release --bin a")
    );
    assert!(d.warnings.iter().any(|w| w.contains("not reproducible")));
}

#[test]
fn several_binaries_without_default_run_become_a_question() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", MAIN),
        ("src/bin/worker.rs", MAIN),
    ]);
    assert_eq!(d.questions[0].candidates, vec!["a", "worker"]);
    assert_eq!(d.questions[0].flag, "--bin");
}

#[test]
fn default_run_picks_among_several_binaries() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\ndefault-run = \"worker\"\n",
        ),
        ("src/main.rs", MAIN),
        ("src/bin/worker/main.rs", MAIN),
    ]);
    assert!(d.questions.is_empty());
    assert_eq!(d.layer.app.as_deref(), Some("worker"));
}

#[test]
fn required_features_are_passed_to_the_build() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\n[[bin]]\nname = \"srv\"\nrequired-features = [\"http\"]\n",
        ),
        ("src/bin/srv.rs", MAIN),
    ]);
    assert_eq!(
        d.layer.build_command.as_deref(),
        Some("cargo build --release --bin srv --features http")
    );
}

const WS: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    ),
    (
        "crates/api/Cargo.toml",
        "[package]\nname = \"api\"\n[dependencies]\ncore = { path = \"../core\" }\n",
    ),
    ("crates/api/src/main.rs", MAIN),
    ("crates/api/build.rs", MAIN),
    ("crates/worker/Cargo.toml", "[package]\nname = \"worker\"\n"),
    ("crates/worker/src/main.rs", MAIN),
    (
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\n[[bench]]\nname = \"speed\"\nharness = false\n",
    ),
    ("crates/core/src/lib.rs", ""),
    ("crates/core/benches/speed.rs", MAIN),
];

#[test]
fn a_workspace_asks_which_member_binary_to_build() {
    let d = ok(WS);
    assert_eq!(d.questions[0].candidates, vec!["api", "worker"]);
}

#[test]
fn the_toolchain_file_pins_the_version_before_a_binary_is_chosen() {
    let mut files = WS.to_vec();
    files.push(("rust-toolchain.toml", "[toolchain]\nchannel = \"1.90.0\"\n"));
    files.push((
        "crates/api/Cargo.toml",
        "[package]\nname = \"api\"\nrust-version = \"1.98\"\n",
    ));
    let d = ok(&files);
    assert!(!d.questions.is_empty(), "still asks which binary");
    assert_eq!(d.layer.version.as_deref(), Some("1.90.0"));
    assert_eq!(
        d.evidence["version"].source.as_deref(),
        Some("rust-toolchain.toml")
    );
    let chosen = run(
        &files,
        Layer {
            app: Some("api".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        chosen.layer.version.as_deref(),
        Some("1.90.0"),
        "the toolchain file wins over rust-version"
    );
}

#[test]
fn a_toolchain_dockform_has_no_image_for_is_warned_and_ignored() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", MAIN),
        ("rust-toolchain", "1.200.0\n"),
    ]);
    assert_eq!(d.layer.version, None);
    assert!(
        d.warnings.iter().any(|w| w.contains("no image data")),
        "{:?}",
        d.warnings
    );
}

/// The `WS` workspace with its `api` binary chosen.
fn ws_api() -> Detection {
    run(
        WS,
        Layer {
            app: Some("api".into()),
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn a_workspace_binary_chosen_with_bin_is_built_with_its_package() {
    let d = ws_api();
    assert_eq!(
        d.layer.build_command.as_deref(),
        Some("cargo build --release -p api --bin api")
    );
    assert_eq!(
        d.layer.test_command.as_deref(),
        Some("cargo test --workspace")
    );
    assert_eq!(
        d.extra["stub_mains"].value,
        json!([
            "crates/api/build.rs",
            "crates/api/src/main.rs",
            "crates/core/benches/speed.rs",
            "crates/worker/src/main.rs"
        ])
    );
    assert_eq!(
        d.extra["stub_libs"].value,
        json!(["crates/core/src/lib.rs"])
    );
    let copies = &d.extra["manifest_copies"].value;
    assert_eq!(
        copies[1],
        json!({"dir": "crates/api/", "files": ["crates/api/Cargo.toml"]})
    );
}

#[test]
fn an_unknown_bin_is_refused_with_the_candidates() {
    let e = run(
        WS,
        Layer {
            app: Some("nope".into()),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("api, worker") && e.contains("`--bin`"), "{e}");
}

#[test]
fn a_library_alone_is_refused() {
    let e = run(
        &[
            ("Cargo.toml", "[package]\nname = \"a\"\n"),
            ("src/lib.rs", ""),
        ],
        Layer::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no binary target"), "{e}");
}

#[test]
fn a_numeric_toolchain_channel_pins_the_version() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\nrust-version = \"1.70\"\n",
        ),
        ("src/main.rs", MAIN),
        ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.88.0\"\n"),
    ]);
    assert_eq!(d.layer.version.as_deref(), Some("1.88.0"));
    assert_eq!(
        d.extra["manifest_copies"].value[0]["files"],
        json!(["Cargo.toml", "rust-toolchain.toml"])
    );
}

#[test]
fn a_stable_channel_warns_that_rustup_downloads_it() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", MAIN),
        ("rust-toolchain", "stable\n"),
    ]);
    assert_eq!(d.layer.version, None);
    assert!(d.warnings.iter().any(|w| w.contains("`stable`")));
    assert_eq!(d.extra["toolchain"].value, json!("stable"));
}

#[test]
fn a_dated_nightly_is_the_toolchain_and_is_not_warned() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", MAIN),
        (
            "rust-toolchain.toml",
            "[toolchain]\nchannel = \"nightly-2022-07-19\"\n",
        ),
    ]);
    assert_eq!(d.extra["toolchain"].value, json!("nightly-2022-07-19"));
    assert_eq!(
        d.layer.version, None,
        "the image stays the preset's release"
    );
    assert!(
        !d.warnings.iter().any(|w| w.contains("toolchain")),
        "{:?}",
        d.warnings
    );
    assert_eq!(
        d.extra["manifest_copies"].value[0]["files"],
        json!(["Cargo.toml", "rust-toolchain.toml"]),
        "the skeleton copies the file, so rustup installs the channel in the deps layer"
    );
    for odd in [
        "nightly-22-07-19",
        "nightly-2022-07",
        "mytoolchain",
        "nightly-2022-07-1x",
    ] {
        let d = ok(&[
            ("Cargo.toml", "[package]\nname = \"a\"\n"),
            ("src/main.rs", MAIN),
            ("rust-toolchain", odd),
        ]);
        assert!(!d.extra.contains_key("toolchain"), "{odd}");
        assert!(
            d.warnings.iter().any(|w| w.contains("neither a release")),
            "{odd}"
        );
    }
}

#[test]
fn rust_version_is_a_minimum_met_by_the_preset_unless_newer() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\nrust-version = \"1.80\"\n",
        ),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.layer.version, None);
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\nrust-version = \"1.99\"\n",
        ),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.layer.version.as_deref(), Some("1.99"));
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\nrust-version = \"1.250\"\n",
        ),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.layer.version, None, "no release known to meet it");
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("newer than the Rust releases dockform knows"))
    );
}

#[test]
fn cargo_config_is_copied_and_its_target_moves_the_output() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", MAIN),
        (
            ".cargo/config.toml",
            "[build]\ntarget = \"x86_64-unknown-linux-gnu\"\ntarget-dir = \"out\"\n",
        ),
    ]);
    assert_eq!(d.extra["config_target"].value, "x86_64-unknown-linux-gnu");
    assert_eq!(d.extra["target_dir"].value, "out");
    assert_eq!(
        d.extra["manifest_copies"].value[1],
        json!({"dir": ".cargo/", "files": [".cargo/config.toml"]})
    );
}

#[test]
fn openssl_is_found_in_the_lockfile_or_the_manifest() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\n[dependencies]\nopenssl = \"0.10\"\n",
        ),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.extra["openssl"].value, true);
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\n[dependencies]\nreqwest = \"0.12\"\n",
        ),
        ("Cargo.lock", "[[package]]\nname = \"openssl-sys\"\n"),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.extra["openssl"].value, true);
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\n[dependencies]\nrustls = \"0.23\"\n",
        ),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.extra["openssl"].value, false);
}

#[test]
fn the_port_comes_from_a_port_variable_default_before_bind_literals() {
    let src = "let port = std::env::var(\"PORT\").unwrap_or_else(|_| \"3000\".into());\nlet x = \"0.0.0.0:9999\";";
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", src),
    ]);
    assert_eq!(d.layer.port, Some(3000));
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        (
            "src/main.rs",
            "let a = SocketAddr::from(([0, 0, 0, 0], 4000));",
        ),
    ]);
    assert_eq!(d.layer.port, Some(4000));
}

#[test]
fn binding_only_to_loopback_warns_that_the_container_is_unreachable() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", "TcpListener::bind(\"127.0.0.1:8000\")"),
    ]);
    assert_eq!(d.layer.port, Some(8000));
    assert!(
        d.warnings.iter().any(|w| w.contains("loopback")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn a_broken_manifest_names_the_file_and_line() {
    let e = run(&[("Cargo.toml", "[package]\nname = \n")], Layer::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("Cargo.toml") && e.contains('2'), "{e}");
}

#[test]
fn an_empty_workspace_table_leaves_a_single_package() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n[workspace]\n"),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(
        d.layer.build_command.as_deref(),
        Some("cargo build --release --bin a")
    );
    assert_eq!(d.extra["workspace"].value, false);
}

#[test]
fn a_target_path_that_is_not_one_shell_word_is_refused() {
    let err = run(
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"a\"\n[[bin]]\nname = \"a\"\npath = \"src/x;id>y.rs\"\n",
            ),
            ("src/main.rs", MAIN),
        ],
        Layer::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("invalid `Cargo.toml` target path: `src/x;id>y.rs` contains `;`"),
        "{err}"
    );
}

#[test]
fn a_cargo_config_output_path_that_would_split_the_copy_is_refused() {
    for (key, value) in [
        ("target-dir", "a b"),
        ("target-dir", "/tmp/t"),
        ("target", "x;id"),
    ] {
        let err = run(
            &[
                ("Cargo.toml", "[package]\nname = \"a\"\n"),
                ("src/main.rs", MAIN),
                (
                    ".cargo/config.toml",
                    &format!("[build]\n{key} = \"{value}\"\n"),
                ),
            ],
            Layer::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with(&format!("invalid `.cargo/config.toml` `build.{key}`")),
            "{err}"
        );
    }
}

#[test]
fn an_invalid_binary_name_from_a_file_name_names_the_file() {
    let err = run(
        &[
            ("Cargo.toml", "[package]\nname = \"a\"\n"),
            ("src/bin/x y.rs", MAIN),
        ],
        Layer::default(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "`Cargo.toml` gives the binary built from `src/bin/x y.rs` the name `x y`, which is not a valid Cargo name (letters, digits, `-`, `_`)"
    );
}

#[test]
fn a_version_older_than_rust_version_is_warned_about() {
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\nrust-version = \"1.90\"\n",
        ),
        ("src/main.rs", MAIN),
    ];
    let d = run(
        &files,
        Layer {
            version: Some("1.88".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("older than `rust-version")),
        "{:?}",
        d.warnings
    );
    let d = run(
        &files,
        Layer {
            version: Some("1.92".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        d.warnings.iter().all(|w| !w.contains("rust-version")),
        "{:?}",
        d.warnings
    );
}

fn envs(d: &Detection) -> Vec<(String, String)> {
    d.extra["listen_env"]
        .value
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const TWO: &str = "[workspace]\nmembers = [\"cli\", \"srv\"]\n";

#[test]
fn the_only_binary_depending_on_a_server_crate_is_chosen_with_a_warning() {
    let d = ok(&[
        ("Cargo.toml", TWO),
        ("cli/Cargo.toml", "[package]\nname = \"cli\"\n"),
        ("cli/src/main.rs", MAIN),
        (
            "srv/Cargo.toml",
            "[package]\nname = \"srv\"\n[dependencies]\naxum = \"0.8\"\n",
        ),
        ("srv/src/main.rs", MAIN),
    ]);
    assert!(d.questions.is_empty(), "{:?}", d.questions);
    assert_eq!(d.layer.app.as_deref(), Some("srv"));
    assert!(
        d.warnings.iter().any(|w| w.contains("`cli`")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn a_web_framework_outranks_a_client_that_also_links_tonic() {
    let d = ok(&[
        ("Cargo.toml", TWO),
        (
            "cli/Cargo.toml",
            "[package]\nname = \"cli\"\n[dependencies]\ntonic = \"0.12\"\n",
        ),
        ("cli/src/main.rs", MAIN),
        (
            "srv/Cargo.toml",
            "[package]\nname = \"srv\"\n[dependencies]\ntonic = \"0.12\"\naxum = \"0.8\"\n",
        ),
        ("srv/src/main.rs", MAIN),
    ]);
    assert!(d.questions.is_empty(), "{:?}", d.questions);
    assert_eq!(d.layer.app.as_deref(), Some("srv"));
}

#[test]
fn default_members_choose_the_binary() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"cli\", \"srv\"]\ndefault-members = [\"cli\"]\n",
        ),
        ("cli/Cargo.toml", "[package]\nname = \"cli\"\n"),
        ("cli/src/main.rs", MAIN),
        ("srv/Cargo.toml", "[package]\nname = \"srv\"\n"),
        ("srv/src/main.rs", MAIN),
    ]);
    assert_eq!(d.layer.app.as_deref(), Some("cli"));
}

#[test]
fn a_clap_port_default_and_its_env_variable_reach_the_image() {
    let main = "#[derive(Parser)]\nstruct Args {\n    #[arg(long, default_value = \"::\", env = \"APP_HOST\")]\n    host: String,\n    /// The port.\n    #[arg(long, default_value_t = 7411, env = \"APP_PORT\")]\n    port: u16,\n}\nfn main() {}\n";
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", main),
    ]);
    assert_eq!(d.layer.port, Some(7411));
    assert_eq!(envs(&d), [("APP_PORT".to_string(), "port".to_string())]);
}

#[test]
fn a_loopback_address_variable_is_set_to_all_interfaces() {
    let main = "const ADDR_VAR: &str = \"APP_HTTP_ADDR\";\nfn default_addr() -> String { \"localhost:7312\".into() }\n#[derive(Parser)]\nstruct Args {\n    #[clap(long, env = ADDR_VAR, default_value_t = default_addr())]\n    http_addr: String,\n}\nfn main() {}\n";
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", main),
    ]);
    assert_eq!(d.layer.port, Some(7312));
    assert_eq!(
        envs(&d),
        [("APP_HTTP_ADDR".to_string(), "addr".to_string())]
    );
}

#[test]
fn config_defaults_with_an_env_prefix_name_the_variables() {
    let main = "fn main() {\n    let c = Config::builder()\n        .set_default(\"host\", \"127.0.0.1\")?\n        .set_default(\"port\", 8123)?\n        .add_source(Environment::with_prefix(\"demo\"));\n}\n";
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", main),
    ]);
    assert_eq!(d.layer.port, Some(8123));
    assert_eq!(
        envs(&d),
        [
            ("DEMO_PORT".to_string(), "port".to_string()),
            ("DEMO_HOST".to_string(), "host".to_string())
        ]
    );
}

#[test]
fn rocket_defaults_to_8000_and_is_told_to_bind_all_interfaces() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\n[dependencies]\nrocket = \"0.5\"\n",
        ),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.layer.port, Some(8000));
    assert_eq!(
        envs(&d),
        [
            ("ROCKET_ADDRESS".to_string(), "host".to_string()),
            ("ROCKET_PORT".to_string(), "port".to_string())
        ]
    );
}

#[test]
fn a_required_serve_subcommand_reaches_the_start_command() {
    let top = "#[derive(Parser)]\nenum Cmd {\n    /// Serve.\n    Start {\n        #[clap(long)]\n        port: Option<u16>,\n    },\n    Check,\n}\nfn main() {}\n";
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", top),
    ]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("/usr/local/bin/a start")
    );
    let field = "#[derive(Parser)]\nstruct Opts {\n    #[clap(subcommand)]\n    pub command: Command,\n}\n#[derive(Subcommand)]\nenum Command {\n    #[clap(name = \"run\")]\n    Run(RunOpts),\n    Export,\n}\nfn main() {}\n";
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", field),
    ]);
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("/usr/local/bin/a run")
    );
    // An optional subcommand: the program serves without one.
    let optional = field.replace("pub command: Command", "pub command: Option<Command>");
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", &optional),
    ]);
    assert_eq!(d.layer.start_command.as_deref(), Some("/usr/local/bin/a"));
}

#[test]
fn a_loopback_clap_flag_without_env_is_passed_all_interfaces() {
    let main = "#[derive(Parser)]\nstruct Args {\n    #[clap(long, default_value_t = 8411)]\n    port: u16,\n    #[clap(long, default_value = \"::1\")]\n    listen: IpAddr,\n}\nfn main() {}\n";
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        ("src/main.rs", main),
    ]);
    assert_eq!(d.layer.port, Some(8411));
    assert_eq!(
        d.layer.start_command.as_deref(),
        Some("/usr/local/bin/a --listen 0.0.0.0")
    );
}

/// A lockfile where `reqwest` can reach OpenSSL through native-tls (as a lockfile holds
/// every crate some feature of the package can enable) or rustls.
const TLS_LOCK: &str = r#"
[[package]]
name = "a"
version = "0.1.0"
dependencies = ["reqwest"]

[[package]]
name = "reqwest"
version = "0.12.0"
dependencies = ["hyper-rustls", "native-tls"]

[[package]]
name = "hyper-rustls"
version = "0.27.0"

[[package]]
name = "native-tls"
version = "0.2.0"
dependencies = ["openssl-sys"]

[[package]]
name = "openssl-sys"
version = "0.9.0"
"#;

#[test]
fn openssl_reached_only_through_a_non_default_feature_installs_no_headers() {
    let manifest = "[package]\nname = \"a\"\n[features]\ndefault = [\"rustls\"]\nrustls = [\"reqwest/rustls-tls\"]\nnative = [\"reqwest/native-tls\"]\n[dependencies]\nreqwest = { version = \"0.12\", default-features = false }\n";
    let d = ok(&[
        ("Cargo.toml", manifest),
        ("Cargo.lock", TLS_LOCK),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.extra["openssl"].value, false);
    assert!(
        d.extra["openssl"].evidence.reason.contains("`native`"),
        "{}",
        d.extra["openssl"].evidence.reason
    );
}

#[test]
fn openssl_through_default_features_or_a_default_on_dependency_installs_headers() {
    let by_default = "[package]\nname = \"a\"\n[features]\ndefault = [\"native\"]\nnative = [\"reqwest/native-tls\"]\n[dependencies]\nreqwest = { version = \"0.12\", default-features = false }\n";
    let plain = "[package]\nname = \"a\"\n[dependencies]\nreqwest = \"0.12\"\n";
    // Default features off, but nothing of the package selects OpenSSL: the crate may
    // pull it in by itself (through a dependency of its own).
    let ungated = "[package]\nname = \"a\"\n[dependencies]\nreqwest = { version = \"0.12\", default-features = false }\n";
    for manifest in [by_default, plain, ungated] {
        let d = ok(&[
            ("Cargo.toml", manifest),
            ("Cargo.lock", TLS_LOCK),
            ("src/main.rs", MAIN),
        ]);
        assert_eq!(d.extra["openssl"].value, true, "{manifest}");
    }
}

#[test]
fn an_optional_dependency_off_by_default_does_not_bring_openssl() {
    let manifest = "[package]\nname = \"a\"\n[features]\nhttp = [\"dep:reqwest\"]\n[dependencies]\nreqwest = { version = \"0.12\", optional = true }\n";
    let d = ok(&[
        ("Cargo.toml", manifest),
        ("Cargo.lock", TLS_LOCK),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.extra["openssl"].value, false);
}

#[test]
fn a_package_defaulting_to_rustls_with_an_openssl_feature_installs_no_headers() {
    // The dependency keeps its default features; the package's own `openssl` feature,
    // off by default, is what put OpenSSL in the lockfile.
    let manifest = "[package]\nname = \"a\"\n[features]\ndefault = [\"rustls\"]\nrustls = [\"reqwest/rustls-tls\"]\nopenssl = [\"reqwest/native-tls\"]\n[dependencies]\nreqwest = \"0.12\"\n";
    let d = ok(&[
        ("Cargo.toml", manifest),
        ("Cargo.lock", TLS_LOCK),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.extra["openssl"].value, false);
    assert!(
        d.extra["openssl"].evidence.reason.contains("`openssl`"),
        "{}",
        d.extra["openssl"].evidence.reason
    );
}

const GATED: &str = "fn main() {\n    #[cfg(not(any(feature = \"mysql\", feature = \"postgresql\")))]\n    compile_error!(\"enable one database backend\");\n}\n";

fn gated(manifest_tail: &str, hints: Layer) -> Detection {
    let manifest = format!("[package]\nname = \"vault\"\n{manifest_tail}");
    run(
        &[
            ("Cargo.toml", manifest.as_str()),
            ("src/main.rs", MAIN),
            ("build.rs", GATED),
        ],
        hints,
    )
    .unwrap()
}

fn warned(d: &Detection, what: &str) -> bool {
    d.warnings.iter().any(|w| w.contains(what))
}

#[test]
fn a_compile_error_the_default_features_do_not_lift_is_warned_with_the_fix() {
    let features = "[features]\ndefault = []\nmysql = []\npostgresql = []\n";
    let d = gated(features, Layer::default());
    let w = d
        .warnings
        .iter()
        .find(|w| w.contains("compile_error!"))
        .unwrap();
    assert!(w.starts_with("build.rs line 2:"), "{w}");
    assert!(
        w.contains("`mysql`, `postgresql`") && w.contains("--features mysql"),
        "{w}"
    );
    // A default that enables one (through another feature), or a build command that
    // passes one, lifts it.
    let on = "[features]\ndefault = [\"db\"]\ndb = [\"postgresql\"]\nmysql = []\npostgresql = []\n";
    assert!(!warned(&gated(on, Layer::default()), "compile_error!"));
    let cmd = Layer {
        build_command: Some("cargo build --release --features postgresql".into()),
        ..Default::default()
    };
    assert!(!warned(&gated(features, cmd), "compile_error!"));
}

#[test]
fn a_compile_error_under_another_cfg_is_not_judged() {
    let d = ok(&[
        ("Cargo.toml", "[package]\nname = \"a\"\n"),
        (
            "src/main.rs",
            "#[cfg(not(all(feature = \"a\", target_os = \"linux\")))]\ncompile_error!(\"x\");\nfn main() {}\n",
        ),
    ]);
    assert!(!warned(&d, "compile_error!"), "{:?}", d.warnings);
}

#[test]
fn sqlx_query_macros_without_offline_data_are_warned() {
    let files = |extra: Option<(&'static str, &'static str)>| {
        let mut f = vec![
            (
                "Cargo.toml",
                "[package]\nname = \"a\"\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"postgres\"] }\n",
            ),
            ("src/main.rs", MAIN),
            (
                "src/db.rs",
                "pub async fn n(p: &sqlx::PgPool) {\n    let _ = sqlx::query!(\"select 1 as one\").fetch_one(p).await;\n}\n",
            ),
        ];
        f.extend(extra);
        f
    };
    let d = ok(&files(None));
    let w = d.warnings.iter().find(|w| w.contains("sqlx")).unwrap();
    assert!(
        w.starts_with("src/db.rs line 2:") && w.contains("cargo sqlx prepare"),
        "{w}"
    );
    let d = ok(&files(Some((".sqlx/query-1.json", "{}"))));
    assert!(!warned(&d, "sqlx"), "{:?}", d.warnings);
}

#[test]
fn a_path_dependency_outside_the_project_is_warned_and_one_inside_is_not() {
    let d = ok(&[
        (
            "Cargo.toml",
            "[package]\nname = \"api\"\n[dependencies]\nshared = { path = \"../shared\" }\n[patch.crates-io]\nserde = { path = \"vendor/serde\" }\n",
        ),
        ("src/main.rs", MAIN),
    ]);
    let outside: Vec<&String> = d
        .warnings
        .iter()
        .filter(|w| w.contains("outside this directory"))
        .collect();
    assert_eq!(outside.len(), 1, "{outside:?}");
    assert!(
        outside[0].contains("`shared` is at `../shared`"),
        "{}",
        outside[0]
    );
    // crates/api -> ../core stays inside the workspace.
    let d = ws_api();
    assert!(!warned(&d, "outside this directory"), "{:?}", d.warnings);
}

#[test]
fn a_program_that_reaches_no_server_crate_and_opens_no_listener_serves_no_http() {
    let manifest = "[package]\nname = \"poller\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nureq = \"3\"\n";
    // ureq pulls in no server; a client that pulls in hyper (reqwest) does not count.
    let lock = "version = 4\n\n[[package]]\nname = \"poller\"\nversion = \"0.1.0\"\ndependencies = [\"ureq\"]\n\n[[package]]\nname = \"ureq\"\nversion = \"3.0.0\"\ndependencies = [\"hyper\"]\n\n[[package]]\nname = \"hyper\"\nversion = \"1.0.0\"\n";
    let d = ok(&[
        ("Cargo.toml", manifest),
        ("Cargo.lock", lock),
        ("src/main.rs", MAIN),
    ]);
    assert_eq!(d.layer.port, Some(0), "{:?}", d.warnings);
    // Through an internal crate that depends on axum, the binary serves: the preset port.
    let via_lib = lock.replace(
        "dependencies = [\"ureq\"]",
        "dependencies = [\"ureq\", \"web\"]",
    ) + "\n[[package]]\nname = \"web\"\nversion = \"0.1.0\"\ndependencies = [\"axum\"]\n\n[[package]]\nname = \"axum\"\nversion = \"0.8.0\"\n";
    let d = ok(&[
        ("Cargo.toml", manifest),
        ("Cargo.lock", &via_lib),
        ("src/main.rs", MAIN),
    ]);
    assert_ne!(d.layer.port, Some(0));
    // A listener in its own code counts too.
    let d = ok(&[
        ("Cargo.toml", manifest),
        ("Cargo.lock", lock),
        (
            "src/main.rs",
            "fn main() { let _l = std::net::TcpListener::bind(\"0.0.0.0:9000\"); }",
        ),
    ]);
    assert_ne!(d.layer.port, Some(0));
}
