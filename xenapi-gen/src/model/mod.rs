//! The resolved API model: what every backend reads. Built once from the
//! raw schema by [`resolve`]; nothing downstream reads YAML.
//!
//! A fact more than one consumer needs is computed here, once:
//! - the derived messages of each class (`derive`);
//! - the relations between classes and the references among them
//!   ([`relations`]), the wire names of messages and the parameters a
//!   caller gives (`calls`), and which classes the protocol relies on
//!   ([`ClassKind`]);
//! - the home class of each shared enum, and the enums each once
//!   ([`Api::unique_enums`], `enums`);
//! - lifecycles as data with their release labels, and the standard
//!   phrases for them ([`Lifecycle::history`], [`Lifecycle::retirement`],
//!   [`lifecycle::sentence`]), which every backend words its output with;
//! - typed references instead of names: [`Roles`] and [`RoleId`] into
//!   [`Api::roles`], [`ErrorId`] into [`Api::errors`], [`ClassId`] into
//!   [`Api::classes`] (`ids`);
//! - that no two API items become one identifier in Rust, C or Python
//!   (`idents`, run by the resolver, whose diagnostics say where).

mod calls;
mod derive;
mod enums;
mod idents;
mod ids;
mod kind;
pub mod lifecycle;
pub mod literal;
pub mod relations;
mod release;
mod resolve;
pub mod types;

pub use derive::DerivedKind;
pub use ids::{ClassId, ErrorId, RoleId, Roles};
pub use kind::ClassKind;
pub use lifecycle::{Lifecycle, LifecycleState, Transition, TransitionKind};
pub use literal::Literal;
pub use relations::{FieldId, Inverse, Reference, Relation, RelationNames};
pub use resolve::resolve;
pub use types::Type;

use crate::load::raw::Src;
use crate::load::Sources;
use std::fmt;

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    pub name: String,
    pub description: String,
    /// Roles, most privileged first.
    pub roles: Vec<String>,
    /// Releases, oldest first.
    pub releases: Vec<Release>,
    pub errors: Vec<ErrorDef>,
    pub classes: Vec<Class>,
    /// Every relation, in schema order of the ref fields (see
    /// [`relations`]); read it through [`Api::relations`].
    relations: Vec<Relation>,
    /// The schema files, for turning a [`Src`] into a line and column.
    pub sources: Sources,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct ErrorDef {
    pub code: String,
    pub params: Vec<String>,
    pub description: String,
    /// Empty for a code that exists in every release.
    pub lifecycle: Lifecycle,
    pub src: Src,
}

#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    pub description: String,
    pub lifecycle: Lifecycle,
    pub enums: Vec<EnumDef>,
    pub fields: Vec<Field>,
    /// Explicit messages in schema order, then the derived ones.
    pub messages: Vec<Message>,
    pub props: ClassProps,
    pub src: Src,
}

/// Class-level settings that decide the derived messages and access.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassProps {
    /// `get_F`, `set_F`, map and set updates for every field.
    pub derive_fields: bool,
    /// `get_record` and `get_by_uuid`.
    pub derive_record: bool,
    /// `get_all` and `get_all_records`.
    pub derive_all: bool,
    /// `get_by_name_label`.
    pub derive_by_name_label: bool,
    /// `create` and `destroy`.
    pub derive_create_destroy: bool,
    /// Whether explicit messages also exist as `Async.CLASS.message`.
    pub async_messages: bool,
    /// Roles that may read records and fields (unless a field says otherwise).
    pub read_roles: Roles,
    /// Roles that may change fields (unless a field says otherwise).
    pub write_roles: Roles,
    /// Roles that may create and destroy objects.
    pub create_roles: Roles,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// Read-write: clients may set it.
    Rw,
    /// Read-only, given when the object is created.
    RoConstructor,
    /// Read-only, maintained by the server.
    RoRuntime,
}

impl Qualifier {
    pub const ALL: [&'static str; 3] = ["RW", "RO/constructor", "RO/runtime"];

    pub fn parse(s: &str) -> Option<Qualifier> {
        match s {
            "RW" => Some(Qualifier::Rw),
            "RO/constructor" => Some(Qualifier::RoConstructor),
            "RO/runtime" => Some(Qualifier::RoRuntime),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Rw => "RW",
            Qualifier::RoConstructor => "RO/constructor",
            Qualifier::RoRuntime => "RO/runtime",
        }
    }
}

impl fmt::Display for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub description: String,
    pub ty: Type,
    pub qualifier: Qualifier,
    pub default: Option<Literal>,
    pub lifecycle: Lifecycle,
    pub read_roles: Roles,
    pub write_roles: Roles,
    /// For a ref field: which set field lists it back, as the schema says.
    pub inverse: Inverse,
    pub src: Src,
}

impl Field {
    /// Whether the field is part of the record passed to `create`.
    pub fn in_constructor(&self) -> bool {
        matches!(self.qualifier, Qualifier::Rw | Qualifier::RoConstructor)
    }
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub name: String,
    pub description: String,
    pub values: Vec<EnumValue>,
    /// Whether this class is the enum's home: the first class, in API
    /// order, that lists it. Other classes may list the same enum to show
    /// that they use it; consumers that define each enum once take the
    /// home listing ([`Api::unique_enums`]).
    pub home: bool,
    pub src: Src,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    pub name: String,
    pub description: String,
    /// Empty for a value that exists in every release.
    pub lifecycle: Lifecycle,
    /// Where the value's name was written.
    pub src: Src,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Type,
    pub description: Option<String>,
    /// What the server fills in when a call leaves this parameter out;
    /// only trailing parameters have one.
    pub default: Option<Literal>,
    /// Empty for a parameter that came with its message; else the release
    /// that added it (such a parameter is trailing and has a default).
    pub lifecycle: Lifecycle,
    /// Where the parameter's name was written (for a derived message, the
    /// item it was derived from).
    pub src: Src,
}

