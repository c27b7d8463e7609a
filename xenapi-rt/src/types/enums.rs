//! Decoding of API enums: a string mapped to a variant, without
//! allocating for values the enum knows.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};

/// Deserializes an enum from its wire string with `from_wire`, which keeps
/// unknown values rather than failing. `name` is used in error messages.
pub fn deserialize_enum<'de, D, T>(deserializer: D, name: &'static str, from_wire: fn(&str) -> T) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_str(EnumVisitor { name, from_wire, out: PhantomData })
}

struct EnumVisitor<T> {
    name: &'static str,
    from_wire: fn(&str) -> T,
    out: PhantomData<T>,
}

impl<T> Visitor<'_> for EnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a value of enum {}", self.name)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.from_wire)(v))
    }
}
