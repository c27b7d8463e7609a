//! Typed stubs for the PyPI `XenAPI` module: a PEP 561 stub-only
//! distribution (`types-XenAPI`, package `XenAPI-stubs`) that lets mypy
//! and pyright check programs written against the untyped module.
//!
//! The module dispatches any attribute path to the server, so the stubs
//! spell out what exists: `session.xenapi.<class>.<message>` and
//! `session.xenapi.Async.<class>.<message>` with the parameters after the
//! session (the module passes it itself), records as `TypedDict`s under
//! their wire field names, enums as `Literal`s of their wire values, and
//! one `NewType` of `str` per class for references. What the module does
//! itself (login and logout, `Failure`, the Unix socket transport) is
//! described in `templates/XenAPI.pyi` from the module's behaviour.
//!
//! Enums are closed `Literal`s, with no `str` fallback: the stubs describe
//! one schema release, and a fallback would make every string a valid
//! value, so a misspelt one would no longer be caught.

mod types;

use super::python::{method_doc, py_str};
use super::GeneratedFile;
use crate::model::{Api, Class, ClassKind, Message, Type};
use crate::names::python as names;
use askama::Template;
use std::collections::BTreeSet;

/// The distribution's root folder inside the output.
const ROOT: &str = "python-stubs";
/// The stub package: the runtime module's import name plus `-stubs`.
const PACKAGE: &str = "XenAPI-stubs";

/// One method of a stub class, its signature rendered.
struct MethodView {
    name: String,
    /// The parameters after `self`, ending in `/` (the module passes
    /// arguments by position only).
    params: String,
    ret: String,
    deprecated: Option<String>,
    /// The docstring body (what an editor shows on hover).
    doc: String,
}

/// A class of methods: one API class, or its `Async.` forms.
struct CallsView {
    name: String,
    /// The API class name, for the docstring.
    api: String,
    methods: Vec<MethodView>,
}

/// A `TypedDict`: its name, its fields (key, key as a string literal,
/// annotation), and whether every key is an identifier (the class syntax)
/// or not (the functional syntax).
struct DictView {
    name: String,
    fields: Vec<(String, String, String)>,
    class_syntax: bool,
}

impl DictView {
    fn new(name: String, fields: Vec<(String, String)>) -> Self {
        let class_syntax = fields.iter().all(|(k, _)| names::verbatim(k).is_some());
        let fields = fields.into_iter().map(|(k, a)| {
            let lit = py_str(&k);
            (k, lit, a)
        });
        DictView { name, fields: fields.collect(), class_syntax }
    }
}

#[derive(Template)]
#[template(path = "python_stubs/templates/_types.pyi", escape = "none")]
struct TypesTpl {
    imports: Vec<&'static str>,
    refs: Vec<String>,
    enums: Vec<(String, String)>,
    records: Vec<DictView>,
    create_args: Vec<DictView>,
    /// One dict, in a list so that the one template renders all.
    event_batch: [DictView; 1],
}

#[derive(Template)]
#[template(path = "python_stubs/templates/_api.pyi", escape = "none")]
struct ApiTpl {
    imports: Vec<&'static str>,
    deprecated: bool,
    classes: Vec<CallsView>,
    async_classes: Vec<CallsView>,
    /// (attribute, class) on `session.xenapi` and `session.xenapi.Async`.
    attrs: Vec<(String, String)>,
    async_attrs: Vec<(String, String)>,
    /// Methods at the top of `session.xenapi`: logins and aliases.
    top: Vec<MethodView>,
}

#[derive(Template)]
#[template(path = "python_stubs/templates/XenAPI.pyi", escape = "none")]
struct ModuleTpl {
    logins: Vec<MethodView>,
    /// The type of a session reference (`str` for an API without sessions).
    session_ref: String,
}

#[derive(Template)]
#[template(path = "python_stubs/templates/pyproject.toml", escape = "none")]
struct PyprojectTpl {
    package: &'static str,
}

/// The imports a stub module needs for the annotations it writes: each
/// name the annotations use as a whole word, with its import line.
fn imports<'a>(annotations: impl Iterator<Item = &'a str>) -> Vec<&'static str> {
    const FROM: &[(&str, &str)] = &[
        ("Mapping", "from collections.abc import Mapping"),
        ("datetime", "from datetime import datetime"),
        ("Any", "from typing import Any"),
        ("DateTime", "from xmlrpc.client import DateTime"),
        ("NotRequired", "from typing_extensions import NotRequired"),
    ];
    let mut used = BTreeSet::new();
    for a in annotations {
        used.extend(a.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty()));
    }
    FROM.iter().filter(|(name, _)| used.contains(name)).map(|(_, line)| *line).collect()
}

