//! Classes from `Datamodel.all_system`: fields, explicit messages, enums,
//! lifecycles and class properties, rendered as xapi's JSON export does.

use super::facts::{Class, ClassProps, Enum, Field, Lifecycle, Message, Param, Transition};
use super::ocaml::eval::Interp;
use super::ocaml::value::{ArgV, Value};
use super::read::Unread;
use super::shape::{self, field, list, option, string, EnumType, Shape};

const DATAMODEL: &str = "ocaml/idl/datamodel.ml";
const LIFECYCLE: &str = "Datamodel_lifecycle";

/// Every class of the model in documentation order; what cannot be read goes to `unread`.
pub fn classes(it: &mut Interp<'_>, unread: &mut Vec<Unread>) -> Vec<Class> {
    let all = it.module("Datamodel").and_then(|m| m.export("all_system"));
    let objs = match all.as_ref().map(list) {
        Some(Ok(l)) => l,
        _ => {
            unread.push(shape::unread_value(all.as_ref(), DATAMODEL, "all_system"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for obj in objs.iter() {
        match class(it, obj, unread) {
            Ok(c) => out.push(c),
            Err(why) => unread.push(shape::unread_at(it, Some(obj), DATAMODEL, why)),
        }
    }
    out
}

/// Calls `Datamodel_lifecycle.NAME arg`: the release a lifecycle table gives, if any.
fn prototyped<'a>(it: &mut Interp<'a>, table: &str, arg: Value<'a>) -> Shape<Option<String>> {
    let Some(f) = it.module(LIFECYCLE).and_then(|m| m.export(table)) else {
        return Ok(None);
    };
    let r = it.apply(f, vec![ArgV::Pos(arg)]).map_err(|e| it.to_fail(e).message)?;
    option(&r)?.map(string).transpose()
}

fn pair<'a>(a: &str, b: &str) -> Value<'a> {
    Value::Tuple(std::rc::Rc::new(vec![Value::str(a), Value::str(b)]))
}

fn class<'a>(it: &mut Interp<'a>, obj: &Value<'a>, unread: &mut Vec<Unread>) -> Shape<Class> {
    let name = string(field(obj, "name")?)?;
    let lifecycle = shape::lifecycle(field(obj, "obj_lifecycle")?)?;
    let lifecycle = shape::with_prototyped(lifecycle, prototyped(it, "prototyped_of_class", Value::str(&name))?);

    let in_db = shape::boolean(field(obj, "in_database")?)?;
    let mut fields = Vec::new();
    let mut internal_enums = Vec::new();
    if name.eq_ignore_ascii_case("event") {
        fields.push(event_snapshot());
    }
    let mut flat = Vec::new();
    flatten(&list(field(obj, "contents")?)?, &mut flat)?;
    // what the export's enum list is made of, in its order (see `export_enum_order`)
    let mut by_field = Vec::new();
    let mut by_setter = Vec::new();
    for f in &flat {
        match field_fact(it, &name, f) {
            Ok((fact, enums)) => {
                if fact.internal_only {
                    internal_enums.extend(enums);
                } else {
                    if fact.qualifier == "RW" {
                        by_setter.extend(setter_enums(field(f, "ty")?, &enums)?);
                    }
                    by_field.push(enums);
                }
                fields.push(fact);
            }
            Err(why) => unread.push(shape::unread_at(it, Some(f), DATAMODEL, format!("{name}: {why}"))),
        }
    }
    let mut order: Vec<EnumType> = by_field.iter().rev().flatten().cloned().collect();
    if in_db {
        order.extend(by_field.iter().flatten().cloned());
        order.extend(by_setter);
    }
    let mut messages = Vec::new();
    for m in list(field(obj, "messages")?)?.iter() {
        match message(it, &name, m) {
            Ok(Some((fact, enums))) => {
                if fact.internal {
                    internal_enums.extend(enums)
                } else {
                    order.extend(enums)
                }
                messages.push(fact);
            }
            Ok(None) => {}
            Err(why) => unread.push(shape::unread_at(it, Some(m), DATAMODEL, format!("{name}: {why}"))),
        }
    }
    // the export lists a class's messages last to first
    messages.reverse();
    let internal = fields.iter().all(|f| f.internal_only) && messages.iter().all(|m| m.internal);
    let mut seen = export_enum_order(order);
    for e in internal_enums {
        if !seen.contains(&e) {
            seen.push(e);
        }
    }
    let enums = seen
        .into_iter()
        .map(|e| Enum {
            name: e.name,
            values: e.values.into_iter().map(|(v, _)| v).collect(),
            origin: e
                .site
                .filter(|s| s.file != 0)
                .map(|s| super::facts::Origin { file: it.files[s.file].clone(), line: s.line }),
        })
        .collect();
    let persist = shape::ctor(field(obj, "persist")?)?.0.to_string();
    let default_roles = match option(field(obj, "obj_allowed_roles")?)? {
        Some(l) => list(l)?.iter().map(string).collect::<Shape<Vec<_>>>()?,
        None => Vec::new(),
    };
    let props = ClassProps {
        gen_constructor_destructor: shape::boolean(field(obj, "gen_constructor_destructor")?)?,
        gen_events: shape::boolean(field(obj, "gen_events")?)?,
        in_db: shape::boolean(field(obj, "in_database")?)?,
        persist,
        default_roles,
    };
    Ok(Class { name, lifecycle, enums, fields, messages, internal, props: Some(props), origin: shape::origin(it, obj) })
}

/// The export's enum order. It gathers the enums of the fields (last field first), then of
/// the class's messages as xapi orders them with the implicit ones: getters of every
/// field, setters (and `add`/`remove`) of the RW fields, then the explicit messages; and
/// keeps the last of exact duplicates (`Listext.setify`).
fn export_enum_order(all: Vec<EnumType>) -> Vec<EnumType> {
    let mut out: Vec<EnumType> = Vec::new();
    for (i, e) in all.iter().enumerate() {
        if !all[i + 1..].contains(e) {
            out.push(e.clone());
        }
    }
    out
}

/// The enums of an RW field's implicit setters in their order: `set` and, for maps,
/// `add_to` (key, value) and `remove_from` (key); for sets, `add` and `remove`.
fn setter_enums(ty: &Value<'_>, enums: &[EnumType]) -> Shape<Vec<EnumType>> {
    let (kind, arg) = shape::ctor(ty)?;
    Ok(match (kind, arg) {
        ("Map", Some(kv)) => {
            let kv = shape::tuple(kv, 2)?;
            let k = shape::ty(&kv[0])?.1;
            let v = shape::ty(&kv[1])?.1;
            [enums.to_vec(), k.clone(), v, k].concat()
        }
        ("Set", _) => [enums, enums, enums].concat(),
        _ => enums.to_vec(),
    })
}

/// The `snapshot` field the export adds to `event`.
fn event_snapshot() -> Field {
    Field {
        name: "snapshot".into(),
        ty: "<class> record".into(),
        qualifier: "RO/runtime".into(),
        lifecycle: Lifecycle {
            transitions: vec![Transition { transition: "published".into(), release: "boston".into() }],
        },
        default: None,
        internal_only: false,
        origin: None,
    }
}

/// The fields of a class's contents, namespaces flattened, in order.
fn flatten<'a>(contents: &[Value<'a>], out: &mut Vec<Value<'a>>) -> Shape<()> {
    for c in contents {
        match shape::ctor(c)? {
            ("Field", Some(f)) => out.push(f.clone()),
            ("Namespace", Some(ns)) => {
                let t = shape::tuple(ns, 2)?;
                flatten(&list(&t[1])?, out)?;
            }
            (other, _) => return Err(format!("unknown content {other}")),
        }
    }
    Ok(())
}

