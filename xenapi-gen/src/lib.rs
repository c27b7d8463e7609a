//! `xenapi-gen`: turns one YAML schema of the Xen Management API into a
//! validated model, and the model into bindings and documentation.
//!
//! Data flows one way: YAML ([`load`]) -> resolved model with every derived
//! message ([`model`]) -> one pure backend per language ([`backend`]) ->
//! files ([`write`]).
//!
//! ```no_run
//! let api = xenapi_gen::load_schema(std::path::Path::new("schema")).expect("valid schema");
//! println!("{}", api.summary());
//! ```

pub mod backend;
mod builder;
pub mod diag;
pub mod diff;
pub mod export;
pub mod import;
pub mod load;
pub mod model;
pub mod write;

pub use builder::Builder;

use backend::{GeneratedFile, Lang};
use std::path::{Path, PathBuf};

/// Loads, validates and resolves a schema directory into the model, with
/// every derived message in place. On failure, every problem found is
/// returned at once.
pub fn load_schema(dir: &Path) -> Result<model::Api, diag::Diagnostics> {
    let (raw, diags) = load::load_dir(dir);
    model::resolve(raw, diags)
}

/// Why a generation run failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Schema(diag::Diagnostics),
    #[error("the {0} backend is not available yet")]
    Unavailable(Lang),
    #[error("unknown classes: {0}")]
    UnknownClasses(String),
    #[error("unknown release `{0}`{1}")]
    UnknownRelease(String, String),
    #[error("no wire protocol chosen: keep XML-RPC or JSON-RPC (or both)")]
    NoProtocol,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Options for a generation run, built step by step.
#[derive(Debug, Clone)]
pub struct Config {
    schema: PathBuf,
    out: PathBuf,
    langs: Option<Vec<Lang>>,
    release: Option<String>,
    protocols: backend::rust::Protocols,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schema: "schema".into(),
            out: "generated".into(),
            langs: None,
            release: None,
            protocols: backend::rust::Protocols::BOTH,
        }
    }
}

impl Config {
    pub fn new() -> Self {
        Self::default()
    }

    /// The schema directory (default `schema`).
    pub fn schema(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.schema = dir.into();
        self
    }

    /// The output root (default `generated`).
    pub fn out(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.out = dir.into();
        self
    }

    /// Which languages to generate (default: every available backend).
    pub fn langs(&mut self, langs: impl IntoIterator<Item = Lang>) -> &mut Self {
        self.langs = Some(langs.into_iter().collect());
        self
    }

    /// Generate the API as it stood at this release (default: the newest):
    /// later additions are left out; items deprecated by then are marked.
    pub fn release(&mut self, code: impl Into<String>) -> &mut Self {
        self.release = Some(code.into());
        self
    }

    /// The wire protocols the Rust crate speaks (default: both). The other
    /// languages are not affected. Turning both off is
    /// [`Error::NoProtocol`] when generating.
    pub fn protocols(&mut self, protocols: backend::rust::Protocols) -> &mut Self {
        self.protocols = protocols;
        self
    }

    /// Loads the schema and applies the release, if any.
    pub fn load(&self) -> Result<model::Api, Error> {
        let api = load_schema(&self.schema).map_err(Error::Schema)?;
        match &self.release {
            None => Ok(api),
            Some(code) => api.at_release(code).ok_or_else(|| {
                let hint = diag::did_you_mean(code, api.releases.iter().map(|r| r.code.as_str()))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                Error::UnknownRelease(code.clone(), hint)
            }),
        }
    }

    fn selected(&self) -> Result<Vec<Lang>, Error> {
        match &self.langs {
            None => Ok(Lang::available()),
            Some(langs) => {
                if let Some(l) = langs.iter().find(|l| l.backend().is_none()) {
                    return Err(Error::Unavailable(*l));
                }
                Ok(langs.clone())
            }
        }
    }

    /// Every file the selected backends produce, without touching disk.
    pub fn files(&self) -> Result<(Vec<Lang>, Vec<GeneratedFile>), Error> {
        let langs = self.selected()?;
        let protocols = self.protocols.checked()?;
        let api = self.load()?;
        let mut jobs: Vec<backend::jobs::Job<'_, Vec<GeneratedFile>>> = Vec::new();
        for lang in &langs {
            let backend = lang.backend().ok_or(Error::Unavailable(*lang))?;
            let api = &api;
            // Only the Rust crate has options of its own.
            jobs.push(match lang {
                Lang::Rust => (0, Box::new(move || backend::rust::generate_crate(api, protocols))),
                _ => (0, Box::new(move || backend(api))),
            });
        }
        // The backends are independent; the Rust one spreads its own work
        // over the cores as well.
        Ok((langs, backend::jobs::run(jobs).into_iter().flatten().collect()))
    }

    /// Generates into the output root; with `check`, writes nothing and
    /// reports what differs.
    pub fn generate(&self, check: bool) -> Result<write::Outcome, Error> {
        let (langs, files) = self.files()?;
        let owned: Vec<&str> = langs.iter().map(|l| l.dir()).collect();
        Ok(write::write_files(&self.out, &owned, &files, check)?)
    }
}
pub mod names;
