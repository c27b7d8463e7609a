//! The classes the protocol itself relies on: sessions (every call but the
//! login family takes one), tasks (what an `Async.` call returns) and
//! events (what `event.from` reports). Backends treat them apart; this is
//! the one place that knows their names.

use super::{Api, Class, Type};

/// What part a class plays in the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClassKind {
    /// `session`: created by login, passed first to every other call.
    Session,
    /// `task`: tracks an `Async.` call and holds its outcome.
    Task,
    /// `event`: a change to an object, as `event.from` reports it.
    Event,
    /// Any other class.
    Ordinary,
}

impl ClassKind {
    /// The kinds that have a class of their own, which every client and
    /// server needs.
    pub const SPECIAL: [ClassKind; 3] = [ClassKind::Session, ClassKind::Task, ClassKind::Event];

    /// The kind of the class named `class`.
    pub fn of(class: &str) -> ClassKind {
        ClassKind::SPECIAL.into_iter().find(|k| k.class_name() == Some(class)).unwrap_or(ClassKind::Ordinary)
    }

    /// The name of the class of this kind; `None` for ordinary classes.
    pub fn class_name(self) -> Option<&'static str> {
        match self {
            ClassKind::Session => Some("session"),
            ClassKind::Task => Some("task"),
            ClassKind::Event => Some("event"),
            ClassKind::Ordinary => None,
        }
    }
}

impl Class {
    pub fn kind(&self) -> ClassKind {
        ClassKind::of(&self.name)
    }
}

impl Api {
    /// The class of a special kind, if the API has it.
    pub fn class_of_kind(&self, kind: ClassKind) -> Option<&Class> {
        self.classes.iter().find(|c| kind != ClassKind::Ordinary && c.kind() == kind)
    }
}

impl Type {
    /// `session ref`: the first parameter of every call but the login family.
    pub fn session_ref() -> Type {
        Type::Ref(ClassKind::Session.class_name().unwrap_or_default().to_string())
    }

    /// `task ref`: what an `Async.` call returns at once.
    pub fn task_ref() -> Type {
        Type::Ref(ClassKind::Task.class_name().unwrap_or_default().to_string())
    }

    /// `event record`: one item of an event batch.
    pub fn event_record() -> Type {
        Type::Record(ClassKind::Event.class_name().unwrap_or_default().to_string())
    }
}
