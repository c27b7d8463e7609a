//! Backends: pure functions from the model to files. Each owns one folder
//! of the output (`rust/`, `c/`, `python/`, `docs/`) and returns every file
//! in it; [`crate::write`] writes them or compares them with disk.

pub mod c;
pub mod docs;
pub mod jobs;
pub mod python;
pub mod rust;

use crate::model::Api;
use std::fmt;

/// One output file: a path relative to the output root, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: Vec<u8>,
}

impl GeneratedFile {
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        GeneratedFile { path: path.into(), contents: contents.into() }
    }
}

/// A language the generator can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Rust,
    C,
    Python,
    Docs,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Rust, Lang::C, Lang::Python, Lang::Docs];

    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::C => "c",
            Lang::Python => "python",
            Lang::Docs => "docs",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.name() == s)
    }

    /// The folder of the output this language owns.
    pub fn dir(self) -> &'static str {
        self.name()
    }

    /// The backend for this language, if it has been written yet.
    pub fn backend(self) -> Option<fn(&Api) -> Vec<GeneratedFile>> {
        match self {
            Lang::Rust => Some(rust::generate),
            Lang::Python => Some(python::generate),
            Lang::Docs => Some(docs::generate),
            Lang::C => Some(c::generate),
        }
    }

    /// Languages whose backend exists.
    pub fn available() -> Vec<Lang> {
        Lang::ALL.into_iter().filter(|l| l.backend().is_some()).collect()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
