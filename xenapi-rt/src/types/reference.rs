//! Typed object references.
//!
//! On the wire a reference is an opaque string (`OpaqueRef:...`). In Rust
//! each class gets its own reference type, `Ref<C>` with a marker type per
//! class, so a VM reference cannot be passed where a host reference is
//! expected.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The reference that points to no object.
pub const NULL_REF: &str = "OpaqueRef:NULL";

/// A class of the API, implemented by the marker type of each class.
pub trait Class: 'static {
    /// The class name as the API spells it (`VM`, `host`, ...).
    const NAME: &'static str;
}

/// A reference to an object of class `C`.
pub struct Ref<C> {
    id: String,
    class: PhantomData<fn() -> C>,
}

impl<C> Ref<C> {
    /// Wraps a reference string as received from a server.
    pub fn new(id: impl Into<String>) -> Self {
        Ref {
            id: id.into(),
            class: PhantomData,
        }
    }

    /// The null reference.
    pub fn null() -> Self {
        Ref::new(NULL_REF)
    }

    /// Whether this is the null reference (`OpaqueRef:NULL`, or empty as
    /// some servers send it).
    pub fn is_null(&self) -> bool {
        self.id == NULL_REF || self.id.is_empty() || self.id == "Null"
    }

    /// The reference string.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The reference string, consuming the reference.
    pub fn into_string(self) -> String {
        self.id
    }

    /// The same string as a reference to another class; for code that
    /// knows better than the type system (events name their class at run
    /// time).
    pub fn cast<D>(self) -> Ref<D> {
        Ref::new(self.id)
    }
}

impl<C> Default for Ref<C> {
    fn default() -> Self {
        Ref::null()
    }
}

impl<C> Clone for Ref<C> {
    fn clone(&self) -> Self {
        Ref::new(self.id.clone())
    }
}

impl<C> PartialEq for Ref<C> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<C> Eq for Ref<C> {}

impl<C> PartialOrd for Ref<C> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<C> Ord for Ref<C> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.id.cmp(&other.id)
    }
}

impl<C> Hash for Ref<C> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state)
    }
}

impl<C> Borrow<str> for Ref<C> {
    fn borrow(&self) -> &str {
        &self.id
    }
}

impl<C: Class> fmt::Debug for Ref<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", C::NAME, self.id)
    }
}

impl<C> fmt::Display for Ref<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl<C> Serialize for Ref<C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.id)
    }
}

impl<'de, C> Deserialize<'de> for Ref<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Ref::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    enum Vm {}
    impl Class for Vm {
        const NAME: &'static str = "VM";
    }

    #[test]
    fn null_and_display() {
        let r: Ref<Vm> = Ref::default();
        assert!(r.is_null());
        assert_eq!(format!("{r:?}"), "VM(OpaqueRef:NULL)");
        let r: Ref<Vm> = Ref::new("OpaqueRef:1");
        assert!(!r.is_null());
        assert_eq!(r.to_string(), "OpaqueRef:1");
    }
}
