//! Writing: plan every file first (new, unchanged, changed), then apply atomically.
//! Nothing is written outside the project, through a symlink, or over a changed file
//! without permission.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

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
    /// The file exists as an earlier run of dockform generated it (the checksum in
    /// its header line matches), and the generated contents differ: it is replaced
    /// without `--force`.
    Outdated,
    /// The file exists with other contents: edited by hand, or not dockform's.
    Changed,
}

/// One planned file.
#[derive(Debug, Clone, Serialize)]
pub struct FilePlan {
    /// Name relative to the project.
    pub name: String,
    /// New, unchanged or changed.
    pub status: Status,
    /// Current contents (for diffs), when the file exists and is at most
    /// [`MAX_EXISTING`] bytes.
    #[serde(skip)]
    pub old: Option<String>,
    /// The file exists but is larger than [`MAX_EXISTING`]: it was not read, counts
    /// as changed, and its diff says it is too large to show.
    #[serde(skip)]
    pub too_large: bool,
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
            let existing = read_existing(&path, name)?;
            let (old, too_large) = match existing {
                Existing::Absent => (None, false),
                Existing::Text(old) => (Some(old), false),
                Existing::TooLarge => (None, true),
            };
            let new = match &old {
                Some(old) if uses_crlf(old) => new.replace('\n', "\r\n"),
                _ => new.clone(),
            };
            let status = match &old {
                None if too_large => Status::Changed,
                None => Status::New,
                Some(o) if *o == new => Status::Unchanged,
                Some(o) if crate::stamp::untouched(o) => Status::Outdated,
                Some(_) => Status::Changed,
            };
            files.push(FilePlan {
                name: name.clone(),
                status,
                old,
                too_large,
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
            if matches!(f.status, Status::New | Status::Outdated) || overwrite(f)? {
                chosen.push(f);
            } else {
                refused.push(format!("`{}`", f.name));
            }
        }
        if !refused.is_empty() {
            return Err(refused_error(&refused));
        }
        let mut written = Vec::new();
        let mut created = Vec::new();
        for f in chosen {
            let path = self.root.join(&f.name);
            let result = match f.status {
                Status::New => write_new(&path, &f.name, &f.new),
                _ => self
                    .still_as_planned(f)
                    .and_then(|()| write_atomic(&path, &f.new).map_err(Failed)),
            };
            match result {
                Ok(()) => {}
                // Another program got there first: this run's files would be mixed
                // with its files, so the ones this run created go again.
                Err(Raced(message)) => {
                    for name in &created {
                        let _ = fs::remove_file(self.root.join(name));
                    }
                    let kept = written.len() - created.len();
                    let note = if kept == 0 {
                        "nothing was written".to_string()
                    } else {
                        format!("already written: {}", written[..kept].join(", "))
                    };
                    return Err(Error::Refused(format!(
                        "{message}; {note} (run dockform again)"
                    )));
                }
                Err(Failed(e)) if written.is_empty() => return Err(e),
                Err(Failed(e)) => {
                    return Err(Error::Refused(format!(
                        "{e}; already written: {}",
                        written.join(", ")
                    )));
                }
            }
            if f.status == Status::New {
                created.push(f.name.clone());
            }
            written.push(f.name.clone());
        }
        Ok(written)
    }

    /// Whether a changed file still holds what the plan read, just before replacing it.
    fn still_as_planned(&self, f: &FilePlan) -> Result<(), WriteError> {
        let now = read_existing(&self.root.join(&f.name), &f.name).map_err(Failed)?;
        let same = match now {
            Existing::Text(text) => f.old.as_deref() == Some(text.as_str()),
            Existing::TooLarge => f.too_large,
            Existing::Absent => false,
        };
        if same {
            Ok(())
        } else {
            Err(Raced(format!(
                "`{}` changed while dockform was running",
                f.name
            )))
        }
    }

    /// A unified diff of every file that would change (empty when none would).
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for f in self.pending() {
            out.push_str(&f.diff());
        }
        out
    }
}

