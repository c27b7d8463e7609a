//! Reading the values the interpreter produced: records, options, lists,
//! and the data model's types and defaults rendered in the reference's notation.

use std::rc::Rc;

use super::facts::{Lifecycle, Origin, Transition};
use super::ocaml::eval::Interp;
use super::ocaml::value::{Site, Value};
use super::read::Unread;

/// A problem with a value's shape, as text (the caller knows where).
pub type Shape<T> = Result<T, String>;

pub fn field<'v, 'a>(v: &'v Value<'a>, name: &str) -> Shape<&'v Value<'a>> {
    v.field(name).ok_or_else(|| format!("expected a record with `{name}`, got {}", v.kind()))
}

pub fn string(v: &Value<'_>) -> Shape<String> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        other => Err(format!("expected a string, got {}", other.kind())),
    }
}

pub fn boolean(v: &Value<'_>) -> Shape<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(format!("expected a bool, got {}", other.kind())),
    }
}

pub fn list<'a>(v: &Value<'a>) -> Shape<Rc<Vec<Value<'a>>>> {
    match v {
        Value::List(l) => Ok(l.clone()),
        Value::Poison(why) => Err(format!("uses a value that could not be evaluated ({why})")),
        other => Err(format!("expected a list, got {}", other.kind())),
    }
}

pub fn tuple<'a>(v: &Value<'a>, n: usize) -> Shape<Rc<Vec<Value<'a>>>> {
    match v {
        Value::Tuple(t) if t.len() == n => Ok(t.clone()),
        other => Err(format!("expected a {n}-tuple, got {}", other.kind())),
    }
}

/// A constructor's name and argument.
pub fn ctor<'v, 'a>(v: &'v Value<'a>) -> Shape<(&'v str, Option<&'v Value<'a>>)> {
    match v {
        Value::Ctor(n, arg, _) => Ok((n, arg.as_deref())),
        Value::Bool(true) => Ok(("true", None)),
        Value::Bool(false) => Ok(("false", None)),
        other => Err(format!("expected a constructor, got {}", other.kind())),
    }
}

/// `Some v` as `Some(v)`, `None` as `None`.
pub fn option<'v, 'a>(v: &'v Value<'a>) -> Shape<Option<&'v Value<'a>>> {
    match ctor(v)? {
        ("None", None) => Ok(None),
        ("Some", Some(x)) => Ok(Some(x)),
        (n, _) => Err(format!("expected an option, got {n}")),
    }
}

pub fn site(v: &Value<'_>) -> Option<Site> {
    match v {
        Value::Record(_, s) | Value::Ctor(_, _, s) => Some(*s),
        _ => None,
    }
}

pub fn origin(it: &Interp<'_>, v: &Value<'_>) -> Option<Origin> {
    site(v).filter(|s| s.file != 0).map(|s| Origin { file: it.files[s.file].clone(), line: s.line })
}

/// An unread item at the origin of `v` (or at `fallback`).
pub fn unread_at(it: &Interp<'_>, v: Option<&Value<'_>>, fallback: &str, why: String) -> Unread {
    match v.and_then(|v| origin(it, v)) {
        Some(o) => Unread { file: o.file, line: o.line, why },
        None => Unread { file: fallback.to_string(), line: 0, why },
    }
}

/// An unread entry for a top-level value that is missing or could not be evaluated: at the
/// place its evaluation failed (a poisoned value's text starts `file:line:`), else at `file`.
pub fn unread_value(v: Option<&Value<'_>>, file: &str, what: &str) -> Unread {
    let why = match v {
        None => return Unread { file: file.into(), line: 0, why: format!("no `{what}`") },
        Some(Value::Poison(why)) => why.to_string(),
        Some(other) => return Unread { file: file.into(), line: 0, why: format!("`{what}` is {}", other.kind()) },
    };
    let located = why.split_once(": ").and_then(|(head, rest)| {
        let (f, line) = head.rsplit_once(':')?;
        Some((f.to_string(), line.parse().ok()?, rest.to_string()))
    });
    match located {
        Some((f, line, rest)) => Unread { file: f, line, why: format!("`{what}` could not be evaluated: {rest}") },
        None => Unread { file: file.into(), line: 0, why: format!("`{what}` could not be evaluated: {why}") },
    }
}

