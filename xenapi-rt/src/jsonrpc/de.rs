//! Decoding one JSON value straight into a `Deserialize` type.
//!
//! Each `deserialize_*` method accepts what `serde_json`'s does for the
//! same hint (structs read from objects or arrays, map keys read as
//! numbers or booleans from their quoted text, ...) and nothing more, so
//! a type decodes to the same value either way. Strings without escapes
//! reach visitors through `visit_borrowed_str`.

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::read::{Number, Reader, Str};
use crate::WireError;

type Result<T> = std::result::Result<T, WireError>;

fn visit_number<'de, V: Visitor<'de>>(n: Number, visitor: V) -> Result<V::Value> {
    match n {
        Number::U64(v) => visitor.visit_u64(v),
        Number::I64(v) => visitor.visit_i64(v),
        Number::F64(v) => visitor.visit_f64(v),
    }
}

fn visit_str<'de, V: Visitor<'de>>(s: Str<'de, '_>, visitor: V) -> Result<V::Value> {
    match s {
        Str::Borrowed(s) => visitor.visit_borrowed_str(s),
        Str::Copied(s) => visitor.visit_str(s),
    }
}

impl<'de> Reader<'de> {
    /// The value ahead as a number, or an error naming what it is.
    fn number_value<'a, V: Visitor<'de>>(&'a mut self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'-') if self.text().as_bytes().get(self.pos() + 1) == Some(&b'I') => {
                Err(self.error("expected a number"))
            }
            Some(b'-' | b'0'..=b'9') => visit_number(self.number()?, visitor),
            _ => Err(self.error("expected a number")),
        }
    }

    /// The value ahead as a string (the bare non-finite words count as
    /// strings), or an error.
    fn string_value<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => visit_str(self.string()?, visitor),
            Some(b'N' | b'I' | b'-') => match self.non_finite() {
                Some(word) => visitor.visit_borrowed_str(word),
                None => Err(self.error("expected a string")),
            },
            _ => Err(self.error("expected a string")),
        }
    }

    fn seq_value<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        if self.peek() != Some(b'[') {
            return Err(self.error("expected an array"));
        }
        self.open()?;
        let value = visitor.visit_seq(Seq { r: self, first: true })?;
        self.close(b']')?;
        Ok(value)
    }

    fn map_value<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        if self.peek() != Some(b'{') {
            return Err(self.error("expected an object"));
        }
        self.open()?;
        let value = visitor.visit_map(Map { r: self, first: true })?;
        self.close(b'}')?;
        Ok(value)
    }
}

