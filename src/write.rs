//! Writing: plan every file first (new, unchanged, changed), then apply atomically.
//! Nothing is written outside the project, through a symlink, or over a changed file
//! without permission.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::render::Rendered;

/// What applying would do to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The file does not exist yet.
    New,
    /// The file exists with exactly the generated contents.
    Unchanged,
    /// The file exists with other contents.
    Changed,
}

/// One planned file.
#[derive(Debug, Clone, Serialize)]
pub struct FilePlan {
    /// Name relative to the project.
    pub name: String,
    /// New, unchanged or changed.
    pub status: Status,
    /// Current contents (for diffs), when the file exists.
    #[serde(skip)]
    pub old: Option<String>,
    /// Generated contents.
    #[serde(skip)]
    pub new: String,
}

/// The plan for every generated file.
#[derive(Debug, Clone)]
pub struct Plan {
    root: PathBuf,
    /// One entry per generated file.
    pub files: Vec<FilePlan>,
}

impl Plan {
    /// Compares generated files with what is on disk under `root`.
    pub fn new(root: &Path, rendered: &Rendered) -> Result<Plan> {
        let mut files = Vec::new();
        for (name, new) in &rendered.files {
            let path = root.join(name);
            let old = read_existing(&path, name)?;
            let new = match &old {
                Some(old) if uses_crlf(old) => new.replace('\n', "\r\n"),
                _ => new.clone(),
            };
            let status = match &old {
                None => Status::New,
                Some(o) if *o == new => Status::Unchanged,
                Some(_) => Status::Changed,
            };
            files.push(FilePlan {
                name: name.clone(),
                status,
                old,
                new,
            });
        }
        Ok(Plan {
            root: root.to_path_buf(),
            files,
        })
    }

    /// Files whose contents would change (new or changed).
    pub fn pending(&self) -> impl Iterator<Item = &FilePlan> {
        self.files.iter().filter(|f| f.status != Status::Unchanged)
    }

    /// Writes new files, and changed ones for which `overwrite` says yes. Returns the
    /// names written. Each file is replaced atomically (temporary file + rename).
    pub fn apply(
        &self,
        mut overwrite: impl FnMut(&FilePlan) -> Result<bool>,
    ) -> Result<Vec<String>> {
        let mut refused = Vec::new();
        let mut chosen = Vec::new();
        for f in self.pending() {
            if f.status == Status::New || overwrite(f)? {
                chosen.push(f);
            } else {
                refused.push(format!("`{}`", f.name));
            }
        }
        if !refused.is_empty() {
            return Err(refused_error(&refused));
        }
        let mut written = Vec::new();
        for f in chosen {
            write_atomic(&self.root.join(&f.name), &f.new).map_err(|e| {
                if written.is_empty() {
                    e
                } else {
                    Error::Refused(format!("{e}; already written: {}", written.join(", ")))
                }
            })?;
            written.push(f.name.clone());
        }
        Ok(written)
    }

    /// A unified diff of every file that would change (empty when none would).
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for f in self.pending() {
            let old = f.old.as_deref().unwrap_or("");
            let from = if f.old.is_some() {
                format!("a/{}", f.name)
            } else {
                "/dev/null".to_string()
            };
            let diff = similar::TextDiff::from_lines(old, &f.new);
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&from, &format!("b/{}", f.name))
                    .to_string(),
            );
        }
        out
    }
}

/// The error for changed files that may not be overwritten (names already quoted).
pub fn refused_error(names: &[String]) -> Error {
    let verb = if names.len() == 1 { "exists" } else { "exist" };
    Error::Refused(format!(
        "{} already {verb} with other contents (pass `--force` to overwrite, or `--diff` to compare); nothing was written",
        names.join(" and ")
    ))
}

/// Reads a file that may exist; refuses symlinks and non-files.
fn read_existing(path: &Path, name: &str) -> Result<Option<String>> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("inspect", path, e)),
    };
    if meta.file_type().is_symlink() {
        return Err(Error::bad_input(
            name,
            "is a symbolic link; dockform does not write through links (replace it with a regular file)",
        ));
    }
    if !meta.is_file() {
        return Err(Error::bad_input(name, "exists and is not a regular file"));
    }
    let bytes = fs::read(path).map_err(|e| Error::io("read", path, e))?;
    // Non-UTF-8 contents simply differ; the lossy text is only used for diffs.
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

fn uses_crlf(text: &str) -> bool {
    text.contains("\r\n")
}

/// Writes `contents` to a temporary file beside `path`, keeps the old file's
/// permissions, syncs, then renames over `path`.
pub fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".dockform-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io("write", path, e))?;
    let perms = fs::metadata(path).map(|m| m.permissions()).ok();
    let perms = perms.unwrap_or_else(|| default_permissions(&tmp));
    fs::set_permissions(tmp.path(), perms).map_err(|e| Error::io("set permissions on", path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("replace", path, e.error))?;
    Ok(())
}

/// New files get the usual 0644 rather than the temporary file's 0600.
fn default_permissions(tmp: &tempfile::NamedTempFile) -> fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp;
        fs::Permissions::from_mode(0o644)
    }
    #[cfg(not(unix))]
    {
        tmp.as_file()
            .metadata()
            .map(|m| m.permissions())
            .unwrap_or_else(|_| unreachable!())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str) -> Rendered {
        Rendered {
            files: vec![("Dockerfile".into(), text.into())],
        }
    }

    #[test]
    fn plans_new_unchanged_and_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::new(dir.path(), &rendered("A\n")).unwrap();
        assert_eq!(plan.files[0].status, Status::New);
        plan.apply(|_| Ok(false)).unwrap();
        assert_eq!(
            Plan::new(dir.path(), &rendered("A\n")).unwrap().files[0].status,
            Status::Unchanged
        );
        let changed = Plan::new(dir.path(), &rendered("B\n")).unwrap();
        assert_eq!(changed.files[0].status, Status::Changed);
        assert!(changed.apply(|_| Ok(false)).is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "A\n"
        );
        assert!(changed.diff().contains("-A\n+B\n"));
    }

    #[test]
    fn keeps_crlf_line_endings_of_the_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("Dockerfile"), "old\r\n").unwrap();
        Plan::new(dir.path(), &rendered("a\nb\n"))
            .unwrap()
            .apply(|_| Ok(true))
            .unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "a\r\nb\r\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_to_write_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("x"), dir.path().join("Dockerfile"))
            .unwrap();
        let err = Plan::new(dir.path(), &rendered("A\n")).unwrap_err();
        assert!(err.to_string().contains("symbolic link"));
        assert!(!outside.path().join("x").exists());
    }
}
