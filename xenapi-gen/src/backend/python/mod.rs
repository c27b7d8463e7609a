//! The Python backend: writes the package `xenapi_client` (typed records as
//! dataclasses, `str` enums that keep unknown values, one exception class
//! per error code, a blocking and an asyncio client) on the standard
//! library only, for Python 3.9 and later.

mod types;

use super::GeneratedFile;
use crate::model::lifecycle::sentence;
use crate::model::{Api, Class, Field, Literal, Message, Type};
use crate::names::python as names;
use askama::Template;
use std::collections::BTreeSet;

const STATIC: &[(&str, &str)] = &[
    ("_wire.py", include_str!("static/_wire.py")),
    ("_transport.py", include_str!("static/_transport.py")),
    ("_session.py", include_str!("static/_session.py")),
    ("py.typed", ""),
];

/// Python package name (import name), chosen not to clash with the
/// `XenAPI` module on case-insensitive file systems.
pub const PACKAGE: &str = "xenapi_client";

/// Text inside a `"""` docstring (a quote at its end is escaped too, so
/// that it cannot run into the closing quotes).
fn docstring(s: &str) -> String {
    let mut out = s.trim().replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    if out.ends_with('"') {
        out.pop();
        out.push_str("\\\"");
    }
    out
}

/// A Python string literal.
pub(crate) fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ----- errors -----

struct ErrorView {
    class: String,
    code: String,
    doc: String,
    names: String,
    props: Vec<(String, usize)>,
}

#[derive(Template)]
#[template(path = "python/templates/errors.py", escape = "none")]
struct ErrorsTpl {
    errors: Vec<ErrorView>,
}

const ERROR_ATTRS: &[&str] = &["args", "details", "params", "CODE", "PARAM_NAMES", "with_traceback", "add_note"];

fn errors(api: &Api) -> String {
    let errors = api
        .errors
        .iter()
        .map(|e| {
            let mut props: Vec<(String, usize)> = Vec::new();
            for (i, p) in e.params.iter().enumerate() {
                let mut id = names::ident(p);
                while ERROR_ATTRS.contains(&id.as_str()) || props.iter().any(|(x, _)| *x == id) {
                    id.push('_');
                }
                props.push((id, i));
            }
            let names = match e.params.len() {
                0 => "()".to_string(),
                1 => format!("({},)", py_str(&e.params[0])),
                _ => format!("({})", e.params.iter().map(|p| py_str(p)).collect::<Vec<_>>().join(", ")),
            };
            ErrorView {
                class: names::error_class(&e.code),
                code: e.code.clone(),
                doc: docstring(&e.lifecycle.described(e.description.trim())),
                names,
                props,
            }
        })
        .collect();
    ErrorsTpl { errors }.render().expect("errors template renders")
}

// ----- enums -----

struct EnumView {
    name: String,
    doc: String,
    members: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "python/templates/enums.py", escape = "none")]
struct EnumsTpl {
    enums: Vec<EnumView>,
}

fn enums(api: &Api) -> String {
    let enums = api
        .unique_enums()
        .map(|(_, e)| EnumView {
            name: names::enum_type(&e.name),
            doc: docstring(&e.description),
            members: e
                .values
                .iter()
                .map(|v| {
                    (
                        names::enum_member(&v.name),
                        py_str(&v.name),
                        docstring(&v.lifecycle.described(v.description.trim())),
                    )
                })
                .collect(),
        })
        .collect();
    EnumsTpl { enums }.render().expect("enums template renders")
}

// ----- records -----

struct FieldView {
    name: String,
    ann: String,
    default: String,
    wire: String,
    conv: String,
    wire_default: String,
    doc: String,
}

struct RecordView {
    name: String,
    doc: String,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "python/templates/records.py", escape = "none")]
struct RecordsTpl {
    enum_names: Vec<String>,
    refs: Vec<(String, String)>,
    records: Vec<RecordView>,
    converters: Vec<(String, String)>,
    snapshot_classes: Vec<(String, String)>,
}

