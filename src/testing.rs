//! Helpers for the unit tests: a project tree on disk from a list of files.

/// A temporary directory holding `files` (path relative to it, contents).
pub(crate) fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// [`tree`] with a `.git` directory, so the search for a workspace root stops there.
pub(crate) fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tree(files);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}
