//! The docs backend: Markdown reference pages (an index, one page per
//! class, the errors, the release history), class diagrams as SVG (one
//! per class and an overview by topic, see [`diagram`]), and the two
//! files that make the pages an mdBook (`book.rs`). Anchors are explicit
//! (`<a id="...">`) so that links are stable and checkable, on GitHub
//! and in the HTML site alike.

mod book;
pub mod diagram;
pub mod topics;

pub use book::BUILD_DIR;

use super::GeneratedFile;
use crate::model::lifecycle::sentence;
use crate::model::{Api, Class, Lifecycle, Message, MessageOrigin, TransitionKind, Type};
use crate::names::{python as py, rust as rs};
use askama::Template;
use std::collections::{BTreeMap, BTreeSet};

/// Prose as Markdown text: a `<` (as in `<class> record` or `a <= b`)
/// starts no HTML tag, on GitHub or in the mdBook.
fn prose(s: &str) -> String {
    s.trim().replace('<', "&lt;")
}

/// Prose safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    prose(s).replace('|', "\\|").replace('\n', " ")
}

/// Code (between backticks, where `&lt;` would show as such) safe inside a
/// Markdown table cell.
fn code_cell(s: &str) -> String {
    s.trim().replace('|', "\\|").replace('\n', " ")
}

/// A page path for a class, relative to the docs root.
fn class_page(class: &str) -> String {
    format!("classes/{class}.md")
}

/// A type in the API's notation, with class names linked (from a class page).
fn type_link(t: &Type, api: &Api) -> String {
    let mut s = t.to_string();
    let mut names = BTreeSet::new();
    t.visit(&mut |p| {
        if let Type::Ref(c) | Type::Record(c) = p {
            names.insert(c.clone());
        }
    });
    for c in names.into_iter().rev() {
        if api.class(&c).is_some() {
            s = s.replacen(&format!("{c} "), &format!("[{c}]({c}.md) "), 1);
        }
    }
    cell(&s)
}

/// The history in the model's wording, `-` for an item without one.
fn lifecycle_text(l: &Lifecycle) -> String {
    l.history().unwrap_or_else(|| "-".into())
}

fn signature(m: &Message) -> String {
    let params: Vec<String> = m
        .params
        .iter()
        .map(|p| match &p.default {
            Some(d) => format!("{} {} = {}", p.ty, p.name, d.to_notation()),
            None => format!("{} {}", p.ty, p.name),
        })
        .collect();
    format!("{} {}({})", m.result, m.name, params.join(", "))
}

struct FieldRow {
    name: String,
    ty: String,
    qualifier: String,
    default: String,
    lifecycle: String,
    doc: String,
}

struct EnumSection {
    name: String,
    doc: String,
    values: Vec<(String, String)>,
}

struct MessageSection {
    anchor: String,
    name: String,
    signature: String,
    doc: String,
    origin: String,
    params: Vec<(String, String, String)>,
    result: String,
    rust: String,
    python: String,
    roles: String,
    errors: Vec<String>,
    lifecycle: String,
    deprecated: bool,
    /// [`Message::INTERNAL_NOTE`] for an internal message.
    internal: Option<&'static str>,
    async_form: Option<String>,
    /// The second wire name and how the `XenAPI` module calls it, shown
    /// where Python cannot spell the message as an attribute
    /// (`event_from` for `event.from`).
    alias: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "docs/templates/class.md", escape = "none")]
struct ClassTpl {
    name: String,
    /// The class diagram, relative to the class page.
    diagram: String,
    doc: String,
    lifecycle: String,
    /// `Deprecated since ...` as a sentence, for a retired class.
    retirement: Option<String>,
    rust_names: String,
    python_names: String,
    enums: Vec<EnumSection>,
    fields: Vec<FieldRow>,
    messages: Vec<MessageSection>,
}

fn origin_text(m: &Message) -> String {
    match &m.origin {
        MessageOrigin::Explicit => "written in the schema".into(),
        MessageOrigin::Derived { field: Some(f), .. } => format!("derived from field `{f}`"),
        MessageOrigin::Derived { .. } => "derived from the class settings".into(),
    }
}

