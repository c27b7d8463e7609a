//! Storage of a generated API's objects: the [`Record`] trait every
//! generated record type implements, the [`Relation`]s between classes,
//! and the [`Store`] that derived messages (getters, setters, map and set
//! updates, records, lookups, create, destroy) work on.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::schema::Schema;
use crate::types::{Class, Ref};

/// The typed API error of the schema a store serves.
pub type ApiErrorOf<S> = <<S as Store>::Schema as Schema>::ApiError;

/// Objects of one class with their records, as a listing returns them.
pub type Objects<R> = Vec<(Ref<<R as Record>::Class>, R)>;

/// A record type of a class, as a store keeps it. Generated crates
/// implement it for every class that has fields.
pub trait Record: Clone + Default + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The class marker (`Vm` for `VmRecord`).
    type Class: Class;
    /// The `uuid` field, for classes that have one.
    fn uuid(&self) -> Option<&str>;
    /// Sets the `uuid` field (a no-op for classes without one).
    fn set_uuid(&mut self, uuid: &str);
    /// The `name_label` field, for classes that have one.
    fn name_label(&self) -> Option<&str>;
    // The defaults below suit classes without the fields involved; the
    // generated implementations override them where a class has them.

    /// The objects this one points at through the ref field of a
    /// relation (one of the API's `RELATIONS`), with that relation; null
    /// refs are left out.
    fn related(&self) -> Vec<(&'static Relation, &str)> {
        Vec::new()
    }
    /// Adds `r` to the set field named `inverse` (the listing side of a
    /// relation) unless it is there already; false when the class has no
    /// such field.
    fn link(&mut self, inverse: &str, r: &str) -> bool {
        let _ = (inverse, r);
        false
    }
    /// Removes `r` from the set field named `inverse`; false when the
    /// class has no such field.
    fn unlink(&mut self, inverse: &str, r: &str) -> bool {
        let _ = (inverse, r);
        false
    }
    /// Lists `operation` (a value of the class's operations enum, as
    /// spelt on the wire) under `task` in `current_operations`, for a
    /// running task that acts on this object; false when the class has no
    /// such field or the enum no such value.
    fn begin_operation(&mut self, task: &str, operation: &str) -> bool {
        let _ = (task, operation);
        false
    }
    /// Takes `task` out of `current_operations`; false when it was not
    /// listed.
    fn end_operation(&mut self, task: &str) -> bool {
        let _ = task;
        false
    }
}

/// A relation: objects of `class` point at an object of `target` through
/// the ref field `field`, and `target` lists them in its set field
/// `inverse` (`VBD.VM` and `VM.VBDs`). A store that keeps both sides
/// consistent links an object into its targets when it is created or its
/// ref field changes, and unlinks it when it is destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Relation {
    /// The class holding the ref field.
    pub class: &'static str,
    /// The ref field, as spelt on the wire.
    pub field: &'static str,
    /// The class the ref points at.
    pub target: &'static str,
    /// The set field of `target`, as spelt on the wire.
    pub inverse: &'static str,
}

/// Something done once per record type; generated crates call it for
/// every class through their `visit_records`.
pub trait ClassVisitor {
    /// Called with the record type of one class.
    fn visit<R: Record>(&mut self);
}

/// Links a class marker to its record type.
pub trait HasRecord {
    /// The record type of the class.
    type Record: Record;
}

/// Storage of objects by class, which every derived message uses unless
/// the backend overrides that message. Errors are the schema's typed API
/// errors.
pub trait Store: Send + Sync + Sized {
    /// The schema whose objects the store keeps (`xenapi::Schema`).
    type Schema: Schema;
    /// The record of an object, or HANDLE_INVALID.
    fn get<R: Record>(&self, r: &Ref<R::Class>) -> Result<R, ApiErrorOf<Self>>;
    /// Changes an object's record in place; an error leaves it unchanged.
    fn update<R: Record, T, F>(&self, r: &Ref<R::Class>, f: F) -> Result<T, ApiErrorOf<Self>>
    where
        F: FnOnce(&mut R) -> Result<T, ApiErrorOf<Self>>;
    /// Every object of a class.
    fn all<R: Record>(&self) -> Vec<(Ref<R::Class>, R)>;
    /// The object with this UUID, or UUID_INVALID.
    fn by_uuid<R: Record>(&self, uuid: &str) -> Result<Ref<R::Class>, ApiErrorOf<Self>>;
    /// Adds an object and returns its new reference.
    fn create<R: Record>(&self, record: R) -> Result<Ref<R::Class>, ApiErrorOf<Self>>;
    /// Removes an object, or HANDLE_INVALID.
    fn destroy<R: Record>(&self, r: &Ref<R::Class>) -> Result<(), ApiErrorOf<Self>>;
    /// The objects of a class whose record satisfies `expr`, a condition in
    /// xapi's filter language (what `get_all_where` and
    /// `get_all_records_where` answer). A store that does not evaluate the
    /// language answers NOT_IMPLEMENTED for `method`, the wire name called.
    fn all_where<R: Record>(&self, method: &str, expr: &str) -> Result<Objects<R>, ApiErrorOf<Self>> {
        let _ = expr;
        Err(super::glue::not_implemented_error(method))
    }
}
