//! The one front door of a generation run, in the manner of `prost-build`.
//!
//! A [`Builder`] gathers every option of a run (schema folder, release,
//! class subset, languages, sides of the API, wire protocols), loads the
//! schema one way for all of them, and then writes one of two outputs:
//!
//! - the whole output tree (`rust/`, `c/`, `python/`, `docs/`), as the
//!   command line does: [`Builder::generate_tree`] and
//!   [`Builder::check_tree`];
//! - one Rust file of bindings, for a build script
//!   ([`Builder::generate`]) or the `xenapi!` macro ([`Builder::tokens`]).
//!
//! ```no_run
//! // build.rs
//! xenapi_gen::Builder::new()
//!     .schema("../schema")
//!     .classes(["VM", "host"])
//!     .release("stockholm")
//!     .server(false) // a client only
//!     .json_rpc(false) // speaking XML-RPC only
//!     .generate()
//!     .expect("XenAPI bindings");
//! ```
//!
//! and at the root of the crate (generated paths start at `crate::`):
//!
//! ```text
//! include!(concat!(env!("OUT_DIR"), "/xenapi.rs"));
//! ```
//!
//! The crate needs `xenapi-rt`, `serde` (with `derive`), `serde_json` and
//! `tokio` (with `time`) as dependencies. Bindings for one protocol need
//! only that protocol's feature of `xenapi-rt`:
//! `xenapi-rt = { version = "..", default-features = false, features = ["xml-rpc"] }`.

use crate::backend::rust::{Parts, Protocols};
use crate::backend::{self, GeneratedFile, Lang};
use crate::write::{self, Outcome};
use crate::{diag, model::Api, Error};
use proc_macro2::TokenStream;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A wire protocol the generated Rust code can speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Protocol {
    /// XML-RPC, at `POST /`.
    XmlRpc,
    /// JSON-RPC 1.0 and 2.0, at `POST /jsonrpc`.
    JsonRpc,
}

