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

/// Longest reference text kept without a heap allocation: the length of
/// `OpaqueRef:` and a UUID, the form servers hand out.
const INLINE: usize = 46;

/// The text of a reference. Records hold dozens of references each, so
/// the usual ones are kept inline: decoding a reply then allocates for
/// none of them, and the null reference is a constant.
#[derive(Clone)]
enum Id {
    Null,
    Inline(u8, [u8; INLINE]),
    Heap(Box<str>),
}

impl Id {
    fn from_str(s: &str) -> Id {
        if s == NULL_REF {
            Id::Null
        } else if s.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            Id::Inline(s.len() as u8, buf)
        } else {
            Id::Heap(s.into())
        }
    }

    fn from_string(s: String) -> Id {
        if s.len() > INLINE {
            Id::Heap(s.into_boxed_str())
        } else {
            Id::from_str(&s)
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Id::Null => NULL_REF,
            // Always the bytes of a `str` cut at its own length.
            Id::Inline(len, buf) => std::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or_default(),
            Id::Heap(s) => s,
        }
    }
}

/// A reference to an object of class `C`.
pub struct Ref<C> {
    id: Id,
    class: PhantomData<fn() -> C>,
}

impl<C> Ref<C> {
    /// Wraps a reference string as received from a server.
    pub fn new(id: impl Into<String>) -> Self {
        Ref { id: Id::from_string(id.into()), class: PhantomData }
    }

    /// The null reference.
    pub fn null() -> Self {
        Ref { id: Id::Null, class: PhantomData }
    }

    /// Whether this is the null reference (`OpaqueRef:NULL`, or empty as
    /// some servers send it).
    pub fn is_null(&self) -> bool {
        let id = self.as_str();
        id == NULL_REF || id.is_empty() || id == "Null"
    }

    /// The reference string.
    pub fn as_str(&self) -> &str {
        self.id.as_str()
    }

    /// The reference string, consuming the reference.
    pub fn into_string(self) -> String {
        match self.id {
            Id::Heap(s) => s.into_string(),
            other => other.as_str().to_string(),
        }
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
        self.as_str() == other.as_str()
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
        self.as_str().cmp(other.as_str())
    }
}

impl<C> Hash for Ref<C> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl<C> Borrow<str> for Ref<C> {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl<C: Class> fmt::Debug for Ref<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", C::NAME, self.as_str())
    }
}

impl<C> fmt::Display for Ref<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<C> Serialize for Ref<C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
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
                Ok(Ref { id: Id::from_str(v), class: PhantomData })
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Ref<C>, E> {
                Ok(Ref { id: Id::from_string(v), class: PhantomData })
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
    fn refs_keep_their_text_in_every_form() {
        let made: Ref<Vm> = Ref::new(String::from(NULL_REF));
        assert!(matches!(made.id, Id::Null) && made.is_null());
        assert_eq!(made, Ref::null());
        let decoded: Ref<Vm> = serde_json::from_str("\"OpaqueRef:NULL\"").unwrap();
        assert!(matches!(decoded.id, Id::Null));
        let uuid = "OpaqueRef:0b5ee7f2-8a4c-4c1e-9a59-1d7c1f3b9e10";
        let usual: Ref<Vm> = serde_json::from_str(&format!("\"{uuid}\"")).unwrap();
        assert!(matches!(usual.id, Id::Inline(..)));
        assert_eq!((usual.as_str(), usual.to_string()), (uuid, uuid.to_string()));
        let long = format!("{uuid}-and-more-é");
        let odd: Ref<Vm> = Ref::new(long.clone());
        assert!(matches!(odd.id, Id::Heap(_)));
        assert_eq!(odd.clone().cast::<()>().into_string(), long);
        let short: Ref<Vm> = Ref::new("é");
        assert_eq!(short.as_str(), "é");
        // Equal text, equal refs, whatever the storage.
        let mut set = std::collections::HashSet::new();
        set.insert(usual.clone());
        assert!(set.contains(uuid));
        assert!(serde_json::from_str::<Ref<Vm>>("12").is_err());
    }
}
