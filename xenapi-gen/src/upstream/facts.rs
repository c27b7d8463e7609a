//! The facts of an upstream data model, as read from xapi's sources.
//!
//! The JSON form is the reference export's (`classes` with `fields`,
//! `enums` and `messages`; `errors`; `releases`), so that the reference
//! files deserialize into these types as they are. Everything the export
//! lacks is optional and left out of the JSON when absent.

use serde::{Deserialize, Serialize};

/// Where an item is defined upstream: a file relative to the checkout and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub file: String,
    pub line: u32,
}

/// One lifecycle step: `published`, `prototyped`, `extended`, `changed`,
/// `deprecated` or `removed`, with the release code it happened in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub transition: String,
    pub release: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    #[serde(default)]
    pub transitions: Vec<Transition>,
}

/// The class properties that decide which messages are derived and how a class is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassProps {
    pub gen_constructor_destructor: bool,
    pub gen_events: bool,
    pub in_db: bool,
    /// `PersistEverything` or `PersistNothing`.
    pub persist: String,
    /// Role names of `messages_default_allowed_roles`, most privileged first.
    #[serde(default)]
    pub default_roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Class {
    pub name: String,
    #[serde(default)]
    pub lifecycle: Lifecycle,
    #[serde(default)]
    pub enums: Vec<Enum>,
    #[serde(default)]
    pub fields: Vec<Field>,
    #[serde(default)]
    pub messages: Vec<Message>,
    /// Left out of xapi's published documentation: no field and no message a client sees.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub props: Option<ClassProps>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    pub name: String,
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A field; namespaced fields carry their flattened name, parts joined by `_` as
/// the export joins them (`name_label`; xapi's lifecycle table keys them `name__label`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    /// In the reference's type language: `string`, `VM ref`, `enum on_boot set`, `(string -> string) map`, ...
    #[serde(rename = "type")]
    pub ty: String,
    /// `RO/runtime`, `RO/constructor` or `RW`.
    pub qualifier: String,
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// In the reference's notation: `""`, `0`, `false`, `{}`, `OpaqueRef:NULL`, an enum value, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `internal_only` upstream: kept out of every client.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// The default a server fills in when a client leaves the parameter out (same notation as field defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The release that added the parameter, when later than the message itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub name: String,
    pub result: String,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub implicit: bool,
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// Kept out of xapi's published documentation (`hide_from_docs`), though callable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    pub code: String,
    #[serde(default)]
    pub params: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub code: String,
    pub label: String,
}

/// A whole data model: what the reader produces and what the check compares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    #[serde(default)]
    pub classes: Vec<Class>,
    #[serde(default)]
    pub errors: Vec<Error>,
    #[serde(default)]
    pub releases: Vec<Release>,
}
