//! Decoding one XML-RPC `<value>` straight into a `Deserialize` type.

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::reader::{is_blank, unexpected, Tag, Tok, XmlReader};
use crate::types::float::parse_float;
use crate::{Limits, WireError};

/// What a `<value>` turned out to hold, after its opening part was read.
pub(crate) enum Head<'de> {
    /// A scalar, already read through `</value>`.
    Scalar(Kind, Cow<'de, str>),
    /// `<nil/>`, read through `</value>`.
    Nil,
    /// `<array><data>` was read; elements follow.
    Array,
    /// `<struct>` was read; members follow.
    Struct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Int,
    Double,
    Bool,
    DateTime,
    Base64,
}

/// Reads what follows a `<value>` start tag up to the point where the
/// value's shape is known.
pub(crate) fn read_head<'de>(r: &mut XmlReader<'de>) -> Result<Head<'de>, WireError> {
    if let Some((tag, text)) = r.try_scalar()? {
        return Ok(Head::Scalar(kind_of(tag), Cow::Borrowed(text)));
    }
    match r.try_container()? {
        Some(Tag::Struct) => return Ok(Head::Struct),
        Some(_) => return Ok(Head::Array),
        None => {}
    }
    let mut text: Option<Cow<'de, str>> = None;
    loop {
        match r.next()? {
            Tok::Text(t) => text = Some(t),
            // Untyped content is a string.
            Tok::End(Tag::Value) => return Ok(Head::Scalar(Kind::Str, text.unwrap_or(Cow::Borrowed("")))),
            Tok::Start(tag) => {
                if text.as_deref().is_some_and(|t| !is_blank(t)) {
                    return Err(WireError::Unexpected {
                        expected: "either text or one type element inside <value>",
                        found: "text mixed with elements".into(),
                    });
                }
                let kind = match tag {
                    Tag::String => Kind::Str,
                    Tag::I4 | Tag::Int | Tag::I8 => Kind::Int,
                    Tag::Double => Kind::Double,
                    Tag::Boolean => Kind::Bool,
                    Tag::DateTime => Kind::DateTime,
                    Tag::Base64 => Kind::Base64,
                    Tag::Nil => {
                        r.skip_element()?;
                        r.expect_end(Tag::Value)?;
                        return Ok(Head::Nil);
                    }
                    Tag::Array => {
                        r.expect_start(Tag::Data)?;
                        return Ok(Head::Array);
                    }
                    Tag::Struct => return Ok(Head::Struct),
                    other => {
                        return Err(WireError::Unexpected {
                            expected: "an XML-RPC type element",
                            found: format!("<{}>", other.name()),
                        })
                    }
                };
                let s = r.text_until_end(tag)?;
                r.expect_end(Tag::Value)?;
                return Ok(Head::Scalar(kind, s));
            }
            other => return Err(unexpected("</value>", &other)),
        }
    }
}

/// The scalar kind of a type element [`XmlReader::try_scalar`] returns.
fn kind_of(tag: Tag) -> Kind {
    match tag {
        Tag::Double => Kind::Double,
        Tag::Boolean => Kind::Bool,
        Tag::DateTime => Kind::DateTime,
        Tag::Base64 => Kind::Base64,
        Tag::I4 | Tag::Int | Tag::I8 => Kind::Int,
        _ => Kind::Str,
    }
}

/// Visits a scalar the way `deserialize_any` does: ints, doubles and
/// booleans by value, everything else as a string.
fn visit_scalar<'de, V: Visitor<'de>>(kind: Kind, s: Cow<'de, str>, visitor: V) -> Result<V::Value, WireError> {
    match kind {
        Kind::Int => visit_int(&s, visitor),
        Kind::Double => visit_float(&s, visitor),
        Kind::Bool => visitor.visit_bool(parse_bool(&s)?),
        Kind::Str | Kind::DateTime | Kind::Base64 => visit_cow(s, visitor),
    }
}

fn visit_cow<'de, V: Visitor<'de>>(s: Cow<'de, str>, visitor: V) -> Result<V::Value, WireError> {
    match s {
        Cow::Borrowed(b) => visitor.visit_borrowed_str(b),
        Cow::Owned(o) => visitor.visit_string(o),
    }
}

