//! Typed literal values: the defaults of fields and of message parameters.
//!
//! In YAML a default is written as a plain YAML value of the field's type
//! (`""`, `0`, `1.0`, `false`, `Halted`, `{}`, `[]`, `{key: value}`). The
//! model keeps it typed, and can print it in the API's own notation
//! (`"text"`, `1.`, `{"k" -> "v"}`), which is what model exports use.

use super::types::Type;
use crate::load::yaml::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Kept as written (`19700101T00:00:00Z`).
    DateTime(String),
    Enum(String),
    /// A ref as written; `OpaqueRef:NULL` and `Null` both mean no object.
    Ref(String),
    Set(Vec<Literal>),
    Map(Vec<(Literal, Literal)>),
}

/// Looks up the values of an enum by name, for checking enum defaults.
pub trait EnumValues {
    fn values(&self, enum_name: &str) -> Option<Vec<&str>>;
}

impl Literal {
    /// Checks a YAML value against a type. The error says what is wrong.
    pub fn from_yaml(v: &Value, ty: &Type, enums: &dyn EnumValues) -> Result<Literal, String> {
        let want = |what: &str| Err(format!("a default of type `{ty}` must be {what}"));
        match (ty, v) {
            (Type::String, Value::String(s)) => Ok(Literal::String(s.clone())),
            (Type::String, _) => want("a string (quote it)"),
            (Type::Int, Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Literal::Int(i)),
                None => want("a whole number that fits in 64 bits"),
            },
            (Type::Int, _) => want("a whole number"),
            (Type::Float, Value::Number(n)) => Ok(Literal::Float(n.as_f64().unwrap_or(0.0))),
            (Type::Float, _) => want("a number"),
            (Type::Bool, Value::Bool(b)) => Ok(Literal::Bool(*b)),
            (Type::Bool, _) => want("`true` or `false`"),
            (Type::DateTime, Value::String(s)) if is_datetime(s) => Ok(Literal::DateTime(s.clone())),
            (Type::DateTime, _) => want("a date and time written `YYYYMMDDTHH:MM:SSZ`"),
            (Type::Enum(e), Value::String(s)) => match enums.values(e) {
                Some(vals) if vals.contains(&s.as_str()) => Ok(Literal::Enum(s.clone())),
                Some(vals) => {
                    let hint = crate::diag::did_you_mean(s, vals.iter().copied())
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    Err(format!("`{s}` is not a value of enum `{e}`{hint}"))
                }
                None => Err(format!("enum `{e}` is unknown")),
            },
            (Type::Enum(_), _) => want("one of the enum's values"),
            (Type::Ref(_), Value::String(s)) if s.starts_with("OpaqueRef:") || s == "Null" => {
                Ok(Literal::Ref(s.clone()))
            }
            (Type::Ref(_), _) => want("a ref: `OpaqueRef:NULL` or `OpaqueRef:<uuid>`"),
            (Type::Set(t), Value::Sequence(items)) => {
                items.iter().map(|i| Literal::from_yaml(i, t, enums)).collect::<Result<_, _>>().map(Literal::Set)
            }
            (Type::Set(_), _) => want("a list"),
            (Type::Map(k, val), Value::Mapping(m)) => m
                .iter()
                .map(|(mk, mv)| {
                    let key = match (&**k, mk) {
                        // Keys arrive as YAML scalars; ints may be written bare.
                        (Type::Int, Value::Number(_)) => Literal::from_yaml(mk, k, enums)?,
                        (_, Value::String(_)) => Literal::from_yaml(mk, k, enums)?,
                        _ => return Err(format!("a key of a default of type `{ty}` must be a string")),
                    };
                    Ok((key, Literal::from_yaml(mv, val, enums)?))
                })
                .collect::<Result<_, _>>()
                .map(Literal::Map),
            (Type::Map(..), _) => want("a mapping"),
            (Type::Option(t), Value::Null) => {
                Err(format!("a default of type `{t} option` cannot be null; leave the default out"))
            }
            (Type::Option(t), _) => Literal::from_yaml(v, t, enums),
            (Type::Void | Type::Record(_) | Type::AnyRecord | Type::EventBatch, _) => {
                Err(format!("a value of type `{ty}` cannot have a default"))
            }
        }
    }

    /// The value in the API's notation, as xapi's model export writes it.
    pub fn to_notation(&self) -> String {
        match self {
            Literal::String(s) => format!("\"{s}\""),
            Literal::Int(i) => i.to_string(),
            Literal::Float(f) if f.fract() == 0.0 && f.is_finite() && f.abs() < 1e15 => format!("{}.", *f as i64),
            Literal::Float(f) => f.to_string(),
            Literal::Bool(b) => b.to_string(),
            Literal::DateTime(s) | Literal::Enum(s) | Literal::Ref(s) => s.clone(),
            Literal::Set(items) => {
                format!("{{{}}}", items.iter().map(|i| i.to_notation()).collect::<Vec<_>>().join(", "))
            }
            Literal::Map(pairs) => format!(
                "{{{}}}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("{} -> {}", k.to_notation(), v.to_notation()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Whether this is the null ref.
    pub fn is_null_ref(&self) -> bool {
        matches!(self, Literal::Ref(r) if r == "OpaqueRef:NULL" || r == "Null")
    }
}

fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 18
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..11].iter().all(u8::is_ascii_digit)
        && b[11] == b':'
        && b[12..14].iter().all(u8::is_ascii_digit)
        && b[14] == b':'
        && b[15..17].iter().all(u8::is_ascii_digit)
        && b[17] == b'Z'
}
