//! The askama templates in this backend's `templates/` folder and the values
//! they are filled with.

use super::docs::{block, c_string, lifecycle_note};
use super::types::CType;
use super::{event_records, has_handle, ClassInfo, Func, Sdk, BANNER};
use crate::model::{Api, Class, ClassKind, EnumDef};
use crate::names::c as names;
use askama::Template;

fn render(t: &impl Template) -> String {
    // Templates are compiled with the crate; rendering only fails if a
    // value's Display fails, which plain strings never do.
    let mut text = t.render().expect("C templates render");
    // askama drops a template's final newline; C and make want one.
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

// ---------------------------------------------------------------- classes

struct FieldRow {
    doc: String,
    decl: String,
}

struct FuncRow {
    doc: String,
    deprecated: bool,
    ret: String,
    proto: String,
}

#[derive(Template)]
#[template(path = "c/templates/class.h", escape = "none")]
struct ClassH {
    banner: &'static str,
    guard: String,
    includes: Vec<String>,
    forward: Vec<String>,
    intro: String,
    has_handle: bool,
    class: String,
    t: String,
    var: String,
    fields: Vec<FieldRow>,
    functions: Vec<FuncRow>,
    trailer: Vec<String>,
}

/// `xen_session *session, xen_vm *result, xen_vm self, char *new_name`
fn prototype(f: &Func, own: &str) -> String {
    let mut params = vec!["xen_session *session".to_string()];
    if let Some(r) = &f.result {
        params.push(format!("{}*result", r.decl(own)));
    }
    params.extend(f.params.iter().map(|(n, t)| {
        let konst = if f.const_strings && *t == CType::String { "const " } else { "" };
        format!("{konst}{}{n}", t.decl(own))
    }));
    format!("{}({})", f.name, params.join(", "))
}

pub(super) fn class_h(ci: &ClassInfo) -> String {
    let class = ci.class;
    let own = &class.name;
    let kind = class.kind();
    let t = names::type_name(own);
    // xen_session.h is read from the end of xen_common.h, before any
    // other header is complete: it may only pull in declarations.
    let full = kind != ClassKind::Session;
    let mut includes = Vec::new();
    for f in &ci.fields {
        f.ty.headers(own, full, &mut includes);
    }
    for func in &ci.funcs {
        for (_, ty) in &func.params {
            ty.headers(own, full, &mut includes);
        }
        if let Some(r) = &func.result {
            r.headers(own, full, &mut includes);
        }
    }
    if kind != ClassKind::Session {
        includes.push(names::header(&format!("{t}_decl")));
    }
    let skip = [names::header(&t), names::header("xen_common"), names::header("xen_event_batch")];
    let includes = sorted(includes.into_iter().filter(|h| !skip.contains(h)).collect());
    let forward = if kind == ClassKind::Session {
        vec![format!("struct {t}_record;"), format!("struct {t}_record_set;")]
    } else {
        Vec::new()
    };
    let mut intro = vec![format!("The {own} class."), class.description.clone()];
    intro.extend(lifecycle_note(&class.lifecycle));
    let fields = ci
        .fields
        .iter()
        .map(|f| {
            let mut doc = vec![f.description.clone()];
            if f.api != f.ident {
                doc.push(format!("Called {} by the API.", f.api));
            }
            doc.extend(f.note.clone());
            let dep = if f.deprecated { " XEN_DEPRECATED" } else { "" };
            FieldRow { doc: block(&doc, "    "), decl: format!("{}{}{dep}", f.ty.decl(own), f.ident) }
        })
        .collect();
    let functions = ci
        .funcs
        .iter()
        .map(|f| FuncRow { doc: f.doc.clone(), deprecated: f.deprecated, ret: "bool".into(), proto: prototype(f, own) })
        .collect();
    render(&ClassH {
        banner: BANNER,
        guard: names::guard(&t),
        includes,
        forward,
        intro: block(&intro, ""),
        has_handle: has_handle(own),
        class: own.clone(),
        var: names::ident(own),
        t,
        fields,
        functions,
        trailer: if kind == ClassKind::Event { vec![names::header("xen_event_batch")] } else { Vec::new() },
    })
}

struct ArgRow {
    desc: String,
    name: String,
    ctor: &'static str,
}

struct FuncBody {
    ret: String,
    proto: String,
    wire: String,
    args: Vec<ArgRow>,
    result_desc: String,
    result_arg: &'static str,
    after: String,
}

#[derive(Template)]
#[template(path = "c/templates/class.c", escape = "none")]
struct ClassC {
    banner: &'static str,
    has_handle: bool,
    t: String,
    var: String,
    functions: Vec<FuncBody>,
}

pub(super) fn class_c(ci: &ClassInfo) -> String {
    let own = &ci.class.name;
    let functions = ci
        .funcs
        .iter()
        .map(|f| FuncBody {
            ret: "bool".into(),
            proto: prototype(f, own),
            wire: f.wire.clone(),
            args: f
                .params
                .iter()
                .map(|(n, ty)| ArgRow {
                    desc: ty.desc(),
                    name: n.clone(),
                    ctor: if f.ctor_arg.as_deref() == Some(n.as_str()) { "true" } else { "false" },
                })
                .collect(),
            result_desc: f.result.as_ref().map_or("NULL".into(), |r| format!("&{}", r.desc())),
            result_arg: if f.result.is_some() { "result" } else { "NULL" },
            after: f.sets_handle_from.as_ref().map_or(String::new(), |s| format!("    xw_set_handle(*result, {s});")),
        })
        .collect();
    render(&ClassC {
        banner: BANNER,
        has_handle: has_handle(own),
        t: names::type_name(own),
        var: names::ident(own),
        functions,
    })
}

#[derive(Template)]
#[template(path = "c/templates/decl.h", escape = "none")]
struct DeclH {
    banner: &'static str,
    guard: String,
    has_handle: bool,
    class: String,
    t: String,
    forward: Vec<String>,
}

pub(super) fn decl_h(class: &Class) -> String {
    let t = names::type_name(&class.name);
    let handle = has_handle(&class.name);
    let mut forward = Vec::new();
    if handle {
        forward.push(format!("struct {t}_set;"));
    }
    forward.push(format!("struct {};", names::record(&class.name)));
    forward.push(format!("struct {}_set;", names::record(&class.name)));
    if handle {
        forward.push(format!("struct {};", names::record_opt(&class.name)));
        forward.push(format!("struct {};", names::record_opt_set(&class.name)));
    }
    if class.kind() == ClassKind::Event {
        forward.push("struct xen_event_batch;".into());
    }
    render(&DeclH {
        banner: BANNER,
        guard: names::guard(&format!("{t}_decl")),
        has_handle: handle,
        class: class.name.clone(),
        t,
        forward,
    })
}

// ------------------------------------------------------------------ enums

struct ValueRow {
    doc: String,
    name: String,
}

#[derive(Template)]
#[template(path = "c/templates/enum.h", escape = "none")]
struct EnumH {
    banner: &'static str,
    guard: String,
    doc: String,
    t: String,
    values: Vec<ValueRow>,
    undefined: String,
}

pub(super) fn enum_h(e: &EnumDef) -> String {
    let t = names::enum_type(&e.name);
    render(&EnumH {
        banner: BANNER,
        guard: names::guard(&t),
        doc: block(std::slice::from_ref(&e.description), ""),
        values: e
            .values
            .iter()
            .map(|v| {
                let mut doc = vec![v.lifecycle.described(&v.description)];
                doc.push(format!("Spelled \"{}\" by the API.", v.name));
                ValueRow { doc: block(&doc, "    "), name: names::enum_value(&e.name, &v.name) }
            })
            .collect(),
        undefined: names::enum_value(&e.name, "undefined"),
        t,
    })
}

#[derive(Template)]
#[template(path = "c/templates/enum.c", escape = "none")]
struct EnumC {
    banner: &'static str,
    t: String,
}

pub(super) fn enum_c(e: &EnumDef) -> String {
    render(&EnumC { banner: BANNER, t: names::enum_type(&e.name) })
}

// ---------------------------------------------------------- sets and maps

#[derive(Template)]
#[template(path = "c/templates/map.h", escape = "none")]
struct MapH {
    banner: &'static str,
    guard: String,
    includes: Vec<String>,
    forward: Vec<String>,
    t: String,
    api: String,
    key: String,
    val: String,
}

pub(super) fn map_h(ct: &CType) -> String {
    let CType::Map { name, api, key, val } = ct else { unreachable!("map_h takes a map") };
    let mut includes = Vec::new();
    key.headers("", false, &mut includes);
    val.headers("", false, &mut includes);
    let own = names::header(name);
    render(&MapH {
        banner: BANNER,
        guard: names::guard(name),
        includes: sorted(includes.into_iter().filter(|h| *h != own).collect()),
        forward: Vec::new(),
        t: name.clone(),
        api: api.clone(),
        key: key.decl(""),
        val: val.decl(""),
    })
}

#[derive(Template)]
#[template(path = "c/templates/map.c", escape = "none")]
struct MapC {
    banner: &'static str,
    t: String,
}

pub(super) fn map_c(ct: &CType) -> String {
    let CType::Map { name, .. } = ct else { unreachable!("map_c takes a map") };
    render(&MapC { banner: BANNER, t: name.clone() })
}

#[derive(Template)]
#[template(path = "c/templates/set.h", escape = "none")]
struct SetH {
    banner: &'static str,
    guard: String,
    includes: Vec<String>,
    t: String,
    api: String,
    item: String,
}

pub(super) fn set_h(ct: &CType) -> String {
    let CType::Set { name, api, elem } = ct else { unreachable!("set_h takes a set") };
    let mut includes = Vec::new();
    elem.headers("", false, &mut includes);
    let own = names::header(name);
    render(&SetH {
        banner: BANNER,
        guard: names::guard(name),
        includes: sorted(includes.into_iter().filter(|h| *h != own).collect()),
        t: name.clone(),
        api: api.clone(),
        item: elem.set_item(),
    })
}

#[derive(Template)]
#[template(path = "c/templates/set.c", escape = "none")]
struct SetC {
    banner: &'static str,
    t: String,
}

pub(super) fn set_c(ct: &CType) -> String {
    let CType::Set { name, .. } = ct else { unreachable!("set_c takes a set") };
    render(&SetC { banner: BANNER, t: name.clone() })
}

#[derive(Template)]
#[template(path = "c/templates/common.h", escape = "none")]
struct CommonH {
    decls: Vec<String>,
    has_session: bool,
}

/// `xen_common.h`: the session type and login calls, which end by
/// including the session class's header when the API has one.
pub(super) fn common_h(api: &Api, decls: &[&str]) -> String {
    render(&CommonH {
        decls: decls
            .iter()
            .filter(|c| api.class(c).is_some())
            .map(|c| names::header(&format!("{}_decl", names::type_name(c))))
            .collect(),
        has_session: api.class_of_kind(ClassKind::Session).is_some(),
    })
}

#[derive(Template)]
#[template(path = "c/templates/event_batch.h", escape = "none")]
struct EventBatchH {
    banner: &'static str,
}

pub(super) fn event_batch_h() -> String {
    render(&EventBatchH { banner: BANNER })
}

#[derive(Template)]
#[template(path = "c/templates/event_batch.c", escape = "none")]
struct EventBatchC {
    banner: &'static str,
}

pub(super) fn event_batch_c() -> String {
    render(&EventBatchC { banner: BANNER })
}

// ----------------------------------------------------------------- errors

struct ErrorRow {
    doc: String,
    name: String,
    text: String,
}

#[derive(Template)]
#[template(path = "c/templates/api_failure.h", escape = "none")]
struct FailureH {
    banner: &'static str,
    errors: Vec<ErrorRow>,
}

#[derive(Template)]
#[template(path = "c/templates/api_failure.c", escape = "none")]
struct FailureC {
    banner: &'static str,
    errors: Vec<ErrorRow>,
}

/// The error codes in byte order, which the C lookup searches by halves.
fn error_rows(api: &Api) -> Vec<ErrorRow> {
    let mut errors: Vec<_> = api.errors.iter().collect();
    errors.sort_by(|a, b| a.code.as_bytes().cmp(b.code.as_bytes()));
    errors
        .into_iter()
        .map(|e| {
            let mut doc = vec![e.lifecycle.described(&e.description)];
            if !e.params.is_empty() {
                doc.push(format!("Parameters: {}.", e.params.join(", ")));
            }
            ErrorRow { doc: block(&doc, "    "), name: names::failure(&e.code), text: c_string(&e.code) }
        })
        .collect()
}

pub(super) fn failure_h(api: &Api) -> String {
    render(&FailureH { banner: BANNER, errors: error_rows(api) })
}

pub(super) fn failure_c(api: &Api) -> String {
    render(&FailureC { banner: BANNER, errors: error_rows(api) })
}

// ---------------------------------------------------------- descriptors

struct DescField {
    key: String,
    desc: String,
    owner: String,
    member: String,
    dflt: String,
    ctor: &'static str,
}

struct Desc {
    name: String,
    values: Vec<String>,
    fields: Vec<DescField>,
    init: Vec<String>,
}

#[derive(Template)]
#[template(path = "c/templates/types.h", escape = "none")]
struct TypesH {
    banner: &'static str,
    descs: Vec<Desc>,
}

#[derive(Template)]
#[template(path = "c/templates/types.c", escape = "none")]
struct TypesC {
    banner: &'static str,
    descs: Vec<Desc>,
}

/// Whether the runtime defines the descriptor itself.
fn is_builtin(ct: &CType) -> bool {
    matches!(
        ct,
        CType::String | CType::Int | CType::Float | CType::Bool | CType::DateTime | CType::Ref(_) | CType::Session
    )
}

fn descs(sdk: &Sdk) -> Vec<Desc> {
    sdk.ctypes.values().filter(|ct| !is_builtin(ct)).map(|ct| desc(sdk, ct)).collect()
}

fn desc(sdk: &Sdk, ct: &CType) -> Desc {
    let name = ct.desc();
    let mut d = Desc { name: name.clone(), values: Vec::new(), fields: Vec::new(), init: Vec::new() };
    let api_name = c_string(&ct.api_name());
    match ct {
        CType::Enum(e) => {
            let def = sdk.enums[e];
            d.values = def.values.iter().map(|v| c_string(&v.name)).collect();
            d.init = vec![
                ".kind = XW_ENUM".into(),
                format!(".name = {api_name}"),
                format!(".values = {name}_values"),
                format!(".value_count = {}", def.values.len()),
            ];
        }
        CType::Set { name: t, elem, .. } => {
            d.init = vec![
                ".kind = XW_SET".into(),
                format!(".name = {api_name}"),
                format!(".elem = &{}", elem.desc()),
                format!(".contents_offset = offsetof({t}, contents)"),
                format!(".item_size = sizeof({})", elem.set_item().trim_end()),
            ];
        }
        CType::Map { name: t, key, val, .. } => {
            d.init = vec![
                ".kind = XW_MAP".into(),
                format!(".name = {api_name}"),
                format!(".key = &{}", key.desc()),
                format!(".val = &{}", val.desc()),
                format!(".contents_offset = offsetof({t}, contents)"),
                format!(".item_size = sizeof({t}_contents)"),
                format!(".val_offset = offsetof({t}_contents, val)"),
            ];
        }
        CType::RecordOpt(c) => {
            d.init = vec![
                ".kind = XW_RECORD_OPT".into(),
                format!(".name = {api_name}"),
                format!(".elem = &{}", CType::Record(c.clone()).desc()),
            ];
        }
        CType::Option { inner, .. } => {
            d.init =
                vec![".kind = XW_OPTION".into(), format!(".name = {api_name}"), format!(".elem = &{}", inner.desc())];
        }
        CType::Record(c) => {
            // Records are only made of the API's classes; should one be
            // missing, its record is described with no fields.
            let fields = sdk.classes.iter().find(|ci| &ci.class.name == c).map_or(&[][..], |ci| &ci.fields);
            let owner = names::record(c);
            d.fields = fields
                .iter()
                .map(|f| DescField {
                    key: c_string(&f.api),
                    desc: f.ty.desc(),
                    owner: owner.clone(),
                    member: f.ident.clone(),
                    dflt: f.dflt.as_deref().map_or("NULL".into(), c_string),
                    ctor: if f.in_ctor { "true" } else { "false" },
                })
                .collect();
            d.init = record_init(&api_name, &owner, &name, d.fields.len(), has_handle(c));
        }
        CType::EventBatch => {
            let owner = "xen_event_batch".to_string();
            let row = |key: &str, desc: String| DescField {
                key: c_string(key),
                desc,
                owner: owner.clone(),
                member: key.into(),
                dflt: "NULL".into(),
                ctor: "false",
            };
            d.fields = vec![
                row("events", event_records().desc()),
                row(
                    "valid_ref_counts",
                    format!("xw_t_{}", names::map(&crate::model::Type::String, &crate::model::Type::Int)),
                ),
                row("token", "xw_t_string".into()),
            ];
            d.init = record_init(&api_name, &owner, &name, 3, false);
        }
        _ => unreachable!("built-in types have no generated descriptor"),
    }
    d
}

fn record_init(api_name: &str, owner: &str, name: &str, fields: usize, handle: bool) -> Vec<String> {
    vec![
        ".kind = XW_RECORD".into(),
        format!(".name = {api_name}"),
        format!(".record_size = sizeof({owner})"),
        if fields == 0 { ".fields = NULL".into() } else { format!(".fields = {name}_fields") },
        format!(".field_count = {fields}"),
        format!(".has_handle = {handle}"),
    ]
}

pub(super) fn types_h(sdk: &Sdk) -> String {
    render(&TypesH { banner: BANNER, descs: descs(sdk) })
}

pub(super) fn types_c(sdk: &Sdk) -> String {
    render(&TypesC { banner: BANNER, descs: descs(sdk) })
}

// ------------------------------------------------------------ the rest

#[derive(Template)]
#[template(path = "c/templates/all.h", escape = "none")]
struct AllH<'a> {
    banner: &'static str,
    headers: &'a [String],
}

pub(super) fn all_h(headers: &[String]) -> String {
    render(&AllH { banner: BANNER, headers })
}

#[derive(Template)]
#[template(path = "c/templates/Makefile", escape = "none")]
struct Makefile {
    banner: String,
    version: String,
}

pub(super) fn makefile(api: &Api) -> String {
    let version = api.releases.last().map_or_else(|| "0".into(), |r| r.code.clone());
    render(&Makefile { banner: BANNER.trim_end().replace("/*", "#").replace(" */", ""), version })
}