/// Whether a message was written in the schema or derived, and from what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOrigin {
    Explicit,
    Derived {
        kind: DerivedKind,
        /// The field it reads or changes, for field accessors.
        field: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Message {
    pub name: String,
    pub description: String,
    pub params: Vec<Param>,
    pub result: Type,
    /// The error codes the message may fail with.
    pub errors: Vec<ErrorId>,
    /// The codes of [`Message::errors`] that a release after the
    /// message's own added to it, with that release.
    pub errors_added: Vec<(ErrorId, Transition)>,
    /// Callable like any other, but kept out of the published
    /// documentation upstream; see [`Message::INTERNAL_NOTE`].
    pub internal: bool,
    /// The roles that may call it; none means [`Roles::NONE_LABEL`].
    pub roles: Roles,
    pub lifecycle: Lifecycle,
    pub origin: MessageOrigin,
    /// Whether `Async.CLASS.message` exists too.
    pub has_async: bool,
    pub src: Src,
}

impl Message {
    /// What every backend says of an internal message, in the same words.
    pub const INTERNAL_NOTE: &'static str =
        "Internal: xapi leaves this call out of its published documentation; it can be called, but may change without notice.";

    pub fn is_derived(&self) -> bool {
        matches!(self.origin, MessageOrigin::Derived { .. })
    }

    /// The release that added error `id` to this message after the
    /// message itself, if one did.
    pub fn error_added(&self, id: ErrorId) -> Option<&Transition> {
        self.errors_added.iter().find(|(e, _)| *e == id).map(|(_, t)| t)
    }

    /// Whether the first parameter is the session (every message but the
    /// login family).
    pub fn takes_session(&self) -> bool {
        self.params.first().is_some_and(|p| p.name == "session_id" && p.ty == Type::session_ref())
    }

    /// How many leading parameters have no default: the fewest a call may
    /// send (the loader checks that the defaulted ones are trailing).
    pub fn required_params(&self) -> usize {
        self.params.iter().take_while(|p| p.default.is_none()).count()
    }
}

impl Api {
    pub fn class(&self, name: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.name == name)
    }

    /// Every enum listing of every class; an enum several classes list
    /// comes once per class (see [`Api::unique_enums`]).
    pub fn enums(&self) -> impl Iterator<Item = &EnumDef> {
        self.classes.iter().flat_map(|c| c.enums.iter())
    }

    /// The class with this id.
    pub fn class_at(&self, id: ClassId) -> &Class {
        &self.classes[id.0 as usize]
    }

    /// The id of the named class.
    pub fn class_id(&self, name: &str) -> Option<ClassId> {
        self.classes.iter().position(|c| c.name == name).map(|i| ClassId(i as u32))
    }

    /// The error code with this id.
    pub fn error(&self, id: ErrorId) -> &ErrorDef {
        &self.errors[id.0 as usize]
    }

    /// The codes of a message's errors, in the order the schema lists them.
    pub fn error_codes<'a>(&'a self, ids: &'a [ErrorId]) -> impl Iterator<Item = &'a str> + 'a {
        ids.iter().map(|e| self.error(*e).code.as_str())
    }

    /// The name of a role.
    pub fn role(&self, id: RoleId) -> &str {
        &self.roles[usize::from(id.0)]
    }

    /// The names of a set of roles, most privileged first.
    pub fn role_names(&self, roles: Roles) -> Vec<&str> {
        roles.names(&self.roles).collect()
    }

    /// A set of roles in words, for documentation: the names, most
    /// privileged first, or [`Roles::NONE_LABEL`] for none.
    pub fn roles_text(&self, roles: Roles) -> String {
        if roles.is_empty() {
            Roles::NONE_LABEL.into()
        } else {
            self.role_names(roles).join(", ")
        }
    }

    pub fn messages(&self) -> impl Iterator<Item = (&Class, &Message)> {
        self.classes.iter().flat_map(|c| c.messages.iter().map(move |m| (c, m)))
    }

    pub fn release_index(&self, code: &str) -> Option<usize> {
        self.releases.iter().position(|r| r.code == code)
    }

    /// Counts for a one-line summary.
    pub fn summary(&self) -> Summary {
        let mut s = Summary { classes: self.classes.len(), errors: self.errors.len(), ..Default::default() };
        for c in &self.classes {
            s.fields += c.fields.len();
            s.enums += c.enums.iter().filter(|e| e.home).count();
            for m in &c.messages {
                if m.is_derived() {
                    s.derived += 1;
                } else {
                    s.explicit += 1;
                }
            }
        }
        s
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub classes: usize,
    pub fields: usize,
    pub explicit: usize,
    pub derived: usize,
    pub enums: usize,
    pub errors: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} classes, {} fields, {} messages ({} explicit, {} derived), {} enums, {} errors",
            self.classes,
            self.fields,
            self.explicit + self.derived,
            self.explicit,
            self.derived,
            self.enums,
            self.errors
        )
    }
}
