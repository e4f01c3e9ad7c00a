//! A bounded, ignore-aware view of the project directory. Detectors read files only
//! through [`Project`], which never leaves the project root and caps what it reads.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Directories never descended into: dependency trees, VCS data and build outputs.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    ".venv",
    "venv",
    "vendor",
    "__pycache__",
    ".next",
    "dist",
    "build",
    ".turbo",
    ".cache",
    "coverage",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
];

/// Walk limits: enough for any real application, bounded for huge monorepos.
const MAX_DEPTH: usize = 8;
const MAX_FILES: usize = 20_000;
/// Manifests and sources larger than this are not read.
pub const MAX_READ: u64 = 4 * 1024 * 1024;

/// The scanned project: its root and the relative paths of its files.
#[derive(Debug)]
pub struct Project {
    root: PathBuf,
    files: BTreeSet<String>,
}

impl Project {
    /// Scans `root`, respecting `.gitignore` and skipping [`SKIPPED_DIRS`].
    pub fn scan(root: &Path) -> Result<Project> {
        let meta = fs::metadata(root).map_err(|e| Error::io("read", root, e))?;
        if !meta.is_dir() {
            return Err(Error::bad_input(
                root.display().to_string(),
                "is not a directory; pass the project directory",
            ));
        }
        let root = fs::canonicalize(root).map_err(|e| Error::io("resolve", root, e))?;
        let mut files = BTreeSet::new();
        let walker = ignore::WalkBuilder::new(&root)
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .max_depth(Some(MAX_DEPTH))
            .filter_entry(|e| {
                let skipped = e.file_type().is_some_and(|t| t.is_dir())
                    && e.depth() > 0
                    && SKIPPED_DIRS.contains(&e.file_name().to_string_lossy().as_ref());
                !skipped
            })
            .build();
        for entry in walker {
            // Unreadable subdirectories are skipped: detection reads the files it needs
            // directly and reports those errors with their path.
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            if let Ok(rel) = entry.path().strip_prefix(&root)
                && let Some(rel) = rel.to_str()
            {
                files.insert(rel.replace('\\', "/"));
            }
            if files.len() >= MAX_FILES {
                break;
            }
        }
        Ok(Project { root, files })
    }

    /// The canonical project root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Relative paths of the scanned files, sorted.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(String::as_str)
    }

    /// Whether a regular file exists at `rel` (checked on disk, so ignored files count).
    pub fn is_file(&self, rel: &str) -> bool {
        self.inside(rel).is_some_and(|p| p.is_file())
    }

    /// Whether a directory exists at `rel`.
    pub fn is_dir(&self, rel: &str) -> bool {
        self.inside(rel).is_some_and(|p| p.is_dir())
    }

    /// Reads a UTF-8 text file at `rel`; `Ok(None)` when it does not exist.
    pub fn read(&self, rel: &str) -> Result<Option<String>> {
        let Some(path) = self.inside(rel) else {
            return Ok(None);
        };
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", rel, e)),
        };
        if meta.is_dir() {
            return Err(Error::bad_input(rel, "is a directory, expected a file"));
        }
        if meta.len() > MAX_READ {
            return Err(Error::bad_input(
                rel,
                format!("is larger than {} MiB; refusing to read it", MAX_READ >> 20),
            ));
        }
        let mut bytes = Vec::new();
        fs::File::open(&path)
            .and_then(|f| f.take(MAX_READ + 1).read_to_end(&mut bytes))
            .map_err(|e| Error::io("read", rel, e))?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Error::bad_input(rel, "is not valid UTF-8"))
    }

    /// Reads `rel` like [`Project::read`] but treats unreadable or odd files as absent:
    /// for optional hints (source files scanned for a port), never for manifests.
    pub fn read_hint(&self, rel: &str) -> Option<String> {
        self.read(rel).ok().flatten()
    }

    /// Resolves `rel` to a path that stays inside the root, following symlinks;
    /// `None` for anything that would leave the project.
    fn inside(&self, rel: &str) -> Option<PathBuf> {
        let rel_path = Path::new(rel);
        if rel_path.is_absolute() || rel_path.components().any(|c| c.as_os_str() == "..") {
            return None;
        }
        let joined = self.root.join(rel_path);
        match fs::canonicalize(&joined) {
            Ok(real) if real.starts_with(&self.root) => Some(real),
            Ok(_) => None,
            // Not existing (or a dangling link): report the plain path so callers see "absent".
            Err(_) => Some(joined),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_dependency_trees_and_reads_only_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("node_modules/x")).unwrap();
        fs::write(dir.path().join("node_modules/x/index.js"), "x").unwrap();
        fs::write(dir.path().join("index.js"), "y").unwrap();
        let p = Project::scan(dir.path()).unwrap();
        assert_eq!(p.files().collect::<Vec<_>>(), vec!["index.js"]);
        assert_eq!(p.read("../etc/passwd").unwrap(), None);
        assert_eq!(p.read("index.js").unwrap().as_deref(), Some("y"));
    }
}