fn visit_int<'de, V: Visitor<'de>>(s: &str, visitor: V) -> Result<V::Value, WireError> {
    let t = s.trim();
    if let Ok(v) = t.parse::<i64>() {
        visitor.visit_i64(v)
    } else if let Ok(v) = t.parse::<u64>() {
        visitor.visit_u64(v)
    } else {
        Err(WireError::InvalidScalar { kind: "int", text: s.to_string() })
    }
}

fn visit_float<'de, V: Visitor<'de>>(s: &str, visitor: V) -> Result<V::Value, WireError> {
    match parse_float(s) {
        Some(v) => visitor.visit_f64(v),
        None => Err(WireError::InvalidScalar { kind: "double", text: s.to_string() }),
    }
}

fn parse_bool(s: &str) -> Result<bool, WireError> {
    let t = s.trim();
    if t == "1" || t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t == "0" || t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(WireError::InvalidScalar { kind: "boolean", text: s.to_string() })
    }
}

/// Deserializer for one value whose `<value>` start tag was consumed.
pub(crate) struct ValueDe<'a, 'de> {
    r: &'a mut XmlReader<'de>,
    head: Option<Head<'de>>,
}

impl<'a, 'de> ValueDe<'a, 'de> {
    pub(crate) fn new(r: &'a mut XmlReader<'de>) -> Self {
        ValueDe { r, head: None }
    }

    fn head(&mut self) -> Result<Head<'de>, WireError> {
        match self.head.take() {
            Some(h) => Ok(h),
            None => read_head(self.r),
        }
    }

    /// The text of a compactly written scalar (see
    /// [`XmlReader::try_scalar`]), read straight away when no head was
    /// read yet.
    #[inline]
    fn quick_scalar(&mut self) -> Result<Option<(Tag, &'de str)>, WireError> {
        if self.head.is_some() {
            return Ok(None);
        }
        self.r.try_scalar()
    }

    fn visit_head<V: Visitor<'de>>(self, head: Head<'de>, visitor: V) -> Result<V::Value, WireError> {
        match head {
            Head::Scalar(kind, s) => visit_scalar(kind, s, visitor),
            Head::Nil => visitor.visit_unit(),
            Head::Array => {
                let mut acc = SeqAcc { r: self.r, done: false };
                let v = visitor.visit_seq(&mut acc)?;
                acc.finish()?;
                Ok(v)
            }
            Head::Struct => {
                let mut acc = MapAcc { r: self.r, done: false, value_pending: false };
                let v = visitor.visit_map(&mut acc)?;
                acc.finish()?;
                Ok(v)
            }
        }
    }

    /// Consumes the rest of a compound value without visiting it.
    fn drain(self, head: Head<'de>) -> Result<(), WireError> {
        match head {
            Head::Array => SeqAcc { r: self.r, done: false }.finish(),
            Head::Struct => MapAcc { r: self.r, done: false, value_pending: false }.finish(),
            _ => Ok(()),
        }
    }
}

macro_rules! integer_methods {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, WireError> {
            if let Some((tag, text)) = self.quick_scalar()? {
                return match kind_of(tag) {
                    Kind::Str | Kind::Int => visit_int(text, visitor),
                    kind => visit_scalar(kind, Cow::Borrowed(text), visitor),
                };
            }
            match self.head()? {
                Head::Scalar(Kind::Str | Kind::Int, s) => visit_int(&s, visitor),
                other => self.visit_head(other, visitor),
            }
        }
    )*};
}

