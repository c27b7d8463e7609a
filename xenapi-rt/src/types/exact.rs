//! Decoding record sets straight to their final length.
//!
//! Neither wire format says how many elements an array holds before they
//! have all been read, so serde's own `Vec` starts empty and grows (a
//! set of eleven enum values is allocated twice, and every set keeps
//! room for four elements or more). [`set`] holds the first [`BUFFERED`]
//! elements on the stack and allocates once, at the length read; only
//! longer sets grow, from twice that length. Generated records use it
//! for every set field (`deserialize_with`); it accepts exactly what
//! serde's `Vec` accepts. [`Map`](super::Map) decodes the same way by
//! itself.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

/// How many members are held on the stack before the container is
/// allocated.
pub const BUFFERED: usize = 16;

/// Decodes a `Vec` allocated once at its final length (for up to
/// [`BUFFERED`] elements).
pub fn set<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_seq(SetVisitor(PhantomData))
}

struct SetVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for SetVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut held = Held::new();
        gather(&mut held, || access.next_element())?;
        Ok(if held.spilled() {
            held.into_vec()
        } else {
            let mut items = Vec::with_capacity(held.len());
            items.extend(held.drain(..));
            items
        })
    }
}

/// Members read so far: the first [`BUFFERED`] in place (on the caller's
/// stack), all of them in a heap block past that.
pub(crate) type Held<T> = smallvec::SmallVec<[T; BUFFERED]>;

/// Reads members with `next` into `held` (the caller's, so that its
/// inline part is not moved on return) until `next` says there are no
/// more; the caller then allocates its container once, at the size read.
#[inline]
pub(crate) fn gather<T, E>(held: &mut Held<T>, mut next: impl FnMut() -> Result<Option<T>, E>) -> Result<(), E> {
    while let Some(item) = next()? {
        held.push(item);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "set", default)]
        s: Vec<u32>,
    }

    fn read(json: &str) -> Holder {
        serde_json::from_str(json).expect("decodes")
    }

    #[test]
    fn lengths_are_exact_up_to_the_buffer_and_grow_past_it() {
        for n in [0usize, 1, 2, 9, BUFFERED - 1, BUFFERED, BUFFERED + 1, 3 * BUFFERED + 5, 1000] {
            let items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let h = read(&format!("{{\"s\":[{}]}}", items.join(",")));
            assert_eq!(h.s, (0..n as u32).collect::<Vec<_>>());
            if n <= BUFFERED {
                assert_eq!(h.s.capacity(), n, "one allocation at the final length");
            }
        }
        assert!(read("{}").s.is_empty());
    }

    #[test]
    fn wrong_shapes_are_refused_as_serde_refuses_them() {
        assert!(serde_json::from_str::<Holder>(r#"{"s":{"a":1}}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"s":[1,"x"]}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"s":"1"}"#).is_err());
    }
}
