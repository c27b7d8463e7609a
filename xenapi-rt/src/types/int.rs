//! Lenient decoding of 64-bit ints.
//!
//! XML-RPC carries XenAPI ints as decimal strings and JSON-RPC as numbers.
//! The XML-RPC deserializer already turns digit strings into ints when an
//! int is requested, so plain `i64` fields work over both protocols; this
//! module is for decoders that are not that forgiving (plain `serde_json`
//! on data that holds ints as strings). Use it as
//! `#[serde(with = "xenapi_rt::types::int")]`.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;

/// Writes the int as the serializer's native integer.
pub fn serialize<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(*value)
}

/// Reads an int from a number, a decimal string or an integral float.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(IntVisitor)
}

/// Same as [`deserialize`], for `#[serde(deserialize_with = "...")]`.
pub fn de_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserialize(deserializer)
}

pub(crate) struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a 64-bit integer or a decimal string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // Integral floats within range are accepted; 2^63 itself is not.
        const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
        if v.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&v) {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim().parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}