/// A Python expression for a default value of a field.
fn default_expr(ty: &Type, lit: Option<&Literal>) -> String {
    let mutable = |e: String| format!("field(default_factory=lambda: {e})");
    match (ty, lit) {
        (Type::Option(_), None) => "None".into(),
        (Type::Option(t), Some(l)) => default_expr(t, Some(l)),
        (Type::Set(t), Some(Literal::Set(items))) if !items.is_empty() => {
            mutable(format!("[{}]", items.iter().map(|i| value_expr(t, i)).collect::<Vec<_>>().join(", ")))
        }
        (Type::Set(_), _) => "field(default_factory=list)".into(),
        (Type::Map(k, v), Some(Literal::Map(pairs))) if !pairs.is_empty() => mutable(format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(a, b)| format!("{}: {}", value_expr(k, a), value_expr(v, b)))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        (Type::Map(..), _) | (Type::AnyRecord, _) => "field(default_factory=dict)".into(),
        (Type::Record(c), _) => format!("field(default_factory={})", names::record_type(c)),
        (_, Some(l)) => value_expr(ty, l),
        (Type::String, None) => "\"\"".into(),
        (Type::Int, None) => "0".into(),
        (Type::Float, None) => "0.0".into(),
        (Type::Bool, None) => "False".into(),
        (Type::DateTime, None) => "EPOCH".into(),
        (Type::Ref(c), None) => format!("{}(\"OpaqueRef:NULL\")", names::ref_type(c)),
        (Type::Enum(e), None) => format!("{}.first()", names::enum_type(e)),
        (Type::Void | Type::EventBatch, None) => "None".into(),
    }
}

fn value_expr(ty: &Type, l: &Literal) -> String {
    match (ty, l) {
        (Type::Enum(e), Literal::Enum(v)) => format!("{}.{}", names::enum_type(e), names::enum_member(v)),
        (Type::Ref(c), Literal::Ref(r)) => {
            format!("{}({})", names::ref_type(c), py_str(if l.is_null_ref() { "OpaqueRef:NULL" } else { r }))
        }
        (_, Literal::String(s)) => py_str(s),
        (_, Literal::Int(i)) => i.to_string(),
        (_, Literal::Float(f)) => format!("{f:?}"),
        (_, Literal::Bool(b)) => {
            if *b {
                "True".into()
            } else {
                "False".into()
            }
        }
        (_, Literal::DateTime(s)) => format!("parse_datetime({})", py_str(s)),
        _ => "None".into(),
    }
}

/// The wire value used when a field is missing from a reply.
fn wire_default(ty: &Type, lit: Option<&Literal>) -> String {
    match (ty, lit) {
        (Type::Set(_) | Type::Map(..) | Type::AnyRecord | Type::Record(_), None) => "()".into(),
        (Type::Set(_), Some(Literal::Set(v))) if v.is_empty() => "()".into(),
        (Type::Map(..), Some(Literal::Map(v))) if v.is_empty() => "()".into(),
        (Type::Option(_), None) => "None".into(),
        (Type::Option(t), Some(l)) => wire_default(t, Some(l)),
        (_, Some(l)) => wire_literal(l),
        (Type::String, None) => "\"\"".into(),
        (Type::Int, None) => "0".into(),
        (Type::Float, None) => "0.0".into(),
        (Type::Bool, None) => "False".into(),
        (Type::DateTime, None) => "EPOCH".into(),
        (Type::Ref(_), None) => "\"OpaqueRef:NULL\"".into(),
        (Type::Enum(e), None) => format!("{}.first().value", names::enum_type(e)),
        _ => "None".into(),
    }
}

