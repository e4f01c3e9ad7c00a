//! The credential deny list (`templates/common/secrets.toml`): paths no build context
//! holds. Read by `render` (which closes every `.dockerignore` with it) and by the
//! detectors that list paths for a `COPY` (a denied path is never named there).

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ignorefile::Matcher;

/// The deny list's sections.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyList {
    /// Always left out of the build context.
    pub deny: Vec<String>,
    /// Exceptions to `deny` (templates of environment files).
    pub except: Vec<String>,
    /// Configs left out unless the Dockerfile copies them by name (checked clean).
    pub checked: Vec<String>,
}

/// Loads the embedded deny list.
pub fn load() -> Result<DenyList> {
    let text = include_str!("../templates/common/secrets.toml");
    toml::from_str(text).map_err(|e| Error::Internal(format!("`common/secrets.toml`: {e}")))
}

/// Whether a path is left out by `deny` or `checked` (and not an `except`).
pub fn matcher() -> Result<Matcher> {
    let list = load()?;
    let mut text: Vec<String> = list.deny.iter().chain(&list.checked).cloned().collect();
    text.extend(list.except.iter().map(|p| format!("!{p}")));
    Ok(Matcher::new(&text.join("\n")))
}
