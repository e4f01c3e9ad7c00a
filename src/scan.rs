//! A bounded, ignore-aware view of the project directory. Detectors read files only
//! through [`Project`], which never leaves the project root and caps what it reads.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::{Error, Result};

/// Directories never descended into: dependency trees, VCS data and build outputs.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git", "node_modules", "target", ".venv", "venv", "vendor", "__pycache__", ".next", "dist",
    "build", ".turbo", ".cache", "coverage", ".tox", ".mypy_cache", ".pytest_cache",
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
        // The walker's own ignore-file handling is off: it would read `.gitignore` files
        // whatever they are (a named pipe blocks it forever, a huge one takes seconds),
        // and it reads parent directories' and the user's global ignore files, which
        // makes detection depend on more than the project.
        let rules = GitignoreRules::new(&root);
        let walker = ignore::WalkBuilder::new(&root)
            .standard_filters(false)
            .follow_links(false)
            .max_depth(Some(MAX_DEPTH))
            .filter_entry(move |e| {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                let skipped = is_dir && e.depth() > 0 && SKIPPED_DIRS.contains(&e.file_name().to_string_lossy().as_ref());
                e.depth() == 0 || !(skipped || rules.ignores(e.path(), is_dir))
            })
            .build();
        for entry in walker {
            // Unreadable subdirectories are skipped: detection reads the files it needs
            // directly and reports those errors with their path.
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            if let Some(rel) = entry.path().strip_prefix(&root).ok().and_then(Path::to_str) {
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

    /// Reads a UTF-8 text file at `rel` (a leading byte-order mark dropped); `Ok(None)`
    /// when it does not exist. Anything but a regular file inside the project, larger
    /// than [`MAX_READ`] or not UTF-8 is an error naming the file.
    pub fn read(&self, rel: &str) -> Result<Option<String>> {
        let Some(path) = self.inside(rel) else {
            if self.links_outside(rel) {
                return Err(Error::bad_input(rel, "is a symbolic link to outside the project; dockform reads only files inside it"));
            }
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
        if !meta.is_file() {
            // Opening a named pipe would block until something writes to it.
            return Err(Error::bad_input(rel, "is not a regular file (a pipe, socket or device)"));
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
        let text = String::from_utf8(bytes).map_err(|e| not_utf8(rel, &e))?;
        Ok(Some(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }))
    }

    /// Reads `rel` like [`Project::read`] but treats unreadable or odd files as absent:
    /// for optional hints (source files scanned for a port), never for manifests.
    pub fn read_hint(&self, rel: &str) -> Option<String> {
        self.read(rel).ok().flatten()
    }

    /// Whether `rel` is a plain relative path whose symbolic link leads out of the root.
    fn links_outside(&self, rel: &str) -> bool {
        let rel_path = Path::new(rel);
        !rel_path.is_absolute()
            && !rel_path.components().any(|c| c.as_os_str() == "..")
            && fs::symlink_metadata(self.root.join(rel_path)).is_ok()
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

/// The error for a file that is not UTF-8, at the first bad byte.
fn not_utf8(rel: &str, e: &std::string::FromUtf8Error) -> Error {
    let valid = e.utf8_error().valid_up_to();
    let bytes = e.as_bytes();
    let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
    let (line, column) = crate::detect::line_column(before, valid);
    Error::Parse {
        path: rel.to_string(),
        format: "UTF-8",
        line,
        column,
        message: format!("byte 0x{:02X} is not UTF-8 (save the file as UTF-8)", bytes[valid]),
    }
}

/// `.gitignore` rules of the project's directories, read on first use: only regular
/// files inside the project, at most [`MAX_IGNORE_FILE`] bytes each.
struct GitignoreRules {
    root: PathBuf,
    loaded: Mutex<HashMap<PathBuf, Option<Arc<Gitignore>>>>,
}

/// Ignore files larger than this are not read (a real one is a few KiB).
const MAX_IGNORE_FILE: u64 = 1024 * 1024;

impl GitignoreRules {
    fn new(root: &Path) -> Self {
        GitignoreRules { root: root.to_path_buf(), loaded: Mutex::new(HashMap::new()) }
    }

    /// Whether the nearest `.gitignore` with a matching rule ignores `path`; a deeper
    /// file overrides a shallower one, and `!pattern` re-includes.
    fn ignores(&self, path: &Path, is_dir: bool) -> bool {
        for dir in path.ancestors().skip(1) {
            if let Some(rules) = self.rules_of(dir) {
                let m = rules.matched(path, is_dir);
                if m.is_ignore() {
                    return true;
                }
                if m.is_whitelist() {
                    return false;
                }
            }
            if dir == self.root {
                break;
            }
        }
        false
    }

    fn rules_of(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        loaded.entry(dir.to_path_buf()).or_insert_with(|| load_gitignore(dir)).clone()
    }
}

fn load_gitignore(dir: &Path) -> Option<Arc<Gitignore>> {
    let path = dir.join(".gitignore");
    let meta = fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_IGNORE_FILE {
        return None;
    }
    let mut bytes = Vec::new();
    fs::File::open(&path).and_then(|f| f.take(MAX_IGNORE_FILE).read_to_end(&mut bytes)).ok()?;
    let mut builder = GitignoreBuilder::new(dir);
    for line in String::from_utf8_lossy(&bytes).lines() {
        // A malformed pattern is skipped, as git does.
        let _ = builder.add_line(None, line);
    }
    builder.build().ok().filter(|g| !g.is_empty()).map(Arc::new)
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

    #[test]
    fn nested_gitignore_files_exclude_and_re_include() {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in [(".gitignore", "*.log\ngen/\n"), ("a/.gitignore", "!keep.log\n"), ("a/keep.log", ""), ("a/x.log", ""), ("b.log", ""), ("gen/x.js", ""), ("a/gen/y.js", ""), ("src/m.js", "")] {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let p = Project::scan(dir.path()).unwrap();
        assert_eq!(p.files().collect::<Vec<_>>(), vec![".gitignore", "a/.gitignore", "a/keep.log", "src/m.js"]);
    }

    #[test]
    fn a_non_utf8_file_is_an_error_at_its_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("m.json"), b"{\n  \"a\": \"caf\xE9\"\n}").unwrap();
        fs::write(dir.path().join("bom.json"), b"\xEF\xBB\xBF{}").unwrap();
        let p = Project::scan(dir.path()).unwrap();
        let e = p.read("m.json").unwrap_err().to_string();
        assert_eq!(e, "`m.json` is not valid UTF-8 (line 2, column 12): byte 0xE9 is not UTF-8 (save the file as UTF-8)");
        assert_eq!(p.read("bom.json").unwrap().as_deref(), Some("{}"));
    }
}
