//! The API's type language: parsing and printing the notation used by the
//! schema (`VM ref set`, `(string -> string) map`, `enum vm_power_state`, ...).

use std::fmt;

/// A resolved API type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    String,
    Int,
    Float,
    Bool,
    DateTime,
    Void,
    /// `enum NAME`
    Enum(String),
    /// `CLASS ref`
    Ref(String),
    /// `CLASS record`
    Record(String),
    /// `T set`
    Set(Box<Type>),
    /// `(K -> V) map`
    Map(Box<Type>, Box<Type>),
    /// `T option`
    Option(Box<Type>),
    /// `<class> record`: the record of whatever class an event is about.
    AnyRecord,
    /// `an event batch`: the result of `event.from`.
    EventBatch,
}

impl Type {
    /// Parses the API notation. The error says what was expected.
    pub fn parse(text: &str) -> Result<Type, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err("a type is empty".into());
        }
        if s != text || s.contains("  ") {
            return Err(format!("`{text}` has stray spaces; write words separated by one space"));
        }
        Self::parse_inner(s)
    }

    fn parse_inner(s: &str) -> Result<Type, String> {
        if let Some(inner) = s.strip_suffix(" set") {
            return Ok(Type::Set(Box::new(Self::parse_inner(inner)?)));
        }
        if let Some(inner) = s.strip_suffix(" option") {
            return Ok(Type::Option(Box::new(Self::parse_inner(inner)?)));
        }
        if let Some(inner) = s.strip_suffix(" map") {
            let body = inner
                .strip_prefix('(')
                .and_then(|b| b.strip_suffix(')'))
                .ok_or_else(|| format!("`{s}`: a map is written `(KEY -> VALUE) map`"))?;
            let arrow = top_level_arrow(body).ok_or_else(|| format!("`{s}`: a map is written `(KEY -> VALUE) map`"))?;
            let k = Self::parse_inner(body[..arrow].trim_end())?;
            let v = Self::parse_inner(body[arrow + 2..].trim_start())?;
            return Ok(Type::Map(Box::new(k), Box::new(v)));
        }
        if s == "<class> record" {
            return Ok(Type::AnyRecord);
        }
        if s == "an event batch" {
            return Ok(Type::EventBatch);
        }
        if let Some(name) = s.strip_suffix(" ref") {
            return ident(name, s).map(|n| Type::Ref(n.into()));
        }
        if let Some(name) = s.strip_suffix(" record") {
            return ident(name, s).map(|n| Type::Record(n.into()));
        }
        if let Some(name) = s.strip_prefix("enum ") {
            return ident(name, s).map(|n| Type::Enum(n.into()));
        }
        match s {
            "string" => Ok(Type::String),
            "int" => Ok(Type::Int),
            "float" => Ok(Type::Float),
            "bool" => Ok(Type::Bool),
            "datetime" => Ok(Type::DateTime),
            "void" => Ok(Type::Void),
            other => Err(format!("unknown type `{other}`")),
        }
    }

    /// Every class and enum name this type mentions, for resolution.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Type)) {
        f(self);
        match self {
            Type::Set(t) | Type::Option(t) => t.visit(f),
            Type::Map(k, v) => {
                k.visit(f);
                v.visit(f);
            }
            _ => {}
        }
    }

    /// Whether a value of this type can be a map key on the wire (keys are
    /// stringified, so only scalars that round-trip through a string).
    pub fn is_valid_map_key(&self) -> bool {
        matches!(self, Type::String | Type::Int | Type::Enum(_) | Type::Ref(_))
    }
}

/// Position of the `->` of a map body, outside any parentheses.
fn top_level_arrow(body: &str) -> Option<usize> {
    let mut depth = 0i32;
    let bytes = body.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'-' if depth == 0 && bytes.get(i + 1) == Some(&b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn ident<'a>(name: &'a str, whole: &str) -> Result<&'a str, String> {
    let ok = !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(format!("`{whole}`: `{name}` is not a valid class or enum name"))
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Bool => f.write_str("bool"),
            Type::DateTime => f.write_str("datetime"),
            Type::Void => f.write_str("void"),
            Type::Enum(n) => write!(f, "enum {n}"),
            Type::Ref(c) => write!(f, "{c} ref"),
            Type::Record(c) => write!(f, "{c} record"),
            Type::Set(t) => write!(f, "{t} set"),
            Type::Map(k, v) => write!(f, "({k} -> {v}) map"),
            Type::Option(t) => write!(f, "{t} option"),
            Type::AnyRecord => f.write_str("<class> record"),
            Type::EventBatch => f.write_str("an event batch"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_shape() {
        for s in [
            "string",
            "int",
            "enum vm_power_state",
            "VM ref",
            "VM record",
            "VM ref set",
            "(string -> string) map",
            "(VM ref -> (string -> string) map) map",
            "(enum vm_operations -> string) map",
            "string set set",
            "sr_stat record option",
            "<class> record",
            "an event batch",
        ] {
            assert_eq!(Type::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_nonsense() {
        assert_eq!(Type::parse("strnig").unwrap_err(), "unknown type `strnig`");
        assert!(Type::parse("(string string) map").is_err());
        assert!(Type::parse("string  set").is_err());
        assert!(Type::parse("9x ref").is_err());
    }
}
