//! Rust: `Cargo.toml` (package, binary, library, example and build-script targets,
//! `rust-version`, workspace members, path dependencies), the toolchain files,
//! `.cargo/config.toml`, the names of `src/bin` files and the port in code.

use std::path::Path;

use super::{edit_toml, remove, set_toml, toml_str, toml_table, write};
use crate::{FIELD, ProjectField, file_name_ok};

const STACK: &[&str] = &["rust"];

const MAIN: &str = "fn main() { let _ = std::net::TcpListener::bind(\"0.0.0.0:8080\"); }\n";

/// The second baseline of a value the project cannot do without: the project as is.
const AS_IS: Option<fn(&Path)> = Some(|_| {});

fn cargo(d: &Path, edit: impl FnOnce(&mut toml::Table)) -> bool {
    edit_toml(d, "Cargo.toml", edit)
}

/// Adds one `[[kind]]` target with `entries`.
fn target(d: &Path, kind: &str, entries: &[(&str, toml::Value)]) -> bool {
    cargo(d, |t| set_toml(t, &[kind], vec![toml_table(entries)]))
}

/// A package `name` in `dir` (a binary, or a library when `lib`).
fn package(d: &Path, dir: &str, name: &str, lib: bool) -> bool {
    let manifest =
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    let (src, text) = if lib {
        ("src/lib.rs", "")
    } else {
        ("src/main.rs", MAIN)
    };
    write(d, &format!("{dir}/Cargo.toml"), &manifest) && write(d, &format!("{dir}/{src}"), text)
}

/// A workspace whose members are `members`, the root package gone.
fn workspace(d: &Path, members: &str) -> bool {
    remove(d, "src/main.rs");
    write(
        d,
        "Cargo.toml",
        &format!("[workspace]\nresolver = \"2\"\nmembers = [{members}]\n"),
    )
}

