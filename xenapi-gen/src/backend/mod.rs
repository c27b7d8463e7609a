//! Backends: pure functions from the model to files. Each owns one folder
//! of the output (`rust/`, `c/`, `python/`, `docs/`) and returns every file
//! in it; [`crate::write`] writes them or compares them with disk.
//!
//! Everything a backend is made of lives in its own folder here: its code,
//! its askama templates in `<lang>/templates/` (askama.toml names this
//! folder, so a template is named as `c/templates/class.h`) and the
//! hand-written files it ships in `<lang>/static/`.

pub mod c;
pub mod docs;
pub mod jobs;
pub mod python;
pub mod python_stubs;
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

/// A language the generator can write; on the command line, the values
/// of `--lang` (`rust`, `c`, `python`, `python-stubs`, `docs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Lang {
    Rust,
    C,
    Python,
    /// Typed stubs for the PyPI `XenAPI` module.
    PythonStubs,
    Docs,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::Rust, Lang::C, Lang::Python, Lang::PythonStubs, Lang::Docs];

    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::C => "c",
            Lang::Python => "python",
            Lang::PythonStubs => "python-stubs",
            Lang::Docs => "docs",
        }
    }

    /// The folder of the output this language owns.
    pub fn dir(self) -> &'static str {
        self.name()
    }

    /// The backend of this language, with its default options (for Rust:
    /// both wire protocols).
    pub fn backend(self) -> fn(&Api) -> Vec<GeneratedFile> {
        match self {
            Lang::Rust => rust::generate,
            Lang::C => c::generate,
            Lang::Python => python::generate,
            Lang::PythonStubs => python_stubs::generate,
            Lang::Docs => docs::generate,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
