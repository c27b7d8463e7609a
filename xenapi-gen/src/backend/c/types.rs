//! How API types become C types of the SDK, following the official C SDK:
//! a ref is an opaque handle (`xen_vm`) where it is passed or returned,
//! but a `xen_vm_record_opt` inside records and map values; sets of refs
//! are `xen_vm_set` where passed, `xen_vm_record_opt_set` inside records;
//! maps are named after their key and value types.

use crate::model::{ClassKind, Type};
use crate::names::c as names;

/// Where a type appears, which decides its C form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pos {
    /// A parameter or the result of a call.
    Param,
    /// A record field, a map value, or an element of either.
    Field,
    /// A map key.
    Key,
}

/// A C type of the SDK, with the names it needs already decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CType {
    String,
    Int,
    Float,
    Bool,
    DateTime,
    /// A handle of the class (`xen_vm`).
    Ref(String),
    /// `xen_session *`: a session passed to or returned from a call.
    Session,
    Enum(String),
    RecordOpt(String),
    Record(String),
    /// A set type: its C name, its API notation and its element.
    Set {
        name: String,
        api: String,
        elem: Box<CType>,
    },
    /// A map type: its C name, its API notation, key and value.
    Map {
        name: String,
        api: String,
        key: Box<CType>,
        val: Box<CType>,
    },
    /// `T option`: NULL when absent.
    Option {
        api: String,
        inner: Box<CType>,
    },
    EventBatch,
}

impl CType {
    /// The C form of an API type at a position; `None` for types the C SDK
    /// leaves out (the untyped event snapshot, void).
    pub fn of(ty: &Type, pos: Pos) -> Option<CType> {
        Some(match ty {
            Type::String => CType::String,
            Type::Int => CType::Int,
            Type::Float => CType::Float,
            Type::Bool => CType::Bool,
            Type::DateTime => CType::DateTime,
            Type::Enum(e) => CType::Enum(e.clone()),
            // Sessions are xen_session objects where passed; inside records
            // the official SDK keeps them as plain strings.
            Type::Ref(c) if ClassKind::of(c) == ClassKind::Session => match pos {
                Pos::Param => CType::Session,
                Pos::Field | Pos::Key => CType::String,
            },
            Type::Ref(c) => match pos {
                Pos::Param | Pos::Key => CType::Ref(c.clone()),
                Pos::Field => CType::RecordOpt(c.clone()),
            },
            Type::Record(c) => CType::Record(c.clone()),
            Type::Set(elem) => {
                let elem = CType::of(elem, if pos == Pos::Key { Pos::Param } else { pos })?;
                CType::Set { name: elem.set_name(), api: ty.to_string(), elem: Box::new(elem) }
            }
            Type::Map(k, v) => CType::Map {
                name: names::map(k, v),
                api: ty.to_string(),
                key: Box::new(CType::of(k, Pos::Key)?),
                val: Box::new(CType::of(v, Pos::Field)?),
            },
            Type::Option(inner) => CType::Option { api: ty.to_string(), inner: Box::new(CType::of(inner, pos)?) },
            Type::EventBatch => CType::EventBatch,
            Type::Void | Type::AnyRecord => return None,
        })
    }

    /// The name of the set type whose elements are of this type.
    fn set_name(&self) -> String {
        match self {
            CType::Ref(c) => names::set(&Type::Ref(c.clone())),
            CType::RecordOpt(c) => names::record_opt_set(c),
            CType::Record(c) => names::set(&Type::Record(c.clone())),
            CType::Enum(e) => names::set(&Type::Enum(e.clone())),
            CType::String | CType::Session => names::set(&Type::String),
            CType::Int => names::set(&Type::Int),
            CType::Float => names::set(&Type::Float),
            CType::Bool => names::set(&Type::Bool),
            CType::DateTime => names::set(&Type::DateTime),
            CType::Set { name, .. } | CType::Map { name, .. } => format!("{name}_set"),
            CType::Option { inner, .. } => inner.set_name(),
            CType::EventBatch => "xen_event_batch_set".into(),
        }
    }

    /// Whether values are held through a pointer (NULL-able).
    pub fn is_pointer(&self) -> bool {
        !matches!(self, CType::Int | CType::Float | CType::Bool | CType::DateTime | CType::Enum(_))
    }

