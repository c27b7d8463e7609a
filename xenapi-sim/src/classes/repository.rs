//! Repository: update repositories the pool may sync from.

use xenapi::{ApiError, Origin, RepositoryRecord, RepositoryRef, RepositoryServer};
use xenapi_rt::types::Str;

use crate::sim::{Ctx, Sim};

/// INVALID_BASE_URL unless the URL is http(s) with a host.
fn assert_url(url: &str) -> Result<(), ApiError> {
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(()),
        _ => Err(ApiError::InvalidBaseUrl { url: url.to_string() }),
    }
}

/// A key is named by a file name in xapi's key directory, or left empty
/// for the default.
fn assert_gpgkey_path(path: &str) -> Result<(), ApiError> {
    let ok = path.is_empty()
        || (path.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !path.starts_with('.')
            && path.len() <= 255);
    if ok {
        Ok(())
    } else {
        Err(ApiError::InvalidGpgkeyPath { gpgkey_path: path.to_string() })
    }
}

impl RepositoryServer for Sim {
    async fn introduce(
        &self,
        _ctx: &Ctx,
        name_label: Str,
        name_description: Str,
        binary_url: Str,
        source_url: Str,
        update: bool,
        gpgkey_path: Str,
    ) -> Result<RepositoryRef, ApiError> {
        assert_url(&binary_url)?;
        assert_url(&source_url)?;
        assert_gpgkey_path(&gpgkey_path)?;
        self.sim_store().write(|tx| {
            let dup = tx
                .db()
                .all::<RepositoryRecord>()
                .into_iter()
                .find(|(_, r)| r.name_label == name_label || r.binary_url == binary_url);
            if let Some((r, _)) = dup {
                return Err(ApiError::RepositoryAlreadyExists { r#ref: r.to_string() });
            }
            tx.create(RepositoryRecord {
                name_label,
                name_description,
                binary_url,
                source_url,
                update,
                gpgkey_path,
                ..Default::default()
            })
        })
    }

    /// The pool's one bundle repository: its name is free and no other
    /// bundle repository exists (checked repository by repository, in
    /// that order, as xapi does).
    async fn introduce_bundle(
        &self,
        _ctx: &Ctx,
        name_label: Str,
        name_description: Str,
    ) -> Result<RepositoryRef, ApiError> {
        self.sim_store().write(|tx| {
            for (r, repo) in tx.db().all::<RepositoryRecord>() {
                if repo.name_label == name_label {
                    return Err(ApiError::RepositoryAlreadyExists { r#ref: r.to_string() });
                }
                if repo.origin == Origin::Bundle {
                    return Err(ApiError::BundleRepositoryAlreadyExists { r#ref: r.to_string() });
                }
            }
            tx.create(RepositoryRecord {
                name_label,
                name_description,
                update: true,
                origin: Origin::Bundle,
                ..Default::default()
            })
        })
    }
}
