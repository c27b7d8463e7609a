//! Encoding any `Serialize` type as one XML-RPC `<value>`.
//!
//! Mapping (chosen to match what XenAPI servers and clients expect):
//!
//! | Rust / serde                | XML-RPC                                   |
//! |-----------------------------|-------------------------------------------|
//! | integers (any width)        | `<string>` holding decimal digits         |
//! | `f32` / `f64`               | `<double>`; NaN and the infinities are written as the words `NaN`, `Infinity`, `-Infinity` (XML-RPC has no spelling for them; this is what the decoder here and the JSON side use) |
//! | `bool`                      | `<boolean>` `1` or `0`                    |
//! | `str`, `char`               | `<string>`, escaped                       |
//! | unit, `None`, unit structs  | the empty `<string>`                      |
//! | `Some(v)`, newtype structs  | `v` itself                                |
//! | unit enum variants          | `<string>` with the variant name          |
//! | sequences, tuples           | `<array><data>`                           |
//! | maps, structs               | `<struct>`; map keys are written as text  |
//! | newtype variants            | a one-member `<struct>`                   |
//! | [`DateTime`](crate::types::DateTime) | `<dateTime.iso8601>`             |
//!
//! Text is escaped with `&amp;`, `&lt;`, `&gt;`; carriage returns become
//! `&#13;` so they survive line-end normalisation. Characters XML 1.0
//! cannot carry at all (U+0000..U+0008, U+000B, U+000C, U+000E..U+001F,
//! U+FFFE, U+FFFF) are written as U+FFFD, so that every document written
//! here is well-formed; the servers refuse such strings at input, so this
//! only matters for strings that reached a store some other way.

use std::io::Write as _;

use serde::ser::{self, Impossible, Serialize};

use crate::types::float::non_finite_word;
use crate::types::{DATETIME_MARKER, DOUBLE_MARKER};
use crate::WireError;

/// Appends `s` to `out` with XML escaping.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight bytes at a time while none of them needs a look.
        if let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            if !may_need_escape(word) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if !NEEDS_ESCAPE[usize::from(b)] {
            i += 1;
            continue;
        }
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0..=0x1f => REPLACEMENT_CHARACTER,
            // U+FFFE and U+FFFF (EF BF BE, EF BF BF).
            0xEF if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) => {
                out.extend_from_slice(&bytes[last..i]);
                out.extend_from_slice(REPLACEMENT_CHARACTER);
                i += 3;
                last = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[last..i]);
        out.extend_from_slice(replacement);
        i += 1;
        last = i;
    }
    out.extend_from_slice(&bytes[last..]);
}

/// U+FFFD in UTF-8: what a character XML cannot carry is written as.
const REPLACEMENT_CHARACTER: &[u8] = "\u{FFFD}".as_bytes();

/// The bytes [`escape_into`] rewrites or looks at more closely (`0xEF`
/// starts U+FFFE and U+FFFF).
const NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[0xEF] = true;
    t
};

/// Whether any of the eight bytes in `word` may be `&`, `<`, `>`, `0xEF`
/// or a control character (false positives are fine, false negatives are
/// not).
#[inline]
fn may_need_escape(word: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // High bit set in each byte that is zero (exact for the lowest such
    // byte, possibly spurious above it).
    let zero = |x: u64| x.wrapping_sub(LO) & !x;
    let below_space = word.wrapping_sub(LO * 0x20) & !word;
    let special = zero(word ^ (LO * u64::from(b'&')))
        | zero(word ^ (LO * u64::from(b'<')))
        | zero(word ^ (LO * u64::from(b'>')))
        | zero(word ^ (LO * 0xEF));
    (below_space | special) & HI != 0
}

/// Appends the decimal digits of `v`.
pub(crate) fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends the decimal form of `v`.
pub(crate) fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

/// Serializer writing one `<value>` element into a byte buffer.
pub struct Serializer<'a> {
    out: &'a mut Vec<u8>,
    /// Element wrapping strings; overridden for date-times and non-finite
    /// doubles through the marker newtypes.
    str_tag: &'static str,
}

impl<'a> Serializer<'a> {
    /// A serializer appending to `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Serializer { out, str_tag: "string" }
    }

    fn scalar_display(self, tag: &str, v: impl std::fmt::Display) -> Result<(), WireError> {
        let _ = write!(self.out, "<value><{tag}>{v}</{tag}></value>");
        Ok(())
    }

    /// An integer as a decimal `<string>`.
    fn int(self, v: i64) -> Result<(), WireError> {
        self.out.extend_from_slice(b"<value><string>");
        push_i64(self.out, v);
        self.out.extend_from_slice(b"</string></value>");
        Ok(())
    }

    fn uint(self, v: u64) -> Result<(), WireError> {
        self.out.extend_from_slice(b"<value><string>");
        push_u64(self.out, v);
        self.out.extend_from_slice(b"</string></value>");
        Ok(())
    }
}

