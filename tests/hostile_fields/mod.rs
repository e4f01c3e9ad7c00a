//! The project-file places of every detector for the injection
//! table (`PROJECT_FIELDS`), one file per stack, with the small projects some places
//! start from and the helpers that write a value into a project.

mod go;
mod node;
mod python;
mod rust;

use std::path::Path;

pub use go::GO;
pub use node::{NODE, edit_package};
pub use python::PYTHON;
pub use rust::RUST;

/// Writes `text` to `rel` under `dir`, creating its directories.
fn write(dir: &Path, rel: &str, text: &str) -> bool {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).is_ok() && std::fs::write(path, text).is_ok()
}

/// Removes the file `rel` under `dir`.
fn remove(dir: &Path, rel: &str) {
    std::fs::remove_file(dir.join(rel)).unwrap();
}

/// `value` as a TOML string, escaped.
fn toml_str(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

/// Edits the TOML file `rel` under `dir` (created when absent) and writes it back.
fn edit_toml(dir: &Path, rel: &str, edit: impl FnOnce(&mut toml::Table)) -> bool {
    let path = dir.join(rel);
    let mut table: toml::Table = std::fs::read_to_string(&path)
        .map(|t| t.parse().unwrap())
        .unwrap_or_default();
    edit(&mut table);
    write(dir, rel, &toml::to_string(&table).unwrap())
}

/// Sets the dotted `path` of `table` to `value`, creating tables on the way.
fn set_toml(table: &mut toml::Table, path: &[&str], value: impl Into<toml::Value>) {
    let mut t = table;
    for key in &path[..path.len() - 1] {
        t = t
            .entry(key.to_string())
            .or_insert_with(|| toml::Table::new().into())
            .as_table_mut()
            .unwrap();
    }
    t.insert(path[path.len() - 1].to_string(), value.into());
}

/// A TOML table of `entries`.
fn toml_table(entries: &[(&str, toml::Value)]) -> toml::Value {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect::<toml::Table>()
        .into()
}
