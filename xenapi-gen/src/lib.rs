//! `xenapi-gen`: turns one YAML schema of the Xen Management API into a
//! validated model, and the model into bindings and documentation.
//!
//! Data flows one way: YAML ([`load`]) -> resolved model with every derived
//! message ([`model`]) -> one pure backend per language ([`backend`]) ->
//! files ([`write`]). A [`Builder`] runs that pipeline with one set of
//! options for every caller: the command line, build scripts and the
//! `xenapi!` macro.
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
pub mod names;
pub mod upstream;
pub mod write;

pub use builder::{Builder, Protocol};

use std::path::Path;

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
    #[error("unknown classes: {0}")]
    UnknownClasses(String),
    #[error("unknown release `{0}`{1}")]
    UnknownRelease(String, String),
    #[error("no wire protocol chosen: keep XML-RPC or JSON-RPC (or both)")]
    NoProtocol,
    #[error("client(false) and server(false) shape the single-file bindings only; the crate of the output tree always has both sides")]
    PartsInTree,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