fn class_page_text(api: &Api, c: &Class) -> String {
    let enums = c
        .enums
        .iter()
        .map(|e| EnumSection {
            name: e.name.clone(),
            doc: cell(&e.description),
            values: e
                .values
                .iter()
                .map(|v| (format!("`{}`", v.name), v.lifecycle.described(&cell(&v.description))))
                .collect(),
        })
        .collect();
    let fields = c
        .fields
        .iter()
        .map(|f| FieldRow {
            name: f.name.clone(),
            ty: type_link(&f.ty, api),
            qualifier: f.qualifier.to_string(),
            default: f
                .default
                .as_ref()
                .map(|d| format!("`{}`", code_cell(&d.to_notation())))
                .unwrap_or_else(|| "-".into()),
            lifecycle: lifecycle_text(&f.lifecycle),
            doc: cell(&f.description),
        })
        .collect();
    let messages = c
        .messages
        .iter()
        .map(|m| MessageSection {
            anchor: format!("message-{}", m.name),
            name: m.name.clone(),
            signature: signature(m),
            doc: cell(&m.description),
            origin: origin_text(m),
            params: m
                .params
                .iter()
                .map(|p| {
                    (
                        p.name.clone(),
                        type_link(&p.ty, api),
                        p.lifecycle.described(&p.description.as_deref().map(cell).unwrap_or_default()),
                    )
                })
                .collect(),
            result: type_link(&m.result, api),
            rust: rs::call(c, m),
            python: py::call(c, m),
            roles: api.roles_text(m.roles),
            errors: m
                .errors
                .iter()
                .map(|id| {
                    let e = &api.error(*id).code;
                    match m.error_added(*id) {
                        Some(t) => format!("[{e}](../errors.md#{e}) ({})", t.added_phrase()),
                        None => format!("[{e}](../errors.md#{e})"),
                    }
                })
                .collect(),
            lifecycle: lifecycle_text(&m.lifecycle),
            deprecated: m.lifecycle.is_deprecated(),
            internal: m.internal.then_some(Message::INTERNAL_NOTE),
            async_form: m.has_async.then(|| m.async_wire_name(c)),
            alias: py::module_alias_call(c, m).map(|call| (m.alias_wire_name(c), call)),
        })
        .collect();
    ClassTpl {
        name: c.name.clone(),
        diagram: format!("../{}", diagram::class_diagram(&c.name)),
        doc: prose(&c.description),
        lifecycle: lifecycle_text(&c.lifecycle),
        retirement: c.lifecycle.retirement().as_deref().map(sentence),
        rust_names: format!(
            "`xenapi::{}`, `{}`, `{}`, `{}`",
            rs::type_name(&c.name),
            rs::ref_type(&c.name),
            rs::record_type(&c.name),
            rs::server_trait(&c.name)
        ),
        python_names: format!(
            "`session.{}`, `{}`, `{}`",
            py::class_attr(&c.name),
            py::ref_type(&c.name),
            py::record_type(&c.name)
        ),
        enums,
        fields,
        messages,
    }
    .render()
    .expect("class page renders")
}

#[derive(Template)]
#[template(path = "docs/templates/index.md", escape = "none")]
struct IndexTpl {
    name: String,
    overview: &'static str,
    doc: String,
    counts: String,
    classes: Vec<(String, String, String, bool)>,
}

#[derive(Template)]
#[template(path = "docs/templates/errors.md", escape = "none")]
struct ErrorsTpl {
    errors: Vec<(String, String, String, Vec<String>)>,
}

struct ReleaseSection {
    code: String,
    label: String,
    groups: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "docs/templates/releases.md", escape = "none")]
struct ReleasesTpl {
    releases: Vec<ReleaseSection>,
}

