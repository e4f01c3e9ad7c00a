//! Go: `go.mod` (module path, `go` and `toolchain` lines, requirements), the names of
//! main package directories and Go files, and what the Go source says (port, embeds,
//! build tags), plus `.env.example`.

use std::path::Path;

use super::{remove, write};
use crate::{FIELD, ProjectField, file_name_ok};

const STACK: &[&str] = &["go"];

/// A main package without a port literal, so `.env.example` is read.
const NO_PORT: &str = "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() { _ = http.ListenAndServe(os.Getenv(\"ADDR\"), nil) }\n";

/// A file of the root main package that needs cgo.
const CGO: &str = "package main\n\n// int two() { return 2; }\nimport \"C\"\n\nvar two = C.two()\n";

const MAIN: &str = "package main\n\nimport \"net/http\"\n\nfunc main() { _ = http.ListenAndServe(\":8080\", nil) }\n";

fn go_mod(dir: &Path, text: &str) -> bool {
    write(dir, "go.mod", text)
}

/// The second baseline of a value the project cannot do without: the project as is.
const AS_IS: Option<fn(&Path)> = Some(|_| {});

pub const GO: &[ProjectField] = &[
    ProjectField {
        stacks: STACK,
        name: "go.mod module path",
        file: "go.mod",
        place: |d, v| go_mod(d, &format!("module {v}\n\ngo 1.26\n")),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "go.mod module path last element",
        file: "go.mod",
        place: |d, v| go_mod(d, &format!("module example.com/{v}\n\ngo 1.26\n")),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "go.mod go directive",
        file: "go.mod",
        place: |d, v| go_mod(d, &format!("module example.com/web\n\ngo {v}\n")),
        baseline: Some(|d| {
            go_mod(d, "module example.com/web\n");
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "go.mod go directive suffix",
        file: "go.mod",
        place: |d, v| go_mod(d, &format!("module example.com/web\n\ngo 1.26{v}\n")),
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "go.mod toolchain",
        file: "go.mod",
        place: |d, v| {
            go_mod(
                d,
                &format!("module example.com/web\n\ngo 1.26\ntoolchain {v}\n"),
            )
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "go.mod toolchain suffix",
        file: "go.mod",
        place: |d, v| {
            go_mod(
                d,
                &format!("module example.com/web\n\ngo 1.26\ntoolchain go1.26{v}\n"),
            )
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "go.mod require of a cgo module",
        file: "go.mod",
        place: |d, v| {
            go_mod(
                d,
                &format!(
                    "module example.com/web\n\ngo 1.26\n\nrequire github.com/mattn/go-sqlite3/{v} v1.14.22\n"
                ),
            )
        },
        baseline: Some(|d| {
            go_mod(
                d,
                "module example.com/web\n\ngo 1.26\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n",
            );
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "main package directory",
        file: "cmd/",
        place: |d, v| {
            remove(d, "main.go");
            file_name_ok(v) && write(d, &format!("cmd/{v}/main.go"), MAIN)
        },
        baseline: Some(|d| {
            remove(d, "main.go");
            write(d, "cmd/web/main.go", MAIN);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "Go file name (cgo reason)",
        file: ".go",
        place: |d, v| file_name_ok(v) && write(d, &format!("{v}.go"), CGO),
        baseline: Some(|d| {
            write(d, "c.go", CGO);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "port in Go code",
        file: "main.go",
        place: |d, v| write(d, "main.go", &MAIN.replace(":8080", &format!(":{v}"))),
        baseline: Some(|d| {
            write(d, "main.go", NO_PORT);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: ".env.example PORT",
        file: ".env.example",
        place: |d, v| {
            write(d, "main.go", NO_PORT) && write(d, ".env.example", &format!("PORT={v}\n"))
        },
        baseline: Some(|d| {
            write(d, "main.go", NO_PORT);
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "go:embed pattern",
        file: "main.go",
        place: |d, v| {
            write(
                d,
                "embed.go",
                &format!("package main\n\nimport _ \"embed\"\n\n//go:embed {v}\nvar page string\n"),
            )
        },
        baseline: AS_IS,
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "go:build tag",
        file: "main.go",
        place: |d, v| write(d, "tagged.go", &format!("//go:build {v}\n\npackage main\n")),
        baseline: AS_IS,
        ..FIELD
    },
];
