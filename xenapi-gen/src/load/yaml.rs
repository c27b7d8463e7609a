//! The one place that parses YAML (with `serde_yaml`) and the one place
//! that turns a path inside a document into a line and column.
//!
//! `serde_yaml` reports the position of the node it was deserializing
//! when a `Deserialize` impl fails. [`locate`] uses that: it walks the
//! document along a path and fails on purpose at the node (or mapping
//! key) the path names, then reads the position off the error. Parsing
//! again is only paid for when a diagnostic is printed.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

pub use serde_yaml::Value;

/// One step of a path from a document's root to a node.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(Box<str>),
    Index(usize),
}

/// A path from a document's root, and whether it names the node or the
/// key that holds it (for a key that should not be there).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct YamlPath {
    pub segs: Vec<Seg>,
    pub at_key: bool,
}

impl YamlPath {
    pub fn key(&self, k: &str) -> YamlPath {
        let mut segs = self.segs.clone();
        segs.push(Seg::Key(k.into()));
        YamlPath { segs, at_key: false }
    }

    pub fn index(&self, i: usize) -> YamlPath {
        let mut segs = self.segs.clone();
        segs.push(Seg::Index(i));
        YamlPath { segs, at_key: false }
    }

    /// The mapping key `k` itself rather than its value.
    pub fn key_name(&self, k: &str) -> YamlPath {
        YamlPath { at_key: true, ..self.key(k) }
    }
}

/// A YAML syntax error with its 1-based position, if known.
#[derive(Debug)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses one YAML document.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    serde_yaml::from_str::<Value>(text).map_err(|e| {
        let (mut line, mut column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        // libyaml ends a text that lacks a final newline with one of its
        // own, so an error at the very end is placed on a line past the
        // last: put it at the end of the last line instead.
        let lines = text.split('\n').count();
        if line > lines {
            line = lines;
            column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        }
        // serde_yaml writes "PROBLEM at line L column C[, CONTEXT at line
        // L2 column C2]". The span already says where the problem is, but
        // the context (where an unclosed quote or bracket began) is kept.
        let message = e.to_string().replacen(&format!(" at line {line} column {column}"), "", 1);
        SyntaxError { line, column, message }
    })
}

const PROBE: &str = "\u{0}xenapi-gen-probe";

/// The 1-based line and column of the node `path` names in `text`. When the
/// path goes further than the document (a missing key), the deepest node
/// that exists is given.
pub fn locate(text: &str, path: &YamlPath) -> (usize, usize) {
    let mut path = path.clone();
    loop {
        if let Some(pos) = try_locate(text, &path) {
            return pos;
        }
        if path.at_key {
            path.at_key = false;
        } else if path.segs.pop().is_none() {
            return (1, 1);
        }
    }
}

fn try_locate(text: &str, path: &YamlPath) -> Option<(usize, usize)> {
    let de = serde_yaml::Deserializer::from_str(text);
    let probe = Probe { segs: &path.segs, at_key: path.at_key };
    match probe.deserialize(de) {
        Ok(()) => None,
        Err(e) if e.to_string().contains(PROBE) => e.location().map(|l| (l.line(), l.column())),
        Err(_) => None,
    }
}

struct Probe<'p> {
    segs: &'p [Seg],
    at_key: bool,
}

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.segs.is_empty() {
            // Fail inside the node's own deserialize call so that its mark is used.
            return d.deserialize_any(Fail);
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let want = match &self.segs[0] {
            Seg::Key(k) => Some(&**k),
            Seg::Index(_) => None,
        };
        let last = self.segs.len() == 1;
        while let Some(hit) = map.next_key_seed(KeyProbe { want, fail: last && self.at_key })? {
            if hit {
                return map.next_value_seed(Probe { segs: &self.segs[1..], at_key: self.at_key });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let want = match &self.segs[0] {
            Seg::Index(i) => *i,
            Seg::Key(_) => return drain(seq),
        };
        let mut i = 0;
        loop {
            if i == want {
                let rest = Probe { segs: &self.segs[1..], at_key: self.at_key };
                return seq.next_element_seed(rest).map(|_| ());
            }
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Ok(())
    }
}

fn drain<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Deserializes a mapping key; says whether it is the wanted one, or fails
/// there when the key itself is the target.
struct KeyProbe<'p> {
    want: Option<&'p str>,
    fail: bool,
}

impl<'de> DeserializeSeed<'de> for KeyProbe<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyProbe<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        let hit = self.want == Some(v);
        if hit && self.fail {
            return Err(E::custom(PROBE));
        }
        Ok(hit)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.visit_str(if v { "true" } else { "false" })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.visit_str("null")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        drain(seq).map(|_| false)
    }
}

/// Fails on whatever it is given.
struct Fail;

impl<'de> Visitor<'de> for Fail {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("nothing")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(PROBE))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(PROBE))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(PROBE))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(PROBE))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(PROBE))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(PROBE))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(PROBE))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(PROBE))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(PROBE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name: VM\nfields:\n  - name: uuid\n    type: string\n  - name: power\n    tpye: int\n";

    #[test]
    fn locates_nodes_keys_and_missing_keys() {
        let root = YamlPath::default();
        assert_eq!(locate(DOC, &root.key("name")), (1, 7));
        assert_eq!(locate(DOC, &root.key("fields").index(1)), (5, 5));
        assert_eq!(locate(DOC, &root.key("fields").index(0).key("type")), (4, 11));
        assert_eq!(locate(DOC, &root.key("fields").index(1).key_name("tpye")), (6, 5));
        // A missing key points at the mapping that lacks it.
        assert_eq!(locate(DOC, &root.key("fields").index(1).key("type")), (5, 5));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 2));
        // The place the problem began is kept; the place it was found is not repeated.
        assert_eq!(e.message, "did not find expected ',' or ']', while parsing a flow sequence at line 1 column 4");
        // An error at the end of a text without a final newline stays on its last line.
        let e = parse("a: 1\nb: [x").unwrap_err();
        assert_eq!((e.line, e.column), (2, 6), "{e:?}");
    }
}
