//! Reading a checkout of xen-api: which files, in which order, and what could not be read.
//!
//! The reader starts from `ocaml/idl/datamodel.ml` and follows the
//! modules it names (`Datamodel_types`, `Datamodel_common`, the class
//! files, `Api_errors` in `ocaml/xapi-consts`, ...) to load every file
//! the data model is built from, dependencies first. Files that only
//! consume the model (they name `Datamodel` themselves) are left out.
//! Each file is lexed, parsed and run by [`super::ocaml`]; the values
//! it defines are then turned into [`Facts`] by [`super::datamodel`],
//! [`super::errors`] and [`super::releases`].
//!
//! # What the reader does not check
//!
//! - Only the subset of OCaml the data model uses is understood; an item
//!   outside it is reported as unread (file:line) when a fact needs it,
//!   and listed as skipped otherwise (the module paths of `Printexc`,
//!   `Clock`, `Xapi_stdext_*`, functor applications such as `Map.Make`).
//! - `Dm_api` and `Datamodel_utils` are not run. In their place, written
//!   in Rust: `Datamodel.update_lifecycles` (a `prototyped` step from
//!   `Datamodel_lifecycle.prototyped_of_class/field/message` put first),
//!   the client-side filter (`db_only` messages dropped; `hide_from_docs`
//!   ones kept, marked `internal`), and the order in which the export
//!   lists a class's enums, which depends on the implicit messages
//!   (getters of every field, setters of RW ones) that are not derived.
//! - Standard library modules are builtins with the functions the files
//!   call; `Date` knows only the epoch (`Date.never`, `Date.epoch`,
//!   `Date.of_float 0.`) and `Backtrace` only the empty one, the values
//!   the model uses as defaults.
//! - Implicit messages (getters, setters, constructors, ...) are not
//!   listed: only messages written in the data model are read.
//! - Descriptions (`~doc`, field descriptions) are evaluated but not kept.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::facts::Facts;
use super::ocaml::ast::Located;
use super::ocaml::eval::Interp;
use super::ocaml::lex::{lex_recover, Tok};
use super::ocaml::parse::parse_file;
use super::{datamodel, errors, releases};

/// What a read produced.
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub facts: Facts,
    /// What the facts needed but could not be read.
    pub unread: Vec<Unread>,
    /// Items of the files that could not be evaluated but that no fact depends on.
    pub skipped: Vec<Unread>,
}

/// One thing the reader could not read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// Relative to the checkout.
    pub file: String,
    pub line: u32,
    pub why: String,
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.why)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0} is not a checkout of xen-api: {1} is missing")]
    NotACheckout(PathBuf, &'static str),
    #[error("cannot read {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

const IDL: &str = "ocaml/idl";
const CONSTS: &str = "ocaml/xapi-consts";
const ROOT: &str = "Datamodel";
/// Files that only define the helpers (`call`, `field`, `create_obj`, ...): an item's origin is its caller.
const HELPERS: &[&str] = &["datamodel_types.ml", "datamodel_common.ml", "datamodel_roles.ml"];

/// A source file: its path relative to the checkout, module name and text.
struct Source {
    rel: String,
    module: String,
    text: String,
}

/// Reads the data model of the xen-api checkout at `checkout`.
pub fn read(checkout: &Path) -> Result<Read, ReadError> {
    for dir in [IDL, CONSTS] {
        if !checkout.join(dir).is_dir() {
            return Err(ReadError::NotACheckout(checkout.to_path_buf(), if dir == IDL { IDL } else { CONSTS }));
        }
    }
    let sources = sources(checkout)?;
    // the interpreter runs deep recursions on big files: give it room
    let run = move || run(sources);
    match std::thread::Builder::new().stack_size(512 << 20).spawn(run) {
        Ok(handle) => Ok(handle.join().unwrap_or_else(|_| Read {
            unread: vec![Unread { file: IDL.into(), line: 0, why: "the reader stopped unexpectedly".into() }],
            ..Read::default()
        })),
        Err(e) => Err(ReadError::Io(checkout.to_path_buf(), e)),
    }
}

fn sources(checkout: &Path) -> Result<Vec<Source>, ReadError> {
    let mut out = Vec::new();
    for dir in [IDL, CONSTS] {
        let path = checkout.join(dir);
        let entries = std::fs::read_dir(&path).map_err(|e| ReadError::Io(path.clone(), e))?;
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".ml"))
            .collect();
        names.sort();
        for name in names {
            let p = path.join(&name);
            let text = std::fs::read_to_string(&p).map_err(|e| ReadError::Io(p.clone(), e))?;
            let stem = name.trim_end_matches(".ml");
            let mut chars = stem.chars();
            let Some(first) = chars.next() else { continue };
            let module = first.to_ascii_uppercase().to_string() + chars.as_str();
            out.push(Source { rel: format!("{dir}/{name}"), module, text });
        }
    }
    if !out.iter().any(|s| s.module == ROOT) {
        return Err(ReadError::NotACheckout(checkout.to_path_buf(), "ocaml/idl/datamodel.ml"));
    }
    Ok(out)
}