fn params(m: &Message) -> String {
    let mut out: Vec<String> = m
        .call_params()
        .iter()
        .map(|p| {
            let default = if p.default.is_some() { " = ..." } else { "" };
            format!("{}: {}{default}", names::ident(&p.name), types::param(&p.ty))
        })
        .collect();
    if !out.is_empty() {
        out.push("/".into());
    }
    out.iter().map(|p| format!(", {p}")).collect()
}

fn method(api: &Api, name: &str, class: &Class, m: &Message, ret: String) -> MethodView {
    let deprecated = m.lifecycle.retirement().map(|d| py_str(&format!("{} is {d}", m.wire_name(class))));
    MethodView { name: name.to_string(), params: params(m), ret, deprecated, doc: method_doc(api, m) }
}

/// The login family: the messages called without a session.
fn logins(api: &Api) -> impl Iterator<Item = (&Class, &Message)> {
    api.class_of_kind(ClassKind::Session)
        .into_iter()
        .flat_map(|c| c.messages.iter().filter(|m| !m.takes_session()).map(move |m| (c, m)))
}

/// `logout` as the module handles it: it ends the session itself and
/// returns `None`, whatever the server answers.
fn logout() -> MethodView {
    MethodView {
        name: "logout".into(),
        params: String::new(),
        ret: "None".into(),
        deprecated: None,
        doc: "Ends the session on the server; the module itself returns ``None``, whatever the server answers.".into(),
    }
}

fn calls(api: &Api, c: &Class) -> CallsView {
    let session = c.kind() == ClassKind::Session;
    let methods = c
        .messages
        .iter()
        .filter(|m| m.takes_session())
        .filter_map(|m| {
            let name = names::verbatim(&m.name)?;
            // `session.logout` is caught by the module like `logout`.
            if session && name == "logout" {
                return Some(MethodView { deprecated: None, ..logout() });
            }
            Some(method(api, name, c, m, types::result(&m.result)))
        })
        .collect();
    CallsView { name: names::api_class(&c.name), api: c.name.clone(), methods }
}

/// What the docstring of an `Async.` form adds to the message's own.
const ASYNC_NOTE: &str = "Under ``Async``: starts the call as a server task and returns the task's reference at once; the task's result is the call's.";

fn async_calls(api: &Api, c: &Class) -> CallsView {
    let methods = c
        .messages
        .iter()
        .filter(|m| m.has_async && m.takes_session())
        .filter_map(|m| {
            let mut view = method(api, names::verbatim(&m.name)?, c, m, types::result(&Type::task_ref()));
            view.doc = format!("{}\n\n        {ASYNC_NOTE}", view.doc);
            Some(view)
        })
        .collect();
    CallsView { name: names::async_api_class(&c.name), api: c.name.clone(), methods }
}

fn api_module(api: &Api) -> String {
    let reachable = api.classes.iter().filter_map(|c| Some((names::verbatim(&c.name)?, c)));
    let (mut classes, mut async_classes, mut attrs, mut async_attrs) = (vec![], vec![], vec![], vec![]);
    for (attr, c) in reachable {
        let calls = calls(api, c);
        attrs.push((attr.to_string(), calls.name.clone()));
        classes.push(calls);
        let a = async_calls(api, c);
        // An `Async.` call returns a task: none without a task class.
        if !a.methods.is_empty() && api.class_of_kind(ClassKind::Task).is_some() {
            async_attrs.push((attr.to_string(), a.name.clone()));
            async_classes.push(a);
        }
    }
    // `session.xenapi.login_*(...)` logs in, like the same call on the
    // session object (only the names starting with `login`).
    let mut top: Vec<MethodView> = logins(api)
        .filter(|(_, m)| m.name.starts_with("login"))
        .map(|(c, m)| method(api, &m.name, c, m, "None".into()))
        .collect();
    top.push(logout());
    top.extend(spelt_by_alias(api));
    let methods = || classes.iter().chain(&async_classes).flat_map(|c| &c.methods).chain(&top);
    let imports = imports(methods().flat_map(|m| [m.params.as_str(), m.ret.as_str()]));
    let deprecated = methods().any(|m| m.deprecated.is_some());
    ApiTpl { imports, deprecated, classes, async_classes, attrs, async_attrs, top }
        .render()
        .expect("stub api template renders")
}

