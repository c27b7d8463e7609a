//! The schema's model seen as upstream [`Facts`], so that the two can be
//! compared item by item.
//!
//! Types, qualifiers, field defaults, roles and lifecycles are rendered by
//! [`crate::export`], the same code that makes the reference-shaped JSON,
//! and read back into [`Facts`]; what that export leaves out is added
//! here: parameter defaults, the class property that has an exact
//! counterpart in the schema, and (through [`locate`]) where each item is
//! written.
//!
//! Only explicit messages are kept: the derived ones follow from fields and
//! class properties, which are compared instead.

use super::facts::{ClassProps, Facts, Message, Param};
use crate::diag::Span;
use crate::export;
use crate::model::{self, Api};

/// Why the schema could not be seen as facts (only a broken export, which
/// would be a bug of [`crate::export`]).
#[derive(Debug, thiserror::Error)]
#[error("the schema's export does not read as upstream facts: {0}")]
pub struct ExportMismatch(#[from] serde_json::Error);

/// The schema's API as facts: every class, field, enum and explicit message,
/// every error and release. Origins are left empty; [`locate`] finds them
/// when a report needs them (placing every item would parse each class
/// file once per item).
pub fn schema_facts(api: &Api) -> Result<Facts, ExportMismatch> {
    let mut json = export::model_json(api);
    json["errors"] = export::errors_json(api)["errors"].take();
    json["releases"] = export::releases_json(api)["releases"].take();
    let mut facts: Facts = serde_json::from_value(json)?;
    for (fc, mc) in facts.classes.iter_mut().zip(&api.classes) {
        // The export lists messages in model order, so the two zip.
        let pairs: Vec<(Message, &model::Message)> =
            std::mem::take(&mut fc.messages).into_iter().zip(&mc.messages).filter(|(f, _)| !f.implicit).collect();
        fc.messages = pairs.into_iter().map(|(f, m)| with_schema_extras(f, m)).collect();
        fc.props = Some(class_props(&mc.props));
    }
    Ok(facts)
}

/// What the export leaves out of a message; what it already says is kept.
fn with_schema_extras(mut f: Message, m: &model::Message) -> Message {
    f.internal |= message_internal(m);
    for (fp, mp) in f.params.iter_mut().zip(&m.params) {
        let since = fp.since.take().or_else(|| param_since(m, mp));
        *fp = Param { default: mp.default.as_ref().map(model::Literal::to_notation), since, ..fp.clone() };
    }
    f
}

/// EXTENSION POINT (schema `internal: true` on messages, being added in
/// parallel): whether the message is kept out of the published docs. The
/// schema cannot say so yet, so every message is public; once the export
/// writes `internal`, that is kept and this can go.
fn message_internal(_m: &model::Message) -> bool {
    false
}

/// EXTENSION POINT (schema `lifecycle` on params, being added in
/// parallel): the release that added a parameter later than its message.
/// The schema cannot say so yet; once the export writes `since`, that is
/// kept and this can go.
fn param_since(_m: &model::Message, _p: &model::Param) -> Option<String> {
    None
}

/// The class properties as upstream names them. Only
/// `gen_constructor_destructor` has an exact counterpart in the schema
/// (`derive.create_destroy`); the rest stay at their defaults and are not
/// compared (see [`super::compare::not_compared`]).
fn class_props(p: &model::ClassProps) -> ClassProps {
    ClassProps { gen_constructor_destructor: p.derive_create_destroy, ..ClassProps::default() }
}

/// An item of the schema, by the names upstream uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef<'a> {
    Class(&'a str),
    Field(&'a str, &'a str),
    Enum(&'a str, &'a str),
    Message(&'a str, &'a str),
    Param(&'a str, &'a str, &'a str),
    Error(&'a str),
}

/// Where an item is written in the schema: its file, line and column; for
/// an item the schema lacks, the file of the class it belongs in (or the
/// class file of its message, for a parameter). `None` when even the
/// class is not in the schema, or for releases (`releases.yaml`, which the
/// caller names).
pub fn locate(api: &Api, item: ItemRef<'_>) -> Option<Span> {
    let class_of = |c: &str| api.class(c);
    let span = |src: &crate::load::raw::Src| api.sources.span(src);
    let class_file = |c: &str| class_of(c).map(|c| Span::file(api.sources.path(c.src.file)));
    let message =
        |c: &str, m: &str| class_of(c).and_then(|c| c.messages.iter().find(|x| x.name == m && !x.is_derived()));
    match item {
        ItemRef::Class(c) => class_of(c).map(|c| span(&c.src)),
        ItemRef::Field(c, f) => match class_of(c).and_then(|cl| cl.fields.iter().find(|x| x.name == f)) {
            Some(f) => Some(span(&f.src)),
            None => class_file(c),
        },
        ItemRef::Enum(c, e) => match class_of(c).and_then(|cl| cl.enums.iter().find(|x| x.name == e)) {
            Some(e) => Some(span(&e.src)),
            None => class_file(c),
        },
        ItemRef::Message(c, m) => message(c, m).map(|m| span(&m.src)).or_else(|| class_file(c)),
        ItemRef::Param(c, m, p) => match message(c, m) {
            Some(msg) => Some(span(msg.params.iter().find(|x| x.name == p).map_or(&msg.src, |x| &x.src))),
            None => class_file(c),
        },
        ItemRef::Error(code) => api
            .errors
            .iter()
            .find(|e| e.code == code)
            .map(|e| span(&e.src))
            .or_else(|| api.errors.first().map(|e| Span::file(api.sources.path(e.src.file)))),
    }
}