/// The files `Datamodel` is built from, dependencies first.
fn load_order(mentions: &HashMap<String, HashSet<String>>) -> Vec<String> {
    fn visit(m: &str, mentions: &HashMap<String, HashSet<String>>, seen: &mut HashSet<String>, out: &mut Vec<String>) {
        if !seen.insert(m.to_string()) {
            return;
        }
        let mut deps: Vec<&String> = mentions.get(m).map(|d| d.iter().collect()).unwrap_or_default();
        deps.sort();
        for d in deps {
            let consumer = d != ROOT && mentions.get(d.as_str()).is_some_and(|x| x.contains(ROOT));
            if d != m && !consumer {
                visit(d, mentions, seen, out);
            }
        }
        out.push(m.to_string());
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // what the facts are read from, whether or not `Datamodel` names it
    for root in ["Datamodel_types", "Datamodel_errors", "Datamodel_lifecycle", ROOT] {
        if mentions.contains_key(root) {
            visit(root, mentions, &mut seen, &mut out);
        }
    }
    out
}

fn run(sources: Vec<Source>) -> Read {
    let mut read = Read::default();
    let mut parsed: HashMap<String, Vec<Located>> = HashMap::new();
    let mut mentions: HashMap<String, HashSet<String>> = HashMap::new();
    let known: HashSet<String> = sources.iter().map(|s| s.module.clone()).collect();
    for s in &sources {
        let (toks, lex_errors) = lex_recover(&s.text);
        for e in lex_errors {
            read.unread.push(Unread { file: s.rel.clone(), line: e.line, why: e.message });
        }
        let names = toks
            .iter()
            .filter_map(|t| match &t.tok {
                Tok::UIdent(n) if known.contains(n) && *n != s.module => Some(n.clone()),
                _ => None,
            })
            .collect();
        mentions.insert(s.module.clone(), names);
        let (items, errs) = parse_file(toks);
        for e in errs {
            read.unread.push(Unread { file: s.rel.clone(), line: e.line, why: e.message });
        }
        parsed.insert(s.module.clone(), items);
    }
    let order = load_order(&mentions);
    // parse errors of files outside the model are not the model's
    let used: HashSet<&str> = order.iter().map(String::as_str).collect();
    let rel_of: HashMap<&str, &str> = sources.iter().map(|s| (s.module.as_str(), s.rel.as_str())).collect();
    read.unread.retain(|u| sources.iter().any(|s| s.rel == u.file && used.contains(s.module.as_str())));

    let mut interp = Interp::new();
    for m in &order {
        let Some(items) = parsed.get(m) else { continue };
        let rel = rel_of.get(m.as_str()).copied().unwrap_or(m);
        let helper = HELPERS.iter().any(|h| rel.ends_with(h));
        interp.load(rel, m, helper, items);
    }
    let mut needed = Vec::new();
    read.facts.classes = datamodel::classes(&mut interp, &mut needed);
    read.facts.errors = errors::errors(&mut interp, &mut needed);
    read.facts.releases = releases::releases(&mut interp, &read.facts, &mut needed);
    read.unread.extend(needed);
    for f in std::mem::take(&mut interp.failures) {
        read.skipped.push(Unread { file: interp.files[f.file].clone(), line: f.line, why: f.message });
    }
    read
}

/// One line of counts: classes, fields, messages, enums, errors, releases, and what was not read.
pub fn summary(read: &Read) -> String {
    let f = &read.facts;
    let fields: usize = f.classes.iter().map(|c| c.fields.len()).sum();
    let messages: usize = f.classes.iter().map(|c| c.messages.len()).sum();
    let internal: usize = f.classes.iter().map(|c| c.messages.iter().filter(|m| m.internal).count()).sum();
    let mut enums: Vec<&str> = f.classes.iter().flat_map(|c| c.enums.iter().map(|e| e.name.as_str())).collect();
    enums.sort_unstable();
    enums.dedup();
    let enums = enums.len();
    format!(
        "{} classes, {fields} fields, {messages} messages ({internal} internal), {enums} enums, {} errors, {} releases; {} unread, {} skipped",
        f.classes.len(),
        f.errors.len(),
        f.releases.len(),
        read.unread.len(),
        read.skipped.len()
    )
}
