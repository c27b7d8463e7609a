//! Loading a schema directory: files, YAML, and raw structures.
//!
//! Layout of a schema directory:
//!
//! ```text
//! api.yaml            name, description, roles (most privileged first)
//! releases.yaml       every release, oldest first
//! errors.yaml         every error code with its parameter names
//! classes/NAME.yaml   one class each: fields, enums, messages
//! ```

pub mod raw;
pub(crate) mod read;
pub mod yaml;

use crate::diag::{Diagnostic, Diagnostics, Span};
use raw::{FileId, RawApi, RawClass, RawError, RawRelease, Src};
use read::{Cx, Node, Problem};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use yaml::YamlPath;

/// Files larger than this are refused rather than parsed.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The text of every schema file read, so that a place can be turned into
/// a line and column when a diagnostic needs it.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<(PathBuf, Arc<str>)>,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, text: Arc<str>) -> FileId {
        self.files.push((path, text));
        (self.files.len() - 1) as FileId
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.files[id as usize].0
    }

    /// Every file read, in the order read.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// The line and column of a place.
    pub fn span(&self, src: &Src) -> Span {
        let (path, text) = &self.files[src.file as usize];
        let (line, column) = yaml::locate(text, &src.path);
        Span::new(path.clone(), line, column)
    }

    pub fn diagnostic(&self, src: &Src, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.span(src), message)
    }
}

/// A schema as written, before resolution.
#[derive(Debug, Clone, Default)]
pub struct RawSchema {
    pub api: Option<RawApi>,
    pub releases: Vec<RawRelease>,
    pub errors: Vec<RawError>,
    pub classes: Vec<RawClass>,
    pub sources: Sources,
}

/// Reads every file of a schema directory. Problems that stop a file from
/// being read (I/O, size, encoding, YAML syntax) and problems with its
/// shape (missing or unknown keys, wrong YAML types) all go into the
/// returned diagnostics; what could be read is returned either way.
pub fn load_dir(dir: &Path) -> (RawSchema, Diagnostics) {
    let mut schema = RawSchema::default();
    let mut diags = Diagnostics::default();
    let mut problems = Vec::new();

    let meta = std::fs::metadata(dir);
    if !meta.as_ref().is_ok_and(|m| m.is_dir()) {
        let why = match meta {
            Err(e) => e.to_string(),
            Ok(_) => "it is not a directory".into(),
        };
        diags.push(
            Diagnostic::new(Span::file(dir), format!("cannot read the schema directory: {why}"))
                .with_help("pass the folder that holds api.yaml, releases.yaml, errors.yaml and classes/ with --schema"),
        );
        return (schema, diags);
    }

    let mut load = |path: PathBuf, f: &mut dyn FnMut(&mut Cx<'_>, Node<'_, '_>)| {
        let Some(text) = read_text(&path, &mut diags) else { return };
        match yaml::parse(&text) {
            Ok(value) => {
                let file = schema.sources.add(path, text);
                let mut cx = Cx { file, problems: &mut problems };
                let root = YamlPath::default();
                f(&mut cx, Node { value: &value, path: &root });
            }
            Err(e) => {
                diags.push(Diagnostic::new(Span::new(path, e.line, e.column), format!("invalid YAML: {}", e.message)));
            }
        }
    };

    let mut api = None;
    load(dir.join("api.yaml"), &mut |cx, n| api = RawApi::read(cx, n));
    let mut releases = Vec::new();
    load(dir.join("releases.yaml"), &mut |cx, n| releases = raw::read_releases(cx, n));
    let mut errors = Vec::new();
    load(dir.join("errors.yaml"), &mut |cx, n| errors = raw::read_errors(cx, n));

    let class_dir = dir.join("classes");
    let mut classes = Vec::new();
    match list_yaml(&class_dir) {
        Ok(files) => {
            for path in files {
                load(path, &mut |cx, n| classes.extend(RawClass::read(cx, n)));
            }
        }
        Err(e) => diags.push(
            Diagnostic::new(Span::file(&class_dir), format!("cannot list the class files: {e}"))
                .with_help("put one YAML file per class in a `classes` folder inside the schema directory"),
        ),
    }
    schema.api = api;
    schema.releases = releases;
    schema.errors = errors;
    schema.classes = classes;
    for p in problems {
        diags.push(problem_to_diag(&schema.sources, p));
    }
    (schema, diags)
}

pub(crate) fn problem_to_diag(sources: &Sources, p: Problem) -> Diagnostic {
    sources.diagnostic(&p.src, p.message).with_help_opt(p.help)
}

/// The `.yaml`/`.yml` files of a folder, sorted by name.
fn list_yaml(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str());
        if matches!(ext, Some("yaml" | "yml")) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Reads a file as UTF-8 text within the size limit.
fn read_text(path: &Path, diags: &mut Diagnostics) -> Option<Arc<str>> {
    let fail = |diags: &mut Diagnostics, msg: String, help: Option<&str>| {
        let mut d = Diagnostic::new(Span::file(path), msg);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        diags.push(d);
        None
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return fail(diags, "the file is missing".into(), Some("every schema directory needs api.yaml, releases.yaml, errors.yaml and a classes folder"));
        }
        Err(e) => return fail(diags, format!("cannot read the file: {e}"), None),
    };
    if !meta.is_file() {
        return fail(diags, "this is not a regular file".into(), None);
    }
    if meta.len() > MAX_FILE_BYTES {
        return fail(
            diags,
            format!("the file is too large ({} bytes; the limit is {MAX_FILE_BYTES})", meta.len()),
            Some("split the class into smaller files or remove generated content"),
        );
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fail(diags, format!("cannot read the file: {e}"), None),
    };
    match String::from_utf8(bytes) {
        Ok(s) => Some(Arc::from(s)),
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..good];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = good - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
            diags.push(
                Diagnostic::new(Span::new(path, line, col), "the file is not UTF-8 text")
                    .with_help("schema files must be UTF-8 encoded YAML"),
            );
            None
        }
    }
}
