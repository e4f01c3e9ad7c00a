//! A bounded, ignore-aware view of the project directory. Detectors read files only
//! through [`Project`], which never leaves the project root and caps what it reads.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

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

/// Walk limits: enough for any real application, bounded for huge monorepos. The
/// walk is breadth-first and sorted, so the files kept when a tree is cut short are
/// the shallow ones (manifests, entry points) and the same on every machine.
const MAX_DEPTH: usize = 8;
const MAX_ENTRIES: usize = 10_000;
/// Manifests and sources larger than this are not read.
pub const MAX_READ: u64 = 4 * 1024 * 1024;
/// Source files scanned for hints larger than this are skipped ([`Project::read_source`]).
pub const MAX_SOURCE: u64 = 256 * 1024;
/// Bytes all reads of source files scanned for hints (Go files, Python and Rust
/// sources, Node entry points) in one run may take together. Detectors keep at most what they read, so
/// this also bounds what they hold: 3,000 Go files of 4 MiB each once took 11.85 GB.
pub const HINT_BUDGET: u64 = 32 * 1024 * 1024;
/// Bytes all reads of one run may take together, manifests included.
pub const RUN_BUDGET: u64 = 64 * 1024 * 1024;

/// Why a walk or a read stopped before the end, for warnings that say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// Directories deeper than [`MAX_DEPTH`] were not walked.
    Depth,
    /// The walk stopped after [`MAX_ENTRIES`] entries.
    Entries,
    /// Source reads stopped at the run's hint budget ([`HINT_BUDGET`]), in bytes.
    HintBytes(u64),
}

impl std::fmt::Display for Cap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cap::Depth => write!(f, "dockform walks at most {MAX_DEPTH} directories deep"),
            Cap::Entries => write!(f, "dockform walks at most {MAX_ENTRIES} entries"),
            Cap::HintBytes(bytes) => write!(
                f,
                "dockform reads at most {} MiB of source files in one run",
                bytes >> 20
            ),
        }
    }
}

/// The scanned project: its root and (walked on first use) the relative paths of its files.
#[derive(Debug)]
pub struct Project {
    root: PathBuf,
    files: OnceLock<Walked>,
    /// Bytes read so far in this run (see [`RUN_BUDGET`]).
    read_bytes: AtomicU64,
    /// An optional read was refused because of `hint_budget`.
    hints_cut: AtomicBool,
    /// Bytes source reads may take in this run: [`HINT_BUDGET`] unless a test says.
    hint_budget: u64,
}

/// The walk's result: the files, and which caps cut it short.
#[derive(Debug, Default)]
struct Walked {
    files: BTreeSet<String>,
    depth_cut: bool,
    entries_cut: bool,
}

impl Project {
    /// Opens `root`; its files are walked the first time [`Project::files`] is called,
    /// respecting `.gitignore` and skipping [`SKIPPED_DIRS`].
    pub fn scan(root: &Path) -> Result<Project> {
        let meta = fs::metadata(root).map_err(|e| Error::io("read", root, e))?;
        if !meta.is_dir() {
            return Err(Error::bad_input(
                root.display().to_string(),
                "is not a directory; pass the project directory",
            ));
        }
        // A directory that cannot be listed (`chmod 000`) is named as such, not
        // reported later as a missing or unreadable manifest.
        fs::read_dir(root).map_err(|e| Error::io("read the directory", root, e))?;
        let root = fs::canonicalize(root).map_err(|e| Error::io("resolve", root, e))?;
        Ok(Project {
            root,
            files: OnceLock::new(),
            read_bytes: AtomicU64::new(0),
            hints_cut: AtomicBool::new(false),
            hint_budget: HINT_BUDGET,
        })
    }

    /// The same project with another budget for source reads (tests use a small one).
    pub fn with_hint_budget(mut self, bytes: u64) -> Project {
        self.hint_budget = bytes;
        self
    }