fn write_f64(out: &mut Vec<u8>, v: f64) {
    match non_finite_word(v) {
        Some(word) => {
            let _ = write!(out, "<value><double>{word}</double></value>");
        }
        // `{:?}` prints the shortest text that reads back to the same
        // value, switching to exponent form for very large or small values.
        None => {
            let _ = write!(out, "<value><double>{v:?}</double></value>");
        }
    }
}

/// `serialize_via!(method: serialize_x(T), ...)`: each `serialize_x`
/// hands its value to `self.method`; with `method as U`, converted to `U`
/// first.
macro_rules! serialize_via {
    ($via:ident as $to:ty: $($method:ident($ty:ty)),+ $(,)?) => {$(
        #[allow(clippy::useless_conversion)]
        fn $method(self, v: $ty) -> Result<(), WireError> {
            self.$via(<$to>::from(v))
        }
    )+};
    ($via:ident: $($method:ident($ty:ty)),+ $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<(), WireError> {
            self.$via(v)
        }
    )+};
}

impl<'a> ser::Serializer for Serializer<'a> {
    type Ok = ();
    type Error = WireError;
    type SerializeSeq = SeqWriter<'a>;
    type SerializeTuple = SeqWriter<'a>;
    type SerializeTupleStruct = SeqWriter<'a>;
    type SerializeTupleVariant = Impossible<(), WireError>;
    type SerializeMap = StructWriter<'a>;
    type SerializeStruct = StructWriter<'a>;
    type SerializeStructVariant = Impossible<(), WireError>;

    fn serialize_bool(self, v: bool) -> Result<(), WireError> {
        self.out.extend_from_slice(if v {
            b"<value><boolean>1</boolean></value>"
        } else {
            b"<value><boolean>0</boolean></value>"
        });
        Ok(())
    }
    serialize_via!(int as i64: serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64));
    fn serialize_i128(self, v: i128) -> Result<(), WireError> {
        self.scalar_display("string", v)
    }
    serialize_via!(uint as u64: serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64));
    fn serialize_u128(self, v: u128) -> Result<(), WireError> {
        self.scalar_display("string", v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), WireError> {
        write_f64(self.out, f64::from(v));
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), WireError> {
        write_f64(self.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), WireError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), WireError> {
        let tag = self.str_tag;
        if tag == "string" {
            self.out.extend_from_slice(b"<value><string>");
            escape_into(self.out, v);
            self.out.extend_from_slice(b"</string></value>");
        } else {
            self.out.extend_from_slice(b"<value><");
            self.out.extend_from_slice(tag.as_bytes());
            self.out.push(b'>');
            escape_into(self.out, v);
            self.out.extend_from_slice(b"</");
            self.out.extend_from_slice(tag.as_bytes());
            self.out.extend_from_slice(b"></value>");
        }
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), WireError> {
        Err(WireError::Custom("byte strings have no XenAPI wire form".into()))
    }
    fn serialize_none(self) -> Result<(), WireError> {
        self.serialize_str("")
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), WireError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WireError> {
        self.serialize_str("")
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WireError> {
        self.serialize_str("")
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), WireError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Result<(), WireError> {
        let str_tag = match name {
            DATETIME_MARKER => "dateTime.iso8601",
            DOUBLE_MARKER => "double",
            _ => self.str_tag,
        };
        value.serialize(Serializer { out: self.out, str_tag })
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WireError> {
        let mut s = StructWriter::begin(self.out);
        ser::SerializeStruct::serialize_field(&mut s, variant, value)?;
        ser::SerializeStruct::end(s)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<SeqWriter<'a>, WireError> {
        self.out.extend_from_slice(b"<value><array><data>");
        Ok(SeqWriter { out: self.out })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqWriter<'a>, WireError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqWriter<'a>, WireError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, WireError> {
        Err(WireError::Custom("tuple enum variants have no XenAPI wire form".into()))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<StructWriter<'a>, WireError> {
        Ok(StructWriter::begin(self.out))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<StructWriter<'a>, WireError> {
        Ok(StructWriter::begin(self.out))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, WireError> {
        Err(WireError::Custom("struct enum variants have no XenAPI wire form".into()))
    }
}

/// Writes the elements of an `<array>`.
pub struct SeqWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl SeqWriter<'_> {
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WireError> {
        value.serialize(Serializer::new(self.out))
    }
    fn close(self) -> Result<(), WireError> {
        self.out.extend_from_slice(b"</data></array></value>");
        Ok(())
    }
}

/// Sequences, tuples and tuple structs all become the same `<array>`.
macro_rules! array_writer {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for SeqWriter<'_> {
            type Ok = ();
            type Error = WireError;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WireError> {
                self.element(value)
            }
            fn end(self) -> Result<(), WireError> {
                self.close()
            }
        }
    )*};
}