/// An enum type as the export lists it: name, and values with their docs.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    pub name: String,
    pub values: Vec<(String, String)>,
    pub site: Option<Site>,
}

/// A type in the reference's type language, and the enum types it uses.
pub fn ty(v: &Value<'_>) -> Shape<(String, Vec<EnumType>)> {
    let (name, arg) = ctor(v)?;
    let one = || arg.ok_or_else(|| format!("type {name} without its argument"));
    Ok(match name {
        "SecretString" | "String" => ("string".into(), vec![]),
        "Int" => ("int".into(), vec![]),
        "Float" => ("float".into(), vec![]),
        "Bool" => ("bool".into(), vec![]),
        "DateTime" => ("datetime".into(), vec![]),
        "Enum" => {
            let t = tuple(one()?, 2)?;
            let name = string(&t[0])?;
            let mut values = Vec::new();
            for kv in list(&t[1])?.iter() {
                let kv = tuple(kv, 2)?;
                values.push((string(&kv[0])?, string(&kv[1])?));
            }
            (format!("enum {name}"), vec![EnumType { name, values, site: site(v) }])
        }
        "Set" => {
            let (s, e) = ty(one()?)?;
            (format!("{s} set"), e)
        }
        "Option" => {
            let (s, e) = ty(one()?)?;
            (format!("{s} option"), e)
        }
        "Map" => {
            let t = tuple(one()?, 2)?;
            let (k, mut ek) = ty(&t[0])?;
            let (x, ev) = ty(&t[1])?;
            ek.extend(ev);
            (format!("({k} -> {x}) map"), ek)
        }
        "Ref" => (format!("{} ref", string(one()?)?), vec![]),
        "Record" => (format!("{} record", string(one()?)?), vec![]),
        other => return Err(format!("unknown type constructor {other}")),
    })
}

/// A default value in the export's notation (`""`, `0`, `{}`, `Null`, ...).
pub fn default(v: &Value<'_>) -> Shape<String> {
    let (name, arg) = ctor(v)?;
    let arg = arg.ok_or_else(|| format!("value {name} without its argument"))?;
    Ok(match name {
        "VString" => format!("\"{}\"", string(arg)?),
        "VInt" => match arg {
            Value::Int(i) => i.to_string(),
            other => return Err(format!("VInt of {}", other.kind())),
        },
        "VFloat" => match arg {
            Value::Float(x) => ocaml_float(*x),
            other => return Err(format!("VFloat of {}", other.kind())),
        },
        "VBool" => boolean(arg)?.to_string(),
        "VDateTime" | "VEnum" => string(arg)?,
        // older sources: OCaml code computing the default, and the value shown for it
        "VCustom" => default(&tuple(arg, 2)?[1])?,
        "VRef" => match string(arg)?.as_str() {
            "" => "Null".into(),
            r => r.into(),
        },
        "VSet" => {
            let items: Shape<Vec<String>> = list(arg)?.iter().map(default).collect();
            format!("{{{}}}", items?.join(", "))
        }
        "VMap" => {
            let mut items = Vec::new();
            for kv in list(arg)?.iter() {
                let kv = tuple(kv, 2)?;
                items.push(format!("{} -> {}", default(&kv[0])?, default(&kv[1])?));
            }
            format!("{{{}}}", items.join(", "))
        }
        other => return Err(format!("unknown value constructor {other}")),
    })
}

/// OCaml's `string_of_float`: 12 significant digits, and a trailing `.` on whole numbers.
pub fn ocaml_float(x: f64) -> String {
    let mut s = format!("{}", x);
    if s.len() > 13 {
        s = format!("{:.12e}", x);
    }
    if !s.contains('.') && !s.contains('e') && !s.contains("inf") && !s.contains("NaN") {
        s.push('.');
    }
    s
}

