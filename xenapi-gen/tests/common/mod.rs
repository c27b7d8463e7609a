//! Helpers shared by the schema tests: copying the mini fixture into a
//! temporary directory, editing it, and loading it.

#![allow(dead_code)]

pub mod reference_gaps;

use std::fs;
use std::path::{Path, PathBuf};

/// The small, complete, valid schema under `tests/fixtures/mini`.
pub fn mini() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// The real schema of the project.
pub fn real_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("schema")
}

/// Copies a directory tree (regular files and folders only).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A class's `uuid` field, as written in a class file of the fixtures,
/// for test schemas built from text.
macro_rules! uuid_field {
    () => {
        "  - name: uuid\n    description: Stable identifier.\n    type: string\n    qualifier: RO/runtime\n    lifecycle: [published rio]\n"
    };
}
#[allow(unused_imports)]
pub(crate) use uuid_field;

/// A minimal task class to add to the mini fixture (which has none): with
/// it, the C SDK gains its `_async` functions.
pub const TASK_CLASS: &str = concat!(
    "\
name: task
description: A call running in the background.
lifecycle: [published rio]
derive: {fields: true, record: true, all: true}
fields:
",
    uuid_field!()
);

/// A fresh copy of the mini fixture in a temporary directory.
pub fn mini_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&mini(), dir.path());
    dir
}

/// One change to a copy of the mini fixture. Paths are relative to the
/// schema directory.
#[derive(Debug, Clone, Copy)]
pub enum Edit {
    /// Replaces the only occurrence of a text in a file (the test fails if
    /// the text is missing or appears more than once).
    Replace(&'static str, &'static str, &'static str),
    /// Writes a whole file.
    Write(&'static str, &'static str),
    /// Writes a whole file as raw bytes.
    WriteBytes(&'static str, &'static [u8]),
    /// Copies a file.
    Copy(&'static str, &'static str),
    /// Renames a file.
    Rename(&'static str, &'static str),
    /// Deletes a file or a folder.
    Remove(&'static str),
    /// Creates a folder.
    Mkdir(&'static str),
}

pub fn apply(dir: &Path, edit: Edit) {
    match edit {
        Edit::Replace(file, find, replace) => {
            let path = dir.join(file);
            let text = fs::read_to_string(&path).unwrap();
            let n = text.matches(find).count();
            assert_eq!(n, 1, "`{find}` appears {n} times in {file}; make the edit unambiguous");
            fs::write(&path, text.replacen(find, replace, 1)).unwrap();
        }
        Edit::Write(file, text) => fs::write(dir.join(file), text).unwrap(),
        Edit::WriteBytes(file, bytes) => fs::write(dir.join(file), bytes).unwrap(),
        Edit::Copy(from, to) => {
            fs::copy(dir.join(from), dir.join(to)).unwrap();
        }
        Edit::Rename(from, to) => fs::rename(dir.join(from), dir.join(to)).unwrap(),
        Edit::Remove(path) => {
            let path = dir.join(path);
            if path.is_dir() {
                fs::remove_dir_all(path).unwrap();
            } else {
                fs::remove_file(path).unwrap();
            }
        }
        Edit::Mkdir(path) => fs::create_dir_all(dir.join(path)).unwrap(),
    }
}

/// Loads a schema directory and returns its diagnostics as printed, with
/// paths relative to the directory; `None` when it loads.
pub fn diagnostics(dir: &Path) -> Option<String> {
    match xenapi_gen::load_schema(dir) {
        Ok(_) => None,
        Err(d) => Some(d.relative_to(dir).to_string()),
    }
}

/// The text of one file a backend writes for the API, by the end of its path.
pub fn generated_file(lang: xenapi_gen::backend::Lang, api: &xenapi_gen::model::Api, suffix: &str) -> String {
    let f = lang.backend()(api)
        .into_iter()
        .find(|f| f.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("{lang} writes no {suffix}"));
    String::from_utf8(f.contents).expect("generated text is UTF-8")
}