fn field_fact<'a>(it: &mut Interp<'a>, class: &str, f: &Value<'a>) -> Shape<(Field, Vec<EnumType>)> {
    let full: Vec<String> = list(field(f, "full_name")?)?.iter().map(string).collect::<Shape<_>>()?;
    let (ty, enums) = shape::ty(field(f, "ty")?)?;
    let qualifier = match shape::ctor(field(f, "qualifier")?)?.0 {
        "RW" => "RW",
        "StaticRO" => "RO/constructor",
        "DynamicRO" => "RO/runtime",
        other => return Err(format!("unknown qualifier {other}")),
    };
    let lifecycle = shape::lifecycle(field(f, "lifecycle")?)?;
    let escaped = full.join("__");
    let p = prototyped(it, "prototyped_of_field", pair(class, &escaped))?;
    let default = option(field(f, "default_value")?)?.map(shape::default).transpose()?;
    Ok((
        Field {
            name: full.join("_"),
            ty,
            qualifier: qualifier.into(),
            lifecycle: shape::with_prototyped(lifecycle, p),
            default,
            internal_only: shape::boolean(field(f, "internal_only")?)?,
            origin: shape::origin(it, f),
        },
        enums,
    ))
}

/// An explicit message; `None` for those no client can call (`db_only`).
fn message<'a>(it: &mut Interp<'a>, class: &str, m: &Value<'a>) -> Shape<Option<(Message, Vec<EnumType>)>> {
    if shape::boolean(field(m, "msg_db_only")?)? {
        return Ok(None);
    }
    if shape::ctor(field(m, "msg_tag")?)?.0 != "Custom" {
        return Ok(None);
    }
    let name = string(field(m, "msg_name")?)?;
    let mut enums = Vec::new();
    let result = match option(field(m, "msg_result")?)? {
        None => "void".to_string(),
        Some(r) => {
            let t = shape::tuple(r, 2)?;
            let (s, e) = shape::ty(&t[0])?;
            if class == "event" && name.eq_ignore_ascii_case("from") {
                "an event batch".to_string()
            } else {
                enums.extend(e);
                s
            }
        }
    };
    let own_release = shape::release_code(field(m, "msg_release")?)?;
    let mut params = Vec::new();
    if shape::boolean(field(m, "msg_session")?)? {
        params.push(Param { name: "session_id".into(), ty: "session ref".into(), default: None, since: None });
    }
    let mut param_enums = Vec::new();
    for p in list(field(m, "msg_params")?)?.iter() {
        let (ty, e) = shape::ty(field(p, "param_type")?)?;
        param_enums.extend(e);
        let since = shape::release_code(field(p, "param_release")?)?.filter(|r| Some(r) != own_release.as_ref());
        params.push(Param {
            name: string(field(p, "param_name")?)?,
            ty,
            default: option(field(p, "param_default")?)?.map(shape::default).transpose()?,
            since,
        });
    }
    // the export gathers a message's result enums before its parameters'
    enums.extend(param_enums);
    let errors = list(field(m, "msg_errors")?)?.iter().map(|e| string(field(e, "err_name")?)).collect::<Shape<_>>()?;
    let roles = match option(field(m, "msg_allowed_roles")?)? {
        Some(l) => list(l)?.iter().map(string).collect::<Shape<_>>()?,
        None => Vec::new(),
    };
    let lifecycle = shape::lifecycle(field(m, "msg_lifecycle")?)?;
    let p = prototyped(it, "prototyped_of_message", pair(class, &name))?;
    Ok(Some((
        Message {
            name,
            result,
            params,
            errors,
            roles,
            implicit: false,
            lifecycle: shape::with_prototyped(lifecycle, p),
            internal: shape::boolean(field(m, "msg_hide_from_docs")?)?,
            origin: shape::origin(it, m),
        },
        enums,
    )))
}
