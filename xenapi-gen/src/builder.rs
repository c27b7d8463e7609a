//! Generating Rust bindings from a build script, in the manner of
//! `prost-build`:
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
use crate::{model::Api, Error};
use std::io::Write;
use std::path::PathBuf;

/// Options for generating Rust bindings into a build script's `OUT_DIR`.
#[derive(Debug, Clone)]
pub struct Builder {
    schema: PathBuf,
    classes: Option<Vec<String>>,
    release: Option<String>,
    out_dir: Option<PathBuf>,
    file_name: String,
    parts: Parts,
    protocols: Protocols,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            schema: "schema".into(),
            classes: None,
            release: None,
            out_dir: None,
            file_name: "xenapi.rs".into(),
            parts: Parts::BOTH,
            protocols: Protocols::BOTH,
        }
    }
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The schema directory, relative to the crate being built (default `schema`).
    pub fn schema(mut self, dir: impl Into<PathBuf>) -> Self {
        self.schema = dir.into();
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

    /// The API as it stood at this release. Default: the newest.
    pub fn release(mut self, code: impl Into<String>) -> Self {
        self.release = Some(code.into());
        self
    }

    /// Whether to write the async client (`Connection`, `Session`, a
    /// `*Client` per class). Default: yes.
    pub fn client(mut self, yes: bool) -> Self {
        self.parts.client = yes;
        self
    }

    /// Whether to write the server side (a `*Server` trait per class, the
    /// dispatcher, the store, `roles`). Default: yes.
    pub fn server(mut self, yes: bool) -> Self {
        self.parts.server = yes;
        self
    }

    /// Whether the bindings speak XML-RPC (needs the `xml-rpc` feature
    /// of `xenapi-rt`). Default: yes.
    pub fn xml_rpc(mut self, yes: bool) -> Self {
        self.protocols.xml_rpc = yes;
        self
    }

    /// Whether the bindings speak JSON-RPC (needs the `json-rpc` feature
    /// of `xenapi-rt`). Default: yes. At least one protocol must remain.
    pub fn json_rpc(mut self, yes: bool) -> Self {
        self.protocols.json_rpc = yes;
        self
    }

    /// Where to write (default: the `OUT_DIR` Cargo gives build scripts).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The file name to write (default `xenapi.rs`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// Loads the schema and applies the release and class subset.
    pub fn load(&self) -> Result<Api, Error> {
        let mut config = crate::Config::new();
        config.schema(&self.schema);
        if let Some(r) = &self.release {
            config.release(r.clone());
        }
        let api = config.load()?;
        match &self.classes {
            None => Ok(api),
            Some(list) => api.subset(list).map_err(|unknown| Error::UnknownClasses(unknown.join(", "))),
        }
    }

    /// The Rust source this builder generates.
    pub fn source(&self) -> Result<String, Error> {
        let protocols = self.protocols()?;
        let api = self.load()?;
        crate::backend::rust::single_file(&api, self.parts, protocols).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
    }

    /// Writes the bindings, tells Cargo to rerun the build script when any
    /// schema file changes, and returns the path written. Schema errors
    /// are printed as Cargo warnings, one per problem, before failing.
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
                std::io::Error::new(std::io::ErrorKind::NotFound, "OUT_DIR is not set: run from a build script or call out_dir()")
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

    /// The sides of the API this builder writes.
    pub fn parts(&self) -> Parts {
        self.parts
    }

    /// The wire protocols this builder's bindings speak; an error if both
    /// were turned off.
    pub fn protocols(&self) -> Result<Protocols, Error> {
        self.protocols.checked()
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