fn wire_literal(l: &Literal) -> String {
    match l {
        Literal::String(s) | Literal::Enum(s) | Literal::DateTime(s) => py_str(s),
        Literal::Ref(r) => py_str(if l.is_null_ref() { "OpaqueRef:NULL" } else { r }),
        Literal::Int(i) => i.to_string(),
        Literal::Float(f) => format!("{f:?}"),
        Literal::Bool(b) => {
            if *b {
                "True".into()
            } else {
                "False".into()
            }
        }
        Literal::Set(items) => format!("[{}]", items.iter().map(wire_literal).collect::<Vec<_>>().join(", ")),
        Literal::Map(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(a, b)| format!("{}: {}", wire_literal(a), wire_literal(b)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn record_view(c: &Class) -> RecordView {
    let fields = c
        .fields
        .iter()
        .map(|f: &Field| {
            let name = names::ident(&f.name);
            let mut doc = docstring(&f.description);
            if let Some(h) = f.lifecycle.history() {
                doc = format!("{doc} ({h}; {})", f.qualifier);
            }
            let mut default = default_expr(&f.ty, f.default.as_ref());
            if name != f.name {
                // The wire name of a renamed field travels in the metadata.
                let meta = format!("metadata={{\"wire\": {}}}", py_str(&f.name));
                default = match default.strip_prefix("field(").and_then(|d| d.strip_suffix(')')) {
                    Some(inner) => format!("field({inner}, {meta})"),
                    None => format!("field(default={default}, {meta})"),
                };
            }
            FieldView {
                ann: types::annotation(&f.ty),
                default,
                wire: f.name.clone(),
                conv: types::converter(&f.ty),
                wire_default: wire_default(&f.ty, f.default.as_ref()),
                name,
                doc,
            }
        })
        .collect();
    RecordView { name: names::record_type(&c.name), doc: docstring(&c.description), fields }
}

/// Every type whose converter the package needs.
fn used_types(api: &Api) -> Vec<Type> {
    let mut out = BTreeSet::new();
    for c in &api.classes {
        for f in &c.fields {
            out.insert(f.ty.clone());
        }
        for m in &c.messages {
            out.insert(m.result.clone());
        }
    }
    // What every `Async.` call returns.
    out.insert(Type::task_ref());
    out.into_iter().collect()
}

fn records(api: &Api) -> String {
    // The enums a record field or a converter names; an enum only a
    // message parameter uses is not needed here.
    let used = used_types(api);
    let mut wanted = BTreeSet::new();
    let field_types = api.classes.iter().flat_map(|c| c.fields.iter().map(|f| &f.ty));
    for t in field_types.chain(used.iter()) {
        t.visit(&mut |p| {
            if let Type::Enum(e) = p {
                wanted.insert(e.clone());
            }
        });
    }
    let enum_names =
        api.unique_enums().filter(|(_, e)| wanted.contains(&e.name)).map(|(_, e)| names::enum_type(&e.name)).collect();
    let refs = api.classes.iter().map(|c| (names::ref_type(&c.name), c.name.clone())).collect();
    let records = api.classes.iter().filter(|c| !c.fields.is_empty()).map(record_view).collect();
    let converters = types::converter_defs(&used);
    let snapshot_classes = api
        .classes
        .iter()
        .filter(|c| !c.fields.is_empty())
        .map(|c| (c.name.to_ascii_lowercase(), format!("conv_{}", names::record_type(&c.name))))
        .collect();
    RecordsTpl { enum_names, refs, records, converters, snapshot_classes }.render().expect("records template renders")
}

// ----- api -----

struct ParamView {
    name: String,
    ann: String,
    send: String,
}

struct MethodView {
    name: String,
    wire: String,
    params: Vec<ParamView>,
    ret: String,
    conv: String,
    void: bool,
    session: bool,
    is_async_form: bool,
    doc: String,
    deprecated: Option<String>,
}

struct ClassView {
    attr: String,
    api_class: String,
    doc: String,
    methods: Vec<MethodView>,
}

#[derive(Template)]
#[template(path = "python/templates/api.py", escape = "none")]
struct ApiTpl {
    aio: bool,
    enum_imports: Vec<String>,
    record_imports: Vec<String>,
    typing: String,
    uses_datetime: bool,
    uses_warnings: bool,
    classes: Vec<ClassView>,
}

/// The docstring of a message's method, for a method inside a class:
/// its description, then its history, whether it is internal, and the
/// errors it may raise. The typed stubs of the `XenAPI` module show the
/// same text.
pub(crate) fn method_doc(api: &Api, m: &Message) -> String {
    let mut doc = docstring(&m.description);
    if let Some(h) = m.lifecycle.history() {
        doc = format!("{doc}\n\n        {}", sentence(&h));
    }
    if m.internal {
        doc = format!("{doc}\n\n        {}", Message::INTERNAL_NOTE);
    }
    if !m.errors.is_empty() {
        doc = format!("{doc}\n\n        Errors: {}.", api.error_codes(&m.errors).collect::<Vec<_>>().join(", "));
    }
    doc
}

fn method_views(api: &Api, class: &Class, m: &Message) -> Vec<MethodView> {
    let params: Vec<ParamView> = m
        .call_params()
        .iter()
        .map(|p| {
            let name = names::ident(&p.name);
            let send = match &p.ty {
                Type::Record(_) => format!("record_to_wire({name})"),
                _ => name.clone(),
            };
            ParamView { ann: types::annotation(&p.ty), name, send }
        })
        .collect();
    let doc = method_doc(api, m);
    let wire = m.wire_name(class);
    let base = MethodView {
        name: names::ident(&m.name),
        wire: wire.clone(),
        params,
        ret: types::annotation(&m.result),
        conv: types::converter(&m.result),
        void: m.result == Type::Void,
        session: m.takes_session(),
        is_async_form: false,
        doc,
        deprecated: m.lifecycle.retirement().map(|d| format!("{wire} is {d}")),
    };
    let mut out = Vec::new();
    if m.has_async {
        out.push(MethodView {
            name: names::async_method(&m.name),
            wire: m.async_wire_name(class),
            params: base
                .params
                .iter()
                .map(|p| ParamView { name: p.name.clone(), ann: p.ann.clone(), send: p.send.clone() })
                .collect(),
            ret: base.ret.clone(),
            conv: base.conv.clone(),
            void: base.void,
            session: true,
            is_async_form: true,
            doc: format!(
                "{}\n\n        Runs as a server task; ``wait()`` on the returned task gives the result.",
                base.doc
            ),
            deprecated: base.deprecated.clone(),
        });
    }
    out.insert(0, base);
    out
}

fn api_module(api: &Api, aio: bool) -> String {
    let classes: Vec<ClassView> = api
        .classes
        .iter()
        .filter(|c| !c.messages.is_empty())
        .map(|c| ClassView {
            attr: names::class_attr(&c.name),
            api_class: if aio { names::async_api_class(&c.name) } else { names::api_class(&c.name) },
            doc: docstring(&c.description),
            methods: c.messages.iter().flat_map(|m| method_views(api, c, m)).collect(),
        })
        .collect();
    // Import exactly the names the module uses.
    let (mut enum_imports, mut record_imports) = (BTreeSet::new(), BTreeSet::new());
    let mut annotations = String::new();
    let mut add_type = |t: &Type| {
        t.visit(&mut |part| match part {
            Type::Ref(c) => {
                record_imports.insert(names::ref_type(c));
            }
            Type::Record(c) => {
                record_imports.insert(names::record_type(c));
            }
            Type::Enum(e) => {
                enum_imports.insert(names::enum_type(e));
            }
            Type::EventBatch => {
                record_imports.insert("EventBatch".to_string());
            }
            _ => {}
        });
    };
    for c in api.classes.iter().filter(|c| !c.messages.is_empty()) {
        for m in &c.messages {
            add_type(&m.result);
            annotations.push_str(&types::annotation(&m.result));
            for p in m.call_params() {
                add_type(&p.ty);
                annotations.push_str(&types::annotation(&p.ty));
            }
        }
    }
    let mut uses_warnings = false;
    for cv in &classes {
        for m in &cv.methods {
            record_imports.insert(m.conv.clone());
            uses_warnings |= m.deprecated.is_some();
            if m.params.iter().any(|p| p.send.starts_with("record_to_wire(")) {
                record_imports.insert("record_to_wire".into());
            }
        }
    }
    record_imports.insert("EventRecord".into());
    let mut typing = vec!["Any", if aio { "AsyncIterator" } else { "Iterator" }, "List", "Optional", "Sequence"];
    if annotations.contains("Dict[") {
        typing.push("Dict");
    }
    typing.sort();
    ApiTpl {
        aio,
        enum_imports: enum_imports.into_iter().collect(),
        record_imports: record_imports.into_iter().collect(),
        typing: typing.join(", "),
        uses_datetime: annotations.contains("datetime."),
        uses_warnings,
        classes,
    }
    .render()
    .expect("api template renders")
}

#[derive(Template)]
#[template(path = "python/templates/init.py", escape = "none")]
struct InitTpl {
    api_name: String,
    classes: usize,
    errors: usize,
}

#[derive(Template)]
#[template(path = "python/templates/pyproject.toml", escape = "none")]
struct PyprojectTpl {
    package: &'static str,
}

/// Every file of `generated/python`.
pub fn generate(api: &Api) -> Vec<GeneratedFile> {
    let pkg = format!("python/src/{PACKAGE}");
    let mut files = vec![
        GeneratedFile::new("python/pyproject.toml", PyprojectTpl { package: PACKAGE }.render().expect("renders")),
        GeneratedFile::new(
            format!("{pkg}/__init__.py"),
            InitTpl { api_name: api.name.clone(), classes: api.classes.len(), errors: api.errors.len() }
                .render()
                .expect("renders"),
        ),
        GeneratedFile::new(format!("{pkg}/errors.py"), errors(api)),
        GeneratedFile::new(format!("{pkg}/enums.py"), enums(api)),
        GeneratedFile::new(format!("{pkg}/records.py"), records(api)),
        GeneratedFile::new(format!("{pkg}/api.py"), api_module(api, false)),
        GeneratedFile::new(format!("{pkg}/aio.py"), api_module(api, true)),
    ];
    for (name, text) in STATIC {
        files.push(GeneratedFile::new(format!("{pkg}/{name}"), *text));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::docstring;

    #[test]
    fn docstrings_cannot_close_early() {
        assert_eq!(docstring(" plain \n"), "plain");
        assert_eq!(docstring(r"a \d b"), r"a \\d b");
        assert_eq!(docstring(r#"say """x""" now"#), r#"say \"\"\"x\"\"\" now"#);
        // A final quote would run into the closing `"""`.
        assert_eq!(docstring(r#"called "main""#), r#"called "main\""#);
    }
}
