//! The root `dockform.toml` of a workspace: the apps it writes a Dockerfile for.
//!
//! A run that changes the apps rewrites only the `apps` value of an existing file, so
//! the user's comments and other keys stay as they were; a file that changes in no
//! other way may therefore be replaced without `--force`.

use crate::config;
use crate::error::{Error, Result};

/// The file as dockform first writes it.
fn fresh(apps: &[String]) -> String {
    format!(
        "# dockform settings for this workspace: the apps it writes a Dockerfile for.\napps = {}\n",
        array(apps)
    )
}

/// `apps` as a TOML array of strings.
fn array(apps: &[String]) -> toml_edit::Array {
    apps.iter().map(String::as_str).collect()
}

/// The file's text for `apps`: `existing` with its `apps` value replaced (the rest kept
/// byte for byte), or a fresh file when there is none or it does not parse.
pub fn text(apps: &[String], existing: Option<&str>) -> String {
    let Some(mut doc) = existing.and_then(|t| t.parse::<toml_edit::DocumentMut>().ok()) else {
        return fresh(apps);
    };
    if doc.contains_key("apps") && apps_of(&doc) == apps {
        return existing.unwrap_or_default().replace("\r\n", "\n");
    }
    match doc.get_mut("apps").and_then(|i| i.as_value_mut()) {
        Some(value) => {
            let decor = value.decor().clone();
            *value = toml_edit::Value::Array(array(apps));
            *value.decor_mut() = decor;
        }
        None => {
            doc.insert("apps", toml_edit::value(array(apps)));
        }
    }
    doc.to_string().replace("\r\n", "\n")
}

/// Whether `new` is `old` with only its `apps` value changed (or `old` already as
/// [`text`] would write it): writing it loses nothing of the user's.
pub fn only_apps_differ(old: &str, new: &str) -> bool {
    let Ok(doc) = new.parse::<toml_edit::DocumentMut>() else {
        return false;
    };
    let apps = apps_of(&doc);
    text(&apps, Some(old)) == new
}

/// The strings of a document's `apps` array (none when it has no such array).
fn apps_of(doc: &toml_edit::DocumentMut) -> Vec<String> {
    doc.get("apps")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The apps a root `dockform.toml` records (`apps = [...]`), if any.
pub fn saved(root: &std::path::Path) -> Result<Vec<String>> {
    let path = root.join(config::CONFIG_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e| crate::detect::toml_error(config::CONFIG_FILE, &text, &e))?;
    match table.get("apps") {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(a)) if a.iter().all(toml::Value::is_str) => Ok(a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()),
        Some(_) => Err(Error::bad_input(
            config::CONFIG_FILE.to_string(),
            "`apps` must be a list of app directories, like `apps = [\"apps/api\"]`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apps(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_new_file_lists_the_apps_under_its_comment() {
        assert_eq!(
            text(&apps(&["apps/api", "apps/web"]), None),
            "# dockform settings for this workspace: the apps it writes a Dockerfile for.\napps = [\"apps/api\", \"apps/web\"]\n"
        );
    }

    #[test]
    fn changing_the_apps_keeps_the_users_comments_and_keys() {
        let old = "# ours\n# deploy: see docs/deploy.md\napps = [ \"apps/api\" ]   # the API first\n\n[extra]\nowner = \"team\"\n";
        let new = text(&apps(&["apps/api", "apps/web"]), Some(old));
        assert_eq!(
            new,
            "# ours\n# deploy: see docs/deploy.md\napps = [\"apps/api\", \"apps/web\"]   # the API first\n\n[extra]\nowner = \"team\"\n"
        );
        assert!(only_apps_differ(old, &new));
        // The same apps: the file is left exactly as the user wrote it.
        assert_eq!(text(&apps(&["apps/api"]), Some(old)), old);
    }

    #[test]
    fn any_other_difference_is_not_only_the_apps() {
        let old = "apps = [\"apps/api\"]\nport = 1\n";
        assert!(only_apps_differ(old, "apps = [\"apps/web\"]\nport = 1\n"));
        assert!(!only_apps_differ(old, "apps = [\"apps/web\"]\nport = 2\n"));
        assert!(!only_apps_differ(old, "apps = [\"apps/web\"]\n"));
        assert!(!only_apps_differ("apps = [", "apps = []\n"));
    }

    #[test]
    fn apps_that_are_not_a_list_of_strings_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dockform.toml"), "apps = \"apps/api\"\n").unwrap();
        let err = saved(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("dockform.toml") && err.contains("apps"),
            "{err}"
        );
        std::fs::write(dir.path().join("dockform.toml"), "apps = [\"a\", \"b\"]\n").unwrap();
        assert_eq!(saved(dir.path()).unwrap(), ["a", "b"]);
    }
}