macro_rules! string_methods {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, WireError> {
            if let Some((_, text)) = self.quick_scalar()? {
                return visitor.visit_borrowed_str(text);
            }
            match self.head()? {
                Head::Scalar(_, s) => visit_cow(s, visitor),
                other => self.visit_head(other, visitor),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ValueDe<'_, 'de> {
    type Error = WireError;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, WireError> {
        let head = self.head()?;
        self.visit_head(head, visitor)
    }

    integer_methods!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128
    );
    string_methods!(
        deserialize_str,
        deserialize_string,
        deserialize_char,
        deserialize_identifier,
        deserialize_bytes,
        deserialize_byte_buf
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WireError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, WireError> {
        if let Some((tag, text)) = self.quick_scalar()? {
            return match kind_of(tag) {
                Kind::Str | Kind::Int | Kind::Double => visit_float(text, visitor),
                kind => visit_scalar(kind, Cow::Borrowed(text), visitor),
            };
        }
        match self.head()? {
            Head::Scalar(Kind::Str | Kind::Int | Kind::Double, s) => visit_float(&s, visitor),
            other => self.visit_head(other, visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, WireError> {
        if let Some((tag, text)) = self.quick_scalar()? {
            return match kind_of(tag) {
                Kind::Str | Kind::Bool => visitor.visit_bool(parse_bool(text)?),
                kind => visit_scalar(kind, Cow::Borrowed(text), visitor),
            };
        }
        match self.head()? {
            Head::Scalar(Kind::Str | Kind::Bool, s) => visitor.visit_bool(parse_bool(&s)?),
            other => self.visit_head(other, visitor),
        }
    }

    /// A present value is always `Some`; only `<nil/>` is `None`.
    fn deserialize_option<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, WireError> {
        match self.head()? {
            Head::Nil => visitor.visit_none(),
            head => visitor.visit_some(ValueDe { r: self.r, head: Some(head) }),
        }
    }

    /// Accepts any value (void results are the empty string, but a
    /// server sending something else is not worth failing over).
    fn deserialize_unit<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, WireError> {
        let head = self.head()?;
        self.drain(head)?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, WireError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, WireError> {
        visitor.visit_newtype_struct(self)
    }

    // Arrays and structs say what they are on the wire.
    forward_to_deserialize_any! {
        seq tuple tuple_struct map struct
    }

    /// Enums travel as the variant's name in a string.
    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, WireError> {
        match self.head()? {
            Head::Scalar(_, s) => visitor.visit_enum(NameEnum(s)),
            other => self.visit_head(other, visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, WireError> {
        match self.head.take() {
            Some(head) => self.drain(head)?,
            None => self.r.skip_element()?,
        }
        visitor.visit_unit()
    }
}

struct SeqAcc<'a, 'de> {
    r: &'a mut XmlReader<'de>,
    done: bool,
}

impl SeqAcc<'_, '_> {
    /// Skips elements the visitor left unread and closes the array.
    fn finish(mut self) -> Result<(), WireError> {
        while !self.done {
            match self.r.next_significant()? {
                Tok::Start(Tag::Value) => self.r.skip_element()?,
                Tok::End(Tag::Data) => self.done = true,
                other => return Err(unexpected("<value> or </data>", &other)),
            }
        }
        self.r.expect_end(Tag::Array)?;
        self.r.expect_end(Tag::Value)
    }
}

impl<'de> SeqAccess<'de> for SeqAcc<'_, 'de> {
    type Error = WireError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, WireError> {
        if self.done {
            return Ok(None);
        }
        match self.r.try_array_item()? {
            Some(true) => return seed.deserialize(ValueDe::new(self.r)).map(Some),
            Some(false) => {
                self.done = true;
                return Ok(None);
            }
            None => {}
        }
        match self.r.next_significant()? {
            Tok::Start(Tag::Value) => seed.deserialize(ValueDe::new(self.r)).map(Some),
            Tok::End(Tag::Data) => {
                self.done = true;
                Ok(None)
            }
            other => Err(unexpected("<value> or </data>", &other)),
        }
    }
}

struct MapAcc<'a, 'de> {
    r: &'a mut XmlReader<'de>,
    done: bool,
    /// A member's `<value>` start tag was read but the value was not.
    value_pending: bool,
}

impl MapAcc<'_, '_> {
    #[inline(always)]
    fn skip_pending(&mut self) -> Result<(), WireError> {
        if self.value_pending {
            self.value_pending = false;
            self.r.skip_element()?;
            self.r.expect_end(Tag::Member)?;
        }
        Ok(())
    }

    /// Skips members the visitor left unread and closes the struct.
    fn finish(mut self) -> Result<(), WireError> {
        self.skip_pending()?;
        while !self.done {
            match self.r.next_significant()? {
                Tok::Start(Tag::Member) => self.r.skip_element()?,
                Tok::End(Tag::Struct) => self.done = true,
                other => return Err(unexpected("<member> or </struct>", &other)),
            }
        }
        self.r.expect_end(Tag::Value)
    }
}

impl<'de> MapAccess<'de> for MapAcc<'_, 'de> {
    type Error = WireError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, WireError> {
        self.skip_pending()?;
        if self.done {
            return Ok(None);
        }
        if let Some(key) = self.r.try_member_name()? {
            self.value_pending = true;
            return seed.deserialize(KeyDe(Cow::Borrowed(key))).map(Some);
        }
        if self.r.try_struct_end() {
            self.done = true;
            return Ok(None);
        }
        match self.r.next_significant()? {
            Tok::Start(Tag::Member) => {
                self.r.expect_start(Tag::Name)?;
                let key = self.r.text_until_end(Tag::Name)?;
                self.r.expect_start(Tag::Value)?;
                self.value_pending = true;
                seed.deserialize(KeyDe(key)).map(Some)
            }
            Tok::End(Tag::Struct) => {
                self.done = true;
                Ok(None)
            }
            other => Err(unexpected("<member> or </struct>", &other)),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, WireError> {
        if !self.value_pending {
            return Err(WireError::Custom("map value requested before its key".into()));
        }
        self.value_pending = false;
        let v = seed.deserialize(ValueDe::new(self.r))?;
        self.r.expect_end(Tag::Member)?;
        Ok(v)
    }
}

/// `key_via!(visit: deserialize_x, ...)`: each method reads the key's
/// text with `visit`.
macro_rules! key_via {
    ($via:ident: $($method:ident),+) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WireError> {
            $via(&self.0, visitor)
        }
    )+};
}

/// Deserializer for a struct member name. Names are always text; this
/// turns them into ints, floats, bools or enum variants on request so maps
/// keyed by those types decode.
pub(crate) struct KeyDe<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserializer<'de> for KeyDe<'de> {
    type Error = WireError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WireError> {
        visit_cow(self.0, visitor)
    }

    key_via!(visit_int: deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64, deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64);
    key_via!(visit_float: deserialize_f32, deserialize_f64);
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WireError> {
        visitor.visit_bool(parse_bool(&self.0)?)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WireError> {
        visitor.visit_some(self)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WireError> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, WireError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, WireError> {
        visitor.visit_enum(NameEnum(self.0))
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, WireError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// An enum given by its variant name; only unit variants can be read.
struct NameEnum<'de>(Cow<'de, str>);

impl<'de> EnumAccess<'de> for NameEnum<'de> {
    type Error = WireError;
    type Variant = UnitOnly;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, UnitOnly), WireError> {
        Ok((seed.deserialize(KeyDe(self.0))?, UnitOnly))
    }
}

struct UnitOnly;

impl<'de> VariantAccess<'de> for UnitOnly {
    type Error = WireError;

    fn unit_variant(self) -> Result<(), WireError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, WireError> {
        Err(de::Error::invalid_type(de::Unexpected::UnitVariant, &"newtype variant"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, WireError> {
        Err(de::Error::invalid_type(de::Unexpected::UnitVariant, &"tuple variant"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, WireError> {
        Err(de::Error::invalid_type(de::Unexpected::UnitVariant, &"struct variant"))
    }
}

/// Decodes a document whose root is a single `<value>` element.
///
/// Each `deserialize_*` call reads one whole `<value>`; call
/// [`end`](Deserializer::end) afterwards to check nothing but whitespace
/// and comments follows.
pub struct Deserializer<'de> {
    r: XmlReader<'de>,
}

impl<'de> Deserializer<'de> {
    /// A deserializer over `input` with the default [`Limits`].
    pub fn from_slice(input: &'de [u8]) -> Result<Self, WireError> {
        Self::from_slice_with_limits(input, &Limits::default())
    }

    /// A deserializer over `input` with the given limits. Fails at once if
    /// the input is not UTF-8.
    pub fn from_slice_with_limits(input: &'de [u8], limits: &Limits) -> Result<Self, WireError> {
        Ok(Deserializer { r: XmlReader::new(input, limits, 0)? })
    }

    /// Checks that the document ends after the value.
    pub fn end(&mut self) -> Result<(), WireError> {
        self.r.expect_eof()
    }

    fn value(&mut self) -> Result<ValueDe<'_, 'de>, WireError> {
        self.r.expect_start(Tag::Value)?;
        Ok(ValueDe::new(&mut self.r))
    }
}

macro_rules! forward_root {
    ($($method:ident ( $($arg:ident : $ty:ty),* )),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, WireError> {
            de::Deserializer::$method(self.value()?, $($arg,)* visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = WireError;

    forward_root!(
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(), deserialize_i32(),
        deserialize_i64(), deserialize_i128(), deserialize_u8(), deserialize_u16(), deserialize_u32(),
        deserialize_u64(), deserialize_u128(), deserialize_f32(), deserialize_f64(), deserialize_char(),
        deserialize_str(), deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str), deserialize_seq(), deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(), deserialize_ignored_any(),
    );
}
