//! The project-file places of the Node.js detector: package.json fields, version pins,
//! tsconfig, next.config, workspace files, `.npmrc`, file and directory names.

use std::path::Path;

use super::write;
use crate::{FIELD, ProjectField, file_name_ok};

/// The Node detector reads these fields for both of its stacks, so they run once;
/// what differs between the stacks' templates is covered by the flag table.
const STACK: &[&str] = &["node"];

/// Edits `package.json` under `dir` as a JSON object and writes it back.
pub fn edit_package(
    dir: &Path,
    edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> bool {
    let path = dir.join("package.json");
    let mut json: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut json);
    std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    true
}

/// Sets the dotted `path` of `json` to `value`, creating objects on the way.
fn set(json: &mut serde_json::Map<String, serde_json::Value>, path: &[&str], value: &str) {
    let mut obj = json;
    for key in &path[..path.len() - 1] {
        obj = obj
            .entry(key.to_string())
            .or_insert_with(|| serde_json::json!({}))
            .as_object_mut()
            .unwrap();
    }
    obj.insert(path[path.len() - 1].to_string(), value.into());
}

pub const NODE: &[ProjectField] = &[
    ProjectField {
        stacks: STACK,
        name: "package.json main",
        file: "package.json",
        place: |d, v| {
            edit_package(d, |j| {
                j.insert("main".into(), v.into());
                j.get_mut("scripts")
                    .and_then(|s| s.as_object_mut())
                    .map(|s| s.remove("start"));
            })
        },
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "scripts.start",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["scripts", "start"], v)),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "scripts.start node <v>",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["scripts", "start"], &format!("node {v}"))),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "scripts.build",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["scripts", "build"], v)),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "scripts.dev",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["scripts", "dev"], v)),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "packageManager",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["packageManager"], v)),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "packageManager version",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["packageManager"], &format!("pnpm@{v}"))),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "packageManager bun version",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["packageManager"], &format!("bun@{v}"))),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "engines.node",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["engines", "node"], v)),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "volta.node",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["volta", "node"], v)),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "dependency name",
        file: "package.json",
        place: |d, v| edit_package(d, |j| set(j, &["dependencies", v], "1.0.0")),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "workspaces",
        file: "package.json",
        place: |d, v| {
            edit_package(d, |j| {
                j.insert("workspaces".into(), serde_json::json!([v]));
            })
        },
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: ".nvmrc",
        file: ".nvmrc",
        place: |d, v| write(d, ".nvmrc", v),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: ".node-version",
        file: ".node-version",
        place: |d, v| write(d, ".node-version", v),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: ".tool-versions",
        file: ".tool-versions",
        place: |d, v| write(d, ".tool-versions", &format!("nodejs {v}\n")),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "tsconfig outDir",
        file: "tsconfig.json",
        place: |d, v| {
            write(
                d,
                "tsconfig.json",
                &serde_json::json!({"compilerOptions": {"outDir": v}}).to_string(),
            )
        },
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "tsconfig outDir unescaped",
        file: "tsconfig.json",
        place: |d, v| {
            write(
                d,
                "tsconfig.json",
                &format!("{{\"compilerOptions\":{{\"outDir\":\"{v}\"}}}}"),
            )
        },
        ..FIELD
    },
    ProjectField {
        stacks: &["nextjs"],
        name: "next.config output",
        file: "next.config.mjs",
        place: |d, v| {
            write(
                d,
                "next.config.mjs",
                &format!("export default {{ output: '{v}' }};\n"),
            )
        },
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "pnpm-workspace.yaml",
        file: "pnpm-workspace.yaml",
        place: |d, v| write(d, "pnpm-workspace.yaml", &format!("packages:\n  - {v}\n")),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: ".npmrc",
        file: ".npmrc",
        place: |d, v| write(d, ".npmrc", v),
        // A credential-free `.npmrc` reaches the install (copied, and re-included in
        // `.dockerignore` past the credential deny list); a hostile one may do no more.
        baseline: Some(|d| {
            write(d, ".npmrc", "engine-strict=true\n");
        }),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "source file name",
        file: "src",
        place: |d, v| file_name_ok(v) && write(d, &format!("src/{v}.js"), "app.listen(4321)\n"),
        ..FIELD
    },
    ProjectField {
        stacks: STACK,
        name: "directory name",
        file: "public",
        place: |d, v| file_name_ok(v) && std::fs::create_dir_all(d.join("public").join(v)).is_ok(),
        ..FIELD
    },
];
