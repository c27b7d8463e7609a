//! Typed object references.
//!
//! On the wire a reference is an opaque string (`OpaqueRef:...`). In Rust
//! each class gets its own reference type, `Ref<C>` with a marker type per
//! class, so a VM reference cannot be passed where a host reference is
//! expected.

use std::borrow::{Borrow, Cow};
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
///
/// The null reference is kept without an allocation: records hold many
/// of them (every unset ref field, and every ref field of a default
/// record, which decoding builds to fill in missing fields).
pub struct Ref<C> {
    id: Cow<'static, str>,
    class: PhantomData<fn() -> C>,
}

impl<C> Ref<C> {
    /// Wraps a reference string as received from a server.
    pub fn new(id: impl Into<String>) -> Self {
        Self::from_cow(Cow::Owned(id.into()))
    }

    fn from_cow(id: Cow<'static, str>) -> Self {
        let id = if id == NULL_REF { Cow::Borrowed(NULL_REF) } else { id };
        Ref { id, class: PhantomData }
    }

    /// The null reference.
    pub fn null() -> Self {
        Ref { id: Cow::Borrowed(NULL_REF), class: PhantomData }
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
        self.id.into_owned()
    }

    /// The same string as a reference to another class; for code that
    /// knows better than the type system (events name their class at run
    /// time).
    pub fn cast<D>(self) -> Ref<D> {
        Ref { id: self.id, class: PhantomData }
    }
}

impl<C> Default for Ref<C> {
    fn default() -> Self {
        Ref::null()
    }
}

impl<C> Clone for Ref<C> {
    fn clone(&self) -> Self {
        Ref { id: self.id.clone(), class: PhantomData }
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
        struct RefVisitor<C>(PhantomData<fn() -> C>);

        impl<C> serde::de::Visitor<'_> for RefVisitor<C> {
            type Value = Ref<C>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object reference (a string)")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Ref<C>, E> {
                Ok(if v == NULL_REF { Ref::null() } else { Ref::from_cow(Cow::Owned(v.to_owned())) })
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Ref<C>, E> {
                Ok(Ref::from_cow(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_string(RefVisitor(PhantomData))
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

    #[test]
    fn null_refs_do_not_allocate_and_compare_by_text() {
        let made: Ref<Vm> = Ref::new(String::from(NULL_REF));
        assert!(matches!(made.id, Cow::Borrowed(_)));
        assert_eq!(made, Ref::null());
        let decoded: Ref<Vm> = serde_json::from_str("\"OpaqueRef:NULL\"").unwrap();
        assert!(matches!(decoded.id, Cow::Borrowed(_)));
        let other: Ref<Vm> = serde_json::from_str("\"OpaqueRef:abc\"").unwrap();
        assert_eq!(other.as_str(), "OpaqueRef:abc");
        assert_eq!(other.clone().cast::<()>().into_string(), "OpaqueRef:abc");
        assert!(serde_json::from_str::<Ref<Vm>>("12").is_err());
    }
}