    /// The canonical project root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Relative paths of the project's files (at most [`MAX_ENTRIES`] entries walked,
    /// [`MAX_DEPTH`] deep), sorted.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.walked().files.iter().map(String::as_str)
    }

    fn walked(&self) -> &Walked {
        self.files.get_or_init(|| walk(&self.root))
    }

    /// The caps that cut the walk or the optional reads short so far, so a detector
    /// that found nothing can say it did not look everywhere instead of concluding.
    pub fn caps_hit(&self) -> Vec<Cap> {
        let w = self.walked();
        let mut caps = Vec::new();
        if w.depth_cut {
            caps.push(Cap::Depth);
        }
        if w.entries_cut {
            caps.push(Cap::Entries);
        }
        if self.hints_cut.load(Ordering::Relaxed) {
            caps.push(Cap::HintBytes(self.hint_budget));
        }
        caps
    }

    /// Whether the walk stopped early (depth or entries), so [`Project::files`] may miss
    /// whole top-level entries: a list of paths to copy cannot be made from it.
    pub fn walk_cut_short(&self) -> bool {
        let w = self.walked();
        w.depth_cut || w.entries_cut
    }

    /// Whether optional reads were refused because of [`HINT_BUDGET`].
    pub fn hints_cut_short(&self) -> bool {
        self.hints_cut.load(Ordering::Relaxed)
    }

    /// Bytes read so far in this run.
    pub fn bytes_read(&self) -> u64 {
        self.read_bytes.load(Ordering::Relaxed)
    }

    /// Names of the directories directly inside `rel` (not links, not skipped ones),
    /// sorted; empty when `rel` is not a directory inside the project.
    pub fn subdirs(&self, rel: &str) -> Vec<String> {
        let Some(dir) = self.inside(rel) else {
            return Vec::new();
        };
        let Ok(entries) = fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !SKIPPED_DIRS.contains(&n.as_str()))
            .collect();
        names.sort();
        names
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
                return Err(Error::bad_input(
                    rel,
                    "is a symbolic link to outside the project; dockform reads only files inside it",
                ));
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
            return Err(Error::bad_input(
                rel,
                "is not a regular file (a pipe, socket or device)",
            ));
        }
        if meta.len() > MAX_READ {
            return Err(Error::bad_input(
                rel,
                format!("is larger than {} MiB; refusing to read it", MAX_READ >> 20),
            ));
        }
        let left = RUN_BUDGET.saturating_sub(self.bytes_read());
        if meta.len() > left {
            return Err(Error::bad_input(
                rel,
                format!(
                    "was not read: dockform reads at most {} MiB in one run",
                    RUN_BUDGET >> 20
                ),
            ));
        }
        let mut bytes = Vec::new();
        fs::File::open(&path)
            .and_then(|f| f.take(MAX_READ.min(left) + 1).read_to_end(&mut bytes))
            .map_err(|e| Error::io("read", rel, e))?;
        self.read_bytes
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let text = String::from_utf8(bytes).map_err(|e| not_utf8(rel, &e))?;
        Ok(Some(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }))
    }

    /// Reads `rel` like [`Project::read`] but treats unreadable or odd files as absent:
    /// for optional configuration files, never for manifests. Source files scanned by
    /// the dozen go through [`Project::read_budgeted`] instead.
    pub fn read_hint(&self, rel: &str) -> Option<String> {
        self.read(rel).ok().flatten()
    }

    /// Reads a source file scanned for hints, like [`Project::read_hint`]. All such
    /// reads of a run share [`HINT_BUDGET`]; once a read would pass it, this and every
    /// later one return `None` and [`Project::caps_hit`] says so.
    pub fn read_budgeted(&self, rel: &str) -> Option<String> {
        if self.hints_cut_short() {
            return None;
        }
        let size = fs::metadata(self.inside(rel)?).ok()?.len();
        if self.bytes_read().saturating_add(size) > self.hint_budget {
            self.hints_cut.store(true, Ordering::Relaxed);
            return None;
        }
        self.read_hint(rel)
    }

    /// Whether `rel` is a plain relative path whose symbolic link leads out of the root.
    fn links_outside(&self, rel: &str) -> bool {
        let rel_path = Path::new(rel);
        !rel_path.is_absolute()
            && !rel_path.components().any(|c| c.as_os_str() == "..")
            && fs::symlink_metadata(self.root.join(rel_path)).is_ok()
    }

    /// Reads a source file scanned for hints (a port in the code), like
    /// [`Project::read_budgeted`] but only up to [`MAX_SOURCE`] bytes: a bigger one is
    /// generated or bundled code, and scanning hundreds of them must stay cheap.
    pub fn read_source(&self, rel: &str) -> Option<String> {
        let path = self.inside(rel)?;
        let meta = fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_SOURCE {
            return None;
        }
        self.read_budgeted(rel)
    }

    /// Resolves `rel` to a path that stays inside the root, following symlinks;
    /// `None` for anything that would leave the project.
    fn inside(&self, rel: &str) -> Option<PathBuf> {
        let rel_path = Path::new(rel);
        if rel_path.is_absolute() || rel_path.components().any(|c| c.as_os_str() == "..") {
            return None;
        }
        let joined = self.root.join(rel_path);
        // The root is canonical, so a path none of whose components is a link stays
        // inside it: a few `lstat`s instead of resolving every component of the root.
        let mut current = self.root.clone();
        for part in rel_path.components() {
            current.push(part);
            match fs::symlink_metadata(&current) {
                Ok(m) if m.file_type().is_symlink() => break,
                Ok(_) if current.as_os_str().len() < joined.as_os_str().len() => continue,
                // The whole path checked without meeting a link, or a part is missing.
                _ => return Some(joined),
            }
        }
        match fs::canonicalize(&joined) {
            Ok(real) if real.starts_with(&self.root) => Some(real),
            Ok(_) => None,
            // Not existing (or a dangling link): report the plain path so callers see "absent".
            Err(_) => Some(joined),
        }
    }
}

