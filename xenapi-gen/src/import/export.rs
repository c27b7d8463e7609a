//! The shape of a model export (xapi's `doc/data/xenapi.json`, and the
//! errors and releases lists beside it). Unknown keys are ignored so that
//! newer exports still read.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct ExportModel {
    pub classes: Vec<ExportClass>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportClass {
    pub name: String,
    pub lifecycle: ExportLifecycle,
    #[serde(default)]
    pub enums: Vec<ExportEnum>,
    #[serde(default)]
    pub fields: Vec<ExportField>,
    #[serde(default)]
    pub messages: Vec<ExportMessage>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct ExportLifecycle {
    #[serde(default)]
    pub transitions: Vec<ExportTransition>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportTransition {
    pub transition: String,
    pub release: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportEnum {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportField {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub qualifier: String,
    #[serde(default)]
    pub lifecycle: ExportLifecycle,
    #[serde(default)]
    pub default: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportMessage {
    pub name: String,
    pub result: String,
    #[serde(default)]
    pub params: Vec<ExportParam>,
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub implicit: bool,
    #[serde(default)]
    pub lifecycle: ExportLifecycle,
    /// Kept out of xapi's published docs (our export's extension).
    #[serde(default)]
    pub internal: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportParam {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// The release that added it to an existing message (our export's extension).
    #[serde(default)]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportError {
    pub code: String,
    #[serde(default)]
    pub params: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportRelease {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportErrors {
    pub errors: Vec<ExportError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExportReleases {
    pub releases: Vec<ExportRelease>,
}