/// A lifecycle (`Lifecycle.t`, or in older sources the bare list) of `(change, release, doc)` triples.
pub fn lifecycle(v: &Value<'_>) -> Shape<Lifecycle> {
    let v = match v {
        Value::Record(..) => field(v, "transitions")?,
        other => other,
    };
    let mut transitions = Vec::new();
    for t in list(v)?.iter() {
        let t = tuple(t, 3)?;
        let (change, _) = ctor(&t[0])?;
        transitions.push(Transition { transition: change.to_ascii_lowercase(), release: string(&t[1])? });
    }
    Ok(Lifecycle { transitions })
}

/// Puts `prototyped in p` first, dropping any other prototyped step (as `update_lifecycles` does).
pub fn with_prototyped(mut l: Lifecycle, p: Option<String>) -> Lifecycle {
    if let Some(p) = p {
        l.transitions.retain(|t| t.transition != "prototyped");
        l.transitions.insert(0, Transition { transition: "prototyped".into(), release: p });
    }
    l
}

/// The release a `release` record names: the one after `closed` in `internal`.
pub fn release_code(v: &Value<'_>) -> Shape<Option<String>> {
    let internal = list(field(v, "internal")?)?;
    match internal.get(1) {
        Some(r) => Ok(Some(string(r)?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c<'a>(name: &str, arg: Option<Value<'a>>) -> Value<'a> {
        Value::Ctor(Rc::from(name), arg.map(Rc::new), Site { file: 0, line: 0 })
    }

    fn pair<'a>(a: Value<'a>, b: Value<'a>) -> Value<'a> {
        Value::Tuple(Rc::new(vec![a, b]))
    }

    #[test]
    fn defaults_in_the_export_notation() {
        let s = |x: &str| c("VString", Some(Value::str(x)));
        assert_eq!(default(&s("")).unwrap(), "\"\"");
        assert_eq!(default(&c("VRef", Some(Value::str("")))).unwrap(), "Null");
        assert_eq!(default(&c("VFloat", Some(Value::Float(1.0)))).unwrap(), "1.");
        assert_eq!(default(&c("VFloat", Some(Value::Float(0.25)))).unwrap(), "0.25");
        let map = c("VMap", Some(Value::list(vec![pair(s("k"), c("VInt", Some(Value::Int(-3))))])));
        assert_eq!(default(&map).unwrap(), "{\"k\" -> -3}");
        assert_eq!(default(&c("VSet", Some(Value::list(vec![c("VEnum", Some(Value::str("on")))])))).unwrap(), "{on}");
        let custom = c("VCustom", Some(pair(Value::str("some OCaml"), c("VBool", Some(Value::Bool(false))))));
        assert_eq!(default(&custom).unwrap(), "false");
        assert!(default(&c("VMystery", Some(Value::Unit))).unwrap_err().contains("VMystery"));
    }

    #[test]
    fn types_in_the_reference_language() {
        let e = c("Enum", Some(pair(Value::str("mode"), Value::list(vec![pair(Value::str("a"), Value::str("doc"))]))));
        let m = c("Map", Some(pair(c("Ref", Some(Value::str("VM"))), c("Set", Some(e)))));
        let (text, enums) = ty(&m).unwrap();
        assert_eq!(text, "(VM ref -> enum mode set) map");
        assert_eq!(enums.len(), 1);
        assert_eq!(enums[0].values, [("a".to_string(), "doc".to_string())]);
        assert!(ty(&c("Frob", None)).is_err());
    }

    #[test]
    fn a_table_entry_puts_prototyped_first() {
        let l = Lifecycle {
            transitions: vec![
                Transition { transition: "prototyped".into(), release: "1.0.0".into() },
                Transition { transition: "published".into(), release: "2.0.0".into() },
            ],
        };
        let l = with_prototyped(l, Some("1.5.0".into()));
        let steps: Vec<_> = l.transitions.iter().map(|t| (t.transition.as_str(), t.release.as_str())).collect();
        assert_eq!(steps, [("prototyped", "1.5.0"), ("published", "2.0.0")]);
    }
}