/// Breadth-first, sorted walk of `root`. Links are not followed; unreadable
/// directories are skipped (detection reads the files it needs directly and reports
/// those errors with their path). `.gitignore` files are read here rather than by a
/// walker library: only regular files, up to [`crate::ignorefile::MAX_FILE`] (a named pipe would
/// block, a huge one take seconds), and none above the root or from the user's global
/// configuration, so detection depends on the project alone.
fn walk(root: &Path) -> Walked {
    let mut out = Walked::default();
    let files = &mut out.files;
    let mut rules = GitignoreRules::default();
    let mut queue = VecDeque::from([(root.to_path_buf(), 0)]);
    let mut budget = MAX_ENTRIES;
    while let Some((dir, depth)) = queue.pop_front() {
        let Ok(listing) = fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<fs::DirEntry> = listing.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(fs::DirEntry::file_name);
        let has_gitignore = entries.iter().any(|e| e.file_name() == ".gitignore");
        rules.enter(&dir, has_gitignore);
        for entry in entries {
            if budget == 0 {
                out.entries_cut = true;
                return out;
            }
            budget -= 1;
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                let skipped = SKIPPED_DIRS.contains(&entry.file_name().to_string_lossy().as_ref());
                if !skipped && !rules.ignores(root, &path, true) {
                    if depth + 1 < MAX_DEPTH {
                        queue.push_back((path, depth + 1));
                    } else {
                        out.depth_cut = true;
                    }
                }
            } else if kind.is_file()
                && !rules.ignores(root, &path, false)
                && let Some(rel) = path.strip_prefix(root).ok().and_then(Path::to_str)
            {
                // Only Windows separates with `\`; elsewhere it is part of a name, and
                // turning it into `/` would name a file that does not exist.
                let rel = if cfg!(windows) {
                    rel.replace('\\', "/")
                } else {
                    rel.to_string()
                };
                files.insert(rel);
            }
        }
    }
    out
}

/// The error for a file that is not UTF-8, at the first bad byte.
fn not_utf8(rel: &str, e: &std::string::FromUtf8Error) -> Error {
    let valid = e.utf8_error().valid_up_to();
    let bytes = e.as_bytes();
    let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
    let (line, column) = line_column(before, valid);
    Error::Parse {
        path: rel.to_string(),
        format: "UTF-8",
        line,
        column,
        message: format!(
            "byte 0x{:02X} is not UTF-8 (save the file as UTF-8)",
            bytes[valid]
        ),
    }
}

/// `.gitignore` rules of the directories walked so far. Rules are compiled once per
/// distinct text (monorepo packages often share one `.gitignore`) and matched with
/// paths relative to their directory.
#[derive(Default)]
struct GitignoreRules {
    by_dir: HashMap<PathBuf, Arc<Gitignore>>,
    by_text: HashMap<String, Arc<Gitignore>>,
}

impl GitignoreRules {
    /// Loads the rules of `dir`, whose listing says whether it has a `.gitignore`.
    fn enter(&mut self, dir: &Path, has_gitignore: bool) {
        let Some(text) = has_gitignore
            .then(|| crate::ignorefile::read(dir).map(|g| g.text))
            .flatten()
        else {
            return;
        };
        let compiled = self
            .by_text
            .entry(text)
            .or_insert_with_key(|text| Arc::new(compile_gitignore(text)))
            .clone();
        if !compiled.is_empty() {
            self.by_dir.insert(dir.to_path_buf(), compiled);
        }
    }