pub const RUST: &[ProjectField] = &[
    ProjectField {
        stacks: STACK,
        name: "package name",
        file: "Cargo.toml",
        place: |d, v| cargo(d, |t| set_toml(t, &["package", "name"], v)),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "package name unescaped",
        file: "Cargo.toml",
        place: |d, v| {
            write(
                d,
                "Cargo.toml",
                &format!("[package]\nname = \"{v}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            )
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[[bin]] name",
        file: "Cargo.toml",
        place: |d, v| {
            target(
                d,
                "bin",
                &[("name", v.into()), ("path", "src/main.rs".into())],
            )
        },
        baseline: Some(|d| {
            target(
                d,
                "bin",
                &[("name", "app".into()), ("path", "src/main.rs".into())],
            );
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[[bin]] path",
        file: "Cargo.toml",
        place: |d, v| target(d, "bin", &[("name", "app".into()), ("path", v.into())]),
        baseline: Some(|d| {
            target(
                d,
                "bin",
                &[("name", "app".into()), ("path", "src/main.rs".into())],
            );
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[[bin]] required-features",
        file: "Cargo.toml",
        place: |d, v| {
            target(
                d,
                "bin",
                &[
                    ("name", "app".into()),
                    ("path", "src/main.rs".into()),
                    ("required-features", vec![toml::Value::from(v)].into()),
                ],
            )
        },
        baseline: Some(|d| {
            target(
                d,
                "bin",
                &[("name", "app".into()), ("path", "src/main.rs".into())],
            );
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "default-run",
        file: "Cargo.toml",
        place: |d, v| cargo(d, |t| set_toml(t, &["package", "default-run"], v)),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "rust-version",
        file: "Cargo.toml",
        place: |d, v| cargo(d, |t| set_toml(t, &["package", "rust-version"], v)),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "rust-toolchain.toml channel",
        file: "rust-toolchain.toml",
        place: |d, v| {
            write(
                d,
                "rust-toolchain.toml",
                &format!("[toolchain]\nchannel = {}\n", toml_str(v)),
            )
        },
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "rust-toolchain file",
        file: "rust-toolchain",
        place: |d, v| write(d, "rust-toolchain", v),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "workspace members",
        file: "Cargo.toml",
        place: |d, v| {
            workspace(d, &toml_str(v)) && (!file_name_ok(v) || package(d, v, "app", false))
        },
        baseline: Some(|d| {
            workspace(d, "\"app\"");
            package(d, "app", "app", false);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "workspace member directory",
        file: "Cargo.toml",
        place: |d, v| {
            workspace(d, "\"crates/*\"")
                && file_name_ok(v)
                && package(d, &format!("crates/{v}"), "app", false)
        },
        baseline: Some(|d| {
            workspace(d, "\"crates/*\"");
            package(d, "crates/app", "app", false);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "path dependency",
        file: "Cargo.toml",
        place: |d, v| {
            cargo(d, |t| {
                set_toml(
                    t,
                    &["dependencies", "lib"],
                    toml_table(&[("path", v.into())]),
                )
            }) && (!file_name_ok(v) || package(d, v, "lib", true))
        },
        baseline: Some(|d| {
            cargo(d, |t| {
                set_toml(
                    t,
                    &["dependencies", "lib"],
                    toml_table(&[("path", "lib".into())]),
                )
            });
            package(d, "lib", "lib", true);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[lib] path",
        file: "Cargo.toml",
        place: |d, v| cargo(d, |t| set_toml(t, &["lib", "path"], v)),
        baseline: Some(|d| {
            cargo(d, |t| set_toml(t, &["lib", "path"], "src/lib.rs"));
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "build script path",
        file: "Cargo.toml",
        place: |d, v| cargo(d, |t| set_toml(t, &["package", "build"], v)),
        baseline: Some(|d| {
            cargo(d, |t| set_toml(t, &["package", "build"], "build.rs"));
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[[example]] name",
        file: "Cargo.toml",
        place: |d, v| target(d, "example", &[("name", v.into())]),
        baseline: Some(|d| {
            target(d, "example", &[("name", "demo".into())]);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "[[example]] path",
        file: "Cargo.toml",
        place: |d, v| target(d, "example", &[("name", "demo".into()), ("path", v.into())]),
        baseline: Some(|d| {
            target(d, "example", &[("name", "demo".into())]);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "src/bin file name",
        file: "src/bin/",
        place: |d, v| {
            remove(d, "src/main.rs");
            file_name_ok(v) && write(d, &format!("src/bin/{v}.rs"), MAIN)
        },
        baseline: Some(|d| {
            remove(d, "src/main.rs");
            write(d, "src/bin/server.rs", MAIN);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "src/bin directory",
        file: "src/bin/",
        place: |d, v| {
            remove(d, "src/main.rs");
            file_name_ok(v) && write(d, &format!("src/bin/{v}/main.rs"), MAIN)
        },
        baseline: Some(|d| {
            remove(d, "src/main.rs");
            write(d, "src/bin/server/main.rs", MAIN);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: ".cargo/config.toml build.target-dir",
        file: ".cargo/config.toml",
        place: |d, v| {
            write(
                d,
                ".cargo/config.toml",
                &format!("[build]\ntarget-dir = {}\n", toml_str(v)),
            )
        },
        baseline: Some(|d| {
            write(d, ".cargo/config.toml", "[build]\ntarget-dir = \"out\"\n");
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: ".cargo/config.toml build.target",
        file: ".cargo/config.toml",
        place: |d, v| {
            write(
                d,
                ".cargo/config.toml",
                &format!("[build]\ntarget = {}\n", toml_str(v)),
            )
        },
        baseline: Some(|d| {
            write(
                d,
                ".cargo/config.toml",
                "[build]\ntarget = \"x86_64-unknown-linux-gnu\"\n",
            );
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "port in Rust code",
        file: "src/main.rs",
        place: |d, v| write(d, "src/main.rs", &MAIN.replace("8080", v)),
        baseline: AS_IS,
        ..FIELD
    },
];
