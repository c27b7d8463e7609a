//! Run-time values of the interpreter, and OCaml's structural comparison.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use super::ast::{Case, Expr, Param};

/// Where a value was made: a file (index into the interpreter's file list) and a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    pub file: usize,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub enum Value<'a> {
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Char(char),
    Tuple(Rc<Vec<Value<'a>>>),
    List(Rc<Vec<Value<'a>>>),
    /// A constructor (`Some x`, `Enum (..)`, `Published`) and where it was built.
    Ctor(Rc<str>, Option<Rc<Value<'a>>>, Site),
    Variant(Rc<str>, Option<Rc<Value<'a>>>),
    /// A record's fields in the order written, and where it was first built.
    Record(Rc<Vec<(Rc<str>, Value<'a>)>>, Site),
    Closure(Rc<Closure<'a>>),
    Builtin(Rc<Builtin<'a>>),
    Ref(Rc<RefCell<Value<'a>>>),
    Table(Rc<RefCell<Vec<(Value<'a>, Value<'a>)>>>),
    /// A top-level binding that could not be evaluated; using it is an error carrying the reason.
    Poison(Rc<str>),
}

/// The body of a closure.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Fun(&'a [Param], &'a Expr),
    /// `function | p -> e ..`: one positional parameter.
    Cases(&'a [Case]),
}

/// An argument value with its label.
#[derive(Debug, Clone)]
pub enum ArgV<'a> {
    Pos(Value<'a>),
    Labelled(Rc<str>, Value<'a>),
    /// `?x:v` with `v` already an option.
    Optional(Rc<str>, Value<'a>),
}

#[derive(Debug, Clone)]
pub struct Closure<'a> {
    pub body: Body<'a>,
    pub env: Env<'a>,
    pub file: usize,
    /// Arguments of a partial application so far.
    pub applied: Vec<ArgV<'a>>,
}

pub type BuiltinFn = for<'a> fn(&mut super::eval::Interp<'a>, Vec<Value<'a>>) -> super::eval::EResult<'a>;

/// A function of the standard library written in Rust.
#[derive(Debug, Clone)]
pub struct Builtin<'a> {
    pub name: &'static str,
    /// One entry a parameter: `""` positional, else the label (`default` of `Option.value`).
    pub params: &'static [&'static str],
    pub f: BuiltinFn,
    pub applied: Vec<ArgV<'a>>,
}

/// The names a `let rec` binds, filled once their closures exist.
pub type RecFrame<'a> = RefCell<Vec<(Rc<str>, Value<'a>)>>;

/// A scope: local bindings over a module scope.
#[derive(Debug, Clone)]
pub enum Env<'a> {
    Local(Rc<(Rc<str>, Value<'a>, Env<'a>)>),
    /// `let rec` bindings, filled after their closures are made.
    Rec(Rc<(RecFrame<'a>, Env<'a>)>),
    Opened(Rc<(Rc<Module<'a>>, Env<'a>)>),
    Module(Rc<Module<'a>>),
}

/// A module: its values and submodules, what it opens and includes, and its enclosing module.
#[derive(Debug, Default)]
pub struct Module<'a> {
    pub name: String,
    pub values: RefCell<HashMap<Rc<str>, Value<'a>>>,
    pub modules: RefCell<HashMap<Rc<str>, Rc<Module<'a>>>>,
    pub opens: RefCell<Vec<Rc<Module<'a>>>>,
    pub includes: RefCell<Vec<Rc<Module<'a>>>>,
    pub parent: Option<Rc<Module<'a>>>,
}

impl<'a> Module<'a> {
    pub fn new(name: &str, parent: Option<Rc<Module<'a>>>) -> Rc<Self> {
        Rc::new(Module { name: name.to_string(), parent, ..Default::default() })
    }

    /// A value this module exports (its own or an included module's).
    pub fn export(&self, name: &str) -> Option<Value<'a>> {
        if let Some(v) = self.values.borrow().get(name) {
            return Some(v.clone());
        }
        self.includes.borrow().iter().rev().find_map(|m| m.export(name))
    }

    pub fn submodule(&self, name: &str) -> Option<Rc<Module<'a>>> {
        if let Some(m) = self.modules.borrow().get(name) {
            return Some(m.clone());
        }
        self.includes.borrow().iter().rev().find_map(|m| m.submodule(name))
    }
}

impl<'a> Value<'a> {
    pub fn str(s: &str) -> Self {
        Value::Str(Rc::from(s))
    }

    pub fn list(items: Vec<Value<'a>>) -> Self {
        Value::List(Rc::new(items))
    }

    pub fn none() -> Self {
        Value::Ctor(Rc::from("None"), None, Site { file: 0, line: 0 })
    }

    pub fn some(v: Value<'a>) -> Self {
        Value::Ctor(Rc::from("Some"), Some(Rc::new(v)), Site { file: 0, line: 0 })
    }

    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Unit => "unit",
            Value::Bool(_) => "a bool",
            Value::Int(_) => "an int",
            Value::Float(_) => "a float",
            Value::Str(_) => "a string",
            Value::Char(_) => "a char",
            Value::Tuple(_) => "a tuple",
            Value::List(_) => "a list",
            Value::Ctor(..) => "a constructor",
            Value::Variant(..) => "a variant",
            Value::Record(..) => "a record",
            Value::Closure(_) | Value::Builtin(_) => "a function",
            Value::Ref(_) => "a reference",
            Value::Table(_) => "a hash table",
            Value::Poison(_) => "an unread value",
        }
    }

    /// A record's field.
    pub fn field(&self, name: &str) -> Option<&Value<'a>> {
        match self {
            Value::Record(fields, _) => fields.iter().find(|(n, _)| &**n == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// OCaml's `compare`: `None` when functions are compared.
pub fn compare<'a>(a: &Value<'a>, b: &Value<'a>) -> Option<Ordering> {
    use Value::*;
    Some(match (a, b) {
        (Unit, Unit) => Ordering::Equal,
        (Bool(x), Bool(y)) => x.cmp(y),
        (Int(x), Int(y)) => x.cmp(y),
        (Float(x), Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Str(x), Str(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Char(x), Char(y)) => x.cmp(y),
        (Tuple(x), Tuple(y)) | (List(x), List(y)) => return compare_seq(x, y),
        (Ctor(n, x, _), Ctor(m, y, _)) | (Variant(n, x), Variant(m, y)) => {
            // constant constructors come before those with arguments, as in OCaml
            match (x, y) {
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (None, None) => n.cmp(m),
                (Some(x), Some(y)) => match n.cmp(m) {
                    Ordering::Equal => return compare(x, y),
                    o => o,
                },
            }
        }
        (Record(x, _), Record(y, _)) => {
            for ((_, u), (_, v)) in x.iter().zip(y.iter()) {
                match compare(u, v)? {
                    Ordering::Equal => {}
                    o => return Some(o),
                }
            }
            x.len().cmp(&y.len())
        }
        (Ref(x), Ref(y)) => return compare(&x.borrow(), &y.borrow()),
        (Table(x), Table(y)) => {
            if Rc::ptr_eq(x, y) {
                Ordering::Equal
            } else {
                Ordering::Less
            }
        }
        _ => return None,
    })
}

fn compare_seq<'a>(x: &[Value<'a>], y: &[Value<'a>]) -> Option<Ordering> {
    for (u, v) in x.iter().zip(y.iter()) {
        match compare(u, v)? {
            Ordering::Equal => {}
            o => return Some(o),
        }
    }
    Some(x.len().cmp(&y.len()))
}