/// Every option of a generation run. Each setter takes the builder and
/// returns it, so that a run reads as one chain.
#[derive(Debug, Clone)]
pub struct Builder {
    schema: PathBuf,
    release: Option<String>,
    classes: Option<Vec<String>>,
    langs: Vec<Lang>,
    parts: Parts,
    protocols: Protocols,
    out_dir: Option<PathBuf>,
    file_name: String,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            schema: "schema".into(),
            release: None,
            classes: None,
            langs: Lang::ALL.to_vec(),
            parts: Parts::BOTH,
            protocols: Protocols::BOTH,
            out_dir: None,
            file_name: "xenapi.rs".into(),
        }
    }
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The schema directory (default `schema`); a build script names it
    /// relative to the crate being built.
    pub fn schema(mut self, dir: impl Into<PathBuf>) -> Self {
        self.schema = dir.into();
        self
    }

    /// The API as it stood at this release (default: the newest): later
    /// additions are left out; items deprecated by then are marked.
    pub fn release(mut self, code: impl Into<String>) -> Self {
        self.release = Some(code.into());
        self
    }

    /// Only these classes (plus `session`, `task` and `event`, which the
    /// client and server need); fields and messages that refer to classes
    /// left out are left out too. Default: every class.
    pub fn classes<I, S>(mut self, classes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.classes = Some(classes.into_iter().map(Into::into).collect());
        self
    }

    /// The languages of the output tree (default: all of them). A
    /// language named twice is written once. The single-file outputs are
    /// Rust whatever this says.
    pub fn langs(mut self, langs: impl IntoIterator<Item = Lang>) -> Self {
        self.langs.clear();
        for lang in langs {
            if !self.langs.contains(&lang) {
                self.langs.push(lang);
            }
        }
        self
    }

    /// Whether the single-file bindings hold the async client
    /// (`Connection`, `Session`, a `*Client` per class). Default: yes. The
    /// crate of the output tree always has both sides.
    pub fn client(mut self, yes: bool) -> Self {
        self.parts.client = yes;
        self
    }

    /// Whether the single-file bindings hold the server side (a `*Server`
    /// trait per class, the dispatcher, the store, `roles`). Default: yes.
    /// The crate of the output tree always has both sides.
    pub fn server(mut self, yes: bool) -> Self {
        self.parts.server = yes;
        self
    }

    /// Whether the Rust code speaks XML-RPC (needs the `xml-rpc` feature
    /// of `xenapi-rt`). Default: yes.
    pub fn xml_rpc(mut self, yes: bool) -> Self {
        self.protocols.xml_rpc = yes;
        self
    }

    /// Whether the Rust code speaks JSON-RPC (needs the `json-rpc` feature
    /// of `xenapi-rt`). Default: yes. At least one protocol must remain.
    pub fn json_rpc(mut self, yes: bool) -> Self {
        self.protocols.json_rpc = yes;
        self
    }

    /// Exactly these protocols, in place of the defaults. The other
    /// languages speak both whatever this says.
    pub fn protocols(self, protocols: impl IntoIterator<Item = Protocol>) -> Self {
        let chosen: Vec<Protocol> = protocols.into_iter().collect();
        self.xml_rpc(chosen.contains(&Protocol::XmlRpc)).json_rpc(chosen.contains(&Protocol::JsonRpc))
    }

    /// Where [`Builder::generate`] writes (default: the `OUT_DIR` Cargo
    /// gives build scripts).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The file name [`Builder::generate`] writes (default `xenapi.rs`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// Loads the schema, then applies the release and the class subset:
    /// the one model every output of the run is made from.
    pub fn load(&self) -> Result<Api, Error> {
        let api = crate::load_schema(&self.schema).map_err(Error::Schema)?;
        let api = match &self.release {
            None => api,
            Some(code) => api.at_release(code).ok_or_else(|| {
                let hint = diag::did_you_mean(code, api.releases.iter().map(|r| r.code.as_str()))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                Error::UnknownRelease(code.clone(), hint)
            })?,
        };
        match &self.classes {
            None => Ok(api),
            Some(list) => api.subset(list).map_err(|unknown| Error::UnknownClasses(unknown.join(", "))),
        }
    }

    /// Every file of the output tree for the chosen languages, without
    /// touching disk. The backends run side by side; the files come back
    /// in the order of the languages, each backend's in its own order.
    pub fn files(&self) -> Result<Vec<GeneratedFile>, Error> {
        if self.parts != Parts::BOTH {
            return Err(Error::PartsInTree);
        }
        let protocols = self.protocols.checked()?;
        let api = self.load()?;
        let per_lang: Vec<Vec<GeneratedFile>> = self
            .langs
            .par_iter()
            .map(|lang| match lang {
                // Only the Rust crate has an option of its own.
                Lang::Rust => backend::rust::generate_crate(&api, protocols),
                other => other.backend()(&api),
            })
            .collect();
        Ok(per_lang.into_iter().flatten().collect())
    }

    /// Writes the output tree under `out`: changed and new files are
    /// written, identical ones left alone, and files of the chosen
    /// languages' folders that are no longer generated are removed.
    pub fn generate_tree(&self, out: &Path) -> Result<Outcome, Error> {
        self.write_tree(out, false)
    }

    /// Compares the output tree under `out` with what would be generated,
    /// writing nothing; the outcome lists every difference.
    pub fn check_tree(&self, out: &Path) -> Result<Outcome, Error> {
        self.write_tree(out, true)
    }

    fn write_tree(&self, out: &Path, check: bool) -> Result<Outcome, Error> {
        let files = self.files()?;
        let owned: Vec<&str> = self.langs.iter().map(|l| l.dir()).collect();
        Ok(write::write_files(out, &owned, &files, check)?)
    }

    /// The single-file Rust bindings as tokens, for the `xenapi!` macro.
    pub fn tokens(&self) -> Result<TokenStream, Error> {
        let protocols = self.protocols.checked()?;
        let api = self.load()?;
        Ok(backend::rust::single_file_tokens(&api, self.parts, protocols))
    }

    /// The single-file Rust bindings as formatted source.
    pub fn source(&self) -> Result<String, Error> {
        let protocols = self.protocols.checked()?;
        let api = self.load()?;
        backend::rust::single_file(&api, self.parts, protocols)
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
    }

    /// Writes the single-file bindings, tells Cargo to rerun the build
    /// script when any schema file changes, and returns the path written.
    /// Schema errors are printed as Cargo warnings, one per problem,
    /// before failing.
    pub fn generate(&self) -> Result<PathBuf, Error> {
        let mut stdout = std::io::stdout().lock();
        self.generate_to(&mut stdout)
    }

    /// [`Builder::generate`], writing the `cargo:` lines to `out`.
    pub fn generate_to(&self, out: &mut dyn Write) -> Result<PathBuf, Error> {
        self.rerun_lines(out)?;
        let source = match self.source() {
            Ok(s) => s,
            Err(Error::Schema(diags)) => {
                for d in diags.iter() {
                    writeln!(out, "cargo:warning={}", d.to_string().replace('\n', " "))?;
                }
                return Err(Error::Schema(diags));
            }
            Err(e) => return Err(e),
        };
        let dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => PathBuf::from(std::env::var_os("OUT_DIR").ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "OUT_DIR is not set: run from a build script or call out_dir()",
                )
            })?),
        };
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(&self.file_name);
        // Leave an identical file alone so that dependents do not rebuild.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str()) {
            std::fs::write(&path, source)?;
        }
        Ok(path)
    }

    /// Every schema file this builder reads (see
    /// [`crate::load::schema_files`]).
    pub fn schema_files(&self) -> Vec<PathBuf> {
        crate::load::schema_files(&self.schema)
    }

    /// `cargo:rerun-if-changed` for the schema folder, its `classes`
    /// folder (so that added files count) and every schema file, whether
    /// or not it loads, so that fixing it reruns the build.
    fn rerun_lines(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let dirs = [self.schema.clone(), self.schema.join("classes")];
        for path in dirs.iter().chain(&self.schema_files()) {
            writeln!(out, "cargo:rerun-if-changed={}", path.display())?;
        }
        Ok(())
    }
}
