//! Derivation of the implicit messages: what every class gets from its
//! fields and its `derive` settings without writing them in the schema.

use super::{Class, Field, Lifecycle, Message, MessageOrigin, Param, Qualifier, Type};
use crate::load::raw::Src;

/// What a derived message does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DerivedKind {
    GetField,
    SetField,
    AddToMap,
    RemoveFromMap,
    AddToSet,
    RemoveFromSet,
    GetRecord,
    GetByUuid,
    GetAll,
    GetAllRecords,
    /// `get_all_where(expr)`: the refs whose record matches an expression
    /// of xapi's filter language; internal, as in xapi.
    GetAllWhere,
    /// `get_all_records_where(expr)`: the same, with the records.
    GetAllRecordsWhere,
    GetByNameLabel,
    Create,
    Destroy,
}

impl DerivedKind {
    /// The `derive` setting (or field rule) that produces this kind, for
    /// messages that explain a collision.
    pub fn reason(self) -> &'static str {
        match self {
            DerivedKind::GetField => "every field has a getter when `derive.fields` is on",
            DerivedKind::SetField => "every RW field has a setter when `derive.fields` is on",
            DerivedKind::AddToMap | DerivedKind::RemoveFromMap => {
                "RW map fields get add_to/remove_from when `derive.fields` is on"
            }
            DerivedKind::AddToSet | DerivedKind::RemoveFromSet => {
                "RW set fields get add/remove when `derive.fields` is on"
            }
            DerivedKind::GetRecord | DerivedKind::GetByUuid => "`derive.record` is on",
            DerivedKind::GetAll
            | DerivedKind::GetAllRecords
            | DerivedKind::GetAllWhere
            | DerivedKind::GetAllRecordsWhere => "`derive.all` is on",
            DerivedKind::GetByNameLabel => "`derive.by_name_label` is on",
            DerivedKind::Create | DerivedKind::Destroy => "`derive.create_destroy` is on",
        }
    }
}

fn param(name: &str, ty: Type) -> Param {
    // Placed where the message is derived from, by `push`.
    Param {
        name: name.into(),
        ty,
        description: None,
        default: None,
        lifecycle: Lifecycle::default(),
        src: Src::default(),
    }
}

/// The derived messages of a class, in a stable order: class-level ones,
/// then each field's accessors in field order.
pub(crate) fn derived_messages(class: &Class) -> Vec<Message> {
    let p = &class.props;
    let me = Type::Ref(class.name.clone());
    let session = || param("session_id", Type::session_ref());
    let this = || param("self", me.clone());
    let mut out = Vec::new();
    let mut push = |name: String, kind: DerivedKind, field: Option<&Field>, mut params: Vec<Param>, result: Type| {
        // xapi derives the filtered listings but keeps them out of its
        // published docs and model export.
        let internal = matches!(kind, DerivedKind::GetAllWhere | DerivedKind::GetAllRecordsWhere);
        let (roles, lifecycle, description) = match field {
            Some(f) => {
                let roles = if kind == DerivedKind::GetField { f.read_roles } else { f.write_roles };
                (roles, f.lifecycle.clone(), field_description(kind, &class.name, &f.name))
            }
            None => {
                let roles = match kind {
                    DerivedKind::Create | DerivedKind::Destroy => p.create_roles,
                    _ => p.read_roles,
                };
                (roles, class.lifecycle.clone(), class_description(kind, &class.name))
            }
        };
        let src = field.map_or_else(|| class.src.clone(), |f| f.src.clone());
        for param in &mut params {
            param.src = src.clone();
        }
        out.push(Message {
            name,
            description,
            params,
            result,
            errors: Vec::new(),
            errors_added: Vec::new(),
            internal,
            roles,
            lifecycle,
            origin: MessageOrigin::Derived { kind, field: field.map(|f| f.name.clone()) },
            has_async: false,
            src,
        });
    };
    if p.derive_record {
        push(
            "get_record".into(),
            DerivedKind::GetRecord,
            None,
            vec![session(), this()],
            Type::Record(class.name.clone()),
        );
        push(
            "get_by_uuid".into(),
            DerivedKind::GetByUuid,
            None,
            vec![session(), param("uuid", Type::String)],
            me.clone(),
        );
    }
    if p.derive_by_name_label {
        let set = Type::Set(Box::new(me.clone()));
        push(
            "get_by_name_label".into(),
            DerivedKind::GetByNameLabel,
            None,
            vec![session(), param("label", Type::String)],
            set,
        );
    }
    if p.derive_create_destroy {
        let args = param("args", Type::Record(class.name.clone()));
        push("create".into(), DerivedKind::Create, None, vec![session(), args], me.clone());
        push("destroy".into(), DerivedKind::Destroy, None, vec![session(), this()], Type::Void);
    }
    if p.derive_all {
        push("get_all".into(), DerivedKind::GetAll, None, vec![session()], Type::Set(Box::new(me.clone())));
        let map = Type::Map(Box::new(me.clone()), Box::new(Type::Record(class.name.clone())));
        push("get_all_records".into(), DerivedKind::GetAllRecords, None, vec![session()], map.clone());
        let expr = || param("expr", Type::String);
        push(
            "get_all_where".into(),
            DerivedKind::GetAllWhere,
            None,
            vec![session(), expr()],
            Type::Set(Box::new(me.clone())),
        );
        push("get_all_records_where".into(), DerivedKind::GetAllRecordsWhere, None, vec![session(), expr()], map);
    }
    if p.derive_fields {
        for f in &class.fields {
            let n = &f.name;
            push(format!("get_{n}"), DerivedKind::GetField, Some(f), vec![session(), this()], f.ty.clone());
            if f.qualifier != Qualifier::Rw {
                continue;
            }
            let value = param("value", f.ty.clone());
            push(format!("set_{n}"), DerivedKind::SetField, Some(f), vec![session(), this(), value], Type::Void);
            match &f.ty {
                Type::Map(k, v) => {
                    let key = || param("key", (**k).clone());
                    let add = vec![session(), this(), key(), param("value", (**v).clone())];
                    push(format!("add_to_{n}"), DerivedKind::AddToMap, Some(f), add, Type::Void);
                    let rm = vec![session(), this(), key()];
                    push(format!("remove_from_{n}"), DerivedKind::RemoveFromMap, Some(f), rm, Type::Void);
                }
                Type::Set(e) => {
                    let one = || vec![session(), this(), param("value", (**e).clone())];
                    push(format!("add_{n}"), DerivedKind::AddToSet, Some(f), one(), Type::Void);
                    push(format!("remove_{n}"), DerivedKind::RemoveFromSet, Some(f), one(), Type::Void);
                }
                _ => {}
            }
        }
    }
    out
}

