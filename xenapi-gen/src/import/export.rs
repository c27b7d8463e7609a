//! What `import-json` reads: a model export in the shape of xapi's
//! `doc/data/xenapi.json`, and the errors and releases lists beside it.
//! These are the upstream facts' own types ([`crate::upstream::facts`]),
//! under the names the importer has always used; a model, errors or
//! releases file each fills its part of a [`Facts`].

use crate::upstream::facts::{self, Facts};

pub type ExportModel = Facts;
pub type ExportErrors = Facts;
pub type ExportReleases = Facts;
pub type ExportClass = facts::Class;
pub type ExportLifecycle = facts::Lifecycle;
pub type ExportField = facts::Field;
pub type ExportMessage = facts::Message;
pub type ExportError = facts::Error;
pub type ExportRelease = facts::Release;
