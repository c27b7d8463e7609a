//! Writing generated files, or checking that what is on disk is current.

use crate::backend::GeneratedFile;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// What a write or check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Files whose contents changed (or would change, with `check`).
    pub changed: Vec<PathBuf>,
    /// Files that are new (or missing on disk, with `check`).
    pub added: Vec<PathBuf>,
    /// Files in an owned folder that the generator no longer writes
    /// (removed, or reported with `check`).
    pub stale: Vec<PathBuf>,
    pub unchanged: usize,
}

impl Outcome {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.stale.is_empty()
    }
}

/// Writes `files` under `out`, leaving identical files untouched, and
/// removes files under the `owned` folders that are not among them. With
/// `check`, writes nothing and only reports.
pub fn write_files(out: &Path, owned: &[&str], files: &[GeneratedFile], check: bool) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let wanted: BTreeSet<PathBuf> = files.iter().map(|f| out.join(&f.path)).collect();
    for f in files {
        let path = out.join(&f.path);
        match std::fs::read(&path) {
            Ok(old) if old == f.contents => outcome.unchanged += 1,
            Ok(_) => outcome.changed.push(path.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => outcome.added.push(path.clone()),
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        }
    }
    for dir in owned {
        collect_stale(&out.join(dir), &wanted, &mut outcome.stale)?;
    }
    outcome.stale.sort();
    if check {
        return Ok(outcome);
    }
    for path in outcome.changed.iter().chain(&outcome.added) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let f = files.iter().find(|f| out.join(&f.path) == *path).expect("path comes from files");
        std::fs::write(path, &f.contents).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    }
    for path in &outcome.stale {
        std::fs::remove_file(path)?;
    }
    Ok(outcome)
}

/// Every file under `dir` not in `wanted`; build output folders that tools
/// put inside generated projects (`target`, `__pycache__`, ...,
/// and `book`, the docs site mdBook builds) are skipped.
fn collect_stale(dir: &Path, wanted: &BTreeSet<PathBuf>, out: &mut Vec<PathBuf>) -> io::Result<()> {
    const SKIP: &[&str] =
        &["target", "__pycache__", ".mypy_cache", ".ruff_cache", "build", ".venv", crate::backend::docs::BUILD_DIR];
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let ty = entry.file_type()?;
        if ty.is_dir() {
            if !SKIP.iter().any(|s| name == *s) {
                collect_stale(&path, wanted, out)?;
            }
        } else if !wanted.contains(&path) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_checks_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![GeneratedFile::new("docs/a.md", "a"), GeneratedFile::new("docs/sub/b.md", "b")];
        let first = write_files(dir.path(), &["docs"], &files, false).unwrap();
        assert_eq!(first.added.len(), 2);
        assert!(write_files(dir.path(), &["docs"], &files, true).unwrap().is_clean());

        std::fs::write(dir.path().join("docs/old.md"), "x").unwrap();
        std::fs::write(dir.path().join("docs/a.md"), "edited by hand").unwrap();
        let check = write_files(dir.path(), &["docs"], &files, true).unwrap();
        assert_eq!(check.changed, vec![dir.path().join("docs/a.md")]);
        assert_eq!(check.stale, vec![dir.path().join("docs/old.md")]);
        assert_eq!(std::fs::read_to_string(dir.path().join("docs/a.md")).unwrap(), "edited by hand");

        write_files(dir.path(), &["docs"], &files, false).unwrap();
        assert!(write_files(dir.path(), &["docs"], &files, true).unwrap().is_clean());
        assert!(!dir.path().join("docs/old.md").exists());
    }
}
