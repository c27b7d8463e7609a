//! Decoding a record that arrived as a [`serde_json::Value`], such as the
//! snapshot carried by an event, into its typed form.
//!
//! The value is whatever the protocol delivered: over XML-RPC, ints (and
//! sometimes floats and booleans) are strings; over JSON-RPC they are
//! numbers. [`from_value`] reads a scalar from either shape when the target
//! type asks for a number or a boolean, so the same typed record decodes
//! from a snapshot of either protocol without going through any codec.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::Value;

use crate::WireError;

/// Decodes `value` as `R`, accepting numbers and booleans written as
/// strings wherever `R` expects them.
pub fn from_value<R: DeserializeOwned>(value: &Value) -> Result<R, WireError> {
    R::deserialize(Lenient(value)).map_err(WireError::from)
}

type Error = serde_json::Error;

/// A borrowed value whose strings also read as numbers and booleans.
struct Lenient<'a>(&'a Value);

impl<'a> Lenient<'a> {
    /// The text of a string value; any other value as it is.
    fn text(&self) -> Result<&'a str, &'a Value> {
        match self.0 {
            Value::String(s) => Ok(s),
            other => Err(other),
        }
    }
}

/// The numeric and boolean `deserialize_*` methods of a deserializer whose
/// `text()` gives a scalar's string form, or the value to hand to
/// `serde_json` as it is when there is none.
macro_rules! scalar_methods {
    () => {
        scalar_methods! {
            deserialize_bool => bool, visit_bool;
            deserialize_i8 => i64, visit_i64;
            deserialize_i16 => i64, visit_i64;
            deserialize_i32 => i64, visit_i64;
            deserialize_i64 => i64, visit_i64;
            deserialize_u8 => u64, visit_u64;
            deserialize_u16 => u64, visit_u64;
            deserialize_u32 => u64, visit_u64;
            deserialize_u64 => u64, visit_u64;
            deserialize_f32 => f64, visit_f64;
            deserialize_f64 => f64, visit_f64;
        }
    };
    ($($method:ident => $ty:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.text() {
                Ok(s) => match parse_scalar::<$ty>(s) {
                    Some(n) => visitor.$visit(n),
                    None => Err(de::Error::invalid_value(de::Unexpected::Str(s), &visitor)),
                },
                Err(other) => other.$method(visitor),
            }
        }
    )*};
}

/// A scalar from its string form: decimal numbers, `true`/`false` and
/// `1`/`0` for booleans, the spellings of NaN and infinity for floats.
fn parse_scalar<T: std::str::FromStr>(s: &str) -> Option<T> {
    let s = s.trim();
    s.parse().ok().or_else(|| match s {
        "1" => "true".parse().ok(),
        "0" => "false".parse().ok(),
        "+Infinity" | "Infinity" => "inf".parse().ok(),
        "-Infinity" => "-inf".parse().ok(),
        _ => None,
    })
}

impl<'de> Deserializer<'de> for Lenient<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Seq(items.iter())),
            Value::Object(map) => visitor.visit_map(Entries { iter: map.iter(), value: None }),
            other => other.deserialize_any(visitor),
        }
    }

    scalar_methods!();

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

struct Seq<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|v| seed.deserialize(Lenient(v))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'a> {
    iter: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(Key(k)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(Lenient(v)),
            None => Err(de::Error::custom("a map value was asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// A map key: always a string in a [`Value`], read as a number when the
/// key type is numeric (`VCPUs_utilisation` is keyed by int).
struct Key<'a>(&'a str);

impl<'a> Key<'a> {
    /// A key is always text.
    fn text(&self) -> Result<&'a str, &'a Value> {
        Ok(self.0)
    }
}

impl<'de> Deserializer<'de> for Key<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    scalar_methods!();

    forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::from_value;
    use crate::types::{DateTime, Float};

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Power {
        Running,
        Halted,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Record {
        count: i64,
        ratio: f64,
        flag: bool,
        small: u8,
        power: Power,
        when: DateTime,
        load: BTreeMap<i64, Float>,
        tags: Vec<String>,
        maybe: Option<i64>,
        nested: BTreeMap<String, Vec<i64>>,
    }

    fn expected() -> Record {
        Record {
            count: 3,
            ratio: 0.5,
            flag: true,
            small: 7,
            power: Power::Running,
            when: "20240102T03:04:05Z".parse().unwrap(),
            load: BTreeMap::from([(0, Float(0.25)), (1, Float(1.0))]),
            tags: vec!["a".into()],
            maybe: Some(-4),
            nested: BTreeMap::from([("k".to_string(), vec![1, 2])]),
        }
    }

    #[test]
    fn reads_the_xml_rpc_shape_with_scalars_as_strings() {
        let v = json!({
            "count": "3", "ratio": "0.5", "flag": "1", "small": "7", "power": "running",
            "when": "20240102T03:04:05Z", "load": {"0": "0.25", "1": 1.0}, "tags": ["a"],
            "maybe": "-4", "nested": {"k": ["1", "2"]}
        });
        assert_eq!(from_value::<Record>(&v).unwrap(), expected());
    }

    #[test]
    fn reads_the_json_rpc_shape_with_native_scalars() {
        let v = json!({
            "count": 3, "ratio": 0.5, "flag": true, "small": 7, "power": "running",
            "when": "20240102T03:04:05Z", "load": {"0": 0.25, "1": 1}, "tags": ["a"],
            "maybe": -4, "nested": {"k": [1, 2]}
        });
        assert_eq!(from_value::<Record>(&v).unwrap(), expected());
    }

    #[test]
    fn bad_scalars_and_special_floats() {
        let err = from_value::<i64>(&json!("twelve")).unwrap_err();
        assert!(err.to_string().contains("twelve"), "{err}");
        assert!(from_value::<u8>(&json!("300")).is_err());
        assert!(from_value::<bool>(&json!("maybe")).is_err());
        assert_eq!(from_value::<f64>(&json!("-Infinity")).unwrap(), f64::NEG_INFINITY);
        assert!(from_value::<f64>(&json!("NaN")).unwrap().is_nan());
        assert_eq!(from_value::<Option<i64>>(&json!(null)).unwrap(), None);
        assert!(from_value::<Record>(&json!({"count": "3"})).is_err());
    }
}