/// What each release added, deprecated and removed, from the lifecycles.
fn releases(api: &Api) -> String {
    // release index -> (kind heading -> items)
    let mut by: BTreeMap<usize, BTreeMap<&'static str, Vec<String>>> = BTreeMap::new();
    let mut note = |l: &Lifecycle, item: String| {
        for t in &l.transitions {
            let heading = match t.kind {
                TransitionKind::Published => "Published",
                TransitionKind::Prototyped => "Prototyped",
                TransitionKind::Deprecated => "Deprecated",
                TransitionKind::Removed => "Removed",
                TransitionKind::Changed | TransitionKind::Extended => "Changed or extended",
            };
            by.entry(t.release_index).or_default().entry(heading).or_default().push(item.clone());
        }
    };
    // Error codes a release added to messages that were already there.
    let mut added = Vec::new();
    for c in &api.classes {
        note(&c.lifecycle, format!("class [{0}](classes/{0}.md)", c.name));
        for f in &c.fields {
            note(&f.lifecycle, format!("field [{0}.{1}](classes/{0}.md#field-{1})", c.name, f.name));
        }
        for e in c.enums.iter().filter(|e| e.home) {
            for v in &e.values {
                note(
                    &v.lifecycle,
                    format!("value `{2}` of enum [{1}](classes/{0}.md#enum-{1})", c.name, e.name, v.name),
                );
            }
        }
        for m in c.messages.iter().filter(|m| !m.is_derived()) {
            let link = format!("[{0}.{1}](classes/{0}.md#message-{1})", c.name, m.name);
            note(&m.lifecycle, format!("message {link}"));
            for p in &m.params {
                note(&p.lifecycle, format!("parameter `{}` of {link}", p.name));
            }
            for (id, t) in &m.errors_added {
                let code = &api.error(*id).code;
                let item = format!("error [{code}](errors.md#{code}) of {link}");
                added.push((t.release_index, item));
            }
        }
    }
    for e in &api.errors {
        note(&e.lifecycle, format!("error [{0}](errors.md#{0})", e.code));
    }
    for (idx, item) in added {
        by.entry(idx).or_default().entry("Errors added to messages").or_default().push(item);
    }
    let order = ["Published", "Prototyped", "Changed or extended", "Errors added to messages", "Deprecated", "Removed"];
    let releases = api
        .releases
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let mut groups = by.remove(&i)?;
            Some(ReleaseSection {
                code: r.code.clone(),
                label: r.label.clone(),
                groups: order.iter().filter_map(|h| groups.remove(h).map(|items| (h.to_string(), items))).collect(),
            })
        })
        .collect();
    ReleasesTpl { releases }.render().expect("releases page renders")
}

/// Every file of `generated/docs`.
pub fn generate(api: &Api) -> Vec<GeneratedFile> {
    let messages: usize = api.classes.iter().map(|c| c.messages.len()).sum();
    let index = IndexTpl {
        name: api.name.clone(),
        overview: diagram::OVERVIEW,
        doc: prose(&api.description),
        counts: format!(
            "{} classes, {} messages ({} derived), {} error codes, {} releases",
            api.classes.len(),
            messages,
            api.classes.iter().flat_map(|c| &c.messages).filter(|m| m.is_derived()).count(),
            api.errors.len(),
            api.releases.len()
        ),
        classes: api
            .classes
            .iter()
            .map(|c| {
                let since = c.lifecycle.introduced().map(|t| t.release_name()).unwrap_or_default();
                (c.name.clone(), cell(&c.description), since, c.lifecycle.is_deprecated())
            })
            .collect(),
    };
    // Which messages name each error.
    let mut raised_by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (c, m) in api.messages() {
        for e in api.error_codes(&m.errors) {
            raised_by.entry(e).or_default().push(format!("[{0}.{1}](classes/{0}.md#message-{1})", c.name, m.name));
        }
    }
    let errors = ErrorsTpl {
        errors: api
            .errors
            .iter()
            .map(|e| {
                let params = if e.params.is_empty() {
                    "-".to_string()
                } else {
                    e.params.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                };
                (
                    e.code.clone(),
                    params,
                    e.lifecycle.described(&prose(&e.description)),
                    raised_by.remove(e.code.as_str()).unwrap_or_default(),
                )
            })
            .collect(),
    };
    let mut files = vec![
        GeneratedFile::new("docs/index.md", index.render().expect("index renders")),
        GeneratedFile::new("docs/errors.md", errors.render().expect("errors page renders")),
        GeneratedFile::new("docs/releases.md", releases(api)),
        GeneratedFile::new("docs/book.toml", book::config(api)),
        GeneratedFile::new("docs/SUMMARY.md", book::summary(api)),
        GeneratedFile::new("docs/404.md", book::NOT_FOUND),
    ];
    let (class_diagrams, overview) = diagram::layouts(api);
    files.push(GeneratedFile::new(format!("docs/{}", diagram::OVERVIEW), diagram::svg::render(&overview)));
    for (name, layout) in &class_diagrams {
        files.push(GeneratedFile::new(format!("docs/{}", diagram::class_diagram(name)), diagram::svg::render(layout)));
    }
    for c in &api.classes {
        files.push(GeneratedFile::new(format!("docs/{}", class_page(&c.name)), class_page_text(api, c)));
    }
    files
}