/// Documentation for a derived field accessor, in the project's words.
fn field_description(kind: DerivedKind, class: &str, field: &str) -> String {
    match kind {
        DerivedKind::GetField => format!("Returns the `{field}` field of the given {class}."),
        DerivedKind::SetField => format!("Replaces the `{field}` field of the given {class}."),
        DerivedKind::AddToMap => format!(
            "Adds a key and its value to the `{field}` map of the given {class}; fails if the key is already there."
        ),
        DerivedKind::RemoveFromMap => {
            format!("Removes a key and its value from the `{field}` map of the given {class}, if present.")
        }
        DerivedKind::AddToSet => format!("Adds a value to the `{field}` set of the given {class}."),
        DerivedKind::RemoveFromSet => {
            format!("Removes a value from the `{field}` set of the given {class}, if present.")
        }
        _ => unreachable!("class-level kinds are described by class_description"),
    }
}

/// Documentation for a derived class-level message, in the project's words.
fn class_description(kind: DerivedKind, class: &str) -> String {
    match kind {
        DerivedKind::GetRecord => format!("Returns every field of the given {class} as one record."),
        DerivedKind::GetByUuid => format!("Finds the {class} with the given UUID."),
        DerivedKind::GetAll => format!("Lists every {class} known to the server."),
        DerivedKind::GetAllRecords => format!("Returns the record of every {class}, keyed by reference."),
        DerivedKind::GetAllWhere => format!(
            "Lists every {class} whose record satisfies `expr`, a condition in the server's filter language \
             (`field \"power_state\" = \"Running\"`, combined with `and`, `or`, `not` and parentheses; fields by their database names, such as `name__label`)."
        ),
        DerivedKind::GetAllRecordsWhere => format!(
            "Returns the record of every {class} whose record satisfies `expr` (the filter language of `get_all_where`), keyed by reference."
        ),
        DerivedKind::GetByNameLabel => format!("Lists every {class} whose `name_label` equals the given label."),
        DerivedKind::Create => format!("Creates a new {class} from a record of its writable and constructor fields, and returns its reference."),
        DerivedKind::Destroy => format!("Destroys the given {class}."),
        _ => unreachable!("field kinds are described by field_description"),
    }
}