impl FilePlan {
    /// A unified diff of this file's current and generated contents; for a file over
    /// [`MAX_EXISTING`], one line saying it differs and is too large to show.
    pub fn diff(&self) -> String {
        if self.too_large {
            return format!(
                "Files a/{0} and b/{0} differ (`{0}` is larger than {1} MiB, too large to show)\n",
                self.name,
                MAX_EXISTING >> 20
            );
        }
        // The label after the tab says which side is which; `patch` and `git apply`
        // read the name before it.
        let from = if self.old.is_some() {
            format!("a/{}\t(on disk)", self.name)
        } else {
            "/dev/null\t(not on disk)".to_string()
        };
        similar::TextDiff::from_lines(self.old.as_deref().unwrap_or(""), &self.new)
            .unified_diff()
            .context_radius(3)
            .header(&from, &format!("b/{}\t(generated)", self.name))
            .to_string()
    }
}

/// Existing outputs larger than this are not read: they are "changed", and their diff
/// says they are too large to show (a 155 MB `Dockerfile` took 54 s and 936 MB).
pub const MAX_EXISTING: u64 = 1024 * 1024;

/// What is on disk where a file will be written.
enum Existing {
    Absent,
    Text(String),
    TooLarge,
}

/// Why one file could not be written.
enum WriteError {
    /// Another program created or changed the file since the plan.
    Raced(String),
    /// Anything else.
    Failed(Error),
}
use WriteError::{Failed, Raced};

impl From<Error> for WriteError {
    fn from(e: Error) -> Self {
        Failed(e)
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

/// Reads a file that may exist, up to [`MAX_EXISTING`]; refuses symlinks and non-files.
fn read_existing(path: &Path, name: &str) -> Result<Existing> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Absent),
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
    if meta.len() > MAX_EXISTING {
        return Ok(Existing::TooLarge);
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_EXISTING + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > MAX_EXISTING {
        return Ok(Existing::TooLarge);
    }
    // Non-UTF-8 contents simply differ; the lossy text is only used for diffs.
    Ok(Existing::Text(String::from_utf8_lossy(&bytes).into_owned()))
}

fn uses_crlf(text: &str) -> bool {
    text.contains("\r\n")
}

/// Temporary files being written, removed by [`remove_temporary_files`] when Ctrl-C
/// ends the process (their destructors do not run then).
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temporary() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// For the Ctrl-C handler: removes the temporary files being written. The returned
/// guard keeps any new one from being started (or renamed into place) before the
/// process exits; hold it until then.
pub fn remove_temporary_files() -> MutexGuard<'static, Vec<PathBuf>> {
    let guard = temporary();
    for path in guard.iter() {
        let _ = fs::remove_file(path);
    }
    guard
}

/// A temporary file beside `path`, registered for removal on Ctrl-C. On Unix it is
/// created with mode 0666 less the umask, as a plain file would be.
fn create_temporary(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".dockform-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut registry = temporary();
    let tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    registry.push(tmp.path().to_path_buf());
    Ok(tmp)
}

/// Renames `tmp` to `path` (over it, or only if nothing is there when `replace` is
/// false), and forgets it as a temporary file.
fn persist(tmp: tempfile::NamedTempFile, path: &Path, replace: bool) -> std::io::Result<()> {
    let mut registry = temporary();
    let tmp_path = tmp.path().to_path_buf();
    let result = if replace {
        tmp.persist(path).map(drop)
    } else {
        tmp.persist_noclobber(path).map(drop)
    };
    registry.retain(|p| *p != tmp_path);
    result.map_err(|e| e.error)
}

/// Writes `contents` to a temporary file beside `path` and syncs it.
fn filled(path: &Path, contents: &str) -> Result<tempfile::NamedTempFile> {
    let mut tmp = create_temporary(path)?;
    let written = tmp
        .write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all());
    if let Err(e) = written {
        let tmp_path = tmp.path().to_path_buf();
        drop(tmp);
        temporary().retain(|p| *p != tmp_path);
        return Err(Error::io("write", path, e));
    }
    Ok(tmp)
}