array_writer!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// Writes the members of a `<struct>`.
pub struct StructWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> StructWriter<'a> {
    fn begin(out: &'a mut Vec<u8>) -> Self {
        out.extend_from_slice(b"<value><struct>");
        StructWriter { out }
    }
}

impl ser::SerializeMap for StructWriter<'_> {
    type Ok = ();
    type Error = WireError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), WireError> {
        self.out.extend_from_slice(b"<member><name>");
        key.serialize(KeySerializer { out: self.out })?;
        self.out.extend_from_slice(b"</name>");
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WireError> {
        value.serialize(Serializer::new(self.out))?;
        self.out.extend_from_slice(b"</member>");
        Ok(())
    }
    fn end(self) -> Result<(), WireError> {
        self.out.extend_from_slice(b"</struct></value>");
        Ok(())
    }
}

impl ser::SerializeStruct for StructWriter<'_> {
    type Ok = ();
    type Error = WireError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), WireError> {
        self.out.extend_from_slice(b"<member><name>");
        escape_into(self.out, key);
        self.out.extend_from_slice(b"</name>");
        value.serialize(Serializer::new(self.out))?;
        self.out.extend_from_slice(b"</member>");
        Ok(())
    }
    fn end(self) -> Result<(), WireError> {
        ser::SerializeMap::end(self)
    }
}

/// Writes a map key as (escaped) text.
struct KeySerializer<'a> {
    out: &'a mut Vec<u8>,
}

impl KeySerializer<'_> {
    fn display(self, v: impl std::fmt::Display) -> Result<(), WireError> {
        let _ = write!(self.out, "{v}");
        Ok(())
    }
}

fn bad_key() -> WireError {
    WireError::Custom("a map key must be a string, a number, a bool or a unit enum variant".into())
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = WireError;
    type SerializeSeq = Impossible<(), WireError>;
    type SerializeTuple = Impossible<(), WireError>;
    type SerializeTupleStruct = Impossible<(), WireError>;
    type SerializeTupleVariant = Impossible<(), WireError>;
    type SerializeMap = Impossible<(), WireError>;
    type SerializeStruct = Impossible<(), WireError>;
    type SerializeStructVariant = Impossible<(), WireError>;

    serialize_via!(
        display: serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_i128(i128), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
        serialize_u128(u128)
    );
    fn serialize_f32(self, v: f32) -> Result<(), WireError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), WireError> {
        match non_finite_word(v) {
            Some(w) => self.display(w),
            None => self.display(format_args!("{v:?}")),
        }
    }
    fn serialize_char(self, v: char) -> Result<(), WireError> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), WireError> {
        escape_into(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), WireError> {
        Err(bad_key())
    }
    fn serialize_none(self) -> Result<(), WireError> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), WireError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WireError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WireError> {
        Ok(())
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), WireError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> Result<(), WireError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), WireError> {
        Err(bad_key())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, WireError> {
        Err(bad_key())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, WireError> {
        Err(bad_key())
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct, WireError> {
        Err(bad_key())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, WireError> {
        Err(bad_key())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, WireError> {
        Err(bad_key())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, WireError> {
        Err(bad_key())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, WireError> {
        Err(bad_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious byte-at-a-time escaping, to check the fast one against.
    fn reference(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\t' | '\n' => out.push(c),
                '\r' => out.push_str("&#13;"),
                c if crate::xml_chars::is_forbidden(c) => out.push('\u{FFFD}'),
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn escaping_matches_the_reference_at_every_offset() {
        let specials = [
            "&", "<", ">", "\t", "\n", "\r", "\u{1}", "\u{1f}", " ", "é", "€", "😀", "\u{7f}", "?", "=", "a", "\u{0}",
            "\u{FFFE}", "\u{FFFF}", "\u{FFFD}", "\u{F000}", "\u{EFFF}",
        ];
        for len in 0..40usize {
            for (k, special) in specials.iter().enumerate() {
                for at in 0..=len {
                    let mut s: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
                    s.insert_str(at, special);
                    if k % 2 == 0 {
                        s.push_str(specials[(k + 3) % specials.len()]);
                    }
                    let mut out = Vec::new();
                    escape_into(&mut out, &s);
                    assert_eq!(String::from_utf8(out).unwrap(), reference(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn integers() {
        for v in [0i64, 1, -1, 9, 10, 99, 100, i64::MAX, i64::MIN, 1 << 40, -(1 << 33)] {
            let mut out = Vec::new();
            push_i64(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
        let mut out = Vec::new();
        push_u64(&mut out, u64::MAX);
        assert_eq!(String::from_utf8(out).unwrap(), u64::MAX.to_string());
    }
}
