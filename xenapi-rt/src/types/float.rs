//! Floats that survive both protocols, including NaN and the infinities.
//!
//! JSON has no literal for NaN or infinity, so they travel as the strings
//! `"NaN"`, `"Infinity"` and `"-Infinity"` (servers also send
//! `"+Infinity"`). XML-RPC writes the same words inside `<double>`.
//! Finite values are plain numbers in both protocols.
//!
//! For an `f64` field use `#[serde(with = "xenapi_rt::types::float")]`; for
//! floats inside collections or options use the [`Float`] newtype, which
//! carries the same rules in its own `Serialize`/`Deserialize`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use super::DOUBLE_MARKER;

/// The word written for a non-finite value, or `None` for finite ones.
pub(crate) fn non_finite_word(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("Infinity")
    } else if v == f64::NEG_INFINITY {
        Some("-Infinity")
    } else {
        None
    }
}

/// Parses a float from text: decimal notation, exponents, and the words
/// `NaN`, `Infinity` and `inf` in any case with an optional sign.
pub fn parse_float(text: &str) -> Option<f64> {
    // Rust's parser already accepts "nan", "inf" and "infinity" in any
    // case with an optional sign.
    text.trim().parse().ok()
}

/// Writes a float: finite values as numbers, others as `NaN`,
/// `Infinity` or `-Infinity` (a `<double>` in XML-RPC, a string in JSON).
pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    match non_finite_word(*value) {
        None => serializer.serialize_f64(*value),
        Some(word) => serializer.serialize_newtype_struct(DOUBLE_MARKER, word),
    }
}

/// Reads a float from a number or from a string holding a number or one
/// of the words `NaN`, `Infinity`, `+Infinity`, `-Infinity`.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    deserializer.deserialize_any(FloatVisitor)
}

/// Same as [`serialize`], for `#[serde(serialize_with = "...")]`.
pub fn ser_float<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serialize(value, serializer)
}

/// Same as [`deserialize`], for `#[serde(deserialize_with = "...")]`.
pub fn de_float<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    deserialize(deserializer)
}

/// `Option<f64>` with the same rules; use
/// `#[serde(with = "xenapi_rt::types::float::option")]`.
pub mod option {
    use super::*;

    /// Writes `Some` like [`super::serialize`] and `None` as the
    /// serializer's none.
    pub fn serialize<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.serialize_some(&Float(*v)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads an optional float; JSON `null` is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
        Ok(Option::<Float>::deserialize(deserializer)?.map(|f| f.0))
    }
}

pub(crate) struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a numeric string, or NaN/Infinity/-Infinity")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        parse_float(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// An `f64` that reads and writes with the rules of this module, for use
/// where a `with` attribute cannot reach (sets, map values, options).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Float(pub f64);

impl From<f64> for Float {
    fn from(v: f64) -> Self {
        Float(v)
    }
}

impl From<Float> for f64 {
    fn from(v: Float) -> Self {
        v.0
    }
}

impl std::ops::Deref for Float {
    type Target = f64;
    fn deref(&self) -> &f64 {
        &self.0
    }
}

impl Serialize for Float {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(Float)
    }
}
