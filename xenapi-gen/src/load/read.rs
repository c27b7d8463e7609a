//! Reading parsed YAML values into the raw schema structures, collecting a
//! [`Problem`] for every missing key, unknown key and wrong YAML type
//! instead of stopping at the first.

use super::raw::*;
use super::yaml::{Value, YamlPath};
use crate::diag::did_you_mean;

/// A problem found while reading, located by path; turned into a
/// [`crate::diag::Diagnostic`] with line and column later.
#[derive(Debug, Clone)]
pub struct Problem {
    pub src: Src,
    pub message: String,
    pub help: Option<String>,
}

pub(crate) struct Cx<'e> {
    pub file: FileId,
    pub problems: &'e mut Vec<Problem>,
}

/// A YAML node and where it is.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a, 'p> {
    pub value: &'a Value,
    pub path: &'p YamlPath,
}

impl Cx<'_> {
    pub fn src(&self, path: &YamlPath) -> Src {
        Src { file: self.file, path: path.clone() }
    }

    pub fn problem(&mut self, path: &YamlPath, message: impl Into<String>, help: Option<String>) {
        self.problems.push(Problem { src: self.src(path), message: message.into(), help });
    }

    fn wrong_type(&mut self, node: Node<'_, '_>, what: &str, expected: &str) {
        let found = describe(node.value);
        self.problem(node.path, format!("{what} must be {expected}, found {found}"), None);
    }

    pub fn string(&mut self, node: Node<'_, '_>, what: &str) -> Option<At<String>> {
        match node.value {
            Value::String(s) => Some(At { v: s.clone(), src: self.src(node.path) }),
            // Unquoted scalars that YAML reads as numbers or booleans are
            // still fine as names (a release called 1.257.0 stays a string,
            // but a release called 8.2 would be a float).
            Value::Number(n) => Some(At { v: n.to_string(), src: self.src(node.path) }),
            Value::Bool(b) => Some(At { v: b.to_string(), src: self.src(node.path) }),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    pub fn boolean(&mut self, node: Node<'_, '_>, what: &str) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(node, what, "`true` or `false`");
                None
            }
        }
    }

    /// The items of a sequence, with their paths.
    pub fn seq<'a>(&mut self, node: Node<'a, '_>, what: &str) -> Vec<(&'a Value, YamlPath)> {
        match node.value {
            Value::Sequence(items) => items.iter().enumerate().map(|(i, v)| (v, node.path.index(i))).collect(),
            _ => {
                self.wrong_type(node, what, "a list");
                Vec::new()
            }
        }
    }

    pub fn strings(&mut self, node: Node<'_, '_>, what: &str) -> Vec<At<String>> {
        let items = self.seq(node, what);
        items
            .iter()
            .filter_map(|(v, p)| self.string(Node { value: v, path: p }, &format!("an item of {what}")))
            .collect()
    }

    /// Opens a mapping whose keys must all be among `allowed`.
    pub fn map<'a>(&mut self, node: Node<'a, '_>, what: &str, allowed: &'static [&'static str]) -> Option<Map<'a>> {
        let Value::Mapping(m) = node.value else {
            self.wrong_type(node, what, "a mapping");
            return None;
        };
        for key in m.keys() {
            match key.as_str() {
                Some(k) if allowed.contains(&k) => {}
                Some(k) => {
                    let help = did_you_mean(k, allowed.iter().copied())
                        .or_else(|| Some(format!("the keys of {what} are: {}", allowed.join(", "))));
                    self.problem(&node.path.key_name(k), format!("unknown key `{k}` in {what}"), help);
                }
                None => self.problem(node.path, format!("{what} has a key that is not a string"), None),
            }
        }
        Some(Map { map: node.value, path: node.path.clone(), what: what.to_string() })
    }
}

/// An open mapping.
pub(crate) struct Map<'a> {
    map: &'a Value,
    pub path: YamlPath,
    pub what: String,
}

impl<'a> Map<'a> {
    /// The value under `key`, if present, with its path.
    pub fn get(&self, key: &str) -> Option<(&'a Value, YamlPath)> {
        self.map.get(key).map(|v| (v, self.path.key(key)))
    }

    /// Like [`Map::get`], but a missing key is a problem.
    pub fn require(&self, cx: &mut Cx<'_>, key: &str) -> Option<(&'a Value, YamlPath)> {
        let got = self.get(key);
        if got.is_none() {
            cx.problem(&self.path, format!("{} is missing the required key `{key}`", self.what), None);
        }
        got
    }
}

pub(crate) fn node<'a, 'p>(pair: &'p (&'a Value, YamlPath)) -> Node<'a, 'p> {
    Node { value: pair.0, path: &pair.1 }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string `{}`", short(s)),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged `{}`", t.tag),
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}