/// The messages Python cannot spell as `session.xenapi.<class>.<message>`
/// (`event.from`, `VM.import`), which the module reaches at the top of
/// `session.xenapi` under their second wire name (`event_from`).
fn spelt_by_alias(api: &Api) -> impl Iterator<Item = MethodView> + '_ {
    api.classes.iter().flat_map(move |c| {
        c.messages
            .iter()
            .filter_map(move |m| Some(method(api, &names::module_alias(c, m)?, c, m, types::result(&m.result))))
    })
}

fn types_module(api: &Api) -> String {
    let refs = api.classes.iter().map(|c| names::ref_type(&c.name)).collect();
    let enums = api
        .unique_enums()
        .map(|(_, e)| {
            let values: Vec<String> = e.values.iter().map(|v| py_str(&v.name)).collect();
            (names::enum_type(&e.name), values.join(", "))
        })
        .collect();
    let records: Vec<DictView> = api
        .classes
        .iter()
        .filter(|c| !c.fields.is_empty())
        .map(|c| {
            DictView::new(
                names::record_type(&c.name),
                c.fields.iter().map(|f| (f.name.clone(), types::result(&f.ty))).collect(),
            )
        })
        .collect();
    // The records a `create` takes: the fields given at creation, those
    // with a default optional.
    let mut wanted = BTreeSet::new();
    for (_, m) in api.messages() {
        for p in m.call_params() {
            p.ty.visit(&mut |t| {
                if let Type::Record(c) = t {
                    wanted.insert(c.clone());
                }
            });
        }
    }
    let create_args: Vec<DictView> = api
        .classes
        .iter()
        .filter(|c| wanted.contains(&c.name))
        .map(|c| {
            let fields = c
                .fields
                .iter()
                .filter(|f| f.in_constructor())
                .map(|f| {
                    let ann = types::param(&f.ty);
                    (f.name.clone(), if f.default.is_some() { format!("NotRequired[{ann}]") } else { ann })
                })
                .collect();
            DictView::new(names::create_args_type(&c.name), fields)
        })
        .collect();
    // Each event as the record of the event class, where the API has one.
    let event = match api.class_of_kind(ClassKind::Event) {
        Some(c) if !c.fields.is_empty() => Type::event_record(),
        _ => Type::AnyRecord,
    };
    let event_batch = DictView::new(
        "EventBatch".into(),
        vec![
            ("events".into(), format!("list[{}]", types::result(&event))),
            ("valid_ref_counts".into(), types::result(&Type::Map(Box::new(Type::String), Box::new(Type::Int)))),
            ("token".into(), types::result(&Type::String)),
        ],
    );
    let dicts: Vec<&DictView> = records.iter().chain(&create_args).chain([&event_batch]).collect();
    let imports = imports(dicts.iter().flat_map(|d| d.fields.iter().map(|f| f.2.as_str())));
    TypesTpl { imports, refs, enums, records, create_args, event_batch: [event_batch] }
        .render()
        .expect("stub types template renders")
}

/// Every file of `generated/python-stubs`.
pub fn generate(api: &Api) -> Vec<GeneratedFile> {
    let logins = logins(api)
        .filter(|(_, m)| m.name.starts_with("login") || m.name.starts_with("slave_local"))
        .map(|(c, m)| method(api, &m.name, c, m, "None".into()))
        .chain([logout()])
        .collect();
    let session_ref = match api.class_of_kind(ClassKind::Session) {
        Some(_) => types::result(&Type::session_ref()),
        None => "str".into(),
    };
    let pkg = format!("{ROOT}/{PACKAGE}");
    vec![
        GeneratedFile::new(
            format!("{ROOT}/pyproject.toml"),
            PyprojectTpl { package: PACKAGE }.render().expect("renders"),
        ),
        GeneratedFile::new(format!("{pkg}/__init__.pyi"), include_str!("static/__init__.pyi")),
        GeneratedFile::new(format!("{pkg}/XenAPI.pyi"), ModuleTpl { logins, session_ref }.render().expect("renders")),
        GeneratedFile::new(format!("{pkg}/_types.pyi"), types_module(api)),
        GeneratedFile::new(format!("{pkg}/_api.pyi"), api_module(api)),
    ]
}
