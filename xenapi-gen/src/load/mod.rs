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
use rayon::prelude::*;
use read::{Cx, Node, Problem};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use yaml::YamlPath;

/// Files larger than this are refused rather than parsed.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// How many bytes of YAML [`Sources::span`] may parse again in all. Each
/// position costs a parse of its whole file, so very many problems in big
/// files would otherwise take hours; past this, a problem is placed on its
/// file only. (The worst real mistake, every lifecycle of the real schema
/// broken, needs about 26 MB.)
pub const LOCATE_BUDGET_BYTES: u64 = 64 * 1024 * 1024;

/// The text of every schema file read, so that a place can be turned into
/// a line and column when a diagnostic needs it.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<(PathBuf, Arc<str>)>,
    /// Bytes parsed again by [`Sources::span`] so far.
    located: Arc<AtomicU64>,
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
        let cost = text.len() as u64;
        if self.located.fetch_add(cost, Ordering::Relaxed).saturating_add(cost) > LOCATE_BUDGET_BYTES {
            return Span::file(path.clone());
        }
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
    /// What could not be read at all. Its cause is reported once; the
    /// resolver then does not report every use of it as unknown.
    pub unread: Unread,
}

/// Parts of a schema that could not be read (missing file, I/O error, bad
/// encoding, YAML syntax, wrong shape).
#[derive(Debug, Clone, Default)]
pub struct Unread {
    /// errors.yaml gave no list of errors.
    pub errors: bool,
    /// Class files (by file stem) that gave no named class.
    pub classes: Vec<String>,
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
            Diagnostic::new(Span::file(dir), format!("cannot read the schema directory: {why}")).with_help(
                "pass the folder that holds api.yaml, releases.yaml, errors.yaml and classes/ with --schema",
            ),
        );
        return (schema, diags);
    }

    // Read every file in a fixed order, parse them in parallel (YAML
    // parsing is most of the time), then read them into raw structures in
    // the same fixed order so that output never depends on scheduling.
    #[derive(Clone, Copy)]
    enum Kind {
        Api,
        Releases,
        Errors,
        Class,
    }
    let mut jobs: Vec<(PathBuf, Kind)> =
        TOP_FILES.iter().zip([Kind::Api, Kind::Releases, Kind::Errors]).map(|(f, k)| (dir.join(f), k)).collect();
    let class_dir = dir.join("classes");
    match list_yaml(&class_dir) {
        Ok(files) => jobs.extend(files.into_iter().map(|p| (p, Kind::Class))),
        Err(e) => diags.push(
            Diagnostic::new(Span::file(&class_dir), format!("cannot list the class files: {e}"))
                .with_help("put one YAML file per class in a `classes` folder inside the schema directory"),
        ),
    }
    let texts: Vec<Option<Arc<str>>> = jobs.iter().map(|(p, _)| read_text(p, &mut diags)).collect();
    let parsed = parse_all(&texts);

    let (mut api, mut releases, mut errors, mut classes) = (None, Vec::new(), None, Vec::new());
    let mut unread = Unread::default();
    for (((path, kind), text), parsed) in jobs.into_iter().zip(texts).zip(parsed) {
        let classes_before = classes.len();
        if matches!(kind, Kind::Class) {
            // Counted as unread until a named class comes out of it.
            unread.classes.push(path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
        }
        let (Some(text), Some(parsed)) = (text, parsed) else { continue };
        if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            diags.push(Diagnostic::new(Span::file(path), "the file is empty"));
            continue;
        }
        let value = match parsed {
            Ok(v) => v,
            Err(e) => {
                diags.push(Diagnostic::new(Span::new(path, e.line, e.column), format!("invalid YAML: {}", e.message)));
                continue;
            }
        };
        let file = schema.sources.add(path, text);
        let mut cx = Cx { file, problems: &mut problems };
        let root = YamlPath::default();
        let n = Node { value: &value, path: &root };
        match kind {
            Kind::Api => api = RawApi::read(&mut cx, n),
            Kind::Releases => releases = raw::read_releases(&mut cx, n),
            Kind::Errors => errors = raw::read_errors(&mut cx, n),
            Kind::Class => {
                classes.extend(RawClass::read(&mut cx, n));
                if classes[classes_before..].iter().any(|c| !c.name.v.is_empty()) {
                    unread.classes.pop();
                }
            }
        }
    }
    unread.errors = errors.is_none();
    schema.api = api;
    schema.releases = releases;
    schema.errors = errors.unwrap_or_default();
    schema.classes = classes;
    schema.unread = unread;
    for p in problems {
        diags.push(problem_to_diag(&schema.sources, p));
    }
    (schema, diags)
}

pub(crate) fn problem_to_diag(sources: &Sources, p: Problem) -> Diagnostic {
    sources.diagnostic(&p.src, p.message).with_help_opt(p.help)
}

/// Parses every text on rayon's pool; results keep the order of `texts`.
fn parse_all(texts: &[Option<Arc<str>>]) -> Vec<Option<Result<yaml::Value, yaml::SyntaxError>>> {
    texts
        .par_iter()
        .map(|t| {
            let t = t.as_ref()?;
            // A panic in the parser is a bug in the YAML library; the file
            // is reported as unparsed rather than taking the run down.
            Some(std::panic::catch_unwind(|| yaml::parse(t)).unwrap_or_else(|_| {
                Err(yaml::SyntaxError { line: 0, column: 0, message: "the YAML parser failed on this file".into() })
            }))
        })
        .collect()
}

/// Every file the loader reads from a schema directory, in the order it
/// reads them: `api.yaml`, `releases.yaml`, `errors.yaml` (those that
/// exist) and the YAML files of `classes/`. For build scripts and macros
/// that must rebuild when the schema changes.
pub fn schema_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = TOP_FILES.iter().map(|f| dir.join(f)).filter(|p| p.is_file()).collect();
    out.extend(list_yaml(&dir.join("classes")).unwrap_or_default());
    out
}

/// The files at the top of a schema directory.
const TOP_FILES: [&str; 3] = ["api.yaml", "releases.yaml", "errors.yaml"];

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
            return fail(
                diags,
                "the file is missing".into(),
                Some("every schema directory needs api.yaml, releases.yaml, errors.yaml and a classes folder"),
            );
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