    /// The type as written before a declarator, ending in a space or `*`
    /// so that a name can follow directly. `own` is the class whose header
    /// this is: its own record type is named by its typedef, other classes'
    /// by their struct tag (their header may not have been read yet).
    pub fn decl(&self, own: &str) -> String {
        match self {
            CType::String => "char *".into(),
            CType::Int => "int64_t ".into(),
            CType::Float => "double ".into(),
            CType::Bool => "bool ".into(),
            CType::DateTime => "time_t ".into(),
            CType::Ref(c) => format!("{} ", names::type_name(c)),
            CType::Session => "xen_session *".into(),
            CType::Enum(e) => format!("enum {} ", names::enum_type(e)),
            CType::RecordOpt(c) => format!("struct {} *", names::record_opt(c)),
            CType::Record(c) if c == own => format!("{} *", names::record(c)),
            CType::Record(c) => format!("struct {} *", names::record(c)),
            CType::Set { name, .. } => format!("struct {name} *"),
            CType::Map { name, .. } => format!("{name} *"),
            CType::Option { inner, .. } if inner.is_pointer() => inner.decl(own),
            CType::Option { inner, .. } => format!("{}*", inner.decl(own)),
            CType::EventBatch => "struct xen_event_batch *".into(),
        }
    }

    /// The element type of `contents[]` when this type is the element of a
    /// set (the official SDK declares handle sets as `xen_vm *contents[]`).
    pub fn set_item(&self) -> String {
        match self {
            CType::Ref(c) => format!("{} *", names::type_name(c)),
            CType::RecordOpt(c) => format!("{} *", names::record_opt(c)),
            CType::Record(c) => format!("{} *", names::record(c)),
            other => other.decl(""),
        }
    }

    /// The name of the constant describing this type to the runtime.
    pub fn desc(&self) -> String {
        match self {
            CType::String => "xw_t_string".into(),
            CType::Int => "xw_t_int".into(),
            CType::Float => "xw_t_float".into(),
            CType::Bool => "xw_t_bool".into(),
            CType::DateTime => "xw_t_datetime".into(),
            CType::Ref(_) => "xw_t_ref".into(),
            CType::Session => "xw_t_session".into(),
            CType::Enum(e) => format!("xw_t_{}", names::enum_type(e)),
            CType::RecordOpt(c) => format!("xw_t_{}", names::record_opt(c)),
            CType::Record(c) => format!("xw_t_{}", names::record(c)),
            CType::Set { name, .. } | CType::Map { name, .. } => format!("xw_t_{name}"),
            CType::Option { inner, .. } => format!("xw_t_opt_{}", &inner.desc()["xw_t_".len()..]),
            CType::EventBatch => "xw_t_xen_event_batch".into(),
        }
    }

    /// The type in API notation, for error messages.
    pub fn api_name(&self) -> String {
        match self {
            CType::String => "string".into(),
            CType::Int => "int".into(),
            CType::Float => "float".into(),
            CType::Bool => "bool".into(),
            CType::DateTime => "datetime".into(),
            CType::Ref(c) | CType::RecordOpt(c) => format!("{c} ref"),
            CType::Session => "session ref".into(),
            CType::Enum(e) => format!("enum {e}"),
            CType::Record(c) => format!("{c} record"),
            CType::Set { api, .. } | CType::Map { api, .. } | CType::Option { api, .. } => api.clone(),
            CType::EventBatch => "event batch".into(),
        }
    }

    /// This type and every type inside it, innermost first.
    pub fn walk(&self, out: &mut Vec<CType>) {
        match self {
            CType::Set { elem, .. } => elem.walk(out),
            CType::Map { key, val, .. } => {
                key.walk(out);
                val.walk(out);
            }
            CType::Option { inner, .. } => inner.walk(out),
            CType::RecordOpt(c) => out.push(CType::Record(c.clone())),
            _ => {}
        }
        out.push(self.clone());
    }

    /// The headers a declaration of this type needs, given the class whose
    /// header it is in. With `full`, a class's own header comes with its
    /// declarations header (as the official SDK does, so that programs
    /// relying on what a header pulls in still compile); without, only the
    /// declarations header, for the small headers of sets and maps.
    pub fn headers(&self, own: &str, full: bool, out: &mut Vec<String>) {
        match self {
            CType::Ref(c) | CType::RecordOpt(c) | CType::Record(c) => {
                if c != own && ClassKind::of(c) != ClassKind::Session {
                    out.push(names::header(&format!("{}_decl", names::type_name(c))));
                    if full {
                        out.push(names::header(&names::type_name(c)));
                    }
                }
            }
            CType::Enum(e) => out.push(names::header(&names::enum_type(e))),
            CType::Set { name, elem, .. } => {
                elem.headers(own, full, out);
                if is_plain_set(elem) {
                    out.push(names::header(name));
                }
            }
            CType::Map { name, .. } => out.push(names::header(name)),
            CType::Option { inner, .. } => inner.headers(own, full, out),
            CType::EventBatch => out.push(names::header("xen_event_batch")),
            CType::String | CType::Int | CType::Float | CType::Bool | CType::DateTime | CType::Session => {}
        }
    }
}

/// Whether a set of this element type has a header of its own (sets of
/// handles, records and enums live in their class's or enum's header).
pub fn is_plain_set(elem: &CType) -> bool {
    !matches!(elem, CType::Ref(_) | CType::RecordOpt(_) | CType::Record(_) | CType::Enum(_))
}
