//! `xenapi-gen`: turns one YAML schema of the Xen Management API into a
//! validated model, and the model into bindings and documentation.
//!
//! ```no_run
//! let api = xenapi_gen::load_schema(std::path::Path::new("schema")).expect("valid schema");
//! println!("{}", api.summary());
//! ```

pub mod diag;
pub mod load;
pub mod model;

use std::path::Path;

/// Loads, validates and resolves a schema directory into the model, with
/// every derived message in place. On failure, every problem found is
/// returned at once.
pub fn load_schema(dir: &Path) -> Result<model::Api, diag::Diagnostics> {
    let (raw, diags) = load::load_dir(dir);
    model::resolve(raw, diags)
}
pub mod import;
pub mod export;