/// Writes `contents` to a temporary file beside `path`, keeps the old file's
/// permissions, syncs, then renames over `path`.
pub fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let tmp = filled(path, contents)?;
    if let Ok(perms) = fs::metadata(path).map(|m| m.permissions()) {
        fs::set_permissions(tmp.path(), perms)
            .map_err(|e| Error::io("set permissions on", path, e))?;
    }
    persist(tmp, path, true).map_err(|e| Error::io("replace", path, e))
}

/// Creates `path` with `contents` atomically, failing if something appeared there
/// since the plan (no-replace rename), so a concurrent writer is never overwritten.
fn write_new(path: &Path, name: &str, contents: &str) -> Result<(), WriteError> {
    let tmp = filled(path, contents)?;
    match persist(tmp, path, false) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Raced(format!(
            "`{name}` appeared while dockform was running (another program created it)"
        ))),
        Err(e) => Err(Failed(Error::io("create", path, e))),
    }
}

/// An exclusive lock on a directory, held while one run plans and writes there, so
/// two runs started together do not mix their files. Released when dropped.
pub struct DirLock(#[allow(dead_code)] Option<fs::File>);

impl DirLock {
    /// Locks `dir`, waiting for another run that holds it; `busy` is called first
    /// when that happens (to say why nothing moves).
    pub fn acquire(dir: &Path, busy: impl FnOnce()) -> Result<DirLock> {
        #[cfg(unix)]
        {
            let file = fs::File::open(dir).map_err(|e| Error::io("open", dir, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    busy();
                    file.lock().map_err(|e| Error::io("lock", dir, e))?;
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io("lock", dir, e)),
            }
            Ok(DirLock(Some(file)))
        }
        #[cfg(not(unix))]
        {
            let _ = (dir, busy);
            Ok(DirLock(None))
        }
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

    #[test]
    fn an_existing_output_over_the_cap_is_not_read_and_counts_as_changed() {
        let dir = tempfile::tempdir().unwrap();
        // Sparse: 155 MB to dockform, nothing on disk.
        let f = fs::File::create(dir.path().join("Dockerfile")).unwrap();
        f.set_len(155_000_000).unwrap();
        let plan = Plan::new(dir.path(), &rendered("A\n")).unwrap();
        let file = &plan.files[0];
        assert_eq!(file.status, Status::Changed);
        assert!(
            file.too_large && file.old.is_none(),
            "the old text was held"
        );
        assert_eq!(
            plan.diff(),
            "Files a/Dockerfile and b/Dockerfile differ (`Dockerfile` is larger than 1 MiB, too large to show)\n"
        );
        assert!(plan.apply(|_| Ok(false)).is_err());
        plan.apply(|_| Ok(true)).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "A\n"
        );
    }

    #[test]
    fn a_file_that_appears_after_the_plan_is_not_replaced_and_this_runs_new_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::new(
            dir.path(),
            &Rendered {
                files: vec![
                    (".dockerignore".into(), "mine\n".into()),
                    ("Dockerfile".into(), "FROM mine\n".into()),
                ],
            },
        )
        .unwrap();
        fs::write(dir.path().join("Dockerfile"), "FROM theirs\n").unwrap();
        let err = plan.apply(|_| Ok(true)).unwrap_err().to_string();
        assert!(
            err.contains("`Dockerfile` appeared while dockform was running")
                && err.contains("nothing was written"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "FROM theirs\n"
        );
        assert!(!dir.path().join(".dockerignore").exists());
    }

    #[test]
    fn a_file_changed_after_the_plan_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("Dockerfile"), "old\n").unwrap();
        let plan = Plan::new(dir.path(), &rendered("new\n")).unwrap();
        fs::write(dir.path().join("Dockerfile"), "theirs\n").unwrap();
        let err = plan.apply(|_| Ok(true)).unwrap_err().to_string();
        assert!(err.contains("changed while dockform was running"), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "theirs\n"
        );
    }
}