    /// Whether the nearest `.gitignore` (up to `root`) with a matching rule ignores
    /// `path`; a deeper file overrides a shallower one, and `!pattern` re-includes.
    fn ignores(&self, root: &Path, path: &Path, is_dir: bool) -> bool {
        if self.by_dir.is_empty() {
            return false;
        }
        for dir in path.ancestors().skip(1) {
            if let Some(rules) = self.by_dir.get(dir) {
                let m = rules.matched(path.strip_prefix(dir).unwrap_or(path), is_dir);
                if m.is_ignore() {
                    return true;
                }
                if m.is_whitelist() {
                    return false;
                }
            }
            if dir == root {
                break;
            }
        }
        false
    }
}

/// Rules rooted at `.`, so one compiled set serves every directory with this text.
fn compile_gitignore(text: &str) -> Gitignore {
    let mut builder = GitignoreBuilder::new(".");
    // The same rules, caps and all, as the `.dockerignore` translation reads.
    for (_, line) in crate::ignorefile::rule_lines(text).0 {
        // A malformed pattern is skipped, as git does.
        let _ = builder.add_line(None, line);
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
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
    fn the_walk_skips_dependency_and_build_trees_and_is_capped_shallow_first() {
        let dir = tempfile::tempdir().unwrap();
        for skipped in [
            ".git",
            "node_modules",
            "target",
            ".venv",
            "vendor",
            "dist",
            "__pycache__",
        ] {
            fs::create_dir_all(dir.path().join(skipped).join("x")).unwrap();
            fs::write(dir.path().join(skipped).join("x/package.json"), "{}").unwrap();
        }
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        for i in 0..MAX_ENTRIES {
            fs::write(dir.path().join(format!("a/b/f{i:05}.js")), "").unwrap();
        }
        fs::write(dir.path().join("package.json"), "{}").unwrap();
        let p = Project::scan(dir.path()).unwrap();
        let files: Vec<&str> = p.files().collect();
        assert_eq!(files[0], "a/b/f00000.js");
        assert!(files.contains(&"package.json"));
        assert!(files.len() < MAX_ENTRIES, "the cap counts directories too");
        assert!(
            !files.iter().any(|f| f.contains("/x/")),
            "entered a skipped directory"
        );
    }

    #[test]
    fn big_sources_are_skipped_as_hints_but_not_as_manifests() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("bundle.js"),
            "x".repeat(MAX_SOURCE as usize + 1),
        )
        .unwrap();
        let p = Project::scan(dir.path()).unwrap();
        assert!(p.read_source("bundle.js").is_none());
        assert!(p.read_hint("bundle.js").is_some());
    }

    #[test]
    fn nested_gitignore_files_exclude_and_re_include() {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in [
            (".gitignore", "*.log\ngen/\n"),
            ("a/.gitignore", "!keep.log\n"),
            ("a/keep.log", ""),
            ("a/x.log", ""),
            ("b.log", ""),
            ("gen/x.js", ""),
            ("a/gen/y.js", ""),
            ("src/m.js", ""),
        ] {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let p = Project::scan(dir.path()).unwrap();
        assert_eq!(
            p.files().collect::<Vec<_>>(),
            vec![".gitignore", "a/.gitignore", "a/keep.log", "src/m.js"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_backslash_in_a_file_name_is_part_of_the_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("a\\b")).unwrap();
        fs::write(dir.path().join("a\\b").join("c.txt"), "x").unwrap();
        let p = Project::scan(dir.path()).unwrap();
        let files: Vec<&str> = p.files().collect();
        assert_eq!(files, ["a\\b/c.txt"]);
        assert_eq!(p.read("a\\b/c.txt").unwrap().as_deref(), Some("x"));
    }

    #[test]
    fn a_non_utf8_file_is_an_error_at_its_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("m.json"), b"{\n  \"a\": \"caf\xE9\"\n}").unwrap();
        fs::write(dir.path().join("bom.json"), b"\xEF\xBB\xBF{}").unwrap();
        let p = Project::scan(dir.path()).unwrap();
        let e = p.read("m.json").unwrap_err().to_string();
        assert_eq!(
            e,
            "`m.json` is not valid UTF-8 (line 2, column 12): byte 0xE9 is not UTF-8 (save the file as UTF-8)"
        );
        assert_eq!(p.read("bom.json").unwrap().as_deref(), Some("{}"));
    }
}
