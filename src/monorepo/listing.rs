//! What a JavaScript (and any) workspace's packages are, shown to the user: the
//! wizard's multi-select of apps and `detect`'s listing with each package's closure.

use crate::detect::arbitrate::package_role;
use crate::detect::workspace::JsWorkspace;
use crate::error::Result;
use crate::scan;
use crate::wizard::{Ask, Prompter};

use super::saved;

/// The wizard's question at a workspace root: which packages get a Dockerfile, the
/// apps checked (libraries are listed too, unchecked, with why they are not apps).
pub fn pick(p: &mut dyn Prompter, ws: &JsWorkspace) -> Result<Vec<String>> {
    let project = scan::Project::scan(&ws.root)?;
    let members: Vec<(String, bool, String)> = ws
        .members
        .iter()
        .map(|m| {
            let (app, why) = package_role(&project, &m.dir);
            (m.dir.clone(), app, why)
        })
        .collect();
    let title = format!("a {} workspace (`{}`)", ws.package_manager, ws.file);
    pick_members(p, &title, &members)
}

/// Lists a workspace's members (directory, app or library, why) under `title` and asks
/// which get a Dockerfile, the apps checked.
pub fn pick_members(
    p: &mut dyn Prompter,
    title: &str,
    members: &[(String, bool, String)],
) -> Result<Vec<String>> {
    let listing: String = members
        .iter()
        .map(|(dir, app, why)| {
            format!(
                "  {:<24} {:<8} {why}\n",
                dir,
                if *app { "app" } else { "library" }
            )
        })
        .collect();
    p.show(&format!("\nThis is {title}; its packages:\n{listing}\n"));
    let options: Vec<String> = members.iter().map(|(dir, _, _)| dir.clone()).collect();
    let checked: Vec<bool> = members.iter().map(|(_, app, _)| *app).collect();
    let ask = Ask {
        key: "apps".into(),
        prompt: "Apps to containerize".into(),
        reason: "packages with a server or a start script are checked".into(),
        flag: "--app".into(),
    };
    let chosen = p.multi_select(&ask, &options, &checked)?;
    Ok(chosen.into_iter().map(|i| options[i].clone()).collect())
}

/// `detect` at a JS workspace root: the workspace, and each package with whether it is
/// an app (and why) and its workspace dependency closure.
pub fn describe(ws: &JsWorkspace) -> Result<serde_json::Value> {
    let project = scan::Project::scan(&ws.root)?;
    let members = ws
        .members
        .iter()
        .map(|m| {
            let (app, why) = package_role(&project, &m.dir);
            (
                m.dir.as_str(),
                m.name.as_str(),
                app,
                why,
                ws.closure(&m.dir),
            )
        })
        .collect();
    let workspace = serde_json::json!({
        "file": ws.file,
        "package_manager": ws.package_manager,
        "lockfile": ws.lockfile,
        "catalogs": ws.catalogs,
    });
    described(&ws.root, workspace, members)
}

/// What `detect` shows at any workspace root: the workspace, and each member as
/// (directory, name, whether it is an app, why, its workspace dependency closure),
/// marked when `dockform.toml` already chose it.
pub fn described(
    root: &std::path::Path,
    workspace: serde_json::Value,
    members: Vec<(&str, &str, bool, String, Vec<String>)>,
) -> Result<serde_json::Value> {
    let saved = saved(root)?;
    let packages: Vec<serde_json::Value> = members
        .into_iter()
        .map(|(dir, name, app, why, closure)| {
            serde_json::json!({
                "dir": dir,
                "name": name,
                "app": app,
                "reason": why,
                "chosen": saved.iter().any(|s| s == dir),
                "closure": closure,
            })
        })
        .collect();
    Ok(serde_json::json!({ "workspace": workspace, "packages": packages }))
}

/// The text form of [`describe`].
pub fn describe_text(v: &serde_json::Value) -> String {
    let w = &v["workspace"];
    let mut text = format!(
        "workspace: {} workspace declared in `{}`, lockfile {}{}\n",
        w["package_manager"].as_str().unwrap_or_default(),
        w["file"].as_str().unwrap_or_default(),
        w["lockfile"]
            .as_str()
            .map_or("none".to_string(), |l| format!("`{l}`")),
        if w["catalogs"] == true {
            ", with catalogs"
        } else {
            ""
        }
    );
    let empty = Vec::new();
    for p in v["packages"].as_array().unwrap_or(&empty) {
        let closure: Vec<&str> = p["closure"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter_map(|c| c.as_str())
            .filter(|c| Some(*c) != p["dir"].as_str())
            .collect();
        text.push_str(&format!(
            "  {:<24} {:<8} {}\n",
            p["dir"].as_str().unwrap_or_default(),
            if p["app"] == true { "app" } else { "library" },
            p["reason"].as_str().unwrap_or_default()
        ));
        if !closure.is_empty() {
            text.push_str(&format!(
                "  {:<24} {:<8} needs {}\n",
                "",
                "",
                closure.join(", ")
            ));
        }
    }
    text.push_str("\nwrite a Dockerfile per app: `dockform init --app DIR` (repeat it) or `dockform init --app all`\n");
    text
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::wizard::Scripted;

    /// A workspace with two apps (`apps/api`, `apps/web`) and a library.
    pub(in crate::monorepo) fn workspace() -> (tempfile::TempDir, JsWorkspace) {
        let dir = crate::testing::tree(&[
            ("package.json", r#"{"workspaces":["apps/*","packages/*"]}"#),
            (
                "apps/api/package.json",
                r#"{"name":"api","scripts":{"start":"node a.js"}}"#,
            ),
            (
                "apps/web/package.json",
                r#"{"name":"web","dependencies":{"next":"16"}}"#,
            ),
            ("packages/lib/package.json", r#"{"name":"lib"}"#),
        ]);
        let ws = JsWorkspace::at(dir.path()).unwrap();
        (dir, ws)
    }

    #[test]
    fn the_wizard_offers_every_package_with_the_apps_checked() {
        let (_dir, ws) = workspace();
        let mut script = Scripted::default();
        assert_eq!(pick(&mut script, &ws).unwrap(), ["apps/api", "apps/web"]);
        assert!(
            script.shown[0].contains("packages/lib") && script.shown[0].contains("library"),
            "{:?}",
            script.shown
        );
        let mut script = Scripted::new([("apps", "apps/web,packages/lib")]);
        assert_eq!(
            pick(&mut script, &ws).unwrap(),
            ["apps/web", "packages/lib"]
        );
        assert_eq!(script.asked, ["apps"]);
    }
}