/// Deserializer methods that all hand their visitor to one method of
/// `self` (the numeric ones, which read numbers the same whatever the
/// width the visitor wants).
macro_rules! forward_to {
    ($target:ident: $($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.$target(visitor)
        })*
    };
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = WireError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'"' | b'N' | b'I') => self.string_value(visitor),
            Some(b'-') if self.text().as_bytes().get(self.pos() + 1) == Some(&b'I') => self.string_value(visitor),
            Some(b'-' | b'0'..=b'9') => visit_number(self.number()?, visitor),
            Some(b'{') => self.map_value(visitor),
            Some(b'[') => self.seq_value(visitor),
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("input ended where a value was expected")),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            _ => Err(self.error("expected a boolean")),
        }
    }

    forward_to!(number_value: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_f32 deserialize_f64);

    fn deserialize_i128<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        // Left to serde_json, which reads the full 128-bit range.
        Err(self.error("128-bit integers are not read here"))
    }

    fn deserialize_u128<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(self.error("128-bit integers are not read here"))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.string_value(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.string_value(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.string_value(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.string_value(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => match self.string()? {
                Str::Borrowed(s) => visitor.visit_borrowed_bytes(s.as_bytes()),
                Str::Copied(s) => visitor.visit_bytes(s.as_bytes()),
            },
            Some(b'[') => self.seq_value(visitor),
            _ => Err(self.error("expected a string or an array")),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            visitor.visit_unit()
        } else {
            Err(self.error("expected null"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        if name.starts_with("$serde_json::") {
            // serde_json's own types (`RawValue`) are read by serde_json.
            return Err(self.error("serde_json private type"));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.seq_value(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.seq_value(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.seq_value(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.map_value(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek() {
            Some(b'[') => self.seq_value(visitor),
            _ => self.map_value(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => visitor.visit_enum(UnitVariant { r: self }),
            Some(b'{') => {
                self.open()?;
                let value = visitor.visit_enum(Variant { r: self })?;
                self.close(b'}')?;
                Ok(value)
            }
            _ => Err(self.error("expected a string or an object")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }
}

/// The elements of an array whose `[` has been read.
struct Seq<'a, 'de> {
    r: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Seq<'_, 'de> {
    type Error = WireError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.r.next_item(b']', &mut self.first)? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.r).map(Some)
    }
}

/// The members of an object whose `{` has been read.
struct Map<'a, 'de> {
    r: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> MapAccess<'de> for Map<'_, 'de> {
    type Error = WireError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.r.next_item(b'}', &mut self.first)? {
            return Ok(None);
        }
        if self.r.peek() != Some(b'"') {
            return Err(self.r.error("expected a member name"));
        }
        seed.deserialize(MapKey { r: &mut *self.r }).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.r.expect(b':', "`:`")?;
        seed.deserialize(&mut *self.r)
    }
}

/// A member name (its opening quote next). Names are strings; types that
/// want numbers or booleans as keys get them parsed from the quoted text,
/// as serde_json does.
struct MapKey<'a, 'de> {
    r: &'a mut Reader<'de>,
}

impl<'de> MapKey<'_, 'de> {
    fn quoted_number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.r.bump();
        if !matches!(self.r.text().as_bytes().get(self.r.pos()), Some(b'-' | b'0'..=b'9')) {
            return Err(self.r.error("expected a numeric member name"));
        }
        let n = self.r.number()?;
        if self.r.text().as_bytes().get(self.r.pos()) != Some(&b'"') {
            return Err(self.r.error("expected `\"` after a numeric member name"));
        }
        self.r.bump();
        visit_number(n, visitor)
    }
}

impl<'de> de::Deserializer<'de> for MapKey<'_, 'de> {
    type Error = WireError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visit_str(self.r.string()?, visitor)
    }

    forward_to!(quoted_number: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_f32 deserialize_f64);

    fn deserialize_i128<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(self.r.error("128-bit integers are not read here"))
    }

    fn deserialize_u128<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(self.r.error("128-bit integers are not read here"))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.r.string()?.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(self.r.error("expected a boolean member name")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        if name.starts_with("$serde_json::") {
            return Err(self.r.error("serde_json private type"));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_enum(self.r, name, variants, visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_bytes(self.r, visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_bytes(self.r, visitor)
    }

    forward_to_deserialize_any! {
        char str string unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// An enum written as a string: a unit variant.
struct UnitVariant<'a, 'de> {
    r: &'a mut Reader<'de>,
}

impl<'de> EnumAccess<'de> for UnitVariant<'_, 'de> {
    type Error = WireError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let variant = seed.deserialize(&mut *self.r)?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for UnitVariant<'_, 'de> {
    type Error = WireError;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(self.r.error("expected a newtype variant, found a unit variant"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(self.r.error("expected a tuple variant, found a unit variant"))
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], _visitor: V) -> Result<V::Value> {
        Err(self.r.error("expected a struct variant, found a unit variant"))
    }
}

/// An enum written as `{"Variant": value}` (the `{` read).
struct Variant<'a, 'de> {
    r: &'a mut Reader<'de>,
}

impl<'de> EnumAccess<'de> for Variant<'_, 'de> {
    type Error = WireError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        if self.r.peek() != Some(b'"') {
            return Err(self.r.error("expected a variant name"));
        }
        let variant = seed.deserialize(&mut *self.r)?;
        self.r.expect(b':', "`:`")?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'_, 'de> {
    type Error = WireError;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self.r)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self.r)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.r.seq_value(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(self.r, "", fields, visitor)
    }
}
